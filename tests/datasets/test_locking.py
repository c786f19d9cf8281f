"""Locks between processes of the datasets cache: flock, and the Windows logic over a
stand-in msvcrt with Windows' semantics (byte-range locks per handle)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from cvat_client.datasets._locking import (
    SLOTS,
    FlockBackend,
    InterProcessLock,
    LockTimeout,
    MsvcrtBackend,
)
from tests.datasets import fake_msvcrt

BACKENDS = {"flock": FlockBackend, "msvcrt": lambda: MsvcrtBackend(fake_msvcrt)}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Any:
    return BACKENDS[request.param]()


def lock(path: Path, backend: Any, *, shared: bool = False) -> InterProcessLock:
    return InterProcessLock(path, shared=shared, backend=backend)


def test_exclusive_excludes_exclusive(tmp_path: Path, backend: Any) -> None:
    path = tmp_path / "sub" / "a.lock"
    first, second = lock(path, backend), lock(path, backend)
    assert first.acquire(blocking=False)
    assert path.exists()
    assert not second.acquire(blocking=False)
    first.release()
    assert second.acquire(blocking=False)
    second.release()
    assert not second.locked


def test_shared_locks_coexist_and_keep_an_exclusive_out(tmp_path: Path, backend: Any) -> None:
    path = tmp_path / "a.lock"
    readers = [lock(path, backend, shared=True) for _ in range(3)]
    writer = lock(path, backend)
    for reader in readers:
        assert reader.acquire(blocking=False)
    for reader in readers:
        assert not writer.acquire(blocking=False)
        reader.release()
    assert writer.acquire(blocking=False)
    late = lock(path, backend, shared=True)
    assert not late.acquire(blocking=False)  # a writer keeps readers out too
    writer.release()
    assert late.acquire(blocking=False)


def test_a_blocking_acquire_waits_for_the_release(tmp_path: Path, backend: Any) -> None:
    path = tmp_path / "a.lock"
    holder = lock(path, backend, shared=True)
    holder.acquire()
    waiter = lock(path, backend)
    started, done = threading.Event(), threading.Event()

    def wait() -> None:
        started.set()
        waiter.acquire()
        done.set()

    thread = threading.Thread(target=wait)
    thread.start()
    started.wait()
    assert not done.is_set()  # cannot be: the holder has not let go
    holder.release()
    thread.join(timeout=30)
    assert done.is_set() and waiter.locked
    waiter.release()


def test_timeout(tmp_path: Path, backend: Any) -> None:
    path = tmp_path / "a.lock"
    holder = lock(path, backend)
    holder.acquire()
    with pytest.raises(LockTimeout):
        lock(path, backend).acquire(timeout=0.05)
    with pytest.raises(RuntimeError, match="already locked"):
        holder.acquire()
    holder.release()
    holder.release()  # a second release does nothing


def test_garbage_collection_lets_the_lock_go(tmp_path: Path, backend: Any) -> None:
    path = tmp_path / "a.lock"
    holder = lock(path, backend)
    holder.acquire()
    del holder
    assert lock(path, backend).acquire(blocking=False)


def test_many_readers_fill_the_windows_slots(tmp_path: Path) -> None:
    backend = MsvcrtBackend(fake_msvcrt)
    path = tmp_path / "a.lock"
    readers = [lock(path, backend, shared=True) for _ in range(SLOTS)]
    for reader in readers:
        assert reader.acquire(blocking=False)
    extra = lock(path, backend, shared=True)
    assert not extra.acquire(blocking=False)  # every slot taken: the next reader waits
    readers.pop().release()
    assert extra.acquire(blocking=False)


_HOLDER = textwrap.dedent(
    """
    import sys
    from cvat_client.datasets._locking import FlockBackend, InterProcessLock, MsvcrtBackend
    from tests.datasets import fake_msvcrt
    kind, path, shared = sys.argv[1], sys.argv[2], sys.argv[3] == "shared"
    backend = FlockBackend() if kind == "flock" else MsvcrtBackend(fake_msvcrt)
    held = InterProcessLock(path, shared=shared, backend=backend)
    held.acquire()
    print("held", flush=True)
    sys.stdin.read()  # until the test closes stdin, or kills this process
    """
)


@pytest.mark.parametrize("kind", sorted(BACKENDS))
def test_between_processes_and_released_when_a_holder_dies(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "a.lock"
    backend = BACKENDS[kind]()
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _HOLDER, kind, str(path), "shared"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=root,
        )
        for _ in range(2)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == b"held"
        other_reader = lock(path, backend, shared=True)
        assert other_reader.acquire(blocking=False)
        other_reader.release()
        writer = lock(path, backend)
        assert not writer.acquire(blocking=False)
        procs[0].kill()  # dies holding its lock: the system lets it go
        procs[0].wait(timeout=30)
        assert not writer.acquire(blocking=False)  # the other reader still holds
        assert procs[1].stdin is not None
        procs[1].stdin.close()
        procs[1].wait(timeout=30)
        assert writer.acquire(timeout=30)
        writer.release()
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=30)
