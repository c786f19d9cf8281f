"""Uploads (recording 03), frames and chunks (04), annotations (05), requests and exports (06-08)."""

from __future__ import annotations

import base64
import io
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import httpx

from cvat_client.testing import CvatTestServer

from .conftest import create_task, make_jpeg

TUS = {"Tus-Resumable": "1.0.0"}
OCTET = {"Content-Type": "application/offset+octet-stream"}


def _zip_of_images(count: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for i in range(count):
            archive.writestr(f"noise_{i:02d}.jpg", make_jpeg(40, 30, (i * 20, 0, 0)))
    return buf.getvalue()


def test_tus_upload_rules(cvat_server: CvatTestServer, cvat_http: httpx.Client) -> None:
    task = cvat_http.post(
        "/api/tasks", json={"name": "tus", "labels": [{"name": "a"}], "segment_size": 5}
    ).json()
    base = f"/api/tasks/{task['id']}/data/"
    start = cvat_http.post(base, headers={"Upload-Start": ""})
    assert start.status_code == 202
    assert start.content == b""
    assert "content-type" not in start.headers
    payload = _zip_of_images(12)
    meta = "filename " + base64.b64encode(b"big_images.zip").decode()
    created = cvat_http.post(
        base, headers={**TUS, "Upload-Length": str(len(payload)), "Upload-Metadata": meta}
    )
    assert created.status_code == 201
    location = created.headers["location"]
    assert location.startswith(f"http://testserver{base}1_")
    assert created.headers["upload-filename"] == "big_images.zip"
    for name in ("tus-resumable", "tus-version", "tus-extension", "tus-max-size", "cache-control"):
        assert name in created.headers
    upload = location.removeprefix("http://testserver")
    half = len(payload) // 2
    first = cvat_http.patch(
        upload, content=payload[:half], headers={**TUS, **OCTET, "Upload-Offset": "0"}
    )
    assert first.status_code == 204
    assert first.headers["upload-offset"] == str(half)
    head = cvat_http.head(upload, headers=TUS)
    assert (head.headers["upload-offset"], head.headers["upload-length"]) == (
        str(half),
        str(len(payload)),
    )
    conflict = cvat_http.patch(upload, content=b"x", headers={**TUS, **OCTET, "Upload-Offset": "0"})
    assert conflict.status_code == 409
    assert "upload-offset" not in conflict.headers
    wrong_type = cvat_http.patch(
        upload,
        content=b"x",
        headers={**TUS, "Content-Type": "application/octet-stream", "Upload-Offset": str(half)},
    )
    assert wrong_type.status_code == 415
    assert wrong_type.json() == {
        "detail": 'Unsupported media type "application/octet-stream" in request.'
    }
    too_long = cvat_http.patch(
        upload, content=payload[half:] + b"extra", headers={**OCTET, "Upload-Offset": str(half)}
    )
    assert too_long.status_code == 413
    rest = cvat_http.patch(
        upload, content=payload[half:], headers={**OCTET, "Upload-Offset": str(half)}
    )
    assert rest.status_code == 204
    assert cvat_http.head(upload, headers=TUS).status_code == 404
    unknown = cvat_http.head(base + "00000000-0000-0000-0000-000000000000", headers=TUS)
    assert unknown.headers["content-type"].startswith("text/html")
    finish = cvat_http.post(
        base, json={"image_quality": 70, "sorting_method": "natural"}, headers={"Upload-Finish": ""}
    )
    assert finish.status_code == 202
    assert finish.json() == {"rq_id": f"action=create&target=task&target_id={task['id']}"}
    assert cvat_server.wait_idle()
    request = cvat_http.get("/api/requests/" + quote(finish.json()["rq_id"], safe="")).json()
    assert request["status"] == "finished"
    meta_body = cvat_http.get(f"/api/tasks/{task['id']}/data/meta").json()
    assert meta_body["size"] == 12
    assert meta_body["frames"][0]["name"] == "noise_00.jpg"
    jobs = cvat_http.get(f"/api/jobs?task_id={task['id']}").json()["results"]
    assert [(j["start_frame"], j["stop_frame"]) for j in jobs] == [(10, 11), (5, 9), (0, 4)]
    status = cvat_http.get(f"/api/tasks/{task['id']}/status")
    assert status.headers["deprecation"] == "true"
    assert status.json()["state"] == "Finished"
    again = cvat_http.post(base, headers={"Upload-Start": ""})
    assert again.json() == ["Adding more data is not supported"]


def test_frames_chunks_previews(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    task = create_task(cvat_http, cvat_server, image_files)
    tid = task["id"]
    assert task["size"] == 3
    assert task["jobs"]["count"] == 1
    frame = cvat_http.get(f"/api/tasks/{tid}/data?type=frame&number=0&quality=original")
    assert frame.headers["content-type"] == "image/jpeg"
    assert frame.content == image_files[0].read_bytes()
    assert (
        cvat_http.get(f"/api/tasks/{tid}/data/?type=frame&number=1&quality=compressed").status_code
        == 200
    )
    chunk = cvat_http.get(f"/api/tasks/{tid}/data?type=chunk&number=0&quality=compressed")
    assert chunk.headers["content-type"] == "application/zip"
    assert chunk.headers["accept-ranges"] == "bytes"
    assert "x-checksum" in chunk.headers
    out_of_range = cvat_http.get(f"/api/tasks/{tid}/data?type=frame&number=99&quality=original")
    assert (
        out_of_range.json() == "Invalid frame '99'. The frame number should be in the [0, 3] range"
    )
    bad_chunk = cvat_http.get(f"/api/tasks/{tid}/data?type=chunk&number=5&quality=compressed")
    assert (
        bad_chunk.json()
        == "Invalid chunk number '5'. The chunk number should be in the [0, 0] range"
    )
    assert cvat_http.get(f"/api/tasks/{tid}/data?number=0").json() == [
        "Data type not specified or has wrong value"
    ]
    assert cvat_http.get(f"/api/tasks/{tid}/data?type=frame&number=0&quality=bogus").json() == [
        "Wrong quality value"
    ]
    job_id = cvat_http.get(f"/api/jobs?task_id={tid}").json()["results"][0]["id"]
    ranged = cvat_http.get(
        f"/api/jobs/{job_id}/data?type=chunk&index=0&quality=compressed",
        headers={"Range": "bytes=0-99"},
    )
    assert ranged.status_code == 206
    assert len(ranged.content) == 100
    assert ranged.headers["content-range"] == f"bytes 0-99/{len(chunk.content)}"
    assert ranged.content == chunk.content[:100]
    assert cvat_http.get(f"/api/tasks/{tid}/preview").headers["content-type"] == "image/jpeg"
    assert cvat_http.get(f"/api/jobs/{job_id}/preview").status_code == 200
    assert cvat_http.get(f"/api/jobs/{job_id}/data/meta").json()["size"] == 3
    assert cvat_http.get("/api/tasks/99999999/data?type=frame&number=0").json() == {
        "detail": "No Task matches the given query."
    }


def _rect(label_id: int, frame: int) -> dict[str, object]:
    return {"type": "rectangle", "frame": frame, "label_id": label_id, "points": [1.0, 2.0, 3.0, 4.0],
            "occluded": False, "outside": False, "z_order": 0, "rotation": 0.0, "attributes": [],
            "group": 0, "source": "manual"}  # fmt: skip


def test_annotations(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files)["id"]
    labels = cvat_http.get(f"/api/labels?task_id={tid}").json()["results"]
    car, person = labels[0]["id"], labels[1]["id"]
    url = f"/api/tasks/{tid}/annotations"
    assert cvat_http.get(url).json() == {
        "version": 0,
        "tags": [],
        "shapes": [],
        "tracks": [],
        "intervals": [],
    }
    put = cvat_http.put(
        url, json={"shapes": [_rect(car, 0), _rect(car, 1)], "tags": [], "tracks": []}
    ).json()
    assert [s["score"] for s in put["shapes"]] == [1, 1]
    assert all(s["elements"] == [] for s in put["shapes"])
    got = cvat_http.get(url).json()
    assert [s["score"] for s in got["shapes"]] == [1.0, 1.0]
    created = cvat_http.patch(
        url + "?action=create",
        json={
            "tags": [
                {"frame": 0, "label_id": person, "group": 0, "source": "manual", "attributes": []}
            ]
        },
    ).json()
    tag = created["tags"][0]
    assert "id" in tag
    shape = dict(got["shapes"][0], label_id=person)
    updated = cvat_http.patch(url + "?action=update", json={"shapes": [shape]}).json()
    assert updated["shapes"][0]["label_id"] == person
    deleted = cvat_http.patch(url + "?action=delete", json={"tags": [tag]})
    assert deleted.status_code == 200
    assert deleted.json()["tags"][0]["id"] == tag["id"]
    for query in ("", "?action=bogus"):
        assert cvat_http.patch(url + query, json={}).json() == [
            "Please specify a correct 'action' for the request"
        ]
    assert cvat_http.put(url, json={"shapes": [_rect(99999999, 0)]}).json() == [
        "label_id `99999999` is invalid"
    ]
    hexagon = dict(_rect(car, 0), type="hexagon")
    assert cvat_http.put(url, json={"shapes": [hexagon]}).json() == {
        "shapes": [{"type": ['"hexagon" is not a valid choice.']}]
    }
    dropped = cvat_http.put(url, json={"shapes": [_rect(car, 7)]}).json()
    assert dropped["shapes"] == []
    assert cvat_http.get(url + "/").json()["shapes"] == []
    job_id = cvat_http.get(f"/api/jobs?task_id={tid}").json()["results"][0]["id"]
    track = {"frame": 0, "label_id": car, "group": 0, "source": "manual", "attributes": [],
             "shapes": [dict(_rect(car, 0)), dict(_rect(car, 2), outside=True)]}  # fmt: skip
    made = cvat_http.patch(
        f"/api/jobs/{job_id}/annotations?action=create", json={"tracks": [track]}
    ).json()
    assert len(made["tracks"][0]["shapes"]) == 2
    assert len(cvat_http.get(url).json()["tracks"]) == 1
    assert cvat_http.delete(url).status_code == 204
    assert cvat_http.get(f"/api/jobs/{job_id}/annotations/").json()["tracks"] == []


def _poll(http: httpx.Client, rq_id: str) -> dict[str, object]:
    for _ in range(500):
        body = http.get("/api/requests/" + quote(rq_id, safe="")).json()
        if body["status"] in ("finished", "failed"):
            return dict(body)
        time.sleep(0.01)
    raise AssertionError("request did not finish")


def test_request_lifecycle_and_exports(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files)["id"]
    gate = cvat_server.worker.hold()
    export = f"/api/tasks/{tid}/dataset/export?format=COCO%201.0&save_images=false"
    first = cvat_http.post(export)
    assert first.status_code == 202
    rq_id = first.json()["rq_id"]
    assert (
        rq_id
        == f"action=export&target=task&target_id={tid}&user_id=1&format=COCO_1~0&subresource=annotations"
    )
    repeated = cvat_http.post(export)
    assert repeated.status_code == 409
    assert repeated.json() == {"rq_id": rq_id}
    assert gate.wait_held()[1] == "queued"
    queued = cvat_http.get("/api/requests/" + quote(rq_id, safe=""))
    assert queued.json()["status"] == "queued"
    assert "no-store" in queued.headers["cache-control"]
    gate.step()
    assert gate.wait_held()[1] == "started"
    assert cvat_http.post(export).json() == {"rq_id": rq_id}  # still running: 409
    gate.open()
    done = _poll(cvat_http, rq_id)
    assert done["status"] == "finished"
    assert done["operation"]["format"] == "COCO 1.0"
    result_url = str(done["result_url"])
    assert result_url.startswith(f"http://testserver/api/tasks/{tid}/dataset/download?rq_id=")
    download = cvat_http.get(result_url)
    assert download.status_code == 200
    disposition = download.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="task_{tid}_annotations_')
    assert disposition.endswith('_coco 1.0.zip"')
    assert download.headers["accept-ranges"] == "bytes"
    assert "etag" in download.headers
    assert cvat_http.get(result_url).content == download.content
    part = cvat_http.get(result_url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == download.content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(download.content)}"
    named = cvat_http.post(
        f"/api/tasks/{tid}/dataset/export?format=CVAT+for+images+1.1&save_images=true&filename=my.zip"
    )
    assert named.json()["rq_id"].endswith("format=CVAT_for_images_1~1&subresource=dataset")
    finished = _poll(cvat_http, named.json()["rq_id"])
    assert (
        cvat_http.get(str(finished["result_url"])).headers["content-disposition"]
        == 'attachment; filename="my.zip"'
    )
    for query in ("format=Bogus+Format+9.9&", ""):
        bad = cvat_http.post(f"/api/tasks/{tid}/dataset/export?{query}save_images=false")
        assert bad.json() == ["Unknown format specified for the request"]
    gone = cvat_http.get(f"/api/tasks/{tid}/dataset?format=COCO+1.0")
    assert gone.status_code == 410
    assert gone.headers["content-type"].startswith("text/html")
    listed = cvat_http.get(f"/api/requests?task_id={tid}&action=export&page_size=1").json()
    assert listed["count"] == 2
    assert listed["next"]
    assert cvat_http.get("/api/requests?status=bogus").json()["count"] == 0
    missing = "action=export&target=task&target_id=99999999&format=COCO 1.0"
    assert cvat_http.get("/api/requests/" + quote(missing, safe="")).json() == {
        "detail": "Not found."
    }
    malformed = cvat_http.get("/api/requests/not-a-request")
    assert malformed.status_code == 404
    assert malformed.text == "There is no request with specified id"
    cvat_http.delete(f"/api/tasks/{tid}")
    assert cvat_http.get(result_url).json() == {"detail": "No Task matches the given query."}


def test_cancel_queued_request(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files)["id"]
    gate = cvat_server.worker.hold()
    rq_id = cvat_http.post(f"/api/tasks/{tid}/backup/export").json()["rq_id"]
    assert rq_id == f"action=export&target=task&target_id={tid}&user_id=1&subresource=backup"
    assert gate.wait_held()[1] == "queued"
    assert cvat_http.post("/api/requests/" + quote(rq_id, safe="") + "/cancel").status_code == 200
    assert cvat_http.get("/api/requests/" + quote(rq_id, safe="")).status_code == 404
    gate.open()
    assert cvat_server.wait_idle()
    assert cvat_http.get("/api/requests/" + quote(rq_id, safe="")).status_code == 404


def test_import_and_backup_errors(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files)["id"]
    url = f"/api/tasks/{tid}/annotations/"
    cvat_http.post(url + "?format=Bogus+1.0&filename=a.zip", headers={"Upload-Start": ""})
    created = cvat_http.post(
        url, headers={**TUS, "Upload-Length": "3", "Upload-Metadata": "filename YS56aXA="}
    )
    upload_id = created.headers["upload-filename"]
    assert created.headers["location"].endswith(upload_id)
    assert upload_id.startswith("1_")
    cvat_http.patch(url + upload_id, content=b"abc", headers={**OCTET, "Upload-Offset": "0"})
    bogus = cvat_http.post(
        url + f"?format=Bogus+1.0&filename={upload_id}", headers={"Upload-Finish": ""}
    )
    assert bogus.json() == ["Unknown input format 'Bogus 1.0'"]
    never = cvat_http.post(
        url + "?format=COCO+1.0&filename=never.zip", headers={"Upload-Finish": ""}
    )
    assert never.json() == ["No such file were uploaded"]
    failing = cvat_http.post(
        url + f"?format=COCO+1.0&filename={upload_id}", headers={"Upload-Finish": ""}
    )
    assert failing.json() == {
        "rq_id": f"action=import&target=task&target_id={tid}&subresource=annotations"
    }
    result = _poll(cvat_http, failing.json()["rq_id"])
    assert result["status"] == "failed"
    assert result["message"]
    legacy = cvat_http.put(
        f"/api/tasks/{tid}/annotations?format=COCO+1.0", files={"annotation_file": ("a.zip", b"x")}
    )
    assert legacy.status_code == 410
    assert cvat_http.post(
        "/api/tasks/backup/?filename=missing.zip", headers={"Upload-Finish": ""}
    ).json() == ["No such file were uploaded"]
    assert cvat_http.post("/api/tasks/backup", headers={"Upload-Start": ""}).status_code == 202


def test_backup_roundtrip_multipart(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    tid = create_task(cvat_http, cvat_server, image_files)["id"]
    car = cvat_http.get(f"/api/labels?task_id={tid}").json()["results"][0]["id"]
    cvat_http.put(f"/api/tasks/{tid}/annotations", json={"shapes": [_rect(car, 1)]})
    done = _poll(cvat_http, cvat_http.post(f"/api/tasks/{tid}/backup/export").json()["rq_id"])
    archive = cvat_http.get(str(done["result_url"]))
    assert archive.headers["content-disposition"].startswith(
        'attachment; filename="task_task_backup_'
    )
    imported = cvat_http.post(
        "/api/tasks/backup/", files={"task_file": ("task_backup.zip", archive.content)}
    )
    assert imported.status_code == 202
    assert "&subresource=backup" in imported.json()["rq_id"]
    restored = _poll(cvat_http, imported.json()["rq_id"])
    assert restored["status"] == "finished"
    assert restored["result_url"] is None
    new_id = restored["result_id"]
    shapes = cvat_http.get(f"/api/tasks/{new_id}/annotations").json()["shapes"]
    assert [(s["frame"], s["points"]) for s in shapes] == [(1, [1.0, 2.0, 3.0, 4.0])]


def test_project_export_and_backup(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, image_files: list[Path]
) -> None:
    project = cvat_http.post(
        "/api/projects", json={"name": "proj", "labels": [{"name": "car"}]}
    ).json()
    task = cvat_http.post("/api/tasks", json={"name": "t", "project_id": project["id"]}).json()
    parts = [("client_files[0]", (image_files[0].name, image_files[0].read_bytes(), "image/jpeg"))]
    cvat_http.post(f"/api/tasks/{task['id']}/data/", files=parts, data={"image_quality": "70"})
    assert cvat_server.wait_idle()
    for fmt in ("COCO 1.0", "CVAT for images 1.1"):
        rq = cvat_http.post(
            f"/api/projects/{project['id']}/dataset/export", params={"format": fmt}
        ).json()["rq_id"]
        assert _poll(cvat_http, rq)["status"] == "finished"
    done = _poll(
        cvat_http, cvat_http.post(f"/api/projects/{project['id']}/backup/export").json()["rq_id"]
    )
    archive = cvat_http.get(str(done["result_url"])).content
    imported = cvat_http.post(
        "/api/projects/backup/", files={"project_file": ("p.zip", archive)}
    ).json()
    restored = _poll(cvat_http, imported["rq_id"])
    assert restored["status"] == "finished", restored["message"]
    new = cvat_http.get(f"/api/projects/{restored['result_id']}").json()
    assert new["name"] == "proj"
    assert new["tasks"]["count"] == 1


def test_remote_sources_fail_clearly(cvat_server: CvatTestServer, cvat_http: httpx.Client) -> None:
    task = cvat_http.post("/api/tasks", json={"name": "remote", "labels": [{"name": "a"}]}).json()
    rq = cvat_http.post(
        f"/api/tasks/{task['id']}/data/", json={"image_quality": 70, "server_files": ["a.jpg"]}
    ).json()
    result = _poll(cvat_http, rq["rq_id"])
    assert result["status"] == "failed"
    assert "server_files" in str(result["message"])
