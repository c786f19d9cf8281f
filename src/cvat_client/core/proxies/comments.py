"""Comments of issues: ``client.comments`` (:class:`CommentsRepo`) and :class:`Comment`."""

from __future__ import annotations

from cvat_client.api_client import models
from cvat_client.api_client.apis.comments_api import CommentsApi
from cvat_client.core.proxies.model_proxy import (
    ModelCreateMixin,
    ModelDeleteMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
)

__all__ = ["Comment", "CommentsRepo"]


class Comment(
    ModelUpdateMixin[models.CommentRead, CommentsApi],
    ModelDeleteMixin[models.CommentRead, CommentsApi],
):
    """A comment in an issue."""

    _api_member_name = "comments_api"
    _model_partial_update_arg = "patched_comment_write_request"


class CommentsRepo(
    ModelCreateMixin[Comment, CommentsApi],
    ModelRetrieveMixin[Comment, CommentsApi],
    ModelListMixin[Comment, CommentsApi],
):
    """All comments: ``client.comments``; ``create({"issue": id, "message": ...})``."""

    _api_member_name = "comments_api"
    _entity_type = Comment
