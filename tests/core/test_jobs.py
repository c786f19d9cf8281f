"""Jobs: listing, frames, meta, annotations, exports, issues."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cvat_client._lowlevel.exceptions import NotFoundException
from cvat_client.core.proxies import Job, Task

from .conftest import LABELS, make_image, rect, shape_key


@pytest.fixture
def task(client: Any, tmp_path: Path) -> Task:
    files = []
    for i in range(4):
        path = tmp_path / f"f{i}.jpg"
        path.write_bytes(make_image(30 + i, 20, (10 * i, 100, 50)))
        files.append(path)
    return client.tasks.create_from_data(
        {"name": "jobs", "labels": LABELS, "segment_size": 2}, files
    )


def _frames(tmp_path: Path) -> list[bytes]:
    return [(tmp_path / f"f{i}.jpg").read_bytes() for i in range(4)]


def test_jobs_of_task_and_repo(client: Any, task: Task) -> None:
    jobs = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    assert [(j.start_frame, j.stop_frame) for j in jobs] == [(0, 1), (2, 3)]
    assert all(isinstance(j, Job) for j in jobs)
    assert sorted(j.id for j in client.jobs.list(task_id=task.id)) == sorted(j.id for j in jobs)
    assert [j.id for j in client.jobs.iter(task_id=task.id, page_size=1)] == [
        j.id for j in client.jobs.list(task_id=task.id, page_size=1)
    ]
    assert client.jobs.retrieve(jobs[1].id).task_id == task.id
    with pytest.raises(NotFoundException):
        client.jobs.retrieve(987654)


def test_job_frames_meta_chunks(client: Any, task: Task, tmp_path: Path) -> None:
    frames = _frames(tmp_path)
    job = sorted(task.get_jobs(), key=lambda j: j.start_frame)[1]
    assert job.get_frame(2, quality="original").read() == frames[2]
    assert job.get_frame(3, quality="original").read() == frames[3]
    meta = job.get_meta()
    assert (meta.start_frame, meta.stop_frame) == (2, 3)

    written = job.download_frames([2, 3], outdir=tmp_path / "out", quality="original")
    assert [p.read_bytes() for p in written] == frames[2:]

    buf = io.BytesIO()
    job.download_chunk(0, buf, quality="original")
    with zipfile.ZipFile(buf) as archive:
        assert sorted(archive.read(n) for n in archive.namelist()) == sorted(frames[2:])
    with job.get_preview() as preview:
        assert preview.read(3) == b"\xff\xd8\xff"
    assert {label.name for label in job.get_labels()} == {"car", "person"}


def test_job_annotations_and_export(client: Any, images: list[Path], tmp_path: Path):
    task = client.tasks.create_from_data(
        {"name": "job-ann", "labels": LABELS, "segment_size": 2}, images
    )
    labels = {label.name: label.id for label in task.get_labels()}
    job = sorted(task.get_jobs(), key=lambda j: j.start_frame)[0]
    shapes = [rect(labels["car"], 0), rect(labels["person"], 1)]

    job.set_annotations({"shapes": shapes})

    assert sorted(shape_key(s) for s in job.get_annotations().shapes) == sorted(
        shape_key(s) for s in shapes
    )
    assert sorted(shape_key(s) for s in task.get_annotations().shapes) == sorted(
        shape_key(s) for s in shapes
    )
    job.update_annotations({"shapes": [rect(labels["car"], 1)]}, action="create")
    assert len(job.get_annotations().shapes) == 3

    out = job.export_dataset("CVAT for images 1.1", tmp_path / "job.zip", include_images=False)
    assert out is not None
    with zipfile.ZipFile(out) as archive:
        assert archive.read("annotations.xml").decode().count("<box ") == 3

    first = job.get_annotations().shapes[0].id
    job.remove_annotations(ids=[first])
    assert first not in {s.id for s in job.get_annotations().shapes}
    job.remove_annotations()
    assert job.get_annotations().shapes == []


def test_job_update_and_issues(client: Any, task: Task) -> None:
    job = task.get_jobs()[0]
    job.update({"stage": "validation"})
    assert str(getattr(job.stage, "value", job.stage)) == "validation"
    assert str(getattr(client.jobs.retrieve(job.id).stage, "value", None)) == "validation"

    issue = client.issues.create(
        {"job": job.id, "frame": job.start_frame, "position": [1.0, 1.0, 5.0, 5.0], "message": "hi"}
    )
    assert [i.id for i in job.get_issues()] == [issue.id]
