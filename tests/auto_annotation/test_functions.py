"""The torchvision functions, with randomly initialised weights (nothing is downloaded):
the same results as cvat-sdk's functions, uploaded to a task."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

import cvat_client.auto_annotation as our_aa  # noqa: E402
from tests.auto_annotation.conftest import snapshot  # noqa: E402

sdk_aa = pytest.importorskip("cvat_sdk.auto_annotation")

SMALL = {"min_size": 64, "max_size": 96, "box_score_thresh": 0.0, "box_detections_per_img": 3}

_STATES: dict[str, dict[str, Any]] = {}


def _random_state(weights: Any) -> dict[str, Any]:
    """The state of a randomly initialised model of the architecture ``weights`` are for."""
    key = f"{type(weights).__name__}.{weights.name}"
    if key not in _STATES:
        name = next(
            n
            for n in torchvision.models.list_models()
            if torchvision.models.get_model_weights(n) is type(weights)
        )
        kwargs: dict[str, Any] = {"num_classes": len(weights.meta["categories"])}
        if "keypoint_names" in weights.meta:
            kwargs["num_keypoints"] = len(weights.meta["keypoint_names"])
        try:
            builder_kwargs = {**kwargs, "weights_backbone": None}
            torch.manual_seed(0)
            model = torchvision.models.get_model(name, weights=None, **builder_kwargs)
        except TypeError:
            torch.manual_seed(0)
            model = torchvision.models.get_model(name, weights=None, **kwargs)
        _STATES[key] = model.state_dict()
    return _STATES[key]


@pytest.fixture(autouse=True)
def offline_weights(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Weights load as a random model's state; their metadata (labels) is the real one."""

    def get_state_dict(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return _random_state(self)

    monkeypatch.setattr(torchvision.models._api.WeightsEnum, "get_state_dict", get_state_dict)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the machine is shared: one thread is fast enough for tiny images
    yield
    torch.set_num_threads(threads)


CASES = [
    ("torchvision_detection", "fasterrcnn_mobilenet_v3_large_320_fpn", {**SMALL}),
    ("torchvision_classification", "mobilenet_v3_small", {}),
    ("torchvision_keypoint_detection", "keypointrcnn_resnet50_fpn", {**SMALL}),
]


@pytest.mark.parametrize(("module", "model", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_same_results_as_cvat_sdk(
    ours: Any, theirs: Any, module: str, model: str, kwargs: dict[str, Any], frame_files: Any
) -> None:
    import importlib

    our_function = importlib.import_module(
        f"cvat_client.auto_annotation.functions.{module}"
    ).create(model, **kwargs)
    sdk_function = importlib.import_module(f"cvat_sdk.auto_annotation.functions.{module}").create(
        model, **kwargs
    )
    labels = [
        {
            "name": label.name,
            "type": str(label.type) if label.type else "any",
            **(
                {
                    "sublabels": [{"name": sl.name, "type": "points"} for sl in label.sublabels],
                    "svg": "",
                }
                if label.sublabels
                else {}
            ),
        }
        for label in our_function.spec.labels
    ]
    task_ids = []
    for name in ("sdk", "ours"):
        task = ours.tasks.create_from_data(
            {"name": name, "labels": labels}, resources=[str(p) for p in frame_files[:2]]
        )
        task_ids.append(task.id)
    sdk_aa.annotate_task(theirs, task_ids[0], sdk_function, conf_threshold=0.0)
    our_aa.annotate_task(ours, task_ids[1], our_function, conf_threshold=0.0)
    expected = snapshot(ours, task_ids[0])
    assert expected
    assert snapshot(ours, task_ids[1]) == expected


def test_instance_segmentation_masks_and_polygons(ours: Any, frame_files: Any) -> None:
    from cvat_client.auto_annotation.functions import torchvision_instance_segmentation

    function = torchvision_instance_segmentation.create("maskrcnn_resnet50_fpn", **SMALL)
    names = {label.name for label in function.spec.labels}
    assert "person" in names and "N/A" not in names
    assert {str(label.type) for label in function.spec.labels} == {"mask"}
    labels = [{"name": label.name} for label in function.spec.labels]
    task = ours.tasks.create_from_data(
        {"name": "seg", "labels": labels}, resources=[str(p) for p in frame_files[:2]]
    )
    our_aa.annotate_task(ours, task.id, function)
    shapes = snapshot(ours, task.id)
    assert shapes and {s[3] for s in shapes} == {"mask"}
    our_aa.annotate_task(ours, task.id, function, conv_mask_to_poly=True, clear_existing=True)
    polygons = snapshot(ours, task.id)
    assert {s[3] for s in polygons} <= {"polygon"}
    assert all(len(s[4]) >= 6 for s in polygons)
