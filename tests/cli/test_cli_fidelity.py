"""cvat-cli 2.73's behaviour beyond spellings: how warnings are emitted, the server version
check, secrets asked for, JSONC token files, the port of the environment, and what is said
after Ctrl-C while the server works (in-process against the test server)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cvat_client.testing import CvatTestServer

from .conftest import Run, failed, ok


def test_deprecated_command_warns_through_logging(
    run_cli: Run, caplog: pytest.LogCaptureFixture
) -> None:
    """As cvat-cli: a warning record (seen by logging's handlers) shown on stderr."""
    with caplog.at_level(logging.WARNING):
        listed = ok(run_cli("ls"))
    assert 'This command is deprecated. Use "task ls" instead.' in caplog.text
    assert 'Warning: This command is deprecated. Use "task ls" instead.\n' in listed.stderr
    assert listed.stdout == ""


def test_unsupported_server_version_warns_and_goes_on(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from packaging.version import Version

    from cvat_client.core.client import Client

    monkeypatch.setattr(Client, "get_server_version", lambda self: Version("0"))
    with caplog.at_level(logging.WARNING):
        listed = ok(run_cli("task", "ls"))
    assert "Server version '0' is not compatible with SDK version" in caplog.text
    assert "Warning: Server version '0' is not compatible" in listed.stderr
    assert listed.stdout == ""


def test_supported_server_version_says_nothing(run_cli: Run) -> None:
    assert ok(run_cli("task", "ls")).stderr == ""


def test_token_file_may_be_jsonc_with_trailing_commas(run_cli: Run, tmp_path: Path) -> None:
    envelope = tmp_path / "cvat-token.jsonc"
    envelope.write_text(
        "{\n"
        "  // where the token was made\n"
        '  "server": "https://app.example.com", /* the name: */ "name": "laptop",\n'
        '  "token": "tok//en",\n'
        "}\n"
    )
    saved = ok(run_cli("profile", "create", "--file", str(envelope), auth=None, host=None))
    assert saved.stdout == "Saved profile 'laptop' for https://app.example.com (set as default).\n"
    store = json.loads((tmp_path / "config" / "cvat-sdk" / "auth.json").read_text())
    assert store["profiles"]["laptop"]["token"] == "tok//en"


def test_unknown_profile_names_the_program_as_invoked(tmp_path: Path) -> None:
    from cvat_client.cli import cli

    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    for program in ("cvat-client", "cvat-cli"):
        result = CliRunner().invoke(
            cli, ["profile", "default", "ghost"], prog_name=program, env=env
        )
        assert result.exit_code == 1
        assert f"Unknown profile 'ghost'. Run '{program} profile list'." in result.stderr


def test_environment_port_goes_with_the_environment_host(run_cli: Run, tmp_path: Path) -> None:
    """A CVAT_PORT left in the environment does not change a host given otherwise."""
    env = {"CVAT_PORT": "8443"}
    ok(run_cli("profile", "create", "--name", "a", "t1", host="https://a.example.com", env=env))
    ok(run_cli("profile", "create", "--name", "b", "t2", host=None, env=env, auth=None))
    both = {"CVAT_HOST": "https://c.example.com", "CVAT_PORT": "8443"}
    ok(run_cli("profile", "create", "--name", "c", "t3", host=None, env=both, auth=None))
    store = json.loads((tmp_path / "config" / "cvat-sdk" / "auth.json").read_text())
    servers = {name: entry["server"] for name, entry in store["profiles"].items()}
    assert servers == {
        "a": "https://a.example.com",
        "b": "http://localhost",
        "c": "https://c.example.com:8443",
    }


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process without a terminal (as under CI), whatever runs the tests."""
    monkeypatch.setattr("cvat_client.core.auth._has_terminal", lambda: False)


def test_token_prompt_uses_getpass(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch, no_terminal: None, tmp_path: Path
) -> None:
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "typed")
    ok(run_cli("profile", "create", "--name", "p", host="https://app.example.com"))
    assert prompts == ["Personal Access Token (PAT) for 'https://app.example.com': "]
    store = json.loads((tmp_path / "config" / "cvat-sdk" / "auth.json").read_text())
    assert store["profiles"]["p"]["token"] == "typed"


@pytest.mark.filterwarnings("error::getpass.GetPassWarning")
def test_without_terminal_secrets_come_from_stdin_without_warnings(
    run_cli: Run, no_terminal: None, tmp_path: Path
) -> None:
    saved = ok(run_cli("profile", "create", "--name", "p", input="from-stdin\n"))
    assert "echoed" not in saved.stderr
    store = json.loads((tmp_path / "config" / "cvat-sdk" / "auth.json").read_text())
    assert store["profiles"]["p"]["token"] == "from-stdin"
    listed = ok(run_cli("task", "ls", auth="admin", input="admin\n"))
    assert "echoed" not in listed.stderr
    assert "Password for admin at http://testserver: \n" in listed.stderr
    line = failed(run_cli("task", "ls", auth="admin", input=""))
    assert "no terminal to ask on and nothing on standard input" in line


def test_piped_stdin_wins_over_a_terminal(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`echo TOKEN | cvat-client profile create` in a terminal reads the pipe."""
    monkeypatch.setattr("cvat_client.core.auth._has_terminal", lambda: True)

    def on_the_terminal(prompt: str) -> str:
        raise AssertionError("asked on the terminal")

    monkeypatch.setattr("getpass.getpass", on_the_terminal)
    ok(run_cli("profile", "create", "--name", "p", input="piped\n"))
    store = json.loads((tmp_path / "config" / "cvat-sdk" / "auth.json").read_text())
    assert store["profiles"]["p"]["token"] == "piped"


def test_auth_user_takes_pass_through_cvat_sdk_factory(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvat_client.core import auth

    made: list[str] = []
    original = auth.get_auth_factory

    def spy(text: str) -> Any:
        made.append(text)
        return original(text)

    monkeypatch.setattr(auth, "get_auth_factory", spy)
    ok(run_cli("task", "ls", auth="admin", env={"PASS": "admin"}))
    assert made == ["admin"]
    ok(run_cli("task", "ls", auth="admin", env={"CVAT_PASSWORD": "admin"}))
    assert made == ["admin", "admin:admin"]


def _interrupt_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("cvat_client.core.requests_polling.wait_for_request", interrupted)


def test_interrupted_task_creation_names_the_request_and_the_task(
    run_cli: Run, images: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _interrupt_waits(monkeypatch)
    result = run_cli("task", "create", "t", "local", str(images), "--labels", "car")
    assert result.exit_code == 130
    assert (
        "the processing of the task data may go on on the server "
        "(request action=create&target=task&target_id=1)" in result.stderr
    )
    assert "cvat-client request wait 'action=create&target=task&target_id=1'" in result.stderr
    assert (
        "Note: Task #1 was created but not finished; delete it with 'cvat-client task delete 1'"
        in result.stderr
    )
    assert result.stderr.endswith("Error: interrupted\n")


@pytest.mark.parametrize("command", ["import-annotations", "create-from-backup"])
def test_interrupted_import_names_the_request(
    run_cli: Run, images: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    ok(run_cli("task", "create", "t", "local", str(images), "--labels", "car"))
    ok(run_cli("task", "export-dataset", "1", "ds.zip", "--format", "CVAT for images 1.1"))
    ok(run_cli("task", "backup", "1", "backup.zip"))
    _interrupt_waits(monkeypatch)
    if command == "import-annotations":
        result = run_cli("task", command, "1", "ds.zip", "--format", "CVAT 1.1")
    else:
        result = run_cli("task", command, "backup.zip")
    assert result.exit_code == 130
    assert "Interrupted: the import may go on on the server (request action=import" in (
        result.stderr
    )
    assert "cvat-client request cancel 'action=import&target=" in result.stderr


def test_interrupted_task_creation_keeps_other_notes_and_drops_the_sdk_one(
    run_cli: Run, images: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        exc = KeyboardInterrupt()
        exc.add_note("an earlier note")
        exc.add_note("Task #7 was created but not finished; finish it with create_from_data")
        exc.task_id = 7  # type: ignore[attr-defined]
        exc.task_deleted = False  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr("cvat_client.core.proxies.tasks.TasksRepo.create_from_data", interrupted)
    result = run_cli("task", "create", "t", "local", str(images), "--labels", "car")
    assert result.exit_code == 130
    assert "an earlier note" in result.stderr
    assert "delete it with 'cvat-client task delete 7'" in result.stderr
    assert "create_from_data" not in result.stderr


@pytest.mark.parametrize(("cancel", "pending"), [(False, "rq-1"), (True, None)])
def test_a_wait_cancelled_on_interrupt_leaves_no_pending_request(
    cancel: bool, pending: str | None
) -> None:
    from cvat_client.cli.state import _track_waits

    class Client:
        def wait_for_request(self, rq_id: str, **kwargs: Any) -> None:
            raise KeyboardInterrupt

    class State:
        pending_request: str | None = None

    client, state = Client(), State()
    _track_waits(client, state)  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        client.wait_for_request("rq-1", cancel_on_interrupt=cancel)
    assert state.pending_request == pending


def test_interruption_without_a_server_request_says_only_that(
    run_cli: Run, images: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run_cli("task", "create", "t", "local", str(images), "--labels", "car"))

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("cvat_client.core.proxies.tasks.TasksRepo.list", interrupted)
    result = run_cli("task", "ls")
    assert result.exit_code == 130
    assert result.stderr == "Error: interrupted\n"


def test_project_whose_dataset_import_fails_is_deleted_again(run_cli: Run, tmp_path: Path) -> None:
    import zipfile

    bogus = tmp_path / "bogus.zip"
    with zipfile.ZipFile(bogus, "w") as archive:
        archive.writestr("readme.txt", "not a dataset")
    result = run_cli(
        "project",
        "create",
        "p",
        "--labels",
        "car",
        "--dataset_path",
        str(bogus),
        "--dataset_format",
        "CVAT 1.1",
    )
    line = failed(result)
    assert line.endswith("Project #1 was deleted")  # said by the SDK
    assert "Dataset must contain a file" in line
    assert result.stdout == ""
    assert ok(run_cli("project", "ls")).stdout == ""


def _not_a_zip(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.zip"
    path.write_bytes(b"not a zip at all")
    return path


def test_project_that_cannot_be_deleted_again_is_named(
    run_cli: Run, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    cvat_server.faults.add(r"^/api/projects/\d+/?$", method="DELETE", on=1, status=500)
    dataset = str(_not_a_zip(tmp_path))
    result = run_cli("project", "create", "p", "--dataset_path", dataset)
    line = failed(result)
    assert "Please upload full dataset as a zip archive" in line
    assert "Project #1 was created but could not be deleted" in line
    assert line.endswith("delete it with 'cvat-client project delete 1'")
    assert ok(run_cli("project", "ls")).stdout == "1\n"


def test_interrupted_project_creation_names_the_project(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _interrupt_waits(monkeypatch)
    dataset = str(_not_a_zip(tmp_path))
    result = run_cli("project", "create", "p", "--dataset_path", dataset)
    assert result.exit_code == 130
    assert (
        "Note: Project #1 was created; the dataset may not be (fully) imported into it yet; "
        "delete it with 'cvat-client project delete 1'" in result.stderr
    )
    assert result.stderr.endswith("Error: interrupted\n")
    assert ok(run_cli("project", "ls")).stdout == "1\n"


def test_interrupted_project_creation_keeps_other_notes(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        exc = KeyboardInterrupt()
        exc.add_note("an earlier note")
        exc.add_note("Project #7 was created and kept: delete it with client.projects...")
        exc.project_id = 7  # type: ignore[attr-defined]
        exc.project_deleted = False  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(
        "cvat_client.core.proxies.projects.ProjectsRepo.create_from_dataset", interrupted
    )
    result = run_cli("project", "create", "p", "--dataset_path", str(_not_a_zip(tmp_path)))
    assert result.exit_code == 130
    assert "an earlier note" in result.stderr
    assert "delete it with 'cvat-client project delete 7'" in result.stderr
    assert "client.projects" not in result.stderr


def test_task_without_labels_as_cvat_cli(run_cli: Run, images: Path) -> None:
    """cvat-cli's --labels defaults to [] (the server accepts a task without labels)."""
    assert ok(run_cli("task", "create", "t", "local", str(images))).stdout == "1\n"
    (listed,) = json.loads(ok(run_cli("task", "ls", "--json")).stdout)
    assert listed["size"] == 4
    assert ok(run_cli("task", "create", "u", str(images / "img_0.jpg"))).stdout == "2\n"


def _refused_certificate(request: Any) -> Any:
    import ssl

    import httpx

    try:
        raise ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")
    except ssl.SSLError as exc:
        raise httpx.ConnectError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed "
            "certificate (_ssl.c:1006)",
            request=request,
        ) from exc


def test_a_refused_certificate_is_not_retried() -> None:
    import httpx

    from cvat_client.core.retry import RetryTransport

    attempts: list[str] = []
    pauses: list[float] = []

    class Inner(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            attempts.append(request.method)
            return _refused_certificate(request)  # type: ignore[no-any-return]

    transport = RetryTransport(Inner(), sleep=pauses.append)
    with pytest.raises(httpx.ConnectError):
        transport.handle_request(httpx.Request("GET", "https://cvat.example/api/server/about"))
    assert attempts == ["GET"] and pauses == []


def test_a_refused_certificate_fails_once_with_a_hint(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from cvat_client.cli import CliEnvironment, cli

    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return _refused_certificate(request)  # type: ignore[no-any-return]

    environment = CliEnvironment(transport=httpx.MockTransport(refuse))
    result = CliRunner().invoke(
        cli,
        ["--server-host", "https://cvat.example", "--auth", "a:b", "task", "ls"],
        obj=environment,
        env={"HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"},
    )
    assert result.exit_code == 1
    assert "use --insecure to skip the check" in result.stderr
    assert len(calls) == 1


def test_cookies_folded_by_a_proxy_are_all_taken() -> None:
    """A proxy may join the server's Set-Cookie headers into one (cvat-sdk copes)."""
    import httpx

    from cvat_client.core.retry import SessionCookieJar

    folded = (
        "csrftoken=abc; expires=Thu, 01 Jan 2099 00:00:00 GMT; Max-Age=1209600; Path=/; "
        "SameSite=Lax, sessionid=xyz; expires=Thu, 01 Jan 2099 00:00:00 GMT; HttpOnly; "
        "Max-Age=1209600; Path=/; SameSite=Lax"
    )
    request = httpx.Request("POST", "https://cvat.example/api/auth/login")
    response = httpx.Response(200, headers=[("Set-Cookie", folded)], request=request)
    cookies = httpx.Cookies(SessionCookieJar(lambda: 0))
    cookies.extract_cookies(response)
    assert {cookie.name: cookie.value for cookie in cookies.jar} == {
        "csrftoken": "abc",
        "sessionid": "xyz",
    }
    expiry = {cookie.name: cookie.expires for cookie in cookies.jar}
    assert expiry["sessionid"] == expiry["csrftoken"] and expiry["sessionid"]


def test_logging_is_left_as_it_was(run_cli: Run) -> None:
    """A program running the command line in-process keeps its loggers unchanged."""
    client_logger = logging.getLogger("cvat_client")
    client_logger.setLevel(logging.ERROR)
    try:
        before = (list(client_logger.handlers), client_logger.level, client_logger.propagate)
        ok(run_cli("ls"))
        ok(run_cli("--debug", "task", "ls"))
        after = (list(client_logger.handlers), client_logger.level, client_logger.propagate)
    finally:
        client_logger.setLevel(logging.NOTSET)
    assert after == before
    assert logging.getLogger("httpx").handlers == []


@pytest.mark.parametrize(
    ("argv0", "program"),
    [
        ("/usr/local/bin/cvat-client", "cvat-client"),
        ("/opt/bin/cvat-cli", "cvat-cli"),  # a link kept for old scripts
        ("/x/cvat_client/__main__.py", "cvat-client"),  # python -m cvat_client
    ],
)
def test_hints_name_the_program_run(
    argv0: str,
    program: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cvat_client.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("sys.argv", [argv0, "profile", "default", "ghost"])
    assert main() == 1
    assert f"Run '{program} profile list'." in capsys.readouterr().err
