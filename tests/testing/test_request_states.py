"""Background request states and progress (recordings 03/06), nginx-served downloads (06)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from cvat_client.testing import CvatTestServer
from cvat_client.testing.background import Gate

from .conftest import create_task

_RECORDINGS = Path(__file__).resolve().parents[3] / "shared" / "cvat-exchanges"


def _state(http: httpx.Client, rq_id: str) -> dict[str, Any]:
    body = http.get("/api/requests/" + quote(rq_id, safe="")).json()
    return {k: body[k] for k in ("status", "message", "progress")}


def _walk(server: CvatTestServer, http: httpx.Client, gate: Gate, rq_id: str) -> list[Any]:
    """The states of a request at each stage the held worker stands at, then when done."""
    seen: list[Any] = []
    for stage in ("queued", "started"):
        request, at = gate.wait_held()
        assert (request.id, at) == (rq_id, stage)
        seen.append(_state(http, rq_id))
        gate.step()
    assert server.wait_idle()
    seen.append(_state(http, rq_id))
    return seen


def test_states_step_by_step(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    gate = cvat_server.worker.hold()
    task = cvat_http.post("/api/tasks", json={"name": "t", "labels": [{"name": "a"}]}).json()
    files = {"client_files[0]": ("a.jpg", image_files[0].read_bytes(), "image/jpeg")}
    rq_id = cvat_http.post(f"/api/tasks/{task['id']}/data/", files=files).json()["rq_id"]
    # as recorded in 03: the creation is "started" with CVAT's message, progress stays 0.0
    assert _walk(cvat_server, cvat_http, gate, rq_id) == [
        {"status": "queued", "message": "", "progress": 0.0},
        {"status": "started", "message": "Task is being saved in database", "progress": 0.0},
        {"status": "finished", "message": "", "progress": 0.0},
    ]
    export = cvat_http.post(
        f"/api/tasks/{task['id']}/dataset/export", params={"format": "COCO 1.0"}
    ).json()["rq_id"]
    # as recorded in 06: exports show an empty message and progress 0.0 throughout
    assert _walk(cvat_server, cvat_http, gate, export) == [
        {"status": "queued", "message": "", "progress": 0.0},
        {"status": "started", "message": "", "progress": 0.0},
        {"status": "finished", "message": "", "progress": 0.0},
    ]
    body = cvat_http.get("/api/requests/" + quote(export, safe="")).json()
    assert isinstance(body["progress"], float)
    assert body["started_date"] is not None
    assert body["created_date"] <= body["started_date"] <= body["finished_date"]


def test_project_import_reports_progress(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    project = cvat_http.post("/api/projects", json={"name": "p", "labels": [{"name": "car"}]})
    pid = project.json()["id"]
    for subset in ("Train", "Test"):
        task = cvat_http.post(
            "/api/tasks", json={"name": subset, "project_id": pid, "subset": subset}
        ).json()
        files = {"client_files[0]": (f"{subset}.jpg", image_files[0].read_bytes(), "image/jpeg")}
        cvat_http.post(f"/api/tasks/{task['id']}/data/", files=files)
    assert cvat_server.wait_idle()
    rq_id = cvat_http.post(
        f"/api/projects/{pid}/dataset/export", params={"format": "COCO 1.0", "save_images": "1"}
    ).json()["rq_id"]
    assert cvat_server.wait_idle()
    result = cvat_http.get("/api/requests/" + quote(rq_id, safe="")).json()["result_url"]
    dataset = cvat_http.get(result).content
    copy = cvat_http.post("/api/projects", json={"name": "copy"}).json()["id"]
    progress: list[float] = []
    original = cvat_server.store.next_id

    def spy(kind: str) -> int:
        if kind == "task":
            request = cvat_server.worker.requests[rq_import]
            progress.append(request.progress)
            assert request.message == "Task from dataset is being created..."
        return original(kind)

    cvat_server.store.next_id = spy  # type: ignore[method-assign]
    gate = cvat_server.worker.hold()
    rq_import = cvat_http.post(
        f"/api/projects/{copy}/dataset/",
        params={"format": "COCO 1.0"},
        files={"dataset_file": ("d.zip", dataset)},
    ).json()["rq_id"]
    states = _walk(cvat_server, cvat_http, gate, rq_import)
    assert states == [
        {"status": "queued", "message": "", "progress": 0.0},
        {"status": "started", "message": "Dataset import has been started...", "progress": 0.0},
        # progress stays at the share reported when the last subset started
        {"status": "finished", "message": "", "progress": 0.5},
    ]
    # CVAT reports the share of subsets done when it starts the next one
    assert progress == [0.0, 0.5]


def test_result_download_has_no_django_headers(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files)["id"]
    rq_id = cvat_http.post(
        f"/api/tasks/{tid}/dataset/export", params={"format": "COCO 1.0"}
    ).json()["rq_id"]
    assert cvat_server.wait_idle()
    url = cvat_http.get("/api/requests/" + quote(rq_id, safe="")).json()["result_url"]
    nginx = {"content-type", "content-length", "last-modified", "content-disposition", "etag",
             "accept-ranges"}  # fmt: skip
    for headers in ({}, {"Range": "bytes=0-9"}):
        download = cvat_http.get(url, headers=headers)
        assert download.status_code == (206 if headers else 200)
        assert set(download.headers) - {"content-range"} == nginx
    recording = _RECORDINGS / "06-export-and-download.jsonl"
    if recording.is_file():
        for line in recording.read_text().splitlines():
            record = json.loads(line)
            if "/dataset/download" in record["request"]["path"]:
                names = {name.lower() for name, _ in record["response"]["headers"]}
                if record["response"]["status"] == 200:
                    assert names - {"server", "date", "connection"} == nginx
    # errors come from Django, with its headers
    missing = cvat_http.get(f"/api/tasks/{tid}/dataset/download?rq_id=nope")
    assert missing.status_code == 404
    assert {"allow", "vary", "x-request-id", "x-frame-options"} <= set(missing.headers)
