"""TaskDataset side by side with cvat-sdk 2.73's on the same test-server task."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from cvat_sdk import datasets as sdk_datasets

from cvat_client.datasets import (
    DatasetCacheMissError,
    FrameAnnotations,
    MediaDownloadPolicy,
    Sample,
    TaskDataset,
    UnsupportedDatasetError,
    UpdatePolicy,
)
from tests.datasets.conftest import CHUNK_SIZE, DELETED_FRAME, FRAMES, RichTask


def plain(model: Any) -> Any:
    """A model as JSON data (both libraries' models)."""
    if hasattr(model, "to_dict"):
        model = model.to_dict()
    return json.loads(json.dumps(model, default=str))


def test_same_samples_as_cvat_sdk(rich_task: RichTask, our_client: Any, sdk_client: Any) -> None:
    ours = TaskDataset(our_client, rich_task.id)
    theirs = sdk_datasets.TaskDataset(sdk_client, rich_task.id)

    assert [plain(label) for label in ours.labels] == [plain(label) for label in theirs.labels]
    assert len(ours.samples) == len(theirs.samples) == len(FRAMES) - 1
    assert DELETED_FRAME not in [s.frame_index for s in ours.samples]
    for mine, sdk in zip(ours.samples, theirs.samples, strict=True):
        assert isinstance(mine, Sample)
        assert mine.frame_index == sdk.frame_index
        assert mine.frame_name == sdk.frame_name
        assert isinstance(mine.annotations, FrameAnnotations)
        assert [plain(t) for t in mine.annotations.tags] == [plain(t) for t in sdk.annotations.tags]
        assert [plain(s) for s in mine.annotations.shapes] == [
            plain(s) for s in sdk.annotations.shapes
        ]
        image, sdk_image = mine.media.load_image(), sdk.media.load_image()
        assert image.size == sdk_image.size == FRAMES[mine.frame_index][:2]
        assert image.mode == sdk_image.mode
        assert image.tobytes() == sdk_image.tobytes()
    kinds = {s.type for sample in ours.samples for s in sample.annotations.shapes}
    assert kinds == {"rectangle", "polygon", "polyline", "points", "ellipse", "mask", "skeleton"}
    assert (
        sum(len(s.annotations.tags) for s in ours.samples) == 2
    )  # the deleted frame's is left out


@pytest.mark.parametrize(
    "policy",
    [MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND, MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND],
)
def test_other_media_policies_agree(
    rich_task: RichTask, our_client: Any, sdk_client: Any, policy: MediaDownloadPolicy
) -> None:
    ours = TaskDataset(
        our_client, rich_task.id, media_download_policy=policy, load_annotations=False
    )
    theirs = sdk_datasets.TaskDataset(
        sdk_client,
        rich_task.id,
        media_download_policy=getattr(sdk_datasets.MediaDownloadPolicy, policy.name),
        load_annotations=False,
    )
    with ours.iter_samples() as mine_iter, theirs.iter_samples() as sdk_iter:
        pairs = list(zip(mine_iter, sdk_iter, strict=True))
    assert len(pairs) == len(FRAMES) - 1
    for mine, sdk in pairs:
        assert mine.annotations is None and sdk.annotations is None
        assert mine.media.load_image().tobytes() == sdk.media.load_image().tobytes()
    chunks = ours._task_dir / "chunks"
    cached = sorted(p.name for p in chunks.glob("*.zip")) if chunks.exists() else []
    if policy is MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND:
        assert cached == []
    else:
        assert cached == [f"{i}.zip" for i in range(-(-len(FRAMES) // CHUNK_SIZE))]


def test_temporary_chunks_leave_the_cache_empty(rich_task: RichTask, our_client: Any) -> None:
    dataset = TaskDataset(
        our_client,
        rich_task.id,
        media_download_policy=MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND,
    )
    sizes = []
    with dataset.iter_samples(temporary_chunks=True) as samples:
        for sample in samples:
            sizes.append(sample.media.load_image().size)
    assert sizes == [FRAMES[s.frame_index][:2] for s in dataset.samples]
    assert not list((dataset._task_dir / "chunks").glob("*.zip"))
    with pytest.raises(ValueError, match="FETCH_CHUNKS_ON_DEMAND") as raised:
        TaskDataset(our_client, rich_task.id).iter_samples(temporary_chunks=True).__enter__()
    assert isinstance(raised.value, AssertionError)  # what cvat-sdk's assert raises
    # no chunks to make temporary: accepted and ignored, as in cvat-sdk
    frames = TaskDataset(
        our_client,
        rich_task.id,
        media_download_policy=MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND,
        load_annotations=False,
    )
    with frames.iter_samples(temporary_chunks=True) as samples:
        assert len(list(samples)) == len(frames.samples)


def test_chunks_go_through_ensure_chunk_in_dir(rich_task: RichTask, our_client: Any) -> None:
    """cvat-sdk's internals that scripts and tests patch: ``_cache_manager.chunk_dir(id)``
    is ``_chunk_dir``, where the cached chunks are ``<index>.zip``, and every chunk the
    iterator needs goes through ``_ensure_chunk_in_dir(chunk_dir, index)``."""
    TaskDataset(our_client, rich_task.id, media_download_policy=MediaDownloadPolicy.PRELOAD_ALL)
    dataset = TaskDataset(
        our_client,
        rich_task.id,
        media_download_policy=MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND,
        load_annotations=False,
    )
    chunk_dir = dataset._cache_manager.chunk_dir(rich_task.id)
    assert chunk_dir == dataset._chunk_dir
    count = -(-len(FRAMES) // CHUNK_SIZE)
    assert sorted(p.name for p in chunk_dir.glob("*.zip")) == [f"{i}.zip" for i in range(count)]
    seen: list[tuple[Any, int]] = []
    original = dataset._ensure_chunk_in_dir

    def spy(where: Any, index: int) -> None:
        seen.append((where, index))
        original(where, index)

    dataset._ensure_chunk_in_dir = spy  # type: ignore[method-assign]
    with dataset.iter_samples() as samples:
        assert len(list(samples)) == len(dataset.samples)
    assert sorted(seen, key=lambda s: s[1]) == [(chunk_dir, i) for i in range(count)]
    seen.clear()
    with dataset.iter_samples(temporary_chunks=True) as samples:
        first = next(samples)
        temp_dir = seen[0][0]
        assert temp_dir != chunk_dir and (temp_dir / "0.zip").is_file()
        assert first.media.load_image().size == FRAMES[first.frame_index][:2]
        rest = list(samples)
    assert len(rest) == len(dataset.samples) - 1
    assert {where for where, _ in seen} == {temp_dir} and not temp_dir.exists()


def test_offline_policy_reads_the_cache_only(rich_task: RichTask, our_client: Any) -> None:
    with pytest.raises(DatasetCacheMissError) as info:
        TaskDataset(our_client, rich_task.id, update_policy=UpdatePolicy.NEVER)
    assert isinstance(info.value, FileNotFoundError)
    online = TaskDataset(our_client, rich_task.id)
    with pytest.raises(ValueError, match="NEVER"):
        TaskDataset(
            our_client,
            rich_task.id,
            update_policy=UpdatePolicy.NEVER,
            media_download_policy=MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND,
        )
    offline = TaskDataset(our_client, rich_task.id, update_policy=UpdatePolicy.NEVER)
    assert [
        plain(s.annotations.shapes[0]) if s.annotations.shapes else None for s in offline.samples
    ] == [plain(s.annotations.shapes[0]) if s.annotations.shapes else None for s in online.samples]


def test_pickled_dataset_reads_the_cache_without_a_connection(
    rich_task: RichTask, our_client: Any
) -> None:
    dataset = TaskDataset(our_client, rich_task.id)
    copy = pickle.loads(pickle.dumps(dataset))
    assert [s.frame_name for s in copy.samples] == [s.frame_name for s in dataset.samples]
    assert (
        copy.samples[2].media.load_image().tobytes()
        == dataset.samples[2].media.load_image().tobytes()
    )
    data = pickle.dumps(dataset)
    assert b"httpx" not in data and b"core.client" not in data  # no live connection inside
    assert copy._source.fetcher is None


def test_task_without_data_is_unsupported(our_client: Any) -> None:
    task = our_client.tasks.create({"name": "empty", "labels": [{"name": "a"}]})
    with pytest.raises(UnsupportedDatasetError, match="no data"):
        TaskDataset(our_client, task.id)


def test_one_request_at_a_time_gives_the_same_dataset(
    rich_task: RichTask, server_url: str, tmp_path: Any
) -> None:
    from cvat_client import Config, make_client
    from tests.datasets.conftest import ADMIN

    config = Config(cache_dir=tmp_path / "serial", max_concurrency=1)
    with make_client(server_url, credentials=ADMIN, config=config) as client:
        serial = TaskDataset(client, rich_task.id, include_tracks=True)
        with serial.iter_samples() as samples:
            images = [s.media.load_image().tobytes() for s in samples]
    with make_client(server_url, credentials=ADMIN, config=Config(cache_dir=tmp_path / "c")) as c:
        parallel = TaskDataset(c, rich_task.id, include_tracks=True)
        assert [s.annotations for s in serial.samples] == [s.annotations for s in parallel.samples]
        assert images == [s.media.load_image().tobytes() for s in parallel.samples]
