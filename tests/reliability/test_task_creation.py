"""create_from_data leaves no half-created task behind, and an interrupted one can be finished."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cvat_client.core.client import Client, Config, make_client
from cvat_client.core.progress import NullProgressReporter
from cvat_client.exceptions import (
    ApiValueError,
    BackgroundRequestException,
    BadRequestException,
)
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport
from tests.core.conftest import make_image

SPEC = {"name": "t", "labels": [{"name": "car"}]}


@pytest.fixture
def client(cvat_server: CvatTestServer) -> Any:
    with make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        config=Config(status_check_period=0.01, retries=0),
        transport=ASGIBridgeTransport(cvat_server.app),
    ) as c:
        yield c


def _images(folder: Path, count: int = 3) -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"img_{i}.png").write_bytes(make_image(fmt="PNG", color=(i * 40, 10, 10)))
    return folder


def test_non_media_files_are_refused_before_creating(
    client: Client, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    folder = _images(tmp_path / "images")
    (folder / "notes.txt").write_text("not an image")
    (folder / "table.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ApiValueError, match=r"notes\.txt") as info:
        client.tasks.create_from_data(SPEC, [folder])
    assert "table.csv" in str(info.value)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0" * 100)
    with pytest.raises(ApiValueError, match="not a mix"):
        client.tasks.create_from_data(SPEC, [*sorted(folder.glob("*.png")), video])
    assert cvat_server.store.tasks == {}


def test_unknown_annotation_format_is_refused_before_creating(
    client: Client, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    annotations = tmp_path / "a.xml"
    annotations.write_text("<annotations/>")
    with pytest.raises(ApiValueError, match=r"No Such Format 9\.9"):
        client.tasks.create_from_data(
            SPEC,
            [_images(tmp_path / "images")],
            annotation_path=annotations,
            annotation_format="No Such Format 9.9",
        )
    assert cvat_server.store.tasks == {}


def test_server_failure_after_creation_deletes_the_task(
    client: Client, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    cvat_server.faults.add(r"^/api/tasks/\d+/data/?$", method="POST", on=3, status=400,
                           body={"data": ["Injected refusal of the data."]})  # fmt: skip
    with pytest.raises(BadRequestException) as info:
        client.tasks.create_from_data(SPEC, [_images(tmp_path / "images")])
    error: Any = info.value
    assert error.task_deleted is True and isinstance(error.task_id, int)
    assert f"Task #{error.task_id} was deleted" in str(error)
    assert "Injected refusal" in str(error)
    assert cvat_server.store.tasks == {}


def test_bad_annotation_file_after_creation_deletes_the_task(
    client: Client, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    annotations = tmp_path / "a.xml"
    annotations.write_text("this is not CVAT XML")
    with pytest.raises(BackgroundRequestException) as info:
        client.tasks.create_from_data(
            SPEC,
            [_images(tmp_path / "images")],
            annotation_path=annotations,
            annotation_format="CVAT 1.1",
        )
    assert getattr(info.value, "task_deleted", None) is True
    assert "was deleted" in str(info.value)
    assert cvat_server.store.tasks == {}


def test_failed_deletion_names_the_task_left_behind(
    client: Client, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    cvat_server.faults.add(r"^/api/tasks/\d+/data/?$", method="POST", on=3, status=400)
    cvat_server.faults.add(r"^/api/tasks/\d+$", method="DELETE", on=1, status=500)
    with pytest.raises(BadRequestException) as info:
        client.tasks.create_from_data(SPEC, [_images(tmp_path / "images")])
    error: Any = info.value
    assert error.task_deleted is False
    assert list(cvat_server.store.tasks) == [error.task_id]
    assert "could not be deleted" in str(error) and f"[{error.task_id}]" in str(error)
    client.tasks.remove_by_ids([error.task_id])
    assert cvat_server.store.tasks == {}


class _CtrlC(NullProgressReporter):
    """A progress bar whose user presses Ctrl-C once the upload has started."""

    def advance(self, delta: int) -> None:
        raise KeyboardInterrupt


def test_interrupted_creation_is_resumed_into_the_same_task(
    client: Client, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    folder = _images(tmp_path / "images", 4)
    with pytest.raises(KeyboardInterrupt) as info:
        client.tasks.create_from_data(SPEC, [folder], pbar=_CtrlC())
    error: Any = info.value
    assert error.task_deleted is False
    assert any(f"resume_task_id={error.task_id}" in note for note in error.__notes__)
    assert list(cvat_server.store.tasks) == [error.task_id]
    task = client.tasks.create_from_data(SPEC, [folder], resume_task_id=error.task_id)
    assert task.id == error.task_id and task.size == 4
    assert list(cvat_server.store.tasks) == [task.id]
    again = client.tasks.create_from_data(SPEC, [folder], resume_task_id=task.id)
    assert again.id == task.id and again.size == 4  # data already there: not sent twice
    assert list(cvat_server.store.tasks) == [task.id]


def test_resume_after_the_data_was_submitted_waits_instead_of_uploading_again(
    client: Client, cvat_server: CvatTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _images(tmp_path / "images", 2)
    uploads = cvat_server.faults.add(r"^/api/tasks/\d+/data/?$", method="POST", on=999)

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # Ctrl-C while the server processes the data

    with monkeypatch.context() as patch:
        patch.setattr(client, "wait_for_request", interrupted)
        with pytest.raises(KeyboardInterrupt) as info:
            client.tasks.create_from_data(SPEC, [folder])
    task_id = getattr(info.value, "task_id", None)
    assert isinstance(task_id, int)
    sent = uploads.seen
    task = client.tasks.create_from_data(SPEC, [folder], resume_task_id=task_id)
    assert task.size == 2 and uploads.seen == sent  # waited for it, sent nothing again
    assert list(cvat_server.store.tasks) == [task_id]
