"""TaskDataset over video tasks: frames decoded from cached MP4 chunks (beyond cvat-sdk)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

av = pytest.importorskip("av")

from cvat_sdk import datasets as sdk_datasets  # noqa: E402

from cvat_client.datasets import MediaDownloadPolicy, TaskDataset  # noqa: E402
from tests._video import decode, make_video, psnr  # noqa: E402

SOURCE_FRAMES = 17


@pytest.fixture(scope="module")
def video_task(dataset_server: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A video task over frames 1, 4, ... 16 of an odd-sized VP8 video, with a track."""
    from tests.datasets.conftest import make_our_client

    folder = tmp_path_factory.mktemp("video")
    video = make_video(folder / "street.webm", "libvpx", 65, 49, SOURCE_FRAMES)
    with make_our_client(dataset_server[1].url, folder / "setup-cache") as client:
        task = client.tasks.create_from_data(
            {"name": "street", "labels": [{"name": "car"}]},
            resources=[video],
            data_params={"start_frame": 1, "frame_step": 3, "chunk_size": 4},
        )
        label = task.get_labels()[0].id
        box = {"type": "rectangle", "occluded": False, "z_order": 0, "rotation": 0.0}
        keyframes = [
            {
                **box,
                "frame": 1,
                "points": [0.0, 0.0, 10.0, 10.0],
                "outside": False,
                "attributes": [],
            },
            {
                **box,
                "frame": 3,
                "points": [10.0, 0.0, 20.0, 10.0],
                "outside": False,
                "attributes": [],
            },
        ]
        track = {"frame": 1, "label_id": label, "group": 0, "source": "manual", "attributes": []}
        task.set_annotations({"tracks": [{**track, "shapes": keyframes}]})
        return {"id": task.id, "size": task.size, "source": decode(video)}


@pytest.mark.parametrize("policy", list(MediaDownloadPolicy))
def test_frames_agree_with_the_source(
    video_task: dict[str, Any], our_client: Any, policy: MediaDownloadPolicy
) -> None:
    dataset = TaskDataset(
        our_client, video_task["id"], media_download_policy=policy, include_tracks=True
    )
    source = video_task["source"]
    assert len(dataset.samples) == video_task["size"] == 6  # frames 1, 4, 7, 10, 13, 16
    for index, sample in enumerate(dataset.samples):
        assert sample.frame_index == index
        assert sample.frame_name == "street.webm"
        image = sample.media.load_image()
        assert image.size == (66, 50)  # H.264 chunks round odd sizes up, as on CVAT
        assert psnr(image, source[1 + 3 * index]) >= 40
        others = [psnr(image, s) for n, s in enumerate(source) if n != 1 + 3 * index]
        assert psnr(image, source[1 + 3 * index]) > max(others)
    # random access after sequential reads decodes the right frame again
    assert psnr(dataset.samples[2].media.load_image(), source[7]) >= 40
    # the track gives shapes on frames 1..5, interpolated between its keyframes
    boxes = {s.frame_index: [sh.points for sh in s.annotations.shapes] for s in dataset.samples}
    assert boxes[0] == [] and boxes[1] == [[0.0, 0.0, 10.0, 10.0]]
    assert boxes[2] == [[5.0, 0.0, 15.0, 10.0]] and boxes[5] == [[10.0, 0.0, 20.0, 10.0]]


def test_same_frames_as_cvat_sdk_frame_by_frame(
    video_task: dict[str, Any], our_client: Any, sdk_client: Any
) -> None:
    ours = TaskDataset(our_client, video_task["id"], load_annotations=False)
    theirs = sdk_datasets.TaskDataset(
        sdk_client,
        video_task["id"],
        load_annotations=False,
        media_download_policy=sdk_datasets.MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND,
    )
    assert len(ours.samples) == len(theirs.samples)
    for mine, other in zip(ours.samples, theirs.samples, strict=True):
        assert (mine.frame_index, mine.frame_name) == (other.frame_index, other.frame_name)
        a, b = mine.media.load_image(), other.media.load_image()
        assert a.size == b.size
        assert psnr(a, b) >= 40
    with pytest.raises(sdk_datasets.UnsupportedDatasetError):  # cvat-sdk refuses video chunks
        sdk_datasets.TaskDataset(sdk_client, video_task["id"], load_annotations=False)


def test_pickled_video_dataset_reads_the_cache(
    video_task: dict[str, Any], our_client: Any, tmp_path: Path
) -> None:
    dataset = TaskDataset(our_client, video_task["id"], load_annotations=False)
    first = dataset.samples[3].media.load_image()
    copy = pickle.loads(pickle.dumps(dataset))
    assert psnr(copy.samples[3].media.load_image(), first) == float("inf")


def test_pytorch_vision_dataset_over_a_video_task(
    video_task: dict[str, Any], our_client: Any
) -> None:
    pytorch = pytest.importorskip("cvat_client.pytorch")
    dataset = pytorch.TaskVisionDataset(our_client, video_task["id"], include_tracks=True)
    assert len(dataset) == 6
    image, target = dataset[2]
    assert image.size == (66, 50)
    assert psnr(image, video_task["source"][7]) >= 40
    assert [a.points for a in target.annotations.shapes] == [[5.0, 0.0, 15.0, 10.0]]


def test_missing_pyav_names_the_extra(
    video_task: dict[str, Any], our_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvat_client._extras import MissingExtraError

    dataset = TaskDataset(our_client, video_task["id"], load_annotations=False)
    monkeypatch.setitem(__import__("sys").modules, "av", None)
    with pytest.raises(MissingExtraError, match=r'pip install "cvat-client\[video\]"'):
        dataset.samples[0].media.load_image()


def test_project_dataset_over_a_video_task(our_client: Any, tmp_path: Path) -> None:
    from cvat_client.datasets import ProjectDataset

    video = make_video(tmp_path / "yard.mp4", "libx264", 48, 32, 7)
    project = our_client.projects.create({"name": "videos", "labels": [{"name": "car"}]})
    task = our_client.tasks.create_from_data(
        {"name": "yard", "project_id": project.id, "subset": "train"},
        resources=[video],
        data_params={"frame_step": 2},
    )
    dataset = ProjectDataset(our_client, project.id, load_annotations=False)
    samples = [s for s in dataset.samples if s.task_id == task.id]
    assert [(s.frame_index, s.frame_name, s.subset) for s in samples] == [
        (i, "yard.mp4", "train") for i in range(4)
    ]
    source = decode(video)
    for sample in samples:
        assert psnr(sample.media.load_image(), source[2 * sample.frame_index]) >= 40


def test_temporary_chunks_of_a_video_task(video_task: dict[str, Any], our_client: Any) -> None:
    dataset = TaskDataset(
        our_client,
        video_task["id"],
        load_annotations=False,
        media_download_policy=MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND,
    )
    source = video_task["source"]
    with dataset.iter_samples(temporary_chunks=True) as samples:
        for sample in samples:
            image = sample.media.load_image()  # decoded from a video chunk, not a zip
            assert psnr(image, source[1 + 3 * sample.frame_index]) >= 40
            chunk_dir = sample.media._source.store.directory
    assert not chunk_dir.exists()  # the temporary chunks are gone
    assert not dataset._chunk_store.is_valid(0)  # and never went to the cache


def test_track_over_a_stepped_video_with_a_deleted_frame(our_client: Any, tmp_path: Path) -> None:
    """Task frames 0..5 are source frames 0, 2, ... 10 in chunks of two; frame 2 is deleted;
    the track's keyframes are on frames 0 and 4, and it leaves the view on frame 5."""
    video = make_video(tmp_path / "lane.mp4", "libx264", 48, 32, 12)
    task = our_client.tasks.create_from_data(
        {"name": "lane", "labels": [{"name": "car"}]},
        resources=[video],
        data_params={"frame_step": 2, "chunk_size": 2},
    )
    assert task.size == 6
    label = task.get_labels()[0].id
    box = {"type": "rectangle", "occluded": False, "z_order": 0, "rotation": 0.0}

    def keyframe(frame: int, x: float, outside: bool = False) -> dict[str, Any]:
        return {**box, "frame": frame, "points": [x, 0.0, x + 10, 10.0], "outside": outside}

    shapes = [keyframe(0, 0.0), keyframe(4, 8.0), keyframe(5, 8.0, outside=True)]
    track = {"frame": 0, "label_id": label, "group": 0, "source": "manual", "attributes": []}
    task.set_annotations(
        {"tracks": [{**track, "shapes": [{**s, "attributes": []} for s in shapes]}]}
    )
    task.remove_frames_by_ids([2])
    track_id = task.get_annotations().tracks[0].id

    dataset = TaskDataset(
        our_client,
        task.id,
        include_tracks=True,
        media_download_policy=MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND,
    )
    source = decode(video)
    found = {}
    with dataset.iter_samples(temporary_chunks=True) as samples:
        for sample in samples:
            assert psnr(sample.media.load_image(), source[2 * sample.frame_index]) >= 40
            found[sample.frame_index] = [
                (s.points, s.additional_properties["keyframe"], s.additional_properties["track_id"])
                for s in sample.annotations.shapes
            ]
    assert found == {
        0: [([0.0, 0.0, 10.0, 10.0], True, track_id)],
        1: [([2.0, 0.0, 12.0, 10.0], False, track_id)],
        3: [([6.0, 0.0, 16.0, 10.0], False, track_id)],
        4: [([8.0, 0.0, 18.0, 10.0], True, track_id)],
        5: [],  # outside from here on
    }
