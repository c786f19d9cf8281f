"""Uploads with CVAT's protocol: ``Upload-Start``, TUS or ``Upload-Multiple``, ``Upload-Finish``.

* :class:`Uploader` sends one file through TUS (:meth:`Uploader.upload_file`) and runs
  whole imports (:meth:`Uploader.upload_file_and_wait`: annotations, datasets, backups).
* :class:`DataUploader` sends the media of a task: small files in multipart batches,
  big ones through TUS, several at once, then the data spec.

File contents are streamed from disk in blocks: memory use does not grow with file
size. A chunk that fails (dropped connection, 5xx, 429, offset conflict) is resumed
from the offset the server reports (``HEAD``), with bounded exponential backoff.
"""

from __future__ import annotations

import concurrent.futures
import mimetypes
import os
import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import httpx

from cvat_client._lowlevel.exceptions import (
    ApiException,
    ApiTimeoutError,
    ApiTransportError,
    ApiValueError,
    exception_for_response,
)
from cvat_client._lowlevel.rest import ReadPolicy, read_policy
from cvat_client.core._protocol.retry import RETRY_STATUSES, RetryPolicy, parse_retry_after
from cvat_client.core._protocol.tus import (
    OFFSET_CONTENT_TYPE,
    TUS_VERSION,
    UploadState,
    encode_metadata,
    parse_offset,
    plan_data_upload,
)
from cvat_client.core._protocol.urls import rebase_url
from cvat_client.core.exceptions import UploadError
from cvat_client.core.progress import NullProgressReporter, ProgressReporter, ThreadSafeProgress

if TYPE_CHECKING:
    import logging

    from cvat_client._lowlevel.endpoint import Endpoint
    from cvat_client.api_client import models
    from cvat_client.core.client import Client

__all__ = [
    "Uploader",
    "DataUploader",
    "AnnotationUploader",
    "DatasetUploader",
    "FileSliceStream",
    "UploadAborted",
    "TUS_CHUNK_SIZE",
]

_BLOCK = 1024 * 1024
#: The largest TUS chunk sent (CVAT's request body limit); a chunk is the smaller of
#: this and ``Config.upload_chunk_size``. cvat-sdk's name: scripts and tests that lower it
#: get smaller chunks.
TUS_CHUNK_SIZE = 100 * _BLOCK
#: Statuses after which a chunk is resumed from the server's offset.
_RESUMABLE = RETRY_STATUSES | {409, 423, 500}
# Names of answer headers (httpx looks them up in any case)
_LOCATION = "location"
_UPLOAD_FILENAME = "upload-filename"
_UPLOAD_OFFSET = "upload-offset"
_RETRY_AFTER = "retry-after"


class UploadAborted(Exception):
    """Raised inside a worker when another part of the upload failed or was interrupted."""


class _Mark:
    """Reports the progress of one file once, however often its bytes are re-sent."""

    def __init__(self, progress: ThreadSafeProgress | None) -> None:
        self._progress = progress
        self._high = 0
        self._lock = threading.Lock()

    def reached(self, position: int) -> None:
        if self._progress is None:
            return
        with self._lock:
            delta = position - self._high
            if delta <= 0:
                return
            self._high = position
        self._progress.advance(delta)


class FileSliceStream(httpx.SyncByteStream):
    """``length`` bytes of a file from ``offset``, read in blocks (a replayable request body)."""

    replayable = True

    def __init__(
        self,
        path: Path,
        offset: int,
        length: int,
        *,
        mark: _Mark | None = None,
        abort: threading.Event | None = None,
    ) -> None:
        self.path = path
        self.offset = offset
        self.length = length
        self._mark = mark
        self._abort = abort

    def __iter__(self) -> Iterator[bytes]:
        left = self.length
        position = self.offset
        with self.path.open("rb") as file:
            file.seek(self.offset)
            while left > 0:
                if self._abort is not None and self._abort.is_set():
                    raise UploadAborted("upload aborted")
                block = file.read(min(_BLOCK, left))
                if not block:
                    raise UploadError(f"{self.path} became shorter while it was being uploaded")
                left -= len(block)
                position += len(block)
                yield block
                if self._mark is not None:
                    self._mark.reached(position)


class _ProgressFile:
    """A file object for multipart bodies that reports reads through a :class:`_Mark`."""

    def __init__(self, file: BinaryIO, mark: _Mark, abort: threading.Event) -> None:
        self._file = file
        self._mark = mark
        self._abort = abort

    def read(self, size: int = -1) -> bytes:
        if self._abort.is_set():
            raise UploadAborted("upload aborted")
        data = self._file.read(size)
        self._mark.reached(self._file.tell())
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()


class Uploader:
    """Uploads files with CVAT's upload protocol through a :class:`Client`."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._abort = threading.Event()
        self._rng = random.Random()

    # --- public -------------------------------------------------------------------------

    def upload_file(
        self,
        url: str,
        filename: Path,
        *,
        meta: Mapping[str, str],
        query_params: Mapping[str, Any] | None = None,
        logger: logging.Logger | None = None,
        pbar: ProgressReporter | None = None,
    ) -> str:
        """Upload one file through TUS to ``url`` (the collection URL, e.g.
        ``/api/tasks/1/annotations/``) and return the name the server gave it
        (``Upload-Filename``), to pass to ``Upload-Finish``.

        ``meta`` becomes ``Upload-Metadata`` (``{"filename": "a.zip"}``). Failed chunks
        are resumed from the server's offset.

        Raises:
            FileNotFoundError: the file does not exist.
            UploadError: the upload could not be completed.
        """
        path = Path(filename)
        size = path.stat().st_size
        reporter = pbar if pbar is not None else NullProgressReporter()
        reporter.start2(
            size, desc=f"Uploading {path.name}", unit="B", unit_scale=True, unit_divisor=1024
        )
        try:
            return self._tus_upload(
                url,
                path,
                size,
                meta=meta,
                query_params=query_params,
                mark=_Mark(ThreadSafeProgress(reporter)),
            )
        finally:
            reporter.finish()
            if logger is not None:
                logger.debug("Uploaded %s", path)

    def upload_file_and_wait(
        self,
        url: str,
        filename: Path,
        *,
        query_params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        meta: Mapping[str, str] | None = None,
        upload_id_param: str = "filename",
        pbar: ProgressReporter | None = None,
        status_check_period: float | None = None,
    ) -> models.Request:
        """Run a whole import: ``Upload-Start``, the TUS upload, ``Upload-Finish``, then
        wait for the background request. Returns the finished request (its
        ``result_id`` names what a backup restore created).

        ``query_params`` go with ``Upload-Start`` (plus ``filename=<file name>``) and with
        ``Upload-Finish`` (``filename=`` then names the uploaded file, as the server
        calls it); ``json_body`` is the ``Upload-Finish`` body.

        Raises:
            FileNotFoundError: the file does not exist (nothing is sent).
            BadRequestException: the server refused the import (e.g. an unknown format).
            UploadError: the upload could not be completed.
            BackgroundRequestException: the server failed to import the file.
        """
        path = Path(filename)
        if not path.is_file():
            raise FileNotFoundError(f"No such file: {path}")
        params = dict(query_params or {})
        self._post_marker(url, "Upload-Start", {"filename": path.name, **params})
        upload_id = self.upload_file(
            url, path, meta={"filename": path.name, **(meta or {})}, pbar=pbar
        )
        rq_id = self._finish(url, {**params, upload_id_param: upload_id}, json_body)
        return self._client.wait_for_request(rq_id, status_check_period=status_check_period)

    # --- protocol steps -----------------------------------------------------------------

    def _post_marker(
        self, url: str, marker: str, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> httpx.Response:
        _, response = self._client.api_client.call_api(
            url,
            "POST",
            query_params=params,
            header_params={marker: ""},
            body=body,
            _parse_response=False,
        )
        return response

    def _finish(self, url: str, params: Mapping[str, Any] | None, body: Any) -> str:
        response = self._post_marker(url, "Upload-Finish", params, body)
        try:
            rq_id = response.json().get("rq_id")
        except (ValueError, AttributeError):
            rq_id = None
        if not isinstance(rq_id, str) or not rq_id:
            raise UploadError(
                f"The server accepted Upload-Finish on {url} ({response.status_code}) but "
                "returned no request id; check that the server is CVAT 2.x"
            )
        return rq_id

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        post_params: Sequence[tuple[str, Any]] | None = None,
        length: int | None = None,
    ) -> httpx.Response:
        """Send one protocol request through ``api_client.rest_client`` (as cvat-sdk does)
        with the client's headers and authentication; its answer is read under the size
        cap (error answers: their start only), its status is checked by the caller."""
        api = self._client.api_client
        full, query, all_headers = api._prepare(
            method,
            url,
            params=[(k, _query_value(v)) for k, v in (params or {}).items() if v is not None],
            headers=headers,
        )
        if length is not None:
            all_headers["Content-Length"] = str(length)
        with read_policy(ReadPolicy(truncate_errors=True)):
            return api.rest_client.request(
                method,
                str(full),
                query_params=query,
                headers=all_headers,
                body=body,
                post_params=post_params,
                _check_status=False,
            )

    def _tus_create(
        self, url: str, size: int, meta: Mapping[str, str], params: Mapping[str, Any] | None
    ) -> tuple[str, str]:
        response = self._send(
            "POST",
            url,
            params=params,
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Length": str(size),
                "Upload-Metadata": encode_metadata(meta),
            },
        )
        if response.status_code != 201:
            raise exception_for_response(response)
        location = response.headers.get(_LOCATION)
        if not location:
            raise UploadError(f"The server started an upload on {url} but gave no Location")
        name = response.headers.get(_UPLOAD_FILENAME) or meta.get("filename", "")
        return rebase_url(location, self._client.host), name

    def _tus_upload(
        self,
        url: str,
        path: Path,
        size: int,
        *,
        meta: Mapping[str, str],
        query_params: Mapping[str, Any] | None,
        mark: _Mark,
    ) -> str:
        location, name = self._tus_create(url, size, meta, query_params)
        state = UploadState(size, min(self._client.config.upload_chunk_size, TUS_CHUNK_SIZE))
        policy = self._policy()
        in_flight_end = 0
        need_sync = False
        while not state.complete:
            if self._abort.is_set():
                raise UploadAborted("upload aborted")
            retry_after: float | None = None
            failure: BaseException | None = None
            try:
                if need_sync:
                    self._sync_offset(location, state, in_flight_end)
                    need_sync = False
                    continue
                offset, length = state.next_chunk()
                in_flight_end = offset + length
                response = self._send(
                    "PATCH",
                    location,
                    headers={
                        "Tus-Resumable": TUS_VERSION,
                        "Upload-Offset": str(offset),
                        "Content-Type": OFFSET_CONTENT_TYPE,
                    },
                    body=FileSliceStream(path, offset, length, mark=mark, abort=self._abort),
                    length=length,
                )
                if response.status_code == 204:
                    state.confirm(parse_offset(response.headers.get(_UPLOAD_OFFSET)), length)
                    if state.offset > offset:
                        continue
                    # an answer without progress would repeat the chunk forever
                    failure = UploadError(
                        f"the server answered the chunk at byte {offset} without taking it"
                    )
                elif response.status_code in _RESUMABLE:
                    failure = exception_for_response(response)
                    retry_after = parse_retry_after(response.headers.get(_RETRY_AFTER))
                else:
                    raise exception_for_response(response)
            except ApiTransportError as exc:
                if isinstance(exc, ApiTimeoutError) and exc.method != "PATCH":
                    raise
                failure = exc
            except _ResumeNeeded as exc:
                failure = exc
            need_sync = True
            attempt = state.fail()
            if attempt > policy.retries:
                raise UploadError(
                    f"Uploading {path.name} failed {attempt} times in a row at byte "
                    f"{state.offset} of {size}: {failure}. Check the connection and retry."
                ) from failure
            delay = (
                retry_after
                if retry_after is not None
                else policy.backoff_delay(attempt - 1, self._rng.random)
            )
            self._client.logger.info(
                "Chunk of %s failed (%s); resuming in %.1f s", path.name, failure, delay
            )
            self._client._sleep(min(delay, policy.max_backoff))
        return name

    def _sync_offset(self, location: str, state: UploadState, in_flight_end: int) -> None:
        """Ask the server (``HEAD``) where the upload stands (:class:`_ResumeNeeded`: ask
        again later)."""
        response = self._send("HEAD", location, headers={"Tus-Resumable": TUS_VERSION})
        if response.status_code == 200:
            offset = parse_offset(response.headers.get(_UPLOAD_OFFSET))
            if offset is None:
                raise UploadError(f"The server's answer to HEAD {location} has no Upload-Offset")
            state.resume_at(offset)
            return
        if response.status_code == 404 and in_flight_end == state.length:
            # The server removes a finished upload: the last chunk did arrive.
            state.resume_at(state.length)
            return
        if response.status_code in _RESUMABLE:
            raise _ResumeNeeded(f"HEAD {location} answered {response.status_code}")
        raise UploadError(
            f"The server no longer knows the upload ({response.status_code} on HEAD); "
            "it may have expired. Start the upload again."
        ) from exception_for_response(response)

    def _policy(self) -> RetryPolicy:
        config = self._client.config
        return RetryPolicy(
            retries=config.retries, backoff=config.retry_backoff, max_backoff=config.max_backoff
        )


class _ResumeNeeded(ApiException):
    """A transient answer while resynchronizing: try again after a delay."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


class DataUploader(Uploader):
    """Uploads the media files of a task (``/api/tasks/{id}/data/``)."""

    def upload_files(
        self,
        task_id: int,
        resources: Sequence[Path],
        *,
        data_params: Mapping[str, Any],
        pbar: ProgressReporter | None = None,
    ) -> str:
        """Upload local files as the data of a task and submit the data spec.

        Files smaller than ``config.upload_batch_size`` go in ``Upload-Multiple``
        batches, bigger ones through TUS; up to ``config.max_parallel_uploads`` at once.
        ``data_params`` is the data spec (``image_quality``, ``sorting_method``...)
        sent with ``Upload-Finish``. Returns the id of the background request that
        creates the task's data: wait for it with :meth:`Client.wait_for_request`.

        Raises:
            FileNotFoundError: a file is missing (nothing is sent).
            ApiValueError: no files, or two files with the same name.
            UploadError: the upload could not be completed (nothing is submitted).
        """
        self._abort.clear()
        files = [Path(p) for p in resources]
        if not files:
            raise ApiValueError("No files to upload: resources is empty")
        sizes = [_size_of(p) for p in files]
        _check_unique_names(files)
        config = self._client.config
        plan = plan_data_upload(
            sizes, tus_threshold=config.upload_batch_size, batch_size=config.upload_batch_size
        )
        spec = dict(data_params)
        if str(spec.get("sorting_method", "")).lower() == "predefined":
            spec.setdefault("upload_file_order", [p.name for p in files])
        url = f"/api/tasks/{task_id}/data/"
        reporter = pbar if pbar is not None else NullProgressReporter()
        progress = ThreadSafeProgress(reporter)
        reporter.start2(
            plan.total_size, desc="Uploading data", unit="B", unit_scale=True, unit_divisor=1024
        )
        try:
            self._post_marker(url, "Upload-Start")
            jobs: list[Any] = [
                (self._upload_batch, url, [files[i] for i in batch], spec, progress)
                for batch in plan.batches
            ]
            jobs += [
                (self._upload_separate, url, files[i], sizes[i], progress) for i in plan.separate
            ]
            self._run_parallel(jobs, config.max_parallel_uploads)
        finally:
            reporter.finish()
        return self._finish(url, None, spec)

    def _upload_batch(
        self, url: str, batch: list[Path], spec: Mapping[str, Any], progress: ThreadSafeProgress
    ) -> None:
        fields = {"image_quality": str(spec["image_quality"])} if "image_quality" in spec else {}
        opened: list[_ProgressFile] = []
        try:
            parts: list[Any] = []
            for index, path in enumerate(batch):
                handle = _ProgressFile(path.open("rb"), _Mark(progress), self._abort)
                opened.append(handle)
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                parts.append((f"client_files[{index}]", (path.name, handle, kind)))
            response = self._send(
                "POST", url, headers={"Upload-Multiple": ""}, post_params=[*fields.items(), *parts]
            )
            if response.status_code != 200:
                raise exception_for_response(response)
        finally:
            for handle in opened:
                handle.close()

    def _upload_separate(
        self, url: str, path: Path, size: int, progress: ThreadSafeProgress
    ) -> None:
        self._tus_upload(
            url, path, size, meta={"filename": path.name}, query_params=None, mark=_Mark(progress)
        )

    def _run_parallel(self, jobs: list[Any], workers: int) -> None:
        if len(jobs) <= 1 or workers <= 1:
            for fn, *args in jobs:
                fn(*args)
            return
        executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=min(workers, len(jobs)), thread_name_prefix="cvat-upload"
        )
        futures = [executor.submit(fn, *args) for fn, *args in jobs]
        try:
            concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_EXCEPTION)
            for future in futures:
                if future.done() and not future.cancelled():
                    error = future.exception()
                    if error is not None and not isinstance(error, UploadAborted):
                        raise error
        except BaseException:
            self._abort.set()
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def _size_of(path: Path) -> int:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise FileNotFoundError(f"No such file: {path}") from None
    if not path.is_file():
        raise ApiValueError(f"Not a regular file: {path}")
    return stat.st_size


def _check_unique_names(files: Sequence[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in files:
        other = seen.setdefault(path.name, path)
        if other is not path:
            raise ApiValueError(
                f"Two files are named {path.name!r} ({other} and {path}); CVAT stores uploaded "
                "files by name, so rename one of them"
            )


def _format_query(
    format_name: str, conv_mask_to_poly: bool | None, import_mode: str | None = None
) -> dict[str, Any]:
    query: dict[str, Any] = {"format": format_name}
    if conv_mask_to_poly is not None:
        query["conv_mask_to_poly"] = conv_mask_to_poly
    if import_mode is not None:
        query["import_mode"] = import_mode
    return query


class AnnotationUploader(Uploader):
    """cvat-sdk's annotation import: upload a file to an ``.../annotations/`` operation
    and wait for the server to import it. The entities' ``import_annotations`` is the
    usual way."""

    def upload_file_and_wait(  # type: ignore[override]  # cvat-sdk's signature
        self,
        endpoint: Endpoint,
        filename: Path,
        format_name: str,
        *,
        conv_mask_to_poly: bool | None = None,
        import_mode: str | None = None,
        url_params: dict[str, Any] | None = None,
        pbar: ProgressReporter | None = None,
        status_check_period: float | None = None,
    ) -> models.Request:
        """Import ``filename`` in ``format_name`` through ``endpoint`` (e.g.
        ``task.api.create_annotations_endpoint`` with ``url_params={"id": task.id}``)."""
        path = Path(filename)
        if not path.is_file():
            raise FileNotFoundError(f"No such file: {path}")
        return super().upload_file_and_wait(
            endpoint.path.format(**(url_params or {})),
            path,
            query_params=_format_query(format_name, conv_mask_to_poly, import_mode),
            pbar=pbar,
            status_check_period=status_check_period,
        )


class DatasetUploader(Uploader):
    """cvat-sdk's dataset import: upload a dataset file to a ``.../dataset/`` operation
    and wait for the server to import it. ``project.import_dataset`` is the usual way."""

    def upload_file_and_wait(  # type: ignore[override]  # cvat-sdk's signature
        self,
        upload_endpoint: Endpoint,
        filename: Path,
        format_name: str,
        *,
        url_params: dict[str, Any] | None = None,
        conv_mask_to_poly: bool | None = None,
        pbar: ProgressReporter | None = None,
        status_check_period: float | None = None,
    ) -> models.Request:
        """Import ``filename`` in ``format_name`` through ``upload_endpoint`` (e.g.
        ``project.api.create_dataset_endpoint`` with ``url_params={"id": project.id}``)."""
        path = Path(filename)
        if not path.is_file():
            raise FileNotFoundError(f"No such file: {path}")
        return super().upload_file_and_wait(
            upload_endpoint.path.format(**(url_params or {})),
            path,
            query_params=_format_query(format_name, conv_mask_to_poly),
            pbar=pbar,
            status_check_period=status_check_period,
        )
