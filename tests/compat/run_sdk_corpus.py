"""Run the scripts of ``sdk_scripts/`` with one package, each against a fresh test server.

``python tests/compat/run_sdk_corpus.py cvat_sdk|cvat_client WORKDIR SCRIPT...``

The scripts are written for ``cvat_sdk``; with ``cvat_client`` each is first renamed
mechanically (``cvat_sdk`` -> ``cvat_client``, module names only). Each script gets a new
empty test server over loopback HTTP and a folder with three JPEG images; the
environment variables ``CORPUS_URL``, ``CORPUS_USER``, ``CORPUS_PASSWORD`` and
``CORPUS_DATA`` say where. Prints one JSON document: per script, its standard output,
the exception it ended with (if any) and the seconds it took (server start included;
for information, never compared).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import traceback
from pathlib import Path

from PIL import Image

from cvat_client.testing.live import LiveServer
from cvat_client.testing.server import DEFAULT_ADMIN, CvatTestServer


def _images(folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, color in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
        image = Image.new("RGB", (64 + 8 * i, 48), color)
        image.paste((255, 255, 255), (2, 2, 10, 10))
        image.save(folder / f"img_{i}.jpg", format="JPEG")


def run(package: str, workdir: Path, scripts: list[Path]) -> dict[str, dict[str, str | None]]:
    results: dict[str, dict[str, str | None]] = {}
    for script in scripts:
        source = script.read_text(encoding="utf-8")
        if package == "cvat_client":
            source = source.replace("cvat_sdk", "cvat_client")
        data = workdir / script.stem
        _images(data / "images")
        server = CvatTestServer(admin=DEFAULT_ADMIN)
        out = io.StringIO()
        error: str | None = None
        started = time.perf_counter()
        try:
            with LiveServer(server) as live:
                os.environ.update(
                    CORPUS_URL=live.url,
                    CORPUS_USER=DEFAULT_ADMIN[0],
                    CORPUS_PASSWORD=DEFAULT_ADMIN[1],
                    CORPUS_DATA=str(data),
                )
                code = compile(source, str(script), "exec")
                cwd = os.getcwd()
                os.chdir(data)
                try:
                    with contextlib.redirect_stdout(out):
                        exec(code, {"__name__": "__main__", "__file__": str(script)})
                finally:
                    os.chdir(cwd)
        except BaseException as exc:
            error = "".join(traceback.format_exception(exc))
        finally:
            server.close()
        results[script.name] = {
            "stdout": out.getvalue(),
            "error": error,
            "seconds": f"{time.perf_counter() - started:.2f}",
        }
    return results


if __name__ == "__main__":
    package, workdir, *names = sys.argv[1:]
    print(json.dumps(run(package, Path(workdir), [Path(n) for n in names])))
