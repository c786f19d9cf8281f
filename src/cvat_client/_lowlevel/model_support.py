"""Helpers the generated models call while parsing and serializing.

Parsing is *tolerant* of server version skew: an unknown field is kept in
``additional_properties``, an unknown enum value is kept as a plain string, a required
field the server omitted is left ``UNSET``, an unparsable timestamp stays a string.
Each such deviation is logged on the ``cvat_client`` logger at DEBUG level, and raises
:class:`ApiValueError` only inside :func:`strict_parsing` (what
``_validate_outputs=True`` turns on).

The helpers are only called on the slow path (a deviation, a timestamp, a union), so
the common case of parsing a well-formed response stays a few dict look-ups per field.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from cvat_client._lowlevel.exceptions import ApiValueError
from cvat_client._lowlevel.unset import UNSET

__all__ = [
    "logger",
    "strict_parsing",
    "is_strict",
    "report_deviation",
    "unknown_enum",
    "missing_required",
    "unknown_fields",
    "parse_datetime",
    "parse_date",
    "parse_uuid",
    "parse_union",
    "encode",
    "format_datetime",
    "parse_value",
    "resolver_for",
    "type_parser",
]

logger = logging.getLogger("cvat_client")

_strict: ContextVar[bool] = ContextVar("cvat_client_strict_parsing", default=False)

E = TypeVar("E", bound=Enum)


@contextmanager
def strict_parsing(enabled: bool = True) -> Iterator[None]:
    """Within this block, model parsing raises on any deviation from the schema."""
    token = _strict.set(enabled)
    try:
        yield
    finally:
        _strict.reset(token)


def is_strict() -> bool:
    """Whether parsing is strict in the current context."""
    return _strict.get()


def report_deviation(owner: type, message: str) -> None:
    """Log (or, when strict, raise) a difference between a response and the schema."""
    text = f"{owner.__name__}: {message}"
    if _strict.get():
        raise ApiValueError(text)
    logger.debug("response deviates from the schema: %s", text)


def unknown_enum(enum_cls: type[E], value: Any, owner: type, field: str) -> E | Any:
    """Map ``value`` to a member of ``enum_cls``; keep an unknown value as it is."""
    try:
        member = enum_cls._value2member_map_.get(value)
    except TypeError:  # unhashable
        member = None
    if member is not None:
        return member
    if value is None or value is UNSET:
        return value
    report_deviation(
        owner,
        f"field {field!r} has value {value!r}, unknown to {enum_cls.__name__} "
        f"(known: {[m.value for m in enum_cls]}); kept as is",
    )
    return value


def missing_required(owner: type, src: Mapping[str, Any], names: tuple[str, ...]) -> None:
    """Report required fields that ``src`` lacks (they stay ``UNSET``)."""
    missing = [name for name in names if name not in src]
    if missing:
        report_deviation(owner, f"required field(s) {missing} missing; left UNSET")


def unknown_fields(owner: type, src: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """Return the fields of ``src`` that the model does not declare (kept, and reported)."""
    extra = {key: src[key] for key in src if key not in known}
    if extra:
        report_deviation(owner, f"unknown field(s) {sorted(extra)} kept in additional_properties")
    return extra


def parse_datetime(value: Any, owner: type, field: str) -> Any:
    """Parse an ISO 8601 timestamp; keep the raw value if it cannot be parsed."""
    if value.__class__ is not str:
        if value is None or value is UNSET or isinstance(value, _dt.datetime):
            return value
        report_deviation(owner, f"field {field!r}: expected a timestamp, got {value!r}")
        return value
    try:
        return _dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        from dateutil.parser import isoparse

        return isoparse(value)
    except (ValueError, OverflowError):
        report_deviation(owner, f"field {field!r}: {value!r} is not an ISO 8601 timestamp")
        return value


def parse_date(value: Any, owner: type, field: str) -> Any:
    """Parse an ISO 8601 date; keep the raw value if it cannot be parsed."""
    if value.__class__ is str:
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            report_deviation(owner, f"field {field!r}: {value!r} is not an ISO 8601 date")
            return value
    return value


def parse_uuid(value: Any, owner: type, field: str) -> Any:
    """Parse a UUID string; keep the raw value if it is not one."""
    if value.__class__ is str:
        try:
            return uuid.UUID(value)
        except ValueError:
            report_deviation(owner, f"field {field!r}: {value!r} is not a UUID")
            return value
    return value


def parse_union(
    value: Any, parsers: tuple[Callable[[Any], Any], ...], owner: type, field: str
) -> Any:
    """Try each parser in order; the first that accepts ``value`` wins.

    A parser rejects a value by raising ``TypeError``, ``ValueError`` or ``KeyError``.
    ``None`` and ``UNSET`` pass through. A value no parser accepts is kept as it is.
    """
    if value is None or value is UNSET:
        return value
    with strict_parsing(True):
        for parser in parsers:
            try:
                return parser(value)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
    report_deviation(owner, f"field {field!r}: {value!r} matches none of its schema types")
    return value


def format_datetime(value: _dt.datetime) -> str:
    """ISO 8601 as CVAT writes it: UTC as ``Z`` (``2024-05-01T10:00:00.123456Z``)."""
    text = value.isoformat()
    return f"{text[:-6]}Z" if text.endswith("+00:00") else text


def copy_input(value: Any) -> Any:
    """A copy of the lists and dicts of a value given to a model's constructor (models,
    files and scalars are kept): a model does not share containers with its caller's data,
    as in cvat-sdk."""
    cls = value.__class__
    if cls is list:
        return [copy_input(item) for item in value]
    if cls is dict:
        return {key: copy_input(item) for key, item in value.items()}
    return value


def extra_fields(given: Mapping[str, Any] | None, unknown: Mapping[str, Any]) -> dict[str, Any]:
    """The ``additional_properties`` of a model built by its constructor: those given and
    the keyword arguments the schema does not declare (cvat-sdk keeps them as well), copied."""
    if not given and not unknown:
        return {}
    return {
        key: copy_input(item) for source in (given or {}, unknown) for key, item in source.items()
    }


def encode(value: Any) -> Any:
    """Convert a model field value to plain JSON data (models, enums, dates, lists, dicts)."""
    # A fast path for the most common values. The general path below ends with the same
    # ``return value``, so mutants of the fast path are equivalent: not mutated.
    # pragma: no mutate start
    cls = value.__class__
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    # pragma: no mutate end
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, Mapping):
        return {key: encode(item) for key, item in value.items() if item is not UNSET}
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def type_parser(*types: type) -> Callable[[Any], Any]:
    """A union member parser that accepts values of exactly these JSON types."""
    accepts_bool = bool in types

    def parse(value: Any) -> Any:
        if isinstance(value, types) and (accepts_bool or value.__class__ is not bool):
            return value
        raise TypeError(f"expected {types}, got {type(value).__name__}")

    return parse


def enum_parser(enum_cls: type[E]) -> Callable[[Any], E]:
    """A union member parser that accepts only known values of ``enum_cls``."""
    return enum_cls


@lru_cache(maxsize=64)
def resolver_for(models_module: str) -> Callable[[str], type]:
    """A function that finds a class of a generated ``models`` package by name."""

    found: dict[str, type] = {}

    def resolve(name: str) -> type:
        cls = found.get(name)
        if cls is None:
            cls = found[name] = getattr(importlib.import_module(models_module), name)
        return cls

    return resolve


def parse_value(
    value: Any, spec: Any, resolve: Callable[[str], type], owner: type, field: str
) -> Any:
    """Build the Python value of ``value`` for any type spec (the generic, slower path).

    Generated models inline the common cases (models, enums, lists of models) and call
    this for the rest: unions, lists of enums or timestamps, dicts of models.
    """
    if value is UNSET or value is None:
        return value
    if isinstance(spec, str):
        if spec == "datetime":
            return parse_datetime(value, owner, field)
        if spec == "date":
            return parse_date(value, owner, field)
        if spec == "uuid":
            return parse_uuid(value, owner, field)
        return value
    kind = spec[0]
    if kind == "model":
        if isinstance(value, dict):
            return resolve(spec[1]).from_dict(value)  # type: ignore[attr-defined]
        report_deviation(owner, f"field {field!r}: expected an object, got {value!r}")
        return value
    if kind == "enum":
        return unknown_enum(resolve(spec[1]), value, owner, field)
    if kind == "list":
        if isinstance(value, list):
            return [parse_value(item, spec[1], resolve, owner, field) for item in value]
        return value
    if kind == "dict":
        if isinstance(value, dict):
            return {k: parse_value(v, spec[1], resolve, owner, field) for k, v in value.items()}
        return value
    if kind == "union":
        return parse_union(
            value, tuple(_member_parser(s, resolve) for s in spec[1] if s != "none"), owner, field
        )
    return value


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "datetime": (str,),
    "date": (str,),
    "uuid": (str,),
}


def _member_parser(spec: Any, resolve: Callable[[str], type]) -> Callable[[Any], Any]:
    if isinstance(spec, str):
        if spec in ("any", "file", "binary"):
            return lambda value: value
        if spec in ("datetime", "date", "uuid"):
            checker = type_parser(str)
            return lambda value: parse_value(checker(value), spec, resolve, object, "")
        return type_parser(*_JSON_TYPES.get(spec, (object,)))
    kind = spec[0]
    if kind == "model":

        def parse_model(value: Any) -> Any:
            if not isinstance(value, dict):
                raise TypeError  # (parse_union tries the next member)
            return resolve(spec[1]).from_dict(value)  # type: ignore[attr-defined]

        return parse_model
    if kind == "enum":
        return lambda value: resolve(spec[1])(value)
    if kind == "list":

        def parse_list(value: Any) -> Any:
            if not isinstance(value, list):
                raise TypeError
            inner = _member_parser(spec[1], resolve)
            return [inner(item) for item in value]

        return parse_list
    if kind == "const":

        def parse_const(value: Any) -> Any:
            if value != spec[1]:
                raise ValueError
            return value

        return parse_const
    return lambda value: value
