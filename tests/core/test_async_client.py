"""The async client used as async code: awaited calls, async iteration, concurrency,
re-login, and cancellation of every kind of transfer (no partial file, no stuck
connection)."""

from __future__ import annotations

import asyncio
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cvat_client import Config, make_async_client
from cvat_client.core import _async_runtime
from cvat_client.core.async_client import AsyncClient, AsyncJob, AsyncTask
from cvat_client.core.exceptions import NotFoundException
from cvat_client.core.proxies import _media
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport

from .conftest import FAST_POLL, LABELS, make_image, rect

CONFIG = Config(status_check_period=FAST_POLL)


@pytest.fixture(params=["in-process", "http"])
def connect(request: pytest.FixtureRequest, cvat_server: CvatTestServer) -> Any:
    """``connect(**kwargs)``: ``make_async_client`` to the test server, both ways."""
    if request.param == "http":
        url, transport = request.getfixturevalue("cvat_live_server").url, None
    else:
        url, transport = "http://testserver", ASGIBridgeTransport(cvat_server.app)

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("credentials", ("admin", "admin"))
        return make_async_client(url, config=CONFIG, transport=transport, **kwargs)

    return make


def test_workflow(connect: Any, images: list[Path], tmp_path: Path) -> None:
    async def main() -> None:
        async with connect() as client:
            assert isinstance(client, AsyncClient)
            task = await client.tasks.create_from_data(
                {"name": "async", "labels": LABELS, "segment_size": 2}, images
            )
            assert isinstance(task, AsyncTask) and task.size == 3
            assert (await client.tasks.retrieve(task.id)).name == "async"
            names = [t.name async for t in client.tasks.iter()]
            assert names == ["async"]
            jobs = await task.get_jobs()
            assert jobs and all(isinstance(job, AsyncJob) for job in jobs)
            label = (await task.get_labels())[0].id
            await task.set_annotations({"shapes": [rect(label, 0)]})
            # many jobs at once, by gathering coroutines and by the bulk helper
            gathered = await asyncio.gather(*(job.get_annotations() for job in jobs))
            bulk = await client.bulk.get_jobs_annotations([job.id for job in jobs])
            assert [len(a.shapes) for a in gathered] == [len(a.shapes) for a in bulk]
            assert sum(len(a.shapes) for a in bulk) == 1
            frames = await client.bulk.get_frames(task.id, [0, 1, 2])
            assert [f.getvalue()[:2] for f in frames] == [b"\xff\xd8"] * 3
            exported = await task.export_dataset(
                "COCO 1.0", tmp_path / "coco.zip", include_images=False
            )
            assert exported is not None and zipfile.is_zipfile(exported)
            backup = await task.download_backup(tmp_path / "backup.zip")
            assert backup is not None
            restored = await client.tasks.create_from_backup(backup)
            assert restored.id != task.id and restored.size == 3
            assert await task.update({"name": "renamed"}) is task and task.name == "renamed"
            with pytest.raises(NotFoundException):
                await client.tasks.retrieve(10_000)
            org = await client.organizations.create({"slug": "aorg", "name": "A"})
            with client.organization_context(org.slug):
                made = await client.projects.create({"name": "in org", "labels": LABELS})
            assert made.organization == org.id
        assert list(tmp_path.glob("**/.*.part")) == []

    asyncio.run(main())


def test_expired_session_is_renewed(connect: Any, cvat_server: CvatTestServer) -> None:
    async def main() -> None:
        async with connect() as client:
            await client.projects.create({"name": "before"})
            cvat_server.store.sessions.clear()  # the server forgets the session
            # concurrent calls through one renewal
            made = await asyncio.gather(
                *(client.projects.create({"name": f"after {i}"}) for i in range(4))
            )
            assert len({p.id for p in made}) == 4
            assert len(await client.projects.list()) == 5

    asyncio.run(main())


def test_access_token(connect: Any, cvat_server: CvatTestServer) -> None:
    with cvat_server.sync_client(auth=("admin", "admin")) as http:
        token = http.post("/api/auth/access_tokens", json={"name": "t", "read_only": False})

    async def main() -> None:
        async with connect(credentials=None, access_token=token.json()["value"]) as client:
            assert client.has_credentials()
            assert (await client.users.retrieve_current_user()).username == "admin"

    asyncio.run(main())


def test_concurrency_is_bounded_by_config(cvat_server: CvatTestServer) -> None:
    seen: list[str] = []
    lock = threading.Lock()
    active = [0]
    peak = [0]

    class Counting(ASGIBridgeTransport):
        def handle_request(self, request: Any) -> Any:
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
                seen.append(threading.current_thread().name)
            try:
                return super().handle_request(request)
            finally:
                with lock:
                    active[0] -= 1

    async def main() -> None:
        config = Config(status_check_period=FAST_POLL, max_concurrency=3)
        async with make_async_client(
            "http://testserver",
            credentials=("admin", "admin"),
            config=config,
            transport=Counting(cvat_server.app),
        ) as client:
            projects = [await client.projects.create({"name": f"p{i}"}) for i in range(12)]
            peak[0] = 0
            await asyncio.gather(*(p.fetch() for p in projects))
            assert peak[0] <= 3

    asyncio.run(main())
    assert any(name.startswith("cvat-client-async") for name in seen)


# --- cancellation ------------------------------------------------------------------------


class Gate:
    """Once armed, holds the first cancellation check of a transfer (a progress step, a
    chunk block, a frame) until the awaiting task is cancelled: the test cancels at a
    known point, in the middle of the transfer, with no timing window."""

    def __init__(self) -> None:
        self.armed = False
        self.reached = threading.Event()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    made = Gate()
    original = _async_runtime.check_cancelled

    def held() -> None:
        if made.armed and not made.reached.is_set():
            made.reached.set()
            _async_runtime.cancellable_sleep(60)
        original()

    monkeypatch.setattr(_async_runtime, "check_cancelled", held)
    monkeypatch.setattr(_media, "check_cancelled", held)
    return made


def _pool_is_idle(client: AsyncClient) -> bool:
    pool = client.sync._retry.inner._pool  # type: ignore[attr-defined]
    return all(c.is_idle() or c.is_closed() for c in pool.connections)


async def _cancel_when_reached(coroutine: Any, gate: Gate) -> None:
    gate.armed = True
    running = asyncio.ensure_future(coroutine)
    assert await asyncio.to_thread(gate.reached.wait, 60)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running


def _big_images(folder: Path, count: int = 2) -> list[Path]:
    import random

    from PIL import Image

    folder.mkdir()
    paths = []
    rng = random.Random(12)
    for i in range(count):
        image = Image.frombytes("RGB", (400, 300), rng.randbytes(400 * 300 * 3))
        path = folder / f"noise_{i}.png"
        image.save(path)
        paths.append(path)
    return paths


@pytest.fixture
def live_url(cvat_live_server: Any) -> str:
    return str(cvat_live_server.url)


def test_cancel_download(live_url: str, tmp_path: Path, gate: Gate) -> None:
    async def main() -> None:
        async with make_async_client(live_url, credentials=("admin", "admin"), config=CONFIG) as c:
            images = _big_images(tmp_path / "in")
            task = await c.tasks.create_from_data({"name": "d", "labels": LABELS}, images)
            out = tmp_path / "out"
            out.mkdir()
            await _cancel_when_reached(task.export_dataset("COCO 1.0", out / "x.zip"), gate)
            assert list(out.iterdir()) == []  # no partial file, no temporary file
            assert _pool_is_idle(c)
            assert (await c.tasks.retrieve(task.id)).id == task.id  # the client still works

    asyncio.run(main())


def test_cancel_chunk_download(live_url: str, tmp_path: Path, gate: Gate) -> None:
    async def main() -> None:
        async with make_async_client(live_url, credentials=("admin", "admin"), config=CONFIG) as c:
            images = _big_images(tmp_path / "in")
            task = await c.tasks.create_from_data({"name": "c", "labels": LABELS}, images)
            out = tmp_path / "out"
            out.mkdir()
            await _cancel_when_reached(
                task.download_chunk(0, out / "chunk.zip", quality="original"), gate
            )
            assert list(out.iterdir()) == []
            assert _pool_is_idle(c)
            await task.download_chunk(0, out / "chunk.zip", quality="original")
            assert zipfile.is_zipfile(out / "chunk.zip")

    asyncio.run(main())


def test_cancel_frames_download(live_url: str, tmp_path: Path, gate: Gate) -> None:
    async def main() -> None:
        async with make_async_client(live_url, credentials=("admin", "admin"), config=CONFIG) as c:
            images = [tmp_path / f"{i}.jpg" for i in range(3)]
            for path in images:
                path.write_bytes(make_image())
            task = await c.tasks.create_from_data({"name": "f", "labels": LABELS}, images)
            out = tmp_path / "out"
            await _cancel_when_reached(task.download_frames([0, 1, 2], outdir=out), gate)
            assert not out.exists() or list(out.iterdir()) == []
            assert _pool_is_idle(c)

    asyncio.run(main())


def test_cancel_upload(
    live_url: str, cvat_server: CvatTestServer, tmp_path: Path, gate: Gate
) -> None:
    async def main() -> None:
        config = Config(status_check_period=FAST_POLL, upload_chunk_size=64 * 1024)
        async with make_async_client(live_url, credentials=("admin", "admin"), config=config) as c:
            images = _big_images(tmp_path / "in", count=3)
            await _cancel_when_reached(
                c.tasks.create_from_data({"name": "u", "labels": LABELS}, images), gate
            )
            assert _pool_is_idle(c)
            # as after Ctrl-C, the created task is kept (without data) for a resume
            kept = await c.tasks.list()
            assert len(kept) == 1
            done = await c.tasks.create_from_data(
                {"name": "u", "labels": LABELS}, images, resume_task_id=kept[0].id
            )
            assert done.size == 3

    asyncio.run(main())


def test_deadline_block_bounds_awaited_calls() -> None:
    """``with client.deadline(s):`` in a coroutine bounds the operations awaited in it
    (the deadline travels to the worker thread with the task's context)."""
    from cvat_client.core.async_client import AsyncClient
    from cvat_client.core.client import Client
    from cvat_client.exceptions import DeadlineExceededError
    from tests.reliability.hostile import Exchange, HostileServer

    def drip(ex: Exchange) -> None:
        ex.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        ex.drip(b"[" + b" " * 998 + b"]", every=0.2)

    async def main(url: str) -> float:
        sync = Client(url, config=Config(retries=0), check_server_version=False)
        async with AsyncClient(sync) as client:
            started = time.monotonic()
            with pytest.raises(DeadlineExceededError), client.deadline(1.0):
                await client.jobs.list()
            return time.monotonic() - started

    with HostileServer(drip) as server:
        assert asyncio.run(main(server.url)) < 10.0  # the whole body would take minutes


def test_cancelled_while_queued_never_starts(cvat_server: CvatTestServer) -> None:
    """With every worker busy, a cancelled operation that waited for one never runs."""

    async def main() -> None:
        config = Config(status_check_period=FAST_POLL, max_concurrency=1)
        async with make_async_client(
            "http://testserver",
            credentials=("admin", "admin"),
            config=config,
            transport=ASGIBridgeTransport(cvat_server.app),
        ) as client:
            release = threading.Event()
            busy = asyncio.ensure_future(client.bulk.map(lambda _: release.wait(30), [0]))
            queued = asyncio.ensure_future(client.projects.create({"name": "never"}))
            await asyncio.sleep(0)
            queued.cancel()
            await asyncio.sleep(0)  # the cancellation reaches the queued task first
            release.set()
            await busy
            with pytest.raises(asyncio.CancelledError):
                await queued
            assert await client.projects.list() == []

    asyncio.run(main())
