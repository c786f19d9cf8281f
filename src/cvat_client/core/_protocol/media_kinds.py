"""What CVAT 2.73 counts as task media, checked on the client before a task is created.

The server classifies each uploaded file by the type :mod:`mimetypes` guesses from its
name (``cvat/apps/engine/media_extractors.py``): images (not SVG), a video, an audio
file, an archive (tar, gz, rar, 7z...), a PDF, a ZIP; ``.jsonl`` files are manifests.
It skips files of any other type, fails when no media is left, and accepts either one
video/audio/archive/PDF/ZIP alone or any number of images (``cvat/apps/engine/task.py``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path

__all__ = ["media_kind", "UNIQUE_KINDS", "check_task_media"]

#: Kinds of which a task takes one file and nothing else.
UNIQUE_KINDS = ("video", "audio", "archive", "pdf", "zip")
_ARCHIVES = frozenset(
    {
        "application/x-rar-compressed",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/x-cpio",
        "application/gzip",
        "application/x-bzip",
    }
)


def media_kind(name: str) -> str | None:
    """The server's media kind of a file name, ``"manifest"``, or ``None`` (skipped)."""
    mime, encoding = mimetypes.guess_type(name)
    if mime is not None and mime.startswith("image") and not mime.startswith("image/svg"):
        return "image"
    if mime is not None and mime.startswith("video"):
        return "video"
    if mime is not None and mime.startswith("audio"):
        return "audio"
    if mime in _ARCHIVES or encoding in _ARCHIVES:
        return "archive"
    if mime == "application/pdf":
        return "pdf"
    if mime == "application/zip" or encoding == "application/zip":
        return "zip"
    if name.endswith(".jsonl"):
        return "manifest"
    return None


def check_task_media(names: Sequence[str | Path]) -> str | None:
    """Why the server would refuse these files as the data of a task, or ``None``.

    ``names`` are the files to upload. Files the server would skip are refused here: they
    were given on purpose, and the server would drop them silently.
    """
    kinds: dict[str, list[str]] = {}
    skipped: list[str] = []
    for item in names:
        name = Path(item).name
        kind = media_kind(name)
        if kind is None:
            skipped.append(name)
        else:
            kinds.setdefault(kind, []).append(name)
    if skipped:
        shown = ", ".join(repr(n) for n in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        return (
            f"{len(skipped)} file(s) are not media CVAT can use ({shown}): CVAT takes images, "
            "one video, one archive (zip, tar...) or one PDF, plus an optional .jsonl manifest"
        )
    if len(kinds.get("manifest", [])) > 1:
        return "Only one manifest (.jsonl) file can be attached to the data of a task"
    media = {k: v for k, v in kinds.items() if k != "manifest"}
    if not media:
        return "No media found: CVAT takes images, one video, one archive or one PDF"
    unique = sum(len(v) for k, v in media.items() if k in UNIQUE_KINDS)
    multiple = sum(len(v) for k, v in media.items() if k not in UNIQUE_KINDS)
    if unique > 1 or (unique == 1 and multiple > 0):
        found = ", ".join(f"{len(v)} {k}(s)" for k, v in sorted(media.items()))
        return (
            "A task takes either one video, audio file, archive, PDF or ZIP, or any number of "
            f"images, not a mix: found {found}"
        )
    if kinds.get("manifest") and not set(media) <= {"video", "image", "zip", "archive"}:
        return "A manifest (.jsonl) can only come with a video, images or an archive"
    return None
