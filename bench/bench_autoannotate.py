#!/usr/bin/env python3
"""Auto-annotation: cvat-client's annotate_task vs cvat-sdk's, side by side in one run.

    python bench/bench_autoannotate.py                    # 500 frames, 20 ms latency
    python bench/bench_autoannotate.py --frames 100 --latency 0.02 --runs 3

A task of 640x480 JPEGs on the test server in its own process (``bench/_server.py``), every
request delayed by ``--latency`` seconds. The function sleeps 5 ms per frame
(simulated inference) and returns 20 boxes built with each SDK's own builders. Each run is
a fresh client process with an empty cache; the table gives the best run's end-to-end time,
the function's own total time, and the client's peak RSS growth during the call. Before the
timed call each client process runs once on a one-frame task, so that what both SDKs load
on first use (ours imports lazily) is not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _memory import peak_growth, reset_peak  # noqa: E402
from _server import ServerProcess  # noqa: E402

SLEEP = 0.005
BOXES = 20
LABELS = [{"name": "object", "type": "rectangle"}]


@contextlib.contextmanager
def _server(latency: float) -> Any:
    """The test server in its own process, every request delayed by ``latency`` seconds."""
    with ServerProcess(latency=latency) as server:
        yield server.url, server.auth


def _images(folder: Path, count: int) -> list[Path]:
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(1)
    paths = []
    for i in range(count):
        image = Image.new("RGB", (640, 480), (rng.randrange(256), 90, 160))
        draw = ImageDraw.Draw(image)
        for _ in range(40):
            x, y = rng.randrange(600), rng.randrange(440)
            draw.rectangle([x, y, x + 40, y + 40], fill=(rng.randrange(256),) * 3)
        path = folder / f"frame_{i:05d}.jpg"
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=85)
        path.write_bytes(buf.getvalue())
        paths.append(path)
    return paths


# Client side ---------------------------------------------------------------------------


def _function(aa: Any) -> Any:
    class Sleepy:
        spec = aa.DetectionFunctionSpec(labels=[aa.label_spec("object", 0)])
        own_time = 0.0

        def detect(self, context: Any, image: Any) -> list[Any]:
            start = time.perf_counter()
            time.sleep(SLEEP)
            shapes = [
                aa.rectangle(0, [float(i), float(i), i + 10.0, i + 10.0]) for i in range(BOXES)
            ]
            type(self).own_time += time.perf_counter() - start
            return shapes

    return Sleepy()


def _child(job: dict[str, Any]) -> None:
    """Run one annotate_task in this (fresh) process; print the measurements as JSON."""
    with tempfile.TemporaryDirectory(prefix="cvat-bench-cache-") as cache:
        if job["impl"] == "cvat-sdk":
            import cvat_sdk
            import cvat_sdk.auto_annotation as aa

            client = cvat_sdk.make_client(job["url"], credentials=tuple(job["auth"]))
            client.config.cache_dir = Path(cache)
            import logging

            client.logger.setLevel(logging.WARNING)
        else:
            import PIL.Image  # noqa: F401 - imports these before the timing starts too

            import cvat_client.auto_annotation as aa
            import cvat_client.datasets  # noqa: F401 - imported lazily by the call; cvat-sdk
            from cvat_client import make_client
            from cvat_client.core.config import Config

            client = make_client(
                job["url"], credentials=tuple(job["auth"]), config=Config(cache_dir=cache)
            )
        with client:
            # A warm-up run on a one-frame task: modules that are imported on first use
            # (ours imports lazily, cvat-sdk at import time) are loaded before the timing.
            aa.annotate_task(client, job["warmup_task_id"], _function(aa))
            function = _function(aa)
            baseline = reset_peak()
            start = time.perf_counter()
            aa.annotate_task(client, job["task_id"], function)
            wall = time.perf_counter() - start
            growth = peak_growth(baseline)
    print(json.dumps({"wall": wall, "function": function.own_time, "rss": growth}))


def _run_child(job: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(job)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{job['impl']} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# Orchestration -------------------------------------------------------------------------


def run(frames_list: list[int], latency: float, runs: int) -> None:
    from cvat_client import make_client
    from cvat_client.core.config import Config

    print(
        f"\n## Auto-annotation: {BOXES} boxes per frame, function sleeps {SLEEP * 1000:g} ms, "
        f"{latency * 1000:g} ms latency per request (best of {runs})\n"
    )
    print(
        "| frames | client | end to end (s) | function's own (s) | ratio | peak RSS growth (MiB) |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    with (
        _server(latency) as (url, auth),
        tempfile.TemporaryDirectory(prefix="cvat-bench-img-") as tmp,
        make_client(url, credentials=auth, config=Config(cache_dir=Path(tmp) / "c")) as client,
    ):
        all_images = _images(Path(tmp), max(frames_list))
        warmup = client.tasks.create_from_data(
            {"name": "bench-warmup", "labels": LABELS}, resources=[str(all_images[0])]
        )
        results: dict[tuple[int, str], dict[str, Any]] = {}
        for frames in frames_list:
            task = client.tasks.create_from_data(
                {"name": f"bench-{frames}", "labels": LABELS},
                resources=[str(p) for p in all_images[:frames]],
            )
            for impl in ("cvat-sdk", "cvat-client"):
                best: dict[str, Any] | None = None
                for _ in range(runs):
                    task.remove_annotations()
                    result = _run_child(
                        {
                            "impl": impl,
                            "url": url,
                            "auth": list(auth),
                            "task_id": task.id,
                            "warmup_task_id": warmup.id,
                        }
                    )
                    stored = len(task.get_annotations().shapes)
                    if stored != frames * BOXES:
                        raise RuntimeError(f"{impl}: {stored} shapes, not {frames * BOXES}")
                    if best is None or result["wall"] < best["wall"]:
                        best = result
                assert best is not None
                results[(frames, impl)] = best
                print(
                    f"| {frames} | {impl} | {best['wall']:.2f} | {best['function']:.2f} "
                    f"| {best['wall'] / best['function']:.2f} | {best['rss'] / 2**20:.1f} |",
                    flush=True,
                )
        for frames in frames_list:
            sdk, ours = results[(frames, "cvat-sdk")], results[(frames, "cvat-client")]
            print(
                f"\n{frames} frames: cvat-client {sdk['wall'] / ours['wall']:.2f}x faster end "
                f"to end; {ours['wall'] / ours['function']:.2f}x the function's own time"
            )


def run_suite(*, quick: bool = False) -> None:
    """The ``make bench`` entry: 100 and 500 frames (only 100 with ``quick``)."""
    run([100] if quick else [100, 500], 0.02, 1 if quick else 2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=int, nargs="*", default=[100, 500])
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(json.loads(args.child))
    else:
        run(args.frames, args.latency, args.runs)


if __name__ == "__main__":
    main()
