"""Fault injection: per-route rules that fail, delay or cut off matching requests.

Rules match a method and a path regular expression and count the requests they see. A rule
fires on the requests listed in ``on`` (1-based; empty means every request) and then:

* ``status``: answers that status (DRF-shaped JSON body) instead of running the handler, with
  ``Retry-After`` when ``retry_after`` is set;
* ``drop_after``: lets the handler run and drops the connection after that many bytes of the
  response body;
* ``delay``: waits that many seconds before handling the request;
* ``pause_after`` with ``pause``: sends that many bytes of the response body, then waits
  ``pause`` seconds before sending the rest (a transfer that stalls and recovers);
* ``chunked``: leaves out the ``Content-Length`` of the answer, so it goes out with
  ``Transfer-Encoding: chunked`` (as from a proxy or a streaming view);
* ``encoding``: ``"gzip"`` or ``"deflate"``: compresses the body and announces it with
  ``Content-Encoding``, whatever the request's ``Accept-Encoding`` says (as a misconfigured
  proxy might).
"""

from __future__ import annotations

import asyncio
import re
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cvat_client.testing._http import SECURITY_HEADERS, dumps


class DroppedConnection(Exception):
    """Raised inside the app to abort a response mid-body (the server closes the connection)."""


@dataclass
class FaultRule:
    """One fault rule; see the module documentation."""

    path: str
    method: str | None = None
    on: frozenset[int] = frozenset()
    status: int | None = None
    retry_after: float | None = None
    body: Any = None
    drop_after: int | None = None
    delay: float = 0.0
    pause_after: int | None = None
    pause: float = 0.0
    chunked: bool = False
    encoding: str | None = None
    seen: int = 0
    fired: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to a request."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._regex.search(path) is not None


class Faults:
    """The fault rules of a server (thread-safe)."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(
        self,
        path: str,
        *,
        method: str | None = None,
        on: Iterable[int] | int | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        body: Any = None,
        drop_after: int | None = None,
        delay: float = 0.0,
        pause_after: int | None = None,
        pause: float = 0.0,
        chunked: bool = False,
        encoding: str | None = None,
    ) -> FaultRule:
        """Add a rule; ``on`` is a request number or numbers (1-based) or None for all."""
        if encoding not in (None, "gzip", "deflate"):
            raise ValueError(f"encoding must be 'gzip' or 'deflate', not {encoding!r}")
        numbers = frozenset([on] if isinstance(on, int) else (on or ()))
        rule = FaultRule(
            path,
            method=method,
            on=numbers,
            status=status,
            retry_after=retry_after,
            body=body,
            drop_after=drop_after,
            delay=delay,
            pause_after=pause_after,
            pause=pause,
            chunked=chunked,
            encoding=encoding,
        )
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self.rules.clear()

    def pick(self, method: str, path: str) -> list[FaultRule]:
        """Count the request against matching rules; return the rules that fire for it."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.seen += 1
                    if not rule.on or rule.seen in rule.on:
                        rule.fired += 1
                        fired.append(rule)
        return fired


class FaultMiddleware:
    """ASGI middleware applying :class:`Faults` rules."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI call, applying matching fault rules (delay, status, cut body)."""
        if scope["type"] != "http" or not self.faults.rules:
            await self.app(scope, receive, send)
            return
        rules = self.faults.pick(scope["method"], scope["path"])
        for rule in rules:
            if rule.delay:
                await asyncio.sleep(rule.delay)
        failing = next((r for r in rules if r.status is not None), None)
        if failing is not None:
            await self._fail(failing, send)
            return
        # innermost first: the wire sees the compressed body, paused, cut, sent chunked
        if any(rule.chunked for rule in rules):
            send = _Unsized(send)
        for rule in rules:
            if rule.drop_after is not None:
                send = _Cutter(send, rule.drop_after)
                break
        for rule in rules:
            if rule.pause_after is not None:
                send = _Pauser(send, rule.pause_after, rule.pause)
                break
        for rule in rules:
            if rule.encoding is not None:
                send = _Encoder(send, rule.encoding)
                break
        await self.app(scope, receive, send)

    @staticmethod
    async def _fail(rule: FaultRule, send: Send) -> None:
        assert rule.status is not None
        body = rule.body if rule.body is not None else {"detail": "Injected failure."}
        payload = dumps(body)
        headers = [
            (b"content-type", b"application/vnd.cvat+json"),
            (b"content-length", str(len(payload)).encode()),
            *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS),
        ]
        if rule.retry_after is not None:
            value = rule.retry_after
            text = str(int(value)) if float(value).is_integer() else str(value)
            headers.append((b"retry-after", text.encode()))
        await send({"type": "http.response.start", "status": rule.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


class _Cutter:
    """A ``send`` wrapper that raises after ``limit`` body bytes went out."""

    def __init__(self, send: Send, limit: int) -> None:
        self._send = send
        self._left = limit

    async def __call__(self, message: Message) -> None:
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        body: bytes = message.get("body", b"")
        if len(body) < self._left or (len(body) == self._left and message.get("more_body")):
            self._left -= len(body)
            await self._send(message)
            return
        await self._send(
            {"type": "http.response.body", "body": body[: self._left], "more_body": True}
        )
        raise DroppedConnection("connection dropped by a fault rule")


class _Pauser:
    """A ``send`` wrapper that waits ``seconds`` once ``limit`` body bytes went out."""

    def __init__(self, send: Send, limit: int, seconds: float) -> None:
        self._send = send
        self._left = limit
        self._seconds = seconds

    async def __call__(self, message: Message) -> None:
        if message["type"] != "http.response.body" or self._left < 0:
            await self._send(message)
            return
        body: bytes = message.get("body", b"")
        if len(body) < self._left:
            self._left -= len(body)
            await self._send(message)
            return
        head, tail = body[: self._left], body[self._left :]
        self._left = -1
        if head:
            await self._send({"type": "http.response.body", "body": head, "more_body": True})
        await asyncio.sleep(self._seconds)
        await self._send({**message, "body": tail})


def _without_length(message: Message) -> Message:
    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
    return {**message, "headers": headers}


class _Unsized:
    """A ``send`` wrapper that removes ``Content-Length``: the body goes out chunked."""

    def __init__(self, send: Send) -> None:
        self._send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            message = _without_length(message)
        await self._send(message)


class _Encoder:
    """A ``send`` wrapper that compresses the whole body (``gzip`` or ``deflate``) and
    announces it with ``Content-Encoding`` and the compressed ``Content-Length``."""

    def __init__(self, send: Send, encoding: str) -> None:
        self._send = send
        self._encoding = encoding
        self._start: Message | None = None
        self._body: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            encoded = any(k.lower() == b"content-encoding" for k, _ in message.get("headers", []))
            if encoded:  # compressed already (the client accepted gzip): sent as it is
                await self._send(message)
            else:
                self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        self._body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        wbits = 16 + zlib.MAX_WBITS if self._encoding == "gzip" else zlib.MAX_WBITS
        compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
        payload = compressor.compress(b"".join(self._body)) + compressor.flush()
        headers = [
            (k, v)
            for k, v in _without_length(self._start)["headers"]
            if k.lower() != b"content-encoding"
        ]
        headers += [
            (b"content-encoding", self._encoding.encode()),
            (b"content-length", str(len(payload)).encode()),
        ]
        await self._send({**self._start, "headers": headers})
        await self._send({"type": "http.response.body", "body": payload})
