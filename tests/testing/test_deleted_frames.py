"""Frame deletion through ``PATCH /api/tasks/{id}/data/meta`` and ``/api/jobs/{id}/data/meta``."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import httpx

from cvat_client.testing import CvatTestServer

from .conftest import create_task


def _task_with_shapes(
    http: httpx.Client, server: CvatTestServer, files: list[Path]
) -> tuple[int, list[int]]:
    task = create_task(http, server, files, segment_size=2)
    label = http.get("/api/labels", params={"task_id": task["id"]}).json()["results"][0]["id"]
    shapes = [
        {"type": "rectangle", "frame": f, "label_id": label, "points": [1.0, 1.0, 9.0, 9.0]}
        for f in range(3)
    ]
    http.put(f"/api/tasks/{task['id']}/annotations", json={"shapes": shapes})
    jobs = http.get("/api/jobs", params={"task_id": task["id"], "sort": "id"}).json()["results"]
    return int(task["id"]), [int(j["id"]) for j in jobs]


def _export(http: httpx.Client, server: CvatTestServer, url: str, fmt: str) -> zipfile.ZipFile:
    rq_id = http.post(url, params={"format": fmt, "save_images": "true"}).json()["rq_id"]
    assert server.wait_idle()
    body = http.get("/api/requests/" + quote(rq_id, safe="")).json()
    return zipfile.ZipFile(io.BytesIO(http.get(body["result_url"]).content))


def test_task_and_job_meta(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid, (first_job, second_job) = _task_with_shapes(cvat_http, cvat_server, image_files)
    meta_url = f"/api/tasks/{tid}/data/meta"
    patched = cvat_http.patch(meta_url, json={"deleted_frames": [1]})
    assert patched.status_code == 200
    assert (patched.json()["deleted_frames"], patched.json()["size"]) == ([1], 3)
    assert cvat_http.get(meta_url).json()["deleted_frames"] == [1]
    assert cvat_http.get(f"/api/jobs/{first_job}/data/meta").json()["deleted_frames"] == [1]
    assert cvat_http.get(f"/api/jobs/{second_job}/data/meta").json()["deleted_frames"] == []

    # a job replaces the deleted frames of its own range and keeps the others
    job_meta = cvat_http.patch(f"/api/jobs/{second_job}/data/meta", json={"deleted_frames": [2]})
    assert job_meta.json()["deleted_frames"] == [2]
    assert cvat_http.get(meta_url).json()["deleted_frames"] == [1, 2]
    cvat_http.patch(f"/api/jobs/{first_job}/data/meta", json={"deleted_frames": [0, 2]})
    assert cvat_http.get(meta_url).json()["deleted_frames"] == [0, 2]
    # a PATCH without the field changes nothing; the task list replaces everything
    assert cvat_http.patch(meta_url, json={}).json()["deleted_frames"] == [0, 2]
    assert cvat_http.patch(meta_url, json={"deleted_frames": []}).json()["deleted_frames"] == []

    negative = cvat_http.patch(meta_url, json={"deleted_frames": [1, -1]})
    assert negative.status_code == 400
    assert negative.json() == {
        "deleted_frames": {"1": ["Ensure this value is greater than or equal to 0."]}
    }
    wrong = cvat_http.patch(meta_url, json={"deleted_frames": "1"})
    assert wrong.json() == {"deleted_frames": ['Expected a list of items but got type "str".']}
    assert cvat_http.patch(meta_url, json={"deleted_frames": ["x"]}).json() == {
        "deleted_frames": {"0": ["A valid integer is required."]}
    }


def test_deleted_frames_stay_readable_but_leave_exports(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid, _jobs = _task_with_shapes(cvat_http, cvat_server, image_files)
    cvat_http.patch(f"/api/tasks/{tid}/data/meta", json={"deleted_frames": [1]})
    # frames, chunks and annotations are still served, as by CVAT
    frame = cvat_http.get(f"/api/tasks/{tid}/data", params={"type": "frame", "number": 1})
    assert frame.status_code == 200
    shapes = cvat_http.get(f"/api/tasks/{tid}/annotations").json()["shapes"]
    assert sorted(s["frame"] for s in shapes) == [0, 1, 2]

    url = f"/api/tasks/{tid}/dataset/export"
    with _export(cvat_http, cvat_server, url, "COCO 1.0") as archive:
        document = json.loads(archive.read("annotations/instances_default.json"))
        images = [n for n in archive.namelist() if n.startswith("images/")]
    assert [i["file_name"] for i in document["images"]] == ["img_0.jpg", "img_2.jpg"]
    assert len(document["annotations"]) == 2
    assert sorted(images) == ["images/default/img_0.jpg", "images/default/img_2.jpg"]
    with _export(cvat_http, cvat_server, url, "CVAT for images 1.1") as archive:
        root = ElementTree.fromstring(archive.read("annotations.xml"))
        images = [n for n in archive.namelist() if n.startswith("images/")]
    assert [(i.get("id"), i.get("name")) for i in root.iter("image")] == [
        ("0", "img_0.jpg"),
        ("2", "img_2.jpg"),
    ]
    assert sorted(images) == ["images/img_0.jpg", "images/img_2.jpg"]


def test_backup_keeps_deleted_frames(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid, _jobs = _task_with_shapes(cvat_http, cvat_server, image_files)
    cvat_http.patch(f"/api/tasks/{tid}/data/meta", json={"deleted_frames": [2]})
    rq_id = cvat_http.post(f"/api/tasks/{tid}/backup/export").json()["rq_id"]
    assert cvat_server.wait_idle()
    body = cvat_http.get("/api/requests/" + quote(rq_id, safe="")).json()
    backup = cvat_http.get(body["result_url"]).content
    with zipfile.ZipFile(io.BytesIO(backup)) as archive:
        assert json.loads(archive.read("task.json"))["data"]["deleted_frames"] == [2]
    restore = cvat_http.post("/api/tasks/backup/", files={"task_file": ("b.zip", backup)})
    assert cvat_server.wait_idle()
    restored = cvat_http.get("/api/requests/" + quote(restore.json()["rq_id"], safe="")).json()
    meta = cvat_http.get(f"/api/tasks/{restored['result_id']}/data/meta").json()
    assert meta["deleted_frames"] == [2]
