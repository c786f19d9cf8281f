"""The client: addresses, authentication, session renewal, organizations, versions, secrets."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from typing import Any

import httpx
import pytest

import cvat_client
from cvat_client import Client, Config, make_client
from cvat_client.core import AccessTokenCredentials, PasswordCredentials, TokenCredentials
from cvat_client.core._protocol.urls import normalize_host, rebase_url
from cvat_client.core._protocol.version import Version, compatible
from cvat_client.core.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiValueError,
    IncompatibleVersionException,
    InvalidHostException,
    LoginError,
    UnauthorizedException,
)
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport

from ._transfer_support import Interceptor

SECRET = "s3cret-Pa55"


# --- addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "port", "expected"),
    [
        ("app.cvat.ai", None, "https://app.cvat.ai"),
        ("http://localhost:8080/", None, "http://localhost:8080"),
        ("localhost", 8080, "https://localhost:8080"),
        ("HTTPS://cvat.example/api", None, "https://cvat.example"),
        ("https://example.com/cvat/", None, "https://example.com/cvat"),
        # as cvat-sdk: a port as text (CVAT's own tests pass one), and 0 or "" as none
        ("http://localhost", "8081", "http://localhost:8081"),
        ("http://localhost", "", "http://localhost"),
        ("http://localhost", 0, "http://localhost"),
    ],
)
def test_host_normalization(given: str, port: int | str | None, expected: str) -> None:
    assert normalize_host(given, port) == expected


@pytest.mark.parametrize(
    ("given", "port", "reason"),
    [
        ("ftp://cvat.example", None, "Invalid url schema 'ftp'"),
        ("", None, "empty"),
        ("localhost:80", 8080, "Please specify only one port"),
        ("https://user:pw@cvat.example", None, "credentials"),
        ("localhost", 70000, "Bad port"),
        ("localhost", "http", "Bad port"),
    ],
)
def test_bad_hosts_are_explained(given: str, port: int | str | None, reason: str) -> None:
    with pytest.raises(InvalidHostException, match=reason) as info:
        make_client(given, port=port)
    assert isinstance(info.value, ValueError)
    assert "pw" not in str(info.value) or "credentials" in reason


def test_rebase_url() -> None:
    host = "https://cvat.example"
    assert rebase_url("http://internal:8080/api/tasks/1/data/x", host) == (
        "https://cvat.example/api/tasks/1/data/x"
    )
    assert rebase_url("https://cvat.example/api/x?a=1", host) == "https://cvat.example/api/x?a=1"
    assert rebase_url("/api/x", host) == "https://cvat.example/api/x"
    assert rebase_url("https://s3.example/bucket/file", host) == "https://s3.example/bucket/file"


def test_versions() -> None:
    assert Version("2.73.0") == Version("2.73") == "2.73.0"
    assert Version("2.10.0") > Version("2.9.9")
    assert Version("2.73.0-dev") < Version("2.73.0")
    assert Version("v2.4.1").micro == 1
    assert str(Version("2.73.1-rc1")) == "2.73.1-rc1"
    assert compatible(Version("2.74.2"), Version("2.73.0"))
    assert not compatible(Version("2.75.0"), Version("2.73.0"))
    assert not compatible(Version("3.73.0"), Version("2.73.0"))
    with pytest.raises(ValueError, match="version"):
        Version("latest")


# --- authentication on the test server ----------------------------------------------------


def _local(
    server: CvatTestServer, transport: httpx.BaseTransport | None = None, **kwargs: Any
) -> Client:
    return make_client(
        "http://testserver",
        transport=transport or ASGIBridgeTransport(server.app),
        **kwargs,
    )


def test_password_login_session_and_logout_on_close(cvat_server: CvatTestServer) -> None:
    cvat_server.add_user("alice", SECRET)
    client = _local(cvat_server, credentials=("alice", SECRET))
    assert client.has_credentials()
    assert len(cvat_server.store.sessions) == 1
    assert client.users.retrieve_current_user().username == "alice"
    assert client.tasks is client.tasks
    client.close()
    client.close()
    assert cvat_server.store.sessions == {}
    assert not client.has_credentials()


def test_wrong_password(cvat_server: CvatTestServer) -> None:
    with pytest.raises(LoginError) as info:
        _local(cvat_server, credentials=("admin", SECRET))
    message = str(info.value)
    assert "Unable to log in with provided credentials" in message
    assert "Check the user name" in message
    assert SECRET not in message and SECRET not in repr(info.value)
    assert info.value.status == 400
    assert cvat_server.store.sessions == {}


def test_expired_session_is_renewed_once(cvat_server: CvatTestServer) -> None:
    spy = Interceptor(ASGIBridgeTransport(cvat_server.app))
    with _local(cvat_server, spy, credentials=("admin", "admin")) as client:
        client.tasks.create({"name": "before", "labels": [{"name": "a"}]})
        cvat_server.store.sessions.clear()  # the server forgets the session
        task = client.tasks.create({"name": "after", "labels": [{"name": "a"}]})
        assert task.name == "after"
        assert client.tasks.list()[0].name == "after"
        assert spy.count("POST", "/api/auth/login") == 2
        # A server that keeps refusing is not asked forever.
        cvat_server.faults.add(r"^/api/tasks$", method="GET", status=401)
        with pytest.raises(UnauthorizedException):
            client.tasks.list()
        assert spy.count("POST", "/api/auth/login") == 3
    names = [p for m, p, _ in spy.seen if m == "POST" and p == "/api/tasks"]
    assert len(names) == 3  # before, the refused "after", the repeated "after"


def test_renewed_session_over_loopback_http(
    cvat_server: CvatTestServer, cvat_live_server: Any
) -> None:
    with make_client(cvat_live_server.url, credentials=("admin", "admin")) as client:
        cvat_server.store.sessions.clear()
        project = client.projects.create({"name": "p"})
        assert client.projects.retrieve(project.id).name == "p"


def test_access_token_and_legacy_token(cvat_server: CvatTestServer) -> None:
    with cvat_server.sync_client(auth=("admin", "admin")) as http:
        token = http.post("/api/auth/access_tokens", json={"name": "t", "read_only": False}).json()
        key = http.post("/api/auth/login", json={"username": "admin", "password": "admin"}).json()[
            "key"
        ]
    spy = Interceptor(ASGIBridgeTransport(cvat_server.app))
    with _local(cvat_server, spy, access_token=token["value"]) as client:
        assert client.has_credentials()
        client.projects.create({"name": "with token"})
    assert spy.seen[-1][2]["authorization"] == f"Bearer {token['value']}"
    assert "x-csrftoken" not in spy.seen[-1][2]
    assert spy.count("POST", "/api/auth/logout") == 0
    with _local(cvat_server) as client:
        client.login(TokenCredentials(key))
        assert client.users.retrieve_current_user().username == "admin"
        client.login(AccessTokenCredentials(token["value"]))
        assert client.api_client.configuration.api_key.get("tokenAuth") is None
        assert client.users.retrieve_current_user().username == "admin"
        client.logout()
        assert not client.has_credentials()
        with pytest.raises(UnauthorizedException):
            client.users.retrieve_current_user()
    with pytest.raises(
        ApiValueError, match="'credentials' and 'access_token' cannot be used together"
    ):
        _local(cvat_server, credentials=("a", "b"), access_token="x")
    with _local(cvat_server) as client, pytest.raises(ApiValueError, match="credentials must be"):
        client.login(("only-user",))  # type: ignore[arg-type]


def test_organization_slug_and_context(cvat_server: CvatTestServer) -> None:
    spy = Interceptor(ASGIBridgeTransport(cvat_server.app))
    with _local(cvat_server, spy, credentials=("admin", "admin")) as client:
        client.api_client.organizations_api.create({"slug": "org1", "name": "Org"})
        assert client.organization_slug is None
        with client.organization_context("org1"):
            assert client.organization_slug == "org1"
            in_org = client.projects.create({"name": "in org"})
            with client.organization_context(""):
                client.projects.list()
        assert client.organization_slug is None
        client.projects.list()
        assert in_org.organization is not None
    headers = [h.get("x-organization") for m, p, h in spy.seen if p == "/api/projects"]
    assert headers == ["org1", "", None]
    with _local(cvat_server, credentials=("admin", "admin"), organization="org1") as client:
        assert [p.name for p in client.projects.list()] == ["in org"]


# --- server version -----------------------------------------------------------------------


def _about(version: str | None, status: int = 200) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if status != 200:
            return httpx.Response(status, json={"detail": "Not found."})
        body = {"name": "CVAT", "description": "", "version": version}
        return httpx.Response(
            200, content=json.dumps(body), headers={"content-type": "application/vnd.cvat+json"}
        )

    return httpx.MockTransport(handle)


def test_version_check(caplog: pytest.LogCaptureFixture) -> None:
    with make_client("http://cvat.test", transport=_about("2.74.3")) as client:
        assert client.get_server_version() == Version("2.74.3")
    assert "not compatible" not in caplog.text
    with make_client("http://cvat.test", transport=_about("2.90.0")):
        pass
    assert "Server version '2.90.0' is not compatible with SDK version" in caplog.text
    strict = Config(allow_unsupported_server=False)
    with pytest.raises(IncompatibleVersionException, match=r"'2\.90\.0' is not compatible"):
        make_client("http://cvat.test", transport=_about("2.90.0"), config=strict)
    with pytest.raises(IncompatibleVersionException, match="Failed to retrieve server API version"):
        make_client("http://cvat.test", transport=_about(None, status=404), config=strict)
    with (
        make_client("http://cvat.test", transport=_about("garbage")) as client,
        pytest.raises(IncompatibleVersionException),
    ):
        client.check_server_version(fail_if_unsupported=True)


def test_unreachable_server_fails_at_once() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ApiConnectionError, match="refused"):
        make_client(
            "http://cvat.test", transport=httpx.MockTransport(refuse), config=Config(retries=0)
        )


# --- secrets, config, imports -------------------------------------------------------------


def test_secrets_stay_out_of_logs_and_reprs(
    cvat_server: CvatTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cvat_server.add_user("bob", SECRET)
    with _local(cvat_server, credentials=("bob", SECRET)) as client:
        session = client._cookie("sessionid")
        csrf = client._cookie("csrftoken")
        cvat_server.store.sessions.clear()
        client.projects.create({"name": "p"})
        texts = [repr(client), repr(client.api_client.configuration), caplog.text]
        with pytest.raises(ApiException) as info:
            client.projects.retrieve(999)
        texts += [str(info.value), repr(info.value), json.dumps(info.value.headers)]
    texts += [repr(PasswordCredentials("bob", SECRET)), repr(AccessTokenCredentials(SECRET))]
    texts.append(repr(TokenCredentials(SECRET)))
    for text in texts:
        assert SECRET not in text
        assert session is not None and session not in text
        assert csrf is not None and csrf not in text


def test_config_defaults_and_validation(tmp_path: Any) -> None:
    config = Config()
    assert config.status_check_period is None
    assert config.allow_unsupported_server is True
    assert config.verify_ssl is None
    assert config.upload_chunk_size == 64 * 2**20
    assert config.upload_batch_size == 10 * 2**20
    assert config.retries == 5
    assert "cvat-client" in str(config.cache_dir)
    assert Config(cache_dir=str(tmp_path)).cache_dir == tmp_path  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="upload_chunk_size must be positive"):
        Config(upload_chunk_size=0)
    with pytest.raises(ValueError, match="retries must not be negative"):
        Config(retries=-1)


def test_imports_stay_lazy() -> None:
    code = (
        "import sys, cvat_client, cvat_client.core;"
        "assert 'httpx' not in sys.modules, 'httpx';"
        "import cvat_client.core.progress, cvat_client.core.client;"
        "assert 'tqdm' not in sys.modules, 'tqdm';"
        "assert cvat_client.make_client is cvat_client.core.make_client;"
        "assert cvat_client.exceptions.LoginError"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert set(cvat_client.__all__) >= {"make_client", "Client", "Config"}


@pytest.mark.parametrize(
    ("server", "supported", "expected"),
    [
        ("3.2", "2.0", False),
        ("2", "2.1", False),
        ("2.1", "2.1", True),
        ("2.1a", "2.1", False),
        ("2.1.post1", "2.1", True),
        ("2.1", "2.1.pre1", True),
        ("2.1.1", "2.1", True),
        ("2.2", "2.1", False),
        ("2.1.0", "2.1.2", False),
        ("2.1.0.dev123", "2.1.post2", False),
        ("1!1.3", "2.1", False),
        ("1!1.3.1", "1!1.3", True),
        ("1!1.1.dev12", "1!1.1", False),
        ("v2.73.0", "2.73", True),
        ("2.73.0+local.1", "2.73", True),
        ("not a version", "2.73", False),
        # missing numbers are zeros; only the target's first three count
        ("2", "2.0.0", True),
        ("2.0.0", "2", True),
        ("2", "2.0.1", False),
        ("2.73", "2.73.1", False),
        ("2.73.0", "2.73.0.5", True),
        ("2.73.0.0.1", "2.73.0.0.2", True),
        # an epoch given on one side only
        ("1!2.1", "2.1", False),
        ("2.1", "1!2.1", False),
    ],
)
def test_compatible_release_follows_pep440(server: str, supported: str, expected: bool) -> None:
    from cvat_client.core._protocol.version import compatible_release

    assert compatible_release(server, supported) is expected
    assert compatible_release(Version(server) if server[0].isdigit() else server, supported) is (
        expected
    )
