"""The test server's multipart splitter against bodies httpx builds."""

from __future__ import annotations

import os

import httpx

from cvat_client.testing.uploads import split_multipart


def test_split_multipart_matches_what_was_sent() -> None:
    tricky = b"\r\n--not-a-boundary\r\n" + os.urandom(4096) + b"\r\n"
    request = httpx.Request(
        "POST",
        "http://x/",
        data={"image_quality": "70"},
        files=[
            ("client_files[0]", ("data/img 0.jpg", tricky, "image/jpeg")),
            ("client_files[1]", ('quote"d.png', b"", "image/png")),
        ],
    )
    body = request.read()
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    assert split_multipart(body, boundary) == [
        ("image_quality", None, b"70"),
        ("client_files[0]", "data/img 0.jpg", tricky),
        ("client_files[1]", "quote%22d.png", b""),  # httpx escapes quotes (HTML5 rule)
    ]
