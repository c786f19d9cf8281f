"""Following the pages of a CVAT list endpoint (``{"count", "next", "previous", "results"}``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

__all__ = ["PageCursor", "page_of_url"]


def page_of_url(url: str) -> int:
    """The page number a ``next`` link points at (the link to page 1 has no ``page``)."""
    values = parse_qs(urlsplit(url).query).get("page")
    if not values:
        return 1
    try:
        return int(values[-1])
    except ValueError:
        return 1


@dataclass(slots=True)
class PageCursor:
    """Which page to fetch next.

    Start at ``page`` (1 unless the caller asked for another), feed each answer to
    :meth:`advance`, stop when :attr:`done`. Guards against servers whose ``next``
    does not move forward: a ``next`` to this page or an earlier one ends the walk (so
    no page is fetched twice).
    """

    page: int = 1
    done: bool = False
    seen: int = 0
    count: int | None = None

    def advance(self, next_url: str | None, received: int, count: int | None = None) -> None:
        """Record one page: its ``next`` link, how many items it held, the total ``count``."""
        self.seen += received
        if count is not None:
            self.count = count
        if not next_url or received == 0:
            self.done = True
            return
        following = page_of_url(next_url)
        if following <= self.page or (self.count is not None and self.seen >= self.count):
            self.done = True
            return
        self.page = following
