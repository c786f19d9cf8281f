"""Edges of the uploader that ``make mutate`` found unpinned: what each failure says, the
requests each step sends, and the pieces that stream file contents."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client import Config, make_client
from cvat_client.core.exceptions import (
    ApiValueError,
    BadRequestException,
    ServiceException,
    UploadError,
)
from cvat_client.core.progress import BaseProgressReporter, ThreadSafeProgress
from cvat_client.core.uploading import (
    AnnotationUploader,
    DatasetUploader,
    DataUploader,
    FileSliceStream,
    UploadAborted,
    Uploader,
    _format_query,
    _Mark,
    _ProgressFile,
    _query_value,
)

Handler = Callable[[httpx.Request], httpx.Response]
LOCATION = "http://cvat.test/api/tasks/1/data/upload-1"


def _scripted(handler: Handler, **config: Any) -> tuple[Any, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        request._content = b"".join(request.stream)  # type: ignore[arg-type]  # as sent
        seen.append(request)
        return handler(request)

    client = make_client(
        "http://cvat.test",
        transport=httpx.MockTransport(handle),
        check_server_version=False,
        config=Config(**{"upload_chunk_size": 4, "retries": 2, "retry_backoff": 0.5, **config}),
    )
    client._sleep = lambda _: None
    return client, seen


def _tus_server(
    patch: Callable[[httpx.Request], httpx.Response] | None = None,
    head: Callable[[httpx.Request], httpx.Response] | None = None,
) -> Handler:
    """A TUS endpoint: creation at ``/data/``, chunks and ``HEAD`` at ``LOCATION``."""
    held = [0]

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "upload-length" in request.headers:
            held[0] = 0
            return httpx.Response(
                201, headers={"Location": LOCATION, "Upload-Filename": "server-name.bin"}
            )
        if request.method == "PATCH":
            if patch is not None:
                return patch(request)
            held[0] += len(request.content)
            return httpx.Response(204, headers={"Upload-Offset": str(held[0])})
        if request.method == "HEAD":
            if head is not None:
                return head(request)
            return httpx.Response(200, headers={"Upload-Offset": str(held[0])})
        return httpx.Response(202, json={"rq_id": "rq-1"})

    return handle


def _file(tmp_path: Path, size: int = 10, name: str = "a.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


# --- TUS ----------------------------------------------------------------------------------


def test_a_tus_upload_sends_the_protocol_headers(tmp_path: Path) -> None:
    client, seen = _scripted(_tus_server())
    path = _file(tmp_path)
    with client:
        name = Uploader(client).upload_file(
            "/api/tasks/1/data/", path, meta={"filename": "a.bin"}, query_params={"x": True}
        )
    assert name == "server-name.bin"
    create, *chunks = seen
    assert create.url.params["x"] == "true"
    assert create.headers["tus-resumable"] == "1.0.0"
    assert create.headers["upload-length"] == "10"
    assert create.headers["upload-metadata"] == "filename YS5iaW4="
    assert [c.headers["upload-offset"] for c in chunks] == ["0", "4", "8"]
    assert [c.headers["content-length"] for c in chunks] == ["4", "4", "2"]
    assert {c.headers["content-type"] for c in chunks} == {"application/offset+octet-stream"}
    assert {c.headers["tus-resumable"] for c in chunks} == {"1.0.0"}
    assert b"".join(c.content for c in chunks) == path.read_bytes()
    assert {str(c.url) for c in chunks} == {LOCATION}


def test_the_name_falls_back_to_the_given_one(tmp_path: Path) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, headers={"Location": LOCATION})
        return httpx.Response(204, headers={"Upload-Offset": "3"})

    client, _ = _scripted(handle)
    with client:
        path = _file(tmp_path, 3)
        assert Uploader(client).upload_file("/u/", path, meta={"filename": "f.bin"}) == "f.bin"


def test_a_creation_without_location_is_an_error(tmp_path: Path) -> None:
    client, _ = _scripted(lambda request: httpx.Response(201))
    with client, pytest.raises(UploadError) as info:
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert str(info.value) == "The server started an upload on /api/x/ but gave no Location"


def test_a_refused_creation_raises_the_servers_error(tmp_path: Path) -> None:
    client, _seen = _scripted(lambda request: httpx.Response(503, json={"detail": "Busy."}))
    with client, pytest.raises(ServiceException, match="Busy"):
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})


def test_an_error_answer_is_read_only_up_to_the_error_cap(tmp_path: Path) -> None:
    from cvat_client._lowlevel.body import ERROR_BODY_LIMIT

    huge = b'{"detail": "' + b"x" * (3 * ERROR_BODY_LIMIT) + b'"}'
    client, _seen = _scripted(
        lambda request: httpx.Response(
            400, content=huge, headers={"Content-Type": "application/json"}
        )
    )
    with client, pytest.raises(BadRequestException) as info:
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert 0 < len(info.value.body) <= ERROR_BODY_LIMIT


def test_failures_in_a_row_give_up_with_what_happened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, _seen = _scripted(
        _tus_server(patch=lambda r: httpx.Response(503, headers={"Retry-After": "7"}))
    )
    waits: list[float] = []
    client._sleep = waits.append
    with client, caplog.at_level(logging.INFO, "cvat_client"), pytest.raises(UploadError) as info:
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert str(info.value) == (
        "Uploading a.bin failed 3 times in a row at byte 0 of 10: (503) Service Unavailable "
        f"for PATCH {LOCATION}. Check the connection and retry."
    )
    assert isinstance(info.value.__cause__, ServiceException)
    assert waits == [7.0, 7.0]  # Retry-After, up to max_backoff
    said = [r.getMessage() for r in caplog.records if r.name == "cvat_client"]
    assert said[:1] == [
        f"Chunk of a.bin failed ((503) Service Unavailable for PATCH {LOCATION}); resuming in 7.0 s"
    ]


def test_a_wait_is_bounded_by_max_backoff(tmp_path: Path) -> None:
    client, _ = _scripted(
        _tus_server(patch=lambda r: httpx.Response(429, headers={"Retry-After": "100"})),
        max_backoff=3.0,
    )
    waits: list[float] = []
    client._sleep = waits.append
    with client, pytest.raises(UploadError):
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert waits == [3.0, 3.0]


def test_backoff_without_retry_after(tmp_path: Path) -> None:
    client, _ = _scripted(_tus_server(patch=lambda r: httpx.Response(500)))
    waits: list[float] = []
    client._sleep = waits.append
    uploader = Uploader(client)
    uploader._rng.random = lambda: 1.0  # type: ignore[method-assign]
    with client, pytest.raises(UploadError):
        uploader.upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert waits == [0.5, 1.0]


@pytest.mark.parametrize("status", [404, 410])
def test_an_upload_the_server_forgot_is_reported(tmp_path: Path, status: int) -> None:
    client, _ = _scripted(
        _tus_server(patch=lambda r: httpx.Response(409), head=lambda r: httpx.Response(status))
    )
    with client, pytest.raises(UploadError) as info:
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert str(info.value) == (
        f"The server no longer knows the upload ({status} on HEAD); it may have expired. "
        "Start the upload again."
    )


def test_a_busy_head_is_asked_again(tmp_path: Path) -> None:
    answers = [httpx.Response(503), httpx.Response(200, headers={"Upload-Offset": "4"})]
    patches = [httpx.Response(500)]

    def patch(request: httpx.Request) -> httpx.Response:
        if patches:
            return patches.pop()
        offset = int(request.headers["upload-offset"]) + len(request.content)
        return httpx.Response(204, headers={"Upload-Offset": str(offset)})

    client, seen = _scripted(_tus_server(patch=patch, head=lambda r: answers.pop(0)))
    with client:
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert [r.method for r in seen] == ["POST", "PATCH", "HEAD", "HEAD", "PATCH", "PATCH"]
    assert [r.headers.get("upload-offset") for r in seen if r.method == "PATCH"] == [
        "0",
        "4",
        "8",
    ]


def test_a_chunk_taken_without_progress_counts_as_a_failure(tmp_path: Path) -> None:
    client, seen = _scripted(
        _tus_server(patch=lambda r: httpx.Response(204, headers={"Upload-Offset": "0"}))
    )
    with client, pytest.raises(UploadError) as info:
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert str(info.value) == (
        "Uploading a.bin failed 3 times in a row at byte 0 of 10: the server answered the "
        "chunk at byte 0 without taking it. Check the connection and retry."
    )
    assert [r.method for r in seen].count("PATCH") == 3


def test_an_aborted_upload_stops_before_the_next_chunk(tmp_path: Path) -> None:
    client, seen = _scripted(_tus_server())
    uploader = Uploader(client)
    uploader._abort.set()
    with client, pytest.raises(UploadAborted, match=r"^upload aborted$"):
        uploader.upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert [r.method for r in seen] == ["POST"]


def test_a_logger_hears_of_the_upload(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    client, _ = _scripted(_tus_server())
    path = _file(tmp_path)
    logger = logging.getLogger("test.uploads")
    with client, caplog.at_level(logging.DEBUG, "test.uploads"):
        Uploader(client).upload_file("/api/x/", path, meta={"filename": "a.bin"}, logger=logger)
    assert [r.getMessage() for r in caplog.records if r.name == "test.uploads"] == [
        f"Uploaded {path}"
    ]


# --- whole imports ------------------------------------------------------------------------


def test_an_import_of_a_missing_file_sends_nothing(tmp_path: Path) -> None:
    client, seen = _scripted(_tus_server())
    missing = tmp_path / "missing.zip"
    with client, pytest.raises(FileNotFoundError) as info:
        Uploader(client).upload_file_and_wait("/api/x/", missing)
    assert str(info.value) == f"No such file: {missing}"
    assert seen == []


def test_an_import_sends_start_upload_and_finish(tmp_path: Path) -> None:
    client, seen = _scripted(_tus_server())
    path = _file(tmp_path, 3, "data.zip")
    uploader = Uploader(client)
    waited: list[tuple[str, float | None]] = []
    client.wait_for_request = lambda rq_id, status_check_period=None: waited.append(
        (rq_id, status_check_period)
    )
    with client:
        uploader.upload_file_and_wait(
            "/api/x/",
            path,
            query_params={"format": "CVAT 1.1", "none": None},
            json_body={"a": 1},
            meta={"kind": "k"},
            upload_id_param="upload",
            status_check_period=0.5,
        )
    assert waited == [("rq-1", 0.5)]
    start, create, _chunk, finish = seen
    assert (b"Upload-Start", b"") in start.headers.raw  # canonical case on the wire
    assert (b"Upload-Finish", b"") in seen[-1].headers.raw
    assert dict(start.url.params) == {"format": "CVAT 1.1", "filename": "data.zip"}
    assert create.headers["upload-metadata"] == "filename ZGF0YS56aXA=,kind aw=="
    assert "upload-finish" in finish.headers
    assert dict(finish.url.params) == {"format": "CVAT 1.1", "upload": "server-name.bin"}
    assert json.loads(finish.content) == {"a": 1}


@pytest.mark.parametrize("body", [b"", b"[]", b'{"rq_id": 5}', b'{"rq_id": ""}'])
def test_a_finish_without_a_request_id_is_an_error(tmp_path: Path, body: bytes) -> None:
    tus = _tus_server()

    def handle(request: httpx.Request) -> httpx.Response:
        if "upload-finish" in request.headers:
            return httpx.Response(202, content=body)
        return tus(request)

    client, _ = _scripted(handle)
    with client, pytest.raises(UploadError) as info:
        Uploader(client).upload_file_and_wait("/api/x/", _file(tmp_path))
    assert str(info.value) == (
        "The server accepted Upload-Finish on /api/x/ (202) but returned no request id; "
        "check that the server is CVAT 2.x"
    )


def test_query_values() -> None:
    class Kind:
        value = "k"

    assert [_query_value(v) for v in (True, False, 3, "s", Kind())] == [
        "true",
        "false",
        "3",
        "s",
        "k",
    ]
    assert _format_query("COCO 1.0", None) == {"format": "COCO 1.0"}
    assert _format_query("COCO 1.0", False, "append") == {
        "format": "COCO 1.0",
        "conv_mask_to_poly": False,
        "import_mode": "append",
    }


# --- task data ----------------------------------------------------------------------------


def _data_server(seen_threads: list[str] | None = None) -> Handler:
    tus = _tus_server()

    def handle(request: httpx.Request) -> httpx.Response:
        if seen_threads is not None:
            seen_threads.append(threading.current_thread().name)
        if "upload-multiple" in request.headers:
            return httpx.Response(200)
        return tus(request)

    return handle


def test_task_data_goes_in_batches_with_the_spec(tmp_path: Path) -> None:
    client, seen = _scripted(_data_server(), upload_batch_size=100)
    small = [_file(tmp_path, 3, "b.jpg"), _file(tmp_path, 3, "a.unknown")]
    with client:
        rq_id = DataUploader(client).upload_files(
            1, small, data_params={"image_quality": 70, "sorting_method": "PREDEFINED"}
        )
    assert rq_id == "rq-1"
    start, batch, finish = seen
    assert "upload-start" in start.headers
    assert batch.headers["upload-multiple"] == ""
    body = batch.content
    assert b'name="image_quality"\r\n\r\n70\r\n' in body
    assert b'name="client_files[0]"; filename="b.jpg"\r\nContent-Type: image/jpeg' in body
    assert (
        b'name="client_files[1]"; filename="a.unknown"\r\nContent-Type: application/octet-stream'
        in body
    )
    assert json.loads(finish.content) == {
        "image_quality": 70,
        "sorting_method": "PREDEFINED",
        "upload_file_order": ["b.jpg", "a.unknown"],
    }


def test_task_data_without_image_quality_sends_no_field(tmp_path: Path) -> None:
    client, seen = _scripted(_data_server(), upload_batch_size=100)
    with client:
        DataUploader(client).upload_files(
            1, [_file(tmp_path, 3, "b.jpg")], data_params={"sorting_method": "natural"}
        )
    assert b"image_quality" not in seen[1].content
    assert b"upload_file_order" not in seen[2].content


def test_parallel_uploads_run_on_named_threads(tmp_path: Path) -> None:
    threads: list[str] = []
    client, _ = _scripted(_data_server(threads), upload_batch_size=5, max_parallel_uploads=2)
    files = [_file(tmp_path, 3, f"{n}.jpg") for n in range(3)]
    with client:
        DataUploader(client).upload_files(1, files, data_params={})
    workers = {name for name in threads if name != threading.current_thread().name}
    assert workers and all(name.startswith("cvat-upload") for name in workers)


@pytest.mark.parametrize(("files", "parallel"), [(1, 2), (3, 1)])
def test_one_job_or_one_worker_uploads_in_the_calling_thread(
    tmp_path: Path, files: int, parallel: int
) -> None:
    threads: list[str] = []
    client, _ = _scripted(_data_server(threads), upload_batch_size=5, max_parallel_uploads=parallel)
    paths = [_file(tmp_path, 3, f"{n}.jpg") for n in range(files)]
    with client:
        DataUploader(client).upload_files(1, paths, data_params={})
    assert set(threads) == {threading.current_thread().name}


def test_files_that_cannot_be_sent_are_named(tmp_path: Path) -> None:
    client, seen = _scripted(_data_server())
    missing = tmp_path / "missing.jpg"
    with client:
        with pytest.raises(FileNotFoundError) as info:
            DataUploader(client).upload_files(1, [missing], data_params={})
        assert str(info.value) == f"No such file: {missing}"
        with pytest.raises(ApiValueError) as error:
            DataUploader(client).upload_files(1, [tmp_path], data_params={})
        assert str(error.value) == f"Not a regular file: {tmp_path}"
        with pytest.raises(ApiValueError) as error:
            DataUploader(client).upload_files(1, [], data_params={})
        assert str(error.value) == "No files to upload: resources is empty"
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        first, second = _file(tmp_path / "a", 1, "x.jpg"), _file(tmp_path / "b", 1, "x.jpg")
        with pytest.raises(ApiValueError) as error:
            DataUploader(client).upload_files(1, [first, second], data_params={})
        assert str(error.value) == (
            f"Two files are named 'x.jpg' ({first} and {second}); CVAT stores uploaded files "
            "by name, so rename one of them"
        )
    assert seen == []


# --- streaming pieces ---------------------------------------------------------------------


class _Counted:
    def __init__(self) -> None:
        self.advanced: list[int] = []

    def advance(self, delta: int) -> None:
        self.advanced.append(delta)


def test_a_file_that_shrinks_while_it_is_sent_is_an_error(tmp_path: Path) -> None:
    path = _file(tmp_path, 5)
    with pytest.raises(UploadError) as info:
        b"".join(FileSliceStream(path, 2, 10))
    assert str(info.value) == f"{path} became shorter while it was being uploaded"


def test_progress_marks_count_each_byte_once() -> None:
    counted = _Counted()
    mark = _Mark(ThreadSafeProgress(counted))  # type: ignore[arg-type]
    for position in (4, 4, 2, 6, 10):
        mark.reached(position)
    assert counted.advanced == [4, 2, 4]


def test_a_progress_file_is_a_file(tmp_path: Path) -> None:
    path = _file(tmp_path, 10)
    counted = _Counted()
    abort = threading.Event()
    handle = _ProgressFile(path.open("rb"), _Mark(ThreadSafeProgress(counted)), abort)  # type: ignore[arg-type]
    assert handle.seek(0, os.SEEK_END) == 10
    assert handle.seek(2) == 2
    assert handle.read(3) == path.read_bytes()[2:5]
    assert handle.tell() == 5
    assert os.fstat(handle.fileno()).st_size == 10
    assert counted.advanced == [5]
    abort.set()
    with pytest.raises(UploadAborted, match=r"^upload aborted$"):
        handle.read(1)
    handle.close()
    assert handle._file.closed


# --- cvat-sdk's import uploaders ----------------------------------------------------------


def _import_server() -> Handler:
    tus = _tus_server()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/requests/"):
            return httpx.Response(
                200,
                json={
                    "id": "rq-1",
                    "status": "finished",
                    "operation": {"type": "import:annotations", "target": "task"},
                    "created_date": "2026-01-01T00:00:00Z",
                },
            )
        return tus(request)

    return handle


def test_annotation_and_dataset_uploaders_send_cvat_sdks_query(tmp_path: Path) -> None:
    client, seen = _scripted(_import_server())
    path = _file(tmp_path, 3, "ann.zip")
    with client:
        tasks, projects = client.api_client.tasks_api, client.api_client.projects_api
        done = AnnotationUploader(client).upload_file_and_wait(
            tasks.create_annotations_endpoint,
            path,
            "COCO 1.0",
            conv_mask_to_poly=False,
            import_mode="append",
            url_params={"id": 7},
            status_check_period=0.01,
        )
        assert done.id == "rq-1"
        starts = [r for r in seen if "upload-start" in r.headers]
        assert starts[0].url.path == "/api/tasks/7/annotations/"
        assert dict(starts[0].url.params) == {
            "format": "COCO 1.0",
            "conv_mask_to_poly": "false",
            "import_mode": "append",
            "filename": "ann.zip",
        }
        DatasetUploader(client).upload_file_and_wait(
            projects.create_dataset_endpoint,
            path,
            "CVAT 1.1",
            url_params={"id": 3},
            conv_mask_to_poly=True,
            status_check_period=0.01,
        )
        starts = [r for r in seen if "upload-start" in r.headers]
        assert starts[1].url.path == "/api/projects/3/dataset/"
        assert dict(starts[1].url.params) == {
            "format": "CVAT 1.1",
            "conv_mask_to_poly": "true",
            "filename": "ann.zip",
        }


def test_annotation_and_dataset_uploaders_refuse_a_missing_file(tmp_path: Path) -> None:
    client, seen = _scripted(_import_server())
    missing = tmp_path / "missing.zip"
    with client:
        endpoint = client.api_client.tasks_api.create_annotations_endpoint
        with pytest.raises(FileNotFoundError) as info:
            AnnotationUploader(client).upload_file_and_wait(endpoint, missing, "COCO 1.0")
        assert str(info.value) == f"No such file: {missing}"
        endpoint = client.api_client.projects_api.create_dataset_endpoint
        with pytest.raises(FileNotFoundError) as info:
            DatasetUploader(client).upload_file_and_wait(endpoint, missing, "CVAT 1.1")
        assert str(info.value) == f"No such file: {missing}"
    assert seen == []


def _canonical(name: str) -> bool:
    return name == "-".join(part.capitalize() for part in name.split("-"))


def test_header_names_go_out_in_canonical_case(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # CVAT reads header names in any case; sent in canonical case, as cvat-sdk sends them,
    # they read the same in proxies' logs and rules
    failed = [httpx.Response(500)]
    heads = [httpx.Response(423)]  # not retried by the transport: the uploader asks again
    tus = _tus_server(
        head=lambda r: heads.pop() if heads else httpx.Response(200, headers={"Upload-Offset": "0"})
    )

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and failed:
            return failed.pop()
        if "upload-multiple" in request.headers:
            return httpx.Response(200)
        return tus(request)

    client, seen = _scripted(handle, upload_batch_size=5, max_parallel_uploads=1)
    files = [_file(tmp_path, 3, "small.jpg"), _file(tmp_path, 8, "big.bin")]
    uploader = DataUploader(client)
    uploader._rng.random = lambda: 1.0  # type: ignore[method-assign]
    with client, caplog.at_level(logging.INFO, "cvat_client"):
        uploader.upload_files(1, files, data_params={})
    assert [r.method for r in seen].count("HEAD") == 2
    names = {name.decode() for r in seen for name, _ in r.headers.raw}
    assert {"Upload-Start", "Upload-Multiple", "Upload-Finish", "Tus-Resumable"} <= names
    assert {"Upload-Length", "Upload-Metadata", "Upload-Offset"} <= names
    assert [n for n in names if not _canonical(n)] == []
    for head in (r for r in seen if r.method == "HEAD"):
        assert head.headers["tus-resumable"] == "1.0.0"
    assert [r.getMessage() for r in caplog.records if r.name == "cvat_client"] == [
        f"Chunk of big.bin failed ((500) Internal Server Error for PATCH {LOCATION}); "
        "resuming in 0.5 s",
        f"Chunk of big.bin failed (HEAD {LOCATION} answered 423); resuming in 1.0 s",
    ]


class _Reporter(BaseProgressReporter):
    def __init__(self) -> None:
        super().__init__()
        self.totals: list[int | None] = []

    def _begin(self, total: int | None, options: dict[str, Any]) -> None:
        self.totals.append(total)


def test_import_uploaders_pass_the_reporter_and_the_poll_period(tmp_path: Path) -> None:
    client, _ = _scripted(_import_server())
    path = _file(tmp_path, 3, "ann.zip")
    periods: list[float | None] = []
    client.wait_for_request = lambda rq_id, status_check_period=None: periods.append(
        status_check_period
    )
    reporters = [_Reporter(), _Reporter()]
    with client:
        AnnotationUploader(client).upload_file_and_wait(
            client.api_client.tasks_api.create_annotations_endpoint,
            path,
            "COCO 1.0",
            url_params={"id": 1},
            pbar=reporters[0],
            status_check_period=0.25,
        )
        DatasetUploader(client).upload_file_and_wait(
            client.api_client.projects_api.create_dataset_endpoint,
            path,
            "CVAT 1.1",
            url_params={"id": 1},
            pbar=reporters[1],
            status_check_period=0.5,
        )
    assert periods == [0.25, 0.5]
    assert [r.totals for r in reporters] == [[3], [3]]


def test_a_file_slice_stops_when_the_upload_is_aborted(tmp_path: Path) -> None:
    path = _file(tmp_path, 10)
    abort = threading.Event()
    stream = iter(FileSliceStream(path, 0, 10, abort=abort))
    abort.set()
    with pytest.raises(UploadAborted, match=r"^upload aborted$"):
        next(stream)
    assert b"".join(FileSliceStream(path, 3, 4)) == path.read_bytes()[3:7]


def test_chunk_backoff_follows_the_configured_retry_backoff(tmp_path: Path) -> None:
    client, _ = _scripted(_tus_server(patch=lambda r: httpx.Response(500)), retry_backoff=0.25)
    waits: list[float] = []
    client._sleep = waits.append
    uploader = Uploader(client)
    uploader._rng.random = lambda: 1.0  # type: ignore[method-assign]
    with client, pytest.raises(UploadError):
        uploader.upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert waits == [0.25, 0.5]


def test_a_chunk_answer_without_an_offset_counts_the_chunk_as_taken(tmp_path: Path) -> None:
    client, seen = _scripted(_tus_server(patch=lambda r: httpx.Response(204)))
    path = _file(tmp_path)
    with client:
        name = Uploader(client).upload_file("/api/x/", path, meta={"filename": "a.bin"})
    assert name == "server-name.bin"
    chunks = [r for r in seen if r.method == "PATCH"]
    assert [c.headers["upload-offset"] for c in chunks] == ["0", "4", "8"]
    assert b"".join(c.content for c in chunks) == path.read_bytes()


def test_without_any_name_the_upload_has_an_empty_name(tmp_path: Path) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, headers={"Location": LOCATION})
        return httpx.Response(204, headers={"Upload-Offset": "3"})

    client, _ = _scripted(handle)
    with client:
        assert Uploader(client).upload_file("/u/", _file(tmp_path, 3), meta={}) == ""


def test_a_chunk_that_keeps_breaking_gives_up_naming_the_transport_error(tmp_path: Path) -> None:
    def patch(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset by peer")

    client, _ = _scripted(_tus_server(patch=patch))
    with client, pytest.raises(UploadError) as info:
        Uploader(client).upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert "failed 3 times in a row at byte 0 of 10: " in str(info.value)
    assert "connection reset by peer" in str(info.value)
    assert info.value.__cause__ is not None
    assert "connection reset by peer" in str(info.value.__cause__)


def test_an_abort_stops_the_chunk_being_sent(tmp_path: Path) -> None:
    stopped: list[bool] = []
    holder: dict[str, Uploader] = {}

    class Server(httpx.BaseTransport):  # unlike MockTransport, reads the body itself
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                return httpx.Response(201, headers={"Location": LOCATION})
            holder["uploader"]._abort.set()  # while the chunk's body is being read
            try:
                b"".join(request.stream)  # type: ignore[arg-type]
            except UploadAborted:
                stopped.append(True)
                raise
            return httpx.Response(204)

    client = make_client(
        "http://cvat.test",
        transport=Server(),
        check_server_version=False,
        config=Config(upload_chunk_size=4),
    )
    holder["uploader"] = Uploader(client)
    with client, pytest.raises(UploadAborted):
        holder["uploader"].upload_file("/api/x/", _file(tmp_path), meta={"filename": "a.bin"})
    assert stopped == [True]


def test_a_refused_batch_raises_the_servers_error(tmp_path: Path) -> None:
    data = _data_server()

    def handle(request: httpx.Request) -> httpx.Response:
        if "upload-multiple" in request.headers:
            return httpx.Response(400, json={"detail": "Unsupported file."})
        return data(request)

    client, seen = _scripted(handle, upload_batch_size=100)
    with client, pytest.raises(BadRequestException, match="Unsupported file"):
        DataUploader(client).upload_files(1, [_file(tmp_path, 3, "b.jpg")], data_params={})
    assert not any("upload-finish" in r.headers for r in seen)


def _parallel_uploader(tmp_path: Path) -> tuple[Any, DataUploader]:
    client, _ = _scripted(_data_server())
    return client, DataUploader(client)


def test_two_jobs_with_two_workers_run_on_upload_threads(tmp_path: Path) -> None:
    client, uploader = _parallel_uploader(tmp_path)
    threads: list[str] = []

    def job() -> None:
        threads.append(threading.current_thread().name)

    with client:
        uploader._run_parallel([(job,), (job,)], 2)
    assert len(threads) == 2 and all(name.startswith("cvat-upload") for name in threads)


def test_parallel_jobs_never_exceed_the_workers(tmp_path: Path) -> None:
    client, uploader = _parallel_uploader(tmp_path)
    lock = threading.Lock()
    active = [0, 0]  # now, most

    def job() -> None:
        with lock:
            active[0] += 1
            active[1] = max(active)
        time.sleep(0.02)
        with lock:
            active[0] -= 1

    with client:
        uploader._run_parallel([(job,)] * 6, 2)
    assert active[0] == 0 and 1 <= active[1] <= 2


def test_a_failing_job_stops_the_others_and_waits_for_them(tmp_path: Path) -> None:
    client, uploader = _parallel_uploader(tmp_path)
    seen: list[str] = []

    def waiting() -> None:
        seen.append("aborted" if uploader._abort.wait(10) else "not aborted")
        time.sleep(0.2)  # still running when the failure is raised, unless waited for
        seen.append("finished")

    def failing() -> None:
        raise UploadError("broken")

    with client, pytest.raises(UploadError, match=r"^broken$"):
        uploader._run_parallel([(waiting,), (failing,)], 2)
    assert seen == ["aborted", "finished"]


def test_task_data_progress_says_what_it_counts(tmp_path: Path) -> None:
    started: list[dict[str, Any]] = []

    class Reporter(BaseProgressReporter):
        def start2(self, total: int, **kwargs: Any) -> None:
            started.append({"total": total, **kwargs})

    client, _ = _scripted(_data_server(), upload_batch_size=100)
    with client:
        DataUploader(client).upload_files(
            1, [_file(tmp_path, 3, "b.jpg")], data_params={}, pbar=Reporter()
        )
    assert started == [
        {
            "total": 3,
            "desc": "Uploading data",
            "unit": "B",
            "unit_scale": True,
            "unit_divisor": 1024,
        }
    ]
