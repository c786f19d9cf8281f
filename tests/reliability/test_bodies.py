"""Answers that are not what the endpoint promises end in one typed error at the call."""

from __future__ import annotations

import json

import pytest

from cvat_client.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiValueError,
    InvalidResponseError,
)
from tests.reliability.conftest import client_of
from tests.reliability.hostile import Exchange, HostileServer

SECRET = "s3cr3t-session-0123456789"

BAD_BODIES = {
    "invalid json": (b'{"id": 1, "username": ', "application/vnd.cvat+json", "not valid JSON"),
    "invalid utf-8": (b'{"username": "\xff\xfe"}', "application/json", "not valid UTF-8"),
    "html page": (
        b"<html><body>Sign in<form><input name=csrfmiddlewaretoken value="
        + SECRET.encode()
        + b"></form></body></html>",
        "text/html; charset=utf-8",
        "expected a JSON answer",
    ),
    "list for object": (b"[1, 2, 3]", "application/vnd.cvat+json", "expected a JSON object"),
    "string for object": (b'"hello"', "application/json", "expected a JSON object"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_wrong_body_is_one_typed_error_naming_the_call(case: str) -> None:
    body, ctype, problem = BAD_BODIES[case]
    server = HostileServer(lambda ex: ex.answer(body, content_type=ctype))
    with server, client_of(server.url) as client, pytest.raises(InvalidResponseError) as info:
        client.api_client.users_api.retrieve_self()
    error = info.value
    assert isinstance(error, ApiException) and isinstance(error, ValueError)
    message = str(error)
    assert problem in message
    assert "GET" in message and "/api/users/self" in message
    assert "200" in message and ctype.split(";")[0] in message
    assert error.status == 200 and error.content_type == ctype
    assert SECRET not in message and SECRET not in repr(error)
    if case == "html page":
        assert "Sign in" in message  # the start of the body says what answered


def test_wrong_body_of_high_level_call_and_paginated_list() -> None:
    def handler(ex: Exchange) -> None:
        if "tasks" in ex.path:
            ex.answer(b'{"count": 1, "results": {"id": 1}}')
        elif "projects" in ex.path:
            ex.answer(b'{"count": 2, "next": null, "results": [5, "x"]}')
        else:
            ex.answer(b"[]")

    with HostileServer(handler) as server, client_of(server.url) as client:
        with pytest.raises(InvalidResponseError, match="/api/users/self"):
            client.users.retrieve_current_user()
        with pytest.raises(ApiValueError, match="not a page of results"):
            client.tasks.list()
        with pytest.raises(InvalidResponseError, match="structure"):
            client.projects.list()


def test_body_cut_short_is_a_connection_error() -> None:
    body = json.dumps({"id": 1, "username": "admin"}).encode()
    server = HostileServer(lambda ex: ex.answer(body[:10], length=len(body)))
    with server, client_of(server.url) as client, pytest.raises(ApiConnectionError):
        client.api_client.users_api.retrieve_self()


def test_tolerant_parsing_keeps_unknown_and_missing_fields() -> None:
    body = json.dumps({"id": 7, "name": "t", "brand_new_field": {"x": 1}}).encode()
    with HostileServer(lambda ex: ex.answer(body)) as server, client_of(server.url) as client:
        task = client.tasks.retrieve(7)
    assert task.id == 7 and task.name == "t"
    assert "7" in repr(task)


def test_error_answer_with_html_is_the_status_exception() -> None:
    page = b"<html>" + b"x" * 3_000_000 + b"</html>"  # an error page beyond the kept start
    with (
        HostileServer(
            lambda ex: ex.answer(page, status="502 Bad Gateway", content_type="text/html")
        ) as server,
        client_of(server.url) as client,
        pytest.raises(ApiException) as info,
    ):
        client.api_client.users_api.retrieve_self()
    assert info.value.status == 502
    assert len(info.value.body) <= 1024 * 1024
