"""Keeping credentials out of log records and messages.

Our own code never logs a credential, but the libraries under it do: at DEBUG level
``httpcore`` logs every response header, ``Set-Cookie: sessionid=...; csrftoken=...``
included. While a client exists, :func:`install` wraps the :mod:`logging` record factory,
so that every record made by any logger, whatever its level or handlers, has its message
passed through :func:`redact_text` first: header values of ``Cookie``, ``Set-Cookie``,
``Authorization`` and ``X-CSRFToken``, ``sessionid=``/``csrftoken=`` pairs, JSON
``"password"``/``"token"``/``"key"`` members and ``sign=`` query parameters are replaced
by ``***``, and so is every credential value a client registered (:func:`register_secret`:
passwords, tokens, session ids), wherever it appears, until the last client closes.

The wrapper is removed when the last client closes (unless another library replaced the
factory meanwhile; it then stays, harmlessly).
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from typing import Any

__all__ = ["redact_text", "register_secret", "install", "uninstall", "MASK"]

MASK = "***"

_HEADER_NAMES = r"(?:set-cookie|cookie|authorization|proxy-authorization|x-csrftoken)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # httpcore's header tuples: (b'Set-Cookie', b'sessionid=...')
    (
        re.compile(r"(\(b?['\"]" + _HEADER_NAMES + r"['\"],\s*b?)(['\"])(.*?)(\2\))", re.I),
        r"\1\2" + MASK + r"\4",
    ),
    # header lines / dict items: "Authorization: Bearer x", 'cookie': 'a=b'
    (
        re.compile(r"(['\"]?" + _HEADER_NAMES + r"['\"]?\s*[:=]\s*)(['\"])(.*?)(\2)", re.I),
        r"\1\2" + MASK + r"\4",
    ),
    (re.compile(r"(\b" + _HEADER_NAMES + r":\s*)([^\r\n]+)", re.I), r"\1" + MASK),
    # cookie pairs and query parameters
    (
        re.compile(
            r"\b(sessionid|csrftoken|csrfmiddlewaretoken|sign|access_token|api_key)=([^;&\s'\"]+)",
            re.I,
        ),
        r"\1=" + MASK,
    ),
    # JSON members and Python reprs: "password": "x", 'key': 'x'
    (
        re.compile(
            r"(['\"](?:password|password1|password2|token|key|access_token|sessionid|"
            r"csrftoken|secret)['\"]\s*:\s*)(['\"])(.*?)(\2)",
            re.I,
        ),
        r"\1\2" + MASK + r"\4",
    ),
    # HTML form fields: name="csrfmiddlewaretoken" value="..."
    (
        re.compile(
            r"(\b(?:csrfmiddlewaretoken|csrftoken|sessionid|password|token)['\"]?\s+"
            r"value=['\"]?)([^'\"\s>]+)",
            re.I,
        ),
        r"\1" + MASK,
    ),
    # scheme credentials
    (re.compile(r"\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{6,}"), r"\1 " + MASK),
)

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask ``value`` wherever it appears in a log record from now on (for values of 4
    characters or more: shorter ones would mask ordinary words)."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


#: Words every pattern needs: a text without any of them skips the regular expressions.
_TRIGGERS = re.compile(
    r"cookie|authorization|csrf|session|token|password|sign=|key|bearer|basic|secret", re.I
)


def redact_text(text: str) -> str:
    """``text`` with credentials replaced by ``***``."""
    if _TRIGGERS.search(text) is not None:
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
    if _secrets:
        with _lock:
            values = sorted(_secrets, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
    return text


_previous_factory: Any = None
_owners: weakref.WeakSet[Any] = weakref.WeakSet()


def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record: logging.LogRecord = _previous_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:
        return record
    cleaned = redact_text(message)
    if cleaned != message:
        record.msg = cleaned
        record.args = ()
    return record


def install(owner: object) -> None:
    """Redact every log record while ``owner`` (a client) is alive and not uninstalled."""
    global _previous_factory
    with _lock:
        _owners.add(owner)
        if _previous_factory is None:
            _previous_factory = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_factory)


def uninstall(owner: object) -> None:
    """Stop redacting for ``owner``; the factory is restored when no owner is left."""
    global _previous_factory
    with _lock:
        _owners.discard(owner)
        if _owners or _previous_factory is None:
            return
        _secrets.clear()
        if logging.getLogRecordFactory() is _factory:
            logging.setLogRecordFactory(_previous_factory)
            _previous_factory = None
