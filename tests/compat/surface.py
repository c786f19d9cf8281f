"""Walk cvat-sdk's public surface and compare it with cvat-client's.

Used by ``test_surface.py``; ``python -m tests.compat.surface`` prints the differences.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import types
from collections.abc import Iterator
from typing import Any

#: cvat-sdk's modules compared (datasets, pytorch, masks, attributes and auto_annotation
#: are the subject of other work; the generated ``api`` / ``model`` packages are compared
#: through ``apis`` / ``models``).
SDK_MODULES = [
    "cvat_sdk",
    "cvat_sdk.exceptions",
    "cvat_sdk.models",
    "cvat_sdk.version",
    "cvat_sdk.api_client",
    "cvat_sdk.api_client.api_client",
    "cvat_sdk.api_client.apis",
    "cvat_sdk.api_client.configuration",
    "cvat_sdk.api_client.exceptions",
    "cvat_sdk.api_client.model_utils",
    "cvat_sdk.api_client.models",
    "cvat_sdk.api_client.rest",
    "cvat_sdk.core",
    "cvat_sdk.core.auth",
    "cvat_sdk.core.client",
    "cvat_sdk.core.downloading",
    "cvat_sdk.core.exceptions",
    "cvat_sdk.core.filters",
    "cvat_sdk.core.helpers",
    "cvat_sdk.core.progress",
    "cvat_sdk.core.uploading",
    "cvat_sdk.core.utils",
    "cvat_sdk.core.proxies",
    "cvat_sdk.core.proxies.annotations",
    "cvat_sdk.core.proxies.issues",
    "cvat_sdk.core.proxies.jobs",
    "cvat_sdk.core.proxies.model_proxy",
    "cvat_sdk.core.proxies.organizations",
    "cvat_sdk.core.proxies.projects",
    "cvat_sdk.core.proxies.tasks",
    "cvat_sdk.core.proxies.types",
    "cvat_sdk.core.proxies.users",
]

#: Packages whose every public name is a deliberate re-export.
REEXPORTING = {
    "cvat_sdk",
    "cvat_sdk.exceptions",
    "cvat_sdk.models",
    "cvat_sdk.api_client",
    "cvat_sdk.api_client.apis",
    "cvat_sdk.api_client.models",
    "cvat_sdk.core",
}


def ours(name: str) -> str:
    return "cvat_client" + name[len("cvat_sdk") :]


def _public_names(module: types.ModuleType) -> list[str]:
    declared = getattr(module, "__all__", None)
    names = [n for n in dir(module) if not n.startswith("_")]
    result = []
    for name in names:
        value = getattr(module, name)
        if isinstance(value, types.ModuleType):
            continue
        origin = getattr(value, "__module__", None)
        if module.__name__ in REEXPORTING or (declared and name in declared):
            if isinstance(origin, str) and not origin.startswith("cvat_sdk"):
                continue
            result.append(name)
        elif origin == module.__name__ and (inspect.isclass(value) or inspect.isfunction(value)):
            result.append(name)
        elif (
            origin is None
            and not callable(value)
            and name.isupper()
            and not isinstance(value, type)
        ):
            result.append(name)  # module constants such as VERSION
    return sorted(result)


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public members of ``cls`` that cvat-sdk's own classes define (and ``__init__``)."""
    for name in dir(cls):
        if name.startswith("_") and name != "__init__":
            continue
        owner = next((k for k in cls.__mro__ if name in vars(k)), None)
        if owner is None or not owner.__module__.startswith("cvat_sdk"):
            continue
        if name == "__init__" and owner is not cls and not owner.__module__.startswith("cvat_sdk"):
            continue
        yield name, vars(owner)[name]


def _signature(obj: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def _same_default(a: Any, b: Any) -> bool:
    if a is inspect.Parameter.empty:
        return True
    if isinstance(a, enum.Enum) and isinstance(b, enum.Enum):
        return bool(a.value == b.value)
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return repr(a) == repr(b)


def compare_callables(where: str, theirs: Any, mine: Any) -> Iterator[str]:
    s1, s2 = _signature(theirs), _signature(mine)
    if s1 is None or s2 is None:
        return
    params2 = s2.parameters
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params2.values())
    var_pos = any(p.kind is p.VAR_POSITIONAL for p in params2.values())
    positional2 = [
        p.name for p in params2.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    for index, p in enumerate(s1.parameters.values()):
        if p.kind is p.VAR_KEYWORD:
            if not var_kw:
                yield f"{where}: no **{p.name}"
            continue
        if p.kind is p.VAR_POSITIONAL:
            if not var_pos:
                yield f"{where}: no *{p.name}"
            continue
        q = params2.get(p.name)
        if q is None:
            if p.kind is p.POSITIONAL_ONLY and index < len(positional2):
                continue
            # request options (``_request_timeout``...) pass through ``**kwargs``
            if not (var_kw and (p.kind is p.KEYWORD_ONLY or p.name.startswith("_"))):
                yield f"{where}: parameter {p.name!r} missing"
            continue
        if p.kind is p.POSITIONAL_OR_KEYWORD and q.kind is q.KEYWORD_ONLY:
            yield f"{where}: parameter {p.name!r} is keyword-only"
        if (
            p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)
            and q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD)
            and positional2.index(q.name) != index
        ):
            yield f"{where}: parameter {p.name!r} at another position"
        if p.default is not p.empty and q.default is q.empty:
            yield f"{where}: parameter {p.name!r} required (cvat-sdk default {p.default!r})"
        elif not _same_default(p.default, q.default):
            yield f"{where}: parameter {p.name!r} default {q.default!r} (cvat-sdk {p.default!r})"
    for q in params2.values():
        required = q.default is q.empty and q.kind in (
            q.POSITIONAL_OR_KEYWORD,
            q.KEYWORD_ONLY,
            q.POSITIONAL_ONLY,
        )
        if required and q.name not in s1.parameters and q.name != "self":
            yield f"{where}: required parameter {q.name!r} cvat-sdk does not have"


def _positional(cls: Any) -> list[str]:
    signature = _signature(cls.__init__) if inspect.isclass(cls) else None
    if signature is None:
        return []
    return [
        p.name
        for p in signature.parameters.values()
        if p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "self"
    ]


def _compare_model(where: str, theirs: Any, mine: Any) -> Iterator[str]:
    """A model takes its required fields as positional arguments in the same order."""
    if not inspect.isclass(theirs) or issubclass(theirs, enum.Enum):
        return
    required = _positional(theirs)
    if required and _positional(mine)[: len(required)] != required:
        yield f"{where}: positional fields {_positional(mine)[: len(required)]} (cvat-sdk {required})"


def differences() -> Iterator[str]:
    """Every difference between cvat-sdk's public surface and ours, one line each."""
    for module_name in SDK_MODULES:
        theirs = importlib.import_module(module_name)
        try:
            mine = importlib.import_module(ours(module_name))
        except ImportError:
            yield f"{ours(module_name)}: module missing"
            continue
        for name in _public_names(theirs):
            where = f"{ours(module_name)}.{name}"
            value = getattr(theirs, name)
            if not hasattr(mine, name):
                yield f"{where}: missing"
                continue
            other = getattr(mine, name)
            if module_name.endswith("models"):
                yield from _compare_model(where, value, other)
                continue
            if module_name.endswith("apis"):
                continue  # generated: compared by the operation tests
            if inspect.isclass(value):
                if not inspect.isclass(other):
                    yield f"{where}: not a class"
                    continue
                if issubclass(value, BaseException):
                    for base in value.__mro__[1:]:
                        if (
                            base.__module__ == "builtins"
                            and base is not object
                            and not issubclass(other, base)
                        ):
                            yield f"{where}: not a subclass of {base.__name__}"
                if issubclass(value, enum.Enum):
                    missing = {m.name for m in value} - {m.name for m in other}  # type: ignore[attr-defined]
                    if missing:
                        yield f"{where}: enum members missing {sorted(missing)}"
                for member, raw in _members(value):
                    if not hasattr(other, member):
                        yield f"{where}.{member}: missing"
                        continue
                    if callable(raw) or isinstance(raw, classmethod | staticmethod):
                        yield from compare_callables(
                            f"{where}.{member}", getattr(value, member), getattr(other, member)
                        )
            elif inspect.isfunction(value):
                yield from compare_callables(where, value, other)
            elif isinstance(value, str | int | float | tuple) and value != other:
                yield f"{where}: value {other!r} (cvat-sdk {value!r})"


if __name__ == "__main__":
    for line in differences():
        print(line)
