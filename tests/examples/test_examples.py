"""The example scripts run from a checkout against the embedded test server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(
    name: str, tmp_path: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CVAT_")}
    env.update(extra_env or {})
    # the example's own test server checks its answers against CVAT's schema, failing on close
    env["CVAT_TESTING_CHECK_SCHEMA"] = "1"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.slow
def test_quickstart(tmp_path: Path) -> None:
    out = run_example("quickstart.py", tmp_path).stdout
    assert "Connected to the embedded test server (CVAT 2.73.0)" in out
    assert "Created project #1 with labels: car, person" in out
    assert "Created task #1: 6 frames in 2 jobs" in out
    assert "Added 18 rectangles" in out
    assert re.search(r"^\s+frames\s+6$", out, re.M)
    assert re.search(r"^\s+car\s+12$", out, re.M)
    assert re.search(r"^\s+person\s+6$", out, re.M)
    assert re.search(r"export file\s+export\.zip, [\d,]+ bytes", out)
    assert list(tmp_path.iterdir()) == []  # nothing left behind


@pytest.mark.slow
def test_lowlevel(tmp_path: Path) -> None:
    out = run_example("lowlevel.py", tmp_path).stdout
    assert "Logged in to the embedded test server as admin" in out
    assert "Listed 5 projects in 3 pages" in out
    assert "Uploaded 3 images to task #1 (202)" in out
    assert "task data: finished" in out
    assert "Task #1 has 3 frames" in out
    assert "export: finished" in out
    assert re.search(r"Downloaded [\d,]+ bytes .*: \d+ files, 3 images", out)
    assert "Done" in out


@pytest.mark.slow
def test_quickstart_against_a_server_over_http(
    cvat_live_server: LiveServer, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    env = {"CVAT_HOST": cvat_live_server.url, "CVAT_USERNAME": "admin", "CVAT_PASSWORD": "admin"}
    out = run_example("quickstart.py", tmp_path, env).stdout
    assert f"Connected to {cvat_live_server.url} (CVAT 2.73.0)" in out
    assert re.search(r"^\s+car\s+12$", out, re.M)
    assert "Deleted project #1" in out
    assert (
        cvat_server.sync_client(auth=("admin", "admin")).get("/api/projects").json()["count"] == 0
    )
