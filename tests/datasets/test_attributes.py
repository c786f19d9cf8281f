"""cvat_client.attributes against cvat-sdk's attributes."""

from __future__ import annotations

import pytest
from cvat_sdk import attributes as sdk_attributes
from cvat_sdk import models as sdk_models

from cvat_client import attributes
from cvat_client.api_client import models

SPECS = [
    ("checkbox", ["false"]),
    ("number", ["0", "10", "2"]),
    ("number", ["-5", "5", "5"]),
    ("radio", ["a", "b"]),
    ("select", ["x", "y", "z"]),
    ("text", [""]),
]
VALUES = ["true", "false", "0", "2", "3", "10", "12", "-5", "a", "b", "x", "z", "w", "", "1.0"]


@pytest.mark.parametrize(("input_type", "values"), SPECS)
def test_validators_agree_with_cvat_sdk(input_type: str, values: list[str]) -> None:
    ours = attributes.attribute_value_validator(
        models.AttributeRequest(name="a", mutable=False, input_type=input_type, values=values)
    )
    theirs = sdk_attributes.attribute_value_validator(
        sdk_models.AttributeRequest(name="a", mutable=False, input_type=input_type, values=values)
    )
    assert [ours(v) for v in VALUES] == [theirs(v) for v in VALUES]


@pytest.mark.parametrize(
    ("input_type", "values"),
    [
        ("number", ["0", "10"]),
        ("number", ["a", "b", "c"]),
        ("number", ["0", "10", "3"]),
        ("select", []),
    ],
)
def test_bad_specs_raise_value_error_like_cvat_sdk(input_type: str, values: list[str]) -> None:
    with pytest.raises(ValueError):
        sdk_attributes.attribute_value_validator(
            sdk_models.AttributeRequest(
                name="a", mutable=False, input_type=input_type, values=values
            )
        )
    with pytest.raises(ValueError):
        attributes.attribute_value_validator(
            models.AttributeRequest(name="a", mutable=False, input_type=input_type, values=values)
        )


@pytest.mark.parametrize("args", [(0, 10), (0, 10, 5), (3, 3), (-4, 4, 2)])
def test_number_attribute_values(args: tuple[int, ...]) -> None:
    assert attributes.number_attribute_values(*args) == sdk_attributes.number_attribute_values(
        *args
    )


@pytest.mark.parametrize("args", [(5, 1), (0, 10, 0), (0, 10, 3)])
def test_number_attribute_values_errors(args: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        sdk_attributes.number_attribute_values(*args)
    with pytest.raises(ValueError):
        attributes.number_attribute_values(*args)


def test_attribute_vals_from_dict() -> None:
    mapping = {1: "text", 2: 7, 3: True, 4: False}
    ours = attributes.attribute_vals_from_dict(mapping)
    theirs = sdk_attributes.attribute_vals_from_dict(mapping)
    assert [(v.spec_id, v.value) for v in ours] == [(v.spec_id, v.value) for v in theirs]
    assert all(isinstance(v, models.AttributeValRequest) for v in ours)
