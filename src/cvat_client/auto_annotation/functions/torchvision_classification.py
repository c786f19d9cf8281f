"""A tag per image from a torchvision classification model: ``create(model_name, ...)``."""

from __future__ import annotations

from typing import Any

from cvat_client.api_client import models
from cvat_client.auto_annotation import interface as cvataa
from cvat_client.auto_annotation.functions._torchvision import TorchvisionFunction

__all__ = ["create"]


class _Classification(TorchvisionFunction):
    _label_type = "tag"

    def detect(
        self, context: cvataa.DetectionFunctionContext, image: Any
    ) -> list[models.LabeledImageRequest]:
        """The most likely category as a tag, if its probability reaches the threshold."""
        import torch

        threshold = context.conf_threshold or 0
        with torch.inference_mode():
            logits = self._model(self._transforms(image).unsqueeze(0))
        scores = logits[0].softmax(0)
        best = int(scores.argmax())
        return [cvataa.tag(best)] if scores[best] >= threshold else []


create = _Classification
"""Build the function: ``create("resnet50", "IMAGENET1K_V2")``."""
