"""Dataset and annotation formats: checked against the server's list before any work
starts (with a "did you mean"), and listed by ``server formats``."""

from __future__ import annotations

import difflib
from typing import Any, Literal

import click

from cvat_client.cli.errors import CliError
from cvat_client.cli.state import CliState, json_option, pass_state

__all__ = ["check_format", "formats", "server_formats"]

Direction = Literal["import", "export"]


def server_formats(client: Any, direction: Direction) -> list[Any]:
    """The server's importers or exporters (objects with ``name``, ``ext``, ``enabled``...)."""
    data, _ = client.api_client.server_api.retrieve_annotation_formats()
    items = data.importers if direction == "import" else data.exporters
    return list(items or [])


def check_format(state: CliState, name: str, direction: Direction) -> None:
    """Fail, listing what the server has, when ``name`` is not one of its formats for
    ``direction`` (or is disabled there).

    Raises:
        CliError: an unknown or disabled format.
    """
    items = server_formats(state.client(), direction)
    names = [item.name for item in items]
    if not names:
        return  # the server lists nothing: let it decide
    found = next((item for item in items if item.name == name), None)
    if found is not None:
        if getattr(found, "enabled", True) is False:
            raise CliError(f"The {direction} format {name!r} is disabled on this server")
        return
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.75)
    hint = f" Did you mean {' or '.join(repr(by_lower[c]) for c in close)}?" if close else ""
    click.echo(f"The server's {direction} formats:", err=True)
    for known in sorted(names):
        click.echo(f"  {known}", err=True)
    raise CliError(
        f"Unknown {direction} format {name!r}.{hint} (The server's {direction} formats are "
        "listed above; also: cvat-client server formats)"
    )


@click.command("formats")
@click.option(
    "--import",
    "direction",
    flag_value="import",
    help="Only the formats annotations and datasets can be imported from.",
)
@click.option(
    "--export",
    "direction",
    flag_value="export",
    help="Only the formats annotations and datasets can be exported to.",
)
@json_option
@pass_state
def formats(state: CliState, direction: str | None) -> None:
    """List the server's dataset and annotation formats (name, import, export)."""
    client = state.client()
    importers = {item.name: item for item in server_formats(client, "import")}
    exporters = {item.name: item for item in server_formats(client, "export")}
    rows = [
        {"name": name, "import": name in importers, "export": name in exporters}
        for name in sorted(set(importers) | set(exporters))
        if direction is None or name in (importers if direction == "import" else exporters)
    ]
    if state.output.json:
        state.output.data(rows)
        return
    for row in rows:
        ways = "/".join(way for way in ("import", "export") if row[way])
        click.echo(f"{row['name']}\t{ways}")
