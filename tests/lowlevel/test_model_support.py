"""The helpers generated models parse and serialize with (``_lowlevel/model_support``):
what each deviation from the schema says (logged, or raised when strict), and what each
helper returns."""

from __future__ import annotations

import datetime
import enum
import logging
import uuid
from typing import Any

import pytest

from cvat_client._lowlevel import model_support as ms
from cvat_client._lowlevel.exceptions import ApiValueError
from cvat_client._lowlevel.unset import UNSET
from cvat_client.api_client import models


class Task:
    """Stands for the model a field belongs to (named in deviation messages)."""


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


def _said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "cvat_client"]


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, "cvat_client")
    return caplog


def test_deviations_are_logged_or_raised_when_strict(debug_log: pytest.LogCaptureFixture) -> None:
    assert not ms.is_strict()
    ms.report_deviation(Task, "something odd")
    assert _said(debug_log) == ["response deviates from the schema: Task: something odd"]
    with ms.strict_parsing():
        assert ms.is_strict()
        with pytest.raises(ApiValueError) as info:
            ms.report_deviation(Task, "something odd")
        assert str(info.value) == "Task: something odd"
        with ms.strict_parsing(False):
            assert not ms.is_strict()
        assert ms.is_strict()
    assert not ms.is_strict()


def test_unknown_enum_values_are_kept(debug_log: pytest.LogCaptureFixture) -> None:
    assert ms.unknown_enum(Color, "red", Task, "color") is Color.RED
    assert ms.unknown_enum(Color, None, Task, "color") is None
    assert ms.unknown_enum(Color, UNSET, Task, "color") is UNSET
    assert _said(debug_log) == []
    assert ms.unknown_enum(Color, "pink", Task, "color") == "pink"
    assert ms.unknown_enum(Color, ["red"], Task, "color") == ["red"]  # unhashable
    assert _said(debug_log) == [
        "response deviates from the schema: Task: field 'color' has value 'pink', unknown to "
        "Color (known: ['red', 'green']); kept as is",
        "response deviates from the schema: Task: field 'color' has value ['red'], unknown to "
        "Color (known: ['red', 'green']); kept as is",
    ]


def test_missing_and_unknown_fields_are_reported(debug_log: pytest.LogCaptureFixture) -> None:
    ms.missing_required(Task, {"id": 1, "name": "t"}, ("id", "name"))
    assert ms.unknown_fields(Task, {"id": 1}, frozenset({"id"})) == {}
    assert _said(debug_log) == []
    ms.missing_required(Task, {"id": 1}, ("id", "name", "size"))
    extra = ms.unknown_fields(Task, {"id": 1, "z": 2, "a": 3}, frozenset({"id"}))
    assert extra == {"z": 2, "a": 3}
    assert _said(debug_log) == [
        "response deviates from the schema: Task: required field(s) ['name', 'size'] missing; "
        "left UNSET",
        "response deviates from the schema: Task: unknown field(s) ['a', 'z'] kept in "
        "additional_properties",
    ]


def test_timestamps(debug_log: pytest.LogCaptureFixture) -> None:
    utc = datetime.UTC
    assert ms.parse_datetime("2026-01-02T03:04:05Z", Task, "t") == datetime.datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=utc
    )
    # what only dateutil reads: the hour 24
    assert ms.parse_datetime("2026-01-02T24:00:00Z", Task, "t") == datetime.datetime(
        2026, 1, 3, tzinfo=utc
    )
    stamp = datetime.datetime(2026, 1, 2, tzinfo=utc)
    for same in (None, UNSET, stamp):
        assert ms.parse_datetime(same, Task, "t") is same
    assert _said(debug_log) == []
    assert ms.parse_datetime(5, Task, "t") == 5
    assert ms.parse_datetime("soon", Task, "t") == "soon"
    assert ms.parse_datetime("2026-13-45T99:00:00Z", Task, "t") == "2026-13-45T99:00:00Z"
    assert _said(debug_log) == [
        "response deviates from the schema: Task: field 't': expected a timestamp, got 5",
        "response deviates from the schema: Task: field 't': 'soon' is not an ISO 8601 timestamp",
        "response deviates from the schema: Task: field 't': '2026-13-45T99:00:00Z' is not an "
        "ISO 8601 timestamp",
    ]


def test_dates_and_uuids(debug_log: pytest.LogCaptureFixture) -> None:
    ident = "12345678-1234-5678-1234-567812345678"
    assert ms.parse_date("2026-01-02", Task, "d") == datetime.date(2026, 1, 2)
    assert ms.parse_uuid(ident, Task, "u") == uuid.UUID(ident)
    for other in (None, UNSET, 5):
        assert ms.parse_date(other, Task, "d") is other
        assert ms.parse_uuid(other, Task, "u") is other
    assert _said(debug_log) == []
    assert ms.parse_date("2026-02-30", Task, "d") == "2026-02-30"
    assert ms.parse_uuid("1234", Task, "u") == "1234"
    assert _said(debug_log) == [
        "response deviates from the schema: Task: field 'd': '2026-02-30' is not an ISO 8601 date",
        "response deviates from the schema: Task: field 'u': '1234' is not a UUID",
    ]


def test_unions_try_each_member_strictly(debug_log: pytest.LogCaptureFixture) -> None:
    def picky(value: Any) -> Any:
        ms.report_deviation(Task, "not for me")  # raises: members are tried strictly
        return value

    def key_error(value: Any) -> Any:
        raise KeyError(value)

    def attribute_error(value: Any) -> Any:
        raise AttributeError(value)

    parsers = (picky, key_error, attribute_error, ms.type_parser(int), ms.type_parser(str))
    assert ms.parse_union(5, parsers, Task, "f") == 5
    assert ms.parse_union("x", parsers, Task, "f") == "x"
    assert ms.parse_union(None, parsers, Task, "f") is None
    assert ms.parse_union(UNSET, parsers, Task, "f") is UNSET
    assert _said(debug_log) == []
    assert not ms.is_strict()
    assert ms.parse_union(2.5, parsers, Task, "f") == 2.5
    assert _said(debug_log) == [
        "response deviates from the schema: Task: field 'f': 2.5 matches none of its schema types"
    ]


def test_type_parsers() -> None:
    assert ms.type_parser(int)(3) == 3
    assert ms.type_parser(bool, int)(True) is True
    with pytest.raises(TypeError) as info:
        ms.type_parser(int)(True)
    assert str(info.value) == "expected (<class 'int'>,), got bool"
    with pytest.raises(TypeError, match=r"^expected \(<class 'int'>,\), got str$"):
        ms.type_parser(int)("3")
    assert ms.enum_parser(Color)("red") is Color.RED


def test_timestamps_are_written_as_cvat_writes_them() -> None:
    utc = datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC)
    assert ms.format_datetime(utc) == "2026-01-02T03:04:05.123456Z"
    plus_one = datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert ms.format_datetime(plus_one) == "2026-01-02T00:00:00+01:00"
    assert ms.format_datetime(datetime.datetime(2026, 1, 2)) == "2026-01-02T00:00:00"


def test_encode() -> None:
    class WithDict:
        def to_dict(self) -> dict[str, Any]:
            return {"id": 1}

    class Text(enum.StrEnum):
        A = "a"

    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    stamp = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    plain: list[Any] = ["s", 1, 2.5, True, None]
    for value in plain:
        assert ms.encode(value) is value
    assert ms.encode(WithDict()) == {"id": 1}
    assert ms.encode(Color.GREEN) == "green"
    assert ms.encode(Text.A) == "a"
    assert ms.encode((Color.RED, [stamp])) == ["red", ["2026-01-02T03:04:05Z"]]
    assert ms.encode({"a": Color.RED, "gone": UNSET}) == {"a": "red"}
    assert ms.encode(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert ms.encode(datetime.time(3, 4)) == "03:04:00"
    assert ms.encode(ident) == "12345678-1234-5678-1234-567812345678"
    other = object()
    assert ms.encode(other) is other


def test_resolvers_find_generated_classes_once() -> None:
    resolve = ms.resolver_for(models.__name__)
    assert ms.resolver_for(models.__name__) is resolve
    assert resolve("LabeledData") is models.LabeledData
    assert resolve("LabeledData") is models.LabeledData
    with pytest.raises(AttributeError):
        resolve("NoSuchModel")


class Box:
    """A model stand-in: ``from_dict`` records what it was given."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Box:
        return cls(data)


_CLASSES: dict[str, type] = {"Box": Box, "Color": Color}


def _value(value: Any, spec: Any) -> Any:
    return ms.parse_value(value, spec, _CLASSES.__getitem__, Task, "f")


def test_values_by_spec(debug_log: pytest.LogCaptureFixture) -> None:
    assert _value(None, ("model", "Box")) is None
    assert _value(UNSET, "datetime") is UNSET
    assert _value("2026-01-02T00:00:00Z", "datetime") == datetime.datetime(
        2026, 1, 2, tzinfo=datetime.UTC
    )
    assert _value("2026-01-02", "date") == datetime.date(2026, 1, 2)
    ident = "12345678-1234-5678-1234-567812345678"
    assert _value(ident, "uuid") == uuid.UUID(ident)
    assert _value("2026-01-02", "str") == "2026-01-02"
    assert _value({"a": 1}, ("model", "Box")).data == {"a": 1}
    assert _value("green", ("enum", "Color")) is Color.GREEN
    assert _value(["red", "green"], ("list", ("enum", "Color"))) == [Color.RED, Color.GREEN]
    assert _value("red", ("list", ("enum", "Color"))) == "red"
    assert _value({"x": "red"}, ("dict", ("enum", "Color"))) == {"x": Color.RED}
    assert _value(["red"], ("dict", ("enum", "Color"))) == ["red"]
    assert _value("red", ("union", ("none", ("enum", "Color")))) is Color.RED
    assert _value("red", ("tuple", "str")) == "red"  # a kind it does not know: as it is
    assert _said(debug_log) == []
    assert _value(5, ("model", "Box")) == 5
    assert _value("soon", "datetime") == "soon"
    assert _value("soon", "date") == "soon"
    assert _value("soon", "uuid") == "soon"
    assert _value("pink", ("enum", "Color")) == "pink"
    assert _value(["x"], ("list", "date")) == ["x"]
    assert _value({"k": "x"}, ("dict", "uuid")) == {"k": "x"}
    assert _value(2.5, ("union", ("int", "none"))) == 2.5
    assert _said(debug_log) == [
        "response deviates from the schema: Task: field 'f': expected an object, got 5",
        "response deviates from the schema: Task: field 'f': 'soon' is not an ISO 8601 timestamp",
        "response deviates from the schema: Task: field 'f': 'soon' is not an ISO 8601 date",
        "response deviates from the schema: Task: field 'f': 'soon' is not a UUID",
        "response deviates from the schema: Task: field 'f' has value 'pink', unknown to Color "
        "(known: ['red', 'green']); kept as is",
        "response deviates from the schema: Task: field 'f': 'x' is not an ISO 8601 date",
        "response deviates from the schema: Task: field 'f': 'x' is not a UUID",
        "response deviates from the schema: Task: field 'f': 2.5 matches none of its schema types",
    ]


def _member(value: Any, *members: Any) -> Any:
    with ms.strict_parsing():
        return _value(value, ("union", members))


def test_union_members_by_spec() -> None:
    assert _member({"a": 1}, ("model", "Box")).data == {"a": 1}
    assert _member("green", ("model", "Box"), ("enum", "Color")) is Color.GREEN
    assert _member(["red"], ("list", ("enum", "Color"))) == [Color.RED]
    assert _member("x", ("const", "y"), ("const", "x")) == "x"
    assert _member(3, ("something", "new")) == 3
    assert _member("2026-01-02", "date", "datetime") == datetime.date(2026, 1, 2)
    assert _member("soon", "datetime", "str") == "soon"  # rejected strictly, then taken
    assert _member(2, "float") == 2
    for untyped in ("any", "file", "binary"):
        assert _member(True, untyped) is True  # anything, a bool included
    rejected = [
        (["a"], ("model", "Box")),
        ("pink", ("enum", "Color")),
        ("red", ("list", ("enum", "Color"))),
        (["pink"], ("list", ("enum", "Color"))),
        ("z", ("const", "y")),
        (5, "date"),
        ("nope", "uuid"),
        (True, "int"),
        ("1", "float"),
        (1, "bool"),
        (1, "str"),
    ]
    for value, member in rejected:
        with pytest.raises(ApiValueError, match="matches none of its schema types"):
            _member(value, member)
