"""A stand-in for Windows' ``msvcrt.locking`` on Linux, with Windows' semantics.

``msvcrt.locking(fd, mode, nbytes)`` locks ``nbytes`` bytes from the file's current position,
exclusively, for the handle (not the process): Linux's open-file-description locks
(``F_OFD_SETLK``) behave the same way, so the Windows code path of the datasets cache's
locking runs here between threads and processes as it would on Windows.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import time

LK_UNLCK = 0
LK_LOCK = 1
LK_NBLCK = 2
LK_RLCK = 3
LK_NBRLCK = 4

_F_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", 37)


def _flock(kind: int, start: int, length: int) -> bytes:
    # struct flock on Linux: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid
    return struct.pack("hhqqi", kind, os.SEEK_SET, start, length, 0)


def locking(fd: int, mode: int, nbytes: int) -> None:
    start = os.lseek(fd, 0, os.SEEK_CUR)
    if mode == LK_UNLCK:
        fcntl.fcntl(fd, _F_OFD_SETLK, _flock(fcntl.F_UNLCK, start, nbytes))
        return
    attempts = 10 if mode in (LK_LOCK, LK_RLCK) else 1
    for attempt in range(attempts):
        try:
            fcntl.fcntl(fd, _F_OFD_SETLK, _flock(fcntl.F_WRLCK, start, nbytes))
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if attempt + 1 < attempts:
                time.sleep(1)
    raise OSError(errno.EDEADLK, "Resource deadlock avoided")  # what msvcrt raises
