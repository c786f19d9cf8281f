"""The low-level API clients: :class:`BaseApiClient` (sync) and :class:`BaseAsyncApiClient`.

Each sends through a ``rest_client`` (:mod:`cvat_client._lowlevel.rest`) that owns one
pooled httpx client. The generated ``ApiClient`` / ``AsyncApiClient`` subclass them to add
one lazily created ``*_api`` attribute per schema tag.

A request goes through the same layers as in cvat-sdk: an operation call
(:meth:`~BaseApiClient.call_endpoint`) -> :meth:`~BaseApiClient.call_api` (URL, default
headers, organization, authentication) -> :meth:`~BaseApiClient.request` ->
``rest_client.request`` (sending, reading under the caps and the deadline, status check).
Replacing any of them at runtime takes effect for every request.

The protocol logic (building requests, authentication, checking and parsing responses)
lives in :class:`_ClientCore` and the pure modules it calls, so both clients behave the
same; only sending differs.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Self

from cvat_client._lowlevel import auth
from cvat_client._lowlevel.body import (
    check_kind,
    is_annotations_path,
    is_binary_type,
    load_json,
)
from cvat_client._lowlevel.configuration import Configuration, to_httpx_timeout
from cvat_client._lowlevel.endpoint import EndpointSpec, ResponseSpec
from cvat_client._lowlevel.exceptions import (
    ApiException,
    ApiTypeError,
    InvalidResponseError,
)
from cvat_client._lowlevel.model_support import parse_value, resolver_for, strict_parsing
from cvat_client._lowlevel.request_building import RequestParts, build_request_parts
from cvat_client._lowlevel.rest import (
    AsyncRESTClientObject,
    ReadPolicy,
    RESTClientObject,
    cookie_domain,
    query_params_list,
    read_policy,
)
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
        self._jar.set(name, value, domain=cookie_domain(self.configuration.host))

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

    def _endpoint_call(
        self, spec: EndpointSpec, args: Mapping[str, Any], options: Mapping[str, Any]
    ) -> tuple[RequestParts, dict[str, Any], ReadPolicy]:
        """The :meth:`call_api` arguments of an operation call, and how to read its answer."""
        parts = build_request_parts(
            spec,
            args,
            content_type=options.get("_content_type"),
            validate=options.get("_validate_inputs", True),
        )
        headers: dict[str, str | None] = {**parts.headers, **(options.get("_headers") or {})}
        if parts.sets_organization and not any(k.lower() == "x-organization" for k in headers):
            # the call chooses its organization by a parameter: no default header
            headers["X-Organization"] = None
        post_params: list[tuple[str, Any]] | None = None
        if parts.data is not None or parts.files is not None:
            post_params = [*(parts.data or {}).items(), *(parts.files or [])]
            headers.setdefault("Content-Type", "multipart/form-data")
        kwargs: dict[str, Any] = {
            "query_params": parts.params,
            "header_params": headers,
            "body": parts.content,
            "post_params": post_params,
            "response_schema": _EndpointResult(self, spec, options),
            "_parse_response": options.get("_parse_response", True),
            "_request_timeout": options.get("_request_timeout"),
            "_check_status": options.get("_check_status", True),
        }
        if options.get("_stream", False):
            kwargs["_stream"] = True
        policy = ReadPolicy(
            limit=lambda response: self._size_limit(spec.path, options, response, spec),
            deadline=self._deadline(options),
        )
        return parts, kwargs, policy

    def _custom_request(
        self,
        resource_path: str,
        method: str,
        path_params: Mapping[str, Any] | None,
        query_params: Any,
        header_params: Mapping[str, str | None] | None,
        body: Any,
        post_params: Any,
        files: Any,
        content_type: str | None,
    ) -> tuple[str, list[tuple[str, Any]], dict[str, str], Any, Any]:
        """URL, query, headers (defaults, organization, authentication), body and form of a
        :meth:`call_api` request, as :meth:`request` takes them."""
        from urllib.parse import quote

        path = resource_path
        if path_params:
            path = path.format(**{k: quote(str(v), safe="") for k, v in path_params.items()})
        headers: dict[str, str | None] = dict(header_params or {})
        form: list[tuple[str, Any]] | None = None
        if post_params or files:
            items = post_params.items() if isinstance(post_params, Mapping) else post_params
            form = [*(items or []), *_file_parts(files)]
            body = None
        elif body is not None and not any(k.lower() == "content-type" for k in headers):
            is_raw = isinstance(body, bytes | bytearray | memoryview) or not isinstance(
                body, dict | list | str | int | float | bool
            )
            headers["Content-Type"] = content_type or (
                "application/octet-stream" if is_raw else "application/json"
            )
        url, query, all_headers = self._prepare(
            method.upper(), path, params=query_params_list(query_params), headers=headers
        )
        return str(url), query, all_headers, body, form


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
def gc_paused(size: int | None) -> Iterator[None]:
    """Pause the cyclic garbage collector while a large body is parsed.

    Parsing creates tens of thousands of objects and none of them form cycles; without
    the pause, the collector would scan the growing heap again and again (a third of the
    parse time on big annotation sets). Small bodies (``size`` in bytes) are parsed with it
    running; ``None`` pauses it whatever the size (for data known to make many objects).
    Thread-safe and re-entrant: the collector resumes when the last parse ends.
    """
    global _gc_depth, _gc_was_enabled
    if size is not None and size < _GC_PAUSE_THRESHOLD:
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


class BaseApiClient(_ClientCore):
    """A synchronous CVAT API client over one pooled :class:`httpx.Client`.

    Requests go, as in cvat-sdk, from an operation through :meth:`call_api` and
    :meth:`request` to ``rest_client.request`` (a :class:`RESTClientObject`, which owns the
    connection pool): replacing any of these at runtime takes effect for every request.

    Args:
        configuration: host, credentials and connection settings.
        headers: extra headers for every request.
        cookies: initial cookies (e.g. ``{"sessionid": ...}``).
        transport: a custom httpx transport (e.g. the in-process test server's).
    """

    rest_client: RESTClientObject

    def __init__(
        self,
        configuration: Configuration | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._init_core(configuration, headers)
        self.rest_client = RESTClientObject(
            self.configuration, cookies=cookies, transport=transport
        )

    @property
    def client(self) -> httpx.Client:
        """The underlying :class:`httpx.Client` (``rest_client.client``, created on first use)."""
        return self.rest_client.client

    @property
    def _jar(self) -> httpx.Cookies:
        return self.client.cookies

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.rest_client.close()

    def send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send a prepared request, mapping network failures to :class:`ApiTransportError`."""
        return self.rest_client.send(request, stream=stream)

    def call_endpoint(
        self, spec: EndpointSpec, args: Mapping[str, Any], options: Mapping[str, Any]
    ) -> tuple[Any, httpx.Response]:
        """Call an operation: build, send, check and parse. Used by the ``*Api`` methods."""
        parts, kwargs, policy = self._endpoint_call(spec, args, options)
        try:
            with read_policy(policy):
                return self.call_api(parts.path, parts.method, **kwargs)
        finally:
            parts.close()

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
        response_schema: Any = None,
        auth_settings: Any = None,
        collection_formats: Any = None,
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
        configured server; a header given as ``None`` is left out (also a default one).
        ``body`` is JSON data or bytes/a byte iterator; ``post_params``/``files`` make a
        multipart form. The request goes through :meth:`request`. Returns
        ``(data, response)``: ``data`` is ``response_schema.from_dict(json)`` when a schema
        is given, the JSON when the answer is JSON, else ``None``.
        """
        url, query, headers, body, form = self._custom_request(
            resource_path, method, path_params, query_params, header_params, body,
            post_params, files, _content_type,
        )  # fmt: skip
        extra = {"_stream": True} if _stream else {}
        response = self.request(
            method.upper(),
            url,
            query_params=query,
            headers=headers,
            post_params=form,
            body=body,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
            **extra,
        )
        if _stream or not _parse_response:
            return None, response
        return _parse_result(response, response_schema), response

    def request(
        self,
        method: str,
        url: str,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        post_params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        body: Any = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
        _stream: bool = False,
    ) -> httpx.Response:
        """Send a raw request through ``rest_client`` with exactly the given headers.

        Use :meth:`get_common_headers` and :meth:`update_params_for_auth` to add the
        client's defaults and credentials. The body is read under its size cap unless
        ``_stream=True`` (then read or close the response). An error status raises its
        `ApiException` (as in cvat-sdk) unless ``_check_status=False``.
        """
        return self.rest_client.request(
            method,
            url,
            query_params=query_params,
            headers=headers,
            body=body,
            post_params=post_params,
            _parse_response=not _stream,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )


class BaseAsyncApiClient(_ClientCore):
    """An asynchronous CVAT API client over one pooled :class:`httpx.AsyncClient`.

    The same interface as :class:`BaseApiClient`, with coroutines; requests go through
    :meth:`call_api`, :meth:`request` and ``rest_client.request`` (an
    :class:`AsyncRESTClientObject`).
    """

    rest_client: AsyncRESTClientObject

    def __init__(
        self,
        configuration: Configuration | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._init_core(configuration, headers)
        self.rest_client = AsyncRESTClientObject(
            self.configuration, cookies=cookies, transport=transport
        )

    @property
    def client(self) -> httpx.AsyncClient:
        """The underlying :class:`httpx.AsyncClient` (``rest_client.client``)."""
        return self.rest_client.client

    @property
    def _jar(self) -> httpx.Cookies:
        return self.client.cookies

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool."""
        await self.rest_client.close()

    async def send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send a prepared request, mapping network failures to :class:`ApiTransportError`."""
        return await self.rest_client.send(request, stream=stream)

    async def call_endpoint(
        self, spec: EndpointSpec, args: Mapping[str, Any], options: Mapping[str, Any]
    ) -> tuple[Any, httpx.Response]:
        """Call an operation: build, send, check and parse. Used by the ``Async*Api`` methods."""
        parts, kwargs, policy = self._endpoint_call(spec, args, options)
        try:
            with read_policy(policy):
                return await self.call_api(parts.path, parts.method, **kwargs)
        finally:
            parts.close()

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
        response_schema: Any = None,
        auth_settings: Any = None,
        collection_formats: Any = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
        _content_type: str | None = None,
        _stream: bool = False,
    ) -> tuple[Any, httpx.Response]:
        """Send a request to any URL of the server; see :meth:`BaseApiClient.call_api`."""
        url, query, headers, body, form = self._custom_request(
            resource_path, method, path_params, query_params, header_params, body,
            post_params, files, _content_type,
        )  # fmt: skip
        extra = {"_stream": True} if _stream else {}
        response = await self.request(
            method.upper(),
            url,
            query_params=query,
            headers=headers,
            post_params=form,
            body=body,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
            **extra,
        )
        if _stream or not _parse_response:
            return None, response
        return _parse_result(response, response_schema), response

    async def request(
        self,
        method: str,
        url: str,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        post_params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        body: Any = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
        _stream: bool = False,
    ) -> httpx.Response:
        """Send a raw request through ``rest_client``; see :meth:`BaseApiClient.request`."""
        return await self.rest_client.request(
            method,
            url,
            query_params=query_params,
            headers=headers,
            body=body,
            post_params=post_params,
            _parse_response=not _stream,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )


class _EndpointResult:
    """The ``response_schema`` an operation call passes to ``call_api``: parses the answer
    as the operation's responses describe it."""

    __slots__ = ("core", "options", "spec")

    def __init__(self, core: _ClientCore, spec: EndpointSpec, options: Mapping[str, Any]) -> None:
        self.core = core
        self.spec = spec
        self.options = options

    def parse(self, response: httpx.Response) -> Any:
        return self.core._parse(self.spec, response, self.options)


def _file_parts(files: Any) -> list[tuple[str, Any]]:
    """cvat-sdk's ``files`` (name -> file or list of files) or httpx's (pairs) as form pairs."""
    if not files:
        return []
    items = files.items() if isinstance(files, Mapping) else files
    out: list[tuple[str, Any]] = []
    for name, value in items:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bytes | bytearray | memoryview):
                item = ("blob", bytes(item))
            elif not isinstance(item, tuple):
                filename = getattr(item, "name", None)
                item = (os.path.basename(filename) if isinstance(filename, str) else "blob", item)
            out.append((name, item))
    return out


def _parse_result(response: httpx.Response, response_schema: Any) -> Any:
    if isinstance(response_schema, _EndpointResult):
        return response_schema.parse(response)
    return _parse_custom(response, response_schema)


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
