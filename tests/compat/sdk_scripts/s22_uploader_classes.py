"""cvat-sdk's AnnotationUploader and DatasetUploader used directly."""

import os
from pathlib import Path

from cvat_sdk import make_client, models
from cvat_sdk.core.uploading import AnnotationUploader, DatasetUploader

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    project = client.projects.create({"name": "src", "labels": [{"name": "car"}]})
    task = client.tasks.create_from_data({"name": "t", "project_id": project.id}, images)
    label = task.get_labels()[0].id
    task.set_annotations(
        models.LabeledDataRequest(
            shapes=[
                models.LabeledShapeRequest(
                    type="rectangle", frame=1, label_id=label, points=[2.0, 2.0, 8.0, 8.0]
                )
            ]
        )
    )
    task.export_dataset("CVAT for images 1.1", Path("ann.zip"), include_images=False)
    project.export_dataset("CVAT for images 1.1", Path("dataset.zip"), include_images=True)

    other = client.tasks.create_from_data({"name": "o", "labels": [{"name": "car"}]}, images)
    AnnotationUploader(client).upload_file_and_wait(
        other.api.create_annotations_endpoint,
        Path("ann.zip"),
        "CVAT 1.1",
        url_params={"id": other.id},
        conv_mask_to_poly=False,
    )
    shapes = other.get_annotations().shapes
    assert len(shapes) == 1
    print("annotations", [(s.frame, s.points) for s in shapes])

    target = client.projects.create({"name": "dst", "labels": [{"name": "car"}]})
    DatasetUploader(client).upload_file_and_wait(
        target.api.create_dataset_endpoint,
        Path("dataset.zip"),
        "CVAT 1.1",
        url_params={"id": target.id},
    )
    tasks = target.get_tasks()
    assert tasks, "the dataset import made no task"
    print("dataset tasks", len(tasks), sum(t.size for t in tasks))
    print("shapes", sum(len(t.get_annotations().shapes) for t in tasks))
