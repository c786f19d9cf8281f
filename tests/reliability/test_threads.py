"""One Client used from 16 threads at once: listing, annotations, uploads, a session renewal."""

from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path
from typing import Any

from cvat_client.core.client import Config, make_client
from cvat_client.testing import CvatTestServer
from tests.core.conftest import make_image

THREADS = 16


def test_one_client_from_16_threads(
    cvat_server: CvatTestServer, cvat_live_server: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(2):
        (folder / f"f{i}.png").write_bytes(make_image(fmt="PNG", color=(i * 90, 0, 0)))
    config = Config(status_check_period=0.01)
    with make_client(cvat_live_server.url, credentials=("admin", "admin"), config=config) as client:
        base = client.tasks.create_from_data(
            {"name": "base", "labels": [{"name": "car"}]}, [folder]
        )
        label_id = base.get_labels()[0].id
        job_ids = [job.id for job in base.get_jobs()]
        start = threading.Barrier(THREADS)

        def work(index: int) -> Any:
            start.wait()
            if index == 0:
                cvat_server.store.sessions.clear()  # every thread meets an expired session
            kind = index % 3
            if kind == 0:
                names = {t.name for t in client.tasks.list()}
                assert "base" in names
                return client.users.retrieve_current_user().username
            if kind == 1:
                shape = {"type": "rectangle", "frame": 0, "label_id": label_id,
                         "points": [index, index, index + 5.0, index + 5.0]}  # fmt: skip
                job = client.jobs.retrieve(job_ids[0])
                job.update_annotations({"shapes": [shape]}, action="create")
                return len(base.get_annotations().shapes)
            task = client.tasks.create_from_data(
                {"name": f"t{index}", "labels": [{"name": "car"}]}, [folder]
            )
            return task.size

        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(work, range(THREADS)))
        assert [r for i, r in enumerate(results) if i % 3 == 0] == ["admin"] * 6
        assert [r for i, r in enumerate(results) if i % 3 == 2] == [2] * 5
        assert all(r >= 1 for i, r in enumerate(results) if i % 3 == 1)
        assert len(base.get_annotations().shapes) == 5
        assert len(cvat_server.store.tasks) == 1 + 5
        assert client.users.retrieve_current_user().username == "admin"
