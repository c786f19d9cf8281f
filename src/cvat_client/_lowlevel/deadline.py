"""Total deadlines of API requests.

httpx's timeouts apply to each network operation: a server that sends one byte every few
seconds resets the read timeout forever. A *deadline* bounds a whole API request instead:
connecting, sending, waiting for the headers, reading the body, and the retries in between.

The deadline of the request running in the current thread (or asyncio task) lives in a
:mod:`contextvars` variable, set by :func:`deadline_scope` around a call. Two mechanisms
enforce it:

* :func:`install_deadline_backend` wraps the network backend of an httpx transport: every
  socket read, write and connect gets at most the time left, and fails with a timeout once
  none is left. This interrupts a slow drip anywhere, headers included.
* The body readers (:mod:`cvat_client._lowlevel.body`) and the retry transport check
  :func:`remaining` between steps, so transports without sockets (the in-process test
  server) are bounded too.

Transfers (uploads, downloads) run without a deadline: their size is not bounded, so they
are bounded by a stall rule instead (see ``Config.transfer_stall_timeout``).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_DEADLINE",
    "deadline_scope",
    "remaining",
    "expired",
    "install_deadline_backend",
]

#: The default total deadline of one API request, in seconds.
DEFAULT_DEADLINE = 600.0

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "cvat_client_deadline", default=None
)


@contextmanager
def deadline_scope(seconds: float | None) -> Iterator[None]:
    """Bound everything in the ``with`` block by ``seconds`` (``None``: no new bound).

    Nested scopes keep the earlier of the two deadlines.
    """
    if seconds is None:
        yield
        return
    new = time.monotonic() + seconds
    current = _deadline.get()
    token = _deadline.set(new if current is None else min(current, new))
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def no_deadline() -> Iterator[None]:
    """Run the ``with`` block without any deadline (transfers: bounded by stall rules)."""
    token = _deadline.set(None)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (may be negative), or ``None`` if none."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def expired() -> bool:
    """Whether the current deadline has passed."""
    left = remaining()
    return left is not None and left <= 0


def clamp(timeout: float | None, exc: type[Exception]) -> float | None:
    """``timeout`` shortened to the time left; raises ``exc`` when no time is left."""
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise exc("the request's total deadline has passed")
    return left if timeout is None else min(timeout, left)


def install_deadline_backend(transport: Any) -> bool:
    """Make the sockets of an httpx transport honour the current deadline.

    Works on :class:`httpx.HTTPTransport` and :class:`httpx.AsyncHTTPTransport` (and their
    proxy pools); returns ``False`` and changes nothing for other transports.
    """
    import httpcore

    from cvat_client._lowlevel._deadline_sockets import AsyncBackend, SyncBackend

    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is None or isinstance(backend, SyncBackend | AsyncBackend):
        return False
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = SyncBackend(backend)  # type: ignore[union-attr]
        return True
    if isinstance(backend, httpcore.AsyncNetworkBackend):
        pool._network_backend = AsyncBackend(backend)  # type: ignore[union-attr]
        return True
    return False


def install_on_client(client: httpx.Client | httpx.AsyncClient) -> None:
    """:func:`install_deadline_backend` on the default transport of an httpx client."""
    install_deadline_backend(getattr(client, "_transport", None))
