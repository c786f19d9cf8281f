"""Uploads and downloads survive the server going away and coming back on the same port."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from cvat_client.core.client import Config, make_client
from cvat_client.core.progress import NullProgressReporter
from cvat_client.testing import CvatTestServer
from cvat_client.testing.faults import FaultRule
from cvat_client.testing.live import LiveServer

#: A request caught on a connection the stopped listener neither answers nor closes waits
#: for the read timeout, then resumes: keep that wait short.
READ_TIMEOUT = (5.0, 5.0)


@pytest.fixture
def live(cvat_server: CvatTestServer) -> Iterator[LiveServer]:
    with LiveServer(cvat_server) as server:
        yield server


def _restart_when(rule: FaultRule, live: LiveServer, seen: int) -> threading.Thread:
    """Restart the listener once ``rule`` has seen ``seen`` requests."""

    def watch() -> None:
        deadline = time.monotonic() + 10
        while rule.seen < seen and time.monotonic() < deadline:
            time.sleep(0.01)
        live.restart(downtime=0.5)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _noise_png(path: Path, side: int = 400) -> bytes:
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, format="PNG")
    return path.read_bytes()


def test_upload_resumes_after_the_server_went_away(
    cvat_server: CvatTestServer, live: LiveServer, tmp_path: Path
) -> None:
    image = tmp_path / "big.png"
    original = _noise_png(image)
    chunk = 64 * 1024
    assert len(original) > 4 * chunk
    config = Config(
        status_check_period=0.01,
        upload_batch_size=chunk,
        upload_chunk_size=chunk,
        retry_backoff=0.2,
        retries=8,
        timeout=READ_TIMEOUT,
    )
    # the 3rd chunk is held long enough to be cut by the listener's shutdown
    rule = cvat_server.faults.add(r"^/api/uploads/|/data/", method="PATCH", on=3, delay=5.0)
    with make_client(live.url, credentials=("admin", "admin"), config=config) as client:
        watcher = _restart_when(rule, live, 3)
        task = client.tasks.create_from_data({"name": "t", "labels": [{"name": "a"}]}, [image])
        watcher.join(timeout=30)
        assert rule.seen > 3  # the upload went on after the cut
        assert task.get_frame(0, quality="original").read() == original
        assert len(cvat_server.store.tasks) == 1
        task.remove()


class _RestartOnFirstBytes(NullProgressReporter):
    """Restarts the listener from the downloading thread once the first bytes arrived."""

    def __init__(self, live: LiveServer) -> None:
        super().__init__()
        self.live = live
        self.restarted = False

    def advance(self, delta: int) -> None:
        if not self.restarted:
            self.restarted = True
            self.live.restart(downtime=0.5)


def test_download_resumes_after_the_server_went_away(
    cvat_server: CvatTestServer, live: LiveServer, tmp_path: Path
) -> None:
    image = tmp_path / "big.png"
    _noise_png(image)
    config = Config(status_check_period=0.01, retry_backoff=0.2, retries=8, timeout=READ_TIMEOUT)
    with make_client(live.url, credentials=("admin", "admin"), config=config) as client:
        task = client.tasks.create_from_data({"name": "t", "labels": [{"name": "a"}]}, [image])
        whole = tmp_path / "whole.zip"
        task.download_backup(whole)
        # the body is cut after 50 kB whatever the listener does meanwhile
        rule = cvat_server.faults.add(r"/backup", method="GET", on=1, drop_after=50_000)
        cut = tmp_path / "cut.zip"
        restarter = _RestartOnFirstBytes(live)
        task.download_backup(cut, pbar=restarter)
        assert restarter.restarted and rule.fired == 1
        assert cut.read_bytes() == whole.read_bytes()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["big.png", "cut.zip", "whole.zip"]
