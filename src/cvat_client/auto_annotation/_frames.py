"""Where the images of a task come from: the datasets layer, decoded ahead of their use.

The only place that knows how frames are fetched. [`TaskFrames`][] opens the task as a
`TaskDataset` whose chunks are fetched on demand, ahead of use (up to
``Config.max_concurrency`` at once) into a temporary directory, and deleted once passed.
A producer thread decodes the frames in order into a small bounded queue, so the caller's
thread only runs the function: at most a few decoded images wait, however large the task.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import PIL.Image

    from cvat_client.core.client import Client

__all__ = ["TaskFrames"]

_END = object()
_DECODED_AHEAD = 4
"""How many decoded images may wait for the function (chunks are fetched further ahead)."""


class TaskFrames:
    """A task's labels, its frames (deleted ones left out) and their images, in order."""

    def __init__(self, client: Client, task_id: int) -> None:
        from cvat_client.datasets import MediaDownloadPolicy, TaskDataset

        self._client = client
        self._dataset = TaskDataset(
            client,
            task_id,
            load_annotations=False,
            media_download_policy=MediaDownloadPolicy.FETCH_CHUNKS_ON_DEMAND,
        )

    @property
    def labels(self) -> Sequence[Any]:
        """The task's labels."""
        return self._dataset.labels

    @property
    def frames(self) -> list[int]:
        """The frames to annotate, in order."""
        return [sample.frame_index for sample in self._dataset.samples]

    def images(self) -> Iterator[tuple[int, str, PIL.Image.Image]]:
        """``(frame, frame name, image)`` for each frame, decoded ahead on another thread.

        Closing the iterator early stops the producer and removes the fetched chunks.
        """
        ready: queue.Queue[Any] = queue.Queue(
            maxsize=2 * max(1, self._client.config.max_concurrency)
        )
        stop = threading.Event()

        def put(item: Any) -> bool:
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def produce() -> None:
            try:
                with self._dataset.iter_samples(temporary_chunks=True) as samples:
                    for sample in samples:
                        item = (sample.frame_index, sample.frame_name, sample.media.load_image())
                        if not put(item):
                            return
            except BaseException as exc:  # handed to the consumer, raised there
                put(exc)
                return
            put(_END)

        producer = threading.Thread(target=produce, name="cvat-aa-frames", daemon=True)
        producer.start()
        try:
            while True:
                item = ready.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            producer.join()
