"""cvat-client: a typed, fast Python SDK for CVAT.

The package has two layers:

* :mod:`cvat_client.api_client` - the low-level client, generated from CVAT's OpenAPI schema;
* :mod:`cvat_client.core` - the hand-written high-level client (``make_client``).

Importing this package is cheap: nothing heavy is imported until it is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from cvat_client._version import __version__

if TYPE_CHECKING:
    from cvat_client.core import exceptions as exceptions
    from cvat_client.core.async_client import AsyncClient as AsyncClient
    from cvat_client.core.async_client import make_async_client as make_async_client
    from cvat_client.core.auth import AuthStore as AuthStore
    from cvat_client.core.auth import ClientAuthParameters as ClientAuthParameters
    from cvat_client.core.auth import ProfileEntry as ProfileEntry
    from cvat_client.core.auth import (
        configure_client_auth_arguments as configure_client_auth_arguments,
    )
    from cvat_client.core.auth import get_auth_store_path as get_auth_store_path
    from cvat_client.core.auth import make_client_from_cli as make_client_from_cli
    from cvat_client.core.auth import make_client_from_profile as make_client_from_profile
    from cvat_client.core.client import Client as Client
    from cvat_client.core.client import make_client as make_client
    from cvat_client.core.config import Config as Config

    from . import models as models
    from . import version as version

_LAZY: dict[str, tuple[str, str | None]] = {
    "make_client": ("cvat_client.core.client", "make_client"),
    "Client": ("cvat_client.core.client", "Client"),
    "Config": ("cvat_client.core.config", "Config"),
    "AsyncClient": ("cvat_client.core.async_client", "AsyncClient"),
    "make_async_client": ("cvat_client.core.async_client", "make_async_client"),
    "exceptions": ("cvat_client.core.exceptions", None),
    "models": ("cvat_client.models", None),
    "version": ("cvat_client.version", None),
    "AuthStore": ("cvat_client.core.auth", "AuthStore"),
    "ClientAuthParameters": ("cvat_client.core.auth", "ClientAuthParameters"),
    "ProfileEntry": ("cvat_client.core.auth", "ProfileEntry"),
    "configure_client_auth_arguments": ("cvat_client.core.auth", "configure_client_auth_arguments"),
    "get_auth_store_path": ("cvat_client.core.auth", "get_auth_store_path"),
    "make_client_from_cli": ("cvat_client.core.auth", "make_client_from_cli"),
    "make_client_from_profile": ("cvat_client.core.auth", "make_client_from_profile"),
}

__all__ = [
    "__version__",
    "make_client",
    "Client",
    "Config",
    "AsyncClient",
    "make_async_client",
    "exceptions",
    "AuthStore",
    "ClientAuthParameters",
    "ProfileEntry",
    "configure_client_auth_arguments",
    "get_auth_store_path",
    "make_client_from_cli",
    "make_client_from_profile",
]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(target[0])
    value = module if target[1] is None else getattr(module, target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
