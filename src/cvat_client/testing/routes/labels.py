"""``/api/labels``: the labels of projects and tasks (skeleton sublabels with ``parent_id``)."""

from __future__ import annotations

from starlette.responses import Response

from cvat_client.testing import iam, labels
from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import denied, empty_response, json_response, not_found
from cvat_client.testing.listing import ListSpec, list_page
from cvat_client.testing.routes.projects import visible_project
from cvat_client.testing.routes.tasks import visible_task
from cvat_client.testing.routing import route
from cvat_client.testing.state import Label

# -- labels -------------------------------------------------------------------------------------

_LABEL_SPEC = ListSpec(
    fields={
        "id": lambda lb: lb.id,
        "name": lambda lb: lb.name,
        "color": lambda lb: lb.color,
        "type": lambda lb: lb.type,
        "parent_id": lambda lb: lb.parent_id,
    },
    search=("name", "parent"),
    simple=("name", "parent", "parent_id", "type", "color"),
    default_sort="id",
    extra_simple={"parent": lambda lb: None},
)


def _label_owner_ok(ctx: Ctx, label: Label, *, change: bool = False) -> bool:
    store = ctx.store
    if label.project_id is not None:
        project = store.projects.get(label.project_id)
        if project is None:
            return False
        owner, assignees = iam.project_people(project)
        return iam.allowed(ctx, project.org_id, owner, *assignees, change=change)
    task = store.tasks.get(label.task_id or -1)
    if task is None:
        return False
    owner, assignees = iam.task_people(ctx, task)
    return iam.allowed(ctx, task.org_id, owner, *assignees, change=change)


async def labels_list(ctx: Ctx) -> Response:
    """``GET /api/labels``: labels of a task, job or project, paginated."""
    store = ctx.store
    with store.lock:
        query = dict(ctx.query)
        candidates: list[Label]
        if "task_id" in query or "job_id" in query:
            if "job_id" in query:
                job = store.jobs.get(int(query["job_id"])) if query["job_id"].isdigit() else None
                if job is None:
                    raise not_found("Job")
                task = visible_task(ctx, job.task_id)
            else:
                task = visible_task(
                    ctx, int(query["task_id"]) if query["task_id"].isdigit() else -1
                )
            candidates = store.labels_of(task=task)
        elif "project_id" in query:
            project = visible_project(
                ctx, int(query["project_id"]) if query["project_id"].isdigit() else -1
            )
            candidates = store.labels_of(project_id=project.id)
        else:
            candidates = [lb for lb in store.labels.values() if _label_owner_ok(ctx, lb)]
        if "parent_id" not in query and "parent" not in query:
            candidates = [lb for lb in candidates if lb.parent_id is None]
        page = list_page(ctx, candidates, _LABEL_SPEC, "/api/labels", lambda lb: ser.label(ctx, lb))
    return json_response(page)


def _label(ctx: Ctx, *, change: bool = False) -> Label:
    label = ctx.store.labels.get(ctx.int_param())
    if label is None:
        raise not_found("Label")
    if not _label_owner_ok(ctx, label, change=change):
        raise denied()
    return label


async def label_get(ctx: Ctx) -> Response:
    """``GET /api/labels/{id}``: one label."""
    with ctx.store.lock:
        return json_response(ser.label(ctx, _label(ctx)))


async def label_patch(ctx: Ctx) -> Response:
    """``PATCH /api/labels/{id}``: update a label's name, color or attributes."""
    label = _label(ctx, change=True)
    body = await ctx.json_object()
    spec = dict(body)
    spec["id"] = label.id
    labels.update(ctx.store, [spec], project_id=label.project_id, task_id=label.task_id)
    with ctx.store.lock:
        return json_response(ser.label(ctx, label))


async def label_delete(ctx: Ctx) -> Response:
    """``DELETE /api/labels/{id}``: delete a label."""
    label = _label(ctx, change=True)
    labels.update(
        ctx.store,
        [{"id": label.id, "deleted": True}],
        project_id=label.project_id,
        task_id=label.task_id,
    )
    return empty_response(204)


ROUTES = [
    route("/api/labels", get=labels_list),
    route("/api/labels/{id}", get=label_get, patch=label_patch, delete=label_delete),
]
