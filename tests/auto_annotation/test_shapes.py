"""Mask-to-polygon conversion of the instance segmentation function."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from cvat_client.auto_annotation.functions._shapes import mask_polygons, simplify  # noqa: E402


def test_outer_contours_without_holes() -> None:
    mask = np.zeros((20, 20), dtype=bool)
    mask[2:12, 3:15] = True
    mask[5:8, 6:9] = False  # a hole: no polygon of its own
    mask[15:18, 15:18] = True
    polygons = mask_polygons(mask)
    assert polygons[0] == [3.0, 2.0, 14.0, 2.0, 14.0, 11.0, 3.0, 11.0]
    assert len(polygons) == 2
    xs, ys = polygons[1][0::2], polygons[1][1::2]
    assert (min(xs), min(ys), max(xs), max(ys)) == (15.0, 15.0, 17.0, 17.0)


def test_tiny_regions_are_dropped_and_diagonals_simplified() -> None:
    single = np.zeros((5, 5), dtype=bool)
    single[2, 2] = True
    assert mask_polygons(single) == []
    triangle = np.zeros((30, 30), dtype=bool)
    for row in range(30):
        triangle[row, : row + 1] = True
    (polygon,) = mask_polygons(triangle)
    assert len(polygon) <= 10
    assert simplify([(0.0, 0.0), (0.1, 5.0), (0.0, 10.0)], 1.0) == [(0.0, 0.0), (0.0, 10.0)]
