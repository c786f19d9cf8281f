"""Low-level benchmarks: interpreter start-up to a usable client, and response parsing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _table import print_table
from _verdicts import PARSE_JSON_FACTOR, PARSE_SPEEDUP, STARTUP_SHARE, print_verdict
from payloads import labeled_data_bytes

ROOT = Path(__file__).resolve().parent.parent
RESPONSES = ROOT.parent / "shared" / "cvat-responses"

STARTUP = {
    "python (no import)": "pass",
    "cvat-client": (
        "from cvat_client.api_client import ApiClient, Configuration\n"
        "c = ApiClient(Configuration('http://localhost'))\n"
        "c.tasks_api"
    ),
    "cvat-sdk 2.73": (
        "from cvat_sdk.api_client import ApiClient, Configuration\n"
        "c = ApiClient(Configuration('http://localhost'))\n"
        "c.tasks_api"
    ),
}


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _load_note() -> str:
    try:
        return f"(1-minute load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs)"
    except OSError:  # pragma: no cover - not on Linux/macOS
        return ""


def run_startup(*, quick: bool = False) -> None:
    """Fresh interpreter: import the low-level client, build an ApiClient, reach tasks_api."""
    repeat = 3 if quick else 7
    times = {}
    for name, code in STARTUP.items():
        times[name] = _best(
            lambda code=code: subprocess.run([sys.executable, "-c", code], check=True), repeat
        )
    base = times["python (no import)"]
    ours = times["cvat-client"] - base
    theirs = times["cvat-sdk 2.73"] - base
    print_table(
        f"Start-up: fresh interpreter -> ApiClient -> tasks_api (best of {repeat})",
        ["", "wall ms", "ms over bare python"],
        [
            ["python (no import)", base * 1e3, 0.0],
            ["cvat-client", times["cvat-client"] * 1e3, ours * 1e3],
            ["cvat-sdk 2.73", times["cvat-sdk 2.73"] * 1e3, theirs * 1e3],
        ],
    )
    print(f"cvat-client / cvat-sdk (time over bare python): {ours / theirs:.2f}")
    print_verdict(
        "start-up", [(f"at most {STARTUP_SHARE} of cvat-sdk's", ours <= STARTUP_SHARE * theirs)]
    )


class _FakeUrllib3Response:
    """What cvat-sdk's ApiClient.deserialize reads from a urllib3 response."""

    def __init__(self, body: bytes) -> None:
        self.data = body
        self.headers = {"content-type": "application/vnd.cvat+json"}


def run_parse(*, quick: bool = False) -> None:
    """From response bytes to models (json.loads included for everyone)."""
    from cvat_sdk.api_client import ApiClient as SdkApiClient
    from cvat_sdk.api_client import Configuration as SdkConfiguration
    from cvat_sdk.api_client import models as sdk_models

    from cvat_client._lowlevel.client import parse_json
    from cvat_client._lowlevel.model_support import resolver_for
    from cvat_client.api_client import models

    resolve = resolver_for(models.__name__)
    sdk = SdkApiClient(SdkConfiguration(host="http://localhost"))
    cases = []
    tasks_path = RESPONSES / "tasks.json"
    if tasks_path.exists():
        cases.append(
            (
                "tasks page (tasks.json)",
                tasks_path.read_bytes(),
                models.PaginatedTaskReadList,
                sdk_models.PaginatedTaskReadList,
                20 if quick else 200,
            )
        )
    size = {"shapes": 1000, "tracks": 40} if quick else {}
    cases.append(
        (
            "LabeledData: 5000 shapes, 200 tracks x 50 keyframes"
            if not quick
            else "LabeledData (quick: 1000 shapes, 40 tracks)",
            labeled_data_bytes(**size),
            models.LabeledData,
            sdk_models.LabeledData,
            3 if quick else 7,
        )
    )
    rows = []
    checks: list[tuple[str, float, float]] = []
    for title, body, ours_cls, sdk_cls, repeat in cases:
        t_json = _best(lambda body=body: json.loads(body), repeat)
        spec = ("model", ours_cls.__name__)
        t_ours = _best(lambda body=body, spec=spec: parse_json(body, spec, resolve), repeat)
        assert type(parse_json(body, spec, resolve)) is ours_cls
        # every implementation is timed the same number of times
        t_sdk = _best(
            lambda body=body, cls=sdk_cls: sdk.deserialize(
                _FakeUrllib3Response(body), (cls,), _check_type=True
            ),
            repeat,
        )
        checks.append((title, t_sdk / t_ours, t_ours / t_json))
        rows.append(
            [
                title,
                len(body) / 1e3,
                t_json * 1e3,
                t_ours * 1e3,
                t_sdk * 1e3,
                t_sdk / t_ours,
                t_ours / t_json,
            ]
        )
    print_table(
        "Parsing: response bytes -> models (best of N, the same N for everyone: "
        + ", ".join(str(case[-1]) for case in cases)
        + ")",
        [
            "payload",
            "KB",
            "json.loads ms",
            "cvat-client ms",
            "cvat-sdk ms",
            "speed-up vs sdk",
            "x json.loads",
        ],
        rows,
    )
    for title, speedup, factor in checks:
        print_verdict(
            f"parsing, {title}",
            [
                (f"speed-up >= {PARSE_SPEEDUP:g}", speedup >= PARSE_SPEEDUP),
                (f"x json.loads <= {PARSE_JSON_FACTOR:g}", factor <= PARSE_JSON_FACTOR),
            ],
        )
    print(_load_note())
