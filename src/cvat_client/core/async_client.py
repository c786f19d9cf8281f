"""The async high-level client: :func:`make_async_client` and :class:`AsyncClient`.

```python
async with make_async_client("https://app.cvat.ai", credentials=(user, password)) as client:
    task = await client.tasks.retrieve(42)
    async for job in client.jobs.iter(task_id=task.id):
        annotations = await job.get_annotations()
```

Every class of the sync client has an async twin (``AsyncTask`` for ``Task``...) with the
same methods and parameters, awaited; listing iterators (``iter``) are async iterators.
The twins run the sync client's own code in a pool of ``Config.max_concurrency`` worker
threads, so authentication, retries, deadlines, uploads, downloads and errors are the
very same; see "Async and concurrency" in the documentation.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from cvat_client.core._async_runtime import AsyncRuntime, OperationCancelled
from cvat_client.core.async_faces import (
    AsyncBulk,
    AsyncClient,
    AsyncCloudStorage,
    AsyncCloudStoragesRepo,
    AsyncComment,
    AsyncCommentsRepo,
    AsyncIssue,
    AsyncIssuesRepo,
    AsyncJob,
    AsyncJobsRepo,
    AsyncLabel,
    AsyncLabelsRepo,
    AsyncMembership,
    AsyncOrganization,
    AsyncOrganizationsRepo,
    AsyncProject,
    AsyncProjectsRepo,
    AsyncRequest,
    AsyncRequestsRepo,
    AsyncTask,
    AsyncTasksRepo,
    AsyncUser,
    AsyncUsersRepo,
)

if TYPE_CHECKING:
    import httpx

    from cvat_client.core.client import Credentials
    from cvat_client.core.config import Config

__all__ = [
    "make_async_client",
    "AsyncClient",
    "AsyncBulk",
    "AsyncCloudStorage",
    "AsyncCloudStoragesRepo",
    "AsyncComment",
    "AsyncCommentsRepo",
    "AsyncIssue",
    "AsyncIssuesRepo",
    "AsyncJob",
    "AsyncJobsRepo",
    "AsyncLabel",
    "AsyncLabelsRepo",
    "AsyncMembership",
    "AsyncOrganization",
    "AsyncOrganizationsRepo",
    "AsyncProject",
    "AsyncProjectsRepo",
    "AsyncRequest",
    "AsyncRequestsRepo",
    "AsyncTask",
    "AsyncTasksRepo",
    "AsyncUser",
    "AsyncUsersRepo",
    "OperationCancelled",
]


class _Connecting:
    """What :func:`make_async_client` returns: await it for the client, or use it directly
    as ``async with make_async_client(...) as client``."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self._kwargs = kwargs
        self._client: AsyncClient | None = None

    async def _connect(self) -> AsyncClient:
        import asyncio

        from cvat_client.core.client import make_client

        # Connecting (version check, login) blocks: it runs in a thread of its own.
        sync = await asyncio.to_thread(make_client, **self._kwargs)
        return AsyncClient(sync, AsyncRuntime(sync))

    def __await__(self) -> Generator[Any, None, AsyncClient]:
        return self._connect().__await__()

    async def __aenter__(self) -> AsyncClient:
        self._client = await self._connect()
        return self._client

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.close()


def make_async_client(
    host: str,
    *,
    port: int | None = None,
    credentials: Credentials | tuple[str, str] | None = None,
    access_token: str | None = None,
    organization: str | None = None,
    config: Config | None = None,
    transport: httpx.BaseTransport | None = None,
    logger: logging.Logger | None = None,
    check_server_version: bool = True,
) -> _Connecting:
    """Connect to a CVAT server and, if credentials are given, log in; the async twin of
    :func:`~cvat_client.core.client.make_client`, with the same parameters.

    ``client = await make_async_client(...)``, or
    ``async with make_async_client(...) as client:`` (closed at the end of the block).

    Raises:
        InvalidHostException: the address cannot be used.
        LoginError: the server refused the credentials.
        IncompatibleVersionException: an unsupported server, with
            ``config.allow_unsupported_server=False``.
    """
    return _Connecting(
        {
            "host": host,
            "port": port,
            "credentials": credentials,
            "access_token": access_token,
            "organization": organization,
            "config": config,
            "transport": transport,
            "logger": logger,
            "check_server_version": check_server_version,
        }
    )
