"""Bulk helpers: results in input order, bounded concurrency, failing fast."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from cvat_client.core.bulk import Bulk
from cvat_client.core.exceptions import NotFoundException

from .conftest import LABELS, rect


def test_bulk_operations(client: Any, images: list[Path], tmp_path: Path) -> None:
    task = client.tasks.create_from_data(
        {"name": "bulk", "labels": LABELS, "segment_size": 1}, images
    )
    label = task.get_labels()[0].id
    task.set_annotations({"shapes": [rect(label, 0), rect(label, 2), rect(label, 2)]})
    jobs = sorted(task.get_jobs(), key=lambda j: j.start_frame)
    ids = [job.id for job in reversed(jobs)]
    annotations = client.bulk.get_jobs_annotations(ids)
    assert [len(a.shapes) for a in annotations] == [2, 0, 1]  # in the order asked
    assert [t.id for t in client.bulk.retrieve_tasks([task.id])] == [task.id]
    assert [j.id for j in client.bulk.retrieve_jobs(ids)] == ids
    (whole,) = client.bulk.get_tasks_annotations([task.id])
    assert len(whole.shapes) == 3
    frames = client.bulk.get_frames(task.id, [2, 0], quality="original")
    assert [f.getvalue() for f in frames] == [images[2].read_bytes(), images[0].read_bytes()]
    paths = client.bulk.download_frames(task.id, [1, 2], outdir=tmp_path / "out")
    assert [p.name for p in paths] == ["frame_000001.jpg", "frame_000002.jpg"]
    assert paths[1].read_bytes() == images[2].read_bytes()
    made = client.bulk.create_tasks_from_data(
        [{"spec": {"name": f"t{i}", "labels": LABELS}, "resources": images[:1]} for i in range(3)]
    )
    assert [t.name for t in made] == ["t0", "t1", "t2"] and all(t.size == 1 for t in made)
    with pytest.raises(NotFoundException) as info:
        client.bulk.get_jobs_annotations([ids[0], 99_999])
    assert any("items succeeded" in note for note in info.value.__notes__)


def test_map_bounds_concurrency_and_stops_at_the_first_failure(local_client: Any) -> None:
    local_client.config.max_concurrency = 3
    bulk = Bulk(local_client)
    lock = threading.Lock()
    active, peak = [0], [0]

    def work(item: int) -> int:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return item * 2

    assert bulk.map(work, range(20)) == [i * 2 for i in range(20)]
    assert 1 <= peak[0] <= 3
    assert bulk.map(work, []) == []

    local_client.config.max_concurrency = 1
    started: list[int] = []

    def failing(item: int) -> int:
        started.append(item)
        if item == 2:
            raise ValueError("bad item")
        return item

    with pytest.raises(ValueError, match="bad item") as info:
        bulk.map(failing, range(10))
    assert started == [0, 1, 2]  # nothing started after the failure
    assert info.value.__notes__ == ["2 of 10 items succeeded before the failure"]
