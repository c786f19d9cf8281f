"""annotate_task over a video task (beyond cvat-sdk, which refuses video tasks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

av = pytest.importorskip("av")

import cvat_client.auto_annotation as our_aa  # noqa: E402
from cvat_client.datasets import MediaDownloadPolicy, TaskDataset  # noqa: E402
from tests._video import make_video  # noqa: E402
from tests.auto_annotation import bar_function  # noqa: E402

WIDTH, HEIGHT = 64, 48
START, STOP, STEP = 2, 16, 3  # source frames 2, 5, 8, 11, 14
DELETED = 2  # task frame 2 = source frame 8


def expected_left(source_frame: int) -> int:
    """Where ``tests._video.frame_image`` puts the bar of a frame."""
    bar = max(4, WIDTH // 6)
    return (source_frame * 7) % max(1, WIDTH - bar)


@pytest.fixture
def video_task(ours: Any, tmp_path: Path) -> int:
    """An H.264 video task over a range with a step, in chunks of two, with a deleted frame."""
    video = make_video(tmp_path / "clip.mp4", "libx264", WIDTH, HEIGHT, 20)
    task = ours.tasks.create_from_data(
        {"name": "video-aa", "labels": [{"name": "bar"}]},
        resources=[video],
        data_params={
            "start_frame": START,
            "stop_frame": STOP,
            "frame_step": STEP,
            "chunk_size": 2,
        },
    )
    assert task.size == 5
    task.remove_frames_by_ids([DELETED])
    return int(task.id)


def test_annotate_video_task(ours: Any, video_task: int) -> None:
    bar_function.calls.clear()
    our_aa.annotate_task(ours, video_task, bar_function, clear_existing=True)

    names = [
        s.frame_name
        for s in TaskDataset(
            ours,
            video_task,
            load_annotations=False,
            media_download_policy=MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND,
        ).samples
    ]
    assert names == ["clip.mp4"] * 4  # as the datasets name video frames
    assert bar_function.calls == [(name, (WIDTH, HEIGHT)) for name in names]

    _, response = ours.api_client.tasks_api.retrieve_annotations(video_task, _parse_response=False)
    shapes = sorted(response.json()["shapes"], key=lambda shape: shape["frame"])
    assert [s["frame"] for s in shapes] == [0, 1, 3, 4]  # the deleted frame is skipped
    for shape in shapes:
        source_frame = START + STEP * shape["frame"]
        assert abs(shape["points"][0] - expected_left(source_frame)) <= 1, shape
        assert shape["source"] == "auto"


def test_cvat_sdk_refuses_video_tasks(theirs: Any, video_task: int) -> None:
    sdk_aa = pytest.importorskip("cvat_sdk.auto_annotation")
    from cvat_sdk.datasets import UnsupportedDatasetError

    with pytest.raises(UnsupportedDatasetError):
        sdk_aa.annotate_task(theirs, video_task, bar_function)


def test_missing_pyav_names_the_extra(
    ours: Any, video_task: int, cvat_live_server: Any, cvat_admin: tuple[str, str], tmp_path: Path
) -> None:
    """A client without PyAV (here a process where it cannot be imported) gets one error
    naming the extra, and nothing is uploaded."""
    import subprocess
    import sys

    script = f"""
import sys
sys.modules["av"] = None
import cvat_client.auto_annotation as aa
from cvat_client import Config, make_client
from cvat_client._extras import MissingExtraError
from tests.auto_annotation import bar_function
config = Config(cache_dir={str(tmp_path / "no-av")!r})
with make_client({cvat_live_server.url!r}, credentials={cvat_admin!r}, config=config) as client:
    try:
        aa.annotate_task(client, {video_task}, bar_function)
    except MissingExtraError as exc:
        print(exc)
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert 'pip install "cvat-client[video]"' in run.stdout, run.stderr
    _, response = ours.api_client.tasks_api.retrieve_annotations(video_task, _parse_response=False)
    assert response.json()["shapes"] == []
