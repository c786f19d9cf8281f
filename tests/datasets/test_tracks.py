"""Track interpolation, case by case, against the results of CVAT's own rules
(``TrackManager.get_interpolated_shapes`` / ``to_shapes``), worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from cvat_client.datasets import TaskDataset
from cvat_client.datasets._tracks import TrackInterpolationError, track_shapes
from tests.datasets.conftest import DELETED_FRAME, RichTask


def kf(frame: int, points: list[float], kind: str = "rectangle", **extra: Any) -> dict[str, Any]:
    shape = {
        "type": kind,
        "frame": frame,
        "points": points,
        "occluded": False,
        "outside": False,
        "z_order": 0,
        "rotation": 0.0,
        "attributes": [],
        "id": frame + 100,
    }
    shape.update(extra)
    return shape


def track(*shapes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    item = {
        "id": 7,
        "frame": shapes[0]["frame"],
        "label_id": 1,
        "group": 0,
        "source": "manual",
        "attributes": [],
        "shapes": list(shapes),
        "elements": [],
    }
    item.update(extra)
    return item


def visible(shapes: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {s["frame"]: s for s in shapes if not s["outside"]}


def test_rectangle_moves_linearly_and_turns_along_the_short_arc() -> None:
    shapes = track_shapes(
        track(
            kf(0, [0.0, 0.0, 10.0, 10.0], rotation=350.0),
            kf(4, [4.0, 8.0, 14.0, 18.0], rotation=10.0),
        ),
        6,
    )
    by_frame = visible(shapes)
    assert sorted(by_frame) == [0, 1, 2, 3, 4, 5]
    assert by_frame[2]["points"] == [2.0, 4.0, 12.0, 14.0]
    assert by_frame[2]["rotation"] == 0.0  # 350 -> 10 through 0, not through 180
    assert by_frame[1]["rotation"] == 355.0
    assert by_frame[1]["keyframe"] is False and by_frame[4]["keyframe"] is True
    assert by_frame[5]["points"] == [4.0, 8.0, 14.0, 18.0]  # repeated after the last keyframe
    assert all(s["label_id"] == 1 and s["track_id"] == 7 for s in shapes)


def test_half_turn_uses_cvats_answer_for_minus_180_degrees() -> None:
    # find_angle_diff(180, 0) gives 1 degree in CVAT: the shape turns by 0.5 at mid-way
    shapes = track_shapes(track(kf(0, [0.0] * 4), kf(2, [0.0] * 4, rotation=180.0)), 3)
    assert visible(shapes)[1]["rotation"] == 0.5


@pytest.mark.parametrize("kind", ["ellipse", "cuboid"])
def test_ellipses_and_cuboids_are_linear(kind: str) -> None:
    size = 16 if kind == "cuboid" else 4
    left, right = [0.0] * size, [float(i) for i in range(size)]
    by_frame = visible(track_shapes(track(kf(0, left, kind), kf(2, right, kind)), 3))
    assert by_frame[1]["points"] == [i / 2 for i in range(size)]


def test_points_move_only_when_single() -> None:
    single = visible(
        track_shapes(track(kf(0, [0.0, 0.0], "points"), kf(2, [4.0, 2.0], "points")), 3)
    )
    assert single[1]["points"] == [2.0, 1.0]
    several = visible(
        track_shapes(
            track(kf(0, [0.0, 0.0, 1.0, 1.0], "points"), kf(2, [4.0, 2.0, 5.0, 3.0], "points")), 3
        )
    )
    assert several[1]["points"] == [0.0, 0.0, 1.0, 1.0]  # the left keyframe, repeated


def test_polygon_translation_keeps_its_points() -> None:
    square = [0.0, 0.0, 10.0, 0.0, 10.0, 10.0, 0.0, 10.0]
    moved = [v + 4.0 for v in square]
    by_frame = visible(track_shapes(track(kf(0, square, "polygon"), kf(2, moved, "polygon")), 3))
    assert by_frame[1]["points"] == [v + 2.0 for v in square]


def test_polyline_is_resampled_along_the_curve() -> None:
    # left offsets [0, 1], right offsets [0, 0.5, 1]: the middle right point joins the first
    # left one; at mid-way the segment (0,0)-(2.5,0) is longer than base/(2N) = 1.25: kept
    by_frame = visible(
        track_shapes(
            track(
                kf(0, [0.0, 0.0, 10.0, 0.0], "polyline"),
                kf(2, [0.0, 0.0, 5.0, 0.0, 10.0, 0.0], "polyline"),
            ),
            3,
        )
    )
    assert by_frame[1]["points"] == [0.0, 0.0, 2.5, 0.0, 10.0, 0.0]


def test_polyline_right_points_sharing_a_left_point_are_kept_apart() -> None:
    # right offsets [0, 0.02, 1]: right points 0 and 1 both match left point 0; at mid-way they
    # are 0.1 apart; the right segment's base length is 0.2 and N = 2, so the threshold is
    # 0.2 / 4 = 0.05 <= 0.1: both are kept
    left = [0.0, 0.0, 10.0, 0.0]
    right = [0.0, 0.0, 0.2, 0.0, 10.0, 0.0]
    by_frame = visible(track_shapes(track(kf(0, left, "polyline"), kf(2, right, "polyline")), 3))
    assert by_frame[1]["points"] == [0.0, 0.0, 0.1, 0.0, 10.0, 0.0]


def test_left_points_sharing_a_right_point_are_thinned() -> None:
    # left offsets [0, 0.05, 1]: left points 0 and 1 both match right point 0. The left
    # segment's base length is 0.5 and N = 2: threshold 0.125. At offset 0.5 their
    # interpolations are 0.25 apart (kept); at offset 0.8 only 0.1 apart: averaged into one.
    left = [0.0, 0.0, 0.5, 0.0, 10.0, 0.0]
    right = [0.0, 0.0, 10.0, 0.0]
    by_frame = visible(track_shapes(track(kf(0, left, "polyline"), kf(2, right, "polyline")), 3))
    assert by_frame[1]["points"] == [0.0, 0.0, 0.25, 0.0, 10.0, 0.0]
    by_frame = visible(track_shapes(track(kf(0, left, "polyline"), kf(5, right, "polyline")), 6))
    moved = 0.5 + (0.0 - 0.5) * 0.8  # the second left point at offset 0.8
    assert by_frame[4]["points"] == [(0 + moved) / 2, 0.0, 10.0, 0.0]


def test_attributes_are_carried_and_the_tracks_added() -> None:
    shapes = track_shapes(
        track(
            kf(
                0,
                [0.0] * 4,
                attributes=[{"spec_id": 1, "value": "a"}, {"spec_id": 2, "value": "x"}],
            ),
            kf(2, [2.0] * 4, attributes=[{"spec_id": 1, "value": "b"}]),
            attributes=[{"spec_id": 9, "value": "t"}],
        ),
        4,
    )
    by_frame = visible(shapes)
    assert by_frame[1]["attributes"] == [
        {"spec_id": 1, "value": "a"},
        {"spec_id": 2, "value": "x"},
        {"spec_id": 9, "value": "t"},
    ]
    assert by_frame[2]["attributes"] == [
        {"spec_id": 1, "value": "b"},
        {"spec_id": 2, "value": "x"},
        {"spec_id": 9, "value": "t"},
    ]
    assert by_frame[3]["attributes"] == by_frame[2]["attributes"]


def test_outside_keyframe_ends_the_visible_run_until_the_next_keyframe() -> None:
    shapes = track_shapes(
        track(kf(0, [0.0] * 4), kf(2, [2.0] * 4, outside=True), kf(5, [5.0] * 4)), 8
    )
    assert sorted(visible(shapes)) == [0, 1, 5, 6, 7]
    assert [s["frame"] for s in shapes if s["outside"]] == [
        2
    ]  # the keyframe itself, kept as CVAT does


def test_keyframes_on_deleted_frames_are_skipped() -> None:
    shapes = track_shapes(
        track(kf(0, [0.0] * 4), kf(2, [100.0] * 4), kf(4, [4.0] * 4)), 5, deleted_frames={2}
    )
    by_frame = visible(shapes)
    assert sorted(by_frame) == [0, 1, 3, 4]
    assert by_frame[1]["points"] == [1.0] * 4  # interpolated from 0 to 4, frame 2 ignored
    assert by_frame[3]["points"] == [3.0] * 4


def test_track_is_cut_at_the_end_frame() -> None:
    shapes = track_shapes(track(kf(0, [0.0] * 4), kf(4, [4.0] * 4)), 3)
    assert sorted(visible(shapes)) == [0, 1, 2]
    assert visible(shapes)[2]["points"] == [2.0] * 4


def test_skeleton_elements_are_tracks_of_their_own() -> None:
    elements = [
        track(kf(0, [0.0, 0.0], "points"), kf(2, [2.0, 4.0], "points"), id=8, label_id=2),
        track(
            kf(0, [5.0, 5.0], "points"), kf(1, [5.0, 5.0], "points", outside=True), id=9, label_id=3
        ),
    ]
    shapes = track_shapes(track(kf(0, [], "skeleton"), kf(2, [], "skeleton"), elements=elements), 4)
    by_frame = visible(shapes)
    assert sorted(by_frame) == [0, 1, 2, 3]
    assert [e["label_id"] for e in by_frame[1]["elements"]] == [2, 3]
    assert by_frame[1]["elements"][0]["points"] == [1.0, 2.0]
    assert by_frame[1]["elements"][1]["outside"] is True
    assert by_frame[3]["elements"][0]["points"] == [2.0, 4.0]


def test_skeleton_whose_elements_are_all_outside_is_dropped() -> None:
    elements = [track(kf(0, [0.0, 0.0], "points"), kf(1, [0.0, 0.0], "points", outside=True), id=8)]
    shapes = track_shapes(track(kf(0, [], "skeleton"), elements=elements), 3)
    assert sorted(visible(shapes)) == [0]


def test_mask_tracks_and_type_changes_are_refused() -> None:
    with pytest.raises(TrackInterpolationError, match="mask"):
        track_shapes(track(kf(0, [1.0, 0, 0, 0, 0], "mask"), kf(2, [1.0, 0, 0, 0, 0], "mask")), 3)
    with pytest.raises(TrackInterpolationError, match="type"):
        track_shapes(track(kf(0, [0.0] * 4), kf(2, [0.0] * 4, "ellipse")), 3)


def test_task_dataset_include_tracks(rich_task: RichTask, our_client: Any) -> None:
    plain = TaskDataset(our_client, rich_task.id)
    with_tracks = TaskDataset(our_client, rich_task.id, include_tracks=True)
    color, speed = rich_task.attrs["color"], rich_task.attrs["speed"]
    added: dict[int, list[Any]] = {}
    for a, b in zip(plain.samples, with_tracks.samples, strict=True):
        assert b.annotations.shapes[: len(a.annotations.shapes)] == a.annotations.shapes
        added[a.frame_index] = b.annotations.shapes[len(a.annotations.shapes) :]
    # keyframes 0 and 2, outside from 3; the keyframe on the deleted frame 5 is skipped
    assert {frame: len(shapes) for frame, shapes in added.items()} == {
        0: 1,
        1: 1,
        2: 1,
        3: 0,
        4: 0,
        6: 0,
    }
    assert DELETED_FRAME not in added
    middle = added[1][0]
    assert middle.points == [5.0, 10.0, 20.0, 25.0]
    assert middle.type == "rectangle" and middle.label_id == rich_task.labels["car"]
    assert [(a.spec_id, a.value) for a in middle.attributes] == [(speed, "5"), (color, "red")]
    assert [(a.spec_id, a.value) for a in added[2][0].attributes] == [(speed, "5"), (color, "red")]
    assert middle.additional_properties["keyframe"] is False
    assert added[2][0].additional_properties["keyframe"] is True
