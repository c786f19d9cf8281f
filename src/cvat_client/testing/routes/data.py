"""Task data: the upload flow, task creation in the background, frames, chunks, meta, previews."""

from __future__ import annotations

import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from starlette.responses import Response

from cvat_client.testing import iam, media, video
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import ApiError, bad_request, iso, json_response, not_found, now
from cvat_client.testing.background import BackgroundRequest, JobFailure
from cvat_client.testing.downloads import bytes_response
from cvat_client.testing.routes.tasks import preview_response, visible_task
from cvat_client.testing.routing import route
from cvat_client.testing.state import Job, Store, Task, TaskData
from cvat_client.testing.uploads import (
    TUS_ALLOW,
    UploadSession,
    handle_head,
    handle_patch,
    handle_post,
    parse_multipart,
    safe_name,
)

CREATE_TTL = timedelta(seconds=500)


def add_jobs(store: Store, task: Task, ranges: list[tuple[int, int]]) -> None:
    """Create a task's jobs over the ``(start, stop)`` frame ranges."""
    for first, last in ranges:
        job = Job(store.next_id("job"), task.id, first, last)
        store.jobs[job.id] = job


def chunk_size_for(frames: list[Any]) -> int:
    """CVAT's automatic chunk size: fewer frames per chunk for larger images."""
    if not frames:
        return 36
    average = sum(f.width * f.height for f in frames) / len(frames)
    return max(2, min(72, int(36 * 1920 * 1080 // max(1.0, average))))


def segments(size: int, segment_size: int, overlap: int) -> list[tuple[int, int]]:
    """``(start, stop)`` frame ranges of the jobs of a task, as CVAT cuts them."""
    if size <= 0:
        return []
    if segment_size <= 0 or segment_size > size:
        segment_size = size
    overlap = min(overlap, segment_size - 1) if segment_size > 1 else 0
    step = segment_size - overlap
    ranges = []
    start = 0
    while start < size:
        stop = min(start + segment_size - 1, size - 1)
        ranges.append((start, stop))
        if stop == size - 1:
            break
        start += step
    return ranges


# -- upload -------------------------------------------------------------------------------------


def _reject_existing_data(ctx: Ctx) -> None:
    task = visible_task(ctx, ctx.int_param(), change=True)
    if task.data is not None or task.creating:
        raise bad_request(["Adding more data is not supported"])


async def data_post(ctx: Ctx) -> Response:
    """``POST /api/tasks/{id}/data/``: the upload protocol's steps, or multipart data at once."""
    task = visible_task(ctx, ctx.int_param(), change=True)
    key = ("task-data", task.id)
    return await handle_post(
        ctx,
        key,
        f"/api/tasks/{task.id}/data/",
        finish=_finish,
        direct=_direct,
        filename_is_id=False,
        on_start=_reject_existing_data,
    )


async def data_patch(ctx: Ctx) -> Response:
    """``PATCH /api/tasks/{id}/data/{upload_id}``: append a TUS chunk at ``Upload-Offset``."""
    task = visible_task(ctx, ctx.int_param(), change=True)
    return await handle_patch(ctx, ("task-data", task.id), filename_is_id=False)


async def data_head(ctx: Ctx) -> Response:
    """``HEAD /api/tasks/{id}/data/{upload_id}``: a TUS upload's offset and length."""
    task = visible_task(ctx, ctx.int_param(), change=True)
    return await handle_head(ctx, ("task-data", task.id))


async def _direct(ctx: Ctx, session: UploadSession) -> Response:
    """A data POST without the upload protocol: a multipart form or a JSON spec at once."""
    ctype = ctx.request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        spec: dict[str, Any] = {}
        for field, filename, content in await parse_multipart(ctx):
            if filename is not None:
                name = safe_name(filename)
                # one folder per file, so the frame keeps the client's file name
                path = session.directory / f"{len(session.files):06d}" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                session.files[name] = path
            else:
                spec[field] = content.decode()
        return _start_creation(ctx, session, spec)
    return _start_creation(ctx, session, await ctx.json_object())


async def _finish(ctx: Ctx, session: UploadSession) -> Response:
    body = await ctx.json_object()
    return _start_creation(ctx, session, body)


def _int(spec: dict[str, Any], name: str, default: int | None) -> int | None:
    value = spec.get(name, default)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request({name: ["A valid integer is required."]}) from None


def _start_creation(ctx: Ctx, session: UploadSession, spec: dict[str, Any]) -> Response:
    task = visible_task(ctx, ctx.int_param(), change=True)
    if task.data is not None or task.creating:
        raise bad_request(["Adding more data is not supported"])
    quality = _int(spec, "image_quality", 70)
    if quality is None or not 0 <= quality <= 100:
        raise bad_request({"image_quality": ["Ensure this value is less than or equal to 100."]})
    start = _int(spec, "start_frame", 0) or 0
    stop = _int(spec, "stop_frame", None)
    chunk_size = _int(spec, "chunk_size", None)
    frame_filter = str(spec.get("frame_filter") or "")
    step = 1
    if frame_filter.startswith("step="):
        step = int(frame_filter[5:] or "1")
    sorting = str(spec.get("sorting_method") or "lexicographical")
    use_zip_chunks = str(spec.get("use_zip_chunks", False)).lower() in ("true", "1")
    remote = [name for name in ("server_files", "remote_files") if spec.get(name)]
    cloud = spec.get("cloud_storage_id")
    order = spec.get("upload_file_order") or []
    files = list(session.files.items())
    if order:
        index = {name: i for i, name in enumerate(order)}
        files.sort(key=lambda item: index.get(item[0], len(index)))
    paths = [path for _name, path in files]
    rq_id = f"action=create&target=task&target_id={task.id}"
    media_dir = ctx.server.media_dir / "tasks" / str(task.id)
    store = ctx.store

    def work(request: BackgroundRequest) -> None:
        try:
            if cloud is not None:
                raise JobFailure(
                    "The test server cannot reach cloud storages: "
                    f"cloud storage #{cloud} is not available"
                )
            if remote:
                raise JobFailure(
                    f"The test server cannot reach {' or '.join(remote)}: "
                    "upload the files with the request instead"
                )
            if not paths:
                raise JobFailure("No media data found")
            frames, source = video.extract_task_media(
                paths,
                media_dir / "raw",
                sorting_method=sorting,
                start_frame=start,
                stop_frame=stop,
                frame_step=step,
            )
        except media.MediaError as exc:
            raise JobFailure(str(exc)) from None
        finally:
            with store.lock:
                task.creating = False
        with store.lock:
            if task.id not in store.tasks:
                raise JobFailure("The task was deleted")
            data = TaskData(
                id=store.next_id("data"),
                frames=frames,
                image_quality=quality,
                chunk_size=chunk_size or chunk_size_for(frames),
                start_frame=start,
                stop_frame=start + (len(frames) - 1) * step,
                frame_filter=frame_filter,
                sorting_method=sorting,
                media_dir=media_dir,
            )
            if source is not None:
                make_video_data(data, source, use_zip_chunks, chunk_size)
            task.data = data
            task.segment_size = (
                task.segment_size if 0 < task.segment_size <= data.size else data.size
            )
            task.overlap = video_overlap(task, data) if source else task.overlap or 0
            add_jobs(store, task, segments(data.size, task.segment_size, task.overlap))
            task.updated_date = now()

    request = BackgroundRequest(
        id=rq_id,
        type="create:task",
        target="task",
        owner_id=ctx.me.id,
        org_id=task.org_id,
        project_id=task.project_id,
        task_id=task.id,
        ttl=CREATE_TTL,
        work=work,
        started_message="Task is being saved in database",
    )
    with store.lock:
        task.creating = True
    ctx.server.worker.submit(request)
    return json_response({"rq_id": rq_id}, 202)


def video_overlap(task: Task, data: TaskData) -> int:
    """CVAT's overlap of a video task's jobs: 5 frames by default, at most half a job."""
    overlap = task.overlap
    if overlap is None:
        overlap = 0 if data.size <= task.segment_size else 5
    return min(overlap, task.segment_size // 2)


def make_video_data(
    data: TaskData, source: video.VideoSource, use_zip_chunks: bool, chunk_size: int | None
) -> None:
    """Turn task data into a video task's: chunk types and CVAT's default chunk size."""
    data.video = source
    data.original_chunk_type = "video"
    data.compressed_chunk_type = "imageset" if use_zip_chunks else "video"
    if not chunk_size and not use_zip_chunks:
        data.chunk_size = 36


# -- frames, chunks, meta -----------------------------------------------------------------------


def _meta(task: Task, data: TaskData, first: int, last: int) -> dict[str, Any]:
    frames = data.frames[first : last + 1]
    size = len(frames)
    if data.video is not None:
        frames = frames[:1]  # a video task lists its video file once
    return {
        "chapters": None if data.video is None else [],
        "chunks_updated_date": iso(data.updated_date),
        "chunk_size": data.chunk_size,
        "size": size,
        "image_quality": data.image_quality,
        "start_frame": data.start_frame + first * _step(data),
        "stop_frame": data.start_frame + last * _step(data),
        "frame_filter": data.frame_filter,
        "frames": [
            {
                "width": f.width,
                "height": f.height,
                "name": f.name,
                "related_files": 0,
                "has_related_context": False,
            }
            for f in frames
        ],
        "deleted_frames": sorted(f for f in data.deleted_frames if first <= f <= last),
        "included_frames": None,
        "storage": "local",
        "cloud_storage_id": None,
    }


def _step(data: TaskData) -> int:
    step = data.frame_filter[5:] if data.frame_filter.startswith("step=") else ""
    return int(step) if step.isdigit() and int(step) > 0 else 1


def _data_of(task: Task) -> TaskData:
    if task.data is None:
        raise bad_request(["The task has no data"])
    return task.data


async def meta_get(ctx: Ctx) -> Response:
    """``GET /api/tasks/{id}/data/meta``: the task's frames, sizes and deleted frames."""
    task = visible_task(ctx, ctx.int_param())
    data = _data_of(task)
    return json_response(_meta(task, data, 0, data.size - 1))


def _deleted_frames(body: dict[str, Any]) -> set[int] | None:
    """The ``deleted_frames`` of a data meta PATCH (``None`` when absent), validated as DRF does."""
    if "deleted_frames" not in body:
        return None
    value = body["deleted_frames"]
    if value is None:
        raise bad_request({"deleted_frames": ["This field may not be null."]})
    if not isinstance(value, list):
        message = f'Expected a list of items but got type "{type(value).__name__}".'
        raise bad_request({"deleted_frames": [message]})
    errors: dict[str, list[str]] = {}
    frames: set[int] = set()
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            errors[str(index)] = ["A valid integer is required."]
            continue
        try:
            number = int(item)
        except ValueError:
            errors[str(index)] = ["A valid integer is required."]
            continue
        if number < 0:
            errors[str(index)] = ["Ensure this value is greater than or equal to 0."]
        frames.add(number)
    if errors:
        raise bad_request({"deleted_frames": errors})
    return frames


def _frames_changed(task: Task) -> None:
    # the chunks stay as they are: deleted frames are still served
    task.updated_date = now()


async def meta_patch(ctx: Ctx) -> Response:
    """Replace the task's deleted frames (CVAT keeps the frames; exports skip them)."""
    task = visible_task(ctx, ctx.int_param(), change=True)
    data = _data_of(task)
    deleted = _deleted_frames(await ctx.json_object())
    with ctx.store.lock:
        if deleted is not None:
            data.deleted_frames = deleted
            _frames_changed(task)
        return json_response(_meta(task, data, 0, data.size - 1))


def _quality(ctx: Ctx, default: str) -> str:
    quality = ctx.query.get("quality", default)
    if quality not in ("original", "compressed"):
        raise bad_request(["Wrong quality value"])
    return quality


def _frame_response(
    ctx: Ctx, data: TaskData, first: int, last: int, *, job: bool = False
) -> Response:
    raw = ctx.query.get("number", "")
    quality = _quality(ctx, "original")
    try:
        number = int(raw)
    except ValueError:
        raise bad_request({"number": ["A valid integer is required."]}) from None
    if not first <= number <= last and job:
        raise ApiError(400, f"Incorrect requested frame number: {number}")
    if not first <= number <= last:
        raise ApiError(
            400,
            f"Invalid frame '{number}'. The frame number should be in the "
            f"[{first}, {last + 1}] range",
        )
    if data.video is not None:
        content, media_type = video.task_frame(data, quality, number)
    else:
        content, media_type = media.read_frame(
            data.frames[number], quality=quality, image_quality=data.image_quality
        )
    return Response(content, media_type=media_type)


def _chunk(data: TaskData, quality: str, frames_from: int, frames_to: int) -> bytes:
    if data.video is not None:
        return video.task_chunk(data, quality, frames_from, frames_to)
    key = (quality, frames_from, frames_to)
    cached = data.chunk_cache.get(key)
    if cached is None:
        cached = media.make_chunk(
            data.frames[frames_from : frames_to + 1],
            quality=quality,
            image_quality=data.image_quality,
        )
        data.chunk_cache[key] = cached
    return cached


def _chunk_response(
    ctx: Ctx, data: TaskData, quality: str, number: int, first: int, last: int
) -> Response:
    chunks = -(-(last - first + 1) // data.chunk_size)
    if not 0 <= number < chunks:
        raise ApiError(
            400,
            f"Invalid chunk number '{number}'. The chunk number should be in the "
            f"[0, {chunks - 1}] range",
        )
    start = first + number * data.chunk_size
    stop = min(start + data.chunk_size - 1, last)
    body = _chunk(data, quality, start, stop)
    headers = {"x-checksum": chunk_checksum(body), "x-updated-date": iso(data.updated_date) or ""}
    mime = "application/zip"
    if data.video is not None:
        mime = video.video_chunk_mime_type(quality, data.compressed_chunk_type)
    return bytes_response(ctx, body, mime, headers=headers)


def chunk_checksum(body: bytes) -> str:
    """CVAT's ``X-Checksum`` of a chunk: CRC-32 of its first 1000 bytes, seeded with the
    CRC-32 of its decimal length (``_DataGetter._get_chunk_checksum``)."""
    return str(zlib.crc32(body[:1000], zlib.crc32(str(len(body)).encode())))


def _int_query(ctx: Ctx, name: str) -> int:
    try:
        return int(ctx.query.get(name, ""))
    except ValueError:
        raise bad_request({name: ["A valid integer is required."]}) from None


async def data_get(ctx: Ctx) -> Response:
    """``GET /api/tasks/{id}/data/``: a frame or a chunk of the task (``type``, ``number``)."""
    task = visible_task(ctx, ctx.int_param())
    kind = ctx.query.get("type")
    if kind not in ("frame", "chunk", "context_image"):
        raise bad_request(["Data type not specified or has wrong value"])
    data = _data_of(task)
    if kind == "frame":
        return _frame_response(ctx, data, 0, data.size - 1)
    if kind == "context_image":
        raise not_found("Image")
    quality = _quality(ctx, "compressed")
    return _chunk_response(ctx, data, quality, _int_query(ctx, "number"), 0, data.size - 1)


def visible_job(ctx: Ctx, job_id: int, *, change: bool = False) -> Job:
    """A job the caller may read (or change)."""
    job = ctx.store.jobs.get(job_id)
    if job is None:
        raise not_found("Job")
    owner, assignees = iam.job_people(ctx, job)
    task = ctx.store.tasks[job.task_id]
    iam.check(ctx, iam.allowed(ctx, task.org_id, owner, *assignees, change=change))
    return job


async def job_data_get(ctx: Ctx) -> Response:
    """``GET /api/jobs/{id}/data``: a frame or chunk of the job (``index`` or ``number``)."""
    job = visible_job(ctx, ctx.int_param())
    task = ctx.store.tasks[job.task_id]
    kind = ctx.query.get("type")
    if kind not in ("frame", "chunk", "context_image"):
        raise bad_request(["Data type not specified or has wrong value"])
    data = _data_of(task)
    if kind == "frame":
        return _frame_response(ctx, data, job.start_frame, job.stop_frame, job=True)
    if kind == "context_image":
        raise not_found("Image")
    quality = _quality(ctx, "compressed")
    if "index" in ctx.query:
        number = _int_query(ctx, "index")
    else:
        absolute = _int_query(ctx, "number")
        number = absolute - job.start_frame // data.chunk_size
    return _chunk_response(ctx, data, quality, number, job.start_frame, job.stop_frame)


def _job_meta(task: Task, data: TaskData, job: Job) -> dict[str, Any]:
    body = _meta(task, data, job.start_frame, job.stop_frame)
    body["size"] = job.stop_frame - job.start_frame + 1
    return body


async def job_meta_get(ctx: Ctx) -> Response:
    """``GET /api/jobs/{id}/data/meta``: the job's frames and deleted frames."""
    job = visible_job(ctx, ctx.int_param())
    task = ctx.store.tasks[job.task_id]
    return json_response(_job_meta(task, _data_of(task), job))


async def job_meta_patch(ctx: Ctx) -> Response:
    """Replace the deleted frames within the job's range; those of other jobs stay."""
    job = visible_job(ctx, ctx.int_param(), change=True)
    task = ctx.store.tasks[job.task_id]
    data = _data_of(task)
    deleted = _deleted_frames(await ctx.json_object())
    with ctx.store.lock:
        if deleted is not None:
            inside = {f for f in deleted if job.start_frame <= f <= job.stop_frame}
            outside = {f for f in data.deleted_frames if not job.start_frame <= f <= job.stop_frame}
            data.deleted_frames = inside | outside
            _frames_changed(task)
        return json_response(_job_meta(task, data, job))


async def job_preview(ctx: Ctx) -> Response:
    """``GET /api/jobs/{id}/preview``: the preview image of the job's first frame."""
    job = visible_job(ctx, ctx.int_param())
    return await preview_response(ctx, ctx.store.tasks[job.task_id], job.start_frame)


def _path_or_none(value: object) -> Path | None:
    return value if isinstance(value, Path) else None


_DATA_ALLOW = "GET, POST, HEAD, OPTIONS"
ROUTES = [
    route("/api/tasks/{id}/data", allow=_DATA_ALLOW, get=data_get, post=data_post),
    route("/api/tasks/{id}/data/", allow=_DATA_ALLOW, get=data_get, post=data_post),
    route(
        "/api/tasks/{id}/data/meta",
        allow="GET, PATCH, HEAD, OPTIONS",
        get=meta_get,
        patch=meta_patch,
    ),
    route(
        "/api/tasks/{id}/data/{upload_id:uid}",
        allow=TUS_ALLOW,
        patch=data_patch,
        head=data_head,
    ),
    route("/api/jobs/{id}/data", get=job_data_get),
    route(
        "/api/jobs/{id}/data/meta",
        allow="GET, PATCH, HEAD, OPTIONS",
        get=job_meta_get,
        patch=job_meta_patch,
    ),
    route("/api/jobs/{id}/preview", get=job_preview),
]
