"""The "CVAT for video 1.1" exporter (export-only in CVAT; files import back as "CVAT 1.1").

The XML is ``annotations.xml`` with the task meta of "CVAT for images" plus
``<original_size>`` and ``<source>`` (the video file) for video tasks, then one ``<track>``
per annotation track and per plain shape, as CVAT 2.73 writes it:

* a track lists its shape on every frame from its first keyframe to the end of the task
  (interpolated between keyframes, ``keyframe="0"`` on the frames in between); after an
  ``outside`` keyframe nothing is listed until the next keyframe;
* a plain shape becomes a track with its shape as a keyframe and, when the task has a next
  frame, an ``outside`` keyframe there;
* frame numbers are the task's absolute ones (``start_frame + i * frame_step``).

Tags are written as ``<tag frame=…>`` elements after the tracks.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from typing import Any

from ._common import (
    JSON,
    FlatShape,
    FormatError,
    LabelIndex,
    TaskExport,
    attribute_values,
    interpolate_track,
)
from .cvat_xml import (
    _TAGS,
    XML_NAME,
    _Meta,
    _shape_attrs,
    _task_meta,
    _write_head,
    _Writer,
    write_video_frames,
)

__all__ = ["export_cvat_video"]


def _video_meta(task: TaskExport, index: LabelIndex | None) -> _Meta:
    meta = _task_meta(task, index)
    if task.video is not None:
        size = [("width", str(task.video.width)), ("height", str(task.video.height))]
        meta.append(("original_size", size))
        meta.append(("source", task.video.name))
    elif task.frames:
        first = task.frames[0]
        meta.append(("original_size", [("width", str(first.width)), ("height", str(first.height))]))
    return meta


def _track_boxes(track: JSON, size: int) -> list[JSON]:
    """The per-frame shapes CVAT lists for a track: nothing after ``outside`` until a keyframe."""
    return [
        shape
        for shape in interpolate_track(track, size)
        if int(shape["frame"]) < size and (shape["keyframe"] or not shape.get("outside"))
    ]


def _shape_track(shape: JSON, size: int) -> JSON:
    """A plain shape as CVAT's video format writes it: a one-frame track."""
    keyframe = dict(shape, keyframe=True, outside=False)
    shapes = [keyframe]
    if int(shape["frame"]) + 1 < size:
        shapes.append(dict(keyframe, frame=int(shape["frame"]) + 1, outside=True))
    return {
        "label_id": shape["label_id"],
        "group": shape.get("group") or 0,
        "source": shape.get("source") or "manual",
        "attributes": [],
        "shapes": shapes,
    }


def _write_track(
    writer: _Writer,
    index: LabelIndex,
    task: TaskExport,
    track_id: int,
    track: JSON,
    extra: dict[str, str],
) -> None:
    if track.get("elements") or any(s.get("type") == "skeleton" for s in track["shapes"]):
        raise FormatError("The test server does not export skeleton tracks as CVAT for video")
    label = index.get(int(track["label_id"]))
    attrs = {"id": str(track_id), "label": label.name, "source": str(track.get("source"))}
    attrs.update(extra)
    if track.get("group"):
        attrs["group_id"] = str(track["group"])
    writer.open("track", attrs)
    for shape in _track_boxes(track, len(task.frames)):
        number = int(shape["frame"])
        if number in task.deleted_frames:
            continue
        kind = shape["type"]
        if kind not in _TAGS:
            raise FormatError(f"Unknown shape type {kind!r}")
        flat = FlatShape(
            shape=shape,
            label_id=label.id,
            group=0,
            source="",
            attributes=list(shape.get("attributes") or []),
            elements=[],
        )
        data = {
            "frame": str(task.start_frame + number * task.frame_step),
            "keyframe": str(int(bool(shape["keyframe"]))),
            "outside": str(int(bool(shape.get("outside")))),
        }
        for key, value in _shape_attrs(flat, label, element=False).items():
            if key not in ("label", "source", "group_id"):
                data[key] = value
        writer.open(_TAGS[kind], data)
        values = list(track.get("attributes") or []) + list(shape.get("attributes") or [])
        for name, value in attribute_values(label, values):
            writer.text_element("attribute", value, {"name": name})
        writer.close(_TAGS[kind])
    writer.close("track")


def write_video_xml(
    out: Any, *, name: str, labels: Sequence[JSON], tasks: Sequence[TaskExport]
) -> None:
    """Write the "CVAT for video 1.1" ``annotations.xml`` of one task or a project's tasks."""
    index = LabelIndex(labels)
    writer = _Writer(out)
    _write_head(writer, name, index, tasks, _video_meta)
    track_id = 0
    for task in tasks:
        extra = {} if len(tasks) == 1 else {"task_id": str(task.id), "subset": task.subset}
        tracks = list(task.annotations.get("tracks") or [])
        shapes = sorted(task.annotations.get("shapes") or [], key=lambda s: int(s["frame"]))
        for track in tracks + [_shape_track(s, len(task.frames)) for s in shapes]:
            _write_track(writer, index, task, track_id, track, extra)
            track_id += 1
        for tag in task.annotations.get("tags") or []:
            number = int(tag["frame"])
            if number in task.deleted_frames:
                continue
            label = index.get(int(tag["label_id"]))
            data = {
                "frame": str(task.start_frame + number * task.frame_step),
                "label": label.name,
                "source": str(tag.get("source") or "manual"),
            }
            writer.open("tag", data)
            for attr_name, value in attribute_values(label, tag.get("attributes") or []):
                writer.text_element("attribute", value, {"name": attr_name})
            writer.close("tag")
    writer.close("annotations")
    writer.end_document()


def export_cvat_video(
    archive: zipfile.ZipFile,
    *,
    name: str,
    labels: Sequence[JSON],
    tasks: Sequence[TaskExport],
    include_images: bool,
) -> None:
    """Write a "CVAT for video 1.1" dataset into an open zip archive."""
    with archive.open(XML_NAME, "w") as out:
        write_video_xml(out, name=name, labels=labels, tasks=tasks)
    if not include_images:
        return
    for task in tasks:
        prefix = "images/" if len(tasks) == 1 else f"images/{task.subset or 'default'}/"
        if task.video is not None:
            write_video_frames(archive, task, prefix)
            continue
        for _number, frame in task.kept_frames():
            archive.write(frame.path, prefix + frame.name)
