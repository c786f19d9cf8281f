"""The high-level CVAT client.

>>> from cvat_client import make_client
>>> with make_client("app.cvat.ai", credentials=("user", "password")) as client:
...     task = client.tasks.retrieve(42)

Main names: :func:`make_client`, :class:`Client`, :class:`Config`, the credential
classes, the helpers (:func:`get_paginated_collection`, :func:`iter_paginated`), the
progress reporters and the transfer classes (:class:`Uploader`, :class:`DataUploader`,
:class:`Downloader`). Exceptions are in :mod:`cvat_client.core.exceptions`.
Names are imported on first use, so importing this package stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvat_client.core._protocol.version import Version as Version
    from cvat_client.core.auth import AuthStore as AuthStore
    from cvat_client.core.auth import ClientAuthParameters as ClientAuthParameters
    from cvat_client.core.auth import ProfileEntry as ProfileEntry
    from cvat_client.core.auth import (
        configure_client_auth_arguments as configure_client_auth_arguments,
    )
    from cvat_client.core.auth import get_auth_store_path as get_auth_store_path
    from cvat_client.core.auth import make_client_from_cli as make_client_from_cli
    from cvat_client.core.auth import make_client_from_profile as make_client_from_profile
    from cvat_client.core.client import AccessTokenCredentials as AccessTokenCredentials
    from cvat_client.core.client import Client as Client
    from cvat_client.core.client import Credentials as Credentials
    from cvat_client.core.client import PasswordCredentials as PasswordCredentials
    from cvat_client.core.client import TokenCredentials as TokenCredentials
    from cvat_client.core.client import make_client as make_client
    from cvat_client.core.config import Config as Config
    from cvat_client.core.downloading import Downloader as Downloader
    from cvat_client.core.helpers import get_paginated_collection as get_paginated_collection
    from cvat_client.core.helpers import iter_paginated as iter_paginated
    from cvat_client.core.progress import BaseProgressReporter as BaseProgressReporter
    from cvat_client.core.progress import (
        DeferredTqdmProgressReporter as DeferredTqdmProgressReporter,
    )
    from cvat_client.core.progress import NullProgressReporter as NullProgressReporter
    from cvat_client.core.progress import ProgressReporter as ProgressReporter
    from cvat_client.core.progress import TqdmProgressReporter as TqdmProgressReporter
    from cvat_client.core.uploading import DataUploader as DataUploader
    from cvat_client.core.uploading import Uploader as Uploader

_LAZY: dict[str, str] = {
    "Client": "cvat_client.core.client",
    "make_client": "cvat_client.core.client",
    "Credentials": "cvat_client.core.client",
    "PasswordCredentials": "cvat_client.core.client",
    "AccessTokenCredentials": "cvat_client.core.client",
    "TokenCredentials": "cvat_client.core.client",
    "Config": "cvat_client.core.config",
    "Version": "cvat_client.core._protocol.version",
    "get_paginated_collection": "cvat_client.core.helpers",
    "iter_paginated": "cvat_client.core.helpers",
    "ProgressReporter": "cvat_client.core.progress",
    "BaseProgressReporter": "cvat_client.core.progress",
    "NullProgressReporter": "cvat_client.core.progress",
    "TqdmProgressReporter": "cvat_client.core.progress",
    "DeferredTqdmProgressReporter": "cvat_client.core.progress",
    "Uploader": "cvat_client.core.uploading",
    "DataUploader": "cvat_client.core.uploading",
    "Downloader": "cvat_client.core.downloading",
    "AuthStore": "cvat_client.core.auth",
    "ClientAuthParameters": "cvat_client.core.auth",
    "ProfileEntry": "cvat_client.core.auth",
    "configure_client_auth_arguments": "cvat_client.core.auth",
    "get_auth_store_path": "cvat_client.core.auth",
    "make_client_from_cli": "cvat_client.core.auth",
    "make_client_from_profile": "cvat_client.core.auth",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
