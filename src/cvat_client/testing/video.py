"""Video tasks for the test server: detection, frame counting, chunks, frames and previews.

The behaviour mirrors CVAT 2.73's media extraction and chunk code:

* a file is a video when its extension has a ``video/*`` MIME type in CVAT's media type table
  (:data:`VIDEO_EXTENSIONS`); a video must be the only file of a task;
* the frame count comes from decoding the whole stream (not from the container's header, which
  can be wrong), the frame size from the first decoded frame (display rotation applied);
* a frame range selects ``range(start, min(stop + 1, count), step)`` of the decoded frames;
* original chunks are always MP4 (H.264, ``crf`` 17 = CVAT's quality 67, 25 fps); compressed
  chunks are MP4 too (``crf`` from the task's ``image_quality``, halved while the height is at
  least 1080) or, with ``use_zip_chunks``, imageset zips of JPEG images (``000000.jpeg``...);
  odd frame sizes are rounded up to even ones by the H.264 encoder, so frames read back from a
  video chunk can be one pixel larger than the data meta says, as on the real server;
* single frames are decoded from the chunk that holds them: PNG from a video chunk, the JPEG
  entry from an imageset chunk; previews come from the compressed first frame.

CVAT prefers ``libopenh264`` and falls back to ``libx264``; the test server always uses
``libx264`` with CVAT's fallback options. PyAV (``av``) is imported only when a video is
handled, so importing the test server does not load it.
"""

from __future__ import annotations

import bisect
import io
import itertools
import mimetypes
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from PIL import Image

from cvat_client.testing.media import PREVIEW_SIZE, Frame, MediaError

if TYPE_CHECKING:
    import av

__all__ = [
    "VIDEO_EXTENSIONS",
    "VideoSource",
    "check_single_video",
    "extract_video",
    "is_video_name",
    "make_video_chunk",
    "make_video_preview",
    "read_video_frame",
    "video_chunk_mime_type",
]

#: File extensions CVAT 2.73 treats as video: ``video/*`` in its media type table together with
#: Python's and the server image's default MIME tables.
VIDEO_EXTENSIONS = frozenset(
    {
        ".3g2", ".3ga", ".3gp", ".3gp2", ".3gpp", ".3gpp2", ".avf", ".avi", ".axv", ".bdm",
        ".bdmv", ".bik", ".bk2", ".clpi", ".cpi", ".dif", ".divx", ".dv", ".dvb", ".f4v", ".flc",
        ".fli", ".flv", ".fvt", ".fxm", ".gl", ".lrv", ".lsf", ".lsx", ".m1u", ".m1v", ".m2t",
        ".m2ts", ".m2v", ".m4s", ".m4u", ".m4v", ".mj2", ".mjp2", ".mk3d", ".mkv", ".mng",
        ".moov", ".mov", ".movie", ".mp2", ".mp4", ".mpa", ".mpe", ".mpeg", ".mpg", ".mpg4",
        ".mpl", ".mpls", ".mpv", ".mts", ".mxf", ".mxu", ".nim", ".nsv", ".ogg", ".ogm", ".ogv",
        ".pyv", ".qt", ".qtvr", ".rv", ".rvx", ".s11", ".s14", ".s1q", ".smk", ".smo", ".smov",
        ".smpg", ".ssw", ".sswf", ".ts", ".uvh", ".uvm", ".uvp", ".uvs", ".uvu", ".uvv", ".uvvh",
        ".uvvm", ".uvvp", ".uvvs", ".uvvu", ".uvvv", ".viv", ".vivo", ".vob", ".webm", ".wm",
        ".wmp", ".wmv", ".wmx", ".wvx", ".yt",
    }
)  # fmt: skip

#: The frame rate of chunk videos (CVAT writes every chunk at 25 fps).
CHUNK_FPS = 25
#: CVAT's quality of original video chunks (QP 17, "visually lossless").
ORIGINAL_QUALITY = 67
#: The MIME type of video chunks.
VIDEO_CHUNK_MIME = "video/mp4"
_PNG_MIME = "image/png"
_JPEG_MIME = "image/jpeg"


def _av() -> Any:
    try:
        import av
    except ImportError:  # pragma: no cover - the testing extra installs it
        raise MediaError('Video tasks need PyAV: pip install "cvat-client[testing]"') from None
    return av


def is_video_name(name: str) -> bool:
    """Whether CVAT treats a file with this name as a video."""
    return PurePosixPath(name).suffix.lower() in VIDEO_EXTENSIONS


#: CVAT's media types in the order its error messages list them; ``unique`` ones must be alone.
_MEDIA_TYPES = (
    ("image", False),
    ("video", True),
    ("audio", True),
    ("archive", True),
    ("directory", False),
    ("pdf", True),
    ("zip", True),
)
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".gz", ".bz2", ".tbz2", ".7z", ".rar", ".cpio")
_AUDIO_SUFFIXES = (".mp3", ".wav", ".flac", ".m4a", ".aac", ".opus", ".oga")


def _media_type(name: str) -> str | None:
    """CVAT's media type of an uploaded file name (``None``: CVAT skips the file)."""
    lower = name.lower()
    suffix = PurePosixPath(lower).suffix
    if is_video_name(name):
        return "video"
    mime, _ = mimetypes.guess_type(name)
    if mime is not None and mime.startswith("image/") and not mime.startswith("image/svg"):
        return "image"
    if suffix == ".zip":
        return "zip"
    if suffix == ".pdf":
        return "pdf"
    if suffix in _AUDIO_SUFFIXES:
        return "audio"
    if lower.endswith(_ARCHIVE_SUFFIXES):
        return "archive"
    return None


def check_single_video(names: Sequence[str]) -> None:
    """Refuse what CVAT refuses when a video is uploaded: anything else beside it.

    Counts the files by CVAT's media types (files of no known type are skipped, as CVAT skips
    them) and fails with CVAT's message when a video is not the only media file.
    """
    counts = dict.fromkeys((kind for kind, _unique in _MEDIA_TYPES), 0)
    for name in names:
        kind = _media_type(name)
        if kind is not None:
            counts[kind] += 1
    unique = sum(counts[kind] for kind, single in _MEDIA_TYPES if single)
    multiple = sum(counts[kind] for kind, single in _MEDIA_TYPES if not single)
    if counts["video"] == 0 or (unique == 1 and multiple == 0):
        return
    unique_types = ", ".join(kind for kind, single in _MEDIA_TYPES if single)
    multiple_types = ", ".join(kind for kind, single in _MEDIA_TYPES if not single)
    found = ", ".join(f"{counts[kind]} {kind}(s)" for kind, _single in _MEDIA_TYPES)
    # CVAT's message has a line continuation inside its string: the spaces are part of it
    raise MediaError(
        f"ValueError: Only one {unique_types} or many {multiple_types} can be used "
        f"simultaneously,             but {found} found."
    )


@dataclass(frozen=True)
class VideoSource:
    """The video of a task: the stored file and the frames taken from it.

    ``frame_count`` counts every decoded frame of the file; task frame ``i`` is frame
    ``start + i * step`` of the file; ``size`` is the number of task frames.
    """

    name: str
    path: Path
    width: int
    height: int
    frame_count: int
    start: int
    step: int
    size: int
    #: The presentation timestamps of the file's frames, when they increase strictly (the seek
    #: index: like CVAT's video manifest); empty when frames can only be read from the start.
    frame_pts: tuple[int, ...] = ()
    #: The numbers of the file's key frames (where decoding can start after a seek).
    key_frames: tuple[int, ...] = ()

    def source_index(self, frame: int) -> int:
        """The frame number in the file of task frame ``frame``."""
        return self.start + frame * self.step


def _upright(frame: av.VideoFrame) -> Image.Image:
    image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
    rotation = int(getattr(frame, "rotation", 0) or 0) % 360
    if rotation:
        image = image.rotate(rotation, expand=True)
    return image


def _seek_point(video: VideoSource | None, target: int) -> int:
    """The key frame to start decoding from for frame ``target`` (0: from the start)."""
    if video is None or not video.frame_pts:
        return 0
    position = bisect.bisect_right(video.key_frames, target)
    return video.key_frames[position - 1] if position else 0


def _decode(
    path: Path, indices: Sequence[int], video: VideoSource | None = None
) -> Iterator[Image.Image]:
    """Decode the frames ``indices`` (ascending) of a video file, as upright RGB images.

    With the seek index of ``video``, decoding starts at the key frame before the first
    wanted frame instead of the start of the file.
    """
    av = _av()
    wanted = iter(indices)
    target = next(wanted, None)
    if target is None:
        return
    key = _seek_point(video, target)
    with av.open(str(path), "r") as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        decoded: Iterator[tuple[int, Any]]
        if key > 0 and video is not None:
            container.seek(video.frame_pts[key], stream=stream, backward=True, any_frame=False)
            numbers = {pts: n for n, pts in enumerate(video.frame_pts)}
            decoded = ((numbers.get(f.pts, -1), f) for f in container.decode(stream))
        else:
            decoded = enumerate(container.decode(stream))
        for number, frame in decoded:
            if number < 0:
                raise MediaError(f"The video {path.name!r} has a frame outside its index")
            if number == target:
                yield _upright(frame)
                target = next(wanted, None)
                if target is None:
                    return
    if target is not None:
        raise MediaError(f"The video {path.name!r} has no frame {target}")


def _probe(path: Path, name: str) -> tuple[int, int, int, tuple[int, ...], tuple[int, ...]]:
    """``(frame count, width, height, seek index pts, key frames)``, decoding every frame."""
    av = _av()
    count = 0
    size: tuple[int, int] | None = None
    pts: list[int | None] = []
    keys: list[int] = []
    try:
        with av.open(str(path), "r") as container:
            if not container.streams.video:
                raise MediaError(f"The file {name!r} has no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                if size is None:
                    image = _upright(frame)
                    size = image.size
                pts.append(frame.pts)
                if frame.key_frame:
                    keys.append(count)
                count += 1
    except av.FFmpegError as exc:
        # CVAT fails with PyAV's exception, whose text names the server's path: here only the
        # file name is said
        kind = f"{type(exc).__module__}.{type(exc).__name__}"
        errno = getattr(exc, "errno", None)
        reason = getattr(exc, "strerror", None) or str(exc)
        raise MediaError(f"{kind}: [Errno {errno}] {reason}: {name!r}") from None
    if size is None:
        raise MediaError(f"The video {name!r} has no frames")
    known = [p for p in pts if p is not None]
    if len(known) != len(pts) or any(b <= a for a, b in itertools.pairwise(known)):
        return count, size[0], size[1], (), ()  # no usable seek index: decode from the start
    return count, size[0], size[1], tuple(known), tuple(keys)


def extract_video(
    source: Path,
    dest_dir: Path,
    *,
    start_frame: int = 0,
    stop_frame: int | None = None,
    frame_step: int = 1,
) -> tuple[list[Frame], VideoSource]:
    """Store a video in ``dest_dir`` and select its frames as CVAT does.

    Returns one :class:`~cvat_client.testing.media.Frame` per task frame (all naming the video
    file) and the :class:`VideoSource`. A ``stop_frame`` of ``0`` or ``None`` means the last
    frame; the range is clipped to the video.
    """
    if frame_step < 1:
        raise MediaError("The frame step must be a positive number")
    if start_frame < 0:
        raise MediaError("The start frame must not be negative")
    dest_dir.mkdir(parents=True, exist_ok=True)
    source = Path(source)
    name = source.name
    resolved, root = source.resolve(), dest_dir.resolve()
    if resolved.is_relative_to(root):
        name, stored = resolved.relative_to(root).as_posix(), source
    else:
        stored = dest_dir / name
        shutil.copyfile(source, stored)
    count, width, height, frame_pts, key_frames = _probe(stored, name)
    end = min(stop_frame + 1 if stop_frame else count, count)
    size = len(range(start_frame, end, frame_step))
    if size == 0:
        # a start frame past the end: CVAT fails computing the chunks of an empty task
        raise MediaError("ValueError: range() arg 3 must not be zero")
    video = VideoSource(
        name=name,
        path=stored,
        width=width,
        height=height,
        frame_count=count,
        start=start_frame,
        step=frame_step,
        size=size,
        frame_pts=frame_pts,
        key_frames=key_frames,
    )
    frames = [Frame(name=name, width=width, height=height, path=stored)] * size
    return frames, video


def _crf(quality: int) -> int:
    """CVAT's mapping of a 1..100 quality to an H.264 quantizer (0..51, inverted)."""
    return round(51 * (100 - quality) / 99)


def _encode_mp4(images: Iterator[Image.Image], *, quality: int, compressed: bool) -> bytes:
    """Encode images as an MP4 chunk the way CVAT's MPEG-4 chunk writers do with libx264.

    The images are encoded as they come: one decoded frame is held at a time.
    """
    av = _av()
    first = next(images, None)
    if first is None:
        raise MediaError("No frames to put in the chunk")
    images = itertools.chain([first], images)
    width, height = first.size
    if compressed:
        factor = 1
        while height / factor >= 1080:
            factor *= 2
        width, height = width // factor, height // factor
    width += width % 2  # yuv420p needs even sizes
    height += height % 2
    if compressed:
        options = {"profile": "baseline", "coder": "0", "wpredp": "0", "flags": "-loop"}
    else:
        options = {"preset": "ultrafast"}
    options["crf"] = str(_crf(quality))
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=CHUNK_FPS)
        stream.pix_fmt = "yuv420p"
        stream.width = width
        stream.height = height
        stream.options = options
        for image in images:
            frame = av.VideoFrame.from_image(image)
            frame.pts = None
            frame.time_base = Fraction(0, 1)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def _zip_chunk(images: Iterator[Image.Image], *, quality: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        for index, image in enumerate(images):
            entry = io.BytesIO()
            image.convert("RGB").save(entry, format="JPEG", quality=quality, optimize=True)
            archive.writestr(f"{index:06d}.jpeg", entry.getvalue())
    return buf.getvalue()


def _chunk_kind(quality: str, compressed_chunk_type: str) -> str:
    if quality == "original":
        return "video"
    if quality == "compressed":
        return compressed_chunk_type
    raise MediaError(f"Wrong quality value {quality!r}; expected 'original' or 'compressed'")


def video_chunk_mime_type(quality: str, compressed_chunk_type: str) -> str:
    """The MIME type of a video task's chunk of this quality."""
    kind = _chunk_kind(quality, compressed_chunk_type)
    return VIDEO_CHUNK_MIME if kind == "video" else "application/zip"


def make_video_chunk(
    video: VideoSource,
    first: int,
    last: int,
    *,
    quality: str,
    image_quality: int,
    compressed_chunk_type: str,
) -> bytes:
    """The chunk holding task frames ``first..last`` (inclusive) in the given quality."""
    kind = _chunk_kind(quality, compressed_chunk_type)
    indices = [video.source_index(i) for i in range(first, last + 1)]
    images = _decode(video.path, indices, video)
    if kind == "imageset":
        return _zip_chunk(images, quality=image_quality)
    chunk_quality = ORIGINAL_QUALITY if quality == "original" else image_quality
    return _encode_mp4(images, quality=chunk_quality, compressed=quality == "compressed")


def decode_chunk_frame(chunk: bytes, offset: int) -> Image.Image:
    """The ``offset``-th frame of an MP4 chunk, as an RGB image."""
    av = _av()
    with av.open(io.BytesIO(chunk), "r") as container:
        stream = container.streams.video[0]
        for number, frame in enumerate(container.decode(stream)):
            if number == offset:
                return _upright(frame)
    raise MediaError(f"The chunk has no frame {offset}")


def read_video_frame(chunk: bytes, offset: int, *, kind: str) -> tuple[bytes, str]:
    """Frame ``offset`` of a chunk of type ``kind`` as ``/data?type=frame`` serves it."""
    if kind == "imageset":
        with zipfile.ZipFile(io.BytesIO(chunk)) as archive:
            name = sorted(archive.namelist())[offset]
            return archive.read(name), _JPEG_MIME
    buf = io.BytesIO()
    decode_chunk_frame(chunk, offset).save(buf, format="PNG")
    return buf.getvalue(), _PNG_MIME


def make_video_preview(frame_image: Image.Image) -> bytes:
    """A JPEG thumbnail fitting :data:`~cvat_client.testing.media.PREVIEW_SIZE`."""
    thumb = frame_image.copy()
    thumb.thumbnail(PREVIEW_SIZE)
    buf = io.BytesIO()
    thumb.convert("RGB").save(buf, format="JPEG")
    return buf.getvalue()


def extract_task_media(
    files: list[Path],
    dest_dir: Path,
    *,
    sorting_method: str = "lexicographical",
    start_frame: int = 0,
    stop_frame: int | None = None,
    frame_step: int = 1,
) -> tuple[list[Frame], VideoSource | None]:
    """Task frames from uploaded files: a single video, or images and archives.

    A video must come alone (as on CVAT); images and archives go to
    :func:`~cvat_client.testing.media.extract_media`. Returns the frames and the video source
    (``None`` for an image task).
    """
    from cvat_client.testing.media import extract_media

    media_files = [f for f in files if PurePosixPath(f.name).suffix.lower() != ".jsonl"]
    videos = [f for f in media_files if is_video_name(f.name)]
    if not videos:
        frames = extract_media(
            files,
            dest_dir,
            sorting_method=sorting_method,
            start_frame=start_frame,
            stop_frame=stop_frame,
            frame_step=frame_step,
        )
        return frames, None
    check_single_video([f.name for f in media_files])
    return extract_video(
        videos[0],
        dest_dir,
        start_frame=start_frame,
        stop_frame=stop_frame,
        frame_step=frame_step,
    )


def task_chunk(data: Any, quality: str, first: int, last: int) -> bytes:
    """The chunk of a video task's frames ``first..last``, built once and kept in its cache.

    ``data`` is the task's ``state.TaskData`` (with ``video`` set).
    """
    key = (quality, first, last)
    cached: bytes | None = data.chunk_cache.get(key)
    if cached is None:
        cached = make_video_chunk(
            data.video,
            first,
            last,
            quality=quality,
            image_quality=data.image_quality,
            compressed_chunk_type=data.compressed_chunk_type,
        )
        data.chunk_cache[key] = cached
    return cached


def task_frame(data: Any, quality: str, number: int) -> tuple[bytes, str]:
    """A video task's frame and its MIME type, decoded from the task chunk that holds it."""
    first = number - number % data.chunk_size
    last = min(first + data.chunk_size - 1, data.size - 1)
    kind = _chunk_kind(quality, data.compressed_chunk_type)
    return read_video_frame(task_chunk(data, quality, first, last), number - first, kind=kind)


def task_preview(data: Any, number: int) -> bytes:
    """The preview of a video task's frame: a thumbnail of its compressed version."""
    content, _mime = task_frame(data, "compressed", number)
    with Image.open(io.BytesIO(content)) as image:
        image.load()
        return make_video_preview(image)


def iter_source_frames(video: VideoSource, numbers: Sequence[int]) -> Iterator[Image.Image]:
    """Task frames ``numbers`` (ascending) decoded from the source video, as RGB images."""
    return _decode(video.path, [video.source_index(n) for n in numbers], video)
