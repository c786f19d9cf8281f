"""Helpers shared by the transfer tests: fault-injecting transports and server-side lookups."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from cvat_client.testing import CvatTestServer


class Interceptor(httpx.BaseTransport):
    """Forwards requests to ``inner``; ``hook(n, request)`` may act instead for request ``n``.

    ``hook`` returns a response, raises, or returns ``None`` to forward as usual. Every
    request is recorded as ``(method, path, headers)``.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        hook: Callable[[int, httpx.Request], httpx.Response | None] | None = None,
    ) -> None:
        self.inner = inner
        self.hook = hook
        self.seen: list[tuple[str, str, httpx.Headers]] = []
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, request.headers))
        self.requests.append(request)
        if self.hook is not None:
            answer = self.hook(len(self.seen), request)
            if answer is not None:
                return answer
        return self.inner.handle_request(request)

    def count(self, method: str, path_part: str = "") -> int:
        return sum(1 for m, p, _ in self.seen if m == method and path_part in p)

    def close(self) -> None:
        self.inner.close()


def body_of(request: httpx.Request) -> bytes:
    """The whole body of a (possibly streamed, replayable) request."""
    return b"".join(request.stream)  # type: ignore[arg-type]


def truncated(request: httpx.Request, size: int) -> httpx.Request:
    """A copy of ``request`` carrying only the first ``size`` bytes of its body."""
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    return httpx.Request(
        request.method,
        request.url,
        headers=headers,
        content=body_of(request)[:size],
        extensions=request.extensions,
    )


def uploaded_files(server: CvatTestServer) -> dict[str, Path]:
    """Every file the server holds in its upload sessions, by the name it knows it by."""
    sessions: dict[Any, Any] = server.__dict__.get("_uploads", {})
    found: dict[str, Path] = {}
    for session in sessions.values():
        found.update(session.files)
    return found
