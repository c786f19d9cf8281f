"""The ``UNSET`` sentinel: a value that was not given, as opposed to ``None`` (JSON null)."""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["UNSET", "Unset"]


class Unset:
    """Type of :data:`UNSET`, the marker for an omitted field or parameter.

    Omitted fields are not sent to the server and are absent from ``to_dict()``.
    ``UNSET`` is falsy, so ``if model.field:`` treats it like a missing value.
    """

    __slots__ = ()
    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"

    def __copy__(self) -> Unset:
        return self

    def __deepcopy__(self, memo: object) -> Unset:
        return self


UNSET: Final[Unset] = Unset()
