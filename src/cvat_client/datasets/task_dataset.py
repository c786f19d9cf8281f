"""``TaskDataset``: a task's frames and per-frame annotations, cached locally."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs

from cvat_client._lowlevel.client import gc_paused
from cvat_client.datasets._cache import ChunkStore, DatasetCache, UsageMark
from cvat_client.datasets._media import (
    ChunkFetcher,
    ChunkSource,
    FrameSource,
    TaskMediaElement,
    ensure_chunk,
)
from cvat_client.datasets.common import (
    DatasetCacheMissError,
    DatasetUsageError,
    FrameAnnotations,
    MediaDownloadPolicy,
    Sample,
    UnsupportedDatasetError,
    UpdatePolicy,
)

if TYPE_CHECKING:
    from cvat_client.api_client import models
    from cvat_client.core.client import Client
    from cvat_client.core.proxies.tasks import Task

__all__ = ["TaskDataset"]


def _stamp(model: Any) -> str:
    updated = getattr(model, "updated_date", None)
    return updated.isoformat() if isinstance(updated, datetime) else str(updated)


_TRACK_ONLY = ("keyframe", "track_id")


def _track_shape(shape: dict[str, Any], models: Any) -> Any:
    """A ``LabeledShape`` from an interpolated track shape; its track's id and whether it is a
    keyframe go to ``additional_properties`` (``track_id``, ``keyframe``)."""
    extra = {key: shape.get(key) for key in _TRACK_ONLY}
    elements = [
        {k: v for k, v in element.items() if k not in _TRACK_ONLY and k != "elements"}
        for element in shape["elements"]
    ]
    plain = {k: v for k, v in shape.items() if k not in _TRACK_ONLY}
    plain["elements"] = elements
    plain["id"] = None  # not a shape of the server: its keyframe's id is in no shape list
    result = models.LabeledShape.from_dict(plain)
    result.additional_properties.update(extra)
    return result


def _bound_cache(client: Client) -> None:
    """Apply ``Config.max_cache_size`` once a dataset is open (a project's once, not per
    task: each clean-up reads the whole cache)."""
    if client.config.max_cache_size is not None:
        from cvat_client.datasets.cache import clean_cache

        clean_cache(client.config.cache_dir, max_size=client.config.max_cache_size)


def _frame_names(raw_meta: dict[str, Any], task_id: int, count: int) -> list[str]:
    """The names of the frames in a task's data meta (at least ``count`` of them): all that
    the samples take from it besides the deleted frames (no model of a thousand frames is
    built for it)."""
    try:
        names = [frame["name"] for frame in raw_meta["frames"]]
    except (KeyError, TypeError) as exc:
        raise UnsupportedDatasetError(
            f"The data meta of task #{task_id} does not list its frames' names ({exc!r})"
        ) from exc
    if len(names) < count:
        raise UnsupportedDatasetError(
            f"The data meta of task #{task_id} names {len(names)} frames; the task has {count}"
        )
    return names


class TaskDataset:
    """A task on a CVAT server as a sequence of samples, one per frame (deleted frames are
    left out), each with the frame's annotations and media.

    The task's metadata (labels, frame list, annotations) is cached on disk under
    ``client.config.cache_dir`` when the dataset is created; media caching follows
    ``media_download_policy``. A later dataset of the same task reads the cache, and refreshes
    it if the task changed on the server (its ``updated_date`` moved).

    Tasks whose original chunks are image sets or videos are supported with every policy
    (video chunks are decoded with PyAV, the ``video`` extra; cvat-sdk reads video tasks
    only with ``FETCH_FRAMES_ON_DEMAND``).
    """

    def __init__(
        self,
        client: Client,
        task_id: int,
        *,
        update_policy: UpdatePolicy = UpdatePolicy.IF_MISSING_OR_STALE,
        load_annotations: bool = True,
        media_download_policy: MediaDownloadPolicy = MediaDownloadPolicy.PRELOAD_ALL,
        include_tracks: bool = False,
    ) -> None:
        """Open the task ``task_id`` of the server ``client`` is connected to.

        Args:
            client: the connected client (with ``UpdatePolicy.NEVER`` it is never used for
                a request).
            task_id: the task.
            update_policy: when the local cache is updated from the server.
            load_annotations: load the annotations; if ``False``, each sample's
                ``annotations`` is ``None``.
            media_download_policy: when media is downloaded.
                ``FETCH_FRAMES_ON_DEMAND`` cannot be combined with ``UpdatePolicy.NEVER``.
            include_tracks: also turn the task's tracks into per-frame shapes, interpolated
                between keyframes as CVAT does (cvat-sdk drops tracks; so does the default).

        Raises:
            UnsupportedDatasetError: the task has no data, or its chunks are neither image
                sets nor videos for a chunked media policy (video chunks are decoded with
                PyAV, the ``video`` extra; cvat-sdk refuses them).
            DatasetCacheMissError: with ``UpdatePolicy.NEVER``, something needed is not cached.
        """
        self._open(
            client,
            task_id,
            None,
            update_policy=update_policy,
            load_annotations=load_annotations,
            media_download_policy=media_download_policy,
            include_tracks=include_tracks,
        )
        _bound_cache(client)  # this task is in use: it stays

    @classmethod
    def _of_project(
        cls,
        client: Client,
        task_model: models.TaskRead,
        *,
        online: bool,
        project_use: tuple[Path, UsageMark] | None,
        **options: Any,
    ) -> TaskDataset:
        """A task of a project dataset (which bounds the cache once for all its tasks);
        offline, only the id of ``task_model`` is used. With ``project_use`` (the project's
        lock file and this process's mark on it), the task is kept in use through the
        project, once opened: the clean-up keeps the tasks listed in an in-use project's
        metadata, so a project holds one lock, not one per task."""
        dataset = cls.__new__(cls)
        task_id = cast(int, task_model.id)
        dataset._open(
            client, task_id, task_model if online else None, project_use=project_use, **options
        )
        return dataset

    def _open(
        self,
        client: Client,
        task_id: int,
        task_model: models.TaskRead | None,
        *,
        update_policy: UpdatePolicy,
        load_annotations: bool,
        media_download_policy: MediaDownloadPolicy,
        include_tracks: bool,
        project_use: tuple[Path, UsageMark] | None = None,
    ) -> None:
        from cvat_client.api_client import models

        if (
            media_download_policy is MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND
            and update_policy is UpdatePolicy.NEVER
        ):
            raise DatasetUsageError(
                "MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND needs the network and cannot be "
                "used with UpdatePolicy.NEVER"
            )
        self._logger: logging.Logger = client.logger
        self._media_download_policy = media_download_policy
        self._max_concurrency = client.config.max_concurrency
        cache = DatasetCache(client.config.cache_dir, client.host)
        self._task_id = task_id
        self._task_dir = task_dir = cache.task_dir(task_id)
        # in use from here on, in this process: the cache clean-up leaves the task alone
        # (a task of a project holds its own lock only while it is opened, see _of_project)
        self._in_use: UsageMark | None = cache.use(task_dir)
        online = update_policy is not UpdatePolicy.NEVER
        preload = media_download_policy is MediaDownloadPolicy.PRELOAD_ALL
        fetcher = (
            ChunkFetcher(client.api_client.tasks_api, task_id, client.config.download_attempts)
            if online
            else None
        )
        store = ChunkStore(cache.chunk_dir(task_id), None)
        task: Task | None = None
        # the metadata requests have threads of their own, so that the chunk downloads
        # always have Config.max_concurrency requests in flight
        meta_pool: ThreadPoolExecutor | None = None
        chunk_pool: ThreadPoolExecutor | None = None
        chunk_futures: dict[int, Future[None]] = {}
        early: dict[str, Future[bytes]] = {}

        def fetch_meta() -> bytes:
            _, response = client.api_client.tasks_api.retrieve_data_meta(
                task_id, _parse_response=False
            )
            return bytes(response.content)

        def fetch_annotations() -> bytes:
            _, response = client.api_client.tasks_api.retrieve_annotations(
                task_id, _parse_response=False
            )
            return bytes(response.content)

        def submit_meta(function: Callable[..., Any], *args: Any) -> Future[Any]:
            nonlocal meta_pool
            if meta_pool is None:
                meta_pool = ThreadPoolExecutor(3, "cvat-dataset")
            return meta_pool.submit(function, *args)

        def start_chunk(index: int) -> None:
            nonlocal chunk_pool
            if chunk_pool is None:
                chunk_pool = ThreadPoolExecutor(self._max_concurrency, "cvat-chunks")
            chunk_futures[index] = chunk_pool.submit(ensure_chunk, store, fetcher, index)

        fresh = False
        try:
            if online:
                from cvat_client.core.proxies.tasks import Task

                fresh = task_model is None and cache.read(task_dir / "task.json") is None
                if fresh:
                    # Nothing cached: the meta and the annotations are needed whatever the
                    # task says, so they are asked for together with it, and so is chunk 0,
                    # which every task with data has (one round trip saved for each).
                    early["data_meta.marshal"] = submit_meta(fetch_meta)
                    if load_annotations:
                        early["annotations.marshal"] = submit_meta(fetch_annotations)
                    if preload:
                        start_chunk(0)
                if task_model is None:
                    self._logger.info("Fetching task %d...", task_id)
                    task = client.tasks.retrieve(task_id)
                else:
                    task = Task(client, task_model)
                model = task.model
            else:
                cached = cache.read(task_dir / "task.json")
                if not isinstance(cached, dict):
                    raise DatasetCacheMissError(
                        f"Task #{task_id} is not in the cache ({task_dir}): open it once with "
                        "UpdatePolicy.IF_MISSING_OR_STALE"
                    )
                model = models.TaskRead.from_dict(cached)
            self._task_model: models.TaskRead = model
            stamp = _stamp(model)

            if not model.size or not model.data_chunk_size:
                raise UnsupportedDatasetError("The task has no data")
            self._chunk_size: int = model.data_chunk_size
            is_imageset = str(model.data_original_chunk_type) == "imageset"
            is_video = str(model.data_original_chunk_type) == "video"
            if (
                media_download_policy is not MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND
                and not is_imageset
                and not is_video
            ):
                raise UnsupportedDatasetError(
                    "Chunk-based media access is only supported for tasks whose original "
                    "chunks are image sets; current original chunk type is "
                    f"{str(model.data_original_chunk_type)!r}"
                )
            if fresh and preload:
                # every chunk is needed but those of deleted frames only (cancelled below);
                # chunk 0 is under way already
                count = -(-model.size // self._chunk_size)
                self._logger.info("Downloading %d chunks...", count)
                for index in range(1, count):
                    start_chunk(index)

            fetched: set[str] = set()

            def fetch(name: str, what: str, download: Callable[[], bytes]) -> Any:
                self._logger.info("Downloading %s...", what)
                raw = early[name].result() if name in early else download()
                with gc_paused(None):  # thousands of small objects, no cycles
                    data = json.loads(raw)
                cache.write_stamped(task_dir / name, stamp, data)
                fetched.add(name)
                return data

            def download_labels() -> bytes:
                assert task is not None
                return json.dumps([label.to_dict() for label in task.get_labels()]).encode()

            # What the cache holds is read here (no thread is started for it); the rest is
            # fetched at once, each in a thread of its own.
            def start(name: str, what: str, download: Callable[[], bytes]) -> Future[Any]:
                path = task_dir / name
                data = cache.read_stamped(path, stamp)
                if data is None and task is not None:
                    return submit_meta(fetch, name, what, download)
                done: Future[Any] = Future()
                if data is not None:
                    self._logger.info("Loaded %s from cache", what)
                    done.set_result(data)
                else:
                    done.set_exception(
                        DatasetCacheMissError(
                            f"The {what} of task #{task_id} are not in the cache ({path}): "
                            "open the dataset once with UpdatePolicy.IF_MISSING_OR_STALE"
                        )
                    )
                return done

            meta_future = start("data_meta.marshal", "data metadata", fetch_meta)
            labels_future = start("labels.marshal", "labels", download_labels)
            annotations_future = (
                start("annotations.marshal", "annotations", fetch_annotations)
                if load_annotations
                else None
            )
            # the chunks are chosen from the raw meta; the models are built meanwhile
            raw_meta = meta_future.result()
            if not isinstance(raw_meta, dict):
                raise UnsupportedDatasetError(
                    f"The data meta of task #{task_id} is not a JSON object: "
                    f"{type(raw_meta).__name__}"
                )
            deleted = set(raw_meta.get("deleted_frames") or ())
            active = [index for index in range(model.size) if index not in deleted]
            needed = sorted({index // self._chunk_size for index in active})
            chunks_updated = raw_meta.get("chunks_updated_date")
            chunks_updated = chunks_updated if isinstance(chunks_updated, str) else None
            for index in set(chunk_futures).difference(needed):
                chunk_futures.pop(index).cancel()  # only deleted frames (if not begun yet)
            if not fresh:
                store.chunks_updated_date = chunks_updated
                if "data_meta.marshal" in fetched:  # new meta: chunks of older data go
                    store.clear_stale()
                if preload:
                    missing = [index for index in needed if not store.is_valid(index)]
                    if missing:
                        self._logger.info("Downloading %d chunks...", len(missing))
                    for index in missing:
                        start_chunk(index)
            self._chunk_store = store
            #: cvat-sdk's names: the cache (``chunk_dir(task_id)``) and the task's chunk folder
            self._cache_manager = cache
            self._chunk_dir = store.directory

            source: ChunkSource | FrameSource
            if media_download_policy is MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND:
                source = FrameSource(task)
            else:
                if is_video:  # MP4 chunks, decoded with PyAV (beyond cvat-sdk)
                    from cvat_client.datasets._video import VideoChunkSource

                    source = VideoChunkSource(store, self._chunk_size, fetcher)
                else:
                    source = ChunkSource(store, self._chunk_size, fetcher)
                if project_use is not None:
                    source.use(*project_use)
                else:
                    source.use(cache.usage_lock_path(task_dir), self._in_use)
            self._source = source
            names = _frame_names(raw_meta, task_id, model.size if is_imageset else 1)

            self._labels = tuple(models.Label.from_dict(label) for label in labels_future.result())
            if annotations_future is not None:
                raw_annotations = annotations_future.result()
            with gc_paused(len(active) * 1024):  # many small objects, no cycles
                if annotations_future is not None:
                    per_frame = self._distribute(raw_annotations, active, include_tracks, models)
                else:
                    per_frame = dict.fromkeys(active)
                self._samples = [
                    Sample(
                        index,
                        names[index if is_imageset else 0],
                        annotations,
                        TaskMediaElement(source, index),
                    )
                    for index, annotations in per_frame.items()
                ]
            for future in chunk_futures.values():
                future.result()
            if fresh:
                # these chunks were asked for before the meta told which data they must be
                # of: what an earlier, interrupted open (or another process) left of older
                # data is fetched again; what this open downloaded is known to be current
                store.chunks_updated_date = chunks_updated
                if preload and chunks_updated is not None:
                    unsure = [index for index in needed if not store.downloaded_current(index)]
                    if unsure:
                        store.clear_stale()
                        for index in unsure:
                            ensure_chunk(store, fetcher, index)
            if chunk_futures:
                self._logger.info("All chunks downloaded")
        finally:
            for pool in (meta_pool, chunk_pool):
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)

        if task is not None:
            cache.write(task_dir / "task.json", model.to_dict())
        if project_use is not None:  # from here on, the project's lock keeps the task
            own, self._in_use = self._in_use, project_use[1]
            if own is not None:
                own.release()

    def _distribute(
        self,
        raw: dict[str, Any],
        active: list[int],
        include_tracks: bool,
        models: Any,
    ) -> dict[int, FrameAnnotations | None]:
        per_frame = {index: FrameAnnotations([], []) for index in active}
        for tag in raw.get("tags") or ():
            annotations = per_frame.get(tag["frame"])
            if annotations is not None:  # tags of deleted frames are skipped
                annotations.tags.append(models.LabeledImage.from_dict(tag))
        for shape in raw.get("shapes") or ():
            annotations = per_frame.get(shape["frame"])
            if annotations is not None:
                annotations.shapes.append(models.LabeledShape.from_dict(shape))
        if include_tracks:
            from cvat_client.datasets._tracks import track_shapes

            size = self._task_model.size or 0
            deleted = set(range(size)).difference(active)
            for track in raw.get("tracks") or ():
                for shape in track_shapes(track, size, deleted_frames=deleted):
                    annotations = per_frame.get(shape["frame"])
                    if annotations is not None and not shape["outside"]:
                        annotations.shapes.append(_track_shape(shape, models))
        return dict(per_frame)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_logger", None)
        state["_in_use"] = None  # a lock belongs to its process (the source takes its own)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._logger = logging.getLogger("cvat_client")

    @property
    def labels(self) -> Sequence[models.Label]:
        """The task's labels (those of its project, for a task in a project).

        Do not modify the returned objects.
        """
        return self._labels

    @property
    def samples(self) -> Sequence[Sample]:
        """All samples, in frame order. Deleted frames are left out, so frame indices may
        have gaps.

        Do not modify the returned objects.
        """
        return self._samples

    @property
    def task_id(self) -> int:
        """The id of the task."""
        return self._task_id

    @contextlib.contextmanager
    def iter_samples(self, *, temporary_chunks: bool = False) -> Iterator[Iterator[Sample]]:
        """A context manager giving an iterator over the samples.

        With ``MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND`` the iterator fetches the chunks
        ahead of the caller (up to ``Config.max_concurrency`` at once), so downloading overlaps
        with the caller's work on the current chunk. If ``temporary_chunks`` is true (only with
        that policy; ``FETCH_FRAMES_ON_DEMAND`` has no chunks and ignores it, ``PRELOAD_ALL``
        raises :class:`DatasetUsageError`), the chunks go to a temporary directory instead of the
        cache and each is deleted once the iterator moves past it.

        Finish using a sample's media before advancing the iterator.
        """
        if temporary_chunks and self._media_download_policy is MediaDownloadPolicy.PRELOAD_ALL:
            raise DatasetUsageError(
                "temporary_chunks=True needs MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND: "
                "PRELOAD_ALL keeps every chunk in the cache"
            )
        if self._media_download_policy is not MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND:
            yield iter(self._samples)
            return
        source = self._source
        assert isinstance(source, ChunkSource)
        if not temporary_chunks:
            yield self._prefetching(source, temporary=False)
            return
        temp_dir = Path(tempfile.mkdtemp(prefix=f"cvat-task-{self.task_id}-chunks-"))
        # of the same kind as the dataset's source: a video task's chunks are decoded
        temp_source = type(source)(
            ChunkStore(temp_dir, source.store.chunks_updated_date),
            source.chunk_size,
            source.fetcher,
        )
        try:
            yield self._prefetching(temp_source, temporary=True)
        finally:
            temp_source.close()
            shutil.rmtree(temp_dir, ignore_errors=True)

    def _ensure_chunk_in_dir(self, chunk_dir: Path, chunk_index: int) -> None:
        """Make sure chunk ``chunk_index`` is stored whole in ``chunk_dir`` (the cache's chunk
        directory, ``_chunk_dir``, or a temporary one), fetching it if needed.

        The one step through which :meth:`iter_samples` gets its chunks (cvat-sdk's name).
        """
        source = self._source
        assert isinstance(source, ChunkSource)
        if chunk_dir != source.store.directory:
            source = type(source)(
                ChunkStore(chunk_dir, source.store.chunks_updated_date),
                source.chunk_size,
                source.fetcher,
            )
        source.ensure(chunk_index)

    def _prefetching(self, source: ChunkSource, *, temporary: bool) -> Iterator[Sample]:
        groups: list[tuple[int, list[Sample]]] = []
        for sample in self._samples:
            index = sample.frame_index // self._chunk_size
            if not groups or groups[-1][0] != index:
                groups.append((index, []))
            groups[-1][1].append(sample)
        ahead = max(1, self._max_concurrency)
        with ThreadPoolExecutor(
            min(ahead, max(1, len(groups))), thread_name_prefix="cvat-chunks"
        ) as pool:
            pending: deque[Future[None]] = deque()
            submitted = 0
            try:
                for index, samples in groups:
                    while submitted < len(groups) and len(pending) < ahead:
                        pending.append(
                            pool.submit(
                                self._ensure_chunk_in_dir,
                                source.store.directory,
                                groups[submitted][0],
                            )
                        )
                        submitted += 1
                    pending.popleft().result()
                    for sample in samples:
                        if temporary:
                            yield attrs.evolve(
                                sample, media=TaskMediaElement(source, sample.frame_index)
                            )
                        else:
                            yield sample
                    if temporary:
                        source.close()  # a video chunk's decoder holds its file open
                        source.store.invalidate(index)
            finally:
                for future in pending:
                    future.cancel()
