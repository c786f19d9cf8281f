"""The pytest plugin is registered wherever cvat-client is installed, with or without the
``testing`` extra: without it, pytest must keep working, and a fixture of the plugin must fail
with one line naming the extra (not an ImportError while pytest starts)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# A user's test session in an environment where the test server's dependencies are missing:
# ``sys.modules[name] = None`` makes ``import name`` fail and ``find_spec(name)`` answer None.
BLOCK = textwrap.dedent(
    """
    import sys
    for name in ("starlette", "uvicorn", "yaml", "PIL"):
        sys.modules[name] = None
    import pytest
    sys.exit(pytest.main(sys.argv[1:]))
    """
)

TESTS = textwrap.dedent(
    """
    def test_plain():
        assert 1 + 1 == 2

    def test_uses_the_server(cvat_server):
        pass
    """
)


def test_pytest_runs_without_the_testing_extra(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(TESTS)
    (tmp_path / "run.py").write_text(BLOCK)
    result = subprocess.run(
        [sys.executable, "run.py", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert "1 passed" in output and "1 error" in output, output
    assert 'pip install "cvat-client[testing]"' in output, output
    assert "INTERNALERROR" not in output, output
