"""Errors of the command line: one readable line on stderr, exit status 1."""

from __future__ import annotations

import json

import click

from cvat_client._lowlevel.exceptions import (
    ApiException,
    ApiTransportError,
    ForbiddenException,
    UnauthorizedException,
)
from cvat_client.core.exceptions import CvatSdkException

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "CliError",
    "describe",
    "interrupted_request",
]

EXIT_ERROR = 1
"""The exit status of a failed command (server error, missing file, bad input data)."""
EXIT_USAGE = 2
"""The exit status of a command line click cannot parse (unknown option, missing argument)."""
EXIT_INTERRUPTED = 130
"""The exit status after Ctrl-C."""

_MAX_LENGTH = 600


class CliError(click.ClickException):
    """A failure to report as ``Error: <message>`` (one line) with exit status 1."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def replace_note(exc: BaseException, about: str, text: str) -> None:
    """Replace the notes of ``exc`` that contain ``about`` (the SDK's, which speak Python)
    by ``text`` (a command line), keeping every other note."""
    kept = [note for note in getattr(exc, "__notes__", []) if about not in note]
    exc.__notes__ = [*kept, text]


def one_line(text: str) -> str:
    """``text`` on a single line, shortened to a readable length."""
    flat = " ".join(text.split())
    if len(flat) > _MAX_LENGTH:
        flat = flat[: _MAX_LENGTH - 3] + "..."
    return flat


_PLAIN_TO_TLS = ("HTTP request to an HTTPS server", "plain HTTP request was sent to HTTPS port")


def describe(exc: BaseException) -> str:
    """A one-line description of ``exc`` for the user (never contains credentials)."""
    text = _describe(exc)
    if any(marker in text for marker in _PLAIN_TO_TLS):
        text += ". The server expects HTTPS: use https:// in --server-host"
    elif "CERTIFICATE_VERIFY_FAILED" in text:
        text += (
            ". The server's TLS certificate could not be verified: check the address, or "
            "use --insecure to skip the check"
        )
    return text


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UnauthorizedException):
        return (
            f"Authentication failed {exc.message}. "
            "Check --auth/--access-token (or CVAT_USERNAME, CVAT_PASSWORD, CVAT_ACCESS_TOKEN)"
        )
    if isinstance(exc, ForbiddenException):
        return f"Permission denied {exc.message}"
    if isinstance(exc, CvatSdkException):
        # The SDK's own errors carry a full sentence; the status is already in it.
        return str(exc.args[0]) if exc.args and exc.args[0] else exc.message
    if isinstance(exc, ApiTransportError):
        return f"Cannot reach the server: {exc.message}"
    if isinstance(exc, ApiException):
        return exc.message
    if isinstance(exc, json.JSONDecodeError):
        return f"Invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, FileNotFoundError | IsADirectoryError | PermissionError) and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    text = str(exc)
    if isinstance(exc, OSError | ValueError | TimeoutError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_OPERATIONS = {
    "export": "export",
    "import": "import",
    "create": "processing of the task data",
}


def interrupted_request(rq_id: str, program: str = "cvat-client") -> str:
    """What to tell after Ctrl-C while the server works on the background request
    ``rq_id``: it goes on there, and the command lines (of ``program``) to wait for it or
    to stop it."""
    import shlex
    from urllib.parse import parse_qs

    action = parse_qs(rq_id).get("action", [""])[0]
    operation = _OPERATIONS.get(action, "request")
    quoted = shlex.quote(rq_id)
    return (
        f"Interrupted: the {operation} may go on on the server (request {rq_id}).\n"
        f"  wait for it: {program} request wait {quoted}\n"
        f"  stop it:     {program} request cancel {quoted}"
    )
