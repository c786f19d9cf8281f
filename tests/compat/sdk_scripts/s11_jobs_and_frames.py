"""Jobs, frames, metadata, previews."""

import io
import os
from pathlib import Path

from cvat_sdk import make_client
from PIL import Image

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    task = client.tasks.create_from_data(
        {"name": "frames", "labels": [{"name": "car"}], "segment_size": 2}, images
    )
    jobs = task.get_jobs()
    print("jobs", len(jobs), sorted((j.start_frame, j.stop_frame) for j in jobs))
    job = client.jobs.retrieve(jobs[0].id)
    print("job meta", job.get_meta().size, [f.width for f in job.get_meta().frames])
    frame = task.get_frame(1, quality="original")
    with Image.open(frame) as image:
        print("frame size", image.size)
    task.download_frames(
        [0, 2], outdir="frames", quality="original", filename_pattern="f_{frame_id}{frame_ext}"
    )
    print(sorted(p.name for p in Path("frames").iterdir()))
    job.download_frames([job.start_frame], outdir="jobframes")
    assert len(list(Path("jobframes").iterdir())) == 1
    preview = task.get_preview()
    assert isinstance(preview, io.RawIOBase) or hasattr(preview, "read")
    with Image.open(preview) as image:
        print("preview", image.format)
    print("frames info", len(task.get_frames_info()))
    print("all jobs", len(client.jobs.list()), len(client.jobs.list(task_id=task.id)))
    job.update({"stage": "validation"})
    print("stage", client.jobs.retrieve(job.id).stage)
