"""Shared helpers for the test server's tests."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image


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
