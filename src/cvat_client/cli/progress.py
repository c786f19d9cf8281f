"""Progress bars (tqdm, on stderr) for uploads, downloads and waits.

By default a bar is shown only when stderr is a terminal; ``--progress`` forces it on,
``--no-progress`` off.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from cvat_client.cli.errors import CliError
from cvat_client.core.progress import DeferredTqdmProgressReporter

if TYPE_CHECKING:
    from cvat_client.core.client import Client

__all__ = ["TqdmReporter", "wait_for_request"]

_FIRST_POLL = 0.1
_LONGEST_POLL = 2.0


def _disable(enabled: bool | None) -> bool | None:
    # tqdm's ``disable=None`` means: off when the output is not a terminal.
    return None if enabled is None else not enabled


class TqdmReporter(DeferredTqdmProgressReporter):
    """A progress reporter drawing a new tqdm bar on stderr for every run.

    ``enabled``: ``True`` always draws, ``False`` never, ``None`` only on a terminal.
    ``desc`` names runs that the operation does not name itself.
    """

    def __init__(self, desc: str, *, enabled: bool | None = None) -> None:
        super().__init__({"file": sys.stderr, "disable": _disable(enabled), "dynamic_ncols": True})
        self.desc = desc

    def start2(
        self,
        total: int,
        *,
        desc: str | None = None,
        unit: str = "it",
        unit_scale: bool = False,
        unit_divisor: int = 1000,
        **kwargs: Any,
    ) -> None:
        """Open a new bar of ``total`` units."""
        super().start2(
            total,
            desc=desc or self.desc,
            unit=unit,
            unit_scale=unit_scale,
            unit_divisor=unit_divisor,
            **kwargs,
        )


def wait_for_request(
    client: Client,
    rq_id: str,
    *,
    enabled: bool | None = None,
    timeout: float | None = None,
    period: float | None = None,
    desc: str = "Waiting for the server",
) -> Any:
    """Poll the background request ``rq_id`` until it ends, drawing its progress (0-100 %).

    Returns the finished request (an entity of ``client.requests``).

    Raises:
        CliError: the request failed, or ``timeout`` seconds passed first.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = period or _FIRST_POLL
    with tqdm(
        total=100,
        desc=desc,
        unit="%",
        bar_format="{desc}: {percentage:3.0f}%|{bar}|",
        file=sys.stderr,
        disable=_disable(enabled),
        dynamic_ncols=True,
    ) as bar:
        while True:
            request = client.requests.retrieve(rq_id)
            status = request.status_value
            progress = getattr(request, "progress", None)
            if isinstance(progress, int | float):
                bar.n = round(min(max(float(progress), 0.0), 1.0) * 100)
            bar.set_description_str(f"{desc} ({status})", refresh=True)
            if status == "finished":
                bar.n = 100
                bar.refresh()
                return request
            if status == "failed":
                message = getattr(request, "message", "") or "no message"
                raise CliError(f"Request {rq_id} failed: {message}")
            if deadline is not None and time.monotonic() >= deadline:
                raise CliError(
                    f"Request {rq_id} is still {status} after {timeout:g} s; "
                    f"wait again with: request wait {rq_id}"
                )
            pause = delay if deadline is None else min(delay, max(deadline - time.monotonic(), 0))
            time.sleep(pause)
            if period is None:
                delay = min(delay * 1.5, _LONGEST_POLL)
