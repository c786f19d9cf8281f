"""CVAT tasks and projects as PyTorch datasets (cvat-sdk's ``cvat_sdk.pytorch``).

Needs the ``pytorch`` extra: ``pip install "cvat-client[pytorch]"`` (torch, torchvision, numpy,
Pillow).
"""

from cvat_client._extras import require

require("cvat_client.pytorch", "pytorch", "torch", "torchvision", "numpy", "PIL")

# isort: split
from cvat_client.datasets.common import (  # noqa: E402  (compatibility imports, as cvat-sdk)
    FrameAnnotations,
    UnsupportedDatasetError,
    UpdatePolicy,
)
from cvat_client.pytorch.common import Target  # noqa: E402
from cvat_client.pytorch.project_dataset import ProjectVisionDataset  # noqa: E402
from cvat_client.pytorch.task_dataset import TaskVisionDataset  # noqa: E402
from cvat_client.pytorch.transforms import (  # noqa: E402
    ExtractBoundingBoxes,
    ExtractInstanceMasks,
    ExtractSingleLabelIndex,
    LabeledBoxes,
    LabeledMasks,
)

__all__ = [
    "ExtractBoundingBoxes",
    "ExtractInstanceMasks",
    "ExtractSingleLabelIndex",
    "FrameAnnotations",
    "LabeledBoxes",
    "LabeledMasks",
    "ProjectVisionDataset",
    "Target",
    "TaskVisionDataset",
    "UnsupportedDatasetError",
    "UpdatePolicy",
]
