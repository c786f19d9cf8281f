"""Tests of the test server's dataset formats: CVAT XML and COCO, export and import."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PIL import Image

from cvat_client.testing.formats import (
    SUPPORTED,
    FormatError,
    TaskExport,
    export_dataset,
    import_annotations,
)
from cvat_client.testing.formats._common import interpolate_track
from cvat_client.testing.media import Frame, extract_media

CAR, PERSON, SKELETON, NODE_A, NODE_B = 10, 11, 20, 21, 22
MODEL, PARKED, SPEED = 100, 101, 102

LABELS: list[dict[str, Any]] = [
    {
        "id": CAR,
        "name": "car",
        "color": "#2080c0",
        "type": "any",
        "attributes": [
            {
                "id": MODEL,
                "name": "model",
                "mutable": False,
                "input_type": "select",
                "default_value": "mazda",
                "values": ["mazda", "volvo"],
            },
            {
                "id": PARKED,
                "name": "parked",
                "mutable": True,
                "input_type": "checkbox",
                "default_value": "false",
                "values": ["false"],
            },
            {
                "id": SPEED,
                "name": "speed",
                "mutable": True,
                "input_type": "number",
                "default_value": "0",
                "values": ["0", "100", "1"],
            },
        ],
        "sublabels": [],
        "svg": "",
    },
    {
        "id": PERSON,
        "name": "person",
        "color": "#c06060",
        "type": "any",
        "attributes": [],
        "sublabels": [],
        "svg": "",
    },
    {
        "id": SKELETON,
        "name": "body",
        "color": "#5c5eba",
        "type": "skeleton",
        "attributes": [],
        "sublabels": [
            {"id": NODE_A, "name": "a", "color": "#d12345", "type": "points", "attributes": []},
            {"id": NODE_B, "name": "b", "color": "#350dea", "type": "points", "attributes": []},
        ],
        "svg": '<circle data-label-id="21"></circle><circle data-label-id="22"></circle>',
    },
]


def rect(frame: int, points: list[float], label: int = CAR, **extra: Any) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "type": "rectangle",
        "frame": frame,
        "label_id": label,
        "group": 0,
        "source": "manual",
        "occluded": False,
        "outside": False,
        "z_order": 0,
        "rotation": 0.0,
        "points": points,
        "attributes": [],
        "elements": [],
    }
    shape.update(extra)
    return shape


@pytest.fixture
def frames(tmp_path: Path) -> list[Frame]:
    upload = tmp_path / "upload"
    upload.mkdir()
    files = []
    for k in range(4):
        path = upload / f"img_{k}.jpg"
        Image.new("RGB", (320, 240), (40 * k, 120, 200)).save(path)
        files.append(path)
    return extract_media(files, tmp_path / "data")


def annotations() -> dict[str, Any]:
    return {
        "version": 0,
        "tags": [
            {
                "frame": 1,
                "label_id": PERSON,
                "group": 0,
                "source": "manual",
                "attributes": [],
            }
        ],
        "shapes": [
            rect(
                0,
                [20.0, 30.0, 150.0, 160.0],
                attributes=[
                    {"spec_id": MODEL, "value": "volvo"},
                    {"spec_id": PARKED, "value": "true"},
                    {"spec_id": SPEED, "value": "42"},
                ],
            ),
            rect(1, [21.5, 30.25, 150.0, 160.0], label=PERSON, occluded=True, z_order=2, group=3),
            rect(2, [10.0, 10.0, 50.0, 40.0], rotation=30.0),
            {
                **rect(2, [1.0, 2.0, 30.0, 2.0, 15.0, 40.0], label=PERSON),
                "type": "polygon",
            },
            {**rect(3, [5.0, 5.0, 7.5, 8.25], label=PERSON), "type": "points"},
            {
                **rect(3, [], label=SKELETON),
                "type": "skeleton",
                "elements": [
                    {**rect(3, [10.0, 10.0], label=NODE_A), "type": "points"},
                    {**rect(3, [20.0, 25.0], label=NODE_B), "type": "points", "outside": True},
                ],
            },
        ],
        "tracks": [],
    }


def export(fmt: str, frames: list[Frame], ann: dict[str, Any], *, images: bool = False) -> bytes:
    buf = io.BytesIO()
    task = TaskExport(name="t", frames=frames, annotations=ann, id=7)
    export_dataset(fmt, out=buf, name="t", labels=LABELS, tasks=[task], include_images=images)
    return buf.getvalue()


def strip(shapes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Shapes without fields a round trip does not keep, sorted for comparison."""
    keep = ("type", "frame", "label_id", "occluded", "points", "rotation", "z_order", "group")
    result = []
    for shape in shapes:
        entry = {k: shape[k] for k in keep}
        entry["attributes"] = sorted((a["spec_id"], a["value"]) for a in shape["attributes"])
        entry["elements"] = strip(shape.get("elements") or [])
        result.append(entry)
    return sorted(result, key=lambda s: (s["frame"], s["type"], s["label_id"]))


def test_supported_formats_shape() -> None:
    assert [e["name"] for e in SUPPORTED["importers"]] == ["COCO 1.0", "CVAT 1.1"]
    assert [e["name"] for e in SUPPORTED["exporters"]] == [
        "COCO 1.0",
        "CVAT for video 1.1",
        "CVAT for images 1.1",
    ]
    for entry in SUPPORTED["importers"] + SUPPORTED["exporters"]:
        assert set(entry) == {"name", "ext", "version", "enabled", "dimension"}


# --- CVAT XML ------------------------------------------------------------------------------


def test_cvat_export_layout(frames: list[Frame]) -> None:
    data = export("CVAT for images 1.1", frames, annotations(), images=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == ["annotations.xml"] + [
            f"images/img_{k}.jpg" for k in range(4)
        ]
        assert zf.read("images/img_0.jpg") == frames[0].path.read_bytes()
        xml = zf.read("annotations.xml")
    assert xml.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1')
    root = ElementTree.fromstring(xml)
    task = root.find("meta/task")
    assert task is not None
    assert [c.tag for c in task][:12] == [
        "id", "name", "size", "mode", "overlap", "bugtracker", "created", "updated",
        "subset", "start_frame", "stop_frame", "frame_filter",
    ]  # fmt: skip
    assert task.findtext("size") == "4"
    assert task.findtext("stop_frame") == "3"
    label_names = [el.findtext("name") for el in task.iterfind("labels/label")]
    assert label_names == ["car", "person", "body", "a", "b"]
    attribute = task.find("labels/label/attributes/attribute")
    assert attribute is not None
    assert attribute.findtext("values") == "mazda\nvolvo"
    assert attribute.findtext("mutable") == "False"
    body = task.findall("labels/label")[2]
    assert 'data-label-name="a"' in (body.findtext("svg") or "")
    assert task.findall("labels/label")[3].findtext("parent") == "body"
    images = root.findall("image")
    assert images[0].attrib == {
        "id": "0", "name": "img_0.jpg", "width": "320", "height": "240",
    }  # fmt: skip
    box = images[0].find("box")
    assert box is not None
    assert box.attrib == {
        "label": "car", "source": "manual", "occluded": "0",
        "xtl": "20.00", "ytl": "30.00", "xbr": "150.00", "ybr": "160.00", "z_order": "0",
    }  # fmt: skip
    assert [(a.attrib["name"], a.text) for a in box.iterfind("attribute")] == [
        ("model", "volvo"),
        ("parked", "true"),
        ("speed", "42"),
    ]
    person = images[1].find("box")
    assert person is not None
    assert person.attrib["group_id"] == "3"
    assert person.attrib["occluded"] == "1"
    assert images[1].find("tag") is not None
    rotated = images[2].find("box")
    assert rotated is not None
    assert rotated.attrib["rotation"] == "30.00"
    polygon = images[2].find("polygon")
    assert polygon is not None
    assert polygon.attrib["points"] == "1.00,2.00;30.00,2.00;15.00,40.00"
    skeleton = images[3].find("skeleton")
    assert skeleton is not None
    assert "occluded" not in skeleton.attrib
    elements = skeleton.findall("points")
    assert [e.attrib["label"] for e in elements] == ["a", "b"]
    assert elements[1].attrib["outside"] == "1"
    assert "z_order" not in elements[0].attrib


def test_cvat_round_trip(frames: list[Frame], tmp_path: Path) -> None:
    source = annotations()
    path = tmp_path / "cvat.zip"
    path.write_bytes(export("CVAT for images 1.1", frames, source))
    imported = import_annotations("CVAT 1.1", path, labels=LABELS, frames=frames)
    assert strip(imported["shapes"]) == strip(source["shapes"])
    assert [(t["frame"], t["label_id"]) for t in imported["tags"]] == [(1, PERSON)]
    assert imported["tracks"] == []
    assert {s["source"] for s in imported["shapes"]} == {"manual"}


def test_cvat_bare_xml_import(frames: list[Frame], tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(export("CVAT for images 1.1", frames, annotations()))) as zf:
        (tmp_path / "annotations.xml").write_bytes(zf.read("annotations.xml"))
    imported = import_annotations(
        "CVAT 1.1", tmp_path / "annotations.xml", labels=LABELS, frames=frames
    )
    assert len(imported["shapes"]) == 6


def track(shapes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "frame": shapes[0]["frame"],
        "label_id": CAR,
        "group": 0,
        "source": "manual",
        "attributes": [{"spec_id": MODEL, "value": "volvo"}],
        "shapes": [
            {k: v for k, v in s.items() if k not in ("label_id", "group", "source", "elements")}
            for s in shapes
        ],
        "elements": [],
    }


def test_interpolation_of_rectangles_and_outside() -> None:
    t = track(
        [
            rect(0, [0.0, 0.0, 10.0, 10.0]),
            rect(2, [10.0, 20.0, 30.0, 40.0]),
            rect(3, [10.0, 20.0, 30.0, 40.0], outside=True),
        ]
    )
    shapes = interpolate_track(t, 5)
    assert [(s["frame"], s["outside"], s["keyframe"]) for s in shapes] == [
        (0, False, True),
        (1, False, False),
        (2, False, True),
        (3, True, True),
        (4, True, False),
    ]
    assert shapes[1]["points"] == [5.0, 10.0, 20.0, 25.0]


def test_tracks_become_shapes_in_cvat_for_images(frames: list[Frame], tmp_path: Path) -> None:
    ann = {
        "version": 0,
        "tags": [],
        "shapes": [],
        "tracks": [
            track(
                [rect(0, [0.0, 0.0, 10.0, 10.0]), rect(2, [10.0, 20.0, 30.0, 40.0], outside=True)]
            )
        ],
    }
    path = tmp_path / "t.zip"
    path.write_bytes(export("CVAT for images 1.1", frames, ann))
    imported = import_annotations("CVAT 1.1", path, labels=LABELS, frames=frames)
    assert [(s["frame"], s["points"]) for s in imported["shapes"]] == [
        (0, [0.0, 0.0, 10.0, 10.0]),
        (1, [5.0, 10.0, 20.0, 25.0]),
    ]
    assert imported["shapes"][0]["attributes"] == [{"spec_id": MODEL, "value": "volvo"}]


def test_cvat_video_tracks_are_imported(frames: list[Frame], tmp_path: Path) -> None:
    xml = tmp_path / "video.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version>'
        '<track id="0" label="car" source="manual">'
        '<box frame="0" keyframe="1" outside="0" occluded="0" xtl="1" ytl="2" xbr="3" ybr="4"'
        ' z_order="0"><attribute name="model">volvo</attribute>'
        '<attribute name="speed">5</attribute></box>'
        '<box frame="2" keyframe="1" outside="1" occluded="0" xtl="1" ytl="2" xbr="3" ybr="4"'
        ' z_order="0"><attribute name="model">volvo</attribute></box>'
        "</track></annotations>"
    )
    imported = import_annotations("CVAT 1.1", xml, labels=LABELS, frames=frames)
    (t,) = imported["tracks"]
    assert t["label_id"] == CAR
    assert t["attributes"] == [{"spec_id": MODEL, "value": "volvo"}]
    assert [(s["frame"], s["outside"]) for s in t["shapes"]] == [(0, False), (2, True)]
    assert t["shapes"][0]["attributes"] == [{"spec_id": SPEED, "value": "5"}]


# --- COCO ----------------------------------------------------------------------------------


def test_coco_export_layout(frames: list[Frame]) -> None:
    data = export("COCO 1.0", frames, annotations(), images=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == ["annotations/instances_default.json"] + [
            f"images/default/img_{k}.jpg" for k in range(4)
        ]
        doc = json.loads(zf.read("annotations/instances_default.json"))
    assert list(doc) == ["licenses", "info", "categories", "images", "annotations"]
    assert doc["licenses"] == [{"name": "", "id": 0, "url": ""}]
    assert doc["categories"][:2] == [
        {"id": 1, "name": "car", "supercategory": ""},
        {"id": 2, "name": "person", "supercategory": ""},
    ]
    assert doc["categories"][3] == {"id": 4, "name": "a", "supercategory": "body"}
    assert doc["images"][0] == {
        "id": 1,
        "width": 320,
        "height": 240,
        "file_name": "img_0.jpg",
        "license": 0,
        "flickr_url": "",
        "coco_url": "",
        "date_captured": 0,
    }
    first = doc["annotations"][0]
    assert list(first) == [
        "id", "image_id", "category_id", "segmentation", "area", "bbox", "iscrowd", "attributes",
    ]  # fmt: skip
    assert first == {
        "id": 1,
        "image_id": 1,
        "category_id": 1,
        "segmentation": [],
        "area": 16900.0,
        "bbox": [20.0, 30.0, 130.0, 130.0],
        "iscrowd": 0,
        "attributes": {
            "model": "volvo",
            "parked": True,
            "speed": 42.0,
            "occluded": False,
            "rotation": 0.0,
        },
    }
    polygon = next(a for a in doc["annotations"] if a["segmentation"])
    assert polygon["segmentation"] == [[1.0, 2.0, 30.0, 2.0, 15.0, 40.0]]
    assert polygon["bbox"] == [1.0, 2.0, 29.0, 38.0]
    assert polygon["area"] == pytest.approx(551.0)
    assert polygon["attributes"] == {"occluded": False}
    # points and skeletons are not COCO instances
    assert len(doc["annotations"]) == 4


def test_coco_round_trip(frames: list[Frame], tmp_path: Path) -> None:
    source = annotations()
    path = tmp_path / "coco.zip"
    path.write_bytes(export("COCO 1.0", frames, source))
    imported = import_annotations("COCO 1.0", path, labels=LABELS, frames=frames)
    expected = [s for s in source["shapes"] if s["type"] in ("rectangle", "polygon")]
    defaults = [
        {"spec_id": MODEL, "value": "mazda"},
        {"spec_id": PARKED, "value": "false"},
        {"spec_id": SPEED, "value": "0"},
    ]
    for shape in expected:
        shape["z_order"] = shape["group"] = 0  # COCO keeps neither
        if shape["label_id"] == CAR and not shape["attributes"]:
            shape["attributes"] = defaults  # exported with the label's default values
    assert strip(imported["shapes"]) == strip(expected)
    assert {s["source"] for s in imported["shapes"]} == {"file"}


def test_coco_tracks_round_trip(frames: list[Frame], tmp_path: Path) -> None:
    original = track(
        [rect(0, [0.0, 0.0, 10.0, 10.0]), rect(2, [10.0, 20.0, 30.0, 40.0], outside=True)]
    )
    ann = {"version": 0, "tags": [], "shapes": [], "tracks": [original]}
    data = export("COCO 1.0", frames, ann)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc = json.loads(zf.read("annotations/instances_default.json"))
    assert [(a["image_id"], a["attributes"]["keyframe"]) for a in doc["annotations"]] == [
        (1, True),
        (2, False),
    ]
    assert doc["annotations"][1]["bbox"] == [5.0, 10.0, 15.0, 15.0]
    path = tmp_path / "coco.zip"
    path.write_bytes(data)
    imported = import_annotations("COCO 1.0", path, labels=LABELS, frames=frames)
    (t,) = imported["tracks"]
    assert [(s["frame"], s["outside"]) for s in t["shapes"]] == [(0, False), (2, True)]
    assert t["attributes"] == [{"spec_id": MODEL, "value": "volvo"}]


def test_coco_bare_json_import(frames: list[Frame], tmp_path: Path) -> None:
    doc = {
        "images": [{"id": 5, "file_name": "sub/img_2.png", "width": 320, "height": 240}],
        "categories": [{"id": 3, "name": "person"}],
        "annotations": [
            {"id": 1, "image_id": 5, "category_id": 3, "bbox": [1, 2, 3, 4], "iscrowd": 0}
        ],
    }
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(doc))
    imported = import_annotations("COCO 1.0", path, labels=LABELS, frames=frames)
    (shape,) = imported["shapes"]
    assert (shape["frame"], shape["label_id"], shape["points"]) == (2, PERSON, [1.0, 2.0, 4.0, 6.0])


# --- errors --------------------------------------------------------------------------------


def test_unknown_formats_name_the_supported_ones(frames: list[Frame], tmp_path: Path) -> None:
    with pytest.raises(
        FormatError, match=r"supports: COCO 1\.0, CVAT for video 1\.1, CVAT for images"
    ):
        export("YOLO 1.1", frames, annotations())
    path = tmp_path / "x.zip"
    path.write_bytes(b"")
    with pytest.raises(FormatError, match=r"Unknown import format 'Bogus 1\.0'.*CVAT 1\.1"):
        import_annotations("Bogus 1.0", path, labels=LABELS, frames=frames)


@pytest.mark.parametrize(
    ("fmt", "name", "content", "message"),
    [
        ("CVAT 1.1", "a.xml", b"<annotations><image", "not valid XML"),
        ("CVAT 1.1", "a.xml", b"<root/>", "Expected an <annotations> root"),
        ("COCO 1.0", "a.json", b"{not json", "is not valid JSON"),
        ("COCO 1.0", "a.json", b'{"images": []}', "no 'annotations' list"),
    ],
)
def test_malformed_files(
    frames: list[Frame], tmp_path: Path, fmt: str, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message):
        import_annotations(fmt, path, labels=LABELS, frames=frames)


def test_zip_without_annotations(frames: list[Frame], tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    # the request messages of a real CVAT 2.73 for such archives
    with pytest.raises(FormatError) as info:
        import_annotations("COCO 1.0", path, labels=LABELS, frames=frames)
    assert info.value.request_message().startswith(
        "cvat.apps.dataset_manager.bindings.CvatImportError: "
        "Failed to find dataset 'coco_instances' at '"
    )
    with pytest.raises(FormatError) as info:
        import_annotations("CVAT 1.1", path, labels=LABELS, frames=frames)
    assert info.value.request_message() == (
        "cvat.apps.dataset_manager.bindings.CvatDatasetNotFoundError: Check [format docs]"
        "(https://docs.cvat.ai/docs//manual/advanced/formats/format-cvat). "
        'Dataset must contain a file: "*.xml"\n'
    )


def test_unknown_label_and_frame(frames: list[Frame], tmp_path: Path) -> None:
    xml = tmp_path / "a.xml"
    xml.write_text(
        '<annotations><image id="0" name="img_0.jpg"><box label="truck" xtl="1" ytl="1"'
        ' xbr="2" ybr="2"/></image></annotations>'
    )
    with pytest.raises(FormatError, match="Label 'truck' is not registered") as info:
        import_annotations("CVAT 1.1", xml, labels=LABELS, frames=frames)
    # a real CVAT 2.73's request message for it
    assert info.value.request_message() == (
        "ValueError: Label 'truck' is not registered for this task\n"
    )
    xml.write_text('<annotations><image id="99" name="nope.jpg"/></annotations>')
    with pytest.raises(FormatError, match="Could not match item id: 'nope'"):
        import_annotations("CVAT 1.1", xml, labels=LABELS, frames=frames)
