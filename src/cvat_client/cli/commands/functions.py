"""``function``: cvat-cli's commands for server-side functions, which need the server's
``/api/functions`` API. The open-source CVAT server has no such API, so each command says
so in one line (exit status 1)."""

from __future__ import annotations

import click

from cvat_client.cli.errors import CliError

__all__ = ["function"]

_UNSUPPORTED = (
    "'function {name}' needs the server's /api/functions API, which the open-source CVAT "
    "server does not have (it belongs to CVAT Online and Enterprise); cvat-client does not "
    "support it. To annotate a task with a local function, use 'task auto-annotate'."
)


@click.group()
def function() -> None:
    """Server-side functions (not available: the open-source CVAT server lacks
    /api/functions)."""


def _add(name: str, summary: str) -> None:
    @function.command(
        name,
        help=f"{summary} (not available: needs /api/functions).",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def command(args: tuple[str, ...]) -> None:
        raise CliError(_UNSUPPORTED.format(name=name))


_add("create-native", "Create a function backed by a local agent")
_add("delete", "Delete functions")
_add("run-agent", "Run an agent serving a native function")
