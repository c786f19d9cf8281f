"""Cloud storages: ``client.cloudstorages`` (:class:`CloudStoragesRepo`) and :class:`CloudStorage`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cvat_client.api_client import models
from cvat_client.api_client.apis.cloudstorages_api import CloudstoragesApi
from cvat_client.core.proxies.model_proxy import (
    ModelBatchDeleteMixin,
    ModelCreateMixin,
    ModelDeleteMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
    PreviewMixin,
)

__all__ = ["CloudStorage", "CloudStoragesRepo"]


class CloudStorage(
    ModelUpdateMixin[models.CloudStorageRead, CloudstoragesApi],
    ModelDeleteMixin[models.CloudStorageRead, CloudstoragesApi],
    PreviewMixin[models.CloudStorageRead, CloudstoragesApi],
):
    """A cloud storage attached to CVAT (an S3 bucket, an Azure container...)."""

    _api_member_name = "cloudstorages_api"
    _model_partial_update_arg = "patched_cloud_storage_write_request"

    def get_content(
        self,
        prefix: str = "",
        next_token: str | None = None,
        *,
        manifest_path: str | None = None,
        page_size: int | None = None,
    ) -> models.CloudStorageContent:
        """One page of the storage's listing under ``prefix`` (a "directory").

        The result has ``content`` (entries with ``name``, ``type`` ``"REG"`` or
        ``"DIR"``, ``mime_type``) and ``next``: pass it as ``next_token`` for the
        following page (``None`` on the last page). See :meth:`iter_content`.
        """
        extra: dict[str, Any] = {}
        if prefix:
            extra["prefix"] = prefix
        if next_token:
            extra["next_token"] = next_token
        if manifest_path:
            extra["manifest_path"] = manifest_path
        if page_size:
            extra["page_size"] = page_size
        content, _ = self.api.retrieve_content_v2(self.id, **extra)
        if content is None:
            return models.CloudStorageContent(content=[], next=None)
        return content

    def iter_content(
        self, prefix: str = "", *, manifest_path: str | None = None, page_size: int | None = None
    ) -> Iterator[models.FileInfo]:
        """Every entry under ``prefix``, fetching a page only when needed."""
        token: str | None = None
        while True:
            page = self.get_content(prefix, token, manifest_path=manifest_path, page_size=page_size)
            yield from page.content or []
            token = page.next if isinstance(page.next, str) and page.next else None
            if token is None:
                return

    def get_status(self) -> str:
        """The storage's availability as the server sees it: ``AVAILABLE``, ``NOT_FOUND``..."""
        status, response = self.api.retrieve_status(self.id)
        value = getattr(status, "value", status)
        return str(value if value is not None else response.text)


class CloudStoragesRepo(
    ModelCreateMixin[CloudStorage, CloudstoragesApi],
    ModelRetrieveMixin[CloudStorage, CloudstoragesApi],
    ModelListMixin[CloudStorage, CloudstoragesApi],
    ModelBatchDeleteMixin[CloudStorage, CloudstoragesApi],
):
    """All cloud storages: ``client.cloudstorages``."""

    _api_member_name = "cloudstorages_api"
    _entity_type = CloudStorage
