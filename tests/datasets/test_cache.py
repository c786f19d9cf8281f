"""The datasets cache: offline reopening, stale refresh, damaged chunks and metadata, two
processes."""

from __future__ import annotations

import io
import json
import marshal
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cvat_client.core.exceptions import ApiConnectionError
from cvat_client.datasets import (
    DatasetCacheMissError,
    MediaDownloadPolicy,
    TaskDataset,
    UnsupportedDatasetError,
    UpdatePolicy,
)
from cvat_client.datasets._cache import DatasetCache
from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer
from tests.datasets.conftest import ADMIN, make_our_client

FRAME_COUNT = 5
CHUNK = 2


def noisy_png(seed: int, size: tuple[int, int] = (48, 40)) -> bytes:
    """A PNG that does not compress much, so a chunk is well over the 1000 checksummed bytes."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def live() -> Iterator[tuple[CvatTestServer, LiveServer]]:
    server = CvatTestServer(admin=ADMIN)
    running = LiveServer(server).start()
    try:
        yield server, running
    finally:
        running.stop()
        server.close()


def make_task(client: Any, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(FRAME_COUNT):
        path = folder / f"img_{index}.png"
        path.write_bytes(noisy_png(index))
        paths.append(path)
    task = client.tasks.create_from_data(
        {"name": "cache", "labels": [{"name": "a"}]},
        resources=paths,
        data_params={"chunk_size": CHUNK},
    )
    label = task.get_labels()[0].id
    shape = {"type": "rectangle", "frame": 1, "label_id": label, "points": [1.0, 2.0, 3.0, 4.0]}
    task.set_annotations({"shapes": [shape]})
    return int(task.id)


def counter(server: CvatTestServer, path: str = r"^/api/") -> Any:
    """A fault rule that does nothing but count the requests it matches."""
    return server.faults.add(path)


def images(dataset: TaskDataset) -> list[bytes]:
    return [sample.media.load_image().tobytes() for sample in dataset.samples]


def test_offline_reopen_with_the_server_stopped(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    from cvat_client import Config, make_client

    _, running = live
    config = Config(cache_dir=tmp_path / "cache", retries=0, status_check_period=0.01)
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        online = TaskDataset(client, task_id)
        expected = images(online)
        running.stop()
        with pytest.raises(ApiConnectionError):
            TaskDataset(client, task_id)  # the server is really gone
        offline = TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER)
        assert images(offline) == expected
        assert [s.annotations for s in offline.samples] == [s.annotations for s in online.samples]
        assert [label.to_dict() for label in offline.labels] == [
            label.to_dict() for label in online.labels
        ]


def test_unchanged_reopen_is_one_request_and_an_edit_refreshes(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    server, running = live
    with make_our_client(running.url, tmp_path / "cache") as client:
        task_id = make_task(client, tmp_path / "img")
        first = TaskDataset(client, task_id)
        assert [len(s.annotations.shapes) for s in first.samples] == [0, 1, 0, 0, 0]

        requests = counter(server)
        TaskDataset(client, task_id)
        assert requests.seen == 1  # the task itself: nothing changed

        task = client.tasks.retrieve(task_id)
        before = task.updated_date
        label = first.labels[0].id
        task.update_annotations(
            {"shapes": [{"type": "points", "frame": 3, "label_id": label, "points": [5.0, 5.0]}]},
            action="create",
        )
        assert client.tasks.retrieve(task_id).updated_date > before

        requests.seen = 0
        chunks = counter(server, r"^/api/tasks/\d+/data/?$")
        refreshed = TaskDataset(client, task_id)
        assert [len(s.annotations.shapes) for s in refreshed.samples] == [0, 1, 0, 1, 0]
        assert chunks.seen == 0  # the chunks did not change: kept
        assert requests.seen == 4  # task, labels, data meta, annotations


def _chunk_files(dataset: TaskDataset) -> list[Path]:
    return sorted((dataset._task_dir / "chunks").glob("*.zip"))


def test_truncated_chunk_is_fetched_again(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    server, running = live
    with make_our_client(running.url, tmp_path / "cache") as client:
        task_id = make_task(client, tmp_path / "img")
        dataset = TaskDataset(client, task_id)
        expected = images(dataset)
        damaged = _chunk_files(dataset)[1]
        data = damaged.read_bytes()
        damaged.write_bytes(data[: len(data) // 2])

        with pytest.raises(DatasetCacheMissError):
            images(TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER))

        chunks = counter(server, r"^/api/tasks/\d+/data/?$")
        again = TaskDataset(client, task_id)
        assert chunks.seen == 1
        assert damaged.read_bytes() == data
        assert images(again) == expected


def test_a_chunk_gone_from_the_cache_offline_is_a_cache_miss_not_damage(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the chunk's archive was open (a frame read), then the chunk left the cache
    _, running = live
    with make_our_client(running.url, tmp_path / "cache") as client:
        task_id = make_task(client, tmp_path / "img")
        TaskDataset(client, task_id)
        offline = TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER)
        offline.samples[0].media.load_image()
        for path in _chunk_files(offline)[:1]:
            path.unlink()
        with pytest.raises(DatasetCacheMissError, match="is not in the cache"):
            offline.samples[1].media.load_image()
    assert not [r for r in caplog.records if "damaged" in r.getMessage()]


def test_corrupt_bytes_past_the_checksum_are_caught_when_read(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    # CVAT's checksum covers the size and the first 1000 bytes; zip's own CRCs catch the rest
    server, running = live
    with make_our_client(running.url, tmp_path / "cache") as client:
        task_id = make_task(client, tmp_path / "img")
        dataset = TaskDataset(client, task_id)
        expected = images(dataset)
        damaged = _chunk_files(dataset)[0]
        data = bytearray(damaged.read_bytes())
        assert len(data) > 3000
        data[2000] ^= 0xFF
        damaged.write_bytes(bytes(data))

        chunks = counter(server, r"^/api/tasks/\d+/data/?$")
        assert images(TaskDataset(client, task_id)) == expected
        assert chunks.seen == 1


def test_download_cut_off_is_retried(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    server, running = live
    with make_our_client(running.url, tmp_path / "cache") as client:
        task_id = make_task(client, tmp_path / "img")
        cut = server.faults.add(r"^/api/tasks/\d+/data/?$", method="GET", on=[1], drop_after=500)
        dataset = TaskDataset(client, task_id)
        assert cut.fired == 1
        assert len(images(dataset)) == FRAME_COUNT


_WORKER = textwrap.dedent(
    """
    import hashlib, sys
    from pathlib import Path
    from cvat_client import Config, make_client
    from cvat_client.datasets import TaskDataset
    url, user, password, cache, task_id = sys.argv[1:]
    with make_client(url, credentials=(user, password), config=Config(cache_dir=Path(cache))) as c:
        dataset = TaskDataset(c, int(task_id))
        digest = hashlib.sha256()
        for sample in dataset.samples:
            digest.update(sample.media.load_image().tobytes())
        print(digest.hexdigest())
    """
)


def test_two_processes_share_one_cache(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    server, running = live
    cache = tmp_path / "shared-cache"
    with make_our_client(running.url, tmp_path / "own-cache") as client:
        task_id = make_task(client, tmp_path / "img")
        expected = images(TaskDataset(client, task_id))
    # slow chunk answers make the two processes overlap (the result does not depend on it)
    chunks = server.faults.add(r"^/api/tasks/\d+/data/?$", method="GET", delay=0.2)
    args = [running.url, *ADMIN, str(cache), str(task_id)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=90) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [err.decode() for _, err in outputs]
    digests = {out.decode().strip() for out, _ in outputs}
    assert len(digests) == 1
    assert chunks.seen == -(-FRAME_COUNT // CHUNK)  # each chunk downloaded once in all
    with make_our_client(running.url, cache) as client:
        offline = TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER)
        assert images(offline) == expected
        leftovers = [p.name for p in offline._task_dir.rglob("*.part")]
        assert leftovers == []


def test_fetch_chunks_on_demand_downloads_only_what_is_read(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    server, running = live
    with make_our_client(running.url, tmp_path / "cache") as client:
        task_id = make_task(client, tmp_path / "img")
        chunks = counter(server, r"^/api/tasks/\d+/data/?$")
        dataset = TaskDataset(
            client, task_id, media_download_policy=MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND
        )
        assert chunks.seen == 0
        dataset.samples[4].media.load_image()
        assert chunks.seen == 1
        assert [p.name for p in _chunk_files(dataset)] == ["2.zip"]


def test_download_not_matching_its_checksum_is_retried_then_refused(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvat_client import Config, make_client
    from cvat_client.datasets import ChunkDownloadError
    from cvat_client.testing.routes import data

    real = data.chunk_checksum
    calls: list[int] = []

    def wrong_first(body: bytes) -> str:
        calls.append(len(body))
        return "12345" if len(calls) == 1 else real(body)

    _, running = live
    config = Config(cache_dir=tmp_path / "cache", download_attempts=3, status_check_period=0.01)
    with make_client(running.url, credentials=ADMIN, config=config) as client:
        task_id = make_task(client, tmp_path / "img")
        monkeypatch.setattr(data, "chunk_checksum", wrong_first)
        dataset = TaskDataset(client, task_id)
        assert len(calls) == -(-FRAME_COUNT // CHUNK) + 1  # one chunk came twice
        assert len(images(dataset)) == FRAME_COUNT

        monkeypatch.setattr(data, "chunk_checksum", lambda body: "12345")
        other = Config(cache_dir=tmp_path / "other", download_attempts=3)
        with (
            make_client(running.url, credentials=ADMIN, config=other) as fresh,
            pytest.raises(ChunkDownloadError, match="3 attempts"),
        ):
            TaskDataset(fresh, task_id)
        assert not list((tmp_path / "other").rglob("*.zip"))  # nothing half-kept


# -- stamped metadata files ------------------------------------------------------------------

STAMP = "2026-11-30T02:08:19.633186+00:00"
DATA = {"shapes": [{"frame": 1, "points": [1.5, 2.0], "label": "café", "id": None}], "n": 2**40}


def test_stamped_file_round_trip_and_stamp(tmp_path: Path) -> None:
    path = tmp_path / "annotations.marshal"
    DatasetCache.write_stamped(path, STAMP, DATA)
    assert DatasetCache.read_stamped(path, STAMP) == DATA
    assert DatasetCache.read_stamped(path, STAMP.replace("02:08", "02:09")) is None
    assert DatasetCache.read_stamped(path, STAMP[:-1]) is None  # a prefix is not the stamp
    assert DatasetCache.read_stamped(tmp_path / "missing.marshal", STAMP) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotations.marshal"]


def test_stamped_file_in_marshal_version_4_readable_by_every_python_3(tmp_path: Path) -> None:
    # format 4 has no type newer Pythons added: a cache written here reads in 3.10 to 3.14+
    path = tmp_path / "data_meta.marshal"
    DatasetCache.write_stamped(path, STAMP, DATA)
    blob = path.read_bytes()
    assert blob.endswith(marshal.dumps(DATA, 4))


@pytest.mark.parametrize(
    "damage",
    ["truncated", "flipped byte", "not ours", "empty", "header only", "json of the old layout"],
)
def test_damaged_stamped_file_reads_as_missing(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "annotations.marshal"
    DatasetCache.write_stamped(path, STAMP, DATA)
    blob = bytearray(path.read_bytes())
    if damage == "truncated":
        blob = blob[:-3]
    elif damage == "flipped byte":
        blob[-5] ^= 0x40
    elif damage == "not ours":
        blob[:4] = b"\x00\x00\x00\x00"
    elif damage == "empty":
        blob = bytearray()
    elif damage == "header only":
        blob = blob[:12]
    else:
        blob = bytearray(json.dumps({"stamp": STAMP, "data": DATA}).encode())
    path.write_bytes(bytes(blob))
    assert DatasetCache.read_stamped(path, STAMP) is None


def test_damaged_cached_annotations_are_fetched_again_or_missed_offline(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path
) -> None:
    server, running = live
    with make_our_client(running.url, tmp_path / "cache") as client:
        task_id = make_task(client, tmp_path / "img")
        first = TaskDataset(client, task_id)
        path = first._task_dir / "annotations.marshal"
        blob = bytearray(path.read_bytes())
        blob[-2] ^= 0x01
        path.write_bytes(bytes(blob))
        with pytest.raises(DatasetCacheMissError, match="annotations"):
            TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER)
        annotations = counter(server, r"^/api/tasks/\d+/annotations/?$")
        again = TaskDataset(client, task_id)
        assert annotations.seen == 1
        assert [s.annotations for s in again.samples] == [s.annotations for s in first.samples]
        offline = TaskDataset(client, task_id, update_policy=UpdatePolicy.NEVER)
        assert [s.annotations for s in offline.samples] == [s.annotations for s in first.samples]


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ([1, 2], "is not a JSON object: list"),
        ({"frames": None, "deleted_frames": []}, "does not list its frames' names"),
        ({"frames": [{"width": 4}], "deleted_frames": []}, "does not list its frames' names"),
        ({"frames": [{"name": "a.png"}], "deleted_frames": []}, "names 1 frames; the task has 5"),
    ],
    ids=["a list", "no frames", "no names", "too few"],
)
def test_a_malformed_data_meta_is_an_unsupported_dataset(
    live: tuple[CvatTestServer, LiveServer], tmp_path: Path, meta: Any, message: str
) -> None:
    server, running = live
    with make_our_client(running.url, tmp_path / "cache") as client:
        task_id = make_task(client, tmp_path / "img")
        server.faults.add(r"/data/meta/?$", status=200, body=meta)
        with pytest.raises(UnsupportedDatasetError, match=message):
            TaskDataset(client, task_id)
