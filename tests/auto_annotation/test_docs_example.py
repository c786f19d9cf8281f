"""The worked example of docs/auto-annotation.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import cvat_client.auto_annotation as cvataa

DOC = Path(__file__).resolve().parents[2] / "docs" / "auto-annotation.md"


def test_worked_example(ours: Any, frame_files: list[Path]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(blocks[0], namespace)  # the function's definition
    labels = [
        {
            "name": "spot",
            "type": "rectangle",
            "attributes": [
                {
                    "name": "level",
                    "mutable": False,
                    "input_type": "select",
                    "values": ["medium", "high"],
                }
            ],
        },
        {"name": "dark", "type": "tag"},
    ]
    task = ours.tasks.create_from_data(
        {"name": "doc", "labels": labels}, resources=[str(p) for p in frame_files]
    )
    cvataa.annotate_task(ours, task.id, namespace["BrightSpots"](), conf_threshold=0.3)
    data = task.get_annotations()
    assert len(data.shapes) + len(data.tags) == len(frame_files)
    assert {str(s.source) for s in [*data.shapes, *data.tags]} == {"auto"}
