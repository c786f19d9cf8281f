"""Tests of the test server's media library: extraction, chunks, frames, previews."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from cvat_client.testing.media import (
    Frame,
    MediaError,
    extract_media,
    make_chunk,
    make_preview,
    read_frame,
)


def make_image(path: Path, size: tuple[int, int] = (32, 24), color: int = 100) -> Path:
    """Write a small real image; the format follows the extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (color, 50, 200))
    if path.suffix.lower() in (".jpg", ".jpeg"):
        image.save(path, quality=90)
    else:
        image.save(path)
    return path


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    return tmp_path / "upload"


def names(frames: list[Frame]) -> list[str]:
    return [f.name for f in frames]


def test_images_are_copied_decoded_and_sorted(upload: Path, tmp_path: Path) -> None:
    files = [
        make_image(upload / "img_10.jpg", (40, 30)),
        make_image(upload / "img_2.png", (20, 10)),
        make_image(upload / "img_1.jpg"),
    ]
    dest = tmp_path / "data"
    frames = extract_media(files, dest)
    assert names(frames) == ["img_1.jpg", "img_10.jpg", "img_2.png"]
    assert (frames[1].width, frames[1].height) == (40, 30)
    assert (frames[2].width, frames[2].height) == (20, 10)
    assert all(f.path.parent == dest and f.path.is_file() for f in frames)
    assert frames[0].path.read_bytes() == files[2].read_bytes()


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("lexicographical", ["a10.jpg", "a2.jpg", "b1.jpg"]),
        ("natural", ["a2.jpg", "a10.jpg", "b1.jpg"]),
        ("predefined", ["b1.jpg", "a10.jpg", "a2.jpg"]),
    ],
)
def test_sorting_methods(upload: Path, tmp_path: Path, method: str, expected: list[str]) -> None:
    files = [make_image(upload / n) for n in ("b1.jpg", "a10.jpg", "a2.jpg")]
    assert names(extract_media(files, tmp_path / "d", sorting_method=method)) == expected


def test_random_sorting_is_deterministic(upload: Path, tmp_path: Path) -> None:
    files = [make_image(upload / f"f{i}.png", (4, 4)) for i in range(8)]
    first = names(extract_media(files, tmp_path / "a", sorting_method="random"))
    second = names(extract_media(files, tmp_path / "b", sorting_method="random"))
    assert first == second
    assert sorted(first) == sorted(f.name for f in files)


def test_unknown_sorting_method(upload: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="Unknown sorting method 'bogus'"):
        extract_media([make_image(upload / "a.jpg")], tmp_path / "d", sorting_method="bogus")


def test_zip_with_nested_dirs_and_manifest(upload: Path, tmp_path: Path) -> None:
    archive = upload / "images.zip"
    upload.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("sub/b.jpg", "a.png", "sub/deeper/c.jpg"):
            buf = io.BytesIO()
            Image.new("RGB", (16, 8)).save(buf, format="PNG" if name.endswith("png") else "JPEG")
            zf.writestr(name, buf.getvalue())
        zf.writestr("manifest.jsonl", '{"version":"1.1"}\n')
        zf.writestr("readme.txt", "not an image")
        zf.writestr("sub/", "")
    dest = tmp_path / "d"
    frames = extract_media([archive], dest)
    assert names(frames) == ["a.png", "sub/b.jpg", "sub/deeper/c.jpg"]
    assert frames[2].path == dest / "sub" / "deeper" / "c.jpg"
    assert (frames[0].width, frames[0].height) == (16, 8)


def test_manifest_files_are_ignored(upload: Path, tmp_path: Path) -> None:
    manifest = upload / "manifest.jsonl"
    make_image(upload / "a.jpg")
    manifest.write_text('{"version":"1.1"}\n')
    assert names(extract_media([upload / "a.jpg", manifest], tmp_path / "d")) == ["a.jpg"]


def test_frame_range_and_step(upload: Path, tmp_path: Path) -> None:
    files = [make_image(upload / f"{i:02d}.png", (4, 4)) for i in range(10)]
    frames = extract_media(files, tmp_path / "d", start_frame=2, stop_frame=7, frame_step=2)
    assert names(frames) == ["02.png", "04.png", "06.png"]
    frames = extract_media(files, tmp_path / "e", start_frame=8, stop_frame=100)
    assert names(frames) == ["08.png", "09.png"]


def test_frame_range_errors(upload: Path, tmp_path: Path) -> None:
    files = [make_image(upload / "a.png", (4, 4))]
    with pytest.raises(MediaError, match="start frame 3 is out of the data range"):
        extract_media(files, tmp_path / "d", start_frame=3)
    with pytest.raises(MediaError, match="frame step"):
        extract_media(files, tmp_path / "d", frame_step=0)


def test_non_image_file_is_named(upload: Path, tmp_path: Path) -> None:
    upload.mkdir()
    bad = upload / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(MediaError, match=r"'notes\.txt' is neither an image nor a zip"):
        extract_media([bad], tmp_path / "d")


def test_broken_image_is_named(upload: Path, tmp_path: Path) -> None:
    upload.mkdir()
    bad = upload / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    with pytest.raises(MediaError, match=r"'broken\.jpg' is not a valid image"):
        extract_media([make_image(upload / "ok.jpg"), bad], tmp_path / "d")


def test_broken_zip_and_unsafe_entries(upload: Path, tmp_path: Path) -> None:
    upload.mkdir()
    bad = upload / "data.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(MediaError, match=r"'data\.zip' is not a valid zip archive"):
        extract_media([bad], tmp_path / "d")
    evil = upload / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../escape.jpg", b"x")
    with pytest.raises(MediaError, match="Unsafe file name"):
        extract_media([evil], tmp_path / "d")


def test_empty_upload(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="No media data found"):
        extract_media([], tmp_path / "d")


def test_exif_rotation_swaps_sizes(upload: Path, tmp_path: Path) -> None:
    upload.mkdir()
    image = Image.new("RGB", (40, 20), (10, 20, 30))
    exif = image.getexif()
    exif[0x0112] = 6  # rotated 90 degrees
    image.save(upload / "rot.jpg", exif=exif.tobytes())
    (frame,) = extract_media([upload / "rot.jpg"], tmp_path / "d")
    assert (frame.width, frame.height) == (20, 40)
    data, mime = read_frame(frame, quality="original", image_quality=70)
    assert mime == "image/jpeg"
    assert Image.open(io.BytesIO(data)).size == (20, 40)


def test_in_place_extraction_keeps_files(upload: Path) -> None:
    files = [make_image(upload / "a.jpg"), make_image(upload / "sub" / "b.jpg")]
    before = files[0].read_bytes()
    first, second = extract_media(files, upload)
    assert first.path == upload / "a.jpg"
    assert first.path.read_bytes() == before
    assert (second.name, second.path) == ("sub/b.jpg", upload / "sub" / "b.jpg")


@pytest.fixture
def frames(upload: Path, tmp_path: Path) -> list[Frame]:
    files = [make_image(upload / "img_0.jpg", (320, 240)), make_image(upload / "img_1.png")]
    return extract_media(files, tmp_path / "data")


def test_original_chunk_holds_original_bytes(frames: list[Frame]) -> None:
    chunk = make_chunk(frames, quality="original", image_quality=70)
    with zipfile.ZipFile(io.BytesIO(chunk)) as zf:
        assert zf.namelist() == ["000000.jpg", "000001.png"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        assert zf.read("000000.jpg") == frames[0].path.read_bytes()
        assert zf.read("000001.png") == frames[1].path.read_bytes()


def test_compressed_chunk_is_jpeg(frames: list[Frame]) -> None:
    chunk = make_chunk(frames, quality="compressed", image_quality=50)
    with zipfile.ZipFile(io.BytesIO(chunk)) as zf:
        assert zf.namelist() == ["000000.jpeg", "000001.jpeg"]
        for name, frame in zip(zf.namelist(), frames, strict=True):
            image = Image.open(io.BytesIO(zf.read(name)))
            assert image.format == "JPEG"
            assert image.size == (frame.width, frame.height)


def test_read_frame_types(frames: list[Frame]) -> None:
    data, mime = read_frame(frames[1], quality="original", image_quality=70)
    assert (data, mime) == (frames[1].path.read_bytes(), "image/png")
    data, mime = read_frame(frames[1], quality="compressed", image_quality=70)
    assert mime == "image/jpeg"
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    with pytest.raises(MediaError, match="Wrong quality value"):
        read_frame(frames[0], quality="bogus", image_quality=70)


def test_compressed_quality_changes_size(frames: list[Frame]) -> None:
    low, _ = read_frame(frames[0], quality="compressed", image_quality=10)
    high, _ = read_frame(frames[0], quality="compressed", image_quality=95)
    assert len(low) < len(high)


def test_preview_is_a_small_jpeg(frames: list[Frame]) -> None:
    preview = Image.open(io.BytesIO(make_preview(frames[0])))
    assert preview.format == "JPEG"
    assert preview.size == (256, 192)
    small = Image.open(io.BytesIO(make_preview(frames[1])))
    assert small.size == (32, 24)
