"""Where a sample's image comes from: a cached chunk, or the server frame by frame."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from cvat_client._extras import require
from cvat_client.core._body_copy import copy_body
from cvat_client.core._protocol.download import UNENCODED
from cvat_client.core.exceptions import CvatSdkException
from cvat_client.datasets import _archives
from cvat_client.datasets._cache import ChunkStore, UsageMark, hold_usage_lock
from cvat_client.datasets.common import (
    DatasetCacheMissError,
    MediaElement,
    UnsupportedDatasetError,
)

if TYPE_CHECKING:
    from PIL.Image import Image

    from cvat_client.api_client.apis import TasksApi
    from cvat_client.core.proxies.tasks import Task

__all__ = ["ChunkFetcher", "ChunkSource", "FrameSource", "TaskMediaElement"]

_logger = logging.getLogger("cvat_client.datasets")

#: What reading a cached chunk raises when the chunk is damaged (zipfile checks each
#: entry's CRC; a truncated archive, or one with fewer frames, fails to open or index).
_DAMAGE = (zipfile.BadZipFile, OSError, IndexError)


class ChunkDownloadError(CvatSdkException):
    """A chunk could not be downloaded whole (its checksum never matched)."""


def _open_image(data: bytes) -> Image:
    (pil_image,) = require("Loading dataset images", "datasets", "PIL.Image")
    image = pil_image.open(io.BytesIO(data))
    image.load()
    return image  # type: ignore[no-any-return]


class ChunkFetcher:
    """Downloads a task's original-quality chunks, checking CVAT's ``X-Checksum``."""

    def __init__(self, tasks_api: TasksApi, task_id: int, attempts: int) -> None:
        self._api = tasks_api
        self._task_id = task_id
        self._attempts = attempts

    def _download(self, index: int, write: BinaryIO) -> tuple[str | None, str | None]:
        _, response = self._api.retrieve_data(
            self._task_id,
            type="chunk",
            number=index,
            quality="original",
            _stream=True,
            _headers=UNENCODED,
        )
        try:
            copy_body(response, write, lambda _: None)
        finally:
            response.close()
        return response.headers.get("x-checksum"), response.headers.get("x-updated-date")

    def fetch(self, store: ChunkStore, index: int) -> None:
        """Download chunk ``index`` into ``store`` (retrying a corrupt download)."""
        import httpx

        from cvat_client.core.exceptions import ApiTransportError

        error: BaseException | None = None
        for attempt in range(1, self._attempts + 1):
            _logger.info("Downloading chunk #%d of task #%d...", index, self._task_id)
            try:
                if store.store(index, lambda write: self._download(index, write)):
                    return
                error = None
                _logger.warning(
                    "Chunk #%d of task #%d did not match its checksum (attempt %d of %d)",
                    index,
                    self._task_id,
                    attempt,
                    self._attempts,
                )
            except (httpx.TransportError, ApiTransportError) as exc:
                error = exc
                _logger.warning("Downloading chunk #%d failed: %s", index, exc)
        raise ChunkDownloadError(
            f"Chunk #{index} of task #{self._task_id} could not be downloaded whole "
            f"in {self._attempts} attempts"
            + (f": {error}" if error is not None else " (its checksum never matched)")
        ) from error


def ensure_chunk(store: ChunkStore, fetcher: ChunkFetcher | None, index: int) -> None:
    """Make sure chunk ``index`` is cached whole in ``store``, downloading it if needed (one
    process at a time: another waits and finds it cached)."""
    if store.is_valid(index):
        return
    if fetcher is None:
        raise DatasetCacheMissError(
            f"Chunk #{index} is not in the cache ({store.directory}) and cannot be "
            "fetched here: open the dataset with network access and "
            "MediaDownloadPolicy.PRELOAD_ALL first"
        )
    lock = store.lock(index)
    try:
        locked = lock.acquire()
    except OSError as exc:  # a file system without locks: at worst a chunk comes twice
        _logger.debug("Chunk #%d is downloaded without a lock: %s", index, exc)
        locked = False
    try:
        if not store.is_valid(index):  # another process may have fetched it meanwhile
            fetcher.fetch(store, index)
    finally:
        if locked:
            lock.release()


class ChunkSource:
    """Frames read from cached chunks, fetched when missing (if a fetcher is given).

    Picklable: a copy in another process keeps the cache paths and drops the fetcher (a live
    connection), so it reads what is cached and fetches nothing.
    """

    def __init__(self, store: ChunkStore, chunk_size: int, fetcher: ChunkFetcher | None) -> None:
        self.store = store
        self.chunk_size = chunk_size
        self.fetcher = fetcher
        self.usage_path: Path | None = None
        self._usage: UsageMark | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["fetcher"] = None
        state["_usage"] = None  # a lock belongs to its process: a copy takes its own
        return state

    def use(self, path: Path, held: UsageMark | None) -> None:
        """Mark the task in use with the shared lock ``path`` (see ``DatasetCache.use``; the
        task's lock, or its project's): ``held`` in this process, and in any process a copy
        of this source is read in."""
        self.usage_path = path if held is not None else None  # None: the cache is read-only
        self._usage = held

    def ensure(self, index: int) -> None:
        """Make sure chunk ``index`` is cached whole."""
        if self._usage is None and self.usage_path is not None:  # a copy in a new process
            self._usage = hold_usage_lock(self.usage_path)
            if self._usage is None:  # a read-only cache: read without a lock, ask no more
                self.usage_path = None
        ensure_chunk(self.store, self.fetcher, index)

    def read(self, frame_index: int) -> bytes:
        """The bytes of a frame, as stored in its chunk."""
        index, member = divmod(frame_index, self.chunk_size)
        path = self.store.path(index)
        for attempt in (1, 2):
            try:
                data = _archives.read_kept(path, member)
            except _DAMAGE as exc:
                self._damaged(index, exc, attempt)
                continue
            if data is not None:
                return data
            self.ensure(index)
            try:
                return _archives.read_opened(path, member)
            except _DAMAGE as exc:
                self._damaged(index, exc, attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _damaged(self, index: int, exc: BaseException, attempt: int) -> None:
        """Forget the damaged chunk ``index`` so that it is fetched again, or raise
        `DatasetCacheMissError` (after the second attempt, or without a fetcher)."""
        # zipfile checks each entry's CRC: a damaged cached chunk is fetched again
        _logger.warning("Cached chunk #%d is damaged (%s); fetching it again", index, exc)
        if attempt == 2 or self.fetcher is None:
            raise DatasetCacheMissError(
                f"Cached chunk #{index} ({self.store.path(index)}) is damaged"
                + (
                    ""
                    if self.fetcher
                    else ": open the dataset with network access to fetch it again"
                )
            ) from exc
        _archives.forget(self.store.directory, index)
        self.store.invalidate(index)

    def load(self, frame_index: int) -> Image:
        """A frame as a Pillow image."""
        return _open_image(self.read(frame_index))

    def close(self) -> None:
        """Release what reading frames holds open (the chunk archives kept open)."""
        _archives.forget(self.store.directory)


class FrameSource:
    """Frames downloaded one by one from the server (``FETCH_FRAMES_ON_DEMAND``)."""

    def __init__(self, task: Task | None) -> None:
        self.task = task

    def __getstate__(self) -> dict[str, Any]:
        return {"task": None}

    def load(self, frame_index: int) -> Image:
        """A frame as a Pillow image, downloaded in original quality."""
        if self.task is None:
            raise UnsupportedDatasetError(
                "MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND needs the client's connection, "
                "which does not cross into other processes: use PRELOAD_ALL for data loader "
                "workers"
            )
        return _open_image(self.task.get_frame(frame_index, quality="original").getvalue())


class TaskMediaElement(MediaElement):
    """The media of one frame of a task."""

    __slots__ = ("_frame_index", "_source")

    def __init__(self, source: ChunkSource | FrameSource, frame_index: int) -> None:
        self._source = source
        self._frame_index = frame_index

    def __getstate__(self) -> tuple[ChunkSource | FrameSource, int]:
        return self._source, self._frame_index

    def __setstate__(self, state: tuple[ChunkSource | FrameSource, int]) -> None:
        self._source, self._frame_index = state

    def load_image(self) -> Image:
        """Load the frame and return it as a Pillow image."""
        return self._source.load(self._frame_index)
