"""Target transforms: a :class:`Target` into the dictionaries torchvision's models take."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

import attrs
import attrs.validators
import torch

from cvat_client.datasets.common import UnsupportedDatasetError
from cvat_client.pytorch._shapes import _kind, draw_mask, shape_bbox
from cvat_client.pytorch.common import Target

__all__ = [
    "ExtractBoundingBoxes",
    "ExtractInstanceMasks",
    "ExtractSingleLabelIndex",
    "LabeledBoxes",
    "LabeledMasks",
]


class LabeledBoxes(TypedDict):
    """Boxes ``[N, 4]`` (float) and their label indices ``[N]`` (long)."""

    boxes: torch.Tensor
    labels: torch.Tensor


class LabeledMasks(TypedDict):
    """Boxes ``[N, 4]``, label indices ``[N]`` and binary masks ``[N, H, W]`` (uint8)."""

    boxes: torch.Tensor
    labels: torch.Tensor
    masks: torch.Tensor


@attrs.frozen
class ExtractSingleLabelIndex:
    """A target transform giving the label index of the frame's only tag, as a 0-dimensional
    long tensor (for torchvision's classification models).

    Raises ``ValueError`` when the frame has no tag or more than one.
    """

    def __call__(self, target: Target) -> torch.Tensor:
        """Transform ``target``."""
        tags = target.annotations.tags
        if not tags:
            raise ValueError("sample has no tags")
        if len(tags) > 1:
            raise ValueError("sample has multiple tags")
        return torch.tensor(target.label_id_to_index[tags[0].label_id], dtype=torch.long)


def _boxes(boxes: Sequence[Sequence[float]]) -> torch.Tensor:
    if boxes:
        return torch.tensor(boxes, dtype=torch.float)
    return torch.empty((0, 4), dtype=torch.float)


def _shapes_of(target: Target, kinds: frozenset[str]) -> list[Any]:
    shapes = []
    for shape in target.annotations.shapes:
        if _kind(shape) not in kinds:
            continue
        if shape.rotation != 0:
            raise UnsupportedDatasetError("Rotated shapes are not supported")
        shapes.append(shape)
    return shapes


@attrs.frozen
class ExtractBoundingBoxes:
    """A target transform giving :class:`LabeledBoxes` (for torchvision's detection models):
    ``boxes`` ``[N, 4]`` as ``(xmin, ymin, xmax, ymax)`` and ``labels`` ``[N]``.

    Supports rectangles, polygons, polylines, points and ellipses; rotated shapes raise
    :class:`UnsupportedDatasetError`.
    """

    SUPPORTED_SHAPE_TYPES = frozenset(["rectangle", "polygon", "polyline", "points", "ellipse"])

    include_shape_types: frozenset[str] = attrs.field(
        converter=frozenset,
        validator=attrs.validators.deep_iterable(attrs.validators.in_(SUPPORTED_SHAPE_TYPES)),
        kw_only=True,
    )
    """Shapes of other types are ignored."""

    def __call__(self, target: Target) -> LabeledBoxes:
        """Transform ``target``."""
        shapes = _shapes_of(target, self.include_shape_types)
        return LabeledBoxes(
            boxes=_boxes([shape_bbox(s) for s in shapes]),
            labels=torch.tensor(
                [target.label_id_to_index[s.label_id] for s in shapes], dtype=torch.long
            ),
        )


@attrs.frozen
class ExtractInstanceMasks:
    """A target transform giving :class:`LabeledMasks` (for torchvision's instance
    segmentation models): ``boxes`` ``[N, 4]``, ``labels`` ``[N]`` and ``masks`` ``[N, H, W]``.

    Supports polygons and masks; rotated shapes raise :class:`UnsupportedDatasetError`.
    """

    SUPPORTED_SHAPE_TYPES = frozenset(["polygon", "mask"])

    include_shape_types: frozenset[str] = attrs.field(
        converter=frozenset,
        validator=attrs.validators.deep_iterable(attrs.validators.in_(SUPPORTED_SHAPE_TYPES)),
        kw_only=True,
    )
    """Shapes of other types are ignored."""

    def __call__(self, target: Target) -> LabeledMasks:
        """Transform ``target``."""
        shapes = _shapes_of(target, self.include_shape_types)
        width, height = target.image_size
        masks = [
            torch.as_tensor(draw_mask(s, target.image_size), dtype=torch.uint8) for s in shapes
        ]
        return LabeledMasks(
            boxes=_boxes([shape_bbox(s) for s in shapes]),
            labels=torch.tensor(
                [target.label_id_to_index[s.label_id] for s in shapes], dtype=torch.long
            ),
            masks=torch.stack(masks)
            if masks
            else torch.empty((0, height, width), dtype=torch.uint8),
        )
