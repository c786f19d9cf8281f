"""Authentication as CVAT 2.73 does it: session + CSRF, Basic, legacy ``Token`` and ``Bearer``.

``authenticate`` fills ``ctx.user``; it raises the 401/403 bodies the real server answers.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from datetime import timedelta
from http.cookies import SimpleCookie

from cvat_client.testing._context import Ctx
from cvat_client.testing._http import NOT_AUTHENTICATED, ApiError, detail, http_date, now

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_AGE = 1209600
CSRF_AGE = 31449600
FRESH_AGE = 86400


def unauthorized(message: str = NOT_AUTHENTICATED, *, scheme: str = "Token") -> ApiError:
    """401 with ``WWW-Authenticate``."""
    return detail(401, message, headers={"www-authenticate": scheme})


def _cookies(ctx: Ctx) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(ctx.request.headers.get("cookie", ""))
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}


def session_id(ctx: Ctx) -> str | None:
    """The ``sessionid`` cookie of the request."""
    return _cookies(ctx).get("sessionid")


def set_cookie(name: str, value: str, max_age: int, *, http_only: bool) -> str:
    """A ``Set-Cookie`` value shaped like Django's."""
    expires = http_date(now() + timedelta(seconds=max_age))
    flags = "; HttpOnly" if http_only else ""
    return f"{name}={value}; expires={expires}{flags}; Max-Age={max_age}; Path=/; SameSite=Lax"


def clear_cookie(name: str) -> str:
    """A ``Set-Cookie`` value deleting a cookie, as Django writes it."""
    return f'{name}=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax'


def new_csrf_token() -> str:
    """A fresh CSRF secret (32 characters)."""
    return secrets.token_urlsafe(24)[:32]


def authenticate(ctx: Ctx, *, bearer_only: bool = False) -> None:
    """Identify the caller; raise 401 for bad credentials and 403 for CSRF failures.

    Anonymous callers leave ``ctx.user`` as None; the router decides whether that is allowed.
    """
    header = ctx.request.headers.get("authorization", "")
    store = ctx.store
    if header:
        scheme, _, credentials = header.partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise unauthorized(
                    "Invalid basic header. Credentials not correctly base64 encoded."
                ) from None
            username, _, password = decoded.partition(":")
            user = store.find_user(username)
            if (
                user is None
                or not user.is_active
                or not hmac.compare_digest(user.password.encode(), password.encode())
            ):
                raise unauthorized("Invalid username/password.")
            ctx.user, ctx.auth = user, "basic"
        elif scheme == "token":
            with store.lock:
                user = next(
                    (
                        u
                        for u in store.users.values()
                        if u.legacy_key and hmac.compare_digest(u.legacy_key, credentials)
                    ),
                    None,
                )
            if user is None:
                raise unauthorized("Invalid token.")
            ctx.user, ctx.auth = user, "token"
        elif scheme == "bearer":
            with store.lock:
                token = next(
                    (
                        t
                        for t in store.tokens.values()
                        if hmac.compare_digest(t.value, credentials) and not t.expired()
                    ),
                    None,
                )
                if token is None or token.owner_id not in store.users:
                    raise unauthorized("Invalid token.")
                token.last_used_date = now()
                ctx.user, ctx.auth, ctx.token = store.users[token.owner_id], "bearer", token
    if bearer_only:
        if ctx.auth != "bearer":
            ctx.user = None
            raise unauthorized(scheme="Bearer")
        return
    if ctx.user is not None:
        return
    cookies = _cookies(ctx)
    sid = cookies.get("sessionid")
    if not sid:
        return
    with store.lock:
        user_id = store.sessions.get(sid)
        user = store.users.get(user_id) if user_id is not None else None
    if user is None:
        ctx.response_headers["set-cookie"] = clear_cookie("sessionid")
        return
    ctx.user, ctx.auth = user, "session"
    if ctx.request.method in UNSAFE_METHODS:
        check_csrf(ctx, cookies)


def check_csrf(ctx: Ctx, cookies: dict[str, str]) -> None:
    """Django's CSRF checks for a session-authenticated unsafe request, in Django's order."""
    origin = ctx.request.headers.get("origin")
    if origin is not None and origin.rstrip("/") != ctx.base:
        raise detail(
            403,
            f"CSRF Failed: Origin checking failed - {origin} does not match any trusted origins.",
        )
    secret = cookies.get("csrftoken")
    if not secret:
        raise detail(403, "CSRF Failed: CSRF cookie not set.")
    supplied = ctx.request.headers.get("x-csrftoken")
    if not supplied:
        raise detail(403, "CSRF Failed: CSRF token missing.")
    if not hmac.compare_digest(supplied, secret):
        raise detail(403, "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect.")
