"""Track interpolation: a track's keyframes turned into one shape per frame, by CVAT's rules.

This follows the server's ``TrackManager.get_interpolated_shapes`` and ``to_shapes`` (CVAT 2.73,
``cvat/apps/dataset_manager/annotation.py``), so a frame gets the shape CVAT itself would
export for it:

* rectangles, ellipses, cuboids and skeletons move linearly between keyframes, their rotation
  along the shorter arc; ``points`` move linearly only when both keyframes hold one point (else
  the left keyframe is repeated);
* polygons and polylines are resampled: the points of both keyframes are matched by their
  relative position along the curve, interpolated, then thinned out;
* attributes missing on a keyframe are carried over from the previous one; the track's own
  attributes are added to every shape;
* keyframes on deleted frames are skipped; nothing is produced on deleted frames;
* after the last keyframe the shape is repeated up to the end, unless it is ``outside``;
* a skeleton's elements are interpolated as tracks of their own, on the frames of the skeleton.

Shapes are plain dicts in the layout of a ``LabeledShape``; ``outside`` shapes are kept here
(the caller drops them).
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
from collections.abc import Collection, Iterable, Iterator
from typing import Any

__all__ = ["TrackInterpolationError", "interpolated_shapes", "track_shapes"]

Shape = dict[str, Any]


class TrackInterpolationError(ValueError):
    """A track cannot be interpolated (keyframes out of order, or of a type CVAT does not
    interpolate)."""


def _angle_diff(right: float, left: float) -> float:
    # CVAT's find_angle_diff, including its answer for a difference of exactly -180 degrees
    diff = ((right - left + 180) % 360) - 180
    if abs(diff) >= 180:
        diff = 360 - abs(diff) * -1 if diff > 0 else 1
    return diff


def _copy(
    source: Shape, frame: int, points: list[float] | None = None, rotation: Any = None
) -> Shape:
    copied = dict(source)
    copied["attributes"] = copy.deepcopy(source["attributes"])
    copied["keyframe"] = False
    copied["frame"] = frame
    if rotation is not None:
        copied["rotation"] = rotation
    copied["points"] = list(source["points"] if points is None else points)
    return copied


def _length(points: list[tuple[float, float]]) -> float:
    total: float = 0
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        total += math.sqrt((x1 - x0) ** 2 + (y1 - y0) ** 2)
    return total


def _divide(a: float, b: float) -> float:
    # numpy float division, as the server computes it: x/0 is inf (or nan for 0/0)
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b


def _offsets(points: list[tuple[float, float]], length: float) -> list[float]:
    result = [0.0]
    accumulated: float = 0
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        accumulated += math.sqrt((x1 - x0) ** 2 + (y1 - y0) ** 2)
        result.append(_divide(accumulated, length))
    return result


def _nearest(value: float, curve: list[float]) -> int:
    best, best_distance = 0, abs(value - curve[0])
    for index in range(1, len(curve)):
        distance = abs(value - curve[index])
        if distance < best_distance:
            best, best_distance = index, distance
    return best


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2)


def _resample(left_flat: list[float], right_flat: list[float], offset: float) -> list[float]:
    """A polyline between two keyframes at ``offset`` (0..1), CVAT's curve matching."""
    left = [(float(x), float(y)) for x, y in zip(left_flat[0::2], left_flat[1::2], strict=False)]
    right = [(float(x), float(y)) for x, y in zip(right_flat[0::2], right_flat[1::2], strict=False)]
    left_offsets = _offsets(left, _length(left))
    right_offsets = _offsets(right, _length(right))

    matching = {i: [_nearest(value, right_offsets)] for i, value in enumerate(left_offsets)}
    matched = {j for targets in matching.values() for j in targets}
    for j in range(len(right_offsets)):
        if j not in matched:
            matching[_nearest(right_offsets[j], left_offsets)].append(j)
    for targets in matching.values():
        targets.sort()

    points: list[tuple[float, float]] = []
    first_of: dict[int, list[int]] = {}
    for i, (lx, ly) in enumerate(left):
        first_of[i] = []
        for j in matching[i]:
            rx, ry = right[j]
            first_of[i].append(len(points))
            points.append((lx + (rx - lx) * offset, ly + (ry - ly) * offset))

    reduced: list[tuple[float, float]] = []

    def minimize(
        base_length: float, count: int, start: int, stop: int
    ) -> list[tuple[float, float]]:
        threshold = base_length / (2 * count)
        kept = [points[start]]
        last = start
        for k in range(start + 1, stop):
            if _distance(points[last], points[k]) >= threshold:
                kept.append(points[k])
                last = k
        kept.append(points[stop])
        if len(kept) == 2 and _distance(points[start], points[stop]) < threshold:
            sum_x: float = 0
            sum_y: float = 0
            for x, y in kept:
                sum_x += x
                sum_y += y
            return [(sum_x / len(kept), sum_y / len(kept))]
        return kept

    def left_segment(start: int, stop: int) -> None:
        first, last = first_of[start][0], first_of[stop][0]
        if first == last:
            reduced.append(points[first])
            return
        reduced.extend(minimize(_length(left[start : stop + 1]), stop - start + 1, first, last))

    def right_segment(i: int) -> None:
        start, stop = matching[i][0], matching[i][-1]
        reduced.extend(
            minimize(
                _length(right[start : stop + 1]), stop - start + 1, first_of[i][0], first_of[i][-1]
            )
        )

    opened: int | None = None
    for i in range(len(left)):
        if len(matching[i]) == 1:
            if opened is not None:
                if matching[i][0] == matching[opened][0]:
                    continue
                left_segment(opened, i - 1)
            opened = i
        else:
            if opened is not None:
                left_segment(opened, i - 1)
                opened = None
            right_segment(i)
    if opened is not None:
        left_segment(opened, len(left) - 1)

    return [value for point in reduced for value in point]


def interpolated_shapes(
    track: Shape,
    end_frame: int,
    *,
    deleted_frames: Collection[int] = (),
    included_frames: Collection[int] | None = None,
    include_outside: bool = False,
) -> list[Shape]:
    """The shapes of ``track`` on frames ``track["frame"]..end_frame - 1``.

    As CVAT's ``get_interpolated_shapes`` from frame 0: keyframes are kept even when
    ``outside``; interpolated ``outside`` shapes only with ``include_outside``.
    """

    def wanted(frame: int) -> bool:
        return included_frames is None or frame in included_frames

    def linear(shape0: Shape, shape1: Shape) -> Iterator[Shape]:
        distance = shape1["frame"] - shape0["frame"]
        p0 = [float(v) for v in shape0["points"]]
        diff = [
            float(b) - float(a) for a, b in zip(shape0["points"], shape1["points"], strict=True)
        ]
        for frame in range(shape0["frame"] + 1, shape1["frame"]):
            offset = (frame - shape0["frame"]) / distance
            rotation = (
                shape0["rotation"]
                + _angle_diff(shape1["rotation"], shape0["rotation"]) * offset
                + 360
            ) % 360
            if wanted(frame):
                yield _copy(
                    shape0, frame, [a + d * offset for a, d in zip(p0, diff, strict=True)], rotation
                )

    def still(shape0: Shape, shape1: Shape) -> Iterator[Shape]:
        for frame in range(shape0["frame"] + 1, shape1["frame"]):
            if wanted(frame):
                yield _copy(shape0, frame)

    def polyshape(shape0: Shape, shape1: Shape) -> Iterator[Shape]:
        closed = shape0["type"] == "polygon"
        left, right = list(shape0["points"]), list(shape1["points"])
        if closed:
            left += left[:2]
            right += right[:2]
        distance = shape1["frame"] - shape0["frame"]
        for frame in range(shape0["frame"] + 1, shape1["frame"]):
            offset = (frame - shape0["frame"]) / distance
            points = _resample(left, right, offset)
            if wanted(frame):
                yield _copy(shape0, frame, points[:-2] if closed else points)

    def between(shape0: Shape, shape1: Shape) -> Iterator[Shape]:
        kind = shape0["type"]
        if kind != shape1["type"]:
            raise TrackInterpolationError(
                f"Track #{track.get('id')} changes its shape type ({kind} to {shape1['type']})"
            )
        if kind in ("rectangle", "cuboid", "ellipse", "skeleton"):
            return linear(shape0, shape1)
        if kind == "points":
            if len(shape0["points"]) == 2 and len(shape1["points"]) == 2:
                return linear(shape0, shape1)
            return still(shape0, shape1)
        if kind in ("polygon", "polyline"):
            return polyshape(shape0, shape1)
        raise TrackInterpolationError(
            f"Track #{track.get('id')}: CVAT does not interpolate {kind} tracks"
        )

    def generate() -> Iterator[Shape]:
        previous: Shape | None = None
        for shape in sorted(track["shapes"], key=lambda s: s["frame"]):
            frame = shape["frame"]
            if frame in deleted_frames:
                continue
            if previous is not None and end_frame <= frame:
                # interpolate up to the keyframe past the end, keeping what lies before it
                for item in heapq.merge(
                    between(previous, shape), [shape], key=lambda s: s["frame"]
                ):
                    if item["frame"] >= end_frame:
                        break
                    yield item
                previous = None
                return
            if previous is not None:
                if frame == previous["frame"] and dict(shape, id=None, keyframe=None) == dict(
                    previous, id=None, keyframe=None
                ):
                    continue
                if frame <= previous["frame"]:
                    raise TrackInterpolationError(
                        f"Track #{track.get('id')} has two keyframes on frame {frame}"
                    )
                present = {attr["spec_id"] for attr in shape["attributes"]}
                for attr in previous["attributes"]:
                    if attr["spec_id"] not in present:
                        shape["attributes"].append(copy.deepcopy(attr))
                if not previous["outside"] or include_outside:
                    yield from between(previous, shape)
            shape["keyframe"] = True
            yield shape
            previous = shape
        if previous is not None and (not previous["outside"] or include_outside):
            for frame in range(previous["frame"] + 1, end_frame):
                if wanted(frame):
                    yield _copy(previous, frame)

    track = dict(
        track,
        shapes=[
            dict(s, attributes=copy.deepcopy(s.get("attributes") or [])) for s in track["shapes"]
        ],
    )
    start = track["frame"]
    return [
        shape
        for shape in generate()
        if shape["frame"] not in deleted_frames
        and start <= shape["frame"] < end_frame
        and (shape["keyframe"] or not shape["outside"] or include_outside)
        and wanted(shape["frame"])
    ]


def _with_track_fields(track: Shape, shapes: Iterable[Shape]) -> list[Shape]:
    return [
        dict(
            shape,
            label_id=track["label_id"],
            group=track.get("group"),
            source=track.get("source", "manual"),
            attributes=shape["attributes"] + list(track.get("attributes") or []),
            elements=[],
            track_id=track.get("id"),
        )
        for shape in shapes
    ]


def track_shapes(
    track: Shape,
    end_frame: int,
    *,
    deleted_frames: Collection[int] = (),
    included_frames: Collection[int] | None = None,
    include_outside: bool = False,
) -> list[Shape]:
    """The per-frame shapes of a track as CVAT's ``TrackManager.to_shapes`` gives them: the
    track's label, group, source and attributes on each; a skeleton's elements attached."""
    shapes = _with_track_fields(
        track,
        interpolated_shapes(
            track,
            end_frame,
            deleted_frames=deleted_frames,
            included_frames=included_frames,
            include_outside=include_outside,
        ),
    )
    elements = track.get("elements") or []
    if not elements or not shapes:
        return shapes
    frames = {shape["frame"] for shape in shapes}
    if included_frames is not None:
        frames &= set(included_frames)
    by_frame: dict[int, list[Shape]] = {}
    for element in elements:
        for element_shape in track_shapes(
            element,
            end_frame,
            deleted_frames=deleted_frames,
            included_frames=frames,
            include_outside=True,  # elements follow their skeleton
        ):
            by_frame.setdefault(element_shape["frame"], []).append(element_shape)
    result = [dict(shape, elements=by_frame.get(shape["frame"], [])) for shape in shapes]
    if not include_outside:
        result = [
            shape
            for shape in result
            if not shape["elements"] or not all(e["outside"] for e in shape["elements"])
        ]
    return result
