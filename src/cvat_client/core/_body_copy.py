"""Copying a streamed response body into a file: straight from the socket where it is safe.

httpx hands a streamed body over as the ``Data`` events of h11: every 64 KiB read from the
socket is a fresh ``bytes``, appended to h11's receive buffer, sliced out of it again,
copied once more by httpcore and passed up through httpx's byte chunkers, all in Python.
For a large identity body over plain HTTP/1.1 that is most of the client's CPU time.

:func:`copy_body` keeps httpx for the headers and the first piece of the body, then reads
the rest of a ``Content-Length`` body with ``recv_into`` into one reusable buffer and
writes it from there (the kernel's two copies and nothing else), under the same read
timeout and deadline the socket would have had. It does so only when nothing can differ
from httpx's own reading:

* the response is HTTP/1.1 on a plain (non-TLS) socket, reached through httpcore's
  documented ``network_stream`` response extension;
* the body is identity-encoded (no ``Content-Encoding`` to decode), has a
  ``Content-Length`` and no ``Transfer-Encoding`` (chunked bodies stay with h11);
* h11 has nothing of the body left in its buffer once the first piece is out (checked
  with h11's public ``Connection.trailing_data``).

Anything else (TLS, HTTP/2, chunked or encoded bodies, custom transports such as the
in-process test server, or an httpx/httpcore whose internals are not the expected ones)
takes httpx's ``iter_bytes``. Once the whole body is read, h11 is told so (its
``Content-Length`` reader is set to nothing left, the one private name used) and ends the
message itself; the connection then goes back to the pool as after any complete answer, so
chunk after chunk travels over the same connection. If h11's reader is not the expected one,
or the direct read fails half-way, the connection is closed instead (httpcore's own rule for
a response closed before its end), never pooled half-read.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from cvat_client._lowlevel.deadline import clamp

if TYPE_CHECKING:
    import httpx

__all__ = ["BLOCK_SIZE", "copy_body", "direct_socket"]

#: The size of the reusable read buffer of the direct path (the most one read returns).
#: 64 KiB measured best: the buffer stays in the CPU's cache between the copy from the
#: socket and the copy into the file (1 MiB used about twice the CPU time; see design.md).
BLOCK_SIZE = 64 * 1024


def copy_body(response: httpx.Response, file: BinaryIO, on_block: Callable[[int], None]) -> None:
    """Write the (unread, streamed) body of ``response`` to ``file``, decoded as
    ``iter_bytes`` decodes it, calling ``on_block(n)`` after every ``n`` bytes written.

    Raises what ``iter_bytes`` raises: `httpx.TimeoutException` when a read times out,
    another `httpx.TransportError` when the connection breaks (a body that ends before its
    ``Content-Length`` is a `httpx.RemoteProtocolError`, as with h11).
    """
    sock = direct_socket(response)
    if sock is None:
        for block in response.iter_bytes():
            file.write(block)
            on_block(len(block))
        return
    length = int(response.headers["content-length"])
    pieces = response.iter_raw()
    try:
        received = 0
        first = next(pieces, b"")
        if first:
            file.write(first)
            received = len(first)
            on_block(received)
        if received >= length or not _drained(response):
            for block in pieces:  # h11 still holds some of the body: let it finish
                file.write(block)
                on_block(len(block))
            return
        reader = _body_reader(response, length - received)
        _read_socket(response, sock, length - received, file, on_block)
        if reader is not None:
            # the whole body was read past h11: it may end the message, so the connection
            # goes back to the pool (httpcore's rule for a response read to its end)
            reader._remaining = 0
            for block in pieces:  # nothing: h11 ends the message at once
                file.write(block)
                on_block(len(block))
    finally:
        getattr(pieces, "close", lambda: None)()  # a generator: end httpx's reading too


def direct_socket(response: httpx.Response) -> socket.socket | None:
    """The plain socket ``response``'s body can be read from directly, or ``None`` when
    the body must go through httpx (see the module documentation)."""
    headers = response.headers
    if response.extensions.get("http_version") != b"HTTP/1.1":
        return None
    if response.request.method in ("HEAD", "CONNECT"):
        return None
    if headers.get("content-encoding", "identity").strip().lower() not in ("", "identity"):
        return None
    if "transfer-encoding" in headers or len(headers.get_list("content-length")) != 1:
        return None
    if not headers["content-length"].strip().isdigit():
        return None
    stream = response.extensions.get("network_stream")
    get_extra_info = getattr(stream, "get_extra_info", None)
    if get_extra_info is None:
        return None
    try:
        if get_extra_info("ssl_object") is not None:
            return None
        sock = get_extra_info("socket")
    except Exception:  # a stream type that does not know these names
        return None
    import ssl

    if not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket):
        return None
    if _h11_connection(response) is None:
        return None
    return sock


def _h11_connection(response: httpx.Response) -> Any:
    """The h11 connection under ``response`` (httpx 0.28 / httpcore 1.0 objects), or None."""
    import h11

    stream: Any = response.stream
    for name in ("_stream", "_httpcore_stream", "_stream", "_connection", "_h11_state"):
        stream = getattr(stream, name, None)
        if stream is None:
            return None
    return stream if isinstance(stream, h11.Connection) else None


def _drained(response: httpx.Response) -> bool:
    """Whether h11 is inside the body with none of it buffered: the rest is on the socket."""
    import h11

    connection = _h11_connection(response)
    if connection is None or connection.their_state is not h11.SEND_BODY:
        return False
    data, closed = connection.trailing_data
    return not data and not closed


def _body_reader(response: httpx.Response, left: int) -> Any:
    """h11's reader of the body under way, if it is the ``Content-Length`` reader expecting
    exactly the ``left`` bytes about to be read directly (so the message can be ended once
    they are); ``None`` for an h11 whose internals are not the expected ones."""
    try:
        from h11._readers import ContentLengthReader
    except ImportError:  # pragma: no cover - an h11 without this module
        return None
    reader = getattr(_h11_connection(response), "_reader", None)
    if type(reader) is not ContentLengthReader or getattr(reader, "_remaining", None) != left:
        return None
    return reader


def _read_socket(
    response: httpx.Response,
    sock: socket.socket,
    left: int,
    file: BinaryIO,
    on_block: Callable[[int], None],
) -> None:
    """Read the last ``left`` bytes of the body from ``sock`` into ``file``."""
    import httpx

    request = response.request
    timeout = request.extensions.get("timeout", {}).get("read")
    buffer = bytearray(min(BLOCK_SIZE, left))
    view = memoryview(buffer)
    expected = left
    current: float | bool | None = False  # the socket's timeout as last set (False: not yet)
    while left > 0:
        # the socket's errors become httpx's, as httpcore maps them; the file's stay as they are
        try:
            wanted = clamp(timeout, httpx.ReadTimeout)
            if wanted != current or current is False:  # each change costs a system call
                sock.settimeout(wanted)
                current = wanted
            count = sock.recv_into(view, min(len(buffer), left))
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "timed out", request=request) from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc
        if count == 0:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body: "
                f"{expected - left} of the last {expected} bytes received",
                request=request,
            )
        file.write(view[:count])
        left -= count
        on_block(count)
