"""``server``: what the server is and who we are on it."""

from __future__ import annotations

import click

from cvat_client.cli.output import plain
from cvat_client.cli.state import CliState, json_option, pass_state

__all__ = ["server"]


@click.group()
def server() -> None:
    """The server itself."""


@server.command("info")
@json_option
@pass_state
def info(state: CliState) -> None:
    """Show the server's name and version and the current user.

    Works without credentials too (then the user is not shown).
    """
    client = state.client(require_auth=False)
    about, _ = client.api_client.server_api.retrieve_about()
    username = None
    if state.settings.logged_in:
        username = client.users.retrieve_current_user().username
    host = client.api_client.configuration.host
    data = {
        "host": host,
        "name": plain(getattr(about, "name", None)),
        "version": plain(getattr(about, "version", None)),
        "user": username,
        "organization": state.settings.organization,
    }
    state.output.fields(
        [
            ("Server", host),
            ("Name", data["name"]),
            ("Version", data["version"]),
            ("User", username or "(not logged in)"),
            ("Organization", state.settings.organization or "(personal workspace)"),
        ],
        data,
    )


def _add_formats() -> None:
    from cvat_client.cli.commands.formats import formats

    server.add_command(formats)


_add_formats()
