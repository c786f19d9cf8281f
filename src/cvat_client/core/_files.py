"""Writing files safely: temporary files beside the target, renamed into place."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "open_temp_beside"]


def open_temp_beside(directory: Path, prefix: str) -> tuple[BinaryIO, Path]:
    """Create and open a new hidden ``.part`` file in ``directory``.

    Unlike :func:`tempfile.mkstemp` (always ``0600``), the file gets the permissions
    the user's umask gives new files, so a finished download looks like any other file.
    """
    for _ in range(100):
        path = directory / f".{prefix}.{secrets.token_hex(6)}.part"
        try:
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:
            continue
        return os.fdopen(fd, "wb"), path
    raise FileExistsError(f"Could not create a temporary file in {directory}")  # pragma: no cover


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[BinaryIO]:
    """Write ``path`` through a temporary file beside it, renamed into place on success.

    On failure the temporary file is removed and ``path`` is left untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    out, temp = open_temp_beside(path.parent, path.name)
    try:
        with out:
            yield out
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
