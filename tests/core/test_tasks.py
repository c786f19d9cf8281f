"""Tasks end to end on the test server: creation, media, exports, backups, failures."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cvat_client._lowlevel.exceptions import (
    ApiException,
    ApiValueError,
    BadRequestException,
    NotFoundException,
)
from cvat_client.core.proxies import Location, ResourceType, Task
from cvat_client.core.proxies.tasks import expand_local_resources

from .conftest import LABELS, make_image, rect, shape_key


def _task(client: Any, images: list[Path], **spec: Any) -> Task:
    return client.tasks.create_from_data({"name": "t", "labels": LABELS, **spec}, images)


def _label_ids(task: Task) -> dict[str, int]:
    return {label.name: label.id for label in task.get_labels()}


def _background_error() -> type[Exception]:
    from cvat_client.core.exceptions import BackgroundRequestException

    return BackgroundRequestException


# --- creation and media ----------------------------------------------------------------------


def test_create_from_data_frames_round_trip(client: Any, images: list[Path], tmp_path: Path):
    task = _task(client, images)

    assert isinstance(task, Task)
    assert task.size == 3
    assert task.name == "t"
    # CVAT keeps the base names (the test server may prefix them with an upload index).
    names = [f.name for f in task.get_frames_info()]
    assert len(names) == 3
    assert all(name.endswith(p.name) for name, p in zip(names, images, strict=True))
    for i, path in enumerate(images):
        assert task.get_frame(i, quality="original").read() == path.read_bytes()

    written = task.download_frames([0, 2], outdir=tmp_path / "out", quality="original")
    assert written == [tmp_path / "out" / "frame_000000.jpg", tmp_path / "out" / "frame_000002.jpg"]
    assert written[0].read_bytes() == images[0].read_bytes()
    assert written[1].read_bytes() == images[2].read_bytes()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [p.name for p in written]

    jobs = task.get_jobs()
    assert len(jobs) == 1
    assert jobs[0].task_id == task.id
    assert set(_label_ids(task)) == {"car", "person"}
    with Image.open(task.get_preview()) as preview:
        assert preview.width > 0
    assert task.get_meta().size == 3


def test_compressed_frame_and_server_default(client: Any, images: list[Path]) -> None:
    task = _task(client, images)
    with (
        Image.open(task.get_frame(1)) as default,
        Image.open(task.get_frame(1, quality="compressed")) as compressed,
    ):
        assert default.size == compressed.size == (65, 48)
        assert default.format == "JPEG"


def test_create_from_directory_and_glob(client: Any, tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.jpg").write_bytes(make_image(10, 10))
    (folder / "sub" / "b.png").write_bytes(make_image(11, 10, fmt="PNG"))
    (folder / ".hidden.jpg").write_bytes(b"not an image")
    other = tmp_path / "glob"
    other.mkdir()
    for i in range(2):
        (other / f"g{i}.jpg").write_bytes(make_image(12 + i, 10))
    (other / "skip.txt").write_text("x")

    task = client.tasks.create_from_data(
        {"name": "dirs", "labels": LABELS}, [folder, str(other / "*.jpg")]
    )

    names = [f.name for f in task.get_frames_info()]
    assert sorted(Path(n).name.split("_", 1)[-1] for n in names) == [
        "a.jpg",
        "b.png",
        "g0.jpg",
        "g1.jpg",
    ]
    png_index = next(i for i, n in enumerate(names) if n.endswith("b.png"))
    assert (
        task.get_frame(png_index, quality="original").read()
        == (folder / "sub" / "b.png").read_bytes()
    )


def test_expand_local_resources_errors(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.jpg").write_bytes(b"1")
    (tmp_path / "b" / "x.jpg").write_bytes(b"2")
    with pytest.raises(ApiValueError, match="same name"):
        expand_local_resources([tmp_path / "a", tmp_path / "b"])
    with pytest.raises(FileNotFoundError, match="No file matches"):
        expand_local_resources([str(tmp_path / "*.png")])
    with pytest.raises(ApiValueError, match="list of paths"):
        expand_local_resources(str(tmp_path / "a"))  # type: ignore[arg-type]
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no files"):
        expand_local_resources([tmp_path / "empty"])


def test_missing_local_file_sends_nothing(client: Any, images: list[Path], tmp_path: Path):
    missing = tmp_path / "nope.jpg"
    with pytest.raises(FileNotFoundError, match=r"nope\.jpg"):
        client.tasks.create_from_data({"name": "x", "labels": LABELS}, [*images, missing])
    with pytest.raises(FileNotFoundError, match=r"ann\.xml"):
        client.tasks.create_from_data(
            {"name": "x", "labels": LABELS}, images, annotation_path=tmp_path / "ann.xml"
        )
    assert client.tasks.list() == []


def test_unknown_data_params_are_left_out_with_a_warning(
    client: Any, images: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    """cvat-sdk drops keys the data spec does not have (``dataset_repository_url``...)."""
    with caplog.at_level(logging.WARNING, logger="cvat_client"):
        task = client.tasks.create_from_data(
            {"name": "x", "labels": LABELS},
            images,
            data_params={"bogus": 1, "use_lfs": False, "image_quality": 80, "frame_step": 2},
        )
    assert "'bogus' ignored" in caplog.text and "'use_lfs' ignored" in caplog.text
    assert task.size == 2
    assert task.get_meta().image_quality == 80


def test_labels_with_project_rejected(client: Any, images: list[Path]) -> None:
    project = client.projects.create({"name": "p", "labels": LABELS})
    with pytest.raises(ApiValueError, match="project's labels"):
        client.tasks.create_from_data(
            {"name": "x", "project_id": project.id, "labels": LABELS}, images
        )
    assert client.tasks.list() == []


def test_data_params(client: Any, tmp_path: Path) -> None:
    files = []
    for i in range(5):
        path = tmp_path / f"f{i}.jpg"
        path.write_bytes(make_image(20 + i, 10))
        files.append(path)
    task = client.tasks.create_from_data(
        {"name": "step", "labels": LABELS, "segment_size": 2},
        files,
        data_params={"frame_step": 2, "image_quality": 50, "chunk_size": 1},
    )
    assert task.size == 3
    assert task.image_quality == 50
    assert task.get_frame(1, quality="original").read() == files[2].read_bytes()
    assert len(task.get_jobs()) == 2


def test_remote_files_fail_with_server_message(client: Any) -> None:
    task = client.tasks.create({"name": "remote", "labels": LABELS})
    with pytest.raises(_background_error(), match="remote_files") as info:
        task.upload_data(["http://example.test/a.jpg"], resource_type=ResourceType.REMOTE)
    assert isinstance(info.value, ApiException)
    assert "cannot reach" in str(info.value)


def test_share_files_are_sent_as_server_files(client: Any) -> None:
    task = client.tasks.create({"name": "share", "labels": LABELS})
    with pytest.raises(_background_error(), match="server_files"):
        task.upload_data(["images/a.jpg"], resource_type=ResourceType.SHARE)


def test_upload_data_once(client: Any, images: list[Path]) -> None:
    task = _task(client, images)
    with pytest.raises(BadRequestException, match="Adding more data is not supported"):
        task.upload_data(images)


def test_download_chunk_to_path_and_stream(client: Any, images: list[Path], tmp_path: Path):
    task = _task(client, images)
    target = tmp_path / "chunk.zip"
    task.download_chunk(0, target, quality="original")
    with zipfile.ZipFile(target) as archive:
        contents = [archive.read(name) for name in sorted(archive.namelist())]
    assert contents == [p.read_bytes() for p in images]

    buf = io.BytesIO()
    task.download_chunk(0, buf, quality="compressed")
    assert zipfile.is_zipfile(io.BytesIO(buf.getvalue()))

    with pytest.raises(BadRequestException, match="chunk"):
        task.download_chunk(7, tmp_path / "bad.zip")
    assert not (tmp_path / "bad.zip").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunk.zip", "images"]


def test_download_frames_converts_and_fails_cleanly(
    client: Any, images: list[Path], tmp_path: Path
) -> None:
    task = _task(client, images)
    out = tmp_path / "png"
    written = task.download_frames([1], outdir=out, image_extension="png", quality="original")
    assert written == [out / "frame_000001.png"]
    with Image.open(written[0]) as image:
        assert image.format == "PNG"
        assert image.size == (65, 48)

    out2 = tmp_path / "bad"
    with pytest.raises(BadRequestException, match=r"\[0, 3\]"):
        task.download_frames([0, 9], outdir=out2, filename_pattern="{frame_id}{frame_ext}")
    assert sorted(p.name for p in out2.iterdir()) == ["0.jpg"]


def test_frame_out_of_range(client: Any, images: list[Path]) -> None:
    task = _task(client, images)
    with pytest.raises(BadRequestException, match="Invalid frame '5'"):
        task.get_frame(5)


def test_remove_frames_by_ids(client: Any, images: list[Path]) -> None:
    task = _task(client, images)
    task.remove_frames_by_ids([1])
    assert task.get_meta().deleted_frames == [1]
    task.remove_frames_by_ids([0, 2])
    assert sorted(task.get_meta().deleted_frames) == [0, 2]  # the list is replaced


# --- CRUD ------------------------------------------------------------------------------------


def test_crud_and_not_found(client: Any) -> None:
    task = client.tasks.create({"name": "crud", "labels": LABELS})
    assert client.tasks.retrieve(task.id).name == "crud"
    assert repr(task) == f"<Task: id={task.id}>"
    assert task.model.name == "crud"
    assert task.to_dict()["name"] == "crud"

    assert task.update({"name": "renamed"}) is task
    assert task.name == "renamed"
    assert client.tasks.retrieve(task.id).name == "renamed"
    assert task.fetch().name == "renamed"
    assert client.tasks.retrieve(task.id) == task

    with pytest.raises(AttributeError, match="no_such_field"):
        _ = task.no_such_field

    task.remove()
    with pytest.raises(NotFoundException) as info:
        client.tasks.retrieve(task.id)
    assert info.value.status == 404
    with pytest.raises(NotFoundException):
        task.fetch()


def test_list_iter_filters_and_remove_by_ids(client: Any) -> None:
    made = [client.tasks.create({"name": f"task-{i}", "labels": LABELS}) for i in range(5)]
    ids = [t.id for t in made]

    assert sorted(t.id for t in client.tasks.list()) == sorted(ids)
    assert [t.name for t in client.tasks.list(name="task-3")] == ["task-3"]
    assert [t.name for t in client.tasks.list(sort="name", page_size=2)] == [
        f"task-{i}" for i in range(5)
    ]
    assert json.loads(client.tasks.list(return_json=True, name="task-1"))[0]["name"] == "task-1"
    assert {t.id for t in client.tasks.list(id__in=ids[:2])} == set(ids[:2])
    assert {t.id for t in client.tasks.list(id__gte=ids[3])} == set(ids[3:])
    assert [t.name for t in client.tasks.list(filter={"==": [{"var": "name"}, "task-2"]})] == [
        "task-2"
    ]

    pages: list[str] = []
    client.api_client.client.event_hooks["request"].append(
        lambda request: pages.append(request.url.params.get("page", "1"))
    )
    lazy = client.tasks.iter(page_size=2, sort="id")
    assert pages == []
    first = next(lazy)
    assert first.id == min(ids)
    assert pages == ["1"]
    assert next(lazy).id == sorted(ids)[1]
    assert pages == ["1"]
    assert [first.id, sorted(ids)[1], *(t.id for t in lazy)] == sorted(ids)
    assert pages == ["1", "2", "3"]
    client.api_client.client.event_hooks["request"].clear()

    client.tasks.remove_by_ids([ids[0], ids[1], 999_999])
    client.tasks.remove_by_ids(task_ids=[ids[2]])
    assert sorted(t.id for t in client.tasks.list()) == sorted(ids[3:])


# --- exports and backups ---------------------------------------------------------------------


def _annotated(client: Any, images: list[Path]) -> tuple[Task, list[dict[str, Any]]]:
    task = _task(client, images)
    labels = _label_ids(task)
    shapes = [rect(labels["car"], 0), rect(labels["person"], 2, [5.0, 6.0, 20.0, 22.0])]
    task.set_annotations({"shapes": shapes})
    return task, shapes


def test_export_dataset_cvat_and_coco(client: Any, images: list[Path], tmp_path: Path):
    task, _ = _annotated(client, images)

    out = task.export_dataset("CVAT for images 1.1", tmp_path / "cvat.zip", include_images=False)
    assert out == tmp_path / "cvat.zip"
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("annotations.xml").decode()
    assert xml.count("<box ") == 2
    assert 'label="car"' in xml
    assert 'label="person"' in xml

    coco = task.export_dataset("COCO 1.0", tmp_path / "coco.zip", include_images=True)
    assert coco is not None
    with zipfile.ZipFile(coco) as archive:
        names = archive.namelist()
        document = json.loads(archive.read("annotations/instances_default.json"))
    assert len(document["annotations"]) == 2
    assert sum(1 for n in names if n.startswith("images/")) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coco.zip", "cvat.zip", "images"]


def test_export_into_directory_keeps_server_name(client: Any, images: list[Path], tmp_path: Path):
    task, _ = _annotated(client, images)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = task.export_dataset("COCO 1.0", folder, include_images=False)
    assert out is not None
    assert out.parent == folder
    assert out.name.endswith(".zip")
    assert zipfile.is_zipfile(out)


def test_export_errors(client: Any, images: list[Path], tmp_path: Path) -> None:
    task, _ = _annotated(client, images)
    with pytest.raises(BadRequestException, match="Unknown format"):
        task.export_dataset("Bogus 9.9", tmp_path / "x.zip")
    with pytest.raises(ApiValueError, match="cloud_storage_id"):
        task.export_dataset("COCO 1.0", tmp_path / "x.zip", location=Location.CLOUD_STORAGE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images"]


def test_backup_round_trip(client: Any, images: list[Path], tmp_path: Path) -> None:
    task, shapes = _annotated(client, images)
    backup = task.download_backup(tmp_path / "backup.zip")
    assert backup == tmp_path / "backup.zip"
    assert zipfile.is_zipfile(backup)

    restored = client.tasks.create_from_backup(backup)

    assert restored.id != task.id
    assert restored.name == task.name
    assert restored.size == task.size
    assert set(_label_ids(restored)) == set(_label_ids(task))
    for i in range(task.size):
        assert restored.get_frame(i, quality="original").read() == images[i].read_bytes()
    names = {v: k for k, v in _label_ids(task).items()}
    new_names = {v: k for k, v in _label_ids(restored).items()}
    original = sorted((names[s["label_id"]], *shape_key(s)[1:2], *shape_key(s)[3:]) for s in shapes)
    got = sorted(
        (new_names[s.label_id], *shape_key(s)[1:2], *shape_key(s)[3:])
        for s in restored.get_annotations().shapes
    )
    assert got == original


def test_restore_missing_and_broken_backup(client: Any, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.zip"):
        client.tasks.create_from_backup(tmp_path / "missing.zip")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"this is not a zip")
    with pytest.raises(_background_error()) as info:
        client.tasks.create_from_backup(broken)
    assert str(info.value)
    assert client.tasks.list() == []


def test_create_from_no_media_raises_cvat_sdk_class_and_creates_nothing(local_client: Any) -> None:
    from cvat_client.core.exceptions import BackgroundRequestException

    before = len(local_client.tasks.list())
    with pytest.raises(BackgroundRequestException, match="No media data found") as caught:
        local_client.tasks.create_from_data({"name": "empty", "labels": LABELS}, resources=[])
    assert isinstance(caught.value, ValueError)
    assert len(local_client.tasks.list()) == before
