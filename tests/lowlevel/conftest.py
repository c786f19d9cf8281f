"""Shared helpers of the low-level client's tests: paths, schema loading, a mock server."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SCHEMA = ROOT / "openapi" / "cvat.schema.yml"
RESPONSES = SHARED / "cvat-responses"
SCHEMAS = SHARED / "cvat-openapi"
HOST = "http://cvat.example:8080"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def require_shared(path: Path) -> Path:
    """Skip the calling test when the shared test data folder is not checked out beside the repo."""
    if not path.is_dir():
        pytest.skip(
            f"shared test data not available: ../shared/{path.name}/ not found beside the repository"
        )
    return path


@cache
def load_schema(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of a schema: operation id, tag, path, method and the raw object."""
    ops = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            ops.append(
                {
                    "operation_id": op["operationId"],
                    "tag": op["tags"][0],
                    "path": path,
                    "method": method.upper(),
                    "op": op,
                }
            )
    return ops


def method_name(operation_id: str, tag: str) -> str:
    """cvat-sdk's naming rule: the operationId without ``<tag>_``, else the whole id."""
    prefix = f"{tag}_"
    return operation_id[len(prefix) :] if operation_id.startswith(prefix) else operation_id


def api_class_name(tag: str) -> str:
    return "".join(part.capitalize() for part in tag.replace("-", "_").split("_")) + "Api"


async def resolve(value: Any) -> Any:
    """Await ``value`` if it is awaitable: lets one test body drive sync and async clients."""
    if inspect.isawaitable(value):
        return await value
    return value


class MockServer:
    """An httpx mock transport that records requests and answers with ``handler``."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.handler: Callable[[httpx.Request], httpx.Response] = lambda request: json_response({})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.handler(request)

    @property
    def last(self) -> httpx.Request:
        assert self.requests, "no request was sent"
        return self.requests[-1]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | list[tuple[str, str]] | None = None
) -> httpx.Response:
    all_headers = [("Content-Type", "application/vnd.cvat+json")]
    if isinstance(headers, dict):
        all_headers += list(headers.items())
    elif headers:
        all_headers += headers
    return httpx.Response(status, headers=all_headers, content=json.dumps(data).encode())


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> MockServer:
    return MockServer()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(mode: str, server: MockServer) -> AsyncIterator[Callable[..., Any]]:
    """Build an ``ApiClient`` (sync mode) or ``AsyncApiClient`` over the mock server."""
    from cvat_client.api_client import ApiClient, AsyncApiClient, Configuration

    made: list[Any] = []

    def make(configuration: Configuration | None = None, **kwargs: Any) -> Any:
        configuration = configuration or Configuration(HOST)
        cls = ApiClient if mode == "sync" else AsyncApiClient
        client = cls(configuration, transport=server.transport(), **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        await resolve(client.close())


_SCALAR_SPECS = {
    ("integer", None): "int",
    ("number", None): "float",
    ("boolean", None): "bool",
    ("string", None): "str",
    ("string", "uuid"): "uuid",
    ("string", "date-time"): "datetime",
    ("string", "date"): "date",
}


def expected_param_spec(schema: dict[str, Any]) -> Any:
    """The type spec the generator should write for a parameter's schema."""
    if "enum" in schema:
        return "enum"
    if schema.get("type") == "array":
        return ("list", expected_param_spec(schema.get("items") or {}))
    return _SCALAR_SPECS.get((schema.get("type"), schema.get("format")), "any")


def spec_matches(actual: Any, expected: Any) -> bool:
    if expected == "enum":
        return isinstance(actual, tuple) and actual[0] == "enum"
    if isinstance(expected, tuple):
        return (
            isinstance(actual, tuple)
            and actual[0] == expected[0]
            and spec_matches(actual[1], expected[1])
        )
    return bool(actual == expected)


def check_api_coverage(package: Any, schema: dict[str, Any]) -> int:
    """Assert that ``package`` (a generated ``api_client``) has every operation of ``schema``.

    For each operation: the sync and async method, the ``<name>_endpoint`` objects and
    their description (path, method, operation id, parameters, content types).
    Returns the number of operations checked.
    """
    from cvat_client._lowlevel.endpoint import AsyncEndpoint, Endpoint

    sync_client = package.ApiClient(package.Configuration(HOST))
    async_client = package.AsyncApiClient(package.Configuration(HOST))
    problems: list[str] = []
    ops = operations(schema)
    for info in ops:
        tag, op_id = info["tag"], info["operation_id"]
        name = method_name(op_id, tag)
        cls_name = api_class_name(tag)
        sync_cls = getattr(package.apis, cls_name, None)
        async_cls = getattr(package.apis, f"Async{cls_name}", None)
        if sync_cls is None or async_cls is None:
            problems.append(f"{op_id}: no {cls_name} / Async{cls_name}")
            continue
        sync_api = getattr(sync_client, f"{tag}_api")
        async_api = getattr(async_client, f"{tag}_api")
        assert type(sync_api) is sync_cls, (tag, type(sync_api))
        assert type(async_api) is async_cls, (tag, type(async_api))
        for api, endpoint_cls, is_async in (
            (sync_api, Endpoint, False),
            (async_api, AsyncEndpoint, True),
        ):
            where = f"{type(api).__name__}.{name}"
            method = getattr(api, name, None)
            if method is None or not callable(method):
                problems.append(f"{op_id}: no method {where}")
                continue
            if inspect.iscoroutinefunction(method) != is_async:
                problems.append(f"{op_id}: {where} sync/async mismatch")
            endpoint = getattr(api, f"{name}_endpoint", None)
            if not isinstance(endpoint, endpoint_cls):
                problems.append(f"{op_id}: {where}_endpoint is {endpoint!r}")
                continue
            problems.extend(check_endpoint(endpoint, info, schema))
    assert not problems, "\n".join(problems)
    return len(ops)


def check_endpoint(endpoint: Any, info: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    op = info["op"]
    op_id = info["operation_id"]
    problems = []
    if endpoint.operation_id != op_id:
        problems.append(f"{op_id}: endpoint operation_id {endpoint.operation_id!r}")
    if endpoint.path != info["path"]:
        problems.append(f"{op_id}: endpoint path {endpoint.path!r} != {info['path']!r}")
    if endpoint.http_method != info["method"]:
        problems.append(f"{op_id}: endpoint method {endpoint.http_method!r}")
    path_item = schema["paths"][info["path"]]
    declared = {
        (p["name"], p["in"]): p
        for p in [*path_item.get("parameters", []), *op.get("parameters", [])]
    }
    actual = {(p.wire_name, p.location): p for p in endpoint.params if p.location != "body"}
    if set(declared) != set(actual):
        problems.append(f"{op_id}: parameters {sorted(actual)} != schema's {sorted(declared)}")
    for key, raw in declared.items():
        param = actual.get(key)
        if param is None:
            continue
        want = expected_param_spec(raw.get("schema") or {})
        if not spec_matches(param.type_spec, want):
            problems.append(f"{op_id}: parameter {key} type {param.type_spec!r}, expected {want!r}")
        if param.required != bool(raw.get("required", False)):
            problems.append(f"{op_id}: parameter {key} required={param.required}")
        if not param.type_name:
            problems.append(f"{op_id}: parameter {key} has no type name")
    body = [p for p in endpoint.params if p.location == "body"]
    request_types = tuple((op.get("requestBody") or {}).get("content", {}))
    if set(endpoint.request_content_types) != set(request_types):
        problems.append(
            f"{op_id}: request content types {endpoint.request_content_types} != {request_types}"
        )
    if bool(body) != bool(request_types):
        problems.append(f"{op_id}: body parameter {body} but request types {request_types}")
    for status, response in op.get("responses", {}).items():
        rspec = endpoint.responses.get(str(status))
        if rspec is None:
            problems.append(f"{op_id}: no response spec for {status}")
            continue
        content = tuple((response or {}).get("content") or {})
        if content and not set(rspec.content_types):
            problems.append(f"{op_id}: {status} has no content types (schema: {content})")
    return problems


def response_models() -> list[tuple[str, str, str]]:
    """``(file, endpoint, model)`` rows of the shared responses' README table."""
    readme = require_shared(RESPONSES) / "README.md"
    rows = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].endswith(".json"):
            rows.append((cells[0], cells[1], cells[2]))
    assert rows, f"no file -> model table in {readme}"
    return rows


def same_json(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Differences between two JSON values; equal timestamps in other spellings are equal."""
    import datetime as dt

    if isinstance(actual, dict) and isinstance(expected, dict):
        out = []
        for key in sorted(set(actual) | set(expected)):
            if key not in actual or key not in expected:
                out.append(f"{path}.{key}: only in {'expected' if key in expected else 'actual'}")
            else:
                out += same_json(actual[key], expected[key], f"{path}.{key}")
        return out
    if isinstance(actual, list) and isinstance(expected, list):
        if len(actual) != len(expected):
            return [f"{path}: {len(actual)} items != {len(expected)}"]
        out = []
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            out += same_json(a, e, f"{path}[{i}]")
        return out
    if type(actual) is type(expected) and actual == expected:
        return []
    if isinstance(actual, str) and isinstance(expected, str):
        try:
            if dt.datetime.fromisoformat(actual) == dt.datetime.fromisoformat(expected):
                return []
        except ValueError:
            pass
    return [f"{path}: {actual!r} != {expected!r}"]


def schema_version(path: Path) -> str:
    """``2.20.0`` of ``cvat-2.20.0.schema.yml``."""
    return path.name.removeprefix("cvat-").removesuffix(".schema.yml")


@pytest.fixture(scope="session")
def generated_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Each shared CVAT schema generated into its own package, imported: ``{version: package}``.

    Runs ``tools/generate.py --schema S --dest <tmp>/<pkg>/api_client`` for all schemas in
    parallel, then imports ``<pkg>.api_client`` from the temp dir.
    """
    import importlib
    import os
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    schemas = sorted(require_shared(SCHEMAS).glob("cvat-*.schema.yml"))
    assert schemas, f"no schemas in {SCHEMAS.name}/"
    base = tmp_path_factory.mktemp("regenerated")

    def package_name(schema: Path) -> str:
        return "cvat_regen_" + schema_version(schema).replace(".", "_")

    def generate(schema: Path) -> subprocess.CompletedProcess[str]:
        dest = base / package_name(schema) / "api_client"
        return subprocess.run(
            [
                sys.executable,
                str(ROOT / "tools" / "generate.py"),
                "--schema",
                str(schema),
                "--dest",
                str(dest),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
            check=False,
        )

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = dict(zip(schemas, pool.map(generate, schemas), strict=True))
    failures = [
        f"{schema.name}: exit {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
        for schema, r in results.items()
        if r.returncode != 0
    ]
    assert not failures, "\n".join(failures)

    sys.path.insert(0, str(base))
    try:
        packages = {
            schema_version(schema): importlib.import_module(f"{package_name(schema)}.api_client")
            for schema in schemas
        }
        for version, package in packages.items():
            package.__schema_path__ = next(s for s in schemas if schema_version(s) == version)
        yield packages
    finally:
        sys.path.remove(str(base))
