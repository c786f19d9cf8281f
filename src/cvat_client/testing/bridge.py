"""A synchronous httpx transport for ASGI apps that streams bodies both ways.

httpx's ``ASGITransport`` only works with ``AsyncClient`` and buffers whole bodies. This
transport runs the app on an event loop in a background thread: the request body is fed to the
app chunk by chunk while the caller's thread iterates it, and the response body reaches the
caller as the app sends it. An app that aborts mid-response surfaces as
``httpx.RemoteProtocolError``, like a dropped connection.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

_QUEUE_SIZE = 16
_POLL = 0.05
_END = object()


class _Failure:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class _LoopThread:
    """An event loop running forever on a daemon thread (shared by a transport's requests)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="asgi-bridge", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        if not self.thread.is_alive():
            self.loop.close()


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, chunks: queue.Queue[Any], done: Future[None]) -> None:
        self._chunks = chunks
        self._done = done

    def __iter__(self) -> Iterator[bytes]:
        while True:
            item = self._chunks.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise httpx.RemoteProtocolError("the server dropped the connection") from item.error
            yield item

    def close(self) -> None:
        self._done.cancel()


class ASGIBridgeTransport(httpx.BaseTransport):
    """Run requests against an ASGI app from synchronous code (see module documentation)."""

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.app = app
        self.client = client
        self._loop: _LoopThread | None = None
        self._lock = threading.Lock()

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = _LoopThread()
            return self._loop.loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app on the bridge's event loop and stream the response back."""
        loop = self._get_loop()
        body_queue: queue.Queue[Any] = queue.Queue(maxsize=_QUEUE_SIZE)
        start: queue.Queue[Any] = queue.Queue()
        chunks: queue.Queue[Any] = queue.Queue()
        finished = threading.Event()
        scope = self._scope(request)

        async def receive() -> Message:
            item = await asyncio.to_thread(_get_body, body_queue, finished)
            if item is _END or item is None:
                if item is None:
                    return {"type": "http.disconnect"}
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": item, "more_body": True}

        started = False

        async def send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                start.put(message)
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if body:
                    chunks.put(bytes(body))
                if not message.get("more_body", False):
                    chunks.put(_END)

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            except BaseException as exc:
                if started:
                    chunks.put(_Failure(exc))
                else:
                    start.put(_Failure(exc))
                if not isinstance(exc, Exception):
                    raise
            else:
                chunks.put(_END)
            finally:
                finished.set()

        future: Future[None] = asyncio.run_coroutine_threadsafe(run(), loop)
        feeder = threading.Thread(
            target=_feed,
            args=(request, body_queue, finished, start),
            name="asgi-bridge-body",
            daemon=True,
        )
        feeder.start()
        first = start.get()
        if isinstance(first, _BodyFailure):
            raise first.error  # as a network transport does: the body's own error
        if isinstance(first, _Failure):
            raise httpx.RemoteProtocolError("the server dropped the connection") from first.error
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in first["headers"]]
        return httpx.Response(
            status_code=first["status"],
            headers=headers,
            stream=_ResponseStream(chunks, future),
            request=request,
        )

    def _scope(self, request: httpx.Request) -> dict[str, Any]:
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?")[0],
            "query_string": url.query,
            "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": self.client,
            "server": (url.host, port),
        }

    def close(self) -> None:
        """Stop the bridge's event loop thread."""
        with self._lock:
            if self._loop is not None:
                self._loop.stop()
                self._loop = None


class _BodyFailure:
    """The request body could not be read (its iterator raised): the caller gets the error."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _feed(
    request: httpx.Request,
    body_queue: queue.Queue[Any],
    finished: threading.Event,
    start: queue.Queue[Any],
) -> None:
    """Push the request body into the queue (in the feeder thread), honouring back-pressure.

    If reading the body fails, the app sees the client disconnect and the caller waiting
    in :meth:`ASGIBridgeTransport.handle_request` gets the body's exception.
    """
    stream = request.stream
    iterator: Any = stream if isinstance(stream, httpx.SyncByteStream) else iter([request.content])
    try:
        for chunk in iterator:
            if chunk and not _put(body_queue, bytes(chunk), finished):
                return
    except httpx.StreamConsumed:
        pass
    except BaseException as exc:  # handed to the caller, not swallowed
        start.put(_BodyFailure(exc))
        _put(body_queue, None, finished)
        return
    _put(body_queue, _END, finished)


def _put(body_queue: queue.Queue[Any], item: Any, finished: threading.Event) -> bool:
    while not finished.is_set():
        try:
            body_queue.put(item, timeout=_POLL)
            return True
        except queue.Full:
            continue
    return False


def _get_body(body_queue: queue.Queue[Any], finished: threading.Event) -> Any:
    while True:
        try:
            return body_queue.get(timeout=_POLL)
        except queue.Empty:
            if finished.is_set():
                return None
