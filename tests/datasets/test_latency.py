"""``python -m cvat_client.testing --latency SECONDS``: a delay before every request."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_latency_delays_every_request() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cvat_client.testing",
            "--port",
            str(port),
            "--admin",
            "admin:latency-pw-1",
            "--latency",
            "0.4",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/server/about"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the test server did not start")
                time.sleep(0.2)
        for _ in range(2):
            start = time.monotonic()
            response = httpx.get(url, timeout=30)
            assert response.status_code == 200
            assert time.monotonic() - start >= 0.4  # a lower bound only: never flaky
    finally:
        proc.terminate()
        proc.wait(30)


def test_negative_latency_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cvat_client.testing", "--latency", "-1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--latency must not be negative" in result.stderr
