#!/usr/bin/env python3
"""cvat-client vs cvat-sdk, side by side, measured the same way in one run.

    make bench                       # everything
    make bench BENCH_ARGS="--only parse startup"

Prints a table per benchmark. Figures are wall-clock best-of-N on this machine; they
are measurements, not assertions (no test depends on them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_lowlevel import run_parse, run_startup  # noqa: E402

SUITES = {
    "startup": run_startup,
    "parse": run_parse,
}

try:  # transfer benchmarks need the high-level core and the test server
    from bench_transfer import run_download, run_pagination, run_upload

    SUITES.update({"upload": run_upload, "download": run_download, "pagination": run_pagination})
except ImportError as exc:  # pragma: no cover - reported, not hidden
    print(f"(transfer benchmarks unavailable: {exc})")

try:  # auto-annotation needs the datasets layer, Pillow and the test server
    from bench_autoannotate import run_suite as run_autoannotate

    SUITES["autoannotate"] = run_autoannotate
except ImportError as exc:  # pragma: no cover - reported, not hidden
    print(f"(auto-annotation benchmark unavailable: {exc})")

try:  # datasets benchmarks need the pytorch extra and cvat-sdk
    from bench_datasets import run_datasets

    SUITES["datasets"] = run_datasets
except ImportError as exc:  # pragma: no cover - reported, not hidden
    print(f"(datasets benchmarks unavailable: {exc})")

try:  # video benchmarks need PyAV, numpy and cvat-sdk
    from bench_video import run_video

    SUITES["video"] = run_video
except ImportError as exc:  # pragma: no cover - reported, not hidden
    print(f"(video benchmarks unavailable: {exc})")

try:  # the async client and bulk helpers against cvat-sdk, with added latency
    from bench_async import run_async

    SUITES["async"] = run_async
except ImportError as exc:  # pragma: no cover - reported, not hidden
    print(f"(async benchmarks unavailable: {exc})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", choices=sorted(SUITES), help="run only these")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller payloads")
    args = parser.parse_args()
    for name in args.only or list(SUITES):
        SUITES[name](quick=args.quick)


if __name__ == "__main__":
    main()
