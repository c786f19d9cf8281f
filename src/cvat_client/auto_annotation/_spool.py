"""The results of a run, kept in a temporary file until they are uploaded.

One line per frame with results: ``<frame>\\t<tags as a JSON array>\\t<shapes as a JSON
array>``. Memory holds one frame's results at a time, however many shapes the run
produces, and request bodies are assembled from the stored JSON without parsing it again.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import Any

import attrs

from cvat_client.auto_annotation.exceptions import BadFunctionError

__all__ = ["Record", "Spool", "request_body"]


def _plain(value: Any) -> Any:
    """JSON for the number types of numpy and torch (anything with ``.item()``)."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise BadFunctionError(
        f"function output a value of type {type(value).__name__!r}, which is not JSON data"
    )


def _dumps(value: Any) -> bytes:
    try:
        return json.dumps(
            value, separators=(",", ":"), default=_plain, allow_nan=False, ensure_ascii=False
        ).encode()
    except ValueError as exc:  # NaN or infinity
        raise BadFunctionError(f"function output a number JSON cannot hold: {exc}") from None


@attrs.frozen
class Record:
    """One frame's results as stored: JSON arrays of tags and shapes."""

    frame: int
    tags: bytes
    shapes: bytes

    @property
    def size(self) -> int:
        """The size of the results as JSON, in bytes."""
        return len(self.tags) + len(self.shapes)

    def parsed(self) -> dict[str, Any]:
        """``{"frame": ..., "tags": [...], "shapes": [...]}`` as Python data."""
        return {
            "frame": self.frame,
            "tags": json.loads(self.tags),
            "shapes": json.loads(self.shapes),
        }


def request_body(records: list[Record]) -> bytes:
    """The JSON body ``{"tags": [...], "shapes": [...], "tracks": []}`` of these records."""

    def joined(parts: list[bytes]) -> bytes:
        return b",".join(part[1:-1] for part in parts if len(part) > 2)

    return (
        b'{"tags":['
        + joined([r.tags for r in records])
        + b'],"shapes":['
        + joined([r.shapes for r in records])
        + b'],"tracks":[]}'
    )


class Spool:
    """Frames' results on disk, read back in order."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile("w+b")  # noqa: SIM115 - closed by close()
        self.frames = 0
        """How many frames have results."""
        self.objects = 0
        """How many tags and shapes (skeleton elements not counted)."""
        self.size = 0
        """The size of all the results as JSON, in bytes."""

    def add(self, frame: int, tags: list[dict[str, Any]], shapes: list[dict[str, Any]]) -> None:
        """Keep the results of ``frame`` (nothing is written for a frame without results)."""
        if not tags and not shapes:
            return
        tags_json, shapes_json = _dumps(tags), _dumps(shapes)
        self._file.write(b"%d\t%s\t%s\n" % (frame, tags_json, shapes_json))
        self.frames += 1
        self.objects += len(tags) + len(shapes)
        self.size += len(tags_json) + len(shapes_json)

    def __iter__(self) -> Iterator[Record]:
        """The records, in the order they were added."""
        self._file.flush()
        self._file.seek(0)
        try:
            for line in self._file:
                frame, tags, shapes = line.rstrip(b"\n").split(b"\t")
                yield Record(int(frame), tags, shapes)
        finally:
            self._file.seek(0, 2)

    def close(self) -> None:
        """Delete the file."""
        self._file.close()
