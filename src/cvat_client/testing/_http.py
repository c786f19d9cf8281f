"""HTTP building blocks shared by the test server's routes: errors, JSON bodies, common headers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

#: The media type of every DRF response of CVAT, errors included.
VND_JSON = "application/vnd.cvat+json"
HTML = "text/html; charset=utf-8"

#: Headers Django adds to every response it produces.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("cross-origin-opener-policy", "same-origin"),
)

NOT_FOUND_HTML = (
    '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n'
    "<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n"
    "</body>\n</html>\n"
)
SERVER_ERROR_HTML = (
    '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n'
    "<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
)

PERMISSION_DENIED = "You do not have permission to perform this action."
NOT_AUTHENTICATED = "Authentication credentials were not provided."

JsonDict = dict[str, Any]

#: DRF's field errors.
REQUIRED = "This field is required."
BLANK = "This field may not be blank."
NULL = "This field may not be null."
NOT_A_STRING = "Not a valid string."


def invalid_choice(value: Any) -> list[str]:
    """DRF's error for a value outside a choice field's choices."""
    return [f'"{value}" is not a valid choice.']


def invalid_pk(value: Any) -> list[str]:
    """DRF's error for a primary key that names no object."""
    return [f'Invalid pk "{value}" - object does not exist.']


def check_name(body: Mapping[str, Any], errors: dict[str, Any], *, partial: bool = False) -> Any:
    """Check a required, non-blank ``name`` (only when given, for ``partial`` updates).

    Adds DRF's error to ``errors``; returns the name when it is valid, else None.
    """
    if partial and "name" not in body:
        return None
    if "name" not in body:
        errors["name"] = [REQUIRED]
        return None
    name = body["name"]
    if name is None:
        errors["name"] = [NULL]
    elif isinstance(name, bool) or not isinstance(name, str | int | float):
        errors["name"] = [NOT_A_STRING]
    elif not str(name).strip():
        errors["name"] = [BLANK]
    else:
        return name if isinstance(name, str) else str(name)  # DRF's CharField takes numbers
    return None


def not_a_list(value: Any) -> dict[str, list[str]]:
    """DRF's error for a list field (a nested list serializer) given something else."""
    return {
        "non_field_errors": [f'Expected a list of items but got type "{type(value).__name__}".']
    }


def not_a_dict(value: Any) -> dict[str, list[str]]:
    """DRF's error for a nested serializer given something other than an object."""
    return {
        "non_field_errors": [
            f"Invalid data. Expected a dictionary, but got {type(value).__name__}."
        ]
    }


class ApiError(Exception):
    """An error answered to the client as-is: a status, a body and optional headers.

    ``body`` is serialised as JSON with the CVAT media type unless ``content_type`` says
    otherwise (then it must be text).
    """

    def __init__(
        self,
        status: int,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        content_type: str = VND_JSON,
    ) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def to_response(self) -> Response:
        """Render the error as a response."""
        if self.content_type == VND_JSON:
            if self.body is None:
                return Response(b"", status_code=self.status, headers=self.headers)
            return json_response(self.body, self.status, headers=self.headers)
        return Response(
            str(self.body).encode(),
            status_code=self.status,
            headers=self.headers,
            media_type=self.content_type,
        )


def detail(status: int, message: str, **kwargs: Any) -> ApiError:
    """A DRF ``{"detail": message}`` error."""
    return ApiError(status, {"detail": message}, **kwargs)


def not_found(model: str) -> ApiError:
    """The 404 DRF gives for a missing object of a model (``No Task matches the given query.``)."""
    return detail(404, f"No {model} matches the given query.")


def not_found_plain() -> ApiError:
    """The 404 for a malformed id (``Not found.``)."""
    return detail(404, "Not found.")


def denied() -> ApiError:
    """403 for a request the permission rules reject."""
    return detail(403, PERMISSION_DENIED)


def bad_request(body: Any) -> ApiError:
    """A 400 with a DRF-shaped body: a field map, a bare list or a bare string."""
    return ApiError(400, body)


def html_not_found() -> ApiError:
    """Django's HTML 404 for unknown routes."""
    return ApiError(404, NOT_FOUND_HTML, content_type=HTML)


def dumps(body: Any) -> bytes:
    """Serialise a JSON body the way DRF does (compact separators, UTF-8)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(
    body: Any, status: int = 200, *, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response with the CVAT media type."""
    return Response(
        dumps(body), status_code=status, headers=dict(headers or {}), media_type=VND_JSON
    )


def empty_response(status: int, *, headers: Mapping[str, str] | None = None) -> Response:
    """A response with no body and no content type (e.g. 202 for Upload-Start, 204)."""
    return Response(b"", status_code=status, headers=dict(headers or {}))


def now() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    """A timestamp as DRF renders it (``2026-11-22T03:13:01.901377Z``)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def http_date(value: datetime) -> str:
    """An RFC 7231 date for headers such as ``Last-Modified`` or ``Expires``."""
    return value.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def never_cache() -> dict[str, str]:
    """The headers of Django's ``never_cache`` (requests API views, the health check)."""
    return {"expires": http_date(now()), "cache-control": NEVER_CACHE}


def request_id() -> str:
    """A fresh ``x-request-id`` value."""
    return str(uuid.uuid4())


def parse_datetime(value: Any) -> datetime | None:
    """Parse an ISO-8601 timestamp; ``None`` when it cannot be parsed."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
