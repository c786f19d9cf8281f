"""The shell half of the acceptance corpus: scripts written against ``cvat-cli`` 2.73
(``cli_scripts/*.sh``, each checking its own results) run against the test server with the
official cvat-cli, then again after the mechanical rename ``cvat-cli`` -> ``cvat-client``,
each on a fresh server; the exit status and stdout must be the same.

Outputs are compared after replacing the server's URL (each run has its own port).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer

SCRIPTS_DIR = Path(__file__).parent / "cli_scripts"
SCRIPTS = sorted(SCRIPTS_DIR.glob("[0-9][0-9]_*.sh"))
BIN = Path(sys.executable).parent
TIMEOUT = 120

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def _workspace(root: Path, program: str) -> tuple[Path, Path]:
    """A copy of the scripts (renamed to call ``program``) and a working directory with
    six small JPEG images in ``images/``."""
    scripts = root / "scripts"
    scripts.mkdir(parents=True)
    for source in SCRIPTS_DIR.glob("*.sh"):
        text = source.read_text(encoding="utf-8")
        (scripts / source.name).write_text(text.replace("cvat-cli", program), encoding="utf-8")
    work = root / "work"
    (work / "images").mkdir(parents=True)
    for i in range(6):
        Image.new("RGB", (32, 24), (40 * i, 90, 200 - 30 * i)).save(
            work / "images" / f"img_{i}.jpg"
        )
    return scripts, work


def _run(script: str, root: Path, program: str) -> subprocess.CompletedProcess[str]:
    scripts, work = _workspace(root, program)
    with CvatTestServer(admin=("admin", "admin")) as server, LiveServer(server) as live:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("CVAT_") and key not in ("PASS", "XDG_CONFIG_HOME")
        }
        env.update(
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            CVAT_SERVER=live.url,
            HOME=str(root / "home"),
            XDG_CONFIG_HOME=str(root / "home" / "config"),
            PYTHONWARNINGS="ignore",
        )
        result = subprocess.run(
            ["bash", str(scripts / script)],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            start_new_session=True,  # no controlling terminal: passwords come from stdin
            check=False,
        )
        result.stdout = result.stdout.replace(live.url, "<server>")
    return result


def test_corpus_is_large_enough() -> None:
    assert len(SCRIPTS) >= 10
    assert "cvat-cli" in (SCRIPTS_DIR / "common.sh").read_text()


@pytest.mark.parametrize("script", [s.name for s in SCRIPTS])
def test_script_runs_the_same_under_cvat_client(script: str, tmp_path: Path) -> None:
    # the two runs are independent (each its own server and directories): side by side
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [
            pool.submit(_run, script, tmp_path / name, program)
            for name, program in (("official", "cvat-cli"), ("ours", "cvat-client"))
        ]
        official, ours = (run.result() for run in runs)
    assert official.returncode == 0, (official.stdout, official.stderr[-3000:])
    assert official.stdout.rstrip().endswith("done")
    assert (ours.returncode, ours.stdout) == (official.returncode, official.stdout), ours.stderr[
        -3000:
    ]


def test_ls_json_is_the_same_text(tmp_path: Path) -> None:
    """`task ls --json` and `project ls --json` print the very same text as cvat-cli's."""
    _, work = _workspace(tmp_path, "cvat-cli")
    with CvatTestServer(admin=("admin", "admin")) as server, LiveServer(server) as live:
        env = {**os.environ, "PASS": "admin", "XDG_CONFIG_HOME": str(tmp_path / "config")}

        def run(program: str, *args: str) -> str:
            result = subprocess.run(
                [str(BIN / program), "--server-host", live.url, "--auth", "admin", *args],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            return result.stdout

        pid = run("cvat-cli", "project", "create", "p", "--labels", '[{"name": "car"}]').strip()
        run("cvat-client", "task", "create", "t", "local", "images/img_0.jpg", "--project_id", pid)
        for kind in ("task", "project"):
            official = run("cvat-cli", kind, "ls", "--json")
            assert '"id": 1' in official
            assert run("cvat-client", kind, "ls", "--json") == official
