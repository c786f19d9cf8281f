"""List endpoints: DRF page-number pagination, ``filter``, ``search``, ``sort`` and simple filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from cvat_client.testing._context import Ctx
from cvat_client.testing._http import detail
from cvat_client.testing.jsonlogic import Getter, compile_filter

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class ListSpec:
    """What a list endpoint can filter, search and sort by.

    ``fields`` maps field names (as in CVAT's ``filter_fields``) to getters; ``search`` names the
    fields ``search`` looks into; ``simple`` names the fields accepted as ``?field=value``.
    """

    fields: Mapping[str, Getter]
    search: Sequence[str] = ()
    simple: Sequence[str] = ()
    default_sort: str = "-id"
    extra_simple: Mapping[str, Getter] = field(default_factory=dict)


def apply(objects: Iterable[Any], query: Mapping[str, str], spec: ListSpec) -> list[Any]:
    """Filter, search and sort objects the way CVAT's filter backends do."""
    items = list(objects)
    text = query.get("filter")
    if text:
        predicate = compile_filter(text, spec.fields)
        items = [o for o in items if predicate(o)]
    for name in (*spec.simple, *spec.extra_simple):
        if name not in query:
            continue
        getter = spec.extra_simple.get(name) or spec.fields[name]
        wanted = query[name]
        items = [o for o in items if _matches(getter(o), wanted)]
    terms = [t for t in query.get("search", "").replace(",", " ").split() if t]
    if terms:
        getters = [spec.fields[name] for name in spec.search]

        def found(obj: Any) -> bool:
            values = [str(g(obj)).lower() for g in getters if g(obj) is not None]
            return all(any(t.lower() in v for v in values) for t in terms)

        items = [o for o in items if found(o)]
    return _sort(items, query.get("sort") or spec.default_sort, spec)


def _matches(value: Any, wanted: str) -> bool:
    if value is None:
        return wanted in ("", "null")
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    return str(value) == wanted


def _sort(items: list[Any], sort: str, spec: ListSpec) -> list[Any]:
    keys = [k.strip() for k in sort.split(",") if k.strip()]
    keys = [k for k in keys if k.lstrip("-") in spec.fields]
    if not keys:
        keys = [spec.default_sort]
    for key in reversed(keys):
        getter = spec.fields[key.lstrip("-")]
        items.sort(key=_sort_key(getter), reverse=key.startswith("-"))
    return items


def _sort_key(getter: Getter) -> Callable[[Any], tuple[int, Any]]:
    def key(obj: Any) -> tuple[int, Any]:
        value = getter(obj)
        if value is None:
            return (0, "")
        if isinstance(value, (int, float)):
            return (1, value)
        return (2, str(value))

    return key


def paginate(
    items: Sequence[Any],
    query: Mapping[str, str],
    base_url: str,
    render: Callable[[Any], Any],
) -> dict[str, Any]:
    """A DRF page ``{"count", "next", "previous", "results"}``.

    ``base_url`` is the absolute URL of the list without a query; links carry the request's
    query parameters sorted by name, and the link to page 1 omits ``page``.
    """
    size = _page_size(query.get("page_size"))
    count = len(items)
    last = max(1, -(-count // size))
    raw = query.get("page", "1")
    if raw == "last":
        number = last
    else:
        try:
            number = int(raw)
        except ValueError:
            raise detail(404, "Invalid page.") from None
        if number < 1 or number > last:
            raise detail(404, "Invalid page.")
    start = (number - 1) * size
    results = [render(o) for o in items[start : start + size]]
    return {
        "count": count,
        "next": _link(base_url, query, number + 1) if number < last else None,
        "previous": _link(base_url, query, number - 1) if number > 1 else None,
        "results": results,
    }


def list_page(
    ctx: Ctx,
    objects: Iterable[Any],
    spec: ListSpec,
    path: str,
    render: Callable[[Any], Any],
    *,
    filters: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The page of ``objects`` a list endpoint at ``path`` answers for the request's query.

    ``filters`` replaces the query for filtering, searching and sorting (not for the links).
    """
    items = apply(objects, ctx.query if filters is None else filters, spec)
    return paginate(items, ctx.query, ctx.url(path), render)


def _page_size(raw: str | None) -> int:
    try:
        size = int(raw) if raw is not None else DEFAULT_PAGE_SIZE
    except ValueError:
        return DEFAULT_PAGE_SIZE
    if size <= 0:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE)


def _link(base_url: str, query: Mapping[str, str], page: int) -> str:
    params = {k: v for k, v in query.items() if k != "page"}
    if page > 1:
        params["page"] = str(page)
    if not params:
        return base_url
    return base_url + "?" + urlencode(sorted(params.items()))
