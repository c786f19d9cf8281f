"""Projects: ``client.projects`` (:class:`ProjectsRepo`) and :class:`Project`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from cvat_client.api_client import models
from cvat_client.api_client.apis.projects_api import ProjectsApi
from cvat_client.core.proxies.annotations import check_local_file
from cvat_client.core.proxies.model_proxy import (
    CreateFromBackupMixin,
    DownloadBackupMixin,
    ExportDatasetMixin,
    ModelBatchDeleteMixin,
    ModelCreateMixin,
    ModelDeleteMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
    PreviewMixin,
)

if TYPE_CHECKING:
    from cvat_client.core.progress import ProgressReporter
    from cvat_client.core.proxies.tasks import Task

__all__ = ["Project", "ProjectsRepo"]

StrPath = str | os.PathLike[str]


class Project(
    ModelUpdateMixin[models.ProjectRead, ProjectsApi],
    ModelDeleteMixin[models.ProjectRead, ProjectsApi],
    ExportDatasetMixin[models.ProjectRead, ProjectsApi],
    DownloadBackupMixin[models.ProjectRead, ProjectsApi],
    PreviewMixin[models.ProjectRead, ProjectsApi],
):
    """A project: a set of tasks sharing labels."""

    _api_member_name = "projects_api"
    _model_partial_update_arg = "patched_project_write_request"

    def import_dataset(
        self,
        format_name: str,
        filename: StrPath,
        *,
        conv_mask_to_poly: bool | None = None,
        status_check_period: float | None = None,
        pbar: ProgressReporter | None = None,
    ) -> None:
        """Upload a dataset (media and annotations) in a format such as ``"COCO 1.0"``.

        The server makes tasks from it. Waits until the import is done.

        Raises:
            FileNotFoundError: the file does not exist (nothing is sent).
            BackgroundRequestException: the server could not import the dataset.
        """
        from cvat_client.core.uploading import Uploader

        path = check_local_file(filename, "Dataset file")
        query: dict[str, Any] = {"format": format_name}
        if conv_mask_to_poly is not None:
            query["conv_mask_to_poly"] = conv_mask_to_poly
        Uploader(self._client).upload_file_and_wait(
            f"/api/projects/{self.id}/dataset/",
            path,
            query_params=query,
            json_body=None,
            pbar=pbar,
            status_check_period=status_check_period,
        )
        # cvat-sdk's wording for this event
        self._client.logger.info(
            "Annotation file '%s' for project #%s uploaded", os.fspath(filename), self.id
        )

    def get_annotations(self) -> models.LabeledData:
        """Not available with CVAT 2.73: the server removed ``GET /api/projects/{id}/annotations``
        (it answers 410 Gone), and cvat-sdk 2.73's method fails with `AttributeError`.

        Use ``project.export_dataset(format_name, filename, include_images=False)`` for
        a file of the project's annotations, or ``task.get_annotations()`` for each of
        ``project.get_tasks()``.

        Raises:
            UnsupportedByServer: always (an `AttributeError`, as in cvat-sdk).
        """
        from cvat_client.core.exceptions import UnsupportedByServer

        raise UnsupportedByServer(
            f"Project annotations cannot be read as one set: CVAT removed "
            f"GET /api/projects/{self.id}/annotations. Use "
            "project.export_dataset(format_name, filename, include_images=False), or "
            "task.get_annotations() for each task of project.get_tasks()"
        )

    def get_tasks(self) -> list[Task]:
        """The tasks of this project."""
        from cvat_client.core.proxies.tasks import Task

        return [Task(self._client, m) for m in self._list_related("tasks_api", project_id=self.id)]

    def get_labels(self) -> list[models.Label]:
        """The labels of this project."""
        return cast("list[models.Label]", self._list_related("labels_api", project_id=self.id))


class ProjectsRepo(
    ModelCreateMixin[Project, ProjectsApi],
    ModelRetrieveMixin[Project, ProjectsApi],
    ModelListMixin[Project, ProjectsApi],
    ModelBatchDeleteMixin[Project, ProjectsApi],
    CreateFromBackupMixin[Project, ProjectsApi],
):
    """All projects: ``client.projects``."""

    _api_member_name = "projects_api"
    _entity_type = Project

    def create_from_dataset(
        self,
        spec: models.ProjectWriteRequest | Mapping[str, Any],
        *,
        dataset_path: StrPath = "",
        dataset_format: str = "CVAT XML 1.1",
        status_check_period: float | None = None,
        pbar: ProgressReporter | None = None,
        conv_mask_to_poly: bool | None = None,
    ) -> Project:
        """Create a project and, optionally, import a dataset into it.

        The dataset file is checked before the project is created. When the import
        fails, the new project is deleted again (cvat-sdk leaves it); when it is
        interrupted (Ctrl-C, a cancelled async call), the project is kept and named.

        Raises:
            FileNotFoundError: the dataset file does not exist (nothing was created).
            BackgroundRequestException, ApiException: the import failed; the error keeps
                its class, says whether the project was deleted and carries
                ``project_id`` and ``project_deleted`` (``False`` when deleting it failed).
        """
        if dataset_path:
            check_local_file(dataset_path, "Dataset file")
        project = self.create(spec)
        self._client.logger.info("Created project #%s %r", project.id, project.name)
        if dataset_path:
            try:
                project.import_dataset(
                    dataset_format,
                    dataset_path,
                    conv_mask_to_poly=conv_mask_to_poly,
                    status_check_period=status_check_period,
                    pbar=pbar,
                )
            except BaseException as exc:
                self._clean_up_failed_project(project.id, exc)
                raise
        return project.fetch()

    def _clean_up_failed_project(self, project_id: int, exc: BaseException) -> None:
        """After the dataset import of ``create_from_dataset`` failed with ``exc``: delete
        the new project, or keep it when the import was interrupted; say which in the error."""
        from cvat_client._lowlevel.exceptions import ApiException
        from cvat_client.core.exceptions import note_on_error

        hint = f"delete it with client.projects.remove_by_ids([{project_id}])"
        if not isinstance(exc, Exception):  # KeyboardInterrupt, a cancelled async call
            note_on_error(
                exc,
                f"Project #{project_id} was created and kept; the dataset may not be (fully) "
                f"imported into it: {hint} if it is not wanted",
                project_id=project_id,
                project_deleted=False,
            )
            return
        try:
            self._lowlevel.destroy(project_id)
        except ApiException as cleanup_error:
            note_on_error(
                exc,
                f"Project #{project_id} was created but could not be deleted "
                f"({cleanup_error}): {hint}",
                project_id=project_id,
                project_deleted=False,
            )
            return
        self._client.logger.info("Deleted the new project #%s after its failed import", project_id)
        note_on_error(
            exc, f"Project #{project_id} was deleted", project_id=project_id, project_deleted=True
        )
