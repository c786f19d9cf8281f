"""Progress reporters: the protocol, the base class, the tqdm adapters, streams."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
import tqdm

from cvat_client.core.progress import (
    BaseProgressReporter,
    DeferredTqdmProgressReporter,
    NullProgressReporter,
    ProgressReporter,
    StreamWithProgress,
    ThreadSafeProgress,
    TqdmProgressReporter,
)


class Counting(BaseProgressReporter):
    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[int, dict[str, Any]]] = []
        self.finished = 0

    def start2(self, total: int, **kwargs: Any) -> None:
        super().start2(total, **kwargs)
        self.starts.append((total, kwargs))

    def finish(self) -> None:
        super().finish()
        self.finished += 1


def test_reporters_follow_the_protocol() -> None:
    for reporter in (
        NullProgressReporter(),
        Counting(),
        TqdmProgressReporter(tqdm.tqdm(disable=True)),
    ):
        assert isinstance(reporter, ProgressReporter)


def test_base_conveniences() -> None:
    pbar = Counting()
    with pbar.task(total=3, desc="x", unit="B"):
        assert list(pbar.iter("abc")) == ["a", "b", "c"]
        assert pbar.progress == 3
        pbar.report_status(1)
        assert pbar.progress == 1
    assert pbar.starts == [(3, {"desc": "x", "unit": "B"})]
    assert pbar.finished == 1
    pbar.start(5, desc="again")
    with pytest.raises(RuntimeError, match="in progress"):
        pbar.start2(1)
    pbar.finish()


def test_null_reporter_is_silent() -> None:
    pbar = NullProgressReporter()
    with pbar.task(total=10):
        pbar.advance(5)
    assert list(pbar.iter([1, 2])) == [1, 2]


def test_tqdm_adapter() -> None:
    out = io.StringIO()
    bar = tqdm.tqdm(file=out, mininterval=0)
    pbar = TqdmProgressReporter(bar)
    pbar.start2(2048, desc="Uploading", unit="B", unit_scale=True, unit_divisor=1024)
    pbar.advance(1024)
    pbar.advance(1024)
    pbar.finish()
    assert bar.n == 2048 and bar.total == 2048
    assert "Uploading" in out.getvalue()
    bar.close()


def test_deferred_tqdm_opens_a_bar_per_run() -> None:
    out = io.StringIO()
    pbar = DeferredTqdmProgressReporter({"file": out, "mininterval": 0})
    assert pbar.tqdm is None
    pbar.start2(10, desc="Downloading")
    assert pbar.tqdm is not None
    pbar.advance(10)
    pbar.finish()
    assert pbar.tqdm is None
    assert "Downloading" in out.getvalue()


def test_thread_safe_progress() -> None:
    pbar = Counting()
    pbar.start2(8000)
    safe = ThreadSafeProgress(pbar)
    threads = [
        threading.Thread(target=lambda: [safe.advance(1) for _ in range(1000)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pbar.progress == 8000


def test_stream_with_progress() -> None:
    pbar = Counting()
    pbar.start2(10)
    stream = StreamWithProgress(io.BytesIO(b"0123456789"), pbar)
    assert stream.read(4) == b"0123"
    assert pbar.progress == 4
    buffer = bytearray(3)
    assert stream.readinto(buffer) == 3 and bytes(buffer) == b"456"
    stream.seek(2)
    assert pbar.progress == 2 and stream.tell() == 2
    assert stream.read() == b"23456789"
    assert pbar.progress == 10
    assert stream.readable() and stream.seekable()
