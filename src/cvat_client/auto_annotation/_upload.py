"""Sending a run's results to the task: one replacement, or batches that never duplicate.

* ``clear_existing`` with results under [`ONE_REQUEST_BYTES`][]: one ``PUT`` replaces the
  task's annotations (idempotent, so the transport may repeat it safely).
* Otherwise ``PATCH action=create`` in batches of whole frames of at most
  [`BATCH_BYTES`][] (after a ``DELETE`` of the task's annotations with ``clear_existing``).
  CVAT stores a batch entirely or not at all. When a batch's answer is lost (no answer,
  429, 5xx) it is not sent again blindly: the annotations of the batch's frames are read
  back (from the jobs holding them), the batch's objects already there (beyond those
  present before the upload) are counted as stored, and only the missing ones are sent
  again.
* A final failure raises [`AutoAnnotationUploadError`][] naming the frames whose results
  are on the server.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cvat_client._lowlevel.exceptions import ApiException
from cvat_client.auto_annotation._spool import Record, Spool, request_body
from cvat_client.auto_annotation.exceptions import AutoAnnotationUploadError

if TYPE_CHECKING:
    from cvat_client.core.client import Client

__all__ = [
    "BATCH_BYTES",
    "MAX_ATTEMPTS",
    "ONE_REQUEST_BYTES",
    "fingerprints",
    "frame_ranges",
    "read_fingerprints",
    "read_frame_fingerprints",
    "upload",
]

MiB = 1024 * 1024

ONE_REQUEST_BYTES = 32 * MiB
"""Results up to this size (JSON) replace a task's annotations in one request."""
BATCH_BYTES = 8 * MiB
"""The largest ``PATCH`` batch (a single frame's results may exceed it)."""
MAX_ATTEMPTS = 4
"""How many times a batch whose answer was lost is checked and completed."""
RETRY_DELAY = 0.5
"""The first pause before checking a failed batch; it doubles with every attempt."""

Fingerprint = tuple[Any, ...]


def _fingerprint(kind: str, item: dict[str, Any]) -> Fingerprint:
    attributes = tuple(
        sorted((int(a["spec_id"]), str(a["value"])) for a in item.get("attributes") or [])
    )
    points = tuple(round(float(p), 2) for p in item.get("points") or [])
    elements = tuple(sorted(_fingerprint("element", e) for e in item.get("elements") or []))
    return (
        kind,
        int(item["frame"]),
        int(item["label_id"]),
        str(item.get("type") or ""),
        points,
        attributes,
        elements,
        str(item.get("source") or ""),
    )


def fingerprints(data: dict[str, Any], frames: set[int] | None = None) -> Counter[Fingerprint]:
    """How many times each object (by its content) occurs in ``data``'s tags and shapes.

    Only the objects of ``frames`` are counted when it is given.
    """
    counts: Counter[Fingerprint] = Counter()
    for kind in ("tags", "shapes"):
        for item in data.get(kind) or []:
            if frames is None or item["frame"] in frames:
                counts[_fingerprint(kind, item)] += 1
    return counts


def read_fingerprints(
    client: Client, task_id: int, frames: set[int] | None = None
) -> Counter[Fingerprint]:
    """The fingerprints of the task's annotations on the server."""
    _, response = client.api_client.tasks_api.retrieve_annotations(task_id, _parse_response=False)
    return fingerprints(response.json(), frames)


def read_frame_fingerprints(
    client: Client, task_id: int, frames: set[int], jobs: list[tuple[int, int, int]]
) -> Counter[Fingerprint]:
    """The fingerprints of the annotations on ``frames``, read from the jobs holding them.

    ``jobs`` are ``(id, start_frame, stop_frame)``; objects seen through two overlapping
    jobs count once. Without jobs, the task's annotations are read.
    """
    if not jobs:
        return read_fingerprints(client, task_id, frames)
    first, last = min(frames), max(frames)
    seen: set[tuple[str, int]] = set()
    counts: Counter[Fingerprint] = Counter()
    for job_id, start, stop in jobs:
        if stop < first or start > last or not any(start <= f <= stop for f in frames):
            continue
        _, response = client.api_client.jobs_api.retrieve_annotations(job_id, _parse_response=False)
        data = response.json()
        for kind in ("tags", "shapes"):
            for item in data.get(kind) or []:
                key = (kind, int(item["id"]))
                if item["frame"] in frames and key not in seen:
                    seen.add(key)
                    counts[_fingerprint(kind, item)] += 1
    return counts


def _annotation_jobs(client: Client, task_id: int) -> list[tuple[int, int, int]]:
    """``(id, start_frame, stop_frame)`` of the task's annotation jobs."""
    jobs = client.tasks.retrieve(task_id).get_jobs()
    return [
        (int(job.id), int(job.start_frame), int(job.stop_frame))
        for job in jobs
        if str(getattr(job, "type", "annotation") or "annotation") == "annotation"
    ]


def frame_ranges(frames: Iterable[int]) -> str:
    """``0-4, 7, 9-10``: sorted frame numbers as ranges."""
    ordered = sorted(set(frames))
    parts: list[str] = []
    start = prev = None
    for frame in [*ordered, None]:
        if start is not None and (frame is None or frame != prev + 1):  # type: ignore[operator]
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if frame is not None and start is None:
            start = frame
        prev = frame
    return ", ".join(parts) if parts else "none"


def _batches(spool: Spool, limit: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    size = 0
    for record in spool:
        if batch and size + record.size > limit:
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += record.size
    if batch:
        yield batch


def _send(client: Client, method: str, task_id: int, body: bytes, **query: str) -> None:
    """One annotations request with a JSON body assembled from the spool (never re-encoded)."""
    client.api_client.call_api(
        "/api/tasks/{id}/annotations/",
        method,
        path_params={"id": task_id},
        query_params=query or None,
        body=body,
        _content_type="application/json",
        _parse_response=False,
    )


def _uncertain(exc: ApiException) -> bool:
    """Whether the server may have stored a request that failed this way."""
    status = exc.status
    return status is None or status == 429 or status >= 500


class _Uploader:
    def __init__(
        self,
        client: Client,
        task_id: int,
        logger: logging.Logger,
        baseline: Callable[[], Counter[Fingerprint]],
        all_frames: list[int],
    ) -> None:
        self._client = client
        self._task_id = task_id
        self._logger = logger
        self._baseline_source = baseline
        self._baseline: Counter[Fingerprint] | None = None
        self._jobs: list[tuple[int, int, int]] | None = None
        self._confirmed: Counter[Fingerprint] = Counter()
        self._done: set[int] = set()
        self._all_frames = all_frames

    def _fail(self, reason: str, cause: BaseException | None) -> AutoAnnotationUploadError:
        on_server = sorted(self._done)
        missing = sorted(set(self._all_frames) - self._done)
        error = AutoAnnotationUploadError(
            f"Uploading the auto-annotation results to task {self._task_id} failed: {reason}. "
            f"The results of frames {frame_ranges(on_server)} are on the server; "
            f"those of frames {frame_ranges(missing)} are not",
            frames_on_server=on_server,
            frames_missing=missing,
        )
        error.__cause__ = cause
        return error

    def note_interrupted(self, exc: BaseException, in_flight: set[int]) -> None:
        """Say on ``exc`` (Ctrl-C while ``in_flight`` frames were being sent) which frames'
        results are on the server, which may be, and which are not."""
        on_server = sorted(self._done)
        uncertain = sorted(in_flight - self._done)
        missing = sorted(set(self._all_frames) - self._done - in_flight)
        parts = [
            f"the results of frames {frame_ranges(on_server)} are on the server"
            if on_server
            else "no results are on the server yet",
        ]
        if uncertain:
            parts.append(f"those of frames {frame_ranges(uncertain)} may or may not be")
        if missing:
            parts.append(f"those of frames {frame_ranges(missing)} are not")
        exc.add_note(f"Upload to task {self._task_id} interrupted: " + "; ".join(parts))

    def send(self, records: list[Record]) -> None:
        frames = {r.frame for r in records}
        # Batches hold whole frames, so only this batch's stored objects can be on its frames
        # beyond what the task held before the upload.
        self._confirmed = Counter()
        body = request_body(records)
        wanted: Counter[Fingerprint] | None = None  # computed only if something fails
        for attempt in range(MAX_ATTEMPTS):
            try:
                _send(self._client, "PATCH", self._task_id, body, action="create")
            except ApiException as exc:
                if not _uncertain(exc):
                    raise self._fail(f"the server refused a batch ({exc})", exc) from exc
                self._logger.warning(
                    "Uploading the results of frames %s failed (%s); checking what the server has",
                    frame_ranges(frames),
                    exc,
                )
                time.sleep(RETRY_DELAY * 2**attempt)
                if wanted is None:
                    wanted = _record_fingerprints(records)
                try:
                    missing = self._missing(wanted, frames)
                except ApiException as read_exc:
                    raise self._fail(
                        f"the answer to a batch was lost ({exc}) and the task's annotations "
                        f"could not be read back ({read_exc}); frames {frame_ranges(frames)} "
                        "may or may not be on the server",
                        read_exc,
                    ) from read_exc
                stored = wanted - missing
                self._confirmed.update(stored)
                if not missing:
                    break
                records = _only(records, missing)
                body = request_body(records)
                wanted = missing
                if attempt == MAX_ATTEMPTS - 1:
                    self._done.update(frames - {fp[1] for fp in missing})
                    raise self._fail(f"a batch failed {MAX_ATTEMPTS} times ({exc})", exc) from exc
            else:
                break
        self._done.update(frames)

    def _missing(self, wanted: Counter[Fingerprint], frames: set[int]) -> Counter[Fingerprint]:
        if self._baseline is None:
            self._baseline = self._baseline_source()
        if self._jobs is None:
            self._jobs = _annotation_jobs(self._client, self._task_id)
        on_server = read_frame_fingerprints(self._client, self._task_id, frames, self._jobs)
        # Ours on the server: beyond what was there before and what we already confirmed.
        extra = on_server - self._baseline - self._confirmed
        return wanted - extra


def _record_fingerprints(records: list[Record]) -> Counter[Fingerprint]:
    counts: Counter[Fingerprint] = Counter()
    for record in records:
        counts.update(fingerprints(record.parsed()))
    return counts


def _only(records: list[Record], missing: Counter[Fingerprint]) -> list[Record]:
    """The parts of ``records`` still ``missing`` on the server."""
    left = Counter(missing)
    result: list[Record] = []
    for record in records:
        data = record.parsed()
        kept: dict[str, list[dict[str, Any]]] = {"tags": [], "shapes": []}
        for kind in ("tags", "shapes"):
            for item in data[kind]:
                fp = _fingerprint(kind, item)
                if left[fp] > 0:
                    left[fp] -= 1
                    kept[kind].append(item)
        if kept["tags"] or kept["shapes"]:
            result.append(
                Record(
                    record.frame,
                    json.dumps(kept["tags"], separators=(",", ":")).encode(),
                    json.dumps(kept["shapes"], separators=(",", ":")).encode(),
                )
            )
    return result


def upload(
    client: Client,
    task_id: int,
    spool: Spool,
    *,
    clear_existing: bool,
    logger: logging.Logger,
    baseline: Callable[[], Counter[Fingerprint]],
) -> None:
    """Send the spooled results to the task (see the module documentation).

    ``baseline`` gives the fingerprints of the task's annotations before the upload
    (called only when a batch's answer is lost and ``clear_existing`` is false).

    Raises:
        AutoAnnotationUploadError: the upload failed for good; it names the frames whose
            results are on the server.
    """
    all_frames = [record.frame for record in spool]
    if clear_existing and spool.size <= ONE_REQUEST_BYTES:
        body = request_body(list(spool))
        for attempt in range(MAX_ATTEMPTS):
            try:
                _send(client, "PUT", task_id, body)
                return
            except KeyboardInterrupt as exc:
                exc.add_note(
                    f"Upload to task {task_id} interrupted: its annotations may or may not "
                    "have been replaced"
                )
                raise
            except ApiException as exc:
                # A replacement is idempotent: after a lost answer it is simply sent again.
                if not _uncertain(exc) or attempt == MAX_ATTEMPTS - 1:
                    state = (
                        "the task's annotations may or may not have been replaced"
                        if _uncertain(exc)
                        else "the task's annotations are unchanged"
                    )
                    raise AutoAnnotationUploadError(
                        f"Replacing the annotations of task {task_id} failed: {exc}; {state}",
                        frames_on_server=[],
                        frames_missing=sorted(all_frames),
                    ) from exc
                logger.warning("Replacing the annotations failed (%s); sending again", exc)
                time.sleep(RETRY_DELAY * 2**attempt)

    if clear_existing:
        try:
            client.api_client.tasks_api.destroy_annotations(task_id)
        except ApiException as exc:
            raise AutoAnnotationUploadError(
                f"Removing the annotations of task {task_id} failed: {exc}",
                frames_on_server=[],
                frames_missing=sorted(all_frames),
            ) from exc
        baseline = Counter

    uploader = _Uploader(client, task_id, logger, baseline, all_frames)
    for records in _batches(spool, BATCH_BYTES):
        try:
            uploader.send(records)
        except KeyboardInterrupt as exc:
            uploader.note_interrupted(exc, {record.frame for record in records})
            raise
