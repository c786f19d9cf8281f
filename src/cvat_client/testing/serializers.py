"""JSON renderings of the stored objects, field for field as CVAT 2.73 returns them."""

from __future__ import annotations

from typing import Any

from cvat_client.testing._context import Ctx
from cvat_client.testing._http import iso
from cvat_client.testing.state import (
    AccessToken,
    CloudStorage,
    Comment,
    Invitation,
    Issue,
    Job,
    Label,
    Membership,
    Organization,
    Project,
    Task,
    User,
)


def basic_user(ctx: Ctx, user_id: int | None) -> dict[str, Any] | None:
    """``BasicUser``: url, id, username, first and last name."""
    if user_id is None:
        return None
    user = ctx.store.users.get(user_id)
    if user is None:
        return None
    return {
        "url": ctx.url(f"/api/users/{user.id}"),
        "id": user.id,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def user(ctx: Ctx, u: User) -> dict[str, Any]:
    """``User``: the full user record."""
    return {
        "url": ctx.url(f"/api/users/{u.id}"),
        "id": u.id,
        "username": u.username,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "email": u.email,
        "groups": u.groups,
        "is_staff": u.is_superuser,
        "is_superuser": u.is_superuser,
        "is_active": u.is_active,
        "last_login": iso(u.last_login),
        "date_joined": iso(u.date_joined),
        "has_analytics_access": u.is_superuser,
    }


def access_token(ctx: Ctx, t: AccessToken, *, with_value: bool = False) -> dict[str, Any]:
    """``AccessTokenRead`` (``value`` only right after creation)."""
    body: dict[str, Any] = {
        "id": t.id,
        "name": t.name,
        "created_date": iso(t.created_date),
        "updated_date": iso(t.updated_date),
        "expiry_date": iso(t.expiry_date),
        "last_used_date": iso(t.last_used_date),
        "read_only": t.read_only,
        "owner": basic_user(ctx, t.owner_id),
    }
    if with_value:
        body["value"] = t.value
    return body


def organization(ctx: Ctx, o: Organization) -> dict[str, Any]:
    """``OrganizationRead``."""
    return {
        "id": o.id,
        "slug": o.slug,
        "name": o.name,
        "description": o.description,
        "created_date": iso(o.created_date),
        "updated_date": iso(o.updated_date),
        "contact": o.contact,
        "owner": basic_user(ctx, o.owner_id),
    }


def membership(ctx: Ctx, m: Membership) -> dict[str, Any]:
    """``MembershipRead``."""
    return {
        "id": m.id,
        "user": basic_user(ctx, m.user_id),
        "organization": m.org_id,
        "is_active": m.is_active,
        "joined_date": iso(m.joined_date),
        "role": m.role,
        "invitation": m.invitation,
    }


def invitation(ctx: Ctx, i: Invitation) -> dict[str, Any]:
    """``InvitationRead``."""
    org = ctx.store.organizations.get(i.org_id)
    return {
        "key": i.key,
        "created_date": iso(i.created_date),
        "owner": basic_user(ctx, i.owner_id),
        "role": i.role,
        "user": basic_user(ctx, i.user_id),
        "organization": i.org_id,
        "expired": None,
        "accepted": i.accepted,
        "organization_info": {"id": i.org_id, "slug": org.slug if org else ""},
    }


def _storage(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return value


def sublabel(lb: Label) -> dict[str, Any]:
    """``Sublabel``: a skeleton's point as its parent label lists it (no ids of its owner)."""
    return {
        "id": lb.id,
        "name": lb.name,
        "color": lb.color,
        "attributes": [dict(a) for a in lb.attributes],
        "type": lb.type,
        "has_parent": lb.parent_id is not None,
    }


def label(ctx: Ctx, lb: Label) -> dict[str, Any]:
    """``Label`` with its attributes and sub-labels."""
    body: dict[str, Any] = {
        "id": lb.id,
        "name": lb.name,
        "color": lb.color,
        "attributes": [dict(a) for a in lb.attributes],
        "type": lb.type,
        "sublabels": [
            sublabel(child)
            for child in sorted(ctx.store.labels.values(), key=lambda x: x.id)
            if child.parent_id == lb.id
        ],
        "has_parent": lb.parent_id is not None,
    }
    if lb.type == "skeleton":
        body["svg"] = lb.svg
    if lb.project_id is not None:
        body["project_id"] = lb.project_id
    if lb.task_id is not None:
        body["task_id"] = lb.task_id
    body["parent_id"] = lb.parent_id
    return body


def project(ctx: Ctx, p: Project) -> dict[str, Any]:
    """``ProjectRead``."""
    tasks = [t for t in ctx.store.tasks.values() if t.project_id == p.id]
    dims = {"2d" for t in tasks if t.data is not None}
    return {
        "url": ctx.url(f"/api/projects/{p.id}"),
        "id": p.id,
        "name": p.name,
        "owner": basic_user(ctx, p.owner_id),
        "assignee": basic_user(ctx, p.assignee_id),
        "guide_id": None,
        "bug_tracker": p.bug_tracker,
        "created_date": iso(p.created_date),
        "updated_date": iso(p.updated_date),
        "status": p.status,
        "dimension": next(iter(dims), None),
        "organization": p.org_id,
        "organization_id": p.org_id,
        "target_storage": _storage(p.target_storage),
        "source_storage": _storage(p.source_storage),
        "tasks": {"count": len(tasks), "url": ctx.url(f"/api/tasks?project_id={p.id}")},
        "labels": {"url": ctx.url(f"/api/labels?project_id={p.id}")},
        "assignee_updated_date": iso(p.assignee_updated_date),
        "task_subsets": sorted({t.subset for t in tasks if t.subset}),
    }


def task(ctx: Ctx, t: Task) -> dict[str, Any]:
    """``TaskRead``: the data fields appear once the task has media."""
    project = ctx.store.projects.get(t.project_id) if t.project_id else None
    jobs = ctx.store.jobs_of(t.id)
    body: dict[str, Any] = {
        "url": ctx.url(f"/api/tasks/{t.id}"),
        "id": t.id,
        "name": t.name,
        "project_id": t.project_id,
        "project_name": project.name if project else None,
        "owner": basic_user(ctx, t.owner_id),
        "assignee": basic_user(ctx, t.assignee_id),
        "bug_tracker": t.bug_tracker,
        "created_date": iso(t.created_date),
        "updated_date": iso(t.updated_date),
        "overlap": t.overlap,
        "segment_size": t.segment_size,
        "status": t.status,
    }
    data = t.data
    if data is not None:
        body.update(
            {
                "data_chunk_size": data.chunk_size,
                "data_original_chunk_type": data.original_chunk_type,
                "data_compressed_chunk_type": data.compressed_chunk_type,
                "data_cloud_storage_id": None,
            }
        )
    body["guide_id"] = None
    if data is not None:
        body["size"] = data.size
        body["image_quality"] = data.image_quality
    body.update(
        {
            "data": data.id if data else None,
            "dimension": "2d" if data else "",
            "mode": data.mode if data else "",
            "media_type": "image" if data else "",
            "subset": t.subset,
            "organization_id": t.org_id,
            "organization": t.org_id,
            "target_storage": _storage(t.target_storage),
            "source_storage": _storage(t.source_storage),
            "jobs": {
                "count": len(jobs),
                "completed": sum(1 for j in jobs if j.state == "completed"),
                "validation": sum(1 for j in jobs if j.stage == "validation"),
                "url": ctx.url(f"/api/jobs?task_id={t.id}"),
            },
            "labels": {"url": ctx.url(f"/api/labels?task_id={t.id}")},
            "assignee_updated_date": iso(t.assignee_updated_date),
            "validation_mode": None,
            "consensus_enabled": False,
        }
    )
    return body


def job(ctx: Ctx, j: Job) -> dict[str, Any]:
    """``JobRead``."""
    t = ctx.store.tasks[j.task_id]
    project = ctx.store.projects.get(t.project_id) if t.project_id else None
    chunk = t.data.chunk_size if t.data else 0
    issues = sum(1 for i in ctx.store.issues.values() if i.job_id == j.id)
    return {
        "url": ctx.url(f"/api/jobs/{j.id}"),
        "id": j.id,
        "task_id": t.id,
        "task_name": t.name,
        "project_id": t.project_id,
        "project_name": project.name if project else None,
        "assignee": basic_user(ctx, j.assignee_id),
        "guide_id": None,
        "dimension": "2d",
        "mode": t.data.mode if t.data else "annotation",
        "media_type": "image",
        "bug_tracker": t.bug_tracker or None,
        "status": "completed"
        if j.state == "completed"
        else ("validation" if j.stage == "validation" else "annotation"),
        "stage": j.stage,
        "state": j.state,
        "frame_count": j.stop_frame - j.start_frame + 1,
        "start_frame": j.start_frame,
        "stop_frame": j.stop_frame,
        "data_chunk_size": chunk,
        "data_compressed_chunk_type": t.data.compressed_chunk_type if t.data else "imageset",
        "data_original_chunk_type": t.data.original_chunk_type if t.data else "imageset",
        "created_date": iso(j.created_date),
        "updated_date": iso(j.updated_date),
        "issues": {"url": ctx.url(f"/api/issues?job_id={j.id}"), "count": issues},
        "labels": {"url": ctx.url(f"/api/labels?job_id={j.id}")},
        "type": j.type,
        "organization": t.org_id,
        "target_storage": t.target_storage,
        "source_storage": t.source_storage,
        "assignee_updated_date": iso(j.assignee_updated_date),
        "parent_job_id": None,
        "replicas_count": 0,
        "consensus_replicas": 0,
    }


def issue(ctx: Ctx, i: Issue) -> dict[str, Any]:
    """``IssueRead``."""
    comments = [c for c in ctx.store.comments.values() if c.issue_id == i.id]
    return {
        "id": i.id,
        "frame": i.frame,
        "position": i.position,
        "job": i.job_id,
        "owner": basic_user(ctx, i.owner_id),
        "assignee": basic_user(ctx, i.assignee_id),
        "created_date": iso(i.created_date),
        "updated_date": iso(i.updated_date),
        "resolved": i.resolved,
        "comments": {"count": len(comments), "url": ctx.url(f"/api/comments?issue_id={i.id}")},
    }


def comment(ctx: Ctx, c: Comment) -> dict[str, Any]:
    """``CommentRead``."""
    return {
        "id": c.id,
        "issue": c.issue_id,
        "owner": basic_user(ctx, c.owner_id),
        "message": c.message,
        "created_date": iso(c.created_date),
        "updated_date": iso(c.updated_date),
    }


def cloud_storage(ctx: Ctx, c: CloudStorage) -> dict[str, Any]:
    """``CloudStorageRead`` (credentials are never returned)."""
    return {
        "id": c.id,
        "owner": basic_user(ctx, c.owner_id),
        "manifests": list(c.manifests),
        "provider_type": c.provider_type,
        "resource": c.resource,
        "display_name": c.display_name,
        "created_date": iso(c.created_date),
        "updated_date": iso(c.updated_date),
        "credentials_type": c.credentials_type,
        "specific_attributes": c.specific_attributes,
        "description": c.description,
        "organization": c.org_id,
    }
