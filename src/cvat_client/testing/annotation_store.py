"""Annotation storage rules: validation, id assignment and frame-range views for jobs.

A task holds its annotations; a job sees (and replaces) those on its frames. Objects on frames
outside the range are silently dropped, as on the real server; ``version`` stays 0.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from cvat_client.testing._http import (
    HTML,
    REQUIRED,
    SERVER_ERROR_HTML,
    ApiError,
    bad_request,
    invalid_choice,
    not_a_dict,
    not_a_list,
)
from cvat_client.testing.state import Annotations, Store

SHAPE_TYPES = (
    "rectangle",
    "polygon",
    "polyline",
    "points",
    "ellipse",
    "cuboid",
    "mask",
    "skeleton",
)
KINDS = ("tags", "shapes", "tracks")
_NOT_A_NUMBER = "[ErrorDetail(string='Value must be a float or an integer', code='invalid')]"
SOURCES = ("auto", "semi-auto", "manual", "file", "consensus")
_SOURCE_LIST = ", ".join(f"'{s}'" for s in SOURCES)


def empty() -> dict[str, Any]:
    """The body of empty annotations."""
    return {"version": 0, "tags": [], "shapes": [], "tracks": [], "intervals": []}


def validate(
    body: Any, label_ids: set[int] | Mapping[int, set[int]]
) -> dict[str, list[dict[str, Any]]]:
    """Check an annotations body; return its ``tags``, ``shapes`` and ``tracks`` lists.

    Raises the 400 bodies CVAT answers: nested field errors, then the serializers' object
    checks (``source``, the number of points for the shape type, skeleton elements), then
    ``label_id `x` is invalid`` and, when ``label_ids`` maps labels to their attribute
    ids, ``spec_id `x` is invalid``.
    """
    if not isinstance(body, dict):
        # CVAT 2.73's view reads the body as a dict before validating it: a crash, 500
        raise ApiError(500, SERVER_ERROR_HTML, content_type=HTML)
    result: dict[str, list[dict[str, Any]]] = {}
    errors: dict[str, Any] = {}
    for kind in KINDS:
        items = body.get(kind, [])
        if not isinstance(items, list):
            errors[kind] = not_a_list(items)
            continue
        item_errors = [_errors(kind, item) for item in items]
        if any(item_errors):
            errors[kind] = item_errors
        result[kind] = items
    if errors:
        raise bad_request(errors)
    for kind in KINDS:
        for item in result[kind]:
            for label_id, spec_ids in _label_ids(item):
                if label_id not in label_ids:
                    raise bad_request([f"label_id `{label_id}` is invalid"])
                if isinstance(label_ids, Mapping):
                    for spec_id in spec_ids:
                        if spec_id not in label_ids[label_id]:
                            raise bad_request([f"spec_id `{spec_id}` is invalid"])
    return result


def _label_ids(item: dict[str, Any]) -> list[tuple[int, list[Any]]]:
    """``(label_id, attribute spec ids)`` of an object and its elements."""
    spec_ids = [a.get("spec_id") for a in item.get("attributes", []) or [] if isinstance(a, dict)]
    ids = [(item["label_id"], spec_ids)]
    for element in item.get("elements", []) or []:
        ids.extend(_label_ids(element))
    return ids


# The number of points each shape type takes (CVAT's ShapeSerializer.validate).
_POINTS_OK = {
    "rectangle": lambda n: n == 4,
    "ellipse": lambda n: n == 4,
    "polygon": lambda n: n >= 6 and n % 2 == 0,
    "polyline": lambda n: n >= 4 and n % 2 == 0,
    "points": lambda n: n >= 2 and n % 2 == 0,
    "cuboid": lambda n: n == 16,
    "mask": lambda n: n >= 5,
    "skeleton": lambda n: n == 0,
}


def _object_errors(kind: str, item: dict[str, Any], *, element: bool = False) -> dict[str, Any]:
    """The serializers' object-level checks, run only on objects without field errors."""
    source = item.get("source", "manual")
    if source not in SOURCES and not item.get("id"):
        return {"source": [f"must be one of {_SOURCE_LIST}, got '{source}'"]}
    if kind != "shapes":
        return {}
    shape_type = item["type"]
    if not _POINTS_OK[shape_type](len(item.get("points", []) or [])):
        return {"points": [f"invalid length for shape type '{shape_type}'"]}
    if element:
        return {}
    elements = item.get("elements", []) or []
    if shape_type == "skeleton" and not elements:
        return {"elements": ["at least one required for skeleton shape"]}
    if shape_type != "skeleton" and elements:
        return {"elements": ["not allowed for non-skeleton shape"]}
    return {}


def _errors(kind: str, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return not_a_dict(item)
    errors: dict[str, Any] = {}
    for name in ("frame", "label_id"):
        if name not in item:
            errors[name] = [REQUIRED]
        elif not isinstance(item[name], int) or isinstance(item[name], bool):
            errors[name] = ["A valid integer is required."]
    if kind == "shapes":
        _shape_errors(item, errors)
        elements = item.get("elements", []) or []
        if isinstance(elements, list) and elements:
            nested = [_element_errors(e) for e in elements]
            if any(nested):
                errors["elements"] = nested
    if kind in ("tags", "shapes") and not errors:
        errors.update(_object_errors(kind, item))
    if kind == "tracks":
        shapes = item.get("shapes")
        if not isinstance(shapes, list):
            errors["shapes"] = [REQUIRED]
        else:
            nested = [_track_shape_errors(s) for s in shapes]
            if any(nested):
                errors["shapes"] = nested
    return errors


def _shape_errors(item: dict[str, Any], errors: dict[str, Any]) -> None:
    shape_type = item.get("type")
    if shape_type is None:
        errors["type"] = [REQUIRED]
    elif shape_type not in SHAPE_TYPES:
        errors["type"] = invalid_choice(shape_type)
    points = item.get("points", [])
    if isinstance(points, list | str):
        # CVAT's points field reports each element that is not a number, by index, as the
        # text of a list of DRF error details (a string is checked character by character)
        wrong = {
            str(index): _NOT_A_NUMBER
            for index, point in enumerate(points)
            if isinstance(point, bool) or not isinstance(point, int | float)
        }
        if wrong:
            errors["points"] = wrong
    else:
        raise ApiError(500, SERVER_ERROR_HTML, content_type=HTML)  # CVAT 2.73 crashes too


def _element_errors(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return not_a_dict(item)
    errors: dict[str, Any] = {}
    for name in ("frame", "label_id"):
        if name not in item:
            errors[name] = [REQUIRED]
    _shape_errors(item, errors)
    if not errors:
        errors.update(_object_errors("shapes", item, element=True))
    return errors


def _track_shape_errors(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"non_field_errors": ["Invalid data."]}
    errors: dict[str, Any] = {}
    if "frame" not in item:
        errors["frame"] = [REQUIRED]
    _shape_errors(item, errors)
    return errors


def _id(store: Store, spec: dict[str, Any], kind: str, keep_id: bool) -> Any:
    return spec["id"] if keep_id and "id" in spec else store.next_id(kind)


def _geometry(spec: dict[str, Any]) -> dict[str, Any]:
    """The fields of a shape, or of a track's shape, that place it on the frame."""
    return {
        "type": spec["type"],
        "occluded": bool(spec.get("occluded", False)),
        "outside": bool(spec.get("outside", False)),
        "z_order": int(spec.get("z_order", 0)),
        "rotation": float(spec.get("rotation", 0.0)),
        "points": [float(p) for p in spec.get("points", [])],
    }


def _labeled(store: Store, spec: dict[str, Any], kind: str, keep_id: bool) -> dict[str, Any]:
    """The fields tags, shapes and tracks share: id, label, group, source and frame."""
    return {
        "id": _id(store, spec, kind, keep_id),
        "label_id": spec["label_id"],
        "group": int(spec.get("group") or 0),
        "source": spec.get("source", "manual"),
        "frame": spec["frame"],
    }


def _shape(store: Store, spec: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
    return {
        **_element_shape(store, spec, keep_id=keep_id),
        "elements": [
            _element_shape(store, e, keep_id=keep_id) for e in spec.get("elements", []) or []
        ],
    }


def _element_shape(store: Store, spec: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
    """A ``SubLabeledShape``: a shape without elements of its own (CVAT ignores any sent)."""
    return {
        **_geometry(spec),
        **_labeled(store, spec, "shape", keep_id),
        "score": spec.get("score", 1),
        "attributes": _attributes(spec),
    }


def _attributes(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"spec_id": a.get("spec_id"), "value": str(a.get("value", ""))}
        for a in spec.get("attributes", []) or []
        if isinstance(a, dict)
    ]


def _tag(store: Store, spec: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
    return {**_labeled(store, spec, "tag", keep_id), "attributes": _attributes(spec)}


def _track_shape(store: Store, spec: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
    return {
        **_geometry(spec),
        "id": _id(store, spec, "track_shape", keep_id),
        "frame": spec["frame"],
        "attributes": _attributes(spec),
    }


def _track(store: Store, spec: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
    return {
        **_element_track(store, spec, keep_id=keep_id),
        "elements": [
            _element_track(store, e, keep_id=keep_id) for e in spec.get("elements", []) or []
        ],
    }


def _element_track(store: Store, spec: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
    """A ``SubLabeledTrack``: a track without elements of its own."""
    return {
        **_labeled(store, spec, "track", keep_id),
        "attributes": _attributes(spec),
        "shapes": [_track_shape(store, s, keep_id=keep_id) for s in spec.get("shapes", [])],
    }


_BUILDERS = {"tags": _tag, "shapes": _shape, "tracks": _track}


def _in_range(item: dict[str, Any], first: int, last: int) -> bool:
    return first <= int(item["frame"]) <= last


def build(
    store: Store,
    items: dict[str, list[dict[str, Any]]],
    first: int,
    last: int,
    *,
    keep_ids: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """Stored objects for validated items, dropping those outside ``first..last``."""
    return {
        kind: [
            _BUILDERS[kind](store, item, keep_id=keep_ids)
            for item in items.get(kind, [])
            if _in_range(item, first, last)
        ]
        for kind in KINDS
    }


def view(
    annotations: Annotations, first: int, last: int, *, for_get: bool = True
) -> dict[str, Any]:
    """Annotations on frames ``first..last``, as the API returns them."""
    body = empty()
    for kind in KINDS:
        items = [_copy(i) for i in getattr(annotations, kind) if _in_range(i, first, last)]
        if for_get and kind == "shapes":
            for shape in items:
                _float_scores(shape)
        body[kind] = items
    return body


_SCALARS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """A deep copy of stored JSON data (``copy.deepcopy`` spends most of a big GET in its
    memo bookkeeping, which tree-shaped JSON does not need)."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    return copy.deepcopy(value)


def _float_scores(shape: dict[str, Any]) -> None:
    shape["score"] = float(shape.get("score", 1))
    for element in shape.get("elements", []):
        _float_scores(element)


def replace(
    annotations: Annotations, new: dict[str, list[dict[str, Any]]], first: int, last: int
) -> None:
    """PUT: replace everything on ``first..last`` with ``new``."""
    for kind in KINDS:
        kept = [i for i in getattr(annotations, kind) if not _in_range(i, first, last)]
        setattr(annotations, kind, kept + new[kind])


def add(annotations: Annotations, new: dict[str, list[dict[str, Any]]]) -> None:
    """PATCH ``action=create``."""
    for kind in KINDS:
        getattr(annotations, kind).extend(new[kind])


def update(annotations: Annotations, new: dict[str, list[dict[str, Any]]]) -> None:
    """PATCH ``action=update``: replace objects with the same id."""
    for kind in KINDS:
        stored = getattr(annotations, kind)
        by_id = {item["id"]: item for item in new[kind]}
        setattr(annotations, kind, [by_id.pop(i["id"], i) for i in stored])


def delete(annotations: Annotations, gone: dict[str, list[dict[str, Any]]]) -> None:
    """PATCH ``action=delete``: remove objects by id."""
    for kind in KINDS:
        ids = {item.get("id") for item in gone[kind]}
        setattr(annotations, kind, [i for i in getattr(annotations, kind) if i["id"] not in ids])


def clear(annotations: Annotations, first: int, last: int) -> None:
    """DELETE: remove everything on ``first..last``."""
    replace(annotations, {kind: [] for kind in KINDS}, first, last)


def response(items: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The body a PUT or PATCH answers: the written objects.

    The objects are copied one level deep (callers may set top-level fields such as
    ``score``); nested values are shared with the store, so render the body at once,
    under the store's lock (as the routes do). A deep copy made large answers several
    times slower.
    """
    body = empty()
    for kind in KINDS:
        body[kind] = [dict(item) for item in items[kind]]
    return body
