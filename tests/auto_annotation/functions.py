"""Detection functions written once against either SDK's builders (``aa``, ``models``)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

LABELS: list[dict[str, Any]] = [
    {
        "name": "car",
        "type": "rectangle",
        "attributes": [
            {"name": "count", "mutable": False, "input_type": "number", "values": ["0", "10", "2"]},
            {"name": "parked", "mutable": False, "input_type": "checkbox", "values": ["false"]},
            {"name": "color", "mutable": False, "input_type": "select", "values": ["red", "green"]},
            {"name": "size", "mutable": False, "input_type": "radio", "values": ["s", "m"]},
            {"name": "note", "mutable": False, "input_type": "text", "values": [""]},
        ],
    },
    {"name": "person", "type": "polygon"},
    {"name": "blob", "type": "mask"},
    {"name": "scene", "type": "tag"},
    {"name": "anything"},
    {
        "name": "body",
        "type": "skeleton",
        "sublabels": [
            {"name": "head", "type": "points"},
            {
                "name": "tail",
                "type": "points",
                "attributes": [
                    {
                        "name": "wag",
                        "mutable": False,
                        "input_type": "select",
                        "values": ["yes", "no"],
                    }
                ],
            },
        ],
        "svg": "",
    },
]


def _pixel(image: Any) -> int:
    """A value that differs between frames (the image's mean red), for frame-dependent results."""
    red = image.convert("RGB").resize((1, 1)).getpixel((0, 0))[0]
    return int(red) % 7


class Everything:
    """Boxes with every attribute type, polygons, masks, tags and skeletons."""

    def __init__(self, aa: ModuleType, models: ModuleType) -> None:
        self.aa = aa
        self.models = models
        self.spec = aa.DetectionFunctionSpec(
            labels=[
                aa.label_spec(
                    "car",
                    10,
                    type="rectangle",
                    attributes=[
                        aa.number_attribute_spec("count", 1, ["0", "10", "2"]),
                        aa.checkbox_attribute_spec("parked", 2),
                        aa.select_attribute_spec("color", 3, ["green", "red"]),
                        aa.radio_attribute_spec("size", 4, ["s", "m"]),
                        aa.text_attribute_spec("note", 5),
                    ],
                ),
                aa.label_spec("person", 11, type="polygon"),
                aa.label_spec("blob", 12, type="mask"),
                aa.label_spec("scene", 13, type="tag"),
                aa.label_spec("anything", 14),
                aa.skeleton_label_spec(
                    "body",
                    15,
                    [
                        aa.keypoint_spec("head", 0),
                        aa.keypoint_spec(
                            "tail",
                            1,
                            attributes=[aa.select_attribute_spec("wag", 7, ["yes", "no"])],
                        ),
                    ],
                ),
            ]
        )

    def detect(self, context: Any, image: Any) -> list[Any]:
        aa, m = self.aa, self.models
        k = _pixel(image)
        w, h = image.size
        attrs = [
            m.AttributeValRequest(spec_id=1, value=str(2 * (k % 5))),
            m.AttributeValRequest(spec_id=2, value="true" if k % 2 else "false"),
            m.AttributeValRequest(spec_id=3, value="red"),
            m.AttributeValRequest(spec_id=4, value="m"),
            m.AttributeValRequest(spec_id=5, value=f"frame {context.frame_name}"),
        ]
        return [
            aa.rectangle(10, [1.5, 2.25, w - 3.0, h - 4.0], attributes=attrs),
            aa.rectangle(10, [0.0, 0.0, 5.0 + k, 6.0], occluded=True, z_order=2),
            aa.polygon(11, [1.0, 1.0, 10.0, 1.0, 5.0, 8.0 + k]),
            aa.mask(12, [1, 4, 1, 1, 2, 3, 3]),
            aa.tag(13),
            aa.tag(14, attributes=[]),
            aa.shape(14, type="points", points=[3.0, 4.0, 5.0, 6.0]),
            aa.skeleton(
                15,
                [
                    aa.keypoint(0, [10.0, 10.0 + k]),
                    aa.keypoint(
                        1,
                        [20.0, 20.0],
                        occluded=True,
                        attributes=[m.AttributeValRequest(spec_id=7, value="no")],
                    ),
                ],
            ),
        ]


class Classifier:
    """One tag per frame, from a tag-only spec."""

    def __init__(self, aa: ModuleType, models: ModuleType) -> None:
        self.aa = aa
        self.spec = aa.DetectionFunctionSpec(
            labels=[aa.label_spec("scene", 0, type="tag"), aa.label_spec("anything", 1)]
        )

    def detect(self, context: Any, image: Any) -> list[Any]:
        return [self.aa.tag(_pixel(image) % 2)]


class Thresholded:
    """Boxes with scores; only those at or above ``conf_threshold`` (0.5 when not given)."""

    def __init__(self, aa: ModuleType, models: ModuleType) -> None:
        self.aa = aa
        self.spec = aa.DetectionFunctionSpec(labels=[aa.label_spec("car", 0)])

    def detect(self, context: Any, image: Any) -> list[Any]:
        threshold = 0.5 if context.conf_threshold is None else context.conf_threshold
        return [
            self.aa.rectangle(0, [float(i), 1.0, float(i) + 5, 6.0])
            for i, score in enumerate((0.1, 0.3, 0.5, 0.7, 0.9))
            if score >= threshold
        ]


class Polygons:
    """What ``conv_mask_to_poly`` asks for: polygons when told, masks otherwise."""

    def __init__(self, aa: ModuleType, models: ModuleType) -> None:
        self.aa = aa
        self.spec = aa.DetectionFunctionSpec(labels=[aa.label_spec("anything", 0, type="mask")])

    def detect(self, context: Any, image: Any) -> list[Any]:
        if context.conv_mask_to_poly:
            return [self.aa.polygon(0, [1.0, 1.0, 8.0, 1.0, 4.0, 6.0])]
        return [self.aa.mask(0, [1, 3, 0, 0, 1, 1])]


class Unmatched:
    """Declares a label, a sublabel and an attribute the task lacks."""

    def __init__(self, aa: ModuleType, models: ModuleType) -> None:
        self.aa = aa
        self.models = models
        self.spec = aa.DetectionFunctionSpec(
            labels=[
                aa.label_spec("car", 0, attributes=[aa.text_attribute_spec("plate", 9)]),
                aa.label_spec("truck", 1),
                aa.skeleton_label_spec(
                    "body",
                    2,
                    [
                        aa.keypoint_spec("head", 0),
                        aa.keypoint_spec("tail", 1),
                        aa.keypoint_spec("paw", 2),
                    ],
                ),
            ]
        )

    def detect(self, context: Any, image: Any) -> list[Any]:
        aa, m = self.aa, self.models
        return [
            aa.rectangle(
                0, [1.0, 2.0, 3.0, 4.0], attributes=[m.AttributeValRequest(spec_id=9, value="x")]
            ),
            aa.rectangle(1, [1.0, 2.0, 3.0, 4.0]),
            aa.skeleton(
                2,
                [
                    aa.keypoint(0, [1.0, 1.0]),
                    aa.keypoint(1, [2.0, 2.0]),
                    aa.keypoint(2, [3.0, 3.0]),
                ],
            ),
        ]


FUNCTIONS = {
    "everything": Everything,
    "classifier": Classifier,
    "thresholded": Thresholded,
    "polygons": Polygons,
    "unmatched": Unmatched,
}
