"""The official cvat-sdk 2.73.0 against the test server over loopback HTTP."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

cvat_sdk = pytest.importorskip("cvat_sdk")
from cvat_sdk import make_client  # noqa: E402
from cvat_sdk.core.proxies.tasks import ResourceType  # noqa: E402


def _client(url: str, **auth: object) -> cvat_sdk.Client:
    client = make_client(url, **auth)  # type: ignore[arg-type]
    client.config.status_check_period = 0.01
    return client


def _rect(label_id: int, frame: int) -> dict[str, object]:
    return {
        "type": "rectangle",
        "frame": frame,
        "label_id": label_id,
        "points": [1.0, 2.0, 30.0, 40.0],
        "occluded": False,
        "outside": False,
        "z_order": 0,
        "rotation": 0.0,
        "attributes": [],
        "group": 0,
        "source": "manual",
    }


def test_full_workflow(cvat_live_server, cvat_admin, image_files, tmp_path: Path) -> None:
    with _client(cvat_live_server.url, credentials=cvat_admin) as client:
        project = client.projects.create(
            {"name": "proj", "labels": [{"name": "car"}, {"name": "person"}]}
        )
        task = client.tasks.create_from_data(
            {"name": "task", "project_id": project.id},
            resource_type=ResourceType.LOCAL,
            resources=[str(p) for p in image_files],
        )
        assert task.size == 3
        assert [t.id for t in client.tasks.list()] == [task.id]

        frames_dir = tmp_path / "frames"
        task.download_frames([0, 1, 2], outdir=str(frames_dir), quality="original")
        downloaded = sorted(frames_dir.iterdir())
        assert len(downloaded) == 3
        with Image.open(downloaded[0]) as image:
            assert image.size == (64, 48)

        labels = {label.name: label.id for label in task.get_labels()}
        task.set_annotations({"shapes": [_rect(labels["car"], 0), _rect(labels["person"], 2)]})
        annotations = task.get_annotations()
        assert len(annotations.shapes) == 2

        for fmt in ("COCO 1.0", "CVAT for images 1.1"):
            out = tmp_path / f"{fmt}.zip"
            task.export_dataset(fmt, out, include_images=False)
            assert zipfile.is_zipfile(out)

        backup = tmp_path / "backup.zip"
        task.download_backup(backup)
        restored = client.tasks.create_from_backup(backup)
        assert restored.name == task.name
        assert restored.size == 3
        assert len(restored.get_annotations().shapes) == 2
        assert {lb.name for lb in restored.get_labels()} == {"car", "person"}
        original_frame = task.get_frame(1, quality="original").read()
        restored_frame = restored.get_frame(1, quality="original").read()
        with (
            Image.open(io.BytesIO(original_frame)) as a,
            Image.open(io.BytesIO(restored_frame)) as b,
        ):
            assert a.size == b.size
            assert a.tobytes() == b.tobytes()

        restored.remove()
        task.remove()
        project.remove()
        assert client.tasks.list() == []


def test_access_token(cvat_live_server, cvat_http) -> None:
    created = cvat_http.post("/api/auth/access_tokens", json={"name": "sdk", "read_only": False})
    token = created.json()["value"]
    with _client(cvat_live_server.url, access_token=token) as client:
        project = client.projects.create({"name": "via-token", "labels": [{"name": "a"}]})
        assert [p.id for p in client.projects.list()] == [project.id]
        project.remove()
