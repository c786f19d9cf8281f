"""Real CVAT 2.73 responses parse into the target client's models and round-trip."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from .conftest import HOST, RESPONSES, json_response, resolve, response_models, same_json


def _rows() -> list[Any]:
    try:
        return response_models()
    except pytest.skip.Exception as absent:
        return [pytest.param("-", "-", "-", marks=pytest.mark.skip(reason=absent.msg))]


ROWS = _rows()


def _load(name: str) -> dict:
    return json.loads((RESPONSES / name).read_text(encoding="utf-8"))


def test_shared_responses_are_present() -> None:
    rows = response_models()  # skips with a reason when the shared data is absent
    assert {r[0] for r in rows} >= {"tasks.json", "jobs.json", "projects.json"}


@pytest.mark.parametrize(("file", "endpoint", "model_name"), ROWS)
def test_every_result_parses_and_round_trips(
    file: str, endpoint: str, model_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    from cvat_client.api_client import models

    page = _load(file)
    model = getattr(models, model_name)
    caplog.set_level(logging.DEBUG, logger="cvat_client")
    parsed = [model.from_dict(item) for item in page["results"]]
    # The target schema describes its own server's answers: nothing deviates.
    assert [r.getMessage() for r in caplog.records] == []
    assert len(parsed) == len(page["results"]) > 0
    for raw, item in zip(page["results"], parsed, strict=True):
        assert type(item) is model
        assert item.additional_properties == {}
        assert model.from_dict(item.to_dict()) == item
        assert same_json(item.to_dict(), raw) == []
        assert item.id == raw["id"]


@pytest.mark.parametrize(("file", "endpoint", "model_name"), ROWS)
def test_paginated_wrapper_parses(file: str, endpoint: str, model_name: str) -> None:
    from cvat_client.api_client import ApiClient, Configuration, models

    page = _load(file)
    page["next"] = f"http://localhost:8080{endpoint}?page=2&page_size=5"  # all files hold one page
    resource = endpoint.rstrip("/").rsplit("/", 1)[-1]
    api = getattr(ApiClient(Configuration(HOST)), f"{resource}_api")
    spec = api.list_endpoint.responses["200"].type_spec
    assert spec[0] == "model"
    wrapper = getattr(models, spec[1])
    parsed = wrapper.from_dict(page)
    assert parsed.count == page["count"]
    assert parsed.next == page["next"]
    assert parsed.previous is None
    assert len(parsed.results) == len(page["results"])
    assert all(type(r) is getattr(models, model_name) for r in parsed.results)
    assert wrapper.from_dict(parsed.to_dict()) == parsed
    assert same_json(parsed.to_dict(), page) == []


@pytest.mark.anyio
async def test_list_call_returns_the_parsed_page(make_client, server) -> None:
    rows = response_models()
    assert ("tasks.json", "/api/tasks", "TaskRead") in rows
    page = _load("tasks.json")
    server.handler = lambda request: json_response(page)
    client = make_client()
    data, response = await resolve(client.tasks_api.list(page_size=100))
    assert isinstance(response, httpx.Response)
    assert response.status_code == 200
    assert server.last.url.params["page_size"] == "100"
    assert data.count == page["count"]
    assert [t.id for t in data.results] == [t["id"] for t in page["results"]]
    assert type(data.results[0]).__name__ == "TaskRead"


@pytest.mark.parametrize(("file", "endpoint", "model_name"), ROWS)
def test_strict_parsing_accepts_the_target_servers_answers(
    file: str, endpoint: str, model_name: str, server
) -> None:
    from cvat_client.api_client import ApiClient, Configuration

    page = _load(file)
    server.handler = lambda request: json_response(page)
    resource = endpoint.rstrip("/").rsplit("/", 1)[-1]
    with ApiClient(Configuration(HOST), transport=server.transport()) as client:
        api = getattr(client, f"{resource}_api")
        strict, _ = api.list(_validate_outputs=True)
        tolerant, _ = api.list()
    assert server.last.url.path == endpoint
    assert strict == tolerant
    assert len(strict.results) == page["count"]
    assert type(strict.results[0]).__name__ == model_name
