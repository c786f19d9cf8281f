"""Frame, chunk, preview and media-meta operations shared by tasks and jobs."""

from __future__ import annotations

import io
import mimetypes
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from cvat_client._lowlevel.exceptions import ApiValueError
from cvat_client.core._async_runtime import check_cancelled
from cvat_client.core._files import atomic_write
from cvat_client.core._protocol.download import UNENCODED
from cvat_client.core.proxies.model_proxy import ApiT, ModelT, PreviewMixin

if TYPE_CHECKING:
    from cvat_client.api_client import models

__all__ = ["MediaMixin"]

StrPath = str | os.PathLike[str]

# Extensions Pillow understands, by the image type the server answers with.
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/png": ".png",
    "image/bmp": ".bmp",
    "image/gif": ".gif",
    "image/tiff": ".tif",
    "image/webp": ".webp",
}
_SAME_FORMAT = {".jpeg": ".jpg", ".jpe": ".jpg", ".tiff": ".tif"}


class SupportsWriteBytes(Protocol):
    """A binary file-like object."""

    def write(self, data: bytes, /) -> Any:
        """Write ``data``."""


def _extension_for(content_type: str, data: bytes) -> str:
    mime = content_type.split(";", 1)[0].strip().lower()
    ext = _EXTENSIONS.get(mime) or mimetypes.guess_extension(mime or "") or ""
    if not ext or mime == "application/octet-stream":
        ext = _sniff_extension(data)
    return _SAME_FORMAT.get(ext, ext) or ".jpg"


def _sniff_extension(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data[:2] == b"BM":
        return ".bmp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return ".tif"
    return ""


class MediaMixin(PreviewMixin[ModelT, ApiT]):
    """Frames, chunks, previews and media meta of a task or a job."""

    _data_meta_update_arg: str = ""  # e.g. "patched_data_meta_write_request"
    _chunk_param: str = "number"  # the query parameter naming a chunk

    def _frame_response(self, frame_id: int, quality: str | None) -> Any:
        extra: dict[str, Any] = {"quality": quality} if quality else {}
        _, response = self._lowlevel.retrieve_data(
            self._id,
            type="frame",
            number=frame_id,
            _parse_response=False,
            _headers=UNENCODED,
            **extra,
        )
        return response

    def get_frame(self, frame_id: int, *, quality: str | None = None) -> io.BytesIO:
        """One frame as a binary stream (``Image.open(task.get_frame(0))`` reads it).

        ``quality`` is ``"original"`` (the uploaded image) or ``"compressed"``; the
        server's default (compressed) when ``None``.

        Raises:
            BadRequestException: no such frame (the message gives the valid range).
        """
        return io.BytesIO(self._frame_response(frame_id, quality).content)

    def download_frames(
        self,
        frame_ids: Sequence[int],
        *,
        image_extension: str | None = None,
        outdir: StrPath = ".",
        quality: str = "original",
        filename_pattern: str = "frame_{frame_id:06d}{frame_ext}",
    ) -> list[Path]:
        """Save frames as ``outdir / filename_pattern.format(frame_id=..., frame_ext=...)``.

        The images are written as the server sends them (byte for byte), with the
        extension of their format. Only when ``image_extension`` names another format
        (e.g. ``"png"`` for JPEG frames) are they converted, which needs Pillow. Each
        file appears only once complete.

        Returns:
            The paths written, in the order of ``frame_ids``.
        """
        out = Path(outdir) if os.fspath(outdir) else Path.cwd()
        out.mkdir(parents=True, exist_ok=True)
        wanted = None
        if image_extension is not None:
            wanted = "." + image_extension.strip().lstrip(".").lower()
            wanted = _SAME_FORMAT.get(wanted, wanted)
        written: list[Path] = []
        for frame_id in frame_ids:
            check_cancelled()
            response = self._frame_response(frame_id, quality)
            data = response.content
            native = _extension_for(response.headers.get("content-type", ""), data)
            # The file keeps the extension as the caller spelled it ("jpeg", "PNG").
            ext = native if image_extension is None else "." + image_extension.strip().lstrip(".")
            target = out / filename_pattern.format(frame_id=frame_id, frame_ext=ext)
            with atomic_write(target) as stream:
                if wanted is None or wanted == native:
                    stream.write(data)
                else:
                    _convert_image(data, wanted, stream)
            written.append(target)
        return written

    def download_chunk(
        self,
        chunk_id: int,
        output_file: SupportsWriteBytes | StrPath,
        *,
        quality: str | None = None,
    ) -> None:
        """Stream one data chunk (a zip or a video segment) into ``output_file``.

        ``output_file`` is a binary file object, or a path (written atomically: the
        file appears only once complete).
        """
        if isinstance(output_file, str | os.PathLike):
            with atomic_write(Path(output_file)) as stream:
                self._stream_chunk(chunk_id, stream.write, quality)
            return
        self._stream_chunk(chunk_id, output_file.write, quality)

    def _stream_chunk(
        self, chunk_id: int, write: Callable[[bytes], Any], quality: str | None
    ) -> None:
        extra: dict[str, Any] = {"quality": quality} if quality else {}
        _, response = self._lowlevel.retrieve_data(
            self._id,
            type="chunk",
            _stream=True,
            _headers=UNENCODED,
            **{self._chunk_param: chunk_id},
            **extra,
        )
        try:
            for block in response.iter_bytes():
                write(block)
                check_cancelled()
        finally:
            response.close()

    def get_meta(self) -> models.DataMetaRead:
        """The media meta: frame sizes and names, chunk size, deleted frames..."""
        meta, _ = self._lowlevel.retrieve_data_meta(self._id)
        return meta  # type: ignore[no-any-return]

    def get_frames_info(self) -> list[models.FrameMeta]:
        """The meta of each frame (name, width, height)."""
        frames = self.get_meta().frames
        return list(frames) if frames else []

    def remove_frames_by_ids(self, ids: Sequence[int]) -> None:
        """Mark these frames as deleted (they can be restored by editing the meta)."""
        self._lowlevel.partial_update_data_meta(
            self._id, **{self._data_meta_update_arg: {"deleted_frames": list(ids)}}
        )


def _convert_image(data: bytes, extension: str, stream: IO[bytes]) -> None:
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - Pillow is present in the test setup
        raise ApiValueError(
            f"Converting frames to {extension!r} needs Pillow (pip install pillow); "
            "pass image_extension=None to save them as the server sends them"
        ) from exc
    fmt = Image.registered_extensions().get(extension)
    if fmt is None:
        raise ApiValueError(f"Unknown image extension {extension!r}")
    with Image.open(io.BytesIO(data)) as opened:
        image = (
            opened.convert("RGB") if fmt == "JPEG" and opened.mode not in ("RGB", "L") else opened
        )
        image.save(stream, format=fmt)
