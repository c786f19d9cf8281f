"""Geometry helpers of the target transforms: bounding boxes and rasterised masks."""

from __future__ import annotations

from typing import Any

import numpy as np
import PIL.Image
import PIL.ImageDraw

from cvat_client.masks import decode_mask

__all__ = ["draw_mask", "shape_bbox"]


def _kind(shape: Any) -> str:
    return str(getattr(shape.type, "value", shape.type))


def shape_bbox(shape: Any) -> tuple[float, float, float, float]:
    """The unrotated box ``(x_min, y_min, x_max, y_max)`` of a shape.

    A mask's box comes from its encoding, whose lower-right corner is inclusive: it is made
    exclusive, as torchvision expects.
    """
    points = shape.points
    if _kind(shape) == "mask":
        if len(points) < 5:
            raise ValueError("encoded mask has too few elements")
        x1, y1, x2, y2 = points[-4:]
        return x1, y1, x2 + 1, y2 + 1
    xs, ys = points[0::2], points[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def draw_mask(shape: Any, image_size: tuple[int, int]) -> np.ndarray[Any, Any]:
    """A full-image boolean mask of a ``mask`` or ``polygon`` shape; ``image_size`` is
    ``(width, height)``."""
    kind = _kind(shape)
    if kind == "mask":
        return decode_mask(shape.points, image_width=image_size[0], image_height=image_size[1])
    if kind != "polygon":
        raise AssertionError(f"unsupported shape type: {kind!r}")
    canvas = PIL.Image.new("1", image_size)
    PIL.ImageDraw.Draw(canvas).polygon(
        list(zip(shape.points[0::2], shape.points[1::2], strict=False)), fill=1
    )
    return np.array(canvas)
