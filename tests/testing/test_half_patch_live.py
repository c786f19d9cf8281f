"""A TUS ``PATCH`` whose connection drops mid-body, over real HTTP (raw socket).

CVAT 2.73 keeps nothing of a chunk whose body did not arrive whole: Django reads the whole
request body before the view runs, so ``HEAD`` then reports the offset before that chunk
(checked against a real CVAT 2.73: 40 000 of 100 000 after a first whole chunk of 40 000
and half of the next one). The upload goes on from there.
"""

from __future__ import annotations

import base64
import logging
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from cvat_client.testing.live import LiveServer

SIZE = 100_000
FIRST = 40_000
TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {**TUS, "Content-Type": "application/offset+octet-stream"}


def _half_patch(base: str, path: str, auth: tuple[str, str], offset: int, declared: int) -> bytes:
    """Send a PATCH declaring ``declared`` body bytes, send half of them, and hang up.

    Returns whatever the server answered on that connection before closing it.
    """
    parts = urlsplit(base)
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Basic {token}\r\n"
        f"Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n"
        f"Content-Type: application/offset+octet-stream\r\nContent-Length: {declared}\r\n\r\n"
    )
    answer = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as raw:
        raw.sendall(head.encode() + b"h" * (declared // 2))
        raw.shutdown(socket.SHUT_WR)
        # the server is done with the request when it closes its side
        while block := raw.recv(65536):
            answer += block
    return answer


def half_patch_scenario(base: str, auth: tuple[str, str], name: str) -> list[object]:
    """Run the scenario on a server; returns what was observed, step by step."""
    seen: list[object] = []
    with httpx.Client(base_url=base, auth=auth, timeout=60) as http:
        task = http.post("/api/tasks", json={"name": name, "labels": [{"name": "a"}]}).json()
        try:
            url = f"/api/tasks/{task['id']}/data/"
            assert http.post(url, headers={"Upload-Start": "true"}).status_code == 202
            meta = "filename " + base64.b64encode(b"big.bin").decode()
            created = http.post(
                url, headers={**TUS, "Upload-Length": str(SIZE), "Upload-Metadata": meta}
            )
            assert created.status_code == 201, created.text
            location = urlsplit(created.headers["location"]).path
            first = http.patch(
                location, content=b"f" * FIRST, headers={**OCTETS, "Upload-Offset": "0"}
            )
            seen.append((first.status_code, first.headers.get("upload-offset")))
            answer = _half_patch(base, location, auth, FIRST, SIZE - FIRST)
            seen.append(answer.split(b" ", 2)[1:2] if answer else [])
            head = http.head(location, headers=TUS)
            seen.append((head.status_code, head.headers.get("upload-offset")))
            rest = http.patch(
                location,
                content=b"r" * (SIZE - FIRST),
                headers={**OCTETS, "Upload-Offset": head.headers["upload-offset"]},
            )
            seen.append((rest.status_code, rest.headers.get("upload-offset")))
            seen.append(http.head(location, headers=TUS).status_code)
        finally:
            http.delete(f"/api/tasks/{task['id']}")
    return seen


def test_a_half_sent_patch_keeps_nothing_of_its_chunk(
    cvat_live_server: LiveServer, cvat_admin: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="cvat_client.testing")
    seen = half_patch_scenario(cvat_live_server.url, cvat_admin, "half-patch")
    # what a real CVAT 2.73 answered to the same scenario, step by step
    assert seen == [(204, str(FIRST)), [], (200, str(FIRST)), (204, str(SIZE)), 404]
    # a client that hangs up is not a server error
    assert not caplog.records
