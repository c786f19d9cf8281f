"""Every operation of the target schema has its method and endpoint object, sync and async."""

from __future__ import annotations

import inspect

import pytest

from .conftest import SCHEMA, check_api_coverage, load_schema, method_name, operations


def test_every_operation_has_sync_and_async_method_and_endpoint() -> None:
    import cvat_client.api_client as package

    schema = load_schema(SCHEMA)
    checked = check_api_coverage(package, schema)
    assert checked == len(operations(schema))
    assert checked > 150  # 2.73 has 153 operations: a parsing slip must not pass silently


def test_method_names_follow_cvat_sdk_rule() -> None:
    schema = load_schema(SCHEMA)
    names = {
        op["operation_id"]: method_name(op["operation_id"], op["tag"]) for op in operations(schema)
    }
    # Spot checks of the rule, including an id that does not start with its tag.
    assert names["tasks_create_data"] == "create_data"
    assert names["tasks_list"] == "list"
    assert names["auth_create_login"] == "create_login"
    from cvat_client.api_client import ApiClient, Configuration

    client = ApiClient(Configuration("http://localhost"))
    assert callable(client.tasks_api.create_data)
    assert callable(client.lambda_api.list_functions)  # a keyword tag, prefix dropped too
    assert not hasattr(client.tasks_api, "tasks_create_data")


def test_endpoint_object_describes_the_operation() -> None:
    from cvat_client.api_client import ApiClient, AsyncApiClient, Configuration

    endpoint = ApiClient(Configuration("http://localhost")).tasks_api.create_data_endpoint
    assert endpoint.path == "/api/tasks/{id}/data/"
    assert endpoint.http_method == "POST"
    assert endpoint.operation_id == "tasks_create_data"
    by_name = {p.name: p for p in endpoint.params}
    assert by_name["id"].location == "path"
    assert by_name["id"].required is True
    assert by_name["id"].type_spec == "int"
    assert by_name["upload_multiple"].location == "header"
    assert by_name["upload_multiple"].wire_name == "Upload-Multiple"
    assert by_name["upload_multiple"].type_name == "bool"
    assert by_name["data_request"].location == "body"
    assert by_name["data_request"].type_name == "DataRequest"
    assert set(endpoint.request_content_types) == {"application/json", "multipart/form-data"}
    assert endpoint.responses["202"].content_types == ("application/vnd.cvat+json",)
    assert "tasks_create_data" in repr(endpoint)

    download = ApiClient(Configuration("http://localhost")).tasks_api.retrieve_data_endpoint
    assert download.responses["200"].is_binary
    assert "image/jpeg" in download.responses["200"].content_types
    listing = AsyncApiClient(Configuration("http://localhost")).tasks_api.list_endpoint
    params = {p.name: p for p in listing.params}
    assert params["page_size"].location == "query"
    assert params["page_size"].type_spec == "int"
    assert params["status"].type_spec == ("enum", "TasksListStatus")
    assert params["x_organization"].location == "header"
    assert inspect.iscoroutinefunction(listing.__call__)


def test_api_attributes_are_lazy_and_cached() -> None:
    from cvat_client.api_client import ApiClient, Configuration, apis

    client = ApiClient(Configuration("http://localhost"))
    assert "tasks_api" not in vars(client)
    tasks = client.tasks_api
    assert client.tasks_api is tasks
    assert isinstance(tasks, apis.TasksApi)
    assert apis.TasksApi(client).api_client is client
    with pytest.raises(TypeError):
        apis.TasksApi()
