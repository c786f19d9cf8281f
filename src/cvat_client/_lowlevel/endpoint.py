"""Endpoint descriptions and the base classes of the generated ``*Api`` classes.

Every operation of the schema is described once by an :class:`EndpointSpec` (static
data written by the generator). ``tasks_api.create_endpoint`` binds that description to
a client as an :class:`Endpoint`, a first-class object that helpers can receive and
call (``get_paginated_collection(api_client.tasks_api.list_endpoint)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from cvat_client._lowlevel.exceptions import ApiTypeError
from cvat_client._lowlevel.validation import TypeSpec, describe

if TYPE_CHECKING:
    import httpx

    from cvat_client._lowlevel.client import BaseApiClient, BaseAsyncApiClient
    from cvat_client._lowlevel.configuration import TimeoutTypes

__all__ = [
    "Parameter",
    "ResponseSpec",
    "EndpointSpec",
    "Endpoint",
    "AsyncEndpoint",
    "ApiBase",
    "AsyncApiBase",
    "RequestOptions",
    "OPTION_NAMES",
]

Location = Literal["path", "query", "header", "cookie", "body"]


class RequestOptions(TypedDict, total=False):
    """Keyword arguments every API method accepts (all optional).

    ``_parse_response``: parse the body into a model (default ``True``).
    ``_check_status``: raise an :class:`ApiException` for a non-2xx status (default ``True``).
    ``_validate_inputs``: check and convert arguments before sending (default ``True``).
    ``_validate_outputs``: parse strictly, raising on any deviation from the schema
    (default ``False``: tolerant parsing, deviations logged at DEBUG level).
    ``_request_timeout``: seconds, ``(connect, read)`` or :class:`httpx.Timeout`.
    ``_content_type``: request body type, e.g. ``"multipart/form-data"`` (default: JSON,
    or multipart when the body holds files).
    ``_stream``: return the response unread, for the caller to iterate and close.
    ``_headers``: extra headers for this call only.
    ``_request_deadline``: the total seconds this call may take (default: the
    configuration's ``deadline``); not applied with ``_stream``.
    ``_max_response_size``: the largest answer accepted, in bytes (default: the
    configuration's cap for this kind of endpoint).
    """

    _parse_response: bool
    _check_status: bool
    _validate_inputs: bool
    _validate_outputs: bool
    _request_timeout: TimeoutTypes
    _content_type: str | None
    _stream: bool
    _headers: Mapping[str, str] | None
    _request_deadline: float | None
    _max_response_size: int | None


OPTION_NAMES = frozenset(RequestOptions.__annotations__)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of an operation.

    Attributes:
        name: the Python name (the method's argument).
        wire_name: the name in the request: query key, header, path placeholder.
        location: ``path``, ``query``, ``header``, ``cookie`` or ``body``.
        required: whether the operation requires it.
        type_spec: the type, in :mod:`cvat_client._lowlevel.validation`'s notation.
        description: the schema's description.
    """

    name: str
    wire_name: str
    location: Location
    required: bool
    type_spec: TypeSpec
    description: str = ""

    @property
    def type_name(self) -> str:
        """A readable type name, e.g. ``list[str]`` or ``TaskWriteRequest``."""
        return describe(self.type_spec)


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """What an operation answers with one status: content types and body type."""

    content_types: tuple[str, ...]
    type_spec: TypeSpec | None

    @property
    def is_binary(self) -> bool:
        """Whether the body is a file (bytes) rather than JSON."""
        return self.type_spec in ("binary", "file")


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """The static description of one operation."""

    operation_id: str
    name: str
    path: str
    http_method: str
    params: tuple[Parameter, ...]
    positional: tuple[str, ...]
    request_content_types: tuple[str, ...]
    responses: Mapping[str, ResponseSpec]
    auth: tuple[str, ...]
    models_module: str
    summary: str = ""
    deprecated: bool = False
    by_name: Mapping[str, Parameter] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {p.name: p for p in self.params})

    @property
    def body(self) -> Parameter | None:
        """The request body parameter, if the operation has one."""
        for param in self.params:
            if param.location == "body":
                return param
        return None

    def bind(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Map positional and keyword arguments to parameter names, checking them."""
        if len(args) > len(self.positional):
            raise ApiTypeError(
                f"{self.name}() takes {len(self.positional)} positional argument(s) "
                f"({', '.join(self.positional) or 'none'}), {len(args)} given"
            )
        bound = dict(zip(self.positional, args, strict=False))
        for key, value in kwargs.items():
            if key in bound:
                raise ApiTypeError(f"{self.name}() got multiple values for {key!r}")
            if key not in self.by_name:
                raise ApiTypeError(
                    f"{self.name}() got an unexpected argument {key!r}; "
                    f"parameters: {[p.name for p in self.params]}"
                )
            bound[key] = value
        return bound


def _split_options(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    options = {k: kwargs.pop(k) for k in list(kwargs) if k in OPTION_NAMES}
    return kwargs, options


class _EndpointBase:
    __slots__ = ("api_client", "spec")

    def __init__(self, spec: EndpointSpec, api_client: Any) -> None:
        self.spec = spec
        self.api_client = api_client

    @property
    def path(self) -> str:
        """The URL path template, e.g. ``/api/tasks/{id}``."""
        return self.spec.path

    @property
    def http_method(self) -> str:
        """The HTTP method, upper case."""
        return self.spec.http_method

    @property
    def operation_id(self) -> str:
        """The schema's operationId, e.g. ``tasks_create``."""
        return self.spec.operation_id

    @property
    def params(self) -> tuple[Parameter, ...]:
        """The parameters, with name, location and type."""
        return self.spec.params

    @property
    def request_content_types(self) -> tuple[str, ...]:
        """The request body content types the operation accepts."""
        return self.spec.request_content_types

    @property
    def responses(self) -> Mapping[str, ResponseSpec]:
        """Responses by status (``"200"``, ``"2XX"``, ``"default"``)."""
        return self.spec.responses

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.http_method} {self.spec.path} ({self.spec.operation_id})>"


class Endpoint(_EndpointBase):
    """An operation bound to a synchronous client; call it like the API method."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, httpx.Response]:
        """Call the operation: ``(data, response)`` like the matching API method."""
        params, options = _split_options(dict(kwargs))
        bound = self.spec.bind(args, params)
        client: BaseApiClient = self.api_client
        return client.call_endpoint(self.spec, bound, options)

    call_with_http_info = __call__


class AsyncEndpoint(_EndpointBase):
    """An operation bound to an asynchronous client; ``await`` a call."""

    __slots__ = ()

    async def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, httpx.Response]:
        """Call the operation: ``(data, response)`` like the matching API method."""
        params, options = _split_options(dict(kwargs))
        bound = self.spec.bind(args, params)
        client: BaseAsyncApiClient = self.api_client
        return await client.call_endpoint(self.spec, bound, options)

    call_with_http_info = __call__


class ApiBase:
    """Base of the generated synchronous ``*Api`` classes."""

    def __init__(self, api_client: BaseApiClient | None = None) -> None:
        if api_client is None:
            raise ApiTypeError(f"{type(self).__name__} needs an ApiClient")
        self.api_client = api_client


class AsyncApiBase:
    """Base of the generated asynchronous ``Async*Api`` classes."""

    def __init__(self, api_client: BaseAsyncApiClient | None = None) -> None:
        if api_client is None:
            raise ApiTypeError(f"{type(self).__name__} needs an AsyncApiClient")
        self.api_client = api_client
