"""Projects: CRUD, tasks, labels, dataset export/import, backups."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cvat_client._lowlevel.exceptions import NotFoundException
from cvat_client.core.proxies import Project

from .conftest import LABELS, rect, shape_key


def _project_with_task(client: Any, images: list[Path]) -> tuple[Project, Any]:
    project = client.projects.create({"name": "proj", "labels": LABELS})
    task = client.tasks.create_from_data({"name": "in-proj", "project_id": project.id}, images)
    labels = {label.name: label.id for label in project.get_labels()}
    task.set_annotations({"shapes": [rect(labels["car"], 0), rect(labels["person"], 1)]})
    return project, task


def test_crud_tasks_labels(client: Any, images: list[Path]) -> None:
    project, task = _project_with_task(client, images)
    assert isinstance(project, Project)
    assert [t.id for t in project.get_tasks()] == [task.id]
    assert {label.name for label in project.get_labels()} == {"car", "person"}
    assert {label.name for label in task.get_labels()} == {"car", "person"}

    project.update({"name": "renamed"})
    assert client.projects.retrieve(project.id).name == "renamed"
    assert [p.name for p in client.projects.list()] == ["renamed"]

    client.projects.remove_by_ids([project.id, 4242])
    with pytest.raises(NotFoundException):
        client.projects.retrieve(project.id)
    assert client.tasks.list() == []


def test_export_dataset(client: Any, images: list[Path], tmp_path: Path):
    project, _ = _project_with_task(client, images)
    dataset = project.export_dataset("COCO 1.0", tmp_path / "proj.zip", include_images=True)
    assert dataset is not None
    with zipfile.ZipFile(dataset) as archive:
        names = archive.namelist()
        [doc] = [n for n in names if n.endswith(".json")]
        document = json.loads(archive.read(doc))
    assert len(document["annotations"]) == 2
    assert sum(1 for n in names if n.lower().endswith(".jpg")) == 3


def test_create_from_dataset(client: Any, images: list[Path], tmp_path: Path):
    project, _ = _project_with_task(client, images)
    dataset = project.export_dataset("COCO 1.0", tmp_path / "proj.zip", include_images=True)
    assert dataset is not None

    copy = client.projects.create_from_dataset(
        {"name": "copy", "labels": LABELS}, dataset_path=dataset, dataset_format="COCO 1.0"
    )
    assert copy.name == "copy"
    tasks = copy.get_tasks()
    assert len(tasks) >= 1
    assert sum(t.size for t in tasks) == 3
    got = [s for t in tasks for s in t.get_annotations().shapes]
    assert len(got) == 2
    names_by_id = {label.id: label.name for label in copy.get_labels()}
    assert sorted(names_by_id[s.label_id] for s in got) == ["car", "person"]


def test_backup_round_trip(client: Any, images: list[Path], tmp_path: Path) -> None:
    project, task = _project_with_task(client, images)
    backup = project.download_backup(tmp_path / "pb.zip")
    assert backup is not None
    assert zipfile.is_zipfile(backup)

    restored = client.projects.create_from_backup(backup)

    assert restored.id != project.id
    assert restored.name == project.name
    assert {label.name for label in restored.get_labels()} == {"car", "person"}
    [new_task] = restored.get_tasks()
    assert new_task.name == task.name
    assert new_task.size == 3
    for i, path in enumerate(images):
        assert new_task.get_frame(i, quality="original").read() == path.read_bytes()
    old = sorted(shape_key(s)[:2] + shape_key(s)[3:] for s in task.get_annotations().shapes)
    new = sorted(shape_key(s)[:2] + shape_key(s)[3:] for s in new_task.get_annotations().shapes)
    assert new == old


def test_missing_dataset_creates_nothing(client: Any, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"none\.zip"):
        client.projects.create_from_dataset({"name": "x"}, dataset_path=tmp_path / "none.zip")
    with pytest.raises(FileNotFoundError):
        client.projects.create_from_backup(tmp_path / "none.zip")
    assert client.projects.list() == []


def test_project_import_dataset_logs_cvat_sdk_wording(
    local_client: Any, images: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    project, _task = _project_with_task(local_client, images)
    dataset = project.export_dataset("COCO 1.0", tmp_path / "p.zip", include_images=True)
    assert dataset is not None
    project.import_dataset("COCO 1.0", dataset)
    assert f"Annotation file '{dataset}' for project #{project.id} uploaded" in caplog.text
