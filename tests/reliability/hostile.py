"""A misbehaving HTTP server on 127.0.0.1 written on raw sockets: each test scripts what
it sends (wrong bodies, slow drips, endless bodies), which no well-behaved framework does."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

Handler = Callable[["Exchange"], None]


class Exchange:
    """One request received by the hostile server and the socket to answer on."""

    def __init__(self, conn: socket.socket, method: str, path: str, headers: dict[str, str]):
        self.conn = conn
        self.method = method
        self.path = path
        self.headers = headers
        self.sent = 0

    def send(self, data: bytes) -> None:
        """Send raw bytes (errors of a client that went away end the exchange)."""
        self.conn.sendall(data)
        self.sent += len(data)

    def answer(
        self,
        body: bytes,
        *,
        status: str = "200 OK",
        content_type: str = "application/vnd.cvat+json",
        length: int | None = None,
        extra: str = "",
    ) -> None:
        """A complete answer (``length`` may lie about the body's size)."""
        size = len(body) if length is None else length
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {size}\r\n"
            f"{extra}Connection: close\r\n\r\n"
        )
        self.send(head.encode() + body)

    def drip(self, data: bytes, every: float) -> None:
        """Send ``data`` one byte at a time, ``every`` seconds apart."""
        for i in range(len(data)):
            self.send(data[i : i + 1])
            time.sleep(every)


class HostileServer:
    """Serves every connection with ``handler`` (one request per connection)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[tuple[str, str]] = []
        self.sent: list[int] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(32)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.port = self._sock.getsockname()[1]

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HostileServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            while len(rest) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                rest += chunk
            self.requests.append((method, path))
            exchange = Exchange(conn, method, path, headers)
            try:
                self.handler(exchange)
            except OSError:
                pass  # the client went away: that is what the tests want to see
            finally:
                self.sent.append(exchange.sent)
        finally:
            conn.close()

    def stop_serving(self) -> None:
        """Stop answering (the threads still running end when their client goes)."""
        self._stop.set()
