"""Downloads: streamed to a temporary file, resumed with ``Range``, renamed when complete."""

from __future__ import annotations

import email.message
import os
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import httpx

from cvat_client._lowlevel.body import ERROR_BODY_LIMIT, read_capped
from cvat_client._lowlevel.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    exception_for_response,
)
from cvat_client.core._body_copy import copy_body
from cvat_client.core._files import open_temp_beside
from cvat_client.core._protocol.download import UNENCODED, DownloadState, ResumeAction
from cvat_client.core._protocol.urls import rebase_url
from cvat_client.core.exceptions import DownloadError
from cvat_client.core.progress import NullProgressReporter, ProgressReporter

if TYPE_CHECKING:
    from cvat_client._lowlevel.configuration import TimeoutTypes
    from cvat_client._lowlevel.endpoint import Endpoint
    from cvat_client.api_client import models
    from cvat_client.core.client import Client

__all__ = ["Downloader"]


class _Dropped(Exception):
    """The connection broke mid-body; resume."""


@dataclass(slots=True)
class _Run:
    """What one download learned: whether progress started, the server's file name."""

    started: bool = False
    server_name: str | None = None


class Downloader:
    """Downloads files from the server through a :class:`Client`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def download_file(
        self,
        url: str,
        output_path: Path,
        *,
        timeout: TimeoutTypes = None,
        pbar: ProgressReporter | None = None,
    ) -> Path:
        """Download ``url`` (a path or an absolute URL of the server) to ``output_path``;
        returns the path written.

        If ``output_path`` is an existing directory, the file gets the name the server
        gives (``Content-Disposition``) inside it. An existing file is replaced.

        The body is written to a temporary file beside the target and renamed into
        place only once complete: the target never holds a partial file, and the
        temporary file is removed on failure. A dropped connection is resumed with
        ``Range: bytes=N-`` (up to ``config.download_attempts`` attempts); when the
        server answers 200 instead of 206 the download starts over.

        Raises:
            NotFoundException (and the other HTTP errors): the server refused.
            DownloadError: the transfer could not be completed.
        """
        return self._download(url, output_path, timeout=timeout, pbar=pbar)

    def _download(
        self,
        url: str,
        output_path: Path,
        *,
        timeout: TimeoutTypes = None,
        pbar: ProgressReporter | None = None,
        fallback_name: str | None = None,
    ) -> Path:
        """:meth:`download_file`; into a directory, ``fallback_name`` (if given) names the
        file when the server gives no usable name."""
        target = Path(output_path)
        into_directory = target.is_dir()
        directory = target if into_directory else target.parent
        directory.mkdir(parents=True, exist_ok=True)
        reporter = pbar if pbar is not None else NullProgressReporter()
        file, temp = open_temp_beside(directory, target.name if not into_directory else "download")
        run = _Run()
        try:
            with file:
                self._fetch(url, file, target, timeout, reporter, run)
            if into_directory:
                name = run.server_name or fallback_name
                if name is None:
                    raise DownloadError(
                        f"The server gave no usable file name for {url}; pass a file path "
                        "instead of the directory"
                    )
                target = directory / name
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        finally:
            if run.started:
                reporter.finish()
        return target

    def _fetch(
        self,
        url: str,
        file: BinaryIO,
        target: Path,
        timeout: TimeoutTypes,
        reporter: ProgressReporter,
        run: _Run,
    ) -> None:
        state = DownloadState(max_attempts=self._client.config.download_attempts)
        full_url = rebase_url(url, self._client.host) if "://" in url else url
        last_error: BaseException | None = None
        while True:
            if not state.start_attempt():
                raise DownloadError(
                    f"Downloading {target.name} failed after {state.attempts} attempts "
                    f"({state.received} bytes received): {last_error}. Check the connection "
                    "and try again."
                ) from last_error
            headers = dict(UNENCODED)
            ranged = state.range_header()
            if ranged is not None:
                headers["Range"] = ranged
            try:
                _, response = self._client.api_client.call_api(
                    full_url,
                    "GET",
                    header_params=headers,
                    _stream=True,
                    _check_status=False,
                    _request_timeout=timeout,
                )
            except ApiConnectionError as exc:
                last_error = exc
                continue
            except ApiTimeoutError as exc:
                raise DownloadError(
                    f"Downloading {target.name} timed out: {exc}. Pass a longer timeout."
                ) from exc
            try:
                if response.status_code not in (200, 206):
                    read_capped(response, ERROR_BODY_LIMIT, truncate=True)
                    raise exception_for_response(response)
                said = dict(response.headers)  # names in lower case, values joined
                encoded = said.get("content-encoding", "").lower()
                # the length of an encoded body is not the length of the file it decodes to
                identity = encoded in ("", "identity")
                length = said.get("content-length") if identity else None
                action = state.on_response(response.status_code, said.get("content-range"), length)
                if action is ResumeAction.FAIL:
                    raise DownloadError(
                        f"The server answered a resumed download of {target.name} with an "
                        f"unexpected range ({said.get('content-range')!r})"
                    )
                if run.server_name is None:
                    run.server_name = server_file_name(said.get("content-disposition"))
                if not run.started:
                    reporter.start2(
                        state.total or 0,
                        desc=f"Downloading {target.name}",
                        unit="B",
                        unit_scale=True,
                        unit_divisor=1024,
                    )
                    run.started = True
                if action is ResumeAction.RESTART:
                    written = file.tell()
                    file.seek(0)
                    file.truncate()
                    if written:
                        # back to 0 with advance(): cvat-sdk's reporters need not
                        # implement report_status
                        reporter.advance(-written)
                self._copy(response, file, state, reporter, self._stall_rule(target))
            except _Dropped as exc:
                last_error = exc.__cause__ or exc
                if not identity:
                    state.received = 0  # byte ranges of an encoded body cannot be resumed
                continue
            finally:
                response.close()
            if state.total is not None and state.received < state.total:
                last_error = DownloadError(
                    f"the connection closed after {state.received} of {state.total} bytes"
                )
                continue
            file.flush()
            return

    def _stall_rule(self, target: Path) -> _StallRule:
        config = self._client.config
        return _StallRule(target.name, config.transfer_stall_timeout, config.transfer_stall_bytes)

    @staticmethod
    def _copy(
        response: httpx.Response,
        file: BinaryIO,
        state: DownloadState,
        reporter: ProgressReporter,
        stall: _StallRule,
    ) -> None:
        def written(size: int) -> None:
            state.add(size)
            reporter.advance(size)
            stall.check(size)

        try:
            copy_body(response, file, written)
        except httpx.TimeoutException as exc:
            raise DownloadError(f"The download timed out: {exc}. Pass a longer timeout.") from exc
        except httpx.TransportError as exc:
            raise _Dropped from exc  # the cause is what is reported

    def prepare_file(
        self,
        endpoint: Endpoint,
        *,
        url_params: dict[str, Any] | None = None,
        query_params: dict[str, Any] | None = None,
        status_check_period: float | None = None,
    ) -> models.Request:
        """Start an export (``endpoint``, e.g. ``tasks_api.create_dataset_export_endpoint``)
        and wait until it is ready; returns the finished request (with ``result_url``).

        An export already running (409) is waited for, not started again.
        """
        _, response = endpoint(**(url_params or {}), **(query_params or {}), _check_status=False)
        rq_id = _rq_id(response)
        return self._client.wait_for_request(rq_id, status_check_period=status_check_period)

    def prepare_and_download_file_from_endpoint(
        self,
        endpoint: Endpoint,
        filename: Path,
        *,
        url_params: dict[str, Any] | None = None,
        query_params: dict[str, Any] | None = None,
        pbar: ProgressReporter | None = None,
        status_check_period: float | None = None,
    ) -> Path:
        """Export, wait, and download the result to ``filename``; returns the path.

        Raises:
            BadRequestException: the server refused the export (e.g. an unknown format).
            BackgroundRequestException: the export failed on the server.
            DownloadError: the result could not be downloaded (no file is left behind).
        """
        request = self.prepare_file(
            endpoint,
            url_params=url_params,
            query_params=query_params,
            status_check_period=status_check_period,
        )
        result_url = request.result_url
        if not isinstance(result_url, str) or not result_url:
            raise DownloadError(
                f"The export {request.id!r} finished without a result_url; it was probably "
                "written to a cloud storage (see the target storage of the resource)"
            )
        return self.download_file(result_url, Path(filename), pbar=pbar)


class _StallRule:
    """Fails a transfer that moved fewer than ``min_bytes`` in ``seconds`` (a slow drip
    that never trips the per-read timeout)."""

    def __init__(self, name: str, seconds: float, min_bytes: int) -> None:
        self._name = name
        self._seconds = seconds
        self._min_bytes = min_bytes
        self._window_start = time.monotonic()
        self._window_bytes = 0

    def check(self, received: int) -> None:
        self._window_bytes += received
        if self._window_bytes >= self._min_bytes:
            self._window_start = time.monotonic()
            self._window_bytes = 0
            return
        if time.monotonic() - self._window_start >= self._seconds:
            raise DownloadError(
                f"Downloading {self._name} stalled: fewer than {self._min_bytes} bytes arrived "
                f"in {self._seconds:g} s (Config.transfer_stall_timeout); no partial file was "
                "kept. Check the connection and try again."
            )


_DISPOSITION = "content-disposition"


def server_file_name(content_disposition: str | None) -> str | None:
    """The file name of a ``Content-Disposition`` header, if safe to use as a local name."""
    if not content_disposition:
        return None
    message = email.message.Message()
    message[_DISPOSITION] = content_disposition
    name = message.get_filename()
    if not name:
        return None
    name = name.replace("\\", "/").rpartition("/")[2].strip()  # the last part of a path
    if (
        not name
        or name.startswith(".")
        or len(name) > 254
        or any(unicodedata.category(c) == "Cc" for c in name)  # C0, DEL and C1 controls
    ):
        return None
    return name


def _rq_id(response: httpx.Response) -> str:
    """The id of the background request an export answer names; a 409 names the same
    export already running (it is waited for)."""
    rq_id = _json_object(response).get("rq_id")
    if response.status_code == 409 and isinstance(rq_id, str):
        return rq_id
    if not response.is_success:
        raise exception_for_response(response)
    if not isinstance(rq_id, str) or not rq_id:
        raise ApiValueError(
            f"The server answered the export with no request id ({response.status_code})"
        )
    return rq_id


def _json_object(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an answer; ``{}`` for anything else (an error's list of
    messages, no body)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
