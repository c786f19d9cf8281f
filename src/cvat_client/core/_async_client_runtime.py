"""The hand-written part of :class:`~cvat_client.core.async_faces.AsyncClient`: its life
cycle (the rest is generated from :class:`~cvat_client.core.client.Client`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from cvat_client.core._async_runtime import AsyncFace, AsyncRuntime, cancellable_sleep

if TYPE_CHECKING:
    from cvat_client.core.client import Client

__all__ = ["AsyncClientRuntime"]


class AsyncClientRuntime(AsyncFace["Client"]):
    """Life cycle of the async client: an async context manager around a sync
    :class:`~cvat_client.core.client.Client` and the worker pool its operations run in.

    Args:
        client: the connected sync client to drive (``make_async_client`` makes one).
    """

    def __init__(self, client: Client, runtime: AsyncRuntime | None = None) -> None:
        super().__init__(client, runtime or AsyncRuntime(client))
        # Status-check waits end early when the awaiting task is cancelled.
        client._sleep = cancellable_sleep

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Log out of a password session, close the connection pool and stop the worker
        threads. Idempotent."""
        try:
            await self._runtime.run(self._sync.close)
        finally:
            self._runtime.shutdown()
