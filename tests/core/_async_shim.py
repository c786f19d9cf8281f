"""Drive the async client from the sync workflow tests, so that each of them also checks
the async face: every awaited call runs on an event loop in a background thread."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from cvat_client.core._async_runtime import AsyncFace


class EventLoopThread:
    """An asyncio event loop running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class Blocking:
    """A blocking view of an async twin: ``Blocking(async_task).get_annotations()``
    awaits ``async_task.get_annotations()`` on the loop and returns its result."""

    def __init__(self, target: Any, runner: EventLoopThread) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_runner", runner)

    @property
    def async_face(self) -> Any:
        return self._target

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        # isinstance(view, Job) holds when the view drives the twin of a Job (AsyncJob).
        target = object.__getattribute__(self, "_target")
        if isinstance(target, AsyncFace):
            return type(target.sync)
        return Blocking

    def _wrap(self, value: Any) -> Any:
        if value is self._target:
            return self
        if isinstance(value, AsyncFace):
            return Blocking(value, self._runner)
        if isinstance(value, list) and value and isinstance(value[0], AsyncFace):
            return [Blocking(item, self._runner) for item in value]
        if isinstance(value, AsyncIterator):
            return self._iterate(value)
        return value

    def _iterate(self, iterator: AsyncIterator[Any]) -> Iterator[Any]:
        while True:
            try:
                item = self._runner.run(iterator.__anext__())
            except StopAsyncIteration:
                return
            yield self._wrap(item)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if inspect.iscoroutinefunction(value):

            def call(*args: Any, **kwargs: Any) -> Any:
                return self._wrap(self._runner.run(value(*args, **kwargs)))

            return call
        if callable(value) and inspect.ismethod(value):

            def plain(*args: Any, **kwargs: Any) -> Any:
                return self._wrap(value(*args, **kwargs))

            return plain
        return self._wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __eq__(self, other: object) -> bool:
        other_target = other._target if isinstance(other, Blocking) else other
        return bool(self._target == other_target)

    def __hash__(self) -> int:
        return hash(self._target)

    def __repr__(self) -> str:
        # the sync repr, as the tests written for the sync face expect
        target = self._target
        return repr(target.sync if isinstance(target, AsyncFace) else target)

    def __str__(self) -> str:
        return str(self._target)

    def __enter__(self) -> Blocking:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
