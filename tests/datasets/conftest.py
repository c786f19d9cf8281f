"""A test server with one richly annotated task, shared by the datasets tests of a module."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer

ADMIN = ("admin", "datasets-admin-pw")
# (width, height, format) of the task's frames: several sizes and two formats
FRAMES = [
    (64, 48, "PNG"),
    (80, 60, "JPEG"),
    (50, 70, "PNG"),
    (64, 48, "JPEG"),
    (33, 21, "PNG"),
    (90, 40, "PNG"),
    (64, 64, "JPEG"),
]
CHUNK_SIZE = 3
DELETED_FRAME = 5


def frame_bytes(index: int, width: int, height: int, fmt: str) -> bytes:
    image = Image.new("RGB", (width, height), (index * 30 % 256, 90, 200 - index * 20))
    image.paste((255, 255, 255), (2, 2, 2 + index + 3, 2 + index + 3))
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()


LABELS: list[dict[str, Any]] = [
    {
        "name": "car",
        "type": "rectangle",
        "attributes": [
            {
                "name": "color",
                "mutable": False,
                "input_type": "select",
                "default_value": "red",
                "values": ["red", "blue"],
            },
            {
                "name": "speed",
                "mutable": True,
                "input_type": "number",
                "default_value": "0",
                "values": ["0", "100", "5"],
            },
            {
                "name": "parked",
                "mutable": True,
                "input_type": "checkbox",
                "default_value": "false",
                "values": ["false"],
            },
        ],
    },
    {"name": "person", "type": "polygon"},
    {"name": "road", "type": "polyline"},
    {"name": "kp", "type": "points"},
    {"name": "ball", "type": "ellipse"},
    {"name": "blob", "type": "mask"},
    {"name": "daytime", "type": "tag"},
    {
        "name": "body",
        "type": "skeleton",
        "sublabels": [{"name": "head", "type": "points"}, {"name": "tail", "type": "points"}],
        "svg": '<circle data-label-name="head"></circle><circle data-label-name="tail"></circle>',
    },
]


@dataclass
class RichTask:
    """The shared task: its id, label ids by name, attribute ids by name."""

    id: int
    labels: dict[str, int]
    attrs: dict[str, int]
    sublabels: dict[str, int] = field(default_factory=dict)


def _shape(frame: int, label: int, kind: str, points: list[float], **extra: Any) -> dict[str, Any]:
    shape = {
        "type": kind,
        "frame": frame,
        "label_id": label,
        "points": points,
        "occluded": False,
        "outside": False,
        "z_order": 0,
        "rotation": 0.0,
        "group": 0,
        "source": "manual",
        "attributes": [],
    }
    shape.update(extra)
    return shape


def annotate(client: Any, task_id: int) -> RichTask:
    """Put the shared annotations on a task made with :data:`LABELS`."""
    from cvat_client.masks import encode_mask

    task = client.tasks.retrieve(task_id)
    labels = {label.name: label.id for label in task.get_labels()}
    attrs: dict[str, int] = {}
    sublabels: dict[str, int] = {}
    for label in task.get_labels():
        for attr in label.attributes or []:
            attrs[attr.name] = attr.id
        for sub in label.sublabels or []:
            sublabels[sub.name] = sub.id
    import numpy as np

    bitmap = np.zeros((48, 64), dtype=bool)
    bitmap[10:20, 5:30] = True
    bitmap[15, 40:45] = True
    car = labels["car"]
    color, speed, parked = attrs["color"], attrs["speed"], attrs["parked"]
    shapes = [
        _shape(
            0,
            car,
            "rectangle",
            [1.0, 2.0, 30.5, 40.0],
            attributes=[
                {"spec_id": color, "value": "blue"},
                {"spec_id": speed, "value": "15"},
                {"spec_id": parked, "value": "true"},
            ],
        ),
        _shape(0, labels["person"], "polygon", [5.0, 5.0, 20.0, 5.0, 12.0, 25.0]),
        _shape(1, labels["road"], "polyline", [0.0, 0.0, 10.0, 30.0, 70.0, 55.0]),
        _shape(1, labels["kp"], "points", [3.0, 4.0, 8.0, 9.5]),
        _shape(2, labels["ball"], "ellipse", [25.0, 35.0, 40.0, 50.0]),
        _shape(3, labels["blob"], "mask", encode_mask(bitmap)),
        _shape(
            4,
            labels["body"],
            "skeleton",
            [],
            elements=[
                _shape(4, sublabels["head"], "points", [3.0, 4.0]),
                _shape(4, sublabels["tail"], "points", [20.0, 15.0], outside=True),
            ],
        ),
        _shape(DELETED_FRAME, car, "rectangle", [1.0, 1.0, 5.0, 5.0]),
        _shape(6, labels["person"], "polygon", [1.0, 1.0, 60.0, 2.0, 30.0, 50.0], rotation=0.0),
        _shape(6, car, "rectangle", [10.0, 10.0, 20.0, 30.0], rotation=45.0),
    ]
    tags = [
        {
            "frame": 0,
            "label_id": labels["daytime"],
            "group": 0,
            "source": "manual",
            "attributes": [],
        },
        {
            "frame": 2,
            "label_id": labels["daytime"],
            "group": 0,
            "source": "manual",
            "attributes": [],
        },
        {
            "frame": DELETED_FRAME,
            "label_id": labels["daytime"],
            "group": 0,
            "source": "manual",
            "attributes": [],
        },
    ]

    def keyframe(
        frame: int, points: list[float], outside: bool = False, **extra: Any
    ) -> dict[str, Any]:
        item = {
            "type": "rectangle",
            "frame": frame,
            "points": points,
            "occluded": False,
            "outside": outside,
            "z_order": 0,
            "rotation": 0.0,
            "attributes": [],
        }
        item.update(extra)
        return item

    tracks = [
        {
            "frame": 0,
            "label_id": car,
            "group": 0,
            "source": "manual",
            "attributes": [{"spec_id": color, "value": "red"}],
            "shapes": [
                keyframe(0, [0.0, 0.0, 10.0, 10.0], attributes=[{"spec_id": speed, "value": "5"}]),
                keyframe(2, [10.0, 20.0, 30.0, 40.0]),
                keyframe(3, [12.0, 20.0, 32.0, 40.0], outside=True),
                keyframe(5, [40.0, 20.0, 50.0, 30.0]),  # on the deleted frame: skipped
            ],
        }
    ]
    task.set_annotations({"tags": tags, "shapes": shapes, "tracks": tracks})
    task.remove_frames_by_ids([DELETED_FRAME])
    return RichTask(task_id, labels, attrs, sublabels)


def create_rich_task(client: Any, folder: Path, name: str = "rich", **spec: Any) -> RichTask:
    """A task with :data:`FRAMES` and :data:`LABELS` (or its project's), annotated by
    :func:`annotate`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (width, height, fmt) in enumerate(FRAMES):
        path = folder / f"frame_{index:02d}.{'png' if fmt == 'PNG' else 'jpg'}"
        path.write_bytes(frame_bytes(index, width, height, fmt))
        paths.append(path)
    task = client.tasks.create_from_data(
        {"name": name, **({} if "project_id" in spec else {"labels": LABELS}), **spec},
        resources=paths,
        data_params={"chunk_size": CHUNK_SIZE, "image_quality": 80},
    )
    return annotate(client, task.id)


@pytest.fixture(scope="module")
def dataset_server() -> Iterator[tuple[CvatTestServer, LiveServer]]:
    """A test server over HTTP for the whole module."""
    server = CvatTestServer(admin=ADMIN)
    live = LiveServer(server).start()
    try:
        yield server, live
    finally:
        live.stop()
        server.close()


def make_our_client(url: str, cache_dir: Path) -> Any:
    from cvat_client import Config, make_client

    return make_client(
        url, credentials=ADMIN, config=Config(cache_dir=cache_dir, status_check_period=0.01)
    )


def make_sdk_client(url: str, cache_dir: Path) -> Any:
    import cvat_sdk

    client = cvat_sdk.make_client(url, credentials=ADMIN)
    client.config.cache_dir = cache_dir
    client.config.status_check_period = 0.01
    return client


@pytest.fixture(scope="module")
def rich_task(
    dataset_server: tuple[CvatTestServer, LiveServer], tmp_path_factory: pytest.TempPathFactory
) -> RichTask:
    """The shared annotated task."""
    folder = tmp_path_factory.mktemp("rich")
    with make_our_client(dataset_server[1].url, folder / "setup-cache") as client:
        return create_rich_task(client, folder / "images")


@pytest.fixture
def server_url(dataset_server: tuple[CvatTestServer, LiveServer]) -> str:
    return dataset_server[1].url


@pytest.fixture
def our_client(server_url: str, tmp_path: Path) -> Iterator[Any]:
    with make_our_client(server_url, tmp_path / "cache") as client:
        yield client


@pytest.fixture
def sdk_client(server_url: str, tmp_path: Path) -> Iterator[Any]:
    client = make_sdk_client(server_url, tmp_path / "sdk-cache")
    try:
        yield client
    finally:
        client.close()
