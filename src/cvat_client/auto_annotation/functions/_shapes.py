"""The outer contours of a mask as polygons (numpy only; no image-processing library)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["mask_polygons", "simplify"]

# Moore neighbourhood, clockwise on screen (y grows downwards), starting west.
_NEIGHBOURS = ((0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1))


def _trace(mask: np.ndarray, start: tuple[int, int], visited: np.ndarray) -> list[tuple[int, int]]:
    """The boundary of ``mask`` through ``start`` (whose west neighbour is background)."""
    height, width = mask.shape

    def inside(y: int, x: int) -> bool:
        return 0 <= y < height and 0 <= x < width and bool(mask[y, x])

    contour = [start]
    visited[start] = True
    current, direction = start, 0  # came from the west
    first_move: tuple[tuple[int, int], int] | None = None
    for _ in range(4 * mask.size + 8):
        for turn in range(8):
            d = (direction + turn) % 8
            dy, dx = _NEIGHBOURS[d]
            y, x = current[0] + dy, current[1] + dx
            if inside(y, x):
                move = ((y, x), d)
                break
        else:
            return contour  # a single pixel
        if first_move is None:
            first_move = move
        elif current == start and move == first_move:
            break
        current, d = move
        direction = (d + 5) % 8  # search from the neighbour after the one we came from
        visited[current] = True
        contour.append(current)
    if len(contour) > 1 and contour[-1] == start:
        contour.pop()
    return contour


def _signed_area(points: Sequence[tuple[float, float]]) -> float:
    total = 0.0
    for (y1, x1), (y2, x2) in zip(points, [*points[1:], points[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker simplification of an open polyline."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ay, ax), (by, bx) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        best, index = -1.0, -1
        for i in range(first + 1, last):
            py, px = points[i]
            if length == 0:
                distance = math.hypot(px - ax, py - ay)
            else:
                distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance > best:
                best, index = distance, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def mask_polygons(bitmap: Any, tolerance: float = 2.5) -> list[list[float]]:
    """The outer contours of each connected region of ``bitmap`` as ``[x1, y1, x2, ...]``.

    Holes are left out; contours are simplified to within ``tolerance`` pixels (the full
    contour is kept when simplification leaves fewer than 3 points); regions whose
    contour has fewer than 3 points are dropped.
    """
    mask = np.asarray(bitmap, dtype=bool)
    visited = np.zeros_like(mask)
    west_background = mask.copy()
    west_background[:, 1:] &= ~mask[:, :-1]
    polygons: list[list[float]] = []
    for y, x in np.argwhere(west_background):
        if visited[y, x]:
            continue
        contour = _trace(mask, (int(y), int(x)), visited)
        if len(contour) < 3 or _signed_area(contour) <= 0:
            continue  # too small, or a hole's boundary (traced the other way round)
        closed = [(float(py), float(px)) for py, px in contour] + [
            (float(contour[0][0]), float(contour[0][1]))
        ]
        reduced = simplify(closed, tolerance)[:-1]
        if len(reduced) < 3:
            reduced = closed[:-1]
        polygons.append([coord for py, px in reduced for coord in (px, py)])
    return polygons
