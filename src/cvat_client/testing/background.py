"""Background requests (CVAT's requests API) and the worker thread that runs them.

Work runs outside the HTTP request that created it, on a daemon thread, after a configurable
delay; a request goes queued → started → finished or failed, as on the real server's RQ queues.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cvat_client.testing._http import iso, now


class JobFailure(Exception):
    """A failure of background work; ``message`` becomes the request's ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class BackgroundRequest:
    """One entry of ``/api/requests``.

    ``message`` is shown while the request runs (``started_message`` when it starts; work may
    change it) and holds the error of a failed request. ``progress`` is a fraction in
    ``[0, 1]``: like CVAT 2.73, exports, backups, annotation imports and task creation leave it
    at 0.0 even when finished, and a project dataset import reports the share of its subsets
    done.
    """

    id: str
    type: str
    target: str
    owner_id: int
    org_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    job_id: int | None = None
    format: str | None = None
    status: str = "queued"
    message: str = ""
    started_message: str = ""
    progress: float = 0.0
    created_date: datetime = field(default_factory=now)
    started_date: datetime | None = None
    finished_date: datetime | None = None
    expiry_date: datetime | None = None
    result_path: Path | None = None
    result_filename: str | None = None
    download_path: str | None = None
    result_id: int | None = None
    ttl: timedelta = timedelta(hours=24)
    work: Callable[[BackgroundRequest], None] | None = field(default=None, repr=False)
    cancelled: bool = False

    @property
    def active(self) -> bool:
        """Whether the request is queued or running."""
        return self.status in ("queued", "started")


class Gate:
    """Holds the worker at each stage of each request until the test lets it go on.

    Made by :meth:`Worker.hold`. The worker stops before starting a request (it is seen
    ``queued``) and before running its work (it is seen ``started``): :meth:`wait_held` waits
    until it stands at one of these stages, :meth:`step` lets it pass one, :meth:`open` lets
    everything through.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._permits = 0
        self._held: tuple[BackgroundRequest, str] | None = None
        self._open = False

    def pass_stage(self, request: BackgroundRequest, stage: str) -> None:
        """Worker side: stand at ``stage`` of ``request`` until let through."""
        with self._cond:
            if self._open:
                return
            self._held = (request, stage)
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._permits > 0 or self._open)
            if not self._open:
                self._permits -= 1
            self._held = None
            self._cond.notify_all()

    def wait_held(self, timeout: float = 30.0) -> tuple[BackgroundRequest, str]:
        """Wait until the worker stands at a stage; returns the request and the stage
        (``"queued"`` or ``"started"``)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._held is not None, timeout):
                raise TimeoutError("the worker did not reach a stage")
            assert self._held is not None
            return self._held

    def step(self, timeout: float = 30.0) -> None:
        """Let the worker pass the stage it stands at (waits until it has)."""
        held = self.wait_held(timeout)
        with self._cond:
            self._permits += 1
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._held is not held or self._open, timeout)

    def open(self) -> None:
        """Stop holding the worker."""
        with self._cond:
            self._open = True
            self._cond.notify_all()


class Worker:
    """Runs background requests one at a time on a daemon thread."""

    def __init__(self, lock: threading.RLock, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: dict[str, BackgroundRequest] = {}
        self._lock = lock
        self._queue: queue.Queue[BackgroundRequest | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._pending = 0
        self._gate: Gate | None = None

    def hold(self) -> Gate:
        """Hold every request at each of its stages until the returned gate lets it go on
        (for tests that watch the states; ``gate.open()`` ends it)."""
        if self._gate is not None:
            self._gate.open()
        self._gate = Gate()
        return self._gate

    def release(self) -> None:
        """Stop holding requests (see :meth:`hold`)."""
        if self._gate is not None:
            self._gate.open()
            self._gate = None

    def submit(self, request: BackgroundRequest) -> None:
        """Queue a request (replacing a finished one with the same id)."""
        with self._lock:
            self.requests[request.id] = request
        with self._idle:
            self._pending += 1
        self._ensure_thread()
        self._queue.put(request)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="cvat-test-worker", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._execute(item)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _execute(self, request: BackgroundRequest) -> None:
        # with a delay, a request is seen ``queued`` for its first half and ``started`` (with
        # the message CVAT shows at that stage) for its second half, then its work runs
        delay = self.delay
        gate = self._gate
        if delay > 0:
            time.sleep(delay / 2)
        if gate is not None:
            gate.pass_stage(request, "queued")
        with self._lock:
            if request.cancelled:
                return
            request.status = "started"
            request.started_date = now()
            request.message = request.started_message
        if delay > 0:
            time.sleep(delay / 2)
        if gate is not None:
            gate.pass_stage(request, "started")
        try:
            if request.work is not None:
                request.work(request)
        except JobFailure as exc:
            self._finish(request, "failed", exc.message)
        except Exception as exc:
            self._finish(request, "failed", f"{type(exc).__name__}: {exc}")
        else:
            self._finish(request, "finished", "")

    def _finish(self, request: BackgroundRequest, status: str, message: str) -> None:
        with self._lock:
            request.status = status
            request.message = message
            request.finished_date = now()
            request.expiry_date = request.finished_date + request.ttl
            request.work = None

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every submitted request has run; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        """Stop the thread after the current request."""
        if self._gate is not None:
            self._gate.open()
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=10)
        self._thread = None


def encode_format(name: str) -> str:
    """A format name as it appears in rq ids (``COCO 1.0`` → ``COCO_1~0``)."""
    return name.replace(" ", "_").replace(".", "~")


def render(request: BackgroundRequest, base: str, owner: dict[str, Any] | None) -> dict[str, Any]:
    """The ``Request`` JSON of the requests API."""
    result_url = None
    if request.status == "finished" and request.download_path is not None:
        result_url = f"{base}{request.download_path}?rq_id={quote(request.id, safe='~')}"
    return {
        "status": request.status,
        "message": request.message,
        "id": request.id,
        "operation": {
            "type": request.type,
            "target": request.target,
            "project_id": request.project_id,
            "task_id": request.task_id,
            "job_id": request.job_id,
            "org_id": request.org_id,
            "format": request.format,
            "lightweight": None,
        },
        "progress": request.progress,
        "created_date": iso(request.created_date),
        "started_date": iso(request.started_date),
        "finished_date": iso(request.finished_date),
        "expiry_date": iso(request.expiry_date),
        "owner": owner,
        "result_url": result_url,
        "result_id": request.result_id,
    }
