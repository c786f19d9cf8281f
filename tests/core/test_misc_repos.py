"""Users, issues and comments, labels, cloud storages and background requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client._lowlevel.exceptions import BadRequestException, NotFoundException
from cvat_client.core.proxies import (
    CloudStorage,
    Comment,
    Issue,
    Label,
    Request,
    ResourceType,
    User,
)
from cvat_client.core.proxies.model_proxy import build_filter_param

from .conftest import LABELS, rect


def test_users(client: Any, user_client: Any) -> None:
    user_client("alice", "alice-pass")
    me = client.users.retrieve_current_user()
    assert isinstance(me, User)
    assert me.username == "admin"
    assert me.is_superuser is True
    assert sorted(u.username for u in client.users.list()) == ["admin", "alice"]
    [alice] = client.users.list(search="alice")
    assert client.users.retrieve(alice.id).username == "alice"
    alice.update({"first_name": "Alice"})
    assert client.users.retrieve(alice.id).first_name == "Alice"
    with pytest.raises(NotFoundException):
        client.users.retrieve(99_999)


def test_issues_and_comments(client: Any, images: list[Path]) -> None:
    task = client.tasks.create_from_data({"name": "iss", "labels": LABELS}, images)
    job = task.get_jobs()[0]
    issue = client.issues.create(
        {"job": job.id, "frame": 0, "position": [1.0, 2.0, 3.0, 4.0], "message": "first"}
    )
    assert isinstance(issue, Issue)
    assert [i.id for i in client.issues.list(job_id=job.id)] == [issue.id]

    comment = client.comments.create({"issue": issue.id, "message": "second"})
    assert isinstance(comment, Comment)
    assert sorted(c.message for c in issue.get_comments()) == ["first", "second"]

    comment.update({"message": "edited"})
    assert client.comments.retrieve(comment.id).message == "edited"
    comment.remove()
    assert [c.message for c in issue.get_comments()] == ["first"]

    issue.update({"resolved": True})
    assert issue.resolved is True
    issue.remove()
    assert client.issues.list() == []


def test_labels(client: Any) -> None:
    task = client.tasks.create({"name": "lbl", "labels": LABELS})
    labels = client.labels.list(task_id=task.id)
    assert all(isinstance(label, Label) for label in labels)
    car = next(label for label in labels if label.name == "car")
    car.update({"name": "truck"})
    assert client.labels.retrieve(car.id).name == "truck"
    client.labels.remove_by_ids([car.id])
    assert [label.name for label in task.get_labels()] == ["person"]


def test_cloud_storages_crud(client: Any) -> None:
    spec = {
        "provider_type": "AWS_S3_BUCKET",
        "resource": "bucket",
        "display_name": "My bucket",
        "credentials_type": "ANONYMOUS_ACCESS",
    }
    storage = client.cloudstorages.create(spec)
    assert isinstance(storage, CloudStorage)
    assert [s.display_name for s in client.cloudstorages.list()] == ["My bucket"]
    storage.update({"display_name": "Renamed"})
    assert client.cloudstorages.retrieve(storage.id).display_name == "Renamed"
    assert storage.get_status() == "NOT_FOUND"
    with pytest.raises(BadRequestException, match="not available"):
        storage.get_content()
    storage.remove()
    assert client.cloudstorages.list() == []


def test_cloud_storage_content_pages(client: Any) -> None:
    """Content listing against a recorded-shape answer: query parameters and paging."""
    from cvat_client.api_client import models

    seen: list[dict[str, str]] = []
    pages = {
        None: {"content": [{"name": "a.jpg", "type": "REG", "mime_type": "image"}], "next": "t1"},
        "t1": {"content": [{"name": "sub", "type": "DIR", "mime_type": "DIR"}], "next": None},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        seen.append(params)
        body = pages[params.get("next_token")]
        return httpx.Response(
            200, content=json.dumps(body), headers={"content-type": "application/vnd.cvat+json"}
        )

    storage = CloudStorage(client, models.CloudStorageRead.from_dict({"id": 7, "owner": None}))
    original = client.api_client.client._transport
    client.api_client.client._transport = httpx.MockTransport(handler)
    try:
        first = storage.get_content("images/")
        assert [f.name for f in first.content] == ["a.jpg"]
        assert first.next == "t1"
        assert [f.name for f in storage.iter_content("images/", page_size=1)] == ["a.jpg", "sub"]
    finally:
        client.api_client.client._transport = original
    assert seen[0] == {"prefix": "images/"}
    assert seen[-1] == {"prefix": "images/", "next_token": "t1", "page_size": "1"}


def test_requests(client: Any, images: list[Path], tmp_path: Path) -> None:
    task = client.tasks.create_from_data({"name": "rq", "labels": LABELS}, images)
    labels = {label.name: label.id for label in task.get_labels()}
    task.set_annotations({"shapes": [rect(labels["car"], 0)]})
    task.export_dataset("COCO 1.0", tmp_path / "x.zip", include_images=False)

    requests = client.requests.list(task_id=task.id)
    assert requests
    assert all(isinstance(r, Request) for r in requests)
    export = next(r for r in requests if r.operation.type.startswith("export"))
    assert export.is_done
    assert export.status_value == "finished"
    again = client.requests.retrieve(export.id)
    assert again.id == export.id
    assert again.result_url
    assert again.wait().status_value == "finished"
    assert client.requests.wait(export.id).status_value == "finished"
    with pytest.raises(NotFoundException):
        client.requests.retrieve("action=export&target=task&target_id=424242&subresource=backup")


def test_failed_request_is_listed(client: Any) -> None:
    from cvat_client.core.exceptions import BackgroundRequestException

    task = client.tasks.create({"name": "fail", "labels": LABELS})
    with pytest.raises(BackgroundRequestException):
        task.upload_data(["http://example.test/x.jpg"], resource_type=ResourceType.REMOTE)
    failed = client.requests.list(status="failed")
    assert len(failed) == 1
    assert "cannot reach" in failed[0].message


def test_build_filter_param() -> None:
    assert build_filter_param(None, []) is None
    assert build_filter_param("", []) is None
    assert json.loads(build_filter_param(None, [{"in": ["a", {"var": "name"}]}]) or "") == {
        "in": ["a", {"var": "name"}]
    }
    combined = json.loads(
        build_filter_param(
            '{"==":[{"var":"id"},1]}',
            [{">": [{"var": "size"}, 2]}, {"!": {"==": [{"var": "status"}, "x"]}}],
        )
        or ""
    )
    assert combined == {
        "and": [
            {">": [{"var": "size"}, 2]},
            {"!": {"==": [{"var": "status"}, "x"]}},
            {"==": [{"var": "id"}, 1]},
        ]
    }
