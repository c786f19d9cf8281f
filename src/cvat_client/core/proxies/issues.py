"""Issues: ``client.issues`` (:class:`IssuesRepo`) and :class:`Issue`."""

from __future__ import annotations

from cvat_client.api_client import models
from cvat_client.api_client.apis.issues_api import IssuesApi
from cvat_client.core.proxies.comments import Comment, CommentsRepo
from cvat_client.core.proxies.model_proxy import (
    ModelCreateMixin,
    ModelDeleteMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
    org_id_param,
)

__all__ = ["Issue", "IssuesRepo", "Comment", "CommentsRepo"]


class Issue(
    ModelUpdateMixin[models.IssueRead, IssuesApi],
    ModelDeleteMixin[models.IssueRead, IssuesApi],
):
    """An issue raised on a frame of a job."""

    _api_member_name = "issues_api"
    _model_partial_update_arg = "patched_issue_write_request"

    def get_comments(self) -> list[Comment]:
        """The comments of this issue, oldest first."""
        # Issues do not carry their organization; their job does. Asking in the job's
        # organization finds the comments whatever the client's current context.
        organization = self._client.jobs.retrieve(self.job).organization
        return [
            Comment(self._client, model)
            for model in self._list_related(
                "comments_api", issue_id=self.id, **org_id_param(organization)
            )
        ]


class IssuesRepo(
    ModelCreateMixin[Issue, IssuesApi],
    ModelRetrieveMixin[Issue, IssuesApi],
    ModelListMixin[Issue, IssuesApi],
):
    """All issues: ``client.issues``."""

    _api_member_name = "issues_api"
    _entity_type = Issue
