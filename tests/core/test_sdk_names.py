"""cvat-sdk's names kept in cvat-client: behaviour checks beside the surface walk."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from cvat_client.api_client import ApiException, ApiTypeError, ApiValueError
from cvat_client.api_client.model_utils import model_to_dict, to_json
from cvat_client.core.exceptions import InvalidHostException, UnsupportedByServer
from cvat_client.core.helpers import expect_status, get_paginated_collection, make_request_headers
from cvat_client.core.progress import ProgressReporter
from cvat_client.core.utils import CVAT_API_V2, atomic_writer, filter_dict, normalize_server_url


def test_models_module_and_interface_names() -> None:
    from cvat_client import models
    from cvat_client.api_client import models as api_models

    assert models.TaskRead is api_models.TaskRead
    assert models.ITaskRead is models.TaskRead
    assert "TaskRead" in models.__all__
    with pytest.raises(AttributeError):
        models.NoSuchModel  # noqa: B018


def test_version_module() -> None:
    import cvat_client
    from cvat_client.version import VERSION

    assert cvat_client.__version__ == VERSION


def test_responses_read_like_urllib3(cvat_api_client: Any) -> None:
    data, response = cvat_api_client.server_api.retrieve_about()
    assert response.status == response.status_code == 200
    assert json.loads(response.data)["version"] == data.version
    assert response.getheader("content-type", "").startswith("application/")
    assert response.getheader("x-no-such-header", "dflt") == "dflt"
    assert response.reason == "OK"
    assert "content-type" in response.getheaders()


def test_to_json_and_model_to_dict(cvat_api_client: Any) -> None:
    about, _ = cvat_api_client.server_api.retrieve_about()
    data = to_json(about)
    assert data == model_to_dict(about) == about.to_dict()
    assert to_json([about, {"k": about}]) == [data, {"k": data}]
    stream = io.BytesIO(b"abc")
    assert to_json(stream, read_files=False) is stream
    assert to_json(stream) == b"abc" and stream.closed
    with pytest.raises(TypeError):
        model_to_dict(3)


def test_exceptions_from_api_client() -> None:
    import cvat_client.api_client.exceptions as module

    assert module.ApiException is ApiException
    error = ApiException(404, "Not Found", None)
    assert (error.status, error.reason) == (404, "Not Found")
    assert issubclass(ApiTypeError, TypeError) and issubclass(ApiValueError, ValueError)
    assert issubclass(module.ApiMissingFieldError, TypeError)
    assert issubclass(module.ApiMissingFieldError, ValueError)


def test_missing_required_field_is_a_type_error_too(local_client: Any) -> None:
    with pytest.raises(TypeError, match="requires field"):
        local_client.projects.create({"labels": [{"name": "x"}]})
    assert local_client.projects.list() == []


def test_utils(tmp_path: Path) -> None:
    assert normalize_server_url("host/") == "https://host"
    assert normalize_server_url("http://h:1/") == "http://h:1"
    with pytest.raises(InvalidHostException, match="ftp"):
        normalize_server_url("ftp://h")
    assert filter_dict({"a": 1, "b": 2, "c": 3}, keep=["a", "b"], drop=["b"]) == {"a": 1}
    target = tmp_path / "f.txt"
    with atomic_writer(target, "w") as f:
        f.write("one")
    with pytest.raises(RuntimeError), atomic_writer(target, "w") as f:
        f.write("two")
        raise RuntimeError
    assert target.read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]
    with pytest.raises(ValueError, match="mode"):
        atomic_writer(target, "a").__enter__()  # type: ignore[call-overload]
    api_map = CVAT_API_V2("http://h/")
    assert api_map.base == "http://h/api/"
    assert (
        api_map.make_endpoint_url("/api/t/{}/{x}", psub=[1], kwsub={"x": 2}) == "http://h/api/t/1/2"
    )
    assert api_map.make_endpoint_url("/a", query_params={"q": "a b"}) == "http://h/a?q=a+b"


def test_client_names(local_client: Any) -> None:
    assert local_client.api_map.make_endpoint_url("/api/tasks") == "http://testserver/api/tasks"
    assert local_client.ALLOWED_SCHEMAS == ("https", "http")
    assert [str(v) for v in local_client.SUPPORTED_SERVER_VERSIONS] == ["2.73", "2.74"]
    from packaging.version import Version as PackagingVersion  # what cvat-sdk returns

    version = local_client.get_server_version()
    assert version == PackagingVersion("2.73.0") and version >= PackagingVersion("2.4")
    assert PackagingVersion("2.74") > version and str(version) == "2.73.0"


def test_expect_status_and_request_headers(local_client: Any) -> None:
    api = local_client.api_client
    _, response = api.server_api.retrieve_about()
    expect_status(200, response)
    expect_status([201, 200], response)
    with pytest.raises(ApiException) as caught:
        expect_status(201, response)
    assert caught.value.status == 200
    headers = make_request_headers(api)
    assert any(k.lower() in ("authorization", "cookie") for k in headers)


def test_wait_for_completion_returns_request_and_response(
    local_client: Any, images: list[Path]
) -> None:
    task = local_client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
    rq_id = task.upload_data(images, wait_for_completion=False)
    request, response = local_client.wait_for_completion(rq_id, status_check_period=0.01)
    assert request.id == rq_id and str(request.status.value) == "finished"
    assert response.status == 200 and json.loads(response.data)["id"] == rq_id
    assert local_client.wait_for_request(rq_id).id == rq_id


def test_paginated_collection_org_id(local_client: Any) -> None:
    org = local_client.organizations.create({"slug": "o1", "name": "O"})
    local_client.projects.create({"name": "mine"})
    with local_client.organization_context("o1"):
        local_client.projects.create({"name": "theirs"})
    endpoint = local_client.api_client.projects_api.list_endpoint

    def names(**kwargs: Any) -> list[str]:
        return sorted(p.name for p in get_paginated_collection(endpoint, **kwargs))

    assert names() == ["mine", "theirs"]
    assert names(org_id=None) == ["mine"]
    assert names(org_id=org.id) == ["theirs"]
    local_client.organization_slug = "o1"
    assert names() == ["theirs"]
    assert names(org_id=None) == ["mine"]


class _OnlyThree(ProgressReporter):
    def __init__(self) -> None:
        self.log: list[Any] = []

    def start2(self, total: int, **kwargs: Any) -> None:
        self.log.append(("start", total))

    def advance(self, delta: int) -> None:
        self.log.append(delta)

    def finish(self) -> None:
        self.log.append("finish")


def test_progress_reporter_subclass_keeps_task_and_iter() -> None:
    reporter = _OnlyThree()
    with reporter.task(total=2):
        assert list(reporter.iter("ab")) == ["a", "b"]
    reporter.start(5)
    assert reporter.log == [("start", 2), 1, 1, "finish", ("start", 5)]
    with pytest.raises(NotImplementedError):
        reporter.report_status(1)

    class Nothing(ProgressReporter):
        pass

    with pytest.raises(NotImplementedError):
        Nothing().start2(1)


def test_project_get_annotations_explains(local_client: Any) -> None:
    project = local_client.projects.create({"name": "p"})
    with pytest.raises(AttributeError, match="export_dataset") as caught:
        project.get_annotations()
    assert isinstance(caught.value, UnsupportedByServer)


def test_raw_request_raises_like_cvat_sdk(local_client: Any) -> None:
    from cvat_client.api_client.exceptions import NotFoundException

    api = local_client.api_client
    headers = make_request_headers(api)
    url = local_client.api_map.make_endpoint_url("/api/tasks/{id}", kwsub={"id": 404404})
    with pytest.raises(NotFoundException):
        api.request("GET", url, headers=headers)
    response = api.request("GET", url, headers=headers, _check_status=False)
    assert response.status == 404


def test_configuration_accepts_cvat_sdk_options() -> None:
    from cvat_client.api_client import Configuration

    config = Configuration(
        username="u",
        password="p",
        discard_unknown_keys=True,
        disabled_client_side_validations="maxLength",
        server_index=0,
    )
    assert config.host == "http://localhost" and config.verify_ssl is True
    assert config.get_basic_auth_token() == "Basic dTpw"
    assert config.get_host_from_settings(None) == "http://localhost"
    assert config.get_host_settings()[0]["url"] == ""
    with pytest.raises(ValueError, match="index"):
        config.get_host_from_settings(3)
    with pytest.raises(ValueError, match="one server"):
        Configuration("http://h", server_index=1)
    keyed = Configuration("http://h", api_key={"tokenAuth": "abc"})
    assert keyed.get_api_key_with_prefix("tokenAuth") == "Token abc"
    assert keyed.get_api_key_with_prefix("other", alias="tokenAuth") == "Token abc"


def test_api_client_helpers_answer_like_cvat_sdk(cvat_api_client: Any) -> None:
    import cvat_sdk.api_client as sdk

    with sdk.ApiClient(sdk.Configuration(host="http://localhost")) as theirs:
        for accepts in ([], ["text/plain"], ["Application/JSON", "text/plain"], ["a/b", "c/d"]):
            assert cvat_api_client.select_header_accept(accepts) == theirs.select_header_accept(
                accepts
            )
        cases: list[tuple[list[str], str | None, Any]] = [
            ([], None, None),
            (["multipart/form-data"], "POST", None),
            (["multipart/form-data", "application/json"], "POST", None),
            (["*/*"], "GET", None),
            (["application/json-patch+json", "application/json"], "PATCH", []),
        ]
        for types, method, body in cases:
            assert cvat_api_client.select_header_content_type(
                types, method, body
            ) == theirs.select_header_content_type(types, method, body)
        about, _ = cvat_api_client.server_api.retrieve_about()
        data = cvat_api_client.sanitize_for_serialization([about, {"n": 1}])
        assert data == [about.to_dict(), {"n": 1}]
        assert theirs.sanitize_for_serialization([{"n": 1}, "x"]) == [{"n": 1}, "x"]
