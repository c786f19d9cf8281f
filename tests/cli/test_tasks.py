"""``cvat-client task ...`` and ``job ls`` against the test server."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from .conftest import Run, failed, ok, ok_json


def make_task(run_cli: Run, images: Path, *extra: str) -> dict:
    return ok_json(
        run_cli("--json", "task", "create", "cars", str(images), "--labels", "car,person", *extra)
    )


def test_create_from_directory_and_list(run_cli: Run, images: Path) -> None:
    result = ok(
        run_cli("task", "create", "cars", str(images), "--labels", "car", "--segment-size", "2")
    )
    assert result.stdout == "1\n"
    assert "Created task #1 'cars': 4 frames, 2 jobs" in result.stderr
    assert ok(run_cli("task", "ls")).stdout == "1\n"
    table = ok(run_cli("task", "ls", "--table")).stdout.splitlines()
    assert table[0].split() == [
        "ID",
        "NAME",
        "PROJECT",
        "STATUS",
        "FRAMES",
        "JOBS",
        "OWNER",
        "CREATED",
    ]
    assert table[1].split()[:6] == ["1", "cars", "-", "annotation", "4", "2"]
    data = ok_json(run_cli("task", "ls", "--json"))
    assert [(t["id"], t["size"]) for t in data] == [(1, 4)]


def test_create_with_data_options(run_cli: Run, images: Path) -> None:
    labels = images.parent / "labels.json"
    labels.write_text(json.dumps([{"name": "car", "attributes": []}, {"name": "bike"}]))
    task = make_task(
        run_cli,
        images,
        "--labels",
        f"@{labels}",
        "--image-quality",
        "90",
        "--frame-step",
        "2",
        "--chunk-size",
        "5",
        "--sorting-method",
        "natural",
        "--overlap",
        "0",
    )
    assert task["size"] == 2
    assert task["image_quality"] == 90
    assert task["data_chunk_size"] == 5


def test_create_from_glob_in_project(run_cli: Run, images: Path) -> None:
    project = ok_json(run_cli("--json", "project", "create", "p", "--labels", "car"))
    task = ok_json(
        run_cli(
            "--json",
            "task",
            "create",
            "t",
            str(images / "img_[01].jpg"),
            "--project-id",
            str(project["id"]),
        )
    )
    assert task["project_id"] == project["id"]
    assert task["size"] == 2
    assert [
        t["id"]
        for t in ok_json(run_cli("--json", "task", "ls", "--project-id", str(project["id"])))
    ] == [task["id"]]


def test_create_failures(run_cli: Run, images: Path) -> None:
    assert "does not exist" in failed(
        run_cli("task", "create", "t", "local", "nope.jpg", "--labels", "car")
    )
    # as in cvat-cli, a first resource that is neither a type nor a file is a usage error
    assert "neither a resource type" in failed(
        run_cli("task", "create", "t", "nope.jpg", "--labels", "car"), 2
    )
    assert "No file matches" in failed(
        run_cli("task", "create", "t", "nope/*.jpg", "--labels", "car")
    )
    line = failed(run_cli("task", "create", "t", str(images), "--labels", '[{"name": car}]'), 2)
    assert "--labels is not valid JSON" in line
    line = failed(run_cli("task", "create", "t", str(images), "--labels", '[{"title": "car"}]'), 2)
    assert "must be an object with a 'name'" in line
    assert "Cannot read --labels" in failed(
        run_cli("task", "create", "t", str(images), "--labels", "@missing.json"), 2
    )
    assert "Annotation file" in failed(
        run_cli(
            "task", "create", "t", str(images), "--labels", "car", "--annotation-path", "no.xml"
        )
    )
    # nothing was created by the failures above
    assert ok_json(run_cli("--json", "task", "ls")) == []


def test_create_from_share_fails_on_the_server(run_cli: Run) -> None:
    line = failed(
        run_cli(
            "task", "create", "t", "images/a.jpg", "--resource-type", "share", "--labels", "car"
        )
    )
    assert "Error: " in line


def test_missing_task(run_cli: Run) -> None:
    assert failed(run_cli("task", "export-dataset", "42", "out.zip")) == (
        "Error: Task #42 not found (or not visible to you)"
    )
    assert "Task #42 not found" in failed(run_cli("task", "frames", "42"))
    assert "Task #42 not found" in failed(run_cli("task", "backup", "42", "b.zip"))


def test_delete(run_cli: Run, images: Path) -> None:
    task = make_task(run_cli, images)
    result = ok(run_cli("task", "delete", str(task["id"]), "77"))
    assert result.stdout == ""
    assert result.stderr == f"Task #{task['id']} deleted\nTask #77 not found\n"
    assert ok_json(run_cli("--json", "task", "ls")) == []


def test_frames(run_cli: Run, images: Path, tmp_path: Path) -> None:
    task = make_task(run_cli, images)
    out = ok_json(
        run_cli("--json", "task", "frames", str(task["id"]), "0", "2-3", "--outdir", "frames")
    )
    names = sorted(Path(f).name for f in out["files"])
    assert names == [
        "task_1_frame_000000.jpg",
        "task_1_frame_000002.jpg",
        "task_1_frame_000003.jpg",
    ]
    assert (tmp_path / "frames" / "task_1_frame_000002.jpg").read_bytes()[:2] == b"\xff\xd8"
    ok(run_cli("task", "frames", str(task["id"]), "--outdir", "all"))
    assert len(list((tmp_path / "all").iterdir())) == 4
    assert "outside the task" in failed(run_cli("task", "frames", str(task["id"]), "9"))
    assert "Not a frame number" in failed(run_cli("task", "frames", str(task["id"]), "x"))


def test_export_import_backup_restore(run_cli: Run, images: Path, tmp_path: Path) -> None:
    task = make_task(run_cli, images)
    tid = str(task["id"])
    result = ok(
        run_cli("task", "export-dataset", tid, "coco.zip", "--format", "COCO 1.0", "--with-images")
    )
    assert result.stdout == ""
    assert f"Dataset (COCO 1.0) of task #{tid} saved to coco.zip" in result.stderr
    with zipfile.ZipFile(tmp_path / "coco.zip") as archive:
        assert any(name.endswith("instances_default.json") for name in archive.namelist())
        assert sum(name.endswith(".jpg") for name in archive.namelist()) == 4

    info = ok_json(
        run_cli("--json", "task", "import-annotations", tid, "coco.zip", "--format", "COCO 1.0")
    )
    assert info["format"] == "COCO 1.0"
    assert "Annotation file" in failed(run_cli("task", "import-annotations", tid, "nope.zip"))

    saved = ok_json(run_cli("--json", "task", "backup", tid, "backup.zip"))
    assert saved["size"] == (tmp_path / "backup.zip").stat().st_size > 0
    restored = ok(run_cli("task", "create-from-backup", "backup.zip"))
    assert restored.stdout == "2\n"
    assert "Restored task #2 'cars'" in restored.stderr
    assert len(ok_json(run_cli("--json", "task", "ls"))) == 2
    assert "Backup file" in failed(run_cli("task", "create-from-backup", "missing.zip"))


def test_unknown_export_format(run_cli: Run, images: Path) -> None:
    task = make_task(run_cli, images)
    result = run_cli("task", "export-dataset", str(task["id"]), "x.zip", "--format", "Nope 9")
    assert "Unknown export format 'Nope 9'" in failed(result)
    listed = result.stderr.split("The server's export formats:\n")[1].splitlines()
    assert listed[:2] == ["  COCO 1.0", "  CVAT for images 1.1"]  # the server's formats
    line = failed(
        run_cli("task", "export-dataset", str(task["id"]), "x.zip", "--format", "coco 1.0")
    )
    assert "Did you mean 'COCO 1.0'?" in line


def test_unknown_annotation_format_is_refused_before_the_task_is_made(
    run_cli: Run, images: Path, tmp_path: Path
) -> None:
    (tmp_path / "ann.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    line = failed(
        run_cli(
            "task",
            "create",
            "t",
            "local",
            str(images),
            "--labels",
            "car",
            "--annotation_path",
            "ann.zip",
            "--annotation_format",
            "CVAT 1.0",
        )
    )
    assert "Unknown import format 'CVAT 1.0'. Did you mean 'CVAT 1.1'" in line
    assert ok(run_cli("task", "ls")).stdout == ""  # no task was created


def test_server_formats(run_cli: Run) -> None:
    listed = ok(run_cli("server", "formats")).stdout.splitlines()
    assert "CVAT 1.1\timport" in listed
    assert "CVAT for images 1.1\texport" in listed or "CVAT for images 1.1\timport/export" in listed
    exports = ok_json(run_cli("server", "formats", "--export", "--json"))
    assert exports and all(row["export"] for row in exports)


def test_job_ls(run_cli: Run, images: Path) -> None:
    task = make_task(run_cli, images, "--segment-size", "3")
    rows = ok(run_cli("job", "ls", "--task-id", str(task["id"]))).stdout.splitlines()
    assert rows[0].split() == ["ID", "TASK", "PROJECT", "FRAMES", "STAGE", "STATE", "ASSIGNEE"]
    assert sorted(row.split()[3] for row in rows[1:]) == ["0-2", "3-3"]
    assert ok_json(run_cli("--json", "job", "ls", "--task-id", "99")) == []
    assert ok(run_cli("job", "ls", "--task-id", "99")).stdout.strip() == "No jobs."


def test_progress_bars_go_to_stderr_when_forced(run_cli: Run, images: Path) -> None:
    result = run_cli("--json", "--progress", "task", "create", "t", str(images), "--labels", "car")
    data = json.loads(ok(result).stdout)  # stdout stays clean JSON
    assert data["size"] == 4
    assert "Uploading data" in result.stderr
    quiet = run_cli("--json", "task", "create", "t2", str(images), "--labels", "car")
    assert ok(quiet).stderr == ""


def test_progress_in_a_log_ends_at_100_and_says_everything_once(run_cli: Run, images: Path) -> None:
    """Without a terminal, --progress writes whole lines: each bar when it starts and
    ends (at 100 %), each message once, no carriage returns."""
    ok(run_cli("task", "create", "t", "local", str(images), "--labels", "car"))
    result = ok(run_cli("--progress", "task", "export-dataset", "1", "x.zip"))
    assert "\r" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(set(lines)), lines
    for name in ("Exporting task #1", "Downloading x.zip"):
        bars = [line for line in lines if line.startswith(name + ":") and "|" in line]
        assert len(bars) == 2, lines
        assert bars[0].startswith(f"{name}:   0%")
        assert bars[1].startswith(f"{name}: 100%")
