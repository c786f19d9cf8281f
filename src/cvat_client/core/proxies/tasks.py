"""Tasks: ``client.tasks`` (:class:`TasksRepo`) and :class:`Task`."""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from cvat_client._lowlevel.exceptions import ApiValueError
from cvat_client.api_client import models
from cvat_client.api_client.apis.tasks_api import TasksApi
from cvat_client.core.proxies._media import MediaMixin
from cvat_client.core.proxies.annotations import AnnotationCrudMixin, check_local_file
from cvat_client.core.proxies.model_proxy import (
    CreateFromBackupMixin,
    DownloadBackupMixin,
    ExportDatasetMixin,
    ModelBatchDeleteMixin,
    ModelCreateMixin,
    ModelDeleteMixin,
    ModelListMixin,
    ModelRetrieveMixin,
    ModelUpdateMixin,
)

if TYPE_CHECKING:
    from cvat_client.core.progress import ProgressReporter
    from cvat_client.core.proxies.jobs import Job

__all__ = ["ResourceType", "Task", "TasksRepo", "expand_local_resources"]

StrPath = str | os.PathLike[str]


class ResourceType(Enum):
    """Where the files of a task come from."""

    LOCAL = 0
    """Files on this machine, uploaded by the client."""
    SHARE = 1
    """Paths in the server's shared storage (``server_files``)."""
    REMOTE = 2
    """URLs the server downloads itself (``remote_files``)."""

    def __str__(self) -> str:
        return self.name.lower()

    def __repr__(self) -> str:
        return str(self)


# Upload parameters passed on to the server's data spec, besides those named like its fields.
_DEFAULT_IMAGE_QUALITY = 70


def expand_local_resources(resources: Sequence[StrPath]) -> list[Path]:
    """Turn files, directories and glob patterns into a list of files.

    A directory contributes all files below it (recursively, sorted, hidden files
    skipped); a pattern such as ``"images/*.jpg"`` or ``"data/**/*.png"`` its sorted
    matches. Everything is checked before anything is sent.

    Raises:
        FileNotFoundError: a path does not exist or a pattern matches no file.
        NoMediaError: there is nothing to upload (an `ApiValueError`, and cvat-sdk's
            `BackgroundRequestException`).
        ApiValueError: two files would share a name.
    """
    if isinstance(resources, str | os.PathLike):
        raise ApiValueError(
            f"resources must be a list of paths, not a single path: pass [{os.fspath(resources)!r}]"
        )
    files: list[Path] = []
    for resource in resources:
        text = os.fspath(resource)
        path = Path(text)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise FileNotFoundError(f"Directory {text!r} holds no files: nothing was sent")
            files.extend(found)
        elif glob.has_magic(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True) if Path(m).is_file())
            if not matches:
                raise FileNotFoundError(f"No file matches {text!r}: nothing was sent")
            files.extend(matches)
        else:
            raise FileNotFoundError(f"File {text!r} does not exist: nothing was sent")
    if not files:
        from cvat_client.core.exceptions import NoMediaError

        raise NoMediaError("No media data found: resources is empty (nothing was sent)")
    seen: dict[str, Path] = {}
    for file in files:
        other = seen.setdefault(file.name, file)
        if other != file:
            raise ApiValueError(
                f"Two files would have the same name on the server: {os.fspath(other)!r} "
                f"and {os.fspath(file)!r}; rename one of them"
            )
    return files


def _data_spec(params: Mapping[str, Any] | None, logger: logging.Logger) -> dict[str, Any]:
    """The server's data spec from cvat-sdk style ``data_params``.

    A key the server's data spec does not have is left out with a warning (cvat-sdk
    leaves it out silently), so a script written for cvat-sdk runs unchanged.
    """
    known = {name for name, *_ in models.DataRequest.__cvat_fields__}
    spec: dict[str, Any] = {"image_quality": _DEFAULT_IMAGE_QUALITY}
    for key, value in (params or {}).items():
        if key == "frame_step":
            if value is not None:
                spec["frame_filter"] = f"step={value}"
        elif key in known:
            if value is not None:
                spec[key] = value.to_dict() if hasattr(value, "to_dict") else value
        else:
            logger.warning(
                "Data parameter %r ignored: the server does not know it (known: %s)",
                key,
                ", ".join(sorted(known | {"frame_step"})),
            )
    return spec


class Task(
    ModelUpdateMixin[models.TaskRead, TasksApi],
    ModelDeleteMixin[models.TaskRead, TasksApi],
    AnnotationCrudMixin[models.TaskRead, TasksApi],
    MediaMixin[models.TaskRead, TasksApi],
    ExportDatasetMixin[models.TaskRead, TasksApi],
    DownloadBackupMixin[models.TaskRead, TasksApi],
):
    """A task: its fields (``task.id``, ``task.name``, ``task.size``...) and operations."""

    _api_member_name = "tasks_api"
    _model_partial_update_arg = "patched_task_write_request"
    _data_meta_update_arg = "patched_data_meta_write_request"
    _annotations_url = "/api/tasks/{id}/annotations/"

    def upload_data(
        self,
        resources: Sequence[StrPath],
        *,
        resource_type: ResourceType = ResourceType.LOCAL,
        pbar: ProgressReporter | None = None,
        params: Mapping[str, Any] | None = None,
        wait_for_completion: bool = True,
        status_check_period: float | None = None,
    ) -> str:
        """Attach media to this task (once: the server accepts data only once).

        Args:
            resources: local files, directories and glob patterns
                (``ResourceType.LOCAL``), paths in the server's share
                (``ResourceType.SHARE``) or URLs (``ResourceType.REMOTE``).
            resource_type: where the files come from.
            pbar: reports the upload progress.
            params: the data spec: ``image_quality`` (default 70), ``chunk_size``,
                ``sorting_method``, ``start_frame``, ``stop_frame``, ``frame_step``,
                ``use_cache``, ``copy_data``, ``cloud_storage_id``, ``job_file_mapping``,
                ``filename_pattern``, ``validation_params``...
            wait_for_completion: wait until the server has processed the data.
            status_check_period: seconds between status checks.

        Returns:
            The id of the server's background request that processes the data (wait for
            it with :meth:`Client.wait_for_completion` when ``wait_for_completion=False``).

        Raises:
            FileNotFoundError: a local file is missing (nothing is sent).
            BackgroundRequestException: the server failed to process the data.
        """
        spec = _data_spec(params, self._client.logger)
        files = expand_local_resources(resources) if resource_type is ResourceType.LOCAL else None
        if files is not None:
            _check_media(files)
        return self._attach_data(
            resources,
            files,
            resource_type=resource_type,
            spec=spec,
            pbar=pbar,
            wait_for_completion=wait_for_completion,
            status_check_period=status_check_period,
        )

    def _attach_data(
        self,
        resources: Sequence[StrPath],
        files: list[Path] | None,
        *,
        resource_type: ResourceType,
        spec: dict[str, Any],
        pbar: ProgressReporter | None,
        wait_for_completion: bool,
        status_check_period: float | None,
    ) -> str:
        """:meth:`upload_data` with its input checked: ``files`` are the local resources
        expanded (for ``ResourceType.LOCAL``), ``spec`` the data spec."""
        if files is not None:
            from cvat_client.core.uploading import DataUploader

            rq_id = DataUploader(self._client).upload_files(
                self.id, files, data_params=spec, pbar=pbar
            )
        elif resource_type in (ResourceType.SHARE, ResourceType.REMOTE):
            if isinstance(resources, str | os.PathLike):
                resources = [resources]
            names = [os.fspath(r) for r in resources]
            if not names:
                raise ApiValueError("No files to attach: resources is empty")
            key = "server_files" if resource_type is ResourceType.SHARE else "remote_files"
            spec[key] = names
            result, _ = self.api.create_data(self.id, data_request=spec)
            answer = getattr(result, "rq_id", None)
            if not answer:
                raise ApiValueError("The server did not return a request id for the data")
            rq_id = str(answer)
        else:  # pragma: no cover - exhaustive
            raise ApiValueError(f"Unknown resource type {resource_type!r}")

        if wait_for_completion:
            self._client.logger.info("Waiting for the data of task #%s to be processed", self.id)
            self._client.wait_for_request(str(rq_id), status_check_period=status_check_period)
            self.fetch()
        return str(rq_id)

    def get_jobs(self) -> list[Job]:
        """The jobs of this task."""
        from cvat_client.core.proxies.jobs import Job

        return [Job(self._client, m) for m in self._list_related("jobs_api", task_id=self.id)]

    def get_labels(self) -> list[models.Label]:
        """The labels of this task (those of its project, for a task in a project)."""
        return cast("list[models.Label]", self._list_related("labels_api", task_id=self.id))


def _check_media(files: Sequence[Path]) -> None:
    from cvat_client.core._protocol.media_kinds import check_task_media

    problem = check_task_media(files)
    if problem is not None:
        raise ApiValueError(f"{problem}. Nothing was sent.")


def _has_data(task: Task, status_check_period: float | None) -> bool:
    """Whether the server already has the data of a task, waiting for it first when the
    server is still processing an upload that was finished before an interruption."""
    task.fetch()
    if getattr(task, "size", 0):
        return True
    client = task._client
    page, _ = client.api_client.requests_api.list(
        action="create", target="task", task_id=task.id, sort="-created_date"
    )
    for request in (getattr(page, "results", None) or [])[:1]:
        status = str(getattr(request, "status", ""))
        if status in ("queued", "started"):
            client.logger.info("Waiting for the data of task #%s, already submitted", task.id)
            client.wait_for_request(str(request.id), status_check_period=status_check_period)
            return True
        if status == "finished":
            return bool(task.fetch().size)
    return False


class TasksRepo(
    ModelCreateMixin[Task, TasksApi],
    ModelRetrieveMixin[Task, TasksApi],
    ModelListMixin[Task, TasksApi],
    ModelBatchDeleteMixin[Task, TasksApi],
    CreateFromBackupMixin[Task, TasksApi],
):
    """All tasks: ``client.tasks``."""

    _api_member_name = "tasks_api"
    _entity_type = Task

    def create_from_data(
        self,
        spec: models.TaskWriteRequest | Mapping[str, Any],
        resources: Sequence[StrPath],
        *,
        resource_type: ResourceType = ResourceType.LOCAL,
        data_params: Mapping[str, Any] | None = None,
        annotation_path: StrPath = "",
        annotation_format: str = "CVAT XML 1.1",
        status_check_period: float | None = None,
        pbar: ProgressReporter | None = None,
        resume_task_id: int | None = None,
    ) -> Task:
        """Create a task, attach its media and, optionally, import annotations.

        Local resources (against CVAT's own rules of what media a task takes), data
        parameters, the annotation file and the annotation format are all checked before
        the task is created, so a mistake creates nothing.

        If the server refuses or fails after the task was created (the data cannot be
        processed, the annotations cannot be imported), the task is deleted and the
        error says so; if the deletion fails too, the error says that, and its
        ``task_id`` names the task left behind. If the transfer is interrupted (the
        connection or the server went away, Ctrl-C), the task is kept and the error's
        ``task_id`` names it: call ``create_from_data`` again with the same arguments and
        ``resume_task_id=<task_id>`` to finish it without creating a second task.

        Args:
            spec: the task: ``name``, ``labels`` (or ``project_id``), ``segment_size``...
            resources: see :meth:`Task.upload_data`.
            resource_type: where the files come from.
            data_params: the data spec (see :meth:`Task.upload_data`).
            annotation_path: an annotation file to import after the data.
            annotation_format: its format.
            status_check_period: seconds between status checks.
            pbar: reports the upload progress.
            resume_task_id: finish an interrupted ``create_from_data`` into this existing
                task instead of creating one: its data is uploaded unless the server
                already has it (or is still processing it: then it is waited for), then
                the annotations are imported.

        Returns:
            The new task, with its data processed.

        Raises:
            ApiValueError: a resource, parameter or the annotation format is wrong
                (nothing was created).
            BackgroundRequestException, ApiException: the server failed; the message says
                whether the task was deleted (``task_id``, ``task_deleted`` attributes).
        """
        spec_map = spec if isinstance(spec, Mapping) else spec.to_dict()
        if spec_map.get("project_id") and spec_map.get("labels"):
            raise ApiValueError(
                "A task in a project uses the project's labels: leave out 'labels' or 'project_id'",
                ["labels"],
            )
        data_spec = _data_spec(data_params, self._client.logger)
        files = expand_local_resources(resources) if resource_type is ResourceType.LOCAL else None
        if files is not None:
            _check_media(files)
        if annotation_path:
            check_local_file(annotation_path, "Annotation file")
            self._check_import_format(annotation_format)

        if resume_task_id is not None:
            task = self.retrieve(resume_task_id)
            self._client.logger.info("Resuming the creation of task #%s", task.id)
        else:
            task = self.create(spec)
            self._client.logger.info("Created task #%s %r", task.id, task.name)
        try:
            if resume_task_id is None or not _has_data(task, status_check_period):
                task._attach_data(
                    resources,
                    files,
                    resource_type=resource_type,
                    spec=data_spec,
                    pbar=pbar,
                    wait_for_completion=True,
                    status_check_period=status_check_period,
                )
            if annotation_path:
                task.import_annotations(
                    annotation_format,
                    annotation_path,
                    pbar=pbar,
                    status_check_period=status_check_period,
                )
            return task.fetch()
        except BaseException as exc:
            self._clean_up_failed_task(task.id, exc)
            raise

    def _check_import_format(self, format_name: str) -> None:
        """Refuse an annotation format the server cannot import, before creating anything."""
        formats, _ = self._client.api_client.server_api.retrieve_annotation_formats()
        importers = getattr(formats, "importers", None) or []
        names = [getattr(f, "name", None) for f in importers]
        enabled = [f.name for f in importers if getattr(f, "enabled", True) is not False]
        if names and format_name not in enabled:
            raise ApiValueError(
                f"The server cannot import annotations in the format {format_name!r} "
                f"(nothing was created); importable formats: {', '.join(sorted(enabled))}"
            )

    def _clean_up_failed_task(self, task_id: int, exc: BaseException) -> None:
        """After ``create_from_data`` failed with ``exc``: delete the task when the server
        refused, keep it for ``resume_task_id`` when the transfer was interrupted; say which
        in the error."""
        from cvat_client._lowlevel.exceptions import ApiException, ApiTransportError
        from cvat_client.core.exceptions import TransferError, note_on_error

        interrupted = not isinstance(exc, ApiException) or isinstance(
            exc, ApiTransportError | TransferError
        )
        if interrupted:
            note_on_error(
                exc,
                f"Task #{task_id} was created but not finished; finish it with "
                f"create_from_data(..., resume_task_id={task_id}) or delete it",
                task_id=task_id,
                task_deleted=False,
            )
            return
        try:
            self._lowlevel.destroy(task_id)
        except ApiException as cleanup_error:
            note_on_error(
                exc,
                f"Task #{task_id} was created but could not be deleted ({cleanup_error}); "
                f"delete it with client.tasks.remove_by_ids([{task_id}])",
                task_id=task_id,
                task_deleted=False,
            )
            return
        self._client.logger.info("Deleted the unfinished task #%s", task_id)
        note_on_error(exc, f"Task #{task_id} was deleted", task_id=task_id, task_deleted=True)

    def remove_by_ids(self, task_ids: Sequence[int]) -> None:
        """Delete the tasks with these ids, ignoring those that do not exist."""
        super().remove_by_ids(task_ids)
