"""The "COCO 1.0" (instances) exporter and importer.

Layout of an export: ``annotations/instances_<subset>.json`` and, with images,
``images/<subset>/<file name>``. The JSON follows what CVAT 2.73 writes through datumaro:
top-level ``licenses, info, categories, images, annotations``; images numbered from 1;
categories numbered from 1 in label order (sublabels carry their parent as
``supercategory``); annotations with ``id, image_id, category_id, segmentation, area, bbox,
iscrowd, attributes``. Rectangles become ``bbox`` with an empty ``segmentation``; polygons
become polygon segmentations; other shape types are not part of COCO instances and are
skipped, as on the real server. Track frames carry ``track_id`` and ``keyframe`` attributes,
and the importer rebuilds tracks from them.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from ._common import (
    JSON,
    FlatShape,
    FormatError,
    FrameMatcher,
    LabelIndex,
    LabelInfo,
    TaskExport,
    attribute_values,
    empty_annotations,
    flatten,
    import_attribute,
)

_ROUND = 2  # datumaro rounds bbox coordinates


def _typed_value(spec: JSON, value: str) -> Any:
    kind = spec.get("input_type")
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "checkbox":
        return value.strip().lower() == "true"
    return value


def _attributes(flat: FlatShape, label: LabelInfo) -> JSON:
    given = dict(attribute_values(label, flat.attributes))
    result: JSON = {}
    for spec in label.spec.get("attributes") or []:
        name = str(spec["name"])
        result[name] = _typed_value(spec, given.get(name, str(spec.get("default_value", ""))))
    result["occluded"] = bool(flat.shape.get("occluded", False))
    if flat.shape["type"] == "rectangle":
        result["rotation"] = float(flat.shape.get("rotation") or 0.0)
    if flat.track_id is not None:
        result["track_id"] = flat.track_id
        result["keyframe"] = flat.keyframe
    return result


def _polygon_area(points: Sequence[float]) -> float:
    xs, ys = points[0::2], points[1::2]
    total = 0.0
    for i in range(len(xs)):
        j = (i + 1) % len(xs)
        total += xs[i] * ys[j] - xs[j] * ys[i]
    return abs(total) / 2.0


def _bbox(points: Sequence[float]) -> list[float]:
    xs, ys = points[0::2], points[1::2]
    x0, y0 = min(xs), min(ys)
    return [
        round(x0, _ROUND),
        round(y0, _ROUND),
        round(max(xs) - x0, _ROUND),
        round(max(ys) - y0, _ROUND),
    ]


def _annotation(flat: FlatShape, label: LabelInfo, category: int, image_id: int) -> JSON | None:
    points = [float(p) for p in flat.shape.get("points") or []]
    kind = flat.shape["type"]
    if kind == "rectangle":
        x0, y0, x1, y1 = points[:4]
        segmentation: list[list[float]] = []
        area = (x1 - x0) * (y1 - y0)
        bbox = [round(v, _ROUND) for v in (x0, y0, x1 - x0, y1 - y0)]
    elif kind == "polygon" and len(points) >= 6:
        segmentation = [points]
        area = _polygon_area(points)
        bbox = _bbox(points)
    else:
        return None
    return {
        "id": 0,
        "image_id": image_id,
        "category_id": category,
        "segmentation": segmentation,
        "area": float(area),
        "bbox": bbox,
        "iscrowd": 0,
        "attributes": _attributes(flat, label),
    }


def build_coco(labels: Sequence[JSON], tasks: Sequence[TaskExport]) -> JSON:
    """The COCO instances document of all tasks (one subset)."""
    index = LabelIndex(labels)
    categories = []
    category_of: dict[int, int] = {}
    for number, info in enumerate(index.ordered, start=1):
        category_of[info.id] = number
        categories.append(
            {
                "id": number,
                "name": info.name,
                "supercategory": info.parent.name if info.parent else "",
            }
        )
    images: list[JSON] = []
    annotations: list[JSON] = []
    for task in tasks:
        size = len(task.frames)
        by_frame: dict[int, list[FlatShape]] = {}
        for frame, flat in flatten(task.annotations, size):
            if 0 <= frame < size:
                by_frame.setdefault(frame, []).append(flat)
        for number, frame_info in task.kept_frames():
            image_id = len(images) + 1
            images.append(
                {
                    "id": image_id,
                    "width": frame_info.width,
                    "height": frame_info.height,
                    "file_name": frame_info.name,
                    "license": 0,
                    "flickr_url": "",
                    "coco_url": "",
                    "date_captured": 0,
                }
            )
            for flat in by_frame.get(number, []):
                label = index.get(flat.label_id)
                ann = _annotation(flat, label, category_of[label.id], image_id)
                if ann is not None:
                    ann["id"] = len(annotations) + 1
                    annotations.append(ann)
    return {
        "licenses": [{"name": "", "id": 0, "url": ""}],
        "info": {
            "contributor": "",
            "date_created": "",
            "description": "",
            "url": "",
            "version": "",
            "year": "",
        },
        "categories": categories,
        "images": images,
        "annotations": annotations,
    }


def export_coco(
    archive: zipfile.ZipFile,
    *,
    labels: Sequence[JSON],
    tasks: Sequence[TaskExport],
    include_images: bool,
) -> None:
    """Write a "COCO 1.0" dataset into an open zip archive, one JSON file per subset."""
    subsets: dict[str, list[TaskExport]] = {}
    for task in tasks:
        subsets.setdefault(task.subset or "default", []).append(task)
    for subset, members in subsets.items():
        document = build_coco(labels, members)
        with archive.open(f"annotations/instances_{subset}.json", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8")
            json.dump(document, text)
            text.flush()
            text.detach()
        if include_images:
            for task in members:
                for _number, frame in task.kept_frames():
                    archive.write(frame.path, f"images/{subset}/{frame.name}")


# --- import -----------------------------------------------------------------------------


def _load(data: IO[bytes], source: str) -> JSON:
    try:
        document = json.load(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("annotations"), list):
        raise FormatError(f"{source} is not a COCO instances file: no 'annotations' list")
    for key in ("images", "categories"):
        if not isinstance(document.get(key), list):
            raise FormatError(f"{source} is not a COCO instances file: no {key!r} list")
    return document


def _shape_from(ann: JSON, label: LabelInfo, frame: int, source: str) -> JSON:
    attrs = dict(ann.get("attributes") or {})
    occluded = bool(attrs.pop("occluded", False))
    rotation = float(attrs.pop("rotation", 0.0) or 0.0)
    for internal in ("track_id", "keyframe", "outside"):
        attrs.pop(internal, None)
    segmentation = ann.get("segmentation")
    if ann.get("iscrowd") or isinstance(segmentation, dict):
        raise FormatError(
            f"{source}: RLE (iscrowd) annotations are not supported by the test server"
        )
    try:
        if segmentation:
            kind, points = "polygon", [float(v) for v in segmentation[0]]
        else:
            x, y, w, h = (float(v) for v in ann["bbox"])
            kind, points = "rectangle", [x, y, x + w, y + h]
    except (KeyError, TypeError, ValueError, IndexError):
        raise FormatError(f"{source}: annotation {ann.get('id')!r} has no valid bbox") from None
    attributes = []
    for name, value in attrs.items():
        imported = import_attribute(label, name, value)
        if imported is not None:
            attributes.append(imported)
    return {
        "type": kind,
        "frame": frame,
        "label_id": label.id,
        "group": 0,
        "source": "file",
        "occluded": occluded,
        "outside": False,
        "z_order": 0,
        "rotation": rotation if kind == "rectangle" else 0.0,
        "points": points,
        "attributes": attributes,
        "elements": [],
    }


def _build_track(label: LabelInfo, items: list[tuple[JSON, bool]], size: int) -> JSON:
    items.sort(key=lambda item: int(item[0]["frame"]))
    shapes: list[JSON] = []
    previous: JSON | None = None
    for shape, keyframe in items:
        if previous is not None and int(shape["frame"]) - int(previous["frame"]) > 1:
            shapes.append(dict(previous, frame=int(previous["frame"]) + 1, outside=True))
        if keyframe or not shapes or shapes[-1].get("outside"):
            shapes.append(shape)
        previous = shape
    if previous is not None and int(previous["frame"]) + 1 < size:
        shapes.append(dict(previous, frame=int(previous["frame"]) + 1, outside=True))
    mutable = {a["id"] for a in label.spec.get("attributes") or [] if a.get("mutable")}
    first = shapes[0]
    track_shapes = [
        {
            "type": s["type"],
            "frame": s["frame"],
            "occluded": s["occluded"],
            "outside": s["outside"],
            "z_order": s["z_order"],
            "rotation": s["rotation"],
            "points": s["points"],
            "attributes": [a for a in s["attributes"] if a["spec_id"] in mutable],
        }
        for s in shapes
    ]
    return {
        "frame": first["frame"],
        "label_id": label.id,
        "group": 0,
        "source": "file",
        "shapes": track_shapes,
        "attributes": [a for a in first["attributes"] if a["spec_id"] not in mutable],
        "elements": [],
    }


def parse_coco(
    document: JSON, *, labels: Sequence[JSON], frames: Sequence[Any], source: str
) -> JSON:
    """Turn a COCO instances document into an API annotations dict."""
    index = LabelIndex(labels)
    matcher = FrameMatcher(frames)
    names = {int(c["id"]): str(c["name"]) for c in document["categories"]}
    image_frames: dict[int, int] = {}
    for image in document["images"]:
        image_frames[int(image["id"])] = matcher.require(str(image.get("file_name", "")))
    result = empty_annotations()
    tracks: dict[Any, tuple[LabelInfo, list[tuple[JSON, bool]]]] = {}
    for ann in document["annotations"]:
        if int(ann.get("image_id", -1)) not in image_frames:
            raise FormatError(f"{source}: annotation {ann.get('id')!r} refers to an unknown image")
        category = names.get(int(ann.get("category_id", -1)))
        if category is None:
            raise FormatError(f"{source}: annotation {ann.get('id')!r} has an unknown category")
        label = index.find(category)
        shape = _shape_from(ann, label, image_frames[int(ann["image_id"])], source)
        attrs = ann.get("attributes") or {}
        if "track_id" in attrs:
            entry = tracks.setdefault(attrs["track_id"], (label, []))
            entry[1].append((shape, bool(attrs.get("keyframe", True))))
        else:
            result["shapes"].append(shape)
    for label, items in tracks.values():
        result["tracks"].append(_build_track(label, items, len(frames)))
    return result


def find_instances(archive: zipfile.ZipFile) -> list[str]:
    """The COCO instances files inside an uploaded zip."""
    names = [
        n
        for n in archive.namelist()
        if n.lower().endswith(".json") and n.rsplit("/", 1)[-1].startswith("instances_")
    ]
    if not names:
        # CVAT's words: the folder is where the server unpacked the archive
        where = Path(str(archive.filename or "")).parent
        raise FormatError(f"Failed to find dataset 'coco_instances' at '{where}'")
    return names


def import_coco(path: Path, *, labels: Sequence[JSON], frames: Sequence[Any]) -> JSON:
    """Import a COCO 1.0 file: a zip with ``annotations/instances_*.json`` or a bare JSON."""
    result = empty_annotations()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in find_instances(archive):
                with archive.open(name) as data:
                    part = parse_coco(_load(data, name), labels=labels, frames=frames, source=name)
                for key in ("tags", "shapes", "tracks"):
                    result[key].extend(part[key])
        return result
    with path.open("rb") as data:
        return parse_coco(_load(data, path.name), labels=labels, frames=frames, source=path.name)
