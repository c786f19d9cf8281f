"""Retries: the policy, the retrying transport, and retries through the whole client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from cvat_client import Config, make_client
from cvat_client.core._protocol.retry import FailureKind, RetryPolicy, parse_retry_after
from cvat_client.core.exceptions import ApiConnectionError, ApiTimeoutError, ServiceException
from cvat_client.core.retry import NO_RETRY, RetryTransport, failure_kind
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport


def rng_half() -> float:
    return 0.5


# --- policy -------------------------------------------------------------------------------


def test_backoff_doubles_with_jitter_and_cap() -> None:
    policy = RetryPolicy(retries=10, backoff=0.5, max_backoff=4)
    assert [policy.backoff_delay(a, lambda: 1.0) for a in range(5)] == [0.5, 1, 2, 4, 4]
    assert [policy.backoff_delay(a, lambda: 0.0) for a in range(3)] == [0.25, 0.5, 1]
    assert policy.backoff_delay(10_000, lambda: 1.0) == 4


def test_what_is_retried() -> None:
    policy = RetryPolicy(retries=2)
    assert policy.for_status("GET", 503, None, 0, rng_half) is not None
    assert policy.for_status("DELETE", 502, None, 1, rng_half) is not None
    assert policy.for_status("GET", 503, None, 2, rng_half) is None  # attempts used up
    assert policy.for_status("POST", 503, None, 0, rng_half) is None
    assert policy.for_status("PATCH", 429, None, 0, rng_half) is None
    assert policy.for_status("GET", 500, None, 0, rng_half) is None
    assert policy.for_status("GET", 404, None, 0, rng_half) is None
    assert policy.for_error("POST", FailureKind.NOT_SENT, 0, rng_half) is not None
    assert policy.for_error("POST", FailureKind.BROKEN, 0, rng_half) is None
    assert policy.for_error("GET", FailureKind.BROKEN, 0, rng_half) is not None
    assert policy.for_error("GET", FailureKind.TIMEOUT, 0, rng_half) is None
    assert RetryPolicy(retries=0).for_error("GET", FailureKind.NOT_SENT, 0, rng_half) is None


def test_retry_after_is_honoured_within_bounds() -> None:
    policy = RetryPolicy(max_backoff=30)
    assert policy.for_status("GET", 503, 3.0, 0, lambda: 0.0) == 3.0
    assert 3.0 <= policy.for_status("GET", 429, 3.0, 0, lambda: 1.0) <= 3.3  # type: ignore[operator]
    assert policy.for_status("GET", 503, 120.0, 0, rng_half) is None


def test_parse_retry_after() -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:10 GMT", now=now) == 10.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_failure_kinds() -> None:
    request = httpx.Request("GET", "http://x")
    assert failure_kind(httpx.ConnectError("refused", request=request)) is FailureKind.NOT_SENT
    assert failure_kind(httpx.ConnectTimeout("slow", request=request)) is FailureKind.NOT_SENT
    assert failure_kind(httpx.PoolTimeout("busy", request=request)) is FailureKind.NOT_SENT
    assert failure_kind(httpx.ReadTimeout("slow", request=request)) is FailureKind.TIMEOUT
    assert failure_kind(httpx.RemoteProtocolError("eof", request=request)) is FailureKind.BROKEN


# --- transport ----------------------------------------------------------------------------


def _transport(answers: list[Any], **policy: Any) -> tuple[RetryTransport, list[float], list[str]]:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    slept: list[float] = []
    transport = RetryTransport(
        httpx.MockTransport(handle), RetryPolicy(**policy), sleep=slept.append, rng=rng_half
    )
    return transport, slept, calls


def test_503_with_retry_after_then_success() -> None:
    transport, slept, calls = _transport(
        [
            httpx.Response(503, headers={"retry-after": "2"}),
            httpx.Response(503, headers={"retry-after": "1"}),
            httpx.Response(200, text="ok"),
        ]
    )
    with httpx.Client(transport=transport) as http:
        response = http.get("http://cvat.test/api/x")
    assert response.text == "ok"
    assert calls == ["GET"] * 3
    assert slept == [2.1, 1.05]


def test_post_is_not_repeated_after_it_may_have_arrived() -> None:
    transport, slept, calls = _transport([httpx.Response(503), httpx.Response(200)])
    with httpx.Client(transport=transport) as http:
        assert http.post("http://cvat.test/api/x", json={}).status_code == 503
    assert (slept, calls) == ([], ["POST"])
    transport, _, calls = _transport([httpx.ReadError("reset")])
    with httpx.Client(transport=transport) as http, pytest.raises(httpx.ReadError):
        http.post("http://cvat.test/api/x", json={})
    assert calls == ["POST"]


def test_connect_errors_are_retried_for_any_method() -> None:
    transport, slept, calls = _transport([httpx.ConnectError("refused"), httpx.Response(201)])
    with httpx.Client(transport=transport) as http:
        assert http.post("http://cvat.test/api/x", json={}).status_code == 201
    assert calls == ["POST", "POST"]
    assert len(slept) == 1


def test_gives_up_after_the_bound() -> None:
    transport, slept, calls = _transport([httpx.Response(502)] * 4, retries=3)
    with httpx.Client(transport=transport) as http:
        assert http.get("http://cvat.test/").status_code == 502
    assert len(calls) == 4
    assert slept == [0.375, 0.75, 1.5]


def test_opt_out_and_unreplayable_bodies() -> None:
    transport, _, _ = _transport([httpx.Response(503), httpx.Response(200)])
    with httpx.Client(transport=transport) as http:
        request = http.build_request("GET", "http://cvat.test/")
        request.extensions[NO_RETRY] = True
        assert http.send(request).status_code == 503

    def body() -> Any:
        yield b"data"

    class Unread(httpx.BaseTransport):  # unlike MockTransport, leaves the body stream as is
        def __init__(self) -> None:
            self.calls = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            self.calls += 1
            return httpx.Response(503)

    inner = Unread()
    transport = RetryTransport(inner, sleep=lambda _: None)
    with httpx.Client(transport=transport) as http:
        assert http.put("http://cvat.test/", content=body()).status_code == 503
    assert inner.calls == 1


# --- through the client -------------------------------------------------------------------


def test_client_retries_generated_calls_on_503(cvat_server: CvatTestServer) -> None:
    rule = cvat_server.faults.add(
        r"^/api/users/self$", method="GET", on=[1, 2], status=503, retry_after=1
    )
    with make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        transport=ASGIBridgeTransport(cvat_server.app),
    ) as client:
        slept: list[float] = []
        client._retry.sleep = slept.append
        user, _ = client.api_client.users_api.retrieve_self()
        assert user.username == "admin"
    assert rule.fired == 2
    assert len(slept) == 2
    assert all(1.0 <= s <= 1.1 for s in slept)


def test_client_surfaces_503_after_retries(cvat_server: CvatTestServer) -> None:
    cvat_server.faults.add(r"^/api/tasks$", method="GET", status=503, retry_after=2)
    with make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        transport=ASGIBridgeTransport(cvat_server.app),
        config=Config(retries=2),
    ) as client:
        client._retry.sleep = lambda _: None
        with pytest.raises(ServiceException) as info:
            client.tasks.list()
    assert info.value.status == 503
    assert info.value.retry_after == 2.0


def test_timeout_is_typed_and_not_retried() -> None:
    calls: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("timed out", request=request)

    with make_client(
        "cvat.test",
        transport=httpx.MockTransport(handle),
        check_server_version=False,
        config=Config(timeout=2.5),
    ) as client:
        with pytest.raises(ApiTimeoutError, match="timed out"):
            client.api_client.server_api.retrieve_about()
        with pytest.raises(ApiTimeoutError):
            client.api_client.server_api.retrieve_about(_request_timeout=(1, 7))
    assert len(calls) == 2
    assert calls[0].extensions["timeout"]["read"] == 2.5
    assert calls[1].extensions["timeout"] == {
        "connect": 1.0,
        "read": 7.0,
        "write": 7.0,
        "pool": 7.0,
    }
    assert str(calls[0].url).startswith("https://cvat.test/")


def test_unreachable_server_is_a_connection_error() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ApiConnectionError, match="refused"):
        make_client(
            "http://cvat.test", transport=httpx.MockTransport(handle), config=Config(retries=1)
        )
