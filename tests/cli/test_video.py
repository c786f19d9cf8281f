"""``cvat-client task create`` with a video, ``task frames`` and ``task auto-annotate`` on a
video task."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from cvat_client.testing import CvatTestServer

from .conftest import Run, ok, ok_json

av = pytest.importorskip("av")


def make_video(path: Path, frames: int) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for i in range(frames):
            image = Image.new("RGB", (32, 24), (i * 20, 100, 50))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_create_video_task_with_data_options(run_cli: Run, tmp_path: Path) -> None:
    video = make_video(tmp_path / "clip.mp4", 10)
    args = ["--json", "task", "create", "clip", str(video), "--labels", "car"]
    # --use_cache is a flag, off unless given, as in cvat-cli
    options = ["--start-frame", "1", "--frame-step", "3", "--use-zip-chunks"]
    task = ok_json(run_cli(*args, *options))
    assert task["size"] == 3  # frames 1, 4, 7
    assert task["mode"] == "interpolation"
    assert task["data_compressed_chunk_type"] == "imageset"
    assert task["data_original_chunk_type"] == "video"
    outdir = tmp_path / "frames"
    ok(run_cli("task", "frames", str(task["id"]), "--outdir", str(outdir)))
    saved = sorted(outdir.iterdir())
    assert [p.suffix for p in saved] == [".png"] * 3
    with Image.open(saved[1]) as frame:
        assert frame.size == (32, 24)
        red = frame.convert("RGB").getpixel((16, 12))[0]
    assert abs(red - 4 * 20) <= 6  # source frame 4


def test_auto_annotate_a_video_task(
    run_cli: Run, tmp_path: Path, cvat_server: CvatTestServer
) -> None:
    """The function sees source frames 3, 5, 7 and 9; its box lands on each frame's bar."""
    from tests._video import make_video as make_bar_video
    from tests.auto_annotation import bar_function

    video = make_bar_video(tmp_path / "bars.webm", "libvpx", 64, 48, 12)
    args = ["--json", "task", "create", "bars", str(video), "--labels", "bar"]
    options = ["--start-frame", "3", "--stop-frame", "10", "--frame-step", "2"]
    task = ok_json(run_cli(*args, *options, "--chunk-size", "3"))
    assert task["size"] == 4
    bar_function.calls.clear()
    module = "tests.auto_annotation.bar_function"
    result = ok(run_cli("task", "auto-annotate", str(task["id"]), "--function-module", module))
    assert f"Annotated task #{task['id']}" in result.stderr
    assert [name for name, _ in bar_function.calls] == ["bars.webm"] * 4
    with cvat_server.sync_client(auth=("admin", "admin")) as http:
        shapes = http.get(f"/api/tasks/{task['id']}/annotations").json()["shapes"]
    lefts = {s["frame"]: s["points"][0] for s in sorted(shapes, key=lambda s: s["frame"])}
    assert list(lefts) == [0, 1, 2, 3]
    for frame, left in lefts.items():
        assert abs(left - (3 + 2 * frame) * 7 % 54) <= 1  # tests._video.frame_image's bar
