"""Annotations exported in a format and imported into another task."""

import os
import zipfile
from pathlib import Path

from cvat_sdk import make_client, models

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    spec = {"name": "src", "labels": [{"name": "car"}]}
    source = client.tasks.create_from_data(spec, images)
    label = source.get_labels()[0].id
    source.set_annotations(
        models.LabeledDataRequest(
            shapes=[
                models.LabeledShapeRequest(
                    type="rectangle", frame=f, label_id=label, points=[1.0, 1.0, 9.0, 9.0]
                )
                for f in range(3)
            ]
        )
    )
    source.export_dataset("CVAT for images 1.1", Path("ann.zip"), include_images=False)
    with zipfile.ZipFile("ann.zip") as archive:
        print(sorted(archive.namelist()))
    target = client.tasks.create_from_data({"name": "dst", "labels": [{"name": "car"}]}, images)
    target.import_annotations("CVAT 1.1", Path("ann.zip"))
    shapes = target.get_annotations().shapes
    assert len(shapes) == 3
    print("imported", sorted(s.frame for s in shapes), shapes[0].type.value)
    third = client.tasks.create_from_data(
        {"name": "with ann", "labels": [{"name": "car"}]},
        images,
        annotation_path=Path("ann.zip"),
        annotation_format="CVAT 1.1",
    )
    print("created with annotations", len(third.get_annotations().shapes))
