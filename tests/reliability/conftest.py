"""Helpers of the reliability tests: clients of hostile servers."""

from __future__ import annotations

from typing import Any

from cvat_client.core.client import Client, Config


def client_of(url: str, **config: Any) -> Client:
    """A client of ``url`` that does not ask the server's version first, without retry delays."""
    config.setdefault("retries", 0)
    return Client(url, config=Config(**config), check_server_version=False)
