"""Open file descriptors of the datasets cache: a constant number per process, whatever the
number of tasks (one shared lock per lock file and process; a project's tasks are kept in
use through the project's lock; at most ``_archives.CAPACITY`` chunk archives kept open)."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

import cvat_client.datasets.cache
from cvat_client import Config, make_client
from cvat_client.datasets import ProjectDataset, TaskDataset, _archives, _locking
from cvat_client.datasets._cache import hold_usage_lock
from cvat_client.datasets.cache import cache_entries, clean_cache
from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer
from tests.datasets import fake_msvcrt
from tests.datasets.conftest import ADMIN
from tests.datasets.test_cache import live, noisy_png

__all__ = ["live"]

ROOT = Path(__file__).resolve().parents[2]
TASKS = 40

linux_only = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc/self/fd"
)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def make_project(client: Any, folder: Path, count: int) -> int:
    project = client.projects.create({"name": "fds", "labels": [{"name": "a"}]})
    image = folder / "0.png"
    folder.mkdir(parents=True, exist_ok=True)
    image.write_bytes(noisy_png(0, (8, 8)))
    for index in range(count):
        client.tasks.create_from_data(
            {"name": f"fds {index}", "project_id": project.id}, resources=[image]
        )
    return int(project.id)


_WORKER = textwrap.dedent(
    """
    import os, pickle, sys
    dataset = pickle.loads(bytes.fromhex(sys.stdin.readline()))
    before = len(os.listdir("/proc/self/fd"))
    read = len([s.media.load_image() for s in dataset.samples])  # marks what it reads
    print(read, len(os.listdir("/proc/self/fd")) - before, flush=True)
    sys.stdin.read()
    """
)


@linux_only
def test_a_project_of_many_tasks_holds_a_constant_number_of_descriptors(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    _, running = live
    config = Config(cache_dir=tmp_path / "cache")
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        project_id = make_project(client, tmp_path / "img", TASKS)
        ProjectDataset(client, project_id)  # the first open downloads; connections stay open
        gc.collect()
        before = open_fds()
        dataset = ProjectDataset(client, project_id)
        again = ProjectDataset(client, project_id)
        single = TaskDataset(client, dataset.tasks[0].task_id)
        assert len(dataset.samples) == TASKS
        assert open_fds() - before <= 3, "descriptors grow with the tasks"

        # the tasks are in use (through the project) for the listing and the clean-up
        tasks = {e.id: e for e in cache_entries(config.cache_dir) if e.kind == "task"}
        assert len(tasks) == TASKS and all(entry.in_use for entry in tasks.values())
        assert clean_cache(config.cache_dir) == []
        del again, single
        gc.collect()
        assert clean_cache(config.cache_dir) == []  # `dataset` still keeps all of them

        # a data loader worker's copy in another process: one lock for all it reads
        blob = pickle.dumps(dataset)
        del dataset
        gc.collect()
        proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(blob.hex().encode() + b"\n")
            proc.stdin.flush()
            read, grown = map(int, proc.stdout.readline().split())
            assert read == TASKS
            # the lock, and the chunk archives kept open for the next frames (a fixed number)
            assert grown <= 2 + _archives.CAPACITY, "a worker's descriptors grow with the tasks"
            assert clean_cache(config.cache_dir) == []  # in use over there
            proc.stdin.close()
            assert proc.wait(timeout=60) == 0
        finally:
            proc.kill()
            proc.wait(timeout=60)
        removed = clean_cache(config.cache_dir)
        assert sorted(e.kind for e in removed) == ["project"] + ["task"] * TASKS


@pytest.fixture(params=["flock", "msvcrt"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "msvcrt":  # the Windows logic, over a stand-in with Windows' semantics
        monkeypatch.setattr(
            _locking, "default_backend", lambda: _locking.MsvcrtBackend(fake_msvcrt)
        )
    return str(request.param)


def test_marks_of_one_lock_file_share_one_lock(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "1.lock"
    first = hold_usage_lock(path)
    assert first is not None
    count = open_fds() if Path("/proc/self/fd").is_dir() else None
    second = hold_usage_lock(path)
    assert second is not None
    if count is not None:
        assert open_fds() == count  # the second mark opened nothing
    writer = _locking.InterProcessLock(path)
    assert not writer.acquire(blocking=False)
    first.release()
    first.release()  # a second release of one mark changes nothing
    assert not writer.acquire(blocking=False)  # `second` still holds it
    del second
    gc.collect()
    assert writer.acquire(blocking=False)
    writer.release()
    with pytest.raises(TypeError):
        pickle.dumps(hold_usage_lock(path))


def test_marks_taken_and_dropped_by_many_threads_leave_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "1.lock"
    errors: list[BaseException] = []

    def churn() -> None:
        try:
            for _ in range(200):
                mark = hold_usage_lock(path)
                assert mark is not None
                mark.release()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=churn) for _ in range(4)]
    keeper = hold_usage_lock(path)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert keeper is not None and keeper._shared is not None and keeper._shared.count == 1
    writer = _locking.InterProcessLock(path)
    assert not writer.acquire(blocking=False)  # the keeper's lock survived the churn
    keeper.release()
    assert writer.acquire(blocking=False)  # and nothing else is left held
    writer.release()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_a_forked_child_lets_go_of_its_copy_only(tmp_path: Path) -> None:
    path = tmp_path / "1.lock"
    mark = hold_usage_lock(path)
    assert mark is not None
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            mark.release()  # the parent's lock: only the child's descriptor goes
            own = hold_usage_lock(path)  # a lock of the child's own
            code = 0 if own is not None and own._shared is not mark._shared else 2
            if own is not None:
                own.release()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    writer = _locking.InterProcessLock(path)
    assert not writer.acquire(blocking=False)  # the parent still holds its lock
    mark.release()
    assert writer.acquire(blocking=False)
    writer.release()


def test_a_project_keeps_its_tasks_also_against_a_listing_made_before_it_opened(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path, backend: str
) -> None:
    _, running = live
    config = Config(cache_dir=tmp_path / "cache")
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        project_id = make_project(client, tmp_path / "img", 3)
        ProjectDataset(client, project_id)
        gc.collect()  # cached, no longer in use
        stale = [e for e in cache_entries(config.cache_dir) if e.kind == "task"]
        assert len(stale) == 3 and not any(e.in_use for e in stale)
        dataset = ProjectDataset(client, project_id)  # opened after the listing
        # the clean-up checks again under each task's lock: the project keeps them
        assert not any(cvat_client.datasets.cache._remove(entry) for entry in stale)
        assert clean_cache(config.cache_dir) == []
        assert all(e.in_use for e in cache_entries(config.cache_dir))
        del dataset
        gc.collect()
        assert len(clean_cache(config.cache_dir)) == 4
