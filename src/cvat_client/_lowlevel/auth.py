"""Authentication of outgoing requests: credentials, session cookies and CSRF.

CVAT accepts Basic auth, a personal access token (``Authorization: Bearer``), the
legacy ``Authorization: Token <key>`` and a Django session. A session (the
``sessionid`` cookie set by ``/api/auth/login``) needs the CSRF token of the
``csrftoken`` cookie in ``X-CSRFToken`` and an ``Origin`` on unsafe methods, or the
server answers 403 ``CSRF Failed``; this module adds them.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cvat_client._lowlevel.configuration import Configuration, basic_auth_value

if TYPE_CHECKING:
    from http.cookiejar import CookieJar

__all__ = ["SAFE_METHODS", "apply_auth", "origin_of", "cookie_value"]

#: Methods Django's CSRF protection leaves alone.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_AUTH_ORDER = ("accessTokenAuth", "tokenAuth", "basicAuth")


def origin_of(url: str) -> str:
    """The ``Origin`` header value for a server URL: ``scheme://host[:port]``."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return f"{parts.scheme}://{parts.netloc}"


def cookie_value(jar: CookieJar, name: str) -> str | None:
    """The value of cookie ``name`` in ``jar`` (the most recently set if several)."""
    found = None
    for cookie in jar:
        if cookie.name == name:
            found = cookie.value
    return found


def apply_auth(
    configuration: Configuration,
    method: str,
    headers: MutableMapping[str, str],
    params: list[tuple[str, Any]],
    jar: CookieJar,
) -> None:
    """Add authentication to a request in place.

    An ``Authorization`` header already present (set per call or as a default header)
    is kept. Otherwise the first configured of: access token, legacy token, Basic.
    """
    lowered = {name.lower() for name in headers}
    if "authorization" not in lowered:
        value = None
        if configuration.access_token is not None:
            value = f"Bearer {configuration.access_token}"
        else:
            for scheme in _AUTH_ORDER:
                value = configuration.get_api_key_with_prefix(scheme)
                if value is not None:
                    break
            if value is None and configuration.username is not None:
                value = basic_auth_value(configuration.username, configuration.password or "")
        if value is not None:
            headers["Authorization"] = value
    signature = configuration.api_key.get("signatureAuth")
    if signature is not None and not any(key == "sign" for key, _ in params):
        params.append(("sign", signature))
    csrf_header = configuration.api_key.get("csrfHeaderAuth")
    if method.upper() not in SAFE_METHODS and "x-csrftoken" not in lowered:
        token = csrf_header or cookie_value(jar, "csrftoken")
        if token is not None:
            headers["X-CSRFToken"] = token
            if "origin" not in lowered:
                headers["Origin"] = origin_of(configuration.host)
