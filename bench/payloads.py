"""Deterministic generators of benchmark payloads shaped like real CVAT server output.

``labeled_data(...)`` builds the JSON body of ``GET /api/tasks/{id}/annotations``
(a ``LabeledData``): shapes with attributes, skeletons with elements, tracks with
keyframes, tags. Field sets and value shapes follow what a CVAT 2.73 server sends.
"""

from __future__ import annotations

import json
import random
from typing import Any

SHAPE_TYPES = ("rectangle", "polygon", "polyline", "points", "ellipse")


def _attributes(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [
        {"spec_id": 100 + i, "value": rng.choice(["true", "false", "red", "3"])} for i in range(n)
    ]


def _points(rng: random.Random, kind: str) -> list[float]:
    count = {"rectangle": 4, "ellipse": 4, "points": 6, "polyline": 8, "polygon": 12}[kind]
    return [round(rng.uniform(0, 1920), 2) for _ in range(count)]


def _shape(rng: random.Random, shape_id: int, frame: int, kind: str) -> dict[str, Any]:
    return {
        "type": kind,
        "occluded": rng.random() < 0.1,
        "outside": False,
        "z_order": rng.randint(0, 3),
        "rotation": 0.0,
        "points": _points(rng, kind),
        "id": shape_id,
        "frame": frame,
        "label_id": rng.randint(1, 20),
        "group": 0,
        "source": "manual",
        "attributes": _attributes(rng, 2),
        "elements": [],
        "score": 1.0,
    }


def _skeleton(rng: random.Random, shape_id: int, frame: int) -> dict[str, Any]:
    shape = _shape(rng, shape_id, frame, "rectangle")
    shape.update(type="skeleton", points=[])
    shape["elements"] = [
        {
            "type": "points",
            "occluded": False,
            "outside": rng.random() < 0.2,
            "z_order": 0,
            "rotation": 0.0,
            "points": _points(rng, "points")[:2],
            "id": shape_id * 10 + k,
            "frame": frame,
            "label_id": 30 + k,
            "group": 0,
            "source": "manual",
            "attributes": [],
            "score": 1.0,
        }
        for k in range(5)
    ]
    return shape


def _track(rng: random.Random, track_id: int, keyframes: int) -> dict[str, Any]:
    start = rng.randint(0, 500)
    kind = rng.choice(("rectangle", "polygon", "points"))
    return {
        "id": track_id,
        "frame": start,
        "label_id": rng.randint(1, 20),
        "group": 0,
        "source": "manual",
        "attributes": _attributes(rng, 1),
        "elements": [],
        "shapes": [
            {
                "type": kind,
                "occluded": False,
                "outside": k == keyframes - 1,
                "z_order": 0,
                "rotation": 0.0,
                "points": _points(rng, kind),
                "id": track_id * 1000 + k,
                "frame": start + k * 5,
                "attributes": _attributes(rng, 1),
            }
            for k in range(keyframes)
        ],
    }


def labeled_data(
    *, shapes: int = 5000, tracks: int = 200, keyframes: int = 50, tags: int = 100, seed: int = 7
) -> dict[str, Any]:
    """A ``LabeledData`` body: ``shapes`` shapes (1 in 10 a skeleton), tracks and tags."""
    rng = random.Random(seed)
    out_shapes = [
        _skeleton(rng, i + 1, i % 1000)
        if i % 10 == 9
        else _shape(rng, i + 1, i % 1000, SHAPE_TYPES[i % len(SHAPE_TYPES)])
        for i in range(shapes)
    ]
    return {
        "version": 0,
        "tags": [
            {
                "id": 900000 + i,
                "frame": i,
                "label_id": 5,
                "group": 0,
                "source": "manual",
                "attributes": _attributes(rng, 1),
            }
            for i in range(tags)
        ],
        "shapes": out_shapes,
        "tracks": [_track(rng, 50000 + i, keyframes) for i in range(tracks)],
    }


def labeled_data_bytes(**kwargs: Any) -> bytes:
    """The payload as the server would send it (compact JSON)."""
    return json.dumps(labeled_data(**kwargs), separators=(",", ":")).encode()


if __name__ == "__main__":
    body = labeled_data_bytes()
    print(f"LabeledData payload: {len(body) / 1e6:.1f} MB")
