"""cvat_client.pytorch side by side with cvat_sdk.pytorch, and in DataLoader workers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
import torch.utils.data
from cvat_sdk import pytorch as sdk_pytorch
from torchvision.transforms import PILToTensor

from cvat_client import pytorch as ours
from cvat_client.datasets import DatasetCacheMissError, UpdatePolicy
from cvat_client.testing import CvatTestServer
from cvat_client.testing.live import LiveServer
from tests.datasets.conftest import LABELS, RichTask, create_rich_task, make_our_client

TRANSFORMS = {
    "boxes": lambda lib: lib.ExtractBoundingBoxes(
        include_shape_types=["rectangle", "polygon", "polyline", "points", "ellipse"]
    ),
    "rectangles": lambda lib: lib.ExtractBoundingBoxes(include_shape_types=["rectangle"]),
    "masks": lambda lib: lib.ExtractInstanceMasks(include_shape_types=["polygon", "mask"]),
    "label": lambda lib: lib.ExtractSingleLabelIndex(),
}


def _outcome(dataset: Any, index: int) -> Any:
    try:
        return dataset[index]
    except Exception as exc:  # both libraries must fail alike
        return ("raised", type(exc).__name__, str(exc))


def _same(a: Any, b: Any) -> None:
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor)
        assert a.dtype == b.dtype and a.shape == b.shape
        assert torch.equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, tuple | list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_task_vision_dataset_transforms_equal(
    rich_task: RichTask, our_client: Any, sdk_client: Any, name: str
) -> None:
    mine = ours.TaskVisionDataset(
        our_client,
        rich_task.id,
        transform=PILToTensor(),
        target_transform=TRANSFORMS[name](ours),
    )
    theirs = sdk_pytorch.TaskVisionDataset(
        sdk_client,
        rich_task.id,
        transform=PILToTensor(),
        target_transform=TRANSFORMS[name](sdk_pytorch),
    )
    assert len(mine) == len(theirs) == 6
    outcomes = [(_outcome(mine, i), _outcome(theirs, i)) for i in range(len(mine))]
    for a, b in outcomes:
        _same(a, b)
    assert any(not isinstance(a, tuple) or a[0] != "raised" for a, _ in outcomes)


def test_plain_targets_and_label_name_mapping(
    rich_task: RichTask, our_client: Any, sdk_client: Any
) -> None:
    mapping = {label["name"]: 10 + i for i, label in enumerate(LABELS)}
    mine = ours.TaskVisionDataset(our_client, rich_task.id, label_name_to_index=mapping)
    theirs = sdk_pytorch.TaskVisionDataset(sdk_client, rich_task.id, label_name_to_index=mapping)
    image, target = mine[0]
    sdk_image, sdk_target = theirs[0]
    assert isinstance(target, ours.Target)
    assert image.tobytes() == sdk_image.tobytes()
    assert target.image_size == sdk_target.image_size
    assert dict(target.label_id_to_index) == dict(sdk_target.label_id_to_index)
    assert len(target.annotations.shapes) == len(sdk_target.annotations.shapes)


@pytest.fixture(scope="module")
def project(
    dataset_server: tuple[CvatTestServer, LiveServer], tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, list[int]]:
    folder = tmp_path_factory.mktemp("project")
    with make_our_client(dataset_server[1].url, folder / "cache") as client:
        project = client.projects.create({"name": "datasets", "labels": LABELS})
        ids = [
            create_rich_task(
                client, folder / subset, name=subset, project_id=project.id, subset=subset
            ).id
            for subset in ("train", "val", "train")
        ]
    return project.id, ids


def test_project_vision_dataset_agrees(
    project: tuple[int, list[int]], our_client: Any, sdk_client: Any
) -> None:
    project_id, task_ids = project
    for kwargs in (
        {},
        {"include_subsets": ["train"]},
        {"task_filter": lambda t: t.id != task_ids[0]},
    ):
        mine = ours.ProjectVisionDataset(
            our_client,
            project_id,
            transform=PILToTensor(),
            target_transform=TRANSFORMS["rectangles"](ours),
            **kwargs,
        )
        theirs = sdk_pytorch.ProjectVisionDataset(
            sdk_client,
            project_id,
            transform=PILToTensor(),
            target_transform=TRANSFORMS["rectangles"](sdk_pytorch),
            **kwargs,
        )
        assert len(mine) == len(theirs) > 0
        for i in range(len(mine)):
            _same(_outcome(mine, i), _outcome(theirs, i))


def test_project_dataset_samples_name_task_and_subset(
    project: tuple[int, list[int]], our_client: Any
) -> None:
    from cvat_client.datasets import ProjectDataset

    project_id, task_ids = project
    dataset = ProjectDataset(our_client, project_id, include_subsets={"train"})
    assert [t.task_id for t in dataset.tasks] == [task_ids[0], task_ids[2]]
    assert {(s.task_id, s.subset) for s in dataset.samples} == {
        (task_ids[0], "train"),
        (task_ids[2], "train"),
    }
    assert len(dataset.samples) == sum(len(t.samples) for t in dataset.tasks) == 12
    assert [label.name for label in dataset.labels] == [label["name"] for label in LABELS]
    offline = ProjectDataset(
        our_client, project_id, include_subsets={"train"}, update_policy=UpdatePolicy.NEVER
    )
    assert [len(t.samples) for t in offline.tasks] == [len(t.samples) for t in dataset.tasks]
    with pytest.raises(DatasetCacheMissError):  # the "val" task was never opened
        ProjectDataset(our_client, project_id, update_policy=UpdatePolicy.NEVER)


def test_data_loader_workers_read_the_cache_only(
    rich_task: RichTask,
    our_client: Any,
    dataset_server: tuple[CvatTestServer, LiveServer],
    tmp_path: Path,
) -> None:
    dataset = ours.TaskVisionDataset(
        our_client,
        rich_task.id,
        transform=PILToTensor(),
        target_transform=TRANSFORMS["masks"](ours),
    )
    expected = [dataset[i] for i in range(len(dataset))]
    server = dataset_server[0]
    rule = server.faults.add(r"^/api/", status=500)  # any request from now on would fail
    try:
        loader = torch.utils.data.DataLoader(
            dataset,
            batch_size=4,
            num_workers=2,
            collate_fn=lambda batch: tuple(zip(*batch, strict=True)),
        )
        batches = list(loader)
    finally:
        server.faults.rules.remove(rule)
    assert rule.seen == 0
    images = [image for batch in batches for image in batch[0]]
    targets = [target for batch in batches for target in batch[1]]
    assert len(images) == len(expected)
    for image, target, (want_image, want_target) in zip(images, targets, expected, strict=True):
        assert torch.equal(image, want_image)
        _same(target, want_target)
