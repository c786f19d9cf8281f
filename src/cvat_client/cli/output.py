"""Output: aligned text tables for people, JSON (``--json``) for scripts.

Results go to stdout; progress bars, prompts and errors to stderr, so that
``cvat-client --json task ls | jq`` always reads clean JSON.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import click

from cvat_client._lowlevel.unset import UNSET

__all__ = ["Column", "Output", "human_size", "plain", "table_lines", "to_json_text"]


def plain(value: Any) -> Any:
    """``value`` as JSON-compatible data: enums by value, dates in ISO format, models as dicts."""
    if value is UNSET or value is None:
        return None
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str | int | float | bool):
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return plain(to_dict())
    return str(value)


def to_json_text(data: Any) -> str:
    """``data`` as indented JSON text."""
    return json.dumps(plain(data), indent=2, ensure_ascii=False)


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return value[:16].replace("T", " ")  # an ISO timestamp, to the minute
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())


class Column:
    """A table column: a header and how to get its value from a row."""

    def __init__(self, header: str, get: str | Callable[[Any], Any]) -> None:
        self.header = header
        self._get = get

    def value(self, row: Any) -> Any:
        """The value of this column in ``row`` (an object or a mapping)."""
        if callable(self._get):
            return self._get(row)
        if isinstance(row, Mapping):
            return row.get(self._get)
        return getattr(row, self._get, None)


class Output:
    """Writes results in the chosen mode (``json=True``: JSON only)."""

    def __init__(self, *, json: bool = False) -> None:
        self.json = json

    def table(self, rows: Sequence[Any], columns: Sequence[Column], *, empty: str) -> None:
        """A list of objects: a table (or ``empty`` when there are none), or a JSON list."""
        if self.json:
            self.data([_row_data(row) for row in rows])
            return
        if not rows:
            click.echo(empty)
            return
        for line in table_lines(rows, columns):
            click.echo(line)

    def fields(self, pairs: Iterable[tuple[str, Any]], data: Any) -> None:
        """One object: ``name: value`` lines, or ``data`` as JSON."""
        if self.json:
            self.data(data)
            return
        items = list(pairs)
        width = max((len(name) for name, _ in items), default=0)
        for name, value in items:
            click.echo(f"{name + ':':<{width + 1}} {_cell(value)}")

    def done(self, message: str, data: Any) -> None:
        """The result of an action: ``message`` for people (on stderr), ``data`` as JSON
        (on stdout)."""
        if self.json:
            self.data(data)
        else:
            click.echo(message, err=True)

    def created(self, obj_id: int, message: str, data: Any) -> None:
        """A created object: its id alone on stdout (cvat-cli's contract) and ``message``
        on stderr, or ``data`` as JSON."""
        if self.json:
            self.data(data)
        else:
            click.echo(message, err=True)
            click.echo(str(obj_id))

    def ids(self, rows: Sequence[Any]) -> None:
        """One id per line (cvat-cli's ``ls``)."""
        for row in rows:
            click.echo(str(row["id"] if isinstance(row, Mapping) else row.id))

    def data(self, data: Any) -> None:
        """``data`` as JSON on stdout, whatever the mode."""
        click.echo(to_json_text(data))


def table_lines(rows: Sequence[Any], columns: Sequence[Column]) -> list[str]:
    """The header and the rows of an aligned text table."""
    cells = [[_cell(column.value(row)) for column in columns] for row in rows]
    headers = [column.header for column in columns]
    widths = [max(len(text) for text in col) for col in zip(headers, *cells, strict=False)]
    return [
        "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        for line in [headers, *cells]
    ]


def _row_data(row: Any) -> Any:
    to_dict = getattr(row, "to_dict", None)
    return to_dict() if callable(to_dict) else row


def human_size(size: int) -> str:
    """``size`` bytes in a readable unit: ``512 B``, ``12.3 KiB``, ``4.0 MiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover
