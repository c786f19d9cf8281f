"""export_dataset, download_backup, create_from_backup and the entities' export()."""

import os
import zipfile
from pathlib import Path

from cvat_sdk import make_client
from cvat_sdk.core.proxies.types import Location

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    task = client.tasks.create_from_data({"name": "exp", "labels": [{"name": "car"}]}, images)

    task.export_dataset("CVAT for images 1.1", Path("dataset.zip"), include_images=False)
    with zipfile.ZipFile("dataset.zip") as archive:
        print("dataset", sorted(archive.namelist()))

    task.export_dataset("COCO 1.0", Path("coco.zip"), include_images=True, location=Location.LOCAL)
    with zipfile.ZipFile("coco.zip") as archive:
        members = archive.namelist()
        assert any(m.endswith(".jpg") for m in members)
        print("coco images", sum(m.endswith(".jpg") for m in members))

    task.export(
        task.api.create_dataset_export_endpoint,
        Path("generic.zip"),
        format="COCO 1.0",
        save_images=False,
    )
    with zipfile.ZipFile("generic.zip") as archive:
        names = archive.namelist()
        assert any(m.endswith(".json") for m in names)
        print("generic", sorted(names))

    task.download_backup(Path("task_backup.zip"))
    restored = client.tasks.create_from_backup(Path("task_backup.zip"))
    assert restored.id != task.id and restored.size == task.size
    print("restored", restored.name, restored.size)

    project = client.projects.create({"name": "pexp", "labels": [{"name": "a"}]})
    project.download_backup(Path("project_backup.zip"))
    again = client.projects.create_from_backup(Path("project_backup.zip"))
    print("project restored", again.name, again.id != project.id)
    try:
        task.export_dataset("COCO 1.0", Path("x.zip"), location=Location.CLOUD_STORAGE)
    except ValueError:
        print("cloud storage needs an id")
