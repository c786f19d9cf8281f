"""pytest fixtures for the CVAT test server (registered as the ``cvat_client_testing`` plugin).

* ``cvat_server``: a fresh in-process :class:`~cvat_client.testing.CvatTestServer` per test;
* ``cvat_http``: an ``httpx.Client`` logged in as the admin (Basic auth), talking to
  ``cvat_server`` in-process through the streaming bridge transport;
* ``cvat_async_http``: the same with ``httpx.AsyncClient`` over ``httpx.ASGITransport``;
* ``cvat_live_server``: ``cvat_server`` served over HTTP by uvicorn on 127.0.0.1 with an
  ephemeral port (a :class:`~cvat_client.testing.live.LiveServer`; its ``url`` is the base URL);
* ``cvat_api_client``: a low-level :class:`cvat_client.api_client.ApiClient` logged in as
  the admin (Basic auth), talking to ``cvat_server`` in-process;
* ``cvat_admin``: the ``(username, password)`` of the seeded superuser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from cvat_client.testing.live import LiveServer
from cvat_client.testing.server import DEFAULT_ADMIN, CvatTestServer

if TYPE_CHECKING:
    from cvat_client.api_client import ApiClient


@pytest.fixture
def cvat_admin() -> tuple[str, str]:
    """Credentials of the test server's superuser."""
    return DEFAULT_ADMIN


@pytest.fixture
def cvat_server(cvat_admin: tuple[str, str]) -> Iterator[CvatTestServer]:
    """A fresh, empty test server for one test."""
    server = CvatTestServer(admin=cvat_admin)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def cvat_http(cvat_server: CvatTestServer, cvat_admin: tuple[str, str]) -> Iterator[httpx.Client]:
    """A synchronous httpx client authenticated as the admin, in-process."""
    with cvat_server.sync_client(auth=cvat_admin) as client:
        yield client


@pytest.fixture
async def cvat_async_http(
    cvat_server: CvatTestServer, cvat_admin: tuple[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    """An asynchronous httpx client authenticated as the admin, in-process."""
    async with cvat_server.async_client(auth=cvat_admin) as client:
        yield client


@pytest.fixture
def cvat_live_server(cvat_server: CvatTestServer) -> Iterator[LiveServer]:
    """``cvat_server`` over real HTTP on 127.0.0.1 (ephemeral port)."""
    with LiveServer(cvat_server) as live:
        yield live


@pytest.fixture
def cvat_api_client(
    cvat_server: CvatTestServer, cvat_admin: tuple[str, str]
) -> Iterator[ApiClient]:
    """The SDK's low-level client, authenticated as the admin, talking to ``cvat_server``."""
    from cvat_client.api_client import ApiClient, Configuration
    from cvat_client.testing.bridge import ASGIBridgeTransport

    username, password = cvat_admin
    configuration = Configuration("http://testserver", username=username, password=password)
    with ApiClient(configuration, transport=ASGIBridgeTransport(cvat_server.app)) as client:
        yield client
