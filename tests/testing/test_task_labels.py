"""The labels of a new task, as CVAT 2.73 checks them (checked on a real server)."""

from __future__ import annotations

import httpx


def test_a_task_may_have_no_labels_and_no_project(cvat_http: httpx.Client) -> None:
    created = cvat_http.post("/api/tasks", json={"name": "bare"})
    assert created.status_code == 201, created.text
    also = cvat_http.post("/api/tasks", json={"name": "empty", "labels": []})
    assert also.status_code == 201, also.text
    labels = cvat_http.get("/api/labels", params={"task_id": created.json()["id"]}).json()
    assert labels["count"] == 0


def test_labels_and_a_project_together_are_refused(cvat_http: httpx.Client) -> None:
    project = cvat_http.post("/api/projects", json={"name": "p", "labels": [{"name": "a"}]})
    answer = cvat_http.post(
        "/api/tasks",
        json={"name": "t", "project_id": project.json()["id"], "labels": [{"name": "b"}]},
    )
    assert answer.status_code == 400
    assert answer.json() == ["Task must have only one of Label set or project_id"]
