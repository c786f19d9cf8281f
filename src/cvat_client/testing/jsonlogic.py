"""The JSON Logic subset CVAT accepts in the ``filter`` query parameter of list endpoints."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from typing import Any

from cvat_client.testing._http import HTML, SERVER_ERROR_HTML, ApiError, bad_request

Getter = Callable[[Any], Any]

Predicate = Callable[[Any], bool]

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_filter(text: str, fields: Mapping[str, Getter]) -> Callable[[Any], bool]:
    """Compile a JSON Logic expression over ``fields`` into a predicate.

    Accepts exactly what CVAT's ``JsonLogicFilter`` accepts: ``and``/``or`` over a
    non-empty list, ``!`` and ``!!``, a bare ``{"var": name}`` (the field is set),
    ``==``/``<``/``<=``/``>``/``>=`` with two arguments, ``<=`` with three
    (``low <= var <= high``), and ``in`` (a value among a list, or a case-sensitive
    substring of a text field). Anything else is CVAT's 400 (``filter: operation '!='
    with arguments '...' is not supported``, ``filter: term 'x' is not supported``...).
    """
    try:
        expression = json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad_request([f"filter: can't parse filter expression: {exc}"]) from None
    if not expression:
        raise bad_request(["filter shouldn't be empty"])
    return _compile(expression, fields, None)


def _validate(arg: Any, allowed: type, op: str, parent_op: str | None) -> None:
    if isinstance(arg, allowed) and arg:
        return
    got = f"got '{arg}' of type '{type(arg).__name__}'"
    if parent_op:
        message = f"operation '{op}' requires a non-empty {allowed.__name__} argument, {got}"
    else:
        message = f"expected a non-empty {allowed.__name__} value, {got}"
    raise bad_request([f"filter: {message}"])


def _term(args: Any, fields: Mapping[str, Getter]) -> Getter:
    name = args.get("var") if isinstance(args, dict) else None
    getter = fields.get(name) if isinstance(name, str) else None
    if getter is None:
        raise bad_request([f"filter: term '{name}' is not supported"])
    return getter


def _compile(node: Any, fields: Mapping[str, Getter], parent_op: str | None) -> Predicate:
    op = parent_op or ""
    _validate(node, dict, op, parent_op)
    op, args = next(iter(node.items()))
    if op in ("and", "or"):
        _validate(args, list, op, parent_op)
        parts = [_compile(a, fields, op) for a in args]
        if op == "and":
            return lambda obj: all(p(obj) for p in parts)
        return lambda obj: any(p(obj) for p in parts)
    if op == "!":
        inner = _compile(args, fields, op)
        return lambda obj: not inner(obj)
    if op == "!!":
        return _compile(args, fields, op)
    if op == "var":
        # CVAT: Q(<name>__isnull=False) on the model field itself, so any field of the
        # model works, not only the filter terms; a name the model lacks is Django's
        # FieldError, answered 500.
        if not isinstance(args, str):
            raise ApiError(500, SERVER_ERROR_HTML, content_type=HTML)
        getter = fields.get(args) or _model_field(args)
        return lambda obj: getter(obj) is not None
    if op in _COMPARISONS and isinstance(args, list) and len(args) == 2:
        var = _term(args[0], fields)
        cmp = _COMPARISONS[op]
        value = args[1]
        if op == "==":
            return lambda obj: var(obj) == value
        return lambda obj: _safe(cmp, var(obj), value)
    if op == "in" and isinstance(args, list) and len(args) >= 2:
        if isinstance(args[0], dict):
            var, values = _term(args[0], fields), args[1]
            return lambda obj: _member(var(obj), values)
        var, needle = _term(args[1], fields), args[0]
        return lambda obj: _contains(var(obj), needle)
    if op == "<=" and isinstance(args, list) and len(args) == 3:
        low, high = args[0], args[2]
        var = _term(args[1], fields)
        return lambda obj: _safe(operator.ge, var(obj), low) and _safe(operator.le, var(obj), high)
    raise bad_request([f"filter: operation '{op}' with arguments '{args}' is not supported"])


def _model_field(name: str) -> Getter:
    """A stored object's own field (``bug_tracker``; ``assignee`` reads ``assignee_id``)."""

    def get(obj: Any) -> Any:
        for attr in (name, f"{name}_id"):
            if hasattr(obj, attr):
                return getattr(obj, attr)
        raise ApiError(500, SERVER_ERROR_HTML, content_type=HTML)

    return get


def _member(value: Any, values: Any) -> bool:
    try:
        return value in values
    except TypeError:
        return False


def _contains(haystack: Any, needle: Any) -> bool:
    # Django's ``__contains``: a case-sensitive substring (LIKE) of the text value.
    if haystack is None or needle is None:
        return False
    return str(needle) in str(haystack)


def _safe(cmp: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        return cmp(a, b)
    except TypeError:
        return False
