"""``/api/jobs``: list, retrieve, update, delete (annotation jobs are made by task creation)."""

from __future__ import annotations

from starlette.responses import Response

from cvat_client.testing import iam
from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    bad_request,
    denied,
    detail,
    invalid_choice,
    invalid_pk,
    json_response,
    now,
)
from cvat_client.testing.listing import ListSpec, list_page
from cvat_client.testing.routes.data import visible_job
from cvat_client.testing.routes.projects import username
from cvat_client.testing.routing import route
from cvat_client.testing.state import Job

STAGES = ("annotation", "validation", "acceptance")
STATES = ("new", "in progress", "rejected", "completed")


def job_spec(ctx: Ctx) -> ListSpec:
    """Filterable fields of jobs."""

    def task_attr(j: Job, name: str) -> object:
        task = ctx.store.tasks.get(j.task_id)
        return getattr(task, name) if task else None

    def project_name(j: Job) -> str | None:
        task = ctx.store.tasks.get(j.task_id)
        project = ctx.store.projects.get(task.project_id) if task and task.project_id else None
        return project.name if project else None

    return ListSpec(
        fields={
            "id": lambda j: j.id,
            "task_id": lambda j: j.task_id,
            "project_id": lambda j: task_attr(j, "project_id"),
            "task_name": lambda j: task_attr(j, "name"),
            "project_name": project_name,
            "assignee": lambda j: username(ctx, j.assignee_id),
            "stage": lambda j: j.stage,
            "state": lambda j: j.state,
            "type": lambda j: j.type,
            "dimension": lambda j: "2d",
            "parent_job_id": lambda j: None,
            "updated_date": lambda j: j.updated_date.isoformat(),
            "frame_count": lambda j: j.stop_frame - j.start_frame + 1,
            "start_frame": lambda j: j.start_frame,
            "stop_frame": lambda j: j.stop_frame,
        },
        search=("task_name", "project_name", "assignee", "state", "stage"),
        simple=(
            "task_id",
            "project_id",
            "task_name",
            "project_name",
            "assignee",
            "stage",
            "state",
            "type",
            "dimension",
            "parent_job_id",
        ),
    )


async def jobs_list(ctx: Ctx) -> Response:
    """``GET /api/jobs``: the jobs the caller may see, paginated and filtered."""
    store = ctx.store
    iam.check_org_access(ctx)
    with store.lock:
        visible = []
        for job in store.jobs.values():
            task = store.tasks[job.task_id]
            owner, assignees = iam.job_people(ctx, job)
            if iam.listed(ctx, task.org_id, owner, *assignees):
                visible.append(job)
        page = list_page(ctx, visible, job_spec(ctx), "/api/jobs", lambda j: ser.job(ctx, j))
    return json_response(page)


async def jobs_create(ctx: Ctx) -> Response:
    """``POST /api/jobs``: refused with a clear 400; ground-truth jobs are not created."""
    body = await ctx.json_object()
    if body.get("type") != "ground_truth":
        raise bad_request({"type": invalid_choice(body.get("type"))})
    raise detail(400, "The test server does not create ground truth jobs.")


async def job_get(ctx: Ctx) -> Response:
    """``GET /api/jobs/{id}``: one job."""
    with ctx.store.lock:
        return json_response(ser.job(ctx, visible_job(ctx, ctx.int_param())))


async def job_patch(ctx: Ctx) -> Response:
    """``PATCH /api/jobs/{id}``: update a job's assignee, stage or state."""
    job = visible_job(ctx, ctx.int_param(), change=True)
    body = await ctx.json_object()
    errors: dict[str, list[str]] = {}
    if "stage" in body and body["stage"] not in STAGES:
        errors["stage"] = invalid_choice(body["stage"])
    if "state" in body and body["state"] not in STATES:
        errors["state"] = invalid_choice(body["state"])
    if (
        "assignee" in body
        and body["assignee"] is not None
        and body["assignee"] not in ctx.store.users
    ):
        errors["assignee"] = invalid_pk(body["assignee"])
    if errors:
        raise bad_request(errors)
    with ctx.store.lock:
        for name in ("stage", "state"):
            if name in body:
                setattr(job, name, body[name])
        if "assignee" in body:
            job.assignee_id = body["assignee"]
            job.assignee_updated_date = now()
        job.updated_date = now()
        return json_response(ser.job(ctx, job))


async def job_delete(ctx: Ctx) -> Response:
    """``DELETE /api/jobs/{id}``: refused (403); only ground-truth jobs can be deleted."""
    visible_job(ctx, ctx.int_param(), change=True)
    raise denied()


ROUTES = [
    route("/api/jobs", get=jobs_list, post=jobs_create),
    route(
        "/api/jobs/{id}",
        allow="GET, PATCH, DELETE, HEAD, OPTIONS",
        get=job_get,
        patch=job_patch,
        delete=job_delete,
    ),
]
