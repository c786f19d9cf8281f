"""Serve a test server over real HTTP (uvicorn on loopback) from a background thread."""

from __future__ import annotations

import threading
import time

import uvicorn

from cvat_client.testing.server import CvatTestServer

_START_TIMEOUT = 10.0


class LiveServer:
    """A :class:`CvatTestServer` served by uvicorn on ``host`` (loopback by default).

    Use as a context manager; ``url`` is the base URL (``http://127.0.0.1:<port>``). Port 0
    picks a free ephemeral port.
    """

    def __init__(self, server: CvatTestServer, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = server
        self.host = host
        self.port = port
        self._uvicorn = self._make_uvicorn(port)
        self._thread: threading.Thread | None = None

    def _make_uvicorn(self, port: int) -> uvicorn.Server:
        config = uvicorn.Config(
            self.server.app,
            host=self.host,
            port=port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        # load (import) uvicorn's protocol classes here, not in the serving thread
        config.load()
        return uvicorn.Server(config)

    @property
    def url(self) -> str:
        """The base URL of the live server."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        """Start serving; returns once the socket accepts connections."""
        self._thread = threading.Thread(
            target=self._uvicorn.run, name="cvat-live-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live test server did not start")
            time.sleep(0.005)
        sockets = [s for srv in self._uvicorn.servers for s in srv.sockets]
        self.port = int(sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def restart(self, downtime: float = 0.0) -> None:
        """Stop listening (requests in flight are cut after a 1 s grace period), wait
        ``downtime`` seconds, and listen again on the same port over the same server state:
        a server that went away and came back."""
        self.stop()
        time.sleep(downtime)
        self._uvicorn = self._make_uvicorn(self.port)
        self.start()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
