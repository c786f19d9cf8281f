"""Resuming a download with HTTP ``Range`` after a dropped connection."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["UNENCODED", "DownloadState", "ResumeAction", "parse_content_range"]

#: The headers of a request for media or a file (frames, chunks, previews, exports and
#: backups). CVAT gzips any answer the client accepts gzip for, and these bodies are
#: already compressed (JPEG, PNG, MP4, zip): gzip would spend CPU on both sides to save
#: about half a per cent, and an encoded body can neither be resumed with ``Range`` nor read
#: straight from the socket.
UNENCODED: Mapping[str, str] = MappingProxyType({"Accept-Encoding": "identity"})

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


def parse_content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``(first, last, total)`` of a ``Content-Range: bytes first-last/total`` header."""
    if not value:
        return None
    found = _CONTENT_RANGE.match(value)
    if found is None:
        return None
    total = None if found.group(3) == "*" else int(found.group(3))
    return int(found.group(1)), int(found.group(2)), total


class ResumeAction(enum.Enum):
    """What to do with an answer to a (possibly ranged) download request."""

    #: The body continues the bytes already received: append it.
    APPEND = "append"
    #: The body is the whole file (the server ignored ``Range``): start the file over.
    RESTART = "restart"
    #: The answer cannot be used (a range that does not start where we are).
    FAIL = "fail"


@dataclass(slots=True)
class DownloadState:
    """Bytes received so far and how many attempts remain.

    ``total`` is the expected size when the server said it.
    """

    max_attempts: int = 5
    received: int = 0
    total: int | None = None
    attempts: int = 0

    def range_header(self) -> str | None:
        """The ``Range`` header of the next request (``None`` for the first)."""
        return f"bytes={self.received}-" if self.received > 0 else None

    def start_attempt(self) -> bool:
        """Count an attempt; ``False`` when none is left."""
        if self.attempts >= self.max_attempts:
            return False
        self.attempts += 1
        return True

    def on_response(
        self, status: int, content_range: str | None, content_length: str | None
    ) -> ResumeAction:
        """Decide how to use an answer (a 200 or a 206) and learn the total size."""
        if status == 206:
            # a range must start where we are (byte 0 for a first answer); an unknown
            # total (``*``) keeps the one already known
            parsed = parse_content_range(content_range)
            if parsed is None or parsed[0] != self.received:
                return ResumeAction.FAIL
            if parsed[2] is not None:
                self.total = parsed[2]
            return ResumeAction.APPEND
        self.received = 0
        self.total = _int_or_none(content_length)
        return ResumeAction.RESTART

    def add(self, size: int) -> None:
        """Record ``size`` more bytes written."""
        self.received += size

    @property
    def complete(self) -> bool:
        """Whether everything expected has arrived (unknown size: never by itself)."""
        return self.total is not None and self.received >= self.total


def _int_or_none(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value)
