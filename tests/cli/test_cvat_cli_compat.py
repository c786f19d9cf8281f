"""cvat-cli 2.73's command lines under ``cvat-client``: spellings, profiles, ``config``,
``function``, the deprecated top-level commands (in-process against the test server)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from .conftest import Run, failed, ok, ok_json


def _token(cvat_http: Any, name: str = "laptop") -> str:
    response = cvat_http.post("/api/auth/access_tokens", json={"name": name, "read_only": False})
    assert response.status_code == 201, response.text
    return str(response.json()["value"])


def test_profiles_and_default_server(run_cli: Run, cvat_http: Any, tmp_path: Path) -> None:
    token = _token(cvat_http)
    # the token's name comes from the server when --name is not given
    saved = ok(run_cli("profile", "create", "--", token, auth=None))  # a token may start with -
    assert saved.stdout == "Saved profile 'laptop' for http://testserver (set as default).\n"
    store = tmp_path / "config" / "cvat-sdk" / "auth.json"
    assert json.loads(store.read_text())["profiles"]["laptop"]["token"] == token
    assert (store.stat().st_mode & 0o777) == 0o600
    assert "already exists" in failed(run_cli("profile", "create", "--name", "laptop", "--", token))
    envelope = tmp_path / "token.jsonc"
    envelope.write_text(f'{{\n // saved from the web UI\n "token": "{token}", "name": "ci"}}')
    ok(run_cli("profile", "create", "--file", str(envelope), "--set-default", auth=None))
    listed = ok(run_cli("profile", "list", auth=None, host=None)).stdout
    assert listed == "ci\thttp://testserver\t(default)\nlaptop\thttp://testserver\n"
    assert ok(run_cli("profile", "list", "--names-only")).stdout == "ci\nlaptop\n"
    assert ok(run_cli("profile", "default")).stdout == "ci\n"
    # the default profile is used without host and credentials; --profile names one
    ok(run_cli("project", "create", "p", "--labels", "car", auth=None, host=None))
    listed_ids = ok(run_cli("--profile", "laptop", "project", "ls", auth=None, host=None))
    assert listed_ids.stdout == "1\n"
    assert "mutually exclusive" in failed(run_cli("--profile", "ci", "project", "ls"))
    assert "Unknown profile 'nope'" in failed(
        run_cli("--profile", "nope", "project", "ls", auth=None, host=None)
    )
    assert ok(run_cli("profile", "delete", "ci")).stdout == "Removed profile 'ci'.\n"
    assert "No default profile is set." in failed(run_cli("profile", "default"))
    assert ok(run_cli("profile", "default", "laptop")).stdout == (
        "Default profile is now 'laptop'.\n"
    )
    assert ok(run_cli("profile", "default", "--unset")).stdout == "Default profile cleared.\n"
    assert "Unknown profile 'x'" in failed(run_cli("profile", "delete", "x"))

    assert ok(run_cli("config", "default-server")).stdout == "(no default server set)\n"
    assert ok(run_cli("config", "default-server", "http://testserver")).stdout == (
        "Default server is now 'http://testserver'.\n"
    )
    # no host option: the default server, with the given credentials
    assert ok(run_cli("project", "ls", host=None)).stdout == "1\n"
    assert ok(run_cli("config", "default-server", "--unset")).stdout == "Default server cleared.\n"


def test_token_from_standard_input(run_cli: Run, cvat_http: Any) -> None:
    token = _token(cvat_http, "piped")
    result = ok(run_cli("profile", "create", "--name", "p", input=token + "\n"))
    assert result.stdout == "Saved profile 'p' for http://testserver (set as default).\n"
    assert "A non-empty PAT is required." in failed(
        run_cli("profile", "create", "--name", "q", input="\n")
    )


def test_functions_say_the_server_lacks_them(run_cli: Run) -> None:
    for args in (
        ["create-native", "f", "--function-file", "x.py"],
        ["delete", "3"],
        ["run-agent", "3", "--function-module", "m"],
    ):
        line = failed(run_cli("function", *args))
        assert "/api/functions" in line
        assert "open-source CVAT server does not have" in line


def test_cvat_cli_spellings_and_outputs(run_cli: Run, images: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text('[{"name": "car"}, {"name": "person"}]')
    created = ok(
        run_cli(
            "task",
            "create",
            "cars",
            "local",
            *sorted(str(p) for p in images.iterdir()),
            "--labels",
            str(labels),
            "--image_quality",
            "80",
            "--segment_size",
            "2",
            "--use_cache",
            "--use_zip_chunks",
            "--sorting-method",
            "natural",
            "--completion_verification_period",
            "0.01",
            "--bug_tracker",
            "http://bugs.example/1",
        )
    )
    assert created.stdout == "1\n"
    task = ok_json(run_cli("task", "ls", "--json"))[0]
    assert task["bug_tracker"] == "http://bugs.example/1"
    assert task["image_quality"] == 80
    assert task["segment_size"] == 2
    # an optional output name: the current directory, the server's file name
    ok(run_cli("task", "export-dataset", "1", "--with-images", "True", "--format", "COCO 1.0"))
    (archive,) = [p for p in tmp_path.iterdir() if p.suffix == ".zip"]
    with zipfile.ZipFile(archive) as zipped:
        assert sum(name.endswith(".jpg") for name in zipped.namelist()) == 4
    ok(run_cli("task", "export-dataset", "1", "out/", "--with-images", "False"))
    (inner,) = (tmp_path / "out").iterdir()
    with zipfile.ZipFile(inner) as zipped:
        assert not any(name.endswith(".jpg") for name in zipped.namelist())
    assert failed(run_cli("task", "export-dataset", "1", "--with-images", "maybe"), 2)
    # the resource type given twice, or alone
    assert failed(run_cli("task", "create", "t", "local", "--labels", "car"), 2)


def test_deprecated_top_level_commands(run_cli: Run, images: Path, tmp_path: Path) -> None:
    created = ok(run_cli("create", "t", "local", str(images), "--labels", "car"))
    assert created.stdout == "1\n"
    assert 'This command is deprecated. Use "task create" instead.' in created.stderr
    listed = ok(run_cli("ls"))
    assert listed.stdout == "1\n"
    assert 'Use "task ls" instead.' in listed.stderr
    ok(run_cli("dump", "1", "ds.zip", "--format", "CVAT for images 1.1"))
    assert zipfile.is_zipfile(tmp_path / "ds.zip")
    ok(run_cli("upload", "1", "ds.zip", "--format", "CVAT 1.1"))
    ok(run_cli("export", "1", "b.zip"))
    assert ok(run_cli("import", "b.zip")).stdout == "2\n"
    ok(run_cli("frames", "1", "0", "--outdir", "fr"))
    assert [p.name for p in (tmp_path / "fr").iterdir()] == ["task_1_frame_000000.jpg"]
    deleted = ok(run_cli("delete", "1", "2"))
    assert deleted.stderr.count("deleted") == 2
    assert ok(run_cli("ls")).stdout == ""


def test_annotations_put_with_an_archive_points_to_import(
    run_cli: Run, images: Path, tmp_path: Path
) -> None:
    ok(run_cli("task", "create", "t", "local", str(images), "--labels", "car"))
    ok(run_cli("task", "export-dataset", "1", "ds.zip"))
    line = failed(run_cli("annotations", "put", "1", "ds.zip"))
    assert "task import-annotations 1 ds.zip --format" in line


def test_interrupted_export_names_the_server_request(
    run_cli: Run, images: Path, monkeypatch: Any
) -> None:
    ok(run_cli("task", "create", "t", "local", str(images), "--labels", "car"))

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    # the client's own wait, as every command's: the CLI tracks it there
    monkeypatch.setattr("cvat_client.core.requests_polling.wait_for_request", interrupted)
    result = run_cli("task", "export-dataset", "1", "ds.zip")
    assert result.exit_code == 130
    assert "the export may go on on the server (request action=export" in result.stderr
    assert "request cancel 'action=export&target=task&target_id=1" in result.stderr
    assert not (Path.cwd() / "ds.zip").exists()


def test_test_server_without_its_extra_names_it() -> None:
    """`python -m cvat_client.testing` without uvicorn: one line naming the extra."""
    import subprocess
    import sys

    code = (
        "import sys, runpy; sys.modules['uvicorn'] = sys.modules['starlette'] = None; "
        "runpy.run_module('cvat_client.testing', run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert "pip install 'cvat-client[testing]'" in result.stderr
    assert "Traceback" not in result.stderr
    # importing the package itself works; its names say what is missing
    code = (
        "import sys; sys.modules['starlette'] = None\n"
        "import cvat_client.testing as t\n"
        "try:\n    t.CvatTestServer\nexcept ImportError as e:\n    print(e)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "pip install 'cvat-client[testing]'" in result.stdout, result.stderr


def test_auto_annotate_alias_follows_the_task_command(run_cli: Run) -> None:
    """The deprecated `auto-annotate` exists exactly when `task auto-annotate` does."""
    import click

    from cvat_client.cli import cli
    from cvat_client.cli.commands.tasks import task

    listed = "auto-annotate" in cli.list_commands(click.Context(cli))
    if "auto-annotate" in task.commands:  # installed by the auto-annotation module
        assert listed
        return
    assert not listed

    @click.command("auto-annotate")
    @click.argument("task_id", type=int)
    def auto_annotate(task_id: int) -> None:
        click.echo(f"annotating {task_id}")

    task.add_command(auto_annotate)
    try:
        result = ok(run_cli("auto-annotate", "7"))
        assert result.stdout == "annotating 7\n"
        assert 'Use "task auto-annotate" instead.' in result.stderr
        assert "auto-annotate" in cli.list_commands(click.Context(cli))
    finally:
        del task.commands["auto-annotate"]
