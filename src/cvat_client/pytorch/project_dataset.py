"""``ProjectVisionDataset``: a project's tasks as one torchvision dataset."""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Mapping
from typing import TYPE_CHECKING, Any

import torch.utils.data
import torchvision.datasets

from cvat_client.datasets._cache import DatasetCache
from cvat_client.datasets.common import UpdatePolicy
from cvat_client.datasets.project_dataset import ProjectDataset
from cvat_client.pytorch.common import Target
from cvat_client.pytorch.task_dataset import label_indices

if TYPE_CHECKING:
    from cvat_client.api_client import models
    from cvat_client.core.client import Client
    from cvat_client.datasets.task_dataset import TaskDataset

__all__ = ["ProjectVisionDataset"]


class _TaskSamples(torch.utils.data.Dataset[tuple[Any, Target]]):
    """The untransformed ``(image, target)`` samples of one task."""

    def __init__(self, task: TaskDataset, label_id_to_index: Mapping[int, int]) -> None:
        self._task = task
        self._label_id_to_index = label_id_to_index

    def __getitem__(self, index: int) -> tuple[Any, Target]:
        sample = self._task.samples[index]
        image = sample.media.load_image()
        assert sample.annotations is not None
        return image, Target(sample.annotations, self._label_id_to_index, image.size)

    def __len__(self) -> int:
        return len(self._task.samples)


class ProjectVisionDataset(torchvision.datasets.VisionDataset):  # type: ignore[misc]
    """A project as a PyTorch dataset: the samples of its tasks (except those filtered out),
    task after task in the order of their ids, each task's in frame order.

    See :class:`TaskVisionDataset` for the sample format and caching.
    """

    def __init__(
        self,
        client: Client,
        project_id: int,
        *,
        transforms: Callable[..., Any] | None = None,
        transform: Callable[..., Any] | None = None,
        target_transform: Callable[..., Any] | None = None,
        label_name_to_index: Mapping[str, int] | None = None,
        task_filter: Callable[[models.TaskRead], bool] | None = None,
        include_subsets: Container[str] | None = None,
        update_policy: UpdatePolicy = UpdatePolicy.IF_MISSING_OR_STALE,
        include_tracks: bool = False,
    ) -> None:
        """Open the project ``project_id``.

        Args:
            client: the connected client.
            project_id: the project.
            transforms, transform, target_transform: as for torchvision's ``VisionDataset``.
            label_name_to_index: as for :class:`TaskVisionDataset`.
            task_filter: tasks whose model it returns a false value for are left out.
            include_subsets: if given, tasks whose subset is not in it are left out.
            update_policy: when the local cache is updated from the server.
            include_tracks: also give tracks as per-frame shapes.
        """
        self._project = ProjectDataset(
            client,
            project_id,
            task_filter=task_filter,
            include_subsets=include_subsets,
            update_policy=update_policy,
            include_tracks=include_tracks,
        )
        root = DatasetCache(client.config.cache_dir, client.host).project_dir(project_id)
        super().__init__(
            os.fspath(root),
            transforms=transforms,
            transform=transform,
            target_transform=target_transform,
        )
        self._underlying: torch.utils.data.ConcatDataset[tuple[Any, Target]]
        self._underlying = torch.utils.data.ConcatDataset(
            [
                _TaskSamples(task, label_indices(task.labels, label_name_to_index))
                for task in self._project.tasks
            ]
        )

    def __getitem__(self, sample_index: int) -> Any:
        """The sample at ``sample_index`` (``0 <= sample_index < len(self)``), transformed."""
        image, target = self._underlying[sample_index]
        if self.transforms:
            return self.transforms(image, target)
        return image, target

    def __len__(self) -> int:
        """The number of samples."""
        return len(self._underlying)
