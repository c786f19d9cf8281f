"""The async face follows the sync one: generated, not stale, no drift."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cvat_client.core import async_client, async_faces
from cvat_client.core._async_runtime import TWINS, AsyncFace
from cvat_client.core.client import Client, make_client

ROOT = Path(__file__).resolve().parents[2]

#: Sync members with no twin on purpose (the async client's life cycle is its own).
SYNC_ONLY = {Client: {"__enter__", "__exit__"}}
#: Async members with no sync twin on purpose.
ASYNC_ONLY = {"sync", "__aenter__", "__aexit__"}


def _public(cls: type, stop: type) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass is object or klass is stop or not klass.__module__.startswith("cvat_client."):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") and name not in ("__enter__", "__exit__"):
                continue
            if isinstance(value, property | staticmethod | classmethod) or inspect.isfunction(
                value
            ):
                found[name] = value
    return found


def _parameters(value: Any) -> list[tuple[str, Any, Any]]:
    if isinstance(value, property):
        return [("<property>", value.fset is not None, None)]
    fn = value.__func__ if isinstance(value, staticmethod | classmethod) else value
    return [
        (p.name, p.kind, p.default if p.default is inspect.Parameter.empty else repr(p.default))
        for p in inspect.signature(fn).parameters.values()
    ]


def test_every_sync_class_has_a_twin() -> None:
    names = {cls.__name__ for cls in TWINS}
    expected = {name.removeprefix("Async") for name in async_faces.__all__}
    assert names == expected
    for name in async_faces.__all__:
        assert getattr(async_client, name) is getattr(async_faces, name)


@pytest.mark.parametrize("sync_cls", list(TWINS), ids=lambda cls: cls.__name__)
def test_no_drift_between_faces(sync_cls: type) -> None:
    """Every public sync member has an async twin with the same parameters (names,
    kinds, defaults), and the reverse; I/O methods are coroutines."""
    twin = TWINS[sync_cls]
    sync_members = _public(sync_cls, object)
    for name in SYNC_ONLY.get(sync_cls, set()):
        sync_members.pop(name)
    async_members = {
        name: value
        for name, value in _public(twin, AsyncFace).items()
        if name not in ASYNC_ONLY and name != "__init__"
    }
    assert sorted(sync_members) == sorted(async_members)
    for name, value in sync_members.items():
        assert _parameters(value) == _parameters(async_members[name]), name
        if inspect.isfunction(value) and not inspect.isgeneratorfunction(value):
            twin_fn = async_members[name]
            pure = name in ("has_credentials", "organization_context", "deadline", "to_dict")
            assert inspect.iscoroutinefunction(twin_fn) is not pure, name


def test_make_async_client_takes_make_client_parameters() -> None:
    assert _parameters(async_client.make_async_client) == _parameters(make_client)


def test_generated_face_is_not_stale() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "generate_async.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_import_is_lazy() -> None:
    code = (
        "import sys, cvat_client; "
        "assert 'cvat_client.core.async_faces' not in sys.modules; "
        "cvat_client.AsyncClient; "
        "assert 'cvat_client.core.async_faces' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
