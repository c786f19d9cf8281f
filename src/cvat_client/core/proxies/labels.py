"""Labels: ``client.labels`` (:class:`LabelsRepo`) and :class:`Label`.

Labels are created with their task or project (``labels`` in the spec, or a
``PATCH`` of the task or project); here they can be listed, changed and deleted.
"""

from __future__ import annotations

from cvat_client.api_client import models
from cvat_client.api_client.apis.labels_api import LabelsApi
from cvat_client.core.proxies.model_proxy import (
    ModelBatchDeleteMixin,
    ModelDeleteMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
)

__all__ = ["Label", "LabelsRepo"]


class Label(
    ModelUpdateMixin[models.Label, LabelsApi],
    ModelDeleteMixin[models.Label, LabelsApi],
):
    """A label of a task or a project: ``name``, ``color``, ``attributes``..."""

    _api_member_name = "labels_api"
    _model_partial_update_arg = "patched_label_request"


class LabelsRepo(
    ModelRetrieveMixin[Label, LabelsApi],
    ModelListMixin[Label, LabelsApi],
    ModelBatchDeleteMixin[Label, LabelsApi],
):
    """All labels: ``client.labels``; filter with ``list(task_id=...)`` or ``project_id``."""

    _api_member_name = "labels_api"
    _entity_type = Label
