"""The first pull overlaps its round trips: chunks do not wait for the task's metadata, and
the metadata requests never take the chunk downloads' places (``Config.max_concurrency``)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from cvat_client import Config, make_client
from cvat_client.datasets import MediaDownloadPolicy, TaskDataset
from cvat_client.datasets._cache import ChunkStore
from cvat_client.datasets._media import ChunkFetcher
from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer
from tests.datasets.conftest import ADMIN
from tests.datasets.test_cache import CHUNK, FRAME_COUNT, counter, images, live, make_task

__all__ = ["live"]

CHUNKS = -(-FRAME_COUNT // CHUNK)
_WAIT = 20.0  # how long a held-back request waits for what it expects before failing


class Recorder:
    """Wraps a client's low-level task calls: records chunk requests, and holds chosen calls
    back until every chunk has been asked for (they fail after ``_WAIT`` seconds if that
    never happens, which is what the old, serial order does)."""

    def __init__(self, client: Any, hold: set[str]) -> None:
        api = client.api_client.tasks_api
        self.started: list[int] = []
        self.all_started = threading.Event()
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        real_data = api.retrieve_data

        def retrieve_data(task_id: int, **kwargs: Any) -> Any:
            if kwargs.get("type") != "chunk":
                return real_data(task_id, **kwargs)
            with self._lock:
                self.started.append(kwargs["number"])
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                if len(set(self.started)) == CHUNKS:
                    self.all_started.set()
            try:
                return real_data(task_id, **kwargs)
            finally:
                with self._lock:
                    self.in_flight -= 1

        api.retrieve_data = retrieve_data
        for name in hold:
            real = getattr(api, name)
            setattr(api, name, self._held(real, name))

    def _held(self, real: Any, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            assert self.all_started.wait(_WAIT), f"{name} was needed before the chunks started"
            return real(*args, **kwargs)

        return call


def test_chunks_start_before_the_meta_and_annotations_answer(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    _, running = live
    config = Config(cache_dir=tmp_path / "cache", max_concurrency=8)
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        recorder = Recorder(client, {"retrieve_data_meta", "retrieve_annotations"})
        dataset = TaskDataset(client, task_id)
        assert sorted(recorder.started) == list(range(CHUNKS))  # each chunk once
        assert len(images(dataset)) == FRAME_COUNT
        assert [len(s.annotations.shapes) for s in dataset.samples] == [0, 1, 0, 0, 0]


def test_chunk_zero_is_asked_for_together_with_the_task(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    _, running = live
    config = Config(cache_dir=tmp_path / "cache")
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        api = client.api_client.tasks_api
        first_chunk = threading.Event()
        real_data, real_retrieve = api.retrieve_data, api.retrieve

        def retrieve_data(task_id: int, **kwargs: Any) -> Any:
            if kwargs.get("type") == "chunk" and kwargs.get("number") == 0:
                first_chunk.set()
            return real_data(task_id, **kwargs)

        def retrieve(*args: Any, **kwargs: Any) -> Any:
            assert first_chunk.wait(_WAIT), "chunk 0 waited for the task"
            return real_retrieve(*args, **kwargs)

        api.retrieve_data, api.retrieve = retrieve_data, retrieve
        assert len(images(TaskDataset(client, task_id))) == FRAME_COUNT


def test_metadata_requests_leave_every_chunk_slot_to_the_chunks(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    _, running = live
    # two slots; the meta, annotations and labels requests held back until all three chunks
    # were asked for: if they took chunk slots, the chunks could never start
    config = Config(cache_dir=tmp_path / "cache", max_concurrency=2)
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        recorder = Recorder(client, {"retrieve_data_meta", "retrieve_annotations"})
        dataset = TaskDataset(client, task_id)
        assert sorted(recorder.started) == list(range(CHUNKS))
        assert recorder.most_in_flight <= 2  # Config.max_concurrency holds
        assert len(images(dataset)) == FRAME_COUNT


def test_a_fresh_open_refetches_chunks_an_interrupted_open_left_of_older_data(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    # chunks are asked for before the meta says which data they must be of: a chunk of
    # older data, left by an open that never wrote the task, must not be taken
    server, running = live
    config = Config(cache_dir=tmp_path / "cache")
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        dataset = TaskDataset(client, task_id)
        expected = images(dataset)
        task_dir = dataset._task_dir
        (task_dir / "task.json").unlink()
        stale = task_dir / "chunks" / "1.json"
        info = json.loads(stale.read_text())
        current = info["updated_date"]
        assert current
        info["updated_date"] = "2001-01-01T00:00:00.000000Z"
        stale.write_text(json.dumps(info))
        del dataset

        chunks = counter(server, r"^/api/tasks/\d+/data/?$")
        again = TaskDataset(client, task_id)
        assert chunks.seen == 1  # only the chunk of older data
        assert json.loads(stale.read_text())["updated_date"] == current
        assert images(again) == expected


def test_a_fresh_open_does_not_recheck_the_chunks_it_downloaded(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what this open downloaded came with the meta's X-Updated-Date: the cache is not read
    # again for it once the last chunk is in
    _, running = live
    cleared: list[Path] = []
    real_clear = ChunkStore.clear_stale

    def clear_stale(store: ChunkStore) -> None:
        cleared.append(store.directory)
        real_clear(store)

    monkeypatch.setattr(ChunkStore, "clear_stale", clear_stale)
    config = Config(cache_dir=tmp_path / "cache")
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        dataset = TaskDataset(client, task_id)
        assert cleared == []
        assert sorted(dataset._chunk_store.downloaded) == list(range(CHUNKS))
        assert len(images(dataset)) == FRAME_COUNT


def test_a_chunk_of_older_data_downloaded_by_a_fresh_open_is_fetched_again(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the task's data changed between a chunk's answer and the meta's: the chunk's
    # X-Updated-Date is not the meta's chunks_updated_date, so it is fetched once more
    server, running = live
    real_download = ChunkFetcher._download
    older = ["2001-01-01T00:00:00.000000Z"]

    def download(fetcher: ChunkFetcher, index: int, file: Any) -> tuple[str | None, str | None]:
        checksum, updated = real_download(fetcher, index, file)
        if index == 1 and older:
            return checksum, older.pop()
        return checksum, updated

    monkeypatch.setattr(ChunkFetcher, "_download", download)
    config = Config(cache_dir=tmp_path / "cache")
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        chunks = counter(server, r"^/api/tasks/\d+/data/?$")
        dataset = TaskDataset(client, task_id)
        assert chunks.seen == CHUNKS + 1  # chunk 1 twice
        info = json.loads((dataset._chunk_dir / "1.json").read_text())
        assert info["updated_date"] != "2001-01-01T00:00:00.000000Z"
        assert dataset._chunk_store.downloaded_current(1)
        assert len(images(dataset)) == FRAME_COUNT


@pytest.mark.parametrize(
    "policy",
    [MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND, MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND],
)
def test_only_preload_all_asks_for_chunks_when_opening(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path, policy: MediaDownloadPolicy
) -> None:
    server, running = live
    config = Config(cache_dir=tmp_path / "cache")
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        chunks = counter(server, r"^/api/tasks/\d+/data/?$")
        TaskDataset(client, task_id, media_download_policy=policy)
        assert chunks.seen == 0
