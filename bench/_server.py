"""The CVAT test server in a process of its own, on 127.0.0.1 and an ephemeral port.

The benchmarks measure the client process only, so the server must not share it.
:class:`ServerProcess` starts this file as a child (``python bench/_server.py ...``), reads
the URL it prints once it accepts connections, and stops it on exit. The child serves
until its standard input closes, so it also goes away if the benchmark dies.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0
# A worker delay longer than any benchmark: uploaded data is never processed, so server-side
# processing cannot compete with the measured client for the CPU.
NEVER = 7 * 24 * 3600.0


class ServerProcess:
    """Context manager: a test server subprocess with its media directory under ``.bench/``.

    ``url``, ``auth`` (user, password) and ``media_dir`` are set once started. The media
    directory is removed on exit.
    """

    def __init__(
        self, *, worker_delay: float = 0.0, scratch: Path | None = None, latency: float = 0.0
    ) -> None:
        self.worker_delay = worker_delay
        self.latency = latency
        self.scratch = scratch or ROOT / ".bench"
        self.auth = ("bench", secrets.token_urlsafe(12))
        self.url = ""
        self.media_dir = Path()
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.media_dir = Path(tempfile.mkdtemp(prefix="media-", dir=self.scratch))
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "_server.py"),
                "--media-dir",
                str(self.media_dir),
                "--worker-delay",
                str(self.worker_delay),
                "--latency",
                str(self.latency),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(f"{self.auth[0]}:{self.auth[1]}\n".encode())
            self._proc.stdin.flush()
            self.url = _read_line(self._proc, _START_TIMEOUT)
        except BaseException:
            self.__exit__()
            raise
        return self

    @property
    def uploads_dir(self) -> Path:
        """Where the server keeps uploaded files until it processes them."""
        return self.media_dir / "uploads"

    def clear_uploads(self) -> None:
        """Remove uploaded files (the server never processes them with ``NEVER``)."""
        shutil.rmtree(self.media_dir / "uploads", ignore_errors=True)

    def __exit__(self, *_: Any) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # the child's signal to stop
            try:
                proc.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        shutil.rmtree(self.media_dir, ignore_errors=True)


def _read_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """The first line the child prints, within ``timeout`` seconds."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0 or proc.poll() is not None:
                raise RuntimeError("the benchmark test server did not start")
            if selector.select(min(left, 0.5)):
                data = os.read(proc.stdout.fileno(), 4096)
                if not data:
                    raise RuntimeError("the benchmark test server exited before starting")
                buffer += data
    return buffer.split(b"\n", 1)[0].decode().strip()


def _serve() -> None:
    """Child side: serve until standard input closes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--media-dir", required=True)
    parser.add_argument("--worker-delay", type=float, default=0.0)
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds of delay before every request"
    )
    args = parser.parse_args()

    from cvat_client.testing.live import LiveServer
    from cvat_client.testing.server import CvatTestServer

    user, _, password = sys.stdin.readline().strip().partition(":")
    server = CvatTestServer(
        admin=(user, password), worker_delay=args.worker_delay, media_dir=args.media_dir
    )
    if args.latency:
        server.faults.add(r"", delay=args.latency)  # every request, through fault injection
    live = LiveServer(server, host="127.0.0.1", port=0).start()
    print(live.url, flush=True)
    try:
        while sys.stdin.read(1):  # blocks until the parent closes the pipe (or dies)
            pass
    finally:
        live.stop()
        # The worker may sleep in its delay; it is a daemon thread, so exit without joining.
        os._exit(0)


if __name__ == "__main__":
    _serve()
