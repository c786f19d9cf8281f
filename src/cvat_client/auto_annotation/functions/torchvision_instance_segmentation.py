"""Masks (or polygons) from a torchvision instance segmentation model: ``create(model_name, ...)``.

A pixel belongs to an object where the model's mask is at least 0.5. With
``conv_mask_to_poly`` each object becomes one polygon per outer contour of its mask
(holes left out), simplified to within 2.5 pixels.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cvat_client.api_client import models
from cvat_client.auto_annotation import interface as cvataa
from cvat_client.auto_annotation.functions._shapes import mask_polygons
from cvat_client.auto_annotation.functions._torchvision import TorchvisionFunction

__all__ = ["create"]

_LEVEL = 0.5


def _shapes(
    context: cvataa.DetectionFunctionContext, box: Any, mask: Any, label: Any
) -> Iterator[models.LabeledShapeRequest]:
    bitmap = (mask[0] >= _LEVEL).numpy()
    if context.conv_mask_to_poly:
        for points in mask_polygons(bitmap):
            yield cvataa.polygon(int(label), points)
    else:
        from cvat_client.masks import encode_mask

        yield cvataa.mask(int(label), encode_mask(bitmap, [float(v) for v in box]))


class _InstanceSegmentation(TorchvisionFunction):
    _label_type = "mask"

    def detect(
        self, context: cvataa.DetectionFunctionContext, image: Any
    ) -> list[models.LabeledShapeRequest]:
        """A mask (or polygons) for each object at or above the confidence threshold."""
        threshold = context.conf_threshold or 0
        return [
            shape
            for result in self._run(image)
            for box, mask, label, score in zip(
                result["boxes"], result["masks"], result["labels"], result["scores"], strict=True
            )
            if score >= threshold
            for shape in _shapes(context, box, mask, label)
        ]


create = _InstanceSegmentation
"""Build the function: ``create("maskrcnn_resnet50_fpn_v2")``."""
