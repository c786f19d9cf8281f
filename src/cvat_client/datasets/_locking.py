"""Locks between processes on a lock file: shared or exclusive, on POSIX and on Windows.

The datasets cache needs two kinds of lock, both released by the operating system when the
process holding them dies (so a crashed training job never leaves the cache locked):

* exclusive, held while one process downloads a chunk (others wait, then find it cached);
* shared, held by every process that uses a cached task (a dataset object is alive), against
  which the cache clean-up tries an exclusive lock *without waiting*: a task in use anywhere
  is skipped, never removed under its readers.

POSIX systems (Linux, macOS, the BSDs) have both in ``flock(2)``. Windows' ``msvcrt.locking``
only locks byte ranges exclusively, so a shared lock is emulated on it: byte 0 of the lock
file is a gate and bytes ``1..SLOTS`` are reader slots. A reader takes the gate, then any free
slot, then lets the gate go; a writer takes the gate and then every slot at once, so it
succeeds only when no reader holds a slot. Windows locks belong to one handle, as ``flock``
locks belong to one open file: two lock objects on one file exclude each other even in one
process, on both systems.

The operating-system primitive is passed in (:class:`FlockBackend`, :class:`MsvcrtBackend`),
so the Windows logic runs in the tests on Linux too, over a stand-in ``msvcrt`` with
Windows' semantics.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

__all__ = [
    "Backend",
    "FlockBackend",
    "InterProcessLock",
    "LockTimeout",
    "MsvcrtBackend",
    "default_backend",
]

SLOTS = 255
"""Readers one Windows lock file admits at once (the 256th waits for a free slot)."""

_POLL_FIRST = 0.001
_POLL_MAX = 0.05


class LockTimeout(TimeoutError):
    """A lock was not acquired in the given time."""


class Backend(Protocol):
    """An operating system's file locking, on an open file descriptor."""

    def try_acquire(self, fd: int, shared: bool) -> object | None:
        """Take the lock without waiting; a token for :meth:`release`, or ``None`` if busy."""

    def acquire(self, fd: int, shared: bool) -> object:
        """Take the lock, waiting as long as needed; a token for :meth:`release`."""

    def release(self, fd: int, token: object) -> None:
        """Let go of the lock ``token`` stands for."""


class FlockBackend:
    """``flock(2)``: shared and exclusive locks of an open file (POSIX)."""

    def __init__(self) -> None:
        import fcntl

        self._fcntl = fcntl

    def try_acquire(self, fd: int, shared: bool) -> object | None:
        """See :meth:`Backend.try_acquire`."""
        fcntl = self._fcntl
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        return shared

    def acquire(self, fd: int, shared: bool) -> object:
        """See :meth:`Backend.acquire`."""
        fcntl = self._fcntl
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        return shared

    def release(self, fd: int, token: object) -> None:
        """See :meth:`Backend.release`."""
        self._fcntl.flock(fd, self._fcntl.LOCK_UN)


class MsvcrtBackend:
    """``msvcrt.locking`` (Windows): exclusive byte ranges, with shared locks emulated on
    reader slots (see the module documentation). Waiting is by polling: ``LK_LOCK`` gives up
    after ten seconds, and a chunk download may take longer."""

    def __init__(self, msvcrt: ModuleType | Any | None = None) -> None:
        if msvcrt is None:  # pragma: no cover - Windows only
            import msvcrt as platform_msvcrt

            msvcrt = platform_msvcrt
        self._msvcrt = msvcrt

    def _try(self, fd: int, offset: int, length: int) -> bool:
        os.lseek(fd, offset, os.SEEK_SET)
        try:
            self._msvcrt.locking(fd, self._msvcrt.LK_NBLCK, length)
        except OSError:
            return False
        return True

    def _unlock(self, fd: int, offset: int, length: int) -> None:
        os.lseek(fd, offset, os.SEEK_SET)
        self._msvcrt.locking(fd, self._msvcrt.LK_UNLCK, length)

    def try_acquire(self, fd: int, shared: bool) -> object | None:
        """See :meth:`Backend.try_acquire`."""
        if not self._try(fd, 0, 1):
            return None
        if not shared:
            if self._try(fd, 1, SLOTS):
                return "exclusive"
            self._unlock(fd, 0, 1)
            return None
        try:
            first = random.randrange(SLOTS)  # readers spread over the slots
            for step in range(SLOTS):
                slot = 1 + (first + step) % SLOTS
                if self._try(fd, slot, 1):
                    return slot
            return None
        finally:
            self._unlock(fd, 0, 1)

    def acquire(self, fd: int, shared: bool) -> object:
        """See :meth:`Backend.acquire`."""
        delay = _POLL_FIRST
        while True:
            token = self.try_acquire(fd, shared)
            if token is not None:
                return token
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, _POLL_MAX)

    def release(self, fd: int, token: object) -> None:
        """See :meth:`Backend.release`."""
        if token == "exclusive":
            self._unlock(fd, 1, SLOTS)
            self._unlock(fd, 0, 1)
        else:
            assert isinstance(token, int)
            self._unlock(fd, token, 1)


def default_backend() -> Backend:
    """``flock`` where the system has it, ``msvcrt.locking`` on Windows."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return MsvcrtBackend()
    return FlockBackend()


class InterProcessLock:
    """A shared or exclusive lock on the file ``path`` (created, with its directory, if
    missing; never deleted, so that every process locks the same file).

    One object is one holder: use it from one thread at a time. Not reentrant. The lock is
    let go by :meth:`release`, when the object is garbage-collected, or when the process
    ends.
    """

    def __init__(self, path: Path, *, shared: bool = False, backend: Backend | None = None):
        self.path = Path(path)
        self.shared = shared
        self._backend = backend if backend is not None else default_backend()
        self._fd: int | None = None
        self._token: object = None
        self._pid = 0
        self._guard = threading.Lock()

    @property
    def locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)

    def acquire(self, *, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take the lock. Without ``blocking``, or past ``timeout`` seconds, return ``False``
        (or raise :class:`LockTimeout`, if a ``timeout`` was given) instead of waiting."""
        with self._guard:
            if self._fd is not None:
                raise RuntimeError(f"{self.path} is already locked by this object")
            fd = self._open()
            try:
                if blocking and timeout is None:
                    token = self._backend.acquire(fd, self.shared)
                else:
                    token = self._poll(fd, timeout if blocking else 0.0)
            except BaseException:
                os.close(fd)
                raise
            if token is None:
                os.close(fd)
                return False
            self._fd, self._token, self._pid = fd, token, os.getpid()
            return True

    def _poll(self, fd: int, timeout: float | None) -> object | None:
        deadline = time.monotonic() + (timeout or 0.0)
        delay = _POLL_FIRST
        while True:
            token = self._backend.try_acquire(fd, self.shared)
            if token is not None:
                return token
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if timeout:
                    raise LockTimeout(f"{self.path} stayed locked for {timeout} s")
                return None
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, _POLL_MAX)

    def release(self) -> None:
        """Let the lock go (nothing happens if it is not held)."""
        with self._guard:
            fd, self._fd = self._fd, None
            if fd is None:
                return
            try:
                # a forked child shares the parent's open file: unlocking it there would
                # let the parent's lock go too, so the child only closes its descriptor
                if self._pid == os.getpid():
                    self._backend.release(fd, self._token)
            finally:
                os.close(fd)

    def __enter__(self) -> InterProcessLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit, os may be gone
            self.release()

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("a held lock belongs to its process and cannot be pickled")
