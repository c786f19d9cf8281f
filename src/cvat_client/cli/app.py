"""The ``cvat-client`` command: global options, error handling, the command groups."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import click
from tqdm import tqdm

from cvat_client._version import __version__
from cvat_client.cli.connection import (
    ENV_HOST,
    ENV_ORG,
    ENV_PORT,
    CliEnvironment,
    ConnectionSettings,
)
from cvat_client.cli.errors import EXIT_INTERRUPTED, CliError, describe, interrupted_request
from cvat_client.cli.output import Output
from cvat_client.cli.state import CliState

__all__ = ["cli", "logger", "main"]

logger = logging.getLogger("cvat_client")
"""The logger whose records the command line shows on stderr (cvat-cli's
``cvat_cli.__main__.logger``): the client's progress messages, and everything with
``--debug``."""

_CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _CvatGroup(click.Group):
    """The root group: turns every failure into one ``Error: ...`` line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            _quiet_stdout()  # `cvat-client task ls | head`: the reader left; stop quietly
            ctx.exit(0)
        except click.ClickException as exc:
            if _debug(ctx) and not isinstance(exc, click.UsageError):
                traceback.print_exc(file=sys.stderr)
            raise
        except KeyboardInterrupt as exc:
            state = ctx.find_object(CliState)
            if state is not None and state.pending_request:
                program = ctx.info_name or "cvat-client"
                click.echo("\n" + interrupted_request(state.pending_request, program), err=True)
            for note in getattr(exc, "__notes__", ()):  # e.g. a task created but not finished
                click.echo(f"Note: {note}", err=True)
            click.echo("Error: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if _debug(ctx):
                traceback.print_exc(file=sys.stderr)
            raise CliError(describe(exc)) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in LEGACY_ALIASES:
            command = _legacy_alias(self, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        legacy = [
            name for name in LEGACY_ALIASES if name not in names and _task_command(self, name)
        ]
        return [*names, *legacy]


LEGACY_ALIASES = {
    "create": "create",
    "ls": "ls",
    "delete": "delete",
    "frames": "frames",
    "dump": "export-dataset",
    "upload": "import-dataset",
    "export": "backup",
    "import": "create-from-backup",
    "auto-annotate": "auto-annotate",
}
"""cvat-cli's deprecated top-level commands and the ``task`` commands they stand for."""


def _task_command(group: click.Group, legacy: str) -> click.Command | None:
    task = group.commands.get("task")
    if not isinstance(task, click.Group):
        return None
    return task.commands.get(LEGACY_ALIASES[legacy])


def _legacy_alias(group: click.Group, legacy: str) -> click.Command | None:
    """``cvat-client create ...``: ``task create`` with cvat-cli's deprecation warning."""
    target = _task_command(group, legacy)
    if target is None or target.callback is None:
        return None
    replacement = f"task {LEGACY_ALIASES[legacy]}"
    callback = target.callback

    def run(**kwargs: Any) -> Any:
        # cvat-cli's warning, a log record as there: on stderr, and seen by logging's handlers
        logger.warning('This command is deprecated. Use "%s" instead.', replacement)
        return callback(**kwargs)

    return click.Command(
        legacy,
        params=target.params,
        callback=run,
        help=f'{target.help or ""}\n\n(Deprecated; use "{replacement}" instead.)',
        short_help=f'Deprecated; use "{replacement}".',
        context_settings=target.context_settings,
        hidden=False,
    )


def _quiet_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit raises nothing."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real stdout
        pass


def _debug(ctx: click.Context) -> bool:
    state = ctx.find_object(CliState)
    return bool(state and state.debug)


class _TqdmHandler(logging.Handler):
    """Writes log records to stderr without breaking a progress bar being drawn."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if sys.stderr.isatty():
                tqdm.write(self.format(record), file=sys.stderr)
            else:  # a log: no bar to redraw around the message
                sys.stderr.write(self.format(record) + "\n")
                sys.stderr.flush()
        except Exception:  # pragma: no cover - logging must never fail a command
            self.handleError(record)


class _Formatter(logging.Formatter):
    """The bare message for progress; ``Warning: ...`` and ``Error: ...`` for problems."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.capitalize()}: {text}"
        return text


def _setup_logging(debug: bool, progress: bool | None) -> Callable[[], None]:
    """Show warnings on stderr; with progress display also the client's progress messages
    (INFO); with ``--debug`` everything. Records still reach logging's other handlers (as
    in cvat-cli). Returns what restores the loggers as they were (for a program running
    the command line in-process)."""
    loggers = [logger, logging.getLogger("httpx")]
    saved = [(each, each.level, each.propagate) for each in loggers]

    def restore() -> None:
        for each, level, propagate in saved:
            for old in [h for h in each.handlers if isinstance(h, _TqdmHandler)]:
                each.removeHandler(old)
            each.setLevel(level)
            each.propagate = propagate

    show_progress = sys.stderr.isatty() if progress is None else progress
    handler = _TqdmHandler()
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s") if debug else _Formatter()
    )
    level = logging.DEBUG if debug else logging.INFO if show_progress else logging.WARNING
    handler.setLevel(level)
    _install(logger, handler, level)
    # httpx logs request lines only (no headers, no bodies): safe to show with --debug.
    _install(logging.getLogger("httpx"), handler if debug else None, logging.INFO)
    return restore


def _install(logger: logging.Logger, handler: logging.Handler | None, level: int) -> None:
    """Route ``logger`` to ``handler`` from ``level`` on, or undo that (``handler=None``).

    The logger's own level is lowered only below WARNING (and reset otherwise), so that
    a program running the command line in-process keeps its logging as it was."""
    for old in [h for h in logger.handlers if isinstance(h, _TqdmHandler)]:
        logger.removeHandler(old)
    logger.propagate = True
    logger.setLevel(level if handler is not None and level < logging.WARNING else logging.NOTSET)
    if handler is not None:
        logger.addHandler(handler)


@click.group("cvat-client", cls=_CvatGroup, context_settings=_CONTEXT_SETTINGS)
@click.option(
    "--server-host",
    envvar=ENV_HOST,
    show_envvar=True,
    metavar="URL",
    help="The CVAT server: a URL (http://... or https://...) or a host name (https). "
    "Default: the profile, the default server (config default-server) or http://localhost.",
)
@click.option(
    "--server-port",
    envvar=ENV_PORT,
    type=click.IntRange(1, 65535),
    show_envvar=True,
    help="The server's port, if not in --server-host (default: 80 for http, 443 for https). "
    "CVAT_PORT is used only with CVAT_HOST.",
)
@click.option(
    "--auth",
    metavar="USER[:PASS]",
    help="Log in with a user name and password. Without a password: the PASS (or "
    "CVAT_PASSWORD) variable, else asked for (without a terminal: read from stdin). "
    "Default: CVAT_ACCESS_TOKEN, else CVAT_USERNAME, else the operating-system user.",
)
@click.option(
    "--access-token",
    metavar="TOKEN",
    help="Authenticate with a personal access token (or set CVAT_ACCESS_TOKEN).",
)
@click.option(
    "--profile",
    metavar="NAME",
    help="Use a saved profile (server and token); see 'profile list'. Not with "
    "--server-host/--server-port/--auth.",
)
@click.option(
    "--organization",
    "--org",
    "org",
    envvar=ENV_ORG,
    show_envvar=True,
    metavar="SLUG",
    help="Work in this organization ('' for the personal workspace).",
)
@click.option("--insecure", is_flag=True, help="Do not verify the server's TLS certificate.")
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    help="Repeat a request that failed on the network or with 429/502/503/504 this many "
    "times (default: 5, with growing pauses).",
)
@click.option("--json", "json_output", is_flag=True, help="Write JSON for scripts instead of text.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show progress bars on stderr (default: only on a terminal).",
)
@click.option("--debug", is_flag=True, help="On errors, show the traceback; log HTTP requests.")
@click.version_option(__version__, "-V", "--version", prog_name="cvat-client")
@click.pass_context
def cli(
    ctx: click.Context,
    server_host: str | None,
    server_port: int | None,
    auth: str | None,
    access_token: str | None,
    profile: str | None,
    org: str | None,
    insecure: bool,
    retries: int | None,
    json_output: bool,
    progress: bool | None,
    debug: bool,
) -> None:
    """Work with a CVAT server from the command line (cvat-cli's commands, and more).

    Results go to stdout (ids, or JSON with --json); progress bars, messages and errors
    to stderr. The exit status is 0 on success, 1 on failure and 2 for a wrong command line.
    """
    environment = ctx.obj if isinstance(ctx.obj, CliEnvironment) else CliEnvironment()
    from_env = click.core.ParameterSource.ENVIRONMENT
    if (
        ctx.get_parameter_source("server_port") == from_env
        and ctx.get_parameter_source("server_host") != from_env
    ):
        # CVAT_PORT goes with CVAT_HOST: a host given otherwise (the command line, a
        # profile, the default server) keeps its own port, as cvat-cli's command lines expect
        server_port = None
    ctx.call_on_close(_setup_logging(debug, progress))  # undone after the command
    ctx.obj = CliState(
        ConnectionSettings(
            host=server_host,
            port=server_port,
            auth=auth,
            access_token=access_token,
            organization=org,
            insecure=insecure,
            retries=retries,
            profile=profile,
        ),
        environment,
        output=Output(json=json_output),
        debug=debug,
        progress=progress,
    )


def _register() -> None:
    from cvat_client.cli.commands import (
        annotations,
        functions,
        jobs,
        profiles,
        projects,
        requests,
        server,
        tasks,
    )

    groups: list[click.Command] = [
        server.server,
        projects.project,
        tasks.task,
        jobs.job,
        annotations.annotations_group,
        requests.request,
        profiles.profile,
        profiles.config,
        functions.function,
    ]
    for group in groups:
        cli.add_command(group)


_register()


def _program_name(args: Sequence[str] | None) -> str:
    """The name the program was run by, for usage lines and hints: the command's file
    name (``cvat-client``, or another name linked to it) when the arguments come from
    the command line, else ``cvat-client``."""
    import os

    if args is None and sys.argv and sys.argv[0]:
        name = os.path.basename(sys.argv[0])
        if name.endswith(".exe"):
            name = name[:-4]
        if name and not name.endswith(".py") and name != "-c":
            return name
    return "cvat-client"


def main(args: Sequence[str] | None = None) -> int:
    """Run the command line with ``args`` (``None``: ``sys.argv[1:]``) and return its exit
    status, as cvat-cli's ``main`` does: 0 on success, 1 when the command failed (the error
    is printed on stderr).

    A command line that cannot be parsed raises ``SystemExit(2)`` after printing the usage
    error, as argparse does in cvat-cli. The ``cvat-client`` console script exits with the
    returned status.
    """
    try:
        try:
            rv = cli.main(
                args=list(args) if args is not None else None,
                prog_name=_program_name(args),
                standalone_mode=False,
            )
        except click.UsageError as exc:
            exc.show()
            raise SystemExit(exc.exit_code) from None
        except click.ClickException as exc:
            exc.show()
            return exc.exit_code
        except click.Abort:
            click.echo("Aborted!", err=True)
            return 1
    except BrokenPipeError:  # pragma: no cover - raised while click flushes its output
        _quiet_stdout()
        return 0
    # click returns the status of ``ctx.exit(n)`` (e.g. ``--help``) or the command's result.
    return rv if isinstance(rv, int) and not isinstance(rv, bool) else 0
