"""Schema conformance of the test server's answers (the OpenAPI 3 schema of CVAT 2.73).

Every response the test server sends can be checked against the packaged schema as it leaves
the server: success and error bodies, in-process and over HTTP. The pytest plugin turns this on
for a whole test run (``--cvat-check-schema`` or the ``cvat_check_schema`` ini option) and fails
each test whose servers sent anything the schema does not allow.

What a response is checked for:

* its route: the most specific documented path matches (literal segments before ``{id}``
  parameters), the method is documented on it;
* a 2xx JSON body must be documented for its status (an undocumented 2xx JSON answer is a
  problem, never skipped), and a documented JSON body must come as JSON;
* JSON bodies: types (``integer`` is not ``bool``, ``number``, ``string``, ``boolean``,
  ``array``, ``object``), ``nullable``, ``enum``, ``required`` (write-only fields aside),
  ``allOf``/``oneOf``/``anyOf``, ``additionalProperties`` schemas, ``minimum``/``maximum``,
  ``minLength``/``maxLength``, ``minItems``/``maxItems``, ``pattern``, the formats
  ``date-time``, ``date``, ``uri``, ``email``, ``uuid`` and finite ``double``s; write-only
  fields (passwords) must never be answered;
* error bodies (4xx, 5xx as JSON): the documented schema where there is one, else one of DRF's
  error shapes (an object of messages, a list of strings or a string);
* JSON bodies must parse.

Validators are compiled once per schema component and path lookups are cached, so checking
every response of a large test run stays cheap.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import yaml
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "Collector",
    "SchemaConformance",
    "collecting",
    "errors",
    "problems_of",
    "response_schema",
]

_JSON_TYPES = ("application/vnd.cvat+json", "application/json")

Check = Callable[[Any, str, list[str]], None]


@functools.cache
def _schema() -> dict[str, Any]:
    from cvat_client.testing.routes.server_info import schema_path

    path = schema_path()
    if path is None:
        raise RuntimeError("the packaged CVAT schema file is missing")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return loaded


def _specificity(template: str) -> tuple[int, ...]:
    # literal segments sort before parameters at the first position where two paths differ
    return tuple(1 if part.startswith("{") else 0 for part in template.strip("/").split("/"))


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    templates = sorted(_schema()["paths"], key=_specificity)
    routes = []
    for template in templates:
        pattern = "/".join(
            "[^/]+" if part.startswith("{") else re.escape(part)
            for part in template.rstrip("/").split("/")
        )
        routes.append((re.compile(f"^{pattern}/?$"), template))
    return routes


@functools.lru_cache(maxsize=8192)
def route_of(path: str) -> str | None:
    """The schema's path template for a request path (the most specific one), or None."""
    for regex, template in _routes():
        if regex.match(path):
            return template
    return None


def _operation(method: str, path: str) -> tuple[str | None, dict[str, Any] | None]:
    template = route_of(path)
    if template is None:
        return None, None
    operation = _schema()["paths"][template].get(method.lower())
    return template, operation


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    """The documented JSON schema of a response, or None when the schema documents none."""
    _, operation = _operation(method, path)
    if operation is None:
        return None
    response = operation.get("responses", {}).get(str(status))
    if not response:
        return None
    for media, spec in response.get("content", {}).items():
        if media in _JSON_TYPES and "schema" in spec:
            schema: dict[str, Any] = spec["schema"]
            return schema
    return None


# -- compiled validators -------------------------------------------------------------------------


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value or " " in value


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_uri(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc) and not any(c.isspace() for c in value)


def _is_email(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() for c in value)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


_FORMATS: dict[str, Callable[[str], bool]] = {
    "date-time": _is_datetime,
    "date": _is_date,
    "uri": _is_uri,
    "email": _is_email,
    "uuid": _is_uuid,
}

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


class _Compiler:
    """Turns schema nodes into check functions, once per component and node."""

    def __init__(self) -> None:
        self._components: dict[str, Check] = {}
        # keyed by id(); the node is kept alive with its check so that no id is reused
        self._nodes: dict[int, tuple[dict[str, Any], Check]] = {}
        self._lock = threading.Lock()

    def check(self, node: dict[str, Any]) -> Check:
        with self._lock:
            return self._compile(node)

    def _ref(self, name: str) -> Check:
        found = self._components.get(name)
        if found is None:
            slot: list[Check] = []
            self._components[name] = lambda v, w, out: slot[0](v, w, out)
            slot.append(self._compile(_schema()["components"]["schemas"][name]))
            self._components[name] = slot[0]
            found = slot[0]
        return found

    def _compile(self, node: dict[str, Any]) -> Check:
        key = id(node)
        entry = self._nodes.get(key)
        if entry is None:
            entry = (node, self._build(node))
            self._nodes[key] = entry
        return entry[1]

    def _build(self, node: dict[str, Any]) -> Check:
        if "$ref" in node:
            return self._ref(node["$ref"].split("/")[-1])
        if not node:
            return lambda v, w, out: None
        nullable = bool(node.get("nullable"))
        parts: list[Check] = []
        for part in node.get("allOf", []):
            parts.append(self._compile(part))
        for key in ("oneOf", "anyOf"):
            if key in node:
                options = [self._compile(o) for o in node[key]]

                def choice(
                    v: Any, w: str, out: list[str], options: list[Check] = options, key: str = key
                ) -> None:
                    closest: list[str] | None = None
                    for option in options:
                        found: list[str] = []
                        option(v, w, found)
                        if not found:
                            return
                        if closest is None or len(found) < len(closest):
                            closest = found
                    out.append(f"{w}: matches no {key} option")
                    out += closest or []

                parts.append(choice)
        # enums of the schema are nullable through a oneOf with NullEnum/BlankEnum
        if "enum" in node:
            allowed = node["enum"]

            def enum(v: Any, w: str, out: list[str], allowed: list[Any] = allowed) -> None:
                if v not in allowed:
                    out.append(f"{w}: {v!r} not in {allowed}")

            parts.append(enum)
        kind = node.get("type")
        if kind in _TYPES:
            is_kind = _TYPES[kind]
            inner = self._typed(kind, node)

            def typed(v: Any, w: str, out: list[str], kind: str = kind) -> None:
                if not is_kind(v):
                    out.append(f"{w}: expected {kind}, got {type(v).__name__}")
                elif inner is not None:
                    inner(v, w, out)

            parts.append(typed)
        elif "properties" in node or "required" in node:
            obj = self._object(node)

            def untyped_object(v: Any, w: str, out: list[str]) -> None:
                if isinstance(v, dict):
                    obj(v, w, out)

            parts.append(untyped_object)

        def run(v: Any, w: str, out: list[str]) -> None:
            if v is None and nullable:
                return
            for part in parts:
                part(v, w, out)

        return run

    def _typed(self, kind: str, node: dict[str, Any]) -> Check | None:
        if kind == "object":
            return self._object(node)
        checks: list[Check] = []
        if kind == "string":
            fmt = _FORMATS.get(node.get("format", ""))
            low, high = node.get("minLength"), node.get("maxLength")
            pattern = re.compile(node["pattern"]) if "pattern" in node else None

            def string(v: str, w: str, out: list[str]) -> None:
                if fmt is not None and not fmt(v):
                    out.append(f"{w}: {v!r} is not a valid {node.get('format')}")
                if low is not None and len(v) < low:
                    out.append(f"{w}: shorter than {low}")
                if high is not None and len(v) > high:
                    out.append(f"{w}: longer than {high}")
                if pattern is not None and not pattern.search(v):
                    out.append(f"{w}: {v!r} does not match {pattern.pattern!r}")

            checks.append(string)
        elif kind in ("integer", "number"):
            low, high = node.get("minimum"), node.get("maximum")
            finite = node.get("format") in ("double", "float")

            def number(v: float, w: str, out: list[str]) -> None:
                if finite and not math.isfinite(v):
                    out.append(f"{w}: {v!r} is not a finite number")
                if low is not None and v < low:
                    out.append(f"{w}: {v} < minimum {low}")
                if high is not None and v > high:
                    out.append(f"{w}: {v} > maximum {high}")

            checks.append(number)
        elif kind == "array":
            item = self._compile(node["items"]) if "items" in node else None
            low, high = node.get("minItems"), node.get("maxItems")

            def array(v: list[Any], w: str, out: list[str]) -> None:
                if low is not None and len(v) < low:
                    out.append(f"{w}: fewer than {low} items")
                if high is not None and len(v) > high:
                    out.append(f"{w}: more than {high} items")
                if item is not None:
                    for i, element in enumerate(v):
                        item(element, f"{w}[{i}]", out)

            checks.append(array)
        if not checks:
            return None
        return checks[0]

    def _object(self, node: dict[str, Any]) -> Check:
        properties = node.get("properties", {})
        compiled = {name: self._compile(prop) for name, prop in properties.items()}
        write_only = {name for name, prop in properties.items() if _deref(prop).get("writeOnly")}
        required = [name for name in node.get("required", []) if name not in write_only]
        extra = node.get("additionalProperties")
        extra_check = self._compile(extra) if isinstance(extra, dict) else None
        # DRF serializers answer their declared fields only
        closed = extra is None and bool(properties)

        def obj(v: dict[str, Any], w: str, out: list[str]) -> None:
            for name in required:
                if name not in v:
                    out.append(f"{w}: missing required {name!r}")
            for name, value in v.items():
                check = compiled.get(name)
                if check is not None:
                    if name in write_only:
                        out.append(f"{w}.{name}: a write-only field was answered")
                    check(value, f"{w}.{name}", out)
                elif extra_check is not None:
                    extra_check(value, f"{w}.{name}", out)
                elif closed:
                    out.append(f"{w}.{name}: not a property of the schema")

        return obj


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _schema()["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


_COMPILER = _Compiler()


def errors(value: Any, node: dict[str, Any], where: str = "$") -> list[str]:
    """Validation errors of ``value`` against a schema node (an empty list when it conforms)."""
    found: list[str] = []
    _COMPILER.check(node)(value, where, found)
    return found


def _drf_error(value: Any) -> bool:
    """Whether a body is one of DRF's error shapes."""
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(isinstance(item, (str, dict, list)) for item in value)
    if isinstance(value, dict):
        return all(isinstance(v, (str, list, dict)) for v in value.values())
    return False


_LABELED_DATA = {"$ref": "#/components/schemas/LabeledData"}
#: DRF's answer to ``OPTIONS`` (SimpleMetadata); the schema documents no ``OPTIONS``.
_DRF_METADATA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "renders", "parses"],
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "renders": {"type": "array", "items": {"type": "string"}},
        "parses": {"type": "array", "items": {"type": "string"}},
    },
}
#: django-health-check's JSON report: one status text per check.
_HEALTH: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}

#: Answers of CVAT 2.73 that its schema leaves out: (method, path template, status) -> the
#: schema the real server's body follows (recorded in the shared CVAT exchanges).
SCHEMA_GAPS: dict[tuple[str, str, int], dict[str, Any]] = {
    # annotation updates answer the annotations as stored (recording 05-annotations)
    ("PUT", "/api/tasks/{id}/annotations/", 200): _LABELED_DATA,
    ("PUT", "/api/jobs/{id}/annotations/", 200): _LABELED_DATA,
    ("PATCH", "/api/tasks/{id}/annotations/", 200): _LABELED_DATA,
    ("PATCH", "/api/jobs/{id}/annotations/", 200): _LABELED_DATA,
    # the health check is served outside the API schema (recording 11-server)
    ("GET", "/api/server/health/", 200): _HEALTH,
}
_HEALTH_PATH = re.compile(r"^/api/server/health/?$")
#: Request headers of CVAT's upload protocol whose 202 answers have an empty body.
_EMPTY_UPLOAD_ANSWERS = (b"upload-start", b"upload-multiple")


def _wants_html(accept: str) -> bool:
    kinds = {item.split(";")[0].strip().lower() for item in accept.split(",")}
    return "text/html" in kinds


def problems_of(
    method: str,
    path: str,
    status: int,
    content_type: str,
    body: bytes,
    request_headers: dict[bytes, bytes] | None = None,
) -> list[str]:
    """Schema problems of one complete response (an empty list when it conforms).

    ``request_headers`` (lower-case names) tell answers CVAT gives outside its schema: the
    browsable API's HTML pages and the empty answers of ``Upload-Start``/``Upload-Multiple``.
    """
    headers = request_headers or {}
    media = content_type.split(";")[0].strip()
    is_json = media in _JSON_TYPES
    if method == "HEAD" or status in (204, 304) or status < 200:
        return []
    if media == "text/html" and _wants_html(headers.get(b"accept", b"").decode("latin-1")):
        return []  # DRF's browsable API
    if method == "OPTIONS" and status == 200:
        return _json_problems(is_json, status, body, _DRF_METADATA)
    template, operation = _operation(method, path)
    if template is None and _HEALTH_PATH.match(path):
        template = "/api/server/health/"
    gap = SCHEMA_GAPS.get((method, template or "", status))
    if gap is not None:
        if gap is _HEALTH and not is_json:
            return []  # its HTML page, unless JSON is asked for
        return _json_problems(is_json, status, body, gap)
    if template is None or operation is None:
        # the 404 and 405 answers to paths and methods CVAT does not have either
        if 200 <= status < 300 and is_json:
            return [f"an undocumented {status} JSON answer"]
        return _error_problems(is_json, status, body)
    documented = operation.get("responses", {}).get(str(status))
    schema = response_schema(method, path, status)
    if 200 <= status < 300:
        if schema is None:
            if is_json:
                return [f"{status} JSON answer not documented for {method} {template}"]
            return []
        if _deref(schema).get("format") == "binary":
            return []  # files and chunks come with their own media types
        if not body and any(name in headers for name in _EMPTY_UPLOAD_ANSWERS):
            return []
        if not is_json:
            kinds = set((documented or {}).get("content", {}))
            if kinds and not kinds - set(_JSON_TYPES):
                return [f"{status} answered as {media or 'no type'}, documented as JSON"]
            return []
        return _json_problems(is_json, status, body, schema)
    if schema is not None and is_json:
        return _json_problems(is_json, status, body, schema)
    return _error_problems(is_json, status, body)


def _json_problems(is_json: bool, status: int, body: bytes, schema: dict[str, Any]) -> list[str]:
    if not is_json:
        return [f"{status} answer is not JSON"]
    try:
        value = json.loads(body)
    except ValueError:
        return [f"{status} body is not JSON"]
    return errors(value, schema)


def _error_problems(is_json: bool, status: int, body: bytes) -> list[str]:
    if not is_json or status < 400:
        return []
    try:
        value = json.loads(body)
    except ValueError:
        return [f"{status} error body is not JSON"]
    if not _drf_error(value):
        return [f"{status} error body is not a DRF error: {body[:200]!r}"]
    return []


# -- collecting problems -------------------------------------------------------------------------


class Collector:
    """The schema problems seen while it is active (see :func:`collecting`)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked = 0


_active: list[Collector] = []
_active_lock = threading.Lock()


@contextlib.contextmanager
def collecting() -> Iterator[Collector]:
    """Collect the problems of every checked server while the ``with`` block runs.

    Servers created inside the block check their answers by default.
    """
    collector = Collector()
    with _active_lock:
        _active.append(collector)
    try:
        yield collector
    finally:
        with _active_lock:
            _active.remove(collector)


#: Set to ``1``, every server of the process checks its answers and :meth:`close
#: <cvat_client.testing.CvatTestServer.close>` raises ``AssertionError`` on a problem (for
#: scripts run in a subprocess, such as the examples).
ENV_SWITCH = "CVAT_TESTING_CHECK_SCHEMA"


def strict_by_environment() -> bool:
    """Whether the environment asks every server to check its answers and fail on close."""
    return os.environ.get(ENV_SWITCH, "") == "1"


_session = False


def check_every_server(enabled: bool = True) -> bool:
    """Make every server created from now on check its answers, also outside a collector.

    The pytest plugin calls this when the check is on for the run, so servers made by
    module- or session-scoped fixtures check too; their answers count for the test that
    is running when they are sent.
    """
    global _session
    previous, _session = _session, enabled
    return previous


def enabled_by_default() -> bool:
    """Whether servers created now check their answers (while a collector is active, for
    the whole run (see :func:`check_every_server`), or when the environment asks for it)."""
    return bool(_active) or _session or strict_by_environment()


class SchemaConformance:
    """ASGI middleware checking each complete response against the schema as it is sent.

    ``problems`` lists what was wrong (``"METHOD path: problem"``); active collectors (see
    :func:`collecting`) get them too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.problems: list[str] = []
        self.checked = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; check the response as it goes out."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = {"status": 0, "type": "", "body": []}

        async def check(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        state["type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                if state["type"].startswith(_JSON_TYPES):
                    state["body"].append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._check(scope, state["status"], state["type"], b"".join(state["body"]))
            await send(message)

        await self.app(scope, receive, check)

    def _check(self, scope: Scope, status: int, content_type: str, body: bytes) -> None:
        method, path = scope["method"], scope["path"]
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        problems = problems_of(method, path, status, content_type, body, headers)
        found = [f"{method} {path}: {p}" for p in problems]
        self.checked += 1
        self.problems += found
        with _active_lock:
            for collector in _active:
                collector.checked += 1
                collector.problems += found
