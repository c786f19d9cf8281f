"""Short generated videos for the tests: identifiable frames, decoding, PSNR."""

from __future__ import annotations

import io
import math
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat


def frame_image(index: int, width: int, height: int) -> Image.Image:
    """A frame whose content identifies ``index``: a colour and a bar at an index-dependent place."""
    image = Image.new("RGB", (width, height), ((index * 53) % 256, 90, 200 - (index * 17) % 150))
    draw = ImageDraw.Draw(image)
    bar = max(4, width // 6)
    x = (index * 7) % max(1, width - bar)
    draw.rectangle([x, 0, x + bar - 1, height // 2], fill=(230, 230, 230))
    return image.filter(ImageFilter.GaussianBlur(2))  # natural-looking edges


def make_video(
    path: Path, codec: str, width: int, height: int, frames: int, *, vfr: bool = False
) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        if vfr:
            stream.codec_context.time_base = Fraction(1, 1000)
            stream.time_base = Fraction(1, 1000)
        pts = 0
        for i in range(frames):
            frame = av.VideoFrame.from_image(frame_image(i, width, height))
            if vfr:  # alternate 20 ms and 60 ms between frames
                frame.pts, frame.time_base = pts, Fraction(1, 1000)
                pts += 20 if i % 2 else 60
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def decode(source: Path | bytes) -> list[Image.Image]:
    opened = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    with av.open(opened) as container:
        return [f.to_image() for f in container.decode(container.streams.video[0])]


def psnr(got: Image.Image, expected: Image.Image) -> float:
    if got.size != expected.size:
        got = got.resize(expected.size, Image.Resampling.BILINEAR)
    diff = ImageChops.difference(got.convert("RGB"), expected.convert("RGB"))
    mse = sum(ImageStat.Stat(diff).sum2) / (3 * expected.size[0] * expected.size[1])
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def even(n: int) -> int:
    return n + n % 2
