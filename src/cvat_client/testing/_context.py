"""The per-request context handed to route handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from cvat_client.testing._http import HTML, SERVER_ERROR_HTML, ApiError, detail, html_not_found
from cvat_client.testing.state import AccessToken, Organization, Store, User

if TYPE_CHECKING:
    from cvat_client.testing.server import CvatTestServer


@dataclass
class OrgContext:
    """The organization a request works in.

    ``specified`` is False when the request names no organization (no ``X-Organization``
    header, no ``org`` / ``org_id`` parameter); ``org`` is None for the personal workspace.
    """

    specified: bool = False
    org: Organization | None = None


@dataclass
class Ctx:
    """Everything a handler needs: the request, the server, the caller and the org context."""

    request: Request
    server: CvatTestServer
    params: dict[str, str]
    query: dict[str, str]
    base: str
    user: User | None = None
    auth: str = ""
    token: AccessToken | None = None
    org: OrgContext = field(default_factory=OrgContext)
    response_headers: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        """The server's storage."""
        return self.server.store

    @property
    def me(self) -> User:
        """The authenticated user (handlers of authenticated routes only)."""
        assert self.user is not None
        return self.user

    def url(self, path: str) -> str:
        """An absolute URL on this server, built from the request's host."""
        return self.base + path

    def int_param(self, name: str = "id") -> int:
        """A numeric path parameter; DRF's ``Not found.`` when it is not a number."""
        value = self.params.get(name, "")
        if not value.isdigit():
            raise detail(404, "Not found.")
        return int(value)

    async def json(self) -> Any:
        """The JSON request body, with DRF's errors for other media types and bad JSON."""
        body = await self.request.body()
        ctype = self.request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not body:
            return {}
        if ctype and ctype not in ("application/json", "application/vnd.cvat+json"):
            raise detail(415, f'Unsupported media type "{ctype}" in request.')
        try:
            # as DRF's JSONParser: UTF-8 text (a BOM is an error), no NaN or Infinity
            return json.loads(body.decode("utf-8"), parse_constant=_strict_constant)
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN
            raise detail(400, f"JSON parse error - {exc}") from None

    async def json_object(self) -> dict[str, Any]:
        """A JSON object body; a JSON array answers the 500 page the real server gives."""
        data = await self.json()
        if not isinstance(data, dict):
            raise ApiError(500, SERVER_ERROR_HTML, content_type=HTML)
        return data


def _strict_constant(name: str) -> Any:
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")


def require(condition: bool) -> None:
    """Raise Django's HTML 404 unless ``condition`` holds (route-level mismatches)."""
    if not condition:
        raise html_not_found()
