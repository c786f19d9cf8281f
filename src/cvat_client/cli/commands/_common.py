"""Pieces shared by the command groups: lookups, labels, file options."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cvat_client._lowlevel.exceptions import NotFoundException
from cvat_client.cli.errors import CliError

__all__ = [
    "EXISTING_FILE",
    "check_file",
    "OUTPUT_FILE",
    "format_option",
    "load_json_argument",
    "parse_labels",
    "retrieve",
    "user_name",
]

F = TypeVar("F", bound=Callable[..., Any])

# Paths are checked by the commands themselves (one-line errors, exit status 1),
# not by click (usage errors), so that a missing file reads like any other failure.
EXISTING_FILE = click.Path(dir_okay=False, path_type=Path)
OUTPUT_FILE = click.Path(dir_okay=True, writable=True, path_type=Path)


def retrieve(repo: Any, obj_id: int, kind: str) -> Any:
    """``repo.retrieve(obj_id)``, with a readable error when there is no such object."""
    try:
        return repo.retrieve(obj_id)
    except NotFoundException:
        raise CliError(f"{kind} #{obj_id} not found (or not visible to you)") from None


def format_option(default: str, what: str) -> Callable[[F], F]:
    """``--format NAME``: a dataset or annotation format name."""
    return click.option(
        "--format",
        "format_name",
        default=default,
        show_default=True,
        help=f"The {what} format, as listed by the server (e.g. 'COCO 1.0', 'CVAT 1.1').",
    )


def load_json_argument(text: str, what: str) -> Any:
    """JSON given inline, or ``@path`` for a file (``@-``: standard input)."""
    if text.startswith("@"):
        name = text[1:]
        try:
            source = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"Cannot read {what} from {name}: {exc.strerror or exc}") from None
    else:
        source = text
    try:
        return json.loads(source)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None


def parse_labels(text: str) -> list[dict[str, Any]]:
    """``--labels`` parsed (see `_parse_labels`); errors are usage errors
    (exit status 2), as cvat-cli reports them."""
    try:
        return _parse_labels(text)
    except CliError as exc:
        raise click.UsageError(exc.message) from None


def _parse_labels(text: str) -> list[dict[str, Any]]:
    """``--labels``: a JSON list of label objects given inline or as a file path (cvat-cli),
    ``@file.json``, or names (``car,person``).

    A text naming no existing file but looking like a path is an error, never a label
    named after a file.
    """
    stripped = text.strip()
    path = Path(stripped)
    if stripped and stripped[:1] not in ("[", "{", "@") and path.is_file():
        data = load_json_argument("@" + stripped, "--labels")
    elif stripped[:1] in ("[", "{", "@"):
        data = load_json_argument(stripped, "--labels")
    else:
        if "/" in stripped or "\\" in stripped or path.suffix.lower() in _FILE_SUFFIXES:
            raise CliError(f"--labels: no such file {stripped!r} (give JSON, a file or names)")
        names = [name.strip() for name in stripped.split(",") if name.strip()]
        if not names:
            raise CliError("--labels is empty: give label names or a JSON list of labels")
        return [{"name": name} for name in names]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise CliError("--labels must be a JSON list of label objects")
    for index, label in enumerate(data):
        if not isinstance(label, dict) or not isinstance(label.get("name"), str):
            raise CliError(
                f"--labels: item {index} must be an object with a 'name', "
                f'like {{"name": "car"}}, got {json.dumps(label)[:80]}'
            )
    return data


_FILE_SUFFIXES = {".json", ".jsonc", ".txt", ".yaml", ".yml"}


def user_name(user: Any) -> str | None:
    """The user name of a nested user object (``owner``, ``assignee``), if any."""
    if user is None:
        return None
    value = user.get("username") if isinstance(user, dict) else getattr(user, "username", None)
    return value if isinstance(value, str) else None


def check_file(path: Path, what: str) -> Path:
    """``path``, checked to be an existing file (before anything is sent)."""
    if not path.is_file():
        state = "is a directory" if path.is_dir() else "does not exist"
        raise CliError(f"{what} {path} {state}")
    return path
