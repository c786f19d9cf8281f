"""The sending layer of the low-level clients: cvat-sdk's ``rest_client`` object.

:class:`RESTClientObject` owns the pooled :class:`httpx.Client` and sends one request:
``request(method, url, query_params, headers, body, post_params, *, _parse_response,
_request_timeout, _check_status)``, the signature of cvat-sdk's ``RESTClientObject.request``.
Every request of the low-level client ends here, in the same layering as cvat-sdk::

    endpoint call -> ApiClient.call_api -> ApiClient.request -> ApiClient.rest_client.request

so a script or test that replaces any of these (``monkeypatch.setattr(RESTClientObject,
"request", ...)``) sees every request. :class:`AsyncRESTClientObject` is the same over an
:class:`httpx.AsyncClient`.

Here the answer is read (``_parse_response=True``) block by block under its size cap and
the call's deadline, an error status raises its `ApiException` (``_check_status=True``),
and network failures become :class:`~cvat_client.exceptions.ApiTransportError`. The
layers above can set how the answer is read (its cap, its deadline) with
:func:`read_policy` for the request they are about to send.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cvat_client._lowlevel import deadline
from cvat_client._lowlevel.body import (
    ERROR_BODY_LIMIT,
    aread_capped,
    is_annotations_path,
    is_binary_type,
    read_capped,
)
from cvat_client._lowlevel.configuration import Configuration, to_httpx_timeout
from cvat_client._lowlevel.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    DeadlineExceededError,
    exception_for_response,
)

if TYPE_CHECKING:
    import httpx

    from cvat_client._lowlevel.configuration import TimeoutTypes
    from cvat_client._lowlevel.response import Response

__all__ = ["RESTClientObject", "AsyncRESTClientObject", "ReadPolicy", "read_policy"]

logger = logging.getLogger("cvat_client")


@dataclass(frozen=True)
class ReadPolicy:
    """How the answer of the next request is read.

    Attributes:
        limit: the size cap of a successful answer (``None``: none, a file), given the
            response; ``None`` here means the default cap of the URL's kind.
        deadline: the total deadline of the request, in seconds; ``None`` means the
            configured one.
        truncate_errors: keep only the start of an error answer even when the status is
            not checked (the caller inspects the status itself).
    """

    limit: Callable[[httpx.Response], int | None] | None = None
    deadline: float | None = None
    truncate_errors: bool = False


_policy: contextvars.ContextVar[ReadPolicy | None] = contextvars.ContextVar(
    "cvat_client_read_policy", default=None
)


@contextmanager
def read_policy(policy: ReadPolicy) -> Iterator[None]:
    """Read the answer of the next request sent in this ``with`` block by ``policy``.

    The policy is taken by the first request that is sent: requests nested in it (a
    re-login) read by the defaults.
    """
    token = _policy.set(policy)
    try:
        yield
    finally:
        _policy.reset(token)


@contextmanager
def _taken_policy() -> Iterator[ReadPolicy | None]:
    policy = _policy.get()
    if policy is None:
        yield None
        return
    token = _policy.set(None)
    try:
        yield policy
    finally:
        _policy.reset(token)


def cookie_domain(url: str) -> str:
    """The domain the cookie jar files the server's own cookies under.

    :mod:`http.cookiejar` matches a dotless host (``localhost``, a Docker service name)
    as ``<host>.local``; a cookie set for the bare name would never be sent.
    """
    host = (urlsplit(url).hostname or "").lower()
    return host if "." in host or not host else f"{host}.local"


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


_METHODS = frozenset({"GET", "HEAD", "DELETE", "POST", "PUT", "PATCH", "OPTIONS"})


class _RestCore:
    """What the sync and async sending objects share: building requests, caps, logging."""

    configuration: Configuration

    def __init__(
        self,
        configuration: Configuration | None = None,
        pools_size: int = 4,
        maxsize: int | None = None,
        *,
        cookies: Mapping[str, str] | None = None,
    ) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self._cookies = dict(cookies or {})

    def _initial_cookies(self) -> httpx.Cookies:
        import httpx

        jar = httpx.Cookies()
        host = cookie_domain(self.configuration.host)
        given = dict(self._cookies)
        session = self.configuration.api_key.get("sessionAuth")
        if session is not None:
            given.setdefault("sessionid", session)
        csrf = self.configuration.api_key.get("csrfAuth")
        if csrf is not None:
            given.setdefault("csrftoken", csrf)
        for name, value in given.items():
            jar.set(name, value, domain=host)
        return jar

    def _build(
        self,
        client: httpx.Client | httpx.AsyncClient,
        method: str,
        url: str,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None,
        headers: Mapping[str, Any] | None,
        body: Any,
        post_params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None,
        timeout: TimeoutTypes,
    ) -> httpx.Request:
        import httpx

        method = method.upper()
        if method not in _METHODS:
            raise ApiValueError(f"unsupported HTTP method {method!r}")
        if post_params and body is not None:
            raise ApiValueError("body parameter cannot be used with post_params parameter.")
        full = httpx.URL(url) if "://" in url else httpx.URL(self.configuration.host + url)
        all_headers = {k: str(v) for k, v in (headers or {}).items() if v is not None}
        kwargs: dict[str, Any] = {}
        if post_params:
            data, files = _split_form(post_params)
            content_type = _header(all_headers, "content-type")
            if files or (content_type or "").lower().startswith("multipart/"):
                _drop_header(all_headers, "content-type")  # httpx adds it with the boundary
            if files:
                kwargs = {"data": data, "files": files}
            elif (content_type or "").lower().startswith("multipart/"):
                from cvat_client._lowlevel.request_building import text_multipart

                kwargs["content"], all_headers["Content-Type"] = text_multipart(data)
            else:
                kwargs["data"] = data
        elif body is not None:
            kwargs["content"] = _content(body)
        return client.build_request(
            method,
            full.copy_with(query=None),
            params=[*full.params.multi_items(), *query_list(query_params)],
            headers=all_headers,
            **kwargs,
            timeout=to_httpx_timeout(
                timeout if timeout is not None else self.configuration.timeout
            ),
        )

    def default_limit(self, response: httpx.Response) -> int | None:
        """The size cap of an answer by the kind of its URL and content: ``None`` for a
        file, the annotations cap for an annotation endpoint, else the JSON cap."""
        if is_binary_type(response.headers.get("content-type", "")):
            return None
        if is_annotations_path(response.request.url.path):
            return self.configuration.max_annotations_response_size
        return self.configuration.max_response_size

    def _read_plan(
        self,
        response: httpx.Response,
        policy: ReadPolicy | None,
        check_status: bool,
    ) -> tuple[int | None, bool]:
        """``(cap, truncate)`` of reading ``response``: an error answer (checked) only up
        to its start."""
        if not response.is_success and (
            check_status or (policy is not None and policy.truncate_errors)
        ):
            return ERROR_BODY_LIMIT, True
        limit = policy.limit if policy is not None and policy.limit is not None else None
        return (limit(response) if limit is not None else self.default_limit(response)), False

    def _deadline(self, policy: ReadPolicy | None) -> float | None:
        if policy is not None and policy.deadline is not None:
            return policy.deadline
        return self.configuration.deadline

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


class RESTClientObject(_RestCore):
    """Sends requests through one pooled :class:`httpx.Client` (cvat-sdk's ``rest_client``).

    Args:
        configuration: host, TLS, proxy, timeouts, caps and deadline.
        pools_size, maxsize: accepted for cvat-sdk's signature; the pool is httpx's.
        cookies: initial cookies (e.g. ``{"sessionid": ...}``).
        transport: a custom httpx transport (e.g. the in-process test server's).
    """

    def __init__(
        self,
        configuration: Configuration | None = None,
        pools_size: int = 4,
        maxsize: int | None = None,
        *,
        cookies: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(configuration, pools_size, maxsize, cookies=cookies)
        self._transport = transport
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """The underlying :class:`httpx.Client` (created on first use: start-up stays cheap)."""
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                cookies=self._initial_cookies(),
                transport=self._transport,
                **_client_kwargs(self.configuration),
            )
            deadline.install_on_client(self._client)
        return self._client

    def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            self._client.close()

    def send(self, request: httpx.Request, *, stream: bool = False) -> Response:
        """Send a prepared request, mapping network failures to ``ApiTransportError``."""
        from cvat_client._lowlevel.response import adopt

        with transport_errors(request):
            response = adopt(self.client.send(request, stream=stream))
        self._log(response)
        return response

    def request(
        self,
        method: str,
        url: str,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = None,
        post_params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """Send one request with exactly the given headers and return its response.

        ``url`` is absolute or a path on the configured host. ``body`` is JSON data,
        bytes or a byte iterator (streamed); ``post_params`` (pairs or a dict; a value
        that is a ``(filename, file)`` tuple or a file is a file part) make a form.
        ``_parse_response=False`` leaves the body unread (stream it, then close the
        response). ``_check_status=True`` raises the `ApiException` of an error status.
        """
        with _taken_policy() as policy:
            request = self._build(
                self.client, method, url, query_params, headers, body, post_params,
                _request_timeout,
            )  # fmt: skip
            with deadline.deadline_scope(self._deadline(policy) if _parse_response else None):
                response = self.send(request, stream=True)
                if _parse_response or (_check_status and not response.is_success):
                    limit, truncate = self._read_plan(response, policy, _check_status)
                    with transport_errors(request):
                        read_capped(response, limit, truncate=truncate)
        if _check_status and not response.is_success:
            raise exception_for_response(response)
        return response

    def GET(
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        query_params: Any = None,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """``request("GET", ...)``."""
        return self.request(
            "GET",
            url,
            headers=headers,
            query_params=query_params,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )

    def HEAD(
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        query_params: Any = None,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """``request("HEAD", ...)``."""
        return self.request(
            "HEAD",
            url,
            headers=headers,
            query_params=query_params,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )

    def OPTIONS(
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        query_params: Any = None,
        post_params: Any = None,
        body: Any = None,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """``request("OPTIONS", ...)``."""
        return self.request(
            "OPTIONS",
            url,
            headers=headers,
            query_params=query_params,
            post_params=post_params,
            body=body,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )

    def DELETE(
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        query_params: Any = None,
        body: Any = None,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """``request("DELETE", ...)``."""
        return self.request(
            "DELETE",
            url,
            headers=headers,
            query_params=query_params,
            body=body,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )

    def POST(
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        query_params: Any = None,
        post_params: Any = None,
        body: Any = None,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """``request("POST", ...)``."""
        return self.request(
            "POST",
            url,
            headers=headers,
            query_params=query_params,
            post_params=post_params,
            body=body,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )

    def PUT(
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        query_params: Any = None,
        post_params: Any = None,
        body: Any = None,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """``request("PUT", ...)``."""
        return self.request(
            "PUT",
            url,
            headers=headers,
            query_params=query_params,
            post_params=post_params,
            body=body,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )

    def PATCH(
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        query_params: Any = None,
        post_params: Any = None,
        body: Any = None,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """``request("PATCH", ...)``."""
        return self.request(
            "PATCH",
            url,
            headers=headers,
            query_params=query_params,
            post_params=post_params,
            body=body,
            _parse_response=_parse_response,
            _request_timeout=_request_timeout,
            _check_status=_check_status,
        )


class AsyncRESTClientObject(_RestCore):
    """:class:`RESTClientObject` over one pooled :class:`httpx.AsyncClient` (coroutines)."""

    def __init__(
        self,
        configuration: Configuration | None = None,
        pools_size: int = 4,
        maxsize: int | None = None,
        *,
        cookies: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(configuration, pools_size, maxsize, cookies=cookies)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The underlying :class:`httpx.AsyncClient` (created on first use)."""
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                cookies=self._initial_cookies(),
                transport=self._transport,
                **_client_kwargs(self.configuration),
            )
            deadline.install_on_client(self._client)
        return self._client

    async def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()

    async def send(self, request: httpx.Request, *, stream: bool = False) -> Response:
        """Send a prepared request, mapping network failures to ``ApiTransportError``."""
        from cvat_client._lowlevel.response import adopt

        with transport_errors(request):
            response = adopt(await self.client.send(request, stream=stream))
        self._log(response)
        return response

    async def request(
        self,
        method: str,
        url: str,
        query_params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = None,
        post_params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        *,
        _parse_response: bool = True,
        _request_timeout: TimeoutTypes = None,
        _check_status: bool = True,
    ) -> Response:
        """Send one request; see :meth:`RESTClientObject.request`."""
        with _taken_policy() as policy:
            request = self._build(
                self.client, method, url, query_params, headers, body, post_params,
                _request_timeout,
            )  # fmt: skip
            with deadline.deadline_scope(self._deadline(policy) if _parse_response else None):
                response = await self.send(request, stream=True)
                if _parse_response or (_check_status and not response.is_success):
                    limit, truncate = self._read_plan(response, policy, _check_status)
                    with transport_errors(request):
                        await aread_capped(response, limit, truncate=truncate)
        if _check_status and not response.is_success:
            raise exception_for_response(response)
        return response


def query_params_list(
    query: Sequence[tuple[str, Any]] | Mapping[str, Any] | None,
) -> list[tuple[str, Any]]:
    """Query pairs without ``None`` values; booleans as ``true``/``false``, numbers kept."""
    if not query:
        return []
    items = query.items() if isinstance(query, Mapping) else query
    out: list[tuple[str, Any]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif not isinstance(value, str | int | float):
            value = str(value)
        out.append((key, value))
    return out


def query_list(
    query: Sequence[tuple[str, Any]] | Mapping[str, Any] | None,
) -> list[tuple[str, Any]]:
    """Query pairs as sent: `query_params_list` with every value a string."""
    return [(key, str(value)) for key, value in query_params_list(query)]


def _is_file_part(value: Any) -> bool:
    return isinstance(value, tuple) or hasattr(value, "read")


def _split_form(
    post_params: Mapping[str, Any] | Sequence[tuple[str, Any]],
) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """Form fields and file parts of ``post_params`` (httpx's ``data`` and ``files``)."""
    items = post_params.items() if isinstance(post_params, Mapping) else post_params
    data: dict[str, Any] = {}
    files: list[tuple[str, Any]] = []
    for name, value in items:
        if _is_file_part(value):
            files.append((name, value))
        elif isinstance(value, list) and any(_is_file_part(v) for v in value):
            files.extend((name, v) for v in value)
        elif name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data, files


def _content(body: Any) -> Any:
    """The bytes (or byte stream) of a request body: JSON data is encoded."""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "__iter__") and not isinstance(body, dict | list | tuple):
        return body  # bytes iterator / stream: sent as it comes
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _drop_header(headers: dict[str, str], name: str) -> None:
    for key in [k for k in headers if k.lower() == name]:
        del headers[key]


@contextmanager
def transport_errors(request: httpx.Request) -> Iterator[None]:
    """Map httpx's network failures of ``request`` to our exceptions."""
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
