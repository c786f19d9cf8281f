"""Edges of the downloader that ``make mutate`` found unpinned: messages, arguments passed on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client import make_client
from cvat_client._lowlevel.body import ERROR_BODY_LIMIT
from cvat_client.core import downloading
from cvat_client.core.downloading import Downloader
from cvat_client.core.exceptions import (
    ApiConnectionError,
    ApiValueError,
    ConflictException,
    DownloadError,
    InvalidResponseError,
    NotFoundException,
)
from cvat_client.core.progress import BaseProgressReporter

from .test_downloading import DATA, _Cut, _export_script, _files, _scripted


def _export(client: object, tmp_path: Path, **options: object) -> Path:
    downloader = Downloader(client)  # type: ignore[arg-type]
    return downloader.prepare_and_download_file_from_endpoint(
        client.api_client.tasks_api.create_dataset_export_endpoint,  # type: ignore[attr-defined]
        tmp_path / "out.zip",
        url_params={"id": 1},
        query_params={"format": "COCO 1.0"},
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("result_url", [None, ""])
def test_an_export_without_a_result_url_says_where_it_went(
    tmp_path: Path, result_url: str | None
) -> None:
    client, _ = _scripted(_export_script(202, {"status": "finished", "result_url": result_url}))
    client._sleep = lambda _: None
    with client, pytest.raises(DownloadError) as info:
        _export(client, tmp_path)
    assert str(info.value) == (
        "The export 'rq-1' finished without a result_url; it was probably written to a cloud "
        "storage (see the target storage of the resource)"
    )
    assert _files(tmp_path) == []


def test_an_export_is_polled_at_the_given_period(tmp_path: Path) -> None:
    client, _ = _scripted(
        _export_script(
            202,
            {"status": "finished", "result_url": "http://cvat.test/api/tasks/1/dataset/download"},
        )
    )
    waits: list[float] = []
    client._sleep = waits.append
    with client:
        out = _export(client, tmp_path, status_check_period=0.25)
    assert out.read_bytes() == DATA
    assert waits and set(waits) == {0.25}


class _Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


class _Drip(httpx.SyncByteStream):
    """A body of ``blocks``, each ``(seconds it takes, bytes)``, on a hand-moved clock."""

    def __init__(self, clock: _Clock, blocks: list[tuple[float, bytes]]) -> None:
        self.clock = clock
        self.blocks = blocks

    def __iter__(self) -> Iterator[bytes]:
        for seconds, block in self.blocks:
            self.clock.now += seconds
            yield block


def _drip_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocks: list[tuple[float, bytes]]
) -> Path:
    clock = _Clock()
    monkeypatch.setattr(downloading, "time", clock)
    size = sum(len(block) for _, block in blocks)
    client, _ = _scripted(
        lambda n, request: httpx.Response(
            200, headers={"content-length": str(size)}, stream=_Drip(clock, blocks)
        ),
        transfer_stall_timeout=2.0,
        transfer_stall_bytes=100,
    )
    with client:
        return Downloader(client).download_file("/api/x", tmp_path / "f.bin")


def test_a_download_moving_the_stall_bytes_in_time_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100 bytes within each 2 s window (the window restarts when they arrive)
    blocks = [(0.0, b"a" * 50), (1.9, b"b" * 50), (1.9, b"c" * 99), (0.0, b"d")]
    out = _drip_download(tmp_path, monkeypatch, blocks)
    assert out.read_bytes() == b"a" * 50 + b"b" * 50 + b"c" * 99 + b"d"


@pytest.mark.parametrize(
    "blocks",
    [
        [(0.0, b"a" * 50), (1.0, b"b" * 48), (1.0, b"c")],  # 99 bytes in 2 s
        [(0.0, b"a" * 100), (2.0, b"b")],  # the next window starts when the 100 arrived
        [(0.0, b"a" * 100), (1.0, b"b" * 98), (1.0, b"c")],  # and counts from 0
    ],
)
def test_a_download_slower_than_the_stall_rule_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocks: list[tuple[float, bytes]]
) -> None:
    with pytest.raises(DownloadError) as info:
        _drip_download(tmp_path, monkeypatch, blocks)
    assert str(info.value) == (
        "Downloading f.bin stalled: fewer than 100 bytes arrived in 2 s "
        "(Config.transfer_stall_timeout); no partial file was kept. Check the connection "
        "and try again."
    )
    assert _files(tmp_path) == []


@pytest.mark.parametrize("encoding", ["identity", "Identity"])
def test_a_body_said_to_be_identity_encoded_is_resumed(tmp_path: Path, encoding: str) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if n == 1:
            return httpx.Response(
                200,
                headers={"content-length": str(len(DATA)), "content-encoding": encoding},
                stream=_Cut(DATA[:4096], httpx.ReadError("reset")),
            )
        return httpx.Response(
            206,
            headers={"content-range": f"bytes 4096-{len(DATA) - 1}/{len(DATA)}"},
            content=DATA[4096:],
        )

    client, seen = _scripted(respond)
    with client:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert (tmp_path / "f.bin").read_bytes() == DATA
    assert [r.headers.get("range") for r in seen] == [None, "bytes=4096-"]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (409, b'{"detail": "busy"}', ConflictException),
        (409, b'["busy"]', InvalidResponseError),
        (409, b"busy", InvalidResponseError),
        (202, b'{"rq_id": ""}', ApiValueError),
        (202, b'{"rq_id": 5}', ApiValueError),
        (202, b"[]", InvalidResponseError),
        (202, b"", ApiValueError),
    ],
)
def test_an_export_answer_without_a_request_id_is_an_error(
    tmp_path: Path, status: int, body: bytes, error: type[Exception]
) -> None:
    client, seen = _scripted(lambda n, request: httpx.Response(status, content=body))
    with client, pytest.raises(error) as info:
        _export(client, tmp_path)
    if error is ApiValueError:
        assert str(info.value) == f"The server answered the export with no request id ({status})"
    assert len(seen) == 1
    assert _files(tmp_path) == []


@pytest.mark.parametrize(("into", "part"), [("f.bin", r"\.f\.bin"), ("", r"\.download")])
def test_a_download_is_written_to_a_hidden_part_file_first(
    tmp_path: Path, into: str, part: str
) -> None:
    during: list[str] = []

    def respond(n: int, request: httpx.Request) -> httpx.Response:
        during.extend(p.name for p in tmp_path.iterdir())
        return httpx.Response(
            200, headers={"content-disposition": 'attachment; filename="s.zip"'}, content=DATA
        )

    client, _ = _scripted(respond)
    with client:
        out = Downloader(client).download_file("/api/x", tmp_path / into)
    assert len(during) == 1 and re.fullmatch(part + r"\.[0-9a-f]{12}\.part", during[0])
    assert _files(tmp_path) == [out.name]


def test_a_directory_target_needs_a_name_from_the_server(tmp_path: Path) -> None:
    client, _ = _scripted(lambda n, request: httpx.Response(200, content=DATA))
    with client, pytest.raises(DownloadError) as info:
        Downloader(client).download_file("/api/x", tmp_path)
    assert str(info.value) == (
        "The server gave no usable file name for /api/x; pass a file path instead of the directory"
    )
    assert _files(tmp_path) == []


def test_the_error_survives_a_part_file_removed_meanwhile(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        for part in tmp_path.glob(".*.part"):
            part.unlink()  # e.g. a cleaner ran
        return httpx.Response(404, json={"detail": "Gone."})

    client, _ = _scripted(respond)
    with client, pytest.raises(NotFoundException, match="Gone"):
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")


def test_a_path_is_sent_under_the_servers_prefix(tmp_path: Path) -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=DATA)

    client = make_client(
        "http://cvat.test/prefix",
        transport=httpx.MockTransport(handle),
        check_server_version=False,
    )
    with client:
        Downloader(client).download_file("/api/x/download?a=1", tmp_path / "f.bin")
        Downloader(client).download_file("http://internal:8080/api/y", tmp_path / "g.bin")
    assert seen == ["http://cvat.test/prefix/api/x/download?a=1", "http://cvat.test/api/y"]


def test_a_download_asks_for_the_bytes_as_stored(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if n == 1:
            return httpx.Response(
                200,
                headers={"content-length": str(len(DATA))},
                stream=_Cut(DATA[:1024], httpx.ReadError("reset")),
            )
        return httpx.Response(
            206,
            headers={"content-range": f"bytes 1024-{len(DATA) - 1}/{len(DATA)}"},
            content=DATA[1024:],
        )

    client, seen = _scripted(respond)
    with client:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    # header names in canonical case, as cvat-sdk sends them
    assert (b"Accept-Encoding", b"identity") in seen[0].headers.raw
    assert (b"Range", b"bytes=1024-") in seen[1].headers.raw


def test_connection_failures_to_the_end_say_what_happened(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client, seen = _scripted(respond, download_attempts=2, retries=0)
    with client, pytest.raises(DownloadError) as info:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert len(seen) == 2
    assert str(info.value).startswith(
        "Downloading f.bin failed after 2 attempts (0 bytes received): "
    )
    assert "connection refused" in str(info.value)
    assert str(info.value).endswith(". Check the connection and try again.")
    assert isinstance(info.value.__cause__, ApiConnectionError)


def test_an_error_answer_is_read_up_to_the_error_cap(tmp_path: Path) -> None:
    huge = b"x" * (ERROR_BODY_LIMIT + 4096)

    def respond(n: int, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, headers={"content-type": "text/plain"}, stream=httpx.ByteStream(huge)
        )

    client, _ = _scripted(respond)
    with client, pytest.raises(NotFoundException) as info:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert info.value.body == huge[:ERROR_BODY_LIMIT]
    assert _files(tmp_path) == []


class _Reporter(BaseProgressReporter):
    def __init__(self) -> None:
        super().__init__()
        self.runs: list[tuple[int | None, dict[str, Any]]] = []

    def _begin(self, total: int | None, options: dict[str, Any]) -> None:
        self.runs.append((total, options))


@pytest.mark.parametrize("known", [True, False])
def test_a_download_reports_bytes_to_its_reporter(tmp_path: Path, known: bool) -> None:
    headers = {"content-length": str(len(DATA))} if known else {}
    client, _ = _scripted(
        lambda n, request: httpx.Response(200, headers=headers, stream=_Cut(DATA, None))
    )
    reporter = _Reporter()
    with client:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin", pbar=reporter)
    options = {"desc": "Downloading f.bin", "unit": "B", "unit_scale": True, "unit_divisor": 1024}
    assert reporter.runs == [(len(DATA) if known else 0, options)]


def test_an_unexpected_range_is_named(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if n == 1:
            return httpx.Response(
                200,
                headers={"content-length": str(len(DATA))},
                stream=_Cut(DATA[:2048], httpx.ReadError("reset")),
            )
        return httpx.Response(206, headers={"content-range": "bytes 0-9/100"}, content=b"x" * 10)

    client, _ = _scripted(respond)
    with client, pytest.raises(DownloadError) as info:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert str(info.value) == (
        "The server answered a resumed download of f.bin with an unexpected range ('bytes 0-9/100')"
    )


def test_a_restart_takes_back_the_reported_bytes(tmp_path: Path) -> None:
    def respond(n: int, request: httpx.Request) -> httpx.Response:
        if n == 1:
            return httpx.Response(
                200,
                headers={"content-length": str(len(DATA))},
                stream=_Cut(DATA[:3072], httpx.ReadError("reset")),
            )
        return httpx.Response(200, content=DATA)  # Range ignored: the whole file again

    advanced: list[int] = []
    reporter = _Reporter()
    reporter.advance = advanced.append  # type: ignore[method-assign,assignment]
    client, _ = _scripted(respond)
    with client:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin", pbar=reporter)
    assert -3072 in advanced
    assert sum(advanced) == len(DATA)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (_Cut(DATA[:2048], httpx.ReadError("peer reset")), "peer reset"),
        (_Cut(DATA[:2048], None), f"the connection closed after 2048 of {len(DATA)} bytes"),
    ],
)
def test_the_last_failure_is_named_when_attempts_run_out(
    tmp_path: Path, body: httpx.SyncByteStream, said: str
) -> None:
    client, _ = _scripted(
        lambda n, request: httpx.Response(
            200, headers={"content-length": str(len(DATA))}, stream=body
        ),
        download_attempts=1,
    )
    with client, pytest.raises(DownloadError) as info:
        Downloader(client).download_file("/api/x", tmp_path / "f.bin")
    assert str(info.value) == (
        "Downloading f.bin failed after 1 attempts (2048 bytes received): "
        f"{said}. Check the connection and try again."
    )
