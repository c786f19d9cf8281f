"""The state shared by the commands of one invocation: settings, output, the client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import click

from cvat_client.cli.connection import CliEnvironment, ConnectionSettings
from cvat_client.cli.output import Output
from cvat_client.cli.progress import TqdmReporter, wait_for_request

if TYPE_CHECKING:
    from collections.abc import Callable

    from cvat_client.core.client import Client

__all__ = ["CliState", "json_option", "pass_state"]

F = TypeVar("F", bound="Callable[..., Any]")


class CliState:
    """Settings of this invocation and the client, connected on first use."""

    def __init__(
        self,
        settings: ConnectionSettings,
        environment: CliEnvironment,
        *,
        output: Output,
        debug: bool = False,
        progress: bool | None = None,
    ) -> None:
        self.settings = settings
        self.environment = environment
        self.output = output
        self.debug = debug
        self.progress = progress
        self._client: Client | None = None
        self.pending_request: str | None = None
        """The id of the server-side request being waited for (``None``: none)."""

    def client(self, *, require_auth: bool = True) -> Client:
        """The client, connected (and logged in) on the first call; closed at exit.

        As cvat-cli, warns (without failing) when the server's version is not one this
        client was made for. The background request the client waits for is tracked in
        :attr:`pending_request`."""
        if self._client is None:
            client = self.settings.connect(self.environment, require_auth=require_auth)
            self._client = client
            click.get_current_context().find_root().call_on_close(self._close)
            client.check_server_version(fail_if_unsupported=False)
            _track_waits(client, self)
        return self._client

    def reporter(self, desc: str) -> TqdmReporter:
        """A progress reporter for an upload or a download."""
        return TqdmReporter(desc, enabled=self.progress)

    def wait(
        self, rq_id: str, *, timeout: float | None = None, desc: str = "Waiting for the server"
    ) -> Any:
        """Wait for a background request with a progress bar; returns it, finished."""
        return wait_for_request(
            self.client(),
            rq_id,
            enabled=self.progress,
            timeout=timeout,
            period=self.environment.status_check_period or self.settings.status_check_period,
            desc=desc,
        )

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _track_waits(client: Client, state: CliState) -> None:
    """Record in ``state.pending_request`` the request ``client`` waits for, so that an
    interruption can name the server-side work that goes on without us. Every wait of
    the client (imports, exports, backups, task data, uploads) goes through
    ``wait_for_request``."""
    wait = client.wait_for_request

    def tracked(rq_id: str, **kwargs: Any) -> Any:
        state.pending_request = rq_id
        try:
            result = wait(rq_id, **kwargs)
        except KeyboardInterrupt:
            if kwargs.get("cancel_on_interrupt"):
                state.pending_request = None  # cancelled on the server: nothing goes on
            raise  # otherwise the request goes on: keep its id for the message
        except BaseException:
            state.pending_request = None
            raise
        state.pending_request = None
        return result

    client.wait_for_request = tracked  # type: ignore[method-assign]


pass_state = click.make_pass_decorator(CliState)
"""Pass the :class:`CliState` of the invocation as the first argument."""


def _set_json(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_object(CliState).output.json = True  # type: ignore[union-attr]


def json_option(func: F) -> F:
    """``--json`` on a command (the same as the global ``--json``)."""
    return click.option(
        "--json",
        "json_output",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        help="Write JSON for scripts instead of text.",
    )(func)
