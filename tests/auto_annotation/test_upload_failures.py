"""Upload batches that fail mid-way: lost answers are checked, never blindly re-sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import cvat_client.auto_annotation as our_aa
from cvat_client.api_client import models as our_models
from cvat_client.auto_annotation import _upload
from tests.auto_annotation.conftest import snapshot
from tests.auto_annotation.functions import Everything

PATCH = r"^/api/tasks/\d+/annotations/?$"


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """About one frame per batch, no pauses between checks, no one-request replacement."""
    monkeypatch.setattr(_upload, "BATCH_BYTES", 1500)
    monkeypatch.setattr(_upload, "ONE_REQUEST_BYTES", 1500)
    monkeypatch.setattr(_upload, "RETRY_DELAY", 0.0)


def _run(client: Any, task_id: int, **kwargs: Any) -> None:
    our_aa.annotate_task(client, task_id, Everything(our_aa, our_models), **kwargs)


@pytest.mark.parametrize("clear_existing", [False, True])
@pytest.mark.parametrize("runs_before", [0, 1])
@pytest.mark.parametrize("jobs", [{}, {"segment_size": 2, "overlap": 1}], ids=["1job", "jobs"])
def test_lost_and_refused_answers_end_with_the_right_shapes(
    ours: Any,
    cvat_server: Any,
    make_task: Callable[..., int],
    clear_existing: bool,
    runs_before: int,
    jobs: dict[str, int],
) -> None:
    # With several overlapping jobs, frames are read back through the jobs holding them.
    expected_task, task_id = make_task("expected"), make_task("faulty", **jobs)
    for _ in range(runs_before):  # identical shapes already there: must not confuse the check
        _run(ours, expected_task)
        _run(ours, task_id)
    _run(ours, expected_task, clear_existing=clear_existing)
    expected = snapshot(ours, expected_task)
    assert len(expected) == 6 * 8 * (1 if clear_existing else runs_before + 1)

    # 2nd batch: stored, answer lost; 3rd: refused with 503 (not stored); 4th: 502 after
    # storing is impossible to tell from a proxy's 502, so it is stored and answered 502.
    cvat_server.faults.add(PATCH, method="PATCH", on=2, drop_after=0)
    cvat_server.faults.add(PATCH, method="PATCH", on=3, status=503)
    cvat_server.faults.add(PATCH, method="PATCH", on=[5, 6], drop_after=0)
    _run(ours, task_id, clear_existing=clear_existing)
    assert snapshot(ours, task_id) == expected


def test_permanent_failure_names_the_frames_on_the_server(
    ours: Any, cvat_server: Any, make_task: Callable[..., int]
) -> None:
    task_id = make_task("failing")
    cvat_server.faults.add(PATCH, method="PATCH", on=list(range(3, 50)), status=503)
    with pytest.raises(our_aa.AutoAnnotationUploadError) as caught:
        _run(ours, task_id)
    error = caught.value
    on_server = sorted({item[1] for item in snapshot(ours, task_id)})
    assert on_server, "the first batches went through"
    assert error.frames_on_server == on_server
    assert set(error.frames_missing) == set(range(6)) - set(on_server)
    assert f"frames {on_server[0]}-{on_server[-1]}" in str(error)
    assert "are on the server" in str(error)


def test_refused_batch_is_not_retried(
    ours: Any, cvat_server: Any, make_task: Callable[..., int]
) -> None:
    task_id = make_task("refused")
    cvat_server.faults.add(PATCH, method="PATCH", on=2, status=400)
    with pytest.raises(our_aa.AutoAnnotationUploadError, match="refused") as caught:
        _run(ours, task_id)
    assert caught.value.frames_on_server == sorted({i[1] for i in snapshot(ours, task_id)})
    assert caught.value.frames_on_server == [0]


def test_lost_answer_without_a_way_to_check(
    ours: Any, cvat_server: Any, make_task: Callable[..., int]
) -> None:
    task_id = make_task("unknown")
    cvat_server.faults.add(PATCH, method="PATCH", on=1, drop_after=0)
    cvat_server.faults.add(r"^/api/tasks/\d+/annotations/?$", method="GET", status=400)
    with pytest.raises(our_aa.AutoAnnotationUploadError, match="may or may not"):
        _run(ours, task_id)


def test_replacement_in_one_request_survives_a_lost_answer(
    ours: Any, cvat_server: Any, make_task: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_upload, "ONE_REQUEST_BYTES", 32 * 1024 * 1024)
    expected_task, task_id = make_task("expected"), make_task("faulty")
    for target in (expected_task, task_id):
        _run(ours, target)  # something to replace
    _run(ours, expected_task, clear_existing=True)
    # The PUT is stored, its answer lost: PUT is idempotent, so it is simply sent again.
    cvat_server.faults.add(PATCH, method="PUT", on=1, drop_after=0)
    _run(ours, task_id, clear_existing=True)
    assert snapshot(ours, task_id) == snapshot(ours, expected_task)
    assert len(snapshot(ours, task_id)) == 6 * 8


def test_refused_replacement_leaves_the_task_unchanged(
    ours: Any, cvat_server: Any, make_task: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_upload, "ONE_REQUEST_BYTES", 32 * 1024 * 1024)
    task_id = make_task("refused")
    _run(ours, task_id)
    before = snapshot(ours, task_id)
    cvat_server.faults.add(PATCH, method="PUT", status=400)
    with pytest.raises(our_aa.AutoAnnotationUploadError, match="unchanged") as caught:
        _run(ours, task_id, clear_existing=True)
    assert caught.value.frames_on_server == []
    assert snapshot(ours, task_id) == before


def test_interrupted_upload_says_what_is_on_the_server(
    ours: Any, make_task: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while batches are sent: the note names the frames stored, in flight, not sent."""
    task_id = make_task("interrupted")
    send = _upload._send
    calls = 0

    def interrupted_third(*args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        send(*args, **kwargs)

    monkeypatch.setattr(_upload, "_send", interrupted_third)
    with pytest.raises(KeyboardInterrupt) as caught:
        _run(ours, task_id)
    on_server = sorted({item[1] for item in snapshot(ours, task_id)})
    (note,) = caught.value.__notes__
    assert note.startswith(f"Upload to task {task_id} interrupted: the results of frames ")
    assert f"frames {_upload.frame_ranges(on_server)} are on the server" in note
    assert "may or may not be" in note and "are not" in note
