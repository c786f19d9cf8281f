"""``annotations``: the annotations of a task or a job as JSON, out and in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cvat_client.cli.commands._common import load_json_argument, retrieve
from cvat_client.cli.errors import CliError
from cvat_client.cli.output import plain
from cvat_client.cli.state import CliState, json_option, pass_state

__all__ = ["annotations_group"]

_KEYS = ("tags", "shapes", "tracks")


def _is_archive(path: Path) -> bool:
    """Whether ``path`` is a zip archive (an exported dataset), not a JSON file."""
    import zipfile

    return path.suffix.lower() == ".zip" or (path.is_file() and zipfile.is_zipfile(path))


def _owner(state: CliState, obj_id: int, job: bool) -> tuple[Any, str]:
    client = state.client()
    if job:
        return retrieve(client.jobs, obj_id, "Job"), f"job #{obj_id}"
    return retrieve(client.tasks, obj_id, "Task"), f"task #{obj_id}"


def _counts(data: dict[str, Any]) -> str:
    return ", ".join(f"{len(data.get(key) or [])} {key}" for key in _KEYS)


job_flag = click.option("--job", is_flag=True, help="ID is a job id, not a task id.")


@click.group("annotations")
def annotations_group() -> None:
    """Annotations of a task (or a job with --job) as JSON."""


@annotations_group.command("get")
@click.argument("obj_id", metavar="ID", type=int)
@job_flag
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file (default: standard output).",
)
@json_option
@pass_state
def get(state: CliState, obj_id: int, job: bool, output: Path | None) -> None:
    """Write the annotations of a task (tags, shapes, tracks) as JSON."""
    owner, what = _owner(state, obj_id, job)
    data = plain(owner.get_annotations())
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    state.output.done(
        f"Saved the annotations of {what} ({_counts(data)}) to {output}",
        {"id": obj_id, "path": str(output), **{k: len(data.get(k) or []) for k in _KEYS}},
    )


@annotations_group.command("put")
@click.argument("obj_id", metavar="ID", type=int)
@click.argument("source", metavar="FILE")
@job_flag
@click.option(
    "--append",
    is_flag=True,
    help="Add these objects to the existing annotations (default: replace).",
)
@json_option
@pass_state
def put(state: CliState, obj_id: int, source: str, job: bool, append: bool) -> None:
    """Replace the annotations of a task with those in FILE (JSON; '-' reads stdin).

    FILE holds what 'annotations get' writes: {"tags": [...], "shapes": [...], "tracks": [...]}.
    """
    if source != "-" and _is_archive(Path(source)):
        raise CliError(
            f"{source} is an archive, not JSON: import annotation files in a format "
            f"(CVAT, COCO...) with: task import-annotations {obj_id} {source} --format NAME"
        )
    data = load_json_argument(f"@{source}", f"Annotation file {source}")
    if not isinstance(data, dict) or not any(key in data for key in _KEYS):
        raise CliError(
            f"Annotation file {source} must be a JSON object with 'tags', 'shapes' or 'tracks'"
        )
    body = {key: data.get(key) or [] for key in _KEYS}
    owner, what = _owner(state, obj_id, job)
    if append:
        for key in _KEYS:
            for item in body[key]:
                if isinstance(item, dict):
                    item.pop("id", None)
        owner.update_annotations(body, action="create")
        verb = "Added to"
    else:
        owner.set_annotations(body)
        verb = "Replaced"
    state.output.done(
        f"{verb} the annotations of {what}: {_counts(body)}",
        {
            "id": obj_id,
            "action": "append" if append else "replace",
            **{k: len(body[k]) for k in _KEYS},
        },
    )
