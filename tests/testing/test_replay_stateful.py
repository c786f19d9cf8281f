"""Whole-scenario replays of recordings 04 (frames, chunks, previews) and 05 (annotations).

Both scenarios work on a 3-image task (320x240, ``img_0.jpg`` … ``img_2.jpg``, labels ``car``
and ``person``) created outside the recording. The task is recreated, then every exchange is
sent in order; recorded ids are mapped to the test server's as responses reveal them (object
``id`` and ``label_id`` fields at the same places). Status, content type, error bodies exactly,
success bodies by shape (keys and value types), and the data headers must match.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cvat_client.testing import CvatTestServer

_ROOT = Path(__file__).resolve().parents[3] / "shared" / "cvat-exchanges"
_SCENARIOS = ["04-frames-chunks-preview", "05-annotations"]
_ID_KEYS = ("id", "label_id", "spec_id", "task_id", "job_id")
_HEADERS = ("allow", "accept-ranges", "x-checksum", "x-updated-date")


def _jpeg(index: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (index * 80, 40, 200 - index * 60)).save(buf, format="JPEG")
    return buf.getvalue()


def _learn(recorded: Any, actual: Any, ids: dict[int, int]) -> None:
    """Map recorded ids to actual ones, walking both bodies in parallel."""
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for key, value in recorded.items():
            if key in _ID_KEYS and isinstance(value, int) and isinstance(actual.get(key), int):
                ids.setdefault(value, actual[key])
            elif key in actual:
                _learn(value, actual[key], ids)
    elif isinstance(recorded, list) and isinstance(actual, list):
        for a, b in zip(recorded, actual, strict=False):
            _learn(a, b, ids)


def _rewrite(value: Any, ids: dict[int, int]) -> Any:
    if isinstance(value, dict):
        return {
            k: ids.get(v, v) if k in _ID_KEYS and isinstance(v, int) else _rewrite(v, ids)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rewrite(v, ids) for v in value]
    return value


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def _header(record: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in record["response"]["headers"] if k.lower() == name), None)


@pytest.mark.skipif(not _ROOT.is_dir(), reason="recordings not available")
@pytest.mark.parametrize("scenario", _SCENARIOS)
def test_replay_scenario(scenario: str, cvat_server: CvatTestServer) -> None:
    records = [json.loads(line) for line in (_ROOT / f"{scenario}.jsonl").read_text().splitlines()]
    http = cvat_server.sync_client(auth=("admin", "admin"), base_url="http://127.0.0.1:18080")
    labels = [{"name": "car", "color": "#ff0000"}, {"name": "person", "color": "#00ff00"}]
    task = http.post("/api/tasks", json={"name": "replay", "labels": labels}).json()
    files = [(f"client_files[{i}]", (f"img_{i}.jpg", _jpeg(i), "image/jpeg")) for i in range(3)]
    http.post(f"/api/tasks/{task['id']}/data/", files=files, data={"image_quality": "70"})
    assert cvat_server.wait_idle()
    [job] = http.get("/api/jobs", params={"task_id": task["id"]}).json()["results"]
    paths = " ".join(r["request"]["path"] for r in records)
    recorded_task = int(re.findall(r"/api/tasks/(\d{2,7})\b", paths)[0])
    recorded_job = int(re.findall(r"/api/jobs/(\d+)", paths)[0])
    ids = {recorded_task: task["id"], recorded_job: job["id"]}
    mismatches = []
    for record in records:
        request, expected = record["request"], record["response"]
        path = re.sub(
            r"/api/(tasks|jobs)/(\d+)",
            lambda m: f"/api/{m[1]}/{ids.get(int(m[2]), int(m[2]))}",
            request["path"],
        )
        path = re.sub(r"task_id=(\d+)", lambda m: f"task_id={ids.get(int(m[1]), m[1])}", path)
        headers = {k: v for k, v in request["headers"] if k.lower() == "range"}
        body = request["body"]
        content = json.dumps(_rewrite(body, ids)).encode() if body is not None else None
        if content is not None:
            headers["Content-Type"] = "application/json"
        response = http.request(request["method"], path, content=content, headers=headers)
        where = f"#{record['seq']} {request['method']} {request['path']}"
        if response.status_code != expected["status"]:
            mismatches.append(f"{where}: status {response.status_code}: {response.text[:200]}")
            continue
        want_type = (_header(record, "content-type") or "").split(";")[0]
        got_type = response.headers.get("content-type", "").split(";")[0]
        if want_type != got_type:
            mismatches.append(f"{where}: content type {got_type!r}, recorded {want_type!r}")
        for name in _HEADERS:
            want = _header(record, name)
            if want is not None and name not in response.headers:
                mismatches.append(f"{where}: no {name} header")
            elif name == "allow" and want is not None and response.headers[name] != want:
                mismatches.append(f"{where}: allow {response.headers[name]!r}, recorded {want!r}")
        if _header(record, "content-range") is not None:
            want_range = str(_header(record, "content-range")).rsplit("/", 1)[0]
            if not response.headers.get("content-range", "").startswith(want_range + "/"):
                mismatches.append(f"{where}: content-range {response.headers.get('content-range')}")
        recorded_body = expected["body"]
        if not want_type.endswith("json") or recorded_body is None:
            continue
        actual = response.json()
        if expected["status"] >= 400:
            if actual != recorded_body:
                mismatches.append(f"{where}: body {actual!r}, recorded {recorded_body!r}")
        else:
            _learn(recorded_body, actual, ids)
            if _shape(actual) != _shape(recorded_body):
                mismatches.append(f"{where}: shape {_shape(actual)} != {_shape(recorded_body)}")
    http.close()
    assert not mismatches, "\n".join(mismatches)
