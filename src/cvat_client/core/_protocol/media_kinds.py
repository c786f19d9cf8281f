"""What CVAT 2.73 counts as task media, checked on the client before a task is created.

The server classifies each uploaded file by the type :mod:`mimetypes` guesses from its
name (``cvat/apps/engine/media_extractors.py``): images (not SVG), a video, an audio
file, an archive (tar, gz, rar, 7z...), a PDF, a ZIP; ``.jsonl`` files are manifests.
It skips files of any other type, fails when no media is left, and accepts either one
video/audio/archive/PDF/ZIP alone or any number of images (``cvat/apps/engine/task.py``).
"""

from __future__ import annotations

import mimetypes
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

__all__ = ["media_kind", "kind_of_type", "UNIQUE_KINDS", "check_task_media"]

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
    """The server's media kind of a file name, ``"manifest"``, or ``None`` (skipped).

    The server looks at the MIME type first, then at the ``.jsonl`` ending; no
    ``.jsonl`` name has a MIME type of a media kind, so the ending is checked first here.
    (The server also compares the *encoding* :mod:`mimetypes` guesses with its archive
    types, but an encoding is never a MIME type: ``gzip``, ``bzip2``..., so that test is
    left out.)
    """
    if name.endswith(".jsonl"):
        return "manifest"
    mime = mimetypes.guess_type(name)[0]
    if mime is None:
        return None
    return kind_of_type(mime)


def kind_of_type(mime: str) -> str | None:
    """The server's media kind of a MIME type, or ``None`` (a file it skips)."""
    if mime.startswith("image"):
        # vector images are not media to CVAT (Pillow cannot read them)
        return None if mime.startswith("image/svg") else "image"
    if mime.startswith("video"):
        return "video"
    if mime.startswith("audio"):
        return "audio"
    if mime in _ARCHIVES:
        return "archive"
    if mime == "application/pdf":
        return "pdf"
    if mime == "application/zip":
        return "zip"
    return None


def check_task_media(names: Sequence[str | Path]) -> str | None:
    """Why the server would refuse these files as the data of a task, or ``None``.

    ``names`` are the files to upload. Files the server would skip are refused here: they
    were given on purpose, and the server would drop them silently.
    """
    kinds: Counter[str] = Counter()
    skipped: list[str] = []
    for item in names:
        name = Path(item).name
        kind = media_kind(name)
        if kind is None:
            skipped.append(name)
        else:
            kinds[kind] += 1
    if skipped:
        shown = ", ".join(repr(n) for n in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        return (
            f"{len(skipped)} file(s) are not media CVAT can use ({shown}): CVAT takes images, "
            "one video, one archive (zip, tar...) or one PDF, plus an optional .jsonl manifest"
        )
    if kinds["manifest"] > 1:
        return "Only one manifest (.jsonl) file can be attached to the data of a task"
    media = {k: n for k, n in kinds.items() if k != "manifest"}
    if not media:
        return "No media found: CVAT takes images, one video, one archive or one PDF"
    unique = sum(n for k, n in media.items() if k in UNIQUE_KINDS)
    multiple = sum(n for k, n in media.items() if k not in UNIQUE_KINDS)
    if unique > 1 or (unique == 1 and multiple > 0):
        found = ", ".join(f"{n} {k}(s)" for k, n in sorted(media.items()))
        return (
            "A task takes either one video, audio file, archive, PDF or ZIP, or any number of "
            f"images, not a mix: found {found}"
        )
    # (media is one video, audio file, archive, PDF or ZIP, or images: see above)
    if kinds["manifest"] and media.keys() & {"audio", "pdf"}:
        return "A manifest (.jsonl) can only come with a video, images or an archive"
    return None
