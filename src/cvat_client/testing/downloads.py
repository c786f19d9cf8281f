"""Binary responses: ``Range`` handling for chunks and file downloads like nginx serves them."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from starlette.responses import Response, StreamingResponse

from cvat_client.testing._context import Ctx
from cvat_client.testing._http import ApiError, http_date, now

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_RANGE_SPEC = re.compile(r"([^=\s]+)\s*=\s*(.+)")
_RANGE_BYTES = re.compile(r"(\d*)-(\d*)")


def parse_data_range(
    header: str | None, total: int, headers: Mapping[str, str]
) -> tuple[int, int] | None:
    """The range of a data (chunk) request, read as CVAT's view reads it
    (``_parse_range_header``): a malformed header or several ranges answer 400 ``Invalid
    Range header``, another unit than ``bytes`` is ignored, an unsatisfiable range answers
    416 with the chunk's headers."""
    if not header:
        return None
    spec = _RANGE_SPEC.fullmatch(header.strip())
    if spec is None:
        raise _invalid_range()
    if spec.group(1).lower() != "bytes":
        return None
    found = _RANGE_BYTES.fullmatch(spec.group(2).strip())
    if found is None or found.groups() == ("", ""):
        raise _invalid_range()
    first, last = found.groups()
    try:
        return parse_range(f"bytes={first}-{last}", total)
    except ApiError as error:
        error.headers = {**headers, **error.headers}
        raise


def _invalid_range() -> ApiError:
    return ApiError(400, "Invalid Range header", content_type="text/html; charset=utf-8")


_BLOCK = 64 * 1024


def parse_range(header: str | None, total: int) -> tuple[int, int] | None:
    """The inclusive byte range a single-range ``Range`` header asks for (None: whole body).

    Raises 416 for an unsatisfiable range.
    """
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if found is None:
        return None
    first, last = found.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            raise _unsatisfiable(total)
        return max(0, total - length), total - 1
    start = int(first)
    end = int(last) if last else total - 1
    if start >= total or end < start:
        raise _unsatisfiable(total)
    return start, min(end, total - 1)


def _unsatisfiable(total: int) -> ApiError:
    return ApiError(
        416, "", headers={"content-range": f"bytes */{total}"}, content_type="text/html"
    )


class NginxServed:
    """Marks a response nginx serves itself (``X-Accel-Redirect``): the server adds none of
    Django's headers (``allow``, ``vary``, ``x-request-id``, the security headers) to it."""


class _NginxStreamingResponse(StreamingResponse, NginxServed):
    pass


class _NginxResponse(Response, NginxServed):
    pass


def bytes_response(
    ctx: Ctx, body: bytes, media_type: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """A body answered whole (200) or in part (206) per the request's ``Range``."""
    extra = {"accept-ranges": "bytes", **(headers or {})}
    wanted = parse_data_range(ctx.request.headers.get("range"), len(body), extra)
    if wanted is None:
        return Response(body, media_type=media_type, headers=extra)
    start, end = wanted
    extra["content-range"] = f"bytes {start}-{end}/{len(body)}"
    return Response(body[start : end + 1], status_code=206, media_type=media_type, headers=extra)


def file_response(
    ctx: Ctx, path: Path, filename: str, media_type: str = "application/zip"
) -> Response:
    """A download streamed from a file, with the headers nginx adds (``ETag``, ``Last-Modified``,
    ``Accept-Ranges``) and ``Content-Disposition``, and none of Django's; honours ``Range``."""
    stat = path.stat()
    total = stat.st_size
    headers = {
        "content-disposition": f'attachment; filename="{filename}"',
        "last-modified": http_date(now().fromtimestamp(stat.st_mtime, tz=now().tzinfo)),
        "etag": f'"{int(stat.st_mtime):x}-{total:x}"',
        "accept-ranges": "bytes",
    }
    wanted = parse_range(ctx.request.headers.get("range"), total)
    start, end, status = 0, total - 1, 200
    if wanted is not None:
        start, end = wanted
        status = 206
        headers["content-range"] = f"bytes {start}-{end}/{total}"
    headers["content-length"] = str(end - start + 1 if total else 0)
    if ctx.request.method == "HEAD":
        return _NginxResponse(b"", status_code=status, headers=headers, media_type=media_type)
    return _NginxStreamingResponse(
        _read(path, start, end + 1), status_code=status, headers=headers, media_type=media_type
    )


async def _read(path: Path, start: int, stop: int) -> AsyncIterator[bytes]:
    fd = os.open(path, os.O_RDONLY)
    try:
        position = start
        while position < stop:
            block = os.pread(fd, min(_BLOCK, stop - position), position)
            if not block:
                break
            position += len(block)
            yield block
    finally:
        os.close(fd)
