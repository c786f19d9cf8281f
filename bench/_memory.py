"""Peak resident memory of the current process (Linux), for the transfer benchmarks.

Usage in a fresh benchmark process, once imports and set-up are done::

    baseline = reset_peak()
    ...measured work...
    growth = peak_growth(baseline)

``reset_peak`` resets the kernel's high-water mark (``VmHWM``) to the current resident set
by writing ``5`` to ``/proc/self/clear_refs``, so the growth measured afterwards is the
peak of the measured work over what was resident just before it. Where that file cannot be
written, the high-water mark so far is the baseline instead (the growth is then a lower
bound, exact whenever set-up did not peak above the measured work).
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field: str) -> int | None:
    try:
        text = _STATUS.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def current_rss() -> int:
    """The resident set size now, in bytes."""
    kib = _status_kib("VmRSS")
    return (kib or 0) * 1024


def peak_rss() -> int:
    """The high-water mark of the resident set, in bytes."""
    kib = _status_kib("VmHWM")
    if kib is None:  # no /proc: ru_maxrss is KiB on Linux, bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    return kib * 1024


def reset_peak() -> int:
    """Reset the high-water mark where the kernel allows it; the baseline in bytes."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return peak_rss()
    return current_rss()


def peak_growth(baseline: int) -> int:
    """How far the high-water mark rose above ``baseline``, in bytes."""
    return max(0, peak_rss() - baseline)


def children_peak_rss() -> int:
    """The largest peak resident set of any waited-for child process, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def cpu_seconds(*, children: bool = False) -> float:
    """User plus system CPU time of this process (or of its waited-for children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
