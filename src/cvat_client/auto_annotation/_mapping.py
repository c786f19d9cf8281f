"""Matching a function's labels with a task's, and checking and remapping its results.

Pure logic, no I/O: [`LabelMapper`][] is built from the function's spec and the task's
labels (raising `BadFunctionError` when they do not fit) and turns the annotations of one
frame into JSON-ready dicts with the task's ids, ``frame`` and ``source="auto"``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from cvat_client._lowlevel.unset import UNSET
from cvat_client.api_client import models
from cvat_client.attributes import attribute_value_validator
from cvat_client.auto_annotation.exceptions import BadFunctionError

__all__ = ["LabelMapper"]

_SHAPE_TYPES = frozenset(member.value for member in models.ShapeType)


def _get(obj: Any, name: str, default: Any = UNSET) -> Any:
    value = getattr(obj, name, UNSET)
    return default if value is UNSET else value


def _items(obj: Any, name: str) -> list[Any]:
    value = _get(obj, name, None)
    return list(value) if value else []


@attrs.frozen
class _AttributeMap:
    id: int
    accepts: Callable[[str], bool]


@attrs.frozen
class _SublabelMap:
    id: int
    attributes: dict[int, _AttributeMap | None]


@attrs.frozen
class _LabelMap(_SublabelMap):
    sublabels: dict[int, _SublabelMap | None]
    num_elements: int
    expected_type: str


# The number of points each shape type takes (a real CVAT refuses other counts).
_POINT_COUNTS: dict[str, Callable[[int], bool]] = {
    "rectangle": lambda n: n == 4,
    "ellipse": lambda n: n == 4,
    "polygon": lambda n: n >= 6 and n % 2 == 0,
    "polyline": lambda n: n >= 4 and n % 2 == 0,
    "points": lambda n: n >= 2 and n % 2 == 0,
    "cuboid": lambda n: n == 16,
    "mask": lambda n: n >= 5,
    "skeleton": lambda n: n == 0,
}


def _check_geometry(data: dict[str, Any], shape_type: str, what: str) -> None:
    """The checks a CVAT server makes on a shape, made before anything is sent, so that an
    upload in batches cannot be refused half-way."""
    points = data.get("points", [])
    if not isinstance(points, list) or not all(
        isinstance(p, int | float) and not isinstance(p, bool) for p in points
    ):
        raise BadFunctionError(f"function output {what} with points that are not all numbers")
    if not _POINT_COUNTS[shape_type](len(points)):
        raise BadFunctionError(
            f"function output {what} of type {shape_type!r} with {len(points)} points"
            " (invalid length for the type)"
        )
    rotation = data.get("rotation", 0)
    if not isinstance(rotation, int | float) or not 0 <= rotation <= 360:
        raise BadFunctionError(f"function output {what} with rotation {rotation!r} (not 0-360)")


def _compatible(source: str, destination: str) -> bool:
    return destination in ("any", source)


class LabelMapper:
    """The function's label, sublabel and attribute ids mapped to the task's, by name."""

    def __init__(
        self,
        logger: logging.Logger,
        function_labels: Sequence[models.PatchedLabelRequest],
        task_labels: Sequence[Any],
        *,
        allow_unmatched_labels: bool,
        conv_mask_to_poly: bool,
    ) -> None:
        self._logger = logger
        self._allow_unmatched = allow_unmatched_labels
        self._conv_mask_to_poly = conv_mask_to_poly
        by_name = {label.name: label for label in task_labels}
        self._labels: dict[int, _LabelMap | None] = {}
        for fun_label in function_labels:
            desc = f"label {fun_label.name!r}"
            task_label = by_name.get(fun_label.name)
            self._labels[int(fun_label.id)] = (  # type: ignore[arg-type]
                self._label_map(fun_label, task_label, desc)
                if task_label is not None
                else self._unmatched(desc)
            )

    def _unmatched(self, desc: str) -> Any:
        """``None`` (results using it are dropped), or an error without ``allow_unmatched_labels``."""
        if not self._allow_unmatched:
            raise BadFunctionError(f"{desc} is not in dataset")
        self._logger.info("%s is not in dataset; any annotations using it will be ignored", desc)
        return None

    def _attribute_maps(
        self, fun_owner: Any, task_owner: Any, owner_desc: str
    ) -> dict[int, _AttributeMap | None]:
        by_name = {attr.name: attr for attr in _items(task_owner, "attributes")}
        result: dict[int, _AttributeMap | None] = {}
        for fun_attr in _items(fun_owner, "attributes"):
            desc = f"attribute {fun_attr.name!r} of {owner_desc}"
            task_attr = by_name.get(fun_attr.name)
            if task_attr is None:
                result[fun_attr.id] = self._unmatched(desc)
                continue
            fun_type, task_type = str(fun_attr.input_type), str(task_attr.input_type)
            if fun_type != task_type:
                raise BadFunctionError(
                    f"{desc} has input type {fun_type!r} in the function,"
                    f" but {task_type!r} in the dataset"
                )
            fun_values, task_values = list(fun_attr.values), list(task_attr.values)
            if task_type in ("select", "radio"):
                same = sorted(fun_values) == sorted(task_values)
            else:
                same = task_type in ("text", "checkbox") or fun_values == task_values
            if not same:
                raise BadFunctionError(
                    f"{desc} has values {fun_values!r} in the function,"
                    f" but {task_values!r} in the dataset"
                )
            result[fun_attr.id] = _AttributeMap(task_attr.id, attribute_value_validator(fun_attr))
        return result

    def _label_map(self, fun_label: Any, task_label: Any, desc: str) -> _LabelMap:
        attributes = self._attribute_maps(fun_label, task_label, desc)
        task_sublabels = {sl.name: sl for sl in _items(task_label, "sublabels")}
        sublabels: dict[int, _SublabelMap | None] = {}
        for fun_sl in _items(fun_label, "sublabels"):
            sl_desc = f"sublabel {fun_sl.name!r} of {desc}"
            task_sl = task_sublabels.get(fun_sl.name)
            if task_sl is None:
                sublabels[fun_sl.id] = self._unmatched(sl_desc)
                continue
            sublabels[fun_sl.id] = _SublabelMap(
                task_sl.id, self._attribute_maps(fun_sl, task_sl, sl_desc)
            )
        task_type = str(_get(task_label, "type", "any"))
        fun_type = str(_get(fun_label, "type", "any"))
        if fun_type == "any":
            expected = task_type
        else:
            if self._conv_mask_to_poly and fun_type == "mask":
                fun_type = "polygon"
            if not _compatible(fun_type, task_type):
                raise BadFunctionError(
                    f"{desc} has type {fun_type!r} in the function,"
                    f" but {task_type!r} in the dataset"
                )
            expected = fun_type
        return _LabelMap(
            task_label.id,
            attributes,
            sublabels=sublabels,
            num_elements=len(task_sublabels),
            expected_type=expected,
        )

    # Results.

    def _attributes(self, annotation: Any, label: _SublabelMap) -> list[dict[str, Any]]:
        seen: set[int] = set()
        result: list[dict[str, Any]] = []
        for attr in _items(annotation, "attributes"):
            try:
                mapping = label.attributes[attr.spec_id]
            except (KeyError, TypeError):
                raise BadFunctionError(
                    f"function output attribute with unknown ID ({attr.spec_id})"
                ) from None
            if mapping is None:
                continue
            if mapping.id in seen:
                raise BadFunctionError(
                    "function output shape with multiple attributes with same ID"
                )
            if not mapping.accepts(attr.value):
                raise BadFunctionError(
                    f"function output attribute value ({attr.value!r})"
                    f" that is unsuitable for its attribute ({attr.spec_id})"
                )
            seen.add(mapping.id)
            result.append({"spec_id": mapping.id, "value": attr.value})
        return result

    @staticmethod
    def _common(annotation: Any, frame: int, what: str) -> None:
        if _get(annotation, "id") is not UNSET:
            raise BadFunctionError(f"function output {what} with preset id")
        if _get(annotation, "source") is not UNSET:
            raise BadFunctionError(f"function output {what} with preset source")
        if annotation.frame != 0:
            raise BadFunctionError(
                f"function output {what} with unexpected frame number ({annotation.frame})"
            )

    def _element(
        self, element: Any, frame: int, label: _LabelMap, seen: set[int]
    ) -> dict[str, Any] | None:
        self._common(element, frame, "shape element")
        element_type = str(element.type)
        if element_type != "points":
            raise BadFunctionError(
                f"function output skeleton with element type other than 'points' ({element_type})"
            )
        try:
            sublabel = label.sublabels[element.label_id]
        except (KeyError, TypeError):
            raise BadFunctionError(
                f"function output shape with unknown sublabel ID ({element.label_id})"
            ) from None
        if sublabel is None:
            return None
        if sublabel.id in seen:
            raise BadFunctionError(
                "function output skeleton with multiple elements with same sublabel"
            )
        seen.add(sublabel.id)
        data: dict[str, Any] = element.to_dict()
        _check_geometry(data, "points", "skeleton element")
        data.update(
            label_id=sublabel.id,
            frame=frame,
            source="auto",
            attributes=self._attributes(element, sublabel),
        )
        return data

    def _shape(self, shape: Any, frame: int, label: _LabelMap) -> dict[str, Any]:
        shape_type = str(shape.type)
        if shape_type not in _SHAPE_TYPES:
            raise BadFunctionError(f"function output shape of unknown type {shape_type!r}")
        if not _compatible(shape_type, label.expected_type):
            raise BadFunctionError(
                f"function output shape of type {shape_type!r} (expected {label.expected_type!r})"
            )
        if shape_type == "mask" and self._conv_mask_to_poly:
            raise BadFunctionError("function output mask shape despite conv_mask_to_poly=True")
        elements = _items(shape, "elements")
        if elements and shape_type != "skeleton":
            # before the geometry check: cvat-sdk reports this first
            raise BadFunctionError("function output non-skeleton shape with elements")
        data: dict[str, Any] = shape.to_dict()
        _check_geometry(data, shape_type, "shape")
        if shape_type == "skeleton":
            seen: set[int] = set()
            mapped = [self._element(e, frame, label, seen) for e in elements]
            kept = [e for e in mapped if e is not None]
            if not kept:
                raise BadFunctionError("function output skeleton without elements")
            if len(kept) != label.num_elements:
                raise BadFunctionError(
                    "function output skeleton with fewer elements than expected"
                    f" ({len(kept)} vs {label.num_elements})"
                )
            data["elements"] = kept
        return data

    def map_frame(
        self, annotations: Sequence[Any], frame: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The tags and shapes of one frame as request dicts with the task's ids.

        Raises:
            BadFunctionError: a result breaks a rule of the interface.
        """
        tags: list[dict[str, Any]] = []
        shapes: list[dict[str, Any]] = []
        for annotation in annotations:
            if isinstance(annotation, models.LabeledImageRequest):
                what = "tag"
            elif isinstance(annotation, models.LabeledShapeRequest):
                what = "shape"
            else:
                raise BadFunctionError(
                    f"function output an object of type {type(annotation).__name__!r}"
                    " (expected 'LabeledImageRequest' or 'LabeledShapeRequest')"
                )
            self._common(annotation, frame, what)
            try:
                label = self._labels[annotation.label_id]
            except (KeyError, TypeError):
                raise BadFunctionError(
                    f"function output {what} with unknown label ID ({annotation.label_id})"
                ) from None
            if label is None:
                continue
            attributes = self._attributes(annotation, label)
            if what == "shape":
                data = self._shape(annotation, frame, label)
                shapes.append(data)
            else:
                if not _compatible("tag", label.expected_type):
                    raise BadFunctionError(
                        f"function output tag (expected shape of type {label.expected_type!r})"
                    )
                data = annotation.to_dict()
                tags.append(data)
            data.update(label_id=label.id, frame=frame, source="auto", attributes=attributes)
        return tags, shapes
