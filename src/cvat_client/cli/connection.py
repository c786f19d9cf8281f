"""Where the server is and who we are: connection options, credentials and the client.

The rules are cvat-cli's (see :func:`cvat_client.core.auth.make_client_from_cli`):
``--profile NAME``, else, without a host option and without credentials, the default
saved profile; otherwise the host (``--server-host``, the store's default server, or
``http://localhost``) with the first credentials found among ``--auth USER[:PASS]``,
``--access-token`` (ours), ``CVAT_ACCESS_TOKEN``, ``CVAT_USERNAME`` (ours) and the
operating-system user. A missing password comes from ``PASS``, ``CVAT_PASSWORD`` (ours),
the terminal (without echo) or, without a terminal, the first line of standard input.
Secrets are never printed or logged.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from cvat_client.cli.errors import CliError

if TYPE_CHECKING:
    import httpx

    from cvat_client.core.client import Client, Credentials

__all__ = ["CliEnvironment", "ConnectionSettings"]

ENV_HOST = "CVAT_HOST"
ENV_PORT = "CVAT_PORT"
ENV_ORG = "CVAT_ORG"
ENV_ACCESS_TOKEN = "CVAT_ACCESS_TOKEN"
ENV_USERNAME = "CVAT_USERNAME"
ENV_PASSWORD = "CVAT_PASSWORD"
ENV_PASS = "PASS"

DEFAULT_HOST = "http://localhost"
"""Without ``--server-host`` and without a profile or default server (cvat-cli's default)."""


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
class ConnectionSettings:
    """The connection options of the command line, before any network traffic."""

    host: str | None = None
    port: int | None = None
    auth: str | None = None
    access_token: str | None = None
    organization: str | None = None
    insecure: bool = False
    retries: int | None = None
    profile: str | None = None
    status_check_period: float | None = None
    """``--completion_verification_period`` of the command, if given."""
    logged_in: bool = attrs.field(default=False, init=False)
    """Whether :meth:`connect` logged in (``False`` before it, or when anonymous)."""

    def __repr__(self) -> str:  # never show a secret
        return f"ConnectionSettings(host={self.host!r}, port={self.port!r})"

    def auth_factory(self) -> Callable[[str], Credentials] | None:
        """The credentials given explicitly (``None``: cvat-cli's defaults apply).

        Raises:
            CliError: both ``--auth`` and ``--access-token`` were given.
        """
        from cvat_client.core.client import AccessTokenCredentials

        if self.auth and self.access_token:
            raise CliError("Use either --auth or --access-token, not both")
        if self.auth is not None:
            user, _, password = self.auth.partition(":")
            if not user:
                raise CliError("--auth needs a user name: --auth USER[:PASSWORD]")
            return _password_factory(user, password)
        if self.access_token:
            token = self.access_token
            return lambda _url: AccessTokenCredentials(token)
        if os.environ.get(ENV_ACCESS_TOKEN) is None:
            env_user = os.environ.get(ENV_USERNAME)
            if env_user:
                return _password_factory(env_user, "")
        return None

    def connect(self, environment: CliEnvironment, *, require_auth: bool = True) -> Client:
        """Make a logged-in client (anonymous, when ``require_auth`` is off and no
        credentials, profile or token are given).

        Raises:
            AuthStoreError: a conflicting ``--profile``, an unknown profile, an unusable
                store, or no password to read.
            LoginError: the server refused the user name or password.
        """
        from cvat_client.core.auth import ClientAuthParameters, make_client_from_cli, server_url
        from cvat_client.core.client import Client
        from cvat_client.core.config import Config

        config_args: dict[str, Any] = {}
        if self.insecure:
            config_args["verify_ssl"] = False
        if self.retries is not None:
            config_args["retries"] = self.retries
        period = environment.status_check_period or self.status_check_period
        if period is not None:
            config_args["status_check_period"] = period
        config = Config(**config_args)
        factory = self.auth_factory()
        if (
            not require_auth
            and factory is None
            and self.profile is None
            and os.environ.get(ENV_ACCESS_TOKEN) is None
        ):
            from cvat_client.core.auth import AuthStore

            store = AuthStore()
            if self.host is not None or self.port is not None or not store.get_default_profile():
                client = Client(
                    server_url(self.host, self.port, store),
                    config=config,
                    check_server_version=False,
                    transport=environment.transport,
                )
                if self.organization is not None:
                    client.organization_slug = self.organization
                return client
        if self.profile is not None and self.access_token:
            raise CliError("--profile is mutually exclusive with --access-token")
        if environment.transport is None:
            target = self._target_url(factory)
            if target is not None:
                probe(target)
        params = ClientAuthParameters(
            profile=self.profile,
            auth=factory,
            server_host=self.host,
            server_port=self.port,
            insecure=self.insecure,
            organization=self.organization,
        )
        client = make_client_from_cli(params, config=config, transport=environment.transport)
        self.logged_in = True
        return client

    def _target_url(self, factory: Callable[[str], Credentials] | None) -> str | None:
        """The server :meth:`connect` will use (``None`` if it cannot be told here)."""
        from cvat_client.core.auth import AuthStore, server_url
        from cvat_client.core.exceptions import AuthStoreError

        try:
            store = AuthStore()
            if self.profile is not None:
                named = store.get_profile(self.profile)
                return named.server if named is not None else None
            explicit_host = self.host is not None or self.port is not None
            if not explicit_host and factory is None and not os.environ.get(ENV_ACCESS_TOKEN):
                default = store.get_default_profile()
                if default is not None:
                    return default[1].server
            return server_url(self.host, self.port, store)
        except AuthStoreError:
            return None  # reported by make_client_from_cli


PROBE_TIMEOUT = 5.0
"""Seconds the connection check waits for the server to accept a connection."""


def probe(url: str, *, timeout: float = PROBE_TIMEOUT) -> None:
    """Fail at once, with a hint, when the server cannot be used at all: nothing listens
    on the port, the host name does not resolve, or ``https://`` was given for a server
    speaking plain HTTP on a port other than 443. Costs one TCP connection (and a TLS
    handshake for https on other ports). Anything else (a slow or busy server) is left to the client and
    its retries.

    Raises:
        CliError: the server cannot be reached, with what to check.
    """
    import socket
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else "https://" + url)
    host = parts.hostname
    if not host:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return
    where = f"{parts.scheme}://{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        raise CliError(
            f"Cannot connect to {where}: connection refused. Is the server running there? "
            "Check --server-host and --server-port (default: http://localhost, port 80)"
        ) from None
    except socket.gaierror as exc:
        raise CliError(
            f"Cannot find the server {host!r} ({exc.strerror}). Check --server-host"
        ) from None
    except OSError:
        return  # a timeout or a network hiccup: the client retries what is worth it
    with sock:
        if parts.scheme != "https" or port == 443:
            # On the standard port a plain-HTTP server is rare: spare the extra handshake.
            return
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # only the protocol is checked here
        try:
            with context.wrap_socket(sock, server_hostname=host):
                pass
        except ssl.SSLError as exc:
            if "WRONG_VERSION_NUMBER" in str(exc) or "record layer" in str(exc).lower():
                raise CliError(
                    f"The server at {host}:{port} speaks plain HTTP, not HTTPS: use "
                    f"--server-host http://{parts.netloc}"
                ) from None
        except OSError:
            return


def _password_factory(user: str, password: str) -> Callable[[str], Credentials]:
    """Credentials of ``user``: ``password``, else ``PASS``, else ``CVAT_PASSWORD``, else
    asked for (see :func:`cvat_client.core.auth.read_password`), made by
    :func:`cvat_client.core.auth.get_auth_factory` as in cvat-cli."""
    from cvat_client.core import auth

    if not password and not os.environ.get(ENV_PASS):
        password = os.environ.get(ENV_PASSWORD) or ""
    return auth.get_auth_factory(f"{user}:{password}" if password else user)
