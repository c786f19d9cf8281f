"""Edges of retries and session renewal (``core/retry.py``) that ``make mutate`` found
unpinned: what the log says, the deadline left for a retry, the cookie jar's generations,
and what a failed re-login tells the user."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from cvat_client import make_client
from cvat_client._lowlevel.body import ERROR_BODY_LIMIT
from cvat_client.core import retry
from cvat_client.core._protocol.retry import RetryPolicy
from cvat_client.core.exceptions import LoginError, SessionRenewalError, UnauthorizedException
from cvat_client.core.retry import RetryTransport, SessionCookieJar
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport

from ._transfer_support import Interceptor


def _retrying(
    answers: list[Any], rng: float = 1.0, **policy: Any
) -> tuple[RetryTransport, list[float]]:
    def handle(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    slept: list[float] = []
    transport = RetryTransport(
        httpx.MockTransport(handle), RetryPolicy(**policy), sleep=slept.append, rng=lambda: rng
    )
    return transport, slept


def test_each_retry_is_logged_without_the_query(caplog: pytest.LogCaptureFixture) -> None:
    transport, slept = _retrying(
        [httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200)],
        retries=4,
        backoff=0.5,
    )
    with (
        caplog.at_level(logging.INFO, "cvat_client.core.retry"),
        httpx.Client(transport=transport) as http,
    ):
        assert http.get("http://cvat.test/api/x?key=secret").status_code == 200
    assert slept == [0.5, 1.0]
    assert [r.getMessage() for r in caplog.records if r.name == "cvat_client.core.retry"] == [
        "GET http://cvat.test/api/x failed (ConnectError); retrying in 0.5 s (1/4)",
        "GET http://cvat.test/api/x answered 503; retrying in 1.0 s (2/4)",
    ]


class _Left:
    """A stand-in for the deadline module: ``remaining()`` seconds are left."""

    def __init__(self, left: float | None) -> None:
        self.left = left

    def remaining(self) -> float | None:
        return self.left


@pytest.mark.parametrize(
    ("left", "retried"), [(None, True), (2.01, True), (2.0, False), (1.0, False)]
)
def test_a_retry_needs_more_time_than_its_wait(
    monkeypatch: pytest.MonkeyPatch, left: float | None, retried: bool
) -> None:
    monkeypatch.setattr(retry, "deadline", _Left(left))
    answers = [httpx.Response(503, headers={"retry-after": "2"}), httpx.Response(200)]
    transport, slept = _retrying(answers, rng=0.0, max_backoff=30)  # waits 2 s
    with httpx.Client(transport=transport) as http:
        status = http.get("http://cvat.test/api/x").status_code
    assert (status, len(slept)) == ((200, 1) if retried else (503, 0))
    errors = [httpx.ConnectError("refused"), httpx.Response(200)]
    transport, slept = _retrying(errors, rng=0.0, backoff=4.0, max_backoff=4.0)  # 2 s
    with httpx.Client(transport=transport) as http:
        if retried:
            assert http.get("http://cvat.test/api/x").status_code == 200
        else:
            with pytest.raises(httpx.ConnectError):
                http.get("http://cvat.test/api/x")
    assert len(slept) == (1 if retried else 0)


def test_answers_to_requests_of_an_older_session_leave_the_cookies_alone() -> None:
    generation = [2]
    cookies = httpx.Cookies(SessionCookieJar(lambda: generation[0]))

    def answer(extensions: dict[str, Any], value: str) -> None:
        request = httpx.Request("GET", "http://cvat.test/api/x", extensions=extensions)
        response = httpx.Response(
            200, headers={"set-cookie": f"sessionid={value}; Path=/"}, request=request
        )
        cookies.extract_cookies(response)

    answer({"cvat_client.session_generation": 1}, "old")
    assert cookies.get("sessionid") is None
    answer({"cvat_client.session_generation": 2}, "current")
    assert cookies.get("sessionid") == "current"
    answer({}, "unmarked")
    assert cookies.get("sessionid") == "unmarked"


def test_a_failed_re_login_says_what_to_do(
    cvat_server: CvatTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    spy = Interceptor(ASGIBridgeTransport(cvat_server.app))
    cvat_server.add_user("alice", "first-Secret-1")
    with make_client(
        "http://testserver", transport=spy, credentials=("alice", "first-Secret-1")
    ) as client:
        client.projects.create({"name": "p"})
        cvat_server.store.sessions.clear()
        cvat_server.faults.add(
            r"^/api/auth/login$", method="POST", status=400, body={"detail": "Account locked."}
        )
        with (
            caplog.at_level(logging.INFO, "cvat_client"),
            pytest.raises(SessionRenewalError) as info,
        ):
            client.projects.list()
        error = info.value
        assert isinstance(error, LoginError) and isinstance(error, UnauthorizedException)
        assert str(error) == (
            "(401) Unauthorized for GET http://testserver/api/projects: the session expired and logging in again as 'alice' failed (400: Account "
            "locked.). Log in again with valid credentials."
        )
        assert (error.status, error.method, error.login_status) == (401, "GET", 400)
        assert error.url == "http://testserver/api/projects"
        assert "first-Secret-1" not in repr(error) + str(error)
        said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "cvat_client"]
        assert ("INFO", "The session has expired; logging in again") in said
        assert ("WARNING", "Logging in again failed (400)") in said
    # the repeated call was not sent: one GET, refused
    assert spy.count("GET", "/api/projects") == 1


def test_a_failed_re_login_without_a_message_still_says_what_to_do(
    cvat_server: CvatTestServer,
) -> None:
    with make_client(
        "http://testserver",
        transport=ASGIBridgeTransport(cvat_server.app),
        credentials=("admin", "admin"),
    ) as client:
        cvat_server.store.sessions.clear()
        cvat_server.faults.add(r"^/api/auth/login$", method="POST", status=500, body="")
        with pytest.raises(SessionRenewalError) as info:
            client.projects.list()
    assert str(info.value).endswith(
        ": the session expired and logging in again as 'admin' failed (500). Log in again "
        "with valid credentials."
    )


def test_a_renewed_request_is_the_same_request_with_the_new_session(
    cvat_server: CvatTestServer,
) -> None:
    spy = Interceptor(ASGIBridgeTransport(cvat_server.app))
    with make_client("http://testserver", transport=spy, credentials=("admin", "admin")) as client:
        client.projects.create({"name": "before"})
        old = spy.requests[-1].headers
        cvat_server.store.sessions.clear()
        client.projects.create({"name": "after"})
        refused, repeated = [r for r in spy.requests if r.method == "POST"][-3::2]
        jar = {c.name: c.value for c in client.api_client.client.cookies.jar}
    assert [name for name, _ in refused.headers.raw] == [name for name, _ in repeated.headers.raw]
    assert b"X-CSRFToken" in [name for name, _ in repeated.headers.raw]
    assert repeated.headers["x-csrftoken"] == jar["csrftoken"] != old["x-csrftoken"]
    assert f"sessionid={jar['sessionid']}" in repeated.headers["cookie"]
    assert repeated.headers["cookie"].count("sessionid=") == 1
    assert repeated.read() == refused.read()


def test_a_request_with_its_own_authorization_is_not_renewed(
    cvat_server: CvatTestServer,
) -> None:
    spy = Interceptor(ASGIBridgeTransport(cvat_server.app))
    with make_client("http://testserver", transport=spy, credentials=("admin", "admin")) as client:
        cvat_server.store.sessions.clear()
        _, response = client.api_client.call_api(
            "/api/projects",
            "GET",
            header_params={"Authorization": "Bearer not-a-token"},
            _check_status=False,
        )
        assert response.status_code == 401
    assert spy.count("POST", "/api/auth/login") == 1  # the first login only


def test_a_transport_without_a_policy_uses_the_default_one() -> None:
    inner = httpx.MockTransport(lambda request: httpx.Response(200))
    assert RetryTransport(inner).policy == RetryPolicy()
    assert RetryTransport(inner, RetryPolicy(retries=1)).policy == RetryPolicy(retries=1)


def test_a_body_that_says_it_can_be_sent_again_is_retried(tmp_path: Any) -> None:
    from cvat_client.core.uploading import FileSliceStream

    path = tmp_path / "body.bin"
    path.write_bytes(b"0123456789")
    transport, slept = _retrying([httpx.Response(503), httpx.Response(200)], rng=0.0)
    with httpx.Client(transport=transport) as http:
        request = http.build_request("PUT", "http://cvat.test/api/x")
        request.stream = FileSliceStream(path, 0, 10)
        assert http.send(request).status_code == 200
    assert len(slept) == 1


def test_an_error_on_a_request_that_must_not_be_retried_is_raised_at_once() -> None:
    class Unread(httpx.BaseTransport):  # unlike MockTransport, leaves the body stream as is
        def __init__(self) -> None:
            self.calls = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            self.calls += 1
            raise httpx.ConnectError("refused")

    def body() -> Any:
        yield b"data"

    for build in (
        lambda http: http.build_request("PUT", "http://cvat.test/", content=body()),
        lambda http: http.build_request(
            "GET", "http://cvat.test/", extensions={retry.NO_RETRY: True}
        ),
    ):
        inner = Unread()
        slept: list[float] = []
        with (
            httpx.Client(transport=RetryTransport(inner, sleep=slept.append)) as http,
            pytest.raises(httpx.ConnectError),
        ):
            http.send(build(http))
        assert (inner.calls, slept) == (1, [])


class _LargeBody(httpx.SyncByteStream):
    """A body four times the error cap, without a declared length; counts what was taken."""

    def __init__(self) -> None:
        self.taken = 0

    def __iter__(self) -> Any:
        block = b"x" * 65536
        while self.taken < 4 * ERROR_BODY_LIMIT:
            self.taken += len(block)
            yield block


def test_a_large_401_before_a_re_login_is_read_only_up_to_the_error_cap(
    cvat_server: CvatTestServer,
) -> None:
    body = _LargeBody()

    def hook(n: int, request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/api/users/self" and not body.taken:
            return httpx.Response(401, headers={"Content-Type": "application/json"}, stream=body)
        return None

    spy = Interceptor(ASGIBridgeTransport(cvat_server.app), hook)
    with make_client("http://testserver", transport=spy, credentials=("admin", "admin")) as client:
        assert client.users.retrieve_current_user().username == "admin"
    assert 0 < body.taken <= ERROR_BODY_LIMIT + 65536
    assert spy.count("POST", "/api/auth/login") == 2


def test_a_large_failed_re_login_answer_is_read_only_up_to_the_error_cap(
    cvat_server: CvatTestServer,
) -> None:
    body = _LargeBody()
    logins = [0]

    def hook(n: int, request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/api/auth/login":
            logins[0] += 1
            if logins[0] == 2:
                return httpx.Response(
                    400, headers={"Content-Type": "application/json"}, stream=body
                )
        return None

    spy = Interceptor(ASGIBridgeTransport(cvat_server.app), hook)
    with make_client("http://testserver", transport=spy, credentials=("admin", "admin")) as client:
        cvat_server.store.sessions.clear()
        with pytest.raises(SessionRenewalError) as info:
            client.projects.list()
    assert info.value.login_status == 400
    assert 0 < body.taken <= ERROR_BODY_LIMIT + 65536


def test_a_late_answer_of_an_older_session_leaves_a_newer_session_alone(
    cvat_server: CvatTestServer,
) -> None:
    """Two renewals: the request repeated after the first one is answered only after the
    second one, with the 401 that deletes the cookie of a session the server forgot."""
    holder: dict[str, Any] = {}

    def hook(n: int, request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/api/users/self" or "late" in holder:
            return None
        if "sent" not in holder:  # the first try: the session has expired
            holder["sent"] = True
            return None
        holder["late"] = True  # the repeat after the first renewal: held back
        cvat_server.store.sessions.clear()
        holder["client"].projects.list()  # a second renewal meanwhile
        holder["session"] = holder["client"].api_client.client.cookies.get("sessionid")
        return httpx.Response(
            401,
            headers={
                "Content-Type": "application/json",
                "Set-Cookie": "sessionid=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
            },
            json={"detail": "Invalid session."},
            request=request,
        )

    spy = Interceptor(ASGIBridgeTransport(cvat_server.app), hook)
    with make_client("http://testserver", transport=spy, credentials=("admin", "admin")) as client:
        holder["client"] = client
        cvat_server.store.sessions.clear()
        with pytest.raises(UnauthorizedException):
            client.users.retrieve_current_user()
        assert spy.count("POST", "/api/auth/login") == 3  # the first login, two renewals
        assert client.api_client.client.cookies.get("sessionid") == holder["session"]
        client.projects.list()  # the newer session still works: no third renewal
        assert spy.count("POST", "/api/auth/login") == 3


def _chain(depth: int, last: BaseException, link: str = "__cause__") -> httpx.ConnectError:
    """A ConnectError whose chain of causes (or contexts) ends, ``depth`` deep, in ``last``."""
    error: BaseException = last
    for n in range(depth - 1):
        outer = OSError(f"level {n}")
        setattr(outer, link, error)
        error = outer
    top = httpx.ConnectError("connection failed")
    setattr(top, link, error)
    return top


def test_a_refused_certificate_is_found_in_a_short_chain_of_causes() -> None:
    import ssl

    from cvat_client.core._protocol.retry import FailureKind

    refused = ssl.SSLCertVerificationError("certificate verify failed")
    assert retry.failure_kind(_chain(1, refused)) is FailureKind.REFUSED
    assert retry.failure_kind(_chain(3, refused, "__context__")) is FailureKind.REFUSED
    assert retry.failure_kind(_chain(7, refused)) is FailureKind.REFUSED  # 8 links looked at
    assert retry.failure_kind(_chain(8, refused)) is FailureKind.NOT_SENT
    assert retry.failure_kind(_chain(12, OSError("other"))) is FailureKind.NOT_SENT
    assert retry.failure_kind(_chain(2, OSError("other"))) is FailureKind.NOT_SENT


def test_cookies_folded_into_one_header_are_each_taken() -> None:
    cookies = httpx.Cookies(SessionCookieJar(lambda: 0))
    request = httpx.Request("GET", "http://cvat.test/api/x")
    folded = "sessionid=abc; expires=Mon, 14 Dec 2099 10:00:00 GMT; Path=/, csrftoken=def; Path=/"
    response = httpx.Response(
        200, headers=[("Content-Type", "text/plain"), ("Set-Cookie", folded)], request=request
    )
    cookies.extract_cookies(response)
    taken = sorted((c.name, c.value, c.expires is not None) for c in cookies.jar)
    assert taken == [("csrftoken", "def", False), ("sessionid", "abc", True)]
