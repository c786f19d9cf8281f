"""Issues, comments and cloud storages."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from cvat_client.testing import iam
from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    REQUIRED,
    bad_request,
    denied,
    empty_response,
    invalid_choice,
    invalid_pk,
    json_response,
    not_found,
    now,
)
from cvat_client.testing.listing import ListSpec, list_page
from cvat_client.testing.routes.data import visible_job
from cvat_client.testing.routes.projects import username
from cvat_client.testing.routing import route
from cvat_client.testing.state import CloudStorage, Comment, Issue


def _issue_spec(ctx: Ctx) -> ListSpec:
    return ListSpec(
        fields={
            "id": lambda i: i.id,
            "job_id": lambda i: i.job_id,
            "frame_id": lambda i: i.frame,
            "owner": lambda i: username(ctx, i.owner_id),
            "assignee": lambda i: username(ctx, i.assignee_id),
            "resolved": lambda i: i.resolved,
            "updated_date": lambda i: i.updated_date.isoformat(),
            "task_id": lambda i: ctx.store.jobs[i.job_id].task_id,
        },
        search=("owner", "assignee"),
        simple=("job_id", "frame_id", "owner", "assignee", "resolved", "task_id"),
    )


def _issue_visible(ctx: Ctx, issue: Issue) -> bool:
    job = ctx.store.jobs.get(issue.job_id)
    if job is None:
        return False
    owner, assignees = iam.job_people(ctx, job)
    task = ctx.store.tasks[job.task_id]
    return iam.listed(ctx, task.org_id, owner, *assignees, issue.owner_id, issue.assignee_id)


async def issues_list(ctx: Ctx) -> Response:
    """``GET /api/issues``: the issues the caller may see, paginated."""
    with ctx.store.lock:
        items = [i for i in ctx.store.issues.values() if _issue_visible(ctx, i)]
        page = list_page(ctx, items, _issue_spec(ctx), "/api/issues", lambda i: ser.issue(ctx, i))
    return json_response(page)


async def issues_create(ctx: Ctx) -> Response:
    """``POST /api/issues``: open an issue on a job frame (with its first comment)."""
    body = await ctx.json_object()
    errors: dict[str, Any] = {}
    for name in ("frame", "position", "job"):
        if name not in body:
            errors[name] = [REQUIRED]
    if errors:
        raise bad_request(errors)
    job = visible_job(ctx, int(body["job"]))
    if not job.start_frame <= int(body["frame"]) <= job.stop_frame:
        raise bad_request({"frame": ["The frame is outside the job"]})
    store = ctx.store
    with store.lock:
        issue = Issue(
            id=store.next_id("issue"),
            job_id=job.id,
            frame=int(body["frame"]),
            position=[float(p) for p in body["position"]],
            owner_id=ctx.me.id,
            assignee_id=body.get("assignee"),
        )
        store.issues[issue.id] = issue
        if body.get("message"):
            comment = Comment(store.next_id("comment"), issue.id, str(body["message"]), ctx.me.id)
            store.comments[comment.id] = comment
        return json_response(ser.issue(ctx, issue), 201)


def _issue(ctx: Ctx) -> Issue:
    issue = ctx.store.issues.get(ctx.int_param())
    if issue is None:
        raise not_found("Issue")
    visible_job(ctx, issue.job_id)
    return issue


async def issue_get(ctx: Ctx) -> Response:
    """``GET /api/issues/{id}``: one issue."""
    with ctx.store.lock:
        return json_response(ser.issue(ctx, _issue(ctx)))


async def issue_patch(ctx: Ctx) -> Response:
    """``PATCH /api/issues/{id}``: resolve, reopen or reassign an issue."""
    issue = _issue(ctx)
    body = await ctx.json_object()
    with ctx.store.lock:
        if "resolved" in body:
            issue.resolved = bool(body["resolved"])
        if "position" in body:
            issue.position = [float(p) for p in body["position"]]
        if "assignee" in body:
            issue.assignee_id = body["assignee"]
        issue.updated_date = now()
        return json_response(ser.issue(ctx, issue))


async def issue_delete(ctx: Ctx) -> Response:
    """``DELETE /api/issues/{id}``: delete an issue and its comments."""
    issue = _issue(ctx)
    if issue.owner_id != ctx.me.id and not ctx.me.is_superuser:
        visible_job(ctx, issue.job_id, change=True)
    ctx.store.delete_issue(issue.id)
    return empty_response(204)


_COMMENT_SPEC = ListSpec(
    fields={
        "id": lambda c: c.id,
        "issue_id": lambda c: c.issue_id,
        "updated_date": lambda c: c.updated_date.isoformat(),
    },
    simple=("issue_id",),
)


async def comments_list(ctx: Ctx) -> Response:
    """``GET /api/comments``: the comments the caller may see, paginated."""
    with ctx.store.lock:
        items = [
            c
            for c in ctx.store.comments.values()
            if c.issue_id in ctx.store.issues and _issue_visible(ctx, ctx.store.issues[c.issue_id])
        ]
        page = list_page(ctx, items, _COMMENT_SPEC, "/api/comments", lambda c: ser.comment(ctx, c))
    return json_response(page)


async def comments_create(ctx: Ctx) -> Response:
    """``POST /api/comments``: add a comment to an issue."""
    body = await ctx.json_object()
    errors: dict[str, Any] = {}
    for name in ("issue", "message"):
        if not body.get(name):
            errors[name] = [REQUIRED]
    if errors:
        raise bad_request(errors)
    issue = ctx.store.issues.get(int(body["issue"]))
    if issue is None:
        raise bad_request({"issue": invalid_pk(body["issue"])})
    visible_job(ctx, issue.job_id)
    store = ctx.store
    with store.lock:
        comment = Comment(store.next_id("comment"), issue.id, str(body["message"]), ctx.me.id)
        store.comments[comment.id] = comment
        return json_response(ser.comment(ctx, comment), 201)


def _comment(ctx: Ctx, *, change: bool = False) -> Comment:
    comment = ctx.store.comments.get(ctx.int_param())
    if comment is None:
        raise not_found("Comment")
    issue = ctx.store.issues[comment.issue_id]
    visible_job(ctx, issue.job_id)
    if change and comment.owner_id != ctx.me.id and not ctx.me.is_superuser:
        raise denied()
    return comment


async def comment_get(ctx: Ctx) -> Response:
    """``GET /api/comments/{id}``: one comment."""
    with ctx.store.lock:
        return json_response(ser.comment(ctx, _comment(ctx)))


async def comment_patch(ctx: Ctx) -> Response:
    """``PATCH /api/comments/{id}``: edit a comment's message."""
    comment = _comment(ctx, change=True)
    body = await ctx.json_object()
    if isinstance(body.get("message"), str):
        comment.message = body["message"]
        comment.updated_date = now()
    with ctx.store.lock:
        return json_response(ser.comment(ctx, comment))


async def comment_delete(ctx: Ctx) -> Response:
    """``DELETE /api/comments/{id}``: delete a comment."""
    comment = _comment(ctx, change=True)
    with ctx.store.lock:
        del ctx.store.comments[comment.id]
    return empty_response(204)


# -- cloud storages -----------------------------------------------------------------------------

PROVIDERS = ("AWS_S3_BUCKET", "AZURE_CONTAINER", "GOOGLE_DRIVE", "GOOGLE_CLOUD_STORAGE")
CREDENTIALS = (
    "KEY_SECRET_KEY_PAIR",
    "ACCOUNT_NAME_TOKEN_PAIR",
    "KEY_FILE_PATH",
    "ANONYMOUS_ACCESS",
    "CONNECTION_STRING",
)
UNREACHABLE = "The test server cannot reach cloud storages"


def _cloud_spec(ctx: Ctx) -> ListSpec:
    return ListSpec(
        fields={
            "id": lambda c: c.id,
            "provider_type": lambda c: c.provider_type,
            "name": lambda c: c.display_name,
            "resource": lambda c: c.resource,
            "credentials_type": lambda c: c.credentials_type,
            "owner": lambda c: username(ctx, c.owner_id),
            "description": lambda c: c.description,
        },
        search=("provider_type", "name", "resource", "credentials_type", "owner", "description"),
        simple=("provider_type", "name", "resource", "credentials_type", "owner"),
    )


async def clouds_list(ctx: Ctx) -> Response:
    """``GET /api/cloudstorages``: the cloud storage records the caller may see."""
    iam.check_org_access(ctx)
    with ctx.store.lock:
        items = [
            c for c in ctx.store.cloud_storages.values() if iam.listed(ctx, c.org_id, c.owner_id)
        ]
        page = list_page(
            ctx, items, _cloud_spec(ctx), "/api/cloudstorages", lambda c: ser.cloud_storage(ctx, c)
        )
    return json_response(page)


async def clouds_create(ctx: Ctx) -> Response:
    """``POST /api/cloudstorages``: record a cloud storage (never contacted)."""
    body = await ctx.json_object()
    org_id = iam.target_org(ctx)
    errors: dict[str, Any] = {}
    for name in ("provider_type", "resource", "display_name", "credentials_type"):
        if not body.get(name):
            errors[name] = [REQUIRED]
    if body.get("provider_type") and body["provider_type"] not in PROVIDERS:
        errors["provider_type"] = invalid_choice(body["provider_type"])
    if body.get("credentials_type") and body["credentials_type"] not in CREDENTIALS:
        errors["credentials_type"] = invalid_choice(body["credentials_type"])
    if errors:
        raise bad_request(errors)
    store = ctx.store
    with store.lock:
        cloud = CloudStorage(
            id=store.next_id("cloud"),
            provider_type=body["provider_type"],
            resource=str(body["resource"]),
            display_name=str(body["display_name"]),
            owner_id=ctx.me.id,
            credentials_type=body["credentials_type"],
            org_id=org_id,
            description=str(body.get("description") or ""),
            specific_attributes=str(body.get("specific_attributes") or ""),
            manifests=[str(m) for m in body.get("manifests", [])],
        )
        store.cloud_storages[cloud.id] = cloud
        return json_response(ser.cloud_storage(ctx, cloud), 201)


def _cloud(ctx: Ctx, *, change: bool = False) -> CloudStorage:
    cloud = ctx.store.cloud_storages.get(ctx.int_param())
    if cloud is None:
        raise not_found("CloudStorage")
    iam.check(ctx, iam.allowed(ctx, cloud.org_id, cloud.owner_id, change=change))
    return cloud


async def cloud_get(ctx: Ctx) -> Response:
    """``GET /api/cloudstorages/{id}``: one cloud storage record."""
    with ctx.store.lock:
        return json_response(ser.cloud_storage(ctx, _cloud(ctx)))


async def cloud_patch(ctx: Ctx) -> Response:
    """``PATCH /api/cloudstorages/{id}``: update a cloud storage record."""
    cloud = _cloud(ctx, change=True)
    body = await ctx.json_object()
    with ctx.store.lock:
        for name in ("display_name", "description", "specific_attributes", "resource"):
            if isinstance(body.get(name), str):
                setattr(cloud, name, body[name])
        if isinstance(body.get("manifests"), list):
            cloud.manifests = [str(m) for m in body["manifests"]]
        cloud.updated_date = now()
        return json_response(ser.cloud_storage(ctx, cloud))


async def cloud_delete(ctx: Ctx) -> Response:
    """``DELETE /api/cloudstorages/{id}``: delete a cloud storage record."""
    cloud = _cloud(ctx, change=True)
    with ctx.store.lock:
        del ctx.store.cloud_storages[cloud.id]
    return empty_response(204)


async def cloud_unreachable(ctx: Ctx) -> Response:
    """``GET /api/cloudstorages/{id}/content`` and the like: a clear error, no cloud is reached."""
    cloud = _cloud(ctx)
    raise bad_request([f"{UNREACHABLE}: {cloud.provider_type} {cloud.resource} is not available"])


async def cloud_status(ctx: Ctx) -> Response:
    """``GET /api/cloudstorages/{id}/status``: the storage's status (always ``NOT_FOUND``)."""
    _cloud(ctx)
    return json_response("NOT_FOUND")


ROUTES = [
    route("/api/issues", get=issues_list, post=issues_create),
    route("/api/issues/{id}", get=issue_get, patch=issue_patch, delete=issue_delete),
    route("/api/comments", get=comments_list, post=comments_create),
    route("/api/comments/{id}", get=comment_get, patch=comment_patch, delete=comment_delete),
    route("/api/cloudstorages", get=clouds_list, post=clouds_create),
    route("/api/cloudstorages/{id}", get=cloud_get, patch=cloud_patch, delete=cloud_delete),
    route("/api/cloudstorages/{id}/content-v2", get=cloud_unreachable),
    route("/api/cloudstorages/{id}/content", get=cloud_unreachable),
    route("/api/cloudstorages/{id}/preview", get=cloud_unreachable),
    route("/api/cloudstorages/{id}/actions", get=cloud_unreachable),
    route("/api/cloudstorages/{id}/status", get=cloud_status),
]
