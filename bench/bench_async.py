"""Many small operations against a distant server: cvat-sdk sequential, cvat-client sync
sequential, cvat-client bulk helpers, cvat-client async.

Against the test server in a process of its own (``_server.py``) with ``--latency`` (default
50 ms added before every request), with JPEGs of 640x480 (~60 KB):

* (a) the annotations of every job of a task with ``--jobs`` jobs (one frame each);
* (b) ``--frames`` single frames of a task (``get_frame``, original quality);
* (c) creating ``--tasks`` small tasks with data (two images each), every client polling
  with ``status_check_period=0.1``. The test server processes background requests one at
  a time, as a CVAT with a single worker would: the clients overlap uploads and status
  checks, not the processing.

Every client does the same requests for a workload; wall time around the workload only
(client creation and login come before). The async client and the bulk helpers run with
``Config.max_concurrency = --concurrency`` (default 16).

    python bench/bench_async.py [--latency 0.05] [--jobs 200] [--frames 500] [--tasks 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _server import ServerProcess  # noqa: E402
from bench_datasets import make_images  # noqa: E402

LABELS = [{"name": "car"}, {"name": "person"}]


def _ours(url: str, auth: tuple[str, str], concurrency: int) -> Any:
    from cvat_client import Config, make_client

    config = Config(status_check_period=0.1, max_concurrency=concurrency)
    return make_client(url, credentials=auth, config=config)


def _sdk(url: str, auth: tuple[str, str]) -> Any:
    import cvat_sdk

    client = cvat_sdk.make_client(url, credentials=auth)
    client.config.status_check_period = 0.1
    return client


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _async_timed(url: str, auth: tuple[str, str], concurrency: int, work: Any) -> float:
    from cvat_client import Config, make_async_client

    async def main() -> float:
        config = Config(status_check_period=0.1, max_concurrency=concurrency)
        async with make_async_client(url, credentials=auth, config=config) as client:
            started = time.perf_counter()
            await work(client)
            return time.perf_counter() - started

    return asyncio.run(main())


def _setup_task(url: str, auth: tuple[str, str], images: list[Path], segment_size: int) -> int:
    with _ours(url, auth, 4) as client:
        task = client.tasks.create_from_data(
            {"name": "bench", "labels": LABELS, "segment_size": segment_size},
            images,
            data_params={"image_quality": 70},
        )
        label = task.get_labels()[0].id
        shapes = [
            {"type": "rectangle", "frame": i, "label_id": label, "points": [1, 2, 30, 40]}
            for i in range(task.size)
        ]
        task.set_annotations({"shapes": shapes})
        return int(task.id)


def bench_jobs(url: str, auth: tuple[str, str], task_id: int, concurrency: int) -> dict[str, float]:
    results: dict[str, float] = {}
    with _sdk(url, auth) as sdk:

        def sdk_run() -> None:
            for job in sdk.tasks.retrieve(task_id).get_jobs():
                job.get_annotations()

        results["cvat-sdk sequential"] = _timed(sdk_run)
    with _ours(url, auth, concurrency) as ours:

        def sync_run() -> None:
            for job in ours.tasks.retrieve(task_id).get_jobs():
                job.get_annotations()

        def bulk_run() -> None:
            jobs = ours.tasks.retrieve(task_id).get_jobs()
            ours.bulk.get_jobs_annotations([job.id for job in jobs])

        results["cvat-client sync sequential"] = _timed(sync_run)
        results["cvat-client bulk helpers"] = _timed(bulk_run)

    async def async_run(client: Any) -> None:
        jobs = await (await client.tasks.retrieve(task_id)).get_jobs()
        await asyncio.gather(*(job.get_annotations() for job in jobs))

    results["cvat-client async"] = _async_timed(url, auth, concurrency, async_run)
    return results


def bench_frames(
    url: str, auth: tuple[str, str], task_id: int, count: int, concurrency: int
) -> dict[str, float]:
    results: dict[str, float] = {}
    ids = list(range(count))
    with _sdk(url, auth) as sdk:
        task = sdk.tasks.retrieve(task_id)
        results["cvat-sdk sequential"] = _timed(
            lambda: [task.get_frame(i, quality="original") for i in ids]
        )
    with _ours(url, auth, concurrency) as ours:
        mine = ours.tasks.retrieve(task_id)
        results["cvat-client sync sequential"] = _timed(
            lambda: [mine.get_frame(i, quality="original") for i in ids]
        )
        results["cvat-client bulk helpers"] = _timed(
            lambda: ours.bulk.get_frames(task_id, ids, quality="original")
        )

    async def async_run(client: Any) -> None:
        task = await client.tasks.retrieve(task_id)
        await asyncio.gather(*(task.get_frame(i, quality="original") for i in ids))

    results["cvat-client async"] = _async_timed(url, auth, concurrency, async_run)
    return results


def bench_tasks(
    url: str,
    auth: tuple[str, str],
    images: list[Path],
    count: int,
    concurrency: int,
    prefix: str = "",
) -> dict[str, float]:
    results: dict[str, float] = {}
    pair = images[:2]

    def spec(who: str, i: int) -> dict[str, Any]:
        return {"name": f"{prefix}{who}-{i}", "labels": LABELS}

    with _sdk(url, auth) as sdk:
        results["cvat-sdk sequential"] = _timed(
            lambda: [
                sdk.tasks.create_from_data(spec("sdk", i), resources=[str(p) for p in pair])
                for i in range(count)
            ]
        )
    with _ours(url, auth, concurrency) as ours:
        results["cvat-client sync sequential"] = _timed(
            lambda: [ours.tasks.create_from_data(spec("sync", i), pair) for i in range(count)]
        )
        results["cvat-client bulk helpers"] = _timed(
            lambda: ours.bulk.create_tasks_from_data(
                [{"spec": spec("bulk", i), "resources": pair} for i in range(count)]
            )
        )

    async def async_run(client: Any) -> None:
        await asyncio.gather(
            *(client.tasks.create_from_data(spec("async", i), pair) for i in range(count))
        )

    results["cvat-client async"] = _async_timed(url, auth, concurrency, async_run)
    return results


def _table(title: str, results: dict[str, float]) -> str:
    base = results["cvat-sdk sequential"]
    lines = [f"\n{title}", "| client | seconds | vs cvat-sdk |", "| --- | ---: | ---: |"]
    for name, seconds in results.items():
        lines.append(f"| {name} | {seconds:.2f} | {base / seconds:.1f}x |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per request")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--only", choices=["jobs", "frames", "tasks"], action="append", help="run only these"
    )
    parser.add_argument(
        "--host", help="run (c) only, against this server (a real CVAT) instead of the test server"
    )
    parser.add_argument("--auth", help="user:password for --host")
    parser.add_argument(
        "--prefix", default="bench-async-", help="name prefix of the tasks made on --host"
    )
    args = parser.parse_args()
    if args.host:
        _real(args)
        return
    run_suite(
        latency=args.latency,
        jobs=args.jobs,
        frames=args.frames,
        tasks=args.tasks,
        concurrency=args.concurrency,
        only=set(args.only or ["jobs", "frames", "tasks"]),
    )


def run_async(*, quick: bool = False) -> None:
    """The suite of ``make bench`` (``--quick``: a tenth of the work)."""
    scale = 10 if quick else 1
    run_suite(latency=0.05, jobs=200 // scale, frames=500 // scale, tasks=50 // scale)


def run_suite(
    *,
    latency: float,
    jobs: int,
    frames: int,
    tasks: int,
    concurrency: int = 16,
    only: set[str] | None = None,
) -> None:
    """(a), (b) and (c) against the test server in a process of its own."""
    only = only or {"jobs", "frames", "tasks"}
    with tempfile.TemporaryDirectory(dir=ROOT) as scratch:
        images = make_images(ROOT / ".bench" / "images-640x480", max(jobs, frames, 2))
        with ServerProcess(latency=latency, scratch=Path(scratch)) as server:
            url, auth = server.url, server.auth
            print(f"latency {latency * 1000:.0f} ms, concurrency {concurrency}")
            if "jobs" in only:
                task_id = _setup_task(url, auth, images[:jobs], segment_size=1)
                title = f"(a) annotations of {jobs} jobs"
                print(_table(title, bench_jobs(url, auth, task_id, concurrency)), flush=True)
            if "frames" in only:
                task_id = _setup_task(url, auth, images[:frames], segment_size=100)
                results = bench_frames(url, auth, task_id, frames, concurrency)
                print(_table(f"(b) {frames} single frames", results), flush=True)
            if "tasks" in only:
                results = bench_tasks(url, auth, images, tasks, concurrency)
                print(_table(f"(c) {tasks} small tasks with data", results), flush=True)


def _real(args: argparse.Namespace) -> None:
    """(c) against a real server; the tasks made are deleted afterwards."""
    user, _, password = (args.auth or "").partition(":")
    auth = (user, password)
    images = make_images(ROOT / ".bench" / "images-640x480", 2)
    print(f"(c) on {args.host}, concurrency {args.concurrency}")
    try:
        results = bench_tasks(args.host, auth, images, args.tasks, args.concurrency, args.prefix)
        print(_table(f"(c) {args.tasks} small tasks with data", results), flush=True)
    finally:
        with _ours(args.host, auth, args.concurrency) as client:
            made = [t.id for t in client.tasks.list() if t.name.startswith(args.prefix)]
            client.tasks.remove_by_ids(made)


if __name__ == "__main__":
    main()
