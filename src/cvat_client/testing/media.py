"""Media handling for the test server: task data extraction, chunks, frames and previews.

The functions here mirror what CVAT 2.73 does with uploaded images:

* every image is decoded with Pillow, so a broken or non-image file fails the task the way it
  fails on the real server; sizes honour the EXIF orientation (width and height are swapped for
  rotated images, as in CVAT's media manifest);
* zip archives are unpacked (nested folders kept), manifest files (``*.jsonl``) are ignored;
* chunks are "imageset" zips: entries ``000000.<original extension>`` holding the original bytes
  for the ``original`` quality and ``000000.jpeg`` re-encoded at the task's ``image_quality``
  for the ``compressed`` quality;
* single frames are served from the same data, with the MIME type of the entry (the original
  file's type, or ``image/jpeg`` for compressed frames);
* previews are JPEG thumbnails that fit in 256x256.
"""

from __future__ import annotations

import io
import mimetypes
import random
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Literal

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "PREVIEW_SIZE",
    "SORTING_METHODS",
    "Frame",
    "MediaError",
    "extract_media",
    "frame_mime_type",
    "make_chunk",
    "make_preview",
    "read_frame",
]

#: The sorting methods a task's data spec accepts (``sorting_method``).
SORTING_METHODS = ("lexicographical", "natural", "predefined", "random")
#: The bounding box of a preview image, as on the real server.
PREVIEW_SIZE = (256, 256)
#: The seed of the ``random`` sorting method: the test server stays deterministic.
RANDOM_SORT_SEED = 0

_EXIF_ORIENTATION = 0x0112
_COPY_BUFFER = 1024 * 1024
_Quality = Literal["original", "compressed"]
_AddFn = Callable[[str, Path], None]


class MediaError(Exception):
    """Raised when uploaded media cannot be turned into task frames."""


@dataclass(frozen=True)
class Frame:
    """One image of a task.

    ``name`` is the file name relative to the task's data directory, as CVAT reports it in
    ``/data/meta`` (``frames[].name``); ``path`` is where the file is stored.
    """

    name: str
    width: int
    height: int
    path: Path


def frame_mime_type(name: str) -> str:
    """The MIME type CVAT answers for an original frame with this file name."""
    mime, _ = mimetypes.guess_type(name)
    return mime or "application/octet-stream"


def _is_image_name(name: str) -> bool:
    mime, _ = mimetypes.guess_type(name)
    return mime is not None and mime.startswith("image/") and not mime.startswith("image/svg")


def _is_manifest_name(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() == ".jsonl"


def _is_zip_name(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def _safe_relative_name(name: str, source: str) -> str:
    """Normalise an archive entry name, refusing names that would escape the target folder."""
    posix = name.replace("\\", "/")
    parts = [p for p in posix.split("/") if p not in ("", ".")]
    if posix.startswith("/") or ".." in parts or not parts:
        raise MediaError(f"Unsafe file name {name!r} in the archive {source!r}")
    return "/".join(parts)


def _copy_stream(src: IO[bytes], dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as out:
        shutil.copyfileobj(src, out, _COPY_BUFFER)


def _collect(files: Sequence[Path], dest_dir: Path) -> list[tuple[str, Path]]:
    """Copy or unpack the inputs into ``dest_dir``; return ``(name, stored path)`` pairs in order."""
    items: list[tuple[str, Path]] = []
    seen: set[str] = set()

    def add(name: str, stored: Path) -> None:
        if name in seen:
            raise MediaError(f"The file name {name!r} occurs more than once in the uploaded data")
        seen.add(name)
        items.append((name, stored))

    for source in files:
        source = Path(source)
        if not source.is_file():
            raise MediaError(f"The file {source.name!r} does not exist")
        if _is_manifest_name(source.name):
            continue
        if _is_zip_name(source) or (not _is_image_name(source.name) and zipfile.is_zipfile(source)):
            _add_from_zip(source, dest_dir, add)
            continue
        if not _is_image_name(source.name):
            raise MediaError(f"The file {source.name!r} is neither an image nor a zip archive")
        resolved, root = source.resolve(), dest_dir.resolve()
        if resolved.is_relative_to(root):
            # already in place (e.g. a restored backup): keep its relative name, no copy
            add(resolved.relative_to(root).as_posix(), source)
            continue
        target = dest_dir / source.name
        with source.open("rb") as src:
            _copy_stream(src, target)
        add(source.name, target)
    return items


def _add_from_zip(source: Path, dest_dir: Path, add: _AddFn) -> None:
    """Unpack the images of a zip archive into ``dest_dir``, streaming each entry."""
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise MediaError(f"The file {source.name!r} is not a valid zip archive") from exc
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = _safe_relative_name(info.filename, source.name)
            if name.startswith("__MACOSX/") or _is_manifest_name(name):
                continue
            if not _is_image_name(name):
                continue  # CVAT's archive reader skips non-image entries
            target = dest_dir / name
            try:
                with archive.open(info) as src:
                    _copy_stream(src, target)
            except (zipfile.BadZipFile, OSError) as exc:
                raise MediaError(f"Cannot read {name!r} from the archive {source.name!r}") from exc
            add(name, target)


def _natural_key(name: str) -> list[tuple[int, int | str]]:
    key: list[tuple[int, int | str]] = []
    for part in re.split(r"(\d+)", name.casefold()):
        if part.isdigit():
            key.append((0, int(part)))
        elif part:
            key.append((1, part))
    return key


def _sort(items: list[tuple[str, Path]], method: str) -> list[tuple[str, Path]]:
    if method == "lexicographical":
        return sorted(items, key=lambda item: item[0])
    if method == "natural":
        return sorted(items, key=lambda item: _natural_key(item[0]))
    if method == "predefined":
        return list(items)
    if method == "random":
        shuffled = list(items)
        random.Random(RANDOM_SORT_SEED).shuffle(shuffled)
        return shuffled
    raise MediaError(
        f"Unknown sorting method {method!r}; expected one of: {', '.join(SORTING_METHODS)}"
    )


def _image_size(name: str, path: Path) -> tuple[int, int]:
    """Decode the image fully and return its displayed size (EXIF rotation applied)."""
    try:
        with Image.open(path) as image:
            image.load()
            width, height = image.size
            orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"The file {name!r} is not a valid image: {exc}") from exc
    if isinstance(orientation, int) and orientation > 4:
        width, height = height, width
    return width, height


def extract_media(
    files: list[Path],
    dest_dir: Path,
    *,
    sorting_method: str = "lexicographical",
    start_frame: int = 0,
    stop_frame: int | None = None,
    frame_step: int = 1,
) -> list[Frame]:
    """Turn uploaded files (images and zip archives of images) into task frames.

    Files are copied (archives unpacked, entry by entry) into ``dest_dir`` under their relative
    names (files already inside ``dest_dir`` stay where they are and keep their path relative to
    it as their name), sorted with ``sorting_method``, then the frame range ``start_frame..stop_frame`` with
    ``frame_step`` is applied. Every selected image is decoded. Raises :class:`MediaError` with
    a message naming the offending file when something is not usable.
    """
    if frame_step < 1:
        raise MediaError("The frame step must be a positive number")
    if start_frame < 0:
        raise MediaError("The start frame must not be negative")
    if sorting_method not in SORTING_METHODS:
        raise MediaError(
            f"Unknown sorting method {sorting_method!r}; "
            f"expected one of: {', '.join(SORTING_METHODS)}"
        )
    dest_dir.mkdir(parents=True, exist_ok=True)
    items = _sort(_collect(files, dest_dir), sorting_method)
    if not items:
        raise MediaError("No media data found: upload images or a zip archive of images")
    last = len(items) - 1 if stop_frame is None else min(stop_frame, len(items) - 1)
    if start_frame > last:
        raise MediaError(
            f"The start frame {start_frame} is out of the data range [0, {len(items) - 1}]"
        )
    frames = []
    for name, path in items[start_frame : last + 1 : frame_step]:
        width, height = _image_size(name, path)
        frames.append(Frame(name=name, width=width, height=height, path=path))
    return frames


def _open_upright(frame: Frame) -> Image.Image:
    try:
        image = Image.open(frame.path)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"The file {frame.name!r} is not a valid image: {exc}") from exc
    upright = ImageOps.exif_transpose(image)
    return upright if upright is not None else image


def _needs_rewrite(image: Image.Image) -> bool:
    orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    return orientation not in (None, 1) or image.format == "TIFF"


def _original_bytes(frame: Frame) -> bytes:
    """The frame as the original chunk stores it: the file itself, unless it must be rotated."""
    with Image.open(frame.path) as probe:
        rewrite = _needs_rewrite(probe)
        fmt = probe.format or "JPEG"
    if not rewrite:
        return frame.path.read_bytes()
    with _open_upright(frame) as image:
        buf = io.BytesIO()
        if fmt == "TIFF":
            image.save(buf, format="TIFF", compression="tiff_lzw")
        else:
            image.save(buf, format=fmt, quality=100, subsampling=0)
        return buf.getvalue()


def _compressed_bytes(frame: Frame, image_quality: int) -> bytes:
    with _open_upright(frame) as image:
        converted = image if image.mode in ("RGB", "L") else image.convert("RGB")
        buf = io.BytesIO()
        converted.save(buf, format="JPEG", quality=image_quality, optimize=True)
        return buf.getvalue()


def _check_quality(quality: str) -> _Quality:
    if quality == "original":
        return "original"
    if quality == "compressed":
        return "compressed"
    raise MediaError(f"Wrong quality value {quality!r}; expected 'original' or 'compressed'")


def read_frame(frame: Frame, *, quality: str, image_quality: int) -> tuple[bytes, str]:
    """Return the bytes and MIME type of one frame as ``/data?type=frame`` serves it."""
    if _check_quality(quality) == "original":
        return _original_bytes(frame), frame_mime_type(frame.name)
    return _compressed_bytes(frame, image_quality), "image/jpeg"


def chunk_entry_names(frames: Iterable[Frame], *, quality: str) -> list[str]:
    """The entry names of an imageset chunk holding ``frames``."""
    checked = _check_quality(quality)
    names = []
    for index, frame in enumerate(frames):
        if checked == "original":
            names.append(f"{index:06d}{PurePosixPath(frame.name).suffix}")
        else:
            names.append(f"{index:06d}.jpeg")
    return names


def make_chunk(frames: Sequence[Frame], *, quality: str, image_quality: int) -> bytes:
    """Build an imageset chunk (an uncompressed zip) for ``frames`` in the given quality."""
    checked = _check_quality(quality)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        for frame, arcname in zip(frames, chunk_entry_names(frames, quality=checked), strict=True):
            if checked == "original":
                data = _original_bytes(frame)
            else:
                data = _compressed_bytes(frame, image_quality)
            archive.writestr(arcname, data)
    return buf.getvalue()


def make_preview(frame: Frame) -> bytes:
    """A JPEG thumbnail of the frame that fits in :data:`PREVIEW_SIZE`, like CVAT's previews."""
    with _open_upright(frame) as image:
        thumb = image.copy()
        thumb.thumbnail(PREVIEW_SIZE)
        buf = io.BytesIO()
        thumb.convert("RGB").save(buf, format="JPEG")
        return buf.getvalue()
