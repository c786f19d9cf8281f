"""``cvat-client annotations get|put`` against the test server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import Run, failed, ok, ok_json


def rectangle(label_id: int, frame: int) -> dict[str, Any]:
    return {
        "type": "rectangle",
        "frame": frame,
        "label_id": label_id,
        "points": [1.0, 2.0, 20.0, 25.0],
        "occluded": False,
        "outside": False,
        "z_order": 0,
        "rotation": 0.0,
        "attributes": [],
        "group": 0,
        "source": "manual",
    }


def setup_task(run_cli: Run, images: Path, cvat_http: Any) -> tuple[int, int]:
    task = ok_json(
        run_cli(
            "--json", "task", "create", "t", str(images), "--labels", "car", "--segment-size", "2"
        )
    )
    labels = cvat_http.get("/api/labels", params={"task_id": task["id"]}).json()["results"]
    return task["id"], labels[0]["id"]


def test_put_get_round_trip(run_cli: Run, images: Path, cvat_http: Any, tmp_path: Path) -> None:
    task_id, label_id = setup_task(run_cli, images, cvat_http)
    source = tmp_path / "ann.json"
    source.write_text(json.dumps({"shapes": [rectangle(label_id, 0), rectangle(label_id, 3)]}))
    out = ok(run_cli("annotations", "put", str(task_id), str(source))).stderr
    assert out.strip() == f"Replaced the annotations of task #{task_id}: 0 tags, 2 shapes, 0 tracks"

    data = ok_json(run_cli("annotations", "get", str(task_id)))
    assert sorted(s["frame"] for s in data["shapes"]) == [0, 3]

    ok(run_cli("annotations", "get", str(task_id), "-o", "saved.json"))
    saved = json.loads((tmp_path / "saved.json").read_text())
    assert len(saved["shapes"]) == 2
    # what 'get' writes, 'put' takes back
    ok(run_cli("annotations", "put", str(task_id), "saved.json"))
    ok(run_cli("annotations", "put", str(task_id), "ann.json", "--append"))
    assert len(ok_json(run_cli("annotations", "get", str(task_id)))["shapes"]) == 4


def test_job_annotations_and_stdin(run_cli: Run, images: Path, cvat_http: Any) -> None:
    task_id, label_id = setup_task(run_cli, images, cvat_http)
    jobs = ok_json(run_cli("--json", "job", "ls", "--task-id", str(task_id)))
    second = next(j for j in jobs if j["start_frame"] == 2)
    body = json.dumps({"shapes": [rectangle(label_id, 2)], "tags": [], "tracks": []})
    result = run_cli("--json", "annotations", "put", str(second["id"]), "-", "--job", input=body)
    assert ok_json(result)["shapes"] == 1
    job_data = ok_json(run_cli("annotations", "get", str(second["id"]), "--job"))
    assert [s["frame"] for s in job_data["shapes"]] == [2]
    task_data = ok_json(run_cli("annotations", "get", str(task_id)))
    assert [s["frame"] for s in task_data["shapes"]] == [2]


def test_failures(run_cli: Run, images: Path, cvat_http: Any, tmp_path: Path) -> None:
    task_id, _ = setup_task(run_cli, images, cvat_http)
    assert "Task #99 not found" in failed(run_cli("annotations", "get", "99"))
    assert "Job #99 not found" in failed(run_cli("annotations", "get", "99", "--job"))
    assert "Cannot read" in failed(run_cli("annotations", "put", str(task_id), "missing.json"))
    (tmp_path / "bad.json").write_text("{not json")
    assert "not valid JSON" in failed(run_cli("annotations", "put", str(task_id), "bad.json"))
    (tmp_path / "list.json").write_text("[1, 2]")
    assert "'tags', 'shapes' or 'tracks'" in failed(
        run_cli("annotations", "put", str(task_id), "list.json")
    )
    (tmp_path / "wrong.json").write_text(json.dumps({"shapes": [{"type": "rectangle"}]}))
    assert "Error: " in failed(run_cli("annotations", "put", str(task_id), "wrong.json"))
