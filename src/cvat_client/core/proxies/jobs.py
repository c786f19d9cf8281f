"""Jobs: ``client.jobs`` (:class:`JobsRepo`) and :class:`Job`."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from cvat_client.api_client import models
from cvat_client.api_client.apis.jobs_api import JobsApi
from cvat_client.core.proxies._media import MediaMixin
from cvat_client.core.proxies.annotations import AnnotationCrudMixin
from cvat_client.core.proxies.model_proxy import (
    ExportDatasetMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
)

if TYPE_CHECKING:
    from cvat_client.core.proxies.issues import Issue

__all__ = ["Job", "JobsRepo"]


class Job(
    ModelUpdateMixin[models.JobRead, JobsApi],
    AnnotationCrudMixin[models.JobRead, JobsApi],
    MediaMixin[models.JobRead, JobsApi],
    ExportDatasetMixin[models.JobRead, JobsApi],
):
    """A job (a part of a task's frames): annotations, frames, meta, issues."""

    _api_member_name = "jobs_api"
    _model_partial_update_arg = "patched_job_write_request"
    _data_meta_update_arg = "patched_job_data_meta_write_request"
    _annotations_url = "/api/jobs/{id}/annotations/"
    _chunk_param = "index"

    def get_labels(self) -> list[models.Label]:
        """The labels available in this job."""
        return cast("list[models.Label]", self._list_related("labels_api", job_id=self.id))

    def get_issues(self) -> list[Issue]:
        """The issues raised in this job."""
        from cvat_client.core.proxies.issues import Issue

        return [Issue(self._client, m) for m in self._list_related("issues_api", job_id=self.id)]


class JobsRepo(
    ModelRetrieveMixin[Job, JobsApi],
    ModelListMixin[Job, JobsApi],
):
    """All jobs: ``client.jobs`` (jobs are made by the server when a task gets data)."""

    _api_member_name = "jobs_api"
    _entity_type = Job
