"""The test server compresses answers as a real CVAT 2.73 does (Django's GZipMiddleware).

What a real CVAT 2.73 answered, per ``Accept-Encoding`` (``gzip, deflate``, ``identity``, none),
checked on one with the recipe in ``../shared/realcvat`` (the test server must match):

* a task, the data meta, ``/api/server/about``, a chunk, a frame: gzip only when asked for,
  with the compressed ``Content-Length``; ``Vary: Accept, Accept-Encoding, Origin, Cookie``
  whatever was asked;
* bodies under 200 bytes (a label list, a 404): never, and no ``Accept-Encoding`` in ``Vary``;
* a HEAD answer has the headers of the compressed GET answer (for ``/api/server/about``);
* the chunk's ``X-Checksum`` is the one of the uncompressed chunk either way.

The files a deployment's nginx serves (export and backup results) are never compressed (the
recorded exchanges of ``test_request_states.py``).
"""

from __future__ import annotations

import asyncio
import gzip
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from cvat_client.testing import CvatTestServer
from cvat_client.testing.gzip import MIN_SIZE, GZipMiddleware

from .conftest import create_task

GZIP = {"Accept-Encoding": "gzip, deflate"}
IDENTITY = {"Accept-Encoding": "identity"}
DJANGO_VARY = "Accept, Accept-Encoding, Origin, Cookie"


def raw_get(http: httpx.Client, path: str, headers: dict[str, str], **params: Any) -> Any:
    """The answer as sent (not decoded), and its decoded body."""
    request = http.build_request("GET", path, params=params or None, headers=headers)
    if not headers:
        del request.headers["accept-encoding"]
    response = http.send(request, stream=True)
    raw = b"".join(response.iter_raw())
    response.close()
    encoding = response.headers.get("content-encoding")
    body = gzip.decompress(raw) if encoding == "gzip" else raw
    return response, raw, body


@pytest.mark.parametrize("kind", ["task", "meta", "about", "chunk", "frame"])
def test_answers_are_gzipped_only_when_the_client_accepts_gzip(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path], kind: str
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files)["id"]
    path, params = {
        "task": (f"/api/tasks/{tid}", {}),
        "meta": (f"/api/tasks/{tid}/data/meta", {}),
        "about": ("/api/server/about", {}),
        "chunk": (f"/api/tasks/{tid}/data", {"type": "chunk", "number": 0, "quality": "original"}),
        "frame": (f"/api/tasks/{tid}/data", {"type": "frame", "number": 0, "quality": "original"}),
    }[kind]
    plain, plain_raw, _ = raw_get(cvat_http, path, IDENTITY, **params)
    bare, bare_raw, _ = raw_get(cvat_http, path, {}, **params)
    packed, packed_raw, unpacked = raw_get(cvat_http, path, GZIP, **params)
    assert plain.status_code == bare.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers and "content-encoding" not in bare.headers
    assert bare_raw == plain_raw and int(plain.headers["content-length"]) == len(plain_raw)
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) == len(packed_raw) < len(plain_raw)
    if kind != "about":  # the about page has no time in it: the same bytes
        assert len(unpacked) == len(plain_raw)
    else:
        assert unpacked == plain_raw
    for response in (plain, bare, packed):
        assert response.headers["vary"] == DJANGO_VARY
    if kind == "chunk":
        assert packed.headers["x-checksum"] == plain.headers["x-checksum"]
        assert unpacked == plain_raw


@pytest.mark.parametrize("kind", ["labels", "404"])
def test_bodies_under_200_bytes_are_never_gzipped(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path], kind: str
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files, labels=[{"name": "car"}])["id"]
    path, params = {
        "labels": ("/api/labels", {"task_id": tid}),  # 187 bytes on a real CVAT
        "404": ("/api/tasks/999999", {}),
    }[kind]
    response, raw, _ = raw_get(cvat_http, path, GZIP, **params)
    assert len(raw) < MIN_SIZE
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept, Origin, Cookie"


def test_result_files_nginx_serves_are_never_gzipped(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files)["id"]
    rq_id = cvat_http.post(f"/api/tasks/{tid}/backup/export").json()["rq_id"]
    assert cvat_server.wait_idle()
    url = cvat_http.get("/api/requests/" + quote(rq_id, safe="")).json()["result_url"]
    response, raw, _ = raw_get(cvat_http, url, GZIP)
    assert response.status_code == 200 and raw[:2] == b"PK"
    assert "content-encoding" not in response.headers and "vary" not in response.headers
    assert int(response.headers["content-length"]) == len(raw)


def test_an_encoding_fault_leaves_an_answer_gzipped_already_alone(
    cvat_server: CvatTestServer, cvat_http: httpx.Client
) -> None:
    cvat_server.faults.add(r"^/api/server/about", encoding="gzip")
    packed, _, unpacked = raw_get(cvat_http, "/api/server/about", GZIP)
    plain, plain_raw, _ = raw_get(cvat_http, "/api/server/about", IDENTITY)
    assert packed.headers["content-encoding"] == plain.headers["content-encoding"] == "gzip"
    assert unpacked == gzip.decompress(plain_raw)  # compressed once, not twice


# -- the middleware alone, on bodies the routes do not make --------------------------------


def serve(
    parts: list[bytes], request_headers: dict[str, str], *, method: str = "GET"
) -> tuple[dict[str, str], bytes]:
    """Run the middleware over an app answering ``parts`` (streamed if more than one)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"application/octet-stream"), (b"x-request-id", b"1")]
        if len(parts) == 1:
            headers.append((b"content-length", str(len(parts[0])).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index, part in enumerate(parts):
            more = index < len(parts) - 1
            await send({"type": "http.response.body", "body": part, "more_body": more})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {
        "type": "http",
        "method": method,
        "path": "/",
        "headers": [(k.lower().encode(), v.encode()) for k, v in request_headers.items()],
    }
    asyncio.run(GZipMiddleware(app)(scope, receive, send))
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_a_streamed_body_is_compressed_as_it_goes_without_a_length() -> None:
    parts = [b"abc" * 1000, b"def" * 1000, b""]
    headers, raw = serve(parts, GZIP)
    assert headers["content-encoding"] == "gzip" and "content-length" not in headers
    assert headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(raw) == b"".join(parts)
    headers, raw = serve(parts, IDENTITY)
    assert "content-encoding" not in headers and raw == b"".join(parts)


def test_a_body_gzip_would_not_shorten_is_sent_as_it_is() -> None:
    noise = os.urandom(4000)
    headers, raw = serve([noise], GZIP)
    assert "content-encoding" not in headers and raw == noise
    assert headers["content-length"] == "4000" and headers["vary"] == "Accept-Encoding"


def test_accept_encoding_is_read_as_django_reads_it() -> None:
    body = b"x" * 1000
    for accepted, compressed in [
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("br, GZIP", False),  # Django's test is case-sensitive
        ("x-gzip-like", True),  # and matches "gzip" as a word: "x-gzip-like" counts
        ("deflate", False),
        ("identity", False),
    ]:
        headers, _ = serve([body], {"Accept-Encoding": accepted})
        assert ("content-encoding" in headers) is compressed, accepted


def test_a_head_answer_announces_the_gzip_a_get_would_send(cvat_http: httpx.Client) -> None:
    # a real CVAT 2.73: HEAD /api/server/about with gzip accepted -> Content-Encoding: gzip,
    # the compressed length, Vary with Accept-Encoding
    head = cvat_http.head("/api/server/about", headers=GZIP)
    _, packed_raw, _ = raw_get(cvat_http, "/api/server/about", GZIP)
    assert head.status_code == 200
    assert head.headers["content-encoding"] == "gzip"
    assert int(head.headers["content-length"]) == len(packed_raw)
    assert head.headers["vary"] == DJANGO_VARY
