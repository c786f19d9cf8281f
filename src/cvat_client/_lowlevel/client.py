"""The low-level API clients: :class:`BaseApiClient` (sync) and :class:`BaseAsyncApiClient`.

Each wraps one pooled httpx client. The generated ``ApiClient`` / ``AsyncApiClient``
subclass them to add one lazily created ``*_api`` attribute per schema tag.

The protocol logic (building requests, authentication, checking and parsing responses)
lives in :class:`_ClientCore` and the pure modules it calls, so both clients behave the
same; only sending differs.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, NoReturn, Self
from urllib.parse import urlsplit

from cvat_client._lowlevel import auth, deadline
from cvat_client._lowlevel.body import (
    ERROR_BODY_LIMIT,
    aread_capped,
    check_kind,
    is_annotations_path,
    is_binary_type,
    load_json,
    read_capped,
)
from cvat_client._lowlevel.configuration import Configuration, to_httpx_timeout
from cvat_client._lowlevel.endpoint import EndpointSpec, ResponseSpec
from cvat_client._lowlevel.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiTypeError,
    DeadlineExceededError,
    InvalidResponseError,
    exception_for_response,
)
from cvat_client._lowlevel.model_support import parse_value, resolver_for, strict_parsing
from cvat_client._lowlevel.request_building import RequestParts, build_request_parts
from cvat_client._lowlevel.sdk_compat import SdkHelpersMixin
from cvat_client._lowlevel.validation import Resolver, TypeSpec, check_json

if TYPE_CHECKING:
    import httpx

    from cvat_client._lowlevel.configuration import TimeoutTypes

__all__ = ["BaseApiClient", "BaseAsyncApiClient", "ACCEPT"]

logger = logging.getLogger("cvat_client")

#: The media type CVAT answers with; it answers 406 to ``Accept: application/json``.
ACCEPT = "application/vnd.cvat+json"


def _user_agent() -> str:
    from cvat_client._version import __version__

    return f"cvat-client/{__version__}"


def _cookie_domain(url: str) -> str:
    """The domain the cookie jar files the server's own cookies under.

    :mod:`http.cookiejar` matches a dotless host (``localhost``, a Docker service name)
    as ``<host>.local``; a cookie set for the bare name would never be sent.
    """
    host = (urlsplit(url).hostname or "").lower()
    return host if "." in host or not host else f"{host}.local"


class _ClientCore(SdkHelpersMixin):
    """State and logic shared by the sync and async clients."""

    configuration: Configuration
    default_headers: dict[str, str]
    _organization: str | None

    def _init_core(
        self,
        configuration: Configuration | None,
        headers: Mapping[str, str] | None,
    ) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self.default_headers = {
            "Accept": ACCEPT,
            "User-Agent": _user_agent(),
            **self.configuration.headers,
            **(headers or {}),
        }
        self._organization = None

    def _initial_cookies(self, cookies: Mapping[str, str] | None) -> httpx.Cookies:
        import httpx

        jar = httpx.Cookies()
        host = _cookie_domain(self.configuration.host)
        given = dict(cookies or {})
        session = self.configuration.api_key.get("sessionAuth")
        if session is not None:
            given.setdefault("sessionid", session)
        csrf = self.configuration.api_key.get("csrfAuth")
        if csrf is not None:
            given.setdefault("csrftoken", csrf)
        for name, value in given.items():
            jar.set(name, value, domain=host)
        return jar

    # --- headers, organization, auth ---------------------------------------------------

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` header value."""
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.default_headers["User-Agent"] = value

    def set_default_header(self, header_name: str, header_value: str | None) -> None:
        """Send ``header_name`` with every request (``None`` removes it)."""
        for existing in [k for k in self.default_headers if k.lower() == header_name.lower()]:
            del self.default_headers[existing]
        if header_value is not None:
            self.default_headers[header_name] = header_value

    @property
    def organization(self) -> str | None:
        """The default organization slug, sent as ``X-Organization``.

        ``None`` sends nothing (the server's default context); ``""`` selects the
        personal workspace. A call's own ``org``/``org_id``/``x_organization`` wins.
        """
        return self._organization

    @organization.setter
    def organization(self, slug: str | None) -> None:
        if slug is not None and not isinstance(slug, str):
            raise ApiTypeError(f"organization must be a slug string or None, got {slug!r}")
        self._organization = slug

    def build_origin_header(self) -> str:
        """The ``Origin`` value CSRF-protected requests need: the server's origin."""
        return auth.origin_of(self.configuration.host)

    @property
    def _jar(self) -> httpx.Cookies:
        raise NotImplementedError

    @property
    def cookies(self) -> SimpleCookie:
        """A snapshot of the session cookies (``cookies["csrftoken"].value``)."""
        snapshot: SimpleCookie = SimpleCookie()
        for cookie in self._jar.jar:
            if cookie.value is not None:
                snapshot[cookie.name] = cookie.value
        return snapshot

    def set_cookie(self, name: str, value: str) -> None:
        """Set a cookie sent to the server (e.g. a known ``sessionid``)."""
        self._jar.set(name, value, domain=_cookie_domain(self.configuration.host))

    def get_common_headers(self) -> dict[str, str]:
        """Headers to reuse in a custom request: defaults, organization and cookies.

        Add authentication with :meth:`update_params_for_auth`.
        """
        headers = dict(self.default_headers)
        if self._organization is not None:
            headers["X-Organization"] = self._organization
        cookie = "; ".join(f"{c.name}={c.value}" for c in self._jar.jar if c.value is not None)
        if cookie:
            headers["Cookie"] = cookie
        return headers

    def update_params_for_auth(
        self,
        headers: dict[str, str],
        queries: list[tuple[str, Any]],
        auth_settings: Any = None,
        resource_path: str | None = None,
        method: str = "GET",
        body: Any = None,
        request_auths: Any = None,
    ) -> None:
        """Add this client's authentication to ``headers`` and ``queries`` in place."""
        auth.apply_auth(self.configuration, method, headers, queries, self._jar.jar)

    # --- building requests --------------------------------------------------------------

    def _is_own_host(self, url: httpx.URL) -> bool:
        import httpx

        own = httpx.URL(self.configuration.host)
        return (url.scheme, url.host, url.port) == (own.scheme, own.host, own.port)

    def _prepare(
        self,
        method: str,
        url: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str | None] | None = None,
        sets_organization: bool = False,
        authenticate: bool = True,
    ) -> tuple[httpx.URL, list[tuple[str, Any]], dict[str, str]]:
        """URL, query and headers of a request; a header given as ``None`` is left out
        (also a default one, such as ``X-Organization``), as in cvat-sdk."""
        import httpx

        full = httpx.URL(url) if "://" in url else httpx.URL(self.configuration.host + url)
        all_headers = dict(self.default_headers)
        if self._organization is not None and not sets_organization:
            all_headers["X-Organization"] = self._organization
        for name, value in (headers or {}).items():
            for old in [k for k in all_headers if k.lower() == name.lower()]:
                del all_headers[old]
            if value is not None:
                all_headers[name] = value
        # httpx replaces a URL's query with ``params`` when both are given: keep both
        query: list[tuple[str, Any]] = [*full.params.multi_items(), *params]
        full = full.copy_with(query=None)
        if authenticate and self._is_own_host(full):
            auth.apply_auth(self.configuration, method, all_headers, query, self._jar.jar)
        return full, query, all_headers

    def _build_endpoint_request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        spec: EndpointSpec,
        args: Mapping[str, Any],
        options: Mapping[str, Any],
    ) -> tuple[httpx.Request, RequestParts]:
        parts = build_request_parts(
            spec,
            args,
            content_type=options.get("_content_type"),
            validate=options.get("_validate_inputs", True),
        )
        try:
            url, query, headers = self._prepare(
                parts.method,
                parts.path,
                params=parts.params,
                headers={**parts.headers, **(options.get("_headers") or {})},
                sets_organization=parts.sets_organization,
            )
            request = client.build_request(
                parts.method,
                url,
                params=query,
                headers=headers,
                content=parts.content,
                data=parts.data,
                files=parts.files,
                timeout=self._timeout(options.get("_request_timeout")),
            )
        except BaseException:
            parts.close()
            raise
        return request, parts

    def _timeout(self, value: TimeoutTypes) -> httpx.Timeout:
        return to_httpx_timeout(value if value is not None else self.configuration.timeout)

    def _deadline(self, options: Mapping[str, Any]) -> float | None:
        """The total deadline of a call: its ``_request_deadline`` or the configured one."""
        value = options.get("_request_deadline")
        return value if value is not None else self.configuration.deadline

    def _size_limit(
        self,
        path: str,
        options: Mapping[str, Any],
        response: httpx.Response,
        spec: EndpointSpec | None = None,
    ) -> int | None:
        """The size cap of a call's answer: its ``_max_response_size`` or the configured
        cap of its kind of endpoint; ``None`` (no cap) for a binary answer (a file the
        caller asked for whole)."""
        value = options.get("_max_response_size")
        if value is not None:
            return int(value)
        if spec is not None:
            rspec = self._response_spec(spec, response.status_code)
            if rspec is not None and rspec.is_binary:
                return None
        elif is_binary_type(response.headers.get("content-type", "")):
            return None
        if is_annotations_path(path):
            return self.configuration.max_annotations_response_size
        return self.configuration.max_response_size

    # --- responses ----------------------------------------------------------------------

    @staticmethod
    def _response_spec(spec: EndpointSpec, status: int) -> ResponseSpec | None:
        responses = spec.responses
        return (
            responses.get(str(status))
            or responses.get(f"{status // 100}XX")
            or responses.get("default")
        )

    def _parse(
        self, spec: EndpointSpec, response: httpx.Response, options: Mapping[str, Any]
    ) -> Any:
        rspec = self._response_spec(spec, response.status_code)
        if rspec is None or rspec.type_spec is None:
            return None
        if rspec.is_binary:
            return response.content
        return parse_body(
            response,
            rspec.type_spec,
            resolver_for(spec.models_module),
            strict=options.get("_validate_outputs", False),
        )

    def _raw_request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        method: str,
        url: str,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        post_params: Mapping[str, Any] | None,
        body: Any,
        timeout: TimeoutTypes,
    ) -> httpx.Request:
        """The request of :meth:`request`: exactly the given headers, no authentication."""
        import httpx

        full = httpx.URL(url) if "://" in url else httpx.URL(self.configuration.host + url)
        return client.build_request(
            method,
            full.copy_with(query=None),
            params=[*full.params.multi_items(), *_query_list(query_params)],
            headers=dict(headers or {}),
            **_body_kwargs(body, post_params, None, None),
            timeout=self._timeout(timeout),
        )

    @staticmethod
    def _result(
        response: httpx.Response,
        *,
        stream: bool,
        parse: bool,
        parser: Callable[[httpx.Response], Any],
    ) -> tuple[Any, httpx.Response]:
        """``(data, response)`` of a successful call."""
        if stream or not parse:
            return None, response
        return parser(response), response

    def _log(self, response: httpx.Response) -> None:
        package_logger = self.configuration.logger.get("package_logger", logger)
        if package_logger.isEnabledFor(logging.DEBUG):
            request = response.request
            package_logger.debug(
                "%s %s -> %d",
                request.method,
                request.url.copy_with(query=None),
                response.status_code,
            )


def parse_body(response: httpx.Response, spec: TypeSpec, resolve: Resolver, *, strict: bool) -> Any:
    """Parse a JSON response body into the models ``spec`` describes.

    An empty body gives ``None``. A body that is not JSON, or JSON of another kind than
    ``spec`` (an array where an object is due), raises :class:`InvalidResponseError`;
    unknown and missing fields are tolerated (unless ``strict``).
    """
    content = response.content
    if not content:
        return None
    data = load_json(response, content)
    check_kind(response, data, spec)
    with gc_paused(len(content)):
        try:
            if strict:
                with strict_parsing():
                    check_json(data, spec, resolve, [])
                    return deserialize(data, spec, resolve)
            return deserialize(data, spec, resolve)
        except (TypeError, AttributeError, KeyError, IndexError) as exc:
            if isinstance(exc, ApiException):
                raise
            # a nested value of the wrong kind (a number where an object is due)
            raise InvalidResponseError(
                f"the body does not have the structure the endpoint promises "
                f"({type(exc).__name__}: {exc})",
                http_resp=response,
            ) from exc


def parse_json(content: bytes, spec: TypeSpec, resolve: Resolver, *, strict: bool = False) -> Any:
    """Parse JSON bytes into the models ``spec`` describes (the whole parse path)."""
    with gc_paused(len(content)):
        data = json.loads(content)
        if strict:
            with strict_parsing():
                check_json(data, spec, resolve, [])
                return deserialize(data, spec, resolve)
        return deserialize(data, spec, resolve)


def deserialize(data: Any, spec: TypeSpec, resolve: Resolver) -> Any:
    """Build models from JSON data according to ``spec`` (tolerantly)."""
    return parse_value(data, spec, resolve, _Response, "body")


class _Response:
    """Owner name used when reporting deviations of a whole response body."""


_GC_PAUSE_THRESHOLD = 256 * 1024
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def gc_paused(size: int) -> Iterator[None]:
    """Pause the cyclic garbage collector while a large body is parsed.

    Parsing creates tens of thousands of objects and none of them form cycles; without
    the pause, the collector would scan the growing heap again and again (a third of the
    parse time on big annotation sets). Small bodies are parsed with it running.
    Thread-safe and re-entrant: the collector resumes when the last parse ends.
    """
    global _gc_depth, _gc_was_enabled
    if size < _GC_PAUSE_THRESHOLD:
        yield
        return
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


@contextmanager
def _transport_errors(request: httpx.Request) -> Iterator[None]:
    import httpx

    try:
        yield
    except httpx.TimeoutException as exc:
        if deadline.expired():
            raise DeadlineExceededError(
                f"{request.method} {request.url.copy_with(query=None)} did not complete "
                "within its deadline",
                method=request.method,
                url=str(request.url.copy_with(query=None)),
            ) from exc
        raise ApiTimeoutError(
            f"{request.method} {request.url.copy_with(query=None)} timed out ({type(exc).__name__})",
            method=request.method,
            url=str(request.url.copy_with(query=None)),
        ) from exc
    except httpx.TransportError as exc:
        raise ApiConnectionError(
            f"{request.method} {request.url.copy_with(query=None)} failed: "
            f"{type(exc).__name__}: {exc}",
            method=request.method,
            url=str(request.url.copy_with(query=None)),
        ) from exc


def _client_kwargs(configuration: Configuration) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "verify": configuration.ssl_context(),
        "timeout": to_httpx_timeout(configuration.timeout),
        "follow_redirects": False,
    }
    if configuration.cert is not None:
        kwargs["cert"] = configuration.cert
    if configuration.proxy is not None:
        kwargs["proxy"] = configuration.proxy
    return kwargs


class BaseApiClient(_ClientCore):
    """A synchronous CVAT API client over one pooled :class:`httpx.Client`.

    Args:
        configuration: host, credentials and connection settings.
        headers: extra headers for every request.
        cookies: initial cookies (e.g. ``{"sessionid": ...}``).
        transport: a custom httpx transport (e.g. the in-process test server's).
    """

    def __init__(
        self,
        configuration: Configuration | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._init_core(configuration, headers)
        self._cookies = dict(cookies or {})
        self._transport = transport
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """The underlying :class:`httpx.Client` (created on first use: start-up stays cheap)."""
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                cookies=self._initial_cookies(self._cookies),
                transport=self._transport,
                **_client_kwargs(self.configuration),
            )
            deadline.install_on_client(self._client)
        return self._client

    @property
    def _jar(self) -> httpx.Cookies:
        return self.client.cookies

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            self._client.close()

    def send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send a prepared request, mapping network failures to :class:`ApiTransportError`."""
        from cvat_client._lowlevel.response import adopt

        with _transport_errors(request):
            response = adopt(self.client.send(request, stream=stream))
        self._log(response)
        return response

    def call_endpoint(
        self, spec: EndpointSpec, args: Mapping[str, Any], options: Mapping[str, Any]
    ) -> tuple[Any, httpx.Response]:
        """Call an operation: build, send, check and parse. Used by the ``*Api`` methods."""
        request, parts = self._build_endpoint_request(self.client, spec, args, options)
        stream = bool(options.get("_stream", False))
        check = options.get("_check_status", True)
        with deadline.deadline_scope(None if stream else self._deadline(options)):
            try:
                response = self.send(request, stream=True)
            finally:
                parts.close()
            if not stream:
                self._read(response, self._size_limit(spec.path, options, response, spec), check)
        if check and not response.is_success:
            self._raise_for(response, stream)
        return self._result(
            response,
            stream=stream,
            parse=options.get("_parse_response", True),
            parser=lambda r: self._parse(spec, r, options),
        )

    def call_api(
        self,
        resource_path: str,
        method: str,
        path_params: Mapping[str, Any] | None = None,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        header_params: Mapping[str, str | None] | None = None,
        body: Any = None,
        post_params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        files: Any = None,
        response_schema: type | None = None,
        auth_settings: Any = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
        _content_type: str | None = None,
        _stream: bool = False,
    ) -> tuple[Any, httpx.Response]:
        """Send a request to any URL of the server with this client's auth and settings.

        ``resource_path`` is a path (``/api/tasks/{id}``, filled from ``path_params``) or an
        absolute URL such as a ``result_url``. Authentication is added only for the
        configured server. ``body`` is JSON data or bytes/a byte iterator;
        ``post_params``/``files`` make a multipart form. Returns ``(data, response)``:
        ``data`` is ``response_schema.from_dict(json)`` when a schema is given, the JSON
        when the answer is JSON, else ``None``.
        """
        request = _build_custom_request(
            self, self.client, resource_path, method, path_params, query_params,
            header_params, body, post_params, files, _request_timeout, _content_type,
        )  # fmt: skip
        with deadline.deadline_scope(None if _stream else self.configuration.deadline):
            response = self.send(request, stream=True)
            if not _stream:
                self._read(response, self._size_limit(resource_path, {}, response), _check_status)
        if _check_status and not response.is_success:
            self._raise_for(response, _stream)
        return self._result(
            response,
            stream=_stream,
            parse=_parse_response,
            parser=lambda r: _parse_custom(r, response_schema),
        )

    def request(
        self,
        method: str,
        url: str,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        post_params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
        _stream: bool = False,
    ) -> httpx.Response:
        """Send a raw request through the pool with exactly the given headers.

        Use :meth:`get_common_headers` and :meth:`update_params_for_auth` to add the
        client's defaults and credentials. ``_stream=True`` leaves the body unread. An
        error status raises its `ApiException` (as in cvat-sdk) unless
        ``_check_status=False``.
        """
        request = self._raw_request(
            self.client, method, url, query_params, headers, post_params, body, _request_timeout
        )
        with deadline.deadline_scope(None if _stream else self.configuration.deadline):
            response = self.send(request, stream=True)
            if not _stream:
                self._read(response, self._size_limit(url, {}, response), _check_status)
        if _check_status and not response.is_success:
            self._raise_for(response, _stream)
        return response

    def _read(self, response: httpx.Response, limit: int | None, check_status: bool) -> None:
        """Read a body under its cap; an error answer (when checked) only up to its start."""
        error = check_status and not response.is_success
        with _transport_errors(response.request):
            read_capped(response, ERROR_BODY_LIMIT if error else limit, truncate=error)

    def _raise_for(self, response: httpx.Response, stream: bool) -> NoReturn:
        """Raise the exception of an error response, reading a streamed body first."""
        if stream:
            with _transport_errors(response.request):
                read_capped(response, ERROR_BODY_LIMIT, truncate=True)
        raise exception_for_response(response)


class BaseAsyncApiClient(_ClientCore):
    """An asynchronous CVAT API client over one pooled :class:`httpx.AsyncClient`.

    The same interface as :class:`BaseApiClient`, with coroutines.
    """

    def __init__(
        self,
        configuration: Configuration | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._init_core(configuration, headers)
        self._cookies = dict(cookies or {})
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The underlying :class:`httpx.AsyncClient` (created on first use)."""
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                cookies=self._initial_cookies(self._cookies),
                transport=self._transport,
                **_client_kwargs(self.configuration),
            )
            deadline.install_on_client(self._client)
        return self._client

    @property
    def _jar(self) -> httpx.Cookies:
        return self.client.cookies

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()

    async def send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send a prepared request, mapping network failures to :class:`ApiTransportError`."""
        from cvat_client._lowlevel.response import adopt

        with _transport_errors(request):
            response = adopt(await self.client.send(request, stream=stream))
        self._log(response)
        return response

    async def call_endpoint(
        self, spec: EndpointSpec, args: Mapping[str, Any], options: Mapping[str, Any]
    ) -> tuple[Any, httpx.Response]:
        """Call an operation: build, send, check and parse. Used by the ``Async*Api`` methods."""
        request, parts = self._build_endpoint_request(self.client, spec, args, options)
        stream = bool(options.get("_stream", False))
        check = options.get("_check_status", True)
        with deadline.deadline_scope(None if stream else self._deadline(options)):
            try:
                response = await self.send(request, stream=True)
            finally:
                parts.close()
            if not stream:
                await self._read(
                    response, self._size_limit(spec.path, options, response, spec), check
                )
        if check and not response.is_success:
            await self._raise_for(response, stream)
        return self._result(
            response,
            stream=stream,
            parse=options.get("_parse_response", True),
            parser=lambda r: self._parse(spec, r, options),
        )

    async def call_api(
        self,
        resource_path: str,
        method: str,
        path_params: Mapping[str, Any] | None = None,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        header_params: Mapping[str, str | None] | None = None,
        body: Any = None,
        post_params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        files: Any = None,
        response_schema: type | None = None,
        auth_settings: Any = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
        _content_type: str | None = None,
        _stream: bool = False,
    ) -> tuple[Any, httpx.Response]:
        """Send a request to any URL of the server; see :meth:`BaseApiClient.call_api`."""
        request = _build_custom_request(
            self, self.client, resource_path, method, path_params, query_params,
            header_params, body, post_params, files, _request_timeout, _content_type,
        )  # fmt: skip
        with deadline.deadline_scope(None if _stream else self.configuration.deadline):
            response = await self.send(request, stream=True)
            if not _stream:
                await self._read(
                    response, self._size_limit(resource_path, {}, response), _check_status
                )
        if _check_status and not response.is_success:
            await self._raise_for(response, _stream)
        return self._result(
            response,
            stream=_stream,
            parse=_parse_response,
            parser=lambda r: _parse_custom(r, response_schema),
        )

    async def request(
        self,
        method: str,
        url: str,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        post_params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
        _stream: bool = False,
    ) -> httpx.Response:
        """Send a raw request; see :meth:`BaseApiClient.request`."""
        request = self._raw_request(
            self.client, method, url, query_params, headers, post_params, body, _request_timeout
        )
        with deadline.deadline_scope(None if _stream else self.configuration.deadline):
            response = await self.send(request, stream=True)
            if not _stream:
                await self._read(response, self._size_limit(url, {}, response), _check_status)
        if _check_status and not response.is_success:
            await self._raise_for(response, _stream)
        return response

    async def _read(self, response: httpx.Response, limit: int | None, check_status: bool) -> None:
        """Read a body under its cap; an error answer (when checked) only up to its start."""
        error = check_status and not response.is_success
        with _transport_errors(response.request):
            await aread_capped(response, ERROR_BODY_LIMIT if error else limit, truncate=error)

    async def _raise_for(self, response: httpx.Response, stream: bool) -> NoReturn:
        """Raise the exception of an error response, reading a streamed body first."""
        if stream:
            with _transport_errors(response.request):
                await aread_capped(response, ERROR_BODY_LIMIT, truncate=True)
        raise exception_for_response(response)


def _query_list(
    query: Sequence[tuple[str, Any]] | Mapping[str, Any] | None,
) -> list[tuple[str, Any]]:
    if not query:
        return []
    items = query.items() if isinstance(query, Mapping) else query
    out: list[tuple[str, Any]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out.append((key, str(value)))
    return out


def _body_kwargs(
    body: Any, post_params: Any, files: Any, content_type: str | None
) -> dict[str, Any]:
    if post_params is not None or files is not None:
        data = dict(post_params) if post_params is not None else None
        return {"data": data, "files": files}
    if body is None:
        return {}
    if isinstance(body, bytes | bytearray | memoryview) or (
        hasattr(body, "__iter__") and not isinstance(body, dict | list | str)
    ):
        return {"content": body}
    return {"content": json.dumps(body, separators=(",", ":")).encode()}


def _build_custom_request(
    core: _ClientCore,
    client: httpx.Client | httpx.AsyncClient,
    resource_path: str,
    method: str,
    path_params: Mapping[str, Any] | None,
    query_params: Any,
    header_params: Mapping[str, str | None] | None,
    body: Any,
    post_params: Any,
    files: Any,
    timeout: TimeoutTypes,
    content_type: str | None,
) -> httpx.Request:
    from urllib.parse import quote

    path = resource_path
    if path_params:
        path = path.format(**{k: quote(str(v), safe="") for k, v in path_params.items()})
    headers: dict[str, str | None] = dict(header_params or {})
    kwargs = _body_kwargs(body, post_params, files, content_type)
    if "content" in kwargs and not any(k.lower() == "content-type" for k in headers):
        is_raw = isinstance(body, bytes | bytearray | memoryview) or not isinstance(
            body, dict | list | str | int | float | bool
        )
        headers["Content-Type"] = content_type or (
            "application/octet-stream" if is_raw else "application/json"
        )
    url, query, all_headers = core._prepare(
        method.upper(), path, params=_query_list(query_params), headers=headers
    )
    return client.build_request(
        method.upper(),
        url,
        params=query,
        headers=all_headers,
        **kwargs,
        timeout=core._timeout(timeout),
    )


def _parse_custom(response: httpx.Response, response_schema: type | None) -> Any:
    if not response.content:
        return None
    if "json" not in response.headers.get("content-type", ""):
        if response_schema is not None:
            load_json(response, response.content)  # raises: a model is due
        return None
    data = load_json(response, response.content)
    if response_schema is not None:
        if not isinstance(data, dict):
            raise InvalidResponseError(
                f"expected a JSON object for {response_schema.__name__}", http_resp=response
            )
        try:
            return response_schema.from_dict(data)  # type: ignore[attr-defined]
        except (TypeError, AttributeError, KeyError, IndexError) as exc:
            if isinstance(exc, ApiException):
                raise
            raise InvalidResponseError(
                f"the body does not have the structure of {response_schema.__name__} "
                f"({type(exc).__name__}: {exc})",
                http_resp=response,
            ) from exc
    return data
