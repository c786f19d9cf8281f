#!/usr/bin/env python3
"""Make the payloads of the transfer benchmarks under ``.bench/`` (git-ignored).

    python bench/make_payloads.py            # 200 JPEGs of ~100 KB, a ~1 GB zip
    python bench/make_payloads.py --quick    # 20 JPEGs, a ~100 MB zip

(a) ``images/``: distinct JPEGs of random noise (noise keeps a JPEG from shrinking, so each
stays close to its target size);
(b) ``big.zip``: a zip of STORED (uncompressed) JPEGs of ~500 KB. A few distinct JPEGs are
made and stored many times under different names, streamed into the archive, so making
1 GB takes seconds and little memory.

Payloads are made once and reused while their parameters stay the same (a small
``payloads.json`` beside them records what was made); ``--force`` remakes them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / ".bench"

FULL = {"images": 200, "image_kb": 100, "zip_mb": 1024, "zip_image_kb": 500, "distinct": 8}
QUICK = {"images": 20, "image_kb": 100, "zip_mb": 100, "zip_image_kb": 500, "distinct": 4}

_QUALITY = 90
_MiB = 1024 * 1024


@dataclass(frozen=True)
class Payloads:
    """Where the payloads are."""

    images: list[Path]
    zip: Path

    @property
    def images_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.images)

    @property
    def zip_bytes(self) -> int:
        return self.zip.stat().st_size


def _noise_jpeg(width: int, height: int, rng: random.Random) -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=_QUALITY)
    return out.getvalue()


def jpeg_of_size(target: int, rng: random.Random) -> bytes:
    """A 4:3 JPEG of random noise within a few percent of ``target`` bytes."""
    width = 320
    data = b""
    for _ in range(4):  # bounded: the byte-per-pixel ratio of noise is nearly constant
        height = max(8, width * 3 // 4)
        data = _noise_jpeg(width, height, rng)
        if abs(len(data) - target) <= target * 0.03:
            break
        width = max(8, round(width * (target / len(data)) ** 0.5))
    return data


def _make_images(directory: Path, count: int, size: int, seed: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for i in range(count):
        (directory / f"image_{i:04d}.jpg").write_bytes(jpeg_of_size(size, rng))


def _make_zip(path: Path, total: int, image_size: int, distinct: int, seed: int) -> None:
    rng = random.Random(seed)
    blobs = [jpeg_of_size(image_size, rng) for _ in range(distinct)]
    partial = path.with_suffix(".zip.part")
    written = 0
    index = 0
    # ZipFile writes each entry straight to the file: memory stays at one JPEG.
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        while written < total:
            blob = blobs[index % len(blobs)]
            archive.writestr(f"frame_{index:06d}.jpg", blob)
            written += len(blob)
            index += 1
    os.replace(partial, path)


def make_payloads(*, quick: bool = False, out: Path = DEFAULT_OUT, force: bool = False) -> Payloads:
    """Make (or reuse) the payloads and return where they are."""
    params = QUICK if quick else FULL
    base = out / ("payloads-quick" if quick else "payloads")
    stamp = base / "payloads.json"
    images_dir = base / "images"
    zip_path = base / "big.zip"
    recorded = None
    if stamp.is_file() and not force:
        try:
            recorded = json.loads(stamp.read_text())
        except ValueError:
            recorded = None
    images = sorted(images_dir.glob("*.jpg")) if images_dir.is_dir() else []
    if recorded != params or len(images) != params["images"] or not zip_path.is_file():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        print(f"making payloads in {_shown(base)} ...", file=sys.stderr, flush=True)
        _make_images(images_dir, params["images"], params["image_kb"] * 1024, seed=1)
        _make_zip(
            zip_path, params["zip_mb"] * _MiB, params["zip_image_kb"] * 1024, params["distinct"], 2
        )
        stamp.write_text(json.dumps(params))
        images = sorted(images_dir.glob("*.jpg"))
    return Payloads(images=images, zip=zip_path)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller payloads for smoke runs")
    parser.add_argument("--force", action="store_true", help="remake even if present")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory (default .bench)")
    args = parser.parse_args()
    payloads = make_payloads(quick=args.quick, out=args.out, force=args.force)
    sizes = [p.stat().st_size for p in payloads.images]
    print(
        f"images: {len(sizes)} files, {sum(sizes) / _MiB:.1f} MiB "
        f"({min(sizes) // 1024}-{max(sizes) // 1024} KiB each) in {_shown(payloads.images[0].parent)}"
    )
    print(f"zip: {payloads.zip_bytes / _MiB:.0f} MiB in {_shown(payloads.zip)}")


if __name__ == "__main__":
    main()
