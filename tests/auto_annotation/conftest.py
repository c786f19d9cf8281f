"""Twin tasks on one test server, and clients of both SDKs for them."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.auto_annotation.functions import LABELS

Image.init()


def _jpeg(i: int) -> bytes:
    image = Image.new("RGB", (40 + i, 30), (30 * i % 256, 100, 50))
    buf = io.BytesIO()
    image.save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def frame_files(tmp_path: Path) -> list[Path]:
    """Six small JPEGs of different sizes and colours."""
    folder = tmp_path / "frames"
    folder.mkdir()
    paths = []
    for i in range(6):
        path = folder / f"f{i:02d}.jpg"
        path.write_bytes(_jpeg(i))
        paths.append(path)
    return paths


@pytest.fixture
def ours(cvat_live_server: Any, cvat_admin: tuple[str, str], tmp_path: Path) -> Iterator[Any]:
    """Our client over HTTP."""
    from cvat_client.core.client import Config, make_client

    with make_client(
        cvat_live_server.url,
        credentials=cvat_admin,
        config=Config(status_check_period=0.01, cache_dir=tmp_path / "cache"),
    ) as client:
        yield client


@pytest.fixture
def theirs(cvat_live_server: Any, cvat_admin: tuple[str, str], tmp_path: Path) -> Iterator[Any]:
    """cvat-sdk 2.73's client over HTTP, with its cache in the test's folder."""
    cvat_sdk = pytest.importorskip("cvat_sdk")
    with cvat_sdk.make_client(cvat_live_server.url, credentials=cvat_admin) as client:
        client.config.cache_dir = tmp_path / "sdk-cache"
        client.config.status_check_period = 0.01
        client.logger.setLevel(logging.WARNING)
        yield client


@pytest.fixture
def make_task(ours: Any, frame_files: list[Path]) -> Callable[..., int]:
    """``make_task(name, deleted=[...], **task_spec)``: a task with the test labels and frames."""

    def make(name: str = "aa", deleted: list[int] | None = None, **spec: Any) -> int:
        task = ours.tasks.create_from_data(
            {"name": name, "labels": LABELS, **spec}, resources=[str(p) for p in frame_files]
        )
        if deleted:
            task.remove_frames_by_ids(deleted)
        return int(task.id)

    return make


def snapshot(client: Any, task_id: int) -> list[Any]:
    """A task's annotations with names instead of ids, sorted: comparable across tasks."""
    labels = {}
    attrs = {}
    for label in client.tasks.retrieve(task_id).get_labels():
        labels[label.id] = label.name
        for attr in label.attributes or []:
            attrs[attr.id] = attr.name
        for sl in label.sublabels or []:
            labels[sl.id] = f"{label.name}.{sl.name}"
            for attr in sl.attributes or []:
                attrs[attr.id] = attr.name
    _, response = client.api_client.tasks_api.retrieve_annotations(task_id, _parse_response=False)
    data = response.json()

    def norm(kind: str, item: dict[str, Any]) -> Any:
        return (
            kind,
            item["frame"],
            labels[item["label_id"]],
            item.get("type"),
            tuple(round(p, 3) for p in item.get("points", [])),
            item.get("occluded"),
            item.get("z_order"),
            item["source"],
            tuple(sorted((attrs[a["spec_id"]], a["value"]) for a in item["attributes"])),
            tuple(sorted(norm("element", e) for e in item.get("elements", []))),
        )

    return sorted(
        [norm("tag", t) for t in data["tags"]] + [norm("shape", s) for s in data["shapes"]]
    )
