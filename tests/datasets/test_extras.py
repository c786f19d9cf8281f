"""Optional dependencies: never imported by the package, named when missing."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_datasets_and_attributes_import_no_heavy_module() -> None:
    code = (
        "import sys, cvat_client, cvat_client.datasets, cvat_client.attributes;"
        "print(sorted(m for m in ('numpy', 'PIL', 'torch', 'torchvision') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("missing", ["torch", "torchvision"])
def test_missing_torch_names_the_pytorch_extra(missing: str) -> None:
    code = (
        f"import sys; sys.modules[{missing!r}] = None\n"
        "try:\n"
        "    import cvat_client.pytorch\n"
        "except ModuleNotFoundError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("MissingExtraError ")
    assert 'pip install "cvat-client[pytorch]"' in out.stdout
    assert missing in out.stdout
