"""``profile``: saved authentication profiles (server + personal access token), and
``config default-server``; the same store and messages as cvat-cli."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from cvat_client.cli.errors import CliError
from cvat_client.cli.state import CliState, pass_state

__all__ = ["config", "profile", "read_token_file"]


def _store() -> Any:
    from cvat_client.core.auth import AuthStore

    return AuthStore()


def _unknown_profile(name: str) -> CliError:
    """cvat-cli's message, naming the program as it was invoked (``cvat-client``)."""
    program = click.get_current_context().find_root().info_name or "cvat-client"
    return CliError(f"Unknown profile '{name}'. Run '{program} profile list'.")


@click.group()
def profile() -> None:
    """Saved authentication profiles: a server and a personal access token (shared with
    cvat-cli and cvat-sdk)."""


@profile.command("list")
@click.option("--names-only", "--names_only", is_flag=True, help="Print the names only.")
def list_profiles(names_only: bool) -> None:
    """List the saved profiles, marking the default one."""
    store = _store()
    profiles = store.list_profiles()
    default = store.get_default_profile()
    default_name = default[0] if default is not None else None
    for name in sorted(profiles):
        if names_only:
            click.echo(name)
        else:
            marker = "(default)" if name == default_name else ""
            click.echo(f"{name}\t{profiles[name].server}\t{marker}".rstrip())


@profile.command("default")
@click.argument("name", required=False)
@click.option("--unset", is_flag=True, help="Clear the default profile.")
def default_profile(name: str | None, unset: bool) -> None:
    """Print, set (NAME) or unset (--unset) the default profile."""
    store = _store()
    if unset and name is not None:
        raise CliError("Cannot combine a profile name with '--unset'.")
    if unset:
        store.clear_default_profile()
        click.echo("Default profile cleared.")
    elif name is not None:
        try:
            store.set_default_profile(name)
        except KeyError:
            raise _unknown_profile(name) from None
        click.echo(f"Default profile is now '{name}'.")
    else:
        current = store.get_default_profile()
        if current is None:
            raise CliError("No default profile is set.")
        click.echo(current[0])


@profile.command("delete")
@click.argument("name")
def delete_profile(name: str) -> None:
    """Remove a saved profile (the token stays valid on the server)."""
    store = _store()
    try:
        store.remove_profile(name)
    except KeyError:
        raise _unknown_profile(name) from None
    click.echo(f"Removed profile '{name}'.")


def read_token_file(path: Path) -> tuple[str, str | None, str | None]:
    """``(token, server, name)`` from a token file: the plain token, or a JSONC object
    (JSON with comments and trailing commas, read as cvat-cli reads it) with ``token`` and
    optional ``server`` and ``name``.

    Raises:
        ValueError: not a regular file, or an object with fields of the wrong type.
    """
    if not path.is_file():
        raise ValueError("path must be a regular file")
    text = path.read_text(encoding="utf-8")
    if not text:
        return "", None, None
    import jsonc

    try:
        doc = jsonc.loads(text)
    except json.JSONDecodeError:
        return text.strip(), None, None
    if not isinstance(doc, dict):
        return text.strip(), None, None
    token = doc.get("token")
    if not isinstance(token, str):
        raise ValueError("JSON envelope field 'token' must be a string")
    fields: list[str | None] = []
    for key in ("server", "name"):
        value = doc.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"JSON envelope field '{key}' must be a string")
        fields.append(value)
    return token, fields[0], fields[1]


def _read_token(prompt: str) -> str:
    from cvat_client.core.auth import ask_secret

    return ask_secret(prompt) or ""


@profile.command("create")
@click.argument("token", required=False)
@click.option("--name", help="The profile's name (default: the token's name on the server).")
@click.option("--set-default", "--set_default", is_flag=True, help="Make it the default.")
@click.option("--force", is_flag=True, help="Replace a profile of the same name.")
@click.option(
    "--file",
    "token_file",
    type=click.Path(path_type=Path),
    help="Read the token from a file: the plain token or a JSON (with comments) object "
    "with 'token' and optional 'server' and 'name' (--server-host wins over 'server').",
)
@pass_state
def create_profile(
    state: CliState,
    token: str | None,
    name: str | None,
    set_default: bool,
    force: bool,
    token_file: Path | None,
) -> None:
    """Save a personal access token (created on the server first) with the server
    (--server-host/--server-port, before the command) as a profile."""
    from cvat_client.core.auth import DEFAULT_SERVER, ProfileEntry, server_url

    store = _store()
    envelope_server = envelope_name = None
    if token_file is not None:
        if token is not None:
            raise CliError("Cannot combine a PAT argument with '--file'.")
        try:
            token, envelope_server, envelope_name = read_token_file(token_file)
        except (OSError, UnicodeError, ValueError) as exc:
            raise CliError(f"Cannot read token file '{token_file}': {exc}") from exc
    settings = state.settings
    host = settings.host or envelope_server or store.get_default_server() or DEFAULT_SERVER
    server = _normalize(server_url(host, settings.port))
    if token is None:
        token = _read_token(f"Personal Access Token (PAT) for '{server}': ")
    if not token:
        raise CliError("A non-empty PAT is required.")
    name = name or envelope_name
    if name is None:
        name = _token_name(state, server, token)
    if store.get_profile(name) is not None and not force:
        raise CliError(f"Profile '{name}' already exists. Pass '--force' to overwrite.")
    created = dt.datetime.now(dt.UTC).isoformat()
    store.put_profile(name, ProfileEntry(server, token, created), set_default=set_default)
    default = store.get_default_profile()
    suffix = " (set as default)" if default is not None and default[0] == name else ""
    click.echo(f"Saved profile '{name}' for {server}{suffix}.")


def _normalize(url: str) -> str:
    """cvat-sdk's server URL form: a scheme (https when missing), no trailing slash."""
    scheme, sep, _ = url.partition("://")
    if not sep:
        return ("https://" + url).rstrip("/")
    if scheme not in ("http", "https"):
        raise CliError(f"Invalid url schema '{scheme}', expected one of <none>, http, https")
    return url.rstrip("/")


def _token_name(state: CliState, server: str, token: str) -> str:
    from cvat_client.core.client import AccessTokenCredentials, Client
    from cvat_client.core.config import Config

    config = Config(verify_ssl=not state.settings.insecure)
    with Client(
        server, config=config, check_server_version=False, transport=state.environment.transport
    ) as client:
        client.login(AccessTokenCredentials(token))
        current, _ = client.api_client.auth_api.retrieve_access_tokens_self()
        return str(getattr(current, "name", ""))


@click.group()
def config() -> None:
    """Settings of the command line (shared with cvat-cli)."""


@config.command("default-server")
@click.argument("server", required=False)
@click.option("--unset", is_flag=True, help="Clear the saved default server.")
def default_server(server: str | None, unset: bool) -> None:
    """Print, set (SERVER) or unset (--unset) the default server used without a profile."""
    store = _store()
    if unset and server is not None:
        raise CliError("Cannot combine a server value with --unset.")
    if unset:
        store.clear_default_server()
        click.echo("Default server cleared.")
    elif server is not None:
        if not server.strip():
            raise CliError("Default server cannot be empty. Use --unset to clear it.")
        store.set_default_server(server)
        click.echo(f"Default server is now {server!r}.")
    else:
        current = store.get_default_server()
        click.echo(current if current is not None else "(no default server set)")
