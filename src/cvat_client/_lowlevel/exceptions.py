"""The exception tree of cvat-client.

Everything the SDK raises on purpose derives from :class:`ApiException`, so one
``except ApiException`` catches them all. Errors of an HTTP response carry the status,
reason, headers, raw body and the parsed error body; their class follows the status
(:class:`NotFoundException` for 404 and so on). Bad inputs raise
:class:`ApiValueError` / :class:`ApiTypeError`; a request that got no response raises
:class:`ApiTimeoutError` or :class:`ApiConnectionError`.

Messages and reprs never contain credentials: authorization headers, cookies and
CSRF tokens are masked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = [
    "OpenApiException",
    "ApiException",
    "ApiTypeError",
    "ApiValueError",
    "ApiMissingFieldError",
    "ApiKeyError",
    "ApiAttributeError",
    "ApiTransportError",
    "ApiConnectionError",
    "ApiTimeoutError",
    "BadRequestException",
    "UnauthorizedException",
    "ForbiddenException",
    "NotFoundException",
    "MethodNotAllowedException",
    "NotAcceptableException",
    "ConflictException",
    "GoneException",
    "RequestEntityTooLargeException",
    "UnsupportedMediaTypeException",
    "RangeNotSatisfiableException",
    "TooManyRequestsException",
    "ServiceException",
    "InvalidResponseError",
    "ResponseTooLargeError",
    "DeadlineExceededError",
    "exception_for_response",
    "SENSITIVE_HEADERS",
    "mask_headers",
]

#: Header names whose values are secrets; they are masked wherever headers are shown.
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-csrftoken"}
)

_BODY_EXCERPT = 1000
_CONTENT_TYPE = "content-type"  # a header name; httpx looks it up in any case


def mask_headers(headers: Mapping[str, str] | Any) -> dict[str, str]:
    """Return a copy of ``headers`` with secret values replaced by ``***``."""
    items = headers.multi_items() if hasattr(headers, "multi_items") else list(headers.items())
    masked: dict[str, str] = {}
    for name, value in items:
        shown = "***" if name.lower() in SENSITIVE_HEADERS else value
        key = name.lower()
        masked[key] = f"{masked[key]}, {shown}" if key in masked else shown
    return masked


class OpenApiException(Exception):
    """Base of every exception of the low-level client (kept for cvat-sdk compatibility)."""


class ApiException(OpenApiException):
    """An API call failed.

    Attributes:
        status: HTTP status code, or ``None`` when no response was received.
        reason: HTTP reason phrase (or a short description of the failure).
        headers: response headers, with secret values masked.
        body: the raw response body (``b""`` if none or not read).
        data: the parsed error body: a dict (``{"detail": ...}`` or ``{"field": [...]}``),
            a list, a string, or ``None`` when the body is not JSON.
        method, url: the request that failed (the URL without its query string).
    """

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        http_resp: httpx.Response | None = None,
        *,
        message: str | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers: dict[str, str] = {}
        self.body: bytes = b""
        self.data: Any = None
        self.method: str | None = None
        self.url: str | None = None
        self.response = http_resp
        if http_resp is not None:
            self.status = http_resp.status_code
            self.reason = http_resp.reason_phrase
            self.headers = mask_headers(http_resp.headers)
            self.body = _read_body(http_resp)
            content_type = str(http_resp.headers.get(_CONTENT_TYPE))  # "None" if not said
            self.data = _parse_error_body(self.body, content_type)
            request = http_resp._request
            if request is not None:
                self.method = request.method
                self.url = str(request.url.copy_with(query=None))
        self._message = message
        super().__init__(str(self))

    @property
    def message(self) -> str:
        """A one-line description of the failure, with the server's own message if any."""
        parts = []
        if self.status is not None:
            parts.append(f"({self.status})")
        if self.reason:
            parts.append(self.reason)
        if self.method and self.url:
            parts.append(f"for {self.method} {self.url}")
        text = " ".join(parts)
        detail = self._message or _describe_error_body(self.data, self.body)
        if detail:
            text = f"{text}: {detail}" if text else detail
        return text or type(self).__name__

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, reason={self.reason!r})"


class ApiTypeError(ApiException, TypeError):
    """An argument has the wrong type (raised before anything is sent)."""

    def __init__(
        self,
        msg: str,
        path_to_item: list[str | int] | None = None,
        valid_classes: tuple[type, ...] | None = None,
        key_type: bool | None = None,
    ) -> None:
        self.path_to_item = path_to_item or []
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(message=msg)


class ApiValueError(ApiException, ValueError):
    """An argument or a response has an invalid value."""

    def __init__(self, msg: str, path_to_item: list[str | int] | None = None) -> None:
        self.path_to_item = path_to_item or []
        super().__init__(message=msg)


class ApiMissingFieldError(ApiValueError, TypeError):
    """A model lacks a required field (a `ValueError`, and a `TypeError` as cvat-sdk's
    model constructors raise)."""


class ApiKeyError(ApiException, KeyError):
    """A required key is missing."""

    def __init__(self, msg: str, path_to_item: list[str | int] | None = None) -> None:
        self.path_to_item = path_to_item or []
        super().__init__(message=msg)

    def __str__(self) -> str:  # KeyError.__str__ would repr() the message
        return self.message


class ApiAttributeError(ApiException, AttributeError):
    """An attribute is missing."""

    def __init__(self, msg: str, path_to_item: list[str | int] | None = None) -> None:
        self.path_to_item = path_to_item or []
        super().__init__(message=msg)


class ApiTransportError(ApiException):
    """The request got no HTTP response (network failure, timeout, protocol error)."""

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message=message)
        self.method = method
        self.url = url

    @property
    def message(self) -> str:
        """What failed; the message already names the request (there is no status)."""
        return self._message or type(self).__name__


class ApiConnectionError(ApiTransportError):
    """The connection could not be made or was dropped."""


class ApiTimeoutError(ApiTransportError):
    """The server did not answer within the configured timeout."""


class DeadlineExceededError(ApiTimeoutError, TimeoutError):
    """The request did not complete within its total deadline (``Config.deadline`` or a
    call's ``_request_deadline``), however steadily the server kept sending."""


class InvalidResponseError(ApiException, ValueError):
    """The server answered, but not with what the endpoint promises: a body that is not
    JSON (an HTML login page of a proxy), JSON cut short, invalid UTF-8, or JSON of the
    wrong kind (a list where an object is due).

    The message names the request, the status, the content type and the start of the
    body (credentials masked). Attributes as in :class:`ApiException`, plus
    ``content_type``.
    """

    def __init__(self, problem: str, *, http_resp: httpx.Response) -> None:
        self.problem = problem
        self.content_type = http_resp.headers.get(_CONTENT_TYPE, "")
        super().__init__(http_resp=http_resp, message=problem)

    @property
    def message(self) -> str:
        """What was wrong with the answer, and where it came from."""
        where = f"{self.method} {self.url}" if self.method and self.url else "the request"
        excerpt = body_excerpt(self.body)
        shown = f"; the body starts with: {excerpt}" if excerpt else "; the body is empty"
        return (
            f"Unexpected answer to {where} ({self.status} {self.reason}, content type "
            f"{self.content_type or 'none'!r}): {self._message}{shown}"
        )


class ResponseTooLargeError(ApiException):
    """The answer is larger than the size cap of its endpoint (``Config.max_response_size``
    or ``Config.max_annotations_response_size``); it was refused without being read whole.

    Attributes as in :class:`ApiException`, plus ``limit`` (bytes).
    """

    def __init__(self, limit: int, *, http_resp: httpx.Response, declared: int | None) -> None:
        self.limit = limit
        self.declared = declared
        super().__init__(http_resp=http_resp)

    @property
    def message(self) -> str:
        """The request, the cap and what the server sent or announced."""
        where = f"{self.method} {self.url}" if self.method and self.url else "the request"
        size = (
            f"announced {self.declared} bytes"
            if self.declared is not None
            else "sent more than that"
        )
        return (
            f"The answer to {where} ({self.status}) is larger than the limit of {self.limit} "
            f"bytes: the server {size}. Raise the limit in Config if this answer is expected."
        )


class BadRequestException(ApiException):
    """400: the server rejected the request's content; see :attr:`data` for field errors."""


class UnauthorizedException(ApiException):
    """401: missing or invalid credentials."""


class ForbiddenException(ApiException):
    """403: authenticated, but not allowed (or a CSRF failure)."""


class NotFoundException(ApiException):
    """404: no such resource (or it is not visible in the current organization context)."""


class MethodNotAllowedException(ApiException):
    """405: the resource does not support this method."""


class NotAcceptableException(ApiException):
    """406: the server cannot answer in the requested ``Accept`` type."""


class ConflictException(ApiException):
    """409: conflicting state (e.g. the same export already running, a wrong upload offset)."""


class GoneException(ApiException):
    """410: the endpoint was removed from the server."""


class RequestEntityTooLargeException(ApiException):
    """413: the request body is too large."""


class UnsupportedMediaTypeException(ApiException):
    """415: wrong request ``Content-Type``."""


class RangeNotSatisfiableException(ApiException):
    """416: the requested byte range is outside the resource."""


class TooManyRequestsException(ApiException):
    """429: rate limited; see :attr:`retry_after`."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (``Retry-After``), if it said so."""
        return _retry_after(self.headers)


class ServiceException(ApiException):
    """5xx: the server failed."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (``Retry-After``), if it said so."""
        return _retry_after(self.headers)


_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    405: MethodNotAllowedException,
    406: NotAcceptableException,
    409: ConflictException,
    410: GoneException,
    413: RequestEntityTooLargeException,
    415: UnsupportedMediaTypeException,
    416: RangeNotSatisfiableException,
    429: TooManyRequestsException,
}


def exception_for_response(response: httpx.Response) -> ApiException:
    """Build the exception matching an error response (its body must have been read)."""
    status = response.status_code
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServiceException if status >= 500 else ApiException
    return cls(http_resp=response)


_EXCERPT_CHARS = 200


def _read_body(response: httpx.Response) -> bytes:
    """The body of a response if it was read (a refused or streamed one: ``b""``)."""
    content = getattr(response, "_content", None)
    return content if isinstance(content, bytes) else b""


def body_excerpt(body: bytes, limit: int = _EXCERPT_CHARS) -> str:
    """The start of a body as text for messages, with anything like a credential masked."""
    if not body:
        return ""
    # bytes enough for ``limit`` characters; any larger window gives the same excerpt, so
    # its mutants are equivalent
    window = limit * 4  # pragma: no mutate
    text = body[:window].decode(errors="replace")  # UTF-8
    from cvat_client._lowlevel.redaction import redact_text

    text = " ".join(redact_text(text).split())
    cut = len(text) > limit or len(body) > window
    return repr(text[:limit] + ("..." if cut else ""))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    # the one Retry-After reader (I/O-free, imported on first use); ``headers`` has
    # lower-case names (mask_headers)
    from cvat_client.core._protocol.retry import parse_retry_after

    return parse_retry_after(headers.get("retry-after"))


def _parse_error_body(body: bytes, content_type: str) -> Any:
    if not body:
        return None
    if "json" in content_type:
        try:
            return json.loads(body)
        except ValueError:
            return None
    return None


def _describe_error_body(data: Any, body: bytes) -> str:
    if isinstance(data, dict):
        if set(data) == {"detail"}:
            return str(data["detail"])
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in data.items())
    if isinstance(data, list):
        return _flatten(data)
    if isinstance(data, str):
        return data
    if body:
        text = body[:_BODY_EXCERPT].decode(errors="replace").strip()  # UTF-8
        if text.startswith("<"):
            return ""  # an HTML error page says nothing useful in a one-line message
        return text
    return ""


def _flatten(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_flatten(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    return str(value)
