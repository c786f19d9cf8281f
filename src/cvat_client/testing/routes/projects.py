"""``/api/projects`` and ``/api/labels``."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from cvat_client.testing import iam, labels
from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    bad_request,
    check_name,
    empty_response,
    invalid_choice,
    invalid_pk,
    json_response,
    not_found,
    now,
)
from cvat_client.testing.listing import ListSpec, list_page
from cvat_client.testing.routing import route
from cvat_client.testing.state import Project, Store, Task

STATUSES = ("annotation", "validation", "completed")


def username(ctx: Ctx, user_id: int | None) -> str | None:
    """A user's name for filters (``owner``, ``assignee``)."""
    user = ctx.store.users.get(user_id) if user_id is not None else None
    return user.username if user else None


def project_spec(ctx: Ctx) -> ListSpec:
    """Filterable fields of projects."""
    return ListSpec(
        fields={
            "id": lambda p: p.id,
            "name": lambda p: p.name,
            "owner": lambda p: username(ctx, p.owner_id),
            "assignee": lambda p: username(ctx, p.assignee_id),
            "status": lambda p: p.status,
            "updated_date": lambda p: p.updated_date.isoformat(),
            "dimension": lambda p: None,
        },
        search=("name", "owner", "assignee", "status"),
        simple=("name", "owner", "assignee", "status"),
    )


def visible_project(ctx: Ctx, project_id: int, *, change: bool = False) -> Project:
    """A project the caller may read (or change): 404 when missing, 403 when hidden."""
    project = ctx.store.projects.get(project_id)
    if project is None:
        raise not_found("Project")
    owner, assignees = iam.project_people(project)
    iam.check(ctx, iam.allowed(ctx, project.org_id, owner, *assignees, change=change))
    return project


def _user_ref(ctx: Ctx, value: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or value not in ctx.store.users:
        errors[field] = invalid_pk(value)
        return None
    return value


async def projects_list(ctx: Ctx) -> Response:
    """``GET /api/projects``: the projects the caller may see, paginated and filtered."""
    store = ctx.store
    iam.check_org_access(ctx)
    with store.lock:
        visible = [
            p
            for p in store.projects.values()
            if iam.listed(ctx, p.org_id, p.owner_id, p.assignee_id)
        ]
        page = list_page(
            ctx, visible, project_spec(ctx), "/api/projects", lambda p: ser.project(ctx, p)
        )
    return json_response(page)


async def projects_create(ctx: Ctx) -> Response:
    """``POST /api/projects``: create a project with its labels."""
    body = await ctx.json_object()
    org_id = iam.target_org(ctx)
    errors: dict[str, Any] = {}
    name = check_name(body, errors)
    assignee = _user_ref(ctx, body.get("assignee_id"), "assignee_id", errors)
    if errors:
        raise bad_request(errors)
    specs = body.get("labels", [])
    labels.validate(specs)
    store = ctx.store
    with store.lock:
        project = Project(
            id=store.next_id("project"),
            name=str(name),
            owner_id=body.get("owner_id") or ctx.me.id,
            org_id=org_id,
            assignee_id=assignee,
            bug_tracker=str(body.get("bug_tracker") or ""),
            source_storage=_storage(store, body.get("source_storage")),
            target_storage=_storage(store, body.get("target_storage")),
        )
        store.projects[project.id] = project
        labels.create(store, specs, project_id=project.id)
        rendered = ser.project(ctx, project)
    return json_response(
        rendered, 201, headers={"location": ctx.url(f"/api/projects/{project.id}")}
    )


def _storage(store: Any, spec: Any) -> dict[str, Any] | None:
    if not isinstance(spec, dict):
        return None
    return {
        "id": store.next_id("storage"),
        "location": spec.get("location", "local"),
        "cloud_storage_id": spec.get("cloud_storage_id"),
    }


async def project_get(ctx: Ctx) -> Response:
    """``GET /api/projects/{id}``: one project."""
    with ctx.store.lock:
        return json_response(ser.project(ctx, visible_project(ctx, ctx.int_param())))


async def project_patch(ctx: Ctx) -> Response:
    """``PATCH /api/projects/{id}``: update a project and its labels."""
    project = visible_project(ctx, ctx.int_param(), change=True)
    body = await ctx.json_object()
    errors = patch_errors(body)
    _user_ref(ctx, body.get("assignee_id"), "assignee_id", errors)
    if errors:
        raise bad_request(errors)
    store = ctx.store
    with store.lock:
        patch_fields(store, project, body, ("name", "bug_tracker", "status"))
        if "labels" in body:
            labels.update(store, body["labels"], project_id=project.id)
        project.updated_date = now()
        return json_response(ser.project(ctx, project))


def patch_errors(body: dict[str, Any]) -> dict[str, Any]:
    """The errors of the fields a project or task PATCH shares (``labels`` raise at once)."""
    errors: dict[str, Any] = {}
    check_name(body, errors, partial=True)
    if "status" in body and body["status"] not in STATUSES:
        errors["status"] = invalid_choice(body["status"])
    if "labels" in body:
        labels.validate(body["labels"])
    return errors


def patch_fields(
    store: Store, target: Project | Task, body: dict[str, Any], names: tuple[str, ...]
) -> None:
    """Set the plain fields ``names``, the assignee (with its date) and the owner a PATCH gives."""
    for name in names:
        if name in body:
            setattr(target, name, body[name])
    if "assignee_id" in body:
        target.assignee_id = body["assignee_id"]
        target.assignee_updated_date = now()
    if "owner_id" in body and body["owner_id"] in store.users:
        target.owner_id = body["owner_id"]


async def project_delete(ctx: Ctx) -> Response:
    """``DELETE /api/projects/{id}``: delete a project with its tasks."""
    project = visible_project(ctx, ctx.int_param(), change=True)
    ctx.store.delete_project(project.id)
    return empty_response(204)


ROUTES = [
    route("/api/projects", get=projects_list, post=projects_create),
    route(
        "/api/projects/{id}",
        allow="GET, PATCH, DELETE, HEAD, OPTIONS",
        get=project_get,
        patch=project_patch,
        delete=project_delete,
    ),
]
