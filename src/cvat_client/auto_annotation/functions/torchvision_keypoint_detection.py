"""Skeletons from a torchvision keypoint detection model: ``create(model_name, ...)``."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from cvat_client.api_client import models
from cvat_client.auto_annotation import interface as cvataa
from cvat_client.auto_annotation.functions._torchvision import TorchvisionFunction

__all__ = ["create"]


class _KeypointDetection(TorchvisionFunction):
    @cached_property
    def spec(self) -> cvataa.DetectionFunctionSpec:
        """A skeleton label per category, with the weights' keypoints as its points."""
        meta = self._weights.meta
        return cvataa.DetectionFunctionSpec(
            labels=[
                cvataa.skeleton_label_spec(
                    category,
                    index,
                    [
                        cvataa.keypoint_spec(name, j)
                        for j, name in enumerate(meta["keypoint_names"])
                    ],
                )
                for index, category in enumerate(meta["categories"])
            ]
        )

    def detect(
        self, context: cvataa.DetectionFunctionContext, image: Any
    ) -> list[models.LabeledShapeRequest]:
        """A skeleton per detection at or above the threshold; invisible points are occluded."""
        threshold = context.conf_threshold or 0
        return [
            cvataa.skeleton(
                int(label),
                elements=[
                    cvataa.keypoint(
                        j, [float(point[0]), float(point[1])], occluded=not bool(point[2])
                    )
                    for j, point in enumerate(points)
                ],
            )
            for result in self._run(image)
            for points, label, score in zip(
                result["keypoints"], result["labels"], result["scores"], strict=True
            )
            if score >= threshold
        ]


create = _KeypointDetection
"""Build the function: ``create("keypointrcnn_resnet50_fpn")``."""
