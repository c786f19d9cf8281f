"""The same functions through cvat-sdk 2.73's annotate_task and ours give equal annotations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import cvat_client.auto_annotation as our_aa
from cvat_client.api_client import models as our_models
from tests.auto_annotation.conftest import snapshot
from tests.auto_annotation.functions import FUNCTIONS

sdk_aa = pytest.importorskip("cvat_sdk.auto_annotation")
sdk_models = pytest.importorskip("cvat_sdk.models")


def _run_both(
    ours: Any, theirs: Any, make_task: Callable[..., int], name: str, **kwargs: Any
) -> tuple[int, int]:
    deleted = kwargs.pop("deleted", None)
    sdk_task, our_task = make_task("sdk", deleted), make_task("ours", deleted)
    sdk_aa.annotate_task(theirs, sdk_task, FUNCTIONS[name](sdk_aa, sdk_models), **kwargs)
    our_aa.annotate_task(ours, our_task, FUNCTIONS[name](our_aa, our_models), **kwargs)
    return sdk_task, our_task


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("everything", {}),
        ("everything", {"deleted": [1, 4]}),
        ("classifier", {}),
        ("thresholded", {}),
        ("thresholded", {"conf_threshold": 0.3}),
        ("thresholded", {"conf_threshold": 0.9}),
        ("polygons", {}),
        ("polygons", {"conv_mask_to_poly": True}),
        ("unmatched", {"allow_unmatched_labels": True}),
    ],
)
def test_same_annotations(
    ours: Any, theirs: Any, make_task: Callable[..., int], name: str, kwargs: dict[str, Any]
) -> None:
    sdk_task, our_task = _run_both(ours, theirs, make_task, name, **kwargs)
    expected = snapshot(ours, sdk_task)
    assert expected, "the function produced nothing: the comparison would mean nothing"
    assert snapshot(ours, our_task) == expected


def test_clear_existing_and_adding(ours: Any, theirs: Any, make_task: Callable[..., int]) -> None:
    sdk_task, our_task = _run_both(ours, theirs, make_task, "classifier")
    # A second run adds to the first; a third with clear_existing replaces everything.
    sdk_aa.annotate_task(theirs, sdk_task, FUNCTIONS["thresholded"](sdk_aa, sdk_models))
    our_aa.annotate_task(ours, our_task, FUNCTIONS["thresholded"](our_aa, our_models))
    assert snapshot(ours, our_task) == snapshot(ours, sdk_task)
    assert len(snapshot(ours, our_task)) == 6 * (1 + 3)

    sdk_aa.annotate_task(
        theirs, sdk_task, FUNCTIONS["classifier"](sdk_aa, sdk_models), clear_existing=True
    )
    our_aa.annotate_task(
        ours, our_task, FUNCTIONS["classifier"](our_aa, our_models), clear_existing=True
    )
    assert snapshot(ours, our_task) == snapshot(ours, sdk_task)
    assert len(snapshot(ours, our_task)) == 6


def test_frame_names_and_progress(ours: Any, make_task: Callable[..., int]) -> None:
    from cvat_client.core.progress import BaseProgressReporter

    seen: list[str] = []

    class Recorder:
        spec = our_aa.DetectionFunctionSpec(labels=[])

        def detect(self, context: Any, image: Any) -> list[Any]:
            seen.append(context.frame_name)
            assert context.conf_threshold is None
            assert context.conv_mask_to_poly is False
            return []

    class Progress(BaseProgressReporter):
        def __init__(self) -> None:
            super().__init__()
            self.totals: list[int] = []

        def _begin(self, total: int, options: dict[str, Any]) -> None:
            self.totals.append(total)

    progress = Progress()
    task_id = make_task("names", [2])
    our_aa.annotate_task(ours, task_id, Recorder(), pbar=progress)
    assert seen == ["f00.jpg", "f01.jpg", "f03.jpg", "f04.jpg", "f05.jpg"]
    assert progress.totals == [5]
    assert progress.progress == 5
