"""cvat-sdk's tqdm progress reporters on uploads and downloads, and job-level imports."""

import io
import os
from pathlib import Path

import tqdm
from cvat_sdk import make_client
from cvat_sdk.core.helpers import DeferredTqdmProgressReporter, TqdmProgressReporter

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    out = io.StringIO()
    bar = tqdm.tqdm(file=out, disable=False)
    task = client.tasks.create_from_data(
        {"name": "tqdm", "labels": [{"name": "car"}]}, images, pbar=TqdmProgressReporter(bar)
    )
    assert bar.n == bar.total and bar.total > 0, (bar.n, bar.total)
    print("upload bar complete", bar.n == bar.total)

    deferred = DeferredTqdmProgressReporter({"file": io.StringIO()})
    task.export_dataset("CVAT for images 1.1", Path("d.zip"), include_images=True, pbar=deferred)
    print("export", Path("d.zip").stat().st_size > 0)

    label = task.get_labels()[0].id
    task.set_annotations(
        {"shapes": [{"type": "rectangle", "frame": 0, "label_id": label, "points": [1, 1, 5, 5]}]}
    )
    task.export_dataset("CVAT for images 1.1", Path("a.zip"), include_images=False)
    task.remove_annotations()
    job = task.get_jobs()[0]
    job.import_annotations(
        "CVAT 1.1", Path("a.zip"), pbar=DeferredTqdmProgressReporter({"file": io.StringIO()})
    )
    shapes = job.get_annotations().shapes
    assert len(shapes) == 1
    print("job import", len(shapes), shapes[0].points)
