"""Organizations, memberships and invitations."""

from __future__ import annotations

import re
import secrets

from starlette.responses import Response

from cvat_client.testing import iam
from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    REQUIRED,
    ApiError,
    bad_request,
    denied,
    empty_response,
    invalid_choice,
    json_response,
    not_found,
    now,
)
from cvat_client.testing.listing import ListSpec, list_page
from cvat_client.testing.routing import route
from cvat_client.testing.state import ROLES, Invitation, Membership, Organization

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

_ORG_SPEC = ListSpec(
    fields={
        "id": lambda o: o.id,
        "name": lambda o: o.name,
        "slug": lambda o: o.slug,
        "description": lambda o: o.description,
    },
    search=("name", "slug", "description"),
    simple=("name", "slug"),
)


def _member_orgs(ctx: Ctx) -> list[Organization]:
    store = ctx.store
    if ctx.me.is_superuser:
        return list(store.organizations.values())
    return [o for o in store.organizations.values() if store.membership(ctx.me.id, o.id)]


def _org(ctx: Ctx) -> Organization:
    org = ctx.store.organizations.get(ctx.int_param())
    if org is None:
        raise not_found("Organization")
    if not ctx.me.is_superuser and ctx.store.membership(ctx.me.id, org.id) is None:
        raise denied()
    return org


async def orgs_list(ctx: Ctx) -> Response:
    """``GET /api/organizations``: the caller's organizations (all of them for a superuser)."""
    with ctx.store.lock:
        page = list_page(
            ctx,
            _member_orgs(ctx),
            _ORG_SPEC,
            "/api/organizations",
            lambda o: ser.organization(ctx, o),
        )
    return json_response(page)


async def orgs_create(ctx: Ctx) -> Response:
    """``POST /api/organizations``: create an organization owned by the caller."""
    body = await ctx.json_object()
    errors: dict[str, list[str]] = {}
    slug = body.get("slug")
    if not slug:
        errors["slug"] = [REQUIRED]
    elif not isinstance(slug, str) or not _SLUG.match(slug) or len(slug) > 16:
        errors["slug"] = [
            'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
        ]
    elif ctx.store.org_by_slug(slug) is not None:
        errors["slug"] = ["organization with this slug already exists."]
    if errors:
        raise bad_request(errors)
    store = ctx.store
    with store.lock:
        org = Organization(
            id=store.next_id("org"),
            slug=str(slug),
            name=str(body.get("name") or ""),
            owner_id=ctx.me.id,
            description=str(body.get("description") or ""),
            contact=dict(body.get("contact") or {}),
        )
        store.organizations[org.id] = org
        member = Membership(
            store.next_id("membership"), ctx.me.id, org.id, "owner", org.created_date
        )
        store.memberships[member.id] = member
    return json_response(ser.organization(ctx, org), 201)


async def org_get(ctx: Ctx) -> Response:
    """``GET /api/organizations/{id}``: one organization."""
    return json_response(ser.organization(ctx, _org(ctx)))


async def org_patch(ctx: Ctx) -> Response:
    """``PATCH /api/organizations/{id}``: update an organization's name, description or contact."""
    org = _org(ctx)
    if iam.role_in(ctx, org.id) not in ("owner", "maintainer") and not ctx.me.is_superuser:
        raise denied()
    body = await ctx.json_object()
    for name in ("name", "description"):
        if isinstance(body.get(name), str):
            setattr(org, name, body[name])
    if isinstance(body.get("contact"), dict):
        org.contact = dict(body["contact"])
    org.updated_date = now()
    return json_response(ser.organization(ctx, org))


async def org_delete(ctx: Ctx) -> Response:
    """``DELETE /api/organizations/{id}``: delete an organization, its members and invitations."""
    org = _org(ctx)
    if iam.role_in(ctx, org.id) != "owner" and not ctx.me.is_superuser:
        raise denied()
    store = ctx.store
    with store.lock:
        for project in [p for p in store.projects.values() if p.org_id == org.id]:
            store.delete_project(project.id)
        for task in [t for t in store.tasks.values() if t.org_id == org.id]:
            store.delete_task(task.id)
        for m in [m for m in store.memberships.values() if m.org_id == org.id]:
            del store.memberships[m.id]
        for key in [k for k, i in store.invitations.items() if i.org_id == org.id]:
            del store.invitations[key]
        del store.organizations[org.id]
    return empty_response(204)


# -- memberships --------------------------------------------------------------------------------

_MEMBERSHIP_SPEC = ListSpec(
    fields={
        "id": lambda m: m.id,
        "role": lambda m: m.role,
        "is_active": lambda m: m.is_active,
        "user": lambda m: m.user_id,
    },
    simple=("role", "user", "is_active"),
)


async def memberships_list(ctx: Ctx) -> Response:
    """``GET /api/memberships``: memberships visible in the organization context."""
    store = ctx.store
    with store.lock:
        if ctx.org.org is not None:
            iam.check_org_access(ctx)
            items = [m for m in store.memberships.values() if m.org_id == ctx.org.org.id]
        elif ctx.me.is_superuser:
            items = list(store.memberships.values())
        else:
            mine = {m.org_id for m in store.memberships.values() if m.user_id == ctx.me.id}
            items = [m for m in store.memberships.values() if m.org_id in mine]
        page = list_page(
            ctx, items, _MEMBERSHIP_SPEC, "/api/memberships", lambda m: ser.membership(ctx, m)
        )
    return json_response(page)


def _membership(ctx: Ctx) -> Membership:
    m = ctx.store.memberships.get(ctx.int_param())
    if m is None:
        raise not_found("Membership")
    if not ctx.me.is_superuser and iam.role_in(ctx, m.org_id) is None:
        raise denied()
    return m


async def membership_get(ctx: Ctx) -> Response:
    """``GET /api/memberships/{id}``: one membership."""
    return json_response(ser.membership(ctx, _membership(ctx)))


async def membership_patch(ctx: Ctx) -> Response:
    """``PATCH /api/memberships/{id}``: change a member's role."""
    m = _membership(ctx)
    if not ctx.me.is_superuser and iam.role_in(ctx, m.org_id) not in ("owner", "maintainer"):
        raise denied()
    body = await ctx.json_object()
    role = body.get("role")
    if role is not None:
        if role not in ROLES or role == "owner":
            raise bad_request({"role": invalid_choice(role)})
        m.role = role
    return json_response(ser.membership(ctx, m))


async def membership_delete(ctx: Ctx) -> Response:
    """``DELETE /api/memberships/{id}``: remove a member from the organization."""
    m = _membership(ctx)
    is_self = m.user_id == ctx.me.id
    if m.role == "owner" or (
        not is_self
        and not ctx.me.is_superuser
        and iam.role_in(ctx, m.org_id) not in ("owner", "maintainer")
    ):
        raise denied()
    with ctx.store.lock:
        del ctx.store.memberships[m.id]
    return empty_response(204)


# -- invitations --------------------------------------------------------------------------------

_INVITATION_SPEC = ListSpec(
    fields={
        "role": lambda i: i.role,
        "accepted": lambda i: i.accepted,
        "user_id": lambda i: i.user_id,
        "created": lambda i: i.created_date.isoformat(),
    },
    simple=("role", "accepted", "user_id"),
    default_sort="-created",
)


async def invitations_list(ctx: Ctx) -> Response:
    """``GET /api/invitations``: invitations visible in the organization context."""
    store = ctx.store
    with store.lock:
        items: list[Invitation] = list(store.invitations.values())
        if ctx.org.org is not None:
            iam.check_org_access(ctx)
            items = [i for i in items if i.org_id == ctx.org.org.id]
        elif not ctx.me.is_superuser:
            items = [
                i for i in items if i.user_id == ctx.me.id or iam.role_in(ctx, i.org_id) is not None
            ]
        page = list_page(
            ctx,
            items,
            _INVITATION_SPEC,
            "/api/invitations",
            lambda i: ser.invitation(ctx, i),
            filters={k: v for k, v in ctx.query.items() if k != "sort"},
        )
    return json_response(page)


async def invitations_create(ctx: Ctx) -> Response:
    """``POST /api/invitations``: invite a registered user (accepted at once)."""
    org = ctx.org.org
    if org is None:
        raise bad_request({"organization": [REQUIRED]})
    if not ctx.me.is_superuser and iam.role_in(ctx, org.id) not in ("owner", "maintainer"):
        raise denied()
    body = await ctx.json_object()
    errors: dict[str, list[str]] = {}
    role = body.get("role")
    if role is None:
        errors["role"] = [REQUIRED]
    elif role not in ROLES or role == "owner":
        errors["role"] = invalid_choice(role)
    email = body.get("email")
    if not email:
        errors["email"] = [REQUIRED]
    if errors:
        raise bad_request(errors)
    store = ctx.store
    with store.lock:
        user = store.find_user(str(email))
        if user is None:
            raise bad_request({"email": ["The test server only invites registered users."]})
        if store.membership(user.id, org.id):
            raise bad_request(["The user is a member of the organization already."])
        invitation = Invitation(
            key=secrets.token_urlsafe(48)[:64],
            org_id=org.id,
            owner_id=ctx.me.id,
            role=str(role),
            email=str(email),
            user_id=user.id,
            accepted=True,
        )
        store.invitations[invitation.key] = invitation
        member = Membership(store.next_id("membership"), user.id, org.id, str(role), now())
        member.invitation = invitation.key
        store.memberships[member.id] = member
    return json_response(ser.invitation(ctx, invitation), 201)


def _invitation(ctx: Ctx) -> Invitation:
    invitation = ctx.store.invitations.get(ctx.params["key"])
    if invitation is None:
        raise not_found("Invitation")
    if (
        not ctx.me.is_superuser
        and invitation.user_id != ctx.me.id
        and iam.role_in(ctx, invitation.org_id) not in ("owner", "maintainer")
    ):
        raise denied()
    return invitation


async def invitation_get(ctx: Ctx) -> Response:
    """``GET /api/invitations/{key}``: one invitation."""
    return json_response(ser.invitation(ctx, _invitation(ctx)))


async def invitation_delete(ctx: Ctx) -> Response:
    """``DELETE /api/invitations/{key}``: withdraw an invitation."""
    invitation = _invitation(ctx)
    with ctx.store.lock:
        del ctx.store.invitations[invitation.key]
    return empty_response(204)


async def invitation_accept(ctx: Ctx) -> Response:
    """``POST /api/invitations/{key}/accept``: accept an invitation."""
    invitation = _invitation(ctx)
    if invitation.accepted:
        raise ApiError(400, "Your invitation is already accepted.")
    store = ctx.store
    with store.lock:
        invitation.accepted = True
        invitation.user_id = ctx.me.id
        member = Membership(
            store.next_id("membership"), ctx.me.id, invitation.org_id, invitation.role
        )
        member.invitation = invitation.key
        store.memberships[member.id] = member
    org = store.organizations[invitation.org_id]
    return json_response({"organization_slug": org.slug})


async def invitation_decline(ctx: Ctx) -> Response:
    """``POST /api/invitations/{key}/decline``: decline an invitation."""
    invitation = _invitation(ctx)
    with ctx.store.lock:
        ctx.store.invitations.pop(invitation.key, None)
    return empty_response(204)


ROUTES = [
    route("/api/organizations", get=orgs_list, post=orgs_create),
    route("/api/organizations/{id}", get=org_get, patch=org_patch, delete=org_delete),
    route("/api/memberships", get=memberships_list),
    route(
        "/api/memberships/{id}",
        get=membership_get,
        patch=membership_patch,
        delete=membership_delete,
    ),
    route("/api/invitations", get=invitations_list, post=invitations_create),
    route("/api/invitations/{key}/accept", allow="POST, OPTIONS", post=invitation_accept),
    route("/api/invitations/{key}/decline", allow="POST, OPTIONS", post=invitation_decline),
    route("/api/invitations/{key}", get=invitation_get, delete=invitation_delete),
]
