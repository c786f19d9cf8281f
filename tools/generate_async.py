"""Generate the async face of the high-level client from the sync one.

For every public class of the sync face (``Client``, ``Bulk``, the repositories and
entities of ``cvat_client.core.proxies``) this writes an ``Async*`` twin into
``src/cvat_client/core/async_faces.py``: every public method becomes an ``async def``
with the same parameters, defaults and docstring that awaits the sync method in the
client's worker pool (``cvat_client.core._async_runtime``); iterators become async
iterators; properties and pure helpers pass through. Sync classes in the annotations are
replaced by their twins.

    python tools/generate_async.py            # write the module
    python tools/generate_async.py --check    # fail if the committed module is stale
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "cvat_client" / "core" / "async_faces.py"

PROXY_MODULES = [
    "tasks",
    "projects",
    "jobs",
    "users",
    "organizations",
    "issues",
    "comments",
    "labels",
    "cloudstorages",
    "requests",
]

#: Methods without I/O: the twin calls the sync method directly (no await).
PURE = {
    "has_credentials",
    "organization_context",
    "deadline",
    "supported_server_version",
    "to_dict",
    "get_api",
}

#: Hand-written in the async client's runtime class (life cycle).
CLIENT_OWN = {"close", "__enter__", "__exit__"}

#: Names of the sync face's types made available to the generated annotations.
TYPING_NAMES = {"Any", "Literal", "Self", "AsyncIterator", "AbstractContextManager"}


def sync_classes() -> list[type]:
    from cvat_client.core.bulk import Bulk
    from cvat_client.core.client import Client
    from cvat_client.core.proxies.model_proxy import Entity, Repo

    found: list[type] = [Client, Bulk]
    for name in PROXY_MODULES:
        module = importlib.import_module(f"cvat_client.core.proxies.{name}")
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and cls.__module__ == module.__name__
                and issubclass(cls, Repo | Entity)
            ):
                found.append(cls)
    return found


def _imports_of(module_name: str) -> dict[str, str]:
    """name -> ``from X import Y as name`` for every import of a module (also those
    under ``if TYPE_CHECKING``), plus the module's own top-level names."""
    module = sys.modules[module_name]
    tree = ast.parse(inspect.getsource(module))
    found: dict[str, str] = {}
    package = module_name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name] = f"import {alias.name}"
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found[alias.asname or alias.name] = f"from {base} import {alias.name}"
    for node in tree.body:
        targets: list[str] = []
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.ClassDef | ast.FunctionDef):
            targets = [node.name]
        for target in targets:
            found[target] = f"from {module_name} import {target}"
    return found


class Generator:
    def __init__(self) -> None:
        self.classes = sync_classes()
        self.twin_names = {cls.__name__: "Async" + cls.__name__ for cls in self.classes}
        self.type_imports: dict[str, str] = {}
        self.runtime_names: set[str] = set()

    # --- annotations ----------------------------------------------------------------

    def annotation(self, text: str, cls: type, owner: type) -> str:
        """Rewrite an annotation of ``owner``'s method for the twin of ``cls``."""
        entity = getattr(cls, "_entity_type", None)
        if entity is not None and "EntityT" in text:
            text = re.sub(r"\bEntityT\b", entity.__name__, text)
        text = re.sub(r"\bSelf\b", cls.__name__, text)
        text = re.sub(r"\b(ModelT|ApiT)\b", "Any", text)
        for name, twin in self.twin_names.items():
            text = re.sub(rf"(?<![.\w]){name}\b", twin, text)
        text = re.sub(r"(?<![.\w])Iterator\[", "AsyncIterator[", text)
        self._collect(text, owner)
        return text

    def _collect(self, text: str, owner: type) -> None:
        imports = _imports_of(owner.__module__)
        tree = ast.parse(text, mode="eval")
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                name = node.id
                if name in TYPING_NAMES or name in self.twin_names.values():
                    continue
                if name in ("None", "str", "int", "float", "bool", "bytes", "dict", "list"):
                    continue
                if name in ("tuple", "type", "object", "set"):
                    continue
                statement = imports.get(name)
                if statement is None:
                    raise SystemExit(f"cannot resolve {name!r} in {owner.__qualname__}")
                self.type_imports[name] = statement

    # --- members --------------------------------------------------------------------

    def members(self, cls: type) -> list[tuple[str, Any, type]]:
        seen: dict[str, tuple[Any, type]] = {}
        for klass in reversed(cls.__mro__):
            if not klass.__module__.startswith("cvat_client."):
                continue
            for name, value in vars(klass).items():
                if name.startswith("_"):
                    continue
                if isinstance(value, property | staticmethod | classmethod) or inspect.isfunction(
                    value
                ):
                    seen[name] = (value, klass)
        return [(name, value, owner) for name, (value, owner) in sorted(seen.items())]

    def function_node(self, fn: Any) -> ast.FunctionDef:
        source = textwrap.dedent(inspect.getsource(fn))
        node = ast.parse(source).body[0]
        assert isinstance(node, ast.FunctionDef), fn
        return node

    def render_method(self, cls: type, name: str, value: Any, owner: type) -> list[str]:
        fn = value.__func__ if isinstance(value, staticmethod | classmethod) else value
        node = self.function_node(fn)
        doc = ast.get_docstring(node, clean=False)
        args = node.args
        decorators = {ast.unparse(d) for d in node.decorator_list}
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            if arg.annotation is not None:
                arg.annotation = ast.parse(
                    self.annotation(ast.unparse(arg.annotation), cls, owner), mode="eval"
                ).body
        for extra in (args.vararg, args.kwarg):
            if extra is not None and extra.annotation is not None:
                extra.annotation = ast.parse(
                    self.annotation(ast.unparse(extra.annotation), cls, owner), mode="eval"
                ).body
        for default in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
            before = set(self.type_imports)
            self._collect(ast.unparse(default), owner)
            self.runtime_names.update(
                node.id for node in ast.walk(default) if isinstance(node, ast.Name)
            )
            self.runtime_names.update(set(self.type_imports) - before)
        params = ast.unparse(args)
        returns = ast.unparse(node.returns) if node.returns is not None else "None"
        call = self.call_args(args, name)
        static = isinstance(value, staticmethod)
        if static or isinstance(value, classmethod):
            lines = ["@staticmethod" if static else "@classmethod"]
            target = f"{cls.__name__}.{name}"
            call = self.call_args(args, name, skip_first=not static)
            self._need_sync(cls)
            returns = self.annotation(returns, cls, owner)
            lines.append(f"def {name}({params}) -> {returns}:")
            lines += self.docstring(doc)
            lines.append(f"    return {target}({call})")
            return lines
        generator = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ast.walk(node))
        if "contextmanager" in decorators:
            inner = returns.removeprefix("Iterator[").removesuffix("]")
            returns = f"AbstractContextManager[{self.annotation(inner, cls, owner)}]"
            lines = [f"def {name}({params}) -> {returns}:"]
            lines += self.docstring(doc)
            lines.append(f"    return self._sync.{name}({call})")
            return lines
        returns_self = returns == "Self"
        returns = self.annotation(returns, cls, owner)
        if returns_self:
            # the sync method returns its own object: the twin returns itself
            lines = [f"async def {name}({params}) -> {returns}:"]
            lines += self.docstring(doc)
            sep = ", " if call else ""
            lines.append(f"    await self._run(self._sync.{name}{sep}{call})")
            lines.append("    return self")
            return lines
        if name in PURE:
            lines = [f"def {name}({params}) -> {returns}:"]
            lines += self.docstring(doc)
            lines.append("    " + _returning(returns, f"self._sync.{name}({call})"))
            return lines
        if generator:
            lines = [f"def {name}({params}) -> {returns}:"]
            lines += self.docstring(doc)
            lines.append(f"    return self._iterate(self._sync.{name}({call}))")
            return lines
        lines = [f"async def {name}({params}) -> {returns}:"]
        lines += self.docstring(doc)
        sep = ", " if call else ""
        lines.append("    " + _returning(returns, f"await self._run(self._sync.{name}{sep}{call})"))
        return lines

    def _need_sync(self, cls: type) -> None:
        self.type_imports[cls.__name__] = f"from {cls.__module__} import {cls.__name__}"

    def call_args(self, args: ast.arguments, name: str, skip_first: bool = True) -> str:
        positional = [*args.posonlyargs, *args.args]
        if skip_first and positional:
            positional = positional[1:]
        twins = set(self.twin_names.values())
        # an argument typed as a twin (``client: AsyncClient``) goes to the sync side as
        # the sync object it drives
        parts = [
            f"{a.arg}.sync"
            if a.annotation is not None and ast.unparse(a.annotation) in twins
            else a.arg
            for a in positional
        ]
        if args.vararg is not None:
            parts.append("*" + args.vararg.arg)
        for arg in args.kwonlyargs:
            value = f"self._progress({arg.arg})" if arg.arg == "pbar" else arg.arg
            parts.append(f"{arg.arg}={value}")
        if args.kwarg is not None:
            parts.append("**" + args.kwarg.arg)
        return ", ".join(parts)

    def render_property(self, cls: type, name: str, value: property, owner: type) -> list[str]:
        node = self.function_node(value.fget)
        doc = ast.get_docstring(node, clean=False)
        returns = ast.unparse(node.returns) if node.returns is not None else "Any"
        returns = self.annotation(returns, cls, owner)
        lines = ["@property", f"def {name}(self) -> {returns}:"]
        lines += self.docstring(doc)
        lines.append("    " + _returning(returns, f"self._sync.{name}"))
        if value.fset is not None:
            setter = self.function_node(value.fset)
            arg = setter.args.args[1]
            annotation = self.annotation(ast.unparse(arg.annotation), cls, owner)  # type: ignore[arg-type]
            lines += [
                "",
                f"@{name}.setter",
                f"def {name}(self, {arg.arg}: {annotation}) -> None:",
                f"    self._sync.{name} = {arg.arg}",
            ]
        return lines

    @staticmethod
    def docstring(doc: str | None) -> list[str]:
        if not doc:
            return []
        text = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        lines = text.split("\n")
        out = ['    """' + lines[0]]
        for line in lines[1:]:
            # the sync docstring is indented for a method; keep its relative layout
            out.append(line.rstrip())
        out[-1] += '"""'
        return out

    def render_class(self, cls: type) -> list[str]:
        twin = self.twin_names[cls.__name__]
        self._need_sync(cls)
        base = "AsyncClientRuntime" if cls.__name__ == "Client" else f"AsyncFace[{cls.__name__}]"
        sync_doc = inspect.getdoc(cls) or ""
        summary = sync_doc.split("\n\n")[0].replace("\n", " ")
        lines = [
            f"class {twin}({base}):",
            f'    """The async twin of `{cls.__module__}.{cls.__name__}`: the same methods,',
            "    awaited.",
            "",
            f"    {summary}",
            '    """',
        ]
        for name, value, owner in self.members(cls):
            if cls.__name__ == "Client" and name in CLIENT_OWN:
                continue
            lines.append("")
            if isinstance(value, property):
                body = self.render_property(cls, name, value, owner)
            else:
                body = self.render_method(cls, name, value, owner)
            lines += ["    " + line if line else "" for line in body]
        return lines

    def render(self) -> str:
        body: list[str] = []
        for cls in self.classes:
            body += ["", "", *self.render_class(cls)]
        body += ["", ""]
        for cls in self.classes:
            body.append(f"TWINS[{cls.__name__}] = {self.twin_names[cls.__name__]}")
        head = [
            "# Generated by tools/generate_async.py from the sync face. Do not edit: change the",
            "# sync classes (or the generator) and run `make generate-async`.",
            '"""The async twins of the high-level client\'s classes (`AsyncClient`, `AsyncTask`...).',
            "",
            "Each method awaits the sync method of the same name in the client's worker pool;",
            "see `cvat_client.core.async_client`.",
            '"""',
            "",
            "# ruff: noqa: E501",
            "",
            "from __future__ import annotations",
            "",
            "from collections.abc import AsyncIterator",
            "from contextlib import AbstractContextManager",
            "from typing import TYPE_CHECKING, Any, Literal, cast",
            "",
            "from cvat_client.core._async_runtime import TWINS, AsyncFace",
            "from cvat_client.core._async_client_runtime import AsyncClientRuntime",
        ]
        runtime_names = sorted(
            name
            for name, statement in self.type_imports.items()
            if name in {cls.__name__ for cls in self.classes} | self.runtime_names
        )
        for name in runtime_names:
            head.append(self.type_imports[name])
        others = sorted(
            statement for name, statement in self.type_imports.items() if name not in runtime_names
        )
        head += ["", "if TYPE_CHECKING:"] + ["    " + s for s in sorted(set(others))]
        head += ["", "__all__ = [" + ", ".join(f'"{t}"' for t in self.twin_names.values()) + "]"]
        return "\n".join(head + body) + "\n"


def _returning(returns: str, expression: str) -> str:
    """The statement that ends a twin: the sync result, wrapped in its twin."""
    if returns == "None":
        return expression
    if returns == "Any":
        return f"return self._wrap({expression})"
    return f'return cast("{returns}", self._wrap({expression}))'


def formatted(text: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "async_faces.py"
        path.write_text(text)
        ruff = [sys.executable, "-m", "ruff"]
        config = ["--config", str(ROOT / "pyproject.toml")]
        subprocess.run([*ruff, "check", "--fix", "--quiet", *config, str(path)], check=False)
        subprocess.run([*ruff, "format", "--quiet", *config, str(path)], check=True)
        return path.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the module is stale")
    options = parser.parse_args()
    text = formatted(Generator().render())
    if options.check:
        current = TARGET.read_text() if TARGET.exists() else ""
        if current != text:
            print(
                f"{TARGET.relative_to(ROOT)} is stale: run `make generate-async`", file=sys.stderr
            )
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
