"""What CVAT 2.73 counts as task media (``core/_protocol/media_kinds``), checked before upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvat_client.core._protocol.media_kinds import (
    UNIQUE_KINDS,
    check_task_media,
    kind_of_type,
    media_kind,
)


@pytest.mark.parametrize(
    ("mime", "kind"),
    [
        ("image/jpeg", "image"),
        ("image/png", "image"),
        ("image/svg+xml", None),
        ("video/mp4", "video"),
        ("audio/mpeg", "audio"),
        ("application/x-rar-compressed", "archive"),
        ("application/x-tar", "archive"),
        ("application/x-7z-compressed", "archive"),
        ("application/x-cpio", "archive"),
        ("application/gzip", "archive"),
        ("application/x-bzip", "archive"),
        ("application/pdf", "pdf"),
        ("application/zip", "zip"),
        ("text/plain", None),
        ("application/json", None),
    ],
)
def test_kinds_of_mime_types(mime: str, kind: str | None) -> None:
    assert kind_of_type(mime) == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.jpg", "image"),
        ("A.PNG", "image"),
        ("a.svg", None),
        ("a.mp4", "video"),
        ("a.tar", "archive"),
        ("a.tar.gz", "archive"),  # the type is tar; gzip is only its encoding
        ("a.gz", None),  # no type, an encoding only: the server skips it
        ("a.pdf", "pdf"),
        ("a.zip", "zip"),
        ("manifest.jsonl", "manifest"),
        ("notes.txt", None),
        ("no-extension", None),
    ],
)
def test_kinds_of_file_names(name: str, kind: str | None) -> None:
    assert media_kind(name) == kind


@pytest.mark.parametrize(
    "names",
    [
        ["a.jpg"],
        ["a.jpg", "b.png", "c.jpeg"],
        ["a.mp4"],
        ["a.mp3"],
        ["a.tar"],
        ["a.pdf"],
        ["a.zip"],
        ["a.mp4", "manifest.jsonl"],
        ["a.jpg", "b.jpg", "manifest.jsonl"],
        ["a.zip", "manifest.jsonl"],
        ["a.tar", "manifest.jsonl"],
    ],
)
def test_what_a_task_takes(names: list[str]) -> None:
    assert check_task_media(names) is None


def test_names_are_taken_from_paths() -> None:
    assert check_task_media([Path("dir.txt") / "a.jpg"]) is None
    problem = check_task_media([Path("dir.jpg") / "notes.txt"])
    assert problem is not None and "('notes.txt')" in problem


def test_files_the_server_would_skip_are_named() -> None:
    five = [f"{n}.txt" for n in "abcde"]
    assert check_task_media(["x.jpg", *five]) == (
        "5 file(s) are not media CVAT can use ('a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt'): "
        "CVAT takes images, one video, one archive (zip, tar...) or one PDF, plus an optional "
        ".jsonl manifest"
    )
    # at most five are named
    problem = check_task_media([*five, "f.txt"])
    assert problem is not None
    assert problem.startswith(
        "6 file(s) are not media CVAT can use ('a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt' ...): "
    )


def test_one_manifest_at_most() -> None:
    assert check_task_media(["a.mp4", "a.jsonl", "b.jsonl"]) == (
        "Only one manifest (.jsonl) file can be attached to the data of a task"
    )


def test_a_manifest_is_not_media() -> None:
    expected = "No media found: CVAT takes images, one video, one archive or one PDF"
    assert check_task_media(["manifest.jsonl"]) == expected
    assert check_task_media([]) == expected


_MIX = (
    "A task takes either one video, audio file, archive, PDF or ZIP, or any number of images, "
    "not a mix: found "
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.mp4", "video"),
        ("a.mp3", "audio"),
        ("a.tar", "archive"),
        ("a.pdf", "pdf"),
        ("a.zip", "zip"),
    ],
)
def test_unique_kinds_come_alone(name: str, kind: str) -> None:
    assert kind in UNIQUE_KINDS
    found = ", ".join(sorted([f"1 {kind}(s)", "1 image(s)"]))
    assert check_task_media([name, "b.jpg"]) == _MIX + found
    assert check_task_media([name, f"second{name}"]) == f"{_MIX}2 {kind}(s)"


def test_a_mix_of_unique_kinds_is_listed_in_order() -> None:
    assert check_task_media(["a.zip", "b.mp4", "c.pdf", "d.jpg"]) == (
        _MIX + "1 image(s), 1 pdf(s), 1 video(s), 1 zip(s)"
    )


@pytest.mark.parametrize("name", ["a.mp3", "a.pdf"])
def test_a_manifest_only_comes_with_videos_images_and_archives(name: str) -> None:
    assert check_task_media([name, "manifest.jsonl"]) == (
        "A manifest (.jsonl) can only come with a video, images or an archive"
    )
