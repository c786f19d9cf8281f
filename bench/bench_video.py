"""Video benchmarks: every frame of a video task as a Pillow image.

A 3,000-frame 1280x720 H.264 video (made once with ``preset=ultrafast``, then reused; 300
frames with ``--quick``) becomes a task on the test server, in a process of its own
(``_server.py``). Every measurement runs in a fresh interpreter (this file with ``--child``);
its time is ``perf_counter`` around the measured work only (client creation and login come
before):

* cvat-client: ``TaskDataset`` (``PRELOAD_ALL``, no annotations) opened, then
  ``load_image()`` on every sample, once the server has built its chunks, and once more on a
  task whose chunks the server has not built yet;
* the floor: the same file decoded locally with PyAV, ``to_image()`` on every frame;
* cvat-sdk 2.73: its only policy for video tasks, ``FETCH_FRAMES_ON_DEMAND``, one request per
  frame; it is timed on the first ``SDK_FRAMES`` frames and reported per frame and
  extrapolated to the whole task (timing it on all frames would take most of an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _table import print_table  # noqa: E402

CLIENT = "cvat-client TaskDataset"
LOCAL = "local PyAV decode"
SDK = "cvat-sdk 2.73 (frame by frame)"
SIZE = (1280, 720)
SDK_FRAMES = 100
_CHILD_TIMEOUT = 1800.0


def make_video(path: Path, frames: int) -> Path:
    """A 720p H.264 video of ``frames`` frames, moving gradients, ``preset=ultrafast``."""
    if path.exists():
        return path
    import av
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = SIZE
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    partial = path.with_suffix(".part.mp4")
    with av.open(str(partial), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "23"}
        for i in range(frames):
            rgb = np.empty((height, width, 3), np.uint8)
            rgb[..., 0] = (x + 3 * i) % 256
            rgb[..., 1] = (y + 2 * i) % 256
            rgb[..., 2] = ((x + y) / 2 + i) % 256
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    partial.rename(path)
    return path


# -- children: one measurement per fresh interpreter ------------------------------------------


def _child_client(job: dict[str, Any]) -> dict[str, Any]:
    from cvat_client import Config, make_client
    from cvat_client.datasets import TaskDataset

    client = make_client(
        job["url"], credentials=tuple(job["auth"]), config=Config(cache_dir=Path(job["cache"]))
    )
    client.tasks.retrieve(job["task"])  # login and warm connection are set-up
    start = time.perf_counter()
    dataset = TaskDataset(client, job["task"], load_annotations=False)
    opened = time.perf_counter() - start
    for sample in dataset.samples:
        sample.media.load_image().load()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "open": opened, "frames": len(dataset.samples)}


def _child_local(job: dict[str, Any]) -> dict[str, Any]:
    import av

    start = time.perf_counter()
    frames = 0
    with av.open(job["video"]) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            frame.to_image().load()
            frames += 1
    return {"seconds": time.perf_counter() - start, "frames": frames}


def _child_sdk(job: dict[str, Any]) -> dict[str, Any]:
    import cvat_sdk
    from cvat_sdk.datasets import MediaDownloadPolicy, TaskDataset

    client = cvat_sdk.make_client(job["url"], credentials=tuple(job["auth"]))
    client.config.cache_dir = Path(job["cache"])
    start = time.perf_counter()
    dataset = TaskDataset(
        client,
        job["task"],
        load_annotations=False,
        media_download_policy=MediaDownloadPolicy.FETCH_FRAMES_ON_DEMAND,
    )
    for sample in dataset.samples[: job["limit"]]:
        sample.media.load_image().load()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "frames": min(job["limit"], len(dataset.samples))}


_CHILDREN = {"client": _child_client, "local": _child_local, "sdk": _child_sdk}


def _child_main(raw: str) -> None:
    job = json.loads(raw)
    print("RESULT " + json.dumps(_CHILDREN[job["kind"]](job)), flush=True)


def _measure(job: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=_CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"error": f"timed out after {_CHILD_TIMEOUT:.0f} s"}
    for line in reversed(out.splitlines()):
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    lines = [line for line in err.strip().splitlines() if line.strip()]
    return {"error": lines[-1][:160] if lines else f"exit status {proc.returncode}"}


# -- the run -------------------------------------------------------------------------------


def _create_task(url: str, auth: tuple[str, str], video: Path, *, build: bool) -> tuple[int, int]:
    """A video task over ``video`` (its original chunks built if ``build``); id and chunks."""
    import httpx

    from cvat_client import Config, make_client

    with make_client(url, credentials=auth, config=Config(status_check_period=0.5)) as client:
        task = client.tasks.create_from_data(
            {"name": "bench-video", "labels": [{"name": "car"}]}, resources=[video]
        )
        task_id, size, chunk = int(task.id), int(task.size or 0), int(task.data_chunk_size or 36)
    chunks = -(-size // chunk)
    if build:
        with httpx.Client(base_url=url, auth=auth, timeout=600) as http:
            for number in range(chunks):
                params = {"type": "chunk", "number": number, "quality": "original"}
                http.get(f"/api/tasks/{task_id}/data", params=params).raise_for_status()
    return task_id, chunks


def run_video(*, quick: bool = False) -> None:
    """Run the video benchmarks and print their table."""
    from _server import ServerProcess

    frames = 300 if quick else 3000
    scratch = ROOT / ".bench"
    video = make_video(scratch / "video" / f"bench-{frames}.mp4", frames)
    work = Path(tempfile.mkdtemp(prefix="video-", dir=scratch))
    try:
        with ServerProcess() as server:
            base = {"url": server.url, "auth": list(server.auth)}
            start = time.perf_counter()
            task, chunks = _create_task(server.url, server.auth, video, build=True)
            built = time.perf_counter() - start
            local = _measure({"kind": "local", "video": str(video)})
            ours = _measure({**base, "kind": "client", "task": task, "cache": str(work / "c")})
            sdk = _measure(
                {**base, "kind": "sdk", "task": task, "cache": str(work / "s"), "limit": SDK_FRAMES}
            )
            unbuilt_task, _ = _create_task(server.url, server.auth, video, build=False)
            unbuilt = _measure(
                {**base, "kind": "client", "task": unbuilt_task, "cache": str(work / "u")}
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def row(name: str, result: dict[str, Any]) -> list[object]:
        if "error" in result:
            return [name, result["error"], "-", "-", "-"]
        per_frame = result["seconds"] / max(1, result["frames"])
        whole = per_frame * frames
        ratio = whole / (local["seconds"] if "error" not in local else float("nan"))
        return [name, result["frames"], f"{result['seconds']:.2f}", f"{whole:.2f}", f"{ratio:.2f}x"]

    print_table(
        f"Video task: {frames} frames of {SIZE[0]}x{SIZE[1]} as PIL images "
        f"({chunks} chunks; server built them in {built:.1f} s, upload included)",
        ["", "frames timed", "seconds", f"seconds for {frames}", "vs local decode"],
        [
            row(LOCAL, local),
            row(CLIENT + " (chunks built)", ours),
            row(CLIENT + " (chunks not built)", unbuilt),
            row(SDK, sdk),
        ],
    )
    if "error" not in ours and "error" not in sdk:
        sdk_whole = sdk["seconds"] / sdk["frames"] * frames
        print(f"cvat-client is {sdk_whole / ours['seconds']:.1f}x faster than cvat-sdk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.child:
        _child_main(args.child)
    else:
        run_video(quick=args.quick)


if __name__ == "__main__":
    main()
