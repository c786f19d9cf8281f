"""Attribute values: validation and conversion (cvat-sdk's ``cvat_sdk.attributes``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cvat_client.api_client import models

__all__ = ["attribute_vals_from_dict", "attribute_value_validator", "number_attribute_values"]


class _AttributeSpec(Protocol):
    @property
    def input_type(self) -> str: ...

    @property
    def values(self) -> Sequence[str]: ...


def number_attribute_values(min_value: int, max_value: int, /, step: int = 1) -> list[str]:
    """The ``values`` of a ``number`` attribute spec: ``[min, max, step]`` as strings.

    Raises:
        ValueError: ``min_value > max_value``, ``step <= 0``, or ``step`` does not divide
            ``max_value - min_value``.
    """
    if min_value > max_value:
        raise ValueError("min_value must be less than or equal to max_value")
    if step <= 0:
        raise ValueError("step must be positive")
    if (max_value - min_value) % step != 0:
        raise ValueError("step must be a divisor of max_value - min_value")
    return [str(min_value), str(max_value), str(step)]


def _checkbox(values: Sequence[str]) -> Callable[[str], bool]:
    return lambda value: value in ("true", "false")


def _text(values: Sequence[str]) -> Callable[[str], bool]:
    return lambda value: True


def _select(values: Sequence[str]) -> Callable[[str], bool]:
    if not values:
        raise ValueError("empty list of allowed values")
    allowed = frozenset(values)
    return lambda value: value in allowed


def _number(values: Sequence[str]) -> Callable[[str], bool]:
    if len(values) != 3:
        raise ValueError(f"wrong number of values: expected 3, got {len(values)}")
    try:
        low, high, step = (int(v) for v in values)
    except ValueError as exc:
        raise ValueError("values could not be converted to integers") from exc
    try:
        number_attribute_values(low, high, step)
    except ValueError as exc:
        raise ValueError(f"invalid values: {exc}") from exc

    def check(value: str) -> bool:
        try:
            number = int(value)
        except ValueError:
            return False
        return low <= number <= high and (number - low) % step == 0

    return check


_VALIDATORS: dict[str, Callable[[Sequence[str]], Callable[[str], bool]]] = {
    "checkbox": _checkbox,
    "number": _number,
    "radio": _select,
    "select": _select,
    "text": _text,
}


def attribute_value_validator(
    spec: models.AttributeRequest | models.Attribute | _AttributeSpec,
) -> Callable[[str], bool]:
    """A function telling whether a value (a string) suits an attribute with this spec.

    Raises:
        ValueError: the spec's ``values`` do not fit its ``input_type``.
    """
    input_type = str(getattr(spec.input_type, "value", spec.input_type))
    factory = _VALIDATORS.get(input_type)
    if factory is None:
        raise ValueError(f"unknown attribute input type {input_type!r}")
    return factory(list(spec.values))


def _as_string(value: str | int | bool) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | str):
        return str(value)
    raise TypeError(f"unexpected attribute value {value!r} of type {type(value).__name__}")


def attribute_vals_from_dict(
    id_to_value: Mapping[int, str | int | bool], /
) -> list[models.AttributeValRequest]:
    """``AttributeValRequest`` objects from a mapping of attribute spec ids to values.

    Booleans become ``"true"``/``"false"`` (checkbox attributes) and integers their decimal
    text (number attributes); strings are kept.
    """
    from cvat_client.api_client import models

    return [
        models.AttributeValRequest(spec_id=key, value=_as_string(value))
        for key, value in id_to_value.items()
    ]
