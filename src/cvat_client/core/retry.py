"""Retries and session renewal, installed in the httpx client of every :class:`Client`.

* :class:`RetryTransport` wraps the real transport: a request that failed to connect,
  or (if idempotent) broke in transit or got 429/502/503/504, is sent again after a
  bounded exponential backoff with jitter, honouring ``Retry-After``. Every call goes
  through it, generated API methods included. Upload chunks (``PATCH``) are not
  idempotent: the uploader resumes them itself after asking the server for its offset.
* :class:`SessionRenewal` is an :class:`httpx.Auth` flow: when a password session has
  expired (401), it logs in again once with the known credentials and repeats the call.
"""

from __future__ import annotations

import http.cookiejar
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import httpx

from cvat_client._lowlevel import deadline
from cvat_client._lowlevel.body import ERROR_BODY_LIMIT, read_capped
from cvat_client.core._protocol.retry import FailureKind, RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    from cvat_client.core.client import Client

__all__ = [
    "RetryTransport",
    "SessionRenewal",
    "SessionCookieJar",
    "RetryPolicy",
    "NO_RETRY",
    "failure_kind",
]

logger = logging.getLogger("cvat_client.core.retry")

#: Put ``{NO_RETRY: True}`` in a request's extensions to send it exactly once.
NO_RETRY = "cvat_client.no_retry"

# Header names (httpx looks them up in any case; sent as written here)
_AUTHORIZATION = "authorization"
_COOKIE = "cookie"
_CSRF_HEADER = "X-CSRFToken"  # Django's spelling
_RETRY_AFTER = "retry-after"


def failure_kind(exc: httpx.TransportError) -> FailureKind:
    """Classify a transport error: was the request sent, did it time out?"""
    if _certificate_refused(exc):
        return FailureKind.REFUSED
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return FailureKind.NOT_SENT
    if isinstance(exc, httpx.TimeoutException):
        return FailureKind.TIMEOUT
    return FailureKind.BROKEN


def _certificate_refused(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a TLS certificate that failed verification."""
    import ssl

    seen: BaseException | None = exc
    for _ in range(8):  # httpx -> httpcore -> ssl: a short chain
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _replayable(request: httpx.Request) -> bool:
    stream = request.stream
    if isinstance(stream, httpx.ByteStream):
        return True
    return bool(getattr(stream, "replayable", None))


class RetryTransport(httpx.BaseTransport):
    """An httpx transport that retries what is safe to retry; see the module documentation.

    Args:
        inner: the transport that really sends (``httpx.HTTPTransport`` or a test one).
        policy: how many retries and how long to wait.
        sleep, rng: injectable for tests (``time.sleep``, ``random.random``).
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.inner = inner
        self.policy = policy if policy is not None else RetryPolicy()
        self.sleep = sleep
        self.rng = rng

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, repeating it while the policy allows."""
        attempt = 0
        allowed = not request.extensions.get(NO_RETRY)
        while True:
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError as exc:
                delay = (
                    self.policy.for_error(request.method, failure_kind(exc), attempt, self.rng)
                    if allowed and _replayable(request)
                    else None
                )
                if delay is None or not _time_left_for(delay):
                    raise
                logger.info(
                    "%s %s failed (%s); retrying in %.1f s (%d/%d)",
                    request.method,
                    request.url.copy_with(query=None),
                    type(exc).__name__,
                    delay,
                    attempt + 1,
                    self.policy.retries,
                )
            else:
                retry_after = parse_retry_after(response.headers.get(_RETRY_AFTER))
                delay = (
                    self.policy.for_status(
                        request.method, response.status_code, retry_after, attempt, self.rng
                    )
                    if allowed and _replayable(request)
                    else None
                )
                if delay is None or not _time_left_for(delay):
                    return response
                response.close()  # unread: a hostile body must not be read to retry
                logger.info(
                    "%s %s answered %d; retrying in %.1f s (%d/%d)",
                    request.method,
                    request.url.copy_with(query=None),
                    response.status_code,
                    delay,
                    attempt + 1,
                    self.policy.retries,
                )
            self.sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the inner transport."""
        self.inner.close()


def _time_left_for(delay: float) -> bool:
    """Whether the current request's deadline leaves time to wait ``delay`` and retry."""
    left = deadline.remaining()
    return left is None or left > delay


class SessionRenewal(httpx.Auth):
    """Log in again once when a password session expired, then repeat the call.

    Only requests to the client's own server that carry no ``Authorization`` header are
    renewed, and only when the client logged in with a password. Concurrent calls that
    hit the expiry share one login.
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self._lock = threading.Lock()

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """The httpx auth flow (see :class:`httpx.Auth`)."""
        generation = self._client._session_generation
        request.extensions[_GENERATION] = generation
        response = yield request
        if response.status_code != 401 or not self._renewable(request):
            return
        # httpx reads an answer whole before sending the next request of an auth flow:
        # read (at most the error cap of) the 401 first, so an endless one stays bounded
        read_capped(response, ERROR_BODY_LIMIT, truncate=True)
        with self._lock:
            if self._client._session_generation == generation:
                login = self._client._build_login_request()
                if login is None:
                    return
                self._client.logger.info("The session has expired; logging in again")
                # From now on, answers to requests sent with the old session (a 401 that
                # deletes the session cookie) no longer change the cookie jar.
                self._client._session_generation += 1
                login_response = yield login
                read_capped(login_response, ERROR_BODY_LIMIT, truncate=True)
                if not login_response.is_success:
                    self._client.logger.warning(
                        "Logging in again failed (%d)", login_response.status_code
                    )
                    raise _renewal_error(self._client, request, login_response)
                self._client._session_renewed()
        self._refresh(request)
        request.extensions[_GENERATION] = self._client._session_generation
        yield request

    def _renewable(self, request: httpx.Request) -> bool:
        # a request with its own credentials (a token, a presigned URL) is not renewed
        if _AUTHORIZATION in request.headers or not self._client._can_renew_session():
            return False
        return self._client.api_client._is_own_host(request.url)

    def _refresh(self, request: httpx.Request) -> None:
        jar = self._client.api_client.client.cookies
        if _COOKIE in request.headers:
            del request.headers[_COOKIE]
        jar.set_cookie_header(request)
        if _CSRF_HEADER in request.headers:
            # the last one (``jar.get`` refuses several cookies of one name)
            tokens = [c.value for c in jar.jar if c.name == "csrftoken" and c.value is not None]
            if tokens:
                request.headers[_CSRF_HEADER] = tokens[-1]


_GENERATION = "cvat_client.session_generation"


class SessionCookieJar(http.cookiejar.CookieJar):
    """The client's cookie jar: answers to requests sent with an older session than the
    current one are not allowed to change it.

    Without this, when many threads share a client whose session expired, a late 401
    answer to a request sent before the automatic re-login would delete the new
    session's cookie (the server deletes the cookie of a session it does not know).
    """

    def __init__(self, current_generation: Callable[[], int]) -> None:
        super().__init__()
        self._current_generation = current_generation

    def extract_cookies(self, response: Any, request: Any) -> None:
        """Take the cookies of an answer, unless its request used an older session."""
        # ``request`` is httpx's wrapper of the httpx.Request that was sent
        generation = request.request.extensions.get(_GENERATION)
        if generation is not None and generation < self._current_generation():
            return
        super().extract_cookies(response, request)

    def make_cookies(self, response: Any, request: Any) -> Any:
        """The cookies of an answer, also when a proxy folded several ``Set-Cookie``
        headers into one, comma-separated (cvat-sdk reads those too)."""
        info = response.info()
        values = info.get_all("Set-Cookie") or []
        unfolded = [part for value in values for part in _FOLDED_COOKIES.split(value)]
        if len(unfolded) > len(values):
            response = _UnfoldedResponse(info, unfolded)
        return super().make_cookies(response, request)


_FOLDED_COOKIES = re.compile(r",\s*(?=[^;,\s=]+=)")
"""A comma starting a new cookie (``..., sessionid=...``), not one inside an expiry date
(``expires=Mon, 14 Dec 2026 ...``)."""


class _UnfoldedResponse:
    """A response for :mod:`http.cookiejar` with ``Set-Cookie`` headers one cookie each."""

    def __init__(self, info: Any, set_cookie: list[str]) -> None:
        import email.message

        self._info = email.message.Message()
        for name, value in info.items():
            if name.lower() != "set-cookie":
                self._info[name] = value
        for value in set_cookie:
            self._info["Set-Cookie"] = value

    def info(self) -> Any:
        return self._info


def _renewal_error(
    client: Client, request: httpx.Request, login_response: httpx.Response
) -> Exception:
    from cvat_client._lowlevel.exceptions import exception_for_response
    from cvat_client.core.client import _server_text
    from cvat_client.core.exceptions import SessionRenewalError

    # only a client logged in with a password renews its session
    user = client._credentials.user  # type: ignore[union-attr]
    detail = _server_text(exception_for_response(login_response).data)
    url = str(request.url.copy_with(query=None))
    return SessionRenewalError(
        f"the session expired and logging in again as {user!r} failed ({login_response.status_code}"
        + (f": {detail}" if detail else "")
        + "). Log in again with valid credentials.",
        method=request.method,
        url=url,
        login_status=login_response.status_code,
    )
