"""Mask shapes: CVAT's run-length encoding of a bitmap (cvat-sdk's ``cvat_sdk.masks``).

A ``type="mask"`` shape stores in ``points`` the run lengths of the bitmap inside its
bounding box (row by row, starting with a run of zeros, which may be empty), followed by the
box ``x1, y1, x2, y2`` with inclusive lower-right corner. Needs numpy (the ``masks`` extra).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cvat_client._extras import require

require("cvat_client.masks", "masks", "numpy")

import numpy as np  # noqa: E402

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = ["decode_mask", "encode_mask"]


def encode_mask(bitmap: ArrayLike, /, bbox: Sequence[float] | None = None) -> list[float]:
    """Encode a boolean ``(H, W)`` image mask as the ``points`` of a ``type="mask"`` shape.

    ``bbox``, if given, is ``[x1, y1, x2, y2]`` with ``(0, 0) <= (x1, y1) < (x2, y2) <= (W, H)``
    (fractions are widened to whole pixels); only the pixels inside it are encoded. Without it,
    the box is the smallest one holding every set pixel (``[0, 0, 1, 1]`` for an empty mask).

    Raises:
        ValueError: the bitmap is not a 2-D boolean array, or the box is outside it.
    """
    array = np.asanyarray(bitmap)
    if array.ndim != 2:
        raise ValueError("bitmap must have 2 dimensions")
    if array.dtype != np.bool_:
        raise ValueError("bitmap must have boolean items")

    if bbox is None:
        rows = np.flatnonzero(array.any(axis=1))
        cols = np.flatnonzero(array.any(axis=0))
        if rows.size == 0:
            x1 = y1 = 0
            x2 = y2 = 1
        else:
            y1, y2 = int(rows[0]), int(rows[-1]) + 1
            x1, x2 = int(cols[0]), int(cols[-1]) + 1
    else:
        x1, y1 = (math.floor(v) for v in bbox[0:2])
        x2, y2 = (math.ceil(v) for v in bbox[2:4])
        if not (0 <= x1 < x2 <= array.shape[1] and 0 <= y1 < y2 <= array.shape[0]):
            raise ValueError("bbox has invalid coordinates")

    flat = np.ascontiguousarray(array[y1:y2, x1:x2]).ravel()
    # Positions where the value changes, plus both ends: their gaps are the run lengths.
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs.insert(0, 0)  # the encoding always starts with a run of zeros
    return [*runs, x1, y1, x2 - 1, y2 - 1]


def _whole(value: Any) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"non-integer value in encoded mask: {value!r}")


def decode_mask(
    encoded: Sequence[float], /, *, image_width: int, image_height: int
) -> NDArray[np.bool_]:
    """Decode the ``points`` of a ``type="mask"`` shape into a boolean ``(H, W)`` array.

    ``image_width`` and ``image_height`` are the size of the image the mask belongs to.

    Raises:
        ValueError: the encoding is malformed or does not fit the image.
    """
    if len(encoded) < 5:
        raise ValueError("too few elements in encoded mask")
    if image_width <= 0 or image_height <= 0:
        raise ValueError("invalid image dimensions")

    *runs, x1, y1, x2, y2 = (_whole(v) for v in encoded)
    x2 += 1
    y2 += 1
    if not (0 <= x1 < x2 <= image_width and 0 <= y1 < y2 <= image_height):
        raise ValueError("invalid encoded bounding box")

    values = (np.arange(len(runs)) % 2).astype(bool)
    inside = np.repeat(values, runs)
    if inside.size != (y2 - y1) * (x2 - x1):
        raise ValueError("encoded bitmap does not match encoded bounding box")

    mask = np.zeros((image_height, image_width), dtype=bool)
    mask[y1:y2, x1:x2] = inside.reshape((y2 - y1, x2 - x1))
    return mask
