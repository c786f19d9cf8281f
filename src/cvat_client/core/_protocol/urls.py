"""Normalizing the server address given to ``make_client``."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["normalize_host", "rebase_url"]


def normalize_host(host: str, port: int | str | None = None) -> str:
    """``scheme://host[:port][/prefix]`` from what the user typed.

    No scheme means ``https``. Raises :class:`ValueError` (with the reason) for an empty
    host, a scheme other than ``http``/``https``, a port given twice or a bad port.
    """
    text = (host or "").strip()
    if not text:
        raise ValueError("The server address is empty")
    # no scheme means https (urlsplit gives the scheme in lower case)
    parts = urlsplit(text) if "://" in text else urlsplit("//" + text)._replace(scheme="https")
    scheme = parts.scheme
    if scheme not in ("http", "https"):
        raise ValueError(
            f"Invalid url schema '{parts.scheme}', expected one of <none>, https, http"
        )
    if not parts.hostname:
        raise ValueError(f"No host name in {host!r}")
    if parts.username or parts.password:
        raise ValueError("Put credentials in credentials= or access_token=, not in the address")
    try:
        given_port = parts.port
    except ValueError as exc:
        raise ValueError(f"Bad port in {host!r}") from exc
    number = _port_number(port)
    if number is not None:
        if given_port is not None:
            raise ValueError(
                "The 'host' with a port and the 'port' argument cannot be used together. "
                "Please specify only one port."
            )
        if not 1 <= number <= 65535:
            raise ValueError(f"Bad port {port!r}")
    netloc = parts.netloc
    if number is not None:
        netloc = f"{netloc}:{number}"
    path = parts.path.rstrip("/")
    if path.endswith("/api"):
        path = path[: -len("/api")]
    return f"{scheme}://{netloc}{path}"


def rebase_url(url: str, host: str) -> str:
    """An absolute URL the server built (``Location``, ``result_url``), moved onto ``host``.

    CVAT builds absolute URLs from the request's ``Host`` (and ``X-Forwarded-*``); behind
    a proxy they may name an internal address. An API URL on another origin is sent to
    the configured server instead, keeping its path and query. Relative URLs are joined
    to ``host``.
    """
    own = urlsplit(host)
    parts = urlsplit(url)
    if not parts.scheme:
        base = f"{own.scheme}://{own.netloc}"
        return base + (url if url.startswith("/") else "/" + url)
    if (parts.scheme, parts.netloc) == (own.scheme, own.netloc) or "/api/" not in parts.path:
        return url
    query = f"?{parts.query}" if parts.query else ""
    return f"{own.scheme}://{own.netloc}{parts.path}{query}"


def _port_number(port: int | str | None) -> int | None:
    """The port as a number; like cvat-sdk, an empty or zero port means none, and a port
    given as text (from a configuration file or the environment) is accepted."""
    if port is None or port == 0 or port == "":
        return None
    if isinstance(port, bool):
        raise ValueError(f"Bad port {port!r}")
    if isinstance(port, str):
        if not port.strip().isdigit():
            raise ValueError(f"Bad port {port!r}")
        return int(port)
    return int(port)
