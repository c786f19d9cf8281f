"""No credential in any log record at DEBUG; a failed automatic re-login names the call."""

from __future__ import annotations

import logging
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client._lowlevel.body import ERROR_BODY_LIMIT
from cvat_client.core.client import AccessTokenCredentials, Config, make_client
from cvat_client.exceptions import (
    LoginError,
    NotFoundException,
    SessionRenewalError,
    UnauthorizedException,
)
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport
from tests.core.conftest import make_image

PASSWORD = "Pa55-w0rd-for-logs!"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def every_log_record() -> Iterator[_Collect]:
    """Every record of every logger, at DEBUG."""
    collect = _Collect()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "cvat_client")}
    old_level = root.level
    root.setLevel(logging.DEBUG)
    for name in saved:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(collect)
    try:
        yield collect
    finally:
        root.removeHandler(collect)
        root.setLevel(old_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _text(record: logging.LogRecord) -> str:
    return f"{record.getMessage()} {record.args!r} {record.__dict__!r}"


def test_no_secret_in_any_log_record(
    cvat_server: CvatTestServer, cvat_live_server: Any, every_log_record: _Collect, tmp_path: Path
) -> None:
    cvat_server.add_user("logger", PASSWORD, superuser=True)
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(2):
        (folder / f"f{i}.png").write_bytes(make_image(fmt="PNG"))
    secrets = {PASSWORD}
    config = Config(status_check_period=0.01)
    with make_client(cvat_live_server.url, credentials=("logger", PASSWORD), config=config) as c:
        secrets |= {v.value for k, v in c.api_client.cookies.items() if k != "sessionfresh"}
        task = c.tasks.create_from_data({"name": "t", "labels": [{"name": "a"}]}, [folder])
        task.get_annotations()
        with pytest.raises(NotFoundException):
            c.tasks.retrieve(999_999)
        task.download_backup(tmp_path / "backup.zip")
        token = c.api_client.auth_api.create_access_tokens({"name": "logs", "read_only": False})[0]
        secrets.add(token.value)
    with make_client(
        cvat_live_server.url, credentials=AccessTokenCredentials(token.value), config=config
    ) as c:
        assert c.users.retrieve_current_user().username == "logger"
    secrets.discard("")
    records = every_log_record.records
    # httpcore did log the response headers (so the check below means something)
    assert any("set-cookie" in r.getMessage().lower() for r in records)
    assert any(r.name.startswith("httpcore") for r in records)
    for record in records:
        text = _text(record)
        for secret in secrets:
            assert secret not in text, (record.name, record.getMessage()[:300])


def test_failed_relogin_raises_an_error_about_the_users_call(cvat_server: CvatTestServer) -> None:
    user = cvat_server.add_user("bob", PASSWORD)
    with make_client(
        "http://testserver",
        credentials=("bob", PASSWORD),
        transport=ASGIBridgeTransport(cvat_server.app),
    ) as client:
        user.password = "changed-elsewhere-1"
        cvat_server.store.sessions.clear()
        with pytest.raises(SessionRenewalError) as info:
            client.users.retrieve_current_user()
    error = info.value
    assert isinstance(error, LoginError) and isinstance(error, UnauthorizedException)
    assert error.status == 401 and error.login_status == 400
    message = str(error)
    assert "GET" in message and "/api/users/self" in message
    assert "/api/auth/login" not in message
    assert "bob" in message and PASSWORD not in message


class _EndlessBody(httpx.SyncByteStream):
    """A body that never ends; counts what was taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        block = b"x" * 65536
        while True:
            self.taken += len(block)
            yield block


class _ExpiredWithEndless401(httpx.BaseTransport):
    """The test server, except that the first ``GET /api/users/self`` after ``arm()``
    answers 401 with an endless body (a broken proxy in front of an expired session)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.body: _EndlessBody | None = None

    def arm(self) -> None:
        self.body = _EndlessBody()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.body is not None and request.url.path == "/api/users/self" and not self.body.taken:
            return httpx.Response(
                401, headers={"Content-Type": "application/json"}, stream=self.body
            )
        return self.inner.handle_request(request)


def test_endless_401_before_a_relogin_is_read_under_the_error_cap(
    cvat_server: CvatTestServer,
) -> None:
    cvat_server.add_user("carol", PASSWORD)
    transport = _ExpiredWithEndless401(ASGIBridgeTransport(cvat_server.app))
    with make_client(
        "http://testserver", credentials=("carol", PASSWORD), transport=transport
    ) as client:
        transport.arm()
        tracemalloc.start()
        try:
            user = client.users.retrieve_current_user()  # 401, re-login, then the answer
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert user.username == "carol"
    assert transport.body is not None
    assert 0 < transport.body.taken <= ERROR_BODY_LIMIT + 65536  # not the endless body
    assert peak < 8 * ERROR_BODY_LIMIT
