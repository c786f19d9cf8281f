"""Reading a dataset archive for a project dataset import (``POST /api/projects/{id}/dataset/``).

As on CVAT 2.73, every subset of the dataset becomes a new task of the project, named after
the subset and holding the subset's images (frame names are the names the annotation file
uses, e.g. ``img_0.jpg``; frames are sorted lexicographically). The annotations of each subset
are then imported into its task with :func:`cvat_client.testing.formats.import_annotations`.

Supported are the formats the test server imports: "COCO 1.0" (``annotations/instances_<subset>
.json`` with images in ``images/<subset>/`` or ``images/``) and "CVAT 1.1" (``annotations.xml``
whose ``<image>`` elements carry ``subset`` in project exports; images in ``images/<subset>/``
or ``images/``). A dataset without image files cannot create tasks and fails clearly.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from cvat_client.testing.formats import FormatError
from cvat_client.testing.formats.coco import find_instances
from cvat_client.testing.formats.cvat_xml import find_xml

__all__ = ["DatasetContent", "SubsetContent", "place_images", "read_dataset"]

_DEFAULT_SUBSET = "default"


@dataclass
class SubsetContent:
    """One subset of a dataset: its images and an annotation file of only its images."""

    name: str
    images: list[tuple[str, Path]] = field(default_factory=list)
    annotation_file: Path | None = None


NO_MEDIA_MESSAGE = (
    "cvat.apps.dataset_manager.bindings.NoMediaInAnnotationFileError: Can't import media data "
    "from the annotation file. Please upload full dataset as a zip archive.\n"
)
"""CVAT 2.73's failure message for a project dataset file that is not a zip archive."""


class NotADatasetArchive(FormatError):
    """The dataset file is not a zip archive (its message is CVAT's, used verbatim)."""


@dataclass
class DatasetContent:
    """What a dataset archive holds: label names (in order) and subsets with images."""

    labels: list[str]
    subsets: list[SubsetContent]


def read_dataset(format_name: str, archive_path: Path, work_dir: Path) -> DatasetContent:
    """Unpack a dataset zip into ``work_dir`` and split it into subsets.

    Raises :class:`FormatError` for an archive that is not a zip, has no annotation file of
    the format, or has no images.
    """
    if not zipfile.is_zipfile(archive_path):
        raise NotADatasetArchive(NO_MEDIA_MESSAGE)
    unpacked = work_dir / "unpacked"
    with zipfile.ZipFile(archive_path) as archive:
        if format_name == "COCO 1.0":
            annotation_names = find_instances(archive)
        else:
            annotation_names = [find_xml(archive)]
        archive.extractall(unpacked)
    files = _relative_files(unpacked)
    if format_name == "COCO 1.0":
        content = _read_coco(unpacked, annotation_names, files, work_dir)
    else:
        content = _read_cvat(unpacked, annotation_names[0], files, work_dir)
    content.subsets = [s for s in content.subsets if s.images]
    if not content.subsets:
        raise FormatError(
            "No media data found: the dataset has no images (export it with "
            "save_images=true to import it into a project)"
        )
    return content


def _relative_files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _find_image(name: str, subset: str, files: dict[str, Path]) -> Path | None:
    """The file of an image named in the annotations, looked up where CVAT's formats put it."""
    name = name.replace("\\", "/").lstrip("/")
    for candidate in (f"images/{subset}/{name}", f"images/{name}", name):
        if candidate in files:
            return files[candidate]
    suffix = "/" + name
    for relative, path in files.items():
        if relative.endswith(suffix) and PurePosixPath(relative).suffix.lower() != ".json":
            return path
    return None


# --- COCO -----------------------------------------------------------------------------------


def _subset_of_instances(name: str) -> str:
    stem = PurePosixPath(name).stem
    return stem.removeprefix("instances_") or _DEFAULT_SUBSET


def _read_coco(
    root: Path, names: list[str], files: dict[str, Path], work_dir: Path
) -> DatasetContent:
    labels: list[str] = []
    subsets: list[SubsetContent] = []
    for name in names:
        try:
            document: dict[str, Any] = json.loads((root / name).read_text(encoding="utf-8"))
            categories = list(document.get("categories") or [])
            images = list(document.get("images") or [])
            annotations = list(document.get("annotations") or [])
        except (ValueError, AttributeError, TypeError) as exc:
            raise FormatError(f"{name}: not a COCO instances file: {exc}") from None
        for category in categories:
            if category.get("name") not in labels and not category.get("supercategory"):
                labels.append(str(category.get("name")))
        subset = SubsetContent(_subset_of_instances(name))
        kept: list[dict[str, Any]] = []
        for image in images:
            file_name = str(image.get("file_name") or "")
            path = _find_image(file_name, subset.name, files)
            if path is not None:
                subset.images.append((file_name, path))
                kept.append(image)
        kept_ids = {image.get("id") for image in kept}
        filtered = {
            **document,
            "images": kept,
            "annotations": [a for a in annotations if a.get("image_id") in kept_ids],
        }
        subset.annotation_file = work_dir / f"instances_{subset.name}.json"
        subset.annotation_file.write_text(json.dumps(filtered), encoding="utf-8")
        subsets.append(subset)
    return DatasetContent(labels, subsets)


# --- CVAT 1.1 -------------------------------------------------------------------------------


def _read_cvat(root: Path, name: str, files: dict[str, Path], work_dir: Path) -> DatasetContent:
    try:
        tree = ElementTree.parse(root / name)
    except ElementTree.ParseError as exc:
        raise FormatError(f"The annotation file is not valid XML: {exc}") from None
    document = tree.getroot()
    if document.tag != "annotations":
        raise FormatError("Expected an <annotations> root element in the CVAT XML file")
    labels: list[str] = []
    for label in document.iterfind("meta/*/labels/label"):
        label_name = label.findtext("name") or ""
        if label_name and not (label.findtext("parent") or "") and label_name not in labels:
            labels.append(label_name)
    default = document.findtext("meta/task/subset") or _DEFAULT_SUBSET
    by_subset: dict[str, SubsetContent] = {}
    for image in document.iter("image"):
        subset_name = image.attrib.get("subset") or default
        subset = by_subset.setdefault(subset_name, SubsetContent(subset_name))
        image_name = image.attrib.get("name", "")
        path = _find_image(image_name, subset_name, files)
        if path is not None:
            subset.images.append((image_name, path))
    for subset in by_subset.values():
        wanted = {image_name for image_name, _ in subset.images}
        copy = deepcopy(document)
        for image in list(copy.iter("image")):
            if (image.attrib.get("subset") or default) != subset.name or (
                image.attrib.get("name", "") not in wanted
            ):
                copy.remove(image)
        for track in list(copy.iter("track")):
            if (track.attrib.get("subset") or default) != subset.name:
                copy.remove(track)
        subset.annotation_file = work_dir / f"annotations_{subset.name}.xml"
        ElementTree.ElementTree(copy).write(subset.annotation_file, encoding="utf-8")
    return DatasetContent(labels, list(by_subset.values()))


def place_images(subset: SubsetContent, raw_dir: Path) -> list[Path]:
    """Copy a subset's images under ``raw_dir`` by their frame names; return the new paths."""
    placed = []
    for name, source in subset.images:
        parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("/", "..")]
        target = raw_dir.joinpath(*parts) if parts else raw_dir / source.name
        if target in placed:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        placed.append(target)
    return placed
