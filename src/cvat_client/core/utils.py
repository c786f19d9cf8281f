"""Small helpers under cvat-sdk's ``core.utils`` names.

``normalize_server_url`` (add the default scheme, drop a trailing slash),
``atomic_writer`` (a file that appears only when completely written), ``filter_dict``
and ``is_posix``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Generator, Sequence
from typing import IO, Any, BinaryIO, Literal, TextIO, overload
from urllib.parse import urlencode

from cvat_client.core.exceptions import InvalidHostException

__all__ = [
    "ALLOWED_SERVER_SCHEMAS",
    "CVAT_API_V2",
    "atomic_writer",
    "filter_dict",
    "is_posix",
    "normalize_server_url",
]

#: The URL schemes a server address may have.
ALLOWED_SERVER_SCHEMAS = ("https", "http")


def normalize_server_url(url: str) -> str:
    """``url`` with ``https://`` added when it has no scheme and no trailing slash.

    Raises:
        InvalidHostException: the scheme is not one of ``ALLOWED_SERVER_SCHEMAS``.
    """
    scheme, sep, _ = url.partition("://")
    if not sep:
        url = f"https://{url}"
    elif scheme not in ALLOWED_SERVER_SCHEMAS:
        raise InvalidHostException(
            f"Invalid url schema '{scheme}', expected one of <none>, "
            + ", ".join(ALLOWED_SERVER_SCHEMAS)
        )
    return url.rstrip("/")


def is_posix() -> bool:
    """Whether this is a POSIX system (not Windows)."""
    return os.name == "posix"


def filter_dict(
    d: dict[str, Any], *, keep: Sequence[str] | None = None, drop: Sequence[str] | None = None
) -> dict[str, Any]:
    """The items of ``d`` whose keys are in ``keep`` (when given) and not in ``drop``."""
    return {
        key: value
        for key, value in d.items()
        if (not keep or key in keep) and (not drop or key not in drop)
    }


@overload
def atomic_writer(
    path: os.PathLike[str] | str, mode: Literal["wb"]
) -> contextlib.AbstractContextManager[BinaryIO]: ...


@overload
def atomic_writer(
    path: os.PathLike[str] | str, mode: Literal["w"], encoding: str = "UTF-8"
) -> contextlib.AbstractContextManager[TextIO]: ...


@contextlib.contextmanager
def atomic_writer(
    path: os.PathLike[str] | str, mode: Literal["w", "wb"], encoding: str = "UTF-8"
) -> Generator[Any, None, None]:
    """Open a temporary file beside ``path``; it replaces ``path`` only on a normal exit.

    On an exception the temporary file is deleted and ``path`` is left as it was.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"Unsupported mode: {mode!r}")
    target = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(target))
    fd, tmp_path = tempfile.mkstemp(prefix=f"{name}.", suffix=".tmp", dir=directory)
    try:
        handle: IO[Any] = (
            os.fdopen(fd, "w", encoding=encoding) if mode == "w" else os.fdopen(fd, "wb")
        )
        with handle:
            yield handle
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
        raise


class CVAT_API_V2:
    """Builds URLs of the server's API (``client.api_map``).

    >>> client.api_map.make_endpoint_url("/api/tasks/{id}", kwsub={"id": 7})
    'https://app.cvat.ai/api/tasks/7'
    """

    def __init__(self, host: str) -> None:
        self.host = host.rstrip("/")
        """The server address, without a trailing slash."""
        self.base = f"{self.host}/api/"
        """The address of the API."""

    def make_endpoint_url(
        self,
        path: str,
        *,
        psub: Sequence[Any] | None = None,
        kwsub: dict[str, Any] | None = None,
        query_params: dict[str, Any] | None = None,
    ) -> str:
        """The full URL of ``path``, its ``{}`` placeholders filled from ``psub``
        (by position) and ``kwsub`` (by name), with ``query_params`` encoded."""
        url = f"{self.host}{path}"
        if psub or kwsub:
            url = url.format(*(psub or ()), **(kwsub or {}))
        if query_params:
            url = f"{url}?{urlencode(query_params)}"
        return url
