"""Waiting for background requests: the schedule, outcomes, timeouts and interrupts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from cvat_client import Config, make_client
from cvat_client.core._protocol.polling import PollSchedule, is_final
from cvat_client.core.exceptions import (
    BackgroundRequestException,
    BackgroundRequestTimeout,
    NotFoundException,
)


def test_backoff_schedule() -> None:
    schedule = PollSchedule(first=0.1, factor=2, cap=1.0)
    assert [schedule.next_delay(0) for _ in range(6)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


def test_fixed_period_and_deadline() -> None:
    schedule = PollSchedule(period=2.0, timeout=5.0)
    assert schedule.next_delay(0.0) == 2.0
    assert schedule.next_delay(4.0) == 1.0  # never sleeps past the deadline
    assert schedule.next_delay(5.0) is None
    assert is_final("finished") and is_final("failed") and not is_final("started")
    with pytest.raises(ValueError, match="negative"):
        PollSchedule(period=-1)


class FakeServer:
    """Answers ``/api/requests/<id>`` with the given statuses, one per poll."""

    def __init__(self, statuses: list[str], message: str = "") -> None:
        self.statuses = statuses
        self.message = message
        self.polls = 0
        self.cancelled: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/cancel"):
            self.cancelled.append(path)
            return httpx.Response(200)
        if not path.startswith("/api/requests/rq"):
            return httpx.Response(404, json={"detail": "Not found."})
        status = self.statuses[min(self.polls, len(self.statuses) - 1)]
        self.polls += 1
        body = {
            "id": "rq1",
            "status": status,
            "message": self.message if status == "failed" else "",
            "operation": {"type": "import:annotations", "target": "task"},
            "created_date": "2026-01-01T00:00:00Z",
            "progress": 0.5,
            "result_id": 7,
        }
        return httpx.Response(
            200, content=json.dumps(body), headers={"content-type": "application/vnd.cvat+json"}
        )


def _client(server: FakeServer, **config: Any) -> tuple[Any, list[float]]:
    client = make_client(
        "http://cvat.test",
        transport=httpx.MockTransport(server),
        check_server_version=False,
        config=Config(**config),
    )
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    client._sleep = sleep
    client._clock = lambda: now[0]
    return client, slept


def test_waits_until_finished_with_backoff(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="cvat_client")
    server = FakeServer(["queued", "started", "started", "finished"])
    client, slept = _client(server)
    with client:
        request = client.wait_for_request("rq1")
    assert request.status == "finished"
    assert request.result_id == 7
    assert slept == [0.1, 0.2, 0.4]
    assert "import:annotations operation: started (50%)" in caplog.text


def test_fixed_period_from_argument_or_config() -> None:
    client, slept = _client(FakeServer(["started", "started", "finished"]), status_check_period=3)
    with client:
        client.wait_for_request("rq1")
        assert slept == [3, 3]
        slept.clear()
        client.wait_for_request("rq1", status_check_period=0.5)
        assert slept == []  # already finished


def test_failed_request_carries_the_server_message() -> None:
    message = "CvatDatasetNotFoundError: Check [format docs](...)"
    client, _ = _client(FakeServer(["started", "failed"], message=message))
    with client, pytest.raises(BackgroundRequestException) as info:
        client.wait_for_request("rq1")
    assert message in str(info.value)
    assert "failed on the server" in str(info.value)
    assert info.value.request_id == "rq1"
    assert info.value.request is not None


def test_timeout_is_a_timeout_error() -> None:
    client, slept = _client(FakeServer(["started"]), status_check_period=1, request_timeout=2.5)
    with client:
        with pytest.raises(BackgroundRequestTimeout) as info:
            client.wait_for_request("rq1")
        assert isinstance(info.value, TimeoutError)
        assert info.value.last_status == "started"
        assert "within 2.5 s" in str(info.value)
        assert "client.requests.cancel" in str(info.value)
        assert slept == [1, 1, 0.5]
        slept.clear()
        with pytest.raises(TimeoutError):
            client.wait_for_request("rq1", timeout=0.25)


def test_interrupt_cancels_when_asked() -> None:
    server = FakeServer(["started"])
    client, _ = _client(server)

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    client._sleep = interrupt
    with client:
        with pytest.raises(KeyboardInterrupt):
            client.wait_for_request("rq1")
        assert server.cancelled == []
        with pytest.raises(KeyboardInterrupt):
            client.wait_for_request("rq1", cancel_on_interrupt=True)
    assert server.cancelled == ["/api/requests/rq1/cancel"]


def test_unknown_request_is_404() -> None:
    client, _ = _client(FakeServer(["finished"]))
    with client, pytest.raises(NotFoundException):
        client.wait_for_request("missing")


def test_failing_request_on_test_server(client: Any, images: list[Path], tmp_path: Path) -> None:
    task = client.tasks.create_from_data({"name": "t", "labels": [{"name": "car"}]}, images)
    bogus = tmp_path / "not_coco.zip"
    import zipfile

    with zipfile.ZipFile(bogus, "w") as archive:
        archive.writestr("notes.txt", "nothing to import")
    with pytest.raises(BackgroundRequestException) as info:
        task.import_annotations("COCO 1.0", bogus)
    assert info.value.request is not None
    assert info.value.request.message
    assert info.value.request.message in str(info.value)


def test_wait_reports_server_progress_in_percent(cvat_server, cvat_admin, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``pbar=`` sees 0..100 % of the server's progress and is finished once."""
    from cvat_client.core import make_client
    from cvat_client.core.progress import BaseProgressReporter
    from cvat_client.testing import ASGIBridgeTransport

    class Recorder(BaseProgressReporter):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[tuple[str, object]] = []

        def start2(self, total: int, **kwargs: object) -> None:
            self.events.append(("start", total))

        def advance(self, delta: int) -> None:
            self.events.append(("advance", delta))

        def finish(self) -> None:
            self.events.append(("finish", None))

    with make_client(
        "http://testserver", credentials=cvat_admin, transport=ASGIBridgeTransport(cvat_server.app)
    ) as client:
        from PIL import Image

        Image.new("RGB", (8, 8), (1, 2, 3)).save(tmp_path / "a.png")
        task = client.tasks.create({"name": "t", "labels": [{"name": "a"}]})
        rq_id = task.upload_data([tmp_path / "a.png"], wait_for_completion=False)
        assert client.wait_for_request(rq_id).status == "finished"
        rq, _ = client.api_client.tasks_api.create_dataset_export(id=task.id, format="COCO 1.0")
        recorder = Recorder()
        request = client.wait_for_request(rq.rq_id, pbar=recorder, status_check_period=0.01)
    assert request.status == "finished"
    assert recorder.events[0] == ("start", 100)
    assert recorder.events[-1] == ("finish", None)
    assert sum(d for kind, d in recorder.events if kind == "advance") == 100  # type: ignore[misc]
    assert [kind for kind, _ in recorder.events].count("finish") == 1
