"""Importing the optional dependencies of an extra, with one clear error when they are missing."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingExtraError", "require"]


class MissingExtraError(ModuleNotFoundError):
    """An optional dependency of cvat-client is not installed; the message says what to install.

    A :class:`ModuleNotFoundError` (and so an :class:`ImportError`), as the import itself would be.
    """


def require(feature: str, extra: str, *modules: str) -> list[ModuleType]:
    """Import ``modules`` for ``feature``, or raise :class:`MissingExtraError` naming ``extra``."""
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
