"""Annotation bodies the real CVAT 2.73 refuses, refused by the test server the same way
(bodies recorded from a real server): sources, point counts, skeleton elements, attributes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.testing.conftest import create_task

LABELS = [
    {
        "name": "car",
        "type": "rectangle",
        "attributes": [
            {"name": "color", "mutable": False, "input_type": "select", "values": ["red", "green"]}
        ],
    },
    {"name": "scene", "type": "tag"},
    {
        "name": "body",
        "type": "skeleton",
        "svg": "",
        "sublabels": [{"name": "head", "type": "points"}, {"name": "tail", "type": "points"}],
    },
]


@pytest.fixture
def task(cvat_http: httpx.Client, cvat_server: Any, image_files: list[Path]) -> dict[str, Any]:
    created = create_task(cvat_http, cvat_server, image_files, labels=LABELS)
    labels = cvat_http.get("/api/labels", params={"task_id": created["id"]}).json()["results"]
    by_name = {label["name"]: label for label in labels}
    return {"id": created["id"], **by_name}


def _rect(task: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "type": "rectangle",
        "frame": 0,
        "label_id": task["car"]["id"],
        "points": [1, 2, 10, 12],
        "source": "auto",
        **changes,
    }


def _skeleton(task: dict[str, Any], names: list[str]) -> dict[str, Any]:
    sub = {sl["name"]: sl["id"] for sl in task["body"]["sublabels"]}
    return {
        "type": "skeleton",
        "frame": 0,
        "label_id": task["body"]["id"],
        "points": [],
        "source": "auto",
        "elements": [
            {"type": "points", "frame": 0, "label_id": sub[n], "points": [1, 1], "source": "auto"}
            for n in names
        ],
    }


CASES: dict[str, tuple[Any, Any]] = {
    "unknown attribute": (
        lambda t: {"shapes": [_rect(t, attributes=[{"spec_id": 999999, "value": "x"}])]},
        ["spec_id `999999` is invalid"],
    ),
    "skeleton without elements": (
        lambda t: {"shapes": [_skeleton(t, [])]},
        {"shapes": [{"elements": ["at least one required for skeleton shape"]}]},
    ),
    "elements on a rectangle": (
        lambda t: {"shapes": [{**_rect(t), "elements": _skeleton(t, ["head"])["elements"]}]},
        {"shapes": [{"elements": ["not allowed for non-skeleton shape"]}]},
    ),
    "rectangle with 3 points": (
        lambda t: {"shapes": [_rect(t, points=[1, 2, 3])]},
        {"shapes": [{"points": ["invalid length for shape type 'rectangle'"]}]},
    ),
    "unknown source": (
        lambda t: {"shapes": [_rect(t, source="robot")]},
        {
            "shapes": [
                {
                    "source": [
                        "must be one of 'auto', 'semi-auto', 'manual', 'file', 'consensus', "
                        "got 'robot'"
                    ]
                }
            ]
        },
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_like_cvat(cvat_http: httpx.Client, task: dict[str, Any], case: str) -> None:
    make, expected = CASES[case]
    body = {"tags": [], "shapes": [], "tracks": [], **make(task)}
    for method, params in (("PATCH", {"action": "create"}), ("PUT", {})):
        response = cvat_http.request(
            method, f"/api/tasks/{task['id']}/annotations", params=params, json=body
        )
        assert response.status_code == 400, response.text
        assert response.json() == expected
    stored = cvat_http.get(f"/api/tasks/{task['id']}/annotations").json()
    assert stored["shapes"] == [] and stored["tags"] == []


def test_accepted_like_cvat(cvat_http: httpx.Client, task: dict[str, Any]) -> None:
    """What CVAT takes without checking (the values of attributes, partial skeletons)."""
    color = task["car"]["attributes"][0]["id"]
    body = {
        "shapes": [
            _rect(t := task, attributes=[{"spec_id": color, "value": "blue"}]),
            _skeleton(t, ["head"]),
            {
                "type": "mask",
                "frame": 0,
                "label_id": t["car"]["id"],
                "points": [1, 4, 1, 1, 2, 3, 3],
            },
        ],
        "tags": [{"frame": 0, "label_id": t["scene"]["id"], "source": "auto"}],
        "tracks": [],
    }
    response = cvat_http.patch(
        f"/api/tasks/{task['id']}/annotations", params={"action": "create"}, json=body
    )
    assert response.status_code == 200, response.text
    stored = cvat_http.get(f"/api/tasks/{task['id']}/annotations").json()
    assert len(stored["shapes"]) == 3 and len(stored["tags"]) == 1
    assert len(stored["shapes"][1]["elements"]) == 1
