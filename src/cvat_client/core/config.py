"""Settings of a high-level :class:`~cvat_client.core.client.Client`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import httpx

__all__ = ["Config", "default_cache_dir", "MiB"]

MiB = 2**20


def default_cache_dir() -> Path:
    """The per-user cache directory of the platform, ``.../cvat-client``."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return base / "cvat-client" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "cvat-client"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "cvat-client"


def _positive(_: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or value <= 0):
        raise ValueError(f"Config.{attribute.name} must be positive, got {value!r}")


def _not_negative(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or value < 0:
        raise ValueError(f"Config.{attribute.name} must not be negative, got {value!r}")


@attrs.define
class Config:
    """Tunes the behaviour of a :class:`Client`. Every field has a working default.

    The first four fields have cvat-sdk's names and meanings, except that
    ``status_check_period=None`` (the default) polls on a backoff schedule.
    """

    status_check_period: float | None = attrs.field(default=None, validator=_positive)
    """Seconds between status checks of a background request; ``None``: start at 0.1 s
    and slow down to :attr:`max_status_check_period`."""

    allow_unsupported_server: bool = True
    """Work with a server version this client was not made for (with a warning); if
    ``False``, raise :class:`IncompatibleVersionException` instead."""

    verify_ssl: bool | None = None
    """Verify the server's TLS certificate (``None``: yes)."""

    cache_dir: Path = attrs.field(converter=Path, factory=default_cache_dir)
    """A directory for cached server data."""

    timeout: float | tuple[float, float] | httpx.Timeout | None = None
    """HTTP timeout: seconds, ``(connect, read)`` or :class:`httpx.Timeout`; ``None``:
    10 s to connect and 60 s per read. Nothing waits forever."""

    retries: int = attrs.field(default=5, validator=_not_negative)
    """How many times a failed idempotent request (a connection error, 429, 502, 503,
    504) is repeated; 0 disables retries."""

    retry_backoff: float = attrs.field(default=0.5, validator=_positive)
    """The first delay between retries, in seconds; it doubles each time (with jitter)."""

    max_backoff: float = attrs.field(default=30.0, validator=_positive)
    """The longest delay between retries; a longer ``Retry-After`` is not waited for."""

    upload_chunk_size: int = attrs.field(default=64 * MiB, validator=_positive)
    """Bytes per TUS ``PATCH`` of a big file. Chunks stream from disk (memory does not
    grow with them); a failed chunk is resumed from the server's offset. CVAT accepts
    request bodies up to 100 MB."""

    upload_batch_size: int = attrs.field(default=10 * MiB, validator=_positive)
    """Files smaller than this go in ``Upload-Multiple`` batches of at most this many
    bytes; bigger ones go through TUS, in ``upload_chunk_size`` chunks."""

    max_parallel_uploads: int = attrs.field(default=4, validator=_positive)
    """How many files (or batches) are uploaded at once."""

    max_concurrency: int = attrs.field(default=8, validator=_positive)
    """How many requests a bulk operation keeps in flight at once: the datasets layer's
    chunk fetching, the bulk helpers and the async client's gathers all honour it."""

    max_status_check_period: float = attrs.field(default=5.0, validator=_positive)
    """The longest wait between status checks on the backoff schedule."""

    request_timeout: float | None = attrs.field(default=None, validator=_positive)
    """The default limit, in seconds, of :meth:`Client.wait_for_request` on a
    background request; ``None``: wait until it ends."""

    download_attempts: int = attrs.field(default=5, validator=_positive)
    """How many times a download is attempted (resuming with ``Range``)."""

    proxy: str | None = None
    """A proxy URL for every request; ``None``: the ``HTTPS_PROXY`` / ``HTTP_PROXY`` /
    ``ALL_PROXY`` environment variables for the server's scheme, unless ``NO_PROXY``
    excludes the server."""

    ssl_ca_cert: str | None = None
    """A CA bundle file to verify the server's certificate against (``None``: the
    system's trusted certificates)."""

    deadline: float = attrs.field(default=600.0, validator=_positive)
    """The total time, in seconds, one API request may take: connecting, sending,
    waiting, reading the answer and the retries in between, however steadily the server
    keeps sending. A call's ``_request_deadline=`` overrides it. Uploads and downloads
    have no total limit: they fail when they stall (:attr:`transfer_stall_timeout`)."""

    max_response_size: int = attrs.field(default=64 * MiB, validator=_positive)
    """The largest JSON answer accepted, in bytes; a larger one is refused, without being
    read whole, with :class:`~cvat_client.exceptions.ResponseTooLargeError`."""

    max_annotations_response_size: int = attrs.field(default=1024 * MiB, validator=_positive)
    """The largest answer of an annotation endpoint accepted, in bytes (100,000 shapes
    are about 80 MB)."""

    transfer_stall_timeout: float = attrs.field(default=60.0, validator=_positive)
    """A download fails (or resumes) when fewer than :attr:`transfer_stall_bytes` arrived
    over this many seconds."""

    transfer_stall_bytes: int = attrs.field(default=16 * 1024, validator=_positive)
    """The least progress, in bytes per :attr:`transfer_stall_timeout`, of a live download."""

    max_cache_size: int | None = attrs.field(default=None, validator=_positive)
    """The most bytes the datasets cache under :attr:`cache_dir` may take. After a dataset
    (``cvat_client.datasets``, ``cvat_client.pytorch``) is opened, the least recently used
    tasks and projects that no process is using are removed until it fits (see
    ``cvat_client.datasets.cache``); ``None``: no bound."""
