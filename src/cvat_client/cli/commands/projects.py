"""``project``: list, create, delete, export, import, back up and restore projects."""

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
from cvat_client.cli.commands._options import option, period_option
from cvat_client.cli.commands.formats import check_format
from cvat_client.cli.commands.tasks import list_objects
from cvat_client.cli.errors import CliError, describe, replace_note
from cvat_client.cli.output import Column
from cvat_client.cli.state import CliState, json_option, pass_state

__all__ = ["project"]

KIND = "Project"

COLUMNS = [
    Column("ID", "id"),
    Column("NAME", "name"),
    Column("STATUS", "status"),
    Column("TASKS", lambda p: getattr(p.tasks, "count", None)),
    Column("OWNER", lambda p: user_name(p.owner)),
    Column("CREATED", "created_date"),
]


@click.group()
def project() -> None:
    """Projects: sets of tasks sharing labels."""


_transfer.add_shared_commands(
    project,
    "projects",
    KIND,
    delete_help="Delete projects (with their tasks).",
    backup_help="Save a backup of a project (with its tasks) to FILE.",
)


@project.command("ls")
@click.option("--search", help="Only projects whose name, owner... contain this text.")
@click.option("--table", is_flag=True, help="Show a table instead of the ids.")
@json_option
@pass_state
def list_projects(state: CliState, search: str | None, table: bool) -> None:
    """List the projects: their ids, one per line (--json: the server's objects)."""
    filters: dict[str, Any] = {"search": search} if search else {}
    list_objects(state, state.client().projects, COLUMNS, "No projects.", table, **filters)


@project.command("create")
@click.argument("name")
@click.option(
    "--labels",
    "labels_text",
    metavar="JSON|FILE|NAMES",
    help='The labels: JSON (\'[{"name": "car"}]\'), a JSON file, or names (car,person).',
)
@option("--bug_tracker", "--bug", help="A bug tracker URL.")
@option(
    "--dataset_path", "--dataset-file", default="", help="A dataset to import into the project."
)
@option(
    "--dataset_format",
    "--format",
    default="CVAT 1.1",
    show_default=True,
    help="The format of --dataset_path.",
)
@period_option
@json_option
@pass_state
def create(
    state: CliState,
    name: str,
    labels_text: str | None,
    bug_tracker: str | None,
    dataset_path: str,
    dataset_format: str,
) -> None:
    """Create a project called NAME (optionally importing a dataset) and print its id."""
    spec: dict[str, Any] = {
        "name": name,
        "labels": parse_labels(labels_text) if labels_text is not None else [],
    }
    if bug_tracker is not None:
        spec["bug_tracker"] = bug_tracker
    if dataset_path:
        check_file(Path(dataset_path), "Dataset file")
        check_format(state, dataset_format, "import")
    client = state.client()
    if not dataset_path:
        created = client.projects.create(spec)
    else:
        try:  # the SDK deletes the project when the import fails (keeps it on Ctrl-C)
            created = client.projects.create_from_dataset(
                spec,
                dataset_path=dataset_path,
                dataset_format=dataset_format,
                pbar=state.reporter(f"Upload {Path(dataset_path).name}"),
            )
        except BaseException as exc:
            _say_what_became_of_the_project(exc)
            raise
    state.output.created(
        created.id, f"Created project #{created.id} {created.name!r}", created.to_dict()
    )


def _say_what_became_of_the_project(exc: BaseException) -> None:
    """Reword the SDK's note on a project kept after a failed ``project create`` with
    the command that deletes it (the SDK names ``client.projects.remove_by_ids``)."""
    project_id = getattr(exc, "project_id", None)
    if project_id is None or getattr(exc, "project_deleted", None) is not False:
        return
    program = click.get_current_context().find_root().info_name or "cvat-client"
    if isinstance(exc, KeyboardInterrupt):
        replace_note(
            exc,
            f"Project #{project_id} ",
            f"Project #{project_id} was created; the dataset may not be (fully) imported "
            f"into it yet; delete it with '{program} project delete {project_id}'",
        )
        return
    raise CliError(
        describe(exc).replace(
            f"client.projects.remove_by_ids([{project_id}])",
            f"'{program} project delete {project_id}'",
        )
    ) from exc


@project.command("import-dataset")
@click.argument("project_id", metavar="ID", type=int)
@click.argument("filename", metavar="FILE", type=EXISTING_FILE)
@format_option("CVAT 1.1", "dataset")
@period_option
@json_option
@pass_state
def import_dataset(state: CliState, project_id: int, filename: Path, format_name: str) -> None:
    """Import a dataset (images and annotations) from FILE into a project."""
    check_file(filename, "Dataset file")
    entity = retrieve(state.client().projects, project_id, KIND)
    check_format(state, format_name, "import")
    entity.import_dataset(format_name, filename, pbar=state.reporter(f"Upload {filename.name}"))
    state.output.done(
        f"Imported {filename} ({format_name}) into project #{project_id}",
        {"id": project_id, "path": str(filename), "format": format_name},
    )
