"""The Python acceptance corpus: scripts written for cvat-sdk 2.73 run with cvat-sdk and,
after the mechanical rename ``cvat_sdk`` -> ``cvat_client``, with cvat-client, each against
a fresh test server; both runs must succeed (each script checks its own results) and
print the same output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cvat_sdk")

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted((HERE / "sdk_scripts").glob("*.py"))
ROOT = HERE.parents[1]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Both packages' runs of the whole corpus, in two processes at once."""
    processes = {}
    for package in ("cvat_sdk", "cvat_client"):
        workdir = tmp_path_factory.mktemp(package)
        processes[package] = subprocess.Popen(
            [sys.executable, str(HERE / "run_sdk_corpus.py"), package, str(workdir)]
            + [str(s) for s in SCRIPTS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )
    results = {}
    for package, process in processes.items():
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        results[package] = json.loads(out)
    return results


def test_corpus_is_large_enough() -> None:
    assert len(SCRIPTS) >= 15
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        assert "cvat_sdk" in text and "cvat_client" not in text, script.name
        assert "assert " in text, f"{script.name} checks nothing"


@pytest.mark.parametrize("script", [s.name for s in SCRIPTS])
def test_script_runs_the_same_after_the_rename(
    runs: dict[str, dict[str, Any]], script: str
) -> None:
    theirs, ours = runs["cvat_sdk"][script], runs["cvat_client"][script]
    assert theirs["error"] is None, f"the script fails with cvat-sdk:\n{theirs['error']}"
    assert ours["error"] is None, f"the renamed script fails with cvat-client:\n{ours['error']}"
    assert theirs["stdout"].strip(), "the script prints nothing to compare"
    assert ours["stdout"] == theirs["stdout"]
