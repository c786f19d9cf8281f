"""``cvat_client.core.filters`` and ``list(filter=..., field__lookup=...)``: the same
filter text as cvat-sdk for the same call, and results the server's filter gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cvat_sdk.core import filters as sdk_filters

from cvat_client.core import filters
from cvat_client.core.filters import F, all_, any_, not_
from cvat_client.core.proxies.model_proxy import _list_params

LOOKUP_CALLS: list[dict[str, Any]] = [
    {"id__in": [1, 2, 3]},
    {"id__in": (4, 5)},
    {"name__contains": "cat"},
    {"id__lt": 3},
    {"id__lte": 3},
    {"id__gt": 3},
    {"id__gte": 3},
    {"status__ne": "completed"},
    {"id__between": (2, 4)},
    {"assignee__isset": True},
    {"assignee__isset": False},
    {"name__contains": "a", "id__gt": 1, "filter": '{"==":[{"var":"mode"},"annotation"]}'},
    {"filter": '{"==":[{"var":"id"},1]}'},
    {"filter": ""},
    {"filter": {"==": [{"var": "id"}, 2]}, "id__ne": 3},
    {"search": "x", "page_size": 5},
    {"project_id": 1, "name__in": ["a"]},
]


def _expressions(module: Any) -> list[Any]:
    F_, Field, Filter = module.F, module.Field, module.Filter
    return [
        F_.status == "completed",
        F_.id != 3,
        F_.id < 1,
        F_.id <= 1,
        F_.id > 1,
        F_.id >= 1,
        F_["name"].contains("cat"),
        F_.project_id.one_of([1, 2]),
        F_.id.between(1, 5),
        F_.assignee.is_set(),
        ~F_.assignee.is_set(),
        (F_.id > 1) & (F_.id < 5) & (F_.name == "x"),
        (F_.id > 1) | (F_.id < 5) | {"==": [{"var": "name"}, "y"]},
        (F_.id > 1) & '{"==":[{"var":"name"},"z"]}',
        module.all_(F_.id > 1),
        module.all_(F_.id > 1, F_.id < 9, {"var": "name"}),
        module.any_(F_.id > 1, '{"var":"name"}'),
        module.not_(F_.id == 1),
        module.not_({"var": "assignee"}),
        Filter({"==": [{"var": "id"}, 1]}),
        Field("mode") == "interpolation",
    ]


def test_expressions_give_cvat_sdk_json_logic() -> None:
    ours = [e.to_json_logic() for e in _expressions(filters)]
    theirs = [e.to_json_logic() for e in _expressions(sdk_filters)]
    assert ours == theirs
    assert repr(F.id > 1) == repr(sdk_filters.F.id > 1)
    assert repr(F.name) == repr(sdk_filters.F.name)


@pytest.mark.parametrize("call", LOOKUP_CALLS, ids=lambda c: ",".join(sorted(c)))
def test_list_keywords_give_cvat_sdk_filter_text(local_client: Any, call: dict[str, Any]) -> None:
    ours = _list_params(local_client.api_client.tasks_api.list_endpoint, dict(call))
    theirs = dict(call)
    text = sdk_filters.build_filter_param(
        theirs.pop("filter", None), sdk_filters.pop_lookup_conditions(theirs)
    )
    if text is not None:
        theirs["filter"] = text
    assert ours == theirs


def test_errors_like_cvat_sdk() -> None:
    for module in (filters, sdk_filters):
        with pytest.raises(ValueError, match="all_"):
            module.all_()
        with pytest.raises(ValueError, match="any_"):
            module.any_()
        with pytest.raises(TypeError):
            module.Filter(42)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            hash(module.F.id)
        with pytest.raises(AttributeError):
            module.F._private  # noqa: B018


@pytest.fixture
def projects(local_client: Any) -> list[Any]:
    names = ["Cats one", "dogs two", "cats three", "Birds four"]
    made = [local_client.projects.create({"name": name}) for name in names]
    made[0].update({"assignee_id": local_client.users.list(username="admin")[0].id})
    return made


def _names(found: list[Any]) -> list[str]:
    return sorted(p.name for p in found)


def test_bare_var_reads_model_fields(
    cvat_http: Any, local_client: Any, projects: list[Any]
) -> None:
    """``{"var": name}`` is ``name__isnull=False`` on the model: any of its fields."""
    projects[1].update({"bug_tracker": "http://bugs/1"})
    found = local_client.projects.list(filter='{"var":"bug_tracker"}')
    # CVAT stores an unset bug tracker as "", which is not null
    assert len(found) == 4
    response = cvat_http.get("/api/projects", params={"filter": '{"var":"nonexistent"}'})
    assert response.status_code == 500 and "Server Error" in response.text


def test_filters_select_on_the_server(local_client: Any, projects: list[Any]) -> None:
    ids = [p.id for p in projects]
    repo = local_client.projects
    assert _names(repo.list(name__contains="cats")) == ["cats three"]  # case-sensitive
    assert _names(repo.list(id__in=ids[:2])) == ["Cats one", "dogs two"]
    assert _names(repo.list(id__lt=ids[1])) == ["Cats one"]
    assert _names(repo.list(id__lte=ids[1])) == ["Cats one", "dogs two"]
    assert _names(repo.list(id__gt=ids[2])) == ["Birds four"]
    assert _names(repo.list(id__gte=ids[2])) == ["Birds four", "cats three"]
    assert _names(repo.list(id__ne=ids[0])) == ["Birds four", "cats three", "dogs two"]
    assert _names(repo.list(id__between=(ids[1], ids[2]))) == ["cats three", "dogs two"]
    assert _names(repo.list(assignee__isset=True)) == ["Cats one"]
    assert len(repo.list(assignee__isset=False)) == 3
    assert _names(repo.list(filter=(F.id > ids[0]) & F.name.contains("o"))) == [
        "Birds four",
        "dogs two",
    ]
    assert _names(repo.list(filter=any_(F.id == ids[0], F.id == ids[3]))) == [
        "Birds four",
        "Cats one",
    ]
    assert _names(repo.list(filter=all_(not_(F.id == ids[0]), F.name.contains("c")))) == [
        "cats three"
    ]
    assert _names(repo.list(filter={"!!": {"var": "assignee"}})) == ["Cats one"]
    assert json.loads(repo.list(return_json=True, id__in=[ids[3]]))[0]["name"] == "Birds four"


FILTER_ANSWERS = pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        ('{"!=":[{"var":"name"},"x"]}', 400, "operation '!=' with arguments"),
        ('{"not":{"var":"name"}}', 400, "operation 'not' with arguments"),
        ('{"<":[1,{"var":"id"},5]}', 400, "operation '<' with arguments"),
        ("{}", 400, "filter shouldn't be empty"),
        ('"abc"', 400, "expected a non-empty dict value, got 'abc' of type 'str'"),
        ('{"and":[]}', 400, "expected a non-empty list value"),
        ('{"==":[{"var":"nonexistent"},1]}', 400, "term 'nonexistent' is not supported"),
        ('{"var":"bug_tracker"}', 200, ""),
        ('{"!!":{"var":"name"}}', 200, ""),
        ('{"var":"name"}', 200, ""),
        ('{"<=":[1,{"var":"id"},5]}', 200, ""),
        ('{"in":[{"var":"id"},[]]}', 200, ""),
    ],
)


@FILTER_ANSWERS
def test_test_server_accepts_what_cvat_accepts(
    cvat_http: Any, text: str, status: int, message: str
) -> None:
    """What CVAT 2.73's ``JsonLogicFilter`` answers (checked on a real server)."""
    response = cvat_http.get("/api/projects", params={"filter": text})
    assert response.status_code == status
    assert message in response.text


@FILTER_ANSWERS
def test_real_server_answers_the_same(text: str, status: int, message: str) -> None:
    """The expectations above, on a real CVAT 2.73 (``CVAT_REAL_URL`` and
    ``CVAT_REAL_AUTH=user:password`` set; skipped otherwise)."""
    import os

    import httpx

    url, auth = os.environ.get("CVAT_REAL_URL"), os.environ.get("CVAT_REAL_AUTH")
    if not url or not auth:
        pytest.skip("no real CVAT server configured (CVAT_REAL_URL, CVAT_REAL_AUTH)")
    user, _, password = auth.partition(":")
    response = httpx.get(
        f"{url.rstrip('/')}/api/projects",
        params={"filter": text},
        auth=(user, password),
        timeout=30,
    )
    assert response.status_code == status
    assert message in response.text


def test_list_goes_through_a_replaced_api(
    local_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unittest import mock

    from cvat_client.core.proxies import model_proxy

    repo = local_client.projects
    fake_api = mock.Mock()
    repo.api = fake_api  # as cvat-sdk's proxies allow (tests replace it with a double)
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(
        model_proxy,
        "get_paginated_collection",
        lambda endpoint, **kwargs: calls.append((endpoint, kwargs)) or [],
    )
    assert repo.list(name="a", id__in=[1, 2]) == []
    endpoint, kwargs = calls[0]
    assert endpoint is fake_api.list_endpoint
    assert kwargs["name"] == "a"
    assert json.loads(kwargs["filter"]) == {"in": [{"var": "id"}, [1, 2]]}
    assert local_client.projects.api is fake_api  # the repo is the client's own
