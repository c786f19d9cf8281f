"""Routing with CVAT's conventions: exact paths (trailing slashes matter), DRF's ``allow``
header, 405 bodies, content negotiation (406), authentication before method checks."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from starlette.responses import Response

from cvat_client.testing._context import Ctx
from cvat_client.testing._http import detail

Handler = Callable[[Ctx], Awaitable[Response]]

_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
_CONVERTERS = {"str": r"[^/]+", "int": r"[0-9]+", "uid": r"[0-9]+_[0-9a-f-]{36}", "path": r".+"}


@dataclass
class Route:
    """One path with a handler per method.

    ``public`` routes accept anonymous callers; ``allow`` overrides the ``allow`` header DRF
    would compute from the handlers (CVAT's viewsets often list more methods than a path serves);
    an empty ``allow`` sends none (plain Django views, such as the health check).
    """

    path: str
    handlers: dict[str, Handler]
    public: bool = False
    allow: str | None = None
    negotiate: bool = True
    bearer_only: bool = False
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        pattern = _PARAM.sub(
            lambda m: f"(?P<{m.group(1)}>{_CONVERTERS[m.group(2) or 'str']})", self.path
        )
        self.regex = re.compile(f"^{pattern}$")
        if "GET" in self.handlers and "HEAD" not in self.handlers:
            self.handlers["HEAD"] = self.handlers["GET"]

    @property
    def allow_header(self) -> str:
        """The ``allow`` header value of the route."""
        if self.allow is not None:
            return self.allow
        methods = {*self.handlers, "OPTIONS"}
        return ", ".join(m for m in _METHOD_ORDER if m in methods)


def route(
    path: str,
    *,
    public: bool = False,
    allow: str | None = None,
    negotiate: bool = True,
    bearer_only: bool = False,
    **handlers: Handler,
) -> Route:
    """Build a route; handlers are given by upper- or lower-case method name."""
    return Route(
        path,
        {k.upper(): v for k, v in handlers.items()},
        public=public,
        allow=allow,
        negotiate=negotiate,
        bearer_only=bearer_only,
    )


class Router:
    """Finds the route of a path."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        """The first route matching ``path`` and its parameters."""
        for candidate in self.routes:
            found = candidate.regex.match(path)
            if found:
                return candidate, found.groupdict()
        return None


def method_not_allowed(method: str) -> Exception:
    """DRF's 405."""
    return detail(405, f'Method "{method}" not allowed.')


_ACCEPTABLE = ("*/*", "application/*", "application/vnd.cvat+json", "text/html", "text/*")


def acceptable(accept: str | None) -> bool:
    """Whether DRF's negotiation would find a renderer for this ``Accept`` header."""
    if not accept:
        return True
    for item in accept.split(","):
        media, *params = (p.strip() for p in item.split(";"))
        if media.lower() in _ACCEPTABLE and not any(p.startswith("version") for p in params):
            return True
    return False
