"""Model helpers under cvat-sdk's ``model_utils`` names: ``to_json`` and ``model_to_dict``."""

from __future__ import annotations

import io
from typing import Any

from cvat_client._lowlevel.model_support import encode

__all__ = ["model_to_dict", "to_json"]


def to_json(obj: Any, *, read_files: bool = True) -> Any:
    """The JSON data of ``obj``: a model, an enum, a date, or lists and dicts of them.

    Models become dicts of their set fields (by their JSON names), enums their values,
    dates ISO 8601 text. An open file becomes its bytes (and is closed) when
    ``read_files`` is true, as in cvat-sdk, or is returned unchanged.
    """
    if isinstance(obj, io.IOBase):
        if not read_files:
            return obj
        with obj:
            return obj.read()
    if isinstance(obj, list | tuple):
        return [to_json(item, read_files=read_files) for item in obj]
    if isinstance(obj, dict):
        return {key: to_json(value, read_files=read_files) for key, value in obj.items()}
    return encode(obj)


def model_to_dict(model_instance: Any, serialize: bool = True) -> dict[str, Any]:
    """The fields of a model as a dict of JSON data (``serialize`` is accepted for
    cvat-sdk compatibility; the result is always JSON data)."""
    data = encode(model_instance)
    if not isinstance(data, dict):
        raise TypeError(f"expected a model, got {type(model_instance).__name__}")
    return data
