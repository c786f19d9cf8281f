"""The target of a vision dataset sample."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from cvat_client.datasets.common import FrameAnnotations

__all__ = ["Target"]


@attrs.frozen
class Target:
    """The non-image part of a sample."""

    annotations: FrameAnnotations
    """The annotations of the sample's frame."""

    label_id_to_index: Mapping[int, int]
    """Label ids (``label_id`` of tags and shapes) to label indices; the same for every sample
    of a dataset."""

    image_size: tuple[int, int]
    """The size of the sample's image, ``(width, height)``."""
