"""Dataset formats of the test server: "CVAT for images 1.1" / "CVAT 1.1", "COCO 1.0" and the
export-only "CVAT for video 1.1".

:data:`SUPPORTED` is the body of ``/api/server/annotation/formats`` (the schema's
``DatasetFormats``) restricted to what is implemented here. :func:`export_dataset` writes a zip
in the real format's file layout; :func:`import_annotations` reads one (or a bare XML / JSON
file) back into an API annotations dict for a task.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ._common import JSON, FormatError, TaskExport
from .coco import export_coco, import_coco
from .cvat_video import export_cvat_video
from .cvat_xml import export_cvat, import_cvat

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "SUPPORTED",
    "FormatError",
    "TaskExport",
    "export_dataset",
    "import_annotations",
]

#: Importer entries as CVAT 2.73 lists them.
IMPORTERS: list[JSON] = [
    {"name": "COCO 1.0", "ext": "JSON, ZIP", "version": "1.0", "enabled": True, "dimension": "2d"},
    {"name": "CVAT 1.1", "ext": "XML, ZIP", "version": "1.1", "enabled": True, "dimension": "2d"},
]
#: Exporter entries as CVAT 2.73 lists them.
EXPORTERS: list[JSON] = [
    {"name": "COCO 1.0", "ext": "ZIP", "version": "1.0", "enabled": True, "dimension": "2d"},
    {
        "name": "CVAT for video 1.1",
        "ext": "ZIP",
        "version": "1.1",
        "enabled": True,
        "dimension": "2d",
    },
    {
        "name": "CVAT for images 1.1",
        "ext": "ZIP",
        "version": "1.1",
        "enabled": True,
        "dimension": "2d",
    },
]
#: The ``DatasetFormats`` body: ``{"importers": [...], "exporters": [...]}``.
SUPPORTED: dict[str, list[JSON]] = {"importers": IMPORTERS, "exporters": EXPORTERS}
#: Names accepted by :func:`export_dataset` and :func:`import_annotations`.
EXPORT_FORMATS: tuple[str, ...] = tuple(e["name"] for e in EXPORTERS)
IMPORT_FORMATS: tuple[str, ...] = tuple(e["name"] for e in IMPORTERS)


def _unknown(kind: str, name: str, known: Sequence[str]) -> FormatError:
    return FormatError(
        f"Unknown {kind} format {name!r}. The test server supports: {', '.join(known)}"
    )


def export_dataset(
    format_name: str,
    *,
    out: BinaryIO,
    name: str,
    labels: list[dict[str, Any]],
    tasks: list[TaskExport],
    include_images: bool,
) -> None:
    """Write a dataset zip of ``tasks`` (one task, or a project's tasks) to ``out``.

    Images are streamed from their files into the archive; nothing large is held in memory.
    Raises :class:`FormatError` for a format the test server does not implement.
    """
    if format_name not in EXPORT_FORMATS:
        raise _unknown("export", format_name, EXPORT_FORMATS)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if format_name == "COCO 1.0":
            export_coco(archive, labels=labels, tasks=tasks, include_images=include_images)
        elif format_name == "CVAT for video 1.1":
            export_cvat_video(
                archive, name=name, labels=labels, tasks=tasks, include_images=include_images
            )
        else:
            export_cvat(
                archive, name=name, labels=labels, tasks=tasks, include_images=include_images
            )


def import_annotations(
    format_name: str,
    path: Path,
    *,
    labels: list[dict[str, Any]],
    frames: Sequence[Any],
    start_frame: int = 0,
    frame_step: int = 1,
) -> dict[str, Any]:
    """Read an annotation file into an API annotations dict (``version, tags, shapes, tracks``).

    Label names map to ``label_id`` (sublabels within their skeleton), attribute names to
    ``spec_id`` and file names to frame numbers of ``frames`` (the task's frames). Raises
    :class:`FormatError` naming the supported formats for an unknown format, and with a clear
    message for a file that cannot be read.
    """
    if format_name not in IMPORT_FORMATS:
        raise _unknown("import", format_name, IMPORT_FORMATS)
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"The annotation file {path.name!r} does not exist")
    try:
        if format_name == "COCO 1.0":
            return import_coco(path, labels=labels, frames=frames)
        return import_cvat(
            path, labels=labels, frames=frames, start_frame=start_frame, frame_step=frame_step
        )
    except zipfile.BadZipFile as exc:
        raise FormatError(f"The annotation archive {path.name!r} is damaged: {exc}") from None
