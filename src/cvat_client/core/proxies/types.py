"""Small shared types of the entity objects."""

from __future__ import annotations

import enum

__all__ = ["Location"]


class Location(enum.StrEnum):
    """Where an export is written or an import is read from."""

    LOCAL = "local"
    CLOUD_STORAGE = "cloud_storage"
