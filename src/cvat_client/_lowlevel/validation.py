"""Strict checking and conversion of data against the schema's types.

Used for inputs (``_validate_inputs=True``, the default: dicts and models given to an
API method are checked and converted to JSON before anything is sent) and for outputs
when ``_validate_outputs=True`` asks for strictness.

Types are described by the small specs the generator writes into every model's
``__cvat_fields__`` and every endpoint's parameters:

* ``"int"``, ``"float"``, ``"str"``, ``"bool"``, ``"any"``, ``"none"``, ``"datetime"``,
  ``"date"``, ``"uuid"``, ``"file"``, ``"binary"``;
* ``("list", spec)``, ``("dict", spec)``, ``("model", name)``, ``("enum", name)``,
  ``("union", (spec, ...))``, ``("const", value)``.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import uuid
from collections.abc import Callable, Mapping
from enum import Enum
from functools import cache, lru_cache
from typing import Any

from cvat_client._lowlevel.exceptions import ApiMissingFieldError, ApiTypeError, ApiValueError
from cvat_client._lowlevel.model_support import encode, format_datetime
from cvat_client._lowlevel.unset import UNSET

__all__ = [
    "TypeSpec",
    "Resolver",
    "to_wire",
    "check_json",
    "describe",
    "is_file_like",
    "may_hold_files",
]

TypeSpec = Any
Resolver = Callable[[str], type]

_NUMBER = (int, float)


def describe(spec: TypeSpec) -> str:
    """A readable name of a type spec, for error messages and endpoint descriptions."""
    if isinstance(spec, str):
        return spec
    kind = spec[0]
    if kind in ("list", "dict"):
        return f"{kind}[{describe(spec[1])}]"
    if kind in ("model", "enum"):
        return str(spec[1])
    if kind == "union":
        return " | ".join(describe(s) for s in spec[1])
    if kind == "const":
        return repr(spec[1])
    return str(spec)


def is_file_like(value: Any) -> bool:
    """Whether ``value`` can be sent as a file: a binary stream, bytes, or a path."""
    return (
        isinstance(value, io.IOBase | bytes | bytearray | memoryview | os.PathLike)
        or (hasattr(value, "read") and callable(value.read))
        or (isinstance(value, tuple) and 2 <= len(value) <= 4 and isinstance(value[0], str))
    )


@lru_cache(maxsize=1024)
def may_hold_files(spec: TypeSpec, resolve: Resolver) -> bool:
    """Whether a value of ``spec`` can contain a file anywhere (``file``/``binary``/``any``)."""
    return _may_hold_files(spec, resolve, set())


def _may_hold_files(spec: TypeSpec, resolve: Resolver, seen: set[str]) -> bool:
    if isinstance(spec, str):
        return spec in ("file", "binary", "any")
    kind = spec[0]
    if kind in ("list", "dict"):
        return _may_hold_files(spec[1], resolve, seen)
    if kind == "union":
        return any(_may_hold_files(option, resolve, seen) for option in spec[1])
    if kind == "model" and spec[1] not in seen:
        seen.add(spec[1])
        fields = resolve(spec[1]).__cvat_fields__  # type: ignore[attr-defined]
        return any(_may_hold_files(f[3], resolve, seen) for f in fields)
    return False


#: Where an item is: a list of keys, or (cheaper to extend on every item) a linked pair
#: ``(parent, key)``; flattened only when an error is reported.
PathT = Any


def _path_items(path: PathT) -> list[str | int]:
    items: list[str | int] = []
    while isinstance(path, tuple) and len(path) == 2:
        path, key = path
        items.append(key)
    items.reverse()
    return [*path, *items] if isinstance(path, list) else items


def _fail(
    path: PathT, message: str, *, type_error: bool = False, missing: bool = False
) -> Exception:
    path = _path_items(path)
    where = _format_path(path)
    text = f"{where}: {message}" if where else message
    if missing:
        return ApiMissingFieldError(text, path)
    return ApiTypeError(text, path) if type_error else ApiValueError(text, path)


def _format_path(path: PathT) -> str:
    out = ""
    for item in path:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else item)
    return out


def to_wire(value: Any, spec: TypeSpec, resolve: Resolver, path: PathT) -> Any:
    """Check ``value`` against ``spec`` and convert it to JSON data (files are kept as is).

    Models and dicts are accepted wherever a model is expected, recursively.
    Raises :class:`ApiTypeError` / :class:`ApiValueError` naming the faulty item.
    """
    if value is UNSET:
        return value
    if isinstance(spec, str):
        return _scalar_to_wire(value, spec, path)
    kind = spec[0]
    if kind == "list":
        if not isinstance(value, list | tuple):
            raise _fail(path, f"expected a list, got {type(value).__name__}", type_error=True)
        check = _SCALAR_CHECKS.get(spec[1]) if isinstance(spec[1], str) else None
        if check is not None and all(map(check, value)):
            return list(value)  # e.g. points: no per-item work when every item is right
        return [to_wire(item, spec[1], resolve, (path, i)) for i, item in enumerate(value)]
    if kind == "dict":
        if not isinstance(value, Mapping):
            raise _fail(path, f"expected a dict, got {type(value).__name__}", type_error=True)
        return {k: to_wire(v, spec[1], resolve, (path, str(k))) for k, v in value.items()}
    if kind == "model":
        return _model_to_wire(value, resolve(spec[1]), resolve, path)
    if kind == "enum":
        enum_cls: type[Enum] = resolve(spec[1])
        raw = value.value if isinstance(value, Enum) else value
        if raw not in enum_cls._value2member_map_:
            allowed = [m.value for m in enum_cls]
            raise _fail(path, f"{raw!r} is not one of {allowed}")
        return raw
    if kind == "union":
        if value is None and any(s == "none" for s in spec[1]):
            return None
        errors = []
        for option in spec[1]:
            try:
                return to_wire(value, option, resolve, path)
            except (ApiTypeError, ApiValueError) as exc:
                errors.append(str(exc))
        raise _fail(path, f"{value!r} matches none of {describe(spec)}", type_error=True)
    if kind == "const":
        if value != spec[1]:
            raise _fail(path, f"must be {spec[1]!r}, got {value!r}")
        return value
    raise _fail(path, f"unsupported type spec {spec!r}")  # pragma: no cover


def _scalar_to_wire(value: Any, spec: str, path: PathT) -> Any:
    if spec == "any":
        return encode(value)
    if spec == "none":
        if value is not None:
            raise _fail(path, f"expected null, got {value!r}", type_error=True)
        return None
    if spec in ("file", "binary"):
        if not is_file_like(value):
            raise _fail(
                path,
                f"expected a binary file object, bytes or a path, got {type(value).__name__}",
                type_error=True,
            )
        return value
    if spec == "bool":
        if value.__class__ is not bool:
            raise _fail(path, f"expected a bool, got {type(value).__name__}", type_error=True)
        return value
    if spec == "int":
        if not isinstance(value, int) or value.__class__ is bool:
            raise _fail(path, f"expected an int, got {type(value).__name__}", type_error=True)
        return int(value)
    if spec == "float":
        if not isinstance(value, _NUMBER) or value.__class__ is bool:
            raise _fail(path, f"expected a number, got {type(value).__name__}", type_error=True)
        return value
    if spec == "str":
        if isinstance(value, Enum):
            value = value.value
        if not isinstance(value, str):
            raise _fail(path, f"expected a str, got {type(value).__name__}", type_error=True)
        return str(value)
    if spec in _TEMPORAL:
        kind, description, write = _TEMPORAL[spec]
        if isinstance(value, kind):
            return write(value)
        if isinstance(value, str):
            try:
                kind.fromisoformat(value)
            except ValueError:
                raise _fail(path, f"{value!r} is not an ISO 8601 {description}") from None
            return value
        raise _fail(path, f"expected a {spec}, got {type(value).__name__}", type_error=True)
    if spec == "uuid":
        if isinstance(value, uuid.UUID):
            return str(value)
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise _fail(path, f"{value!r} is not a UUID") from None
    raise _fail(path, f"unsupported type spec {spec!r}")  # pragma: no cover


#: Timestamp types: the Python type, its name in messages, how it is written as JSON.
_TEMPORAL: dict[str, tuple[Any, str, Any]] = {
    "datetime": (_dt.datetime, "timestamp", format_datetime),
    "date": (_dt.date, "date", _dt.date.isoformat),
}


def _model_to_wire(value: Any, model: type, resolve: Resolver, path: PathT) -> Any:
    if isinstance(value, model):
        data: Mapping[str, Any] = {
            **getattr(value, "additional_properties", {}),
            **{
                f[0]: getattr(value, f[1])
                for f in model.__cvat_fields__  # type: ignore[attr-defined]
                if getattr(value, f[1]) is not UNSET
            },
        }
    elif isinstance(value, Mapping):
        data = value
    elif hasattr(value, "to_dict"):
        raise _fail(
            path,
            f"expected {model.__name__} or a dict, got {type(value).__name__}",
            type_error=True,
        )
    else:
        raise _fail(
            path,
            f"expected {model.__name__} or a dict, got {type(value).__name__}",
            type_error=True,
        )
    by_key, required = _field_index(model)
    out: dict[str, Any] = {}
    for key, item in data.items():
        field = by_key.get(key)
        if field is None:
            if isinstance(value, model):  # additional properties the user set on purpose
                out[key] = encode(item)
                continue
            known = sorted({f[0] for f in by_key.values()})
            raise _fail((path, key), f"{model.__name__} has no field {key!r} (fields: {known})")
        if item is UNSET:
            continue
        out[field[0]] = to_wire(item, field[3], resolve, (path, field[0]))
    missing = [name for name in required if name not in out]
    if missing:
        raise _fail(path, f"{model.__name__} requires field(s) {missing}", missing=True)
    return out


@cache
def _field_index(model: type) -> tuple[dict[str, tuple[Any, ...]], tuple[str, ...]]:
    """A model's fields by wire name and by Python name, and its required wire names."""
    fields = model.__cvat_fields__  # type: ignore[attr-defined]
    by_key = {f[1]: f for f in fields} | {f[0]: f for f in fields}
    return by_key, tuple(f[0] for f in fields if f[2])


#: Checks of list items that need no conversion (the common case: points, ids, names).
_SCALAR_CHECKS: dict[str, Any] = {
    "int": lambda v: v.__class__ is int,
    "float": lambda v: v.__class__ is float or v.__class__ is int,
    "str": lambda v: v.__class__ is str,
    "bool": lambda v: v.__class__ is bool,
    "any": lambda v: v is None or v.__class__ in (str, int, float, bool),
}


def check_json(data: Any, spec: TypeSpec, resolve: Resolver, path: PathT) -> None:
    """Strictly check parsed response JSON against ``spec`` (unknown fields are errors)."""
    if isinstance(spec, str):
        if spec in ("any", "file", "binary"):
            return
        if spec == "float" and isinstance(data, int) and data.__class__ is not bool:
            return
        if spec in ("datetime", "date", "uuid"):
            if not isinstance(data, str):
                raise _fail(path, f"expected a {spec} string, got {data!r}", type_error=True)
            _scalar_to_wire(data, spec, path)
            return
        _scalar_to_wire(data, spec, path)
        return
    kind = spec[0]
    if kind == "list":
        if not isinstance(data, list):
            raise _fail(path, f"expected a list, got {type(data).__name__}", type_error=True)
        for i, item in enumerate(data):
            check_json(item, spec[1], resolve, (path, i))
    elif kind == "dict":
        if not isinstance(data, dict):
            raise _fail(path, f"expected an object, got {type(data).__name__}", type_error=True)
        for key, item in data.items():
            check_json(item, spec[1], resolve, (path, key))
    elif kind == "model":
        model = resolve(spec[1])
        if not isinstance(data, dict):
            raise _fail(path, f"expected a {model.__name__} object", type_error=True)
        fields = {f[0]: f for f in model.__cvat_fields__}  # type: ignore[attr-defined]
        for key, item in data.items():
            if key not in fields:
                raise _fail((path, key), f"field unknown to {model.__name__}")
            check_json(item, fields[key][3], resolve, (path, key))
        missing = [name for name, f in fields.items() if f[2] and name not in data]
        if missing:
            raise _fail(path, f"{model.__name__} lacks required field(s) {missing}")
    elif kind == "enum":
        enum_type: type[Enum] = resolve(spec[1])
        if data not in enum_type._value2member_map_:
            raise _fail(path, f"{data!r} is not a known {enum_type.__name__} value")
    elif kind == "union":
        for option in spec[1]:
            try:
                check_json(data, option, resolve, path)
                return
            except (ApiTypeError, ApiValueError):
                continue
        raise _fail(path, f"{data!r} matches none of {describe(spec)}", type_error=True)
    elif kind == "const" and data != spec[1]:
        raise _fail(path, f"must be {spec[1]!r}, got {data!r}")
