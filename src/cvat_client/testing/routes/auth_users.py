"""``/api/auth/*`` (login, logout, register, password change, access tokens) and ``/api/users``."""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from starlette.responses import Response

from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import (
    REQUIRED,
    bad_request,
    check_name,
    denied,
    detail,
    empty_response,
    json_response,
    not_found,
    now,
    parse_datetime,
)
from cvat_client.testing.auth import (
    CSRF_AGE,
    FRESH_AGE,
    SESSION_AGE,
    clear_cookie,
    new_csrf_token,
    session_id,
    set_cookie,
)
from cvat_client.testing.listing import ListSpec, list_page
from cvat_client.testing.routing import route
from cvat_client.testing.state import AccessToken, User


def _login_response(ctx: Ctx, user: User) -> Response:
    store = ctx.store
    sid = secrets.token_urlsafe(24)
    with store.lock:
        store.sessions[sid] = user.id
        user.last_login = now()
    key = store.legacy_key(user)
    response = json_response({"key": key})
    response.headers.append(
        "set-cookie", set_cookie("csrftoken", new_csrf_token(), CSRF_AGE, http_only=False)
    )
    response.headers.append(
        "set-cookie", set_cookie("sessionfresh", "1", FRESH_AGE, http_only=True)
    )
    response.headers.append("set-cookie", set_cookie("sessionid", sid, SESSION_AGE, http_only=True))
    return response


async def login(ctx: Ctx) -> Response:
    """``POST /api/auth/login``: log in by username or e-mail (session cookies, legacy key)."""
    body = await ctx.json_object()
    username = body.get("username") or ""
    email = body.get("email") or ""
    password = body.get("password") or ""
    if not password or not (username or email):
        raise bad_request(['Must include either "username" or "email" and "password".'])
    user = ctx.store.find_user(username or email)
    if user is None or not user.is_active or not hmac.compare_digest(user.password, password):
        raise bad_request({"non_field_errors": ["Unable to log in with provided credentials."]})
    return _login_response(ctx, user)


async def logout(ctx: Ctx) -> Response:
    """``POST /api/auth/logout``: end the session and delete the legacy token key."""
    store = ctx.store
    with store.lock:
        sid = session_id(ctx)
        if sid is not None:
            store.sessions.pop(sid, None)
        ctx.me.legacy_key = None
    response = json_response({"detail": "Successfully logged out."})
    response.headers.append("set-cookie", clear_cookie("sessionfresh"))
    response.headers.append("set-cookie", clear_cookie("sessionid"))
    return response


_USERNAME = re.compile(r"^[\w.@+-]+$")


async def register(ctx: Ctx) -> Response:
    """``POST /api/auth/register``: create a user account (no e-mail verification)."""
    body = await ctx.json_object()
    errors: dict[str, list[str]] = {}
    for name in ("username", "email", "password1", "password2"):
        if not body.get(name):
            errors[name] = [REQUIRED]
    username = str(body.get("username") or "")
    if username and not _USERNAME.match(username):
        errors["username"] = ["Enter a valid username."]
    elif username and len(username) < 5:  # allauth's ACCOUNT_USERNAME_MIN_LENGTH in CVAT
        errors["username"] = ["Ensure this field has at least 5 characters."]
    if username and ctx.store.find_user(username):
        errors["username"] = ["A user with that username already exists."]
    if body.get("password1") and body.get("password1") != body.get("password2"):
        errors["non_field_errors"] = ["The two password fields didn't match."]
    if errors:
        raise bad_request(errors)
    user = ctx.store.add_user(
        username,
        str(body["password1"]),
        email=str(body["email"]),
        first_name=str(body.get("first_name") or ""),
        last_name=str(body.get("last_name") or ""),
    )
    return json_response(
        {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email_verification_required": False,
            "key": None,
        },
        201,
    )


async def password_change(ctx: Ctx) -> Response:
    """``POST /api/auth/password/change``: change the caller's password."""
    body = await ctx.json_object()
    errors: dict[str, list[str]] = {}
    for name in ("old_password", "new_password1", "new_password2"):
        if not body.get(name):
            errors[name] = [REQUIRED]
    if errors:
        raise bad_request(errors)
    if not hmac.compare_digest(ctx.me.password, str(body["old_password"])):
        raise bad_request(
            {"old_password": ["Your old password was entered incorrectly. Please enter it again."]}
        )
    if body["new_password1"] != body["new_password2"]:
        raise bad_request({"new_password2": ["The two password fields didn't match."]})
    ctx.me.password = str(body["new_password1"])
    return json_response({"detail": "New password has been saved."})


# -- access tokens ------------------------------------------------------------------------------

_TOKEN_SPEC = ListSpec(
    fields={
        "id": lambda t: t.id,
        "name": lambda t: t.name,
        "created_date": lambda t: t.created_date.isoformat(),
        "updated_date": lambda t: t.updated_date.isoformat(),
        "expiry_date": lambda t: t.expiry_date.isoformat() if t.expiry_date else None,
        "last_used_date": lambda t: t.last_used_date.isoformat() if t.last_used_date else None,
        "read_only": lambda t: t.read_only,
    },
    search=("name",),
    simple=("name", "read_only"),
)


def _token_fields(
    body: dict[str, Any], errors: dict[str, list[str]], *, partial: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    name = check_name(body, errors, partial=partial)
    if name is not None:
        values["name"] = name
    if "read_only" in body:
        if not isinstance(body["read_only"], bool):
            errors["read_only"] = ["Must be a valid boolean."]
        else:
            values["read_only"] = body["read_only"]
    if "expiry_date" in body:
        raw = body["expiry_date"]
        parsed = parse_datetime(raw)
        if raw is not None and parsed is None:
            errors["expiry_date"] = [
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
            ]
        values["expiry_date"] = parsed
    return values


def _visible_token(ctx: Ctx) -> AccessToken:
    token_id = ctx.int_param()
    token = ctx.store.tokens.get(token_id)
    if token is None or token.owner_id != ctx.me.id or token.expired():
        raise not_found("AccessToken")
    return token


async def tokens_list(ctx: Ctx) -> Response:
    """``GET /api/auth/access_tokens``: the caller's personal access tokens (unexpired)."""
    with ctx.store.lock:
        mine = [t for t in ctx.store.tokens.values() if t.owner_id == ctx.me.id and not t.expired()]
        page = list_page(
            ctx, mine, _TOKEN_SPEC, "/api/auth/access_tokens", lambda t: ser.access_token(ctx, t)
        )
    return json_response(page)


async def tokens_create(ctx: Ctx) -> Response:
    """``POST /api/auth/access_tokens``: create a personal access token (read-only by default)."""
    if ctx.auth == "bearer":
        raise denied()
    body = await ctx.json_object()
    errors: dict[str, list[str]] = {}
    values = _token_fields(body, errors, partial=False)
    if errors:
        raise bad_request(errors)
    store = ctx.store
    token = AccessToken(
        id=store.next_id("token"),
        name=values["name"],
        value=secrets.token_urlsafe(32),
        owner_id=ctx.me.id,
        read_only=values.get("read_only", True),
        expiry_date=values.get("expiry_date"),
    )
    with store.lock:
        store.tokens[token.id] = token
    return json_response(ser.access_token(ctx, token, with_value=True), 201)


async def token_get(ctx: Ctx) -> Response:
    """``GET /api/auth/access_tokens/{id}``: one of the caller's access tokens."""
    return json_response(ser.access_token(ctx, _visible_token(ctx)))


async def token_patch(ctx: Ctx) -> Response:
    """``PATCH /api/auth/access_tokens/{id}``: rename an access token or change its expiry."""
    token = _visible_token(ctx)
    body = await ctx.json_object()
    errors: dict[str, list[str]] = {}
    values = _token_fields(body, errors, partial=True)
    if errors:
        raise bad_request(errors)
    for name, value in values.items():
        setattr(token, name, value)
    token.updated_date = now()
    return json_response(ser.access_token(ctx, token))


async def token_delete(ctx: Ctx) -> Response:
    """``DELETE /api/auth/access_tokens/{id}``: revoke an access token."""
    token = _visible_token(ctx)
    with ctx.store.lock:
        del ctx.store.tokens[token.id]
    return empty_response(204)


async def token_self(ctx: Ctx) -> Response:
    """``GET /api/auth/access_tokens/self``: the Bearer token the request was made with."""
    assert ctx.token is not None
    return json_response(ser.access_token(ctx, ctx.token))


# -- users --------------------------------------------------------------------------------------

_USER_SPEC = ListSpec(
    fields={
        "id": lambda u: u.id,
        "username": lambda u: u.username,
        "first_name": lambda u: u.first_name,
        "last_name": lambda u: u.last_name,
        "is_active": lambda u: u.is_active,
    },
    search=("username", "first_name", "last_name"),
    simple=("username", "first_name", "last_name", "is_active"),
    default_sort="-id",
)


def _visible_users(ctx: Ctx) -> list[User]:
    store = ctx.store
    if ctx.org.org is not None:
        org_id = ctx.org.org.id
        return [u for u in store.users.values() if store.membership(u.id, org_id)]
    if ctx.me.is_superuser:
        return list(store.users.values())
    org_ids = {m.org_id for m in store.memberships.values() if m.user_id == ctx.me.id}
    return [
        u
        for u in store.users.values()
        if u.id == ctx.me.id or any(store.membership(u.id, o) for o in org_ids)
    ]


async def users_list(ctx: Ctx) -> Response:
    """``GET /api/users``: the users the caller may see, paginated."""
    with ctx.store.lock:
        page = list_page(
            ctx, _visible_users(ctx), _USER_SPEC, "/api/users", lambda u: ser.user(ctx, u)
        )
    return json_response(page)


async def users_self(ctx: Ctx) -> Response:
    """``GET /api/users/self``: the authenticated user."""
    return json_response(ser.user(ctx, ctx.me))


def _user(ctx: Ctx) -> User:
    user = ctx.store.users.get(ctx.int_param())
    if user is None:
        raise not_found("User")
    if user.id != ctx.me.id and user not in _visible_users(ctx):
        raise denied()
    return user


async def user_get(ctx: Ctx) -> Response:
    """``GET /api/users/{id}``: one user."""
    return json_response(ser.user(ctx, _user(ctx)))


async def user_patch(ctx: Ctx) -> Response:
    """``PATCH /api/users/{id}``: update names and e-mail (``is_active`` as a superuser)."""
    user = _user(ctx)
    if user.id != ctx.me.id and not ctx.me.is_superuser:
        raise denied()
    body = await ctx.json_object()
    for name in ("first_name", "last_name", "email"):
        if isinstance(body.get(name), str):
            setattr(user, name, body[name])
    if isinstance(body.get("is_active"), bool) and ctx.me.is_superuser:
        user.is_active = body["is_active"]
    return json_response(ser.user(ctx, user))


async def user_delete(ctx: Ctx) -> Response:
    """``DELETE /api/users/{id}``: delete a user (oneself, or anyone as a superuser)."""
    user = _user(ctx)
    if not ctx.me.is_superuser and user.id != ctx.me.id:
        raise denied()
    with ctx.store.lock:
        del ctx.store.users[user.id]
    return empty_response(204)


async def rules(ctx: Ctx) -> Response:
    """``GET /api/auth/rules``: the IAM rules bundle (an empty ``application/x-tar`` body)."""
    return Response(b"", media_type="application/x-tar")


async def no_such_token(ctx: Ctx) -> Response:
    """Answer DRF's plain 404 (``Not found.``)."""
    raise detail(404, "Not found.")


ROUTES = [
    route("/api/auth/login", public=True, allow="POST, OPTIONS", post=login),
    route("/api/auth/logout", allow="GET, POST, HEAD, OPTIONS", post=logout, get=logout),
    route("/api/auth/register", public=True, allow="POST, OPTIONS", post=register),
    route("/api/auth/password/change", allow="POST, OPTIONS", post=password_change),
    route("/api/auth/rules", public=True, negotiate=False, get=rules),
    route("/api/auth/access_tokens/self", bearer_only=True, get=token_self),
    route("/api/auth/access_tokens", get=tokens_list, post=tokens_create),
    route(
        "/api/auth/access_tokens/{id}",
        allow="GET, PATCH, DELETE, HEAD, OPTIONS",
        get=token_get,
        patch=token_patch,
        delete=token_delete,
    ),
    route("/api/users/self", get=users_self),
    route("/api/users", get=users_list),
    route("/api/users/{id}", get=user_get, patch=user_patch, delete=user_delete),
]
