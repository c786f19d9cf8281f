"""What an auto-annotation function is: protocols, specs, contexts and builders.

A detection function declares its labels in a [`DetectionFunctionSpec`][cvat_client.auto_annotation.DetectionFunctionSpec]
(with ids of its own choosing) and returns, for each image, tags and shapes that refer
to those ids. [`annotate_task`][cvat_client.auto_annotation.annotate_task] maps them to
the task's labels by name. Tracking and interaction functions are described here as
types, for code written against them.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence, Set
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, TypeVar

import attrs

from cvat_client._lowlevel.unset import UNSET
from cvat_client.api_client import models
from cvat_client.attributes import attribute_value_validator
from cvat_client.auto_annotation.exceptions import BadFunctionError

if TYPE_CHECKING:
    import PIL.Image

__all__ = [
    "AutoAnnotationFunction",
    "DetectionAnnotation",
    "DetectionFunction",
    "DetectionFunctionContext",
    "DetectionFunctionSpec",
    "InteractionFunction",
    "InteractionFunctionContext",
    "InteractionFunctionSpec",
    "InteractionPrompts",
    "InteractionResultAttributes",
    "InteractionResultShape",
    "TrackableShape",
    "TrackingFunction",
    "TrackingFunctionContext",
    "TrackingFunctionShapeContext",
    "TrackingFunctionSpec",
    "attribute_spec",
    "checkbox_attribute_spec",
    "keypoint",
    "keypoint_spec",
    "label_spec",
    "mask",
    "number_attribute_spec",
    "polygon",
    "radio_attribute_spec",
    "rectangle",
    "select_attribute_spec",
    "shape",
    "skeleton",
    "skeleton_label_spec",
    "tag",
    "text_attribute_spec",
]


def _given(value: Any) -> bool:
    """Whether a model field was set (``None`` counts as set, like cvat-sdk's ``hasattr``)."""
    return value is not UNSET


def _list(value: Any) -> list[Any]:
    return [] if value is UNSET or value is None else list(value)


class AutoAnnotationFunction(Protocol):
    """The base of every auto-annotation function interface: it has a ``spec``."""

    @property
    def spec(self) -> object:
        """The function's spec (a specific type in each interface)."""
        ...


def _check_attributes(attributes: Sequence[models.AttributeRequest], owner: str) -> None:
    seen: set[int] = set()
    for attr in attributes:
        desc = f"attribute {attr.name!r} of {owner}"
        if not _given(attr.id):
            raise BadFunctionError(f"{desc} has no ID")
        if attr.id in seen:
            raise BadFunctionError(f"{desc} has same ID as another attribute ({attr.id})")
        seen.add(attr.id)  # type: ignore[arg-type]
        try:
            attribute_value_validator(attr)
        except ValueError as exc:
            raise BadFunctionError(f"{desc} has invalid values: {exc}") from exc


def _check_label(label: models.PatchedLabelRequest) -> None:
    desc = f"label {label.name!r}"
    _check_attributes(_list(label.attributes), desc)
    sublabels = _list(label.sublabels)
    if not sublabels:
        return
    label_type = str(label.type) if _given(label.type) else "any"
    if label_type != "skeleton":
        raise BadFunctionError(
            f"{desc} with sublabels has type {label_type!r} (should be 'skeleton')"
        )
    seen: set[int] = set()
    for sublabel in sublabels:
        sl_desc = f"sublabel {sublabel.name!r} of {desc}"
        if not _given(sublabel.id):
            raise BadFunctionError(f"{sl_desc} has no ID")
        if sublabel.id in seen:
            raise BadFunctionError(f"{sl_desc} has same ID as another sublabel ({sublabel.id})")
        seen.add(sublabel.id)
        sl_type = str(sublabel.type) if _given(sublabel.type) else "any"
        if sl_type != "points":
            raise BadFunctionError(f"{sl_desc} has type {sl_type!r} (should be 'points')")
        _check_attributes(_list(sublabel.attributes), sl_desc)


@attrs.frozen(kw_only=True)
class DetectionFunctionSpec:
    """Static information about a detection function: the labels it can output.

    Treat it as immutable. Each label needs a distinct integer ``id``; each sublabel an
    ``id`` distinct within its skeleton; each attribute an ``id`` distinct within its
    label or sublabel. Labels follow the rules of a CVAT project's labels; a label with
    sublabels has type ``"skeleton"`` and its sublabels type ``"points"``. A broken rule
    raises [`BadFunctionError`][cvat_client.auto_annotation.BadFunctionError] when the
    spec is created. [`label_spec`][cvat_client.auto_annotation.label_spec] and the other
    builders make the label objects.
    """

    labels: Sequence[models.PatchedLabelRequest] = attrs.field()
    """The labels the function supports."""

    @labels.validator
    def _check_labels(self, _: Any, value: Sequence[models.PatchedLabelRequest]) -> None:
        seen: set[int] = set()
        for label in value:
            if not _given(label.id):
                raise BadFunctionError(f"label {label.name!r} has no ID")
            if label.id in seen:
                raise BadFunctionError(
                    f"label {label.name} has same ID as another label ({label.id})"
                )
            seen.add(label.id)  # type: ignore[arg-type]
            _check_label(label)


class DetectionFunctionContext(metaclass=abc.ABCMeta):
    """What a detection function is told about the current image."""

    @property
    @abc.abstractmethod
    def frame_name(self) -> str:
        """The file name of the frame in the task."""

    @property
    @abc.abstractmethod
    def conf_threshold(self) -> float | None:
        """The confidence threshold to filter detections with.

        ``None``: the function may apply a default of its choice. Otherwise a number
        between 0 and 1: return only objects with at least this confidence. A function
        that cannot estimate confidence ignores it.
        """

    @property
    @abc.abstractmethod
    def conv_mask_to_poly(self) -> bool:
        """When true, the function must return polygons instead of masks."""


DetectionAnnotation: TypeAlias = models.LabeledImageRequest | models.LabeledShapeRequest
"""What a detection function returns for an image: tags and shapes."""


class DetectionFunction(AutoAnnotationFunction, Protocol):
    """A function that finds objects on an image and returns them as tags and shapes.

    It declares its labels in ``spec`` and refers to them by the ids of the spec; the
    labels are matched with the task's labels by name. ``detect`` returns, for one image,
    annotations that:

    * have no ``id`` and no ``source``, and ``frame`` 0;
    * use a ``label_id`` of the spec, and ``spec_id``s of that label's attributes;
    * follow the same rules for skeleton elements, whose ``label_id`` is a sublabel id
      of the parent's label.

    The builders ([`tag`][cvat_client.auto_annotation.tag],
    [`rectangle`][cvat_client.auto_annotation.rectangle],
    [`skeleton`][cvat_client.auto_annotation.skeleton]...) follow these rules. The
    function must not keep references to the objects it returns.
    """

    @property
    def spec(self) -> DetectionFunctionSpec:
        """The function's labels."""
        ...

    def detect(
        self, context: DetectionFunctionContext, image: PIL.Image.Image
    ) -> Sequence[DetectionAnnotation]:
        """The tags and shapes found on ``image``."""
        ...


class InteractionFunctionContext(metaclass=abc.ABCMeta):  # noqa: B024
    """What an interaction function is told about a call (nothing yet)."""


class InteractionPrompts(metaclass=abc.ABCMeta):
    """The prompts of an interaction function call."""

    @property
    @abc.abstractmethod
    def pos_points(self) -> Sequence[tuple[float, float]]:
        """Points on the object(s) of interest, as ``(x, y)`` tuples."""

    @property
    @abc.abstractmethod
    def neg_points(self) -> Sequence[tuple[float, float]]:
        """Points not on the object(s) of interest, as ``(x, y)`` tuples."""

    @property
    @abc.abstractmethod
    def bounding_box(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """A box around the object(s): top-left and bottom-right ``(x, y)``, or ``None``."""


@attrs.frozen(kw_only=True)
class InteractionFunctionSpec:
    """Static information about an interaction function: the prompts it accepts."""

    min_pos_points: int = attrs.field(validator=attrs.validators.ge(0))
    """The fewest positive points a call must give."""

    min_neg_points: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(0))
    )
    """The fewest negative points a call must give; ``None``: none allowed."""

    min_bounding_boxes: Literal[0, 1] | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.in_([0, 1]))
    )
    """0 or 1 boxes required; ``None``: no box allowed."""


class InteractionResultAttributes(IntEnum):
    """The attribute ids an [`InteractionResultShape`][cvat_client.auto_annotation.InteractionResultShape] may use."""

    CONFIDENCE = 0
    """The confidence: a number between 0 and 1."""


@attrs.frozen(kw_only=True)
class InteractionResultShape:
    """A shape returned by an interaction function (fields as in a labeled shape)."""

    type: str
    points: list[float] = attrs.field(converter=list)
    attributes: list[models.AttributeValRequest] = attrs.field(converter=list, factory=list)
    """Their ``spec_id``s are members of ``InteractionResultAttributes``."""

    @attributes.validator
    def _check_attributes(self, _: Any, value: list[models.AttributeValRequest]) -> None:
        known = {int(member) for member in InteractionResultAttributes}
        for attr in value:
            if attr.spec_id not in known:
                raise BadFunctionError(
                    f"{attr.spec_id} is not one of InteractionResultAttributes members"
                )


_PreprocessedImage = TypeVar("_PreprocessedImage")
_TrackingState = TypeVar("_TrackingState")


class InteractionFunction(Protocol[_PreprocessedImage]):
    """A function that finds the object(s) a user points at, from prompts.

    ``preprocess_image`` (optional) does the prompt-independent work once per image;
    ``detect`` gets its result (or the image itself when there is no such method).
    """

    @property
    def spec(self) -> InteractionFunctionSpec:
        """The prompts the function accepts."""
        ...

    def preprocess_image(
        self, context: InteractionFunctionContext, image: PIL.Image.Image
    ) -> _PreprocessedImage:
        """The prompt-independent processing of ``image`` (optional; may be reused)."""
        ...

    def detect(
        self,
        context: InteractionFunctionContext,
        pp_image: _PreprocessedImage,
        prompts: InteractionPrompts,
    ) -> list[InteractionResultShape]:
        """The shapes of the object(s) the prompts describe; must not change ``pp_image``."""
        ...


@attrs.frozen(kw_only=True)
class TrackingFunctionSpec:
    """Static information about a tracking function: the shape types it can track."""

    supported_shape_types: Set[str] = attrs.field(converter=frozenset)
    """Shape types (values of a labeled shape's ``type``)."""

    @supported_shape_types.validator
    def _check_types(self, _: Any, value: Set[str]) -> None:
        for shape_type in value:
            models.ShapeType(shape_type)


class TrackingFunctionContext(metaclass=abc.ABCMeta):  # noqa: B024
    """What a tracking function is told on every call (nothing yet)."""


class TrackingFunctionShapeContext(TrackingFunctionContext):
    """What a tracking function is told about the shape being tracked."""

    @property
    @abc.abstractmethod
    def original_shape_type(self) -> str:
        """The type of the shape being tracked."""


@attrs.frozen(kw_only=True)
class TrackableShape:
    """A shape a tracking function can track (fields as in a labeled shape)."""

    type: str
    points: list[float] = attrs.field(converter=list)


class TrackingFunction(AutoAnnotationFunction, Protocol[_PreprocessedImage, _TrackingState]):
    """A function that follows shapes from one image to the next.

    ``init_tracking_state`` analyses an image and a shape and returns a state;
    ``track`` predicts the shape on a new image from that state (and may update it).
    ``preprocess_image`` (optional) does the shape-independent work once per image.
    """

    @property
    def spec(self) -> TrackingFunctionSpec:
        """The shape types the function tracks."""
        ...

    def preprocess_image(
        self, context: TrackingFunctionContext, image: PIL.Image.Image
    ) -> _PreprocessedImage:
        """The shape-independent processing of ``image`` (optional; may be reused)."""
        ...

    def init_tracking_state(
        self,
        context: TrackingFunctionShapeContext,
        pp_image: _PreprocessedImage,
        shape: TrackableShape,
    ) -> _TrackingState:
        """A new state for following ``shape`` (one of the spec's types) on later images."""
        ...

    def track(
        self,
        context: TrackingFunctionShapeContext,
        pp_image: _PreprocessedImage,
        state: _TrackingState,
    ) -> TrackableShape | None:
        """The shape's predicted position on a new image (same type), or ``None``."""
        ...


# Spec builders.


def label_spec(name: str, id: int, **kwargs: Any) -> models.PatchedLabelRequest:
    """A label of a function's spec (a ``PatchedLabelRequest``)."""
    return models.PatchedLabelRequest(name=name, id=id, **kwargs)


def skeleton_label_spec(
    name: str,
    id: int,
    sublabels: Sequence[models.SublabelRequest],
    **kwargs: Any,
) -> models.PatchedLabelRequest:
    """A skeleton label (``type="skeleton"``) with its points as ``sublabels``."""
    return label_spec(name, id, type="skeleton", sublabels=list(sublabels), **kwargs)


def keypoint_spec(name: str, id: int, **kwargs: Any) -> models.SublabelRequest:
    """A point of a skeleton label (a ``SublabelRequest`` with ``type="points"``)."""
    return models.SublabelRequest(name=name, id=id, type="points", **kwargs)


def attribute_spec(
    name: str,
    id: int,
    input_type: str,
    values: list[str],
    **kwargs: Any,
) -> models.AttributeRequest:
    """An attribute of a label or sublabel (an ``AttributeRequest``, ``mutable=False``)."""
    return models.AttributeRequest(
        name=name, id=id, input_type=input_type, values=values, mutable=False, **kwargs
    )


def number_attribute_spec(
    name: str,
    id: int,
    values: list[str],
    **kwargs: Any,
) -> models.AttributeRequest:
    """A number attribute; ``values`` is ``[min, max, step]`` as strings
    (`cvat_client.attributes.number_attribute_values` makes them)."""
    return attribute_spec(name, id, "number", values, **kwargs)


def checkbox_attribute_spec(name: str, id: int, **kwargs: Any) -> models.AttributeRequest:
    """A checkbox attribute (values ``"true"``/``"false"``)."""
    return attribute_spec(name, id, "checkbox", [], **kwargs)


def radio_attribute_spec(
    name: str,
    id: int,
    values: list[str],
    **kwargs: Any,
) -> models.AttributeRequest:
    """A radio attribute with these allowed values."""
    return attribute_spec(name, id, "radio", values, **kwargs)


def select_attribute_spec(
    name: str,
    id: int,
    values: list[str],
    **kwargs: Any,
) -> models.AttributeRequest:
    """A select attribute with these allowed values."""
    return attribute_spec(name, id, "select", values, **kwargs)


def text_attribute_spec(name: str, id: int, **kwargs: Any) -> models.AttributeRequest:
    """A free-text attribute."""
    return attribute_spec(name, id, "text", [], **kwargs)


# Annotation builders.


def tag(label_id: int, **kwargs: Any) -> models.LabeledImageRequest:
    """A tag on the image (``frame=0``)."""
    return models.LabeledImageRequest(label_id=label_id, frame=0, **kwargs)


def shape(label_id: int, **kwargs: Any) -> models.LabeledShapeRequest:
    """A shape on the image (``frame=0``); give ``type`` and ``points``."""
    return models.LabeledShapeRequest(label_id=label_id, frame=0, **kwargs)


def rectangle(label_id: int, points: Sequence[float], **kwargs: Any) -> models.LabeledShapeRequest:
    """A rectangle: ``points`` are ``[x1, y1, x2, y2]``."""
    return shape(label_id, type="rectangle", points=list(points), **kwargs)


def polygon(label_id: int, points: Sequence[float], **kwargs: Any) -> models.LabeledShapeRequest:
    """A polygon: ``points`` are ``[x1, y1, x2, y2, ...]``."""
    return shape(label_id, type="polygon", points=list(points), **kwargs)


def mask(label_id: int, points: Sequence[float], **kwargs: Any) -> models.LabeledShapeRequest:
    """A mask: ``points`` are CVAT's run-length encoding followed by the box.

    `cvat_client.masks.encode_mask` builds them from a boolean array.
    """
    return shape(label_id, type="mask", points=list(points), **kwargs)


def skeleton(
    label_id: int, elements: Sequence[models.SubLabeledShapeRequest], **kwargs: Any
) -> models.LabeledShapeRequest:
    """A skeleton with its points (built with [`keypoint`][cvat_client.auto_annotation.keypoint])."""
    return shape(label_id, type="skeleton", elements=list(elements), **kwargs)


def keypoint(
    label_id: int, points: Sequence[float], **kwargs: Any
) -> models.SubLabeledShapeRequest:
    """A point of a skeleton: ``label_id`` is a sublabel id, ``points`` is ``[x, y]``."""
    return models.SubLabeledShapeRequest(
        label_id=label_id, frame=0, type="points", points=list(points), **kwargs
    )
