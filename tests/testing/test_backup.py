"""Tests of the test server's task and project backups (CVAT 2.73 layout)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cvat_client.testing.backup import (
    BackupError,
    TaskBackup,
    read_project_backup,
    read_task_backup,
    remap_annotations,
    write_project_backup,
    write_task_backup,
)
from cvat_client.testing.media import Frame, extract_media

CAR, BODY, NODE_A, NODE_B = 31, 40, 41, 42
COLOR = 300

LABELS: list[dict[str, Any]] = [
    {
        "id": CAR,
        "name": "car",
        "color": "#2080c0",
        "type": "any",
        "has_parent": False,
        "attributes": [
            {
                "id": COLOR,
                "name": "color",
                "mutable": True,
                "input_type": "select",
                "default_value": "red",
                "values": ["red", "blue"],
            }
        ],
        "sublabels": [],
    },
    {
        "id": BODY,
        "name": "body",
        "color": "#5c5eba",
        "type": "skeleton",
        "has_parent": False,
        "attributes": [],
        "sublabels": [
            {"id": NODE_A, "name": "a", "color": "#d12345", "type": "points", "attributes": []},
            {"id": NODE_B, "name": "b", "color": "#350dea", "type": "points", "attributes": []},
        ],
        "svg": '<circle data-label-id="41"></circle><circle data-label-id="42"></circle>',
    },
]

TASK = {
    "id": 105,
    "name": "my task",
    "bug_tracker": "",
    "status": "annotation",
    "subset": "",
    "segment_size": 2,
    "overlap": 0,
    "owner": {"id": 1},
    "consensus_enabled": False,
}
DATA = {
    "chunk_size": 72,
    "image_quality": 70,
    "start_frame": 0,
    "stop_frame": 2,
    "frame_filter": "",
    "sorting_method": "lexicographical",
    "storage_method": "cache",
    "storage": "local",
    "compressed_chunk_type": "imageset",
    "deleted_frames": [],
}
JOBS = [
    {"id": 72, "start_frame": 0, "stop_frame": 1, "type": "annotation", "status": "annotation"},
    {"id": 73, "start_frame": 2, "stop_frame": 2, "type": "annotation", "status": "completed"},
]


def shape(frame: int, points: list[float], **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": 1000 + frame,
        "type": "rectangle",
        "frame": frame,
        "label_id": CAR,
        "group": 0,
        "source": "manual",
        "score": 1.0,
        "occluded": False,
        "outside": False,
        "z_order": 0,
        "rotation": 0.0,
        "points": points,
        "attributes": [{"spec_id": COLOR, "value": "blue"}],
        "elements": [],
    }
    result.update(extra)
    return result


def annotations() -> dict[str, Any]:
    return {
        "version": 0,
        "tags": [
            {
                "id": 5,
                "frame": 2,
                "label_id": CAR,
                "group": 0,
                "source": "manual",
                "attributes": [],
            }
        ],
        "shapes": [
            shape(0, [20.0, 30.0, 150.0, 160.0]),
            shape(2, [22.0, 30.0, 150.0, 160.0]),
            shape(
                1,
                [],
                type="skeleton",
                label_id=BODY,
                attributes=[],
                elements=[
                    shape(1, [1.0, 2.0], type="points", label_id=NODE_A, attributes=[]),
                    shape(1, [3.0, 4.0], type="points", label_id=NODE_B, attributes=[]),
                ],
            ),
        ],
        "tracks": [
            {
                "id": 9,
                "frame": 0,
                "label_id": CAR,
                "group": 0,
                "source": "manual",
                "attributes": [],
                "shapes": [
                    {
                        "type": "rectangle",
                        "frame": 0,
                        "occluded": False,
                        "outside": False,
                        "z_order": 0,
                        "rotation": 0.0,
                        "points": [0.0, 0.0, 10.0, 10.0],
                        "attributes": [{"spec_id": COLOR, "value": "red"}],
                    },
                    {
                        "type": "rectangle",
                        "frame": 2,
                        "occluded": False,
                        "outside": False,
                        "z_order": 0,
                        "rotation": 0.0,
                        "points": [20.0, 20.0, 30.0, 30.0],
                        "attributes": [{"spec_id": COLOR, "value": "red"}],
                    },
                ],
                "elements": [],
            }
        ],
    }


@pytest.fixture
def frames(tmp_path: Path) -> list[Frame]:
    upload = tmp_path / "data"
    (upload / "sub").mkdir(parents=True)
    files = []
    for k, name in enumerate(["img_0.jpg", "img_1.png", "sub/img_2.jpg"]):
        path = upload / name
        Image.new("RGB", (32 + k, 24), (40 * k, 120, 200)).save(path)
        files.append(path)
    return extract_media(files, upload, sorting_method="predefined")


def backup_bytes(frames: list[Frame], ann: dict[str, Any] | None = None) -> bytes:
    buf = io.BytesIO()
    write_task_backup(
        buf,
        task=TASK,
        labels=LABELS,
        data=DATA,
        frames=frames,
        jobs=JOBS,
        annotations=ann if ann is not None else annotations(),
    )
    return buf.getvalue()


def test_task_backup_layout(frames: list[Frame]) -> None:
    with zipfile.ZipFile(io.BytesIO(backup_bytes(frames))) as zf:
        names = zf.namelist()
        assert sorted(names) == [
            "annotations.json",
            "data/img_0.jpg",
            "data/img_1.png",
            "data/manifest.jsonl",
            "data/sub/img_2.jpg",
            "task.json",
        ]
        assert zf.read("data/img_1.png") == frames[1].path.read_bytes()
        manifest = zf.read("data/manifest.jsonl").decode().splitlines()
        task = json.loads(zf.read("task.json"))
        jobs = json.loads(zf.read("annotations.json"))
    assert manifest[:2] == ['{"version":"1.1"}', '{"type":"images"}']
    assert json.loads(manifest[4]) == {
        "name": "sub/img_2",
        "extension": ".jpg",
        "width": 34,
        "height": 24,
    }
    assert list(task) == [
        "name",
        "bug_tracker",
        "status",
        "subset",
        "labels",
        "version",
        "data",
        "jobs",
    ]
    assert task["version"] == "1.0"
    assert task["labels"][0] == {
        "name": "car",
        "color": "#2080c0",
        "attributes": [
            {
                "name": "color",
                "mutable": True,
                "input_type": "select",
                "default_value": "red",
                "values": ["red", "blue"],
            }
        ],
        "type": "any",
        "sublabels": [],
    }
    skeleton = task["labels"][1]
    assert skeleton["svg"] == (
        '<circle data-label-name="a"></circle><circle data-label-name="b"></circle>'
    )
    assert [s["name"] for s in skeleton["sublabels"]] == ["a", "b"]
    assert task["data"] == {
        "chunk_size": 72,
        "image_quality": 70,
        "start_frame": 0,
        "stop_frame": 2,
        "storage_method": "cache",
        "storage": "local",
        "sorting_method": "lexicographical",
        "chunk_type": "imageset",
        "deleted_frames": [],
    }
    assert task["jobs"] == [
        {
            "status": "annotation",
            "type": "annotation",
            "start_frame": 0,
            "stop_frame": 1,
            "frames": [],
        },
        {
            "status": "completed",
            "type": "annotation",
            "start_frame": 2,
            "stop_frame": 2,
            "frames": [],
        },
    ]
    assert len(jobs) == 2
    assert [s["frame"] for s in jobs[0]["shapes"]] == [0, 1]
    first = jobs[0]["shapes"][0]
    assert first["label"] == "car"
    assert "label_id" not in first
    assert "id" not in first
    assert "score" not in first
    assert first["attributes"] == [{"value": "blue", "name": "color"}]
    assert [e["label"] for e in jobs[0]["shapes"][1]["elements"]] == ["a", "b"]
    assert [t["label"] for t in jobs[1]["tags"]] == ["car"]
    # the track is split at the job boundary; the second job opens with an interpolated frame
    assert [s["frame"] for s in jobs[0]["tracks"][0]["shapes"]] == [0]
    assert [s["frame"] for s in jobs[1]["tracks"][0]["shapes"]] == [2]


def test_task_backup_round_trip(frames: list[Frame], tmp_path: Path) -> None:
    path = tmp_path / "backup.zip"
    path.write_bytes(backup_bytes(frames))
    restored = read_task_backup(path, tmp_path / "restored")
    assert restored.task["name"] == "my task"
    assert (restored.task["segment_size"], restored.task["overlap"]) == (2, 0)
    assert [f.name for f in restored.frames] == ["img_0.jpg", "img_1.png", "sub/img_2.jpg"]
    for original, copy in zip(frames, restored.frames, strict=True):
        assert (copy.width, copy.height) == (original.width, original.height)
        assert copy.path.read_bytes() == original.path.read_bytes()
    assert not (tmp_path / "restored" / "manifest.jsonl").exists()
    assert [j["status"] for j in restored.jobs] == ["annotation", "completed"]
    assert [label["name"] for label in restored.labels] == ["car", "body"]
    body = restored.labels[1]
    assert [s["name"] for s in body["sublabels"]] == ["a", "b"]
    assert f'data-label-id="{body["sublabels"][0]["id"]}"' in body["svg"]

    # with the labels created under new ids, the annotations follow them by name
    created = json.loads(json.dumps(LABELS))
    result = remap_annotations(restored.annotations, restored.labels, created)
    source = annotations()
    assert sorted(strip(result["shapes"]), key=str) == sorted(strip(source["shapes"]), key=str)
    assert strip(result["tags"]) == strip(source["tags"])
    tracks = result["tracks"]
    assert [[s["frame"] for s in t["shapes"]] for t in tracks] == [[0], [2]]
    assert tracks[0]["shapes"][0]["attributes"] == [{"spec_id": COLOR, "value": "red"}]


def strip(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    drop = {"id", "score"}
    result = []
    for obj in objs:
        entry = {k: v for k, v in obj.items() if k not in drop}
        if "elements" in entry:
            entry["elements"] = strip(entry["elements"])
        result.append(entry)
    return result


def test_frame_subset_is_restored_as_stored(frames: list[Frame], tmp_path: Path) -> None:
    buf = io.BytesIO()
    data = dict(DATA, start_frame=1, frame_filter="step=2")
    write_task_backup(
        buf, task=TASK, labels=LABELS, data=data, frames=frames[:2], jobs=[], annotations={}
    )
    with zipfile.ZipFile(buf) as zf:
        task = json.loads(zf.read("task.json"))
    assert "start_frame" not in task["data"]
    assert "frame_filter" not in task["data"]
    assert task["jobs"] == [
        {
            "status": "annotation",
            "type": "annotation",
            "start_frame": 0,
            "stop_frame": 1,
            "frames": [],
        }
    ]
    path = tmp_path / "b.zip"
    path.write_bytes(buf.getvalue())
    restored = read_task_backup(path, tmp_path / "r")
    assert [f.name for f in restored.frames] == ["img_0.jpg", "img_1.png"]


def test_project_backup_round_trip(frames: list[Frame], tmp_path: Path) -> None:
    buf = io.BytesIO()
    second = TaskBackup(
        task=dict(TASK, name="second"),
        labels=LABELS,
        data=DATA,
        frames=frames[:1],
        jobs=[],
        annotations={
            "version": 0,
            "tags": [],
            "shapes": [shape(0, [1.0, 2.0, 3.0, 4.0])],
            "tracks": [],
        },
    )
    first = {
        "task": TASK,
        "data": DATA,
        "frames": frames,
        "jobs": JOBS,
        "annotations": annotations(),
    }
    write_project_backup(
        buf,
        project={"name": "proj", "bug_tracker": "", "status": "annotation"},
        labels=LABELS,
        tasks=[first, second],
    )
    with zipfile.ZipFile(buf) as zf:
        names = zf.namelist()
        project = json.loads(zf.read("project.json"))
    assert names[0] == "project.json"
    assert "task_0/task.json" in names
    assert "task_1/data/img_0.jpg" in names
    assert "task_1/annotations.json" in names
    assert list(project) == ["name", "bug_tracker", "status", "labels", "version"]
    path = tmp_path / "project.zip"
    path.write_bytes(buf.getvalue())
    restored = read_project_backup(path, tmp_path / "media")
    assert restored.project["name"] == "proj"
    assert [t.task["name"] for t in restored.tasks] == ["my task", "second"]
    assert restored.tasks[1].frames[0].path.parent == tmp_path / "media" / "task_1"
    assert restored.tasks[1].labels is restored.labels
    (only,) = remap_annotations(restored.tasks[1].annotations, restored.labels, LABELS)["shapes"]
    assert (only["label_id"], only["points"]) == (CAR, [1.0, 2.0, 3.0, 4.0])


def test_not_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"hello")
    with pytest.raises(BackupError, match="is not a zip archive"):
        read_task_backup(path, tmp_path / "m")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "x")
    with pytest.raises(BackupError, match=r"not a CVAT task backup: task\.json is missing"):
        read_task_backup(path, tmp_path / "m")
    with pytest.raises(BackupError, match=r"not a CVAT project backup: project\.json is missing"):
        read_project_backup(path, tmp_path / "m")


def test_bad_version_and_labels(frames: list[Frame], tmp_path: Path) -> None:
    original = backup_bytes(frames)

    def rewrite(name: str, content: bytes) -> Path:
        path = tmp_path / f"{len(content)}.zip"
        with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(path, "w") as dst:
            for info in src.infolist():
                dst.writestr(info.filename, content if info.filename == name else src.read(info))
        return path

    with zipfile.ZipFile(io.BytesIO(original)) as zf:
        task = json.loads(zf.read("task.json"))
        jobs = json.loads(zf.read("annotations.json"))
    path = rewrite("task.json", json.dumps(dict(task, version="9.9")).encode())
    with pytest.raises(BackupError, match=r"9\.9 version is not supported"):
        read_task_backup(path, tmp_path / "m1")
    jobs[0]["shapes"][0]["label"] = "truck"
    path = rewrite("annotations.json", json.dumps(jobs).encode())
    with pytest.raises(BackupError, match="unknown label 'truck'"):
        read_task_backup(path, tmp_path / "m2")


def test_broken_media_in_backup(frames: list[Frame], tmp_path: Path) -> None:
    original = backup_bytes(frames)
    path = tmp_path / "broken.zip"
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            content = b"garbage" if info.filename == "data/img_0.jpg" else src.read(info)
            dst.writestr(info.filename, content)
    with pytest.raises(BackupError, match=r"media cannot be restored.*'img_0\.jpg'"):
        read_task_backup(path, tmp_path / "m")


def test_overlapping_jobs_share_frames(frames: list[Frame], tmp_path: Path) -> None:
    jobs = [
        dict(JOBS[0], start_frame=0, stop_frame=1),
        dict(JOBS[1], start_frame=1, stop_frame=2),
    ]
    ann = {"version": 0, "tags": [], "shapes": [shape(1, [1.0, 2.0, 3.0, 4.0])], "tracks": []}
    buf = io.BytesIO()
    write_task_backup(
        buf, task=TASK, labels=LABELS, data=DATA, frames=frames, jobs=jobs, annotations=ann
    )
    with zipfile.ZipFile(buf) as zf:
        per_job = json.loads(zf.read("annotations.json"))
    assert [len(j["shapes"]) for j in per_job] == [1, 1]
    path = tmp_path / "o.zip"
    path.write_bytes(buf.getvalue())
    restored = read_task_backup(path, tmp_path / "m")
    assert len(restored.annotations["shapes"]) == 1
    assert (restored.task["segment_size"], restored.task["overlap"]) == (2, 1)
