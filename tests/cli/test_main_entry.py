"""``cvat_client.cli.main``: called as cvat-cli's ``main(args)``, it returns the exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvat_client.cli import main


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CVAT_HOST", "CVAT_PORT", "CVAT_ORG", "CVAT_ACCESS_TOKEN", "CVAT_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path))


def test_help_returns_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "Usage:" in capsys.readouterr().out


def test_failed_command_returns_one_and_prints_the_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["--server-host", "ftp://localhost", "--auth", "u:p", "task", "ls"])
    assert status == 1
    assert "ftp" in capsys.readouterr().err


def test_unparsable_command_line_exits_with_two(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--no-such-option"])
    assert info.value.code == 2
    assert "No such option" in capsys.readouterr().err


def test_args_may_be_a_tuple() -> None:
    assert main(("--help",)) == 0
