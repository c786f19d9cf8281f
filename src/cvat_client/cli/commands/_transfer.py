"""Operations and commands that projects and tasks share: delete, export, backup, restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cvat_client.cli.commands._common import (
    EXISTING_FILE,
    check_file,
    format_option,
    retrieve,
)
from cvat_client.cli.commands._options import BOOL, period_option
from cvat_client.cli.errors import CliError
from cvat_client.cli.output import human_size
from cvat_client.cli.state import CliState, json_option, pass_state

__all__ = [
    "add_shared_commands",
    "delete_many",
    "download_backup",
    "export_dataset",
    "output_path",
    "restore_backup",
]


def delete_many(state: CliState, repo: Any, ids: tuple[int, ...], kind: str) -> None:
    """Delete each object; a missing one is reported on stderr and skipped (as cvat-cli
    does); fail at the end if the server refused any other."""
    deleted: list[int] = []
    missing: list[int] = []
    failed: list[str] = []
    for obj_id in ids:
        _, response = repo.api.destroy(obj_id, _check_status=False)
        if response.is_success:
            deleted.append(obj_id)
            click.echo(f"{kind} #{obj_id} deleted", err=True)
        elif response.status_code == 404:
            missing.append(obj_id)
            click.echo(f"{kind} #{obj_id} not found", err=True)
        else:
            failed.append(
                f"{kind.lower()} #{obj_id}: {response.status_code} {response.reason_phrase}"
            )
    if state.output.json:
        state.output.data({"deleted": deleted, "not_found": missing, "failed": failed})
    if failed:
        text = "; ".join(failed)
        raise CliError("Failed to delete " + text)


def output_path(filename: str) -> Path:
    """cvat-cli's output argument: empty means the current directory; a name ending with
    a path separator is a directory, created if missing."""
    import os

    if not filename:
        return Path.cwd()
    if filename.endswith((os.sep, os.altsep or os.sep)):
        os.makedirs(filename, exist_ok=True)
    return Path(filename)


def _saved(state: CliState, what: str, kind: str, obj_id: int, path: Path) -> None:
    size = path.stat().st_size
    state.output.done(
        f"{what} of {kind.lower()} #{obj_id} saved to {path} ({human_size(size)})",
        {"id": obj_id, "path": str(path), "size": size},
    )


def _start_export(endpoint: Any, **params: Any) -> str:
    """Start an export; the id of its background request (also of one already running)."""
    from cvat_client._lowlevel.exceptions import ApiValueError
    from cvat_client.core.downloading import _rq_id

    _, response = endpoint(**params, _check_status=False)
    try:
        return _rq_id(response)
    except ApiValueError:
        raise CliError(f"The server started no export (status {response.status_code})") from None


def _export(
    state: CliState, endpoint: Any, obj_id: int, kind: str, filename: Path, what: str, **query: Any
) -> None:
    """Export (with a bar while the server works), then download (with a bar)."""
    from cvat_client.core.downloading import Downloader

    rq_id = _start_export(endpoint, id=obj_id, location="local", **query)
    request = state.wait(rq_id, desc=f"Exporting {kind.lower()} #{obj_id}")  # named on Ctrl-C
    result_url = getattr(request, "result_url", None)
    if not isinstance(result_url, str) or not result_url:
        raise CliError(f"The export {rq_id} finished without a file to download")
    path = Downloader(state.client()).download_file(
        result_url, filename, pbar=state.reporter(f"Download {kind.lower()} #{obj_id}")
    )
    _saved(state, what, kind, obj_id, path)


def export_dataset(
    state: CliState,
    repo: Any,
    obj_id: int,
    kind: str,
    filename: Path,
    format_name: str,
    include_images: bool,
) -> None:
    """Export a project's or task's dataset and download it to ``filename``."""
    from cvat_client.cli.commands.formats import check_format

    retrieve(repo, obj_id, kind)
    check_format(state, format_name, "export")
    endpoint = repo.api.create_dataset_export_endpoint
    _export(
        state,
        endpoint,
        obj_id,
        kind,
        filename,
        f"Dataset ({format_name})",
        format=format_name,
        save_images=include_images,
    )


def download_backup(state: CliState, repo: Any, obj_id: int, kind: str, filename: Path) -> None:
    """Back up a project or task and download the backup to ``filename``."""
    retrieve(repo, obj_id, kind)
    _export(state, repo.api.create_backup_export_endpoint, obj_id, kind, filename, "Backup")


def restore_backup(state: CliState, repo: Any, kind: str, filename: Path) -> None:
    """Make a new project or task from a backup file."""
    check_file(filename, "Backup file")
    entity = repo.create_from_backup(filename, pbar=state.reporter(f"Upload {filename.name}"))
    state.output.created(
        entity.id, f"Restored {kind.lower()} #{entity.id} {entity.name!r}", entity.to_dict()
    )


def add_shared_commands(
    group: click.Group, repo_name: str, kind: str, *, delete_help: str, backup_help: str
) -> None:
    """Add ``delete``, ``export-dataset``, ``backup`` and ``create-from-backup`` to ``group``,
    the commands of ``client.<repo_name>`` (objects called ``kind``)."""
    noun = kind.lower()

    def repo(state: CliState) -> Any:
        return getattr(state.client(), repo_name)

    @group.command("delete", help=delete_help)
    @click.argument("obj_ids", metavar="ID...", nargs=-1, required=True, type=int)
    @json_option
    @pass_state
    def delete(state: CliState, obj_ids: tuple[int, ...]) -> None:
        delete_many(state, repo(state), obj_ids, kind)

    @group.command(
        "export-dataset",
        help=f"Export a {noun} as a dataset in a format (e.g. 'YOLO 1.1') to FILENAME, a file "
        "or a directory (default: the current directory; the server names the file).",
    )
    @click.argument("obj_id", metavar=f"{noun.upper()}_ID", type=int)
    @click.argument("filename", metavar="[FILENAME]", default="")
    @format_option("CVAT for images 1.1", "export")
    @click.option(
        "--with-images",
        "with_images",
        type=BOOL,
        default=False,
        is_flag=False,
        flag_value="true",
        metavar="[BOOL]",
        help="Include the images: True or False (alone: True; default: False).",
    )
    @click.option("--without-images", is_flag=True, help="Do not include the images.")
    @period_option
    @json_option
    @pass_state
    def export(
        state: CliState,
        obj_id: int,
        filename: str,
        format_name: str,
        with_images: bool,
        without_images: bool,
    ) -> None:
        include = with_images and not without_images
        export_dataset(
            state, repo(state), obj_id, kind, output_path(filename), format_name, include
        )

    @group.command("backup", help=backup_help)
    @click.argument("obj_id", metavar=f"{noun.upper()}_ID", type=int)
    @click.argument("filename", metavar="[FILENAME]", default="")
    @period_option
    @json_option
    @pass_state
    def backup(state: CliState, obj_id: int, filename: str) -> None:
        download_backup(state, repo(state), obj_id, kind, output_path(filename))

    @group.command(
        "create-from-backup",
        help=f"Restore a {noun} from a backup FILE (as a new {noun}) and print its id.",
    )
    @click.argument("filename", metavar="FILE", type=EXISTING_FILE)
    @period_option
    @json_option
    @pass_state
    def create_from_backup(state: CliState, filename: Path) -> None:
        restore_backup(state, repo(state), kind, filename)
