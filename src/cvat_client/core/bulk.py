"""Bulk operations: what users otherwise do in loops, ``Config.max_concurrency`` requests
in flight (``client.bulk``).

Each helper runs the client's ordinary operation once per item in a pool of worker
threads, so every item gets the same authentication, retries, deadlines, atomic files
and errors as a single call. Results come back in the order of the input.

On the first failure no further item is started; the items already running finish, and
the first failure is raised. Objects created by items that succeeded stay on the server
(each is complete); the exception's ``__notes__`` name how many items succeeded.
"""

from __future__ import annotations

import contextvars
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from cvat_client.core._async_runtime import check_cancelled

if TYPE_CHECKING:
    from cvat_client.api_client import models
    from cvat_client.core.client import Client
    from cvat_client.core.proxies.jobs import Job
    from cvat_client.core.proxies.tasks import Task

__all__ = ["Bulk"]

T = TypeVar("T")
R = TypeVar("R")

StrPath = str | os.PathLike[str]


class Bulk:
    """Operations on many objects at once (``client.bulk``), at most
    ``client.config.max_concurrency`` of them in flight."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def client(self) -> Client:
        """The client the operations run through."""
        return self._client

    def map(self, fn: Callable[[T], R], items: Iterable[T], /) -> list[R]:
        """``[fn(item) for item in items]``, with up to ``config.max_concurrency`` calls at
        once; results in the order of ``items``.

        ``fn`` runs in worker threads and should make its requests through this client.
        On the first failure no further item is started and the failure is raised once
        the running items have ended.
        """
        todo = list(items)
        results: list[Any] = [None] * len(todo)
        if not todo:
            return results
        workers = min(self._client.config.max_concurrency, len(todo))
        pending: dict[Future[R], int] = {}
        queue = iter(enumerate(todo))
        failure: BaseException | None = None
        succeeded = 0

        def guarded(item: T) -> R:
            check_cancelled()
            return fn(item)

        with ThreadPoolExecutor(workers, thread_name_prefix="cvat-client-bulk") as pool:

            def submit_next() -> None:
                for index, item in queue:
                    context = contextvars.copy_context()
                    pending[pool.submit(context.run, guarded, item)] = index
                    return

            for _ in range(workers):
                submit_next()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    error = future.exception()
                    if error is not None:
                        failure = failure or error
                        continue
                    results[index] = future.result()
                    succeeded += 1
                    if failure is None:
                        submit_next()
        if failure is not None:
            if isinstance(failure, Exception):
                failure.add_note(f"{succeeded} of {len(todo)} items succeeded before the failure")
            raise failure
        return results

    def retrieve_tasks(self, task_ids: Sequence[int]) -> list[Task]:
        """The tasks with these ids (``client.tasks.retrieve`` for each)."""
        return self.map(self._client.tasks.retrieve, task_ids)

    def retrieve_jobs(self, job_ids: Sequence[int]) -> list[Job]:
        """The jobs with these ids (``client.jobs.retrieve`` for each)."""
        return self.map(self._client.jobs.retrieve, job_ids)

    def get_jobs_annotations(self, job_ids: Sequence[int]) -> list[models.LabeledData]:
        """The annotations of each of these jobs (one request per job, as
        ``job.get_annotations()``)."""
        api = self._client.api_client.jobs_api

        def one(job_id: int) -> models.LabeledData:
            data, _ = api.retrieve_annotations(job_id)
            return cast("models.LabeledData", data)

        return self.map(one, job_ids)

    def get_tasks_annotations(self, task_ids: Sequence[int]) -> list[models.LabeledData]:
        """The annotations of each of these tasks (one request per task)."""
        api = self._client.api_client.tasks_api

        def one(task_id: int) -> models.LabeledData:
            data, _ = api.retrieve_annotations(task_id)
            return cast("models.LabeledData", data)

        return self.map(one, task_ids)

    def get_frames(
        self, task_id: int, frame_ids: Sequence[int], *, quality: str | None = None
    ) -> list[io.BytesIO]:
        """Frames of a task as binary streams (``task.get_frame`` for each)."""
        task = self._client.tasks.retrieve(task_id)
        return self.map(lambda frame_id: task.get_frame(frame_id, quality=quality), frame_ids)

    def download_frames(
        self,
        task_id: int,
        frame_ids: Sequence[int],
        *,
        image_extension: str | None = None,
        outdir: StrPath = ".",
        quality: str = "original",
        filename_pattern: str = "frame_{frame_id:06d}{frame_ext}",
    ) -> list[Path]:
        """Save frames of a task as files, as ``task.download_frames`` does (same
        arguments, each file atomic); returns the paths in the order of ``frame_ids``."""
        task = self._client.tasks.retrieve(task_id)

        def one(frame_id: int) -> Path:
            return task.download_frames(
                [frame_id],
                image_extension=image_extension,
                outdir=outdir,
                quality=quality,
                filename_pattern=filename_pattern,
            )[0]

        return self.map(one, frame_ids)

    def create_tasks_from_data(self, tasks: Sequence[Mapping[str, Any]]) -> list[Task]:
        """Create many tasks with their data: each item holds the keyword arguments of
        ``client.tasks.create_from_data`` (``spec``, ``resources``, ``data_params``...).

        Each task is created, filled and waited for as by ``create_from_data`` (a task
        whose data fails is deleted); returns the tasks in the order of ``tasks``.
        """
        repo = self._client.tasks
        return self.map(lambda item: repo.create_from_data(**item), tasks)
