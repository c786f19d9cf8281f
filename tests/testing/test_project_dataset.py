"""Project dataset import (``POST /api/projects/{id}/dataset/``) and the project preview."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from cvat_client.testing import CvatTestServer

from .conftest import make_jpeg

TUS = {"Tus-Resumable": "1.0.0"}
LABELS = [{"name": "car"}, {"name": "person"}]


def _request(http: httpx.Client, rq_id: str) -> dict[str, object]:
    return dict(http.get("/api/requests/" + quote(rq_id, safe="")).json())


def _project_with_tasks(http: httpx.Client, server: CvatTestServer) -> dict[str, object]:
    """A project with two tasks (subsets ``Train`` and ``default``) and two shapes."""
    project = http.post("/api/projects", json={"name": "source", "labels": LABELS}).json()
    labels = {
        lb["name"]: lb["id"]
        for lb in http.get("/api/labels", params={"project_id": project["id"]}).json()["results"]
    }
    for name, subset, count in (("a", "Train", 2), ("b", "", 3)):
        task = http.post(
            "/api/tasks", json={"name": name, "project_id": project["id"], "subset": subset}
        ).json()
        files = [
            (f"client_files[{i}]", (f"{name}_{i}.jpg", make_jpeg(40 + i, 30), "image/jpeg"))
            for i in range(count)
        ]
        http.post(f"/api/tasks/{task['id']}/data/", files=files, data={"image_quality": "70"})
        assert server.wait_idle()
        shape = {
            "type": "rectangle",
            "frame": 1,
            "label_id": labels["car" if name == "a" else "person"],
            "points": [1.0, 2.0, 20.0, 25.0],
        }
        http.put(f"/api/tasks/{task['id']}/annotations", json={"shapes": [shape]})
    return dict(project)


def _export(http: httpx.Client, server: CvatTestServer, project_id: object, fmt: str) -> bytes:
    rq_id = http.post(
        f"/api/projects/{project_id}/dataset/export",
        params={"format": fmt, "save_images": "true"},
    ).json()["rq_id"]
    assert server.wait_idle()
    return http.get(str(_request(http, rq_id)["result_url"])).content


def _tus_import(http: httpx.Client, project_id: object, fmt: str, payload: bytes) -> str:
    """The SDK's flow: Upload-Start, TUS create + PATCH, Upload-Finish with format/filename."""
    base = f"/api/projects/{project_id}/dataset/"
    started = http.post(base, params={"format": fmt}, headers={"Upload-Start": ""})
    assert (started.status_code, started.content) == (202, b"")
    meta = "filename " + base64.b64encode(b"dataset.zip").decode()
    created = http.post(
        base, headers={**TUS, "Upload-Length": str(len(payload)), "Upload-Metadata": meta}
    )
    assert created.status_code == 201
    upload_id = created.headers["upload-filename"]
    assert created.headers["location"] == f"http://testserver{base}{upload_id}"
    patched = http.patch(
        created.headers["location"],
        content=payload,
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert patched.status_code == 204
    finished = http.post(
        base, params={"format": fmt, "filename": upload_id}, headers={"Upload-Finish": ""}
    )
    assert finished.status_code == 202, finished.text
    return str(finished.json()["rq_id"])


@pytest.mark.parametrize(
    ("export_format", "import_format"),
    [("COCO 1.0", "COCO 1.0"), ("CVAT for images 1.1", "CVAT 1.1")],
)
def test_dataset_round_trip(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, export_format: str, import_format: str
) -> None:
    source = _project_with_tasks(cvat_http, cvat_server)
    payload = _export(cvat_http, cvat_server, source["id"], export_format)
    target = cvat_http.post("/api/projects", json={"name": "copy", "labels": LABELS}).json()
    rq_id = _tus_import(cvat_http, target["id"], import_format, payload)
    assert rq_id == f"action=import&target=project&target_id={target['id']}&subresource=dataset"
    assert cvat_server.wait_idle()
    done = _request(cvat_http, rq_id)
    assert (done["status"], done["message"]) == ("finished", ""), done
    assert done["operation"] == {
        "type": "import:dataset",
        "target": "project",
        "project_id": target["id"],
        "task_id": None,
        "job_id": None,
        "org_id": None,
        "format": import_format,
        "lightweight": None,
    }
    tasks = cvat_http.get("/api/tasks", params={"project_id": target["id"], "sort": "id"}).json()
    by_name = {t["name"]: t for t in tasks["results"]}
    assert set(by_name) == {"Train", "default"}
    assert {n: (t["subset"], t["size"]) for n, t in by_name.items()} == {
        "Train": ("Train", 2),
        "default": ("default", 3),
    }
    labels = {
        lb["id"]: lb["name"]
        for lb in cvat_http.get("/api/labels", params={"project_id": target["id"]}).json()[
            "results"
        ]
    }
    for name, label in (("Train", "car"), ("default", "person")):
        task = by_name[name]
        meta = cvat_http.get(f"/api/tasks/{task['id']}/data/meta").json()
        prefix = "a" if name == "Train" else "b"
        assert [f["name"] for f in meta["frames"]] == [
            f"{prefix}_{i}.jpg" for i in range(task["size"])
        ]
        shapes = cvat_http.get(f"/api/tasks/{task['id']}/annotations").json()["shapes"]
        assert [(s["frame"], labels[s["label_id"]], s["points"]) for s in shapes] == [
            (1, label, [1.0, 2.0, 20.0, 25.0])
        ]
        jobs = cvat_http.get("/api/jobs", params={"task_id": task["id"]}).json()["results"]
        assert len(jobs) == 1
    preview = cvat_http.get(f"/api/projects/{target['id']}/preview")
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/jpeg"


def test_labels_come_from_the_dataset_when_the_project_has_none(
    cvat_server: CvatTestServer, cvat_http: httpx.Client
) -> None:
    source = _project_with_tasks(cvat_http, cvat_server)
    payload = _export(cvat_http, cvat_server, source["id"], "COCO 1.0")
    target = cvat_http.post("/api/projects", json={"name": "empty"}).json()
    response = cvat_http.post(
        f"/api/projects/{target['id']}/dataset/",
        params={"format": "COCO 1.0"},
        files={"dataset_file": ("d.zip", payload, "application/zip")},
    )
    assert response.status_code == 202
    assert cvat_server.wait_idle()
    assert _request(cvat_http, response.json()["rq_id"])["status"] == "finished"
    labels = cvat_http.get("/api/labels", params={"project_id": target["id"]}).json()["results"]
    assert sorted(lb["name"] for lb in labels) == ["car", "person"]
    tasks = cvat_http.get("/api/tasks", params={"project_id": target["id"]}).json()
    assert sum(t["size"] for t in tasks["results"]) == 5


def test_import_errors(cvat_server: CvatTestServer, cvat_http: httpx.Client) -> None:
    source = _project_with_tasks(cvat_http, cvat_server)
    payload = _export(cvat_http, cvat_server, source["id"], "COCO 1.0")
    target = cvat_http.post("/api/projects", json={"name": "t", "labels": [{"name": "car"}]})
    url = f"/api/projects/{target.json()['id']}/dataset/"

    def post(fmt: str, content: bytes) -> httpx.Response:
        files = {"dataset_file": ("d.zip", content, "application/zip")}
        return cvat_http.post(url, params={"format": fmt}, files=files)

    unknown = post("Bogus 1.0", payload)
    assert (unknown.status_code, unknown.json()) == (400, ["Unknown input format 'Bogus 1.0'"])
    finish = cvat_http.post(url + "?format=COCO+1.0&filename=x", headers={"Upload-Finish": ""})
    assert (finish.status_code, finish.json()) == (400, ["No such file were uploaded"])

    mismatch = post("COCO 1.0", payload).json()["rq_id"]
    assert cvat_server.wait_idle()
    failed = _request(cvat_http, mismatch)
    assert failed["status"] == "failed"
    assert 'Target project does not have label with name "person"' in str(failed["message"])
    assert (
        cvat_http.get("/api/tasks", params={"project_id": target.json()["id"]}).json()["count"] == 0
    )

    no_images = io.BytesIO()
    with (
        zipfile.ZipFile(payload and io.BytesIO(payload)) as src,
        zipfile.ZipFile(no_images, "w") as dst,
    ):
        for name in src.namelist():
            if name.endswith(".json"):
                dst.writestr(name, src.read(name))
    rq_id = post("COCO 1.0", no_images.getvalue()).json()["rq_id"]
    assert cvat_server.wait_idle()
    assert "No media data found" in str(_request(cvat_http, rq_id)["message"])
    rq_id = post("CVAT 1.1", b"not a zip").json()["rq_id"]
    assert cvat_server.wait_idle()
    failed = _request(cvat_http, rq_id)
    assert failed["status"] == "failed"
    assert failed["message"] == (  # CVAT 2.73's words for a file that is not a zip
        "cvat.apps.dataset_manager.bindings.NoMediaInAnnotationFileError: Can't import media "
        "data from the annotation file. Please upload full dataset as a zip archive.\n"
    )


def test_removed_get_and_preview(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    project = cvat_http.post("/api/projects", json={"name": "p", "labels": LABELS}).json()
    for path in (
        f"/api/projects/{project['id']}/dataset",
        f"/api/projects/{project['id']}/dataset/",
    ):
        gone = cvat_http.get(path)
        assert gone.status_code == 410
        assert "POST /api/projects/id/dataset/export?save_images=True" in gone.text
        status = cvat_http.get(path, params={"action": "import_status"})
        assert status.status_code == 410
        assert "GET /api/requests/rq_id" in status.text
    missing = cvat_http.get(f"/api/projects/{project['id']}/preview")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert missing.text == "Project image preview not found"
    assert cvat_http.get("/api/projects/999/preview").json() == {
        "detail": "No Project matches the given query."
    }
    previews = []
    for name, color_file in (("first", image_files[0]), ("second", image_files[2])):
        task = cvat_http.post("/api/tasks", json={"name": name, "project_id": project["id"]}).json()
        files = {"client_files[0]": (color_file.name, color_file.read_bytes(), "image/jpeg")}
        cvat_http.post(f"/api/tasks/{task['id']}/data/", files=files)
        assert cvat_server.wait_idle()
        previews.append(cvat_http.get(f"/api/tasks/{task['id']}/preview").content)
    # the newest task gives the project its preview, as CVAT orders the tasks by -id
    assert cvat_http.get(f"/api/projects/{project['id']}/preview").content == previews[1]
    assert json.loads(cvat_http.get(f"/api/projects/{project['id']}").text)["tasks"]["count"] == 2
