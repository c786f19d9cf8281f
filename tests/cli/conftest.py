"""Fixtures of the command-line tests: the CLI run in-process against the test server."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from cvat_client.cli import CliEnvironment, cli
from cvat_client.testing import ASGIBridgeTransport, CvatTestServer

HOST = "http://testserver"
CLEAN_ENV = {
    "CVAT_HOST": None,
    "CVAT_PORT": None,
    "CVAT_ORG": None,
    "CVAT_ACCESS_TOKEN": None,
    "CVAT_USERNAME": None,
    "CVAT_PASSWORD": None,
    "PASS": None,
}

Run = Callable[..., Result]


def jpeg(color: tuple[int, int, int], size: tuple[int, int] = (40, 30)) -> bytes:
    """A small JPEG image of one colour."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def images(tmp_path: Path) -> Path:
    """A directory of four JPEG files, ``img_0.jpg`` ... ``img_3.jpg``."""
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(4):
        (folder / f"img_{i}.jpg").write_bytes(jpeg((60 * i, 100, 200)))
    return folder


@pytest.fixture
def run_cli(cvat_server: CvatTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``cvat-client`` in-process against ``cvat_server``, as the admin by default.

    ``run_cli(*args, auth=..., env=..., input=..., host=...)`` returns click's ``Result``
    (``exit_code``, ``stdout``, ``stderr``). The working directory is ``tmp_path``.
    """
    monkeypatch.chdir(tmp_path)
    environment = CliEnvironment(
        transport=ASGIBridgeTransport(cvat_server.app), status_check_period=0.01
    )

    def run(
        *args: str,
        auth: str | None = "admin:admin",
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        host: str | None = HOST,
        global_args: Sequence[str] = (),
    ) -> Result:
        argv = [*global_args]
        if host is not None:
            argv += ["--server-host", host]
        if auth is not None:
            argv += ["--auth", auth]
        runner = CliRunner()
        # the profile store lives in the test's own configuration directory
        home = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
        return runner.invoke(
            cli,
            [*argv, *args],
            obj=environment,
            env={**CLEAN_ENV, **home, **(env or {})},
            input=input,
        )

    return run


def ok(result: Result) -> Result:
    """``result``, asserted successful (with its output shown when it is not)."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result


def ok_json(result: Result) -> Any:
    """The JSON printed by a successful command."""
    return json.loads(ok(result).stdout)


def failed(result: Result, exit_code: int = 1) -> str:
    """The one-line error of a failed command (no traceback)."""
    assert result.exit_code == exit_code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
