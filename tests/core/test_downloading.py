"""Downloads: temporary file and rename, Range resume, restarts, failures leaving no file."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client import Config, make_client
from cvat_client.core._protocol.download import DownloadState, ResumeAction, parse_content_range
from cvat_client.core.downloading import Downloader, server_file_name
from cvat_client.core.exceptions import (
    BackgroundRequestException,
    DownloadError,
    NotFoundException,
)
from cvat_client.testing import CvatTestServer

DATA = bytes(range(256)) * 64  # 16 KiB


# --- pure protocol ------------------------------------------------------------------------


def test_content_range_parsing() -> None:
    assert parse_content_range("bytes 10-19/100") == (10, 19, 100)
    assert parse_content_range("bytes 0-9/*") == (0, 9, None)
    assert parse_content_range("items 1-2/3") is None
    assert parse_content_range(None) is None


def test_download_state_decisions() -> None:
    state = DownloadState(max_attempts=2)
    assert state.start_attempt()
    assert state.range_header() is None
    assert state.on_response(200, None, "100") is ResumeAction.RESTART
    assert state.total == 100
    state.add(40)
    assert state.range_header() == "bytes=40-"
    assert state.on_response(206, "bytes 40-99/100", "60") is ResumeAction.APPEND
    assert state.on_response(206, "bytes 0-99/100", "100") is ResumeAction.FAIL
    assert state.on_response(200, None, "100") is ResumeAction.RESTART
    assert state.received == 0
    assert state.start_attempt()
    assert not state.start_attempt()


def test_server_file_name() -> None:
    assert server_file_name('attachment; filename="task_1 coco 1.0.zip"') == "task_1 coco 1.0.zip"
    assert server_file_name('attachment; filename="../../etc/passwd"') == "passwd"
    assert server_file_name('attachment; filename=".hidden"') is None
    assert server_file_name('attachment; filename="a/b/c.zip"') == "c.zip"
    assert server_file_name('attachment; filename="C:\\\\dir\\\\f.zip"') == "f.zip"
    assert server_file_name('attachment; filename=" spaced.zip "') == "spaced.zip"
    longest = "n" * 250 + ".zip"
    assert server_file_name(f'attachment; filename="{longest}"') == longest  # 254
    assert server_file_name(f'attachment; filename="n{longest}"') is None
    assert server_file_name('attachment; filename="dir/"') is None
    assert server_file_name(None) is None


# --- with a scripted server ---------------------------------------------------------------


class _Cut(httpx.SyncByteStream):
    """A body that delivers ``data`` and then fails as a dropped connection would."""

    def __init__(self, data: bytes, error: Exception | None) -> None:
        self.data = data
        self.error = error

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), 1024):
            yield self.data[start : start + 1024]
        if self.error is not None:
            raise self.error


Responder = Callable[[int, httpx.Request], httpx.Response]


def _scripted(responder: Responder, **config: Any) -> tuple[Any, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responder(len(seen), request)

    client = make_client(
        "http://cvat.test",
        transport=httpx.MockTransport(handle),
        check_server_version=False,
        config=Config(status_check_period=0.01, **config),
    )
    client._retry.sleep = lambda _: None
    return client, seen


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_cut_download_resumes_with_range(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if n == 1:
            return httpx.Response(
                200,
                headers={"content-length": str(len(DATA))},
                stream=_Cut(DATA[:5000], httpx.ReadError("reset")),
            )
        start = int(request.headers["range"].split("=")[1].rstrip("-"))
        body = DATA[start:]
        return httpx.Response(
            206,
            headers={
                "content-length": str(len(body)),
                "content-range": f"bytes {start}-{len(DATA) - 1}/{len(DATA)}",
            },
            content=body,
        )

    client, seen = _scripted(respond)
    with client:
        out = Downloader(client).download_file("/api/x/download", tmp_path / "f.bin")
    assert out == tmp_path / "f.bin"
    assert out.read_bytes() == DATA
    assert [r.headers.get("range") for r in seen] == [None, "bytes=5000-"]
    assert all(r.headers["accept-encoding"] == "identity" for r in seen)
    assert _files(tmp_path) == ["f.bin"]


def test_server_ignoring_range_restarts_cleanly(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if n == 1:
            return httpx.Response(
                200,
                headers={"content-length": str(len(DATA))},
                stream=_Cut(DATA[:3000], httpx.RemoteProtocolError("peer closed")),
            )
        return httpx.Response(200, content=DATA)

    client, seen = _scripted(respond)
    with client:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert (tmp_path / "f.bin").read_bytes() == DATA
    assert seen[1].headers["range"] == "bytes=3000-"


def test_short_body_without_error_is_resumed(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if n == 1:  # the connection closes early but cleanly
            return httpx.Response(
                200, headers={"content-length": str(len(DATA))}, stream=_Cut(DATA[:2048], None)
            )
        return httpx.Response(
            206,
            headers={"content-range": f"bytes 2048-{len(DATA) - 1}/{len(DATA)}"},
            content=DATA[2048:],
        )

    client, _ = _scripted(respond)
    with client:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert (tmp_path / "f.bin").read_bytes() == DATA


def test_wrong_range_answer_fails_without_leftovers(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if n == 1:
            return httpx.Response(
                200,
                headers={"content-length": str(len(DATA))},
                stream=_Cut(DATA[:2048], httpx.ReadError("reset")),
            )
        return httpx.Response(206, headers={"content-range": "bytes 0-9/100"}, content=b"x" * 10)

    client, _ = _scripted(respond)
    (tmp_path / "f.bin").write_bytes(b"previous")
    with client, pytest.raises(DownloadError, match="unexpected range"):
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert _files(tmp_path) == ["f.bin"]
    assert (tmp_path / "f.bin").read_bytes() == b"previous"


def test_attempts_are_bounded(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-length": str(len(DATA))},
            stream=_Cut(b"", httpx.ReadError("reset")),
        )

    client, seen = _scripted(respond, download_attempts=3)
    with client, pytest.raises(DownloadError, match="after 3 attempts") as info:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert "Check the connection" in str(info.value)
    assert len(seen) == 3
    assert _files(tmp_path) == []


def test_timeout_and_404_leave_nothing(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/missing":
            return httpx.Response(404, json={"detail": "Not found."})
        if n == 2:
            raise httpx.ReadTimeout("slow")
        return httpx.Response(
            200,
            headers={"content-length": str(len(DATA))},
            stream=_Cut(DATA[:1024], httpx.ReadTimeout("slow")),
        )

    client, seen = _scripted(respond)
    with client:
        with pytest.raises(DownloadError, match="timed out"):
            Downloader(client).download_file("/api/x", tmp_path / "a.bin", timeout=0.5)
        with pytest.raises(DownloadError, match="timed out"):
            Downloader(client).download_file("/api/x", tmp_path / "b.bin")
        with pytest.raises(NotFoundException, match="Not found"):
            Downloader(client).download_file("/api/missing", tmp_path / "c.bin")
    assert seen[0].extensions["timeout"]["read"] == 0.5
    assert _files(tmp_path) == []


def test_interrupt_removes_temporary_file(tmp_path: Path) -> None:
    class Stop(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b"x" * 100
            raise KeyboardInterrupt

    client, _ = _scripted(lambda n, r: httpx.Response(200, stream=Stop()))
    with client, pytest.raises(KeyboardInterrupt):
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert _files(tmp_path) == []


def test_directory_target_uses_server_name(tmp_path: Path) -> None:
    client, _ = _scripted(
        lambda n, r: httpx.Response(
            200,
            headers={"content-disposition": 'attachment; filename="task_1 coco 1.0.zip"'},
            content=DATA,
        )
    )
    with client:
        out = Downloader(client).download_file("/api/x", tmp_path)
    assert out == tmp_path / "task_1 coco 1.0.zip"
    assert out.read_bytes() == DATA
    assert _files(tmp_path) == ["task_1 coco 1.0.zip"]


def _export_script(first_status: int, final: dict[str, Any]) -> Responder:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/dataset/export"):
            return httpx.Response(first_status, json={"rq_id": "rq-1"})
        if path.startswith("/api/requests/"):
            body = {
                "id": "rq-1",
                "status": "started" if n < 3 else final["status"],
                "operation": {"type": "export:dataset", "target": "task"},
                "created_date": "2026-01-01T00:00:00Z",
                "message": final.get("message", ""),
                "result_url": final.get("result_url"),
            }
            return httpx.Response(
                200, content=json.dumps(body), headers={"content-type": "application/vnd.cvat+json"}
            )
        if path.endswith("/download"):
            return httpx.Response(200, content=DATA)
        return httpx.Response(404)

    return respond


@pytest.mark.parametrize("status", [202, 409])
def test_prepare_and_download(tmp_path: Path, status: int) -> None:
    script = _export_script(
        status,
        {
            "status": "finished",
            "result_url": "http://internal:8080/api/tasks/1/dataset/download?rq_id=rq-1",
        },
    )
    client, seen = _scripted(script)
    client._sleep = lambda _: None
    with client:
        out = Downloader(client).prepare_and_download_file_from_endpoint(
            client.api_client.tasks_api.create_dataset_export_endpoint,
            tmp_path / "out.zip",
            url_params={"id": 1},
            query_params={"format": "COCO 1.0", "save_images": False},
        )
    assert out.read_bytes() == DATA
    download = seen[-1]
    assert str(download.url) == "http://cvat.test/api/tasks/1/dataset/download?rq_id=rq-1"
    assert seen[0].url.params["format"] == "COCO 1.0"


def test_failed_export_leaves_nothing(tmp_path: Path) -> None:
    client, _ = _scripted(_export_script(202, {"status": "failed", "message": "disk full"}))
    client._sleep = lambda _: None
    with client, pytest.raises(BackgroundRequestException, match="disk full"):
        Downloader(client).prepare_and_download_file_from_endpoint(
            client.api_client.tasks_api.create_dataset_export_endpoint,
            tmp_path / "out.zip",
            url_params={"id": 1},
            query_params={"format": "COCO 1.0"},
        )
    assert _files(tmp_path) == []


# --- over loopback HTTP against the test server -------------------------------------------


def test_export_download_cut_over_http_resumes(
    cvat_server: CvatTestServer, cvat_live_server: Any, images: list[Path], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with make_client(
        cvat_live_server.url,
        credentials=("admin", "admin"),
        config=Config(status_check_period=0.01),
    ) as client:
        task = client.tasks.create_from_data(
            {"name": "t", "labels": [{"name": "car"}]}, images, data_params={"image_quality": 70}
        )
        rule = cvat_server.faults.add(r"/dataset/download$", method="GET", on=1, drop_after=700)
        seen: list[httpx.Request] = []
        client.api_client.client.event_hooks["request"] = [seen.append]
        out = Downloader(client).prepare_and_download_file_from_endpoint(
            client.api_client.tasks_api.create_dataset_export_endpoint,
            out_dir / "dataset.zip",
            url_params={"id": task.id},
            query_params={"format": "CVAT for images 1.1", "save_images": True},
        )
        assert rule.fired == 1
        ranges = [r.headers.get("range") for r in seen if r.url.path.endswith("/download")]
        assert ranges[0] is None
        assert ranges[1] is not None and ranges[1].startswith("bytes=")
        assert int(ranges[1][6:-1]) > 0
        with zipfile.ZipFile(out) as archive:
            assert archive.testzip() is None
            assert "annotations.xml" in archive.namelist()
        # The same file downloaded in one go is byte-identical.
        whole = Downloader(client).download_file(
            client.requests.list()[0].result_url, tmp_path / "again.zip"
        )
        assert whole.read_bytes() == out.read_bytes()
    assert _files(out_dir) == ["dataset.zip"]


def test_downloaded_files_get_the_usual_permissions(tmp_path: Path) -> None:
    """Finished files follow the umask like any new file (not the 0600 of mkstemp)."""
    import os

    from cvat_client.core._files import atomic_write

    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "out.bin") as out:
            out.write(b"data")
    finally:
        os.umask(old)
    assert (tmp_path / "out.bin").read_bytes() == b"data"
    assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
