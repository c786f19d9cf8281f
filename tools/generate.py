#!/usr/bin/env python3
"""Generate the low-level client ``cvat_client.api_client`` from a CVAT OpenAPI schema.

    python tools/generate.py --schema openapi/cvat.schema.yml --dest src/cvat_client/api_client
    python tools/generate.py ... --check     # regenerate into a temp dir, fail on any difference

Steps (each deterministic, so the same schema always gives the same files):

1. check that the pinned openapi-python-client and ruff versions are installed;
2. load the schema and apply the documented fixes of ``openapi/schema_fixes.py``;
3. parse it with openapi-python-client (its parser, naming rules and model graph);
4. render our own templates from ``generator-templates/`` into DEST;
5. format the output with ruff, using this project's configuration.

The generated package has no logic of its own: it imports the hand-written runtime
``cvat_client._lowlevel`` by absolute import.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.metadata
import keyword
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "openapi"))

import schema_fixes  # noqa: E402  (openapi/schema_fixes.py)

TEMPLATES = ROOT / "generator-templates"
PINNED = {"openapi-python-client": "0.29.1", "ruff": "0.17.5"}
JSON_TYPES = ("application/json", "application/vnd.cvat+json")
RESERVED_FIELD_NAMES = {"additional_properties", "to_dict", "from_dict"}
#: Names of integer enums of the schema being generated (filled by render()).
INT_ENUMS: set[str] = set()


def check_versions() -> None:
    for package, wanted in PINNED.items():
        try:
            found = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            sys.exit(f"generate: {package}=={wanted} is not installed (pip install -e '.[dev]')")
        if found != wanted:
            sys.exit(f"generate: needs {package}=={wanted}, found {found}; output would differ")


# --- naming --------------------------------------------------------------------------


def py_name(raw: str) -> str:
    """A Python identifier for a schema field or parameter, close to the wire name."""
    from openapi_python_client import strings

    name = strings.snake_case(raw) or "field"
    if name[0].isdigit():
        name = f"field_{name}"
    if keyword.iskeyword(name) or name in RESERVED_FIELD_NAMES:
        name += "_"
    return name


def method_name(operation_id: str, tag: str) -> str:
    """cvat-sdk's rule: the operationId without its tag prefix, else the whole id."""
    prefix = f"{tag}_"
    name = operation_id[len(prefix) :] if operation_id.startswith(prefix) else operation_id
    return py_name(name)


def tag_attr(tag: str) -> str:
    return py_name(tag) if not keyword.iskeyword(tag) else f"{tag}"


def api_class(tag: str) -> str:
    from openapi_python_client import strings

    return f"{strings.pascal_case(tag)}Api"


def doc(text: Any, indent: int = 0) -> str:
    """Schema text made safe for a docstring."""
    if text is None:
        return ""
    raw = text.get_untrusted_value() if hasattr(text, "get_untrusted_value") else str(text)
    raw = raw.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    raw = re.sub(r"[ \t]+\n", "\n", raw)
    if raw.endswith('"'):
        raw += " "
    pad = " " * indent
    return "\n".join((pad + line) if line else "" for line in raw.splitlines()).lstrip()


def untrusted(value: Any) -> str:
    return value.get_untrusted_value() if hasattr(value, "get_untrusted_value") else str(value)


# --- types ---------------------------------------------------------------------------


@dataclass
class TypeInfo:
    spec: Any  # the type spec (python literal)
    ann: str  # annotation of a model field / parameter
    refs: set[str] = field(default_factory=set)  # model and enum classes referenced
    nullable: bool = False


def prop_type(p: Any) -> TypeInfo:
    kind = type(p).__name__
    if kind == "UnionProperty":
        inner = [prop_type(x) for x in p.inner_properties]
        non_null = [t for t in inner if t.spec != "none"]
        nullable = len(non_null) < len(inner)
        refs = set().union(*(t.refs for t in inner))
        if len(non_null) == 1:
            t = non_null[0]
            spec = ("union", (t.spec, "none")) if nullable else t.spec
            return TypeInfo(spec, f"{t.ann} | None" if nullable else t.ann, refs, nullable)
        specs = tuple(t.spec for t in inner)
        ann = " | ".join(dict.fromkeys(t.ann for t in inner))
        return TypeInfo(("union", specs), ann, refs, nullable)
    if kind == "ListProperty":
        t = prop_type(p.inner_property)
        return TypeInfo(("list", t.spec), f"list[{t.ann}]", t.refs)
    if kind == "ModelProperty":
        name = p.class_info.name
        if not (p.required_properties or p.optional_properties) and p.additional_properties:
            # A free-form object ("type: object" without properties): a plain dict.
            return TypeInfo(("dict", "any"), "dict[str, Any]")
        return TypeInfo(("model", name), name, {name})
    if kind in ("EnumProperty", "LiteralEnumProperty"):
        name = p.class_info.name
        base = "int" if p.value_type is int else "str"
        return TypeInfo(("enum", name), f"{name} | {base}", {name})
    simple = {
        "StringProperty": ("str", "str"),
        "IntProperty": ("int", "int"),
        "FloatProperty": ("float", "float"),
        "BooleanProperty": ("bool", "bool"),
        "DateTimeProperty": ("datetime", "datetime.datetime"),
        "DateProperty": ("date", "datetime.date"),
        "UuidProperty": ("uuid", "UUID"),
        "FileProperty": ("file", "FileContent"),
        "AnyProperty": ("any", "Any"),
        "NoneProperty": ("none", "None"),
    }
    if kind in simple:
        spec, ann = simple[kind]
        return TypeInfo(spec, ann, nullable=spec == "none")
    if kind == "ConstProperty":
        return TypeInfo(("const", p.value.raw_value), "Any")
    return TypeInfo("any", "Any")


def parse_lines(var: str, spec: Any, owner: str, wire: str) -> list[str]:
    """Statements that turn the raw JSON value in ``var`` into its Python value."""
    if isinstance(spec, tuple) and spec[0] == "union" and len(spec[1]) == 2 and "none" in spec[1]:
        spec = next(s for s in spec[1] if s != "none")  # None passes every check below
    w = repr(wire)
    if isinstance(spec, str):
        helper = {"datetime": "parse_datetime", "date": "parse_date", "uuid": "parse_uuid"}.get(
            spec
        )
        if helper:
            return [f"if {var}.__class__ is str:", f"    {var} = {helper}({var}, cls, {w})"]
        return []
    kind = spec[0]
    if kind == "model":
        return [f"if {var}.__class__ is dict:", f"    {var} = {spec[1]}.from_dict({var})"]
    if kind == "enum":
        return [
            f"if {var}.__class__ is {'int' if spec[1] in INT_ENUMS else 'str'}:",
            f"    _m = _VALUES_{spec[1]}.get({var})",
            f"    {var} = _m if _m is not None else unknown_enum({spec[1]}, {var}, cls, {w})",
        ]
    if kind == "list":
        inner = spec[1]
        if isinstance(inner, str) and inner not in ("datetime", "date", "uuid"):
            return []
        if isinstance(inner, tuple) and inner[0] == "model":
            return [
                f"if {var}.__class__ is list:",
                f"    {var} = list(map({inner[1]}.from_dict, {var}))",
            ]
    if kind == "dict" and spec[1] == "any":
        return []
    return [f"{var} = parse_value({var}, {spec!r}, _resolve, cls, {w})"]


def needs_encode(spec: Any) -> bool:
    if isinstance(spec, str):
        return spec in ("datetime", "date", "uuid", "any")
    if spec[0] == "list" and isinstance(spec[1], str):
        return needs_encode(spec[1])
    if spec[0] == "union":
        return any(needs_encode(s) or isinstance(s, tuple) for s in spec[1])
    return True


def needs_copy(spec: Any) -> bool:
    """Whether a field's value may be a list or dict a constructor must copy."""
    if isinstance(spec, str):
        return spec == "any"
    if spec[0] in ("list", "dict", "model"):
        return True
    if spec[0] == "union":
        return any(needs_copy(s) for s in spec[1])
    return False


# --- models ---------------------------------------------------------------------------


@dataclass
class FieldView:
    wire: str
    name: str
    required: bool
    type: TypeInfo
    ann: str
    parse: list[str]
    encode: bool
    copy: bool
    description: str


def _with_unset(ann: str) -> str:
    """``X | Unset``, keeping ``None`` last as the style rules want."""
    if ann.endswith(" | None"):
        return f"{ann[: -len(' | None')]} | Unset | None"
    return f"{ann} | Unset"


def model_view(model: Any) -> dict[str, Any]:
    fields: list[FieldView] = []
    used: set[str] = set()
    props = list(model.required_properties) + list(model.optional_properties)
    for p in props:
        wire = untrusted(p.name)
        name = py_name(wire)
        while name in used:
            name += "_"
        used.add(name)
        t = prop_type(p)
        ann = t.ann if p.required else _with_unset(t.ann)
        fields.append(
            FieldView(
                wire=wire,
                name=name,
                required=bool(p.required),
                type=t,
                ann=ann,
                parse=parse_lines(name, t.spec, model.class_info.name, wire),
                encode=needs_encode(t.spec),
                copy=needs_copy(t.spec),
                description=doc(p.description, 12),
            )
        )
    refs = (
        sorted(set().union(*(f.type.refs for f in fields)) - {model.class_info.name})
        if fields
        else []
    )
    self_ref = any(model.class_info.name in f.type.refs for f in fields)
    used_names = " ".join(" ".join(f.parse) for f in fields)
    return {
        "name": model.class_info.name,
        "module": model.class_info.module_name,
        "description": doc(model.description, 4),
        "fields": fields,
        "required": [f for f in fields if f.required],
        "refs": refs,
        "self_ref": self_ref,
        "enum_refs": sorted({r for f in fields for r in _enum_refs(f.type.spec)}),
        "uses": {
            h
            for h in ("parse_datetime", "parse_date", "parse_uuid", "parse_value", "unknown_enum")
            if h in used_names
        },
        "uses_datetime": any("datetime." in f.ann for f in fields),
        "uses_uuid": any("UUID" in f.ann for f in fields),
        "uses_file": any("FileContent" in f.ann for f in fields),
    }


def _enum_refs(spec: Any) -> Iterable[str]:
    if isinstance(spec, tuple):
        if spec[0] == "enum":
            yield spec[1]
        elif spec[0] in ("list", "dict"):
            if not (spec[0] == "list" and isinstance(spec[1], tuple) and spec[1][0] == "enum"):
                yield from _enum_refs(spec[1])
        elif spec[0] == "union" and len(spec[1]) == 2 and "none" in spec[1]:
            yield from _enum_refs(next(s for s in spec[1] if s != "none"))


def enum_view(enum: Any) -> dict[str, Any]:
    members = [(str(k), v) for k, v in enum.values.items()]
    return {
        "name": enum.class_info.name,
        "module": enum.class_info.module_name,
        "is_int": enum.value_type is int,
        "members": members,
        "description": doc(getattr(enum, "description", None), 4),
    }


# --- endpoints ------------------------------------------------------------------------


def response_specs(raw_op: dict[str, Any], endpoint: Any) -> dict[str, tuple[tuple[str, ...], Any]]:
    """Responses by status: (content types, type spec or None)."""
    by_status: dict[str, Any] = {}
    for r in endpoint.responses.patterns:
        by_status.setdefault(
            str(
                untrusted(r.status_code.pattern)
                if hasattr(r.status_code, "pattern")
                else r.status_code
            ),
            r,
        )
    out: dict[str, tuple[tuple[str, ...], Any]] = {}
    for status, raw in raw_op.get("responses", {}).items():
        content = raw.get("content") or {}
        ctypes = tuple(content)
        if not ctypes:
            out[str(status)] = ((), None)
            continue
        binary = all(
            (c.get("schema") or {}).get("format") == "binary"
            or (ct not in JSON_TYPES and "json" not in ct)
            for ct, c in content.items()
        )
        if binary:
            out[str(status)] = (ctypes, "binary")
            continue
        r = by_status.get(str(status))
        spec: Any = prop_type(r.prop).spec if r is not None else "any"
        if spec == "file":
            spec = "binary"
        out[str(status)] = (ctypes, spec)
    return out


def py_type_of_spec(spec: Any) -> str:
    if spec is None:
        return "None"
    if isinstance(spec, str):
        return {
            "binary": "bytes",
            "file": "bytes",
            "datetime": "datetime.datetime",
            "date": "datetime.date",
            "uuid": "UUID",
            "any": "Any",
            "none": "None",
        }.get(spec, spec)
    kind = spec[0]
    if kind in ("model", "enum"):
        return spec[1]
    if kind == "list":
        return f"list[{py_type_of_spec(spec[1])}]"
    if kind == "dict":
        return f"dict[str, {py_type_of_spec(spec[1])}]"
    if kind == "union":
        return " | ".join(dict.fromkeys(py_type_of_spec(s) for s in spec[1]))
    return "Any"


def spec_refs(spec: Any) -> set[str]:
    if isinstance(spec, tuple):
        if spec[0] in ("model", "enum"):
            return {spec[1]}
        if spec[0] in ("list", "dict"):
            return spec_refs(spec[1])
        if spec[0] == "union":
            return set().union(*(spec_refs(s) for s in spec[1]))
    return set()


def param_ann(t: TypeInfo, location: str) -> str:
    if location == "body":
        if isinstance(t.spec, tuple) and t.spec[0] == "model":
            return f"{t.spec[1]} | Mapping[str, Any]"
        if isinstance(t.spec, tuple) and t.spec[0] == "list":
            inner = t.spec[1]
            if isinstance(inner, tuple) and inner[0] == "model":
                return f"Sequence[{inner[1]} | Mapping[str, Any]]"
    if isinstance(t.spec, tuple) and t.spec[0] == "list":
        return f"Sequence[{prop_type_ann_inner(t.spec[1])}]"
    return t.ann


def prop_type_ann_inner(spec: Any) -> str:
    if isinstance(spec, tuple) and spec[0] == "enum":
        return f"{spec[1]} | str"
    return py_type_of_spec(spec)


def endpoint_view(endpoint: Any, raw: dict[str, Any], tag: str) -> dict[str, Any]:
    path = untrusted(endpoint.path)
    raw_op = raw["paths"][path][endpoint.method]
    op_id = raw_op["operationId"]
    by_key = {}
    for kind, location in (
        ("path_parameters", "path"),
        ("query_parameters", "query"),
        ("header_parameters", "header"),
        ("cookie_parameters", "cookie"),
    ):
        for p in getattr(endpoint, kind):
            by_key[(location, untrusted(p.name))] = p
    params = []
    used: set[str] = set()
    # the schema's own parameter order (cvat-sdk's positional order)
    raw_params = [
        (rp.get("in"), rp.get("name"), rp.get("description") or "")
        for rp in raw_op.get("parameters", [])
        if "$ref" not in rp
    ]
    for location, wire, raw_description in raw_params:
        p = by_key.get((location, wire))
        if p is None:
            continue
        t = prop_type(p)
        name = py_name(wire)
        used.add(name)
        params.append(
            {
                "name": name,
                "wire": wire,
                "location": location,
                "required": bool(p.required) or location == "path",
                "type": t,
                "ann": param_ann(t, location),
                "description": doc(p.description or raw_description, 16),
            }
        )
    body = None
    if endpoint.bodies:
        b = endpoint.bodies[0]
        t = prop_type(b.prop)
        is_model = isinstance(t.spec, tuple) and t.spec[0] == "model"
        name = py_name(t.spec[1]) if is_model else "body"
        if name in used:
            name += "_body"
        required = bool(raw_op.get("requestBody", {}).get("required", False))
        body = {
            "name": name,
            "wire": "body",
            "location": "body",
            "required": required,
            "type": t,
            "ann": param_ann(t, "body"),
            "description": "The request body.",
        }
    ctypes = tuple(dict.fromkeys(untrusted(b.content_type) for b in endpoint.bodies))
    all_params = params + ([body] if body else [])
    positional = [p for p in params if p["required"]] + (
        [body] if body and body["required"] else []
    )
    optional = [p for p in all_params if p not in positional]
    responses = response_specs(raw_op, endpoint)
    success = [spec for status, (_, spec) in responses.items() if status.startswith("2")]
    types = [py_type_of_spec(s) for s in success if s is not None]
    ret = " | ".join(dict.fromkeys(t for ts in types for t in ts.split(" | ")))
    ret = f"{ret} | None" if ret else "None"
    refs: set[str] = set()
    for p in all_params:
        refs |= p["type"].refs
    for s in success:
        refs |= spec_refs(s)
    auth = sorted({name for req in raw_op.get("security", []) for name in req})
    const = "_" + re.sub(r"\W", "_", op_id).upper()
    return {
        "op_id": op_id,
        # the raw tag: the parser's tag is a Python identifier ("lambda" -> "lambda_")
        "name": method_name(op_id, str((raw_op.get("tags") or [tag])[0])),
        "const": const,
        "path": path,
        "method": endpoint.method.upper(),
        "summary": doc(raw_op.get("summary") or "", 8),
        "description": doc(raw_op.get("description") or "", 8),
        "deprecated": bool(raw_op.get("deprecated")),
        "params": all_params,
        "positional": positional,
        "optional": optional,
        "content_types": ctypes,
        "responses": responses,
        "return": ret,
        "refs": refs,
        "auth": tuple(auth),
    }


# --- rendering ------------------------------------------------------------------------


def render(schema_path: Path, dest: Path) -> None:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from openapi_python_client import _get_document
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser import GeneratorData
    from ruamel.yaml import YAML

    raw_text = schema_path.read_text(encoding="utf-8")
    yaml = YAML(typ="safe")
    raw = yaml.load(raw_text)
    fixed, fixes_applied = schema_fixes.apply(raw)

    with tempfile.TemporaryDirectory() as tmp:
        import json

        fixed_path = Path(tmp) / "schema.json"
        fixed_path.write_text(json.dumps(fixed), encoding="utf-8")
        config_file = ConfigFile.load_from_path(ROOT / "openapi" / "generator.yml")
        config = Config.from_sources(config_file, MetaType.NONE, fixed_path, "utf-8", True, None)
        document = _get_document(source=fixed_path, timeout=5)
        data = GeneratorData.from_dict(document, config=config)
    if not isinstance(data, GeneratorData):
        sys.exit(f"generate: the schema could not be parsed: {data}")

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["pyrepr"] = repr
    env.filters["py_type"] = py_type_of_spec
    env.filters["with_unset"] = _with_unset
    modules = {m.class_info.name: m.class_info.module_name for m in data.models}
    modules.update({e.class_info.name: e.class_info.module_name for e in data.enums})
    env.filters["module_of"] = modules.__getitem__
    version = str(fixed.get("info", {}).get("version", "unknown"))
    title = str(fixed.get("info", {}).get("title", "API"))
    ctx = {"schema_version": version, "title": title, "fixes": fixes_applied}

    if dest.exists():
        shutil.rmtree(dest)
    (dest / "models").mkdir(parents=True)
    (dest / "apis").mkdir()
    (dest / "api").mkdir()

    INT_ENUMS.update(e.class_info.name for e in data.enums if e.value_type is int)
    models = [model_view(m) for m in data.models]
    enums = [enum_view(e) for e in data.enums]
    for m in models:
        write(
            dest / "models" / f"{m['module']}.py",
            env.get_template("model.py.jinja").render(model=m, **ctx),
        )
    for e in enums:
        write(
            dest / "models" / f"{e['module']}.py",
            env.get_template("enum.py.jinja").render(enum=e, **ctx),
        )
    classes = sorted(
        [(m["name"], m["module"]) for m in models] + [(e["name"], e["module"]) for e in enums]
    )
    write(
        dest / "models" / "__init__.py",
        env.get_template("models_init.py.jinja").render(classes=classes, **ctx),
    )

    apis = []
    for tag, collection in sorted(data.endpoint_collections_by_tag.items()):
        tag_name = str(tag)
        views = [endpoint_view(e, fixed, tag_name) for e in collection.endpoints]
        refs = sorted(set().union(*(v["refs"] for v in views))) if views else []
        api = {
            "tag": tag_name,
            "attr": f"{py_name(tag_name).rstrip('_')}_api",
            "module": f"{py_name(tag_name).rstrip('_')}_api",
            "cls": api_class(tag_name),
            "endpoints": views,
            "refs": refs,
        }
        apis.append(api)
        write(
            dest / "apis" / f"{api['module']}.py",
            env.get_template("api_module.py.jinja").render(api=api, **ctx),
        )
        write(
            dest / "api" / f"{api['module']}.py",
            env.get_template("api_alias_module.py.jinja").render(api=api, **ctx),
        )
    write(
        dest / "apis" / "__init__.py",
        env.get_template("apis_init.py.jinja").render(apis=apis, **ctx),
    )
    write(dest / "api" / "__init__.py", env.get_template("api_alias_init.py.jinja").render(**ctx))
    write(dest / "api_client.py", env.get_template("api_client.py.jinja").render(apis=apis, **ctx))
    write(dest / "exceptions.py", env.get_template("exceptions.py.jinja").render(**ctx))
    write(dest / "model_utils.py", env.get_template("model_utils.py.jinja").render(**ctx))
    write(dest / "rest.py", env.get_template("rest.py.jinja").render(**ctx))
    write(dest / "configuration.py", env.get_template("configuration.py.jinja").render(**ctx))
    write(dest / "__init__.py", env.get_template("package_init.py.jinja").render(apis=apis, **ctx))
    write(dest / "py.typed", "")
    # The schema this package was generated from, as the server serves it (unfixed).
    (dest / "cvat.schema.yml").write_text(raw_text, encoding="utf-8")


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def format_with_ruff(dest: Path) -> None:
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(ROOT / "pyproject.toml")]
    # Lint fixes first (unused imports, import order), then the formatter.
    for cmd in (
        [
            *ruff,
            "check",
            "--fix-only",
            "--quiet",
            "--select",
            "F401,I,UP",
            "--unsafe-fixes",
            *config,
            str(dest),
        ],
        [*ruff, "format", *config, str(dest)],
    ):
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"generate: {' '.join(cmd[2:4])} failed:\n{result.stdout}{result.stderr}")


def generate(schema: Path, dest: Path) -> None:
    render(schema, dest)
    format_with_ruff(dest)
    for cache in dest.rglob("__pycache__"):
        shutil.rmtree(cache)


def compare(expected: Path, actual: Path) -> list[str]:
    problems: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        for name in cmp.left_only:
            if name != "__pycache__":
                problems.append(f"only in the regenerated output: {prefix}{name}")
        for name in cmp.right_only:
            if name != "__pycache__":
                problems.append(f"only in the committed code: {prefix}{name}")
        for name in cmp.diff_files:
            problems.append(f"differs: {prefix}{name}")
        for name, sub in cmp.subdirs.items():
            if name != "__pycache__":
                walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(str(expected), str(actual)), "")
    # dircmp compares shallowly (size and mtime); confirm with content
    return [
        p for p in problems if not p.startswith("differs: ") or not _same(expected, actual, p[9:])
    ]


def _same(a: Path, b: Path, rel: str) -> bool:
    return (a / rel).read_bytes() == (b / rel).read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schema", type=Path, default=ROOT / "openapi" / "cvat.schema.yml")
    parser.add_argument("--dest", type=Path, default=ROOT / "src" / "cvat_client" / "api_client")
    parser.add_argument(
        "--check", action="store_true", help="fail if DEST differs from a fresh generation"
    )
    args = parser.parse_args()
    check_versions()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / args.dest.name
            generate(args.schema, fresh)
            problems = compare(fresh, args.dest)
        if problems:
            print("check-generated: the committed client differs from a fresh generation:")
            for problem in problems:
                print(f"  {problem}")
            print("run 'make generate' and commit the result")
            sys.exit(1)
        print(f"check-generated: {args.dest} is up to date")
        return
    generate(args.schema, args.dest)
    print(f"generated {args.dest} from {args.schema}")


if __name__ == "__main__":
    main()
