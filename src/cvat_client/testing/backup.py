"""Task and project backups in CVAT 2.73's layout.

A task backup is a zip with

* ``task.json``: the task (``name, bug_tracker, status, subset, labels``), ``version: "1.0"``,
  ``data`` (chunk size, image quality, frame range, chunk type, storage, sorting method,
  deleted frames) and ``jobs`` (``status, type, start_frame, stop_frame, frames``, in job order);
* ``annotations.json``: one ``LabeledData`` per job, labels and attributes referenced by *name*
  (``label``, ``attributes: [{name, value}]``) and only the fields CVAT keeps;
* ``data/``: the media files under their task names, plus ``data/manifest.jsonl`` (the image
  manifest, version 1.1) and never ``index.json``.

A project backup is a zip with ``project.json`` (``name, bug_tracker, status, labels``,
``version``) and one ``task_<n>/`` folder per task holding the task layout above.

Backups read here come back with provisional label and attribute ids (1, 2, … in label order,
sublabels included) and annotations that use them; :func:`remap_annotations` rewrites such
annotations to the ids of labels created from them, matching by name.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from cvat_client.testing.formats._common import interpolate_track
from cvat_client.testing.media import Frame, MediaError
from cvat_client.testing.video import extract_task_media

__all__ = [
    "BACKUP_VERSION",
    "BackupError",
    "ProjectBackup",
    "TaskBackup",
    "read_project_backup",
    "read_task_backup",
    "remap_annotations",
    "write_project_backup",
    "write_task_backup",
]

JSON = dict[str, Any]

BACKUP_VERSION = "1.0"
TASK_MANIFEST = "task.json"
PROJECT_MANIFEST = "project.json"
ANNOTATIONS_FILE = "annotations.json"
DATA_DIR = "data"
MEDIA_MANIFEST = "manifest.jsonl"
MEDIA_INDEX = "index.json"
MANIFEST_VERSION = "1.1"
_TASK_DIR_RE = re.compile(r"task_(\d+)/")

_LABEL_KEYS = ("name", "color", "attributes", "type", "svg", "sublabels")
_ATTRIBUTE_KEYS = ("name", "mutable", "input_type", "default_value", "values")
_SHAPE_KEYS = {
    "label",
    "label_id",
    "type",
    "occluded",
    "outside",
    "z_order",
    "points",
    "rotation",
    "frame",
    "group",
    "source",
    "attributes",
    "shapes",
    "elements",
}


class BackupError(Exception):
    """Raised when a file is not a CVAT backup or cannot be restored."""


@dataclass
class TaskBackup:
    """A task as a backup holds it.

    ``labels`` are API-like label dicts; ``annotations`` is a task-level API annotations dict
    whose ``label_id``/``spec_id`` refer to ``labels``; ``frames`` are the restored media.
    """

    task: JSON
    labels: list[JSON]
    data: JSON
    frames: list[Frame]
    jobs: list[JSON]
    annotations: JSON
    #: The restored video (a ``video.VideoSource``) of a video task, else ``None``.
    video: Any = None


@dataclass
class ProjectBackup:
    """A project backup: the project, its labels and its tasks (labels shared with the project)."""

    project: JSON
    labels: list[JSON]
    tasks: list[TaskBackup] = field(default_factory=list)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# --- labels ------------------------------------------------------------------------------


def _backup_label(label: Mapping[str, Any]) -> JSON:
    """A label as ``task.json``/``project.json`` store it (no ids; svg by sublabel name)."""
    result: JSON = {}
    for key in _LABEL_KEYS:
        if key == "attributes":
            result[key] = [
                {k: a[k] for k in _ATTRIBUTE_KEYS if k in a} for a in label.get(key) or []
            ]
        elif key == "sublabels":
            result[key] = [_backup_label(s) for s in label.get(key) or []]
        elif key == "svg":
            if label.get("type") == "skeleton" or label.get("svg"):
                svg = str(label.get("svg") or "")
                for sub in label.get("sublabels") or []:
                    svg = svg.replace(
                        f'data-label-id="{sub.get("id")}"', f'data-label-name="{sub["name"]}"'
                    )
                result[key] = svg
        elif key in label:
            result[key] = label[key]
    return result


class _Ids:
    def __init__(self) -> None:
        self.label = 0
        self.attribute = 0


def _restored_label(label: Mapping[str, Any], ids: _Ids, *, parent: bool = False) -> JSON:
    """A backup label with provisional ids (and the svg pointing at the sublabels' ids)."""
    if not isinstance(label, Mapping) or not isinstance(label.get("name"), str):
        raise BackupError("Invalid label in the backup: every label needs a name")
    ids.label += 1
    result: JSON = {
        "id": ids.label,
        "name": label["name"],
        "color": label.get("color", ""),
        "type": label.get("type", "any"),
        "attributes": [],
        "sublabels": [],
        "has_parent": parent,
    }
    for attr in label.get("attributes") or []:
        ids.attribute += 1
        result["attributes"].append(
            {
                "id": ids.attribute,
                "name": attr["name"],
                "mutable": bool(attr.get("mutable", False)),
                "input_type": attr.get("input_type", "text"),
                "default_value": attr.get("default_value", ""),
                "values": list(attr.get("values") or []),
            }
        )
    svg = str(label.get("svg") or "")
    for sub in label.get("sublabels") or []:
        child = _restored_label(sub, ids, parent=True)
        svg = svg.replace(f'data-label-name="{child["name"]}"', f'data-label-id="{child["id"]}"')
        result["sublabels"].append(child)
    if result["type"] == "skeleton" or svg:
        result["svg"] = svg
    return result


class _Names:
    """Label and attribute lookups by id and by (parent-prefixed) name."""

    def __init__(self, labels: Sequence[Mapping[str, Any]]) -> None:
        self.name_of: dict[int, str] = {}
        self.id_of: dict[str, int] = {}
        self.attr_name: dict[int, dict[int, str]] = {}
        self.attr_id: dict[int, dict[str, int]] = {}
        for label in labels:
            self._add(label, "")
            for sub in label.get("sublabels") or []:
                self._add(sub, str(label["name"]))

    def _add(self, label: Mapping[str, Any], prefix: str) -> None:
        label_id = int(label["id"])
        self.name_of[label_id] = str(label["name"])
        self.id_of[prefix + str(label["name"])] = label_id
        attrs = label.get("attributes") or []
        self.attr_name[label_id] = {int(a["id"]): str(a["name"]) for a in attrs}
        self.attr_id[label_id] = {str(a["name"]): int(a["id"]) for a in attrs}

    def label_id(self, name: str) -> int:
        try:
            return self.id_of[name]
        except KeyError:
            raise BackupError(f"The backup's annotations use an unknown label {name!r}") from None


# --- annotations ---------------------------------------------------------------------------


def _to_names(obj: JSON, names: _Names) -> JSON:
    """An API shape/track/tag with ``label`` and attribute names, limited to CVAT's fields."""
    label_id = int(obj["label_id"])
    result = {k: copy.deepcopy(v) for k, v in obj.items() if k in _SHAPE_KEYS and k != "label_id"}
    result["label"] = names.name_of[label_id]
    attr_names = names.attr_name.get(label_id, {})
    result["attributes"] = [
        {"value": a["value"], "name": attr_names[int(a["spec_id"])]}
        for a in obj.get("attributes") or []
        if int(a["spec_id"]) in attr_names
    ]
    if "shapes" in obj:
        result["shapes"] = [
            {
                **{k: copy.deepcopy(v) for k, v in s.items() if k in _SHAPE_KEYS},
                "attributes": [
                    {"value": a["value"], "name": attr_names[int(a["spec_id"])]}
                    for a in s.get("attributes") or []
                    if int(a["spec_id"]) in attr_names
                ],
            }
            for s in obj["shapes"]
        ]
    if "elements" in obj:
        result["elements"] = [_to_names(e, names) for e in obj.get("elements") or []]
    return result


def _from_names(obj: JSON, names: _Names, parent: str = "") -> JSON:
    """The inverse of :func:`_to_names`: names back to provisional ids."""
    if not isinstance(obj, dict) or not isinstance(obj.get("label"), str):
        raise BackupError("Invalid annotations.json: every annotation needs a 'label' name")
    result = {k: v for k, v in obj.items() if k in _SHAPE_KEYS and k != "label"}
    label_id = names.label_id(parent + obj["label"])
    result["label_id"] = label_id
    attr_ids = names.attr_id.get(label_id, {})

    def convert(attrs: Iterable[JSON]) -> list[JSON]:
        return [
            {"spec_id": attr_ids[a["name"]], "value": str(a["value"])}
            for a in attrs
            if a.get("name") in attr_ids
        ]

    result["attributes"] = convert(obj.get("attributes") or [])
    if "shapes" in obj:
        result["shapes"] = [
            {**s, "attributes": convert(s.get("attributes") or [])} for s in obj["shapes"]
        ]
    if "elements" in obj:
        result["elements"] = [
            _from_names(e, names, parent + obj["label"]) for e in obj.get("elements") or []
        ]
    return result


def _track_slice(track: JSON, start: int, stop: int) -> JSON | None:
    """The part of a track a job ``[start, stop]`` holds; ``None`` when it is not there."""
    keyframes = sorted(track.get("shapes") or [], key=lambda s: int(s["frame"]))
    inside = [s for s in keyframes if start <= int(s["frame"]) <= stop]
    if not inside or int(inside[0]["frame"]) != start:
        at_start = [s for s in interpolate_track(track, stop + 1) if int(s["frame"]) == start]
        if at_start and not at_start[0].get("outside"):
            opening = {k: v for k, v in at_start[0].items() if k != "keyframe"}
            inside.insert(0, opening)
    if not inside:
        return None
    result = dict(track, shapes=inside, frame=int(inside[0]["frame"]))
    elements = []
    for element in track.get("elements") or []:
        part = _track_slice(element, start, stop)
        if part is not None:
            elements.append(part)
    result["elements"] = elements
    return result


def _job_annotations(annotations: JSON, start: int, stop: int) -> JSON:
    def inside(obj: JSON) -> bool:
        return start <= int(obj["frame"]) <= stop

    tracks = []
    for track in annotations.get("tracks") or []:
        part = _track_slice(track, start, stop)
        if part is not None:
            tracks.append(part)
    return {
        "version": int(annotations.get("version") or 0),
        "tags": [t for t in annotations.get("tags") or [] if inside(t)],
        "shapes": [s for s in annotations.get("shapes") or [] if inside(s)],
        "tracks": tracks,
    }


def _job_range(job: Mapping[str, Any], size: int) -> tuple[int, int]:
    return int(job.get("start_frame", 0)), int(job.get("stop_frame", size - 1))


def _annotation_jobs(jobs: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(jobs, key=lambda j: int(j.get("id") or 0))


# --- writing -------------------------------------------------------------------------------


def _manifest_lines(frames: Sequence[Frame]) -> bytes:
    lines = [
        _dumps({"version": MANIFEST_VERSION}),
        _dumps({"type": "images"}),
    ]
    for frame in frames:
        path = PurePosixPath(frame.name)
        lines.append(
            _dumps(
                {
                    "name": str(path.with_suffix("")),
                    "extension": path.suffix,
                    "width": frame.width,
                    "height": frame.height,
                }
            )
        )
    return b"\n".join(lines) + b"\n"


def _is_video(data: Mapping[str, Any]) -> bool:
    return data.get("original_chunk_type") == "video"


def _data_meta(data: Mapping[str, Any], frames: Sequence[Frame]) -> JSON:
    subset = bool(int(data.get("start_frame") or 0) or data.get("frame_filter"))
    if _is_video(data):
        subset = False  # the whole video is stored: its frame range stays
    meta: JSON = {
        "chunk_size": int(data.get("chunk_size") or data.get("data_chunk_size") or 72),
        "image_quality": int(data.get("image_quality") or 70),
    }
    if _is_video(data):
        meta["start_frame"] = int(data.get("start_frame") or 0)
        meta["stop_frame"] = int(data.get("stop_frame") or 0)
        meta["frame_filter"] = str(data.get("frame_filter") or "")
    elif not subset:
        # Only the task's frames are stored, so a frame range that selected a subset of the
        # uploaded files is dropped: restoring the stored files gives the same frames.
        meta["start_frame"] = 0
        meta["stop_frame"] = max(len(frames) - 1, 0)
    sorting = str(data.get("sorting_method") or "lexicographical")
    meta.update(
        storage_method=str(data.get("storage_method") or "cache"),
        storage="local",
        sorting_method="predefined" if sorting == "random" else sorting,
        chunk_type=str(data.get("chunk_type") or data.get("compressed_chunk_type") or "imageset"),
        deleted_frames=[int(f) for f in data.get("deleted_frames") or []],
    )
    return meta


def _task_meta(
    task: Mapping[str, Any],
    labels: Sequence[Mapping[str, Any]],
    data: Mapping[str, Any],
    frames: Sequence[Frame],
    jobs: Sequence[Mapping[str, Any]],
) -> JSON:
    meta: JSON = {
        "name": task.get("name", ""),
        "bug_tracker": task.get("bug_tracker") or "",
        "status": task.get("status") or "annotation",
        "subset": task.get("subset") or "",
        "labels": [_backup_label(label) for label in labels],
    }
    if task.get("consensus_enabled") and task.get("consensus_replicas"):
        meta["consensus_replicas"] = int(task["consensus_replicas"])
    meta["version"] = BACKUP_VERSION
    meta["data"] = _data_meta(data, frames)
    job_list = []
    for job in _annotation_jobs(jobs):
        start, stop = _job_range(job, len(frames))
        job_list.append(
            {
                "status": job.get("status") or "annotation",
                "type": job.get("type") or "annotation",
                "start_frame": start,
                "stop_frame": stop,
                "frames": [int(f) for f in job.get("frames") or []],
            }
        )
    if not job_list:
        job_list.append(
            {
                "status": "annotation",
                "type": "annotation",
                "start_frame": 0,
                "stop_frame": max(len(frames) - 1, 0),
                "frames": [],
            }
        )
    meta["jobs"] = job_list
    return meta


def _write_task(
    archive: zipfile.ZipFile,
    prefix: str,
    *,
    task: Mapping[str, Any],
    labels: Sequence[Mapping[str, Any]],
    data: Mapping[str, Any],
    frames: Sequence[Frame],
    jobs: Sequence[Mapping[str, Any]],
    annotations: JSON,
) -> None:
    if _is_video(data):
        # the video file once; no manifest: CVAT builds a video manifest when it restores
        archive.write(frames[0].path, f"{prefix}{DATA_DIR}/{frames[0].name}")
    else:
        for frame in frames:
            archive.write(frame.path, f"{prefix}{DATA_DIR}/{frame.name}")
        archive.writestr(f"{prefix}{DATA_DIR}/{MEDIA_MANIFEST}", _manifest_lines(frames))
    meta = _task_meta(task, labels, data, frames, jobs)
    archive.writestr(prefix + TASK_MANIFEST, _dumps(meta))
    names = _Names(labels)
    per_job = []
    for job in meta["jobs"]:
        part = _job_annotations(annotations, job["start_frame"], job["stop_frame"])
        if job["type"] != "annotation":
            part = {"version": part["version"], "tags": [], "shapes": [], "tracks": []}
        per_job.append(
            {
                "version": part["version"],
                "tags": [_to_names(t, names) for t in part["tags"]],
                "shapes": [_to_names(s, names) for s in part["shapes"]],
                "tracks": [_to_names(t, names) for t in part["tracks"]],
            }
        )
    archive.writestr(prefix + ANNOTATIONS_FILE, _dumps(per_job))


def write_task_backup(
    out: BinaryIO,
    *,
    task: dict[str, Any],
    labels: list[dict[str, Any]],
    data: dict[str, Any],
    frames: list[Frame],
    jobs: list[dict[str, Any]],
    annotations: dict[str, Any],
) -> None:
    """Write a task backup zip to ``out`` (media streamed from the frames' files).

    ``task`` is a TaskRead-like dict, ``labels`` the task's API labels, ``data`` the data
    parameters, ``jobs`` the API jobs (their ``start_frame``/``stop_frame`` split the
    task-level ``annotations`` into the per-job lists CVAT stores).
    """
    with zipfile.ZipFile(out, "w") as archive:
        _write_task(
            archive,
            "",
            task=task,
            labels=labels,
            data=data,
            frames=frames,
            jobs=jobs,
            annotations=annotations,
        )


def _task_input(item: TaskBackup | Mapping[str, Any]) -> TaskBackup:
    if isinstance(item, TaskBackup):
        return item
    return TaskBackup(
        task=dict(item.get("task") or {}),
        labels=list(item.get("labels") or []),
        data=dict(item.get("data") or {}),
        frames=list(item["frames"]),
        jobs=list(item.get("jobs") or []),
        annotations=dict(item.get("annotations") or {}),
    )


def write_project_backup(
    out: BinaryIO,
    *,
    project: dict[str, Any],
    labels: list[dict[str, Any]],
    tasks: Sequence[TaskBackup | Mapping[str, Any]],
) -> None:
    """Write a project backup: ``project.json`` and a ``task_<n>/`` folder per task.

    ``tasks`` are :class:`TaskBackup` objects or mappings with the same keys; their
    annotations refer to the project's ``labels``.
    """
    meta: JSON = {
        "name": project.get("name", ""),
        "bug_tracker": project.get("bug_tracker") or "",
        "status": project.get("status") or "annotation",
        "labels": [_backup_label(label) for label in labels],
        "version": BACKUP_VERSION,
    }
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(PROJECT_MANIFEST, _dumps(meta))
        for index, item in enumerate(tasks):
            entry = _task_input(item)
            _write_task(
                archive,
                f"task_{index}/",
                task=entry.task,
                labels=labels,
                data=entry.data,
                frames=entry.frames,
                jobs=entry.jobs,
                annotations=entry.annotations,
            )


# --- reading -------------------------------------------------------------------------------


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise BackupError(f"The file {Path(path).name!r} is not a zip archive") from None


def _read_json(archive: zipfile.ZipFile, name: str, what: str) -> Any:
    try:
        with archive.open(name) as raw:
            return json.load(raw)
    except KeyError:
        raise BackupError(f"The archive is not a CVAT {what} backup: {name} is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"Invalid {name} in the backup: {exc}") from None


def _check_version(manifest: Mapping[str, Any], name: str) -> None:
    version = manifest.get("version")
    if version != BACKUP_VERSION:
        raise BackupError(f"{version} version is not supported (in {name})")


def _copy_data(
    archive: zipfile.ZipFile, prefix: str, media_dir: Path
) -> tuple[list[Path], Path | None]:
    """Stream the ``data/`` entries into ``media_dir``; the media files and the manifest."""
    files: list[Path] = []
    manifest: Path | None = None
    data_prefix = f"{prefix}{DATA_DIR}/"
    for info in archive.infolist():
        if info.is_dir() or not info.filename.startswith(data_prefix):
            continue
        relative = info.filename[len(data_prefix) :]
        parts = [p for p in relative.split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            raise BackupError(f"Unsafe file name {info.filename!r} in the backup")
        if relative == MEDIA_INDEX:
            continue
        target = media_dir.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        if relative == MEDIA_MANIFEST:
            manifest = target
        else:
            files.append(target)
    return files, manifest


def _manifest_order(manifest: Path, media_dir: Path, files: list[Path]) -> list[Path]:
    """Order media files as the manifest lists them (files it does not list come last)."""
    by_name = {p.relative_to(media_dir).as_posix(): p for p in files}
    ordered: list[Path] = []
    with manifest.open("rb") as lines:
        for number, line in enumerate(lines):
            if number == 1 and b'"video"' in line:
                return files  # a video manifest (key frames): nothing to order
            if number < 2 or not line.strip():
                continue
            try:
                entry = json.loads(line)
                name = f"{entry['name']}{entry['extension']}"
            except (json.JSONDecodeError, KeyError, TypeError):
                raise BackupError(f"Invalid {MEDIA_MANIFEST} in the backup") from None
            if name in by_name:
                ordered.append(by_name.pop(name))
    return ordered + list(by_name.values())


def _frame_step(frame_filter: str) -> int:
    match = re.fullmatch(r"step=(\d+)", frame_filter.strip()) if frame_filter else None
    return int(match.group(1)) if match else 1


def _merge_jobs(parts: Sequence[Any]) -> JSON:
    """Task-level annotations from the per-job lists.

    An object that an earlier job already holds (overlapping jobs store the frames they share
    in both) is kept once; identical objects within one job are all kept.
    """
    merged: JSON = {"version": 0, "tags": [], "shapes": [], "tracks": []}
    earlier: set[str] = set()
    for part in parts:
        if not isinstance(part, dict):
            raise BackupError("Invalid annotations.json: expected a list of job annotations")
        current: set[str] = set()
        for key in ("tags", "shapes", "tracks"):
            for item in part.get(key) or []:
                fingerprint = key + json.dumps(item, sort_keys=True)
                current.add(fingerprint)
                if fingerprint not in earlier:
                    merged[key].append(item)
        earlier |= current
    return merged


def _read_task(
    archive: zipfile.ZipFile,
    prefix: str,
    media_dir: Path,
    *,
    project_labels: list[JSON] | None = None,
) -> TaskBackup:
    manifest = _read_json(archive, prefix + TASK_MANIFEST, "task")
    if not isinstance(manifest, dict):
        raise BackupError(f"Invalid {TASK_MANIFEST} in the backup: expected an object")
    _check_version(manifest, TASK_MANIFEST)
    job_parts = _read_json(archive, prefix + ANNOTATIONS_FILE, "task")
    if not isinstance(job_parts, list):
        raise BackupError(f"Invalid {ANNOTATIONS_FILE} in the backup: expected a list")
    data = manifest.get("data")
    jobs = manifest.get("jobs")
    if not isinstance(data, dict) or not isinstance(jobs, list) or not jobs:
        raise BackupError(f"Invalid {TASK_MANIFEST} in the backup: 'data' and 'jobs' are required")
    if project_labels is None:
        ids = _Ids()
        labels = [_restored_label(label, ids) for label in manifest.get("labels") or []]
    else:
        labels = project_labels
    names = _Names(labels)
    annotations = _merge_jobs(job_parts)
    for key in ("tags", "shapes", "tracks"):
        annotations[key] = [_from_names(item, names) for item in annotations[key]]

    media_dir.mkdir(parents=True, exist_ok=True)
    files, media_manifest = _copy_data(archive, prefix, media_dir)
    sorting = str(data.get("sorting_method") or "lexicographical")
    if media_manifest is not None:
        files = _manifest_order(media_manifest, media_dir, files)
        media_manifest.unlink()
    elif sorting == "predefined":
        files.sort()
    try:
        frames, video = extract_task_media(
            files,
            media_dir,
            sorting_method="predefined" if media_manifest is not None else sorting,
            start_frame=int(data.get("start_frame") or 0),
            stop_frame=data.get("stop_frame"),
            frame_step=_frame_step(str(data.get("frame_filter") or "")),
        )
    except MediaError as exc:
        raise BackupError(f"The backup's media cannot be restored: {exc}") from None

    annotation_jobs = [j for j in jobs if j.get("type", "annotation") == "annotation"]
    first = annotation_jobs[0] if annotation_jobs else jobs[0]
    segment_size = int(first["stop_frame"]) - int(first["start_frame"]) + 1
    overlap = 0
    if len(annotation_jobs) > 1:
        overlap = int(first["stop_frame"]) - int(annotation_jobs[1]["start_frame"]) + 1
    task: JSON = {
        "name": manifest.get("name", ""),
        "bug_tracker": manifest.get("bug_tracker") or "",
        "status": manifest.get("status") or "annotation",
        "subset": manifest.get("subset") or "",
        "segment_size": segment_size,
        "overlap": max(overlap, 0),
    }
    if manifest.get("consensus_replicas"):
        task["consensus_replicas"] = manifest["consensus_replicas"]
    return TaskBackup(
        task=task,
        labels=labels,
        data=dict(data),
        frames=frames,
        jobs=[dict(j) for j in jobs],
        annotations=annotations,
        video=video,
    )


def read_task_backup(path: Path, media_dir: Path) -> TaskBackup:
    """Read a task backup, restoring its media into ``media_dir``.

    Raises :class:`BackupError` with a clear message for a file that is not a CVAT task backup
    (not a zip, no ``task.json``, unsupported version, unknown labels in the annotations, media
    that are not images).
    """
    with _open_zip(path) as archive:
        if PROJECT_MANIFEST in archive.namelist() and TASK_MANIFEST not in archive.namelist():
            raise BackupError("The archive is a project backup, not a task backup")
        return _read_task(archive, "", media_dir)


def read_project_backup(path: Path, media_dir: Path) -> ProjectBackup:
    """Read a project backup; each task's media go to ``media_dir / "task_<n>"``."""
    with _open_zip(path) as archive:
        manifest = _read_json(archive, PROJECT_MANIFEST, "project")
        if not isinstance(manifest, dict):
            raise BackupError(f"Invalid {PROJECT_MANIFEST} in the backup: expected an object")
        _check_version(manifest, PROJECT_MANIFEST)
        ids = _Ids()
        labels = [_restored_label(label, ids) for label in manifest.get("labels") or []]
        project: JSON = {
            "name": manifest.get("name", ""),
            "bug_tracker": manifest.get("bug_tracker") or "",
            "status": manifest.get("status") or "annotation",
        }
        task_dirs: dict[int, str] = {}
        for name in archive.namelist():
            match = _TASK_DIR_RE.match(name)
            if match:
                task_dirs[int(match.group(1))] = match.group(0)
        tasks = [
            _read_task(
                archive,
                prefix,
                media_dir / prefix.rstrip("/"),
                project_labels=labels,
            )
            for _, prefix in sorted(task_dirs.items())
        ]
    return ProjectBackup(project=project, labels=labels, tasks=tasks)


# --- remapping -----------------------------------------------------------------------------


def remap_annotations(
    annotations: Mapping[str, Any],
    source_labels: Sequence[Mapping[str, Any]],
    target_labels: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Rewrite ``label_id``/``spec_id`` from ``source_labels`` to ``target_labels`` by name.

    Use it after creating the labels of a restored backup: the backup's provisional ids become
    the new labels' ids. A label missing from ``target_labels`` raises :class:`BackupError`;
    attributes missing there are dropped.
    """
    source = _Names(source_labels)
    target = _Names(target_labels)

    def path_of(label_id: int, parent: str) -> str:
        return parent + source.name_of[int(label_id)]

    def convert(obj: JSON, parent: str = "") -> JSON:
        result = copy.deepcopy(obj)
        label_path = path_of(obj["label_id"], parent)
        new_id = target.label_id(label_path)
        result["label_id"] = new_id
        old_names = source.attr_name.get(int(obj["label_id"]), {})
        new_ids = target.attr_id.get(new_id, {})

        def attrs(items: Iterable[JSON]) -> list[JSON]:
            converted = []
            for a in items:
                attr_name = old_names.get(int(a["spec_id"]))
                if attr_name in new_ids:
                    converted.append({"spec_id": new_ids[attr_name], "value": a["value"]})
            return converted

        result["attributes"] = attrs(obj.get("attributes") or [])
        if "shapes" in obj:
            for shape, original in zip(result["shapes"], obj["shapes"], strict=True):
                shape["attributes"] = attrs(original.get("attributes") or [])
        if "elements" in obj:
            result["elements"] = [
                convert(e, source.name_of[int(obj["label_id"])]) for e in obj["elements"] or []
            ]
        return result

    remapped: JSON = {"version": annotations.get("version", 0)}
    for key in ("tags", "shapes", "tracks"):
        remapped[key] = [convert(item) for item in annotations.get(key) or []]
    return remapped
