"""Annotations of tasks: set, get, partial updates, removal, import."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from cvat_client._lowlevel.exceptions import BadRequestException
from cvat_client.core.proxies import AnnotationUpdateAction, Task

from .conftest import LABELS, rect, shape_key


@pytest.fixture
def task(client: Any, images: list[Path]) -> Task:
    return client.tasks.create_from_data({"name": "ann", "labels": LABELS}, images)


def _labels(task: Task) -> dict[str, int]:
    return {label.name: label.id for label in task.get_labels()}


def test_set_get_equal(client: Any, images: list[Path]) -> None:
    task = client.tasks.create_from_data({"name": "ann", "labels": LABELS}, images)
    labels = _labels(task)
    shapes = [rect(labels["car"], 0), rect(labels["person"], 1, [3.0, 4.0, 10.0, 12.0])]
    tags = [
        {"frame": 2, "label_id": labels["car"], "group": 0, "source": "manual", "attributes": []}
    ]

    task.set_annotations({"shapes": shapes, "tags": tags, "tracks": []})
    got = task.get_annotations()

    assert sorted(shape_key(s) for s in got.shapes) == sorted(shape_key(s) for s in shapes)
    assert [(t.frame, t.label_id) for t in got.tags] == [(2, labels["car"])]
    assert got.tracks == []

    task.set_annotations({"shapes": [shapes[0]]})
    assert [shape_key(s) for s in task.get_annotations().shapes] == [shape_key(shapes[0])]


def test_update_create_delete(task: Task) -> None:
    labels = _labels(task)
    task.set_annotations({"shapes": [rect(labels["car"], 0)]})
    current = task.get_annotations().shapes[0]

    task.update_annotations({"shapes": [rect(labels["person"], 1)]}, action="create")
    assert len(task.get_annotations().shapes) == 2

    changed = current.to_dict()
    changed["points"] = [9.0, 9.0, 19.0, 19.0]
    task.update_annotations({"shapes": [changed]}, action=AnnotationUpdateAction.UPDATE)
    by_id = {s.id: s for s in task.get_annotations().shapes}
    assert [float(p) for p in by_id[current.id].points] == [9.0, 9.0, 19.0, 19.0]

    task.update_annotations({"shapes": [changed]}, action=AnnotationUpdateAction.DELETE)
    assert [s.label_id for s in task.get_annotations().shapes] == [labels["person"]]


def test_remove_annotations_by_ids_and_all(task: Task) -> None:
    labels = _labels(task)
    task.set_annotations(
        {"shapes": [rect(labels["car"], 0), rect(labels["car"], 1), rect(labels["person"], 2)]}
    )
    shapes = task.get_annotations().shapes
    keep = shapes[1].id
    task.remove_annotations(ids=[s.id for s in shapes if s.id != keep])
    assert [s.id for s in task.get_annotations().shapes] == [keep]

    task.remove_annotations()
    assert task.get_annotations().shapes == []


def test_bad_label_rejected(task: Task) -> None:
    with pytest.raises(BadRequestException):
        task.set_annotations({"shapes": [rect(987654, 0)]})


def test_import_annotations_round_trip(client: Any, images: list[Path], tmp_path: Path):
    task = client.tasks.create_from_data({"name": "imp", "labels": LABELS}, images)
    labels = _labels(task)
    shapes = [rect(labels["car"], 0), rect(labels["person"], 2, [5.0, 6.0, 20.0, 22.0])]
    task.set_annotations({"shapes": shapes})
    exported = task.export_dataset("COCO 1.0", tmp_path / "coco.zip", include_images=False)
    assert exported is not None
    task.remove_annotations()
    assert task.get_annotations().shapes == []

    task.import_annotations("COCO 1.0", exported)

    got = task.get_annotations().shapes
    assert sorted(shape_key(s) for s in got) == sorted(shape_key(s) for s in shapes)


def test_import_logs_cvat_sdk_wording(
    local_client: Any, images: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Scripts look for cvat-sdk's words in the log: "uploaded" after an annotation import,
    "imported successfully" after a backup import."""
    caplog.set_level("INFO")
    task = local_client.tasks.create_from_data({"name": "imp", "labels": LABELS}, images)
    exported = task.export_dataset("COCO 1.0", tmp_path / "coco.zip", include_images=False)
    task.import_annotations("COCO 1.0", str(exported))
    assert f"Annotation file '{exported}' for task #{task.id} uploaded" in caplog.text
    backup = task.download_backup(tmp_path / "backup.zip")
    restored = local_client.tasks.create_from_backup(backup)
    assert f"Task has been imported successfully. Task ID: {restored.id}" in caplog.text


def test_import_cvat_xml_via_create_from_data(client: Any, images: list[Path], tmp_path: Path):
    source = client.tasks.create_from_data({"name": "src", "labels": LABELS}, images)
    labels = _labels(source)
    source.set_annotations({"shapes": [rect(labels["person"], 1)]})
    xml_zip = source.export_dataset("CVAT for images 1.1", tmp_path / "a.zip", include_images=False)
    assert xml_zip is not None
    xml = tmp_path / "annotations.xml"
    with zipfile.ZipFile(xml_zip) as archive:
        xml.write_bytes(archive.read("annotations.xml"))

    task = client.tasks.create_from_data(
        {"name": "dst", "labels": LABELS},
        images,
        annotation_path=xml,
        annotation_format="CVAT 1.1",
    )
    got = task.get_annotations().shapes
    assert [(s.frame, s.label_id) for s in got] == [(1, _labels(task)["person"])]


def test_import_failures(task: Task, tmp_path: Path) -> None:
    from cvat_client.core.exceptions import BackgroundRequestException

    with pytest.raises(FileNotFoundError, match="does not exist"):
        task.import_annotations("COCO 1.0", tmp_path / "none.zip")
    with pytest.raises(FileNotFoundError, match="directory"):
        task.import_annotations("COCO 1.0", tmp_path)

    junk = tmp_path / "junk.zip"
    with zipfile.ZipFile(junk, "w") as archive:
        archive.writestr("readme.txt", "not a dataset")
    with pytest.raises(BackgroundRequestException) as info:
        task.import_annotations("COCO 1.0", junk)
    assert str(info.value)
    with pytest.raises(BadRequestException, match="Bogus"):
        task.import_annotations("Bogus 1.0", junk)
