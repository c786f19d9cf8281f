"""``ProjectDataset``: the tasks of a project as one dataset."""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Sequence
from typing import TYPE_CHECKING, Any, cast

from cvat_client.datasets._cache import DatasetCache, in_use
from cvat_client.datasets.common import (
    DatasetCacheMissError,
    MediaDownloadPolicy,
    ProjectSample,
    UpdatePolicy,
)
from cvat_client.datasets.task_dataset import TaskDataset, _bound_cache, _stamp

if TYPE_CHECKING:
    from cvat_client.api_client import models
    from cvat_client.core.client import Client

__all__ = ["ProjectDataset"]


def _kept(cached: Any, task_models: Sequence[models.TaskRead]) -> list[int]:
    """The tasks the cached project metadata lists (or kept) that are no longer in the
    project: while other datasets of the project are open, they may still read them, so
    the cache clean-up must keep them (it keeps the tasks an in-use project lists)."""
    if not isinstance(cached, dict):
        return []
    listed = cached.get("tasks")
    ids = (
        {t.get("id") for t in listed if isinstance(t, dict)} if isinstance(listed, list) else set()
    )
    kept = cached.get("kept")
    ids.update(kept if isinstance(kept, list) else ())
    current = {task.id for task in task_models}
    return sorted(i for i in ids if isinstance(i, int) and i not in current)


class ProjectDataset:
    """A project on a CVAT server as one dataset: a :class:`TaskDataset` per task, and their
    samples one after the other (tasks in the order of their ids), each naming its task and
    subset.

    cvat-sdk has no such class (only ``cvat_sdk.pytorch.ProjectVisionDataset``).
    """

    def __init__(
        self,
        client: Client,
        project_id: int,
        *,
        task_filter: Callable[[models.TaskRead], bool] | None = None,
        include_subsets: Container[str] | None = None,
        update_policy: UpdatePolicy = UpdatePolicy.IF_MISSING_OR_STALE,
        load_annotations: bool = True,
        media_download_policy: MediaDownloadPolicy = MediaDownloadPolicy.PRELOAD_ALL,
        include_tracks: bool = False,
    ) -> None:
        """Open the project ``project_id``.

        Args:
            client: the connected client (with ``UpdatePolicy.NEVER`` it makes no request).
            project_id: the project.
            task_filter: called with each task's model; tasks for which it returns a false
                value are left out.
            include_subsets: if given, tasks whose subset is not in it are left out.
            update_policy, load_annotations, media_download_policy, include_tracks: as for
                :class:`TaskDataset`, applied to every task.
        """
        from cvat_client.api_client import models

        logger: logging.Logger = client.logger
        cache = DatasetCache(client.config.cache_dir, client.host)
        path = cache.project_dir(project_id) / "project.json"
        # whether other datasets of the project are open (here or in other processes), which
        # may still read tasks that have left the project since
        shared = in_use(cache.usage_lock_path(cache.project_dir(project_id)))
        self._in_use = cache.use(cache.project_dir(project_id))  # the clean-up keeps it
        online = update_policy is not UpdatePolicy.NEVER
        task_models: list[models.TaskRead]
        if online:
            logger.info("Fetching project %d...", project_id)
            project = client.projects.retrieve(project_id)
            stamp = _stamp(project.model)
            cached = cache.read(path)
            labels_data: list[dict[str, Any]] | None = None
            if isinstance(cached, dict) and cached.get("stamp") == stamp:
                labels_data = cached.get("labels")
            if labels_data is None:
                labels_data = [label.to_dict() for label in project.get_labels()]
            logger.info("Fetching project tasks...")
            task_models = [task.model for task in project.get_tasks()]
            cache.write(
                path,
                {
                    "stamp": stamp,
                    "project": project.model.to_dict(),
                    "labels": labels_data,
                    "tasks": [task.to_dict() for task in task_models],
                    "kept": _kept(cached, task_models) if shared else [],
                },
            )
        else:
            cached = cache.read(path)
            if not isinstance(cached, dict):
                raise DatasetCacheMissError(
                    f"Project #{project_id} is not in the cache ({path}): open it once with "
                    "UpdatePolicy.IF_MISSING_OR_STALE"
                )
            labels_data = cached["labels"]
            task_models = [models.TaskRead.from_dict(task) for task in cached["tasks"]]

        self._project_id = project_id
        self._labels = tuple(models.Label.from_dict(label) for label in labels_data)
        if task_filter is not None:
            task_models = [task for task in task_models if task_filter(task)]
        if include_subsets is not None:
            task_models = [task for task in task_models if (task.subset or "") in include_subsets]
        task_models.sort(key=lambda task: cast(int, task.id))

        options: dict[str, Any] = {
            "update_policy": update_policy,
            "load_annotations": load_annotations,
            "media_download_policy": media_download_policy,
            "include_tracks": include_tracks,
        }
        # once its metadata lists the tasks, the project's one lock keeps them all in use
        project_use = (
            (cache.usage_lock_path(cache.project_dir(project_id)), self._in_use)
            if self._in_use is not None
            else None
        )
        tasks = [
            TaskDataset._of_project(client, task, online=online, project_use=project_use, **options)
            for task in task_models
        ]
        self._tasks = tuple(tasks)
        self._samples = [
            ProjectSample(
                sample.frame_index,
                sample.frame_name,
                sample.annotations,
                sample.media,
                task_id=cast(int, model.id),
                subset=str(model.subset or ""),
            )
            for model, dataset in zip(task_models, tasks, strict=True)
            for sample in dataset.samples
        ]
        _bound_cache(client)  # once, with every task of the project in use

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_in_use"] = None  # a lock belongs to its process (task sources take their own)
        return state

    @property
    def project_id(self) -> int:
        """The id of the project."""
        return self._project_id

    @property
    def labels(self) -> Sequence[models.Label]:
        """The project's labels. Do not modify the returned objects."""
        return self._labels

    @property
    def tasks(self) -> Sequence[TaskDataset]:
        """A :class:`TaskDataset` per included task, in the order of their ids."""
        return self._tasks

    @property
    def samples(self) -> Sequence[ProjectSample]:
        """The samples of every included task, task after task."""
        return self._samples
