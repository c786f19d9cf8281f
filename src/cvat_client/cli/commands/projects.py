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
@json_option
@pass_state
def list_projects(state: CliState, search: str | None) -> None:
    """List the projects."""
    filters: dict[str, Any] = {"search": search} if search else {}
    projects = state.client().projects.list(**filters)
    state.output.table(projects, COLUMNS, empty="No projects.")


@project.command("create")
@click.argument("name")
@click.option(
    "--labels",
    "labels_text",
    metavar="JSON|@FILE|NAMES",
    help='The labels: JSON (\'[{"name": "car"}]\'), @labels.json, or names (car,person).',
)
@click.option(
    "--dataset-file", type=EXISTING_FILE, help="A dataset to import into the new project."
)
@format_option("CVAT 1.1", "dataset")
@json_option
@pass_state
def create(
    state: CliState,
    name: str,
    labels_text: str | None,
    dataset_file: Path | None,
    format_name: str,
) -> None:
    """Create a project called NAME."""
    spec: dict[str, Any] = {"name": name}
    if labels_text is not None:
        spec["labels"] = parse_labels(labels_text)
    if dataset_file is not None:
        check_file(dataset_file, "Dataset file")
    client = state.client()
    if dataset_file is None:
        created = client.projects.create(spec)
    else:
        created = client.projects.create_from_dataset(
            spec,
            dataset_path=dataset_file,
            dataset_format=format_name,
            pbar=state.reporter(f"Upload {dataset_file.name}"),
        )
    state.output.done(f"Created project #{created.id} {created.name!r}", created.to_dict())


@project.command("import-dataset")
@click.argument("project_id", metavar="ID", type=int)
@click.argument("filename", metavar="FILE", type=EXISTING_FILE)
@format_option("CVAT 1.1", "dataset")
@json_option
@pass_state
def import_dataset(state: CliState, project_id: int, filename: Path, format_name: str) -> None:
    """Import a dataset (images and annotations) from FILE into a project."""
    check_file(filename, "Dataset file")
    entity = retrieve(state.client().projects, project_id, KIND)
    entity.import_dataset(format_name, filename, pbar=state.reporter(f"Upload {filename.name}"))
    state.output.done(
        f"Imported {filename} ({format_name}) into project #{project_id}",
        {"id": project_id, "path": str(filename), "format": format_name},
    )
