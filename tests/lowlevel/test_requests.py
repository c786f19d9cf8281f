"""Request-level behaviour of ApiClient and AsyncApiClient against a mock transport.

Every test runs twice, with the sync and the async client (the ``mode`` fixture).
"""

from __future__ import annotations

import base64
import email.parser
import io
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client.api_client import Configuration, exceptions, models

from .conftest import HOST, MockServer, json_response, resolve

pytestmark = pytest.mark.anyio

ACCEPT = "application/vnd.cvat+json"
PASSWORD = "pa55-w0rd-secret"
TOKEN = "tok-7f3a9c1e5b2d4f60"
SESSION = "sess-91b0c2d3e4f5"
CSRF = "csrf-Zq8xW2vY6uT4"


# --- helpers -------------------------------------------------------------------------


def multipart_parts(request: httpx.Request) -> list[tuple[str, str | None, bytes]]:
    """``(name, filename, content)`` of each part of a multipart request, in order."""
    ctype = request.headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary="), ctype
    message = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + request.content
    )
    assert message.is_multipart()
    parts = []
    for part in message.get_payload():
        name = part.get_param("name", header="content-disposition")
        parts.append((name, part.get_filename(), part.get_payload(decode=True)))
    return parts


def boundary_of(request: httpx.Request) -> str:
    return request.headers["content-type"].split("boundary=", 1)[1]


class ChunkStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that is produced lazily and records how much was consumed."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk


def no_secrets(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"secret {secret[:4]}... leaked into {text!r}"


# --- authentication ------------------------------------------------------------------


async def test_basic_auth(make_client, server: MockServer) -> None:
    client = make_client(Configuration(HOST, username="alice", password=PASSWORD))
    server.handler = lambda r: json_response({"id": 1, "username": "alice", "groups": []})
    user, response = await resolve(client.users_api.retrieve_self())
    expected = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert server.last.headers["Authorization"] == f"Basic {expected}"
    assert server.last.headers["Accept"] == ACCEPT
    assert server.last.url == httpx.URL(f"{HOST}/api/users/self")
    assert response.status_code == 200
    assert user.username == "alice"


async def test_access_token_is_a_bearer_token(make_client, server: MockServer) -> None:
    client = make_client(Configuration(HOST, access_token=TOKEN))
    await resolve(client.tasks_api.list())
    assert server.last.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "cookie" not in server.last.headers


async def test_legacy_token_key(make_client, server: MockServer) -> None:
    client = make_client(Configuration(HOST, api_key={"tokenAuth": TOKEN}))
    await resolve(client.tasks_api.list())
    assert server.last.headers["Authorization"] == f"Token {TOKEN}"
    await resolve(client.tasks_api.destroy(3))
    assert server.last.method == "DELETE"
    assert server.last.headers["Authorization"] == f"Token {TOKEN}"


def _login_server(server: MockServer) -> None:
    """Answers like the recorded CVAT 2.73 login/session exchanges."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/auth/login":
            return json_response(
                {"key": TOKEN},
                headers=[
                    (
                        "Set-Cookie",
                        f"csrftoken={CSRF}; expires=Sun, 21 Nov 2027 03:12:54 GMT; "
                        "Max-Age=31449600; Path=/; SameSite=Lax",
                    ),
                    ("Set-Cookie", "sessionfresh=1; HttpOnly; Max-Age=86400; Path=/; SameSite=Lax"),
                    (
                        "Set-Cookie",
                        f"sessionid={SESSION}; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax",
                    ),
                ],
            )
        if request.url.path == "/api/users/self":
            return json_response({"id": 1, "username": "admin", "groups": ["admin"]})
        return json_response({"id": 7, "name": "p", "labels": {}, "tasks": {}}, status=201)

    server.handler = handler


def _cookies(request: httpx.Request) -> dict[str, str]:
    pairs = [c.strip().split("=", 1) for c in request.headers.get("cookie", "").split(";") if c]
    return dict(pairs)


async def test_session_login_then_csrf_on_unsafe_methods(make_client, server: MockServer) -> None:
    _login_server(server)
    client = make_client()
    token, _ = await resolve(
        client.auth_api.create_login({"username": "admin", "password": PASSWORD})
    )
    login = server.last
    assert json.loads(login.content) == {"username": "admin", "password": PASSWORD}
    assert login.headers["content-type"] == "application/json"
    assert "x-csrftoken" not in login.headers  # no cookie yet, nothing to send
    assert token.key == TOKEN
    assert client.cookies["sessionid"].value == SESSION
    assert client.cookies["csrftoken"].value == CSRF

    await resolve(client.users_api.retrieve_self())
    get = server.last
    assert _cookies(get)["sessionid"] == SESSION
    assert "x-csrftoken" not in get.headers
    assert "authorization" not in get.headers

    await resolve(client.projects_api.create({"name": "p"}))
    post = server.last
    assert post.method == "POST"
    assert post.headers["X-CSRFToken"] == CSRF
    assert post.headers["Origin"] == HOST
    assert _cookies(post)["sessionid"] == SESSION
    assert _cookies(post)["csrftoken"] == CSRF
    assert json.loads(post.content) == {"name": "p"}


async def test_session_from_api_key(make_client, server: MockServer) -> None:
    client = make_client(Configuration(HOST, api_key={"sessionAuth": SESSION, "csrfAuth": CSRF}))
    await resolve(client.tasks_api.list())
    assert _cookies(server.last) == {"sessionid": SESSION, "csrftoken": CSRF}
    assert "x-csrftoken" not in server.last.headers
    await resolve(client.tasks_api.partial_update(5, patched_task_write_request={"name": "x"}))
    patch = server.last
    assert patch.method == "PATCH"
    assert patch.headers["X-CSRFToken"] == CSRF
    assert patch.headers["Origin"] == HOST
    assert _cookies(patch)["sessionid"] == SESSION


@pytest.mark.parametrize(
    "host", ["http://localhost:8080", "http://cvat:8080", "https://cvat.example"]
)
async def test_session_cookies_reach_any_host_name(
    make_client, server: MockServer, host: str
) -> None:
    # The cookie jar files a dotless host (localhost, a Docker service) as "<host>.local";
    # cookies given up front must be filed the same way or they are never sent.
    client = make_client(
        Configuration(host, api_key={"sessionAuth": SESSION, "csrfAuth": CSRF}),
        cookies={"extra": "1"},
    )
    client.set_cookie("later", "2")
    await resolve(client.tasks_api.destroy(1))
    assert _cookies(server.last) == {
        "sessionid": SESSION,
        "csrftoken": CSRF,
        "extra": "1",
        "later": "2",
    }
    assert server.last.headers["X-CSRFToken"] == CSRF
    assert server.last.headers["Origin"] == host.rstrip("/")
    assert f"sessionid={SESSION}" in client.get_common_headers()["Cookie"]

    _login_server(server)
    await resolve(client.auth_api.create_login({"username": "admin", "password": PASSWORD}))
    await resolve(client.projects_api.create({"name": "p"}))
    assert _cookies(server.last)["sessionid"] == SESSION
    assert _cookies(server.last)["extra"] == "1"
    assert client.cookies["csrftoken"].value == CSRF

    # Cookies stay with their server.
    await resolve(client.call_api("https://storage.example/file", "GET", _parse_response=False))
    assert "cookie" not in server.last.headers


async def test_csrf_header_key(make_client, server: MockServer) -> None:
    client = make_client(
        Configuration(HOST, api_key={"sessionAuth": SESSION, "csrfHeaderAuth": CSRF})
    )
    await resolve(client.tasks_api.destroy(1))
    assert server.last.headers["X-CSRFToken"] == CSRF
    assert server.last.headers["Origin"] == HOST


async def test_accept_header_on_every_request(make_client, server: MockServer) -> None:
    client = make_client(Configuration(HOST, username="u", password=PASSWORD))
    await resolve(client.tasks_api.list())
    await resolve(client.tasks_api.create({"name": "t"}))
    await resolve(client.tasks_api.retrieve_data(1, "chunk", number=0))
    await resolve(
        client.tasks_api.create_data(
            1,
            data_request={"client_files": [io.BytesIO(b"x")]},
            _content_type="multipart/form-data",
        )
    )
    await resolve(client.call_api("/api/server/about", "GET"))
    assert len(server.requests) == 5
    assert [r.headers["Accept"] for r in server.requests] == [ACCEPT] * 5
    assert all(r.headers["User-Agent"].startswith("cvat-client/") for r in server.requests)


# --- organization context -------------------------------------------------------------


async def test_organization_header_and_per_call_override(make_client, server: MockServer) -> None:
    client = make_client()
    await resolve(client.tasks_api.list())
    assert "x-organization" not in server.last.headers

    client.organization = "org1"
    await resolve(client.tasks_api.list())
    assert server.last.headers["X-Organization"] == "org1"
    await resolve(client.projects_api.create({"name": "p"}))
    assert server.last.headers["X-Organization"] == "org1"
    assert client.get_common_headers()["X-Organization"] == "org1"

    await resolve(client.tasks_api.list(org="org2"))
    assert "x-organization" not in server.last.headers
    assert server.last.url.params["org"] == "org2"

    await resolve(client.tasks_api.list(org_id=42))
    assert "x-organization" not in server.last.headers
    assert server.last.url.params["org_id"] == "42"

    await resolve(client.tasks_api.list(x_organization="org3"))
    assert server.last.headers.get_list("X-Organization") == ["org3"]

    client.organization = ""  # the personal workspace
    await resolve(client.tasks_api.list())
    assert server.last.headers["X-Organization"] == ""
    client.organization = None
    await resolve(client.tasks_api.list())
    assert "x-organization" not in server.last.headers


# --- request bodies -------------------------------------------------------------------


async def test_multipart_with_several_files(
    make_client, server: MockServer, tmp_path: Path
) -> None:
    server.handler = lambda r: json_response({"rq_id": "rq-1"}, status=202)
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8first")
    (tmp_path / "b.jpg").write_bytes(b"\xff\xd8second")
    client = make_client(Configuration(HOST, access_token=TOKEN))
    boundaries = []
    for _ in range(2):
        with (tmp_path / "a.jpg").open("rb") as f1, (tmp_path / "b.jpg").open("rb") as f2:
            data, response = await resolve(
                client.tasks_api.create_data(
                    12,
                    data_request={"client_files": [f1, f2], "image_quality": 70},
                    upload_multiple=True,
                    upload_start=False,
                    _content_type="multipart/form-data",
                )
            )
        request = server.last
        assert request.method == "POST"
        assert request.url.path == "/api/tasks/12/data/"
        assert multipart_parts(request) == [
            ("image_quality", None, b"70"),
            ("client_files[0]", "a.jpg", b"\xff\xd8first"),
            ("client_files[1]", "b.jpg", b"\xff\xd8second"),
        ]
        assert request.headers["Upload-Multiple"] == "true"
        assert "upload-start" not in request.headers
        assert "upload-finish" not in request.headers
        assert data.rq_id == "rq-1"
        assert response.status_code == 202
        boundaries.append(boundary_of(request))
    assert boundaries[0] != boundaries[1]
    assert len(boundaries[0]) >= 16


async def test_multipart_from_paths_and_bytes(
    make_client, server: MockServer, tmp_path: Path
) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(b"PNG-bytes")
    client = make_client()
    await resolve(
        client.tasks_api.create_data(
            1,
            data_request=models.DataRequest(
                client_files=[path, ("named.bin", b"raw")],
                image_quality=50,
                job_file_mapping=[["frame.png"], ["named.bin"]],
            ),
            _content_type="multipart/form-data",
        )
    )
    parts = {name: (filename, content) for name, filename, content in multipart_parts(server.last)}
    assert parts["client_files[0]"] == ("frame.png", b"PNG-bytes")
    assert parts["client_files[1]"] == ("named.bin", b"raw")
    assert parts["image_quality"] == (None, b"50")
    # A nested list cannot be form fields: it goes as a JSON document.
    assert json.loads(parts["job_file_mapping"][1]) == [["frame.png"], ["named.bin"]]


async def test_json_body_with_nested_fields(make_client, server: MockServer) -> None:
    client = make_client()
    body = {
        "image_quality": 70,
        "server_files": ["a.jpg", "b.jpg", "c.jpg"],
        "job_file_mapping": [["a.jpg", "b.jpg"], ["c.jpg"]],
        "sorting_method": "predefined",
        "validation_params": {
            "mode": "gt",
            "frame_selection_method": "manual",
            "frames": ["a.jpg"],
        },
    }
    await resolve(client.tasks_api.create_data(3, data_request=body, upload_finish=True))
    request = server.last
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == body
    assert request.headers["Upload-Finish"] == "true"


async def test_dict_and_model_inputs_give_the_same_body(make_client, server: MockServer) -> None:
    client = make_client()
    as_dict = {
        "name": "task",
        "labels": [
            {
                "name": "car",
                "attributes": [
                    {
                        "name": "color",
                        "mutable": True,
                        "input_type": "select",
                        "values": ["red", "blue"],
                    }
                ],
            }
        ],
        "segment_size": 10,
        "target_storage": {"location": "local"},
    }
    as_model = models.TaskWriteRequest(
        name="task",
        labels=[
            models.PatchedLabelRequest(
                name="car",
                attributes=[
                    models.AttributeRequest(
                        name="color",
                        mutable=True,
                        input_type=models.InputTypeEnum.SELECT,
                        values=["red", "blue"],
                    )
                ],
            )
        ],
        segment_size=10,
        target_storage=models.StorageRequest(location=models.LocationEnum.LOCAL),
    )
    mixed = {**as_dict, "target_storage": models.StorageRequest(location="local")}
    bodies = []
    for value in (as_dict, as_model, mixed):
        await resolve(client.tasks_api.create(value))
        bodies.append(json.loads(server.last.content))
    assert bodies[0] == as_dict
    assert bodies[1] == bodies[0]
    assert bodies[2] == bodies[0]
    await resolve(client.tasks_api.create(as_model, _validate_inputs=False))
    assert json.loads(server.last.content) == as_dict


async def test_validate_inputs_rejects_bad_values_before_sending(
    make_client, server: MockServer
) -> None:
    client = make_client()
    with pytest.raises(exceptions.ApiTypeError) as wrong_type:
        await resolve(client.tasks_api.create({"name": 5}))
    assert "name" in str(wrong_type.value)
    assert wrong_type.value.path_to_item == ["task_write_request", "name"]

    with pytest.raises(exceptions.ApiValueError) as unknown:
        await resolve(client.tasks_api.create({"name": "t", "colour_scheme": "dark"}))
    assert "colour_scheme" in str(unknown.value)

    with pytest.raises(exceptions.ApiTypeError) as nested:
        await resolve(
            client.tasks_api.create({"name": "t", "labels": [{"name": "a"}, {"name": 1}]})
        )
    assert "labels[1].name" in str(nested.value)

    with pytest.raises(exceptions.ApiTypeError, match="id"):
        await resolve(client.tasks_api.retrieve("12"))
    with pytest.raises(exceptions.ApiValueError, match="quality"):
        await resolve(client.tasks_api.retrieve_data(1, "chunk", quality="best"))
    with pytest.raises(exceptions.ApiValueError, match="task_write_request"):
        await resolve(client.tasks_api.create_endpoint())
    with pytest.raises(exceptions.ApiTypeError, match="no_such_argument"):
        await resolve(client.tasks_api.list_endpoint(no_such_argument=1))
    assert server.requests == []


# --- responses ------------------------------------------------------------------------


async def test_streamed_binary_download(make_client, server: MockServer, mode: str) -> None:
    chunks = [b"PK\x03\x04", b"x" * 1000, b"end"]
    streams: list[ChunkStream] = []

    def handler(request: httpx.Request) -> httpx.Response:
        stream = ChunkStream(chunks)
        streams.append(stream)
        return httpx.Response(200, headers={"Content-Type": "application/zip"}, stream=stream)

    server.handler = handler
    client = make_client()
    data, response = await resolve(
        client.tasks_api.retrieve_data(7, type="chunk", number=0, quality="original", _stream=True)
    )
    request = server.last
    assert request.url.path == "/api/tasks/7/data/"
    assert dict(request.url.params) == {"type": "chunk", "number": "0", "quality": "original"}
    assert data is None
    assert streams[0].sent == 0  # nothing read yet
    assert not response.is_stream_consumed
    with pytest.raises(httpx.ResponseNotRead):
        _ = response.content
    if mode == "sync":
        received = list(response.iter_bytes())
        response.close()
    else:
        received = [chunk async for chunk in response.aiter_bytes()]
        await response.aclose()
    assert b"".join(received) == b"".join(chunks)
    assert response.is_closed

    data, response = await resolve(client.tasks_api.retrieve_data(7, "chunk", number=1))
    assert data == b"".join(chunks)
    assert type(data) is bytes
    assert response.is_stream_consumed


@pytest.mark.parametrize(
    ("status", "exc_class", "body"),
    [
        (400, exceptions.BadRequestException, {"name": ["This field is required."]}),
        (401, exceptions.UnauthorizedException, {"detail": "Invalid token."}),
        (403, exceptions.ForbiddenException, {"detail": "CSRF Failed: CSRF token missing."}),
        (404, exceptions.NotFoundException, {"detail": "No Task matches the given query."}),
        (409, exceptions.ConflictException, {"detail": "The export is already running."}),
        (429, exceptions.TooManyRequestsException, {"detail": "Request was throttled."}),
        (500, exceptions.ServiceException, {"detail": "Internal failure 0xdead."}),
    ],
)
async def test_error_mapping(
    make_client, server: MockServer, status: int, exc_class: type, body: dict[str, Any]
) -> None:
    server.handler = lambda r: json_response(
        body,
        status=status,
        headers=[
            ("X-Request-Id", "req-123"),
            ("Retry-After", "7"),
            ("Set-Cookie", f"sessionid={SESSION}; Path=/"),
        ],
    )
    client = make_client(
        Configuration(HOST, username="bob", password=PASSWORD, api_key={"csrfAuth": CSRF}),
        cookies={"sessionid": SESSION},
    )
    with pytest.raises(exc_class) as caught:
        await resolve(client.tasks_api.destroy(99))
    exc = caught.value
    assert type(exc) is exc_class
    assert isinstance(exc, exceptions.ApiException)
    assert exc.status == status
    assert exc.reason == httpx.codes.get_reason_phrase(status)
    assert exc.headers["x-request-id"] == "req-123"
    assert exc.headers["set-cookie"] == "***"
    assert exc.data == body
    assert json.loads(exc.body) == body
    assert exc.method == "DELETE"
    assert exc.url == f"{HOST}/api/tasks/99"
    message = str(exc)
    assert str(status) in message
    assert "/api/tasks/99" in message
    if "detail" in body:
        assert body["detail"] in message
    else:
        assert "name" in message
        assert "This field is required." in message
    auth = base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    for text in (message, repr(exc), str(exc.headers), exc.message):
        no_secrets(text, PASSWORD, auth, SESSION, CSRF)
    if status == 429:
        assert exc.retry_after == 7.0
    # _check_status=False hands the error response back instead of raising.
    data, response = await resolve(client.tasks_api.destroy(99, _check_status=False))
    assert response.status_code == status
    assert data is None


async def test_error_without_json_body(make_client, server: MockServer) -> None:
    server.handler = lambda r: httpx.Response(
        502, headers={"Content-Type": "text/html"}, content=b"<html>Bad gateway</html>"
    )
    client = make_client()
    with pytest.raises(exceptions.ServiceException) as caught:
        await resolve(client.tasks_api.list())
    assert caught.value.status == 502
    assert caught.value.data is None
    assert caught.value.body == b"<html>Bad gateway</html>"
    assert "502" in str(caught.value)


async def test_error_of_a_streamed_call_is_read_and_mapped(make_client, server: MockServer) -> None:
    server.handler = lambda r: json_response({"detail": "Not found."}, status=404)
    client = make_client()
    with pytest.raises(exceptions.NotFoundException, match=r"Not found\."):
        await resolve(client.tasks_api.retrieve_data(1, "chunk", number=0, _stream=True))


# --- transport failures and timeouts -------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "exc_class"),
    [
        (httpx.ReadTimeout, exceptions.ApiTimeoutError),
        (httpx.ConnectTimeout, exceptions.ApiTimeoutError),
        (httpx.ConnectError, exceptions.ApiConnectionError),
        (httpx.RemoteProtocolError, exceptions.ApiConnectionError),
    ],
)
async def test_transport_failures(
    make_client, server: MockServer, failure: type[Exception], exc_class: type
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure("boom", request=request)

    server.handler = handler
    client = make_client(Configuration(HOST, access_token=TOKEN))
    with pytest.raises(exc_class) as caught:
        await resolve(client.tasks_api.retrieve(5))
    exc = caught.value
    assert isinstance(exc, exceptions.ApiTransportError)
    assert isinstance(exc.__cause__, failure)
    assert exc.status is None
    assert exc.method == "GET"
    assert exc.url == f"{HOST}/api/tasks/5"
    assert str(exc).startswith(f"GET {HOST}/api/tasks/5 ")
    assert str(exc).count("/api/tasks/5") == 1  # said once, not repeated
    assert failure.__name__ in str(exc)
    no_secrets(str(exc), TOKEN)


async def test_request_timeout_reaches_the_request(make_client, server: MockServer) -> None:
    client = make_client(Configuration(HOST, timeout=(4, 20)))
    await resolve(client.tasks_api.list())
    assert server.last.extensions["timeout"] == {
        "connect": 4.0,
        "read": 20.0,
        "write": 20.0,
        "pool": 20.0,
    }
    await resolve(client.tasks_api.list(_request_timeout=3.5))
    assert server.last.extensions["timeout"] == {
        "connect": 3.5,
        "read": 3.5,
        "write": 3.5,
        "pool": 3.5,
    }
    await resolve(client.tasks_api.list(_request_timeout=(1, 9)))
    assert server.last.extensions["timeout"]["connect"] == 1.0
    assert server.last.extensions["timeout"]["read"] == 9.0
    await resolve(client.call_api("/api/server/about", "GET", _request_timeout=2))
    assert server.last.extensions["timeout"]["read"] == 2.0


async def test_default_timeout_is_finite(make_client, server: MockServer) -> None:
    client = make_client()
    await resolve(client.tasks_api.list())
    timeout = server.last.extensions["timeout"]
    assert all(isinstance(v, float) and 0 < v <= 600 for v in timeout.values()), timeout


# --- custom requests ------------------------------------------------------------------


async def test_call_api_to_an_absolute_result_url(make_client, server: MockServer) -> None:
    server.handler = lambda r: httpx.Response(
        200, headers={"Content-Type": "application/zip"}, content=b"zipdata"
    )
    client = make_client(Configuration(HOST, access_token=TOKEN))
    client.organization = "org1"
    result_url = f"{HOST}/api/tasks/3/dataset/download?rq_id=abc%3A1"
    data, response = await resolve(
        client.call_api(result_url, "GET", query_params=[("format", "COCO 1.0")])
    )
    request = server.last
    assert request.url.path == "/api/tasks/3/dataset/download"
    assert request.url.params.multi_items() == [("rq_id", "abc:1"), ("format", "COCO 1.0")]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == ACCEPT
    assert request.headers["X-Organization"] == "org1"
    assert data is None
    assert response.content == b"zipdata"

    # Credentials never go to another host.
    await resolve(client.call_api("https://storage.example/bucket/file.zip?sig=1", "GET"))
    assert server.last.url.host == "storage.example"
    assert "authorization" not in server.last.headers


async def test_call_api_with_path_params_body_and_schema(make_client, server: MockServer) -> None:
    server.handler = lambda r: json_response({"rq_id": "rq-9"}, status=202)
    client = make_client(Configuration(HOST, api_key={"tokenAuth": TOKEN}))
    data, response = await resolve(
        client.call_api(
            "/api/tasks/{id}/annotations",
            "PUT",
            path_params={"id": 4},
            body={"shapes": [], "tracks": [], "tags": [], "version": 1},
            response_schema=models.RqId,
        )
    )
    request = server.last
    assert request.method == "PUT"
    assert request.url.path == "/api/tasks/4/annotations"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"shapes": [], "tracks": [], "tags": [], "version": 1}
    assert request.headers["Authorization"] == f"Token {TOKEN}"
    assert data == models.RqId(rq_id="rq-9")
    assert response.status_code == 202


async def test_request_with_common_headers_and_auth(make_client, server: MockServer) -> None:
    client = make_client(Configuration(HOST, username="carol", password=PASSWORD))
    client.set_cookie("csrftoken", CSRF)
    client.organization = "team"
    headers = client.get_common_headers()
    assert headers["Accept"] == ACCEPT
    assert headers["X-Organization"] == "team"
    assert f"csrftoken={CSRF}" in headers["Cookie"]
    assert "Authorization" not in headers
    query: list[tuple[str, Any]] = []
    client.update_params_for_auth(headers, query, method="POST")
    expected = base64.b64encode(f"carol:{PASSWORD}".encode()).decode()
    assert headers["Authorization"] == f"Basic {expected}"
    assert headers["X-CSRFToken"] == CSRF
    assert headers["Origin"] == client.build_origin_header() == HOST

    response = await resolve(
        client.request("POST", f"{HOST}/api/lambda/requests", headers=headers, body=b"{}")
    )
    request = server.last
    assert response.status_code == 200
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["X-CSRFToken"] == CSRF
    assert request.headers["X-Organization"] == "team"
    assert request.content == b"{}"

    # request() sends exactly what it is given: no implicit credentials.
    await resolve(client.request("GET", "/api/server/about", query_params={"a": 1}))
    assert "authorization" not in server.last.headers
    assert server.last.url.params["a"] == "1"


async def test_default_headers_and_set_default_header(make_client, server: MockServer) -> None:
    client = make_client(
        Configuration(HOST, headers={"X-From-Config": "1"}), headers={"X-From-Client": "2"}
    )
    client.set_default_header("X-Extra", "3")
    await resolve(client.tasks_api.list(_headers={"X-Per-Call": "4"}))
    request = server.last
    assert [request.headers[h] for h in ("X-From-Config", "X-From-Client", "X-Extra")] == [
        "1",
        "2",
        "3",
    ]
    assert request.headers["X-Per-Call"] == "4"
    client.set_default_header("x-extra", None)
    await resolve(client.tasks_api.list())
    assert "x-extra" not in server.last.headers


async def test_call_api_header_params_override_and_none_removes(
    make_client, server: MockServer
) -> None:
    client = make_client(Configuration(HOST))
    client.set_default_header("X-Organization", "default-org")
    client.set_default_header("X-Remove-Me", "default-value")
    await resolve(
        client.call_api(
            "/api/server/about",
            "GET",
            header_params={"x-organization": "request-org", "X-Remove-Me": None},
            _parse_response=False,
        )
    )
    headers = server.last.headers
    assert headers.get_list("X-Organization") == ["request-org"]
    assert "X-Remove-Me" not in headers


# --- no secrets anywhere -----------------------------------------------------------------


def test_configuration_repr_hides_credentials() -> None:
    configuration = Configuration(
        HOST,
        username="dave",
        password=PASSWORD,
        access_token=TOKEN,
        api_key={"sessionAuth": SESSION, "csrfAuth": CSRF, "tokenAuth": "legacy-key-123"},
    )
    text = repr(configuration)
    assert "dave" in text
    assert HOST in text
    no_secrets(text, PASSWORD, TOKEN, SESSION, CSRF, "legacy-key-123")
    no_secrets(str(configuration), PASSWORD, TOKEN, SESSION, CSRF, "legacy-key-123")


def test_configuration_errors_hide_credentials() -> None:
    with pytest.raises(exceptions.ApiValueError) as caught:
        Configuration(HOST, api_key={"notAScheme": TOKEN})
    assert "notAScheme" in str(caught.value)
    no_secrets(str(caught.value), TOKEN)
    with pytest.raises(exceptions.ApiValueError) as caught:
        Configuration(HOST, username="eve")
    assert "password" in str(caught.value)
    with pytest.raises(exceptions.ApiValueError) as caught:
        Configuration(HOST, password=PASSWORD)
    no_secrets(str(caught.value), PASSWORD)


async def test_endpoint_objects_are_callable_like_the_methods(
    make_client, server: MockServer
) -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [{"id": 1, "name": "car"}]}
    server.handler = lambda r: json_response(page)
    client = make_client()
    endpoint = client.labels_api.list_endpoint
    via_endpoint, response = await resolve(endpoint(page_size=5, task_id=3))
    assert dict(server.last.url.params) == {"page_size": "5", "task_id": "3"}
    via_method, _ = await resolve(client.labels_api.list(page_size=5, task_id=3))
    assert via_endpoint == via_method
    assert via_endpoint.results[0].name == "car"
    assert response.status_code == 200
    raw, response = await resolve(endpoint(_parse_response=False))
    assert raw is None
    assert json.loads(response.content) == page


async def test_clients_are_context_managers(mode: str, server: MockServer) -> None:
    from cvat_client.api_client import ApiClient, AsyncApiClient

    if mode == "sync":
        with ApiClient(Configuration(HOST), transport=server.transport()) as client:
            client.tasks_api.list()
        assert client.client.is_closed
    else:
        async with AsyncApiClient(Configuration(HOST), transport=server.transport()) as aclient:
            await aclient.tasks_api.list()
        assert aclient.client.is_closed
    assert len(server.requests) == 1
