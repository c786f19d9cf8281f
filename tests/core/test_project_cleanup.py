"""create_from_dataset leaves no half-created project behind silently."""

from __future__ import annotations

import asyncio
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cvat_client.core.client import Client, Config, make_client
from cvat_client.core.progress import NullProgressReporter
from cvat_client.exceptions import BackgroundRequestException
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport

SPEC = {"name": "p", "labels": [{"name": "car"}]}


@pytest.fixture
def client(cvat_server: CvatTestServer) -> Iterator[Client]:
    with make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        config=Config(status_check_period=0.01, retries=0),
        transport=ASGIBridgeTransport(cvat_server.app),
    ) as made:
        yield made


@pytest.fixture
def not_a_zip(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.zip"
    path.write_bytes(b"not a zip at all")
    return path


def test_failed_import_deletes_the_project(
    client: Client, cvat_server: CvatTestServer, not_a_zip: Path
) -> None:
    with pytest.raises(BackgroundRequestException) as info:
        client.projects.create_from_dataset(SPEC, dataset_path=not_a_zip, dataset_format="CVAT 1.1")
    error: Any = info.value
    assert error.project_deleted is True and isinstance(error.project_id, int)
    assert f"Project #{error.project_id} was deleted" in str(error)
    assert "Please upload full dataset as a zip archive" in str(error)  # the server's reason
    assert cvat_server.store.projects == {}


def test_wrong_format_deletes_the_project(
    client: Client, cvat_server: CvatTestServer, tmp_path: Path
) -> None:
    no_xml = tmp_path / "readme.zip"
    with zipfile.ZipFile(no_xml, "w") as archive:
        archive.writestr("readme.txt", "not a dataset")
    with pytest.raises(BackgroundRequestException) as info:
        client.projects.create_from_dataset(SPEC, dataset_path=no_xml, dataset_format="CVAT 1.1")
    assert getattr(info.value, "project_deleted", None) is True
    assert cvat_server.store.projects == {}


def test_failed_deletion_names_the_project_left_behind(
    client: Client, cvat_server: CvatTestServer, not_a_zip: Path
) -> None:
    cvat_server.faults.add(r"^/api/projects/\d+/?$", method="DELETE", on=1, status=500)
    with pytest.raises(BackgroundRequestException) as info:
        client.projects.create_from_dataset(SPEC, dataset_path=not_a_zip, dataset_format="CVAT 1.1")
    error: Any = info.value
    assert error.project_deleted is False
    assert list(cvat_server.store.projects) == [error.project_id]
    assert f"Project #{error.project_id} was created but could not be deleted" in str(error)
    assert f"remove_by_ids([{error.project_id}])" in str(error)
    client.projects.remove_by_ids([error.project_id])
    assert cvat_server.store.projects == {}


class _CtrlC(NullProgressReporter):
    """A progress bar whose user presses Ctrl-C once the upload has started."""

    def advance(self, delta: int) -> None:
        raise KeyboardInterrupt


def test_interrupted_import_keeps_and_names_the_project(
    client: Client, cvat_server: CvatTestServer, not_a_zip: Path
) -> None:
    with pytest.raises(KeyboardInterrupt) as info:
        client.projects.create_from_dataset(
            SPEC, dataset_path=not_a_zip, dataset_format="CVAT 1.1", pbar=_CtrlC()
        )
    error: Any = info.value
    assert error.project_deleted is False
    assert list(cvat_server.store.projects) == [error.project_id]
    assert any(
        f"Project #{error.project_id} was created and kept" in note for note in error.__notes__
    )


def test_cancelled_async_import_keeps_and_names_the_project(
    cvat_server: CvatTestServer, not_a_zip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvat_client.core import _async_runtime
    from cvat_client.core.async_client import make_async_client

    reached = threading.Event()
    original = _async_runtime.check_cancelled

    def held() -> None:  # the upload's first cancellation check waits for the cancel
        if not reached.is_set():
            reached.set()
            _async_runtime.cancellable_sleep(60)
        original()

    monkeypatch.setattr(_async_runtime, "check_cancelled", held)

    async def main() -> asyncio.CancelledError:
        async with await make_async_client(
            "http://testserver",
            credentials=("admin", "admin"),
            config=Config(status_check_period=0.01, retries=0),
            transport=ASGIBridgeTransport(cvat_server.app),
        ) as made:
            running = asyncio.ensure_future(
                made.projects.create_from_dataset(
                    SPEC, dataset_path=not_a_zip, dataset_format="CVAT 1.1"
                )
            )
            assert await asyncio.to_thread(reached.wait, 60)
            running.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await running
            return info.value

    cancelled = asyncio.run(main())
    [project_id] = list(cvat_server.store.projects)
    assert any(f"Project #{project_id} was created and kept" in n for n in cancelled.__notes__)
