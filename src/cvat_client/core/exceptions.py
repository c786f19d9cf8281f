"""The exceptions of cvat-client, in one tree rooted in :class:`ApiException`.

``except ApiException`` catches everything the SDK raises on purpose. HTTP errors keep
their low-level classes (:class:`NotFoundException` for a 404...). The high-level client
adds, under :class:`CvatSdkException` (cvat-sdk's name), the errors of its own
operations: an invalid host, an unsupported server, a failed login, a failed or timed
out background request, a failed upload or download.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvat_client._lowlevel.exceptions import (
    ApiAttributeError,
    ApiConnectionError,
    ApiException,
    ApiKeyError,
    ApiTimeoutError,
    ApiTransportError,
    ApiTypeError,
    ApiValueError,
    BadRequestException,
    ConflictException,
    DeadlineExceededError,
    ForbiddenException,
    GoneException,
    InvalidResponseError,
    MethodNotAllowedException,
    NotAcceptableException,
    NotFoundException,
    OpenApiException,
    RangeNotSatisfiableException,
    RequestEntityTooLargeException,
    ResponseTooLargeError,
    ServiceException,
    TooManyRequestsException,
    UnauthorizedException,
    UnsupportedMediaTypeException,
)

if TYPE_CHECKING:
    from cvat_client.api_client import models

__all__ = [
    # low level
    "OpenApiException",
    "ApiException",
    "ApiTypeError",
    "ApiValueError",
    "ApiKeyError",
    "ApiAttributeError",
    "ApiTransportError",
    "ApiConnectionError",
    "ApiTimeoutError",
    "BadRequestException",
    "UnauthorizedException",
    "ForbiddenException",
    "NotFoundException",
    "MethodNotAllowedException",
    "NotAcceptableException",
    "ConflictException",
    "GoneException",
    "RequestEntityTooLargeException",
    "UnsupportedMediaTypeException",
    "RangeNotSatisfiableException",
    "TooManyRequestsException",
    "ServiceException",
    # high level
    "CvatSdkException",
    "InvalidHostException",
    "IncompatibleVersionException",
    "LoginError",
    "SessionRenewalError",
    "InvalidResponseError",
    "ResponseTooLargeError",
    "DeadlineExceededError",
    "BackgroundRequestException",
    "BackgroundRequestTimeout",
    "TransferError",
    "UploadError",
    "NoMediaError",
    "DownloadError",
    "UnsupportedByServer",
    "AuthStoreError",
]


class CvatSdkException(ApiException):
    """Base of the errors of the high-level client's own operations (cvat-sdk's name)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message=message)
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class InvalidHostException(CvatSdkException, ValueError):
    """The server address cannot be used (empty, bad scheme, bad port)."""


class IncompatibleVersionException(CvatSdkException):
    """The server's version is not one this client supports, and
    ``Config.allow_unsupported_server`` is ``False``."""


class LoginError(CvatSdkException):
    """The server refused the login (wrong user name or password, or no such account).

    ``status`` is the server's answer (CVAT answers 400 to a wrong password).
    """


class SessionRenewalError(LoginError, UnauthorizedException):
    """A call found its password session expired (401) and logging in again failed (the
    password was changed, or the account disabled).

    It is both a :class:`LoginError` and an :class:`UnauthorizedException` with status
    401, and names the call that failed (``method``, ``url``); ``login_status`` is the
    status of the failed login.
    """

    def __init__(self, message: str, *, method: str, url: str, login_status: int | None) -> None:
        super().__init__(message, status=401)
        self.reason = "Unauthorized"
        self.method = method
        self.url = url
        self.login_status = login_status


class BackgroundRequestException(CvatSdkException):
    """A background request (import, export, task creation) failed on the server.

    Attributes:
        request_id: the request's id.
        request: the finished request as the server reported it (with ``message``).
    """

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        request: models.Request | None = None,
    ) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.request = request


class NoMediaError(ApiValueError, BackgroundRequestException):
    """A task was to be created from no media at all (an empty ``resources`` list).

    Raised before anything is sent, so no empty task is left on the server. cvat-sdk
    creates the task and the server's data request then fails with "No media data found"
    (a :class:`BackgroundRequestException`); this error is that class too, with the same
    words, and an `ApiValueError` (a `ValueError`).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)


class BackgroundRequestTimeout(CvatSdkException, TimeoutError):
    """Waiting for a background request took longer than the given timeout.

    The request may still finish: wait again with :meth:`Client.wait_for_request`
    or cancel it with ``client.requests.cancel(request_id)``.

    Attributes:
        request_id: the request's id.
        last_status: the last status seen (``queued``, ``started``).
    """

    def __init__(self, message: str, *, request_id: str, last_status: str | None) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.last_status = last_status

    def __str__(self) -> str:
        return self.message


class TransferError(CvatSdkException):
    """An upload or a download could not be completed."""


class UploadError(TransferError):
    """An upload failed; nothing was imported. Details say which file and why."""


class DownloadError(TransferError):
    """A download failed; no partial file was left at the target path."""


class UnsupportedByServer(CvatSdkException, AttributeError):
    """The operation needs a server endpoint that CVAT no longer has (cvat-sdk raises an
    `AttributeError` there, so this is one too). The message says what to use instead."""


class AuthStoreError(CvatSdkException):
    """The saved authentication profiles cannot be used: unsafe permissions, a corrupt or
    newer store file, an unknown profile, or conflicting options (cvat-sdk's name)."""


def note_on_error(exc: BaseException, text: str, **attributes: object) -> None:
    """Add what happened after ``exc`` (e.g. a clean-up) to its message, keeping its type.

    The error keeps its class (``except`` clauses written for it still match); an
    :class:`ApiException` gets ``text`` appended to its message, any other exception a
    note (shown in its traceback); ``attributes`` are set on it (``task_id``...).
    """
    for name, value in attributes.items():
        setattr(exc, name, value)
    if isinstance(exc, ApiException):
        from cvat_client._lowlevel.exceptions import _describe_error_body

        detail = exc._message or _describe_error_body(exc.data, exc.body)
        exc._message = f"{detail.rstrip().rstrip('.')}. {text}" if detail else text
        exc.args = (str(exc),)
    if text not in str(exc):
        exc.add_note(text)


def _describe(exc: BaseException) -> str:
    """A short description of ``exc`` for messages (never contains credentials)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def chain_message(prefix: str, exc: BaseException, advice: str = "") -> str:
    """``prefix: <exc>. advice`` for wrapping a lower-level error."""
    message = f"{prefix}: {_describe(exc)}"
    return f"{message}. {advice}" if advice else message
