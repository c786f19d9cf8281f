"""Connection options, credentials and error reporting of the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from cvat_client import __version__
from cvat_client.cli import cli
from cvat_client.testing.live import LiveServer

from .conftest import CLEAN_ENV, Run, failed, ok, ok_json


def test_server_info_as_admin(run_cli: Run) -> None:
    out = ok(run_cli("server", "info")).stdout
    assert "Version:      2.73.0" in out
    assert "User:         admin" in out


def test_server_info_json(run_cli: Run) -> None:
    data = ok_json(run_cli("--json", "server", "info"))
    assert data["version"] == "2.73.0"
    assert data["user"] == "admin"
    assert data["host"] == "http://testserver"


def test_server_info_works_without_credentials(run_cli: Run) -> None:
    out = ok(run_cli("server", "info", auth=None)).stdout
    assert "(not logged in)" in out


def test_version_option() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_wrong_password_is_one_line_error_without_the_password(run_cli: Run) -> None:
    result = run_cli("task", "ls", auth="admin:s3cr3t-wr0ng")
    line = failed(result)
    assert "Login as 'admin' failed" in line
    assert "s3cr3t-wr0ng" not in result.output


def test_password_is_prompted_without_echo(run_cli: Run) -> None:
    result = run_cli("task", "ls", auth="admin", input="admin\n")
    ok(result)
    assert "Password for admin" in result.stderr
    assert "admin\n" not in result.stderr.replace("Password for admin: ", "")
    assert result.stdout == ""


def test_missing_password_without_a_terminal_fails_cleanly(run_cli: Run) -> None:
    line = failed(run_cli("task", "ls", auth="admin", input=""))
    assert "Password for admin" in line
    assert "PASS" in line


def test_credentials_from_environment(run_cli: Run) -> None:
    env = {"CVAT_HOST": "http://testserver", "CVAT_USERNAME": "admin", "CVAT_PASSWORD": "admin"}
    ok(run_cli("project", "ls", auth=None, host=None, env=env))


def test_password_from_environment_with_auth_user(run_cli: Run) -> None:
    ok(run_cli("project", "ls", auth="admin", env={"CVAT_PASSWORD": "admin"}))


def test_no_credentials_means_the_os_user(run_cli: Run, cvat_server: Any) -> None:
    """As cvat-cli: without --auth, the operating-system user, its password from PASS,
    the terminal or standard input."""
    import getpass

    user = getpass.getuser()
    line = failed(run_cli("task", "ls", auth=None, input=""))
    assert f"Password for {user}" in line
    cvat_server.add_user(user, "os-user-pass")
    ok(run_cli("task", "ls", auth=None, env={"PASS": "os-user-pass"}))
    ok(run_cli("task", "ls", auth=None, input="os-user-pass\n"))


def test_auth_and_token_together_are_refused(run_cli: Run) -> None:
    line = failed(run_cli("task", "ls", global_args=["--access-token", "abc"]))
    assert "either --auth or --access-token" in line


def test_access_token(run_cli: Run, cvat_http: httpx.Client) -> None:
    created = cvat_http.post("/api/auth/access_tokens", json={"name": "cli"})
    assert created.status_code == 201, created.text
    token = created.json()["value"]
    data = ok_json(run_cli("--json", "server", "info", auth=None, env={"CVAT_ACCESS_TOKEN": token}))
    assert data["user"] == "admin"
    result = run_cli("server", "info", auth=None, global_args=["--access-token", token])
    assert token not in ok(result).output


def test_bad_access_token(run_cli: Run) -> None:
    result = run_cli("task", "ls", auth=None, global_args=["--access-token", "not-a-token"])
    line = failed(result)
    assert "Authentication failed" in line
    assert "not-a-token" not in result.output


def test_invalid_host(run_cli: Run) -> None:
    assert "Invalid server address" in failed(run_cli("task", "ls", host="ftp://example"))


def test_debug_shows_traceback_but_no_secret(run_cli: Run) -> None:
    result = run_cli("--debug", "task", "ls", auth="admin:wrong-pass-123")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "Error: " in result.stderr
    assert "wrong-pass-123" not in result.output


def test_usage_error_exit_code(run_cli: Run) -> None:
    result = run_cli("task", "frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_over_loopback_http(cvat_live_server: LiveServer) -> None:
    env = {**CLEAN_ENV, "CVAT_USERNAME": "admin", "CVAT_PASSWORD": "admin"}
    result = CliRunner().invoke(
        cli, ["--json", "--server-host", cvat_live_server.url, "server", "info"], env=env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["version"] == "2.73.0"


def test_unreachable_server(unused_port: int) -> None:
    env = {**CLEAN_ENV, "CVAT_USERNAME": "admin", "CVAT_PASSWORD": "admin"}
    result = CliRunner().invoke(
        cli,
        ["--retries", "0", "--server-host", f"http://127.0.0.1:{unused_port}", "task", "ls"],
        env=env,
    )
    assert result.exit_code == 1
    assert "connection refused. Is the server running there?" in result.stderr
    assert "Traceback" not in result.stderr


def test_refused_connection_fails_at_once_with_retries_on(unused_port: int) -> None:
    """The connection check answers before any request (and its retries) is made."""
    import time

    env = {**CLEAN_ENV, "PASS": "admin"}
    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        ["--server-host", f"http://127.0.0.1:{unused_port}", "--auth", "a", "task", "ls"],
        env=env,
    )
    assert result.exit_code == 1
    assert f"Cannot connect to http://127.0.0.1:{unused_port}" in result.stderr
    assert time.monotonic() - started < 10  # not 5 retries with growing pauses


def test_https_to_a_plain_http_server_says_so(cvat_live_server: LiveServer) -> None:
    url = cvat_live_server.url.replace("http://", "https://")
    result = CliRunner().invoke(
        cli, ["--server-host", url, "--auth", "admin:admin", "task", "ls"], env=CLEAN_ENV
    )
    assert result.exit_code == 1
    plain_url = cvat_live_server.url.removeprefix("http://")
    assert f"speaks plain HTTP, not HTTPS: use --server-host http://{plain_url}" in result.stderr


def test_closed_stdout_pipe_is_quiet(cvat_live_server: LiveServer, tmp_path: Path) -> None:
    """`cvat-client task ls | head`: the reader has gone; no traceback, exit status 0."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cvat_client",
                "--server-host",
                cvat_live_server.url,
                "--auth",
                "admin:admin",
                "project",
                "ls",
                "--table",
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)},
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, "")


def test_organization(run_cli: Run, cvat_http: httpx.Client) -> None:
    created = cvat_http.post("/api/organizations", json={"slug": "acme", "name": "Acme"})
    assert created.status_code == 201, created.text
    info = ok_json(run_cli("--json", "server", "info", global_args=["--org", "acme"]))
    assert info["organization"] == "acme"
    ok(run_cli("project", "create", "in-org", global_args=["--org", "acme"]))
    ok(run_cli("project", "create", "personal", env={"CVAT_ORG": ""}))
    in_org = ok_json(run_cli("--json", "project", "ls", env={"CVAT_ORG": "acme"}))
    assert [p["name"] for p in in_org] == ["in-org"]
    assert in_org[0]["organization"] == created.json()["id"]
    personal = ok_json(run_cli("--json", "project", "ls", global_args=["--org", ""]))
    assert [p["name"] for p in personal] == ["personal"]


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cvat_client", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: cvat-client" in result.stdout


def test_plain_http_to_an_https_port_says_so(unused_port: int) -> None:
    """A TLS front end answering a plain-HTTP request (as Traefik does) gets a hint."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class TlsPort(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = b"Client sent an HTTP request to an HTTPS server.\n"
            self.send_response(400)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), TlsPort) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            host = f"http://127.0.0.1:{httpd.server_address[1]}"
            result = CliRunner().invoke(
                cli, ["--server-host", host, "--auth", "a:b", "task", "ls"], env=CLEAN_ENV
            )
        finally:
            httpd.shutdown()
    assert result.exit_code == 1
    assert "The server expects HTTPS: use https:// in --server-host" in result.stderr
