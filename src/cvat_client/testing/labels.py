"""Label specs: validation with DRF's nested error bodies, creation and partial updates."""

from __future__ import annotations

from typing import Any

from cvat_client.testing._http import (
    REQUIRED,
    bad_request,
    check_name,
    invalid_choice,
    not_a_dict,
    not_a_list,
)
from cvat_client.testing.state import Label, Store

LABEL_TYPES = (
    "any",
    "cuboid",
    "ellipse",
    "mask",
    "points",
    "polygon",
    "polyline",
    "rectangle",
    "skeleton",
    "tag",
)
INPUT_TYPES = ("checkbox", "radio", "number", "text", "select")
PALETTE = (
    "#33ddff", "#fa3253", "#34d1b7", "#ff007c", "#ff6037", "#ddff33", "#24b353", "#b83df5",
    "#66ff66", "#32b7fa", "#ffcc33", "#83e070", "#fafa37", "#5986b3", "#8c78f0", "#ff6a4d",
)  # fmt: skip


def validate(specs: Any, *, field: str = "labels") -> None:
    """Raise DRF's nested 400 (``{"labels": [{"name": [...]}]}``) for invalid specs."""
    if not isinstance(specs, list):
        raise bad_request({field: not_a_list(specs)})
    errors = [_label_errors(spec) for spec in specs]
    if any(errors):
        raise bad_request({field: errors})
    names = [s.get("name") for s in specs if not s.get("deleted")]
    if len(names) != len(set(names)):
        raise bad_request({field: ["All label names must be unique"]})


def _label_errors(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict):
        return not_a_dict(spec)
    errors: dict[str, Any] = {}
    if spec.get("deleted"):
        return errors
    if "id" not in spec:
        check_name(spec, errors)
    label_type = spec.get("type", "any")
    if label_type not in LABEL_TYPES:
        errors["type"] = invalid_choice(label_type)
    attributes = spec.get("attributes", [])
    if not isinstance(attributes, list):
        errors["attributes"] = not_a_list(attributes)
    else:
        attr_errors = [_attribute_errors(a) for a in attributes]
        if any(attr_errors):
            errors["attributes"] = attr_errors
    sublabels = spec.get("sublabels", [])
    if isinstance(sublabels, list) and sublabels:
        sub_errors = [_label_errors(s) for s in sublabels]
        if any(sub_errors):
            errors["sublabels"] = sub_errors
    return errors


def _attribute_errors(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict):
        return not_a_dict(spec)
    errors: dict[str, Any] = {}
    if "id" in spec:
        return errors
    for name in ("name", "input_type", "values"):
        if name not in spec:
            errors[name] = [REQUIRED]
    if spec.get("input_type") is not None and spec.get("input_type") not in INPUT_TYPES:
        errors["input_type"] = invalid_choice(spec["input_type"])
    return errors


def _attribute(store: Store, spec: dict[str, Any]) -> dict[str, Any]:
    values = [str(v) for v in spec.get("values", [])]
    default = spec.get("default_value")
    if default is None:
        default = values[0] if values else ""
    return {
        "id": store.next_id("attribute"),
        "name": spec["name"],
        "mutable": bool(spec.get("mutable", False)),
        "input_type": spec["input_type"],
        "default_value": str(default),
        "values": values,
    }


def create(
    store: Store,
    specs: list[dict[str, Any]],
    *,
    project_id: int | None = None,
    task_id: int | None = None,
    parent_id: int | None = None,
) -> list[Label]:
    """Create labels (and skeleton sub-labels) from validated specs."""
    created: list[Label] = []
    with store.lock:
        used = len(
            [
                lb
                for lb in store.labels.values()
                if lb.project_id == project_id and lb.task_id == task_id
            ]
        )
        for spec in specs:
            if spec.get("deleted"):
                continue
            label = Label(
                id=store.next_id("label"),
                name=spec["name"],
                color=spec.get("color") or PALETTE[(used + len(created)) % len(PALETTE)],
                type=spec.get("type", "any"),
                attributes=[_attribute(store, a) for a in spec.get("attributes", [])],
                project_id=project_id,
                task_id=task_id,
                parent_id=parent_id,
                svg=str(spec.get("svg", "")),
            )
            store.labels[label.id] = label
            created.append(label)
            if spec.get("sublabels"):
                create(
                    store,
                    spec["sublabels"],
                    project_id=project_id,
                    task_id=task_id,
                    parent_id=label.id,
                )
    return created


def update(
    store: Store,
    specs: list[dict[str, Any]],
    *,
    project_id: int | None = None,
    task_id: int | None = None,
) -> None:
    """Apply a PATCH ``labels`` list: update by id, delete with ``deleted``, create the rest."""
    with store.lock:
        fresh: list[dict[str, Any]] = []
        for spec in specs:
            label_id = spec.get("id")
            if label_id is None:
                fresh.append(spec)
                continue
            label = store.labels.get(label_id)
            if label is None or label.project_id != project_id or label.task_id != task_id:
                raise bad_request([f"label_id `{label_id}` is invalid"])
            if spec.get("deleted"):
                for child in [c for c in store.labels.values() if c.parent_id == label.id]:
                    del store.labels[child.id]
                del store.labels[label.id]
                continue
            if isinstance(spec.get("name"), str):
                label.name = spec["name"]
            if isinstance(spec.get("color"), str):
                label.color = spec["color"]
            for attr in spec.get("attributes", []):
                existing = next((a for a in label.attributes if a["id"] == attr.get("id")), None)
                if existing is None:
                    label.attributes.append(_attribute(store, attr))
                else:
                    existing.update({k: v for k, v in attr.items() if k != "id"})
        create(store, fresh, project_id=project_id, task_id=task_id)
