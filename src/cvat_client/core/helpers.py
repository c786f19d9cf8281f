"""Public helpers, usable with the high-level and the low-level client alike.

>>> from cvat_client.core.helpers import get_paginated_collection, iter_paginated
>>> tasks = get_paginated_collection(api_client.tasks_api.list_endpoint, project_id=3)
>>> for job in iter_paginated(api_client.jobs_api.list_endpoint, page_size=100): ...
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cvat_client._lowlevel.exceptions import ApiException, ApiTypeError, ApiValueError
from cvat_client.core._protocol.pagination import PageCursor
from cvat_client.core.progress import (
    DeferredTqdmProgressReporter,
    NullProgressReporter,
    ProgressReporter,
    StreamWithProgress,
    TqdmProgressReporter,
)

if TYPE_CHECKING:
    from cvat_client._lowlevel.endpoint import Endpoint

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "expect_status",
    "make_request_headers",
    "get_paginated_collection",
    "iter_paginated",
    "ProgressReporter",
    "NullProgressReporter",
    "TqdmProgressReporter",
    "DeferredTqdmProgressReporter",
    "StreamWithProgress",
]


#: Items per page when the caller does not choose: the server's default (10) would make
#: listing thousands of objects cost hundreds of round trips. CVAT sets no upper limit.
DEFAULT_PAGE_SIZE = 500


class _NotGiven:
    def __repr__(self) -> str:
        return "<not given>"


_NOT_GIVEN: Any = _NotGiven()


def _organization_params(endpoint: Endpoint, org_id: int | None, kwargs: dict[str, Any]) -> None:
    """cvat-sdk's ``org_id=`` of the list helpers: ``None`` is the personal workspace,
    a number that organization, whatever the client's organization context."""
    names = {p.name for p in getattr(endpoint, "params", ())}
    if "x_organization" in names:
        kwargs.pop("x_organization", None)
    if org_id is None:
        kwargs.pop("org_id", None)
        kwargs["org"] = ""
    else:
        kwargs.pop("org", None)
        kwargs["org_id"] = org_id


def iter_paginated(
    endpoint: Endpoint,
    *,
    return_json: bool = False,
    org_id: int | None = _NOT_GIVEN,
    **kwargs: Any,
) -> Iterator[Any]:
    """Iterate over every item of a list endpoint, lazily.

    A page is fetched only when the items of the previous one have been consumed, so
    stopping early costs no more requests. Items are models, or plain JSON dicts with
    ``return_json=True``.

    Args:
        endpoint: a list operation, e.g. ``api_client.tasks_api.list_endpoint``.
        return_json: yield JSON dicts instead of models (faster for large lists).
        org_id: list in this organization (by id), or with ``None`` in the personal
            workspace, whatever the client's organization context (as in cvat-sdk).
            Not given: the client's context (or the ``org``/``org_id`` keywords).
        **kwargs: the operation's parameters (``project_id=``, ``filter=``, ``page_size=``
            (default :data:`DEFAULT_PAGE_SIZE`), ``page=`` to start elsewhere than page
            1...) and request options
            (``_request_timeout=``...).
    """
    if org_id is not _NOT_GIVEN:
        _organization_params(endpoint, org_id, kwargs)
    names = {p.name for p in getattr(endpoint, "params", ())}
    if "page" not in names:
        yield from _results(*_call(endpoint, kwargs, return_json))
        return
    if "page_size" in names and kwargs.get("page_size") is None:
        kwargs["page_size"] = DEFAULT_PAGE_SIZE
    cursor = PageCursor(page=int(kwargs.pop("page", 1) or 1))
    while not cursor.done:
        data, response = _call(endpoint, {**kwargs, "page": cursor.page}, return_json)
        results, next_url, count = _page_parts(data, response)
        cursor.advance(next_url, len(results), count)
        yield from results


def get_paginated_collection(
    endpoint: Endpoint,
    *,
    return_json: bool = False,
    org_id: int | None = _NOT_GIVEN,
    **kwargs: Any,
) -> list[Any]:
    """Every item of a list endpoint, all pages fetched (cvat-sdk's name).

    ``org_id=None`` lists the personal workspace, ``org_id=<id>`` that organization (as
    in cvat-sdk). See `iter_paginated` for the other arguments.
    """
    return list(iter_paginated(endpoint, return_json=return_json, org_id=org_id, **kwargs))


def _call(endpoint: Endpoint, kwargs: dict[str, Any], return_json: bool) -> tuple[Any, Any]:
    if not callable(endpoint):
        raise ApiTypeError(f"expected an Endpoint (such as api.list_endpoint), got {endpoint!r}")
    if return_json:
        _, response = endpoint(**kwargs, _parse_response=False)
        return (json.loads(response.content) if response.content else None), response
    return endpoint(**kwargs)


def _field(data: Any, name: str) -> Any:
    if isinstance(data, dict):
        return data.get(name)
    value = getattr(data, name, None)
    return value if isinstance(value, str | int | list) else None


def _page_parts(data: Any, response: Any) -> tuple[list[Any], str | None, int | None]:
    if isinstance(data, list):
        return data, None, None
    results = _field(data, "results")
    if results is None:
        raise ApiValueError(
            f"The server's answer to {getattr(response, 'url', 'the list request')} is not a page "
            "of results (no 'results')"
        )
    next_url = _field(data, "next")
    count = _field(data, "count")
    return (
        list(results),
        next_url if isinstance(next_url, str) else None,
        (count if isinstance(count, int) else None),
    )


def _results(data: Any, response: Any) -> list[Any]:
    if data is None:
        return []
    return _page_parts(data, response)[0]


def expect_status(codes: int | Iterable[int], response: Any) -> None:
    """Raise `ApiException` unless ``response``'s status is one of ``codes``."""
    wanted = [codes] if isinstance(codes, int) else list(codes)
    status = response.status_code
    if status in wanted:
        return
    reason = (
        getattr(response, "reason_phrase", None) if 300 <= status <= 500 else None
    ) or "Unexpected status code received"
    raise ApiException(status, reason, http_resp=response)


def make_request_headers(api_client: Any, **kwargs: Any) -> dict[str, str]:
    """The headers of a custom request: the client's defaults, cookies and credentials.

    ``kwargs`` go to ``api_client.update_params_for_auth`` (``method=``...).
    """
    headers: dict[str, str] = api_client.get_common_headers()
    queries: list[tuple[str, Any]] = []
    api_client.update_params_for_auth(headers=headers, queries=queries, **kwargs)
    return headers
