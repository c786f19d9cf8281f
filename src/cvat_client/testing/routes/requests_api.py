"""The requests API: ``/api/requests``, ``/api/requests/{id}`` and cancel."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from starlette.responses import Response

from cvat_client.testing import background
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    HTML,
    ApiError,
    detail,
    empty_response,
    json_response,
    never_cache,
)
from cvat_client.testing.background import BackgroundRequest
from cvat_client.testing.listing import ListSpec, list_page
from cvat_client.testing.routing import route

_SPEC = ListSpec(
    fields={
        "status": lambda r: r.status,
        "action": lambda r: r.type.split(":")[0],
        "subresource": lambda r: r.type.split(":")[1] if ":" in r.type else None,
        "target": lambda r: r.target,
        "format": lambda r: r.format,
        "project_id": lambda r: r.project_id,
        "task_id": lambda r: r.task_id,
        "job_id": lambda r: r.job_id,
        "org": lambda r: r.org_id,
        "created_date": lambda r: r.created_date.isoformat(),
        "id": lambda r: r.created_date.isoformat(),
    },
    simple=(
        "status",
        "action",
        "subresource",
        "target",
        "format",
        "project_id",
        "task_id",
        "job_id",
    ),
    default_sort="-created_date",
)


def _headers() -> dict[str, str]:
    return never_cache()


def _owner(ctx: Ctx, request: BackgroundRequest) -> dict[str, Any] | None:
    user = ctx.store.users.get(request.owner_id)
    return {"id": user.id, "username": user.username} if user else None


def _render(ctx: Ctx, request: BackgroundRequest) -> dict[str, Any]:
    return background.render(request, ctx.base, _owner(ctx, request))


def _visible(ctx: Ctx, request: BackgroundRequest) -> bool:
    return request.owner_id == ctx.me.id


async def requests_list(ctx: Ctx) -> Response:
    """``GET /api/requests``: the caller's background requests, filtered and paginated."""
    with ctx.store.lock:
        mine = [r for r in ctx.server.worker.requests.values() if _visible(ctx, r)]
        if ctx.org.specified:
            org_id = ctx.org.org.id if ctx.org.org else None
            mine = [r for r in mine if r.org_id == org_id]
        page = list_page(ctx, mine, _SPEC, "/api/requests", lambda r: _render(ctx, r))
    return json_response(page, headers=_headers())


def _lookup(ctx: Ctx) -> BackgroundRequest:
    rq_id = unquote(ctx.params["rq_id"])
    if "action=" not in rq_id or "target=" not in rq_id:
        raise ApiError(
            404, "There is no request with specified id", headers=_headers(), content_type=HTML
        )
    request = ctx.server.worker.requests.get(rq_id)
    if request is None or not _visible(ctx, request):
        raise detail(404, "Not found.")
    return request


async def request_get(ctx: Ctx) -> Response:
    """``GET /api/requests/{rq_id}``: one background request."""
    with ctx.store.lock:
        return json_response(_render(ctx, _lookup(ctx)), headers=_headers())


async def request_cancel(ctx: Ctx) -> Response:
    """``POST /api/requests/{rq_id}/cancel``: cancel a queued request."""
    with ctx.store.lock:
        request = _lookup(ctx)
        if request.status != "queued":
            raise ApiError(
                400, [f"Only requests that have not started yet can be cancelled: {request.status}"]
            )
        request.cancelled = True
        del ctx.server.worker.requests[request.id]
    return empty_response(200)


ROUTES = [
    route("/api/requests", get=requests_list),
    route("/api/requests/{rq_id}/cancel", allow="POST, OPTIONS", post=request_cancel),
    route("/api/requests/{rq_id}", get=request_get),
]
