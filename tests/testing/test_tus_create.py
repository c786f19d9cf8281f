"""TUS create on task data: the file name metadata CVAT 2.73 requires."""

from __future__ import annotations

import httpx
import pytest

TUS = {"Tus-Resumable": "1.0.0", "Upload-Length": "10"}


@pytest.mark.parametrize("metadata", [None, "filetype aW1hZ2U=", "filename "])
def test_task_data_needs_a_file_name(cvat_http: httpx.Client, metadata: str | None) -> None:
    task = cvat_http.post("/api/tasks", json={"name": "t", "labels": [{"name": "a"}]}).json()
    url = f"/api/tasks/{task['id']}/data/"
    assert cvat_http.post(url, headers={"Upload-Start": "true"}).status_code == 202
    headers = dict(TUS) if metadata is None else {**TUS, "Upload-Metadata": metadata}
    created = cvat_http.post(url, headers=headers)
    # as a real CVAT 2.73 answers
    assert created.status_code == 400
    assert created.headers["content-type"] == "application/vnd.cvat+json"
    assert created.json() == "Metadata is expected to contain 'filename' key"
    named = cvat_http.post(url, headers={**TUS, "Upload-Metadata": "filename YS5qcGc="})
    assert named.status_code == 201
    assert named.headers["upload-filename"] == "a.jpg"
