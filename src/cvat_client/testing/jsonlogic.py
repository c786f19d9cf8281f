"""The JSON Logic subset CVAT accepts in the ``filter`` query parameter of list endpoints."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from cvat_client.testing._http import bad_request

Getter = Callable[[Any], Any]

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def compile_filter(text: str, fields: Mapping[str, Getter]) -> Callable[[Any], bool]:
    """Compile a JSON Logic expression over ``fields`` into a predicate.

    Raises the 400s CVAT answers: ``filter: can't parse filter expression: ...`` and
    ``filter: term 'x' is not supported``.
    """
    try:
        expression = json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad_request([f"filter: can't parse filter expression: {exc}"]) from None
    return _compile(expression, fields)


def _compile(node: Any, fields: Mapping[str, Getter]) -> Callable[[Any], bool]:
    if not isinstance(node, dict) or len(node) != 1:
        raise bad_request([f"filter: can't parse filter expression: {json.dumps(node)}"])
    ((op, args),) = node.items()
    if not isinstance(args, list):
        args = [args]
    if op in ("and", "or"):
        parts = [_compile(a, fields) for a in args]
        if op == "and":
            return lambda obj: all(p(obj) for p in parts)
        return lambda obj: any(p(obj) for p in parts)
    if op in ("!", "not"):
        inner = _compile(args[0], fields)
        return lambda obj: not inner(obj)
    if op in _COMPARISONS:
        if len(args) == 3 and op in ("<", "<="):
            low, var, high = (_operand(a, fields) for a in args)
            cmp = _COMPARISONS[op]
            return lambda obj: _safe(cmp, low(obj), var(obj)) and _safe(cmp, var(obj), high(obj))
        if len(args) != 2:
            raise bad_request([f"filter: can't parse filter expression: {json.dumps(node)}"])
        left, right = (_operand(a, fields) for a in args)
        cmp = _COMPARISONS[op]
        return lambda obj: _safe(cmp, left(obj), right(obj))
    if op == "in":
        left, right = (_operand(a, fields) for a in args[:2])

        def contains(obj: Any) -> bool:
            needle, haystack = left(obj), right(obj)
            if haystack is None or needle is None:
                return False
            if isinstance(haystack, str):
                return str(needle).lower() in haystack.lower()
            return bool(needle in haystack)

        return contains
    raise bad_request([f"filter: {op} is not supported"])


def _operand(node: Any, fields: Mapping[str, Getter]) -> Getter:
    if isinstance(node, dict) and "var" in node:
        name = node["var"]
        getter = fields.get(name) if isinstance(name, str) else None
        if getter is None:
            raise bad_request([f"filter: term '{name}' is not supported"])
        return getter
    return lambda _obj: node


def _safe(cmp: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str) and a and b:
        return cmp(a, b)
    try:
        return cmp(a, b)
    except TypeError:
        return False
