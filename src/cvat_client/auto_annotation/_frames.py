"""Where the images of a task come from: fetched and decoded ahead of their use.

The only place that knows how frames are fetched: [`iter_images`][] yields the frames
in order while up to ``Config.max_concurrency`` of the next ones are downloaded and
decoded on worker threads. At most twice that many images exist at once, whatever the
task's size.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import PIL.Image

    from cvat_client.core.client import Client

__all__ = ["iter_images", "load_pillow"]


def load_pillow() -> Any:
    """``PIL.Image``, or an error naming the extra to install."""
    try:
        import PIL.Image
    except ImportError as exc:  # pragma: no cover - Pillow comes with the extras
        from cvat_client.auto_annotation.exceptions import BadFunctionError

        raise BadFunctionError(
            'auto-annotation needs Pillow: pip install "cvat-client[pytorch]" (or pillow)'
        ) from exc
    return PIL.Image


def _fetch(client: Client, task_id: int, frame: int) -> PIL.Image.Image:
    image_module = load_pillow()
    _, response = client.api_client.tasks_api.retrieve_data(
        task_id, type="frame", number=frame, quality="original", _parse_response=False
    )
    image = image_module.open(io.BytesIO(response.content))
    image.load()
    return image  # type: ignore[no-any-return]


def iter_images(
    client: Client, task_id: int, frames: Sequence[int]
) -> Iterator[tuple[int, PIL.Image.Image]]:
    """``(frame, image)`` for each of ``frames``, in order, fetched ahead in the background.

    Closing the iterator early stops the fetching (pending fetches are cancelled).
    """
    ahead = max(1, client.config.max_concurrency)
    pending: deque[tuple[int, Future[PIL.Image.Image]]] = deque()
    queue = iter(frames)
    pool = ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="cvat-aa-frames")
    try:

        def refill() -> None:
            while len(pending) < 2 * ahead:
                frame = next(queue, None)
                if frame is None:
                    return
                pending.append((frame, pool.submit(_fetch, client, task_id, frame)))

        refill()
        while pending:
            frame, future = pending.popleft()
            refill()
            yield frame, future.result()
    finally:
        for _, future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
