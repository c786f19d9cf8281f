"""Filters for ``list()``: JSON Logic built from Python expressions (cvat-sdk's names).

>>> from cvat_client.core.filters import F, all_, any_, not_
>>> client.tasks.list(filter=(F.status == "completed") & (F.id > 10))
>>> client.tasks.list(filter=any_(F.name.contains("cats"), F.project_id.one_of([1, 2])))
>>> client.tasks.list(id__gte=10, name__contains="cats")

Keyword lookups (``field__in``, ``__contains``, ``__lt``, ``__lte``, ``__gt``, ``__gte``,
``__ne``, ``__between``, ``__isset``) and ``filter=`` (a `Filter`, a JSON Logic mapping
or JSON text) can be combined: all conditions must hold. The text sent to the server is
the same as cvat-sdk's for the same call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

__all__ = ["Condition", "F", "Field", "Filter", "JsonLogicExpression", "all_", "any_", "not_"]

#: A JSON Logic expression: a mapping of one operator to its arguments.
JsonLogicExpression: TypeAlias = Mapping[str, Any]

#: What stands for a condition: a `Filter`, a JSON Logic mapping, or JSON text.
Condition: TypeAlias = "Filter | JsonLogicExpression | str"


def _expression(condition: Condition) -> JsonLogicExpression:
    if isinstance(condition, Filter):
        return condition.to_json_logic()
    if isinstance(condition, Mapping):
        return dict(condition)
    if isinstance(condition, str):
        parsed = json.loads(condition)
        if isinstance(parsed, Mapping):
            return dict(parsed)
    raise TypeError(f"Unsupported filter condition: {condition!r}")


def _joined(op: str, left: JsonLogicExpression, right: JsonLogicExpression) -> dict[str, Any]:
    # ``a & b & c`` gives one flat "and" of three, not nested pairs.
    operands: list[Any] = []
    for side in (left, right):
        if isinstance(side, Mapping) and len(side) == 1 and op in side:
            operands += side[op]
        else:
            operands.append(side)
    return {op: operands}


class Filter:
    """A condition: combine with ``&`` (and), ``|`` (or) and ``~`` (not)."""

    __slots__ = ("_expr",)

    def __init__(self, expr: Condition) -> None:
        self._expr: JsonLogicExpression = _expression(expr)

    def to_json_logic(self) -> JsonLogicExpression:
        """The JSON Logic expression of this condition."""
        return self._expr

    def __and__(self, other: Condition) -> Filter:
        return Filter(_joined("and", self._expr, _expression(other)))

    def __or__(self, other: Condition) -> Filter:
        return Filter(_joined("or", self._expr, _expression(other)))

    def __invert__(self) -> Filter:
        return Filter({"!": self._expr})

    def __repr__(self) -> str:
        return f"Filter({self._expr!r})"


class Field:
    """A field of the listed objects; comparisons and methods give `Filter` conditions."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def _compare(self, op: str, value: Any) -> Filter:
        return Filter({op: [{"var": self._name}, value]})

    def __eq__(self, value: Any) -> Filter:  # type: ignore[override]
        return self._compare("==", value)

    def __ne__(self, value: Any) -> Filter:  # type: ignore[override]
        return Filter({"!": self._compare("==", value).to_json_logic()})

    def __lt__(self, value: Any) -> Filter:
        return self._compare("<", value)

    def __le__(self, value: Any) -> Filter:
        return self._compare("<=", value)

    def __gt__(self, value: Any) -> Filter:
        return self._compare(">", value)

    def __ge__(self, value: Any) -> Filter:
        return self._compare(">=", value)

    def one_of(self, values: Any) -> Filter:
        """The field's value is one of ``values``."""
        return self._compare("in", list(values))

    def contains(self, substring: Any) -> Filter:
        """The field's text contains ``substring`` (case-sensitive on the server)."""
        return Filter({"in": [substring, {"var": self._name}]})

    def between(self, low: Any, high: Any) -> Filter:
        """``low <= field <= high``."""
        return Filter({"<=": [low, {"var": self._name}, high]})

    def is_set(self) -> Filter:
        """The field has a value (is not null)."""
        return Filter({"var": self._name})

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Field({self._name!r})"


class _Fields:
    """``F.name`` or ``F["name"]``: the `Field` of that name."""

    def __getattr__(self, name: str) -> Field:
        if name.startswith("_"):
            raise AttributeError(name)
        return Field(name)

    def __getitem__(self, name: str) -> Field:
        return Field(name)


#: The fields: ``F.status == "completed"``, ``F["project_id"].one_of([1, 2])``.
F = _Fields()


def _all_or_any(op: str, conditions: tuple[Condition, ...], name: str) -> Filter:
    if not conditions:
        raise ValueError(f"{name}() requires at least one condition")
    expressions = [_expression(c) for c in conditions]
    if len(expressions) == 1:
        return Filter(expressions[0])
    return Filter({op: expressions})


def all_(*conditions: Condition) -> Filter:
    """All the conditions hold (one condition is returned as it is)."""
    return _all_or_any("and", conditions, "all_")


def any_(*conditions: Condition) -> Filter:
    """At least one of the conditions holds (one condition is returned as it is)."""
    return _all_or_any("or", conditions, "any_")


def not_(condition: Condition) -> Filter:
    """The condition does not hold."""
    return Filter({"!": _expression(condition)})


def _isset(field: Field, value: Any) -> Filter:
    return field.is_set() if value else not_(field.is_set())


#: The keyword lookups of ``list()``: ``<field>__<lookup>=value``.
LOOKUPS: dict[str, Callable[[Field, Any], Filter]] = {
    "in": Field.one_of,
    "contains": Field.contains,
    "lt": Field.__lt__,
    "lte": Field.__le__,
    "gt": Field.__gt__,
    "gte": Field.__ge__,
    "ne": Field.__ne__,
    "between": lambda field, bounds: field.between(*bounds),
    "isset": _isset,
}


def pop_lookup_conditions(kwargs: dict[str, Any]) -> list[JsonLogicExpression]:
    """Remove the ``field__lookup`` keywords from ``kwargs``; their conditions, in order."""
    conditions: list[JsonLogicExpression] = []
    for key in list(kwargs):
        name, sep, lookup = key.rpartition("__")
        if sep and name and lookup in LOOKUPS:
            conditions.append(LOOKUPS[lookup](Field(name), kwargs.pop(key)).to_json_logic())
    return conditions


def build_filter_param(
    filter_value: Condition | None,
    lookup_conditions: list[JsonLogicExpression],
) -> str | None:
    """The ``filter`` query text for a ``filter=`` value and lookup conditions.

    JSON text alone is sent as given; otherwise the lookups, then the filter, joined
    with ``and`` when there are several. ``None`` when there is nothing to filter on.
    """
    if filter_value == "":
        filter_value = None
    if filter_value is None and not lookup_conditions:
        return None
    if isinstance(filter_value, str) and not lookup_conditions:
        return filter_value
    parts = list(lookup_conditions)
    if filter_value is not None:
        parts.append(_expression(filter_value))
    return json.dumps(parts[0] if len(parts) == 1 else {"and": parts})
