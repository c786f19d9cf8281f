"""The test server's side of datasets, as checked against a real CVAT 2.73: chunk headers and
``updated_date`` moving with annotation changes."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.datasets.conftest import RichTask


def cvat_checksum(body: bytes) -> str:
    # views.py _DataGetter._get_chunk_checksum: crc32 of the first 1000 bytes, seeded with
    # the crc32 of the decimal length
    return str(zlib.crc32(body[:1000], zlib.crc32(str(len(body)).encode())))


@pytest.mark.parametrize(("quality", "suffix"), [("original", ".png"), ("compressed", ".jpeg")])
def test_chunks_carry_cvats_checksum_and_date(
    rich_task: RichTask, our_client: Any, quality: str, suffix: str
) -> None:
    task = our_client.tasks.retrieve(rich_task.id)
    meta = task.get_meta()
    _, response = task.api.retrieve_data(
        task.id, type="chunk", number=0, quality=quality, _parse_response=False
    )
    body = response.content
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["x-checksum"] == cvat_checksum(body)
    assert response.headers["x-updated-date"] == meta.chunks_updated_date.isoformat().replace(
        "+00:00", "Z"
    )
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert names[0] == "000000" + suffix and len(names) == 3


def test_updated_date_moves_with_annotations(our_client: Any, tmp_path: Path) -> None:
    from tests.datasets.conftest import LABELS, create_rich_task

    project = our_client.projects.create({"name": "p", "labels": LABELS})
    task_id = create_rich_task(our_client, tmp_path, project_id=project.id).id
    task = our_client.tasks.retrieve(task_id)
    job = task.get_jobs()[0]

    def dates() -> tuple[Any, Any, Any]:
        return (
            our_client.tasks.retrieve(task_id).updated_date,
            our_client.jobs.retrieve(job.id).updated_date,
            our_client.projects.retrieve(project.id).updated_date,
        )

    start = dates()
    task.remove_annotations()
    cleared = dates()
    assert all(b > a for a, b in zip(start, cleared, strict=True))
    task.set_annotations({"shapes": []})  # nothing before, nothing after: no change (as CVAT)
    assert dates() == cleared
    label = task.get_labels()[0].id
    job.set_annotations(
        {
            "tags": [
                {"frame": 0, "label_id": label, "group": 0, "source": "manual", "attributes": []}
            ]
        }
    )
    tagged = dates()
    assert all(b > a for a, b in zip(cleared, tagged, strict=True))
