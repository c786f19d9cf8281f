"""The schema check every test server answer goes through (``cvat_client.testing.conformance``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cvat_client.testing import CvatTestServer, conformance
from cvat_client.testing.conformance import errors, problems_of, route_of

VND = "application/vnd.cvat+json"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api/tasks/backup/", "/api/tasks/backup/"),
        ("/api/tasks/backup", "/api/tasks/backup/"),
        ("/api/projects/backup/", "/api/projects/backup/"),
        ("/api/users/self", "/api/users/self"),
        ("/api/auth/access_tokens/self", "/api/auth/access_tokens/self"),
        ("/api/webhooks/events", "/api/webhooks/events"),
        ("/api/tasks/12", "/api/tasks/{id}"),
        ("/api/tasks/12/annotations/", "/api/tasks/{id}/annotations/"),
        ("/api/no-such-thing", None),
    ],
)
def test_literal_segments_match_before_parameters(path: str, template: str | None) -> None:
    assert route_of(path) == template


def _user_self(**changes: Any) -> bytes:
    body = {
        "url": "http://testserver/api/users/1",
        "id": 1,
        "username": "admin",
        "first_name": "",
        "last_name": "",
        "email": "admin@example.test",
        "groups": ["admin"],
        "is_staff": True,
        "is_superuser": True,
        "is_active": True,
        "last_login": "2026-01-01T10:00:00.123456Z",
        "date_joined": "2026-01-01T10:00:00Z",
        "has_analytics_access": True,
    }
    body.update(changes)
    return json.dumps(body).encode()


def test_a_literal_route_is_checked_against_its_own_schema() -> None:
    # /api/users/self answers MetaUser, not the {id} route's User
    assert problems_of("GET", "/api/users/self", 200, VND, _user_self()) == []
    found = problems_of("GET", "/api/users/self", 200, VND, _user_self(username=5))
    # MetaUser is anyOf User, BasicUser: the closest option's problems are listed
    assert found == ["$: matches no anyOf option", "$.username: expected string, got int"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"last_login": "yesterday"}, "$.last_login: 'yesterday' is not a valid date-time"),
        ({"url": "/api/users/1"}, "$.url: '/api/users/1' is not a valid uri"),
        ({"email": "admin"}, "$.email: 'admin' is not a valid email"),
        ({"username": "x" * 151}, "$.username: longer than 150"),
        ({"username": "bad name"}, "$.username: 'bad name' does not match"),
        ({"id": True}, "$.id: expected integer, got bool"),
        ({"groups": "admin"}, "$.groups: expected array, got str"),
        ({"is_staff": None}, "$.is_staff: expected boolean, got NoneType"),
    ],
)
def test_formats_types_and_bounds(changes: dict[str, Any], problem: str) -> None:
    found = problems_of("GET", "/api/users/self", 200, VND, _user_self(**changes))
    assert found[0] == "$: matches no anyOf option"
    assert len(found) == 2 and found[1].startswith(problem), found


def test_required_nullable_enum_and_numbers() -> None:
    issue = {
        "id": 1,
        "frame": 0,
        "position": [1.0, 2.0],
        "job": 1,
        "owner": None,
        "assignee": None,
        "created_date": "2026-01-01T10:00:00Z",
        "updated_date": "2026-01-01T10:00:00Z",
        "resolved": False,
        "comments": {"count": 0, "url": "http://testserver/api/comments?issue_id=1"},
    }
    assert errors(issue, _ref("IssueRead")) == []
    assert errors({**issue, "position": ["1.0", 2]}, _ref("IssueRead")) == [
        "$.position[0]: expected number, got str"
    ]
    assert errors({**issue, "position": [float("nan")]}, _ref("IssueRead")) == [
        "$.position[0]: nan is not a finite number"
    ]
    bounded = {"type": "integer", "minimum": 0, "maximum": 9}
    assert errors(-1, bounded) == ["$: -1 < minimum 0"]
    assert errors(10, bounded) == ["$: 10 > maximum 9"]
    assert errors(9, bounded) == []
    del issue["comments"]
    assert errors(issue, _ref("IssueRead")) == ["$: missing required 'comments'"]
    assert errors("bogus", _ref("ProviderTypeEnum"))[0].startswith("$: 'bogus' not in")
    assert errors(None, _ref("IssueRead")) == ["$: expected object, got NoneType"]


def test_write_only_fields_are_never_answered() -> None:
    assert errors({"key": "k", "password": "secret"}, {"type": "object", "properties": {
        "key": {"type": "string"}, "password": {"type": "string", "writeOnly": True}}}) == [
        "$.password: a write-only field was answered"
    ]  # fmt: skip


def test_undocumented_and_skipped_answers_are_problems() -> None:
    # a JSON body where the schema documents none
    assert problems_of("DELETE", "/api/tasks/1", 200, VND, b"{}") == [
        "200 JSON answer not documented for DELETE /api/tasks/{id}"
    ]
    # a path the schema does not have
    assert problems_of("GET", "/api/nowhere", 200, VND, b"{}") == [
        "an undocumented 200 JSON answer"
    ]
    # a documented JSON body sent as something else, or not parseable
    assert problems_of("GET", "/api/server/about", 200, "text/plain", b"2.73") == [
        "200 answered as text/plain, documented as JSON"
    ]
    assert problems_of("GET", "/api/server/about", 200, VND, b"{") == ["200 body is not JSON"]
    # ... except the browsable API's pages, asked for with Accept: text/html
    page = problems_of("GET", "/api/server/about", 200, "text/html", b"<html>",
                       {b"accept": b"text/html"})  # fmt: skip
    assert page == []


def test_error_bodies_are_checked() -> None:
    assert problems_of("GET", "/api/tasks/1", 404, VND, b'{"detail": "Not found."}') == []
    assert problems_of("POST", "/api/tasks", 400, VND, b'{"name": ["Required."]}') == []
    assert problems_of("POST", "/api/tasks", 400, VND, b'["Bad."]') == []
    assert problems_of("POST", "/api/tasks", 400, VND, b"3") == [
        "400 error body is not a DRF error: b'3'"
    ]
    assert problems_of("POST", "/api/tasks", 500, VND, b"oops") == ["500 error body is not JSON"]
    # a documented error body: 409 on a repeated export answers the running request's id
    assert problems_of("POST", "/api/tasks/1/dataset/export", 409, VND, b'{"rq_id": "x"}') == []
    assert problems_of("POST", "/api/tasks/1/dataset/export", 409, VND, b'{"detail": "x"}') == [
        "$: missing required 'rq_id'",
        "$.detail: not a property of the schema",
    ]


def _broken_server() -> CvatTestServer:
    server = CvatTestServer(check_schema=True)
    store = server.store
    original = store.add_user

    def add_user(*args: Any, **kwargs: Any) -> Any:
        user = original(*args, **kwargs)
        user.email = "not an e-mail"
        return user

    store.add_user = add_user  # type: ignore[method-assign]
    return server


@pytest.mark.cvat_no_schema_check  # its server answers wrong on purpose
def test_a_server_records_what_it_sent_wrong() -> None:
    with _broken_server() as server, server.sync_client(auth=("admin", "admin")) as http:
        server.add_user("someone", "pw123456!")
        http.get("/api/users")
        assert server.conformance is not None
        assert server.conformance.checked == 1
        assert len(server.conformance.problems) == 2
        index = [u["username"] for u in http.get("/api/users").json()["results"]].index("someone")
        assert server.conformance.problems[:2] == [
            f"GET /api/users: $.results[{index}]: matches no anyOf option",
            f"GET /api/users: $.results[{index}].email: 'not an e-mail' is not a valid email",
        ]
    assert CvatTestServer(check_schema=False).conformance is None


@pytest.mark.cvat_no_schema_check  # the inner run's server answers wrong on purpose
def test_the_plugin_fails_a_test_whose_server_answered_wrong(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "import pytest\n"
        "@pytest.fixture\n"
        "def broken(cvat_server):\n"
        "    cvat_server.store.users[cvat_server.admin.id].email = 'nope'\n"
        "    return cvat_server\n"
    )
    pytester.makepyfile(
        "def test_broken(broken, cvat_http):\n"
        "    assert cvat_http.get('/api/users/self').status_code == 200\n"
        "def test_fine(cvat_http):\n"
        "    assert cvat_http.get('/api/users/self').status_code == 200\n"
    )
    result = pytester.runpytest_inprocess("--cvat-check-schema", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*GET /api/users/self: $.email: 'nope' is not a valid email*"])
    # off unless asked for
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


@pytest.mark.cvat_no_schema_check  # the inner run's server answers wrong on purpose
def test_a_server_of_a_module_scoped_fixture_is_checked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n"
        "from cvat_client.testing import CvatTestServer\n"
        "@pytest.fixture(scope='module')\n"
        "def server():\n"
        "    server = CvatTestServer()\n"
        "    server.store.users[server.admin.id].email = 'nope'\n"
        "    yield server\n"
        "    server.close()\n"
        "def test_broken(server):\n"
        "    with server.sync_client(auth=('admin', 'admin')) as http:\n"
        "        assert http.get('/api/users/self').status_code == 200\n"
    )
    # off before the inner run (whatever the outer run says), so that leaving it on shows
    outer = conformance.check_every_server(False)
    try:
        result = pytester.runpytest_inprocess("--cvat-check-schema", "-p", "no:cacheprovider")
        inner_left = conformance.check_every_server(outer)
    finally:
        conformance.check_every_server(outer)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*GET /api/users/self: $.email: 'nope' is not a valid email*"])
    assert inner_left is False  # the inner run put the switch back as it was


def test_schema_checks_are_compiled_once() -> None:
    schema = _ref("IssueRead")
    assert conformance._COMPILER.check(schema) is conformance._COMPILER.check(schema)


@pytest.mark.cvat_no_schema_check  # its server answers wrong on purpose
def test_the_environment_switch_fails_close(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(conformance.ENV_SWITCH, "1")
    server = _broken_server()
    assert server.conformance is not None  # on without a collector
    with server.sync_client(auth=("admin", "admin")) as http:
        server.add_user("someone", "pw123456!")
        http.get("/api/users")
    with pytest.raises(AssertionError, match="is not a valid email"):
        server.close()
