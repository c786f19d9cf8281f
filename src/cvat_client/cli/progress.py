"""Progress bars (tqdm, on stderr) for uploads, downloads and waits.

By default a bar is shown only when stderr is a terminal; ``--progress`` forces it on,
``--no-progress`` off.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from cvat_client.cli.errors import CliError
from cvat_client.core.progress import DeferredTqdmProgressReporter

if TYPE_CHECKING:
    from cvat_client.core.client import Client

__all__ = ["TqdmReporter", "wait_for_request"]


class _LineWriter:
    """A stream for tqdm writing each bar state as a line of its own (no carriage
    returns, no blank clearing), for logs."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        line = text.replace("\r", "").rstrip()
        if line:
            self._stream.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class TqdmReporter(DeferredTqdmProgressReporter):
    """A progress reporter drawing a new tqdm bar on stderr for every run.

    ``enabled``: ``True`` always draws, ``False`` never, ``None`` only on a terminal.
    ``desc`` names runs that the operation does not name itself.
    """

    def __init__(self, desc: str, *, enabled: bool | None = None) -> None:
        terminal = _is_terminal(sys.stderr)
        options: dict[str, Any] = {
            "file": sys.stderr,
            "disable": not terminal if enabled is None else not enabled,
            "dynamic_ncols": True,
        }
        if not terminal:
            # A log, not a screen: no redrawing. Each bar is written as whole lines, once
            # when it starts and once when it ends (at 100 % when the work is complete).
            options.update(mininterval=float("inf"), file=_LineWriter(sys.stderr))
        super().__init__(options)
        self.desc = desc

    def _begin(self, total: int, options: dict[str, Any]) -> None:
        """Open a new bar of ``total`` units (named ``desc`` when the run is not named)."""
        super()._begin(total, {**options, "desc": options["desc"] or self.desc})


def wait_for_request(
    client: Client,
    rq_id: str,
    *,
    enabled: bool | None = None,
    timeout: float | None = None,
    period: float | None = None,
    desc: str = "Waiting for the server",
) -> Any:
    """Wait for the background request ``rq_id`` with a progress bar (0-100 %).

    Returns the finished request (an entity of ``client.requests``).

    Raises:
        CliError: the request failed, or ``timeout`` seconds passed first.
    """
    from cvat_client.core.exceptions import BackgroundRequestException, BackgroundRequestTimeout
    from cvat_client.core.proxies.requests import Request

    try:
        model = client.wait_for_request(
            rq_id,
            status_check_period=period,
            timeout=timeout,
            log_prefix=desc,
            pbar=TqdmReporter(desc, enabled=enabled),
        )
    except BackgroundRequestTimeout as exc:
        raise CliError(
            f"Request {rq_id} is still {exc.last_status} after {timeout:g} s; "
            f"wait again with: request wait {rq_id}"
        ) from None
    except BackgroundRequestException as exc:
        message = getattr(exc.request, "message", "") or "no message"
        raise CliError(f"Request {rq_id} failed: {message}") from None
    return Request(client, model)
