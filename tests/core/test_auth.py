"""Saved authentication profiles (``cvat_client.core.auth``): the store file, its
permission checks, its location, and clients made from profiles and command lines."""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cvat_client.core.auth import (
    DEFAULT_SERVER,
    AuthStore,
    ClientAuthParameters,
    ProfileEntry,
    configure_client_auth_arguments,
    get_auth_factory,
    get_auth_store_path,
    make_client_from_cli,
    make_client_from_profile,
)
from cvat_client.core.client import AccessTokenCredentials, PasswordCredentials
from cvat_client.core.exceptions import AuthStoreError, CvatSdkException
from cvat_client.testing import ASGIBridgeTransport, CvatTestServer

posix_only = pytest.mark.skipif(os.name != "posix", reason="permission modes are POSIX")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "cvat-sdk" / "auth.json"


@pytest.fixture
def token(cvat_server: CvatTestServer, cvat_admin: tuple[str, str]) -> str:
    with cvat_server.sync_client(auth=cvat_admin) as http:
        response = http.post("/api/auth/access_tokens", json={"name": "cli-token"})
        assert response.status_code == 201, response.text
        return str(response.json()["value"])


def test_store_round_trip_and_file_format(store_path: Path) -> None:
    store = AuthStore(store_path)
    assert store.list_profiles() == {}
    assert store.get_default_profile() is None
    entry = ProfileEntry("http://a.example", "secret-1", "2026-01-01T00:00:00+00:00")
    store.put_profile("a", entry)
    store.put_profile("b", ProfileEntry("https://b.example", "secret-2", "x"))
    # the first profile became the default; a new reader sees the same
    again = AuthStore(store_path)
    assert again.get_default_profile() == ("a", entry)
    assert set(again.list_profiles()) == {"a", "b"}
    again.set_default_profile("b")
    again.set_default_server("http://srv:8080")
    doc = json.loads(store_path.read_text())
    assert doc == {
        "version": 1,
        "default_profile": "b",
        "default_server": "http://srv:8080",
        "profiles": {
            "a": {
                "server": "http://a.example",
                "token": "secret-1",
                "created_date": entry.created_date,
            },
            "b": {"server": "https://b.example", "token": "secret-2", "created_date": "x"},
        },
    }
    again.remove_profile("b")
    assert AuthStore(store_path).get_default_profile() is None
    with pytest.raises(KeyError):
        again.remove_profile("b")
    with pytest.raises(KeyError):
        again.set_default_profile("nope")
    again.clear_default_server()
    assert AuthStore(store_path).get_default_server() is None
    assert "secret" not in repr(entry)


@posix_only
def test_store_permissions(store_path: Path) -> None:
    store = AuthStore(store_path)
    store.put_profile("a", ProfileEntry("http://a", "t", ""))
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_path.parent.stat().st_mode) == 0o700
    store_path.chmod(0o644)
    with pytest.raises(AuthStoreError, match=r"chmod 600") as info:
        AuthStore(store_path).list_profiles()
    assert isinstance(info.value, CvatSdkException)
    store_path.chmod(0o600)
    store_path.parent.chmod(0o755)
    with pytest.raises(AuthStoreError, match=r"chmod 700"):
        AuthStore(store_path).get_default_server()


def test_store_rejects_corrupt_and_newer_files(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True, mode=0o700)
    store_path.write_text('{"profiles": {}}')
    store_path.chmod(0o600)
    with pytest.raises(AuthStoreError, match="missing 'version'"):
        AuthStore(store_path).list_profiles()
    store_path.write_text('{"version": 2, "profiles": {}}')
    with pytest.raises(AuthStoreError, match="unsupported version 2"):
        AuthStore(store_path).list_profiles()
    store_path.write_text("{not json")
    with pytest.raises(AuthStoreError, match="Cannot read auth store"):
        AuthStore(store_path).list_profiles()


def test_store_path_follows_platform_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import platformdirs

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = get_auth_store_path()
    assert path.name == "auth.json"
    assert path == Path(platformdirs.user_config_path("cvat-sdk", "CVAT.ai")) / "auth.json"
    if sys.platform.startswith("linux"):
        assert path == tmp_path / "cvat-sdk" / "auth.json"
    from cvat_sdk.core.auth import get_auth_store_path as sdk_path

    assert path == sdk_path()
    assert AuthStore().path == path


@pytest.mark.parametrize(
    ("system", "env", "expected"),
    [
        ("linux", {"XDG_CONFIG_HOME": "/xdg"}, "/xdg/cvat-sdk/auth.json"),
        ("darwin", {}, "HOME/Library/Application Support/cvat-sdk/auth.json"),
    ],
)
def test_store_path_rules_per_system(
    monkeypatch: pytest.MonkeyPatch, system: str, env: dict[str, str], expected: str
) -> None:
    """The same directory cvat-sdk uses on each system (platformdirs' rules)."""
    import platformdirs

    home = str(Path.home())
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if system == "darwin":
        from platformdirs.macos import MacOS as Impl
    else:
        from platformdirs.unix import Unix as Impl  # type: ignore[assignment]
    monkeypatch.setattr(platformdirs, "PlatformDirs", Impl)
    monkeypatch.setattr(
        platformdirs,
        "user_config_path",
        lambda appname, appauthor: Impl(appname, appauthor).user_config_path,
    )
    assert str(get_auth_store_path()) == expected.replace("HOME", home)


def test_store_path_rules_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows: the local application data folder, then the author and the name."""
    import platformdirs
    from platformdirs import windows

    monkeypatch.setattr(
        windows, "get_win_folder", lambda csidl: {"CSIDL_LOCAL_APPDATA": "C:/L"}[csidl]
    )
    monkeypatch.setattr(
        platformdirs,
        "user_config_path",
        lambda appname, appauthor: windows.Windows(appname, appauthor).user_config_path,
    )
    assert get_auth_store_path().as_posix() == "C:/L/CVAT.ai/cvat-sdk/auth.json"


def test_auth_factory_password_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PASS", raising=False)
    assert get_auth_factory("u:p")("http://x") == PasswordCredentials("u", "p")
    monkeypatch.setenv("PASS", "from-env")
    assert get_auth_factory("u")("http://x") == PasswordCredentials("u", "from-env")
    monkeypatch.delenv("PASS")
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("typed\n"))
    assert get_auth_factory("u")("http://x") == PasswordCredentials("u", "typed")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(AuthStoreError, match="PASS"):
        get_auth_factory("u")("http://x")


def _params(**kwargs: object) -> ClientAuthParameters:
    return ClientAuthParameters(**kwargs)  # type: ignore[arg-type]


def test_make_client_from_profile_and_cli(
    cvat_server: CvatTestServer, token: str, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CVAT_ACCESS_TOKEN", raising=False)
    transport = ASGIBridgeTransport(cvat_server.app)
    entry = ProfileEntry("http://testserver", token, "2026-01-01")
    with make_client_from_profile(entry, transport=transport) as client:
        assert client.api_client.users_api.retrieve_self()[0].username == "admin"

    store = AuthStore(store_path)
    store.put_profile("work", entry)
    # the default profile is used without host and credentials
    with make_client_from_cli(_params(), store=store, transport=transport) as client:
        assert client.host == "http://testserver"
        assert client.api_client.users_api.retrieve_self()[0].username == "admin"
    # by name, with an organization
    with make_client_from_cli(
        _params(profile="work", organization=""), store=store, transport=transport
    ) as client:
        assert client.organization_slug == ""
    with pytest.raises(AuthStoreError, match="Unknown profile 'other'"):
        make_client_from_cli(_params(profile="other"), store=store, transport=transport)
    with pytest.raises(AuthStoreError, match="mutually exclusive"):
        make_client_from_cli(
            _params(profile="work", server_host="h"), store=store, transport=transport
        )
    # explicit host and credentials bypass the default profile
    parser = argparse.ArgumentParser()
    configure_client_auth_arguments(parser)
    args = parser.parse_args(["--server-host", "http://testserver", "--auth", "admin:admin"])
    with make_client_from_cli(args, store=store, transport=transport) as client:
        assert client.api_client.users_api.retrieve_self()[0].username == "admin"
    # CVAT_ACCESS_TOKEN counts as explicit credentials: the default server is used
    store.set_default_server("http://testserver")
    monkeypatch.setenv("CVAT_ACCESS_TOKEN", token)
    with make_client_from_cli(_params(), store=store, transport=transport) as client:
        assert client.host == "http://testserver"
    with pytest.raises(AuthStoreError, match="Please specify only one port"):
        make_client_from_cli(
            _params(server_host="http://h:1", server_port=2), store=store, transport=transport
        )


def test_parser_options_match_cvat_sdk() -> None:
    from cvat_sdk.core.auth import configure_client_auth_arguments as sdk_configure

    ours, theirs = argparse.ArgumentParser(), argparse.ArgumentParser()
    configure_client_auth_arguments(ours)
    sdk_configure(theirs)

    def options(parser: argparse.ArgumentParser) -> list[tuple[tuple[str, ...], str, object]]:
        return sorted((tuple(a.option_strings), a.dest, a.default) for a in parser._actions)

    assert options(ours) == options(theirs)
    assert DEFAULT_SERVER == "http://localhost"
    args = ours.parse_args(["--org", "acme", "--auth", "u:p"])
    assert ClientAuthParameters.from_namespace(args).organization == "acme"
    assert args.auth("h") == PasswordCredentials("u", "p")
    assert not isinstance(args.auth("h"), AccessTokenCredentials)


def test_profiles_are_shared_with_the_official_cli(tmp_path: Path) -> None:
    """A profile saved by ``cvat-cli profile create`` is read here, and back."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    script = "import sys; from cvat_cli.__main__ import main; sys.exit(main(sys.argv[1:]))"
    cli = [sys.executable, "-c", script]
    created = subprocess.run(
        [*cli, "--server-host", "http://127.0.0.1:9", "profile", "create", "--name", "p1", "T1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    store = AuthStore(tmp_path / "cvat-sdk" / "auth.json")
    assert store.get_default_profile() == (
        "p1",
        ProfileEntry("http://127.0.0.1:9", "T1", store.list_profiles()["p1"].created_date),
    )
    store.put_profile("p2", ProfileEntry("https://b.example", "T2", "2026"), set_default=True)
    listed = subprocess.run(
        [*cli, "profile", "list"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "p1\thttp://127.0.0.1:9",
        "p2\thttps://b.example\t(default)",
    ]
