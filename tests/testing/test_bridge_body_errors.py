"""The in-process bridge when reading the request body fails (an aborted upload)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cvat_client.testing.bridge import ASGIBridgeTransport


class Aborted(Exception):
    pass


def test_a_failing_body_raises_in_the_caller_and_disconnects_the_app() -> None:
    seen: list[str] = []
    done = threading.Event()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen.append(message["type"])
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        done.set()
        if seen[-1] == "http.request":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

    def body() -> Iterator[bytes]:
        yield b"x" * 1024
        raise Aborted("upload aborted")

    transport = ASGIBridgeTransport(app)
    client = httpx.Client(transport=transport)
    try:
        with pytest.raises(Aborted):
            client.patch("http://testserver/upload", content=body())
        assert done.wait(5), seen
        assert seen == ["http.request", "http.disconnect"]
    finally:
        client.close()
