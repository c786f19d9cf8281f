"""Options written as cvat-cli writes them (``--project_id``), also accepted with dashes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from cvat_client.cli.state import CliState

__all__ = ["BOOL", "option", "period_option", "spellings", "to_bool"]

F = TypeVar("F", bound=Callable[..., Any])

_TRUE = {"y", "yes", "t", "true", "on", "1"}
_FALSE = {"n", "no", "f", "false", "off", "0"}


def spellings(*names: str) -> list[str]:
    """``--a_b`` and ``--a-b`` for each name (the first spelling is shown in help)."""
    result: list[str] = []
    for name in names:
        for variant in (name, "--" + name[2:].replace("_", "-")):
            if variant not in result:
                result.append(variant)
    return result


def option(*names: str, **kwargs: Any) -> Callable[[F], F]:
    """``click.option`` accepting both spellings of each name; the parameter is named
    after the first name."""
    dest = names[0].lstrip("-").replace("-", "_")
    return click.option(*spellings(*names), dest, **kwargs)


def to_bool(value: str | bool) -> bool:
    """``True``/``False`` from ``true``, ``yes``, ``1``, ``on``... (as cvat-cli reads them)."""
    if isinstance(value, bool):
        return value
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"Cannot convert {value!r} to a bool")


class _Bool(click.ParamType[bool]):
    name = "BOOL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> bool:
        try:
            return to_bool(value)
        except ValueError:
            self.fail(f"{value!r} is not a boolean (true/false, yes/no, 1/0)", param, ctx)


BOOL = _Bool()
"""A click type for ``True``/``False`` values (``--with-images True``)."""


def _set_period(ctx: click.Context, _: click.Parameter, value: float | None) -> None:
    if value is not None:
        ctx.find_object(CliState).settings.status_check_period = value  # type: ignore[union-attr]


def period_option(func: F) -> F:
    """``--completion_verification_period SECONDS``: the pause between status checks of
    the server's background work (default: ours, short at first and growing)."""
    return click.option(
        *spellings("--completion_verification_period"),
        type=click.FloatRange(min=0, min_open=True),
        expose_value=False,
        callback=_set_period,
        metavar="SECONDS",
        help="Seconds between checks of the server's background work.",
    )(func)
