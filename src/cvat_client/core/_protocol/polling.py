"""The schedule of status checks while waiting for a background request."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PollSchedule", "FINISHED", "FAILED", "is_final"]

FINISHED = "finished"
FAILED = "failed"


def is_final(status: str) -> bool:
    """Whether a request status means the request has ended."""
    return status in (FINISHED, FAILED)


@dataclass(slots=True)
class PollSchedule:
    """When to check the status next.

    With a fixed ``period`` every wait is that long. Without one the waits start at
    ``first`` seconds and grow by ``factor`` up to ``cap``: quick requests are seen
    finished at once, long ones are not polled needlessly often. ``timeout`` (seconds
    since the start) bounds the whole wait.
    """

    period: float | None = None
    first: float = 0.1
    factor: float = 2.0
    cap: float = 5.0
    timeout: float | None = None
    _next: float = 0.0

    def __post_init__(self) -> None:
        if self.period is not None and self.period < 0:
            raise ValueError(f"status_check_period must not be negative, got {self.period}")
        if self.timeout is not None and self.timeout < 0:
            raise ValueError(f"timeout must not be negative, got {self.timeout}")
        self._next = self.first

    def next_delay(self, elapsed: float) -> float | None:
        """How long to wait before the next check, or ``None`` when the time is up.

        ``elapsed`` is the time spent waiting so far, in seconds.
        """
        if self.period is not None:
            delay = self.period
        else:
            delay = self._next
            self._next = min(self.cap, self._next * self.factor)
        if self.timeout is not None:
            remaining = self.timeout - elapsed
            if remaining <= 0:
                return None
            delay = min(delay, remaining)
        return delay
