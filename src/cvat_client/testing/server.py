"""The test server object: storage, worker, fault rules and the ASGI application."""

from __future__ import annotations

import codecs
import html
import importlib
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from cvat_client.testing import conformance, iam
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    HTML,
    NOT_FOUND_HTML,
    SECURITY_HEADERS,
    SERVER_ERROR_HTML,
    VND_JSON,
    ApiError,
    detail,
    json_response,
    request_id,
)
from cvat_client.testing.auth import (
    CSRF_AGE,
    authenticate,
    new_csrf_token,
    set_cookie,
    unauthorized,
)
from cvat_client.testing.background import Worker
from cvat_client.testing.bridge import ASGIBridgeTransport
from cvat_client.testing.downloads import NginxServed
from cvat_client.testing.faults import FaultMiddleware, Faults
from cvat_client.testing.gzip import GZipMiddleware
from cvat_client.testing.routes import all_routes
from cvat_client.testing.routing import Router, acceptable, method_not_allowed
from cvat_client.testing.state import Store, User

log = logging.getLogger("cvat_client.testing")

DEFAULT_ADMIN = ("admin", "admin")
_REDIRECTS = {
    "/api": "/api/",
    "/api/schema": "/api/schema/",
    "/api/server/health": "/api/server/health/",
}


def _preload() -> None:
    """Load what would otherwise be imported on first use, in the worker or event loop thread.

    Every module the server uses is imported at module level; this adds Pillow's format
    plugins (loaded on the first ``Image.open``), anyio's asyncio backend and asyncio's
    default executor (loaded on the first request) and the codecs of zip entry names without
    the UTF-8 flag and of ASCII text. Importing in several threads at once has crashed Python 3.11 with a
    ``SystemError``; after this, requests and background work import nothing.
    """
    Image.init()
    importlib.import_module("anyio._backends._asyncio")
    importlib.import_module("concurrent.futures.thread")
    for codec in ("ascii", "cp437"):
        codecs.lookup(codec)


class CvatTestServer:
    """A stateful, in-memory CVAT 2.73 server.

    ``app`` is the ASGI application. ``admin`` names the superuser created at start;
    ``worker_delay`` delays every background request (to observe the ``queued`` state);
    ``media_dir`` keeps uploaded and generated files (a temporary directory by default,
    removed by :meth:`close`). ``check_schema`` checks every answer against CVAT's schema
    as it is sent (see :mod:`cvat_client.testing.conformance`; by default only while the
    pytest plugin's check is on); ``conformance.problems`` then lists what was wrong.
    """

    def __init__(
        self,
        *,
        admin: tuple[str, str] = DEFAULT_ADMIN,
        worker_delay: float = 0.0,
        media_dir: Path | str | None = None,
        check_schema: bool | None = None,
    ) -> None:
        _preload()
        self.store = Store()
        self.worker = Worker(self.store.lock, delay=worker_delay)
        self.faults = Faults()
        self._own_media = media_dir is None
        self._media_dir = Path(media_dir) if media_dir is not None else None
        self.router = Router(all_routes())
        self.admin = self.store.add_user(admin[0], admin[1], superuser=True)
        if check_schema is None:
            check_schema = conformance.enabled_by_default()
        #: The schema check of every answer (``check_schema``), else None.
        self.conformance = conformance.SchemaConformance(self._asgi) if check_schema else None
        # as in CVAT: the app's answers compressed (Django's GZipMiddleware), then the
        # network's faults; the schema check reads the app's own answers
        self.app = FaultMiddleware(GZipMiddleware(self.conformance or self._asgi), self.faults)

    # -- public helpers -----------------------------------------------------------------------------

    @property
    def media_dir(self) -> Path:
        """Where files are stored (created on first use)."""
        if self._media_dir is None:
            self._media_dir = Path(tempfile.mkdtemp(prefix="cvat-test-server-"))
        self._media_dir.mkdir(parents=True, exist_ok=True)
        return self._media_dir

    def add_user(
        self, username: str, password: str, *, superuser: bool = False, **extra: Any
    ) -> User:
        """Create a user account."""
        return self.store.add_user(username, password, superuser=superuser, **extra)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until the background worker has nothing left to run."""
        return self.worker.wait_idle(timeout)

    def sync_client(
        self, *, auth: tuple[str, str] | None = None, base_url: str = "http://testserver"
    ) -> httpx.Client:
        """An ``httpx.Client`` talking to the app in-process (see :mod:`.bridge`)."""
        return httpx.Client(transport=ASGIBridgeTransport(self.app), base_url=base_url, auth=auth)

    def async_client(
        self, *, auth: tuple[str, str] | None = None, base_url: str = "http://testserver"
    ) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` over httpx's ``ASGITransport``."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=base_url, auth=auth
        )

    def close(self) -> None:
        """Stop the worker and remove the temporary media directory.

        With ``CVAT_TESTING_CHECK_SCHEMA=1`` in the environment, raises ``AssertionError``
        when an answer did not conform to CVAT's schema.
        """
        self.worker.stop()
        if self._own_media and self._media_dir is not None:
            shutil.rmtree(self._media_dir, ignore_errors=True)
            self._media_dir = None
        if self.conformance and self.conformance.problems and conformance.strict_by_environment():
            problems = self.conformance.problems
            self.conformance.problems = []
            raise AssertionError(
                "the test server sent answers the CVAT schema does not allow:\n  "
                + "\n  ".join(problems[:20])
            )

    def __enter__(self) -> CvatTestServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- ASGI ---------------------------------------------------------------------------------------

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.worker.stop()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self._handle(request)
        await response(scope, receive, send)

    async def _handle(self, request: Request) -> Response:
        path: str = request.scope["path"]
        found = self.router.match(path)
        rid = request_id()
        if found is None:
            if path in _REDIRECTS:
                response = Response(
                    b"", status_code=301, headers={"location": _REDIRECTS[path]}, media_type=HTML
                )
            else:
                response = Response(NOT_FOUND_HTML.encode(), status_code=404, media_type=HTML)
            return _finish(response, rid, allow=None, vary="Origin, Cookie")
        route, params = found
        if _declared_length(request) > MAX_BODY_SIZE:
            # nginx in front of CVAT refuses it before Django sees it
            response = Response(TOO_LARGE_HTML.encode(), status_code=413, media_type=HTML)
            return _finish(response, rid, allow=None, vary="Origin, Cookie")
        ctx = Ctx(
            request=request,
            server=self,
            params=params,
            query=dict(request.query_params),
            base=_base_url(request),
        )
        try:
            response = await self._dispatch(ctx, route)
        except ApiError as error:
            response = error.to_response()
        except ClientDisconnect:
            # the client hung up mid-body: nobody reads this, and nothing was stored
            response = Response(b"", status_code=400)
        except Exception:
            log.exception("test server error on %s %s", request.method, path)
            response = Response(SERVER_ERROR_HTML.encode(), status_code=500, media_type=HTML)
        for name, value in ctx.response_headers.items():
            if name not in response.headers:
                response.headers.append(name, value)
        # Django's own 500 page comes from outside the view: no ``allow``
        allow = None if response.status_code == 500 else route.allow_header
        return _finish(response, rid, allow=allow, vary="Accept, Origin, Cookie")

    async def _dispatch(self, ctx: Ctx, route: Any) -> Response:
        method = ctx.request.method
        if route.negotiate and not acceptable(ctx.request.headers.get("accept")):
            raise detail(406, "Could not satisfy the request Accept header.")
        authenticate(ctx, bearer_only=route.bearer_only)
        if ctx.user is None and not route.public:
            raise unauthorized()
        if method == "OPTIONS":
            return json_response(_options_body(route.path))
        handler = route.handlers.get(method)
        if handler is None:
            raise method_not_allowed(method)
        if ctx.user is not None:
            iam.readonly_guard(ctx)
            ctx.org = iam.resolve_org(ctx)
        response: Response = await handler(ctx)
        if _wants_html(ctx.request.headers.get("accept")) and response.media_type == VND_JSON:
            return _browsable(response, route.path)
        return response


#: nginx's ``client_max_body_size`` in CVAT's deployment (``cvat/nginx.conf``).
MAX_BODY_SIZE = 1024 * 1024 * 1024
TOO_LARGE_HTML = (
    "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
    "<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _declared_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:
        return 0


def _wants_html(accept: str | None) -> bool:
    if not accept:
        return False
    kinds = [item.split(";")[0].strip().lower() for item in accept.split(",")]
    return "text/html" in kinds and not {"*/*", "application/*", VND_JSON} & set(kinds)


def _browsable(response: Response, path: str) -> Response:
    """A minimal stand-in for DRF's browsable API page (HTML, sets a ``csrftoken`` cookie)."""
    body = html.escape(bytes(response.body).decode())
    page = f"<!DOCTYPE html><html><head><title>{html.escape(path)}</title></head>"
    page += f"<body><pre>{body}</pre></body></html>"
    result = Response(page.encode(), status_code=response.status_code, media_type=HTML)
    result.headers.append(
        "set-cookie", set_cookie("csrftoken", new_csrf_token(), CSRF_AGE, http_only=False)
    )
    return result


def _base_url(request: Request) -> str:
    headers = request.headers
    proto = headers.get("x-forwarded-proto") or request.url.scheme
    host = headers.get("x-forwarded-host") or headers.get("host") or request.url.netloc
    return f"{proto}://{host}"


def _finish(response: Response, rid: str, *, allow: str | None, vary: str) -> Response:
    if isinstance(response, NginxServed):
        return response
    headers = response.headers
    if allow and "allow" not in headers:
        headers["allow"] = allow
    if "vary" not in headers:
        headers["vary"] = vary
    headers["x-request-id"] = rid
    for name, value in SECURITY_HEADERS:
        headers.setdefault(name, value)
    return response


def _options_body(path: str) -> dict[str, Any]:
    name = path.rstrip("/").split("/")[-1].replace("_", " ").title()
    return {
        "name": name,
        "description": "",
        "renders": ["application/vnd.cvat+json", "text/html"],
        "parses": ["application/json"],
    }
