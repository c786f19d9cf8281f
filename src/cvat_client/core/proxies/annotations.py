"""Annotation operations shared by tasks and jobs."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvat_client._lowlevel.model_support import encode
from cvat_client.api_client import models
from cvat_client.core.proxies.model_proxy import ApiT, Entity, ModelT

if TYPE_CHECKING:
    from cvat_client.core.progress import ProgressReporter

__all__ = ["AnnotationUpdateAction", "AnnotationCrudMixin", "check_local_file"]

StrPath = str | os.PathLike[str]


class AnnotationUpdateAction(Enum):
    """What a partial annotation update does with the objects it is given."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


def check_local_file(filename: StrPath, what: str = "File") -> Path:
    """``filename`` as a :class:`Path`, checked to be an existing regular file.

    Raises:
        FileNotFoundError: before anything is sent, when the file does not exist.
    """
    path = Path(filename)
    if not path.is_file():
        state = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"{what} {os.fspath(path)!r} {state}: nothing was sent")
    return path


class AnnotationCrudMixin(Entity[ModelT, ApiT]):
    """Read, replace, change and delete the annotations of a task or a job."""

    _annotations_url: str = ""  # e.g. "/api/tasks/{id}/annotations/"

    def get_annotations(self) -> models.LabeledData:
        """All annotations: ``tags``, ``shapes``, ``tracks`` (and ``version``)."""
        data, _ = self._lowlevel.retrieve_annotations(self._id)
        return data  # type: ignore[no-any-return]

    def set_annotations(self, data: models.LabeledDataRequest | Mapping[str, Any]) -> None:
        """Replace all annotations with ``data`` (a ``PUT``)."""
        self._lowlevel.update_annotations(self._id, labeled_data_request=data)

    def update_annotations(
        self,
        data: models.PatchedLabeledDataRequest | Mapping[str, Any],
        *,
        action: AnnotationUpdateAction | str = AnnotationUpdateAction.UPDATE,
    ) -> None:
        """Create, update or delete the given annotation objects (a ``PATCH``).

        ``action`` is an :class:`AnnotationUpdateAction` (or its value): ``CREATE`` adds
        the objects, ``UPDATE`` changes the objects with these ids, ``DELETE`` removes
        them.
        """
        value = action.value if isinstance(action, AnnotationUpdateAction) else str(action)
        self._lowlevel.partial_update_annotations(
            value, self._id, patched_labeled_data_request=data
        )

    def remove_annotations(self, *, ids: Iterable[int] | None = None) -> None:
        """Delete the annotation objects (tags, shapes, tracks) with these ids.

        Without ``ids`` (or with an empty list), delete all annotations.
        """
        wanted = set(ids) if ids is not None else set()
        if not wanted:
            self._lowlevel.destroy_annotations(self._id)
            return
        current = self.get_annotations()

        def pick(items: Any) -> list[dict[str, Any]]:
            if not items:
                return []
            return [_as_request(item) for item in items if getattr(item, "id", None) in wanted]

        patch = {
            "tags": pick(current.tags),
            "shapes": pick(current.shapes),
            "tracks": pick(current.tracks),
        }
        self.update_annotations(patch, action=AnnotationUpdateAction.DELETE)

    def import_annotations(
        self,
        format_name: str,
        filename: StrPath,
        *,
        conv_mask_to_poly: bool | None = None,
        import_mode: str | None = None,
        status_check_period: float | None = None,
        pbar: ProgressReporter | None = None,
    ) -> None:
        """Upload an annotation file in a format such as ``"COCO 1.0"`` and wait for the import.

        Args:
            format_name: an import format name, as listed by
                ``GET /api/server/annotation/formats``.
            filename: the local file to upload.
            conv_mask_to_poly: convert masks to polygons.
            import_mode: ``"replace"`` or ``"append"`` (the server's default).
            status_check_period: seconds between status checks.
            pbar: reports the upload progress.

        Raises:
            FileNotFoundError: the file does not exist (nothing is sent).
            BackgroundRequestException: the server could not import the file; the
                message says why.
        """
        from cvat_client.core.uploading import Uploader

        path = check_local_file(filename, "Annotation file")
        query: dict[str, Any] = {"format": format_name}
        if conv_mask_to_poly is not None:
            query["conv_mask_to_poly"] = conv_mask_to_poly
        if import_mode is not None:
            query["import_mode"] = import_mode
        Uploader(self._client).upload_file_and_wait(
            self._annotations_url.format(id=self._id),
            path,
            query_params=query,
            json_body=None,
            pbar=pbar,
            status_check_period=status_check_period,
        )
        # cvat-sdk's wording: scripts look for "uploaded" in the log
        self._client.logger.info(
            "Annotation file '%s' for %s #%s uploaded",
            os.fspath(filename),
            type(self).__name__.lower(),
            self._id,
        )


def _as_request(item: Any) -> dict[str, Any]:
    data = encode(item)
    return data if isinstance(data, dict) else {"id": getattr(item, "id", None)}
