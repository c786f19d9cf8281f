"""Quick start: a project, a task, annotations and a COCO export with the high-level client.

Run it with ``make demo``. By default it starts the CVAT test server inside this process
(no Docker, no network). To use a real CVAT server instead, set ``CVAT_HOST`` and either
``CVAT_USERNAME`` + ``CVAT_PASSWORD`` or ``CVAT_ACCESS_TOKEN``; everything the example
creates there is deleted at the end (pass ``--keep`` to keep it).

What it does:

1. creates a project with two labels;
2. generates a few images with Pillow and creates a task from them (with a progress bar);
3. puts rectangle annotations on the frames;
4. exports the task as COCO 1.0, downloads the archive and counts its annotations;
5. prints a short summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from cvat_client.core import Client, DeferredTqdmProgressReporter, make_client

LABELS = [{"name": "car", "color": "#e03030"}, {"name": "person", "color": "#3070e0"}]
FRAMES = 6
FRAME_SIZE = (320, 240)
# (label name, x, y, width, height) on every frame, shifted a little per frame
OBJECTS = [("car", 20, 120, 120, 60), ("car", 180, 140, 100, 50), ("person", 150, 40, 30, 80)]


@contextlib.contextmanager
def connect() -> Iterator[tuple[Client, str]]:
    """A logged-in client: to ``CVAT_HOST`` if set, else to an in-process test server."""
    host = os.environ.get("CVAT_HOST")
    if host:
        token = os.environ.get("CVAT_ACCESS_TOKEN")
        if token:
            credentials = None
        else:
            username = os.environ.get("CVAT_USERNAME")
            password = os.environ.get("CVAT_PASSWORD")
            if not username or not password:
                sys.exit(
                    "Set CVAT_USERNAME and CVAT_PASSWORD (or CVAT_ACCESS_TOKEN) with CVAT_HOST"
                )
            credentials = (username, password)
        with make_client(host, credentials=credentials, access_token=token) as client:
            yield client, client.host
        return

    # The embedded server: a CVAT 2.73 test server running in this process.
    from cvat_client.testing import ASGIBridgeTransport, CvatTestServer

    admin = ("admin", "quickstart-password")
    with (
        CvatTestServer(admin=admin) as server,
        make_client(
            "http://cvat.embedded", credentials=admin, transport=ASGIBridgeTransport(server.app)
        ) as client,
    ):
        yield client, "the embedded test server"


def make_images(folder: Path) -> list[Path]:
    """Draw ``FRAMES`` street-like images with coloured boxes where the objects are."""
    paths = []
    for frame in range(FRAMES):
        image = Image.new("RGB", FRAME_SIZE, (90 + 10 * frame, 140, 90))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 180, FRAME_SIZE[0], FRAME_SIZE[1]), fill=(70, 70, 70))  # the road
        for name, x, y, w, h in OBJECTS:
            dx = 8 * frame
            color = (200, 40, 40) if name == "car" else (40, 80, 200)
            draw.rectangle((x + dx, y, x + dx + w, y + h), fill=color)
        path = folder / f"street_{frame:03d}.jpg"
        image.save(path, quality=90)
        paths.append(path)
    return paths


def make_shapes(label_ids: dict[str, int]) -> list[dict[str, Any]]:
    """One rectangle per object and frame, where :func:`make_images` drew it."""
    shapes = []
    for frame in range(FRAMES):
        for name, x, y, w, h in OBJECTS:
            dx = 8 * frame
            shapes.append(
                {
                    "type": "rectangle",
                    "frame": frame,
                    "label_id": label_ids[name],
                    "points": [x + dx, y, x + dx + w, y + h],
                    "occluded": False,
                    "z_order": 0,
                    "attributes": [],
                    "source": "manual",
                }
            )
    return shapes


def count_coco_annotations(archive_path: Path) -> Counter[str]:
    """Open a COCO 1.0 export and count its annotations per category name."""
    counts: Counter[str] = Counter()
    with zipfile.ZipFile(archive_path) as archive:
        for name in archive.namelist():
            if name.startswith("annotations/") and name.endswith(".json"):
                coco = json.loads(archive.read(name))
                categories = {c["id"]: c["name"] for c in coco["categories"]}
                counts.update(categories[a["category_id"]] for a in coco["annotations"])
    return counts


def progress(desc: str) -> DeferredTqdmProgressReporter:
    """A tqdm progress bar on stderr."""
    return DeferredTqdmProgressReporter({"desc": desc, "file": sys.stderr, "leave": False})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep what is created")
    args = parser.parse_args()

    with connect() as (client, where), tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print(f"Connected to {where} (CVAT {client.get_server_version()})")

        project = client.projects.create({"name": "Quick start: streets", "labels": LABELS})
        print(
            f"Created project #{project.id} with labels: {', '.join(label['name'] for label in LABELS)}"
        )
        try:
            images = make_images(workdir)
            task = client.tasks.create_from_data(
                {"name": "Quick start: street frames", "project_id": project.id, "segment_size": 4},
                images,
                data_params={"image_quality": 80},
                pbar=progress("Uploading images"),
            )
            jobs = task.get_jobs()
            print(f"Created task #{task.id}: {task.size} frames in {len(jobs)} jobs")

            label_ids = {label.name: label.id for label in task.get_labels()}
            task.set_annotations({"shapes": make_shapes(label_ids)})
            stored = task.get_annotations()
            print(f"Added {len(stored.shapes)} rectangles")

            export_path = task.export_dataset(
                "COCO 1.0",
                workdir / "export.zip",
                include_images=False,
                pbar=progress("Downloading export"),
            )
            assert export_path is not None
            counts = count_coco_annotations(export_path)
            size = export_path.stat().st_size

            print()
            print("Summary")
            print(f"  task          #{task.id} {task.name!r} in project #{project.id}")
            print(f"  frames        {task.size}")
            print(f"  jobs          {len(jobs)} (frames per job: {task.segment_size})")
            print("  annotations in the COCO export:")
            for name in sorted(label_ids):
                print(f"    {name:<10}  {counts.get(name, 0)}")
            print(f"  export file   {export_path.name}, {size:,} bytes")
        finally:
            if "CVAT_HOST" in os.environ and not args.keep:
                project.remove()
                print(f"Deleted project #{project.id} (pass --keep to keep it)")


if __name__ == "__main__":
    main()
