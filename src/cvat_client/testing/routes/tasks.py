"""``/api/tasks`` CRUD, the deprecated ``/status`` and the task preview."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from cvat_client.testing import iam, labels, media, video
from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    bad_request,
    check_name,
    detail,
    empty_response,
    invalid_pk,
    json_response,
    not_found,
    now,
)
from cvat_client.testing.listing import ListSpec, list_page
from cvat_client.testing.routes.projects import (
    patch_errors,
    patch_fields,
    username,
    visible_project,
)
from cvat_client.testing.routing import route
from cvat_client.testing.state import Task


def task_spec(ctx: Ctx) -> ListSpec:
    """Filterable fields of tasks."""

    def project_name(t: Task) -> str | None:
        project = ctx.store.projects.get(t.project_id) if t.project_id else None
        return project.name if project else None

    return ListSpec(
        fields={
            "id": lambda t: t.id,
            "name": lambda t: t.name,
            "project_id": lambda t: t.project_id,
            "project_name": project_name,
            "owner": lambda t: username(ctx, t.owner_id),
            "assignee": lambda t: username(ctx, t.assignee_id),
            "status": lambda t: t.status,
            "subset": lambda t: t.subset,
            "mode": lambda t: t.data.mode if t.data else "",
            "dimension": lambda t: "2d" if t.data else "",
            "tracker_link": lambda t: t.bug_tracker,
            "validation_mode": lambda t: None,
            "updated_date": lambda t: t.updated_date.isoformat(),
        },
        search=(
            "name",
            "project_name",
            "owner",
            "assignee",
            "status",
            "subset",
            "mode",
            "dimension",
        ),
        simple=(
            "name",
            "project_id",
            "project_name",
            "owner",
            "assignee",
            "status",
            "subset",
            "mode",
            "dimension",
            "tracker_link",
            "validation_mode",
        ),
    )


def visible_task(ctx: Ctx, task_id: int, *, change: bool = False) -> Task:
    """A task the caller may read (or change): 404 when missing, 403 when hidden."""
    task = ctx.store.tasks.get(task_id)
    if task is None:
        raise not_found("Task")
    owner, assignees = _people(ctx, task)
    iam.check(ctx, iam.allowed(ctx, task.org_id, owner, *assignees, change=change))
    return task


def _people(ctx: Ctx, task: Task) -> tuple[int, tuple[int | None, ...]]:
    """The owner of a task and its assignees: its own, its project's and its jobs'."""
    owner, assignees = iam.task_people(ctx, task)
    return owner, (*assignees, *(j.assignee_id for j in ctx.store.jobs_of(task.id)))


def _listed(ctx: Ctx, task: Task) -> bool:
    owner, assignees = _people(ctx, task)
    return iam.listed(ctx, task.org_id, owner, *assignees)


def _int_field(
    body: dict[str, Any], name: str, errors: dict[str, Any], *, minimum: int = 0
) -> int | None:
    if name not in body or body[name] is None:
        return None
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        errors[name] = ["A valid integer is required."]
        return None
    try:
        number = int(value)
    except ValueError:
        errors[name] = ["A valid integer is required."]
        return None
    if number < minimum:
        errors[name] = [f"Ensure this value is greater than or equal to {minimum}."]
        return None
    return number


async def tasks_list(ctx: Ctx) -> Response:
    """``GET /api/tasks``: the tasks the caller may see, paginated and filtered."""
    store = ctx.store
    iam.check_org_access(ctx)
    with store.lock:
        visible = [t for t in store.tasks.values() if _listed(ctx, t)]
        page = list_page(ctx, visible, task_spec(ctx), "/api/tasks", lambda t: ser.task(ctx, t))
    return json_response(page)


async def tasks_create(ctx: Ctx) -> Response:
    """``POST /api/tasks``: create a task (without data) with its labels."""
    body = await ctx.json_object()
    errors: dict[str, Any] = {}
    name = check_name(body, errors)
    segment_size = _int_field(body, "segment_size", errors)
    overlap = _int_field(body, "overlap", errors)
    project_id = body.get("project_id")
    if errors:
        raise bad_request(errors)
    specs = body.get("labels", [])
    labels.validate(specs)
    store = ctx.store
    org_id = iam.target_org(ctx)
    if project_id is not None:
        if not isinstance(project_id, int) or project_id not in store.projects:
            raise bad_request({"project_id": invalid_pk(project_id)})
        project = visible_project(ctx, project_id, change=True)
        org_id = project.org_id
        if specs:
            raise bad_request(["Task must have only one of Label set or project_id"])
    # no labels and no project: CVAT 2.73 makes the task (labels can be added later)
    with store.lock:
        task = Task(
            id=store.next_id("task"),
            name=str(name),
            owner_id=body.get("owner_id") or ctx.me.id,
            project_id=project_id,
            org_id=org_id,
            assignee_id=body.get("assignee_id"),
            bug_tracker=str(body.get("bug_tracker") or ""),
            overlap=overlap,
            segment_size=segment_size or 0,
            subset=str(body.get("subset") or ""),
        )
        store.tasks[task.id] = task
        if project_id is None:
            labels.create(store, specs, task_id=task.id)
        rendered = ser.task(ctx, task)
    return json_response(rendered, 201, headers={"location": ctx.url(f"/api/tasks/{task.id}")})


async def task_get(ctx: Ctx) -> Response:
    """``GET /api/tasks/{id}``: one task."""
    with ctx.store.lock:
        return json_response(ser.task(ctx, visible_task(ctx, ctx.int_param())))


async def task_patch(ctx: Ctx) -> Response:
    """``PATCH /api/tasks/{id}``: update a task and its labels."""
    task = visible_task(ctx, ctx.int_param(), change=True)
    body = await ctx.json_object()
    errors = patch_errors(body)
    if errors:
        raise bad_request(errors)
    store = ctx.store
    with store.lock:
        patch_fields(store, task, body, ("name", "bug_tracker", "subset", "status"))
        if "project_id" in body and body["project_id"] != task.project_id:
            project = visible_project(ctx, int(body["project_id"]), change=True)
            _move_labels(ctx, task, project.id)
            task.project_id = project.id
            task.org_id = project.org_id
        if "labels" in body:
            if task.project_id is not None:
                labels.update(store, body["labels"], project_id=task.project_id)
            else:
                labels.update(store, body["labels"], task_id=task.id)
        task.updated_date = now()
        return json_response(ser.task(ctx, task))


def _move_labels(ctx: Ctx, task: Task, project_id: int) -> None:
    """Map a task's own labels onto a project's by name when the task joins the project."""
    store = ctx.store
    by_name = {
        lb.name: lb.id for lb in store.labels_of(project_id=project_id) if lb.parent_id is None
    }
    own = [lb for lb in store.labels.values() if lb.task_id == task.id]
    mapping = {lb.id: by_name[lb.name] for lb in own if lb.name in by_name}
    for group in (task.annotations.tags, task.annotations.shapes, task.annotations.tracks):
        for item in group:
            item["label_id"] = mapping.get(item["label_id"], item["label_id"])
    for lb in own:
        del store.labels[lb.id]


async def task_delete(ctx: Ctx) -> Response:
    """``DELETE /api/tasks/{id}``: delete a task with its jobs, data and annotations."""
    task = visible_task(ctx, ctx.int_param(), change=True)
    ctx.store.delete_task(task.id)
    return empty_response(204)


async def task_status(ctx: Ctx) -> Response:
    """``GET /api/tasks/{id}/status``: the deprecated task creation status."""
    task = visible_task(ctx, ctx.int_param())
    if task.creating:
        state = {"state": "Started", "message": "", "progress": 0.0}
    elif task.data is not None:
        state = {"state": "Finished", "message": "", "progress": 0.0}
    else:
        state = {"state": "Unknown", "message": "", "progress": 0.0}
    return json_response(state, headers={"deprecation": "true"})


async def preview_response(ctx: Ctx, task: Task, frame: int = 0) -> Response:
    """The JPEG preview of a task (or of a job's first frame)."""
    if task.data is None:
        raise not_found("Preview")
    data = task.data
    if frame == 0 and data.preview is not None:
        return Response(data.preview, media_type="image/jpeg")
    if data.video is not None:
        content = video.task_preview(data, frame)
    else:
        content = media.make_preview(data.frames[frame])
    if frame == 0:
        data.preview = content
    return Response(content, media_type="image/jpeg")


async def task_preview(ctx: Ctx) -> Response:
    """``GET /api/tasks/{id}/preview``: the preview image of the task's first frame."""
    task = visible_task(ctx, ctx.int_param())
    return await preview_response(ctx, task)


async def removed_dataset_get(ctx: Ctx) -> Response:
    """Answer 405 for ``GET`` on a visible task's removed dataset path."""
    visible_task(ctx, ctx.int_param())
    raise detail(405, 'Method "GET" not allowed.')


ROUTES = [
    route("/api/tasks", get=tasks_list, post=tasks_create),
    route(
        "/api/tasks/{id}",
        allow="GET, PATCH, DELETE, HEAD, OPTIONS",
        get=task_get,
        patch=task_patch,
        delete=task_delete,
    ),
    route("/api/tasks/{id}/status", get=task_status),
    route("/api/tasks/{id}/preview", get=task_preview),
]
