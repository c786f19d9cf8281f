"""Saved authentication profiles and the command-line authentication options.

The store is the same file cvat-sdk and cvat-cli use (``auth.json`` in the user's
configuration directory, see :func:`get_auth_store_path`), in the same format, with the
same permission checks: a profile saved by ``cvat-cli profile create`` works here and
one saved by ``cvat-client profile create`` works there.

A profile bundles a server address with a personal access token (PAT). The store also
keeps the name of the default profile and a default server.

Example:

```python
from cvat_client.core.auth import AuthStore, make_client_from_profile

profile = AuthStore().get_profile("work")
with make_client_from_profile(profile) as client:
    print([task.id for task in client.tasks.list()])
```
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from cvat_client.core.client import (
    AccessTokenCredentials,
    Client,
    Credentials,
    PasswordCredentials,
)
from cvat_client.core.config import Config
from cvat_client.core.exceptions import AuthStoreError

if TYPE_CHECKING:
    import argparse
    import logging

    import httpx

__all__ = [
    "CVAT_ACCESS_TOKEN_ENV_VAR",
    "DEFAULT_SERVER",
    "AuthStore",
    "ClientAuthParameters",
    "ProfileEntry",
    "configure_client_auth_arguments",
    "default_auth_factory",
    "get_auth_factory",
    "get_auth_store_path",
    "make_client_from_cli",
    "make_client_from_profile",
]

CVAT_ACCESS_TOKEN_ENV_VAR = "CVAT_ACCESS_TOKEN"  # nosec B105 - the name of a variable
"""The environment variable holding a personal access token."""

PASSWORD_ENV_VAR = "PASS"  # nosec B105 - the name of a variable
"""The environment variable holding the password of ``--auth USER`` (cvat-cli's name)."""

DEFAULT_SERVER = "http://localhost"
"""The server used when neither an option, a profile nor the store names one."""

_APP_NAME = "cvat-sdk"
_APP_AUTHOR = "CVAT.ai"
_STORE_VERSION = 1
_DIR_MODE = 0o700
_FILE_MODE = 0o600


@attrs.frozen(repr=False)
class ProfileEntry:
    """A saved profile: a server address and a personal access token."""

    server: str
    """The server, normalized: ``scheme://host[:port]``."""

    token: str
    """The personal access token (PAT)."""

    created_date: str
    """When the profile was saved: an ISO-8601 UTC timestamp."""

    def __repr__(self) -> str:  # never show the token
        return (
            f"ProfileEntry(server={self.server!r}, token='***', created_date={self.created_date!r})"
        )


@attrs.define
class ClientAuthParameters:
    """The authentication options of a command line, as read by :func:`make_client_from_cli`.

    ``auth`` is a callable taking the server URL and returning the credentials (what
    ``--auth USER[:PASS]`` parses to, see :func:`get_auth_factory`).
    """

    profile: str | None = None
    auth: Callable[[str], Credentials] | None = None
    server_host: str | None = None
    server_port: int | None = None
    insecure: bool = False
    organization: str | None = None

    @classmethod
    def from_namespace(cls, parsed_args: argparse.Namespace) -> ClientAuthParameters:
        """The parameters from the result of an argparse parser configured with
        :func:`configure_client_auth_arguments` (missing attributes take their defaults)."""
        return cls(
            profile=getattr(parsed_args, "profile", None),
            auth=getattr(parsed_args, "auth", None),
            server_host=getattr(parsed_args, "server_host", None),
            server_port=getattr(parsed_args, "server_port", None),
            insecure=getattr(parsed_args, "insecure", False),
            organization=getattr(parsed_args, "organization", None),
        )


def get_auth_store_path() -> Path:
    """The path of the profile store: ``auth.json`` in the user's configuration directory
    of cvat-sdk, as `platformdirs` computes it.

    Linux: ``$XDG_CONFIG_HOME/cvat-sdk/auth.json`` (``~/.config/...`` by default); macOS:
    ``~/Library/Application Support/cvat-sdk/auth.json``; Windows:
    ``%LOCALAPPDATA%\\CVAT.ai\\cvat-sdk\\auth.json``.
    """
    import platformdirs

    return Path(platformdirs.user_config_path(_APP_NAME, _APP_AUTHOR)) / "auth.json"


def read_password(prompt: str) -> str:
    """A password, asked for without echo as cvat-sdk does (``getpass.getpass``: on the
    terminal; without one, the first line of standard input, here without getpass's
    warning). One difference: when standard input is a pipe while a terminal exists,
    the pipe is read (``echo secret | cvat-client ...``).

    Raises:
        AuthStoreError: there is no terminal and standard input is empty.
    """
    answer = ask_secret(prompt)
    if answer is None:
        raise AuthStoreError(
            f"{prompt.strip().rstrip(':')}: no terminal to ask on and nothing on standard "
            f"input; give USER:PASSWORD, set the {PASSWORD_ENV_VAR} environment variable, "
            "or use a profile or an access token"
        )
    return answer


def ask_secret(prompt: str) -> str | None:
    """A secret typed without echo (see :func:`read_password`); ``None`` when standard
    input ended before a line could be read."""
    stdin = sys.stdin
    if stdin is None:
        return None
    if _is_terminal(stdin):
        try:
            return getpass.getpass(prompt)
        except EOFError:  # Ctrl-D
            return None
    if not _has_terminal():
        # getpass reads standard input itself; only its warnings are left out
        with _getpass_quietly():
            try:
                return getpass.getpass(prompt)
            except EOFError:
                if sys.stderr is not None:
                    sys.stderr.write("\n")
                return None
    # A pipe while a terminal exists: getpass would ask on the terminal; read the pipe.
    if sys.stderr is not None:
        sys.stderr.write(prompt)
        sys.stderr.flush()
    line = stdin.readline()
    if sys.stderr is not None:
        sys.stderr.write("\n")
    return line.rstrip("\r\n") if line else None


_ECHO_WARNING = "Warning: Password input may be echoed."


class _WithoutEchoWarning:
    """A text stream passing everything to ``stream`` but getpass's echo warning line."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._after_warning = False

    def write(self, text: str) -> int:
        dropped = text == _ECHO_WARNING or (self._after_warning and text == "\n")
        self._after_warning = text == _ECHO_WARNING
        return len(text) if dropped else int(self._stream.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _getpass_quietly() -> Any:
    """No ``GetPassWarning`` and no "input may be echoed" line: without a terminal there is
    nothing to echo to."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", getpass.GetPassWarning)
        with contextlib.redirect_stderr(_WithoutEchoWarning(sys.stderr)):
            yield


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _has_terminal() -> bool:
    """Whether the process has a terminal getpass would ask on instead of standard input."""
    if sys.platform == "win32":
        return True  # getpass reads the console even when standard input is redirected
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def get_auth_factory(s: str) -> Callable[[str], Credentials]:
    """Parse ``USER[:PASS]``; returns a callable taking the server URL and returning the
    credentials. Without a password in ``s``, the ``PASS`` environment variable is used,
    else the password is asked for (see :func:`read_password`) when the callable is called.
    """
    user, _, password = s.partition(":")
    if not password:
        password = os.environ.get(PASSWORD_ENV_VAR, "")
    if password:
        known = password
        return lambda _url: PasswordCredentials(user, known)
    return lambda url: PasswordCredentials(user, read_password(f"Password for {user} at {url}: "))


def default_auth_factory() -> Callable[[str], Credentials]:
    """The credentials when none are given: the token in ``CVAT_ACCESS_TOKEN``, else the
    operating-system user with the ``PASS`` variable or a password prompt."""
    token = os.environ.get(CVAT_ACCESS_TOKEN_ENV_VAR)
    if token is not None:
        return lambda _url: AccessTokenCredentials(token)
    return get_auth_factory(getpass.getuser())


def configure_client_auth_arguments(parser: argparse.ArgumentParser) -> None:
    """Add cvat-cli's authentication options to an argparse parser: ``--insecure``,
    ``--auth USER[:PASS]``, ``--server-host``, ``--server-port``, ``--organization``/``--org``
    and ``--profile``. Read them back with :meth:`ClientAuthParameters.from_namespace`."""
    parser.add_argument(
        "--insecure", action="store_true", help="do not verify the server's TLS certificate"
    )
    parser.add_argument(
        "--auth",
        type=get_auth_factory,
        metavar="USER[:PASS]",
        default=None,
        help="user and password; without a password, the PASS environment variable or a "
        f"prompt. A personal access token can be given in {CVAT_ACCESS_TOKEN_ENV_VAR} or "
        "saved as a profile.",
    )
    parser.add_argument(
        "--server-host",
        type=str,
        default=None,
        help=f"host (default: the active profile, the default server, or {DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--server-port",
        type=int,
        default=None,
        help="port (default: 80 for http and 443 for https)",
    )
    parser.add_argument(
        "--organization",
        "--org",
        metavar="SLUG",
        help="the organization to work in (its slug); an empty string for the personal workspace",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=None,
        help="use a saved profile (server and token); excludes --server-host, "
        "--server-port and --auth",
    )


def make_client_from_profile(
    profile: ProfileEntry,
    *,
    logger: logging.Logger | None = None,
    config: Config | None = None,
    check_server_version: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> Client:
    """A client for the profile's server, authenticated with its token.

    ``transport`` (an addition) sends through an httpx transport instead of the network.
    """
    client = Client(
        profile.server,
        logger=logger,
        config=config,
        check_server_version=check_server_version,
        transport=transport,
    )
    try:
        client.login(AccessTokenCredentials(profile.token))
    except BaseException:
        client.close()
        raise
    return client


def make_client_from_cli(
    parsed_args: argparse.Namespace | ClientAuthParameters,
    *,
    logger: logging.Logger | None = None,
    config: Config | None = None,
    check_server_version: bool = False,
    store: AuthStore | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Client:
    """A logged-in client from command-line style options, with cvat-cli's rules.

    - ``--profile NAME``: that profile (not with ``--server-host``/``--server-port``/``--auth``).
    - Without a host option and without credentials (``--auth`` or ``CVAT_ACCESS_TOKEN``):
      the default profile, if there is one.
    - Otherwise the given host (default: the store's default server, else
      `DEFAULT_SERVER`) with ``--auth``, else ``CVAT_ACCESS_TOKEN``, else the
      operating-system user (password from ``PASS`` or a prompt).

    ``config`` is the base configuration; ``insecure`` turns ``verify_ssl`` off on top of it.
    ``transport`` (an addition) sends through an httpx transport instead of the network.

    Raises:
        AuthStoreError: conflicting options, an unknown profile, an unusable store.
        InvalidHostException: the address cannot be used.
        LoginError: the server refused the credentials.
    """
    params = (
        parsed_args
        if isinstance(parsed_args, ClientAuthParameters)
        else ClientAuthParameters.from_namespace(parsed_args)
    )
    store = store if store is not None else AuthStore()
    if config is None:
        config = Config(verify_ssl=not params.insecure)
    elif params.insecure:
        config = attrs.evolve(config, verify_ssl=False)

    explicit_host = params.server_host is not None or params.server_port is not None
    if params.profile is not None and (explicit_host or params.auth is not None):
        raise AuthStoreError(
            "--profile is mutually exclusive with --server-host/--server-port/--auth."
        )
    env_token = os.environ.get(CVAT_ACCESS_TOKEN_ENV_VAR)
    profile: ProfileEntry | None = None
    if params.profile is not None:
        profile = store.get_profile(params.profile)
        if profile is None:
            raise AuthStoreError(f"Unknown profile {params.profile!r}.")
    elif not explicit_host and params.auth is None and env_token is None:
        default = store.get_default_profile()
        profile = default[1] if default is not None else None

    if profile is not None:
        client = make_client_from_profile(
            profile,
            logger=logger,
            config=config,
            check_server_version=check_server_version,
            transport=transport,
        )
    else:
        client = Client(
            server_url(params.server_host, params.server_port, store),
            logger=logger,
            config=config,
            check_server_version=check_server_version,
            transport=transport,
        )
        try:
            factory = params.auth if params.auth is not None else default_auth_factory()
            client.login(factory(client.api_client.configuration.host))
        except BaseException:
            client.close()
            raise
    if params.organization is not None:
        client.organization_slug = params.organization
    return client


def server_url(host: str | None, port: int | None, store: AuthStore | None = None) -> str:
    """The server URL from ``--server-host``/``--server-port``: the host (default: the
    store's default server, else `DEFAULT_SERVER`) with the port appended.

    Raises:
        AuthStoreError: the port is given both in the host and as ``port``.
    """
    default = (store.get_default_server() if store is not None else None) or DEFAULT_SERVER
    url = (host if host is not None else default).rstrip("/")
    if port:
        if urlsplit(url if "://" in url else "https://" + url).port:
            raise AuthStoreError(
                "A server URL with a port and '--server-port' cannot be used together. "
                "Please specify only one port."
            )
        url = f"{url}:{port}"
    return url


def _is_posix() -> bool:
    return os.name == "posix"


class AuthStore:
    """The profile store file (``auth.json``): profiles, the default profile, the default
    server. On POSIX systems the file must have mode 0600 and its directory 0700: a store
    readable by others is refused (:class:`AuthStoreError`), and saving sets these modes.

    Args:
        path: the store file (default: :func:`get_auth_store_path`).
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self._path = Path(path) if path is not None else get_auth_store_path()
        self._doc: dict[str, Any] | None = None

    @property
    def path(self) -> Path:
        """The store file."""
        return self._path

    def _check_secure_permissions(self) -> None:
        if self._path.exists() and not self._path.is_file():
            raise AuthStoreError(f"Auth store path {self._path} must be a file.")
        if not _is_posix():
            return
        for path, expected in ((self._path.parent, _DIR_MODE), (self._path, _FILE_MODE)):
            if not path.exists():
                continue
            mode = stat.S_IMODE(path.stat().st_mode) & 0o777
            if mode != expected:
                raise AuthStoreError(
                    f"Refusing to use {self._path}: '{path}' has permissions {oct(mode)}; "
                    f"expected {oct(expected)}. Run: chmod {oct(expected)[2:]} '{path}'"
                )

    def _load(self) -> dict[str, Any]:
        if self._doc is not None:
            return self._doc
        if not self._path.exists():
            self._doc = {"version": _STORE_VERSION, "profiles": {}}
            return self._doc
        self._check_secure_permissions()
        try:
            doc = json.loads(self._path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, OSError, UnicodeDecodeError) as exc:
            raise AuthStoreError(f"Cannot read auth store {self._path}: {exc}") from exc
        if not isinstance(doc, dict) or "version" not in doc:
            raise AuthStoreError(f"Auth store {self._path} is corrupt (missing 'version').")
        if doc["version"] != _STORE_VERSION:
            raise AuthStoreError(
                f"Auth store {self._path} has unsupported version {doc['version']!r}; "
                f"this client supports version {_STORE_VERSION}. Please upgrade cvat-client."
            )
        if not isinstance(doc.setdefault("profiles", {}), dict):
            raise AuthStoreError(f"Auth store {self._path} is corrupt ('profiles').")
        self._doc = doc
        return doc

    def _load_for_update(self) -> dict[str, Any]:
        copy: dict[str, Any] = json.loads(json.dumps(self._load()))  # saved only on success
        return copy

    def _save(self, doc: dict[str, Any]) -> None:
        directory = self._path.parent
        directory.mkdir(parents=True, exist_ok=True)
        if _is_posix():
            os.chmod(directory, _DIR_MODE)
        self._check_secure_permissions()
        payload = json.dumps(doc, indent=2, sort_keys=True)
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".auth.", suffix=".tmp")
        try:
            if _is_posix():
                os.fchmod(fd, _FILE_MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(payload)
            os.replace(tmp_name, self._path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        if _is_posix():
            os.chmod(self._path, _FILE_MODE)
        self._doc = doc

    @staticmethod
    def _entry(raw: dict[str, Any]) -> ProfileEntry:
        return ProfileEntry(
            server=raw["server"], token=raw["token"], created_date=raw.get("created_date", "")
        )

    def list_profiles(self) -> dict[str, ProfileEntry]:
        """All profiles by name."""
        return {name: self._entry(raw) for name, raw in self._load()["profiles"].items()}

    def get_profile(self, name: str) -> ProfileEntry | None:
        """The profile called ``name``, or ``None``."""
        raw = self._load()["profiles"].get(name)
        return self._entry(raw) if raw is not None else None

    def put_profile(self, name: str, entry: ProfileEntry, *, set_default: bool = False) -> None:
        """Save (or replace) a profile; the first profile saved becomes the default."""
        doc = self._load_for_update()
        first = not doc["profiles"]
        doc["profiles"][name] = {
            "server": entry.server,
            "token": entry.token,
            "created_date": entry.created_date,
        }
        if set_default or first:
            doc["default_profile"] = name
        self._save(doc)

    def remove_profile(self, name: str) -> None:
        """Remove a profile (and the default mark if it had it).

        Raises:
            KeyError: there is no such profile.
        """
        doc = self._load_for_update()
        del doc["profiles"][name]
        if doc.get("default_profile") == name:
            del doc["default_profile"]
        self._save(doc)

    def get_default_profile(self) -> tuple[str, ProfileEntry] | None:
        """``(name, profile)`` of the default profile, or ``None``."""
        doc = self._load()
        name = doc.get("default_profile")
        if name is None or name not in doc["profiles"]:
            return None
        return name, self._entry(doc["profiles"][name])

    def set_default_profile(self, name: str) -> None:
        """Make ``name`` the default profile.

        Raises:
            KeyError: there is no such profile.
        """
        doc = self._load_for_update()
        if name not in doc["profiles"]:
            raise KeyError(name)
        doc["default_profile"] = name
        self._save(doc)

    def clear_default_profile(self) -> None:
        """Have no default profile."""
        doc = self._load_for_update()
        doc.pop("default_profile", None)
        self._save(doc)

    def get_default_server(self) -> str | None:
        """The default server (used without ``--server-host`` and without a profile)."""
        value = self._load().get("default_server")
        return value if isinstance(value, str) else None

    def set_default_server(self, server: str) -> None:
        """Set the default server."""
        doc = self._load_for_update()
        doc["default_server"] = server
        self._save(doc)

    def clear_default_server(self) -> None:
        """Have no default server."""
        doc = self._load_for_update()
        doc.pop("default_server", None)
        self._save(doc)
