"""The data classes of the datasets layer: samples, their annotations and media, the policies."""

from __future__ import annotations

import abc
from enum import Enum, auto
from typing import TYPE_CHECKING

import attrs

from cvat_client._lowlevel.exceptions import ApiValueError
from cvat_client.core.exceptions import CvatSdkException

if TYPE_CHECKING:
    from PIL.Image import Image

    from cvat_client.api_client import models

__all__ = [
    "DatasetCacheMissError",
    "DatasetUsageError",
    "FrameAnnotations",
    "MediaDownloadPolicy",
    "MediaElement",
    "Sample",
    "UnsupportedDatasetError",
    "UpdatePolicy",
]


class UnsupportedDatasetError(CvatSdkException):
    """The task or project cannot be read as a dataset (no data, video chunks...)."""


class DatasetUsageError(ApiValueError, AssertionError):
    """A combination of options the dataset cannot honour (``iter_samples(temporary_chunks=True)``
    with ``MediaDownloadPolicy.PRELOAD_ALL``, ``FETCH_FRAMES_ON_DEMAND`` with
    ``UpdatePolicy.NEVER``).

    An `ApiValueError` (a `ValueError`) with a message, and the `AssertionError` cvat-sdk's
    ``assert`` raises in these cases.
    """


class DatasetCacheMissError(CvatSdkException, FileNotFoundError):
    """Something the dataset needs is not in the local cache and the update policy forbids
    fetching it (``UpdatePolicy.NEVER``); open the dataset once with network access first.

    Also a :class:`FileNotFoundError`, as cvat-sdk raises in this case.
    """


class UpdatePolicy(Enum):
    """When the local cache is updated from the server."""

    IF_MISSING_OR_STALE = auto()
    """Fetch what is missing from the cache, and refresh what the server changed since
    (its ``updated_date`` moved)."""

    NEVER = auto()
    """Never update the cache and never use the network: data that is not cached raises
    :class:`DatasetCacheMissError`."""


class MediaDownloadPolicy(Enum):
    """When media data is downloaded."""

    PRELOAD_ALL = auto()
    """Download and cache every chunk of the task when the dataset is created.

    Needs a task whose original chunks are image sets."""

    FETCH_CHUNKS_ON_DEMAND = auto()
    """Download (and cache) a chunk when one of its frames is first needed;
    :meth:`TaskDataset.iter_samples` fetches the next chunks ahead.

    Needs a task whose original chunks are image sets."""

    FETCH_FRAMES_ON_DEMAND = auto()
    """Download the frame each time its media is loaded (no media caching). Needs the
    network, so it cannot be combined with :attr:`UpdatePolicy.NEVER`."""


@attrs.frozen
class FrameAnnotations:
    """The annotations of one frame."""

    tags: list[models.LabeledImage] = attrs.Factory(list)
    """The frame's tags."""

    shapes: list[models.LabeledShape] = attrs.Factory(list)
    """The frame's shapes (and, with ``include_tracks=True``, its track shapes)."""


class MediaElement(metaclass=abc.ABCMeta):
    """The media part of a sample."""

    @abc.abstractmethod
    def load_image(self) -> Image:
        """Load the frame and return it as a Pillow image."""


@attrs.frozen
class Sample:
    """One frame of a dataset."""

    frame_index: int
    """The index of the frame in its task."""

    frame_name: str
    """The file name of the frame in its task."""

    annotations: FrameAnnotations | None
    """The frame's annotations; ``None`` if the dataset was created with
    ``load_annotations=False``."""

    media: MediaElement
    """The frame's media."""


@attrs.frozen
class ProjectSample(Sample):
    """A sample of a :class:`~cvat_client.datasets.ProjectDataset`: a :class:`Sample` that
    also names its task and the task's subset."""

    task_id: int
    """The id of the task the frame belongs to."""

    subset: str
    """The subset of that task (``""`` when it has none)."""
