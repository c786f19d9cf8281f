"""``task``: list, create, delete, download frames, export, import, back up and restore tasks."""

from __future__ import annotations

import glob
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
from cvat_client.cli.commands._options import option, period_option
from cvat_client.cli.commands.formats import check_format
from cvat_client.cli.errors import CliError, replace_note
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


def list_objects(
    state: CliState, repo: Any, columns: list[Column], empty: str, table: bool, **filters: Any
) -> None:
    """cvat-cli's ``ls``: one id per line, or (``--json``) the server's objects as JSON
    indented by 2; ``--table`` (ours): a table."""
    import json

    if state.output.json and not table:
        click.echo(json.dumps(json.loads(repo.list(return_json=True, **filters)), indent=2))
        return
    rows = repo.list(**filters)
    if table:
        state.output.table(rows, columns, empty=empty)
    else:
        state.output.ids(rows)


@task.command("ls")
@option("--project_id", type=int, help="Only the tasks of this project.")
@click.option("--search", help="Only tasks whose name, owner... contain this text.")
@click.option("--table", is_flag=True, help="Show a table instead of the ids.")
@json_option
@pass_state
def list_tasks(state: CliState, project_id: int | None, search: str | None, table: bool) -> None:
    """List the tasks: their ids, one per line (--json: the server's objects)."""
    filters: dict[str, Any] = {}
    if project_id is not None:
        filters["project_id"] = project_id
    if search:
        filters["search"] = search
    list_objects(state, state.client().tasks, COLUMNS, "No tasks.", table, **filters)


def _resources(resource_type: str, resources: tuple[str, ...]) -> list[str]:
    """Check local resources before anything is sent; keep the others as given."""
    if resource_type != "local":
        return list(resources)
    from cvat_client.core.proxies.tasks import expand_local_resources

    expand_local_resources(list(resources))  # raises on a missing file or an empty pattern
    return list(resources)


def _split_resource_type(
    option_value: str | None, resources: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """cvat-cli's positional ``RESOURCE_TYPE`` (``local``, ``share``, ``remote``) before the
    resources, or our ``--resource-type`` (then the first resource must exist here, or
    it is taken for a wrong resource type, a usage error as in cvat-cli)."""
    first = resources[0] if resources else ""
    if first.lower() in RESOURCE_TYPES:
        if len(resources) == 1:
            raise click.UsageError(f"No resources after the resource type {first!r}")
        if option_value is not None and option_value != first.lower():
            raise click.UsageError("The resource type is given twice, differently")
        return first.lower(), resources[1:]
    if option_value is None and not (Path(first).exists() or glob.has_magic(first)):
        raise click.UsageError(
            f"{first!r} is neither a resource type ({', '.join(RESOURCE_TYPES)}) nor an "
            "existing file: task create NAME [local|share|remote] RESOURCE..."
        )
    return option_value or "local", resources


@task.command("create")
@click.argument("name")
@click.argument("resources", metavar="[RESOURCE_TYPE] RESOURCE...", nargs=-1, required=True)
@click.option(
    "--resource-type",
    type=click.Choice(RESOURCE_TYPES),
    default=None,
    help="local (default): files, directories and glob patterns here; share: paths in the "
    "server's share; remote: URLs the server downloads. cvat-cli's positional form "
    "(task create NAME local FILE...) is accepted too.",
)
@click.option(
    "--labels",
    "labels_text",
    metavar="JSON|FILE|NAMES",
    help='The labels: JSON (\'[{"name": "car"}]\'), a JSON file, or names (car,person). '
    "Default: none (a task in a project has the project's labels).",
)
@option("--project_id", type=int, help="Put the task in this project (and use its labels).")
@option("--bug_tracker", "--bug", help="A bug tracker URL.")
@option(
    "--image_quality",
    type=click.IntRange(0, 100),
    default=70,
    show_default=True,
    help="JPEG quality of the compressed frames.",
)
@option("--segment_size", type=click.IntRange(min=0), help="Frames per job.")
@option("--overlap", type=click.IntRange(min=0), help="Frames shared by adjacent jobs.")
@option("--chunk_size", type=click.IntRange(min=1), help="Frames per data chunk.")
@option("--frame_step", type=click.IntRange(min=1), help="Use every N-th frame.")
@option("--start_frame", type=click.IntRange(min=0), help="The first frame to use.")
@option("--stop_frame", type=click.IntRange(min=0), help="The last frame to use.")
@option(
    "--sorting-method",
    type=click.Choice(SORTING_METHODS),
    default="lexicographical",
    show_default=True,
    help="How files are ordered.",
)
@option("--use_cache", is_flag=True, help="Prepare chunks on the fly (the server's cache).")
@option("--copy_data", is_flag=True, help="Copy share data into the task (share only).")
@option("--use_zip_chunks", is_flag=True, help="Zip chunks instead of making videos.")
@option("--cloud_storage_id", type=int, help="Take the data from this cloud storage.")
@option(
    "--filename_pattern",
    help="Only the files of the manifest matching this shell-style pattern (cloud storage).",
)
@option("--annotation_path", default="", help="An annotation file to import after the data.")
@option(
    "--annotation_format",
    default="CVAT 1.1",
    show_default=True,
    help="The format of --annotation_path.",
)
@period_option
@json_option
@pass_state
def create(
    state: CliState,
    name: str,
    resources: tuple[str, ...],
    resource_type: str | None,
    labels_text: str | None,
    project_id: int | None,
    bug_tracker: str | None,
    image_quality: int,
    segment_size: int | None,
    overlap: int | None,
    chunk_size: int | None,
    frame_step: int | None,
    start_frame: int | None,
    stop_frame: int | None,
    sorting_method: str,
    use_cache: bool,
    copy_data: bool,
    use_zip_chunks: bool,
    cloud_storage_id: int | None,
    filename_pattern: str | None,
    annotation_path: str,
    annotation_format: str,
) -> None:
    """Create a task called NAME from RESOURCE... (files, directories, globs, share paths or
    URLs) and print its id.

    \b
    Examples:
      cvat-client task create cars local 'images/*.jpg' --labels car,person
      cvat-client task create street video.mp4 --project_id 3 --segment_size 100
      cvat-client task create web remote https://example.com/a.jpg --labels labels.json
      cvat-client task create clip local clip.mp4 --labels car --frame_step 5 --use_zip_chunks
    """
    kind, resources = _split_resource_type(resource_type, resources)
    spec: dict[str, Any] = {
        "name": name,
        "labels": parse_labels(labels_text) if labels_text is not None else [],
    }
    task_optional = (
        ("project_id", project_id),
        ("bug_tracker", bug_tracker),
        ("segment_size", segment_size),
        ("overlap", overlap),
    )
    for key, value in task_optional:
        if value is not None:
            spec[key] = value
    data_params: dict[str, Any] = {
        "image_quality": image_quality,
        "sorting_method": sorting_method,
        "use_cache": use_cache,
        "copy_data": copy_data,
        "use_zip_chunks": use_zip_chunks,
    }
    data_optional: tuple[tuple[str, Any], ...] = (
        ("chunk_size", chunk_size),
        ("frame_step", frame_step),
        ("start_frame", start_frame),
        ("stop_frame", stop_frame),
        ("cloud_storage_id", cloud_storage_id),
        ("filename_pattern", filename_pattern),
    )
    for key, value in data_optional:
        if value is not None:
            data_params[key] = value
    files = _resources(kind, resources)
    if annotation_path:
        check_file(Path(annotation_path), "Annotation file")
        check_format(state, annotation_format, "import")

    from cvat_client.core.proxies.tasks import ResourceType

    client = state.client()
    try:
        created = client.tasks.create_from_data(
            spec,
            files,
            resource_type=ResourceType[kind.upper()],
            data_params=data_params,
            annotation_path=annotation_path,
            annotation_format=annotation_format,
            pbar=state.reporter(f"Upload {name}"),
        )
    except KeyboardInterrupt as exc:
        task_id = getattr(exc, "task_id", None)
        if task_id is not None and getattr(exc, "task_deleted", None) is False:
            program = click.get_current_context().find_root().info_name or "cvat-client"
            replace_note(
                exc,
                f"Task #{task_id} ",
                f"Task #{task_id} was created but not finished; delete it with "
                f"'{program} task delete {task_id}'",
            )
        raise
    jobs = getattr(created.jobs, "count", None)
    state.output.created(
        created.id,
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
    """Download frames of a task as images task_<ID>_frame_<FRAME>.<ext> (all frames when
    none are given; FIRST-LAST for a range)."""
    entity = retrieve(state.client().tasks, task_id, KIND)
    frame_ids = _frame_ids(frames, int(entity.size or 0))
    reporter = state.reporter(f"Frames of task #{task_id}")
    reporter.start2(len(frame_ids), unit="frame")
    saved: list[Path] = []
    try:
        for frame_id in frame_ids:
            saved.extend(
                entity.download_frames(
                    [frame_id],
                    outdir=outdir,
                    quality=quality,
                    filename_pattern=f"task_{task_id}" + "_frame_{frame_id:06d}{frame_ext}",
                )
            )
            reporter.advance(1)
    finally:
        reporter.finish()
    state.output.done(
        f"Saved {len(saved)} frames of task #{task_id} to {outdir}",
        {"id": task_id, "files": [str(path) for path in saved]},
    )


@task.command("import-annotations")
@click.argument("task_id", metavar="TASK_ID", type=int)
@click.argument("filename", metavar="FILE", type=EXISTING_FILE)
@format_option("CVAT 1.1", "annotation")
@period_option
@json_option
@pass_state
def import_annotations(state: CliState, task_id: int, filename: Path, format_name: str) -> None:
    """Import annotations into a task from FILE (`import-dataset` is cvat-cli's name)."""
    check_file(filename, "Annotation file")
    entity = retrieve(state.client().tasks, task_id, KIND)
    check_format(state, format_name, "import")
    entity.import_annotations(format_name, filename, pbar=state.reporter(f"Upload {filename.name}"))
    state.output.done(
        f"Imported {filename} ({format_name}) into task #{task_id}",
        {"id": task_id, "path": str(filename), "format": format_name},
    )


task.add_command(import_annotations, "import-dataset")  # cvat-cli's name, the same command


from cvat_client.cli.commands.auto_annotate import auto_annotate  # noqa: E402

task.add_command(auto_annotate)
