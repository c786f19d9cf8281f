"""``cvat-client task create`` with a video and ``task frames`` on a video task."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

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
