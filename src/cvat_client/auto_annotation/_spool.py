"""The results of a run, kept in a temporary file (JSON lines) until they are uploaded.

One line per frame: ``{"frame": N, "tags": [...], "shapes": [...]}``. Memory holds one
frame's results at a time, however many shapes the run produces.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import Any

from cvat_client.auto_annotation.exceptions import BadFunctionError

__all__ = ["Spool"]


def _plain(value: Any) -> Any:
    """JSON for the number types of numpy and torch (anything with ``.item()``)."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise BadFunctionError(
        f"function output a value of type {type(value).__name__!r}, which is not JSON data"
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
        try:
            line = json.dumps(
                {"frame": frame, "tags": tags, "shapes": shapes},
                separators=(",", ":"),
                default=_plain,
                allow_nan=False,
            ).encode()
        except ValueError as exc:  # NaN or infinity
            raise BadFunctionError(f"function output a number JSON cannot hold: {exc}") from None
        self._file.write(line + b"\n")
        self.frames += 1
        self.objects += len(tags) + len(shapes)
        self.size += len(line)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The records, in the order they were added."""
        for _, record in self.sized():
            yield record

    def sized(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(size in bytes, record)`` for each record, in order."""
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield len(line), json.loads(line)
        self._file.seek(0, 2)

    def close(self) -> None:
        """Delete the file."""
        self._file.close()
