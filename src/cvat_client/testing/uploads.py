"""CVAT's upload protocol: ``Upload-Start``, TUS create / ``PATCH`` / ``HEAD``,
``Upload-Multiple`` batches and ``Upload-Finish``.

An :class:`UploadSession` collects the files of one upload target (a task's data, a task's or
job's annotations, a backup); the route handler decides what ``Upload-Finish`` does with them.
"""

from __future__ import annotations

import base64
import email.message
import email.parser
import email.policy
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from starlette.responses import Response

from cvat_client.testing._context import Ctx
from cvat_client.testing._http import ApiError, detail, empty_response

TUS_MAX_SIZE = 26843545600
TUS_HEADERS: dict[str, str] = {
    "tus-resumable": "1.0.0",
    "tus-version": "1.0.0",
    "tus-extension": "",
    "tus-max-size": str(TUS_MAX_SIZE),
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "PATCH,HEAD,GET,POST,OPTIONS",
    "access-control-expose-headers": "Tus-Resumable,upload-length,upload-metadata,Location,Upload-Offset",
    "access-control-allow-headers": (
        "Tus-Resumable,upload-length,upload-metadata,Location,Upload-Offset,content-type"
    ),
    "cache-control": "no-store",
}
TUS_ALLOW = "PATCH, HEAD, OPTIONS"


@dataclass
class TusUpload:
    """A TUS upload in progress."""

    id: str
    path: Path
    length: int
    filename: str
    offset: int = 0


@dataclass
class UploadSession:
    """Files received for one target between ``Upload-Start`` and ``Upload-Finish``.

    ``files`` maps the name ``Upload-Finish`` refers to (the original file name for task data,
    the upload id otherwise) to the stored file, in arrival order.
    """

    directory: Path
    files: dict[str, Path] = field(default_factory=dict)
    tus: dict[str, TusUpload] = field(default_factory=dict)
    original_names: dict[str, str] = field(default_factory=dict)


FinishFn = Callable[[Ctx, UploadSession], Awaitable[Response]]
_NO_FILE = "No such file were uploaded"


def session_for(ctx: Ctx, key: tuple[object, ...], *, reset: bool = False) -> UploadSession:
    """The upload session of a target for the calling user (created on demand)."""
    server = ctx.server
    sessions: dict[tuple[object, ...], UploadSession] = server.__dict__.setdefault("_uploads", {})
    full_key = (*key, ctx.me.id)
    with ctx.store.lock:
        session = sessions.get(full_key)
        if session is None or reset:
            directory = server.media_dir / "uploads" / uuid.uuid4().hex
            directory.mkdir(parents=True, exist_ok=True)
            session = UploadSession(directory)
            sessions[full_key] = session
        return session


def parse_metadata(header: str) -> dict[str, str]:
    """Decode a TUS ``Upload-Metadata`` header."""
    values: dict[str, str] = {}
    for item in header.split(","):
        key, _, encoded = item.strip().partition(" ")
        if not key:
            continue
        try:
            values[key] = base64.b64decode(encoded).decode() if encoded else ""
        except (ValueError, UnicodeDecodeError):
            values[key] = ""
    return values


def safe_name(name: str) -> str:
    """The base name of a client-supplied file name (clients may send absolute paths)."""
    return PurePath(name.replace("\\", "/")).name or "file"


async def parse_multipart(ctx: Ctx) -> list[tuple[str, str | None, bytes]]:
    """``(field name, file name, content)`` of each part of a multipart body."""
    ctype = ctx.request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise detail(415, f'Unsupported media type "{ctype.split(";")[0]}" in request.')
    header = email.message.Message()
    header["content-type"] = ctype
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise detail(400, "Multipart form parse error - Invalid boundary in multipart: None")
    return split_multipart(await ctx.request.body(), boundary.encode("latin-1"))


def split_multipart(body: bytes, boundary: bytes) -> list[tuple[str, str | None, bytes]]:
    """Split a multipart body into ``(field name, file name, content)`` parts.

    Only the small header block of each part goes through the ``email`` parser; the
    contents are cut out with ``bytes.split`` (the whole-body ``email`` parse took about
    half a second per 10 MiB batch).
    """
    parts: list[tuple[str, str | None, bytes]] = []
    for segment in body.split(b"--" + boundary)[1:]:
        if segment.startswith(b"--"):
            break  # the closing delimiter
        head, sep, content = segment.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers = email.parser.BytesHeaderParser(policy=email.policy.HTTP).parsebytes(
            head.lstrip(b"\r\n")
        )
        name = headers.get_param("name", header="content-disposition")
        filename = headers.get_param("filename", header="content-disposition")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        parts.append((str(name or ""), str(filename) if filename is not None else None, content))
    return parts


async def handle_post(
    ctx: Ctx,
    key: tuple[object, ...],
    location_prefix: str,
    *,
    finish: FinishFn,
    direct: FinishFn,
    filename_is_id: bool,
    on_start: Callable[[Ctx], None] | None = None,
) -> Response:
    """Dispatch a POST of the upload protocol by its marker header."""
    headers = ctx.request.headers
    if "upload-start" in headers:
        if on_start is not None:
            on_start(ctx)
        session_for(ctx, key, reset=True)
        return empty_response(202)
    if "upload-multiple" in headers:
        session = session_for(ctx, key)
        for _field, filename, content in await parse_multipart(ctx):
            if filename is None:
                continue
            name = safe_name(filename)
            # one folder per file: names may repeat across batches, and the stored file
            # must keep the client's name (it becomes the frame name)
            target = session.directory / f"{len(session.files):06d}" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            session.files[name] = target
            session.original_names[name] = name
        return empty_response(200)
    if "upload-finish" in headers:
        return await finish(ctx, session_for(ctx, key))
    if "upload-length" in headers or "tus-resumable" in headers:
        return _tus_create(
            ctx, session_for(ctx, key), location_prefix, filename_is_id=filename_is_id
        )
    return await direct(ctx, session_for(ctx, key, reset=True))


def _tus_create(ctx: Ctx, session: UploadSession, prefix: str, *, filename_is_id: bool) -> Response:
    raw_length = ctx.request.headers.get("upload-length", "")
    if not raw_length.isdigit():
        raise ApiError(400, None, headers=TUS_HEADERS)
    length = int(raw_length)
    if length > TUS_MAX_SIZE:
        raise ApiError(413, None, headers=TUS_HEADERS)
    metadata = parse_metadata(ctx.request.headers.get("upload-metadata", ""))
    if not filename_is_id and not metadata.get("filename"):
        # task data keeps the uploaded names: CVAT requires one
        raise ApiError(400, "Metadata is expected to contain 'filename' key", headers=TUS_HEADERS)
    upload_id = f"{ctx.me.id}_{uuid.uuid4()}"
    filename = safe_name(metadata.get("filename", upload_id))
    path = session.directory / f"{upload_id}.part"
    path.touch()
    with ctx.store.lock:
        session.tus[upload_id] = TusUpload(upload_id, path, length, filename)
    reported = upload_id if filename_is_id else filename
    headers = {**TUS_HEADERS, "location": ctx.url(prefix + upload_id), "upload-filename": reported}
    return empty_response(201, headers=headers)


async def handle_patch(ctx: Ctx, key: tuple[object, ...], *, filename_is_id: bool) -> Response:
    """Append a TUS chunk (``Upload-Offset`` must equal the current offset)."""
    ctype = ctx.request.headers.get("content-type", "").split(";")[0].strip()
    if ctype != "application/offset+octet-stream":
        raise detail(415, f'Unsupported media type "{ctype}" in request.')
    session = session_for(ctx, key)
    upload = session.tus.get(ctx.params["upload_id"])
    if upload is None:
        raise ApiError(404, None, headers=TUS_HEADERS)
    offset = ctx.request.headers.get("upload-offset", "")
    if not offset.isdigit() or int(offset) != upload.offset:
        raise ApiError(409, None, headers=TUS_HEADERS)
    written = upload.offset
    with upload.path.open("r+b") as out:
        out.seek(written)
        async for chunk in ctx.request.stream():
            if written + len(chunk) > upload.length:
                out.truncate(upload.offset)
                raise ApiError(413, None, headers=TUS_HEADERS)
            out.write(chunk)
            written += len(chunk)
    with ctx.store.lock:
        upload.offset = written
        if upload.offset == upload.length:
            del session.tus[upload.id]
            name = upload.id if filename_is_id else upload.filename
            final = upload.path.with_suffix("") / upload.filename
            final.parent.mkdir(parents=True, exist_ok=True)
            upload.path.rename(final)
            session.files[name] = final
            session.original_names[name] = upload.filename
    return empty_response(204, headers={**TUS_HEADERS, "upload-offset": str(written)})


async def handle_head(ctx: Ctx, key: tuple[object, ...]) -> Response:
    """The offset and length of a TUS upload in progress (404 once complete)."""
    session = session_for(ctx, key)
    upload = session.tus.get(ctx.params["upload_id"])
    if upload is None:
        raise ApiError(404, None, headers=TUS_HEADERS)
    headers = {
        **TUS_HEADERS,
        "upload-offset": str(upload.offset),
        "upload-length": str(upload.length),
    }
    return empty_response(200, headers=headers)


def single_file(
    field: str,
    stored_name: str,
    start: Callable[[Ctx, Path], Response],
    *,
    missing: Any = None,
) -> tuple[FinishFn, FinishFn]:
    """The ``finish`` and ``direct`` handlers of an upload of one file that ``start`` processes.

    ``finish`` takes the file the upload protocol names; ``direct`` saves the multipart field
    ``field`` as ``stored_name`` (400 with the body ``missing`` when there is none).
    """

    async def finish(ctx: Ctx, session: UploadSession) -> Response:
        return start(ctx, uploaded_file(session, ctx.query.get("filename")))

    async def direct(ctx: Ctx, session: UploadSession) -> Response:
        for name, filename, content in await parse_multipart(ctx):
            if name == field and filename is not None:
                path = session.directory / stored_name
                path.write_bytes(content)
                return start(ctx, path)
        raise ApiError(400, missing if missing is not None else [_NO_FILE])

    return finish, direct


def uploaded_file(session: UploadSession, name: str | None) -> Path:
    """The file ``Upload-Finish`` names (400 ``No such file were uploaded`` otherwise)."""
    path = session.files.get(name or "") if name else None
    if path is None and name is None and len(session.files) == 1:
        path = next(iter(session.files.values()))
    if path is None or not path.is_file():
        raise ApiError(400, [_NO_FILE])
    return path
