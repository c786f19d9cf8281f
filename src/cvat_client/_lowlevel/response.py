"""The response class of the low-level client: an ``httpx.Response`` that also reads
as the urllib3 response cvat-sdk returns (``.status``, ``.data``, ``.getheader()``)."""

from __future__ import annotations

import httpx

__all__ = ["Response", "adopt"]


class Response(httpx.Response):
    """An ``httpx.Response`` with cvat-sdk's (urllib3's) reading names as well.

    ``status`` is ``status_code``, ``data`` is ``content`` (reading an unread body first),
    ``getheader(name, default)`` and ``getheaders()`` read the headers.
    """

    @property
    def status(self) -> int:
        """The HTTP status code (``status_code``)."""
        return self.status_code

    @property
    def data(self) -> bytes:
        """The body (``content``); an unread (streamed) body is read first, as urllib3's
        ``data`` does."""
        if not hasattr(self, "_content"):
            self.read()
        return self.content

    @property
    def reason(self) -> str:
        """The reason phrase (``reason_phrase``)."""
        return self.reason_phrase

    def getheader(self, name: str, default: str | None = None) -> str | None:
        """One header's value, or ``default``."""
        value: str | None = self.headers.get(name)
        return default if value is None else value

    def getheaders(self) -> httpx.Headers:
        """All headers."""
        return self.headers


def adopt(response: httpx.Response) -> Response:
    """Give ``response`` the :class:`Response` reading names (same object, no copy)."""
    if type(response) is httpx.Response:
        response.__class__ = Response
    return response  # type: ignore[return-value]
