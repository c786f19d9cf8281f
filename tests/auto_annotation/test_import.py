"""Importing cvat_client.auto_annotation stays light: no Pillow, numpy or torch until used."""

from __future__ import annotations

import subprocess
import sys


def test_import_is_lazy() -> None:
    code = (
        "import sys, cvat_client.auto_annotation, cvat_client.auto_annotation.functions; "
        "print(sorted(m for m in ('PIL', 'numpy', 'torch', 'torchvision', 'click', 'tqdm') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
