"""Importing the optional dependencies of an extra, with one clear error when they are missing."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from cvat_client.core.exceptions import CvatSdkException

__all__ = ["MissingExtraError", "require"]


class MissingExtraError(CvatSdkException, ModuleNotFoundError):
    """An optional dependency of cvat-client is not installed; the message says what to install.

    Also a :class:`ModuleNotFoundError` (and so an :class:`ImportError`), as the import itself
    would be (and as cvat-sdk raises); ``name`` is the missing module.
    """

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name


def require(feature: str, extra: str, *modules: str) -> list[ModuleType]:
    """Import ``modules`` for ``feature``, or raise :class:`MissingExtraError` naming ``extra``.

    All are looked for before any is imported, so a missing one is reported at once (not
    after importing, say, torch).
    """
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise MissingExtraError(
                f"{feature} needs the {extra!r} extra ({name} is not installed): "
                f'pip install "cvat-client[{extra}]"',
                name=name,
            )
    loaded: list[ModuleType] = []
    for name in modules:
        try:
            loaded.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            raise MissingExtraError(
                f"{feature} needs the {extra!r} extra ({exc.name or name} is not installed): "
                f'pip install "cvat-client[{extra}]"',
                name=exc.name or name,
            ) from exc
    return loaded
