"""``task``: list, create, delete, download frames, export, import, back up and restore tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cvat_client.cli.commands import _transfer
from cvat_client.cli.commands._common import (
    EXISTING_FILE,
    check_file,
    format_option,
    parse_labels,
    retrieve,
    user_name,
)
from cvat_client.cli.errors import CliError
from cvat_client.cli.output import Column
from cvat_client.cli.state import CliState, json_option, pass_state

__all__ = ["task"]

KIND = "Task"

COLUMNS = [
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("PROJECT", "project_id"),
    Column("STATUS", "status"),
    Column("FRAMES", "size"),
    Column("JOBS", lambda t: getattr(t.jobs, "count", None)),
    Column("OWNER", lambda t: user_name(t.owner)),
    Column("CREATED", "created_date"),
]

RESOURCE_TYPES = ("local", "share", "remote")
SORTING_METHODS = ("lexicographical", "natural", "predefined", "random")


@click.group()
def task() -> None:
    """Tasks: media to annotate, cut into jobs."""


_transfer.add_shared_commands(
    task,
    "tasks",
    KIND,
    delete_help="Delete tasks.",
    backup_help="Save a backup of a task (media, annotations, settings) to FILE.",
)


@task.command("ls")
@click.option("--project-id", type=int, help="Only the tasks of this project.")
@click.option("--search", help="Only tasks whose name, owner... contain this text.")
@json_option
@pass_state
def list_tasks(state: CliState, project_id: int | None, search: str | None) -> None:
    """List the tasks."""
    filters: dict[str, Any] = {}
    if project_id is not None:
        filters["project_id"] = project_id
    if search:
        filters["search"] = search
    tasks = state.client().tasks.list(**filters)
    state.output.table(tasks, COLUMNS, empty="No tasks.")


def _resources(resource_type: str, resources: tuple[str, ...]) -> list[str]:
    """Check local resources before anything is sent; keep the others as given."""
    if resource_type != "local":
        return list(resources)
    from cvat_client.core.proxies.tasks import expand_local_resources

    expand_local_resources(list(resources))  # raises on a missing file or an empty pattern
    return list(resources)


@task.command("create")
@click.argument("name")
@click.argument("resources", metavar="RESOURCE...", nargs=-1, required=True)
@click.option(
    "--resource-type",
    type=click.Choice(RESOURCE_TYPES),
    default="local",
    show_default=True,
    help="local: files, directories and glob patterns here; share: paths in the server's "
    "share; remote: URLs the server downloads.",
)
@click.option(
    "--labels",
    "labels_text",
    metavar="JSON|@FILE|NAMES",
    help='The labels: JSON (\'[{"name": "car"}]\'), @labels.json, or names (car,person).',
)
@click.option("--project-id", type=int, help="Put the task in this project (and use its labels).")
@click.option(
    "--image-quality",
    type=click.IntRange(0, 100),
    default=70,
    show_default=True,
    help="JPEG quality of the compressed frames.",
)
@click.option("--segment-size", type=click.IntRange(min=0), help="Frames per job.")
@click.option("--overlap", type=click.IntRange(min=0), help="Frames shared by adjacent jobs.")
@click.option("--chunk-size", type=click.IntRange(min=1), help="Frames per data chunk.")
@click.option("--frame-step", type=click.IntRange(min=1), help="Use every N-th frame.")
@click.option("--start-frame", type=click.IntRange(min=0), help="The first frame to use.")
@click.option("--stop-frame", type=click.IntRange(min=0), help="The last frame to use.")
@click.option("--sorting-method", type=click.Choice(SORTING_METHODS), help="How files are ordered.")
@click.option(
    "--use-zip-chunks/--no-use-zip-chunks",
    default=None,
    help="Video tasks: compressed chunks as zips of JPEG images instead of videos.",
)
@click.option(
    "--use-cache/--no-use-cache",
    default=None,
    help="Let the server build chunks on demand (its default) instead of at creation.",
)
@click.option(
    "--annotation-path", type=EXISTING_FILE, help="An annotation file to import after the data."
)
@click.option(
    "--annotation-format",
    default="CVAT 1.1",
    show_default=True,
    help="The format of --annotation-path.",
)
@json_option
@pass_state
def create(
    state: CliState,
    name: str,
    resources: tuple[str, ...],
    resource_type: str,
    labels_text: str | None,
    project_id: int | None,
    image_quality: int,
    segment_size: int | None,
    overlap: int | None,
    chunk_size: int | None,
    frame_step: int | None,
    start_frame: int | None,
    stop_frame: int | None,
    sorting_method: str | None,
    use_zip_chunks: bool | None,
    use_cache: bool | None,
    annotation_path: Path | None,
    annotation_format: str,
) -> None:
    """Create a task called NAME from RESOURCE... (files, directories, globs, share paths or URLs).

    \b
    Examples:
      cvat-client task create cars 'images/*.jpg' --labels car,person
      cvat-client task create street video.mp4 --project-id 3 --segment-size 100
      cvat-client task create clip clip.mp4 --labels car --frame-step 5 --use-zip-chunks
      cvat-client task create web https://example.com/a.jpg --resource-type remote --labels car
    """
    if (labels_text is None) == (project_id is None):
        raise CliError("Give either --labels or --project-id (a task in a project has its labels)")
    spec: dict[str, Any] = {"name": name}
    if labels_text is not None:
        spec["labels"] = parse_labels(labels_text)
    else:
        spec["project_id"] = project_id
    for key, value in (("segment_size", segment_size), ("overlap", overlap)):
        if value is not None:
            spec[key] = value
    data_params: dict[str, Any] = {"image_quality": image_quality}
    optional: tuple[tuple[str, Any], ...] = (
        ("chunk_size", chunk_size),
        ("frame_step", frame_step),
        ("start_frame", start_frame),
        ("stop_frame", stop_frame),
        ("sorting_method", sorting_method),
        ("use_zip_chunks", use_zip_chunks),
        ("use_cache", use_cache),
    )
    for key, value in optional:
        if value is not None:
            data_params[key] = value
    files = _resources(resource_type, resources)
    if annotation_path is not None:
        check_file(annotation_path, "Annotation file")

    from cvat_client.core.proxies.tasks import ResourceType

    client = state.client()
    created = client.tasks.create_from_data(
        spec,
        files,
        resource_type=ResourceType[resource_type.upper()],
        data_params=data_params,
        annotation_path=annotation_path or "",
        annotation_format=annotation_format,
        pbar=state.reporter(f"Upload {name}"),
    )
    jobs = getattr(created.jobs, "count", None)
    state.output.done(
        f"Created task #{created.id} {created.name!r}: {created.size} frames, {jobs} jobs",
        created.to_dict(),
    )


def _frame_ids(specs: tuple[str, ...], size: int) -> list[int]:
    """``3 5 10-12`` as frame numbers (all frames when empty), checked against ``size``."""
    if not specs:
        return list(range(size))
    frames: list[int] = []
    for spec in specs:
        first, sep, last = spec.partition("-")
        try:
            numbers = range(int(first), int(last) + 1) if sep else [int(first)]
        except ValueError:
            raise CliError(f"Not a frame number or range (like 4 or 0-9): {spec!r}") from None
        frames.extend(numbers)
    outside = [frame for frame in frames if not 0 <= frame < size]
    if outside:
        raise CliError(f"Frame {outside[0]} is outside the task (frames 0-{size - 1})")
    return frames


@task.command("frames")
@click.argument("task_id", metavar="ID", type=int)
@click.argument("frames", metavar="[FRAME|FIRST-LAST]...", nargs=-1)
@click.option(
    "--outdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Where to save the images.",
)
@click.option(
    "--quality",
    type=click.Choice(["original", "compressed"]),
    default="original",
    show_default=True,
)
@json_option
@pass_state
def frames(
    state: CliState, task_id: int, frames: tuple[str, ...], outdir: Path, quality: str
) -> None:
    """Download frames of a task as images (all frames when none are given)."""
    entity = retrieve(state.client().tasks, task_id, KIND)
    frame_ids = _frame_ids(frames, int(entity.size or 0))
    reporter = state.reporter(f"Frames of task #{task_id}")
    reporter.start2(len(frame_ids), unit="frame")
    saved: list[Path] = []
    try:
        for frame_id in frame_ids:
            saved.extend(entity.download_frames([frame_id], outdir=outdir, quality=quality))
            reporter.advance(1)
    finally:
        reporter.finish()
    state.output.done(
        f"Saved {len(saved)} frames of task #{task_id} to {outdir}",
        {"id": task_id, "files": [str(path) for path in saved]},
    )


@task.command("import-annotations")
@click.argument("task_id", metavar="ID", type=int)
@click.argument("filename", metavar="FILE", type=EXISTING_FILE)
@format_option("CVAT 1.1", "annotation")
@json_option
@pass_state
def import_annotations(state: CliState, task_id: int, filename: Path, format_name: str) -> None:
    """Import annotations from FILE into a task."""
    check_file(filename, "Annotation file")
    entity = retrieve(state.client().tasks, task_id, KIND)
    entity.import_annotations(format_name, filename, pbar=state.reporter(f"Upload {filename.name}"))
    state.output.done(
        f"Imported {filename} ({format_name}) into task #{task_id}",
        {"id": task_id, "path": str(filename), "format": format_name},
    )
