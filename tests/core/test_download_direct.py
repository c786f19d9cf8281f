"""Downloads read straight from the socket (``core._body_copy``) over loopback HTTP: the
bytes written are the server's whatever the sizes, a cut body resumes with ``Range``,
encoded and chunked bodies go through httpx, a stall still fails, interrupted downloads
leave nothing, and the connection pool stays usable."""

from __future__ import annotations

import asyncio
import io
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from cvat_client import Config, make_async_client, make_client
from cvat_client.core import _body_copy
from cvat_client.core.downloading import Downloader
from cvat_client.core.exceptions import DownloadError
from cvat_client.core.progress import NullProgressReporter
from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer
from cvat_client.testing.server import DEFAULT_ADMIN

from .conftest import FAST_POLL, LABELS

CONFIG = Config(status_check_period=FAST_POLL)
#: Past the first piece httpx reads with the headers (at most 64 KiB).
PAST_FIRST_PIECE = 200_000


class Served:
    """A live test server holding a task backup of a few MB, and its exact bytes."""

    def __init__(self, server: CvatTestServer, live: LiveServer, url: str, body: bytes) -> None:
        self.server = server
        self.live = live
        self.url = url
        self.body = body


def _noise_jpeg(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (640, 480), rng.randbytes(640 * 480 * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("noise")
    images = []
    for i in range(6):
        path = folder / f"noise_{i}.jpg"
        path.write_bytes(_noise_jpeg(i))
        images.append(path)
    server = CvatTestServer(admin=DEFAULT_ADMIN)
    try:
        with LiveServer(server) as live:
            with make_client(live.url, credentials=DEFAULT_ADMIN, config=CONFIG) as client:
                task = client.tasks.create_from_data({"name": "direct", "labels": LABELS}, images)
                rq_id = client.api_client.tasks_api.create_backup_export(task.id)[0].rq_id
                url = client.wait_for_request(rq_id).result_url
            with httpx.Client(auth=DEFAULT_ADMIN) as http:
                body = http.get(url).raise_for_status().content
            assert len(body) > 1_000_000
            yield Served(server, live, url, body)
    finally:
        server.close()


@pytest.fixture
def live(served: Served) -> Iterator[Served]:
    served.server.faults.clear()
    yield served
    served.server.faults.clear()


@pytest.fixture
def direct_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The byte counts the direct path was asked to read from sockets (one per response)."""
    seen: list[int] = []
    original = _body_copy._read_socket

    def spy(response: Any, sock: Any, left: int, *args: Any) -> None:
        seen.append(left)
        original(response, sock, left, *args)

    monkeypatch.setattr(_body_copy, "_read_socket", spy)
    return seen


def _client(live: Served, **config: Any) -> Any:
    settings = {"status_check_period": FAST_POLL, **config}
    return make_client(live.live.url, credentials=DEFAULT_ADMIN, config=Config(**settings))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("offset", [-1, 0, 1, "half", "small"])
def test_sizes_around_the_buffer_size(
    live: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offset: int | str
) -> None:
    """The buffer one byte smaller than, as large as, and larger than what is left to read,
    half of it, and 4 KiB: every size writes the server's bytes exactly."""
    original = _body_copy._read_socket
    seen: list[int] = []

    def sized(response: Any, sock: Any, left: int, *args: Any) -> None:
        seen.append(left)
        size = {"half": left // 2, "small": 4096}.get(str(offset))
        monkeypatch.setattr(_body_copy, "BLOCK_SIZE", size or left + int(offset))
        original(response, sock, left, *args)

    monkeypatch.setattr(_body_copy, "_read_socket", sized)
    with _client(live) as client:
        out = Downloader(client).download_file(live.url, tmp_path / "backup.zip")
        # the message was ended in h11: the connection went back to the pool, idle
        pool = client._retry.inner._pool
        assert len(pool.connections) == 1 and pool.connections[0].is_idle()
    assert seen and seen[0] > PAST_FIRST_PIECE  # read directly, most of it
    assert out.read_bytes() == live.body
    assert _leftovers(tmp_path) == ["backup.zip"]


def _connections_opened(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    import httpcore._backends.sync as backend

    opened: list[object] = []
    original = backend.SyncBackend.connect_tcp

    def connect_tcp(self: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(backend.SyncBackend, "connect_tcp", connect_tcp)
    return opened


def test_connection_read_directly_is_reused(
    live: Served, tmp_path: Path, direct_reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a body read past h11, the next requests (a download, then API calls) go over the
    same connection: no new TCP connection per download, and h11 reads the next answer from
    the right place."""
    opened = _connections_opened(monkeypatch)
    with _client(live) as client:
        downloader = Downloader(client)
        first = downloader.download_file(live.url, tmp_path / "first.zip")
        connections_after_first = len(opened)
        second = downloader.download_file(live.url, tmp_path / "second.zip")
        assert client.tasks.list()
        assert len(opened) == connections_after_first  # nothing new was opened
    assert len(direct_reads) == 2
    assert first.read_bytes() == second.read_bytes() == live.body


def test_h11_internals_unlike_the_expected_close_the_connection(
    live: Served, tmp_path: Path, direct_reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If h11's body reader is not the one expected, the body is still read directly but
    the message cannot be ended in h11: the connection is closed, never pooled half-read."""
    monkeypatch.setattr(_body_copy, "_body_reader", lambda response, left: None)
    opened = _connections_opened(monkeypatch)
    with _client(live) as client:
        downloader = Downloader(client)
        out = downloader.download_file(live.url, tmp_path / "backup.zip")
        pool = client._retry.inner._pool
        assert pool.connections == []
        connections = len(opened)
        assert client.tasks.list()  # over a new connection
        assert len(opened) == connections + 1
        downloader.download_file(live.url, tmp_path / "again.zip")
        assert pool.connections == []  # which the next direct read closed again
    assert len(direct_reads) == 2
    assert out.read_bytes() == live.body


def test_body_h11_still_holds_goes_on_through_httpx(
    live: Served, tmp_path: Path, direct_reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If h11 kept some of the body after the first piece, the socket is not read around
    it: the rest comes through httpx, and the connection is reused afterwards."""
    monkeypatch.setattr(_body_copy, "_drained", lambda response: False)
    with _client(live) as client:
        out = Downloader(client).download_file(live.url, tmp_path / "backup.zip")
        pool = client._retry.inner._pool
        assert len(pool.connections) == 1 and pool.connections[0].is_idle()
    assert direct_reads == []
    assert out.read_bytes() == live.body


def test_body_cut_in_the_direct_part_resumes_with_range(
    live: Served, tmp_path: Path, direct_reads: list[int]
) -> None:
    rule = live.server.faults.add(r"/backup/download$", on=1, drop_after=PAST_FIRST_PIECE * 2)
    ranges: list[str | None] = []

    def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/download"):
            ranges.append(request.headers.get("range"))

    with _client(live) as client:
        client.api_client.client.event_hooks["request"] = [record]
        out = Downloader(client).download_file(live.url, tmp_path / "backup.zip")
    assert rule.fired == 1
    # the cut answer and the resumed one, both read directly (the second has less to read)
    assert len(direct_reads) == 2 and direct_reads[1] < direct_reads[0]
    assert ranges == [None, f"bytes={2 * PAST_FIRST_PIECE}-"]
    assert out.read_bytes() == live.body
    assert _leftovers(tmp_path) == ["backup.zip"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_encoded_body_is_decoded_not_copied_raw(
    live: Served, tmp_path: Path, direct_reads: list[int], encoding: str
) -> None:
    live.server.faults.add(r"/backup/download$", encoding=encoding)
    with _client(live) as client:
        out = Downloader(client).download_file(live.url, tmp_path / "backup.zip")
    assert direct_reads == []
    assert out.read_bytes() == live.body


def test_chunked_body_goes_through_httpx(
    live: Served, tmp_path: Path, direct_reads: list[int]
) -> None:
    live.server.faults.add(r"/backup/download$", chunked=True)
    with _client(live) as client:
        out = Downloader(client).download_file(live.url, tmp_path / "backup.zip")
    assert direct_reads == []
    assert out.read_bytes() == live.body


def test_encoded_body_cut_starts_over(live: Served, tmp_path: Path) -> None:
    """An encoded body cannot be resumed by byte ranges: the second attempt starts over."""
    live.server.faults.add(r"/backup/download$", encoding="gzip")
    live.server.faults.add(r"/backup/download$", on=1, drop_after=PAST_FIRST_PIECE)
    with _client(live) as client:
        out = Downloader(client).download_file(live.url, tmp_path / "backup.zip")
    assert out.read_bytes() == live.body


def test_stall_in_the_direct_part_fails_and_leaves_nothing(
    live: Served, tmp_path: Path, direct_reads: list[int]
) -> None:
    """The stall rule is checked on every direct read: a body that stops for longer than
    ``transfer_stall_timeout`` (and then goes on) fails, with no file left."""
    live.server.faults.add(r"/backup/download$", pause_after=PAST_FIRST_PIECE, pause=1.5)
    config = {"transfer_stall_timeout": 0.5, "transfer_stall_bytes": 2 * len(live.body)}
    with _client(live, **config) as client, pytest.raises(DownloadError, match="stalled"):
        Downloader(client).download_file(live.url, tmp_path / "backup.zip")
    assert direct_reads
    assert _leftovers(tmp_path) == []


def test_read_timeout_in_the_direct_part_is_a_download_timeout(
    live: Served, tmp_path: Path, direct_reads: list[int]
) -> None:
    live.server.faults.add(r"/backup/download$", pause_after=PAST_FIRST_PIECE, pause=3.0)
    with _client(live) as client, pytest.raises(DownloadError, match="timed out"):
        Downloader(client).download_file(live.url, tmp_path / "backup.zip", timeout=0.5)
    assert direct_reads
    assert _leftovers(tmp_path) == []


class _StopAfter(NullProgressReporter):
    """Interrupts the download (as Ctrl-C would) once ``limit`` bytes were reported."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen = 0

    def advance(self, delta: int) -> None:
        self.seen += delta
        if self.seen > self.limit:
            raise KeyboardInterrupt


def test_interrupted_direct_read_leaves_nothing_and_the_pool_usable(
    live: Served, tmp_path: Path, direct_reads: list[int]
) -> None:
    with _client(live) as client:
        downloader = Downloader(client)
        with pytest.raises(KeyboardInterrupt):
            downloader.download_file(
                live.url, tmp_path / "backup.zip", pbar=_StopAfter(PAST_FIRST_PIECE)
            )
        assert _leftovers(tmp_path) == []
        # the connection read directly was closed, not put back half-read: the same
        # client keeps working, for API calls and for the next download
        for _ in range(3):
            assert client.tasks.list()
        out = downloader.download_file(live.url, tmp_path / "again.zip")
        assert out.read_bytes() == live.body
        pool = client._retry.inner._pool
        assert all(not c.is_closed() for c in pool.connections)
    assert len(direct_reads) == 2


def test_async_client_downloads_through_the_direct_path(
    live: Served, tmp_path: Path, direct_reads: list[int]
) -> None:
    async def main() -> Path:
        async with make_async_client(
            live.live.url, credentials=DEFAULT_ADMIN, config=CONFIG
        ) as client:
            tasks = [t async for t in client.tasks.iter()]
            return await tasks[0].download_backup(tmp_path / "backup.zip")

    out = asyncio.run(main())
    assert direct_reads
    assert out.read_bytes()[:2] == b"PK"
    assert _leftovers(tmp_path) == ["backup.zip"]


class _Stream:
    def __init__(self, extra: dict[str, Any]) -> None:
        self.extra = extra

    def get_extra_info(self, name: str) -> Any:
        return self.extra.get(name)


def _response(
    headers: dict[str, str], extra: dict[str, Any], version: bytes = b"HTTP/1.1"
) -> httpx.Response:
    import socket

    request = httpx.Request("GET", "http://127.0.0.1/file")
    extra.setdefault("socket", socket.socket())
    return httpx.Response(
        200,
        headers=headers,
        request=request,
        extensions={"http_version": version, "network_stream": _Stream(extra)},
    )


@pytest.mark.parametrize(
    ("headers", "extra", "version", "h11", "direct"),
    [
        ({"content-length": "10"}, {}, b"HTTP/1.1", True, True),  # the one case read directly
        ({"content-length": "10"}, {"ssl_object": object()}, b"HTTP/1.1", True, False),
        ({"content-length": "10"}, {}, b"HTTP/2", True, False),
        ({"content-length": "10", "content-encoding": "gzip"}, {}, b"HTTP/1.1", True, False),
        ({"transfer-encoding": "chunked"}, {}, b"HTTP/1.1", True, False),
        ({"content-length": "10"}, {"socket": None}, b"HTTP/1.1", True, False),
        ({"content-length": "10"}, {}, b"HTTP/1.1", False, False),
    ],
    ids=["plain", "tls", "http2", "encoded", "chunked", "no-socket", "no-h11"],
)
def test_only_plain_identity_http11_bodies_are_read_directly(
    monkeypatch: pytest.MonkeyPatch,
    headers: dict[str, str],
    extra: dict[str, Any],
    version: bytes,
    h11: bool,
    direct: bool,
) -> None:
    """Each condition alone keeps a body away from the direct read (the h11 connection
    under a real response is stood in for, so only the condition tested can refuse)."""
    if h11:
        monkeypatch.setattr(_body_copy, "_h11_connection", lambda response: object())
    response = _response(headers, extra, version)
    try:
        found = _body_copy.direct_socket(response)
        assert (found is not None) is direct
    finally:
        sock = response.extensions["network_stream"].extra.get("socket")
        if sock is not None:
            sock.close()


def test_a_response_without_a_network_stream_uses_httpx(tmp_path: Path) -> None:
    response = httpx.Response(200, content=b"x" * 10, request=httpx.Request("GET", "http://h/"))
    written: list[int] = []
    with open(tmp_path / "f", "wb") as file:
        _body_copy.copy_body(response, file, written.append)
    assert (tmp_path / "f").read_bytes() == b"x" * 10 and sum(written) == 10
