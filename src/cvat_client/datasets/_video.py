"""Frames of video tasks read from cached MP4 chunks, decoded with PyAV.

A video task's original chunks are MP4 videos holding the task's frames in order (the server
has already applied the frame range and step), so frame ``i`` is frame ``i % chunk_size`` of
chunk ``i // chunk_size``. Reading frames in order keeps one decoder open and continues from
the last frame decoded; any other access reopens the chunk and decodes up to the frame. As on
the server, frames of an odd-sized video decode one pixel larger than the data meta says.

PyAV is imported on the first frame read, never when ``cvat_client`` or the datasets are
imported; without it, one :class:`~cvat_client._extras.MissingExtraError` names the extra.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cvat_client._extras import require
from cvat_client.datasets._cache import ChunkStore
from cvat_client.datasets._media import ChunkFetcher, ChunkSource
from cvat_client.datasets.common import DatasetCacheMissError

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["VideoChunkSource"]

_logger = logging.getLogger("cvat_client.datasets")


@dataclass
class _Cursor:
    """An open chunk decoder: the chunk, the next frame it yields and the frames iterator."""

    chunk: int
    next_member: int
    container: Any
    frames: Any

    def close(self) -> None:
        self.container.close()


class VideoChunkSource(ChunkSource):
    """Frames decoded from a video task's cached MP4 chunks, fetched when missing.

    Picklable like :class:`~cvat_client.datasets._media.ChunkSource`: a copy in another
    process keeps the cache paths and opens its own decoder.
    """

    def __init__(self, store: ChunkStore, chunk_size: int, fetcher: ChunkFetcher | None) -> None:
        super().__init__(store, chunk_size, fetcher)
        self._lock = threading.Lock()
        self._cursor: _Cursor | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_lock", None)
        state["_cursor"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def read(self, frame_index: int) -> bytes:
        """Video chunks hold no per-frame files: use :meth:`load`."""
        raise NotImplementedError("Frames of video chunks are decoded: use load()")

    def _open(self, av: Any, chunk: int) -> _Cursor:
        container = av.open(str(self.store.path(chunk)), "r")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return _Cursor(chunk, 0, container, container.decode(stream))

    def _decode(self, av: Any, frame_index: int) -> Image:
        chunk, member = divmod(frame_index, self.chunk_size)
        cursor = self._cursor
        if cursor is None or cursor.chunk != chunk or cursor.next_member > member:
            if cursor is not None:
                cursor.close()
            self._cursor = None
            cursor = self._open(av, chunk)
            self._cursor = cursor
        frame = None
        while cursor.next_member <= member:
            frame = next(cursor.frames, None)
            if frame is None:
                raise IndexError(f"chunk #{chunk} has no frame {member}")
            cursor.next_member += 1
        assert frame is not None
        image: Image = frame.to_image()
        return image

    def close(self) -> None:
        """Close the open chunk decoder, if any (a later read opens one again)."""
        with self._lock:
            if self._cursor is not None:
                self._cursor.close()
                self._cursor = None

    def load(self, frame_index: int) -> Image:
        """A frame as a Pillow image (RGB), decoded from its cached chunk."""
        (av,) = require("Decoding video chunks", "video", "av")
        chunk = frame_index // self.chunk_size
        for attempt in (1, 2):
            self.ensure(chunk)
            with self._lock:
                try:
                    return self._decode(av, frame_index)
                except (av.FFmpegError, OSError, IndexError) as exc:
                    if self._cursor is not None:
                        self._cursor.close()
                        self._cursor = None
                    _logger.warning(
                        "Cached chunk #%d is damaged (%s); fetching it again", chunk, exc
                    )
                    if attempt == 2 or self.fetcher is None:
                        raise DatasetCacheMissError(
                            f"Cached chunk #{chunk} ({self.store.path(chunk)}) cannot be decoded"
                        ) from exc
                    self.store.invalidate(chunk)
        raise AssertionError("unreachable")  # pragma: no cover
