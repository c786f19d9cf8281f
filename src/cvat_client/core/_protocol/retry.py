"""Retry decisions: which failures are worth another attempt, and after how long."""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "FailureKind",
    "RetryPolicy",
    "parse_retry_after",
]

#: Methods a server may receive twice without changing the outcome (RFC 9110, 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})

#: Answers that mean "not now": rate limited or the server (or a proxy) is unavailable.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class FailureKind(enum.Enum):
    """How a request failed without an HTTP answer."""

    #: The request never reached the server (connection refused, DNS, connect timeout,
    #: no free connection in the pool): retrying is safe for any method.
    NOT_SENT = "not_sent"
    #: The connection broke while the request or its answer was in transit: the server
    #: may have acted on it, so only idempotent requests are retried.
    BROKEN = "broken"
    #: The server did not answer in time: not retried (another attempt would only
    #: multiply the wait the caller asked for).
    TIMEOUT = "timeout"
    #: The connection cannot be made as configured (the server's TLS certificate failed
    #: verification): not retried, another attempt would fail the same way.
    REFUSED = "refused"


def parse_retry_after(value: str | None, *, now: _dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delay-seconds or an HTTP date).

    ``None`` when absent or unreadable; never negative.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    current = now if now is not None else _dt.datetime.now(_dt.UTC)
    return max(0.0, (when - current).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter.

    Attributes:
        retries: how many times a request may be repeated (0 disables retries).
        backoff: the first delay, in seconds; it doubles with every attempt.
        max_backoff: the longest delay; a ``Retry-After`` longer than this is not
            waited for (the answer is returned to the caller instead).
    """

    retries: int = 5
    backoff: float = 0.5
    max_backoff: float = 30.0

    def backoff_delay(self, attempt: int, rng: Callable[[], float]) -> float:
        """The delay before retry number ``attempt`` (0-based), with jitter.

        The delay is drawn from ``[cap / 2, cap]`` where ``cap`` doubles from
        :attr:`backoff` up to :attr:`max_backoff`.
        """
        cap = min(self.max_backoff, self.backoff * (2.0 ** min(attempt, 60)))
        return cap * (0.5 + 0.5 * rng())

    def for_error(
        self, method: str, kind: FailureKind, attempt: int, rng: Callable[[], float]
    ) -> float | None:
        """The delay before retrying a request that got no answer, or ``None`` to give up."""
        if attempt >= self.retries or kind in (FailureKind.TIMEOUT, FailureKind.REFUSED):
            return None
        if kind is FailureKind.BROKEN and method.upper() not in IDEMPOTENT_METHODS:
            return None
        return self.backoff_delay(attempt, rng)

    def for_status(
        self,
        method: str,
        status: int,
        retry_after: float | None,
        attempt: int,
        rng: Callable[[], float],
    ) -> float | None:
        """The delay before retrying a request answered with ``status``, or ``None``."""
        if attempt >= self.retries or status not in RETRY_STATUSES:
            return None
        if method.upper() not in IDEMPOTENT_METHODS:
            return None
        if retry_after is not None:
            if retry_after > self.max_backoff:
                return None
            # A little jitter on top so that many clients do not come back at once.
            return retry_after + min(1.0, 0.1 * retry_after) * rng()
        return self.backoff_delay(attempt, rng)
