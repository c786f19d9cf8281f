"""The high-level client: :func:`make_client` and :class:`Client`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self, TypeVar

import attrs
import httpx

from cvat_client._lowlevel import redaction
from cvat_client._lowlevel.client import ACCEPT
from cvat_client._lowlevel.configuration import Configuration, to_httpx_timeout
from cvat_client._lowlevel.deadline import install_deadline_backend
from cvat_client._lowlevel.exceptions import ApiException, ApiValueError
from cvat_client._version import __version__
from cvat_client.api_client import SCHEMA_VERSION
from cvat_client.core._protocol.retry import RetryPolicy
from cvat_client.core._protocol.urls import normalize_host
from cvat_client.core._protocol.version import Version, compatible_release
from cvat_client.core.config import Config
from cvat_client.core.exceptions import (
    IncompatibleVersionException,
    InvalidHostException,
    LoginError,
)
from cvat_client.core.retry import (
    RetryTransport,
    SessionCookieJar,
    SessionRenewal,
)
from cvat_client.core.utils import ALLOWED_SERVER_SCHEMAS, CVAT_API_V2

if TYPE_CHECKING:
    from cvat_client._lowlevel.response import Response
    from cvat_client.api_client import ApiClient, models
    from cvat_client.core.bulk import Bulk
    from cvat_client.core.progress import ProgressReporter
    from cvat_client.core.proxies.cloudstorages import CloudStoragesRepo
    from cvat_client.core.proxies.comments import CommentsRepo
    from cvat_client.core.proxies.issues import IssuesRepo
    from cvat_client.core.proxies.jobs import JobsRepo
    from cvat_client.core.proxies.labels import LabelsRepo
    from cvat_client.core.proxies.organizations import OrganizationsRepo
    from cvat_client.core.proxies.projects import ProjectsRepo
    from cvat_client.core.proxies.requests import RequestsRepo
    from cvat_client.core.proxies.tasks import TasksRepo
    from cvat_client.core.proxies.users import UsersRepo

__all__ = [
    "Client",
    "make_client",
    "Credentials",
    "PasswordCredentials",
    "AccessTokenCredentials",
    "TokenCredentials",
]

_RepoT = TypeVar("_RepoT")

#: This package's version (cvat-sdk's ``core.client.VERSION``).
VERSION = __version__

_SCHEMA = Version(SCHEMA_VERSION)


class Credentials:
    """Base of the credential kinds :meth:`Client.login` accepts."""

    __slots__ = ()


@attrs.define(repr=False)
class PasswordCredentials(Credentials):
    """A user name (or e-mail) and password: a session with CSRF protection."""

    user: str
    password: str

    def __repr__(self) -> str:
        return f"PasswordCredentials(user={self.user!r}, password='***')"


@attrs.define(repr=False)
class AccessTokenCredentials(Credentials):
    """A personal access token, sent as ``Authorization: Bearer <token>``."""

    token: str

    def __repr__(self) -> str:
        return "AccessTokenCredentials(token='***')"


@attrs.define(repr=False)
class TokenCredentials(Credentials):
    """A legacy API token (the ``key`` of ``/api/auth/login``), sent as ``Token <key>``."""

    key: str

    def __repr__(self) -> str:
        return "TokenCredentials(key='***')"


class Client:
    """A connection to one CVAT server: authentication, settings and the repositories.

    Make one with :func:`make_client`; use it as a context manager (or call
    :meth:`close`). ``client.tasks``, ``client.projects``... give the objects;
    ``client.api_client`` is the low-level client, sharing the same connection pool,
    authentication, organization, retries and timeouts.

    A client can be used from many threads at once (requests, uploads, downloads and
    the automatic session renewal are thread-safe); changing its settings
    (``organization_slug``, ``login``, ``logout``) affects every thread's calls.

    Args:
        url: the server address (``https://app.cvat.ai``; no scheme means ``https``).
        logger: where to log (default: the ``cvat_client`` logger).
        config: behaviour settings (:class:`Config`).
        check_server_version: check the server version now (see :meth:`check_server_version`).
        transport: an httpx transport to send through instead of the network (tests use
            the in-process test server's).
    """

    #: The URL schemes a server address may have.
    ALLOWED_SCHEMAS = ALLOWED_SERVER_SCHEMAS

    #: The server versions this client is made for (cvat-sdk's name): the schema's
    #: ``major.minor`` and the next minor version.
    SUPPORTED_SERVER_VERSIONS = (
        Version(f"{_SCHEMA.major}.{_SCHEMA.minor}"),
        Version(f"{_SCHEMA.major}.{_SCHEMA.minor + 1}"),
    )

    def __init__(
        self,
        url: str,
        *,
        logger: logging.Logger | None = None,
        config: Config | None = None,
        check_server_version: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        from cvat_client.api_client import ApiClient

        try:
            host = normalize_host(url)
        except ValueError as exc:
            raise InvalidHostException(f"Invalid server address {url!r}: {exc}") from None
        self.logger: logging.Logger = logger or logging.getLogger("cvat_client")
        """The logger of this client's operations."""
        self.config: Config = config if config is not None else Config()
        """The behaviour settings."""
        configuration = Configuration(
            host,
            verify_ssl=self.config.verify_ssl is not False,
            ssl_ca_cert=self.config.ssl_ca_cert,
            timeout=self.config.timeout,
            deadline=self.config.deadline,
            max_response_size=self.config.max_response_size,
            max_annotations_response_size=self.config.max_annotations_response_size,
        )
        inner = transport
        if inner is None:
            inner = httpx.HTTPTransport(
                verify=configuration.ssl_context(),
                proxy=self.config.proxy or environment_proxy(host),
                http1=True,
                retries=0,
            )
            install_deadline_backend(inner)
        self._retry = RetryTransport(
            inner,
            RetryPolicy(
                retries=self.config.retries,
                backoff=self.config.retry_backoff,
                max_backoff=self.config.max_backoff,
            ),
        )
        self.api_client: ApiClient = ApiClient(configuration, transport=self._retry)
        self.api_map = CVAT_API_V2(host)
        """Builds URLs of the server's API (``make_endpoint_url``)."""
        """The low-level client (:class:`cvat_client.api_client.ApiClient`)."""
        self.api_client.client.auth = SessionRenewal(self)
        self._credentials: PasswordCredentials | None = None
        self._session_generation = 0
        jar = SessionCookieJar(lambda: self._session_generation)
        for cookie in self.api_client.client.cookies.jar:
            jar.set_cookie(cookie)
        self.api_client.client.cookies = jar
        self._repos: dict[str, Any] = {}
        self._closed = False
        self._lock = threading.Lock()
        redaction.install(self)
        # Injectable for tests of polling: no test waits for real.
        self._sleep: Callable[[float], None] = time.sleep
        self._clock: Callable[[], float] = time.monotonic
        if check_server_version:
            try:
                self.check_server_version()
            except BaseException:
                self.api_client.close()
                redaction.uninstall(self)
                raise

    # --- life cycle ---------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The server's base URL, ``scheme://host[:port]``."""
        return self.api_client.configuration.host

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Log out of a password session and close the connection pool. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._credentials is not None:
            try:
                self.logout()
            except ApiException as exc:
                self.logger.debug("Logout at close failed: %s", exc)
        self.api_client.close()
        redaction.uninstall(self)

    def __repr__(self) -> str:
        user = f", user={self._credentials.user!r}" if self._credentials else ""
        return f"<Client {self.host}{user}>"

    # --- authentication -----------------------------------------------------------------

    def login(self, credentials: Credentials | tuple[str, str]) -> None:
        """Authenticate: a ``(user, password)`` pair or :class:`PasswordCredentials` log in
        (a session; renewed once automatically if it expires), :class:`AccessTokenCredentials`
        and :class:`TokenCredentials` are sent with every request.

        Raises:
            LoginError: the server refused the user name or password.
        """
        if self.has_credentials():
            self.logout()
        if isinstance(credentials, tuple):
            if len(credentials) != 2 or not all(isinstance(v, str) for v in credentials):
                raise ApiValueError("credentials must be a (user, password) pair of strings")
            credentials = PasswordCredentials(credentials[0], credentials[1])
        configuration = self.api_client.configuration
        if isinstance(credentials, AccessTokenCredentials):
            redaction.register_secret(credentials.token)
            configuration.access_token = credentials.token
            return
        if isinstance(credentials, TokenCredentials):
            redaction.register_secret(credentials.key)
            configuration.api_key["tokenAuth"] = credentials.key
            return
        if not isinstance(credentials, PasswordCredentials):
            raise ApiValueError(
                "credentials must be a (user, password) pair, PasswordCredentials, "
                f"AccessTokenCredentials or TokenCredentials, not {type(credentials).__name__}"
            )
        redaction.register_secret(credentials.password)
        self._password_login(credentials)
        for name in ("sessionid", "csrftoken"):
            redaction.register_secret(self._cookie(name))
        self._credentials = credentials
        self._session_generation += 1

    def _password_login(self, credentials: PasswordCredentials) -> None:
        from cvat_client.api_client import models

        body = models.LoginSerializerExRequest(
            username=credentials.user, password=credentials.password
        )
        try:
            self.api_client.auth_api.create_login(body)
        except ApiException as exc:
            if exc.status in (400, 401, 403):
                said = _server_text(exc.data) or _plain_text(exc)
                server = f" The server says: {said}" if said else ""
                raise LoginError(
                    f"Login as {credentials.user!r} failed.{server} "
                    "Check the user name (or e-mail) and the password.",
                    status=exc.status,
                ) from None
            raise
        if self._cookie("sessionid") is None:
            raise LoginError(
                f"The server accepted the login as {credentials.user!r} but set no session "
                "cookie; check that the address points at a CVAT server",
                status=200,
            )

    def has_credentials(self) -> bool:
        """Whether the client holds a session or a token."""
        configuration = self.api_client.configuration
        return (
            self._cookie("sessionid") is not None
            or configuration.access_token is not None
            or "tokenAuth" in configuration.api_key
        )

    def logout(self) -> None:
        """End the session on the server (if any) and forget every credential."""
        try:
            if self._cookie("sessionid") is not None:
                self.api_client.auth_api.create_logout(_headers={"Accept": ACCEPT})
        finally:
            self._credentials = None
            configuration = self.api_client.configuration
            configuration.access_token = None
            for key in ("tokenAuth", "csrfHeaderAuth", "sessionAuth", "csrfAuth"):
                configuration.api_key.pop(key, None)
            jar = self.api_client.client.cookies
            for name in ("sessionid", "csrftoken", "sessionfresh"):
                _delete_cookie(jar, name)

    def _cookie(self, name: str) -> str | None:
        for cookie in self.api_client.client.cookies.jar:
            if cookie.name == name and cookie.value:
                return cookie.value
        return None

    # Session renewal hooks (used by SessionRenewal).

    def _can_renew_session(self) -> bool:
        return self._credentials is not None and not self._closed

    def _build_login_request(self) -> httpx.Request | None:
        credentials = self._credentials
        if credentials is None:
            return None
        timeout = to_httpx_timeout(self.api_client.configuration.timeout)
        return httpx.Request(
            "POST",
            self.host + "/api/auth/login",
            json={"username": credentials.user, "password": credentials.password},
            headers={"Accept": ACCEPT, "User-Agent": self.api_client.user_agent},
            extensions={"timeout": timeout.as_dict()},
        )

    def _session_renewed(self) -> None:
        for name in ("sessionid", "csrftoken"):
            redaction.register_secret(self._cookie(name))
        self._session_generation += 1

    # --- organization -------------------------------------------------------------------

    @property
    def organization_slug(self) -> str | None:
        """The organization requests are made in: a slug, ``""`` for the personal
        workspace, ``None`` for the server's default."""
        return self.api_client.organization

    @organization_slug.setter
    def organization_slug(self, slug: str | None) -> None:
        self.api_client.organization = slug

    @contextmanager
    def organization_context(self, slug: str | None) -> Iterator[None]:
        """Make requests in another organization for the duration of a ``with`` block."""
        previous = self.organization_slug
        self.organization_slug = slug
        try:
            yield
        finally:
            self.organization_slug = previous

    # --- deadlines ----------------------------------------------------------------------

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Bound every API request made in the ``with`` block, by this thread, to end
        within ``seconds`` from now (``DeadlineExceededError`` otherwise).

        It tightens ``Config.deadline`` (which still bounds each request); streamed
        transfers are not bounded by it. Low-level calls also take
        ``_request_deadline=``.
        """
        from cvat_client._lowlevel.deadline import deadline_scope

        if isinstance(seconds, bool) or seconds <= 0:
            raise ApiValueError(f"deadline must be positive seconds, got {seconds!r}")
        with deadline_scope(seconds):
            yield

    # --- server version -----------------------------------------------------------------

    def get_server_version(self) -> Version:
        """The server's version (``GET /api/server/about``)."""
        about, _ = self.api_client.server_api.retrieve_about()
        return Version(str(getattr(about, "version", "")))

    @staticmethod
    def supported_server_version() -> Version:
        """The server version this client was generated for."""
        from cvat_client.api_client import SCHEMA_VERSION

        return Version(SCHEMA_VERSION)

    def check_server_version(self, fail_if_unsupported: bool | None = None) -> None:
        """Check that the server speaks the API this client was made for: its version is a
        compatible release (PEP 440 ``~=``) of one of :attr:`SUPPORTED_SERVER_VERSIONS`
        (the same major.minor version or the next minor one; not a pre-release).

        Logs a warning otherwise, or raises :class:`IncompatibleVersionException` when
        ``fail_if_unsupported`` (default: ``not config.allow_unsupported_server``).
        """
        if fail_if_unsupported is None:
            fail_if_unsupported = not self.config.allow_unsupported_server
        try:
            version = self.get_server_version()
        except (ApiException, ValueError) as exc:
            if isinstance(exc, ApiException) and exc.status is None:
                raise  # no answer at all: the address is wrong or the server is down
            message = (
                f"Failed to retrieve server API version: {exc}. "
                "Some SDK functions may not work properly with this server."
            )
            self.logger.warning(message)
            if fail_if_unsupported:
                raise IncompatibleVersionException(message) from None
            return
        if not any(
            compatible_release(version, supported) for supported in self.SUPPORTED_SERVER_VERSIONS
        ):
            message = (
                f"Server version '{version}' is not compatible with SDK version "
                f"'{__version__}'. Some SDK functions may not work properly with this server. "
                "You can continue using this SDK, or you can try to update with "
                "'pip install -U cvat-client'."
            )
            self.logger.warning(message)
            if fail_if_unsupported:
                raise IncompatibleVersionException(message)

    # --- background requests ------------------------------------------------------------

    def wait_for_completion(
        self,
        rq_id: str,
        *,
        status_check_period: float | None = None,
        log_prefix: str | None = None,
        timeout: float | None = None,
        cancel_on_interrupt: bool = False,
        pbar: ProgressReporter | None = None,
    ) -> tuple[models.Request, Response]:
        """Wait until a background request ends; returns ``(request, response)`` as
        cvat-sdk does: the finished request and the last status response.

        :meth:`wait_for_request` returns the request alone. Both take the same options.

        Args:
            rq_id: the request id (as returned by an import, export or data upload).
            status_check_period: seconds between status checks (default:
                ``config.status_check_period``; ``None`` there polls on a backoff schedule
                up to ``config.max_status_check_period``).
            log_prefix: how to name the operation in log messages.
            timeout: give up after this many seconds (default ``config.request_timeout``).
            cancel_on_interrupt: on Ctrl-C (``KeyboardInterrupt``), cancel the request on
                the server before re-raising.
            pbar: reports the server's progress, in percent (total 100).

        Raises:
            BackgroundRequestException: the request failed; the message is the server's.
            BackgroundRequestTimeout: ``timeout`` passed first (a `TimeoutError`).
        """
        from cvat_client.core.requests_polling import wait_for_request_and_response

        return wait_for_request_and_response(
            self,
            rq_id,
            status_check_period=status_check_period,
            timeout=timeout,
            log_prefix=log_prefix,
            cancel_on_interrupt=cancel_on_interrupt,
            pbar=pbar,
        )

    def wait_for_request(
        self,
        rq_id: str,
        *,
        status_check_period: float | None = None,
        timeout: float | None = None,
        log_prefix: str | None = None,
        cancel_on_interrupt: bool = False,
        pbar: ProgressReporter | None = None,
    ) -> models.Request:
        """Wait until a background request ends; returns it, finished.

        Polls ``/api/requests/{rq_id}`` every ``status_check_period`` seconds, or, by
        default, quickly at first and then more slowly (up to
        ``config.max_status_check_period``).

        Args:
            rq_id: the request id (as returned by an import, export or data upload).
            status_check_period: a fixed period, in seconds.
            timeout: give up after this many seconds (default ``config.request_timeout``).
            log_prefix: how to name the operation in log messages.
            cancel_on_interrupt: on Ctrl-C (``KeyboardInterrupt``), cancel the request on
                the server before re-raising.
            pbar: reports the server's progress, in percent (total 100).

        Raises:
            BackgroundRequestException: the request failed; the message is the server's.
            BackgroundRequestTimeout: ``timeout`` passed first (a `TimeoutError`).
        """
        from cvat_client.core.requests_polling import wait_for_request

        return wait_for_request(
            self,
            rq_id,
            status_check_period=status_check_period,
            timeout=timeout,
            log_prefix=log_prefix,
            cancel_on_interrupt=cancel_on_interrupt,
            pbar=pbar,
        )

    # --- repositories -------------------------------------------------------------------

    def _repo(self, module: str, name: str) -> Any:
        repo = self._repos.get(name)
        if repo is None:
            import importlib

            cls = getattr(importlib.import_module(f"cvat_client.core.proxies.{module}"), name)
            with self._lock:
                repo = self._repos.setdefault(name, cls(self))
        return repo

    @property
    def tasks(self) -> TasksRepo:
        """Tasks: ``create``, ``create_from_data``, ``create_from_backup``, ``retrieve``, ``list``..."""
        return self._repo("tasks", "TasksRepo")  # type: ignore[no-any-return]

    @property
    def projects(self) -> ProjectsRepo:
        """Projects: ``create``, ``create_from_dataset``, ``create_from_backup``, ``retrieve``..."""
        return self._repo("projects", "ProjectsRepo")  # type: ignore[no-any-return]

    @property
    def jobs(self) -> JobsRepo:
        """Jobs: ``retrieve``, ``list``."""
        return self._repo("jobs", "JobsRepo")  # type: ignore[no-any-return]

    @property
    def users(self) -> UsersRepo:
        """Users: ``retrieve``, ``list``, ``retrieve_current_user``."""
        return self._repo("users", "UsersRepo")  # type: ignore[no-any-return]

    @property
    def organizations(self) -> OrganizationsRepo:
        """Organizations and their memberships."""
        return self._repo("organizations", "OrganizationsRepo")  # type: ignore[no-any-return]

    @property
    def issues(self) -> IssuesRepo:
        """Issues of jobs."""
        return self._repo("issues", "IssuesRepo")  # type: ignore[no-any-return]

    @property
    def comments(self) -> CommentsRepo:
        """Comments of issues."""
        return self._repo("comments", "CommentsRepo")  # type: ignore[no-any-return]

    @property
    def labels(self) -> LabelsRepo:
        """Labels of projects and tasks."""
        return self._repo("labels", "LabelsRepo")  # type: ignore[no-any-return]

    @property
    def cloudstorages(self) -> CloudStoragesRepo:
        """Cloud storages: ``create``, ``retrieve``, ``list``, content listing."""
        return self._repo("cloudstorages", "CloudStoragesRepo")  # type: ignore[no-any-return]

    @property
    def requests(self) -> RequestsRepo:
        """Background requests: ``list``, ``retrieve``, ``cancel``, ``wait``."""
        return self._repo("requests", "RequestsRepo")  # type: ignore[no-any-return]

    @property
    def bulk(self) -> Bulk:
        """Operations on many objects at once, ``config.max_concurrency`` in flight
        (:class:`~cvat_client.core.bulk.Bulk`)."""
        from cvat_client.core.bulk import Bulk

        return Bulk(self)


def _server_text(data: Any) -> str:
    """The messages of an error body, without field names."""
    if isinstance(data, dict):
        return " ".join(_server_text(v) for v in data.values())
    if isinstance(data, list):
        return " ".join(_server_text(v) for v in data)
    return "" if data is None else str(data)


def _plain_text(exc: ApiException) -> str:
    """A short plain-text error body (e.g. a TLS front end refusing plain HTTP), or ''."""
    headers = getattr(exc, "headers", None) or {}
    body = getattr(exc, "body", b"") or b""
    if "text/plain" not in str(headers.get("content-type", "")) or len(body) > 300:
        return ""
    return " ".join(body.decode("utf-8", "replace").split())


def _delete_cookie(jar: httpx.Cookies, name: str) -> None:
    for cookie in list(jar.jar):
        if cookie.name == name:
            jar.jar.clear(cookie.domain, cookie.path, cookie.name)


def environment_proxy(url: str) -> str | None:
    """The proxy the environment sets for ``url`` (``HTTPS_PROXY`` etc.), if any.

    A custom transport makes httpx ignore these variables, so the client reads them
    itself, honouring ``NO_PROXY``.
    """
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


def make_client(
    host: str,
    *,
    port: int | None = None,
    credentials: Credentials | tuple[str, str] | None = None,
    access_token: str | None = None,
    organization: str | None = None,
    config: Config | None = None,
    transport: httpx.BaseTransport | None = None,
    logger: logging.Logger | None = None,
    check_server_version: bool = True,
) -> Client:
    """Connect to a CVAT server and, if credentials are given, log in.

    Args:
        host: the server address, with or without scheme (``app.cvat.ai`` means
            ``https://app.cvat.ai``) and port.
        port: the port, when ``host`` has none.
        credentials: ``(user, password)`` or a :class:`Credentials` object.
        access_token: a personal access token (instead of ``credentials``).
        organization: the organization slug to work in (``""``: the personal workspace).
        config: behaviour settings.
        transport: an httpx transport to use instead of the network (tests).
        logger: where to log.
        check_server_version: check that the server version is supported.

    Raises:
        InvalidHostException: the address cannot be used.
        LoginError: the server refused the credentials.
        IncompatibleVersionException: an unsupported server, with
            ``config.allow_unsupported_server=False``.
    """
    if credentials is not None and access_token is not None:
        raise ApiValueError(
            "'credentials' and 'access_token' cannot be used together. Please use only one."
        )
    try:
        url = normalize_host(host, port)
    except ValueError as exc:
        raise InvalidHostException(f"Invalid server address {host!r}: {exc}") from None
    client = Client(
        url,
        logger=logger,
        config=config,
        check_server_version=check_server_version,
        transport=transport,
    )
    try:
        if access_token is not None:
            credentials = AccessTokenCredentials(access_token)
        if credentials is not None:
            client.login(credentials)
        if organization is not None:
            client.organization_slug = organization
    except BaseException:
        client.close()
        raise
    return client
