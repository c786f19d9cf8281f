"""The generated low-level client against the CVAT test server: the flows of the docs."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pytest
from PIL import Image

from cvat_client.api_client import ApiClient, Configuration, exceptions, models
from cvat_client.testing import ASGIBridgeTransport, CvatTestServer


def _jpeg(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


def _wait(api_client: ApiClient, rq_id: str) -> models.Request:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        request, _ = api_client.requests_api.retrieve(rq_id)
        assert request is not None
        if request.status in ("finished", "failed"):
            return request
        time.sleep(0.01)
    raise AssertionError(f"request {rq_id} did not finish")


def _task_with_images(api_client: ApiClient, images: list[bytes]) -> int:
    task, response = api_client.tasks_api.create(
        {"name": "lowlevel", "labels": [{"name": "car", "color": "#ff0000"}]}
    )
    assert response.status_code == 201
    assert task is not None and isinstance(task.id, int)
    api_client.tasks_api.create_data(task.id, upload_start=True)
    files = [(f"img_{i}.jpg", io.BytesIO(data), "image/jpeg") for i, data in enumerate(images)]
    _, response = api_client.tasks_api.create_data(
        task.id,
        data_request={"client_files": files, "image_quality": 70},
        upload_multiple=True,
        _content_type="multipart/form-data",
    )
    assert response.status_code == 200
    result, response = api_client.tasks_api.create_data(
        task.id, data_request={"image_quality": 70}, upload_finish=True
    )
    assert response.status_code == 202
    assert isinstance(result, models.RqId)
    assert _wait(api_client, result.rq_id).status == "finished"
    return task.id


def test_task_upload_frames_and_chunk_stream(cvat_api_client: ApiClient) -> None:
    images = [_jpeg((255, 0, 0)), _jpeg((0, 255, 0)), _jpeg((0, 0, 255))]
    task_id = _task_with_images(cvat_api_client, images)

    task, _ = cvat_api_client.tasks_api.retrieve(task_id)
    assert task is not None and task.size == 3
    meta, _ = cvat_api_client.tasks_api.retrieve_data_meta(task_id)
    assert meta is not None and [f.name for f in meta.frames] == [
        "img_0.jpg",
        "img_1.jpg",
        "img_2.jpg",
    ]

    frame, response = cvat_api_client.tasks_api.retrieve_data(
        task_id, type="frame", number=1, quality="original"
    )
    assert frame == images[1]
    assert response.headers["content-type"].startswith("image/")

    _, response = cvat_api_client.tasks_api.retrieve_data(
        task_id, type="chunk", number=0, quality="original", _stream=True
    )
    assert not response.is_stream_consumed
    body = b"".join(response.iter_bytes())
    response.close()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.read(n) for n in archive.namelist()) == sorted(images)


def test_session_login_sends_csrf_and_survives_unsafe_calls(cvat_server: CvatTestServer) -> None:
    transport = ASGIBridgeTransport(cvat_server.app)
    with ApiClient(Configuration("http://testserver"), transport=transport) as api_client:
        user, password = cvat_server.admin.username, "admin"
        token, _ = api_client.auth_api.create_login({"username": user, "password": password})
        assert token is not None and token.key
        assert "sessionid" in api_client.cookies and "csrftoken" in api_client.cookies
        # an unsafe call works only with X-CSRFToken and Origin, which the client adds
        project, response = api_client.projects_api.create({"name": "p", "labels": []})
        assert response.status_code == 201
        assert response.request.headers["x-csrftoken"] == api_client.cookies["csrftoken"].value
        assert response.request.headers["origin"] == "http://testserver"
        assert project is not None
        api_client.projects_api.destroy(project.id)
        with pytest.raises(exceptions.NotFoundException):
            api_client.projects_api.retrieve(project.id)


def test_annotations_round_trip_and_export_download(cvat_api_client: ApiClient) -> None:
    task_id = _task_with_images(cvat_api_client, [_jpeg((10, 20, 30)), _jpeg((30, 20, 10))])
    labels, _ = cvat_api_client.labels_api.list(task_id=task_id)
    assert labels is not None
    label_id = labels.results[0].id
    shapes: list[dict[str, Any]] = [
        {"type": "rectangle", "frame": i, "label_id": label_id, "points": [1.0, 2.0, 30.0, 40.0]}
        for i in range(2)
    ]
    cvat_api_client.tasks_api.update_annotations(
        task_id, labeled_data_request={"version": 0, "shapes": shapes, "tags": [], "tracks": []}
    )
    data, _ = cvat_api_client.tasks_api.retrieve_annotations(task_id)
    assert data is not None
    assert [(s.frame, s.points, s.type) for s in data.shapes] == [
        (0, [1.0, 2.0, 30.0, 40.0], "rectangle"),
        (1, [1.0, 2.0, 30.0, 40.0], "rectangle"),
    ]

    rq, response = cvat_api_client.tasks_api.create_dataset_export(
        id=task_id, format="COCO 1.0", save_images=False
    )
    assert response.status_code == 202 and rq is not None
    request = _wait(cvat_api_client, rq.rq_id)
    assert request.status == "finished" and request.result_url
    _, response = cvat_api_client.call_api(request.result_url, "GET", _stream=True)
    body = b"".join(response.iter_bytes())
    response.close()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
    assert any(name.startswith("annotations/instances_") for name in names)


def test_error_bodies_become_typed_exceptions(cvat_api_client: ApiClient) -> None:
    with pytest.raises(exceptions.NotFoundException) as info:
        cvat_api_client.tasks_api.retrieve(987654)
    assert info.value.status == 404
    assert info.value.data == {"detail": "No Task matches the given query."}
    with pytest.raises(exceptions.BadRequestException) as bad:
        cvat_api_client.tasks_api.create({"name": ""}, _validate_inputs=False)
    assert isinstance(bad.value.data, dict) and "name" in bad.value.data
    assert "name" in str(bad.value)
