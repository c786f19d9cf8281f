"""``cvat-client project ...`` against the test server."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .conftest import Run, failed, ok, ok_json


def test_create_list_delete(run_cli: Run) -> None:
    assert ok(run_cli("project", "ls")).stdout.strip() == "No projects."
    out = ok(
        run_cli("project", "create", "animals", "--labels", '[{"name": "cat"}, {"name": "dog"}]')
    )
    assert out.stdout.strip() == "Created project #1 'animals'"
    created = ok_json(run_cli("--json", "project", "create", "empty"))
    assert created["name"] == "empty"
    rows = ok(run_cli("project", "ls")).stdout.splitlines()
    assert rows[0].split() == ["ID", "NAME", "STATUS", "TASKS", "OWNER", "CREATED"]
    assert {row.split()[1] for row in rows[1:]} == {"animals", "empty"}
    assert [p["name"] for p in ok_json(run_cli("--json", "project", "ls", "--search", "anim"))] == [
        "animals"
    ]
    deleted = ok_json(run_cli("--json", "project", "delete", "1", "2"))
    assert deleted == {"deleted": [1, 2], "failed": []}
    assert ok_json(run_cli("--json", "project", "ls")) == []


def test_bad_labels(run_cli: Run) -> None:
    assert "not valid JSON" in failed(run_cli("project", "create", "p", "--labels", "[oops"))
    assert "non-empty JSON list" in failed(run_cli("project", "create", "p", "--labels", "[]"))
    assert ok_json(run_cli("--json", "project", "ls")) == []


def test_export_backup_restore_import(run_cli: Run, images: Path, tmp_path: Path) -> None:
    project = ok_json(run_cli("--json", "project", "create", "p", "--labels", "car"))
    pid = str(project["id"])
    ok(run_cli("task", "create", "t", str(images), "--project-id", pid))

    saved = ok_json(
        run_cli(
            "--json",
            "project",
            "export-dataset",
            pid,
            "ds.zip",
            "--format",
            "COCO 1.0",
            "--with-images",
        )
    )
    assert saved["path"] == "ds.zip"
    with zipfile.ZipFile(tmp_path / "ds.zip") as archive:
        assert archive.namelist()

    ok(run_cli("project", "backup", pid, "pb.zip"))
    restored = ok_json(run_cli("--json", "project", "create-from-backup", "pb.zip"))
    assert restored["name"] == "p"
    assert restored["id"] != project["id"]

    target = ok_json(run_cli("--json", "project", "create", "target", "--labels", "car"))
    result = run_cli(
        "project", "import-dataset", str(target["id"]), "ds.zip", "--format", "COCO 1.0"
    )
    if result.exit_code == 0:
        assert "Imported ds.zip (COCO 1.0)" in result.stdout
    else:  # the test server does not take project dataset imports: a clean one-line error
        assert "Error: " in failed(result)


def test_missing_project_and_files(run_cli: Run) -> None:
    assert "Project #5 not found" in failed(run_cli("project", "backup", "5", "x.zip"))
    assert "Project #5 not found" in failed(run_cli("project", "export-dataset", "5", "x.zip"))
    assert failed(run_cli("project", "delete", "5")) == "Error: Project #5 not found"
    ok(run_cli("project", "create", "p"))
    assert "Dataset file" in failed(run_cli("project", "import-dataset", "1", "nope.zip"))
    assert "Dataset file" in failed(run_cli("project", "create", "q", "--dataset-file", "nope.zip"))
    assert "Backup file" in failed(run_cli("project", "create-from-backup", "nope.zip"))
