"""The on-disk cache of the datasets layer: metadata files and data chunks.

Layout, under ``Config.cache_dir``::

    datasets-v2/<server>/tasks/<id>/task.json              the task (its updated_date stamps the rest)
                                    labels.marshal         the labels, stamped (see below)
                                    data_meta.marshal      the data meta, stamped
                                    annotations.marshal    the annotations, stamped
                                    chunks/<n>.zip         an original-quality chunk, as the server sent it
                                    chunks/<n>.json        its size, the server's X-Checksum and X-Updated-Date
    datasets-v2/<server>/tasks/<id>.lock                   marks the task in use (shared locks)
    datasets-v2/<server>/projects/<id>/project.json        its labels, its tasks, and the tasks that
                                                           left it while in use ("kept")
    datasets-v2/<server>/projects/<id>.lock

``<server>`` is the server URL, base64url-encoded. A stamped file holds the JSON the server
sent, decoded, in :mod:`marshal`'s format version 4 (read by every Python 3; it loads about
twice as fast as JSON, which is most of what reopening a cached task costs), behind a header
with the stamp and a CRC-32 of the data: it is used only if its stamp is the task's current
``updated_date`` and the CRC matches (:mod:`marshal` is not meant for damaged input, so
damaged data is never handed to it). Like Python's own ``__pycache__``, the cache trusts
whoever can write to it. A chunk is used only if its recorded size and checksum match the
file and its ``X-Updated-Date`` is the data's ``chunks_updated_date``. Every file is written
to a temporary file beside it and renamed into place, so a reader never sees half a file. A
lock file per chunk keeps two processes from downloading the same chunk at once; the lock
file beside an entry's directory is held shared by every process using it, against the
clean-up of ``cvat_client.datasets.cache`` (see ``_locking``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import marshal
import os
import struct
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, cast

from cvat_client._lowlevel.client import gc_paused
from cvat_client.core._files import atomic_write
from cvat_client.datasets._locking import InterProcessLock

__all__ = [
    "ChunkStore",
    "DatasetCache",
    "UsageMark",
    "cvat_checksum",
    "hold_usage_lock",
    "in_use",
]

_logger = logging.getLogger("cvat_client.datasets")

CACHE_ROOT = "datasets-v2"
_STAMPED_MAGIC = b"CVCSTMP1"
#: magic, stamp length, CRC-32 of the marshalled data; then the stamp and the data
_STAMPED_HEADER = struct.Struct("<8sII")
_MARSHAL_VERSION = 4  # the data-only format every Python 3 reads (not newer ones' additions)
_CHECKSUM_HEAD = 1000  # CVAT checksums a chunk's size and its first 1000 bytes


def cvat_checksum(size: int, head: bytes) -> str:
    """The ``X-Checksum`` CVAT sends with a chunk of ``size`` bytes starting with ``head``."""
    return str(zlib.crc32(head[:_CHECKSUM_HEAD], zlib.crc32(str(size).encode())))


class UsageMark:
    """This process's mark that a cache entry is in use: a reference to the one shared lock
    the process holds on the entry's lock file, however many objects mark the entry (so the
    descriptors held do not grow with the objects). The lock is let go when the last mark of
    the path is released or garbage-collected. A forked child drops the parent's marks
    without unlocking (see ``InterProcessLock.release``) and takes its own."""

    __slots__ = ("_shared", "path")

    def __init__(self, path: Path, shared: _SharedLock) -> None:
        self.path = path
        self._shared: _SharedLock | None = shared

    def release(self) -> None:
        """Drop this mark (the lock goes with the last mark of its path)."""
        with _registry_guard:
            shared, self._shared = self._shared, None
            if shared is None:
                return
            shared.count -= 1
            if shared.count > 0:
                return
            if _registry.get(self.path) is shared:
                del _registry[self.path]
        shared.lock.release()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit, os may be gone
            self.release()

    def __getstate__(self) -> Any:
        raise TypeError("a held lock belongs to its process and cannot be pickled")


class _SharedLock:
    __slots__ = ("count", "lock")

    def __init__(self, lock: InterProcessLock) -> None:
        self.lock = lock
        self.count = 0


# one shared lock (one descriptor) per lock file in this process, counted by its marks
_registry: dict[Path, _SharedLock] = {}
_registry_guard = threading.RLock()  # reentrant: a mark may be collected while it is held


def _forget_parents_locks() -> None:  # in a forked child: the parent's locks are not ours
    global _registry_guard
    _registry_guard = threading.RLock()
    _registry.clear()


if hasattr(os, "register_at_fork"):  # not on Windows (no fork there)
    os.register_at_fork(after_in_child=_forget_parents_locks)


def hold_usage_lock(path: Path) -> UsageMark | None:
    """A mark on the shared lock ``path`` (acquired if this process does not hold it yet),
    its file's time set to now (the time of last use); ``None`` if the lock file cannot be
    written."""
    try:
        with _registry_guard:
            shared = _registry.get(path)
            if shared is not None:
                os.utime(path)
                shared.count += 1
                return UsageMark(path, shared)
        # waited for outside the guard: a clean-up may hold it while it removes the entry
        lock = InterProcessLock(path, shared=True)
        try:
            lock.acquire()
            os.utime(path)
        except BaseException:
            lock.release()
            raise
    except OSError as exc:
        _logger.debug("The datasets cache is used without a lock: %s", exc)
        return None
    with _registry_guard:
        shared = _registry.get(path)
        spare = shared is not None  # another thread took it meanwhile: ours is not needed
        if shared is None:
            shared = _registry[path] = _SharedLock(lock)
        shared.count += 1
        mark = UsageMark(path, shared)
    if spare:
        lock.release()
    return mark


def in_use(lock_path: Path) -> bool:
    """Whether a dataset (in any process, this one too) marks the entry of ``lock_path``
    in use: its exclusive lock cannot be taken without waiting."""
    if not lock_path.exists():  # never opened with a lock: nobody holds one
        return False
    lock = InterProcessLock(lock_path)
    try:
        if not lock.acquire(blocking=False):
            return True
    except OSError:  # a read-only cache: nobody can be marking it in use
        return False
    lock.release()
    return False


def _read_json(path: Path) -> Any:
    """The JSON in ``path``, or ``None`` if it is missing or unreadable."""
    try:
        with path.open("rb") as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None


def _write_json(path: Path, obj: Any) -> None:
    with atomic_write(path) as stream:
        stream.write(json.dumps(obj, separators=(",", ":")).encode())


class DatasetCache:
    """The cache directory of one server (see the module documentation)."""

    def __init__(self, cache_dir: Path, host: str) -> None:
        key = base64.urlsafe_b64encode(host.encode()).rstrip(b"=").decode()
        self.root = Path(cache_dir) / CACHE_ROOT / key

    def task_dir(self, task_id: int) -> Path:
        """The directory of a task."""
        return self.root / "tasks" / str(task_id)

    def chunk_dir(self, task_id: int) -> Path:
        """The directory of a task's chunks (``<index>.zip``)."""
        return self.task_dir(task_id) / "chunks"

    def project_dir(self, project_id: int) -> Path:
        """The directory of a project."""
        return self.root / "projects" / str(project_id)

    @staticmethod
    def usage_lock_path(directory: Path) -> Path:
        """The lock file that marks the task or project in ``directory`` in use."""
        return directory.with_name(directory.name + ".lock")

    def use(self, directory: Path) -> UsageMark | None:
        """Mark the task or project in ``directory`` in use by this process (a shared lock,
        held until the returned object is released or garbage-collected) and record the
        time of use. The cache clean-up never removes what is in use; it waits for a
        clean-up that is removing this entry right now. ``None`` if the cache is not
        writable (read-only caches are used without a lock)."""
        return hold_usage_lock(self.usage_lock_path(directory))

    @staticmethod
    def read(path: Path) -> Any:
        """A plain JSON file (``None`` if missing or unreadable)."""
        return _read_json(path)

    @staticmethod
    def write(path: Path, obj: Any) -> None:
        """Write a plain JSON file atomically."""
        _write_json(path, obj)

    @staticmethod
    def read_stamped(path: Path, stamp: str) -> Any:
        """The data of a stamped file if its stamp is ``stamp`` and it is whole, else
        ``None`` (the data of another stamp is not read)."""
        header = _STAMPED_HEADER
        try:
            with path.open("rb") as stream:
                head = stream.read(header.size)
                if len(head) < header.size or not head.startswith(_STAMPED_MAGIC):
                    return None
                _, stamp_size, checksum = header.unpack(head)
                if stream.read(stamp_size) != stamp.encode():
                    return None
                payload = stream.read()
        except OSError:
            return None
        if zlib.crc32(payload) != checksum:
            return None
        try:
            with gc_paused(None):  # thousands of small objects (annotations), no cycles
                return marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None

    @staticmethod
    def write_stamped(path: Path, stamp: str, data: Any) -> None:
        """Write a stamped file (``data``: what JSON decodes to) atomically."""
        payload = marshal.dumps(data, _MARSHAL_VERSION)
        stamp_bytes = stamp.encode()
        with atomic_write(path) as stream:
            stream.write(
                _STAMPED_HEADER.pack(_STAMPED_MAGIC, len(stamp_bytes), zlib.crc32(payload))
            )
            stream.write(stamp_bytes)
            stream.write(payload)


class ChunkStore:
    """The cached chunks of one task: validation, atomic storing, per-chunk locks.

    Holds nothing but paths, so it can be pickled into data loader workers.
    """

    def __init__(self, directory: Path, chunks_updated_date: str | None) -> None:
        self.directory = directory
        self.chunks_updated_date = chunks_updated_date
        #: the chunks this store downloaded, with the ``X-Updated-Date`` each came with
        self.downloaded: dict[int, str | None] = {}

    def downloaded_current(self, index: int) -> bool:
        """Whether chunk ``index`` was downloaded by this store, of the data of
        ``chunks_updated_date`` (as far as the server said)."""
        if index not in self.downloaded:
            return False
        updated = self.downloaded[index]
        return (
            self.chunks_updated_date is None
            or updated is None
            or _same_time(updated, self.chunks_updated_date)
        )

    def path(self, index: int) -> Path:
        """Where chunk ``index`` is stored."""
        return self.directory / f"{index}.zip"

    def _info_path(self, index: int) -> Path:
        return self.directory / f"{index}.json"

    def lock(self, index: int) -> InterProcessLock:
        """The lock that one process holds while it downloads chunk ``index``."""
        return InterProcessLock(self.directory / f".{index}.lock")

    def is_valid(self, index: int) -> bool:
        """Whether chunk ``index`` is cached whole, with the checksum the server gave."""
        info = _read_json(self._info_path(index))
        if not isinstance(info, dict):
            return False
        if (
            self.chunks_updated_date is not None
            and info.get("updated_date") is not None
            and not _same_time(info["updated_date"], self.chunks_updated_date)
        ):
            return False
        try:
            with self.path(index).open("rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                head = stream.read(_CHECKSUM_HEAD)
        except OSError:
            return False
        if size != info.get("size"):
            return False
        checksum = info.get("checksum")
        return not checksum or checksum == cvat_checksum(size, head)

    def invalidate(self, index: int) -> None:
        """Forget chunk ``index`` (it is corrupt)."""
        self._info_path(index).unlink(missing_ok=True)
        self.path(index).unlink(missing_ok=True)

    def store(
        self,
        index: int,
        download: Callable[[BinaryIO], tuple[str | None, str | None]],
    ) -> bool:
        """Download chunk ``index`` into the cache.

        ``download(file)`` writes the chunk to ``file`` and returns the server's
        ``(X-Checksum, X-Updated-Date)``. Returns whether the data matched the checksum; if not,
        nothing is stored.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_write(self.path(index)) as stream:
                file = _HeadKeeper(stream)
                checksum, updated = download(cast(BinaryIO, file))
                size = stream.tell()
                if checksum and checksum != cvat_checksum(size, bytes(file.head)):
                    raise _ChecksumMismatch
        except _ChecksumMismatch:
            return False
        _write_json(
            self._info_path(index), {"size": size, "checksum": checksum, "updated_date": updated}
        )
        self.downloaded[index] = updated
        return True

    def clear_stale(self) -> None:
        """Remove chunks that were not built from the current data."""
        if not self.directory.is_dir():
            return
        for info_path in self.directory.glob("*.json"):
            info = _read_json(info_path)
            stale = not isinstance(info, dict) or (
                self.chunks_updated_date is not None
                and info.get("updated_date") is not None
                and not _same_time(info["updated_date"], self.chunks_updated_date)
            )
            if stale:
                info_path.unlink(missing_ok=True)
                info_path.with_suffix(".zip").unlink(missing_ok=True)


class _HeadKeeper:
    """A file that writes through to ``stream`` and keeps the first bytes written (those
    CVAT's checksum covers)."""

    __slots__ = ("head", "stream")

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.head = bytearray()

    def write(self, data: bytes | memoryview) -> int:
        if len(self.head) < _CHECKSUM_HEAD:
            self.head += data[: _CHECKSUM_HEAD - len(self.head)]
        return self.stream.write(data)


class _ChecksumMismatch(Exception):
    """The downloaded chunk does not match the server's checksum (raised inside the writer)."""


def _same_time(a: str, b: str) -> bool:
    if a == b:
        return True
    from dateutil.parser import isoparse

    try:
        return isoparse(a) == isoparse(b)
    except ValueError:
        return False
