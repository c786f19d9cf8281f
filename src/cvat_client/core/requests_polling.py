"""Waiting for background requests (``/api/requests/{id}``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cvat_client._lowlevel.exceptions import ApiException
from cvat_client.core._protocol.polling import FAILED, FINISHED, PollSchedule
from cvat_client.core.exceptions import BackgroundRequestException, BackgroundRequestTimeout

if TYPE_CHECKING:
    from cvat_client.api_client import models
    from cvat_client.core.client import Client
    from cvat_client.core.progress import ProgressReporter

__all__ = ["wait_for_request", "status_of"]


def status_of(request: models.Request) -> str:
    """A request's status as a plain string (``queued``, ``started``, ``finished``, ``failed``)."""
    status = request.status
    return str(getattr(status, "value", status))


def wait_for_request(
    client: Client,
    rq_id: str,
    *,
    status_check_period: float | None = None,
    timeout: float | None = None,
    log_prefix: str | None = None,
    cancel_on_interrupt: bool = False,
    pbar: ProgressReporter | None = None,
) -> models.Request:
    """Poll a background request until it ends; see :meth:`Client.wait_for_request`."""
    return wait_for_request_and_response(
        client,
        rq_id,
        status_check_period=status_check_period,
        timeout=timeout,
        log_prefix=log_prefix,
        cancel_on_interrupt=cancel_on_interrupt,
        pbar=pbar,
    )[0]


def wait_for_request_and_response(
    client: Client,
    rq_id: str,
    *,
    status_check_period: float | None = None,
    timeout: float | None = None,
    log_prefix: str | None = None,
    cancel_on_interrupt: bool = False,
    pbar: ProgressReporter | None = None,
) -> tuple[models.Request, Any]:
    """:func:`wait_for_request`, also returning the last status response."""
    reported = _PercentReporter(pbar, log_prefix or "Waiting for the server")
    config = client.config
    schedule = PollSchedule(
        period=status_check_period
        if status_check_period is not None
        else config.status_check_period,
        cap=config.max_status_check_period,
        timeout=timeout if timeout is not None else config.request_timeout,
    )
    started = client._clock()
    last_status: str | None = None
    try:
        while True:
            request, response = client.api_client.requests_api.retrieve(rq_id)
            assert request is not None
            status = status_of(request)
            if status != last_status:
                prefix = log_prefix or _operation_name(request)
                progress = request.progress
                client.logger.info(
                    "%s: %s%s%s",
                    prefix,
                    status,
                    f" ({progress:.0%})" if isinstance(progress, float) and progress else "",
                    f" - {request.message}"
                    if isinstance(request.message, str) and request.message
                    else "",
                )
                last_status = status
            reported.update(request.progress, finished=status == FINISHED)
            if status == FINISHED:
                reported.finish()
                return request, response
            if status == FAILED:
                message = request.message if isinstance(request.message, str) else ""
                raise BackgroundRequestException(
                    f"{_operation_name(request).capitalize()} failed on the server: "
                    f"{message or 'no reason given'}",
                    request_id=rq_id,
                    request=request,
                )
            delay = schedule.next_delay(client._clock() - started)
            if delay is None:
                raise BackgroundRequestTimeout(
                    f"The background request {rq_id!r} did not finish within "
                    f"{schedule.timeout:g} s (last status: {status}). It may still finish: "
                    "wait again, or cancel it with client.requests.cancel(request_id).",
                    request_id=rq_id,
                    last_status=status,
                )
            client._sleep(delay)
    except KeyboardInterrupt:
        if cancel_on_interrupt:
            _cancel_quietly(client, rq_id)
        raise
    finally:
        reported.finish()


class _PercentReporter:
    """Feeds a request's ``progress`` (0..1) to a progress reporter as percent."""

    def __init__(self, pbar: ProgressReporter | None, desc: str) -> None:
        self._pbar = pbar
        self._desc = desc
        self._done = 0
        self._started = False
        self._finished = False

    def update(self, progress: object, *, finished: bool) -> None:
        if self._pbar is None:
            return
        if not self._started:
            self._pbar.start2(100, desc=self._desc, unit="%")
            self._started = True
        percent = 100 if finished else _percent(progress)
        if percent > self._done:
            self._pbar.advance(percent - self._done)
            self._done = percent

    def finish(self) -> None:
        if self._pbar is not None and self._started and not self._finished:
            self._finished = True
            self._pbar.finish()


def _percent(progress: object) -> int:
    if isinstance(progress, int | float) and not isinstance(progress, bool):
        return max(0, min(100, int(progress * 100)))
    return 0


def _cancel_quietly(client: Client, rq_id: str) -> None:
    try:
        client.api_client.requests_api.create_cancel(rq_id)
        client.logger.info("Cancelled the background request %s", rq_id)
    except ApiException as exc:
        client.logger.warning("Could not cancel the background request %s: %s", rq_id, exc)


def _operation_name(request: models.Request) -> str:
    operation = getattr(request, "operation", None)
    kind = getattr(operation, "type", None)
    if isinstance(kind, str) and kind:
        return f"{kind} operation"
    return "background request"
