"""A detection function for the generated videos of ``tests._video``: one box per frame over
the frame's bright bar, so where the box lands says which source frame the function saw.

A module (``spec`` and ``detect``), usable as a function object and by
``cvat-client task auto-annotate --function-module``. ``calls`` records each call's frame name
and image size.
"""

from __future__ import annotations

from typing import Any

import cvat_client.auto_annotation as cvataa

spec = cvataa.DetectionFunctionSpec(labels=[cvataa.label_spec("bar", 0)])

calls: list[tuple[str, tuple[int, int]]] = []


def bar_left(image: Any) -> int:
    """The first column of the frame's bright bar (it spans the top half of the frame)."""
    from PIL import Image

    width, height = image.size
    green = image.convert("RGB").getchannel("G").crop((0, 0, width, height // 2))
    columns = green.resize((width, 1), Image.Resampling.BOX).tobytes()
    return min(x for x, value in enumerate(columns) if value > 160)  # bar 230, ground 90


def detect(context: Any, image: Any) -> list[Any]:
    calls.append((context.frame_name, image.size))
    left = float(bar_left(image))
    return [cvataa.rectangle(0, [left, 0.0, left + 4.0, 4.0])]
