"""``request``: the server's background requests (imports, exports, task creation)."""

from __future__ import annotations

from typing import Any

import click

from cvat_client._lowlevel.exceptions import NotFoundException
from cvat_client.cli.errors import CliError
from cvat_client.cli.output import Column, table_lines
from cvat_client.cli.state import CliState, json_option, pass_state

__all__ = ["request"]

STATUSES = ("queued", "started", "finished", "failed")


def _target(request: Any) -> str:
    operation = request.operation
    for kind in ("job", "task", "project"):
        value = getattr(operation, f"{kind}_id", None)
        if isinstance(value, int):
            return f"{kind} #{value}"
    return str(getattr(operation, "target", "") or "-")


def _progress(request: Any) -> str:
    if request.status_value == "finished":
        return "100%"
    value = getattr(request, "progress", None)
    return f"{round(float(value) * 100)}%" if isinstance(value, int | float) else "-"


WIDTH = 100
"""``request ls`` fits this many columns: each row is followed by the (long) request id."""

COLUMNS = [
    Column("STATUS", "status"),
    Column("OPERATION", lambda r: getattr(r.operation, "type", None)),
    Column("TARGET", _target),
    Column("PROGRESS", _progress),
    Column("CREATED", "created_date"),
    Column("MESSAGE", "message"),
]


@click.group()
def request() -> None:
    """Background requests: list, wait for, cancel."""


@request.command("ls")
@click.option("--status", type=click.Choice(STATUSES), help="Only requests in this state.")
@json_option
@pass_state
def list_requests(state: CliState, status: str | None) -> None:
    """List your background requests (each row followed by the request's id)."""
    filters: dict[str, Any] = {"status": status} if status else {}
    requests = state.client().requests.list(**filters)
    if state.output.json or not requests:
        state.output.table(requests, COLUMNS, empty="No requests.")
        return
    header, *rows = table_lines(requests, COLUMNS)
    click.echo(_fit(header))
    for line, item in zip(rows, requests, strict=True):
        click.echo(_fit(line))
        click.echo(f"  {item.id}")  # whole, to copy into 'request wait/cancel'


def _fit(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 3] + "..."


def _check_exists(client: Any, rq_id: str) -> None:
    try:
        client.requests.retrieve(rq_id)
    except NotFoundException:
        raise CliError(f"Request {rq_id} not found (or expired)") from None


@request.command("wait")
@click.argument("rq_id", metavar="RQ_ID")
@click.option("--timeout", type=click.FloatRange(min=0), help="Give up after this many seconds.")
@json_option
@pass_state
def wait(state: CliState, rq_id: str, timeout: float | None) -> None:
    """Wait until a request ends; fail if it failed."""
    client = state.client()
    _check_exists(client, rq_id)
    finished = state.wait(rq_id, timeout=timeout, desc="Waiting")
    result_url = getattr(finished, "result_url", None)
    message = f"Request {rq_id} finished"
    if result_url:
        message += f"; result: {result_url}"
    state.output.done(message, finished.to_dict())


@request.command("cancel")
@click.argument("rq_id", metavar="RQ_ID")
@json_option
@pass_state
def cancel(state: CliState, rq_id: str) -> None:
    """Cancel a request that has not finished."""
    client = state.client()
    _check_exists(client, rq_id)
    client.requests.cancel(rq_id)
    state.output.done(f"Cancelled request {rq_id}", {"id": rq_id, "cancelled": True})
