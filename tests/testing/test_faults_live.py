"""Fault rules and the live HTTP server (uvicorn on loopback)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer


def test_fail_kth_request_with_retry_after(
    cvat_server: CvatTestServer, cvat_http: httpx.Client
) -> None:
    rule = cvat_server.faults.add(
        r"^/api/server/about$", method="GET", on=2, status=503, retry_after=3
    )
    assert cvat_http.get("/api/server/about").status_code == 200
    failed = cvat_http.get("/api/server/about")
    assert failed.status_code == 503
    assert failed.headers["retry-after"] == "3"
    assert failed.json() == {"detail": "Injected failure."}
    assert cvat_http.get("/api/server/about").status_code == 200
    assert (rule.seen, rule.fired) == (3, 1)
    assert cvat_http.post("/api/server/about").status_code == 405


def test_drop_in_process_surfaces_as_transport_error(
    cvat_server: CvatTestServer, cvat_http: httpx.Client
) -> None:
    cvat_server.faults.add(r"^/api/users/self$", drop_after=10)
    with pytest.raises(httpx.RemoteProtocolError):
        cvat_http.get("/api/users/self")
    cvat_server.faults.clear()
    assert cvat_http.get("/api/users/self").status_code == 200


def test_drop_over_http(
    cvat_server: CvatTestServer, cvat_live_server: LiveServer, cvat_admin: tuple[str, str]
) -> None:
    cvat_server.faults.add(r"^/api/users$", on=[1], drop_after=20)
    with httpx.Client(base_url=cvat_live_server.url, auth=cvat_admin) as http:
        with pytest.raises(httpx.HTTPError):
            http.get("/api/users").read()
        assert http.get("/api/users").json()["count"] == 1


def test_delay_rule(cvat_server: CvatTestServer, cvat_http: httpx.Client) -> None:
    rule = cvat_server.faults.add(r"^/api/server/about$", delay=0.01)
    assert cvat_http.get("/api/server/about").status_code == 200
    assert rule.fired == 1


def test_live_server_url_and_streamed_download(
    cvat_live_server: LiveServer, cvat_admin: tuple[str, str]
) -> None:
    assert cvat_live_server.url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=cvat_live_server.url, auth=cvat_admin) as http:
        about = http.get("/api/server/about").json()
        assert about["logo_url"] == f"{cvat_live_server.url}/static/logo.svg"
        schema = http.get("/api/schema/")
        assert schema.headers["content-type"] == "application/vnd.oai.openapi; charset=utf-8"
        assert b"openapi:" in schema.content[:200]


def test_async_client(cvat_server: CvatTestServer) -> None:
    import asyncio

    async def run() -> int:
        async with cvat_server.async_client(auth=("admin", "admin")) as http:
            return (await http.get("/api/users/self")).status_code

    assert asyncio.run(run()) == 200


def test_cli_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cvat_client.testing", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--admin" in result.stdout
    assert "loopback" in result.stdout
