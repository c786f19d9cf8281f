"""Slow drips end at the deadline, oversized answers are refused with bounded memory, and
transfers are bounded by the stall rule."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from cvat_client.core.downloading import Downloader
from cvat_client.exceptions import (
    ApiException,
    DeadlineExceededError,
    DownloadError,
    ResponseTooLargeError,
)
from tests.reliability.conftest import client_of
from tests.reliability.hostile import Exchange, HostileServer

DEADLINE = 1.0
#: Termination bound: at least 5x the deadline and at least 5 s.
BOUND = max(5 * DEADLINE, 5.0) + 5.0


def _drip_body(ex: Exchange) -> None:
    ex.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    ex.drip(b"[" + b" " * 998 + b"]", every=0.2)


def _drip_headers(ex: Exchange) -> None:
    ex.drip(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 500 + b"\r\n\r\n", every=0.2)


@pytest.mark.parametrize("handler", [_drip_body, _drip_headers], ids=["body", "headers"])
def test_slow_drip_ends_at_the_deadline(handler: object) -> None:
    with HostileServer(handler) as server, client_of(server.url, deadline=DEADLINE) as client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError) as info:
            client.api_client.jobs_api.list()
        elapsed = time.monotonic() - started
    assert elapsed < BOUND
    assert isinstance(info.value, TimeoutError) and isinstance(info.value, ApiException)
    assert "/api/jobs" in str(info.value)


def test_per_call_deadline_and_retries_stop_at_the_deadline() -> None:
    def unavailable(ex: Exchange) -> None:
        ex.answer(
            b'{"detail": "busy"}', status="503 Service Unavailable", extra="Retry-After: 1\r\n"
        )

    with HostileServer(unavailable) as server:
        with client_of(server.url, retries=50, retry_backoff=0.2) as client:
            started = time.monotonic()
            with pytest.raises(ApiException) as info:
                client.api_client.jobs_api.list(_request_deadline=DEADLINE)
            assert time.monotonic() - started < BOUND
        assert info.value.status == 503
        assert len(server.requests) < 10  # not the 51 the retry count alone allows
    with HostileServer(_drip_body) as server, client_of(server.url) as client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            client.api_client.jobs_api.list(_request_deadline=DEADLINE)
        assert time.monotonic() - started < BOUND


def test_announced_huge_body_is_refused_unread() -> None:
    def huge(ex: Exchange) -> None:
        ex.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        ex.send(b"Content-Length: 2147483648\r\n\r\n[")
        ex.send(b" " * 1_000_000)

    server = HostileServer(huge)
    with server, client_of(server.url) as client, pytest.raises(ResponseTooLargeError) as info:
        client.api_client.jobs_api.list()
    assert info.value.declared == 2**31 and info.value.limit == 64 * 2**20
    assert "2147483648" in str(info.value) and "/api/jobs" in str(info.value)


def test_endless_chunked_body_is_refused_with_bounded_memory() -> None:
    block = b"x" * 65536
    chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n"

    def endless(ex: Exchange) -> None:
        ex.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        ex.send(b"Transfer-Encoding: chunked\r\n\r\n")
        while True:
            ex.send(chunk)

    cap = 4 * 2**20
    server = HostileServer(endless)
    with server, client_of(server.url, max_response_size=cap) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError):
                client.api_client.jobs_api.list()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4 * cap  # the cap, its joined copy and buffers: not the endless body


def test_annotation_endpoints_have_their_own_cap() -> None:
    body = b'{"version": 0, "tags": [], "shapes": [], "tracks": [], "x": "' + b"a" * 3000 + b'"}'

    with HostileServer(lambda ex: ex.answer(body)) as server:
        with client_of(server.url, max_response_size=1000) as client:
            annotations, _ = client.api_client.jobs_api.retrieve_annotations(1)
            assert annotations is not None
            with pytest.raises(ResponseTooLargeError):
                client.api_client.jobs_api.retrieve(1)
        client = client_of(server.url, max_annotations_response_size=1000)
        with client, pytest.raises(ResponseTooLargeError):
            client.api_client.jobs_api.retrieve_annotations(1)


def test_stalled_download_fails_and_leaves_no_file(tmp_path: Path) -> None:
    def slow_file(ex: Exchange) -> None:
        ex.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\n")
        ex.send(b"Content-Length: 100000\r\n\r\n")
        ex.drip(b"z" * 100000, every=0.1)

    target = tmp_path / "out.zip"
    server = HostileServer(slow_file)
    config = {"transfer_stall_timeout": 1.0, "transfer_stall_bytes": 1000}
    with server, client_of(server.url, **config) as client:
        started = time.monotonic()
        with pytest.raises(DownloadError, match="stalled"):
            Downloader(client).download_file("/api/tasks/1/backup?x=1", target)
        assert time.monotonic() - started < BOUND
    assert list(tmp_path.iterdir()) == []


def test_async_client_has_the_same_deadline_and_checks() -> None:
    import asyncio

    from cvat_client.api_client import AsyncApiClient, Configuration
    from cvat_client.exceptions import InvalidResponseError

    async def call(url: str) -> None:
        async with AsyncApiClient(Configuration(url, deadline=DEADLINE)) as api:
            await api.jobs_api.list()

    with HostileServer(_drip_body) as server:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            asyncio.run(call(server.url))
        assert time.monotonic() - started < BOUND
    html = HostileServer(lambda ex: ex.answer(b"<html>", content_type="text/html"))
    with html, pytest.raises(InvalidResponseError):
        asyncio.run(call(html.url))


def test_client_deadline_block_bounds_high_level_calls() -> None:
    with HostileServer(_drip_body) as server, client_of(server.url) as client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError), client.deadline(DEADLINE):
            client.jobs.list()
        assert time.monotonic() - started < BOUND


def test_binary_answers_are_not_capped_like_json() -> None:
    data = b"PK" + b"z" * 5000

    def handler(ex: Exchange) -> None:
        ex.answer(data, content_type="application/zip")

    server = HostileServer(handler)
    with server, client_of(server.url, max_response_size=1000) as client:
        body, _ = client.api_client.jobs_api.retrieve_data(1, type="chunk", number=0)
        assert body == data
        response = client.api_client.request("GET", "/api/jobs/1/data?type=chunk&number=0")
        assert response.content == data
