"""Base classes of the entity objects: repositories and entities.

A *repository* (:class:`Repo`) stands for a collection on the server, such as all tasks:
``client.tasks.create(spec)``, ``client.tasks.retrieve(42)``, ``client.tasks.list()``.
An *entity* (:class:`Entity`) wraps one object of the low-level client, giving read
access to its fields as attributes (``task.name``, ``task.size``) plus operations on it
(``task.fetch()``, ``task.update({...})``, ``task.remove()``).

Both give a shortcut to the low-level API of their kind in ``.api`` (e.g.
``client.tasks.api`` is ``client.api_client.tasks_api``).

The capabilities are split into small mixins, so that each kind only offers what the
server supports for it (jobs cannot be created directly, requests are identified by
strings, and so on).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Self, TypeVar, cast, overload

from cvat_client._lowlevel.exceptions import ApiValueError
from cvat_client._lowlevel.model_support import encode
from cvat_client._lowlevel.unset import UNSET
from cvat_client.core._protocol.download import UNENCODED
from cvat_client.core.filters import build_filter_param, pop_lookup_conditions
from cvat_client.core.helpers import get_paginated_collection, iter_paginated
from cvat_client.core.proxies.types import Location

if TYPE_CHECKING:
    from cvat_client._lowlevel.endpoint import Endpoint
    from cvat_client.core.client import Client
    from cvat_client.core.progress import ProgressReporter

__all__ = [
    "ModelProxy",
    "Entity",
    "Repo",
    "ModelCreateMixin",
    "ModelRetrieveMixin",
    "ModelListMixin",
    "ModelBatchDeleteMixin",
    "ModelUpdateMixin",
    "ModelDeleteMixin",
    "PreviewMixin",
    "ExportDatasetMixin",
    "DownloadBackupMixin",
    "CreateFromBackupMixin",
    "build_filter_param",
    "pop_lookup_conditions",
    "org_id_param",
]

ModelT = TypeVar("ModelT")
ApiT = TypeVar("ApiT")
EntityT = TypeVar("EntityT", bound="Entity[Any, Any]")

StrPath = str | os.PathLike[str]


class ModelProxy(Generic[ApiT]):
    """Something bound to a :class:`~cvat_client.core.client.Client` and one low-level API.

    Subclasses name their API with ``_api_member_name`` (e.g. ``"tasks_api"``).
    """

    _api_member_name: str = ""
    _client: Client

    def __init__(self, client: Client) -> None:
        self.__dict__["_client"] = client

    @classmethod
    def get_api(cls, client: Client) -> ApiT:
        """The low-level API object of this kind for ``client``."""
        return cast("ApiT", getattr(client.api_client, cls._api_member_name))

    @property
    def api(self) -> ApiT:
        """The low-level API of this kind (e.g. ``client.api_client.tasks_api``).

        It may be replaced (``repo.api = other``), e.g. by a test double; the
        replacement serves this object's calls.
        """
        override = self.__dict__.get("_api_override")
        if override is not None:
            return cast("ApiT", override)
        return self.get_api(self._client)

    @api.setter
    def api(self, value: ApiT) -> None:
        self.__dict__["_api_override"] = value

    @property
    def client(self) -> Client:
        """The high-level client this object belongs to."""
        return self._client

    @property
    def _lowlevel(self) -> Any:
        # The API as ``Any``: generic code calls methods that every kind names alike.
        return self.api


class Entity(ModelProxy[ApiT], Generic[ModelT, ApiT]):
    """One object on the server, wrapping its low-level model.

    The model's fields read as attributes (``task.name``); fields the schema does not
    declare but the server sent are readable the same way. The model itself is
    :attr:`model` (cvat-sdk's ``_model`` also works).
    """

    _model_id_field: str = "id"
    _model: ModelT

    def __init__(self, client: Client, model: ModelT) -> None:
        super().__init__(client)
        self.__dict__["_model"] = model

    @property
    def model(self) -> ModelT:
        """The wrapped low-level model, as last received from the server."""
        return self._model

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_model", "_client"):
            raise AttributeError(name)
        model = self.__dict__.get("_model")
        try:
            return getattr(model, name)
        except AttributeError:
            extra = getattr(model, "additional_properties", None)
            if isinstance(extra, dict) and name in extra:
                return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def _id(self) -> Any:
        return getattr(self._model, self._model_id_field)

    def _list_related(self, api_member_name: str, /, **query: Any) -> list[Any]:
        """Every object of another kind matching ``query`` (all pages), as models.

        Unless ``query`` names an ``org_id``, the objects are asked for in this object's
        organization (see :func:`org_id_param`).
        """
        from cvat_client.core.helpers import get_paginated_collection

        if "org_id" not in query:
            query.update(org_id_param(getattr(self, "organization", None)))
        endpoint = getattr(self._client.api_client, api_member_name).list_endpoint
        return get_paginated_collection(endpoint, **query)

    def to_dict(self) -> dict[str, Any]:
        """The wrapped model as JSON data."""
        return cast("dict[str, Any]", encode(self._model))

    def fetch(self) -> Self:
        """Refresh this object from the server; returns ``self``."""
        model, _ = self._lowlevel.retrieve(self._id)
        self.__dict__["_model"] = model
        return self

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self._model == cast("Entity[Any, Any]", other)._model)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._id))

    def __str__(self) -> str:
        return str(self._model)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._model_id_field}={self._id!r}>"


class Repo(ModelProxy[ApiT], Generic[EntityT, ApiT]):
    """A collection of objects of one kind on the server."""

    _entity_type: type[EntityT]

    def _wrap(self, model: Any) -> EntityT:
        return self._entity_type(self._client, model)


# --- repository mixins -----------------------------------------------------------------------


class ModelCreateMixin(Repo[EntityT, ApiT]):
    """``create(spec)``."""

    def create(self, spec: Mapping[str, Any] | Any) -> EntityT:
        """Create a new object on the server from ``spec`` (a dict or a write model).

        Returns the created object.
        """
        model, _ = self._lowlevel.create(spec)
        return self._wrap(model)


class ModelRetrieveMixin(Repo[EntityT, ApiT]):
    """``retrieve(obj_id)``."""

    def retrieve(self, obj_id: int) -> EntityT:
        """Get the object with id ``obj_id``.

        Raises:
            NotFoundException: there is no such object, or it is not visible to you
                (in the current organization context).
        """
        model, _ = self._lowlevel.retrieve(obj_id)
        return self._wrap(model)


class ModelListMixin(Repo[EntityT, ApiT]):
    """``list(**filters)`` and ``iter(**filters)``."""

    @overload
    def list(self, *, return_json: Literal[False] = False, **kwargs: Any) -> list[EntityT]: ...

    @overload
    def list(self, *, return_json: Literal[True], **kwargs: Any) -> str: ...

    def list(self, *, return_json: bool = False, **kwargs: Any) -> list[EntityT] | str:
        """All objects matching the query, fetching every page.

        Keyword arguments are query parameters of the list endpoint (``search``,
        ``sort``, ``name``, ``project_id``, ``page_size``...). ``filter`` may be a JSON
        Logic string or a mapping. Field lookups ``<field>__<op>=value`` are turned into
        a JSON Logic filter; ``op`` is one of ``in``, ``contains``, ``lt``, ``lte``,
        ``gt``, ``gte``, ``ne``, ``isset``.

        With ``return_json=True``, returns the JSON text of the list of objects (as
        cvat-sdk does). For a lazy alternative that fetches a page only when needed,
        use :meth:`iter`.
        """
        params = _list_params(self._lowlevel.list_endpoint, kwargs)
        if return_json:
            results = get_paginated_collection(
                self._lowlevel.list_endpoint, return_json=True, **params
            )
            return json.dumps(results)
        results = get_paginated_collection(self._lowlevel.list_endpoint, **params)
        return [self._wrap(model) for model in results]

    def iter(self, **kwargs: Any) -> Iterator[EntityT]:
        """Lazily iterate over the objects matching the query (see :meth:`list`).

        A page is requested only when the previous one has been consumed.
        """
        params = _list_params(self._lowlevel.list_endpoint, kwargs)
        for model in iter_paginated(self._lowlevel.list_endpoint, **params):
            yield self._wrap(model)


class ModelBatchDeleteMixin(Repo[EntityT, ApiT]):
    """``remove_by_ids(ids)``."""

    def remove_by_ids(self, ids: Sequence[Any], /) -> None:
        """Delete the objects with these ids, ignoring those that do not exist.

        Other failures (e.g. 403) are logged as errors, as cvat-sdk does; each id is
        tried.
        """
        kind = self._entity_type.__name__
        logger = self._client.logger
        for obj_id in ids:
            _, response = self._lowlevel.destroy(obj_id, _check_status=False)
            if response.is_success:
                logger.info("%s #%s deleted", kind, obj_id)
            elif response.status_code == 404:
                logger.info("%s #%s not found", kind, obj_id)
            else:
                logger.error(
                    "Failed to delete %s #%s: %s (status %d)",
                    kind,
                    obj_id,
                    response.reason_phrase,
                    response.status_code,
                )


class CreateFromBackupMixin(Repo[EntityT, ApiT]):
    """``create_from_backup(filename)``."""

    def create_from_backup(
        self,
        filename: StrPath,
        *,
        status_check_period: float | None = None,
        pbar: ProgressReporter | None = None,
    ) -> EntityT:
        """Restore an object (a project with its tasks, or a task) from a backup file
        made by its ``download_backup``, as a new object.

        Raises:
            FileNotFoundError: the file does not exist (nothing is sent).
            BackgroundRequestException: the server could not restore the backup.
        """
        from cvat_client.core.proxies.annotations import check_local_file
        from cvat_client.core.uploading import Uploader

        path = check_local_file(filename, "Backup file")
        request = Uploader(self._client).upload_file_and_wait(
            self._lowlevel.create_backup_endpoint.path,
            path,
            query_params=None,
            json_body=None,
            pbar=pbar,
            status_check_period=status_check_period,
        )
        kind = self._entity_type.__name__
        obj_id = request.result_id
        if not isinstance(obj_id, int):
            raise ApiValueError(
                f"The server finished the restore without naming the new {kind.lower()}"
            )
        # cvat-sdk's wording for this event
        self._client.logger.info("%s has been imported successfully. %s ID: %s", kind, kind, obj_id)
        return self._wrap(self._lowlevel.retrieve(obj_id)[0])


# --- entity mixins ---------------------------------------------------------------------------


class ModelUpdateMixin(Entity[ModelT, ApiT]):
    """``update(values)``."""

    _model_partial_update_arg: str = ""

    def update(self, values: Mapping[str, Any] | Any) -> Self:
        """Change fields of this object on the server (a ``PATCH``).

        ``values`` is a dict of the fields to change or a ``Patched*Request`` model.
        This object is refreshed from the server's answer; returns ``self``.
        """
        if not isinstance(values, Mapping):
            values = encode(values)
        model, _ = self._lowlevel.partial_update(
            self._id, **{self._model_partial_update_arg: dict(values)}
        )
        if model is not None and isinstance(model, type(self._model)):
            self.__dict__["_model"] = model
            return self
        return self.fetch()


class ModelDeleteMixin(Entity[ModelT, ApiT]):
    """``remove()``."""

    def remove(self) -> None:
        """Delete this object on the server."""
        self._lowlevel.destroy(self._id)


class PreviewMixin(Entity[ModelT, ApiT]):
    """``get_preview()``."""

    def get_preview(self) -> io.BytesIO:
        """The preview (thumbnail) image as a binary stream (for a cloud storage, of its
        first image)."""
        _, response = self._lowlevel.retrieve_preview(
            self._id, _parse_response=False, _headers=UNENCODED
        )
        return io.BytesIO(response.content)


# --- exports ---------------------------------------------------------------------------------


class _ExportMixin(Entity[ModelT, ApiT]):
    def export(
        self,
        endpoint: Endpoint,
        filename: StrPath,
        *,
        pbar: ProgressReporter | None = None,
        status_check_period: float | None = None,
        location: Location | str | None = None,
        cloud_storage_id: int | None = None,
        **query_params: Any,
    ) -> Path | None:
        """Run an export operation of this object and download its result (cvat-sdk's
        general form of `export_dataset` and `download_backup`).

        Args:
            endpoint: the export operation, e.g. ``task.api.create_dataset_export_endpoint``
                or ``project.api.create_backup_export_endpoint``.
            filename: where to save the file (an existing directory keeps the server's
                name); with a cloud storage location, the file name in the storage.
            pbar: reports the download progress.
            status_check_period: seconds between status checks.
            location: ``Location.LOCAL`` or ``Location.CLOUD_STORAGE``; by default the
                object's target storage decides.
            cloud_storage_id: the cloud storage to write to.
            **query_params: the operation's other query parameters (``format=``,
                ``save_images=``...).

        Returns:
            The path of the downloaded file, or ``None`` for a cloud storage.

        Raises:
            BackgroundRequestException: the server failed to make the export.
            ApiValueError: ``location`` is a cloud storage but no ``cloud_storage_id``
                (a `ValueError`, as in cvat-sdk).
        """
        return self._export(
            endpoint,
            filename,
            pbar=pbar,
            status_check_period=status_check_period,
            location=location,
            cloud_storage_id=cloud_storage_id,
            what="Export",
            **query_params,
        )

    def _export(
        self,
        endpoint: Endpoint,
        filename: StrPath,
        *,
        pbar: ProgressReporter | None,
        status_check_period: float | None,
        location: Location | str | None,
        cloud_storage_id: int | None,
        what: str,
        **query: Any,
    ) -> Path | None:
        """Run an export request; download its result when it stays local."""
        query = {key: value for key, value in query.items() if value is not None}
        if location is not None:
            location = Location(location)
            query["location"] = location.value
        if location is Location.CLOUD_STORAGE and not cloud_storage_id:
            raise ApiValueError(
                "cloud_storage_id is required with location=Location.CLOUD_STORAGE: "
                "pass the id of the cloud storage to write the file to"
            )
        if cloud_storage_id:
            query["cloud_storage_id"] = cloud_storage_id
        local = self._target_storage_is_local() if location is None else location is Location.LOCAL
        kind = type(self).__name__.lower()
        from cvat_client.core.downloading import Downloader

        downloader = Downloader(self._client)
        if not local:
            query["filename"] = os.fspath(filename)
        request = downloader.prepare_file(
            endpoint,
            url_params={"id": self._id},
            query_params=query,
            status_check_period=status_check_period,
        )
        result_url = request.result_url
        if not local:
            self._client.logger.info(
                "%s of %s #%s saved as %r in cloud storage", what, kind, self._id, query["filename"]
            )
            return None
        if not isinstance(result_url, str) or not result_url:
            from cvat_client.core.exceptions import DownloadError

            raise DownloadError(
                f"The {what.lower()} of {kind} #{self._id} was not kept for download: the "
                "server wrote it elsewhere (see the target storage); pass location=Location.LOCAL"
            )
        path = downloader._download(
            result_url,
            Path(filename),
            pbar=pbar,
            fallback_name=f"{kind}_{self._id}_{what.lower()}.zip",
        )
        self._client.logger.info("%s of %s #%s saved to %s", what, kind, self._id, path)
        return path

    def _target_storage_is_local(self) -> bool:
        storage = getattr(self._model, "target_storage", None)
        location = getattr(storage, "location", None) if storage else None
        if location is None or location is UNSET:
            return True
        return str(getattr(location, "value", location)) == Location.LOCAL.value


class ExportDatasetMixin(_ExportMixin[ModelT, ApiT]):
    """``export_dataset(format_name, filename, ...)``."""

    def export_dataset(
        self,
        format_name: str,
        filename: StrPath,
        *,
        pbar: ProgressReporter | None = None,
        status_check_period: float | None = None,
        include_images: bool = True,
        location: Location | str | None = None,
        cloud_storage_id: int | None = None,
    ) -> Path | None:
        """Export the annotations (and the images) in a format such as ``"COCO 1.0"``.

        Args:
            format_name: an export format name, as listed by
                ``GET /api/server/annotation/formats``.
            filename: where to save the file. An existing directory keeps the name the
                server gives the file. With a cloud storage location, the name of the
                file in the storage.
            pbar: reports the download progress.
            status_check_period: seconds between status checks (default: the
                client's configuration).
            include_images: include the images, not only the annotations.
            location: ``Location.LOCAL`` (download) or ``Location.CLOUD_STORAGE``; by
                default the object's target storage decides.
            cloud_storage_id: the cloud storage to write to.

        Returns:
            The path of the downloaded file, or ``None`` when it went to a cloud storage.

        Raises:
            BackgroundRequestException: the server failed to make the export.
            ApiValueError: ``location`` is a cloud storage but no ``cloud_storage_id``.
        """
        return self._export(
            self._lowlevel.create_dataset_export_endpoint,
            filename,
            pbar=pbar,
            status_check_period=status_check_period,
            location=location,
            cloud_storage_id=cloud_storage_id,
            what="Dataset",
            format=format_name,
            save_images=include_images,
        )


class DownloadBackupMixin(_ExportMixin[ModelT, ApiT]):
    """``download_backup(filename, ...)``."""

    def download_backup(
        self,
        filename: StrPath,
        *,
        status_check_period: float | None = None,
        pbar: ProgressReporter | None = None,
        location: Location | str | None = None,
        cloud_storage_id: int | None = None,
        lightweight: bool = False,
    ) -> Path | None:
        """Make a backup of this object and download it (or write it to a cloud storage).

        A backup can be restored with ``create_from_backup`` of the repository.

        Args:
            filename: where to save the file (an existing directory keeps the server's
                name); with a cloud storage location, the file name in the storage.
            status_check_period: seconds between status checks.
            pbar: reports the download progress.
            location: ``Location.LOCAL`` or ``Location.CLOUD_STORAGE``; by default the
                object's target storage decides.
            cloud_storage_id: the cloud storage to write to.
            lightweight: leave out media that come from a cloud storage.

        Returns:
            The path of the downloaded file, or ``None`` for a cloud storage.
        """
        return self._export(
            self._lowlevel.create_backup_export_endpoint,
            filename,
            pbar=pbar,
            status_check_period=status_check_period,
            location=location,
            cloud_storage_id=cloud_storage_id,
            what="Backup",
            lightweight=lightweight or None,
        )


def org_id_param(organization: Any) -> dict[str, Any]:
    """``{"org_id": organization}`` for listing the children of an object, or ``{}``.

    Asking in the object's own organization finds its children (jobs, labels, tasks)
    whatever the client's current organization context.
    """
    return {"org_id": organization} if isinstance(organization, int) else {}


# --- list filters ----------------------------------------------------------------------------


def _list_params(endpoint: Any, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The list endpoint's parameters: ``filter=`` and ``field__lookup`` keywords become
    one JSON Logic ``filter`` (see `cvat_client.core.filters`)."""
    params = dict(kwargs)
    combined = build_filter_param(params.pop("filter", None), pop_lookup_conditions(params))
    if combined is not None:
        params["filter"] = combined
    return params
