"""``cvat-client task auto-annotate``: functions from files and modules, with parameters."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from cvat_client.testing import CvatTestServer
from tests.cli.conftest import Run, failed, ok, ok_json

FUNCTION = textwrap.dedent(
    """
    import cvat_client.auto_annotation as cvataa

    class Boxes:
        def __init__(self, label, count, size, tagged):
            self.count, self.size, self.tagged = count, size, tagged
            labels = [cvataa.label_spec(label, 0)]
            if tagged:
                labels.append(cvataa.label_spec("scene", 1))
            self.spec = cvataa.DetectionFunctionSpec(labels=labels)

        def detect(self, context, image):
            threshold = context.conf_threshold or 0.0
            shapes = [
                cvataa.rectangle(0, [i, 0.0, i + self.size, self.size + threshold])
                for i in range(self.count)
            ]
            if context.conv_mask_to_poly:
                shapes = shapes[:1]
            return shapes + ([cvataa.tag(1)] if self.tagged else [])

    def create(label: str, count: int, size: float = 2.0, tagged: bool = False):
        return Boxes(label, count, size, tagged)
    """
)

PLAIN_MODULE = textwrap.dedent(
    """
    import cvat_client.auto_annotation as cvataa

    spec = cvataa.DetectionFunctionSpec(labels=[cvataa.label_spec("car", 7)])

    def detect(context, image):
        return [cvataa.rectangle(7, [1.0, 1.0, 2.0, 2.0])]
    """
)

BAD_MODULE = textwrap.dedent(
    """
    import cvat_client.auto_annotation as cvataa

    spec = cvataa.DetectionFunctionSpec(labels=[cvataa.label_spec("car", 7)])

    def detect(context, image):
        return [cvataa.rectangle(8, [1.0, 1.0, 2.0, 2.0])]
    """
)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The task metadata the run caches goes to the test's folder, not the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def task_id(run_cli: Run, images: Path) -> int:
    created = ok_json(
        run_cli(
            "task",
            "create",
            "aa",
            "--labels",
            "car,scene",
            *map(str, sorted(images.iterdir())),
            global_args=["--json"],
        )
    )
    return int(created["id"])


def _shapes(server: CvatTestServer, task_id: int) -> dict[str, list[Any]]:
    with server.sync_client(auth=("admin", "admin")) as http:
        data = http.get(f"/api/tasks/{task_id}/annotations").json()
    return {"shapes": data["shapes"], "tags": data["tags"]}


def test_function_file_with_parameters_of_each_type(
    run_cli: Run, task_id: int, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    path = tmp_path / "boxes.py"
    path.write_text(FUNCTION)
    result = ok(
        run_cli(
            "task",
            "auto-annotate",
            str(task_id),
            "--function-file",
            str(path),
            "-p",
            "label=str:car",
            "-p",
            "count=int:3",
            "-p",
            "size=float:4.5",
            "--function-parameter",
            "tagged=bool:yes",
            "--conf-threshold",
            "0.25",
        )
    )
    assert f"Annotated task #{task_id}" in result.stderr
    assert result.stdout == ""  # cvat-cli prints nothing on stdout here
    found = _shapes(cvat_server, task_id)
    assert len(found["shapes"]) == 4 * 3
    assert len(found["tags"]) == 4
    assert {tuple(s["points"]) for s in found["shapes"]} == {
        (float(i), 0.0, i + 4.5, 4.75) for i in range(3)
    }
    assert {s["source"] for s in found["shapes"]} == {"auto"}

    # --clear-existing replaces; --conv-mask-to-poly reaches the function's context.
    ok(
        run_cli(
            "task",
            "auto-annotate",
            str(task_id),
            "--function-file",
            str(path),
            "-p",
            "label=str:car",
            "-p",
            "count=int:2",
            "-p",
            "tagged=bool:false",
            "--clear-existing",
            "--conv-mask-to-poly",
        )
    )
    found = _shapes(cvat_server, task_id)
    assert len(found["shapes"]) == 4 and not found["tags"]


def test_function_module(
    run_cli: Run,
    task_id: int,
    cvat_server: CvatTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "aa_factory_mod.py").write_text(FUNCTION)
    (tmp_path / "aa_plain_mod.py").write_text(PLAIN_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    ok(
        run_cli(
            "task",
            "auto-annotate",
            str(task_id),
            "--function-module",
            "aa_factory_mod",
            "-p",
            "label=str:car",
            "-p",
            "count=int:1",
        )
    )
    ok(run_cli("task", "auto-annotate", str(task_id), "--function-module", "aa_plain_mod"))
    assert len(_shapes(cvat_server, task_id)["shapes"]) == 4 * 2

    message = failed(
        run_cli(
            "task",
            "auto-annotate",
            str(task_id),
            "--function-module",
            "aa_plain_mod",
            "-p",
            "x=int:1",
        )
    )
    assert "function takes no parameters" in message


def test_bad_function_is_one_line(
    run_cli: Run, task_id: int, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    path = tmp_path / "bad.py"
    path.write_text(BAD_MODULE)
    message = failed(run_cli("task", "auto-annotate", str(task_id), "--function-file", str(path)))
    assert message.startswith("Error: Bad function: frame 0 (img_0.jpg): ")
    assert "unknown label ID (8)" in message
    assert _shapes(cvat_server, task_id)["shapes"] == []

    no_spec = tmp_path / "nospec.py"
    no_spec.write_text("def detect(context, image):\n    return []\n")
    message = failed(
        run_cli("task", "auto-annotate", str(task_id), "--function-file", str(no_spec))
    )
    assert "no 'spec' attribute" in message


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["-p", "x"], "parameter value not specified"),
        (["-p", "x=1"], "parameter type not specified"),
        (["-p", "x=list:1"], "unsupported parameter type 'list'"),
        (["-p", "x=int:one"], "invalid literal"),
        (["-p", "x=bool:maybe"], "bool"),
        (["--conf-threshold", "2"], "must be between 0 and 1"),
        (["--conf-threshold", "high"], "must be a number"),
    ],
)
def test_bad_command_lines(run_cli: Run, tmp_path: Path, args: list[str], problem: str) -> None:
    path = tmp_path / "f.py"
    path.write_text(PLAIN_MODULE)
    result = run_cli("task", "auto-annotate", "1", "--function-file", str(path), *args)
    assert result.exit_code == 2
    assert problem in result.stderr


def test_exactly_one_function_source(run_cli: Run, tmp_path: Path) -> None:
    assert run_cli("task", "auto-annotate", "1").exit_code == 2
    result = run_cli(
        "task", "auto-annotate", "1", "--function-module", "m", "--function-file", "f.py"
    )
    assert result.exit_code == 2


def test_interrupted_upload_says_what_is_on_the_server(
    run_cli: Run, task_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Auto-annotation sends its results synchronously (no server request to name): after
    Ctrl-C the command says which frames' results are stored."""
    from cvat_client.auto_annotation import _upload

    monkeypatch.setattr(_upload, "BATCH_BYTES", 300)  # about a frame per batch
    monkeypatch.setattr(_upload, "ONE_REQUEST_BYTES", 300)
    send = _upload._send
    calls = 0

    def interrupted_second(*args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt
        send(*args, **kwargs)

    monkeypatch.setattr(_upload, "_send", interrupted_second)
    function = tmp_path / "boxes.py"
    function.write_text(FUNCTION)
    result = run_cli(
        "task",
        "auto-annotate",
        str(task_id),
        "--function-file",
        str(function),
        "-p",
        "label=str:car",
        "-p",
        "count=int:2",
    )
    assert result.exit_code == 130
    assert f"Note: Upload to task {task_id} interrupted: the results of frames 0 are on " in (
        result.stderr
    )
    assert result.stderr.endswith("Error: interrupted\n")
