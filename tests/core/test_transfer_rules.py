"""Transfer rules no other test pins: each test here fails when its rule is broken.

* the TUS failure counter counts consecutive failures: progress resets it;
* a read timeout on a ``PATCH`` resumes from the offset ``HEAD`` reports;
* a ``HEAD`` answer without ``Upload-Offset`` is an error, never a restart at 0;
* a 401 from another host (a presigned storage URL) is not a cue to log in again;
* a content-encoded download that drops is started over, never resumed with ``Range``;
* control characters never get into a file name the server gives.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client import Config, make_client
from cvat_client.core.downloading import Downloader, server_file_name
from cvat_client.core.exceptions import UnauthorizedException, UploadError
from cvat_client.core.progress import BaseProgressReporter
from cvat_client.core.uploading import Uploader
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport

from ._transfer_support import Interceptor, truncated, uploaded_files

CHUNK = 16 * 1024


def _client(transport: httpx.BaseTransport, **config: Any) -> Any:
    client = make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        transport=transport,
        config=Config(status_check_period=0.01, upload_chunk_size=CHUNK, **config),
    )
    client._sleep = lambda _: None
    client._retry.sleep = lambda _: None
    return client


def _tus_upload(client: Any, path: Path) -> str:
    task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
    url = f"/api/tasks/{task.id}/data/"
    uploader = Uploader(client)
    uploader._post_marker(url, "Upload-Start")
    return uploader.upload_file(url, path, meta={"filename": path.name})


def _payload(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "payload.bin"
    path.write_bytes(os.urandom(size))
    return path


# --- uploads ------------------------------------------------------------------------------


@pytest.mark.parametrize("progress_seen_by", ["PATCH", "HEAD"])
def test_progress_resets_the_failure_count(
    cvat_server: CvatTestServer, tmp_path: Path, progress_seen_by: str
) -> None:
    """Six failures in all, never two in a row, with ``retries=1``: the upload completes."""
    path = _payload(tmp_path, 3 * CHUNK)
    inner = ASGIBridgeTransport(cvat_server.app)
    failed_at: set[str] = set()

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method != "PATCH":
            return None
        offset = request.headers["upload-offset"]
        if progress_seen_by == "PATCH":
            # the first attempt at each offset is lost; the second one succeeds
            if offset in failed_at:
                return None
            failed_at.add(offset)
            raise httpx.WriteError("broken pipe")
        # every PATCH delivers half its chunk and drops: only HEAD sees the progress
        size = int(request.headers["content-length"])
        inner.handle_request(truncated(request, max(1, size // 2))).read()
        raise httpx.ReadError("connection reset by peer")

    spy = Interceptor(inner, hook)
    with _client(spy, retries=1) as client:
        name = _tus_upload(client, path)
    assert uploaded_files(cvat_server)[name].read_bytes() == path.read_bytes()
    assert spy.count("HEAD") >= 3  # more failures in all than retries allows in a row


def test_two_failures_in_a_row_without_progress_give_up(
    cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    """The counterpart: without progress between them, ``retries + 1`` failures end it."""
    path = _payload(tmp_path, 3 * CHUNK)

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH" and request.headers["upload-offset"] == str(CHUNK):
            raise httpx.WriteError("broken pipe")
        return None

    spy = Interceptor(ASGIBridgeTransport(cvat_server.app), hook)
    with _client(spy, retries=1) as client, pytest.raises(UploadError, match="2 times in a row"):
        _tus_upload(client, path)


@pytest.mark.parametrize("arrived", [0, CHUNK // 2, CHUNK])
def test_read_timeout_on_patch_resumes(
    cvat_server: CvatTestServer, tmp_path: Path, arrived: int
) -> None:
    path = _payload(tmp_path, 3 * CHUNK)
    inner = ASGIBridgeTransport(cvat_server.app)
    state = {"patches": 0}

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method != "PATCH":
            return None
        state["patches"] += 1
        if state["patches"] != 2:
            return None
        if arrived:
            inner.handle_request(truncated(request, arrived)).read()
        raise httpx.ReadTimeout("timed out waiting for the answer")

    spy = Interceptor(inner, hook)
    with _client(spy) as client:
        name = _tus_upload(client, path)
    assert uploaded_files(cvat_server)[name].read_bytes() == path.read_bytes()
    offsets = [int(h["upload-offset"]) for m, _, h in spy.seen if m == "PATCH"]
    assert spy.count("HEAD") == 1
    assert offsets[2] == CHUNK + arrived


def test_head_without_upload_offset_is_an_error(
    cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    path = _payload(tmp_path, 3 * CHUNK)

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH" and request.headers["upload-offset"] == str(CHUNK):
            raise httpx.WriteError("broken pipe")
        if request.method == "HEAD":
            return httpx.Response(200, headers={"tus-resumable": "1.0.0"})
        return None

    spy = Interceptor(ASGIBridgeTransport(cvat_server.app), hook)
    with _client(spy) as client, pytest.raises(UploadError, match="has no Upload-Offset"):
        _tus_upload(client, path)
    # nothing was sent again from the start
    offsets = [h["upload-offset"] for m, _, h in spy.seen if m == "PATCH"]
    assert offsets == ["0", str(CHUNK)]


# --- sessions and foreign hosts -----------------------------------------------------------


def test_401_from_another_host_does_not_log_in_again(
    cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    inner = ASGIBridgeTransport(cvat_server.app)

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.url.host == "storage.test":
            return httpx.Response(401, json={"detail": "signature expired"})
        return None

    spy = Interceptor(inner, hook)
    with _client(spy) as client:
        assert spy.count("POST", "/api/auth/login") == 1
        # control: an expired session on the own server is renewed once
        cvat_server.store.sessions.clear()
        client.projects.list()
        assert spy.count("POST", "/api/auth/login") == 2
        with pytest.raises(UnauthorizedException):
            Downloader(client).download_file("http://storage.test/file.zip", tmp_path / "f.zip")
        assert spy.count("POST", "/api/auth/login") == 2
        assert sum(1 for r in spy.requests if r.url.host == "storage.test") == 1
    assert not list(tmp_path.iterdir())


# --- downloads ----------------------------------------------------------------------------


class _Cut(httpx.SyncByteStream):
    def __init__(self, data: bytes, cut: int) -> None:
        self.data, self.cut = data, cut

    def __iter__(self) -> Iterator[bytes]:
        yield self.data[: self.cut]
        raise httpx.ReadError("reset")


def test_encoded_download_restarts_instead_of_resuming(tmp_path: Path) -> None:
    data = os.urandom(20000)
    packed = gzip.compress(data)
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        headers = {"content-encoding": "gzip", "content-length": str(len(packed))}
        if len(seen) == 1:
            return httpx.Response(200, headers=headers, stream=_Cut(packed, len(packed) // 2))
        if "range" in request.headers:  # a server that would honour it
            start = int(request.headers["range"].split("=")[1].rstrip("-"))
            return httpx.Response(
                206,
                headers={**headers, "content-range": f"bytes {start}-{len(packed) - 1}/*"},
                content=packed[start:],
            )
        return httpx.Response(200, headers=headers, content=packed)

    client = make_client(
        "http://cvat.test", transport=httpx.MockTransport(handle), check_server_version=False
    )
    client._retry.sleep = lambda _: None
    with client:
        out = Downloader(client).download_file("/api/x/download", tmp_path / "f.bin")
    assert out.read_bytes() == data
    assert [r.headers.get("range") for r in seen] == [None, None]


@pytest.mark.parametrize(
    "header",
    [
        'attachment; filename="a\x07b.zip"',
        'attachment; filename="a\x7fb.zip"',
        "attachment; filename*=UTF-8''a%0Ab.zip",
        "attachment; filename*=UTF-8''a%1Bb.zip",
        "attachment; filename*=UTF-8''a%C2%85b.zip",
        "attachment; filename*=UTF-8''a%C2%9Bb.zip",
    ],
)
def test_control_characters_never_reach_a_file_name(header: str) -> None:
    # the name is refused: the download keeps the name the caller chose
    assert server_file_name(header) is None
    assert server_file_name("attachment; filename*=UTF-8''%C3%A9t%C3%A9.zip") == "été.zip"


# --- progress -----------------------------------------------------------------------------


class _Progress(BaseProgressReporter):
    def __init__(self) -> None:
        super().__init__()
        self.runs: list[tuple[int, dict[str, Any]]] = []
        self.done: list[int] = []

    def _begin(self, total: int, options: dict[str, Any]) -> None:
        self.runs.append((total, options))

    def finish(self) -> None:
        self.done.append(self.progress)
        super().finish()


def test_transfers_report_bytes_to_the_given_reporter(
    cvat_server: CvatTestServer, tmp_path: Path, images: list[Path]
) -> None:
    path = _payload(tmp_path, 2 * CHUNK + 5)
    with _client(ASGIBridgeTransport(cvat_server.app)) as client:
        task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
        url = f"/api/tasks/{task.id}/data/"
        uploader = Uploader(client)
        uploader._post_marker(url, "Upload-Start")
        sent = _Progress()
        uploader.upload_file(url, path, meta={"filename": path.name}, pbar=sent)
        byte_options = {"unit": "B", "unit_scale": True, "unit_divisor": 1024}
        assert sent.runs == [
            (path.stat().st_size, {"desc": "Uploading payload.bin", **byte_options})
        ]
        assert sent.done == [path.stat().st_size]

        with_data = client.tasks.create_from_data(
            {"name": "d", "labels": [{"name": "a"}]}, resources=[str(p) for p in images]
        )
        backup = tmp_path / "backup.zip"
        with_data.download_backup(backup)
        got = _Progress()
        restored = uploader.upload_file_and_wait(
            "/api/tasks/backup/", backup, upload_id_param="filename", pbar=got
        )
        assert restored.status.value == "finished"
        assert [total for total, _ in got.runs] == [backup.stat().st_size]
        assert got.done == [backup.stat().st_size]

        export = client.api_client.tasks_api.create_dataset_export_endpoint
        fetched = _Progress()
        out = Downloader(client).prepare_and_download_file_from_endpoint(
            export,
            tmp_path / "coco.zip",
            url_params={"id": with_data.id},
            query_params={"format": "COCO 1.0", "save_images": False},
            pbar=fetched,
        )
        size = out.stat().st_size
        assert fetched.runs[0][0] == size
        assert fetched.runs[0][1]["desc"] == "Downloading coco.zip"
        assert fetched.done == [size]


def test_a_refused_connection_is_tried_again_by_the_downloader(tmp_path: Path) -> None:
    data = os.urandom(5000)
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, headers={"content-length": str(len(data))}, content=data)

    client = make_client(
        "http://cvat.test",
        transport=httpx.MockTransport(handle),
        check_server_version=False,
        config=Config(retries=0),  # the transport gives up at once: the downloader retries
    )
    with client:
        target = tmp_path / "new" / "nested" / "f.bin"  # missing folders are made
        out = Downloader(client).download_file("/api/x/download", target)
    assert out == target
    assert target.read_bytes() == data
    assert len(seen) == 2
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.bin"]
