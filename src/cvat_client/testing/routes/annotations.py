"""``/api/tasks/{id}/annotations`` and ``/api/jobs/{id}/annotations``: CRUD and file import."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from starlette.responses import Response

from cvat_client.testing import annotation_store as ann
from cvat_client.testing import formats
from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    HTML,
    ApiError,
    bad_request,
    empty_response,
    json_response,
    now,
)
from cvat_client.testing.background import BackgroundRequest, JobFailure
from cvat_client.testing.routes.data import visible_job
from cvat_client.testing.routes.tasks import visible_task
from cvat_client.testing.routing import Handler, Route, route
from cvat_client.testing.state import Store, Task
from cvat_client.testing.uploads import (
    TUS_ALLOW,
    handle_head,
    handle_patch,
    handle_post,
    single_file,
)

IMPORT_TTL = timedelta(hours=1)
_ACTIONS = ("create", "update", "delete")
_GONE_EXPORT = (
    "This endpoint is no longer supported.\n"
    "To initiate the export process, use POST /api/{target}s/id/dataset/export?save_images={flag}.\n"
    "To check the process status, use GET /api/requests/rq_id,\n"
    "where rq_id is obtained from the response of the previous request.\n"
    "To download the prepared file, use the result_url obtained from the response of the "
    "previous request.\n"
)
_GONE_IMPORT = (
    "This endpoint no longer supports checking the status of the import process.\n"
    "The common requests API should be used instead: GET /api/requests/rq_id,\n"
    "where rq_id is obtained from the response of the initializing request.\n"
)


def gone_export(save_images: bool, target: str = "task") -> ApiError:
    """The 410 of the removed GET export endpoints."""
    text = _GONE_EXPORT.format(flag=save_images, target=target)
    return ApiError(410, text, content_type=HTML)


def gone_import() -> ApiError:
    """The 410 of the removed import status checks."""
    return ApiError(410, _GONE_IMPORT, content_type=HTML)


class _Target:
    """A task or a job, seen as a frame range of a task."""

    def __init__(self, ctx: Ctx, kind: str, *, change: bool = False) -> None:
        self.kind = kind
        if kind == "task":
            self.task = visible_task(ctx, ctx.int_param(), change=change)
            self.job_id: int | None = None
            size = self.task.data.size if self.task.data else 0
            self.first, self.last = 0, size - 1
        else:
            job = visible_job(ctx, ctx.int_param(), change=change)
            self.task = ctx.store.tasks[job.task_id]
            self.job_id = job.id
            self.first, self.last = job.start_frame, job.stop_frame
        self.id = self.task.id if kind == "task" else (self.job_id or 0)


def _any(items: dict[str, Any]) -> bool:
    return any(items.get(kind) for kind in ann.KINDS)


def touch_annotated(store: Store, task: Task, job_id: int | None) -> None:
    """Annotations changed: the job (or the task's jobs), the task and its project get a new
    ``updated_date``, as CVAT's ``JobAnnotation._set_updated_date`` does."""
    stamp = now()
    task.updated_date = stamp
    for job in store.jobs.values():
        if job.task_id == task.id and job_id in (None, job.id):
            job.updated_date = stamp
    project = store.projects.get(task.project_id) if task.project_id is not None else None
    if project is not None:
        project.updated_date = stamp


def _label_ids(ctx: Ctx, task: Task) -> dict[int, set[int]]:
    """The task's label ids, each with the ids of its attributes."""
    return {
        lb.id: {int(attr["id"]) for attr in lb.attributes if "id" in attr}
        for lb in ctx.store.labels_of(task=task)
    }


def _handlers(kind: str) -> dict[str, Handler]:
    async def get(ctx: Ctx) -> Response:
        if "format" in ctx.query or "action" in ctx.query:
            raise gone_export(False)
        target = _Target(ctx, kind)
        with ctx.store.lock:
            return json_response(ann.view(target.task.annotations, target.first, target.last))

    async def put(ctx: Ctx) -> Response:
        if "format" in ctx.query:
            raise gone_import()
        target = _Target(ctx, kind, change=True)
        body = await ctx.json()
        store = ctx.store
        with store.lock:
            items = ann.validate(body, _label_ids(ctx, target.task))
            built = ann.build(store, items, target.first, target.last)
            had = _any(ann.view(target.task.annotations, target.first, target.last))
            ann.replace(target.task.annotations, built, target.first, target.last)
            if had or _any(built):
                touch_annotated(store, target.task, target.job_id)
            return json_response(ann.response(built))

    async def patch(ctx: Ctx) -> Response:
        action = ctx.query.get("action")
        if action not in _ACTIONS:
            raise bad_request(["Please specify a correct 'action' for the request"])
        target = _Target(ctx, kind, change=True)
        body = await ctx.json()
        store = ctx.store
        with store.lock:
            items = ann.validate(body, _label_ids(ctx, target.task))
            stored = target.task.annotations
            if action == "create":
                built = ann.build(store, items, target.first, target.last)
                ann.add(stored, built)
                if _any(built):
                    touch_annotated(store, target.task, target.job_id)
                return json_response(ann.response(built))
            if action == "update":
                built = ann.build(store, items, target.first, target.last, keep_ids=True)
                ann.update(stored, built)
                if _any(built):
                    touch_annotated(store, target.task, target.job_id)
                body_out = ann.response(built)
                for shape in body_out["shapes"]:
                    shape["score"] = float(shape.get("score", 1))
                return json_response(body_out)
            gone = {k: [dict(i) for i in items[k]] for k in ann.KINDS}
            ann.delete(stored, gone)
            if _any(gone):
                touch_annotated(store, target.task, target.job_id)
            out = ann.empty()
            for k in ann.KINDS:
                out[k] = gone[k]
            for shape in out["shapes"]:
                shape["score"] = float(shape.get("score", 1))
            return json_response(out)

    async def delete(ctx: Ctx) -> Response:
        target = _Target(ctx, kind, change=True)
        with ctx.store.lock:
            had = _any(ann.view(target.task.annotations, target.first, target.last))
            ann.clear(target.task.annotations, target.first, target.last)
            if had:
                touch_annotated(ctx.store, target.task, target.job_id)
        return empty_response(204)

    async def post(ctx: Ctx) -> Response:
        target = _Target(ctx, kind, change=True)
        key = (f"{kind}-annotations", target.id)

        finish, direct = single_file(
            "annotation_file",
            "annotations_upload",
            lambda ctx, path: _start_import(ctx, target, ctx.query.get("format", ""), path),
        )

        return await handle_post(
            ctx,
            key,
            f"/api/{kind}s/{target.id}/annotations/",
            finish=finish,
            direct=direct,
            filename_is_id=True,
        )

    async def tus_patch(ctx: Ctx) -> Response:
        target = _Target(ctx, kind, change=True)
        return await handle_patch(ctx, (f"{kind}-annotations", target.id), filename_is_id=True)

    async def tus_head(ctx: Ctx) -> Response:
        target = _Target(ctx, kind, change=True)
        return await handle_head(ctx, (f"{kind}-annotations", target.id))

    return {
        "get": get,
        "put": put,
        "patch": patch,
        "delete": delete,
        "post": post,
        "tus_patch": tus_patch,
        "tus_head": tus_head,
    }


def _start_import(ctx: Ctx, target: _Target, fmt: str, path: Any) -> Response:
    if fmt not in formats.IMPORT_FORMATS:
        raise bad_request([f"Unknown input format '{fmt}'"])
    task = target.task
    if task.data is None:
        raise bad_request(["The task has no data"])
    store = ctx.store
    rq_id = f"action=import&target={target.kind}&target_id={target.id}&subresource=annotations"
    existing = ctx.server.worker.requests.get(rq_id)
    if existing is not None and existing.active:
        raise ApiError(409, {"rq_id": rq_id})
    with store.lock:
        label_dicts = [
            ser.label(ctx, lb) for lb in store.labels_of(task=task) if lb.parent_id is None
        ]
    frames = list(task.data.frames)
    first, last = target.first, target.last
    numbering: dict[str, int] = {}
    if task.data.video is not None:  # video frames are named frame_000042 in datasets
        numbering = {"start_frame": task.data.start_frame, "frame_step": task.data.video.step}
        frames = [
            replace(f, name=f"frame_{task.data.video.start + i * task.data.video.step:06d}")
            for i, f in enumerate(frames)
        ]

    def work(request: BackgroundRequest) -> None:
        try:
            data = formats.import_annotations(
                fmt, path, labels=label_dicts, frames=frames, **numbering
            )
        except formats.FormatError as exc:
            raise JobFailure(exc.request_message()) from None
        with store.lock:
            items = {k: list(data.get(k, [])) for k in ann.KINDS}
            for kind in ann.KINDS:
                for item in items[kind]:
                    item.setdefault("source", "file")
            built = ann.build(store, items, first, last)
            had = _any(ann.view(task.annotations, first, last))
            ann.replace(task.annotations, built, first, last)
            if had or _any(built):
                touch_annotated(store, task, target.job_id)

    request = BackgroundRequest(
        id=rq_id,
        type="import:annotations",
        target=target.kind,
        owner_id=ctx.me.id,
        org_id=task.org_id,
        project_id=task.project_id,
        task_id=task.id,
        job_id=target.job_id,
        ttl=IMPORT_TTL,
        work=work,
    )
    ctx.server.worker.submit(request)
    return json_response({"rq_id": rq_id}, 202)


_ANN_ALLOW = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"


def _routes(kind: str) -> list[Route]:
    h = _handlers(kind)
    base = f"/api/{kind}s/{{id}}/annotations"

    def crud(path: str) -> Route:
        return route(
            path,
            allow=_ANN_ALLOW,
            get=h["get"],
            put=h["put"],
            patch=h["patch"],
            delete=h["delete"],
            post=h["post"],
        )

    return [
        crud(base),
        crud(base + "/"),
        route(base + "/{upload_id:uid}", allow=TUS_ALLOW, patch=h["tus_patch"], head=h["tus_head"]),
    ]


ROUTES = [*_routes("task"), *_routes("job")]
