"""Shared pieces of the dataset formats: label lookups, attribute values, track interpolation."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from cvat_client.testing.media import Frame

JSON = dict[str, Any]


class FormatError(Exception):
    """Raised for an unknown format name or a file that cannot be read in the given format."""

    #: The exception class a real CVAT reports this failure with, in a failed request's
    #: ``message``.
    cvat_error = "cvat.apps.dataset_manager.bindings.CvatImportError"

    def request_message(self) -> str:
        """The ``message`` of a failed import request, as a real CVAT words it."""
        return f"{self.cvat_error}: {self}\n"


class UnknownLabelError(FormatError):
    """A label the task does not have (a real CVAT reports a plain ``ValueError``)."""

    cvat_error = "ValueError"


class DatasetNotFoundError(FormatError):
    """An archive without the annotation file its format needs (CVAT's words and docs link)."""

    cvat_error = "cvat.apps.dataset_manager.bindings.CvatDatasetNotFoundError"

    def __init__(self, format_slug: str, pattern: str) -> None:
        super().__init__(
            f"Check [format docs](https://docs.cvat.ai/docs//manual/advanced/formats/"
            f'format-{format_slug}). Dataset must contain a file: "{pattern}"'
        )


@dataclass
class TaskExport:
    """One task's contribution to a dataset export.

    ``annotations`` is the task's API ``LabeledData`` (``version``, ``tags``, ``shapes``,
    ``tracks``) with frames relative to the task. ``deleted_frames`` (relative too) are left
    out of the export, images and annotations alike, as CVAT does. The other optional fields
    only feed the descriptive ``meta`` section of the CVAT XML file.
    """

    name: str
    frames: list[Frame]
    annotations: JSON
    subset: str = "default"
    id: int = 0
    mode: str = "annotation"
    overlap: int = 0
    bug_tracker: str = ""
    created: str = ""
    updated: str = ""
    start_frame: int = 0
    frame_step: int = 1
    frame_filter: str = ""
    owner: JSON | None = None
    assignee: JSON | None = None
    jobs: list[JSON] = field(default_factory=list)
    deleted_frames: frozenset[int] = frozenset()
    #: The task's video (a ``video.VideoSource``) when it is a video task, else ``None``.
    video: Any = None

    def frame_name(self, number: int, frame: Frame) -> str:
        """The frame's name in exports: its file name, or ``frame_000042`` in a video task."""
        if self.video is None:
            return frame.name
        return f"frame_{self.start_frame + number * self.frame_step:06d}"

    def kept_frames(self) -> Iterator[tuple[int, Frame]]:
        """``(frame number, frame)`` of the frames that are not deleted."""
        for number, frame in enumerate(self.frames):
            if number not in self.deleted_frames:
                yield number, frame


@dataclass
class LabelInfo:
    """A label (or a skeleton's sublabel) with its attribute specs, by id and by name."""

    id: int
    name: str
    spec: JSON
    parent: LabelInfo | None = None
    attrs_by_id: dict[int, JSON] = field(default_factory=dict)
    attrs_by_name: dict[str, JSON] = field(default_factory=dict)
    children: dict[str, LabelInfo] = field(default_factory=dict)


class LabelIndex:
    """Lookups over API ``Label`` dicts, sublabels included (in CVAT's creation order)."""

    def __init__(self, labels: Sequence[JSON]) -> None:
        self.ordered: list[LabelInfo] = []
        self.by_id: dict[int, LabelInfo] = {}
        self.roots: dict[str, LabelInfo] = {}
        for spec in labels:
            info = self._add(spec, None)
            self.roots.setdefault(info.name, info)
            for sub in spec.get("sublabels") or []:
                child = self._add(sub, info)
                info.children.setdefault(child.name, child)

    def _add(self, spec: JSON, parent: LabelInfo | None) -> LabelInfo:
        info = LabelInfo(id=int(spec["id"]), name=str(spec["name"]), spec=spec, parent=parent)
        for attr in spec.get("attributes") or []:
            info.attrs_by_id[int(attr["id"])] = attr
            info.attrs_by_name.setdefault(str(attr["name"]), attr)
        self.ordered.append(info)
        self.by_id[info.id] = info
        return info

    def get(self, label_id: int) -> LabelInfo:
        """The label with this id; a clear error for an id that is not one of the task's."""
        try:
            return self.by_id[int(label_id)]
        except (KeyError, TypeError, ValueError):
            raise FormatError(f"label_id {label_id!r} is not one of the task's labels") from None

    def find(self, name: str, parent: LabelInfo | None = None) -> LabelInfo:
        """The label (or sublabel of ``parent``) with this name, as CVAT's importers match it."""
        found = (parent.children if parent else self.roots).get(name)
        if found is None:
            raise UnknownLabelError(f"Label {name!r} is not registered for this task")
        return found


def attribute_values(label: LabelInfo, attributes: Sequence[JSON]) -> list[tuple[str, str]]:
    """``[{spec_id, value}]`` as ``(name, value)`` pairs, in the given order."""
    result = []
    for attr in attributes:
        spec = label.attrs_by_id.get(int(attr["spec_id"]))
        if spec is None:
            raise FormatError(
                f"Attribute spec_id {attr['spec_id']!r} does not belong to label {label.name!r}"
            )
        result.append((str(spec["name"]), str(attr["value"])))
    return result


def import_attribute(label: LabelInfo, name: str, value: Any) -> JSON | None:
    """A ``{spec_id, value}`` for a named attribute; ``None`` when the label has no such one."""
    spec = label.attrs_by_name.get(name)
    if spec is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer() and spec["input_type"] == "number":
        text = str(int(value))
    else:
        text = str(value)
    if spec["input_type"] == "checkbox":
        text = text.lower()
    return {"spec_id": int(spec["id"]), "value": text}


class FrameMatcher:
    """Maps file names from a dataset to task frame numbers, like CVAT's importers do.

    Names match without their extension; a name that matches no frame exactly is tried as a
    path suffix of the frames' names.
    """

    def __init__(self, frames: Sequence[Frame]) -> None:
        self._frames = frames
        self._by_stem = {_stem(f.name): i for i, f in enumerate(frames)}

    def match(self, name: str) -> int | None:
        """The frame number of a file name, or ``None``."""
        stem = _stem(name.replace("\\", "/"))
        if stem in self._by_stem:
            return self._by_stem[stem]
        parts = PurePosixPath(stem).parts
        for candidate, index in self._by_stem.items():
            cand_parts = PurePosixPath(candidate).parts
            if len(parts) <= len(cand_parts) and cand_parts[-len(parts) :] == parts:
                return index
            if len(cand_parts) < len(parts) and parts[-len(cand_parts) :] == cand_parts:
                return index
        return None

    def require(self, name: str, fallback: int | None = None) -> int:
        """Like :meth:`match`, with a frame-number fallback; a clear error when neither fits."""
        found = self.match(name)
        if found is None and fallback is not None and 0 <= fallback < len(self._frames):
            found = fallback
        if found is None:
            raise FormatError(f"Could not match item id: {_stem(name)!r} with any task frame")
        return found


def _stem(name: str) -> str:
    path = PurePosixPath(name)
    return str(path.with_suffix("")) if path.suffix else str(path)


# --- tracks -------------------------------------------------------------------------------


def _lerp(a: Sequence[float], b: Sequence[float], t: float) -> list[float]:
    return [float(x + (y - x) * t) for x, y in zip(a, b, strict=True)]


def _lerp_angle(a: float, b: float, t: float) -> float:
    delta = ((b - a + 180.0) % 360.0) - 180.0
    return (a + delta * t) % 360.0


def interpolate_track(track: JSON, stop: int) -> list[JSON]:
    """Per-frame shapes of a track on frames ``[first keyframe, stop)``.

    Rectangles, points, polylines, polygons, ellipses and cuboids are interpolated linearly
    between keyframes when the point counts agree (otherwise the previous keyframe is kept);
    after the last keyframe the shape stays until ``stop``. Each result carries ``frame``,
    ``outside``, ``keyframe`` and the attributes of the keyframe that opens its interval.
    """
    keyframes = sorted(track.get("shapes") or [], key=lambda s: int(s["frame"]))
    result: list[JSON] = []
    for index, start in enumerate(keyframes):
        first = int(start["frame"])
        nxt = keyframes[index + 1] if index + 1 < len(keyframes) else None
        last = int(nxt["frame"]) if nxt is not None else max(stop, first + 1)
        for frame in range(first, last):
            shape = copy.deepcopy(start)
            shape["frame"] = frame
            shape["keyframe"] = frame == first
            shape.setdefault("outside", False)
            if frame != first and nxt is not None and not start.get("outside"):
                t = (frame - first) / (int(nxt["frame"]) - first)
                if len(start["points"]) == len(nxt["points"]) and start["type"] != "mask":
                    shape["points"] = _lerp(start["points"], nxt["points"], t)
                shape["rotation"] = _lerp_angle(
                    float(start.get("rotation") or 0.0), float(nxt.get("rotation") or 0.0), t
                )
            result.append(shape)
    return [s for s in result if int(s["frame"]) < stop or s["keyframe"]]


@dataclass
class FlatShape:
    """A shape on one frame, from the shapes list or from a track (then with ``track_id``)."""

    shape: JSON
    label_id: int
    group: int
    source: str
    attributes: list[JSON]
    elements: list[FlatShape]
    track_id: int | None = None
    keyframe: bool = True


def flatten(annotations: JSON, stop: int) -> Iterator[tuple[int, FlatShape]]:
    """``(frame, shape)`` for every visible shape: plain shapes and interpolated track frames."""
    for shape in annotations.get("shapes") or []:
        yield int(shape["frame"]), _flat_plain(shape)
    for track_id, track in enumerate(annotations.get("tracks") or []):
        yield from _flat_track(track, stop, track_id)


def _flat_plain(shape: JSON) -> FlatShape:
    return FlatShape(
        shape=shape,
        label_id=int(shape["label_id"]),
        group=int(shape.get("group") or 0),
        source=str(shape.get("source") or "manual"),
        attributes=list(shape.get("attributes") or []),
        elements=[_flat_plain(e) for e in shape.get("elements") or []],
    )


def _flat_track(track: JSON, stop: int, track_id: int) -> Iterator[tuple[int, FlatShape]]:
    element_frames: list[dict[int, JSON]] = []
    for element in track.get("elements") or []:
        element_frames.append({int(s["frame"]): s for s in interpolate_track(element, stop)})
    elements = track.get("elements") or []
    for shape in interpolate_track(track, stop):
        frame = int(shape["frame"])
        if shape.get("outside") or frame >= stop:
            continue
        flat_elements = []
        for element, frames in zip(elements, element_frames, strict=True):
            element_shape = frames.get(frame)
            if element_shape is None:
                continue
            flat_elements.append(
                FlatShape(
                    shape=element_shape,
                    label_id=int(element["label_id"]),
                    group=int(track.get("group") or 0),
                    source=str(element.get("source") or "manual"),
                    attributes=list(element_shape.get("attributes") or [])
                    + list(element.get("attributes") or []),
                    elements=[],
                    track_id=track_id,
                    keyframe=bool(element_shape["keyframe"]),
                )
            )
        yield (
            frame,
            FlatShape(
                shape=shape,
                label_id=int(track["label_id"]),
                group=int(track.get("group") or 0),
                source=str(track.get("source") or "manual"),
                attributes=list(shape.get("attributes") or [])
                + list(track.get("attributes") or []),
                elements=flat_elements,
                track_id=track_id,
                keyframe=bool(shape["keyframe"]),
            ),
        )


def empty_annotations() -> JSON:
    """An API ``LabeledData`` with nothing in it."""
    return {"version": 0, "tags": [], "shapes": [], "tracks": []}
