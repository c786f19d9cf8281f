"""``cvat-client request ls|wait|cancel`` against the test server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cvat_client.testing import CvatTestServer

from .conftest import Run, failed, ok, ok_json


def start_export(cvat_http: Any, task_id: int) -> str:
    response = cvat_http.post(
        f"/api/tasks/{task_id}/dataset/export", params={"format": "COCO 1.0", "save_images": False}
    )
    assert response.status_code == 202, response.text
    return str(response.json()["rq_id"])


def test_ls_wait_cancel(
    run_cli: Run, images: Path, cvat_http: Any, cvat_server: CvatTestServer
) -> None:
    task = ok_json(run_cli("--json", "task", "create", "t", str(images), "--labels", "car"))
    rows = ok(run_cli("request", "ls")).stdout.splitlines()
    assert all(len(row) <= 100 for row in rows)
    assert rows[0].split() == [
        "STATUS",
        "OPERATION",
        "TARGET",
        "PROGRESS",
        "CREATED",
        "MESSAGE",
    ]
    assert "create:task" in rows[1] and "finished" in rows[1] and "100%" in rows[1]
    assert rows[2].strip().startswith("action=create")

    cvat_server.worker.delay = 0.3
    rq_id = start_export(cvat_http, task["id"])
    finished = ok(run_cli("request", "wait", rq_id))
    assert finished.stderr.startswith(f"Request {rq_id} finished; result: ")
    assert ok_json(run_cli("--json", "request", "ls", "--status", "finished"))

    gate = cvat_server.worker.hold()
    first = start_export(cvat_http, task["id"])  # keeps the worker busy
    assert gate.wait_held()[1] == "queued"
    cvat_http.post(f"/api/tasks/{task['id']}/backup/export")
    queued = [
        r
        for r in ok_json(run_cli("--json", "request", "ls", "--status", "queued"))
        if r["id"] != first
    ]
    assert queued
    ok(run_cli("request", "cancel", queued[0]["id"]))
    line = failed(run_cli("request", "wait", first, "--timeout", "0.05"))
    assert f"Request {first} is still" in line
    gate.open()


def test_missing_request(run_cli: Run) -> None:
    assert (
        failed(run_cli("request", "wait", "nope")) == "Error: Request nope not found (or expired)"
    )
    assert "not found" in failed(run_cli("request", "cancel", "nope"))


def test_failed_request(run_cli: Run, images: Path, cvat_http: Any) -> None:
    task = ok_json(run_cli("--json", "task", "create", "t", str(images), "--labels", "car"))
    bad = cvat_http.post(f"/api/tasks/{task['id']}/dataset/export", params={"format": "Nope 1.0"})
    if bad.status_code == 202:  # the server may accept and fail in the background
        assert "failed" in failed(run_cli("request", "wait", bad.json()["rq_id"]))
    else:
        assert bad.status_code == 400
