"""``TaskVisionDataset``: a task as a torchvision dataset of ``(image, target)`` samples."""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import torchvision.datasets

from cvat_client.datasets._cache import DatasetCache
from cvat_client.datasets.common import UpdatePolicy
from cvat_client.datasets.task_dataset import TaskDataset
from cvat_client.pytorch.common import Target

if TYPE_CHECKING:
    from cvat_client.api_client import models
    from cvat_client.core.client import Client

__all__ = ["TaskVisionDataset"]


def label_indices(labels: Any, label_name_to_index: Mapping[str, int] | None) -> Mapping[int, int]:
    """Label ids to indices: by ``label_name_to_index``, else by the order of the ids."""
    if label_name_to_index is None:
        ordered = sorted(labels, key=lambda label: label.id)
        return types.MappingProxyType({label.id: index for index, label in enumerate(ordered)})
    return types.MappingProxyType({label.id: label_name_to_index[label.name] for label in labels})


class TaskVisionDataset(torchvision.datasets.VisionDataset):  # type: ignore[misc]
    """A task as a PyTorch dataset: one sample per frame, in frame order (deleted frames are
    left out). Before the transforms, a sample is ``(image, target)``: a Pillow image and a
    :class:`Target`.

    Every chunk and the annotations are cached on disk when the dataset is created, so the
    dataset can be copied into ``DataLoader`` worker processes: they read the cache and open no
    connection.

    Limitations: only tasks whose original chunks are image sets are supported.
    """

    def __init__(
        self,
        client: Client,
        task_id: int,
        *,
        transforms: Callable[..., Any] | None = None,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        label_name_to_index: Mapping[str, int] | None = None,
        update_policy: UpdatePolicy = UpdatePolicy.IF_MISSING_OR_STALE,
        include_tracks: bool = False,
    ) -> None:
        """Open the task ``task_id``.

        Args:
            client: the connected client.
            task_id: the task.
            transforms, transform, target_transform: as for torchvision's ``VisionDataset``.
            label_name_to_index: label names to the indices in each ``Target``'s
                ``label_id_to_index``; it must name every label of the task. If ``None``,
                labels are numbered ``0..n-1`` in the order of their ids.
            update_policy: when the local cache is updated from the server.
            include_tracks: also give tracks as per-frame shapes (see :class:`TaskDataset`).
        """
        self._underlying = TaskDataset(
            client, task_id, update_policy=update_policy, include_tracks=include_tracks
        )
        root = DatasetCache(client.config.cache_dir, client.host).task_dir(task_id)
        super().__init__(
            os.fspath(root),
            transforms=transforms,
            transform=transform,
            target_transform=target_transform,
        )
        self._label_id_to_index = label_indices(self._underlying.labels, label_name_to_index)

    @property
    def labels(self) -> tuple[models.Label, ...]:
        """The task's labels."""
        return tuple(self._underlying.labels)

    def __getitem__(self, sample_index: int) -> Any:
        """The sample at ``sample_index`` (``0 <= sample_index < len(self)``), transformed."""
        sample = self._underlying.samples[sample_index]
        image = sample.media.load_image()
        assert sample.annotations is not None
        target = Target(sample.annotations, self._label_id_to_index, image.size)
        if self.transforms:
            return self.transforms(image, target)
        return image, target

    def __len__(self) -> int:
        """The number of samples."""
        return len(self._underlying.samples)
