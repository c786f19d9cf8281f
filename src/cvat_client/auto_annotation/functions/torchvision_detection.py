"""Boxes from a torchvision object detection model: ``create(model_name, weights_name, **kwargs)``."""

from __future__ import annotations

from typing import Any

from cvat_client.api_client import models
from cvat_client.auto_annotation import interface as cvataa
from cvat_client.auto_annotation.functions._torchvision import TorchvisionFunction

__all__ = ["create"]


class _Detection(TorchvisionFunction):
    _label_type = "rectangle"

    def detect(
        self, context: cvataa.DetectionFunctionContext, image: Any
    ) -> list[models.LabeledShapeRequest]:
        """A rectangle for each detection at or above the confidence threshold."""
        threshold = context.conf_threshold or 0
        return [
            cvataa.rectangle(int(label), [float(x) for x in box])
            for result in self._run(image)
            for box, label, score in zip(
                result["boxes"], result["labels"], result["scores"], strict=True
            )
            if score >= threshold
        ]


create = _Detection
"""Build the function: ``create("fasterrcnn_resnet50_fpn_v2", box_score_thresh=0.5)``."""
