"""[`annotate_task`][cvat_client.auto_annotation.annotate_task]: run a detection function over a task.

The function runs on the calling thread, one frame at a time, while the next frames are
fetched and decoded in the background. Each frame's results are checked and remapped as
they come and written to a temporary file, so memory does not grow with the number of
results. Only after the last frame, when every result is known to be valid, is anything
sent to the server.
"""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs

from cvat_client.auto_annotation import _frames, _upload
from cvat_client.auto_annotation._mapping import LabelMapper
from cvat_client.auto_annotation._spool import Spool
from cvat_client.auto_annotation.exceptions import BadFunctionError, InvalidThresholdError
from cvat_client.auto_annotation.interface import (
    DetectionFunction,
    DetectionFunctionContext,
    DetectionFunctionSpec,
)

if TYPE_CHECKING:
    from cvat_client.core.client import Client
    from cvat_client.core.progress import ProgressReporter

__all__ = ["annotate_task"]

logger = logging.getLogger("cvat_client.auto_annotation")


@attrs.frozen(kw_only=True)
class _Context(DetectionFunctionContext):
    frame_name: str
    conf_threshold: float | None = None
    conv_mask_to_poly: bool = False


def _logger(client: Client) -> logging.Logger:
    found = getattr(client, "logger", None)
    return found if isinstance(found, logging.Logger) else logger


def annotate_task(
    client: Client,
    task_id: int,
    function: DetectionFunction,
    *,
    pbar: ProgressReporter | None = None,
    clear_existing: bool = False,
    allow_unmatched_labels: bool = False,
    conf_threshold: float | None = None,
    conv_mask_to_poly: bool = False,
) -> None:
    """Run ``function`` on every frame of task ``task_id`` and upload its annotations.

    The function's labels, sublabels and attributes are matched with the task's by
    name. Its results are changed as follows: label and attribute ids become the task's,
    ``frame`` becomes the frame's number and ``source`` becomes ``"auto"``. Deleted
    frames are skipped.

    Video tasks are supported (cvat-sdk refuses them): their frames (those in the task's
    range and step) are decoded from the video chunks with PyAV, the ``video`` extra, and
    ``context.frame_name`` is the video's file name, as in ``TaskDataset``.

    Nothing on the server changes until the function has run on every frame and every
    result is valid. Then the results are added to the task's annotations, or replace
    them with ``clear_existing=True`` (in one request up to a size limit, in batches
    beyond it).

    Args:
        client: the client making every request.
        task_id: the task to annotate.
        function: a detection function (see [`DetectionFunction`][cvat_client.auto_annotation.DetectionFunction]).
        pbar: reports progress, one unit per frame.
        clear_existing: remove the task's annotations first; otherwise keep them.
        allow_unmatched_labels: drop results that use a label, sublabel or attribute the
            task does not have, instead of raising `BadFunctionError`.
        conf_threshold: ``None`` or a number between 0 and 1, passed to the function as
            ``context.conf_threshold``.
        conv_mask_to_poly: passed to the function as ``context.conv_mask_to_poly``; when
            true, a mask in the results raises `BadFunctionError`.

    Raises:
        BadFunctionError: the function broke a rule of its interface (the message names
            the frame and the problem); the task is unchanged.
        ValueError: ``conf_threshold`` is out of range (an `InvalidThresholdError`).
        AutoAnnotationUploadError: the upload failed for good; it says which frames'
            results are on the server.
    """
    if conf_threshold is not None and not 0 <= conf_threshold <= 1:
        raise InvalidThresholdError("conf_threshold must be None or a number between 0 and 1")
    if pbar is None:
        from cvat_client.core.progress import NullProgressReporter

        pbar = NullProgressReporter()
    log = _logger(client)

    source = _frames.TaskFrames(client, task_id)
    spec = function.spec
    if not isinstance(spec, DetectionFunctionSpec):
        raise BadFunctionError(
            f"function's spec is a {type(spec).__name__}, not a DetectionFunctionSpec"
        )
    mapper = LabelMapper(
        log,
        spec.labels,
        source.labels,
        allow_unmatched_labels=allow_unmatched_labels,
        conv_mask_to_poly=conv_mask_to_poly,
    )
    frames = source.frames

    # What the task holds before the upload: needed only to recover from a lost answer
    # without clear_existing. Read in the background while the function runs.
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvat-aa-baseline")
    baseline: Future[Counter[Any]] | None = None
    if not clear_existing:
        baseline = background.submit(_upload.read_fingerprints, client, task_id)
    background.shutdown(wait=False)

    spool = Spool()
    try:
        with pbar.task(total=len(frames), unit="samples"):
            images = source.images()
            try:
                for frame, name, image in images:
                    context = _Context(
                        frame_name=name,
                        conf_threshold=conf_threshold,
                        conv_mask_to_poly=conv_mask_to_poly,
                    )
                    results = function.detect(context, image)
                    try:
                        tags, shapes = mapper.map_frame(results, frame)
                        spool.add(frame, tags, shapes)
                    except BadFunctionError as exc:
                        raise BadFunctionError(
                            f"frame {frame} ({context.frame_name}): {exc.message}"
                        ) from None
                    pbar.advance(1)
            finally:
                images.close()  # type: ignore[attr-defined]

        log.info("Uploading annotations to task %d...", task_id)

        def read_baseline() -> Counter[Any]:
            if baseline is None:
                return Counter()
            return baseline.result()

        _upload.upload(
            client,
            task_id,
            spool,
            clear_existing=clear_existing,
            logger=log,
            baseline=read_baseline,
        )
        log.info("Upload complete")
    finally:
        spool.close()
        if baseline is not None:
            baseline.cancel()
