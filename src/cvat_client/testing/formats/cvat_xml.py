"""The "CVAT for images 1.1" exporter and the "CVAT 1.1" importer.

Layout of an export: ``annotations.xml`` at the root of the zip and, with images,
``images/<frame name>`` (``images/<subset>/<frame name>`` for several tasks). The XML has the
``<annotations><version>1.1</version><meta>…</meta><image …>…</image>…</annotations>``
structure of CVAT 2.73, attributes formatted the same way (coordinates with two decimals,
``occluded="0"``, ``z_order``, ``group_id`` only when non-zero). Tracks are written as the
shapes they produce on each frame, as "CVAT for images" does; the importer also reads
``<track>`` elements of "CVAT for video" files.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from ._common import (
    JSON,
    DatasetNotFoundError,
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

XML_NAME = "annotations.xml"

_Meta = list[tuple[str, Any]]


class _Writer:
    """An indented XML writer with CVAT's layout (two spaces per level)."""

    def __init__(self, out: IO[bytes]) -> None:
        self._gen = XMLGenerator(out, "utf-8")
        self._level = 0

    def _indent(self) -> None:
        self._gen.ignorableWhitespace("\n" + "  " * self._level)

    def start_document(self, root: str) -> None:
        self._gen.startDocument()
        self._gen.startElement(root, AttributesImpl({}))
        self._level = 1

    def open(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self._indent()
        self._gen.startElement(tag, AttributesImpl(attrs or {}))
        self._level += 1

    def close(self, tag: str) -> None:
        self._level -= 1
        self._indent()
        self._gen.endElement(tag)

    def text_element(self, tag: str, text: str, attrs: dict[str, str] | None = None) -> None:
        self._indent()
        self._gen.startElement(tag, AttributesImpl(attrs or {}))
        self._gen.characters(text)
        self._gen.endElement(tag)

    def meta(self, items: _Meta) -> None:
        for key, value in items:
            if isinstance(value, list):
                self.open(key)
                self.meta(value)
                self.close(key)
            else:
                self.text_element(key, str(value))

    def end_document(self) -> None:
        self._level = 0
        self._indent()
        self._gen.endDocument()


def _fmt(value: float) -> str:
    return f"{float(value):.2f}"


def _labels_meta(index: LabelIndex) -> _Meta:
    labels: _Meta = []
    for info in index.ordered:
        spec = info.spec
        attrs: _Meta = [
            (
                "attribute",
                [
                    ("name", a["name"]),
                    ("mutable", str(bool(a.get("mutable", False)))),
                    ("input_type", a.get("input_type", "text")),
                    ("default_value", a.get("default_value", "")),
                    ("values", "\n".join(str(v) for v in a.get("values") or [])),
                ],
            )
            for a in spec.get("attributes") or []
        ]
        entry: _Meta = [
            ("name", info.name),
            ("color", spec.get("color", "")),
            ("type", spec.get("type", "any")),
            ("attributes", attrs),
        ]
        if info.parent is not None:
            entry.append(("parent", info.parent.name))
        if spec.get("type") == "skeleton":
            svg = str(spec.get("svg") or "")
            for child in info.children.values():
                svg = svg.replace(f'data-label-id="{child.id}"', f'data-label-name="{child.name}"')
            entry.append(("svg", svg))
        labels.append(("label", entry))
    return labels


def _person(person: JSON | None) -> Any:
    if not person:
        return ""
    return [("username", person.get("username", "")), ("email", person.get("email", ""))]


def _task_meta(task: TaskExport, index: LabelIndex | None) -> _Meta:
    size = len(task.frames)
    stop = task.start_frame + max(size - 1, 0) * task.frame_step
    segments: _Meta = [
        (
            "segment",
            [
                ("id", str(job.get("segment_id", job.get("id", 0)))),
                ("start", str(job.get("start_frame", 0))),
                ("stop", str(job.get("stop_frame", max(size - 1, 0)))),
                ("url", str(job.get("url", ""))),
            ],
        )
        for job in task.jobs
        if job.get("type", "annotation") == "annotation"
    ]
    meta: _Meta = [
        ("id", str(task.id)),
        ("name", task.name),
        ("size", str(size)),
        ("mode", task.mode),
        ("overlap", str(task.overlap)),
        ("bugtracker", task.bug_tracker),
        ("created", task.created),
        ("updated", task.updated),
        ("subset", task.subset or "default"),
        ("start_frame", str(task.start_frame)),
        ("stop_frame", str(stop)),
        ("frame_filter", task.frame_filter),
        ("segments", segments),
        ("owner", _person(task.owner)),
        ("assignee", _person(task.assignee)),
    ]
    if index is not None:
        meta.append(("labels", _labels_meta(index)))
    return meta


def _now() -> str:
    return str(datetime.now(UTC))


def _shape_attrs(flat: FlatShape, label: LabelInfo, *, element: bool) -> dict[str, str]:
    shape = flat.shape
    kind = shape["type"]
    points = [float(p) for p in shape.get("points") or []]
    data = {"label": label.name, "source": flat.source}
    if element:
        data["outside"] = str(int(bool(shape.get("outside", False))))
    if kind != "skeleton":
        data["occluded"] = str(int(bool(shape.get("occluded", False))))
    rotation = float(shape.get("rotation") or 0.0)
    if kind == "rectangle":
        data.update(zip(("xtl", "ytl", "xbr", "ybr"), map(_fmt, points[:4]), strict=True))
        if rotation:
            data["rotation"] = _fmt(rotation)
    elif kind == "ellipse":
        cx, cy, x2, y2 = points[:4]
        data.update(cx=_fmt(cx), cy=_fmt(cy), rx=_fmt(x2 - cx), ry=_fmt(cy - y2))
        if rotation:
            data["rotation"] = _fmt(rotation)
    elif kind == "cuboid":
        names = [
            f"{c}{n}"
            for n in ("1", "2")
            for c in ("xtl", "ytl", "xbl", "ybl", "xtr", "ytr", "xbr", "ybr")
        ]
        data.update(zip(names, map(_fmt, points[:16]), strict=True))
    elif kind == "mask":
        left, top, right, bottom = points[-4:]
        data["rle"] = ", ".join(str(int(v)) for v in points[:-4])
        data.update(
            left=str(int(left)),
            top=str(int(top)),
            width=str(int(right - left) + 1),
            height=str(int(bottom - top) + 1),
        )
    elif kind != "skeleton":
        pairs = zip(points[0::2], points[1::2], strict=True)
        data["points"] = ";".join(f"{_fmt(x)},{_fmt(y)}" for x, y in pairs)
    if not element:
        data["z_order"] = str(int(shape.get("z_order") or 0))
    if flat.group:
        data["group_id"] = str(flat.group)
    return data


_TAGS = {
    "rectangle": "box",
    "ellipse": "ellipse",
    "polygon": "polygon",
    "polyline": "polyline",
    "points": "points",
    "mask": "mask",
    "cuboid": "cuboid",
    "skeleton": "skeleton",
}


def _write_shape(writer: _Writer, flat: FlatShape, index: LabelIndex, *, element: bool) -> None:
    label = index.get(flat.label_id)
    kind = flat.shape["type"]
    if kind not in _TAGS:
        raise FormatError(f"Unknown shape type {kind!r}")
    tag = _TAGS[kind]
    writer.open(tag, _shape_attrs(flat, label, element=element))
    for child in flat.elements:
        _write_shape(writer, child, index, element=True)
    for name, value in attribute_values(label, flat.attributes):
        writer.text_element("attribute", value, {"name": name})
    writer.close(tag)


def _write_image(
    writer: _Writer,
    index: LabelIndex,
    attrs: dict[str, str],
    shapes: Sequence[FlatShape],
    tags: Sequence[JSON],
) -> None:
    writer.open("image", attrs)
    for flat in sorted(shapes, key=lambda f: int(f.shape.get("z_order") or 0)):
        _write_shape(writer, flat, index, element=False)
    for tag in tags:
        label = index.get(tag["label_id"])
        data = {"label": label.name, "source": str(tag.get("source") or "manual")}
        if tag.get("group"):
            data["group_id"] = str(tag["group"])
        writer.open("tag", data)
        for name, value in attribute_values(label, tag.get("attributes") or []):
            writer.text_element("attribute", value, {"name": name})
        writer.close("tag")
    writer.close("image")


def _by_frame(task: TaskExport) -> tuple[dict[int, list[FlatShape]], dict[int, list[JSON]]]:
    size = len(task.frames)
    shapes: dict[int, list[FlatShape]] = {}
    for frame, flat in flatten(task.annotations, size):
        if 0 <= frame < size:
            shapes.setdefault(frame, []).append(flat)
    tags: dict[int, list[JSON]] = {}
    for tag in task.annotations.get("tags") or []:
        if 0 <= int(tag["frame"]) < size:
            tags.setdefault(int(tag["frame"]), []).append(tag)
    return shapes, tags


def _write_head(
    writer: _Writer,
    name: str,
    index: LabelIndex,
    tasks: Sequence[TaskExport],
    task_meta: Callable[[TaskExport, LabelIndex | None], _Meta],
) -> None:
    """Open the document and write its ``version`` and ``meta`` (a task's, or a project's)."""
    writer.start_document("annotations")
    writer.text_element("version", "1.1")
    writer.open("meta")
    if len(tasks) == 1:
        writer.open("task")
        writer.meta(task_meta(tasks[0], index))
        writer.close("task")
    else:
        writer.open("project")
        project: _Meta = [
            ("name", name),
            ("labels", _labels_meta(index)),
            ("tasks", [("task", task_meta(task, None)) for task in tasks]),
        ]
        writer.meta(project)
        writer.close("project")
    writer.text_element("dumped", _now())
    writer.close("meta")


def write_annotations_xml(
    out: IO[bytes], *, name: str, labels: Sequence[JSON], tasks: Sequence[TaskExport]
) -> None:
    """Write ``annotations.xml`` for one task (task meta) or several (project meta)."""
    index = LabelIndex(labels)
    writer = _Writer(out)
    _write_head(writer, name, index, tasks, _task_meta)
    image_id = 0
    for task in tasks:
        shapes, tags = _by_frame(task)
        for number, frame in task.kept_frames():
            frame_name = task.frame_name(number, frame)
            attrs = {"id": str(task.start_frame + number * task.frame_step), "name": frame_name}
            if len(tasks) > 1:
                attrs = {
                    "id": str(image_id),
                    "name": frame_name,
                    "subset": task.subset or "default",
                    "task_id": str(task.id),
                }
            attrs.update(width=str(frame.width), height=str(frame.height))
            _write_image(writer, index, attrs, shapes.get(number, []), tags.get(number, []))
            image_id += 1
    writer.close("annotations")
    writer.end_document()


def export_cvat(
    archive: zipfile.ZipFile,
    *,
    name: str,
    labels: Sequence[JSON],
    tasks: Sequence[TaskExport],
    include_images: bool,
) -> None:
    """Write a "CVAT for images 1.1" dataset into an open zip archive."""
    with archive.open(XML_NAME, "w") as out:
        write_annotations_xml(out, name=name, labels=labels, tasks=tasks)
    if not include_images:
        return
    for task in tasks:
        prefix = "images/" if len(tasks) == 1 else f"images/{task.subset or 'default'}/"
        if task.video is not None:
            write_video_frames(archive, task, prefix)
            continue
        for _number, frame in task.kept_frames():
            archive.write(frame.path, prefix + frame.name)


# --- import -----------------------------------------------------------------------------


def _floats(text: str | None, what: str) -> list[float]:
    try:
        return [float(v) for v in (text or "").replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise FormatError(f"Malformed coordinates in <{what}>: {text!r}") from None


def _attr_float(el: ElementTree.Element, key: str) -> float:
    try:
        return float(el.attrib[key])
    except (KeyError, ValueError):
        raise FormatError(f"<{el.tag}> has a missing or malformed {key!r} attribute") from None


def _points_of(el: ElementTree.Element) -> tuple[str, list[float]]:
    tag = el.tag
    if tag == "box":
        return "rectangle", [_attr_float(el, k) for k in ("xtl", "ytl", "xbr", "ybr")]
    if tag == "ellipse":
        cx, cy = _attr_float(el, "cx"), _attr_float(el, "cy")
        return "ellipse", [cx, cy, cx + _attr_float(el, "rx"), cy - _attr_float(el, "ry")]
    if tag == "cuboid":
        keys = [
            f"{c}{n}"
            for n in ("1", "2")
            for c in ("xtl", "ytl", "xbl", "ybl", "xtr", "ytr", "xbr", "ybr")
        ]
        return "cuboid", [_attr_float(el, k) for k in keys]
    if tag == "mask":
        rle = _floats(el.attrib.get("rle"), "mask")
        left, top = _attr_float(el, "left"), _attr_float(el, "top")
        width, height = _attr_float(el, "width"), _attr_float(el, "height")
        return "mask", [*rle, left, top, left + width - 1, top + height - 1]
    if tag == "skeleton":
        return "skeleton", []
    if tag in ("polygon", "polyline", "points"):
        return tag, _floats(el.attrib.get("points"), tag)
    raise FormatError(f"Unknown annotation element <{tag}>")


_SHAPE_TAGS = {"box", "ellipse", "polygon", "polyline", "points", "mask", "cuboid", "skeleton"}


def _flag(el: ElementTree.Element, key: str) -> bool:
    return el.attrib.get(key, "0").strip().lower() in ("1", "true")


def _attributes(el: ElementTree.Element, label: LabelInfo) -> list[JSON]:
    result = []
    for attr in el.findall("attribute"):
        imported = import_attribute(label, attr.attrib.get("name", ""), attr.text or "")
        if imported is not None:
            result.append(imported)
    return result


def _shape(el: ElementTree.Element, index: LabelIndex, parent: LabelInfo | None) -> JSON:
    label = index.find(el.attrib.get("label", ""), parent)
    kind, points = _points_of(el)
    shape: JSON = {
        "type": kind,
        "occluded": _flag(el, "occluded"),
        "outside": _flag(el, "outside"),
        "z_order": int(el.attrib.get("z_order", 0)),
        "rotation": float(el.attrib.get("rotation", 0.0)),
        "points": points,
        "label_id": label.id,
        "group": int(el.attrib.get("group_id", 0)),
        "source": el.attrib.get("source", "manual"),
        "attributes": _attributes(el, label),
        "elements": [_shape(child, index, label) for child in el if child.tag in _SHAPE_TAGS],
    }
    return shape


def _track(
    el: ElementTree.Element,
    index: LabelIndex,
    matcher_size: int,
    start_frame: int = 0,
    frame_step: int = 1,
) -> JSON:
    label = index.find(el.attrib.get("label", ""))
    shapes: list[JSON] = []
    for child in el:
        if child.tag not in _SHAPE_TAGS:
            continue
        kind, points = _points_of(child)
        frame, off_step = divmod(int(child.attrib.get("frame", -1)) - start_frame, frame_step)
        if off_step or not 0 <= frame < matcher_size:
            continue
        attrs = _attributes(child, label)
        shapes.append(
            {
                "type": kind,
                "frame": frame,
                "occluded": _flag(child, "occluded"),
                "outside": _flag(child, "outside"),
                "z_order": int(child.attrib.get("z_order", 0)),
                "rotation": float(child.attrib.get("rotation", 0.0)),
                "points": points,
                "attributes": [a for a in attrs if label.attrs_by_id[a["spec_id"]].get("mutable")],
                "_immutable": [
                    a for a in attrs if not label.attrs_by_id[a["spec_id"]].get("mutable")
                ],
            }
        )
    if not shapes:
        raise FormatError(f"Track {el.attrib.get('id', '?')!r} has no shapes inside the task")
    immutable = shapes[0]["_immutable"]
    for shape in shapes:
        del shape["_immutable"]
    return {
        "frame": min(int(s["frame"]) for s in shapes),
        "label_id": label.id,
        "group": int(el.attrib.get("group_id", 0)),
        "source": el.attrib.get("source", "manual"),
        "shapes": shapes,
        "attributes": immutable,
        "elements": [],
    }


def _iter_images(root: ElementTree.Element) -> Iterator[ElementTree.Element]:
    yield from root.iter("image")


def parse_cvat_xml(
    data: IO[bytes],
    *,
    labels: Sequence[JSON],
    frames: Sequence[Any],
    start_frame: int = 0,
    frame_step: int = 1,
) -> JSON:
    """Read a CVAT XML document (images or video flavour) into an API annotations dict.

    Track frames are the task's absolute frame numbers (``start_frame + i * frame_step``).
    """
    try:
        root = ElementTree.parse(data).getroot()
    except ElementTree.ParseError as exc:
        raise FormatError(f"The annotation file is not valid XML: {exc}") from None
    if root.tag != "annotations":
        raise FormatError("Expected an <annotations> root element in the CVAT XML file")
    index = LabelIndex(labels)
    matcher = FrameMatcher(frames)
    result = empty_annotations()
    for image in _iter_images(root):
        raw_id = image.attrib.get("id")
        fallback = int(raw_id) if raw_id is not None and raw_id.lstrip("-").isdigit() else None
        frame = matcher.require(image.attrib.get("name", ""), fallback)
        for el in image:
            if el.tag in _SHAPE_TAGS:
                shape = _shape(el, index, None)
                shape["frame"] = frame
                for element in shape["elements"]:
                    element["frame"] = frame
                result["shapes"].append(shape)
            elif el.tag == "tag":
                label = index.find(el.attrib.get("label", ""))
                result["tags"].append(
                    {
                        "frame": frame,
                        "label_id": label.id,
                        "group": int(el.attrib.get("group_id", 0)),
                        "source": el.attrib.get("source", "manual"),
                        "attributes": _attributes(el, label),
                    }
                )
    for track in root.iter("track"):
        result["tracks"].append(_track(track, index, len(frames), start_frame, frame_step))
    return result


def find_xml(archive: zipfile.ZipFile) -> str:
    """The annotation XML inside an uploaded zip (``annotations.xml`` or the first ``*.xml``)."""
    names = [n for n in archive.namelist() if n.lower().endswith(".xml")]
    if not names:
        raise DatasetNotFoundError("cvat", "*.xml")
    for name in names:
        if name.rsplit("/", 1)[-1] == XML_NAME:
            return name
    return names[0]


def import_cvat(
    path: Path,
    *,
    labels: Sequence[JSON],
    frames: Sequence[Any],
    start_frame: int = 0,
    frame_step: int = 1,
) -> JSON:
    """Import a CVAT 1.1 file: a zip holding the XML, or a bare ``.xml``."""
    kwargs: dict[str, Any] = {"start_frame": start_frame, "frame_step": frame_step}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive, archive.open(find_xml(archive)) as data:
            return parse_cvat_xml(data, labels=labels, frames=frames, **kwargs)
    with path.open("rb") as data:
        return parse_cvat_xml(data, labels=labels, frames=frames, **kwargs)


def write_video_frames(archive: zipfile.ZipFile, task: TaskExport, prefix: str) -> None:
    """Write a video task's kept frames as ``<prefix>frame_000042.PNG`` images."""
    from cvat_client.testing.video import iter_source_frames

    kept = [number for number, _frame in task.kept_frames()]
    for number, image in zip(kept, iter_source_frames(task.video, kept), strict=True):
        with archive.open(
            f"{prefix}{task.frame_name(number, task.frames[number])}.PNG", "w"
        ) as out:
            image.save(out, format="PNG")
