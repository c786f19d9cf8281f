"""Model constructors behave like cvat-sdk's: they copy the containers they are given and
keep keyword arguments the schema does not declare."""

from __future__ import annotations

import attrs

from cvat_client import models


def test_constructor_copies_input_lists_and_dicts() -> None:
    labels = [
        {"name": "cat", "attributes": [{"name": "y", "input_type": "radio", "values": ["1"]}]},
        {"name": "dog", "attributes": []},
    ]
    spec = {"name": "t", "labels": labels}
    model = models.TaskWriteRequest(**spec)
    before = model.to_dict()
    labels[0]["attributes"][0]["values"].append("2")
    labels[0]["attributes"].clear()
    labels[1]["attributes"].append({"name": "z"})
    labels.append({"name": "bird"})
    assert model.to_dict() == before
    extra = {"nested": {"a": [1]}}
    with_extra = models.TaskWriteRequest(name="t", additional_properties=extra)
    extra["nested"]["a"].append(2)
    assert with_extra.to_dict() == {"name": "t", "nested": {"a": [1]}}


def test_unknown_keyword_arguments_are_kept_as_additional_properties() -> None:
    label = models.Label.from_dict(
        {"id": 3, "name": "car", "color": "#fff", "attributes": [], "type": "any",
         "sublabels": [], "task_id": 7, "has_parent": False}
    )  # fmt: skip
    request = models.PatchedLabelRequest(**label.to_dict())
    assert request.name == "car" and request.id == 3
    assert request.additional_properties == {"task_id": 7, "has_parent": False}
    assert request.to_dict()["task_id"] == 7
    assert attrs.evolve(request, name="bus").additional_properties == {
        "task_id": 7,
        "has_parent": False,
    }


def test_parsing_keeps_the_parsed_objects() -> None:
    data = {"name": "t", "labels": [{"name": "a", "attributes": []}], "extra": {"k": 1}}
    model = models.TaskWriteRequest.from_dict(data)
    assert isinstance(model.labels[0], models.PatchedLabelRequest)
    assert model.additional_properties == {"extra": {"k": 1}}
