"""Organization context and the permission rules of the test server.

A simplified form of CVAT's IAM: superusers see everything; in the personal workspace users see
what they own or are assigned to; in an organization, owners, maintainers and supervisors see all
of its objects and workers only what is theirs or assigned to them; non-members get 403.
"""

from __future__ import annotations

from typing import Any

from cvat_client.testing._context import Ctx, OrgContext
from cvat_client.testing._http import bad_request, denied, detail
from cvat_client.testing.state import Job, Project, Task

MANAGER_ROLES = frozenset({"owner", "maintainer", "supervisor"})


def resolve_org(ctx: Ctx) -> OrgContext:
    """The org context of a request, from ``X-Organization``, ``org`` and ``org_id``."""
    header = ctx.request.headers.get("x-organization")
    slug = ctx.query.get("org")
    org_id = ctx.query.get("org_id")
    if header is not None and slug is not None and header != slug:
        raise bad_request(
            [
                'You cannot specify "org" query parameter and "X-Organization" HTTP header '
                "with different values."
            ]
        )
    slug = slug if slug is not None else header
    store = ctx.store
    if org_id:
        org = store.organizations.get(int(org_id)) if org_id.isdigit() else None
        if org is None:
            raise detail(404, f"{org_id} organization does not exist.")
        return OrgContext(True, org)
    if slug is None:
        return OrgContext(False, None)
    if slug == "":
        return OrgContext(True, None)
    org = store.org_by_slug(slug)
    if org is None:
        raise detail(404, f"{slug} organization does not exist.")
    return OrgContext(True, org)


def role_in(ctx: Ctx, org_id: int | None) -> str | None:
    """The caller's role in an organization (None for non-members and no org)."""
    if org_id is None or ctx.user is None:
        return None
    membership = ctx.store.membership(ctx.user.id, org_id)
    return membership.role if membership else None


def check_org_access(ctx: Ctx) -> None:
    """403 for a non-member working inside an organization."""
    org = ctx.org.org
    if org is not None and not ctx.me.is_superuser and role_in(ctx, org.id) is None:
        raise denied()


def in_context(ctx: Ctx, org_id: int | None) -> bool:
    """Whether an object of ``org_id`` belongs to the request's org context."""
    if not ctx.org.specified:
        return True
    target = ctx.org.org.id if ctx.org.org else None
    return org_id == target


def _personal(ctx: Ctx, owner_id: int, assignees: tuple[int | None, ...]) -> bool:
    return ctx.me.id == owner_id or ctx.me.id in assignees


def allowed(
    ctx: Ctx, org_id: int | None, owner_id: int, *assignees: int | None, change: bool = False
) -> bool:
    """Whether the caller may read (or ``change``) an object with this org, owner and assignees.

    Supervisors may only read an organization's objects.
    """
    if ctx.me.is_superuser:
        return True
    if org_id is None:
        return _personal(ctx, owner_id, assignees)
    role = role_in(ctx, org_id)
    if role is None:
        return False
    managers = ("owner", "maintainer") if change else MANAGER_ROLES
    return role in managers or _personal(ctx, owner_id, assignees)


def listed(ctx: Ctx, org_id: int | None, owner_id: int, *assignees: int | None) -> bool:
    """Whether an object appears in the caller's lists in the current context."""
    if not in_context(ctx, org_id):
        return False
    if ctx.me.is_superuser:
        return True
    if not ctx.org.specified and org_id is not None:
        return False
    return allowed(ctx, org_id, owner_id, *assignees)


def project_people(project: Project) -> tuple[int, tuple[int | None, ...]]:
    """Owner and assignees of a project."""
    return project.owner_id, (project.assignee_id,)


def task_people(ctx: Ctx, task: Task) -> tuple[int, tuple[int | None, ...]]:
    """Owner and assignees relevant to a task (its project's and its jobs' too)."""
    assignees: list[int | None] = [task.assignee_id]
    project = ctx.store.projects.get(task.project_id) if task.project_id else None
    if project is not None:
        assignees += [project.owner_id, project.assignee_id]
    return task.owner_id, tuple(assignees)


def job_people(ctx: Ctx, job: Job) -> tuple[int, tuple[int | None, ...]]:
    """Owner (the task's) and assignees of a job."""
    task = ctx.store.tasks[job.task_id]
    owner, assignees = task_people(ctx, task)
    return owner, (*assignees, job.assignee_id)


def check(ctx: Ctx, allowed: bool) -> None:
    """403 unless ``allowed``."""
    if not allowed:
        raise denied()


def target_org(ctx: Ctx) -> int | None:
    """The organization new objects are created in (the request's context)."""
    org = ctx.org.org
    if org is not None:
        check_org_access(ctx)
        if not ctx.me.is_superuser and role_in(ctx, org.id) == "worker":
            raise denied()
        return org.id
    return None


def readonly_guard(ctx: Ctx) -> None:
    """Read-only access tokens may not change anything."""
    token = ctx.token
    if (
        token is not None
        and token.read_only
        and ctx.request.method not in ("GET", "HEAD", "OPTIONS")
    ):
        raise denied()


def anything(*_: Any) -> bool:
    """A predicate that accepts everything."""
    return True
