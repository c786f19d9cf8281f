"""The official cvat-sdk 2.73.0 against the test server over loopback HTTP.

The whole workflow runs twice: logged in with a password, and with a personal access token.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import cvat_sdk
import httpx
import pytest
from cvat_sdk import make_client
from cvat_sdk.core.proxies.tasks import ResourceType
from PIL import Image

from cvat_client.testing.live import LiveServer


@pytest.fixture(params=["password", "access-token"])
def sdk_client(
    request: pytest.FixtureRequest,
    cvat_live_server: LiveServer,
    cvat_admin: tuple[str, str],
    cvat_http: httpx.Client,
) -> Iterator[cvat_sdk.Client]:
    """The official SDK's client, logged in one way or the other."""
    if request.param == "password":
        auth: dict[str, object] = {"credentials": cvat_admin}
    else:
        created = cvat_http.post(
            "/api/auth/access_tokens", json={"name": "sdk", "read_only": False}
        )
        assert created.status_code == 201, created.text
        auth = {"access_token": created.json()["value"]}
    client = make_client(cvat_live_server.url, **auth)  # type: ignore[arg-type]
    client.config.status_check_period = 0.01
    with client:
        yield client


def _rect(label_id: int, frame: int, points: list[float]) -> dict[str, object]:
    return {
        "type": "rectangle",
        "frame": frame,
        "label_id": label_id,
        "points": points,
        "occluded": False,
        "outside": False,
        "z_order": 0,
        "rotation": 0.0,
        "attributes": [],
        "group": 0,
        "source": "manual",
    }


CAR_BOX = [1.0, 2.0, 30.0, 40.0]
PERSON_BOX = [5.0, 6.0, 20.0, 25.0]
IMAGES = ["img_0.jpg", "img_1.jpg", "img_2.jpg"]


def _coco_boxes(archive: Path) -> list[tuple[str, str, list[float]]]:
    """(image file, category name, COCO bbox) of every annotation of a COCO export."""
    with zipfile.ZipFile(archive) as zf:
        names = [n for n in zf.namelist() if n.startswith("annotations/")]
        assert names == ["annotations/instances_default.json"], zf.namelist()
        data = json.loads(zf.read(names[0]))
    images = {i["id"]: i["file_name"] for i in data["images"]}
    assert sorted(images.values()) == IMAGES
    categories = {c["id"]: c["name"] for c in data["categories"]}
    assert sorted(categories.values()) == ["car", "person"]
    return sorted(
        (images[a["image_id"]], categories[a["category_id"]], a["bbox"])
        for a in data["annotations"]
    )


def _cvat_boxes(xml: bytes) -> list[tuple[str, str, list[float]]]:
    """(image name, label, [xtl, ytl, xbr, ybr]) of every box of a CVAT for images export."""
    root = ElementTree.fromstring(xml)
    labels = sorted(label.findtext("name") or "" for label in root.iter("label"))
    assert labels == ["car", "person"]
    assert sorted(image.get("name") or "" for image in root.iter("image")) == IMAGES
    return sorted(
        (
            image.get("name") or "",
            box.get("label") or "",
            [float(box.get(k) or "nan") for k in ("xtl", "ytl", "xbr", "ybr")],
        )
        for image in root.iter("image")
        for box in image.iter("box")
    )


EXPECTED_COCO = [
    ("img_0.jpg", "car", [1.0, 2.0, 29.0, 38.0]),
    ("img_2.jpg", "person", [5.0, 6.0, 15.0, 19.0]),
]
EXPECTED_CVAT = [("img_0.jpg", "car", CAR_BOX), ("img_2.jpg", "person", PERSON_BOX)]


def test_full_workflow(
    sdk_client: cvat_sdk.Client, image_files: list[Path], tmp_path: Path
) -> None:
    client = sdk_client
    project = client.projects.create(
        {"name": "proj", "labels": [{"name": "car"}, {"name": "person"}]}
    )
    assert [p.id for p in client.projects.list()] == [project.id]
    task = client.tasks.create_from_data(
        {"name": "task", "project_id": project.id},
        resource_type=ResourceType.LOCAL,
        resources=[str(p) for p in image_files],
    )
    assert task.size == 3
    assert [t.id for t in client.tasks.list()] == [task.id]
    assert [t.id for t in project.get_tasks()] == [task.id]

    frames_dir = tmp_path / "frames"
    task.download_frames([0, 1, 2], outdir=str(frames_dir), quality="original")
    downloaded = sorted(frames_dir.iterdir())
    assert len(downloaded) == 3
    for i, path in enumerate(downloaded):
        with Image.open(path) as image, Image.open(image_files[i]) as source:
            assert image.size == source.size == (64 + i, 48)

    labels = {label.name: label.id for label in task.get_labels()}
    task.set_annotations(
        {"shapes": [_rect(labels["car"], 0, CAR_BOX), _rect(labels["person"], 2, PERSON_BOX)]}
    )
    shapes = sorted((s.frame, s.label_id, s.points) for s in task.get_annotations().shapes)
    assert shapes == [(0, labels["car"], CAR_BOX), (2, labels["person"], PERSON_BOX)]

    # task exports: the annotations made above, in each format
    coco = tmp_path / "task-coco.zip"
    task.export_dataset("COCO 1.0", coco, include_images=False)
    assert _coco_boxes(coco) == EXPECTED_COCO
    cvat = tmp_path / "task-cvat.zip"
    task.export_dataset("CVAT for images 1.1", cvat, include_images=True)
    with zipfile.ZipFile(cvat) as zf:
        assert _cvat_boxes(zf.read("annotations.xml")) == EXPECTED_CVAT
        assert sorted(n for n in zf.namelist() if n.startswith("images/")) == [
            f"images/{name}" for name in IMAGES
        ]

    # project exports: the same annotations, through the project
    project_coco = tmp_path / "project-coco.zip"
    project.export_dataset("COCO 1.0", project_coco, include_images=False)
    assert _coco_boxes(project_coco) == EXPECTED_COCO
    project_cvat = tmp_path / "project-cvat.zip"
    project.export_dataset("CVAT for images 1.1", project_cvat, include_images=False)
    with zipfile.ZipFile(project_cvat) as zf:
        assert _cvat_boxes(zf.read("annotations.xml")) == EXPECTED_CVAT

    # task backup and restore
    backup = tmp_path / "backup.zip"
    task.download_backup(backup)
    with zipfile.ZipFile(backup) as zf:
        assert {"task.json", "annotations.json"} <= set(zf.namelist())
    restored = client.tasks.create_from_backup(backup)
    assert restored.id != task.id
    assert restored.name == task.name
    assert restored.size == 3
    restored_labels = {lb.id: lb.name for lb in restored.get_labels()}
    assert sorted(restored_labels.values()) == ["car", "person"]
    assert sorted(
        (s.frame, restored_labels[s.label_id], s.points) for s in restored.get_annotations().shapes
    ) == [(0, "car", CAR_BOX), (2, "person", PERSON_BOX)]
    for frame in range(3):
        original = task.get_frame(frame, quality="original").read()
        copy = restored.get_frame(frame, quality="original").read()
        with Image.open(io.BytesIO(original)) as a, Image.open(io.BytesIO(copy)) as b:
            assert a.size == b.size
            assert a.tobytes() == b.tobytes()

    # project backup and restore: the project, its labels, its task and annotations
    project_backup = tmp_path / "project-backup.zip"
    project.download_backup(project_backup)
    with zipfile.ZipFile(project_backup) as zf:
        assert "project.json" in zf.namelist()
    restored_project = client.projects.create_from_backup(project_backup)
    assert restored_project.id != project.id
    assert restored_project.name == project.name
    assert sorted(lb.name for lb in restored_project.get_labels()) == ["car", "person"]
    project_tasks = restored_project.get_tasks()
    assert [(t.name, t.size) for t in project_tasks] == [("task", 3)]
    copied = project_tasks[0]
    copied_labels = {lb.id: lb.name for lb in copied.get_labels()}
    assert sorted(
        (s.frame, copied_labels[s.label_id], s.points) for s in copied.get_annotations().shapes
    ) == [(0, "car", CAR_BOX), (2, "person", PERSON_BOX)]

    restored_project.remove()
    restored.remove()
    task.remove()
    project.remove()
    assert client.tasks.list() == []
    assert client.projects.list() == []
