"""Datasets benchmarks: a task pulled into a local dataset, reopened, and fed to PyTorch.

Against the test server in a process of its own (``_server.py``) with ``--latency 0.02`` (a
20 ms delay on every request), on a fresh task per run: 1,000 JPEGs of 640x480 (~60 KB), 72
frames per chunk, one rectangle per frame. Every measurement runs in a fresh interpreter
(this file with ``--child``); its time is ``perf_counter`` around the measured call only
(client creation and login come before), its memory the growth of the peak resident set.

* first pull: ``TaskDataset`` with ``PRELOAD_ALL`` and annotations, cvat-client vs cvat-sdk
  vs the floor (the same chunks downloaded with plain httpx, ``Config.max_concurrency``
  in parallel), the server's chunks built beforehand; cvat-client once more on a task whose
  chunks the server has not built yet;
* reopening from the cache: ``UpdatePolicy.NEVER`` and ``IF_MISSING_OR_STALE``, next to one
  round trip (``GET /api/tasks/{id}``);
* one epoch of a ``DataLoader`` (batch 32, two workers) over ``TaskVisionDataset`` vs over a
  plain dataset of the same JPEG files on disk (the target's measure), and over one that also
  returns the same box targets, read from a local annotation file (like for like: a
  target's tensors cross from the workers to the main process too);
* peak memory growth of the first pull at 1,000 and 5,000 frames.
"""

from __future__ import annotations

import argparse
import io
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

from _memory import peak_growth, reset_peak  # noqa: E402
from _table import print_table  # noqa: E402

CLIENT = "cvat-client"
SDK = "cvat-sdk 2.73"
FLOOR = "httpx floor"
PLAIN = "plain files"
PLAIN_BOXES = "plain files, same targets"
RECTANGLE = [10.0, 20.0, 110.0, 220.0]  # one per frame
LATENCY = 0.02
SIZE = (640, 480)
CHUNK = 72
MiB = 1024 * 1024
_CHILD_TIMEOUT = 900.0


# -- data ----------------------------------------------------------------------------------


def make_images(folder: Path, count: int) -> list[Path]:
    """``count`` JPEGs of 640x480, about 60 KB each (made once, then reused)."""
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    rng = np.random.default_rng(0)
    for index in range(count):
        path = folder / f"frame_{index:05d}.jpg"
        if not path.exists():
            small = rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)
            base = Image.fromarray(small).resize(SIZE, Image.Resampling.BICUBIC)
            noisy = np.asarray(base).astype(np.int16) + rng.integers(-12, 12, (480, 640, 3))
            buf = io.BytesIO()
            Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(
                buf, format="JPEG", quality=66
            )
            path.write_bytes(buf.getvalue())
        paths.append(path)
    return paths


# -- the measured side ---------------------------------------------------------------------


def _ours(job: dict[str, Any]) -> Any:
    from cvat_client import Config, make_client
    from cvat_client.api_client import models
    from cvat_client.core.proxies import tasks  # noqa: F401

    # imports are set-up, as for cvat-sdk (whose make_client imports every model)
    for name in ("TaskRead", "Label", "DataMetaRead", "LabeledShape", "LabeledImage"):
        getattr(models, name)
    return make_client(
        job["url"], credentials=tuple(job["auth"]), config=Config(cache_dir=Path(job["cache"]))
    )


def _child_pull(job: dict[str, Any]) -> dict[str, Any]:
    impl = job["impl"]
    if impl == CLIENT:
        from cvat_client.datasets import TaskDataset, UpdatePolicy

        client = _ours(job)
        policy = UpdatePolicy[job.get("policy", "IF_MISSING_OR_STALE")]
        baseline = reset_peak()
        start = time.perf_counter()
        dataset = TaskDataset(client, job["task"], update_policy=policy)
        seconds = time.perf_counter() - start
        frames = len(dataset.samples)
    elif impl == SDK:
        import cvat_sdk
        from cvat_sdk.datasets import TaskDataset as SdkTaskDataset

        client = cvat_sdk.make_client(job["url"], credentials=tuple(job["auth"]))
        client.config.cache_dir = Path(job["cache"])
        baseline = reset_peak()
        start = time.perf_counter()
        frames = len(SdkTaskDataset(client, job["task"]).samples)
        seconds = time.perf_counter() - start
    else:
        from concurrent.futures import ThreadPoolExecutor

        import httpx

        # unencoded, as cvat-sdk (urllib3 asks for no encoding) and cvat-client ask for media
        unencoded = {"Accept-Encoding": "identity"}
        chunks, out = job["chunks"], Path(job["cache"])
        out.mkdir(parents=True, exist_ok=True)
        http = httpx.Client(base_url=job["url"], auth=tuple(job["auth"]), timeout=60)
        http.get("/api/users/self").raise_for_status()

        def fetch(number: int) -> None:
            params = {"type": "chunk", "number": number, "quality": "original"}
            path = f"/api/tasks/{job['task']}/data"
            with (
                http.stream("GET", path, params=params, headers=unencoded) as response,
                (out / f"{number}.zip").open("wb") as stream,
            ):
                response.raise_for_status()
                for block in response.iter_bytes():
                    stream.write(block)

        baseline = reset_peak()
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(fetch, range(chunks)))
        seconds = time.perf_counter() - start
        frames = job["frames"]
    return {"seconds": seconds, "rss_growth": peak_growth(baseline), "frames": frames}


def _child_rtt(job: dict[str, Any]) -> dict[str, Any]:
    client = _ours(job)
    client.tasks.retrieve(job["task"])  # warm the connection
    times = []
    for _ in range(5):
        start = time.perf_counter()
        client.api_client.tasks_api.retrieve(job["task"])
        times.append(time.perf_counter() - start)
    return {"seconds": sorted(times)[2]}


def _child_epoch(job: dict[str, Any]) -> dict[str, Any]:
    import torch.utils.data
    from PIL import Image
    from torchvision.transforms import PILToTensor

    def collate(batch: Any) -> Any:
        return tuple(zip(*batch, strict=True))

    if job["impl"] == CLIENT:
        from cvat_client.pytorch import ExtractBoundingBoxes, TaskVisionDataset

        dataset: Any = TaskVisionDataset(
            _ours(job),
            job["task"],
            transform=PILToTensor(),
            target_transform=ExtractBoundingBoxes(include_shape_types=["rectangle"]),
        )
    else:
        files = sorted(Path(job["images"]).glob("*.jpg"))[: job["frames"]]
        # the same targets as ExtractBoundingBoxes gives, read from a local annotation file
        boxes = json.loads(Path(job["boxes"]).read_text()) if job["impl"] == PLAIN_BOXES else None

        class Plain(torch.utils.data.Dataset[Any]):
            def __len__(self) -> int:
                return len(files)

            def __getitem__(self, index: int) -> Any:
                with Image.open(files[index]) as image:
                    image.load()
                    tensor = PILToTensor()(image)
                if boxes is None:
                    return tensor, {}
                frame = boxes[files[index].name]
                return tensor, {
                    "boxes": torch.tensor(frame["boxes"], dtype=torch.float),
                    "labels": torch.tensor(frame["labels"], dtype=torch.long),
                }

        dataset = Plain()
    loader = torch.utils.data.DataLoader(dataset, batch_size=32, num_workers=2, collate_fn=collate)
    start = time.perf_counter()
    count = sum(len(batch[0]) for batch in loader)
    return {"seconds": time.perf_counter() - start, "frames": count}


_CHILDREN = {"pull": _child_pull, "rtt": _child_rtt, "epoch": _child_epoch}


def _child_main(spec: str) -> None:
    import logging

    logging.disable(logging.WARNING)
    job = json.loads(spec)
    print("RESULT " + json.dumps(_CHILDREN[job["kind"]](job)), flush=True)


# -- the orchestrating side ----------------------------------------------------------------


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


def _create_task(url: str, auth: tuple[str, str], paths: list[Path], *, build: bool) -> int:
    """A fresh task over ``paths`` with a rectangle per frame; its chunks built if ``build``."""
    import httpx

    from cvat_client import Config, make_client

    with make_client(url, credentials=auth, config=Config(status_check_period=0.2)) as client:
        task = client.tasks.create_from_data(
            {"name": "bench-datasets", "labels": [{"name": "car", "type": "rectangle"}]},
            resources=paths,
            data_params={"chunk_size": CHUNK, "image_quality": 70},
        )
        label = task.get_labels()[0].id
        shapes = [
            {"type": "rectangle", "frame": i, "label_id": label, "points": RECTANGLE}
            for i in range(len(paths))
        ]
        task.set_annotations({"shapes": shapes})
        task_id = int(task.id)
    if build:
        with httpx.Client(base_url=url, auth=auth, timeout=120) as http:
            for number in range(-(-len(paths) // CHUNK)):
                params = {"type": "chunk", "number": number, "quality": "original"}
                http.get(f"/api/tasks/{task_id}/data", params=params).raise_for_status()
    return task_id


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _cell(runs: list[dict[str, Any]], key: str = "seconds") -> str:
    good = [r[key] for r in runs if "error" not in r]
    if not good:
        return runs[0]["error"] if runs else "-"
    return f"{_median(good):.3f}"


def run_datasets(*, quick: bool = False) -> None:
    """Run every datasets benchmark and print its tables."""
    from _server import ServerProcess

    frames = 200 if quick else 1000
    big = 1000 if quick else 5000
    reps = 1 if quick else 3
    scratch = ROOT / ".bench"
    images = make_images(scratch / "dataset-images", big)
    work = Path(tempfile.mkdtemp(prefix="datasets-", dir=scratch))
    try:
        with ServerProcess(latency=LATENCY) as server:
            base = {"url": server.url, "auth": list(server.auth)}
            chunks = -(-frames // CHUNK)
            pulls: dict[str, list[dict[str, Any]]] = {CLIENT: [], SDK: [], FLOOR: []}
            reopen_never: list[dict[str, Any]] = []
            reopen_stale: list[dict[str, Any]] = []
            rtts: list[dict[str, Any]] = []
            for rep in range(reps):
                task = _create_task(server.url, server.auth, images[:frames], build=True)
                for impl in (CLIENT, SDK, FLOOR):
                    cache = work / f"{impl.split()[0]}-{rep}"
                    job = {**base, "kind": "pull", "impl": impl, "task": task, "cache": str(cache)}
                    pulls[impl].append(_measure({**job, "chunks": chunks, "frames": frames}))
                ours_cache = str(work / f"{CLIENT}-{rep}")
                job = {**base, "kind": "pull", "impl": CLIENT, "task": task, "cache": ours_cache}
                reopen_never.append(_measure({**job, "policy": "NEVER"}))
                reopen_stale.append(_measure({**job, "policy": "IF_MISSING_OR_STALE"}))
                rtts.append(_measure({**base, "kind": "rtt", "task": task, "cache": ours_cache}))
            unbuilt_task = _create_task(server.url, server.auth, images[:frames], build=False)
            unbuilt = _measure(
                {
                    **base,
                    "kind": "pull",
                    "impl": CLIENT,
                    "task": unbuilt_task,
                    "cache": str(work / "unbuilt"),
                }
            )
            epoch_task = _create_task(server.url, server.auth, images[:frames], build=True)
            epoch_cache = str(work / "epoch")
            boxes = work / "boxes.json"  # the task's rectangles, as a local annotation file
            boxes.write_text(
                json.dumps(
                    {path.name: {"boxes": [RECTANGLE], "labels": [0]} for path in images[:frames]}
                )
            )
            _measure(
                {**base, "kind": "pull", "impl": CLIENT, "task": epoch_task, "cache": epoch_cache}
            )
            epochs = {
                impl: [
                    _measure(
                        {
                            **base,
                            "kind": "epoch",
                            "impl": impl,
                            "task": epoch_task,
                            "cache": epoch_cache,
                            "images": str(images[0].parent),
                            "boxes": str(boxes),
                            "frames": frames,
                        }
                    )
                    for _ in range(reps)
                ]
                for impl in (CLIENT, PLAIN, PLAIN_BOXES)
            }
            big_task = _create_task(server.url, server.auth, images[:big], build=True)
            big_pull = _measure(
                {
                    **base,
                    "kind": "pull",
                    "impl": CLIENT,
                    "task": big_task,
                    "cache": str(work / "big"),
                }
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def med(runs: list[dict[str, Any]]) -> float | None:
        good = [r["seconds"] for r in runs if "error" not in r]
        return _median(good) if good else None

    ours, sdk, floor = med(pulls[CLIENT]), med(pulls[SDK]), med(pulls[FLOOR])
    print_table(
        f"First pull: {frames} frames, {chunks} chunks, {LATENCY * 1000:.0f} ms latency "
        f"(median of {reps}, seconds)",
        ["", "seconds", "peak RSS growth (MiB)"],
        [
            [impl, _cell(runs), f"{max(r.get('rss_growth', 0) for r in runs) / MiB:.1f}"]
            for impl, runs in pulls.items()
        ]
        + [[f"{CLIENT}, chunks not built yet", _cell([unbuilt]), "-"]],
    )
    if ours and sdk and floor:
        print(
            f"  cvat-sdk / cvat-client: {sdk / ours:.2f}x (target >= 1.3x); "
            f"cvat-client / floor: {ours / floor:.2f}x (target <= 1.25x)"
        )
    never, stale, rtt = med(reopen_never), med(reopen_stale), med(rtts)
    print_table(
        "Reopen from the cache (median, seconds)",
        ["", "seconds", "target"],
        [
            ["UpdatePolicy.NEVER", _cell(reopen_never), f"<= {0.05 * ours:.3f}" if ours else "-"],
            ["IF_MISSING_OR_STALE", _cell(reopen_stale), f"<= {rtt + 0.03:.3f}" if rtt else "-"],
            ["one round trip", _cell(rtts), ""],
        ],
    )
    if never is not None and stale is not None and ours:
        print(f"  NEVER: {never / ours:.1%} of the first pull")
    client_epoch, plain_epoch = med(epochs[CLIENT]), med(epochs[PLAIN])
    boxes_epoch = med(epochs[PLAIN_BOXES])
    print_table(
        f"One DataLoader epoch: {frames} frames, batch 32, 2 workers (median, seconds)",
        ["", "seconds"],
        [[impl, _cell(runs)] for impl, runs in epochs.items()],
    )
    if client_epoch and plain_epoch:
        print(
            f"  TaskVisionDataset / plain files: {client_epoch / plain_epoch:.2f}x (target <= 1.5x)"
        )
    if client_epoch and boxes_epoch:
        print(
            f"  TaskVisionDataset / plain files with the same box targets: "
            f"{client_epoch / boxes_epoch:.2f}x (the targets' tensors cross from the workers too)"
        )
    small_growth = max(r.get("rss_growth", 0) for r in pulls[CLIENT])
    print_table(
        "cvat-client first pull: peak RSS growth by task size (MiB)",
        ["frames", "seconds", "peak RSS growth"],
        [
            [frames, _cell(pulls[CLIENT]), f"{small_growth / MiB:.1f}"],
            [big, _cell([big_pull]), f"{big_pull.get('rss_growth', 0) / MiB:.1f}"],
        ],
    )
    if "error" not in big_pull:
        print(
            f"  difference: {(big_pull['rss_growth'] - small_growth) / MiB:.1f} MiB (target <= 16)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.child:
        _child_main(args.child)
    else:
        run_datasets(quick=args.quick)


if __name__ == "__main__":
    main()
