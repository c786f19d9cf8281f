"""Projects: tasks in a project, labels, update, dataset export, remove."""

import os
import zipfile
from pathlib import Path

from cvat_sdk import make_client

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    project = client.projects.create({"name": "proj", "labels": [{"name": "car"}, {"name": "bus"}]})
    for name in ("one", "two"):
        client.tasks.create_from_data({"name": name, "project_id": project.id}, images)
    print(
        sorted(t.name for t in project.get_tasks()),
        sorted(label.name for label in project.get_labels()),
    )
    assert len(project.get_tasks()) == 2
    project.update({"name": "renamed"})
    print(client.projects.retrieve(project.id).name)
    project.export_dataset("CVAT for images 1.1", Path("proj.zip"), include_images=False)
    with zipfile.ZipFile("proj.zip") as archive:
        print("exported", len(archive.namelist()) > 0)
    try:
        project.get_annotations()
    except AttributeError:
        print("project annotations are not readable as one set in 2.73")
    print("tasks before", len(client.tasks.list()))
    project.remove()
    print("tasks after", len(client.tasks.list()), len(client.projects.list()))
