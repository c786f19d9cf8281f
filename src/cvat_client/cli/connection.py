"""Where the server is and who we are: connection options, credentials and the client.

Credentials come, in this order, from ``--auth``/``--access-token`` on the command line,
then from ``CVAT_ACCESS_TOKEN``, then from ``CVAT_USERNAME`` (+ ``CVAT_PASSWORD``). A
missing password is asked for on the terminal, without echo. Secrets are never printed
or logged.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import attrs
import click

from cvat_client.cli.errors import CliError

if TYPE_CHECKING:
    import httpx

    from cvat_client.core.client import Client

__all__ = ["CliEnvironment", "ConnectionSettings", "Credentials"]

ENV_HOST = "CVAT_HOST"
ENV_PORT = "CVAT_PORT"
ENV_ORG = "CVAT_ORG"
ENV_ACCESS_TOKEN = "CVAT_ACCESS_TOKEN"
ENV_USERNAME = "CVAT_USERNAME"
ENV_PASSWORD = "CVAT_PASSWORD"

DEFAULT_HOST = "http://localhost"
DEFAULT_PORT = 8080
"""Without ``--server-host``: a CVAT started locally with its Docker Compose files."""


@attrs.define
class CliEnvironment:
    """What an embedding program may give the command line instead of defaults.

    Pass an instance as click's ``obj`` (``cli.main(args, obj=...)`` or
    ``CliRunner().invoke(cli, args, obj=...)``), e.g. to talk to an in-process server.
    """

    transport: httpx.BaseTransport | None = None
    """The HTTP transport of the client (``None``: real network connections)."""

    status_check_period: float | None = None
    """Seconds between status checks of background requests (``None``: the default)."""


@attrs.define(repr=False)
class Credentials:
    """Either a user name and password or a personal access token."""

    username: str | None = None
    password: str | None = None
    access_token: str | None = None

    def __repr__(self) -> str:  # never show a secret
        kind = "token" if self.access_token else f"user={self.username!r}"
        return f"Credentials({kind})"


@attrs.define(repr=False)
class ConnectionSettings:
    """The connection options of the command line, before any network traffic."""

    host: str | None = None
    port: int | None = None
    auth: str | None = None
    access_token: str | None = None
    organization: str | None = None
    insecure: bool = False
    retries: int | None = None
    resolved: Credentials | None = attrs.field(default=None, init=False)
    """The credentials used by :meth:`connect` (``None`` before it, or when anonymous)."""

    def __repr__(self) -> str:  # never show a secret
        return f"ConnectionSettings(host={self.host!r}, port={self.port!r})"

    def credentials(self) -> Credentials | None:
        """The credentials to use, asking for a missing password; ``None`` if there are none.

        Raises:
            CliError: both ``--auth`` and ``--access-token`` were given, or no password
                could be read.
        """
        if self.auth and self.access_token:
            raise CliError("Use either --auth or --access-token, not both")
        if self.auth:
            username, sep, password = self.auth.partition(":")
            if not username:
                raise CliError("--auth needs a user name: --auth USER[:PASSWORD]")
            return Credentials(username, password if sep else _env_password_or_prompt(username))
        if self.access_token:
            return Credentials(access_token=self.access_token)
        token = os.environ.get(ENV_ACCESS_TOKEN)
        if token:
            return Credentials(access_token=token)
        env_username = os.environ.get(ENV_USERNAME)
        if env_username:
            return Credentials(env_username, _env_password_or_prompt(env_username))
        return None

    def connect(self, environment: CliEnvironment, *, require_auth: bool = True) -> Client:
        """Make a logged-in client.

        Raises:
            CliError: there are no credentials but ``require_auth`` is set.
            LoginError: the server refused the user name or password.
        """
        from cvat_client.core.client import make_client
        from cvat_client.core.config import Config

        credentials = self.resolved = self.credentials()
        if credentials is None and require_auth:
            raise CliError(
                "No credentials: pass --auth USER[:PASSWORD] or --access-token TOKEN, "
                f"or set {ENV_USERNAME} (and {ENV_PASSWORD}) or {ENV_ACCESS_TOKEN}"
            )
        config_args: dict[str, Any] = {}
        if self.insecure:
            config_args["verify_ssl"] = False
        if self.retries is not None:
            config_args["retries"] = self.retries
        if environment.status_check_period is not None:
            config_args["status_check_period"] = environment.status_check_period
        login: tuple[str, str] | None = None
        if credentials is not None and credentials.username is not None:
            login = (credentials.username, credentials.password or "")
        host, port = self.host, self.port
        if host is None:
            host, port = DEFAULT_HOST, port or DEFAULT_PORT
        return make_client(
            host,
            port=port,
            credentials=login,
            access_token=credentials.access_token if credentials else None,
            organization=self.organization,
            config=Config(**config_args),
            transport=environment.transport,
        )


def _env_password_or_prompt(username: str) -> str:
    password = os.environ.get(ENV_PASSWORD)
    if password:
        return password
    try:
        value = str(
            click.prompt(f"Password for {username}", hide_input=True, err=True, show_default=False)
        )
    except click.Abort:
        raise CliError(
            f"No password for {username}: type it when asked, pass --auth USER:PASSWORD "
            f"or set {ENV_PASSWORD}"
        ) from None
    return value
