"""Open image chunk archives, kept for the next frames read from them.

Opening a chunk's ZIP archive reads its central directory (an entry per frame) before one
frame can be read: for a 72-frame chunk that costs as much as a tenth of decoding the JPEG.
Frames are mostly read in runs from the same chunk (in order, or a data loader worker's
batch), so the archives last read stay open here and the next frame is one seek and one
read.

The archives are shared by the whole process and at most :data:`CAPACITY` stay open (a
project of hundreds of tasks holds no more descriptors than one task); the least recently
used is closed first. Every read holds one lock, so an archive is never closed under a
reader (a read is a copy of one compressed frame; decoding happens outside). A forked
child (a data loader worker) shares its parent's file offsets, so it closes its copies of
the parent's archives and opens its own.
"""

from __future__ import annotations

import os
import threading
import zipfile
from collections import OrderedDict
from pathlib import Path

__all__ = ["CAPACITY", "forget", "read_kept", "read_opened"]

#: How many chunk archives stay open in a process.
CAPACITY = 4


class _Open:
    """An open archive, its members, and the identity of the file it was opened from."""

    __slots__ = ("archive", "file", "identity", "members")

    def __init__(self, path: Path) -> None:
        self.file = path.open("rb")
        try:
            self.identity = _identity(os.fstat(self.file.fileno()))
            self.archive = zipfile.ZipFile(self.file)
            self.members = self.archive.infolist()
        except BaseException:
            self.file.close()
            raise

    def close(self) -> None:
        self.archive.close()
        self.file.close()  # the archive does not close a file it was given


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    # the file stays open while it is kept, so its inode cannot be reused meanwhile
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


_open: OrderedDict[Path, _Open] = OrderedDict()
_lock = threading.Lock()


def read_kept(path: Path, member: int) -> bytes | None:
    """The ``member``-th file of the archive ``path`` if that archive is kept open and
    ``path`` is still the file it was opened from (a chunk fetched again, or of newer data,
    is a new file); ``None`` if it must be opened (:func:`read_opened`).

    Raises what reading the archive raises (`zipfile.BadZipFile` for a damaged member,
    `IndexError` for a member past the end).
    """
    try:
        current: tuple[int, int, int, int] | None = _identity(os.stat(path))
    except OSError:
        current = None
    with _lock:
        kept = _open.get(path)
        if kept is None:
            return None
        if kept.identity != current:
            _open.pop(path).close()
            return None
        _open.move_to_end(path)
        return kept.archive.read(kept.members[member])


def read_opened(path: Path, member: int) -> bytes:
    """The ``member``-th file of the archive ``path``, opened now (make sure it is cached
    whole first) and kept open for the next reads.

    Raises what opening or reading the archive raises (`zipfile.BadZipFile`, `OSError`,
    `IndexError` for a member past the end); a damaged archive is not kept open.
    """
    opened = _Open(path)
    try:
        with _lock:
            data = opened.archive.read(opened.members[member])  # a damaged one is not kept
            evicted = [opened] if path in _open else []  # another thread opened it meanwhile
            if not evicted:
                _open[path] = opened
                while len(_open) > CAPACITY:
                    evicted.append(_open.popitem(last=False)[1])
            for old in evicted:
                old.close()
    except BaseException:
        opened.close()
        raise
    return data


def forget(directory: Path, index: int | None = None) -> None:
    """Close the archives of chunk ``index`` stored in ``directory`` (all of its chunks if
    ``index`` is ``None``): the chunk is damaged, or about to be deleted."""
    with _lock:
        gone = [
            path
            for path in _open
            if path.parent == directory and (index is None or path.stem == str(index))
        ]
        for path in gone:
            _open.pop(path).close()


def _after_fork_in_child() -> None:  # the parent's descriptors share their offsets with ours
    global _lock
    _lock = threading.Lock()
    for kept in _open.values():
        kept.close()  # this process's copies of the descriptors only
    _open.clear()


if hasattr(os, "register_at_fork"):  # not on Windows (no fork there)
    os.register_at_fork(after_in_child=_after_fork_in_child)
