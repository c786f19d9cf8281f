"""Response compression as CVAT's Django ``GZipMiddleware`` does it.

A real CVAT compresses every answer whose client accepts gzip (``Accept-Encoding`` naming
``gzip``), JSON and media alike, by Django's rules:

* a whole (non-streamed) body under 200 bytes is sent as it is, and so is one that gzip
  would not make shorter; otherwise it is replaced by its gzip (level 6) and its
  ``Content-Length`` by the compressed length;
* a streamed body (a file download) is compressed as it goes, without ``Content-Length``;
* a body that already has a ``Content-Encoding`` is left alone;
* ``Vary`` gains ``Accept-Encoding`` on every answer it considered, compressed or not.

Only Django's own answers are compressed (they all carry ``X-Request-Id``): the export and
backup files a deployment's nginx serves are sent as they are, as the recorded exchanges
with CVAT show.

cvat-sdk (urllib3) sends no ``Accept-Encoding`` and so gets every body as it is; httpx
accepts gzip by default, so a client that wants media uncompressed must ask for
``identity``.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["GZipMiddleware"]

#: Django's test of ``Accept-Encoding`` (``re_accepts_gzip``).
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
#: Bodies shorter than this are not worth compressing (Django's rule).
MIN_SIZE = 200
_LEVEL = 6  # Django's compress_string and compress_sequence


def _gzip() -> Any:
    return zlib.compressobj(_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)


class GZipMiddleware:
    """ASGI middleware compressing answers as CVAT's Django ``GZipMiddleware`` does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI call, compressing its answer if the client accepts gzip."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepted = b""
        for name, value in scope.get("headers", ()):
            if name.lower() == b"accept-encoding":
                accepted += value + b","
        wants = _ACCEPTS_GZIP.search(accepted.decode("latin-1")) is not None
        await self.app(scope, receive, _Compressor(send, wants))


class _Compressor:
    """The ``send`` of one answer: holds the start until the first body part says whether
    the body is whole or streamed."""

    def __init__(self, send: Send, wants: bool) -> None:
        self._send = send
        self._wants = wants
        self._start: Message | None = None
        self._compressor: Any = None  # set while a streamed body is compressed

    async def __call__(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self._start = message
            return
        if kind != "http.response.body":
            await self._send(message)
            return
        start, self._start = self._start, None
        if start is not None:
            await self._first_part(start, message)
        else:
            await self._forward(message)

    async def _first_part(self, start: Message, message: Message) -> None:
        body: bytes = message.get("body", b"")
        streamed = bool(message.get("more_body"))
        headers = list(start.get("headers", []))
        names = {name.lower() for name, _ in headers}
        django = b"x-request-id" in names  # not a file nginx serves (see the module docs)
        if not django or (not streamed and len(body) < MIN_SIZE) or b"content-encoding" in names:
            await self._send(start)
            await self._forward(message)
            return
        headers = _vary_on_accept_encoding(headers)
        if not self._wants:
            await self._send({**start, "headers": headers})
            await self._forward(message)
            return
        if not streamed:
            compressor = _gzip()
            payload = compressor.compress(body) + compressor.flush()
            if len(payload) >= len(body):
                await self._send({**start, "headers": headers})
                await self._send(message)
                return
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers += [
                (b"content-length", str(len(payload)).encode()),
                (b"content-encoding", b"gzip"),
            ]
            await self._send({**start, "headers": headers})
            await self._send({**message, "body": payload})
            return
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        headers.append((b"content-encoding", b"gzip"))
        await self._send({**start, "headers": headers})
        self._compressor = _gzip()
        await self._forward(message)

    async def _forward(self, message: Message) -> None:
        """Send a body part, compressed if the streamed body is being compressed."""
        compressor = self._compressor
        if compressor is None:
            await self._send(message)
            return
        more = bool(message.get("more_body"))
        payload = compressor.compress(message.get("body", b""))
        if not more:
            payload += compressor.flush()
            self._compressor = None
        await self._send({"type": "http.response.body", "body": payload, "more_body": more})


def _vary_on_accept_encoding(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``Accept-Encoding`` added to ``Vary`` once (Django's
    ``patch_vary_headers``), where a real CVAT has it."""
    out: list[tuple[bytes, bytes]] = []
    seen = False
    for name, value in headers:
        if name.lower() == b"vary" and not seen:
            seen = True
            fields = [f.strip() for f in value.decode("latin-1").split(",") if f.strip()]
            lowered = [f.lower() for f in fields]
            if "accept-encoding" not in lowered and "*" not in fields:
                # in CVAT's middleware order it follows DRF's Accept, before Origin, Cookie
                at = lowered.index("accept") + 1 if "accept" in lowered else len(fields)
                fields.insert(at, "Accept-Encoding")
            value = ", ".join(fields).encode("latin-1")
        out.append((name, value))
    if not seen:
        out.append((b"vary", b"Accept-Encoding"))
    return out
