"""Which values an attribute accepts, from its spec (``input_type`` and ``values``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["value_checker"]


def _number_checker(values: Sequence[str]) -> Callable[[str], bool]:
    if len(values) != 3:
        raise ValueError(f"wrong number of values: expected 3, got {len(values)}")
    try:
        low, high, step = (int(v) for v in values)
    except ValueError as exc:
        raise ValueError("values could not be converted to integers") from exc
    if low > high:
        raise ValueError("invalid values: min_value must be less than or equal to max_value")
    if step <= 0:
        raise ValueError("invalid values: step must be positive")
    if (high - low) % step:
        raise ValueError("invalid values: step must be a divisor of max_value - min_value")

    def check(value: str) -> bool:
        try:
            number = int(value)
        except (TypeError, ValueError):
            return False
        return low <= number <= high and (number - low) % step == 0

    return check


def _choice_checker(values: Sequence[str]) -> Callable[[str], bool]:
    if not values:
        raise ValueError("empty list of allowed values")
    allowed = frozenset(values)
    return lambda value: value in allowed


def value_checker(input_type: str, values: Sequence[str]) -> Callable[[str], bool]:
    """A predicate telling whether a value (a string) suits an attribute of this spec.

    Raises:
        ValueError: ``values`` does not fit ``input_type`` (e.g. a number attribute
            without ``[min, max, step]``, a select attribute without values).
    """
    kind = str(input_type)
    if kind == "checkbox":
        return lambda value: value in ("true", "false")
    if kind == "number":
        return _number_checker(values)
    if kind in ("radio", "select"):
        return _choice_checker(values)
    if kind == "text":
        return lambda value: isinstance(value, str)
    raise ValueError(f"unknown input type {kind!r}")
