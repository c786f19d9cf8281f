"""Types shared by the generated code and the runtime."""

from __future__ import annotations

import os
from typing import IO

__all__ = ["FileContent"]

#: What a file field accepts: a binary stream, bytes, a path, or
#: ``(filename, stream_or_bytes[, content_type])`` as httpx takes it.
FileContent = (
    IO[bytes]
    | bytes
    | os.PathLike[str]
    | tuple[str, IO[bytes] | bytes]
    | tuple[str, IO[bytes] | bytes, str]
)
