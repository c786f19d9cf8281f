"""Reading response bodies under a size cap and the request's deadline, and checking that
a JSON body is what the endpoint promises.

Every non-streamed answer is read here, block by block: an answer announcing more than
the cap (``Content-Length``) is refused before a byte of it is read, and one that keeps
coming (an endless chunked body) is refused as soon as it passes the cap, so memory stays
bounded by the cap. Error answers are read up to :data:`ERROR_BODY_LIMIT` (the rest is
dropped with the connection): the exception needs only their start.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cvat_client._lowlevel import deadline
from cvat_client._lowlevel.exceptions import (
    DeadlineExceededError,
    InvalidResponseError,
    ResponseTooLargeError,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_MAX_ANNOTATIONS_RESPONSE_SIZE",
    "ERROR_BODY_LIMIT",
    "read_capped",
    "aread_capped",
    "load_json",
    "check_kind",
    "is_annotations_path",
    "is_binary_type",
]

MiB = 2**20
#: The default cap of a JSON answer, in bytes.
DEFAULT_MAX_RESPONSE_SIZE = 64 * MiB
#: The default cap of an answer of an annotation endpoint (100,000 shapes are ~80 MB).
DEFAULT_MAX_ANNOTATIONS_RESPONSE_SIZE = 1024 * MiB
#: How much of an error answer is kept (for the exception's ``body`` and message).
ERROR_BODY_LIMIT = 1 * MiB
_NO_LIMIT = 2**63


def is_annotations_path(path: str) -> bool:
    """Whether a request path is one of the annotation endpoints (the larger cap)."""
    return "/annotations" in path


def is_binary_type(content_type: str) -> bool:
    """Whether a content type is a file's (not JSON, not text): such answers are not capped."""
    ctype = content_type.split(";")[0].strip().lower()
    return bool(ctype) and "json" not in ctype and not ctype.startswith("text/")


def _declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None or response.headers.get("content-encoding", "identity") != "identity":
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _check_deadline(response: httpx.Response) -> None:
    if deadline.expired():
        request = response.request
        url = str(request.url.copy_with(query=None))
        raise DeadlineExceededError(
            f"{request.method} {url} did not complete within its deadline "
            "(the server was still sending the answer)",
            method=request.method,
            url=url,
        )


def _too_large(
    response: httpx.Response, limit: int, declared: int | None, start: bytes
) -> ResponseTooLargeError:
    response._content = start[:4096]
    return ResponseTooLargeError(limit, http_resp=response, declared=declared)


def read_capped(response: httpx.Response, limit: int | None, *, truncate: bool = False) -> bytes:
    """Read a streamed response's body, at most ``limit`` bytes (after decoding; ``None``:
    no limit, for files).

    Beyond ``limit``: raise :class:`ResponseTooLargeError`, or with ``truncate`` keep the
    first ``limit`` bytes and drop the rest. The response is closed either way; its
    ``content`` is what was kept. Transport errors propagate as httpx raises them.
    """
    try:
        body = _CappedBody(response, limit, truncate)
        for chunk in response.iter_bytes():
            if body.add(chunk):
                break
        return body.result()
    finally:
        response.close()


async def aread_capped(
    response: httpx.Response, limit: int | None, *, truncate: bool = False
) -> bytes:
    """:func:`read_capped` for an async response."""
    try:
        body = _CappedBody(response, limit, truncate)
        async for chunk in response.aiter_bytes():
            if body.add(chunk):
                break
        return body.result()
    finally:
        await response.aclose()


class _CappedBody:
    """The steps both capped reads share: the announced length, the cap, the deadline."""

    def __init__(self, response: httpx.Response, limit: int | None, truncate: bool) -> None:
        self.response = response
        self.limit = _NO_LIMIT if limit is None else limit
        self.truncate = truncate
        self.declared = _declared_length(response)
        if self.declared is not None and self.declared > self.limit and not truncate:
            raise _too_large(response, self.limit, self.declared, b"")
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; ``True`` once the cap is passed with ``truncate`` (stop reading)."""
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size > self.limit:
            if not self.truncate:
                body = b"".join(self.chunks)
                raise _too_large(self.response, self.limit, self.declared, body)
            return True
        _check_deadline(self.response)
        return False

    def result(self) -> bytes:
        """The body kept, set as the response's ``content``."""
        body = b"".join(self.chunks)
        self.response._content = body[: self.limit] if self.size > self.limit else body
        return self.response._content


def load_json(response: httpx.Response, content: bytes) -> Any:
    """Decode a JSON body, raising :class:`InvalidResponseError` if it is not JSON."""
    ctype = response.headers.get("content-type", "")
    if ctype and "json" not in ctype.lower():
        raise InvalidResponseError(
            "expected a JSON answer, got another content type (a proxy's or a login "
            "page?); check the server address",
            http_resp=response,
        )
    try:
        return json.loads(content)
    except UnicodeDecodeError as exc:
        raise InvalidResponseError(
            f"the body is not valid UTF-8 ({exc.reason} at byte {exc.start})", http_resp=response
        ) from None
    except ValueError as exc:
        raise InvalidResponseError(
            f"the body is not valid JSON ({exc}); it may have been cut short",
            http_resp=response,
        ) from None


def check_kind(response: httpx.Response, data: Any, spec: Any) -> None:
    """Raise :class:`InvalidResponseError` if ``data`` is not of the kind ``spec`` wants:
    an object for a model or a mapping, an array for a list. Fields are not checked here
    (tolerant parsing accepts unknown and missing ones)."""
    kind = _kind_of(spec)
    if kind is None or data is None:
        return
    if kind == "object" and not isinstance(data, dict):
        got = type(data).__name__
        raise InvalidResponseError(f"expected a JSON object, got a JSON {_json_kind(got)}",
                                   http_resp=response)  # fmt: skip
    if kind == "array" and not isinstance(data, list):
        got = type(data).__name__
        raise InvalidResponseError(f"expected a JSON array, got a JSON {_json_kind(got)}",
                                   http_resp=response)  # fmt: skip


def _json_kind(python_name: str) -> str:
    return {
        "dict": "object",
        "list": "array",
        "str": "string",
        "int": "number",
        "float": "number",
        "bool": "boolean",
    }.get(python_name, python_name)


def _kind_of(spec: Any) -> str | None:
    if isinstance(spec, str):
        return None
    head = spec[0]
    if head in ("model", "dict"):
        return "object"
    if head == "list":
        return "array"
    if head == "union":
        kinds = {_kind_of(member) for member in spec[1] if member != "none"}
        return kinds.pop() if len(kinds) == 1 else None
    return None
