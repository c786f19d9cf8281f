"""Task and job annotations: set, get, update, remove."""

import os
from pathlib import Path

from cvat_sdk import make_client, models
from cvat_sdk.core.proxies.annotations import AnnotationUpdateAction

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))


def rect(label_id, frame, x):
    return models.LabeledShapeRequest(
        type="rectangle", frame=frame, label_id=label_id, points=[x, 1.0, x + 10.0, 20.0]
    )


with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    task = client.tasks.create_from_data(
        {"name": "ann", "labels": [{"name": "car"}, {"name": "person"}]}, images
    )
    labels = {label.name: label.id for label in task.get_labels()}
    task.set_annotations(
        models.LabeledDataRequest(
            shapes=[rect(labels["car"], 0, 1.0), rect(labels["person"], 1, 5.0)]
        )
    )
    shapes = task.get_annotations().shapes
    assert len(shapes) == 2
    print(sorted((s.frame, s.points[0]) for s in shapes))

    task.update_annotations(
        models.PatchedLabeledDataRequest(shapes=[rect(labels["car"], 2, 9.0)]),
        action=AnnotationUpdateAction.CREATE,
    )
    shapes = task.get_annotations().shapes
    print(sorted((s.frame, s.points[0]) for s in shapes))
    task.remove_annotations(ids=[shapes[0].id])
    print(len(task.get_annotations().shapes))

    job = task.get_jobs()[0]
    job_shapes = job.get_annotations().shapes
    print("job sees", len(job_shapes))
    job.set_annotations(
        models.LabeledDataRequest(
            tags=[models.LabeledImageRequest(frame=0, label_id=labels["person"])]
        )
    )
    assert len(job.get_annotations().tags) == 1
    job.remove_annotations()
    data = job.get_annotations()
    print("job after remove", len(data.shapes), len(data.tags), len(data.tracks))
