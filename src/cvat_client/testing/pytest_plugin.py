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

Schema conformance (opt-in): with ``--cvat-check-schema`` on the command line or
``cvat_check_schema = true`` in the pytest configuration, every test server created during a
test (these fixtures' and any other ``CvatTestServer``) checks each answer it sends against
CVAT's OpenAPI schema (see :mod:`cvat_client.testing.conformance`), and a test whose servers
sent anything the schema does not allow fails at teardown with the list of problems.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from cvat_client.api_client import ApiClient
    from cvat_client.testing.live import LiveServer
    from cvat_client.testing.server import CvatTestServer

# The plugin is registered with pytest whenever cvat-client is installed, with or without the
# ``testing`` extra: the test server is imported only by a fixture that needs it, so pytest
# keeps working without the extra and a fixture used without it fails with one line naming it.
_TESTING_MODULES = ("starlette", "uvicorn", "yaml", "PIL")


def _require_testing_extra() -> None:
    from cvat_client._extras import require

    require("The CVAT test server's pytest fixtures", "testing", *_TESTING_MODULES)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The schema conformance switch (command line and ini)."""
    parser.addoption(
        "--cvat-check-schema",
        action="store_true",
        default=False,
        help="check every answer of the CVAT test server against the CVAT OpenAPI schema",
    )
    parser.addini(
        "cvat_check_schema",
        type="bool",
        default=False,
        help="check every answer of the CVAT test server against the CVAT OpenAPI schema",
    )


_TOTALS = pytest.StashKey[list[int]]()
_EVERY_SERVER_BEFORE = pytest.StashKey[bool]()


def _schema_check_enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--cvat-check-schema") or config.getini("cvat_check_schema"))


@pytest.fixture(autouse=True)
def _cvat_schema_conformance(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when a test server answered anything the CVAT schema does not allow."""
    if not _schema_check_enabled(request.config) or request.node.get_closest_marker(
        "cvat_no_schema_check"
    ):
        yield
        return
    _require_testing_extra()
    from cvat_client.testing import conformance

    with conformance.collecting() as collector:
        yield
    totals = request.config.stash.setdefault(_TOTALS, [0, 0])
    totals[0] += collector.checked
    totals[1] += len(collector.problems)
    if collector.problems:
        shown = "\n  ".join(collector.problems[:20])
        more = len(collector.problems) - 20
        tail = f"\n  ... and {more} more" if more > 0 else ""
        pytest.fail(
            f"the test server sent {len(collector.problems)} answers the CVAT schema does "
            f"not allow:\n  {shown}{tail}",
            pytrace=False,
        )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that exempts a test from the schema check; with the check on,
    servers made outside a test (module- or session-scoped fixtures) check too."""
    config.addinivalue_line(
        "markers",
        "cvat_no_schema_check: the test sends malformed answers on purpose (no schema check)",
    )
    if _schema_check_enabled(config):
        try:
            from cvat_client.testing import conformance
        except ImportError:
            return  # the autouse fixture names the missing extra
        config.stash[_EVERY_SERVER_BEFORE] = conformance.check_every_server()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave the process as it was (pytest can run in-process, e.g. under ``pytester``)."""
    if _EVERY_SERVER_BEFORE in config.stash:
        from cvat_client.testing import conformance

        conformance.check_every_server(config.stash[_EVERY_SERVER_BEFORE])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say how many test server answers the schema check saw."""
    totals = config.stash.get(_TOTALS, None)
    if totals is not None:
        terminalreporter.write_line(
            f"cvat schema check: {totals[0]} test server answers checked, "
            f"{totals[1]} problems found"
        )


@pytest.fixture
def cvat_admin() -> tuple[str, str]:
    """Credentials of the test server's superuser."""
    _require_testing_extra()
    from cvat_client.testing.server import DEFAULT_ADMIN

    return DEFAULT_ADMIN


@pytest.fixture
def cvat_server(cvat_admin: tuple[str, str]) -> Iterator[CvatTestServer]:
    """A fresh, empty test server for one test."""
    from cvat_client.testing.server import CvatTestServer

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
    from cvat_client.testing.live import LiveServer

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
