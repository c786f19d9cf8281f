"""Verdicts against the targets, computed from the measured figures and printed as they are.

docs/benchmarks.md copies these lines; it does not paraphrase them.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path

#: The targets of docs/benchmarks.md.
STARTUP_SHARE = 0.5  # cvat-client's start-up at most half of cvat-sdk's
PARSE_SPEEDUP = 20.0  # parsing at least 20x cvat-sdk
PARSE_JSON_FACTOR = 2.5  # parsing at most 2.5x json.loads
CURL_SHARE = 0.8  # transfer throughput at least 80% of curl's
DOWNLOAD_CURL_SHARE = 0.85  # download: median throughput at least 85% of curl's median ...
DOWNLOAD_CPU_FACTOR = 1.1  # ... or client CPU per GiB at most 1.1x curl's
RSS_GROWTH_MIB = 64.0  # peak RSS growth at most 64 MiB


def median(values: Sequence[float]) -> float:
    """The median (the mean of the middle two for an even count)."""
    return float(statistics.median(values))


def verdict(checks: Iterable[tuple[str, bool]]) -> str:
    """``"name: met; other: MISSED"``."""
    return "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks)


def print_verdict(subject: str, checks: Iterable[tuple[str, bool]]) -> None:
    """Print one verdict line (the form docs/benchmarks.md quotes)."""
    print(f"verdict, {subject}: {verdict(checks)}", flush=True)


def file_digest(paths: Iterable[Path]) -> list[tuple[int, str]]:
    """``(size, sha256)`` of each file, sorted: what a transfer must deliver unchanged."""
    found = []
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        found.append((path.stat().st_size, digest.hexdigest()))
    return sorted(found)
