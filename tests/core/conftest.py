"""Shared fixtures of the high-level client's tests: clients on the test server, media."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cvat_client.testing import CvatTestServer

Image.init()

FAST_POLL = 0.01


def make_image(
    width: int = 64,
    height: int = 48,
    color: tuple[int, int, int] = (200, 30, 30),
    fmt: str = "JPEG",
) -> bytes:
    """A small image: a coloured rectangle with a lighter square, so frames differ."""
    image = Image.new("RGB", (width, height), color)
    image.paste((255, 255, 255), (2, 2, 10, 10))
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    """Three JPEG files of different sizes and colours in ``tmp_path/images``."""
    folder = tmp_path / "images"
    folder.mkdir()
    paths = []
    for i, color in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
        path = folder / f"img_{i}.jpg"
        path.write_bytes(make_image(64 + i, 48, color))
        paths.append(path)
    return paths


def _make(url: str, transport: Any, credentials: tuple[str, str]) -> Any:
    from cvat_client.core.client import Config, make_client

    return make_client(
        url,
        credentials=credentials,
        config=Config(status_check_period=FAST_POLL),
        transport=transport,
    )


@pytest.fixture
def local_client(cvat_server: CvatTestServer, cvat_admin: tuple[str, str]) -> Iterator[Any]:
    """The admin's client, in-process only (for tests that look inside the transport)."""
    from cvat_client.testing.bridge import ASGIBridgeTransport

    with _make("http://testserver", ASGIBridgeTransport(cvat_server.app), cvat_admin) as made:
        yield made


def _make_async(url: str, transport: Any, credentials: tuple[str, str]) -> Any:
    """An async client driven through a blocking view (see ``_async_shim``)."""
    from cvat_client.core.async_client import make_async_client
    from cvat_client.core.client import Config

    from ._async_shim import Blocking, EventLoopThread

    runner = EventLoopThread()

    async def connect() -> Any:
        return await make_async_client(
            url,
            credentials=credentials,
            config=Config(status_check_period=FAST_POLL),
            transport=transport,
        )

    try:
        made = Blocking(runner.run(connect()), runner)
    except BaseException:
        runner.close()
        raise
    return made, runner


@pytest.fixture(params=["in-process", "http", "async-in-process", "async-http"])
def client(
    request: pytest.FixtureRequest, cvat_server: CvatTestServer, cvat_admin: tuple[str, str]
) -> Iterator[Any]:
    """The admin's client, once in-process and once over loopback HTTP; then the same
    two ways through the async client (``AsyncClient``, driven by a blocking view).

    Every workflow test runs both ways: in-process (fast, through the bridge transport)
    and over real HTTP (uvicorn on 127.0.0.1), where streaming and connections are real.
    """
    if request.param.startswith("async-"):
        if request.param == "async-http":
            url, transport = request.getfixturevalue("cvat_live_server").url, None
        else:
            from cvat_client.testing.bridge import ASGIBridgeTransport

            url, transport = "http://testserver", ASGIBridgeTransport(cvat_server.app)
        made, runner = _make_async(url, transport, cvat_admin)
        try:
            yield made
        finally:
            try:
                made.close()
            finally:
                runner.close()
        return
    if request.param == "http":
        live = request.getfixturevalue("cvat_live_server")
        with _make(live.url, None, cvat_admin) as made:
            yield made
    else:
        from cvat_client.testing.bridge import ASGIBridgeTransport

        with _make("http://testserver", ASGIBridgeTransport(cvat_server.app), cvat_admin) as made:
            yield made


@pytest.fixture
def user_client(cvat_server: CvatTestServer) -> Iterator[Callable[..., Any]]:
    """Make in-process clients for other (non-admin) users: ``user_client(name, password)``."""
    from cvat_client.testing.bridge import ASGIBridgeTransport

    made: list[Any] = []

    def factory(username: str, password: str) -> Any:
        cvat_server.add_user(username, password, email=f"{username}@example.test")
        new = _make("http://testserver", ASGIBridgeTransport(cvat_server.app), (username, password))
        made.append(new)
        return new

    yield factory
    for item in made:
        item.close()


LABELS = [{"name": "car"}, {"name": "person"}]


def rect(label_id: int, frame: int, points: list[float] | None = None) -> dict[str, Any]:
    """A rectangle shape as the server takes it."""
    return {
        "type": "rectangle",
        "frame": frame,
        "label_id": label_id,
        "points": points or [1.0, 2.0, 30.0, 40.0],
        "occluded": False,
        "outside": False,
        "z_order": 0,
        "rotation": 0.0,
        "attributes": [],
        "group": 0,
        "source": "manual",
    }


def shape_key(shape: Any) -> tuple[Any, ...]:
    """What must survive a round trip of a shape (ids and server-side fields aside)."""
    data = shape if isinstance(shape, dict) else shape.to_dict()
    value = data["type"]
    return (
        getattr(value, "value", value),
        data["frame"],
        data["label_id"],
        tuple(float(p) for p in data["points"]),
    )
