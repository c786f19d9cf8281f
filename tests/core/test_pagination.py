"""Pagination: the cursor, lazy iteration and both clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cvat_client.api_client import ApiClient, Configuration
from cvat_client.core._protocol.pagination import PageCursor, page_of_url
from cvat_client.core.exceptions import ApiTypeError, NotFoundException
from cvat_client.core.helpers import get_paginated_collection, iter_paginated
from cvat_client.testing import CvatTestServer
from cvat_client.testing.bridge import ASGIBridgeTransport


def test_page_of_url() -> None:
    assert page_of_url("http://x/api/tasks?page=3&page_size=2") == 3
    assert page_of_url("http://x/api/tasks?page_size=2") == 1
    assert page_of_url("http://x/api/tasks?page=last") == 1


def test_cursor_follows_next_and_stops() -> None:
    cursor = PageCursor()
    cursor.advance("http://x/api/tasks?page=2", 2, count=5)
    assert (cursor.page, cursor.done) == (2, False)
    cursor.advance("http://x/api/tasks?page=3", 2)
    cursor.advance(None, 1)
    assert cursor.done and cursor.seen == 5


def test_cursor_guards_against_loops() -> None:
    cursor = PageCursor()
    cursor.advance("http://x/api/tasks?page=1", 2)  # a broken next link
    assert cursor.done
    cursor = PageCursor(page=2)
    cursor.advance("http://x/api/tasks?page=3", 2)
    cursor.advance("http://x/api/tasks?page=2", 2)
    assert cursor.done and cursor.page == 3
    cursor = PageCursor()
    cursor.advance("http://x/api/tasks?page=2", 0)
    assert cursor.done
    cursor = PageCursor()
    cursor.advance("http://x/api/tasks?page=2", 3, count=3)
    assert cursor.done


@pytest.fixture
def api(cvat_server: CvatTestServer) -> Iterator[tuple[ApiClient, list[httpx.Request]]]:
    """A bare low-level client (no high-level layer), counting requests."""
    seen: list[httpx.Request] = []
    configuration = Configuration("http://testserver", username="admin", password="admin")
    with ApiClient(configuration, transport=ASGIBridgeTransport(cvat_server.app)) as client:
        client.client.event_hooks["request"] = [seen.append]
        for i in range(7):
            client.projects_api.create({"name": f"p{i}"})
        seen.clear()
        yield client, seen


def test_lazy_iteration(api: tuple[ApiClient, list[httpx.Request]]) -> None:
    client, seen = api
    items = iter_paginated(client.projects_api.list_endpoint, page_size=3)
    assert seen == []
    first = next(items)
    assert first.name == "p6"
    assert len(seen) == 1
    for _ in range(2):
        next(items)
    assert len(seen) == 1  # the first page is not used up yet
    next(items)
    assert len(seen) == 2
    assert [p.name for p in items] == ["p2", "p1", "p0"]
    assert [r.url.params["page"] for r in seen] == ["1", "2", "3"]


def test_collection_json_filters_and_start_page(api: tuple[ApiClient, list[httpx.Request]]) -> None:
    client, _ = api
    endpoint = client.projects_api.list_endpoint
    everything = get_paginated_collection(endpoint, page_size=2)
    assert [p.name for p in everything] == [f"p{i}" for i in range(6, -1, -1)]
    as_json = get_paginated_collection(endpoint, return_json=True, page_size=4)
    assert [p["name"] for p in as_json] == [p.name for p in everything]
    assert isinstance(as_json[0], dict)
    assert [p.name for p in get_paginated_collection(endpoint, name="p3")] == ["p3"]
    assert [p.name for p in iter_paginated(endpoint, page_size=3, page=3)] == ["p0"]
    assert get_paginated_collection(endpoint, name="nothing") == []
    with pytest.raises(NotFoundException, match="Invalid page"):
        get_paginated_collection(endpoint, page_size=3, page=9)
    with pytest.raises(ApiTypeError, match="unexpected argument"):
        get_paginated_collection(endpoint, bogus=1)


def test_high_level_client_lists_lazily(client: Any) -> None:
    for i in range(5):
        client.projects.create({"name": f"q{i}"})
    names = [
        p["name"]
        for p in get_paginated_collection(
            client.api_client.projects_api.list_endpoint, return_json=True, page_size=2
        )
    ]
    assert names == ["q4", "q3", "q2", "q1", "q0"]


def test_plain_list_endpoints_and_bad_callables() -> None:
    class ListEndpoint:
        params = ()

        def __call__(self, **kwargs: Any) -> tuple[Any, Any]:
            return [1, 2, 3], None

    assert get_paginated_collection(ListEndpoint()) == [1, 2, 3]  # type: ignore[arg-type]
    with pytest.raises(ApiTypeError, match="expected an Endpoint"):
        get_paginated_collection("not an endpoint")  # type: ignore[arg-type]


def test_default_page_size_saves_round_trips(api: tuple[ApiClient, list[httpx.Request]]) -> None:
    """Without ``page_size``, pages are large: 7 projects come in one request, not one per 10."""
    from cvat_client.core.helpers import DEFAULT_PAGE_SIZE

    client, seen = api
    names = [p.name for p in get_paginated_collection(client.projects_api.list_endpoint)]
    assert sorted(names) == [f"p{i}" for i in range(7)]
    assert len(seen) == 1
    assert seen[0].url.params["page_size"] == str(DEFAULT_PAGE_SIZE)
    seen.clear()
    assert len(get_paginated_collection(client.projects_api.list_endpoint, page_size=3)) == 7
    assert [r.url.params["page"] for r in seen] == ["1", "2", "3"]
