"""Check JSON responses against the CVAT 2.73 OpenAPI schema (a small OpenAPI 3 validator)."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import httpx
import yaml
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cvat_client.testing.routes.server_info import schema_path

_JSON_TYPES = ("application/vnd.cvat+json", "application/json")


@functools.cache
def _schema() -> dict[str, Any]:
    path = schema_path()
    assert path is not None, "the CVAT schema file is missing"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template in _schema()["paths"]:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template.rstrip("/"))
        routes.append((re.compile(f"^{pattern}/?$"), template))
    return routes


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    """The documented schema of a response, or None when the schema documents none."""
    for regex, template in _routes():
        if regex.match(path):
            operation = _schema()["paths"][template].get(method.lower())
            if operation is None:
                return None
            response = operation.get("responses", {}).get(str(status))
            if not response or "content" not in response:
                return None
            for media, spec in response["content"].items():
                if media in _JSON_TYPES and "schema" in spec:
                    schema: dict[str, Any] = spec["schema"]
                    return schema
            return None
    return None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].split("/")[-1]
        node = _schema()["components"]["schemas"][name]
    return node


def errors(value: Any, node: dict[str, Any], where: str = "$") -> list[str]:
    """Validation errors of ``value`` against a schema node."""
    node = _resolve(node)
    if value is None:
        return [] if node.get("nullable") or not node else [f"{where}: null is not allowed"]
    if "allOf" in node:
        return [e for part in node["allOf"] for e in errors(value, part, where)]
    for key in ("oneOf", "anyOf"):
        if key in node:
            options = [errors(value, part, where) for part in node[key]]
            return [] if any(not o for o in options) else [f"{where}: matches no {key} option"]
    if "enum" in node and value not in node["enum"] and not (value == "" and "" in node["enum"]):
        return [f"{where}: {value!r} not in {node['enum']}"]
    kind = node.get("type")
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    if kind in checks and not checks[kind](value):
        return [f"{where}: expected {kind}, got {type(value).__name__}"]
    found: list[str] = []
    if kind == "array" and "items" in node:
        for i, item in enumerate(value):
            found += errors(item, node["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        for name in node.get("required", []):
            prop = _resolve(node.get("properties", {}).get(name, {}))
            if name not in value and not prop.get("writeOnly"):
                found.append(f"{where}: missing required {name!r}")
        for name, prop in node.get("properties", {}).items():
            if name in value:
                found += errors(value[name], prop, f"{where}.{name}")
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            for name, item in value.items():
                if name not in node.get("properties", {}):
                    found += errors(item, extra, f"{where}.{name}")
    return found


def problems_of(method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
    """Schema problems of one response (none when the schema documents no JSON body for it)."""
    if content_type.split(";")[0] not in _JSON_TYPES or not 200 <= status < 300:
        return []
    schema = response_schema(method, path, status)
    if schema is None:
        return []
    return errors(json.loads(body), schema)


def check_response(response: httpx.Response) -> None:
    """Assert a JSON response matches its documented schema (skips undocumented ones)."""
    ctype = response.headers.get("content-type", "").split(";")[0]
    if ctype not in _JSON_TYPES or not response.is_success:
        return
    request = response.request
    response.read()
    problems = problems_of(
        request.method, request.url.path, response.status_code, ctype, response.content
    )
    assert not problems, f"{request.method} {request.url.path}: {problems[:5]}"


class SchemaRecorder:
    """ASGI middleware that keeps every JSON response, to check them against the schema later.

    Used for the live-HTTP tests, where the clients (the official SDK among them) are not
    ours to hook: the server side sees every response they get.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[tuple[str, str, int, str, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = {"status": 0, "type": "", "body": b""}

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        state["type"] = value.decode("latin-1")
            elif message["type"] == "http.response.body" and state["type"].startswith(_JSON_TYPES):
                state["body"] += message.get("body", b"")
                if not message.get("more_body", False):
                    self.seen.append(
                        (scope["method"], scope["path"], state["status"], state["type"],
                         state["body"])
                    )  # fmt: skip
            await send(message)

        await self.app(scope, receive, record)

    def problems(self) -> list[str]:
        """Schema problems of the JSON responses seen so far."""
        found = []
        for method, path, status, ctype, body in self.seen:
            found += [
                f"{method} {path}: {p}" for p in problems_of(method, path, status, ctype, body)
            ]
        return found
