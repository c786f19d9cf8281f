"""Progress reporting: a small protocol, a silent default and a tqdm adapter.

Long operations (uploads, downloads) take ``pbar=``: any object with cvat-sdk's
progress reporter shape. Subclass :class:`BaseProgressReporter` to write one, or wrap a
tqdm bar in :class:`TqdmProgressReporter` (tqdm is optional and imported only when used).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    import tqdm as tqdm_module

__all__ = [
    "ProgressReporter",
    "BaseProgressReporter",
    "NullProgressReporter",
    "TqdmProgressReporter",
    "DeferredTqdmProgressReporter",
    "StreamWithProgress",
    "ThreadSafeProgress",
]

T = TypeVar("T")


@runtime_checkable
class ProgressReporter(Protocol):
    """What operations call on a progress reporter (cvat-sdk's shape).

    ``start2(total, ...)`` begins a run of ``total`` units, ``advance(delta)`` reports
    progress, ``finish()`` ends the run. A class that derives from this one and
    implements only those three (as cvat-sdk asks) gets working ``start``, ``iter`` and
    ``task``; ``report_status`` needs an implementation (or derive from
    :class:`BaseProgressReporter`, which keeps count). Any object with all these methods
    is accepted as well.
    """

    def start(self, total: int, *, desc: str | None = None) -> None:
        """Begin a run of ``total`` units (cvat-sdk's older entry point): calls ``start2``."""
        if type(self).start2 is ProgressReporter.start2:
            raise NotImplementedError(f"{type(self).__name__} implements neither start2 nor start")
        self.start2(total, desc=desc)

    def start2(
        self,
        total: int,
        *,
        desc: str | None = None,
        unit: str = "it",
        unit_scale: bool = False,
        unit_divisor: int = 1000,
        **kwargs: Any,
    ) -> None:
        """Begin a run of ``total`` units of ``unit`` (bytes: ``unit="B", unit_scale=True``).

        Implementations must ignore keywords they do not know. The default calls the
        older ``start(total, desc=desc)``.
        """
        if type(self).start is ProgressReporter.start:
            raise NotImplementedError(f"{type(self).__name__} implements neither start2 nor start")
        self.start(total, desc=desc)

    def report_status(self, progress: int) -> None:
        """Set the absolute progress."""
        raise NotImplementedError(f"{type(self).__name__} does not implement report_status")

    def advance(self, delta: int) -> None:
        """Add ``delta`` units of progress."""
        raise NotImplementedError(f"{type(self).__name__} does not implement advance")

    def finish(self) -> None:
        """End the run."""

    def iter(self, iterable: Iterable[T]) -> Iterable[T]:
        """Iterate, advancing by one per item."""
        for item in iterable:
            yield item
            self.advance(1)

    @contextmanager
    def task(self, **kwargs: Any) -> Generator[None, None, None]:
        """A context manager: ``start2(**kwargs)`` on entry, ``finish()`` on exit."""
        self.start2(**kwargs)
        try:
            yield
        finally:
            self.finish()


class BaseProgressReporter:
    """A base with the conveniences; subclasses override ``start2``/``advance``/``finish``.

    A subclass that only needs to show the start of a run can override :meth:`_begin`
    instead of ``start2``: it gets the run's options and keeps ``start2``'s checks.
    """

    def __init__(self) -> None:
        self._in_progress = False
        self.progress = 0
        self.total: int | None = None

    def start(self, total: int, *, desc: str | None = None) -> None:
        """Begin a run of ``total`` units."""
        self.start2(total, desc=desc)

    def start2(
        self,
        total: int,
        *,
        desc: str | None = None,
        unit: str = "it",
        unit_scale: bool = False,
        unit_divisor: int = 1000,
        **kwargs: Any,
    ) -> None:
        """Begin a run of ``total`` units."""
        if self._in_progress:
            raise RuntimeError("start2() called while a run is in progress; call finish() first")
        self._begin(
            total,
            {
                "desc": desc,
                "unit": unit,
                "unit_scale": unit_scale,
                "unit_divisor": unit_divisor,
                **kwargs,
            },
        )
        self._in_progress = True
        self.progress = 0
        self.total = total

    def _begin(self, total: int, options: dict[str, Any]) -> None:
        """Show a run of ``total`` units starting; ``options`` holds ``desc``, ``unit``,
        ``unit_scale``, ``unit_divisor`` and the extra keywords of ``start2``."""

    def report_status(self, progress: int) -> None:
        """Set the absolute progress."""
        self.advance(progress - self.progress)

    def advance(self, delta: int) -> None:
        """Add ``delta`` units of progress."""
        self.progress += delta

    def finish(self) -> None:
        """End the run."""
        self._in_progress = False

    def iter(self, iterable: Iterable[T]) -> Iterator[T]:
        """Iterate, advancing by one per item."""
        for item in iterable:
            yield item
            self.advance(1)

    @contextmanager
    def task(self, **kwargs: Any) -> Generator[None, None, None]:
        """``start2(**kwargs)`` on entry, ``finish()`` on exit."""
        self.start2(**kwargs)
        try:
            yield
        finally:
            self.finish()


class NullProgressReporter(BaseProgressReporter):
    """Reports nothing: the default."""

    def start2(self, total: int, **kwargs: Any) -> None:
        """Do nothing."""

    def advance(self, delta: int) -> None:
        """Do nothing."""

    def finish(self) -> None:
        """Do nothing."""


class TqdmProgressReporter(BaseProgressReporter):
    """Shows progress on an existing tqdm bar (reset at every run)."""

    def __init__(self, instance: tqdm_module.tqdm[Any]) -> None:
        super().__init__()
        self.tqdm = instance

    def _begin(self, total: int, options: dict[str, Any]) -> None:
        """Reset the bar for a run of ``total`` units."""
        bar = self.tqdm
        bar.reset(total)
        if options["desc"] is not None:
            bar.set_description_str(options["desc"])
        bar.unit = options["unit"]
        bar.unit_scale = options["unit_scale"]
        bar.unit_divisor = options["unit_divisor"]

    def advance(self, delta: int) -> None:
        """Move the bar."""
        super().advance(delta)
        self.tqdm.update(delta)

    def finish(self) -> None:
        """Refresh the bar one last time."""
        self.tqdm.refresh()
        super().finish()


class DeferredTqdmProgressReporter(BaseProgressReporter):
    """Creates a new tqdm bar for every run (``tqdm_args`` are passed to ``tqdm.tqdm``)."""

    def __init__(self, tqdm_args: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.tqdm_args = dict(tqdm_args or {})
        self.tqdm: tqdm_module.tqdm[Any] | None = None

    def _begin(self, total: int, options: dict[str, Any]) -> None:
        """Open a new bar."""
        try:
            from tqdm import tqdm
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "tqdm is not installed: pip install 'cvat-client[cli]' (or tqdm)"
            ) from exc
        self.tqdm = tqdm(**{"total": total, **options, **self.tqdm_args})

    def advance(self, delta: int) -> None:
        """Move the bar."""
        super().advance(delta)
        if self.tqdm is not None:
            self.tqdm.update(delta)

    def finish(self) -> None:
        """Close the bar."""
        if self.tqdm is not None:
            self.tqdm.close()
            self.tqdm = None
        super().finish()


class ThreadSafeProgress:
    """Serializes ``advance`` calls from worker threads onto one reporter."""

    def __init__(self, pbar: ProgressReporter) -> None:
        self._pbar = pbar
        self._lock = threading.Lock()

    def advance(self, delta: int) -> None:
        """Add ``delta`` units, under a lock."""
        if delta:
            with self._lock:
                self._pbar.advance(delta)


class StreamWithProgress(io.RawIOBase):
    """A readable binary stream that reports what is read (an upload body)."""

    def __init__(self, stream: BinaryIO | io.RawIOBase, pbar: ProgressReporter) -> None:
        super().__init__()
        self.stream = stream
        self.pbar = pbar

    def readable(self) -> bool:
        """Always readable."""
        return True

    def seekable(self) -> bool:
        """Whether the wrapped stream is seekable."""
        return bool(self.stream.seekable())

    def read(self, size: int = -1) -> bytes:
        """Read and report up to ``size`` bytes."""
        chunk = self.stream.read(size) or b""
        self.pbar.advance(len(chunk))
        return bytes(chunk)

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer`` and report."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        """Seek the wrapped stream, moving the progress to match."""
        old = self.stream.tell()
        new = self.stream.seek(pos, whence)
        self.pbar.advance(new - old)
        return new

    def tell(self) -> int:
        """The wrapped stream's position."""
        return self.stream.tell()
