"""Media and files are asked for without compression (``Accept-Encoding: identity``).

A real CVAT gzips every answer the client accepts gzip for (the test server does too, see
``tests/testing/test_gzip.py``). Frames, chunks, previews and files are compressed already:
gzip would cost CPU on both sides for half a per cent, and an encoded body can be neither
resumed with ``Range`` nor read straight from the socket. JSON answers stay compressed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client import Config, make_client
from cvat_client.datasets import MediaDownloadPolicy, TaskDataset
from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer
from cvat_client.testing.server import DEFAULT_ADMIN

from .conftest import FAST_POLL, LABELS
from .test_download_direct import _noise_jpeg, direct_reads

__all__ = ["direct_reads"]  # a fixture


@pytest.fixture
def live() -> Iterator[LiveServer]:
    server = CvatTestServer(admin=DEFAULT_ADMIN)
    try:
        with LiveServer(server) as running:
            yield running
    finally:
        server.close()


class Seen:
    """The ``Accept-Encoding`` of every request, and the encoding of every answer."""

    def __init__(self, client: Any) -> None:
        self.asked: list[tuple[str, str, str | None]] = []
        self.answered: list[tuple[str, str | None]] = []
        hooks = client.api_client.client.event_hooks
        hooks["request"] = [self.request]
        hooks["response"] = [self.response]

    def request(self, request: httpx.Request) -> None:
        kind = request.url.params.get("type", "")
        self.asked.append((request.url.path, kind, request.headers.get("accept-encoding")))

    def response(self, response: httpx.Response) -> None:
        path = response.request.url.path
        self.answered.append((path, response.headers.get("content-encoding")))

    def media(self) -> list[tuple[str, str, str | None]]:
        return [
            entry
            for entry in self.asked
            if entry[1] in ("chunk", "frame") or "preview" in entry[0] or "download" in entry[0]
        ]


def test_media_requests_ask_for_identity_and_json_stays_gzipped(
    live: LiveServer, images: list[Path], tmp_path: Path
) -> None:
    config = Config(status_check_period=FAST_POLL, cache_dir=tmp_path / "cache")
    with make_client(live.url, credentials=DEFAULT_ADMIN, config=config) as client:
        task = client.tasks.create_from_data({"name": "media", "labels": LABELS}, images)
        seen = Seen(client)
        task.get_frame(0, quality="original")
        task.download_frames([1], outdir=tmp_path / "frames")
        task.download_chunk(0, io.BytesIO(), quality="original")
        task.get_preview()
        job = task.get_jobs()[0]
        job.get_frame(0)
        job.get_preview()
        task.download_backup(tmp_path / "backup.zip")
        TaskDataset(client, task.id)
        TaskDataset(
            client, task.id, media_download_policy=MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND
        ).samples[0].media.load_image()
        media = seen.media()
        kinds = {
            (path.split("/")[2], kind or path.rstrip("/").split("/")[-1]) for path, kind, _ in media
        }
        assert kinds >= {
            ("tasks", "frame"),
            ("tasks", "chunk"),
            ("tasks", "preview"),
            ("jobs", "frame"),
            ("jobs", "preview"),
            ("tasks", "download"),
        }, kinds
        # frames: get_frame, download_frames, on demand; chunks: download_chunk, the dataset
        assert [kind for _, kind, _ in media].count("frame") == 4
        assert [kind for _, kind, _ in media].count("chunk") == 2
        assert {encoding for _, _, encoding in media} == {"identity"}, media
        media_paths = {path for path, _, _ in media}
        assert all(encoding is None for path, encoding in seen.answered if path in media_paths)
        # JSON (the task, its annotations) is still asked for compressed, and comes so
        annotations = [e for e in seen.asked if e[0].rstrip("/").endswith("/annotations")]
        assert annotations and all("gzip" in (e[2] or "") for e in annotations)
        meta = [enc for path, enc in seen.answered if path.rstrip("/").endswith("/data/meta")]
        assert meta and set(meta) == {"gzip"}


def test_dataset_chunks_are_read_straight_from_the_socket(
    live: LiveServer, tmp_path: Path, direct_reads: list[int]
) -> None:
    # only possible for an unencoded body: a chunk asked for with gzip would go through httpx
    big = []
    for index in range(4):  # chunks well past the first piece httpx reads with the headers
        path = tmp_path / f"noise_{index}.jpg"
        path.write_bytes(_noise_jpeg(index))
        big.append(path)
    config = Config(status_check_period=FAST_POLL, cache_dir=tmp_path / "cache")
    with make_client(live.url, credentials=DEFAULT_ADMIN, config=config) as client:
        task = client.tasks.create_from_data(
            {"name": "direct", "labels": LABELS}, big, data_params={"chunk_size": 2}
        )
        dataset = TaskDataset(client, task.id)
        assert len(direct_reads) == 2  # both chunks
        assert [s.media.load_image().size for s in dataset.samples] == [(640, 480)] * 4
