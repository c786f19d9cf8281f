"""Auto-annotation: run your own model over a task's frames and upload its annotations.

The same names as ``cvat_sdk.auto_annotation``: write a detection function with a spec
of labels and a ``detect`` method, then call
[`annotate_task`][cvat_client.auto_annotation.annotate_task]. Ready-made torchvision
functions are in `cvat_client.auto_annotation.functions` (extra ``[pytorch]``). See the
"Auto-annotation" page of the documentation.
"""

from cvat_client.auto_annotation.driver import annotate_task
from cvat_client.auto_annotation.exceptions import (
    AutoAnnotationUploadError,
    BadFunctionError,
    InvalidThresholdError,
)
from cvat_client.auto_annotation.interface import (
    AutoAnnotationFunction,
    DetectionAnnotation,
    DetectionFunction,
    DetectionFunctionContext,
    DetectionFunctionSpec,
    InteractionFunction,
    InteractionFunctionContext,
    InteractionFunctionSpec,
    InteractionPrompts,
    InteractionResultAttributes,
    InteractionResultShape,
    TrackableShape,
    TrackingFunction,
    TrackingFunctionContext,
    TrackingFunctionShapeContext,
    TrackingFunctionSpec,
    attribute_spec,
    checkbox_attribute_spec,
    keypoint,
    keypoint_spec,
    label_spec,
    mask,
    number_attribute_spec,
    polygon,
    radio_attribute_spec,
    rectangle,
    select_attribute_spec,
    shape,
    skeleton,
    skeleton_label_spec,
    tag,
    text_attribute_spec,
)

__all__ = [
    "AutoAnnotationFunction",
    "AutoAnnotationUploadError",
    "BadFunctionError",
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
    "InvalidThresholdError",
    "TrackableShape",
    "TrackingFunction",
    "TrackingFunctionContext",
    "TrackingFunctionShapeContext",
    "TrackingFunctionSpec",
    "annotate_task",
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
