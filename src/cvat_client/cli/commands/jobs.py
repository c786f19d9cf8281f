"""``job``: list jobs."""

from __future__ import annotations

from typing import Any

import click

from cvat_client.cli.commands._common import user_name
from cvat_client.cli.output import Column
from cvat_client.cli.state import CliState, json_option, pass_state

__all__ = ["job"]

COLUMNS = [
    Column("ID", "id"),
    Column("TASK", "task_id"),
    Column("PROJECT", "project_id"),
    Column("FRAMES", lambda j: f"{j.start_frame}-{j.stop_frame}"),
    Column("STAGE", "stage"),
    Column("STATE", "state"),
    Column("ASSIGNEE", lambda j: user_name(j.assignee)),
]


@click.group()
def job() -> None:
    """Jobs: the parts of a task that people annotate."""


@job.command("ls")
@click.option("--task-id", type=int, help="Only the jobs of this task.")
@click.option("--project-id", type=int, help="Only the jobs of this project's tasks.")
@json_option
@pass_state
def list_jobs(state: CliState, task_id: int | None, project_id: int | None) -> None:
    """List the jobs."""
    filters: dict[str, Any] = {}
    if task_id is not None:
        filters["task_id"] = task_id
    if project_id is not None:
        filters["project_id"] = project_id
    jobs = state.client().jobs.list(**filters)
    state.output.table(jobs, COLUMNS, empty="No jobs.")
