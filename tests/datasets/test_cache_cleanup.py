"""Seeing and bounding the datasets cache: entries, age and size bounds, Config.max_cache_size,
and entries in use (in this process, another one, a data loader worker's copy) kept."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import cvat_client.datasets.cache
from cvat_client import Config, make_client
from cvat_client.datasets import (
    DatasetCacheMissError,
    ProjectDataset,
    TaskDataset,
    UpdatePolicy,
    _locking,
)
from cvat_client.datasets.cache import CacheEntry, cache_entries, clean_cache
from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer
from tests.datasets import fake_msvcrt
from tests.datasets.conftest import ADMIN
from tests.datasets.test_cache import FRAME_COUNT, images, live, make_task, noisy_png

__all__ = ["live"]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(live: tuple[CvatTestServer, LiveServer], tmp_path: Path) -> Iterator[Any]:
    _, running = live
    config = Config(cache_dir=tmp_path / "cache", status_check_period=0.01)
    with make_client(running.url, credentials=ADMIN, config=config) as made:
        yield made


def tasks(client: Any, folder: Path, count: int) -> list[int]:
    return [make_task(client, folder / str(index)) for index in range(count)]


def disk_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def set_last_used(entry_dir: Path, when: datetime) -> None:
    stamp = when.timestamp()
    os.utime(entry_dir.with_name(entry_dir.name + ".lock"), (stamp, stamp))


def by_id(entries: list[CacheEntry]) -> dict[int, CacheEntry]:
    return {entry.id: entry for entry in entries if entry.kind == "task"}


def test_entries_tell_server_size_time_of_use_and_use(client: Any, tmp_path: Path) -> None:
    first, second = tasks(client, tmp_path / "img", 2)
    before = datetime.now(UTC) - timedelta(seconds=5)
    a = TaskDataset(client, first)
    b = TaskDataset(client, second)
    set_last_used(a._task_dir, datetime.now(UTC) - timedelta(days=3))
    entries = cache_entries(client.config.cache_dir)
    assert [(e.kind, e.id) for e in entries] == [("task", first), ("task", second)]  # LRU first
    for entry, dataset in zip(entries, (a, b), strict=True):
        assert entry.server == client.host
        assert entry.path == dataset._task_dir
        assert entry.size == disk_size(dataset._task_dir) > 5 * 1000
        assert entry.in_use
    assert entries[0].last_used < before <= entries[1].last_used
    assert cache_entries(client.config.cache_dir, server="http://elsewhere:1") == []
    del a  # no longer in use in this process
    gc.collect()
    assert [e.in_use for e in cache_entries(client.config.cache_dir)] == [False, True]
    del b


def test_older_than_removes_only_old_entries_and_they_are_fetched_again(
    client: Any, tmp_path: Path
) -> None:
    old, recent = tasks(client, tmp_path / "img", 2)
    expected = images(TaskDataset(client, old))
    TaskDataset(client, recent)
    gc.collect()
    old_dir = client.config.cache_dir
    entries = by_id(cache_entries(old_dir))
    set_last_used(entries[old].path, datetime.now(UTC) - timedelta(days=40))

    removed = clean_cache(old_dir, older_than=timedelta(days=30))
    assert [(e.id, e.path) for e in removed] == [(old, entries[old].path)]
    assert not entries[old].path.exists()
    assert entries[recent].path.exists()
    assert list(by_id(cache_entries(old_dir))) == [recent]
    with pytest.raises(DatasetCacheMissError):
        TaskDataset(client, old, update_policy=UpdatePolicy.NEVER)
    assert images(TaskDataset(client, old)) == expected  # downloaded again


def test_max_size_removes_least_recently_used_first_and_dry_run_removes_nothing(
    client: Any, tmp_path: Path
) -> None:
    ids = tasks(client, tmp_path / "img", 3)
    for task_id in ids:
        TaskDataset(client, task_id)
    gc.collect()
    cache_dir = client.config.cache_dir
    entries = by_id(cache_entries(cache_dir))
    now = datetime.now(UTC)
    # used last: ids[1], then ids[0], then ids[2]
    for task_id, age in zip(ids, (2, 3, 1), strict=True):
        set_last_used(entries[task_id].path, now - timedelta(hours=age))
    bound = entries[ids[0]].size + entries[ids[2]].size

    would = clean_cache(cache_dir, max_size=bound, dry_run=True)
    assert [e.id for e in would] == [ids[1]]
    assert entries[ids[1]].path.exists()

    assert [e.id for e in clean_cache(cache_dir, max_size=bound)] == [ids[1]]
    assert sorted(by_id(cache_entries(cache_dir))) == sorted([ids[0], ids[2]])
    assert sum(e.size for e in cache_entries(cache_dir)) <= bound

    assert [e.id for e in clean_cache(cache_dir, max_size=0)] == [ids[0], ids[2]]
    assert cache_entries(cache_dir) == []
    with pytest.raises(ValueError, match="max_size"):
        clean_cache(cache_dir, max_size=-1)


@pytest.mark.parametrize("backend", ["flock", "msvcrt"])
def test_an_entry_in_use_in_this_process_is_never_removed(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    if backend == "msvcrt":  # the Windows logic, over a stand-in with Windows' semantics
        monkeypatch.setattr(
            _locking, "default_backend", lambda: _locking.MsvcrtBackend(fake_msvcrt)
        )
    used, unused = tasks(client, tmp_path / "img", 2)
    dataset = TaskDataset(client, used)
    TaskDataset(client, unused)
    gc.collect()
    removed = clean_cache(client.config.cache_dir)  # everything that can go
    assert [e.id for e in removed] == [unused]
    assert len(images(dataset)) == FRAME_COUNT  # the user's dataset still reads
    set_last_used(dataset._task_dir, datetime.now(UTC) - timedelta(days=400))
    assert clean_cache(client.config.cache_dir, older_than=timedelta(days=1)) == []
    del dataset  # no longer in use in this process
    gc.collect()
    assert [e.id for e in clean_cache(client.config.cache_dir)] == [used]


_HOLDER = textwrap.dedent(
    """
    import pickle, sys
    dataset = pickle.loads(bytes.fromhex(sys.stdin.readline()))
    dataset.samples[0].media.load_image()  # a worker's copy: it marks the task in use
    print("reading", flush=True)
    sys.stdin.read()
    print(len([s.media.load_image() for s in dataset.samples]), flush=True)
    """
)


def test_a_data_loader_worker_copy_keeps_its_entry(client: Any, tmp_path: Path) -> None:
    (task_id,) = tasks(client, tmp_path / "img", 1)
    dataset = TaskDataset(client, task_id)
    blob = pickle.dumps(dataset)
    del dataset  # no longer in use in this process
    gc.collect()
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(blob.hex().encode() + b"\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == b"reading", proc.stderr
        assert clean_cache(client.config.cache_dir) == []  # in use over there
        proc.stdin.close()
        assert proc.stdout.readline().strip() == str(FRAME_COUNT).encode()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert [e.id for e in clean_cache(client.config.cache_dir)] == [task_id]


def test_config_max_cache_size_applies_after_each_open(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    _, running = live
    folder = tmp_path / "img"
    with make_client(running.url, credentials=ADMIN, config=Config(cache_dir=tmp_path / "c")) as c:
        first, second = tasks(c, folder, 2)
        size = disk_size(TaskDataset(c, first)._task_dir)
    gc.collect()
    config = Config(cache_dir=tmp_path / "c", max_cache_size=size * 3 // 2)
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        dataset = TaskDataset(client, second)  # both do not fit: the unused one goes
        assert list(by_id(cache_entries(client.config.cache_dir))) == [second]
        assert len(images(dataset)) == FRAME_COUNT
        again = TaskDataset(client, first)  # the other one is in use: neither goes
        assert sorted(by_id(cache_entries(client.config.cache_dir))) == sorted([first, second])
        assert len(images(again)) == FRAME_COUNT
    with pytest.raises(ValueError, match="max_cache_size"):
        Config(max_cache_size=0)


def test_a_project_dataset_bounds_the_cache_once(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each clean-up reads the whole cache: a project of many tasks must not run one per task
    _, running = live
    config = Config(cache_dir=tmp_path / "c", max_cache_size=2**40)
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        project = client.projects.create({"name": "cache", "labels": [{"name": "a"}]})
        for index in range(3):
            paths = []
            for frame in range(FRAME_COUNT):
                path = tmp_path / "img" / str(index) / f"{frame}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(noisy_png(index * FRAME_COUNT + frame))
                paths.append(path)
            client.tasks.create_from_data(
                {"name": f"cache {index}", "project_id": project.id}, resources=paths
            )
        calls: list[int | None] = []
        real = cvat_client.datasets.cache.clean_cache

        def counted(*args: Any, max_size: int | None = None, **kwargs: Any) -> Any:
            calls.append(max_size)
            return real(*args, max_size=max_size, **kwargs)

        monkeypatch.setattr(cvat_client.datasets.cache, "clean_cache", counted)
        dataset = ProjectDataset(client, project.id)
        assert len(dataset.samples) == 3 * FRAME_COUNT
        assert calls == [2**40]
        offline = ProjectDataset(client, project.id, update_policy=UpdatePolicy.NEVER)
        assert len(offline.samples) == 3 * FRAME_COUNT
        assert calls == [2**40, 2**40]
        calls.clear()
        TaskDataset(client, offline.tasks[0].task_id)
        assert calls == [2**40]  # a task opened on its own bounds the cache itself


def _project_of_tasks(client: Any, folder: Path, count: int) -> tuple[int, list[int]]:
    project = client.projects.create({"name": "kept", "labels": [{"name": "a"}]})
    ids = []
    for index in range(count):
        path = folder / f"{index}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(noisy_png(index))
        task = client.tasks.create_from_data(
            {"name": f"kept {index}", "project_id": project.id}, resources=[path]
        )
        ids.append(int(task.id))
    return int(project.id), ids


def test_a_task_that_left_the_project_stays_while_an_older_dataset_reads_it(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    # an open project dataset keeps its tasks through the project's lock and task list; a
    # newer open of the project, after a task left it, must not take that task off the list
    _, running = live
    config = Config(cache_dir=tmp_path / "c")
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        project_id, (first, second) = _project_of_tasks(client, tmp_path / "img", 2)
        older = ProjectDataset(client, project_id)
        client.tasks.remove_by_ids([second])  # it leaves the project (and the server)
        newer = ProjectDataset(client, project_id)
        assert [t.task_id for t in newer.tasks] == [first]
        gc.collect()
        assert clean_cache(config.cache_dir) == []  # `older` still reads `second`
        assert by_id(cache_entries(config.cache_dir))[second].in_use
        assert [s.media.load_image().size for s in older.samples] == [(48, 40)] * 2
        del older, newer
        gc.collect()
        # opened again when no other dataset holds the project: `second` is let go
        newer = ProjectDataset(client, project_id)
        gc.collect()
        assert [(e.kind, e.id) for e in clean_cache(config.cache_dir)] == [("task", second)]
        del newer
        gc.collect()
        assert sorted(e.kind for e in clean_cache(config.cache_dir)) == ["project", "task"]


def test_a_removal_cut_short_is_finished_by_the_next_listing(client: Any, tmp_path: Path) -> None:
    (task_id,) = tasks(client, tmp_path / "img", 1)
    task_dir = TaskDataset(client, task_id)._task_dir
    gc.collect()
    leftover = task_dir.with_name(".removing-7-0123")
    (leftover / "chunks").mkdir(parents=True)
    (leftover / "chunks" / "0.zip").write_bytes(b"x" * 100)
    assert [e.id for e in cache_entries(client.config.cache_dir)] == [task_id]
    assert not leftover.exists()


def test_an_open_waits_for_a_removal_under_way(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the clean-up holds the entry's lock while it renames it away; an open waits for it
    (task_id,) = tasks(client, tmp_path / "img", 1)
    task_dir = TaskDataset(client, task_id)._task_dir
    gc.collect()
    lock = _locking.InterProcessLock(task_dir.with_name(task_dir.name + ".lock"))
    assert lock.acquire(blocking=False)  # as clean_cache does
    import threading

    waiting = threading.Event()  # the open has reached its (blocking) lock, whatever the load
    real_acquire = _locking.FlockBackend.acquire

    def acquire(backend: Any, fd: int, shared: bool) -> object:
        waiting.set()
        return real_acquire(backend, fd, shared)

    monkeypatch.setattr(_locking.FlockBackend, "acquire", acquire)
    opened: list[TaskDataset] = []
    thread = threading.Thread(target=lambda: opened.append(TaskDataset(client, task_id)))
    thread.start()
    assert waiting.wait(60)
    time.sleep(0.05)
    assert not opened  # cannot be: the lock is held
    task_dir.rename(task_dir.with_name(".removing-x"))
    lock.release()
    thread.join(timeout=60)
    assert len(images(opened[0])) == FRAME_COUNT  # downloaded again, whole


def test_a_cache_that_cannot_be_locked_is_read_without_locks(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # e.g. a read-only copy of a cache (a root user cannot make a directory read-only here)
    (task_id,) = tasks(client, tmp_path / "img", 1)
    expected = images(TaskDataset(client, task_id))
    gc.collect()
    attempts: list[Path] = []

    def refuse(self: _locking.InterProcessLock) -> int:
        attempts.append(self.path)
        raise PermissionError(13, "Read-only file system", str(self.path))

    monkeypatch.setattr(_locking.InterProcessLock, "_open", refuse)
    offline = TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER)
    assert attempts == [offline._task_dir.with_name(f"{task_id}.lock")]
    assert images(offline) == expected
    copy = pickle.loads(pickle.dumps(offline))  # as in a data loader worker
    assert images(copy) == expected
    assert len(attempts) == 1  # tried once, not again for every frame


def test_a_file_system_without_locks_still_gets_its_chunks(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (task_id,) = tasks(client, tmp_path / "img", 1)

    def refuse(self: _locking.InterProcessLock) -> int:
        raise OSError(37, "No locks available", str(self.path))

    monkeypatch.setattr(_locking.InterProcessLock, "_open", refuse)
    dataset = TaskDataset(client, task_id)
    assert len(images(dataset)) == FRAME_COUNT
    assert len(list((dataset._task_dir / "chunks").glob("*.zip"))) == 3
