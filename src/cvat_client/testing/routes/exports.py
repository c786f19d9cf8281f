"""Dataset exports, backups (export and restore) and their ``result_url`` downloads."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO, TypedDict

from starlette.responses import Response

from cvat_client.testing import annotation_store as ann
from cvat_client.testing import backup, dataset_import, formats, media
from cvat_client.testing import labels as label_logic
from cvat_client.testing import serializers as ser
from cvat_client.testing._context import Ctx
from cvat_client.testing._http import HTML, ApiError, bad_request, detail, json_response, now
from cvat_client.testing.background import BackgroundRequest, JobFailure, encode_format
from cvat_client.testing.downloads import file_response
from cvat_client.testing.routes.annotations import gone_export, gone_import
from cvat_client.testing.routes.data import (
    add_jobs,
    chunk_size_for,
    make_video_data,
    segments,
    visible_job,
)
from cvat_client.testing.routes.projects import visible_project
from cvat_client.testing.routes.tasks import preview_response, visible_task
from cvat_client.testing.routing import Route, route
from cvat_client.testing.state import Project, Store, Task, TaskData
from cvat_client.testing.uploads import (
    TUS_ALLOW,
    handle_head,
    handle_patch,
    handle_post,
    single_file,
)

EXPORT_TTL = timedelta(hours=24)


class _Ids(TypedDict, total=False):
    project_id: int | None
    task_id: int | None
    job_id: int | None


IMPORT_TTL = timedelta(hours=1)
_TRUE = ("true", "1", "yes", "True")


def _stamp() -> str:
    return now().strftime("%Y_%m_%d_%H_%M_%S")


def _labels(
    ctx: Ctx, store: Store, task: Task | None = None, project_id: int | None = None
) -> list[dict[str, Any]]:
    found = store.labels_of(task=task, project_id=project_id)
    return [ser.label(ctx, lb) for lb in found if lb.parent_id is None]


def _task_export(task: Task, first: int = 0, last: int | None = None) -> Any:
    assert task.data is not None
    stop = task.data.size - 1 if last is None else last
    body = ann.view(task.annotations, first, stop)
    if first:
        for kind in ann.KINDS:
            for item in body[kind]:
                item["frame"] -= first
                for shape in item.get("shapes", []):
                    shape["frame"] -= first
    return formats.TaskExport(
        name=task.name,
        frames=list(task.data.frames[first : stop + 1]),
        annotations=body,
        subset=task.subset or "default",
        id=task.id,
        overlap=task.overlap or 0,
        bug_tracker=task.bug_tracker,
        deleted_frames=frozenset(f - first for f in task.data.deleted_frames if first <= f <= stop),
        **_video_export_fields(task.data, first),
    )


def _video_export_fields(data: TaskData, first: int) -> dict[str, Any]:
    """The export fields of a video task: mode, video and its absolute frame numbers."""
    if data.video is None:
        return {}
    step = data.video.step
    return {
        "mode": data.mode,
        "video": data.video,
        "start_frame": data.start_frame + first * step,
        "frame_step": step,
        "frame_filter": data.frame_filter,
    }


def _submit_export(
    ctx: Ctx,
    *,
    target: str,
    target_id: int,
    subresource: str,
    fmt: str | None,
    filename: str,
    download_path: str,
    write: Callable[[BinaryIO], None],
    ids: _Ids,
    org_id: int | None,
) -> Response:
    rq_id = f"action=export&target={target}&target_id={target_id}&user_id={ctx.me.id}"
    if fmt is not None:
        rq_id += f"&format={encode_format(fmt)}"
    rq_id += f"&subresource={subresource}"
    _refuse_active(ctx, rq_id)
    out_dir = ctx.server.media_dir / "exports" / uuid.uuid4().hex
    custom = ctx.query.get("filename")

    def work(request: BackgroundRequest) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / "result.zip"
        with path.open("wb") as out:
            write(out)
        request.result_path = path
        request.result_filename = custom or filename

    kind = "export:backup" if subresource == "backup" else f"export:{subresource}"
    request = BackgroundRequest(
        id=rq_id,
        type=kind,
        target=target,
        owner_id=ctx.me.id,
        org_id=org_id,
        format=fmt,
        ttl=EXPORT_TTL,
        download_path=download_path,
        work=work,
        project_id=ids.get("project_id"),
        task_id=ids.get("task_id"),
        job_id=ids.get("job_id"),
    )
    ctx.server.worker.submit(request)
    return json_response({"rq_id": rq_id}, 202)


def _refuse_active(ctx: Ctx, rq_id: str) -> None:
    """409 while a request with this id is queued or running."""
    with ctx.store.lock:
        existing = ctx.server.worker.requests.get(rq_id)
        if existing is not None and existing.active:
            raise ApiError(409, {"rq_id": rq_id})


def _format(ctx: Ctx) -> str:
    fmt = ctx.query.get("format", "")
    if fmt not in formats.EXPORT_FORMATS:
        raise bad_request(["Unknown format specified for the request"])
    return fmt


def _needs_data(task: Task) -> None:
    if task.data is None:
        raise bad_request(["The task has no data"])


def _dataset_export(
    ctx: Ctx,
    fmt: str,
    *,
    target: str,
    target_id: int,
    name: str,
    labels: list[dict[str, Any]],
    tasks: list[formats.TaskExport],
    ids: _Ids,
    org_id: int | None,
) -> Response:
    """Start the dataset (with images) or annotations export of a task, job or project."""
    images = ctx.query.get("save_images", "false") in _TRUE
    sub = "dataset" if images else "annotations"

    def write(out: BinaryIO) -> None:
        formats.export_dataset(
            fmt, out=out, name=name, labels=labels, tasks=tasks, include_images=images
        )

    return _submit_export(
        ctx,
        target=target,
        target_id=target_id,
        subresource=sub,
        fmt=fmt,
        filename=f"{target}_{target_id}_{sub}_{_stamp()}_{fmt.lower()}.zip",
        download_path=f"/api/{target}s/{target_id}/dataset/download",
        write=write,
        ids=ids,
        org_id=org_id,
    )


def _project_tasks(store: Store, project: Project) -> list[Task]:
    """The tasks of a project that have data, by id."""
    return sorted(
        (t for t in store.tasks.values() if t.project_id == project.id and t.data is not None),
        key=lambda t: t.id,
    )


async def task_dataset_export(ctx: Ctx) -> Response:
    """``POST /api/tasks/{id}/dataset/export``: start a dataset or annotations export."""
    task = visible_task(ctx, ctx.int_param())
    fmt = _format(ctx)
    _needs_data(task)
    with ctx.store.lock:
        labels = _labels(ctx, ctx.store, task)
        export = _task_export(task)
    return _dataset_export(
        ctx,
        fmt,
        target="task",
        target_id=task.id,
        name=task.name,
        labels=labels,
        tasks=[export],
        ids={"task_id": task.id, "project_id": task.project_id},
        org_id=task.org_id,
    )


async def job_dataset_export(ctx: Ctx) -> Response:
    """``POST /api/jobs/{id}/dataset/export``: start an export of the job's frames."""
    job = visible_job(ctx, ctx.int_param())
    fmt = _format(ctx)
    task = ctx.store.tasks[job.task_id]
    _needs_data(task)
    with ctx.store.lock:
        labels = _labels(ctx, ctx.store, task)
        export = _task_export(task, job.start_frame, job.stop_frame)
    return _dataset_export(
        ctx,
        fmt,
        target="job",
        target_id=job.id,
        name=f"job_{job.id}",
        labels=labels,
        tasks=[export],
        ids={"task_id": task.id, "job_id": job.id, "project_id": task.project_id},
        org_id=task.org_id,
    )


async def project_dataset_export(ctx: Ctx) -> Response:
    """``POST /api/projects/{id}/dataset/export``: start an export of every task of the project."""
    project = visible_project(ctx, ctx.int_param())
    fmt = _format(ctx)
    with ctx.store.lock:
        labels = _labels(ctx, ctx.store, project_id=project.id)
        exports = [_task_export(t) for t in _project_tasks(ctx.store, project)]
    return _dataset_export(
        ctx,
        fmt,
        target="project",
        target_id=project.id,
        name=project.name,
        labels=labels,
        tasks=exports,
        ids={"project_id": project.id},
        org_id=project.org_id,
    )


def _task_backup_parts(ctx: Ctx, task: Task) -> dict[str, Any]:
    store = ctx.store
    data = task.data
    assert data is not None
    return {
        "task": ser.task(ctx, task),
        "labels": _labels(ctx, store, task),
        "data": {
            "image_quality": data.image_quality,
            "chunk_size": data.chunk_size,
            "start_frame": data.start_frame,
            "stop_frame": data.stop_frame,
            "frame_filter": data.frame_filter,
            "sorting_method": data.sorting_method,
            "size": data.size,
            "deleted_frames": sorted(data.deleted_frames),
            "chunk_type": data.compressed_chunk_type,
            "original_chunk_type": data.original_chunk_type,
        },
        "frames": list(data.frames),
        "jobs": [ser.job(ctx, j) for j in store.jobs_of(task.id)],
        "annotations": ann.view(task.annotations, 0, data.size - 1),
    }


async def task_backup_export(ctx: Ctx) -> Response:
    """``POST /api/tasks/{id}/backup/export``: start a task backup."""
    task = visible_task(ctx, ctx.int_param())
    _needs_data(task)
    with ctx.store.lock:
        parts = _task_backup_parts(ctx, task)
    return _submit_export(
        ctx,
        target="task",
        target_id=task.id,
        subresource="backup",
        fmt=None,
        filename=f"task_{task.name}_backup_{_stamp()}.zip",
        download_path=f"/api/tasks/{task.id}/backup/download",
        write=lambda out: backup.write_task_backup(out, **parts),
        ids={"task_id": task.id, "project_id": task.project_id},
        org_id=task.org_id,
    )


async def project_backup_export(ctx: Ctx) -> Response:
    """``POST /api/projects/{id}/backup/export``: start a project backup."""
    project = visible_project(ctx, ctx.int_param())
    store = ctx.store
    with store.lock:
        project_body = ser.project(ctx, project)
        labels = _labels(ctx, store, project_id=project.id)
        task_parts = [_task_backup_parts(ctx, t) for t in _project_tasks(store, project)]

    def write(out: BinaryIO) -> None:
        backup.write_project_backup(out, project=project_body, labels=labels, tasks=task_parts)

    return _submit_export(
        ctx,
        target="project",
        target_id=project.id,
        subresource="backup",
        fmt=None,
        filename=f"project_{project.name}_backup_{_stamp()}.zip",
        download_path=f"/api/projects/{project.id}/backup/download",
        write=write,
        ids={"project_id": project.id},
        org_id=project.org_id,
    )


def _download(ctx: Ctx, prefix: str) -> Response:
    rq_id = ctx.query.get("rq_id", "")
    request = ctx.server.worker.requests.get(rq_id)
    if request is None or not rq_id.startswith(prefix):
        raise detail(404, "Not found.")
    if request.owner_id != ctx.me.id and not ctx.me.is_superuser:
        raise detail(403, "You do not have permission to perform this action.")
    if request.status != "finished" or request.result_path is None:
        raise bad_request(["The export is not finished yet"])
    if not request.result_path.is_file():
        raise detail(404, "Not found.")
    return file_response(ctx, request.result_path, request.result_filename or "export.zip")


def _downloader(target: str, visible: Callable[[Ctx, int], object]) -> Callable[[Ctx], Any]:
    """``GET …/download``: the result of a finished export of a ``target`` the caller sees."""

    async def download(ctx: Ctx) -> Response:
        target_id = ctx.int_param()
        visible(ctx, target_id)
        return _download(ctx, f"action=export&target={target}&target_id={target_id}&")

    return download


# -- backup restore -----------------------------------------------------------------------------


def _restore_task(
    ctx: Ctx,
    read: Any,
    owner_id: int,
    org_id: int | None,
    project_id: int | None,
    source_labels: list[dict[str, Any]] | None = None,
) -> int:
    """Create a task from a read backup (``backup.TaskBackup``); return its id."""

    store = ctx.store
    spec: dict[str, Any] = dict(read.task or {})
    label_specs: list[dict[str, Any]] = list(
        source_labels if source_labels is not None else read.labels
    )
    data_spec: dict[str, Any] = dict(read.data or {})
    frames = list(read.frames or [])
    with store.lock:
        task = Task(
            id=store.next_id("task"),
            name=str(spec.get("name") or "restored task"),
            owner_id=owner_id,
            org_id=org_id,
            project_id=project_id,
            bug_tracker=str(spec.get("bug_tracker") or ""),
            overlap=spec.get("overlap") or 0,
            segment_size=int(spec.get("segment_size") or 0),
            subset=str(spec.get("subset") or ""),
            status=str(spec.get("status") or "annotation"),
        )
        store.tasks[task.id] = task
        if project_id is None:
            label_logic.create(store, _clean_labels(label_specs), task_id=task.id)
        targets = _labels(ctx, store, task)
        if not frames:
            return task.id
        data = TaskData(
            id=store.next_id("data"),
            frames=frames,
            image_quality=int(data_spec.get("image_quality") or 70),
            chunk_size=int(data_spec.get("chunk_size") or chunk_size_for(frames)),
            start_frame=int(data_spec.get("start_frame") or 0),
            stop_frame=int(data_spec.get("stop_frame") or len(frames) - 1),
            frame_filter=str(data_spec.get("frame_filter") or ""),
            sorting_method=str(data_spec.get("sorting_method") or "lexicographical"),
            deleted_frames={
                int(f) for f in data_spec.get("deleted_frames") or [] if 0 <= int(f) < len(frames)
            },
        )
        task.data = data
        if getattr(read, "video", None) is not None:
            # CVAT 2.73 loses the backup's chunk_type on restore: compressed chunks are videos
            make_video_data(data, read.video, False, data.chunk_size)
        jobs = list(read.jobs or [])
        ranges = [(int(j["start_frame"]), int(j["stop_frame"])) for j in jobs if "start_frame" in j]
        if not ranges:
            if not 0 < task.segment_size <= data.size:
                task.segment_size = data.size
            ranges = segments(data.size, task.segment_size, task.overlap or 0)
        else:
            task.segment_size = task.segment_size or (ranges[0][1] - ranges[0][0] + 1)
        add_jobs(store, task, ranges)
        remapped = backup.remap_annotations(read.annotations or {}, label_specs, targets)
        _store_annotations(store, task, remapped)
        return task.id


def _store_annotations(store: Store, task: Task, annotations: dict[str, Any]) -> None:
    """Put imported annotations on all frames of a task."""
    assert task.data is not None
    last = task.data.size - 1
    items = {k: list(annotations.get(k, [])) for k in ann.KINDS}
    ann.replace(task.annotations, ann.build(store, items, 0, last), 0, last)


def _clean_labels(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for spec in specs:
        item = {k: v for k, v in spec.items() if k in ("name", "color", "type", "svg")}
        item["attributes"] = [
            {k: v for k, v in a.items() if k != "id"} for a in spec.get("attributes", [])
        ]
        if spec.get("sublabels"):
            item["sublabels"] = _clean_labels(spec["sublabels"])
        cleaned.append(item)
    return cleaned


def _start_restore(ctx: Ctx, path: Path, target: str) -> Response:
    rq_id = f"action=import&target={target}&id={uuid.uuid4()}&subresource=backup"
    owner_id = ctx.me.id
    org = ctx.org.org
    org_id = org.id if org is not None else None
    media_dir = ctx.server.media_dir / "restored" / uuid.uuid4().hex

    def work(request: BackgroundRequest) -> None:
        try:
            if target == "task":
                read = backup.read_task_backup(path, media_dir)
                request.result_id = _restore_task(ctx, read, owner_id, org_id, None)
            else:
                request.result_id = _restore_project(
                    ctx, backup.read_project_backup(path, media_dir), owner_id, org_id
                )
        except (backup.BackupError, OSError, ValueError, KeyError) as exc:
            raise JobFailure(f"{type(exc).__name__}: {exc}") from None

    request = BackgroundRequest(
        id=rq_id,
        type="import:backup",
        target=target,
        owner_id=ctx.me.id,
        org_id=org_id,
        ttl=IMPORT_TTL,
        work=work,
    )
    ctx.server.worker.submit(request)
    return json_response({"rq_id": rq_id}, 202)


def _restore_project(ctx: Ctx, read: Any, owner_id: int, org_id: int | None) -> int:

    store = ctx.store
    spec: dict[str, Any] = dict(read.project or {})
    with store.lock:
        project = Project(
            id=store.next_id("project"),
            name=str(spec.get("name") or "restored project"),
            owner_id=owner_id,
            org_id=org_id,
            bug_tracker=str(spec.get("bug_tracker") or ""),
        )
        store.projects[project.id] = project
        label_logic.create(store, _clean_labels(list(read.labels)), project_id=project.id)
    for task_backup in read.tasks:
        _restore_task(ctx, task_backup, owner_id, org_id, project.id, list(read.labels))
    return project.id


def _backup_routes(target: str) -> list[Route]:
    """The upload routes of a backup restore (with and without the trailing slash, TUS)."""
    key = (f"{target}-backup",)
    field = f"{target}_file"
    finish, direct = single_file(
        field,
        "backup.zip",
        lambda ctx, path: _start_restore(ctx, path, target),
        missing={field: ["No file was submitted."]},
    )

    async def post(ctx: Ctx) -> Response:
        return await handle_post(
            ctx, key, f"/api/{target}s/backup/", finish=finish, direct=direct, filename_is_id=True
        )

    async def patch(ctx: Ctx) -> Response:
        return await handle_patch(ctx, key, filename_is_id=True)

    async def head(ctx: Ctx) -> Response:
        return await handle_head(ctx, key)

    base = f"/api/{target}s/backup"
    return [
        route(base, allow="POST, OPTIONS", post=post),
        route(f"{base}/", allow="POST, OPTIONS", post=post),
        route(f"{base}/{{upload_id:uid}}", allow=TUS_ALLOW, patch=patch, head=head),
    ]


# -- project dataset import ---------------------------------------------------------------------

_IGNORED_LABELS = ("background",)


def _import_project_dataset(
    ctx: Ctx, request: BackgroundRequest, project: Project, fmt: str, path: Path, work_dir: Path
) -> None:
    """The work of a project dataset import: one new task per subset, then its annotations."""
    store = ctx.store
    request.message = "Dataset import has been started..."
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        content = dataset_import.read_dataset(fmt, path, work_dir)
    except dataset_import.NotADatasetArchive as exc:
        raise JobFailure(str(exc)) from None
    except formats.FormatError as exc:
        raise JobFailure(exc.request_message()) from None
    with store.lock:
        if store.projects.get(project.id) is not project:
            raise JobFailure("The project was deleted")
        known = {lb.name for lb in store.labels_of(project_id=project.id) if lb.parent_id is None}
        if not known:
            label_logic.create(store, [{"name": n} for n in content.labels], project_id=project.id)
        else:
            for name in content.labels:
                if name not in known and name not in _IGNORED_LABELS:
                    raise JobFailure(
                        f'CvatImportError: Target project does not have label with name "{name}"'
                    )
        label_dicts = _labels(ctx, store, project_id=project.id)
    count = len(content.subsets)
    for number, subset in enumerate(content.subsets):
        with store.lock:
            request.message = "Task from dataset is being created..."
            request.progress = number / count
            task = Task(
                id=store.next_id("task"),
                name=subset.name,
                owner_id=project.owner_id,
                org_id=project.org_id,
                project_id=project.id,
                subset=subset.name,
            )
            store.tasks[task.id] = task
        media_dir = ctx.server.media_dir / "tasks" / str(task.id)
        try:
            paths = dataset_import.place_images(subset, media_dir / "raw")
            frames = media.extract_media(paths, media_dir / "raw")
            assert subset.annotation_file is not None
            data = formats.import_annotations(
                fmt, subset.annotation_file, labels=label_dicts, frames=frames
            )
        except formats.FormatError as exc:
            store.delete_task(task.id)
            raise JobFailure(exc.request_message()) from None
        except (media.MediaError, OSError) as exc:
            store.delete_task(task.id)
            raise JobFailure(f"CvatImportError: {exc}") from None
        with store.lock:
            task.data = TaskData(
                id=store.next_id("data"),
                frames=frames,
                image_quality=70,
                chunk_size=chunk_size_for(frames),
                stop_frame=len(frames) - 1,
                media_dir=media_dir,
            )
            task.segment_size = len(frames)
            task.overlap = 0
            add_jobs(store, task, segments(len(frames), task.segment_size, 0))
            _store_annotations(store, task, data)
            task.updated_date = now()
    with store.lock:
        project.updated_date = now()


def _start_dataset_import(ctx: Ctx, project: Project, fmt: str, path: Path) -> Response:
    if fmt not in formats.IMPORT_FORMATS:
        raise bad_request([f"Unknown input format '{fmt}'"])
    rq_id = f"action=import&target=project&target_id={project.id}&subresource=dataset"
    _refuse_active(ctx, rq_id)
    work_dir = ctx.server.media_dir / "imports" / uuid.uuid4().hex

    def work(request: BackgroundRequest) -> None:
        try:
            _import_project_dataset(ctx, request, project, fmt, path, work_dir)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)

    request = BackgroundRequest(
        id=rq_id,
        type="import:dataset",
        target="project",
        owner_id=ctx.me.id,
        org_id=project.org_id,
        project_id=project.id,
        format=fmt,
        ttl=IMPORT_TTL,
        work=work,
        started_message="Dataset import has been started...",
    )
    ctx.server.worker.submit(request)
    return json_response({"rq_id": rq_id}, 202)


def _project_key(project: Project) -> tuple[object, ...]:
    return ("project-dataset", project.id)


async def project_dataset_post(ctx: Ctx) -> Response:
    """``POST /api/projects/{id}/dataset/``: a dataset import (upload protocol or multipart)."""
    project = visible_project(ctx, ctx.int_param(), change=True)
    finish, direct = single_file(
        "dataset_file",
        "dataset_upload",
        lambda ctx, path: _start_dataset_import(ctx, project, ctx.query.get("format", ""), path),
    )

    return await handle_post(
        ctx,
        _project_key(project),
        f"/api/projects/{project.id}/dataset/",
        finish=finish,
        direct=direct,
        filename_is_id=True,
    )


async def project_dataset_get(ctx: Ctx) -> Response:
    """``GET /api/projects/{id}/dataset/``: the removed export endpoint (410)."""
    visible_project(ctx, ctx.int_param())
    if ctx.query.get("action") == "import_status":
        raise gone_import()
    raise gone_export(True, "project")


async def project_dataset_patch(ctx: Ctx) -> Response:
    """``PATCH /api/projects/{id}/dataset/{upload_id}``: append a TUS chunk of a dataset upload."""
    project = visible_project(ctx, ctx.int_param(), change=True)
    return await handle_patch(ctx, _project_key(project), filename_is_id=True)


async def project_dataset_head(ctx: Ctx) -> Response:
    """``HEAD /api/projects/{id}/dataset/{upload_id}``: a dataset upload's offset and length."""
    project = visible_project(ctx, ctx.int_param(), change=True)
    return await handle_head(ctx, _project_key(project))


async def project_preview(ctx: Ctx) -> Response:
    """The preview of the project's newest task (CVAT orders by ``-id``); 404 without tasks."""
    project = visible_project(ctx, ctx.int_param())
    with ctx.store.lock:
        tasks = [t for t in ctx.store.tasks.values() if t.project_id == project.id]
    if not tasks:
        raise ApiError(404, "Project image preview not found", content_type=HTML)
    return await preview_response(ctx, max(tasks, key=lambda t: t.id))


async def task_dataset_gone(ctx: Ctx) -> Response:
    """``GET /api/tasks/{id}/dataset``: the removed export endpoint (410)."""
    visible_task(ctx, ctx.int_param())
    raise gone_export(True)


_EXPORT_ALLOW = "POST, OPTIONS"
_PROJECT_DATASET_ALLOW = "GET, POST, OPTIONS"

ROUTES = [
    *_backup_routes("task"),
    *_backup_routes("project"),
    route("/api/tasks/{id}/dataset/export", allow=_EXPORT_ALLOW, post=task_dataset_export),
    route("/api/tasks/{id}/dataset/download", get=_downloader("task", visible_task)),
    route("/api/tasks/{id}/dataset", get=task_dataset_gone),
    route("/api/tasks/{id}/backup/export", allow=_EXPORT_ALLOW, post=task_backup_export),
    route("/api/tasks/{id}/backup/download", get=_downloader("task", visible_task)),
    route("/api/jobs/{id}/dataset/export", allow=_EXPORT_ALLOW, post=job_dataset_export),
    route("/api/jobs/{id}/dataset/download", get=_downloader("job", visible_job)),
    route("/api/projects/{id}/dataset/export", allow=_EXPORT_ALLOW, post=project_dataset_export),
    route("/api/projects/{id}/dataset/download", get=_downloader("project", visible_project)),
    route("/api/projects/{id}/backup/export", allow=_EXPORT_ALLOW, post=project_backup_export),
    route("/api/projects/{id}/backup/download", get=_downloader("project", visible_project)),
    route(
        "/api/projects/{id}/dataset",
        allow=_PROJECT_DATASET_ALLOW,
        get=project_dataset_get,
        post=project_dataset_post,
    ),
    route(
        "/api/projects/{id}/dataset/",
        allow=_PROJECT_DATASET_ALLOW,
        get=project_dataset_get,
        post=project_dataset_post,
    ),
    route(
        "/api/projects/{id}/dataset/{upload_id:uid}",
        allow=TUS_ALLOW,
        patch=project_dataset_patch,
        head=project_dataset_head,
    ),
    route("/api/projects/{id}/preview", get=project_preview),
]
