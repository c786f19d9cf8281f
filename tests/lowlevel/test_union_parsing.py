"""Parsing of fields whose schema is a union (``oneOf``/``anyOf``/nullable), member by member."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from cvat_client._lowlevel.exceptions import ApiValueError
from cvat_client._lowlevel.model_support import parse_value, resolver_for, strict_parsing
from cvat_client.api_client import models

RESOLVE = resolver_for(models.__name__)


class Owner:
    """Stands for the model a field belongs to (named in deviation messages)."""


def _parse(value: Any, *members: Any) -> Any:
    return parse_value(value, ("union", members), RESOLVE, Owner, "f")


def _rejected(value: Any, *members: Any) -> None:
    with strict_parsing(), pytest.raises(ApiValueError, match="matches none of its schema types"):
        _parse(value, *members)


def test_plain_json_types() -> None:
    assert _parse(3, "int", "none") == 3
    assert _parse(None, "int", "none") is None
    assert _parse(2.5, "float") == 2.5
    assert _parse(2, "float") == 2
    assert _parse(True, "bool") is True
    assert _parse("x", "str") == "x"
    _rejected(True, "int")  # a bool is not an integer
    _rejected("3", "int")
    _rejected(3, "str")
    _rejected(1, "bool")
    # a member of no known kind accepts anything
    assert _parse(["x"], "something-else") == ["x"]


@pytest.mark.parametrize("member", ["any", "file", "binary"])
def test_untyped_members_take_anything(member: str) -> None:
    value = {"a": [1, "b"]}
    assert _parse(value, "int", member) is value


def test_timestamps_dates_and_uuids_are_parsed() -> None:
    stamp = _parse("2026-01-02T03:04:05Z", "datetime")
    assert stamp == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert _parse("2026-01-02", "date") == datetime.date(2026, 1, 2)
    ident = "12345678-1234-5678-1234-567812345678"
    assert _parse(ident, "uuid") == uuid.UUID(ident)
    # the first member that accepts the value wins
    assert _parse("2026-01-02", "int", "date") == datetime.date(2026, 1, 2)
    _rejected(5, "datetime")


def test_models_enums_lists_and_constants() -> None:
    user = _parse({"url": "http://h/api/users/1", "id": 1, "username": "u"}, ("model", "BasicUser"))
    assert isinstance(user, models.BasicUser) and user.username == "u"
    _rejected("not an object", ("model", "BasicUser"))
    assert _parse("rectangle", ("enum", "ShapeType")) is models.ShapeType.RECTANGLE
    _rejected("hexagon", ("enum", "ShapeType"))
    parsed = _parse([{"url": "u", "id": 2, "username": "v"}], ("list", ("model", "BasicUser")))
    assert [type(item) for item in parsed] == [models.BasicUser]
    _rejected({"not": "a list"}, ("list", ("model", "BasicUser")))
    _rejected([1], ("list", "str"))
    assert _parse("fixed", ("const", "fixed")) == "fixed"
    _rejected("other", ("const", "fixed"))


def test_a_value_no_member_accepts_is_kept_when_lenient() -> None:
    value = {"odd": True}
    assert _parse(value, "int", "str") is value
