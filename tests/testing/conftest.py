"""Shared helpers for the test server's tests."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from cvat_client.testing import CvatTestServer


def make_jpeg(
    width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A small JPEG image."""
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def image_files(tmp_path: Path) -> list[Path]:
    """Three JPEG files of different colours."""
    paths = []
    for i, color in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
        path = tmp_path / f"img_{i}.jpg"
        path.write_bytes(make_jpeg(64 + i, 48, color))
        paths.append(path)
    return paths


@pytest.fixture
def client_for(cvat_server: CvatTestServer) -> Iterator[Callable[..., httpx.Client]]:
    """Make clients for other users (``client_for(auth=(user, pw))``)."""
    made: list[httpx.Client] = []

    def make(**kwargs: Any) -> httpx.Client:
        client = cvat_server.sync_client(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def create_task(
    http: httpx.Client, server: CvatTestServer, files: list[Path], **spec: Any
) -> dict[str, Any]:
    """Create a task with labels car/person from image files (multipart upload) and wait."""
    body = {"name": "task", "labels": [{"name": "car"}, {"name": "person"}], **spec}
    task = http.post("/api/tasks", json=body).json()
    parts = [
        (f"client_files[{i}]", (p.name, p.read_bytes(), "image/jpeg")) for i, p in enumerate(files)
    ]
    response = http.post(
        f"/api/tasks/{task['id']}/data/", files=parts, data={"image_quality": "70"}
    )
    assert response.status_code == 202, response.text
    assert server.wait_idle()
    return dict(http.get(f"/api/tasks/{task['id']}").json())
