"""Every rule a function can break raises BadFunctionError in cvat-sdk and in ours; ours
leaves the task as it was (the bad result comes on the last frame, after good ones)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import cvat_client.auto_annotation as our_aa
from cvat_client.api_client import models as our_models
from tests.auto_annotation.conftest import snapshot
from tests.auto_annotation.functions import Everything, Polygons

sdk_aa = pytest.importorskip("cvat_sdk.auto_annotation")
sdk_models = pytest.importorskip("cvat_sdk.models")

Bad = Callable[[ModuleType, ModuleType], list[Any]]

# Results with the labels of functions.Everything: car=10 (rectangle; attrs 1-5),
# person=11 (polygon), blob=12 (mask), scene=13 (tag), anything=14, body=15 (skeleton).
BAD_RESULTS: dict[str, Bad] = {
    "unknown label": lambda aa, m: [aa.rectangle(99, [0, 0, 1, 1])],
    "wrong shape type": lambda aa, m: [aa.polygon(10, [0, 0, 1, 1, 2, 0])],
    "tag for a shape label": lambda aa, m: [aa.tag(10)],
    "shape for a tag label": lambda aa, m: [aa.rectangle(13, [0, 0, 1, 1])],
    "skeleton missing a point": lambda aa, m: [aa.skeleton(15, [aa.keypoint(0, [1, 1])])],
    "skeleton with a point twice": lambda aa, m: [
        aa.skeleton(15, [aa.keypoint(0, [1, 1]), aa.keypoint(0, [2, 2])])
    ],
    "skeleton with an unknown point": lambda aa, m: [
        aa.skeleton(15, [aa.keypoint(0, [1, 1]), aa.keypoint(1, [2, 2]), aa.keypoint(5, [3, 3])])
    ],
    "skeleton element not a point": lambda aa, m: [
        aa.skeleton(
            15,
            [
                aa.keypoint(0, [1, 1]),
                m.SubLabeledShapeRequest(
                    label_id=1, frame=0, type="rectangle", points=[0, 0, 1, 1]
                ),
            ],
        )
    ],
    "elements on a non-skeleton": lambda aa, m: [
        aa.rectangle(10, [0, 0, 1, 1], elements=[aa.keypoint(0, [1, 1])])
    ],
    "number out of range": lambda aa, m: [
        aa.rectangle(10, [0, 0, 1, 1], attributes=[m.AttributeValRequest(spec_id=1, value="12")])
    ],
    "number off step": lambda aa, m: [
        aa.rectangle(10, [0, 0, 1, 1], attributes=[m.AttributeValRequest(spec_id=1, value="3")])
    ],
    "bad checkbox": lambda aa, m: [
        aa.rectangle(10, [0, 0, 1, 1], attributes=[m.AttributeValRequest(spec_id=2, value="yes")])
    ],
    "bad select": lambda aa, m: [
        aa.rectangle(10, [0, 0, 1, 1], attributes=[m.AttributeValRequest(spec_id=3, value="blue")])
    ],
    "unknown attribute": lambda aa, m: [
        aa.rectangle(10, [0, 0, 1, 1], attributes=[m.AttributeValRequest(spec_id=77, value="x")])
    ],
    "attribute twice": lambda aa, m: [
        aa.rectangle(
            10,
            [0, 0, 1, 1],
            attributes=[
                m.AttributeValRequest(spec_id=3, value="red"),
                m.AttributeValRequest(spec_id=3, value="green"),
            ],
        )
    ],
    "preset id": lambda aa, m: [aa.rectangle(10, [0, 0, 1, 1], id=5)],
    "preset source": lambda aa, m: [aa.rectangle(10, [0, 0, 1, 1], source="manual")],
    "frame not 0": lambda aa, m: [
        m.LabeledShapeRequest(type="rectangle", label_id=10, frame=2, points=[0, 0, 1, 1])
    ],
    "element with preset source": lambda aa, m: [
        aa.skeleton(15, [aa.keypoint(0, [1, 1], source="manual"), aa.keypoint(1, [2, 2])])
    ],
    "not an annotation": lambda aa, m: [m.AttributeValRequest(spec_id=1, value="2")],
}


class LateFailure(Everything):
    """Good results on every frame but the last, where ``bad`` is returned."""

    def __init__(self, aa: ModuleType, models: ModuleType, bad: Bad, last: int) -> None:
        super().__init__(aa, models)
        self.bad = bad
        self.calls = 0
        self.last = last

    def detect(self, context: Any, image: Any) -> list[Any]:
        self.calls += 1
        if self.calls == self.last:
            return self.bad(self.aa, self.models)
        return super().detect(context, image)


def _prefilled(ours: Any, make_task: Callable[..., int]) -> int:
    task_id = make_task("bad")
    labels = {label.name: label.id for label in ours.tasks.retrieve(task_id).get_labels()}
    ours.tasks.retrieve(task_id).set_annotations(
        {"tags": [{"frame": 1, "label_id": labels["scene"], "source": "manual"}]}
    )
    return task_id


# What cvat-sdk leaves to the server (which refuses it with 400, so cvat-sdk raises its
# ApiException): ours checks it first, as BadFunctionError (an ApiException too), so
# that an upload in batches is never refused half-way.
SERVER_CHECKS: dict[str, Bad] = {
    "rectangle with 3 points": lambda aa, m: [aa.rectangle(10, [0, 0, 1])],
    "polygon with 2 points": lambda aa, m: [aa.polygon(11, [0, 0, 1, 1])],
    "mask too short": lambda aa, m: [aa.mask(12, [1, 2])],
    "keypoint with 3 numbers": lambda aa, m: [
        aa.skeleton(15, [aa.keypoint(0, [1, 1, 1]), aa.keypoint(1, [2, 2])])
    ],
}


@pytest.mark.parametrize("case", sorted(SERVER_CHECKS))
def test_server_checks_made_first(
    ours: Any, theirs: Any, make_task: Callable[..., int], case: str
) -> None:
    from cvat_client.exceptions import ApiException

    task_id = _prefilled(ours, make_task)
    before = snapshot(ours, task_id)
    bad = SERVER_CHECKS[case]
    sdk_exceptions = pytest.importorskip("cvat_sdk.exceptions")
    with pytest.raises(sdk_exceptions.ApiException) as theirs_raised:
        sdk_aa.annotate_task(theirs, task_id, LateFailure(sdk_aa, sdk_models, bad, 6))
    assert theirs_raised.value.status == 400
    assert snapshot(ours, task_id) == before
    with pytest.raises(our_aa.BadFunctionError, match=r"^frame 5 \(f05\.jpg\): ") as raised:
        our_aa.annotate_task(ours, task_id, LateFailure(our_aa, our_models, bad, 6))
    assert isinstance(raised.value, ApiException)
    assert snapshot(ours, task_id) == before


@pytest.mark.parametrize("case", sorted(BAD_RESULTS))
def test_bad_result(ours: Any, theirs: Any, make_task: Callable[..., int], case: str) -> None:
    task_id = _prefilled(ours, make_task)
    before = snapshot(ours, task_id)
    bad = BAD_RESULTS[case]
    with pytest.raises(sdk_aa.BadFunctionError):
        sdk_aa.annotate_task(theirs, task_id, LateFailure(sdk_aa, sdk_models, bad, 6))
    assert snapshot(ours, task_id) == before
    for clear in (False, True):
        with pytest.raises(our_aa.BadFunctionError, match=r"^frame 5 \(f05\.jpg\): "):
            our_aa.annotate_task(
                ours, task_id, LateFailure(our_aa, our_models, bad, 6), clear_existing=clear
            )
        assert snapshot(ours, task_id) == before


def test_mask_despite_conv_mask_to_poly(
    ours: Any, theirs: Any, make_task: Callable[..., int]
) -> None:
    task_id = _prefilled(ours, make_task)
    before = snapshot(ours, task_id)

    class MasksAnyway(Polygons):
        def detect(self, context: Any, image: Any) -> list[Any]:
            return [self.aa.mask(0, [1, 3, 0, 0, 1, 1])]

    with pytest.raises(sdk_aa.BadFunctionError):
        sdk_aa.annotate_task(
            theirs, task_id, MasksAnyway(sdk_aa, sdk_models), conv_mask_to_poly=True
        )
    with pytest.raises(our_aa.BadFunctionError, match="mask"):
        our_aa.annotate_task(ours, task_id, MasksAnyway(our_aa, our_models), conv_mask_to_poly=True)
    assert snapshot(ours, task_id) == before


def test_elements_on_non_skeleton_reported_before_geometry(
    ours: Any, theirs: Any, make_task: Callable[..., int]
) -> None:
    """A non-skeleton with elements and no points: both report the elements (cvat-sdk's
    words), not the missing points."""
    task_id = _prefilled(ours, make_task)

    def bad(aa: ModuleType, m: ModuleType) -> list[Any]:
        return [aa.shape(10, type="rectangle", elements=[aa.keypoint(0, [1, 2])])]

    with pytest.raises(sdk_aa.BadFunctionError, match="non-skeleton shape with elements"):
        sdk_aa.annotate_task(theirs, task_id, LateFailure(sdk_aa, sdk_models, bad, 1))
    with pytest.raises(our_aa.BadFunctionError, match="non-skeleton shape with elements"):
        our_aa.annotate_task(ours, task_id, LateFailure(our_aa, our_models, bad, 1))


def _spec_cases(aa: ModuleType) -> dict[str, Callable[[], Any]]:
    spec = aa.DetectionFunctionSpec
    return {
        "duplicate label id": lambda: spec(labels=[aa.label_spec("a", 1), aa.label_spec("b", 1)]),
        "label without id": lambda: spec(labels=[aa.label_spec("a", 1), _no_id(aa)]),
        "duplicate attribute id": lambda: spec(
            labels=[
                aa.label_spec(
                    "car",
                    1,
                    attributes=[aa.text_attribute_spec("x", 1), aa.text_attribute_spec("y", 1)],
                )
            ]
        ),
        "bad number values": lambda: spec(
            labels=[
                aa.label_spec("car", 1, attributes=[aa.number_attribute_spec("n", 1, ["0", "5"])])
            ]
        ),
        "empty select": lambda: spec(
            labels=[aa.label_spec("car", 1, attributes=[aa.select_attribute_spec("s", 1, [])])]
        ),
        "sublabels on a non-skeleton": lambda: spec(
            labels=[aa.label_spec("a", 1, type="any", sublabels=[aa.keypoint_spec("p", 0)])]
        ),
        "duplicate sublabel id": lambda: spec(
            labels=[
                aa.skeleton_label_spec("s", 1, [aa.keypoint_spec("p", 0), aa.keypoint_spec("q", 0)])
            ]
        ),
    }


def _no_id(aa: ModuleType) -> Any:
    models = our_models if aa is our_aa else sdk_models
    return models.PatchedLabelRequest(name="b")


@pytest.mark.parametrize("case", sorted(_spec_cases(our_aa)))
def test_bad_spec(case: str) -> None:
    with pytest.raises(sdk_aa.BadFunctionError):
        _spec_cases(sdk_aa)[case]()
    with pytest.raises(our_aa.BadFunctionError):
        _spec_cases(our_aa)[case]()


MISMATCHES: dict[str, Callable[[ModuleType], list[Any]]] = {
    "label not in task": lambda aa: [aa.label_spec("truck", 0)],
    "sublabel not in task": lambda aa: [
        aa.skeleton_label_spec("body", 0, [aa.keypoint_spec("paw", 0)])
    ],
    "attribute not in task": lambda aa: [
        aa.label_spec("car", 0, attributes=[aa.text_attribute_spec("plate", 0)])
    ],
    "attribute type differs": lambda aa: [
        aa.label_spec("car", 0, attributes=[aa.text_attribute_spec("color", 0)])
    ],
    "attribute values differ": lambda aa: [
        aa.label_spec("car", 0, attributes=[aa.select_attribute_spec("color", 0, ["red", "blue"])])
    ],
    "number values differ": lambda aa: [
        aa.label_spec("car", 0, attributes=[aa.number_attribute_spec("count", 0, ["0", "10", "1"])])
    ],
    "label type differs": lambda aa: [aa.label_spec("car", 0, type="polygon")],
}


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_spec_does_not_fit_task(
    ours: Any, theirs: Any, make_task: Callable[..., int], case: str
) -> None:
    task_id = _prefilled(ours, make_task)
    before = snapshot(ours, task_id)

    class Function:
        def __init__(self, aa: ModuleType) -> None:
            self.spec = aa.DetectionFunctionSpec(labels=MISMATCHES[case](aa))

        def detect(self, context: Any, image: Any) -> list[Any]:
            raise AssertionError("never called")

    with pytest.raises(sdk_aa.BadFunctionError):
        sdk_aa.annotate_task(theirs, task_id, Function(sdk_aa))
    with pytest.raises(our_aa.BadFunctionError):
        our_aa.annotate_task(ours, task_id, Function(our_aa))
    assert snapshot(ours, task_id) == before


@pytest.mark.parametrize("threshold", [-0.1, 1.5])
def test_bad_threshold(ours: Any, theirs: Any, threshold: float) -> None:
    function = Everything(our_aa, our_models)
    with pytest.raises(ValueError, match="conf_threshold"):
        sdk_aa.annotate_task(theirs, 1, Everything(sdk_aa, sdk_models), conf_threshold=threshold)
    with pytest.raises(ValueError, match="conf_threshold") as caught:
        our_aa.annotate_task(ours, 1, function, conf_threshold=threshold)
    from cvat_client.exceptions import ApiException

    assert isinstance(caught.value, ApiException)


def test_our_errors_are_in_our_tree() -> None:
    from cvat_client.exceptions import ApiException, CvatSdkException

    assert issubclass(our_aa.BadFunctionError, CvatSdkException)
    assert issubclass(our_aa.BadFunctionError, ApiException)
    assert issubclass(our_aa.AutoAnnotationUploadError, ApiException)


def test_task_without_data(ours: Any, theirs: Any) -> None:
    from cvat_client.datasets import UnsupportedDatasetError

    task_id = ours.tasks.create({"name": "empty", "labels": [{"name": "car"}]}).id
    # CVAT leaves "size" out of a task without data: cvat-sdk fails reading its model
    # (ApiAttributeError, on a real CVAT too); ours says what is wrong.
    with pytest.raises(AttributeError):
        sdk_aa.annotate_task(theirs, task_id, Everything(sdk_aa, sdk_models))
    with pytest.raises(UnsupportedDatasetError, match="no data"):
        our_aa.annotate_task(ours, task_id, Everything(our_aa, our_models))
