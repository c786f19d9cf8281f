"""``/api/server/*``, ``/api/schema/`` and the API root."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from starlette.responses import Response

from cvat_client.testing import formats as fmt
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import HTML, json_response, never_cache
from cvat_client.testing.auth import CSRF_AGE, new_csrf_token, set_cookie
from cvat_client.testing.routing import route

VERSION = "2.73.0"
DESCRIPTION = (
    "CVAT is completely re-designed and re-implemented version of Video Annotation Tool from "
    "Irvine, California tool. It is free, online, interactive video and image annotation tool "
    "for computer vision. It is being used by our team to annotate million of objects with "
    "different properties. Many UI and UX decisions are based on feedbacks from professional "
    "data annotation team."
)
SCHEMA_NAME = "cvat.schema.yml"


def schema_path() -> Path | None:
    """The packaged schema (``cvat_client/api_client/cvat.schema.yml``), or the repository's
    ``openapi/cvat.schema.yml`` in a development checkout."""
    try:
        packaged = resources.files("cvat_client.api_client").joinpath(SCHEMA_NAME)
        if packaged.is_file():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):
        pass
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "openapi" / SCHEMA_NAME
        if candidate.is_file():
            return candidate
    return None


@cache
def _schema_bytes(path: Path) -> bytes:
    return path.read_bytes()


@cache
def _schema_json(path: Path) -> bytes:
    return json.dumps(yaml.safe_load(_schema_bytes(path))).encode()


async def about(ctx: Ctx) -> Response:
    """``GET /api/server/about``: the server's name and version (2.73.0)."""
    return json_response(
        {
            "name": "Computer Vision Annotation Tool",
            "description": DESCRIPTION,
            "version": VERSION,
            "logo_url": ctx.url("/static/logo.svg"),
            "subtitle": "Open Data Annotation Platform",
        }
    )


async def plugins(ctx: Ctx) -> Response:
    """``GET /api/server/plugins``: which optional plugins are enabled (none)."""
    return json_response({"ANALYTICS": False, "MODELS": False})


async def formats(ctx: Ctx) -> Response:
    """``GET /api/server/annotation/formats``: the import and export formats served."""
    return json_response(fmt.SUPPORTED)


async def share(ctx: Ctx) -> Response:
    """``GET /api/server/share``: the shared directory's content (empty)."""
    return json_response([])


async def health(ctx: Ctx) -> Response:
    """``GET /api/server/health/``: the health checks, as HTML or JSON."""
    names = (
        "Cache backend: default",
        "Cache backend: media",
        "DatabaseBackend",
        "DatabaseBackend[default]",
        "DiskUsage",
        "MemoryUsage",
        "OPAHealthCheck",
    )
    checks = dict.fromkeys(names, "working")
    wants_json = ctx.query.get("format") == "json" or "application/json" in ctx.request.headers.get(
        "accept", ""
    )
    # django-health-check's view is a plain Django view under ``never_cache``
    headers = never_cache()
    if wants_json:
        return Response(json.dumps(checks).encode(), media_type="application/json", headers=headers)
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in checks.items())
    page = (
        f"<html><head><title>System status</title></head><body><table>{rows}</table></body></html>"
    )
    return Response(page.encode(), media_type=HTML, headers=headers)


_DOCS_PAGE = (
    "<!DOCTYPE html><html><head><title>CVAT REST API</title></head><body>"
    '<p>The CVAT test server documents its API in <a href="/api/schema/">/api/schema/</a>.</p>'
    "</body></html>"
)


async def docs(ctx: Ctx) -> Response:
    """``GET /api/docs/``: the API documentation page (a plain page pointing at the schema)."""
    return Response(_DOCS_PAGE.encode(), media_type=HTML)


async def swagger(ctx: Ctx) -> Response:
    """``GET /api/swagger/``: the Swagger UI page; like CVAT's, it sets a ``csrftoken`` cookie."""
    response = Response(_DOCS_PAGE.encode(), media_type=HTML)
    cookie = set_cookie("csrftoken", new_csrf_token(), CSRF_AGE, http_only=False)
    response.headers.append("set-cookie", cookie)
    return response


async def schema(ctx: Ctx) -> Response:
    """``GET /api/schema/``: the OpenAPI schema the package ships, as YAML or JSON."""
    path = schema_path()
    if path is None:
        return Response(b"schema not available", status_code=404, media_type=HTML)
    if "application/json" in ctx.request.headers.get("accept", ""):
        return Response(
            _schema_json(path),
            media_type="application/json",
            headers={"content-disposition": 'inline; filename="CVAT REST API (2.0).json"'},
        )
    return Response(
        _schema_bytes(path),
        media_type="application/vnd.oai.openapi; charset=utf-8",
        headers={"content-disposition": 'inline; filename="CVAT REST API (2.0).yaml"'},
    )


async def api_root(ctx: Ctx) -> Response:
    """``GET /api/``: links to the main collections."""
    names = ["projects", "tasks", "jobs", "labels", "users", "organizations", "requests"]
    return json_response({name: ctx.url(f"/api/{name}") for name in names})


ROUTES = [
    route("/api/server/about", public=True, get=about),
    route("/api/server/plugins", get=plugins),
    route("/api/server/annotation/formats", get=formats),
    route("/api/server/share", get=share),
    route("/api/server/health/", public=True, negotiate=False, allow="", get=health),
    route("/api/docs/", public=True, negotiate=False, get=docs),
    route("/api/swagger/", public=True, negotiate=False, get=swagger),
    route("/api/schema/", public=True, negotiate=False, get=schema),
    route("/api/", get=api_root),
]
