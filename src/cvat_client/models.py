"""The API models, as ``cvat_client.api_client.models`` (cvat-sdk's ``cvat_sdk.models``).

>>> from cvat_client import models
>>> spec = models.TaskWriteRequest(name="task", labels=[models.PatchedLabelRequest(name="cat")])

Each class is imported on first use. cvat-sdk's interface names (``IAbout`` for
``About``) mean the model class.
"""

from __future__ import annotations

from typing import Any

from cvat_client.api_client import models as _models

# cvat-sdk's interface names (``ITaskRead``: the model itself) come with a star import too.
__all__ = [*_models.__all__, *(f"I{name}" for name in _models.__all__)]


def __getattr__(name: str) -> Any:
    value = getattr(_models, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return dir(_models)
