"""The resumable-upload side of CVAT's upload protocol (TUS 1.0 with CVAT's additions).

A task's data, an annotation file or a backup go up as:

1. ``POST <url>`` with ``Upload-Start`` (202);
2. small files: ``POST <url>`` multipart batches with ``Upload-Multiple`` (200);
   big files: TUS create (``POST <url>`` with ``Upload-Length`` and ``Upload-Metadata``,
   201 with ``Location`` and ``Upload-Filename``), then ``PATCH <location>`` chunks with
   ``Upload-Offset`` (204, the new ``Upload-Offset``); ``HEAD <location>`` tells the
   offset the server holds, to resume after a failure;
3. ``POST <url>`` with ``Upload-Finish`` (202 ``{"rq_id"}``).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "TUS_VERSION",
    "OFFSET_CONTENT_TYPE",
    "encode_metadata",
    "parse_offset",
    "UploadState",
    "FilePlan",
    "plan_data_upload",
]

TUS_VERSION = "1.0.0"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


def encode_metadata(meta: Mapping[str, str]) -> str:
    """The ``Upload-Metadata`` header: ``key base64(value)`` pairs joined by commas."""
    pairs = []
    for key, value in meta.items():
        if not key or any(c in key for c in " ,"):
            raise ValueError(f"Bad upload metadata key {key!r}")
        encoded = base64.b64encode(value.encode()).decode()  # UTF-8, both ways
        pairs.append(f"{key} {encoded}")
    return ",".join(pairs)


def parse_offset(value: str | None) -> int | None:
    """An ``Upload-Offset`` header value, or ``None`` when absent or not a number."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


@dataclass(slots=True)
class UploadState:
    """Where a TUS upload of ``length`` bytes stands.

    ``offset`` is what the server confirmed. :meth:`next_chunk` says what to send;
    :meth:`confirm` records a PATCH answer; :meth:`resume_at` records the offset a HEAD
    reported after a failure. ``failures`` counts consecutive failures (reset by
    progress) so that the uploader can give up after a bounded number.
    """

    length: int
    chunk_size: int
    offset: int = 0
    failures: int = 0

    def __post_init__(self) -> None:
        if self.chunk_size <= 0:
            raise ValueError(f"chunk size must be positive, got {self.chunk_size}")
        if self.length < 0:
            raise ValueError(f"length must not be negative, got {self.length}")

    @property
    def complete(self) -> bool:
        """Whether the server holds every byte."""
        return self.offset >= self.length

    def next_chunk(self) -> tuple[int, int]:
        """``(offset, size)`` of the next PATCH body."""
        return self.offset, min(self.chunk_size, self.length - self.offset)

    def confirm(self, new_offset: int | None, sent: int) -> None:
        """Record a successful PATCH; ``new_offset`` is its ``Upload-Offset`` (if given)."""
        offset = new_offset if new_offset is not None else self.offset + sent
        if offset < self.offset or offset > self.length:
            raise ValueError(
                f"the server reported offset {offset} after a chunk sent at {self.offset} "
                f"of a {self.length}-byte upload"
            )
        if offset > self.offset:
            self.failures = 0
        self.offset = offset

    def fail(self) -> int:
        """Count a failed attempt; returns the number of consecutive failures."""
        self.failures += 1
        return self.failures

    def resume_at(self, server_offset: int) -> None:
        """Continue from the offset the server reported (``HEAD``)."""
        if not 0 <= server_offset <= self.length:
            raise ValueError(
                f"the server reported offset {server_offset} for a {self.length}-byte upload"
            )
        if server_offset > self.offset:
            self.failures = 0
        self.offset = server_offset


@dataclass(frozen=True, slots=True)
class FilePlan:
    """How the files of a task go up: multipart batches of small files, and big files via TUS.

    ``batches`` and ``separate`` hold indexes into the list of files given to
    :func:`plan_data_upload`.
    """

    batches: tuple[tuple[int, ...], ...]
    separate: tuple[int, ...]
    total_size: int


def plan_data_upload(
    sizes: Sequence[int], *, tus_threshold: int, batch_size: int, max_batch_files: int = 1000
) -> FilePlan:
    """Group files for upload, keeping their order.

    Files of ``tus_threshold`` bytes or more go one by one through TUS; the others are
    grouped into ``Upload-Multiple`` batches of at most ``batch_size`` bytes (a single
    smaller file may make a batch on its own) and ``max_batch_files`` files.
    """
    if tus_threshold <= 0 or batch_size <= 0 or max_batch_files <= 0:
        raise ValueError("tus_threshold, batch_size and max_batch_files must be positive")
    batches: list[tuple[int, ...]] = []
    separate: list[int] = []
    current: list[int] = []
    current_size = 0
    for index, size in enumerate(sizes):
        if size >= tus_threshold:
            separate.append(index)
            continue
        if current and (current_size + size > batch_size or len(current) >= max_batch_files):
            batches.append(tuple(current))
            current, current_size = [], 0
        current.append(index)
        current_size += size
    if current:
        batches.append(tuple(current))
    return FilePlan(tuple(batches), tuple(separate), sum(sizes))
