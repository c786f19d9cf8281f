"""Uploads: the protocol state, TUS with resume, Upload-Multiple batches, parallelism, aborts."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client import Config, make_client
from cvat_client.core._protocol.tus import (
    UploadState,
    encode_metadata,
    parse_offset,
    plan_data_upload,
)
from cvat_client.core.exceptions import (
    ApiValueError,
    BackgroundRequestException,
    BadRequestException,
    UploadError,
)
from cvat_client.core.progress import BaseProgressReporter
from cvat_client.core.uploading import DataUploader, FileSliceStream, Uploader
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport

from ._transfer_support import Interceptor, truncated, uploaded_files

CHUNK = 64 * 1024


# --- pure protocol ------------------------------------------------------------------------


def test_metadata_encoding() -> None:
    assert encode_metadata({"filename": "a b.zip", "filetype": "x"}) == (
        "filename YSBiLnppcA==,filetype eA=="
    )
    with pytest.raises(ValueError, match="key"):
        encode_metadata({"bad key": "v"})
    assert parse_offset("42") == 42
    assert parse_offset(None) is None
    assert parse_offset("x") is None


def test_upload_state_walks_and_resumes() -> None:
    state = UploadState(length=250, chunk_size=100)
    assert state.next_chunk() == (0, 100)
    state.confirm(100, 100)
    assert state.next_chunk() == (100, 100)
    assert state.fail() == 1
    assert state.fail() == 2
    state.resume_at(150)  # the server kept half of the failed chunk
    assert state.failures == 0
    assert state.next_chunk() == (150, 100)
    state.confirm(None, 100)
    assert state.next_chunk() == (250 - 0, 0) or state.complete
    assert state.complete
    with pytest.raises(ValueError, match="offset"):
        UploadState(length=10, chunk_size=4).resume_at(11)
    with pytest.raises(ValueError, match="reported offset"):
        UploadState(length=10, chunk_size=4, offset=5).confirm(3, 4)
    with pytest.raises(ValueError, match="chunk size"):
        UploadState(length=10, chunk_size=0)


def test_plan_keeps_order_and_bounds_batches() -> None:
    plan = plan_data_upload([10, 10, 500, 10, 90, 10], tus_threshold=100, batch_size=30)
    assert plan.separate == (2,)
    assert plan.batches == ((0, 1, 3), (4,), (5,))
    assert plan.total_size == 630
    plan = plan_data_upload([1] * 5, tus_threshold=100, batch_size=100, max_batch_files=2)
    assert plan.batches == ((0, 1), (2, 3), (4,))
    with pytest.raises(ValueError, match="positive"):
        plan_data_upload([1], tus_threshold=0, batch_size=1)


def test_file_slice_is_replayable(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(range(256)) * 10)
    stream = FileSliceStream(path, 100, 1000)
    first = b"".join(stream)
    assert first == path.read_bytes()[100:1100]
    assert b"".join(stream) == first
    path.write_bytes(b"short")
    with pytest.raises(UploadError, match="shorter"):
        b"".join(FileSliceStream(path, 0, 100))


# --- against the test server --------------------------------------------------------------


def _payload(tmp_path: Path, size: int, name: str = "payload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def _client(server: CvatTestServer, transport: httpx.BaseTransport, **config: Any) -> Any:
    return make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        transport=transport,
        config=Config(
            status_check_period=0.01, upload_chunk_size=CHUNK, upload_batch_size=CHUNK, **config
        ),
    )


def _no_sleep(client: Any) -> list[float]:
    slept: list[float] = []
    client._sleep = slept.append
    client._retry.sleep = slept.append
    return slept


def _tus_upload(client: Any, path: Path) -> str:
    task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
    url = f"/api/tasks/{task.id}/data/"
    uploader = Uploader(client)
    uploader._post_marker(url, "Upload-Start")
    return uploader.upload_file(url, path, meta={"filename": path.name})


def test_tus_upload_in_chunks(cvat_server: CvatTestServer, tmp_path: Path) -> None:
    path = _payload(tmp_path, 5 * CHUNK + 123)
    spy = Interceptor(ASGIBridgeTransport(cvat_server.app))
    with _client(cvat_server, spy) as client:
        name = _tus_upload(client, path)
    assert name == path.name
    assert uploaded_files(cvat_server)[name].read_bytes() == path.read_bytes()
    patches = [h for m, _, h in spy.seen if m == "PATCH"]
    assert [int(h["upload-offset"]) for h in patches] == [i * CHUNK for i in range(6)]
    assert all(h["content-type"] == "application/offset+octet-stream" for h in patches)
    create = next(h for m, p, h in spy.seen if m == "POST" and "upload-length" in h)
    assert create["tus-resumable"] == "1.0.0"
    assert int(create["upload-length"]) == path.stat().st_size


def test_tus_chunks_go_through_rest_client_and_honour_tus_chunk_size(
    cvat_server: CvatTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in cvat-sdk: every TUS request goes through ``api_client.rest_client.request``
    (patching the class sees them) and lowering ``uploading.TUS_CHUNK_SIZE`` gives smaller
    chunks than the configured size."""
    from cvat_client.api_client.rest import RESTClientObject

    monkeypatch.setattr("cvat_client.core.uploading.TUS_CHUNK_SIZE", CHUNK // 2)
    original = RESTClientObject.request
    offsets: list[int] = []

    def counting(self: Any, method: str, *args: Any, headers: Any, **kwargs: Any) -> Any:
        if method.upper() == "PATCH" and "Upload-Offset" in headers:
            offsets.append(int(headers["Upload-Offset"]))
        return original(self, method, *args, headers=headers, **kwargs)

    monkeypatch.setattr(RESTClientObject, "request", counting)
    path = _payload(tmp_path, 2 * CHUNK + 5)
    with _client(cvat_server, ASGIBridgeTransport(cvat_server.app)) as client:
        name = _tus_upload(client, path)
    assert uploaded_files(cvat_server)[name].read_bytes() == path.read_bytes()
    assert offsets == [i * (CHUNK // 2) for i in range(5)]


@pytest.mark.parametrize("kind", ["half-arrived", "lost-before", "lost-answer", "503", "409"])
def test_chunk_failure_resumes_from_server_offset(
    cvat_server: CvatTestServer, tmp_path: Path, kind: str
) -> None:
    path = _payload(tmp_path, 4 * CHUNK + 7)
    inner = ASGIBridgeTransport(cvat_server.app)
    state = {"patches": 0}

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method != "PATCH":
            return None
        state["patches"] += 1
        if state["patches"] != 2:
            return None
        if kind == "half-arrived":  # half the chunk reaches the server, then the line drops
            inner.handle_request(truncated(request, CHUNK // 2)).read()
            raise httpx.ReadError("connection reset by peer")
        if kind == "lost-before":
            raise httpx.WriteError("broken pipe")
        if kind == "lost-answer":  # the whole chunk arrives, its answer does not
            inner.handle_request(request).read()
            raise httpx.RemoteProtocolError("server disconnected")
        if kind == "503":
            return httpx.Response(503, headers={"retry-after": "2"})
        return httpx.Response(409)

    spy = Interceptor(inner, hook)
    with _client(cvat_server, spy) as client:
        slept = _no_sleep(client)
        name = _tus_upload(client, path)
    assert uploaded_files(cvat_server)[name].read_bytes() == path.read_bytes()
    assert spy.count("HEAD") == 1
    assert len(slept) == 1
    if kind == "503":
        assert slept == [2.0]
    offsets = [int(h["upload-offset"]) for m, _, h in spy.seen if m == "PATCH"]
    resumed_at = offsets[2]
    expected = {"half-arrived": CHUNK + CHUNK // 2, "lost-answer": 2 * CHUNK}.get(kind, CHUNK)
    assert resumed_at == expected


def test_lost_answer_to_last_chunk_counts_as_done(
    cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    path = _payload(tmp_path, 2 * CHUNK)
    inner = ASGIBridgeTransport(cvat_server.app)

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH" and request.headers["upload-offset"] == str(CHUNK):
            inner.handle_request(request).read()
            raise httpx.ReadError("reset")
        return None

    spy = Interceptor(inner, hook)
    with _client(cvat_server, spy) as client:
        _no_sleep(client)
        name = _tus_upload(client, path)
    assert uploaded_files(cvat_server)[name].read_bytes() == path.read_bytes()


def test_persistent_failure_gives_up(cvat_server: CvatTestServer, tmp_path: Path) -> None:
    path = _payload(tmp_path, 2 * CHUNK)

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH":
            raise httpx.WriteError("broken pipe")
        return None

    spy = Interceptor(ASGIBridgeTransport(cvat_server.app), hook)
    with _client(cvat_server, spy, retries=2) as client:
        slept = _no_sleep(client)
        with pytest.raises(UploadError, match="failed 3 times") as info:
            _tus_upload(client, path)
    assert "Check the connection" in str(info.value)
    assert spy.count("PATCH") == 3
    assert len(slept) == 2


def test_expired_upload_is_reported(cvat_server: CvatTestServer, tmp_path: Path) -> None:
    path = _payload(tmp_path, 3 * CHUNK)

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH" and request.headers["upload-offset"] == str(CHUNK):
            raise httpx.WriteError("broken pipe")
        if request.method == "HEAD":
            return httpx.Response(404)
        return None

    with _client(cvat_server, Interceptor(ASGIBridgeTransport(cvat_server.app), hook)) as client:
        _no_sleep(client)
        with pytest.raises(UploadError, match="no longer knows the upload"):
            _tus_upload(client, path)


def test_upload_over_loopback_http_with_resume(
    cvat_server: CvatTestServer, cvat_live_server: Any, tmp_path: Path
) -> None:
    path = _payload(tmp_path, 3 * CHUNK + 5)
    inner = httpx.HTTPTransport()
    calls = {"n": 0}

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH":
            calls["n"] += 1
            if calls["n"] == 2:
                inner.handle_request(truncated(request, 1000)).read()
                raise httpx.ReadError("reset")
        return None

    with make_client(
        cvat_live_server.url,
        credentials=("admin", "admin"),
        transport=Interceptor(inner, hook),
        config=Config(upload_chunk_size=CHUNK, upload_batch_size=CHUNK, status_check_period=0.01),
    ) as client:
        _no_sleep(client)
        name = _tus_upload(client, path)
    assert uploaded_files(cvat_server)[name].read_bytes() == path.read_bytes()


class Recorder(BaseProgressReporter):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []

    def start2(self, total: int, **kwargs: Any) -> None:
        super().start2(total, **kwargs)
        self.events.append(("start", total, kwargs.get("unit")))

    def finish(self) -> None:
        super().finish()
        self.events.append(("finish", self.progress))


def test_progress_counts_resent_bytes_once(cvat_server: CvatTestServer, tmp_path: Path) -> None:
    path = _payload(tmp_path, 3 * CHUNK)
    inner = ASGIBridgeTransport(cvat_server.app)
    failed: list[int] = []

    def hook(n: int, request: httpx.Request) -> httpx.Response | None:
        if (
            request.method == "PATCH"
            and request.headers["upload-offset"] == str(CHUNK)
            and not failed
        ):
            failed.append(n)
            b"".join(request.stream)  # type: ignore[arg-type]  # the bytes go out...
            raise httpx.ReadError("reset")  # ...but the server never sees them
        return None

    recorder = Recorder()
    with _client(cvat_server, Interceptor(inner, hook)) as client:
        _no_sleep(client)
        task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
        url = f"/api/tasks/{task.id}/data/"
        Uploader(client)._post_marker(url, "Upload-Start")
        Uploader(client).upload_file(url, path, meta={"filename": path.name}, pbar=recorder)
    assert recorder.events == [("start", 3 * CHUNK, "B"), ("finish", 3 * CHUNK)]


# --- task data ----------------------------------------------------------------------------


def _images(tmp_path: Path, count: int, *, big: int = 0) -> list[Path]:
    from .conftest import make_image

    paths = []
    for i in range(count):
        path = tmp_path / f"img_{i:02d}.jpg"
        path.write_bytes(make_image(40 + i, 30, (i * 20 % 255, 100, 50)))
        paths.append(path)
    for i in range(big):
        from PIL import Image

        path = tmp_path / f"big_{i}.png"
        Image.effect_noise((160 + i, 160), 80).convert("RGB").save(path)
        paths.append(path)
    return paths


def test_data_upload_mixes_batches_and_tus_in_parallel(
    cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    files = _images(tmp_path, 12, big=2)
    assert all(p.stat().st_size >= 4096 for p in files[-2:])
    spy = Interceptor(ASGIBridgeTransport(cvat_server.app))
    recorder = Recorder()
    with make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        transport=spy,
        config=Config(
            upload_chunk_size=4096,
            upload_batch_size=4096,
            max_parallel_uploads=3,
            status_check_period=0.01,
        ),
    ) as client:
        task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
        rq_id = DataUploader(client).upload_files(
            task.id,
            files,
            data_params={"image_quality": 70, "sorting_method": "predefined"},
            pbar=recorder,
        )
        request = client.wait_for_request(rq_id)
        assert request.status == "finished"
        task.fetch()
        assert task.size == len(files)
        frames = task.get_meta().frames
        assert [f.name for f in frames] == [p.name for p in files]
    total = sum(p.stat().st_size for p in files)
    assert recorder.events == [("start", total, "B"), ("finish", total)]
    multiple = [h for m, _, h in spy.seen if m == "POST" and "upload-multiple" in h]
    assert len(multiple) >= 2
    assert spy.count("PATCH") >= 2
    finish = [h for m, _, h in spy.seen if m == "POST" and "upload-finish" in h]
    assert len(finish) == 1
    assert [m for m, _, h in spy.seen if "upload-start" in h] == ["POST"]


def test_data_upload_checks_files_before_sending(client: Any, tmp_path: Path) -> None:
    task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
    with pytest.raises(FileNotFoundError, match="missing"):
        DataUploader(client).upload_files(task.id, [tmp_path / "missing.jpg"], data_params={})
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.jpg").write_bytes(b"1")
    (tmp_path / "b" / "x.jpg").write_bytes(b"2")
    with pytest.raises(ApiValueError, match="Two files are named"):
        DataUploader(client).upload_files(
            task.id, [tmp_path / "a" / "x.jpg", tmp_path / "b" / "x.jpg"], data_params={}
        )
    with pytest.raises(ApiValueError, match="empty"):
        DataUploader(client).upload_files(task.id, [], data_params={})
    task.fetch()
    assert not task.size


def test_parallel_failure_aborts_the_others(cvat_server: CvatTestServer, tmp_path: Path) -> None:
    files = _images(tmp_path, 0, big=4)
    gate = threading.Event()

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH" and not gate.is_set():
            gate.set()
            return httpx.Response(400, json={"detail": "Rejected chunk."})
        return None

    spy = Interceptor(ASGIBridgeTransport(cvat_server.app), hook)
    with make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        transport=spy,
        config=Config(upload_chunk_size=1024, upload_batch_size=1024, max_parallel_uploads=2),
    ) as client:
        task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
        with pytest.raises(BadRequestException, match="Rejected chunk"):
            DataUploader(client).upload_files(task.id, files, data_params={})
    assert spy.count("POST", "/data") >= 2
    assert not [h for m, _, h in spy.seen if "upload-finish" in h]


def test_interrupt_stops_workers(cvat_server: CvatTestServer, tmp_path: Path) -> None:
    files = _images(tmp_path, 0, big=3)

    def hook(_: int, request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH":
            raise KeyboardInterrupt
        return None

    spy = Interceptor(ASGIBridgeTransport(cvat_server.app), hook)
    with make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        transport=spy,
        config=Config(upload_chunk_size=1024, upload_batch_size=1024, max_parallel_uploads=1),
    ) as client:
        task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
        with pytest.raises(KeyboardInterrupt):
            DataUploader(client).upload_files(task.id, files, data_params={})
    assert spy.count("PATCH") == 1
    assert not [h for m, _, h in spy.seen if "upload-finish" in h]


# --- imports ------------------------------------------------------------------------------


def test_import_sequence_matches_cvat(
    local_client: Any, images: list[Path], tmp_path: Path
) -> None:
    client = local_client
    task = client.tasks.create_from_data(
        {"name": "t", "labels": [{"name": "car"}]}, images, data_params={"image_quality": 70}
    )
    export = task.export_dataset("COCO 1.0", tmp_path / "coco.zip", include_images=False)
    spy = Interceptor(ASGIBridgeTransport(client._retry.inner.app))
    client._retry.inner = spy
    request = Uploader(client).upload_file_and_wait(
        f"/api/tasks/{task.id}/annotations/", export, query_params={"format": "COCO 1.0"}
    )
    assert request.status == "finished"
    posts = [(m, h) for m, _, h in spy.seen if m in ("POST", "PATCH")]
    assert "upload-start" in posts[0][1]
    assert "upload-length" in posts[1][1]
    assert posts[2][0] == "PATCH"
    assert "upload-finish" in posts[3][1]
    start_q = spy_queries(spy, "upload-start")
    finish_q = spy_queries(spy, "upload-finish")
    assert start_q == {"format": "COCO 1.0", "filename": "coco.zip"}
    assert finish_q["format"] == "COCO 1.0"
    assert finish_q["filename"].startswith("1_")


def spy_queries(spy: Interceptor, marker: str) -> dict[str, str]:
    request = next(r for r in spy.requests if marker in r.headers)
    return dict(request.url.params)


def test_failed_import_raises_with_server_message(
    client: Any, images: list[Path], tmp_path: Path
) -> None:
    task = client.tasks.create_from_data(
        {"name": "t", "labels": [{"name": "car"}]}, images, data_params={"image_quality": 70}
    )
    bogus = tmp_path / "not_coco.zip"
    import zipfile

    with zipfile.ZipFile(bogus, "w") as archive:
        archive.writestr("readme.txt", "not a dataset")
    with pytest.raises(BackgroundRequestException) as info:
        Uploader(client).upload_file_and_wait(
            f"/api/tasks/{task.id}/annotations/", bogus, query_params={"format": "COCO 1.0"}
        )
    assert info.value.request_id
    assert "failed on the server" in str(info.value)
    with pytest.raises(BadRequestException, match="Unknown input format"):
        Uploader(client).upload_file_and_wait(
            f"/api/tasks/{task.id}/annotations/", bogus, query_params={"format": "Bogus 1.0"}
        )
    with pytest.raises(FileNotFoundError):
        Uploader(client).upload_file_and_wait(
            f"/api/tasks/{task.id}/annotations/", tmp_path / "nope.zip"
        )
