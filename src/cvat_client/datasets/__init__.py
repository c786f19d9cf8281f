"""Tasks and projects as datasets: frames with their annotations, cached on disk.

cvat-sdk's ``cvat_sdk.datasets`` under the same names, plus :class:`ProjectDataset` and
``include_tracks``. Loading images needs Pillow (the ``datasets`` extra, also in ``pytorch``).
"""

from cvat_client.datasets._media import ChunkDownloadError
from cvat_client.datasets._tracks import TrackInterpolationError
from cvat_client.datasets.cache import CacheEntry, cache_entries, clean_cache
from cvat_client.datasets.common import (
    DatasetCacheMissError,
    DatasetUsageError,
    FrameAnnotations,
    MediaDownloadPolicy,
    MediaElement,
    ProjectSample,
    Sample,
    UnsupportedDatasetError,
    UpdatePolicy,
)
from cvat_client.datasets.project_dataset import ProjectDataset
from cvat_client.datasets.task_dataset import TaskDataset

__all__ = [
    "CacheEntry",
    "ChunkDownloadError",
    "DatasetCacheMissError",
    "DatasetUsageError",
    "FrameAnnotations",
    "MediaDownloadPolicy",
    "MediaElement",
    "ProjectDataset",
    "ProjectSample",
    "Sample",
    "TaskDataset",
    "TrackInterpolationError",
    "UnsupportedDatasetError",
    "UpdatePolicy",
    "cache_entries",
    "clean_cache",
]
