"""Requests go through cvat-sdk's layers: endpoint -> call_api -> request -> rest_client.request.

Scripts and tests written for cvat-sdk replace these methods at runtime (to count, capture
or fake requests); every replacement must take effect, with the arguments cvat-sdk passes.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cvat_client.api_client import ApiClient, AsyncApiClient, Configuration
from cvat_client.api_client.rest import AsyncRESTClientObject, RESTClientObject

from .conftest import HOST, MockServer, json_response, resolve

PAGE = {"count": 0, "next": None, "previous": None, "results": []}


def test_generated_rest_module_names_the_runtime_classes() -> None:
    from cvat_client._lowlevel import rest

    assert RESTClientObject is rest.RESTClientObject
    assert AsyncRESTClientObject is rest.AsyncRESTClientObject
    assert isinstance(ApiClient(Configuration(HOST)).rest_client, RESTClientObject)
    assert isinstance(AsyncApiClient(Configuration(HOST)).rest_client, AsyncRESTClientObject)


@pytest.mark.anyio
async def test_class_level_rest_patch_sees_endpoint_and_custom_calls(
    mode: str, make_client: Any, server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.handler = lambda request: json_response(PAGE)
    cls = RESTClientObject if mode == "sync" else AsyncRESTClientObject
    original = cls.request
    seen: list[tuple[str, str, dict[str, str]]] = []

    # the shape of CVAT's own test: headers by keyword, everything else passed through
    def counting(self: Any, method: str, *args: Any, headers: Any, **kwargs: Any) -> Any:
        seen.append((method, args[0] if args else kwargs["url"], dict(headers)))
        return original(self, method, *args, headers=headers, **kwargs)

    monkeypatch.setattr(cls, "request", counting)
    client = make_client()
    data, response = await resolve(client.tasks_api.list(page_size=5))
    assert data.count == 0 and response.status_code == 200
    await resolve(client.call_api("/api/server/about", "GET"))
    await resolve(client.request("GET", HOST + "/api/users/self", headers={"X-A": "1"}))
    assert [(m, u.split("?")[0]) for m, u, _ in seen] == [
        ("GET", HOST + "/api/tasks"),
        ("GET", HOST + "/api/server/about"),
        ("GET", HOST + "/api/users/self"),
    ]
    assert seen[2][2] == {"X-A": "1"}
    assert len(server.requests) == 3
    assert server.requests[0].url.params["page_size"] == "5"


def test_swapped_request_receives_merged_headers_from_call_api() -> None:
    api_client = ApiClient(Configuration(host=HOST))
    api_client.set_default_header("X-Organization", "default-org")
    api_client.set_default_header("X-Remove-Me", "default-value")
    captured: dict[str, Any] = {}

    def fake_request(method: str, url: str, query_params: Any = None, headers: Any = None, **kw: Any) -> Any:  # fmt: skip
        captured.update(method=method, url=url, headers=headers, kwargs=kw)
        return SimpleNamespace(data=b"{}", status=200, msg="OK", headers={})

    api_client.request = fake_request  # type: ignore[method-assign]
    _, response = api_client.call_api(
        "/api/server/about",
        method="GET",
        header_params={"X-Organization": "request-org", "X-Remove-Me": None},
        _parse_response=False,
    )
    assert response.status == 200  # the fake's answer, untouched
    assert captured["method"] == "GET"
    assert captured["url"] == HOST + "/api/server/about"
    assert captured["headers"]["X-Organization"] == "request-org"
    assert "X-Remove-Me" not in captured["headers"]
    assert captured["headers"]["Accept"] == "application/vnd.cvat+json"


def test_endpoint_calls_go_through_swapped_request() -> None:
    from cvat_client.api_client.api.tasks_api import TasksApi

    api_client = ApiClient(Configuration(host=HOST))
    api_client.set_default_header("X-Organization", "default-org")
    captured: dict[str, Any] = {}

    def fake_request(method: str, url: str, query_params: Any = None, headers: Any = None, **kw: Any) -> Any:  # fmt: skip
        captured.update(method=method, url=url, query_params=query_params, headers=headers)
        return SimpleNamespace(data=b"{}", status=200, msg="OK", headers={})

    api_client.request = fake_request  # type: ignore[method-assign]
    _, response = TasksApi(api_client).list_endpoint.call_with_http_info(
        org_id=123, x_organization=None, _parse_response=False
    )
    assert response.status == 200
    assert captured["method"] == "GET"
    assert "X-Organization" not in captured["headers"]
    # values as given (cvat-sdk passes them on unconverted); sent as text
    assert dict(captured["query_params"]) == {"org_id": 123}


def test_endpoint_calls_go_through_swapped_call_api(server: MockServer) -> None:
    server.handler = lambda request: json_response(PAGE)
    api_client = ApiClient(Configuration(host=HOST), transport=server.transport())
    original = api_client.call_api
    calls: list[tuple[str, str]] = []

    def spying_call_api(resource_path: str, method: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((resource_path, method))
        return original(resource_path, method, *args, **kwargs)

    api_client.call_api = spying_call_api  # type: ignore[method-assign]
    data, _ = api_client.tasks_api.list()
    assert data.count == 0
    assert calls == [("/api/tasks", "GET")]


def test_a_header_given_as_none_drops_a_default_header(server: MockServer) -> None:
    server.handler = lambda request: json_response(PAGE)
    api_client = ApiClient(Configuration(host=HOST), transport=server.transport())
    api_client.set_default_header("X-Organization", "default-org")
    api_client.tasks_api.list(x_organization=None)
    assert "x-organization" not in server.last.headers
    api_client.tasks_api.list()
    assert server.last.headers["x-organization"] == "default-org"


def test_rest_client_sends_forms_files_and_json(server: MockServer, tmp_path: Any) -> None:
    server.handler = lambda request: json_response({})
    api_client = ApiClient(Configuration(host=HOST), transport=server.transport())
    rest = api_client.rest_client
    rest.POST(HOST + "/api/x", headers={"Content-Type": "application/json"}, body={"a": [1]})
    assert server.last.content == b'{"a":[1]}'
    path = tmp_path / "f.bin"
    path.write_bytes(b"payload")
    with path.open("rb") as handle:
        rest.POST(
            HOST + "/api/x",
            headers={"Content-Type": "multipart/form-data"},
            post_params=[("name", "n"), ("file", ("f.bin", handle, "application/octet-stream"))],
        )
    sent = server.last
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="name"\r\n\r\nn' in sent.content and b"payload" in sent.content
    with pytest.raises(Exception, match="body parameter cannot be used with post_params"):
        rest.POST(HOST + "/api/x", body={"a": 1}, post_params={"b": "c"})


def test_rest_client_checks_status_and_leaves_unread_when_asked(server: MockServer) -> None:
    from cvat_client.exceptions import NotFoundException

    server.handler = lambda request: json_response({"detail": "nope"}, status=404)
    api_client = ApiClient(Configuration(host=HOST), transport=server.transport())
    with pytest.raises(NotFoundException):
        api_client.rest_client.GET(HOST + "/api/tasks/1")
    response = api_client.rest_client.request(
        "GET", HOST + "/api/tasks/1", _parse_response=False, _check_status=False
    )
    assert response.status == 404
    assert response.read() == b'{"detail": "nope"}'


def test_unread_body_is_read_by_data_as_urllib3_does() -> None:
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([b'{"a"', b":1}"]))

    api_client = ApiClient(Configuration(host=HOST), transport=httpx.MockTransport(answer))
    response = api_client.rest_client.GET(HOST + "/api/x", _parse_response=False)
    assert not hasattr(response, "_content")  # left unread
    assert response.data == b'{"a":1}'
