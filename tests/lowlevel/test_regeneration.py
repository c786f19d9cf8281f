"""Any CVAT schema generates into any folder, imports from there and covers its operations.

Version skew: clients generated from older schemas parse today's (2.73) responses.
"""

from __future__ import annotations

import json
import logging
from enum import Enum
from typing import Any

import httpx
import pytest

from cvat_client._lowlevel.exceptions import ApiValueError
from cvat_client._lowlevel.model_support import strict_parsing
from cvat_client._lowlevel.unset import UNSET

from .conftest import (
    HOST,
    RESPONSES,
    check_api_coverage,
    json_response,
    load_schema,
    operations,
    response_models,
    same_json,
)

OLD_VERSIONS = ("2.20.0", "2.40.2", "2.60.1")


def _load(name: str) -> dict[str, Any]:
    return json.loads((RESPONSES / name).read_text(encoding="utf-8"))


def test_every_schema_generates_imports_and_covers_its_operations(
    generated_clients: dict[str, Any],
) -> None:
    assert set(generated_clients) >= {"2.20.0", "2.40.2", "2.60.1", "2.73.0"}
    for version, package in generated_clients.items():
        assert package.__name__.endswith(".api_client")
        assert package.__name__ != "cvat_client.api_client"
        schema = load_schema(package.__schema_path__)
        assert schema["info"]["version"].split()[0] == package.SCHEMA_VERSION, version
        assert check_api_coverage(package, schema) == len(operations(schema)), version
        # The models resolve inside the generated package, not in the installed client.
        models = package.models
        assert models.__name__ == f"{package.__name__}.models"
        assert models.TaskRead.__module__.startswith(package.__name__)


def test_regenerated_target_schema_matches_the_committed_client(
    generated_clients: dict[str, Any],
) -> None:
    import cvat_client.api_client as committed

    fresh = generated_clients["2.73.0"]
    assert fresh.SCHEMA_VERSION == committed.SCHEMA_VERSION
    assert sorted(fresh.apis._MODULES) == sorted(committed.apis._MODULES)
    assert sorted(fresh.models.__all__) == sorted(committed.models.__all__)


def _skew_cases() -> list[tuple[str, str, str]]:
    try:
        rows = response_models()
    except pytest.skip.Exception:
        return [(v, "absent", "absent") for v in OLD_VERSIONS]
    return [(v, file, model) for v in OLD_VERSIONS for file, _, model in rows]


@pytest.mark.parametrize(("version", "file", "model_name"), _skew_cases())
def test_old_clients_parse_new_responses_and_round_trip(
    generated_clients: dict[str, Any],
    version: str,
    file: str,
    model_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    models = generated_clients[version].models
    model = getattr(models, model_name)
    page = _load(file)
    caplog.set_level(logging.DEBUG, logger="cvat_client")
    for raw in page["results"]:
        item = model.from_dict(raw)
        assert type(item) is model
        assert item.id == raw["id"]
        # Unknown fields and enum values are kept, so nothing of the answer is lost.
        assert same_json(item.to_dict(), raw) == []
        assert model.from_dict(item.to_dict()) == item
    for record in caplog.records:
        assert record.name == "cvat_client"
        assert record.levelno == logging.DEBUG


def _find(results: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    for item in results:
        if item.get(key) == value:
            return item
    pytest.fail(f"no result with {key}={value!r} in the shared responses")


@pytest.mark.parametrize("version", OLD_VERSIONS)
@pytest.mark.parametrize(
    ("file", "model_name", "field", "value"),
    [
        ("tasks.json", "TaskRead", "data_original_chunk_type", "audio_mp3"),
        ("jobs.json", "JobRead", "type", "consensus_replica"),
        ("labels.json", "Label", "type", "interval"),
    ],
)
def test_unknown_enum_values_are_kept_as_strings(
    generated_clients: dict[str, Any],
    version: str,
    file: str,
    model_name: str,
    field: str,
    value: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    models = generated_clients[version].models
    model = getattr(models, model_name)
    raw = _find(_load(file)["results"], field, value)
    known = [m[0] for m in model.__cvat_fields__]
    caplog.set_level(logging.DEBUG, logger="cvat_client")
    item = model.from_dict(raw)
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    kept = getattr(item, field) if field in known else item.additional_properties[field]
    spec = {f[0]: f[3] for f in model.__cvat_fields__}.get(field)
    if spec == "str":  # a plain string in this schema: nothing to report
        assert kept == value
        assert type(kept) is str
    elif isinstance(kept, Enum):  # this schema already knows the value
        assert kept.value == value
        assert version != "2.20.0"  # 2.20 predates all three values
        assert not any(repr(value) in m for m in messages), messages
    else:
        assert type(kept) is str  # not coerced into some member of the old enum
        assert kept == value
        assert any(repr(value) in m and model_name in m for m in messages), messages
        with strict_parsing(), pytest.raises(ApiValueError, match=model_name):
            model.from_dict(raw)
    assert item.to_dict()[field] == value
    assert model.from_dict(item.to_dict()).to_dict()[field] == value


@pytest.mark.parametrize("version", [*OLD_VERSIONS, "2.73.0"])
def test_unknown_fields_are_kept_logged_and_round_trip(
    generated_clients: dict[str, Any], version: str, caplog: pytest.LogCaptureFixture
) -> None:
    # OrganizationRead is the same in every schema: its answers conform, but for our change.
    models = generated_clients[version].models
    raw = dict(_load("organizations.json")["results"][0])
    with strict_parsing():
        assert models.OrganizationRead.from_dict(raw).slug == raw["slug"]
    raw["field_from_the_future"] = {"nested": [1, 2, {"x": None}]}
    caplog.set_level(logging.DEBUG, logger="cvat_client")
    item = models.OrganizationRead.from_dict(raw)
    assert item.additional_properties == {"field_from_the_future": raw["field_from_the_future"]}
    assert item.to_dict()["field_from_the_future"] == raw["field_from_the_future"]
    assert same_json(item.to_dict(), raw) == []
    assert models.OrganizationRead.from_dict(item.to_dict()) == item
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("field_from_the_future" in m and "OrganizationRead" in m for m in messages), messages
    with strict_parsing(), pytest.raises(ApiValueError, match="field_from_the_future"):
        models.OrganizationRead.from_dict(raw)


@pytest.mark.parametrize("version", [*OLD_VERSIONS, "2.73.0"])
def test_missing_required_field_does_not_crash(
    generated_clients: dict[str, Any], version: str, caplog: pytest.LogCaptureFixture
) -> None:
    models = generated_clients[version].models
    raw = dict(_load("organizations.json")["results"][0])
    required = [f[0] for f in models.OrganizationRead.__cvat_fields__ if f[2]]
    assert required == ["owner"]
    del raw["owner"]
    caplog.set_level(logging.DEBUG, logger="cvat_client")
    item = models.OrganizationRead.from_dict(raw)
    assert item.owner is UNSET
    assert (item.id, item.slug) == (raw["id"], raw["slug"])  # the rest is parsed
    assert "owner" not in item.to_dict()
    assert models.OrganizationRead.from_dict(item.to_dict()) == item
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("owner" in m and "missing" in m for m in messages), messages
    with strict_parsing(), pytest.raises(ApiValueError, match="owner"):
        models.OrganizationRead.from_dict(raw)

    # A required field missing deep inside a list of a page: the page still parses.
    page = _load("jobs.json")
    del page["results"][0]["labels"]
    parsed = models.PaginatedJobReadList.from_dict(page)
    assert parsed.results[0].labels is UNSET
    assert parsed.results[1].labels is not UNSET


@pytest.mark.anyio
@pytest.mark.parametrize("version", OLD_VERSIONS)
async def test_validate_outputs_makes_an_old_client_strict(
    generated_clients: dict[str, Any], version: str
) -> None:
    package = generated_clients[version]
    page = _load("jobs.json")

    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(page)

    transport = httpx.MockTransport(handler)
    with package.ApiClient(package.Configuration(HOST), transport=transport) as client:
        data, response = client.jobs_api.list()
        assert response.status_code == 200
        assert [j.id for j in data.results] == [j["id"] for j in page["results"]]
        with pytest.raises(ApiValueError):
            client.jobs_api.list(_validate_outputs=True)
    async with package.AsyncApiClient(package.Configuration(HOST), transport=transport) as aclient:
        data, _ = await aclient.jobs_api.list()
        assert data.count == page["count"]
        with pytest.raises(ApiValueError):
            await aclient.jobs_api.list(_validate_outputs=True)
