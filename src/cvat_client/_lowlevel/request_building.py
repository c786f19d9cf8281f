"""Turning an endpoint call's arguments into the parts of an HTTP request.

Pure functions, shared by the sync and async clients: no I/O happens here except
opening files given by path (the caller closes them, see :class:`RequestParts`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import IO, Any
from urllib.parse import quote

from cvat_client._lowlevel.endpoint import EndpointSpec, Parameter
from cvat_client._lowlevel.exceptions import ApiTypeError, ApiValueError
from cvat_client._lowlevel.model_support import encode, format_datetime, resolver_for
from cvat_client._lowlevel.unset import UNSET
from cvat_client._lowlevel.validation import Resolver, is_file_like, may_hold_files, to_wire

__all__ = [
    "RequestParts",
    "build_request_parts",
    "JSON_CONTENT_TYPE",
    "MULTIPART_CONTENT_TYPE",
    "ORG_PARAMS",
]

JSON_CONTENT_TYPE = "application/json"
MULTIPART_CONTENT_TYPE = "multipart/form-data"
#: Parameters that choose the organization context of one call.
ORG_PARAMS = frozenset({"org", "org_id", "x_organization"})


@dataclass
class RequestParts:
    """Everything needed to build the request; ``opened`` files must be closed after sending."""

    method: str
    path: str
    params: list[tuple[str, str | int]] = field(default_factory=list)
    #: a header given as ``None`` is left out, also a default one
    headers: dict[str, str | None] = field(default_factory=dict)
    content: bytes | None = None
    data: dict[str, Any] | None = None
    files: list[tuple[str, Any]] | None = None
    opened: list[IO[bytes]] = field(default_factory=list)
    sets_organization: bool = False

    def close(self) -> None:
        """Close files opened from paths."""
        for handle in self.opened:
            handle.close()
        self.opened.clear()


def build_request_parts(
    spec: EndpointSpec,
    args: Mapping[str, Any],
    *,
    content_type: str | None = None,
    validate: bool = True,
) -> RequestParts:
    """Build the request of ``spec`` called with ``args`` (parameter name -> value)."""
    resolve = resolver_for(spec.models_module)
    for param in spec.params:
        if param.required and args.get(param.name, UNSET) is UNSET:
            raise ApiValueError(
                f"{spec.name}(): missing required argument {param.name!r} ({param.type_name})"
            )
    path_values: dict[str, str] = {}
    parts = RequestParts(method=spec.http_method, path=spec.path)
    body_param: Parameter | None = None
    for param in spec.params:
        value = args.get(param.name, UNSET)
        if param.location == "body":
            body_param = param
            continue
        if value is UNSET:
            continue
        if param.name in ORG_PARAMS and value is not None:
            parts.sets_organization = True
        if validate and value is not None:
            value = to_wire(value, param.type_spec, resolve, [param.name])
        if param.location == "path":
            path_values[param.wire_name] = quote(_scalar_text(value), safe="")
        elif param.location == "query":
            if value is None:
                continue
            items = value if isinstance(value, list | tuple) else [value]
            parts.params.extend(
                (param.wire_name, item if item.__class__ is int else _scalar_text(item))
                for item in items
            )
        elif param.location == "header":
            if value is None:
                parts.headers[param.wire_name] = None  # left out, also a default one
                continue
            if value is False:
                # CVAT checks flag headers (Upload-Start, ...) for presence, not value:
                # a false flag must be left out, not sent as "false".
                continue
            parts.headers[param.wire_name] = _scalar_text(value)
        elif param.location == "cookie":
            parts.headers["Cookie"] = f"{param.wire_name}={_scalar_text(value)}"
    if path_values:
        parts.path = spec.path.format(**path_values)

    if body_param is not None:
        body = args.get(body_param.name, UNSET)
        if body is not UNSET:
            _set_body(parts, spec, body_param, body, content_type, validate, resolve)
    return parts


def _set_body(
    parts: RequestParts,
    spec: EndpointSpec,
    param: Parameter,
    body: Any,
    content_type: str | None,
    validate: bool,
    resolve: Resolver,
) -> None:
    wire = to_wire(body, param.type_spec, resolve, [param.name]) if validate else encode_body(body)
    # Only look for files (a walk over the whole body) where the schema allows them.
    holds_files = may_hold_files(param.type_spec, resolve) and _has_files(wire)
    if content_type is None:
        if MULTIPART_CONTENT_TYPE in spec.request_content_types and (
            holds_files or JSON_CONTENT_TYPE not in spec.request_content_types
        ):
            content_type = MULTIPART_CONTENT_TYPE
        else:
            content_type = JSON_CONTENT_TYPE
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == MULTIPART_CONTENT_TYPE:
        if not isinstance(wire, Mapping):
            raise ApiTypeError(f"{spec.name}(): a multipart body must be a model or a dict")
        parts.data, parts.files = _multipart_fields(wire, parts.opened)
        if not parts.files:
            # httpx sends a urlencoded form when there are no files: encode it here.
            parts.content, parts.headers["Content-Type"] = text_multipart(parts.data)
            parts.data = parts.files = None
        return
    if media_type.endswith("json"):
        if holds_files:
            raise ApiTypeError(
                f"{spec.name}(): the body holds files, which JSON cannot carry; "
                f"pass _content_type='{MULTIPART_CONTENT_TYPE}'"
            )
        parts.content = json.dumps(wire, separators=(",", ":"), ensure_ascii=False).encode()
        parts.headers["Content-Type"] = content_type
        return
    if isinstance(wire, bytes | bytearray):
        parts.content = bytes(wire)
        parts.headers["Content-Type"] = content_type
        return
    raise ApiValueError(
        f"{spec.name}(): unsupported request content type {content_type!r}; "
        f"the operation accepts {list(spec.request_content_types)}"
    )


def text_multipart(fields: Mapping[str, str]) -> tuple[bytes, str]:
    boundary = os.urandom(16).hex()
    chunks = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    chunks.append(f"--{boundary}--\r\n")
    return "".join(chunks).encode(), f"{MULTIPART_CONTENT_TYPE}; boundary={boundary}"


def encode_body(body: Any) -> Any:
    """Convert a body without validation: models to dicts, files kept as they are."""
    if body is None or body.__class__ in _JSON_SCALARS:
        return body
    if is_file_like(body):
        return body
    if isinstance(body, Mapping):
        return {k: encode_body(v) for k, v in body.items() if v is not UNSET}
    if isinstance(body, list | tuple):
        return [encode_body(v) for v in body]
    if hasattr(body, "to_dict") and hasattr(type(body), "__cvat_fields__"):
        fields = type(body).__cvat_fields__
        out = dict(getattr(body, "additional_properties", {}))
        for wire_name, python_name, *_ in fields:
            value = getattr(body, python_name)
            if value is not UNSET:
                out[wire_name] = encode_body(value)
        return out
    return encode(body)


#: Plain JSON values: never files, nothing to convert.
_JSON_SCALARS = frozenset({str, int, float, bool})


def _has_files(value: Any) -> bool:
    if value is None or value.__class__ in _JSON_SCALARS:
        return False
    if is_file_like(value):
        return True
    if isinstance(value, Mapping):
        return any(_has_files(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_files(v) for v in value)
    return False


def _multipart_fields(
    wire: Mapping[str, Any], opened: list[IO[bytes]]
) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    data: dict[str, Any] = {}
    files: list[tuple[str, Any]] = []
    for name, value in wire.items():
        if value is UNSET or value is None:
            continue
        if isinstance(value, list | tuple) and not (
            isinstance(value, tuple) and is_file_like(value)
        ):
            if any(_has_files(v) for v in value):
                for i, item in enumerate(value):
                    files.append((f"{name}[{i}]", _file_entry(item, opened)))
            elif value and all(isinstance(v, str | int | float | bool) for v in value):
                for i, item in enumerate(value):
                    data[f"{name}[{i}]"] = _scalar_text(item)
            else:
                data[name] = json.dumps(value, separators=(",", ":"))
        elif _has_files(value):
            files.append((name, _file_entry(value, opened)))
        elif isinstance(value, Mapping):
            data[name] = json.dumps(value, separators=(",", ":"))
        else:
            data[name] = _scalar_text(value)
    return data, files


def _file_entry(value: Any, opened: list[IO[bytes]]) -> Any:
    if isinstance(value, tuple):
        return value
    if isinstance(value, os.PathLike):
        handle = open(os.fspath(value), "rb")  # noqa: SIM115 - closed by RequestParts.close()
        opened.append(handle)
        return (os.path.basename(os.fspath(value)), handle)
    if isinstance(value, bytes | bytearray | memoryview):
        return ("blob", bytes(value))
    name = getattr(value, "name", None)
    filename = os.path.basename(name) if isinstance(name, str) else "blob"
    return (filename, value)


def _scalar_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)
