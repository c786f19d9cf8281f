"""The low-level API (``cvat_client.api_client``): one method per server operation.

Run it with ``.venv/bin/python examples/lowlevel.py``. By default it talks to the CVAT
test server started inside this process; set ``CVAT_HOST``, ``CVAT_USERNAME`` and
``CVAT_PASSWORD`` to use a real server (what the example creates there is deleted).

It shows:

1. logging in (a session: cookies and CSRF token handled by the client);
2. a paginated list, page by page;
3. a multipart upload (task data) and its background request, polled to completion;
4. a dataset export, polled to completion, and a custom streamed download of its
   ``result_url``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
from PIL import Image

from cvat_client.api_client import ApiClient, Configuration, exceptions, models


@contextlib.contextmanager
def api_client() -> Iterator[tuple[ApiClient, str, tuple[str, str]]]:
    """A low-level client (not yet logged in) and the credentials to log in with."""
    host = os.environ.get("CVAT_HOST")
    if host:
        username = os.environ.get("CVAT_USERNAME")
        password = os.environ.get("CVAT_PASSWORD")
        if not username or not password:
            sys.exit("Set CVAT_USERNAME and CVAT_PASSWORD with CVAT_HOST")
        with ApiClient(Configuration(host)) as client:
            yield client, host, (username, password)
        return

    from cvat_client.testing import ASGIBridgeTransport, CvatTestServer

    admin = ("admin", "lowlevel-password")
    with (
        CvatTestServer(admin=admin) as server,
        ApiClient(
            Configuration("http://cvat.embedded"), transport=ASGIBridgeTransport(server.app)
        ) as client,
    ):
        yield client, "the embedded test server", admin


def wait(client: ApiClient, rq_id: str, what: str) -> models.Request:
    """Poll ``GET /api/requests/{rq_id}`` until the request has finished."""
    delay = 0.05
    while True:
        request, _ = client.requests_api.retrieve(rq_id)
        assert request is not None
        status = str(getattr(request.status, "value", request.status))
        print(f"  {what}: {status}")
        if status == "finished":
            return request
        if status == "failed":
            sys.exit(f"{what} failed: {request.message}")
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def jpeg(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, format="JPEG")
    return buf.getvalue()


def main() -> None:
    with api_client() as (client, where, (username, password)):
        # 1. Log in: the server answers with session cookies; the client keeps them and
        #    adds the CSRF header to every unsafe request from now on.
        client.auth_api.create_login({"username": username, "password": password})
        me, _ = client.users_api.retrieve_self()
        assert me is not None
        print(f"Logged in to {where} as {me.username}")

        created: list[int] = []
        try:
            # 2. A paginated list: five projects, two per page.
            for i in range(5):
                project, _ = client.projects_api.create(
                    {"name": f"low-level example {i}", "labels": [{"name": "car"}]}
                )
                assert project is not None
                created.append(project.id)
            page_number, seen = 1, []
            while True:
                page, _ = client.projects_api.list(
                    page=page_number, page_size=2, search="low-level example", sort="id"
                )
                assert page is not None
                names = [p.name for p in page.results]
                print(f"Page {page_number} of the projects: {names} (total {page.count})")
                seen.extend(names)
                if not page.next:
                    break
                page_number += 1
            print(f"Listed {len(seen)} projects in {page_number} pages")

            # 3. A multipart upload: images become a task's data (``client_files[i]``).
            task, _ = client.tasks_api.create(
                {"name": "low-level example task", "project_id": created[0]}
            )
            assert task is not None
            files = [(f"frame_{i}.jpg", jpeg((40 * i, 120, 200)), "image/jpeg") for i in range(3)]
            result, response = client.tasks_api.create_data(
                task.id,
                data_request={"client_files": files, "image_quality": 80},
                _content_type="multipart/form-data",
            )
            print(f"Uploaded {len(files)} images to task #{task.id} ({response.status_code})")
            assert isinstance(result, models.RqId)
            wait(client, result.rq_id, "task data")
            task, _ = client.tasks_api.retrieve(task.id)
            assert task is not None
            print(f"Task #{task.id} has {task.size} frames")

            # 4. A background request: export the task as COCO 1.0 and poll it.
            # (required parameters are positional, in the schema's order: format, id)
            started, _ = client.tasks_api.create_dataset_export(
                "COCO 1.0", task.id, save_images=True
            )
            assert started is not None
            finished = wait(client, started.rq_id, "export")
            assert isinstance(finished.result_url, str)

            # ... and download its result_url ourselves, streamed to a file.
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / "export.zip"
                _, stream = client.call_api(finished.result_url, "GET", _stream=True)
                try:
                    with target.open("wb") as out:
                        for block in stream.iter_bytes():
                            out.write(block)
                finally:
                    stream.close()
                disposition = stream.headers.get("content-disposition", "")
                with zipfile.ZipFile(target) as archive:
                    members = archive.namelist()
                print(
                    f"Downloaded {target.stat().st_size:,} bytes ({disposition or 'no name'}): "
                    f"{len(members)} files, "
                    f"{sum(m.endswith('.jpg') for m in members)} images"
                )

            # Errors are exceptions with the server's status and message.
            try:
                client.tasks_api.retrieve(999_999)
            except exceptions.NotFoundException as exc:
                print(f"As expected, task #999999 does not exist: {exc.status} {exc.reason}")
        finally:
            for project_id in created:
                with contextlib.suppress(exceptions.ApiException, httpx.HTTPError):
                    client.projects_api.destroy(project_id)
            client.auth_api.create_logout()
        print("Done")


if __name__ == "__main__":
    main()
