"""Transfer benchmarks: uploads, a ~1 GB download and pagination, against the test server.

The test server runs in a process of its own on 127.0.0.1 (``_server.py``); every client
measurement runs in a fresh interpreter of its own (this file with ``--child``), so each
starts from the same state and its memory is measured alone:

* time: ``time.perf_counter`` around the measured call only (client creation, login and
  task creation come before);
* memory: the growth of the process's peak resident set (``VmHWM``) over the resident
  set just before the measured call (``_memory.py``), i.e. after imports and set-up.

The curl rows run ``curl_upload.sh`` / ``curl_download.sh`` (the same protocol, one PATCH
per file with the whole file): the ceiling. Their memory column is curl's whole peak
resident set (not a growth), for reference.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _memory import children_peak_rss, cpu_seconds, peak_growth, reset_peak  # noqa: E402
from _verdicts import (  # noqa: E402
    CURL_SHARE,
    DOWNLOAD_CPU_FACTOR,
    DOWNLOAD_CURL_SHARE,
    file_digest,
    median,
    print_verdict,
)

CLIENT = "cvat-client"
SDK = "cvat-sdk 2.73"
CURL = "curl"
CURL_MULTIPART = "curl, Upload-Multiple"
MiB = 1024 * 1024
GiB = 1024 * MiB
RSS_TARGET = 64 * MiB
CURL_SHARE_TARGET = CURL_SHARE

_CHILD_TIMEOUT = 600.0  # seconds for one measurement, whatever happens
_SETUP_TIMEOUT = 600.0  # seconds for the server to process data or make an export
_LABELS = [{"name": "car"}]


# -- the measured side (a fresh process per measurement) -------------------------------------


def _connect(impl: str, url: str, auth: Sequence[str]) -> Any:
    parts = urlsplit(url)
    host = f"{parts.scheme}://{parts.hostname}"
    credentials = (auth[0], auth[1])
    if impl == CLIENT:
        from cvat_client.core import make_client

        return make_client(host, port=parts.port, credentials=credentials)
    from cvat_sdk import make_client as sdk_make_client

    return sdk_make_client(host, port=parts.port, credentials=credentials)


def _curl_env(auth: Sequence[str]) -> dict[str, str]:
    return {**os.environ, "CVAT_AUTH": f"{auth[0]}:{auth[1]}"}


def _run_script(args: list[str], auth: Sequence[str]) -> float:
    """Run a curl script; the ``elapsed`` seconds it prints."""
    proc = subprocess.run(
        args, env=_curl_env(auth), capture_output=True, text=True, timeout=_CHILD_TIMEOUT
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed: {proc.stderr.strip()[-300:]}")
    for line in proc.stdout.splitlines():
        if line.startswith("elapsed "):
            return float(line.split()[1])
    raise RuntimeError(f"{Path(args[0]).name} printed no time")


def _create_task_http(url: str, auth: Sequence[str], name: str) -> int:
    import httpx

    with httpx.Client(base_url=url, auth=(auth[0], auth[1]), timeout=60) as http:
        response = http.post("/api/tasks", json={"name": name, "labels": _LABELS})
        response.raise_for_status()
        return int(response.json()["id"])


def _child_upload(job: dict[str, Any]) -> dict[str, Any]:
    impl, url, auth = job["impl"], job["url"], job["auth"]
    files = [Path(p) for p in job["files"]]
    size = sum(p.stat().st_size for p in files)
    if impl in (CURL, CURL_MULTIPART):
        task_id = _create_task_http(url, auth, "bench upload")
        mode = ["--multipart"] if impl == CURL_MULTIPART else []
        cpu = cpu_seconds(children=True)
        seconds = _run_script(
            [str(HERE / "curl_upload.sh"), *mode, url, str(task_id), *map(str, files)], auth
        )
        return {
            "seconds": seconds,
            "bytes": size,
            "cpu": cpu_seconds(children=True) - cpu,
            "curl_rss": children_peak_rss(),
        }
    with _connect(impl, url, auth) as client:
        task = client.tasks.create({"name": "bench upload", "labels": _LABELS})
        if impl == CLIENT:
            import cvat_client.core.uploading  # noqa: F401  (imports belong to the baseline)
        resources = [str(p) for p in files]
        baseline = reset_peak()
        cpu = cpu_seconds()
        start = time.perf_counter()
        task.upload_data(resources, wait_for_completion=False)
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
        growth = peak_growth(baseline)
    return {"seconds": seconds, "bytes": size, "cpu": cpu, "rss_growth": growth}


def _child_download(job: dict[str, Any]) -> dict[str, Any]:
    impl, url, auth = job["impl"], job["url"], job["auth"]
    result_url = job["result_url"]
    with tempfile.TemporaryDirectory(prefix="download-", dir=job["scratch"]) as tmp:
        target = Path(tmp) / "result.zip"
        if impl == CURL:
            cpu = cpu_seconds(children=True)
            seconds = _run_script([str(HERE / "curl_download.sh"), result_url, str(target)], auth)
            return {
                "seconds": seconds,
                "bytes": target.stat().st_size,
                "digest": file_digest([target]),
                "cpu": cpu_seconds(children=True) - cpu,
                "curl_rss": children_peak_rss(),
            }
        with _connect(impl, url, auth) as client:
            if impl == CLIENT:
                from cvat_client.core.downloading import Downloader
            else:
                from cvat_sdk.core.downloading import Downloader
            downloader = Downloader(client)
            baseline = reset_peak()
            cpu = cpu_seconds()
            start = time.perf_counter()
            downloader.download_file(result_url, target)
            seconds = time.perf_counter() - start
            cpu = cpu_seconds() - cpu
            growth = peak_growth(baseline)
        size = target.stat().st_size
        return {
            "seconds": seconds,
            "bytes": size,
            "digest": file_digest([target]),
            "cpu": cpu,
            "rss_growth": growth,
        }


def _child_list(job: dict[str, Any]) -> dict[str, Any]:
    impl, url, auth = job["impl"], job["url"], job["auth"]
    with _connect(impl, url, auth) as client:
        params = job.get("params") or {}
        baseline = reset_peak()
        cpu = cpu_seconds()
        start = time.perf_counter()
        tasks = client.tasks.list(**params)
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
        growth = peak_growth(baseline)
        count = len(tasks)
    if count != job["expected"]:
        raise RuntimeError(f"listed {count} tasks, expected {job['expected']}")
    return {"seconds": seconds, "count": count, "cpu": cpu, "rss_growth": growth}


_CHILDREN: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "upload": _child_upload,
    "download": _child_download,
    "list": _child_list,
}


def _child_main(spec: str) -> None:
    import logging

    logging.disable(logging.WARNING)  # keep the SDKs' own messages out of the tables
    job = json.loads(spec)
    result = _CHILDREN[job["kind"]](job)
    print("RESULT " + json.dumps(result), flush=True)


# -- the orchestrating side ----------------------------------------------------------------


def _measure(job: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its result, or ``{"error": ...}``."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,  # its own process group: curl goes with it on a timeout
    )
    try:
        out, err = proc.communicate(timeout=_CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"error": f"timed out after {_CHILD_TIMEOUT:.0f} s"}
    except BaseException:  # interrupted: do not leave the measurement (or its curl) running
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    for line in reversed(out.splitlines()):
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    lines = [line for line in err.strip().splitlines() if line.strip()]
    return {"error": lines[-1][:160] if lines else f"exit status {proc.returncode}"}


def _measure_all(
    impls: Sequence[str],
    reps: int,
    job: Callable[[str], dict[str, Any]],
    after: Callable[[], None],
    check: Callable[[dict[str, Any]], str | None] = lambda _: None,
) -> dict[str, list[dict[str, Any]]]:
    """Each implementation ``reps`` times, interleaved (so drifts in load spread evenly).

    ``check`` verifies what a run transferred (before ``after`` cleans up); a run whose
    transfer is wrong counts as failed.
    """
    results: dict[str, list[dict[str, Any]]] = {impl: [] for impl in impls}
    for _ in range(reps):
        for impl in impls:
            if results[impl] and "error" in results[impl][-1]:
                continue  # a failure repeats; do not spend the time again
            os.sync()  # no earlier write is flushed to disk during a measurement
            result = _measure(job(impl))
            problem = None if "error" in result else check(result)
            results[impl].append({"error": problem} if problem else result)
            after()
    return results


def _best(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    good = [r for r in runs if "error" not in r]
    if not good:
        return None
    best = dict(min(good, key=lambda r: r["seconds"]))
    best["median"] = median([r["seconds"] for r in good])
    growths = [r["rss_growth"] for r in good if "rss_growth" in r]
    if growths:
        best["rss_growth"] = max(growths)  # the worst run: a peak is what matters
    curl = [r["curl_rss"] for r in good if "curl_rss" in r]
    if curl:
        best["curl_rss"] = max(curl)
    cpus = [r["cpu"] for r in good if "cpu" in r]
    if cpus:
        best["cpu"] = min(cpus)  # CPU time varies less with other load than wall time
        best["cpu_median"] = median(cpus)
    return best


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:  # pragma: no cover - not on Linux/macOS
        return "?"


def _load_note(before: str) -> str:
    return f"(1-minute load average {before} before, {_load()} after; {os.cpu_count()} CPUs)"


def _error(runs: list[dict[str, Any]]) -> str:
    errors = [r["error"] for r in runs if "error" in r]
    return f"failed: {errors[0]}" if errors else "-"


def _rss_cell(result: dict[str, Any]) -> str:
    if "rss_growth" in result:
        return f"{result['rss_growth'] / MiB:.1f}"
    if "curl_rss" in result:
        return f"({result['curl_rss'] / MiB:.0f} total)"
    return "-"


def _throughput_table(
    title: str, results: dict[str, list[dict[str, Any]]], reps: int, load: str
) -> dict[str, dict[str, Any] | None]:
    best = {impl: _best(runs) for impl, runs in results.items()}
    curl = best.get(CURL)
    curl_rate = curl["bytes"] / curl["seconds"] if curl else None
    rows: list[list[object]] = []
    for impl, runs in results.items():
        result = best[impl]
        if result is None:
            rows.append([impl, _error(runs), "", "", "", "", "", ""])
            continue
        rate = result["bytes"] / result["seconds"]
        share = f"{rate / curl_rate * 100:.0f}%" if curl_rate else "-"
        cpu = result.get("cpu", "-")
        per_gib = result["cpu_median"] / (result["bytes"] / GiB) if "cpu_median" in result else "-"
        rows.append(
            [
                impl,
                result["seconds"],
                result["median"],
                rate / MiB,
                share,
                cpu,
                per_gib,
                _rss_cell(result),
            ]
        )
    print_table(
        f"{title} ({reps} runs; MiB/s from the best; CPU: least, and median per GiB; "
        "RSS: worst run)",
        [
            "",
            "best s",
            "median s",
            "MiB/s",
            "of curl",
            "client CPU s",
            "CPU s/GiB",
            "peak RSS growth MiB",
        ],
        rows,
    )
    _verdict(best, title)
    for impl, runs in results.items():
        good = [r for r in runs if "error" not in r]
        if good:
            walls = ", ".join(f"{r['seconds']:.2f}" for r in good)
            cpus = ", ".join(f"{r['cpu']:.2f}" for r in good if "cpu" in r)
            print(f"runs, {impl}: wall s {walls}; CPU s {cpus}")
    print(_load_note(load))
    return best


def _verdict(best: dict[str, dict[str, Any] | None], title: str) -> None:
    ours, theirs, curl = best.get(CLIENT), best.get(SDK), best.get(CURL)
    if ours is None:
        print(f"verdict, {title}: no cvat-client figure (see the error above)")
        return

    def rate(r: dict[str, Any]) -> float:
        return float(r["bytes"]) / float(r["seconds"])

    def median_rate(r: dict[str, Any]) -> float:
        return float(r["bytes"]) / float(r["median"])

    def cpu_per_gib(r: dict[str, Any]) -> float:
        return float(r["cpu_median"]) / (float(r["bytes"]) / GiB)

    checks = []
    if theirs is not None:
        checks.append(("throughput >= cvat-sdk's", rate(ours) >= rate(theirs)))
    if curl is not None and title.startswith("Download"):
        by_time = median_rate(ours) >= DOWNLOAD_CURL_SHARE * median_rate(curl)
        by_cpu = cpu_per_gib(ours) <= DOWNLOAD_CPU_FACTOR * cpu_per_gib(curl)
        share = f"{DOWNLOAD_CURL_SHARE * 100:.0f}%"
        checks.append((f"median throughput >= {share} of curl's", by_time))
        checks.append((f"client CPU per GiB <= {DOWNLOAD_CPU_FACTOR}x curl's", by_cpu))
        checks.append(("download target (either of the two)", by_time or by_cpu))
    elif curl is not None:
        checks.append(("throughput >= 80% of curl's", rate(ours) >= CURL_SHARE_TARGET * rate(curl)))
    same = best.get(CURL_MULTIPART)
    if same is not None:
        checks.append(
            (
                "throughput >= 80% of curl's sending the same Upload-Multiple batches",
                rate(ours) >= CURL_SHARE_TARGET * rate(same),
            )
        )
    checks.append(("peak RSS growth <= 64 MiB", ours.get("rss_growth", 0) <= RSS_TARGET))
    print_verdict(title, checks)
    shares = [f"{rate(ours) / rate(theirs) * 100:.0f}% of cvat-sdk's"] if theirs else []
    shares += [f"{rate(ours) / rate(curl) * 100:.0f}% of curl's"] if curl else []
    shares += [f"{rate(ours) / rate(same) * 100:.0f}% of curl Upload-Multiple"] if same else []
    if shares:
        print(f"cvat-client throughput (best runs): {', '.join(shares)}")
    if curl is not None and title.startswith("Download"):
        print(
            f"cvat-client median throughput: {median_rate(ours) / median_rate(curl) * 100:.0f}% "
            f"of curl's; CPU per GiB: {cpu_per_gib(ours) / cpu_per_gib(curl):.2f}x curl's"
        )


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM into an exception while a suite runs, so its clean-up runs too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _wait_request(http: Any, rq_id: str, timeout: float = _SETUP_TIMEOUT) -> dict[str, Any]:
    """Poll ``/api/requests/{rq_id}`` until it finishes (bounded by ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(f"/api/requests/{quote(rq_id, safe='')}")
        response.raise_for_status()
        body = dict(response.json())
        if body.get("status") == "finished":
            return body
        if body.get("status") == "failed":
            raise RuntimeError(f"server request {rq_id} failed: {body.get('message')}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"server request {rq_id} not finished after {timeout:.0f} s")
        time.sleep(0.2)


def _mib(n: int) -> str:
    return f"{n / MiB:.0f} MiB" if n >= 10 * MiB else f"{n / MiB:.1f} MiB"


def run_upload(*, quick: bool = False) -> None:
    """Upload (a) many ~100 KB JPEGs and (b) one big zip: Upload-Start to Upload-Finish."""
    from _server import NEVER, ServerProcess
    from make_payloads import make_payloads

    payloads = make_payloads(quick=quick)
    reps = 2 if quick else 5
    small = (CLIENT, SDK, CURL, CURL_MULTIPART)
    cases = [
        (f"{len(payloads.images)} JPEGs of ~100 KB", payloads.images, payloads.images_bytes, small),
        (
            "one zip of stored ~500 KB JPEGs",
            [payloads.zip],
            payloads.zip_bytes,
            (CLIENT, SDK, CURL),
        ),
    ]
    # The server never processes the uploads (NEVER): only the transfer is on the CPU.
    with _terminate_cleanly(), ServerProcess(worker_delay=NEVER) as server:
        for title, files, size, impls in cases:

            def job(impl: str, files: list[Path] = files) -> dict[str, Any]:
                return {
                    "kind": "upload",
                    "impl": impl,
                    "url": server.url,
                    "auth": server.auth,
                    "files": [str(p) for p in files],
                }

            expected = file_digest(files)

            def check(_: dict[str, Any], expected: list[tuple[int, str]] = expected) -> str | None:
                received = file_digest(p for p in server.uploads_dir.rglob("*") if p.is_file())
                if received != expected:
                    return (
                        f"the server received {len(received)} files of {sum(n for n, _ in received)}"
                        f" bytes, not the {len(expected)} files sent (or not the same bytes)"
                    )
                return None

            load = _load()
            results = _measure_all(impls, reps, job, server.clear_uploads, check)
            _throughput_table(f"Upload: {title}, {_mib(size)}", results, reps, load)


def _prepare_result_url(server: Any, zip_path: Path) -> str:
    """A task holding the zip's images, backed up: the ``result_url`` of the backup."""
    import httpx

    task_id = _create_task_http(server.url, server.auth, "bench download")
    # in TUS chunks: one PATCH of the whole zip (curl_upload.sh) is over the 1 GiB request
    # body limit of CVAT's nginx, which the test server applies too (413)
    with _connect(CLIENT, server.url, server.auth) as client:
        client.tasks.retrieve(task_id).upload_data([str(zip_path)], wait_for_completion=False)
    with httpx.Client(base_url=server.url, auth=server.auth, timeout=60) as http:
        _wait_request(http, f"action=create&target=task&target_id={task_id}")
        response = http.post(f"/api/tasks/{task_id}/backup/export")
        response.raise_for_status()
        finished = _wait_request(http, str(response.json()["rq_id"]))
    result_url = finished.get("result_url")
    if not result_url:
        raise RuntimeError("the backup export finished without a result_url")
    return str(result_url)


def _reference_digest(server: Any, result_url: str, scratch: Path) -> list[tuple[int, str]]:
    """Size and hash of the file behind ``result_url``, fetched once with plain httpx."""
    import httpx

    target = scratch / "reference.bin"
    with (
        httpx.Client(auth=tuple(server.auth), timeout=600) as http,
        http.stream("GET", result_url, headers={"Accept-Encoding": "identity"}) as response,
        target.open("wb") as out,
    ):
        response.raise_for_status()
        for block in response.iter_raw():
            out.write(block)
    try:
        return file_digest([target])
    finally:
        target.unlink()


def run_download(*, quick: bool = False) -> None:
    """Download the ``result_url`` of a task backup holding the big zip's images."""
    from _server import ServerProcess
    from make_payloads import make_payloads

    payloads = make_payloads(quick=quick)
    reps = 2 if quick else 7
    with (
        _terminate_cleanly(),
        ServerProcess() as server,
        tempfile.TemporaryDirectory(prefix="downloads-", dir=server.scratch) as scratch,
    ):
        print("\n(preparing the download: task from the zip, then its backup ...)", flush=True)
        start = time.perf_counter()
        result_url = _prepare_result_url(server, payloads.zip)
        reference = _reference_digest(server, result_url, Path(scratch))
        print(f"(prepared in {time.perf_counter() - start:.0f} s)", flush=True)

        def check(result: dict[str, Any]) -> str | None:
            got = [tuple(d) for d in result.get("digest", [])]
            if got != reference:
                return f"downloaded {got or 'nothing'}, not the {reference} the server serves"
            return None

        def job(impl: str) -> dict[str, Any]:
            return {
                "kind": "download",
                "impl": impl,
                "url": server.url,
                "auth": server.auth,
                "result_url": result_url,
                "scratch": scratch,
            }

        load = _load()
        results = _measure_all((CLIENT, SDK, CURL), reps, job, lambda: None, check)
        size = f", {_mib(reference[0][0])}"
        _throughput_table(f"Download: task backup result_url{size}", results, reps, load)


def _create_tasks(url: str, auth: Sequence[str], count: int) -> None:
    """``count`` tasks without data, through the API, on a few connections at once."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    def create(indices: range) -> None:
        with httpx.Client(base_url=url, auth=(auth[0], auth[1]), timeout=60) as http:
            for i in indices:
                response = http.post("/api/tasks", json={"name": f"task {i}", "labels": _LABELS})
                response.raise_for_status()

    workers = 4
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(create, [range(w, count, workers) for w in range(workers)]))


def run_pagination(*, quick: bool = False) -> None:
    """``client.tasks.list()`` over thousands of tasks, page after page."""
    from _server import ServerProcess

    count = 1000 if quick else 5000
    reps = 2 if quick else 3
    variants = [
        ("default page size", {}),
        ("page_size=1000", {"page_size": 1000}),
    ]
    with _terminate_cleanly(), ServerProcess() as server:
        start = time.perf_counter()
        _create_tasks(server.url, server.auth, count)
        print(f"\n(created {count} tasks in {time.perf_counter() - start:.0f} s)", flush=True)
        rows: list[list[object]] = []
        verdicts: list[tuple[str, float, float]] = []
        load = _load()
        for label, params in variants:

            def job(impl: str, params: dict[str, Any] = params) -> dict[str, Any]:
                return {
                    "kind": "list",
                    "impl": impl,
                    "url": server.url,
                    "auth": server.auth,
                    "params": params,
                    "expected": count,
                }

            results = _measure_all((CLIENT, SDK), reps, job, lambda: None)
            best = {impl: _best(runs) for impl, runs in results.items()}
            ours, theirs = best.get(CLIENT), best.get(SDK)
            if ours is not None and theirs is not None:
                verdicts.append((label, ours["seconds"], theirs["seconds"]))
            for impl, runs in results.items():
                result = best[impl]
                if result is None:
                    rows.append([f"{impl}, {label}", _error(runs), "", "", "", ""])
                    continue
                ratio = "-"
                theirs = best.get(SDK)
                if impl == CLIENT and theirs is not None:
                    ratio = f"{result['seconds'] / theirs['seconds']:.2f}"
                cpu = result.get("cpu", "-")
                rows.append(
                    [
                        f"{impl}, {label}",
                        result["seconds"],
                        result["median"],
                        ratio,
                        cpu,
                        _rss_cell(result),
                    ]
                )
        print_table(
            f"Pagination: client.tasks.list() of {count} tasks "
            f"({reps} runs; ratio of the best; CPU: least; RSS: worst run)",
            ["", "best s", "median s", "time / cvat-sdk", "client CPU s", "peak RSS growth MiB"],
            rows,
        )
        for label, ours_s, theirs_s in verdicts:
            print_verdict(f"pagination, {label}", [("time <= cvat-sdk's", ours_s <= theirs_s)])
            print(f"cvat-client, {label}: {theirs_s / ours_s:.1f}x as fast as cvat-sdk (best runs)")
        print(_load_note(load))


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    from _table import print_table as _print

    _print(title, header, rows)
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="smaller payloads, fewer runs")
    parser.add_argument(
        "--only", nargs="*", choices=["upload", "download", "pagination"], help="run only these"
    )
    args = parser.parse_args()
    if args.child:
        _child_main(args.child)
        return
    suites = {"upload": run_upload, "download": run_download, "pagination": run_pagination}
    for name in args.only or list(suites):
        suites[name](quick=args.quick)


if __name__ == "__main__":
    main()
