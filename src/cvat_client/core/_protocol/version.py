"""A small comparable version number (``2.73.0``, ``v2.4.1-dev``), without dependencies."""

from __future__ import annotations

import functools
import re

__all__ = ["Version", "compatible", "compatible_release"]

_PATTERN = re.compile(r"^\s*v?(\d+(?:\.\d+)*)(.*)$", re.IGNORECASE)


@functools.total_ordering
class Version:
    """A release number plus an optional suffix.

    Releases compare numerically (``2.10 > 2.9``, ``2.73 == 2.73.0``); a version with a
    suffix (``2.73.0-dev``, ``2.73.0rc1``) sorts before the plain release.
    """

    __slots__ = ("_text", "release", "suffix")

    def __init__(self, text: str) -> None:
        found = _PATTERN.match(text)
        if found is None:
            raise ValueError(f"Not a version number: {text!r}")
        self.release: tuple[int, ...] = tuple(int(p) for p in found.group(1).split("."))
        self.suffix: str = found.group(2).strip().lstrip("-+.")
        self._text = text.strip()

    @property
    def major(self) -> int:
        """The first number."""
        return self.release[0]

    @property
    def minor(self) -> int:
        """The second number (0 if absent)."""
        return self.release[1] if len(self.release) > 1 else 0

    @property
    def micro(self) -> int:
        """The third number (0 if absent)."""
        return self.release[2] if len(self.release) > 2 else 0

    def _key(self) -> tuple[tuple[int, ...], bool, str]:
        # trailing zeros do not count (2.73 == 2.73.0); a suffix sorts first (False < True)
        release = self.release
        while release and release[-1] == 0:
            release = release[:-1]
        return (release, not self.suffix, self.suffix)

    @staticmethod
    def _coerce(other: object) -> Version | None:
        # text, or a ``packaging.version.Version`` (what cvat-sdk's client returns)
        if isinstance(other, Version):
            return other
        if isinstance(other, str) or isinstance(getattr(other, "release", None), tuple):
            return Version(str(other))
        return None

    def __eq__(self, other: object) -> bool:
        coerced = self._coerce(other)
        if coerced is None:
            return NotImplemented
        return self._key() == coerced._key()

    def __lt__(self, other: object) -> bool:
        coerced = self._coerce(other)
        if coerced is None:
            return NotImplemented
        return self._key() < coerced._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        text = ".".join(str(p) for p in self.release)
        return f"{text}-{self.suffix}" if self.suffix else text

    def __repr__(self) -> str:
        return f"Version({str(self)!r})"


def compatible(server: Version, target: Version) -> bool:
    """Whether ``server`` speaks the API of ``target``: same major and minor, or the next minor."""
    return server.major == target.major and server.minor in (target.minor, target.minor + 1)


# PEP 440 public versions (with an optional local part), as cvat-sdk's ``packaging`` reads them
_PEP440 = re.compile(
    r"""^\s*v?
    (?:(?P<epoch>\d+)!)?
    (?P<release>\d+(?:\.\d+)*)
    (?P<pre>[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?
    (?P<post>-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?
    (?P<dev>[-_.]?dev[-_.]?\d*)?
    (?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def _pep440(text: str) -> tuple[int, tuple[int, ...], bool] | None:
    """``(epoch, release, is_prerelease)`` of a PEP 440 version; ``None``: not one."""
    found = _PEP440.match(text)
    if found is None:
        return None
    release = tuple(int(p) for p in found.group("release").split("."))
    prerelease = bool(found.group("pre") or found.group("dev"))
    return int(found.group("epoch") or 0), release, prerelease


def _text_of(version: object) -> str:
    return version._text if isinstance(version, Version) else str(version)


def compatible_release(server: object, target: object) -> bool:
    """Whether version ``server`` is in ``~= E!X.Y.Z``, the compatible release of ``target``
    (its epoch and first three numbers), as cvat-sdk's check reads it (PEP 440).

    That is ``server >= X.Y.Z`` with the same epoch and the same ``X.Y``; pre-releases and
    development releases (``2.1a``, ``2.1.dev3``) are never compatible. Both may be text,
    :class:`Version` or ``packaging.version.Version``.
    """
    parsed_server = _pep440(_text_of(server))
    parsed_target = _pep440(_text_of(target))
    if parsed_server is None or parsed_target is None:
        return False
    epoch, release, prerelease = parsed_server
    target_epoch, target_release, _ = parsed_target
    base = (*target_release, 0, 0)[:3]  # X.Y.Z
    # missing numbers are zeros; a longer release only compares greater
    return (
        not prerelease
        and epoch == target_epoch
        and (*release, 0)[:2] == base[:2]
        and (*release, 0, 0) >= base
    )
