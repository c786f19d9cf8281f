"""Whole-scenario replays of the recordings (see ``replay.py`` for the method).

Each test recreates what its scenario needed before the recording started (tasks with the
recorded names, labels, images and annotations, the second user, earlier logins, leftover
access tokens and tasks of other clients), maps the recorded ids of those objects, then replays
every exchange in order. Not compared, because the test server cannot reproduce it:

- the values of a request polled while it was still queued or running (timing): its keys are;
- the exception text of a failed request (CVAT's own code wrote it): its type is;
- file sizes, dates, ``x-request-id`` and ``content-encoding`` (gzip is nginx's business);
- what each test names in ``replay.loose``, with the reason beside it.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import httpx
import pytest
from PIL import Image

from cvat_client.testing import CvatTestServer

from .replay import ROOT, Replay, basic_by_step, header

pytestmark = pytest.mark.skipif(not ROOT.is_dir(), reason="recordings not available")

LABELS = [
    {"name": "car", "color": "#ff0000", "attributes": []},
    {"name": "person", "color": "#00ff00", "attributes": []},
]
USERS = {"admin": "admin", "user1": "user1-password"}
# A request polled while running: whether the test server is still at it when the poll arrives
# is a matter of timing, so only its keys are compared.
RUNNING = {"shape"}


def jpeg(index: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """One of the recorded scenarios' small images."""
    buf = io.BytesIO()
    Image.new("RGB", size, (index * 80, 40, 200 - index * 60)).save(buf, format="JPEG")
    return buf.getvalue()


def make_task(
    http: httpx.Client, server: CvatTestServer, name: str, *, shapes: bool = False
) -> dict[str, Any]:
    """A 3-image task like the recordings' ``setup_task`` (labels car and person)."""
    task = http.post("/api/tasks", json={"name": name, "labels": LABELS}).json()
    files = [(f"client_files[{i}]", (f"img_{i}.jpg", jpeg(i), "image/jpeg")) for i in range(3)]
    response = http.post(f"/api/tasks/{task['id']}/data/", files=files, data={"image_quality": 70})
    assert response.status_code == 202, response.text
    assert server.wait_idle()
    if shapes:
        labels = http.get("/api/labels", params={"task_id": task["id"]}).json()["results"]
        car = next(label["id"] for label in labels if label["name"] == "car")
        rectangles = [
            {"type": "rectangle", "frame": f, "label_id": car, "points": [20.0 + f, 30.0, 150.0, 160.0],
             "occluded": False, "outside": False, "z_order": 0, "rotation": 0.0, "attributes": [],
             "group": 0, "source": "manual"}
            for f in range(3)
        ]  # fmt: skip
        body = {"version": 0, "tags": [], "tracks": [], "shapes": rectangles}
        assert http.put(f"/api/tasks/{task['id']}/annotations", json=body).status_code == 200
    jobs = http.get("/api/jobs", params={"task_id": task["id"]}).json()["results"]
    return {**http.get(f"/api/tasks/{task['id']}").json(), "jobs": [j["id"] for j in jobs]}


def recorded_ids(replay: Replay, kind: str) -> list[int]:
    """Ids of ``kind`` (``tasks``, ``jobs``) in the recorded paths, in order of appearance."""
    found: list[int] = []
    for record in replay.records:
        for value in re.findall(rf"/api/{kind}/(\d+)", record["request"]["path"]):
            if int(value) not in found:
                found.append(int(value))
    return found


def add_users(server: CvatTestServer, *names: str) -> None:
    """Create the recording's other users and log everyone in once, as they had been."""
    for name in names:
        server.add_user(name, USERS[name])
    for name in ("admin", *names):
        with server.sync_client() as http:
            response = http.post(
                "/api/auth/login", json={"username": name, "password": USERS[name]}
            )
        assert response.status_code == 200


@pytest.fixture
def admin_http(cvat_server: CvatTestServer) -> httpx.Client:
    """An admin client for setting scenarios up (not recorded)."""
    return cvat_server.sync_client(auth=("admin", "admin"), base_url="http://127.0.0.1:18080")


def running_polls(replay: Replay) -> None:
    """Mark polls recorded while their request was still queued or running."""
    for record in replay.records:
        body = record["response"]["body"]
        if isinstance(body, dict) and body.get("status") in ("queued", "started"):
            replay.loose[record["seq"]] = RUNNING


def test_06_export_and_download(cvat_server: CvatTestServer, admin_http: httpx.Client) -> None:
    replay = Replay(cvat_server, "06-export-and-download")
    task = make_task(admin_http, cvat_server, "rec17174-export", shapes=True)
    replay.ids.update({recorded_ids(replay, "tasks")[0]: task["id"]})
    replay.ids.update({recorded_ids(replay, "jobs")[0]: task["jobs"][0]})
    running_polls(replay)

    # the same export posted twice at once: the second must find the first still running
    def hold() -> None:
        cvat_server.worker.hold()  # the worker waits until record 14

    # the test server serves two formats where CVAT lists 31 importers and 33 exporters
    replay.loose[1] = {"length", "name"}
    replay.hooks[12] = hold
    replay.hooks[14] = cvat_server.worker.release
    replay.run()
    replay.check()


def test_07_backup_restore(cvat_server: CvatTestServer, admin_http: httpx.Client) -> None:
    replay = Replay(cvat_server, "07-backup-restore")
    task = make_task(admin_http, cvat_server, "rec17174-backup", shapes=True)
    replay.ids[recorded_ids(replay, "tasks")[0]] = task["id"]
    running_polls(replay)
    replay.run()
    replay.check()


def test_08_annotations_import(cvat_server: CvatTestServer, admin_http: httpx.Client) -> None:
    replay = Replay(cvat_server, "08-annotations-import")
    task = make_task(admin_http, cvat_server, "rec17174-import", shapes=True)
    replay.ids[recorded_ids(replay, "tasks")[0]] = task["id"]
    # the COCO zip was exported from the task before the recording, then its annotations deleted
    params = {"format": "COCO 1.0", "save_images": "false"}
    rq_id = admin_http.post(f"/api/tasks/{task['id']}/dataset/export", params=params).json()
    assert cvat_server.wait_idle()
    status = admin_http.get(f"/api/requests/{rq_id['rq_id']}").json()
    coco = admin_http.get(status["result_url"]).content
    assert admin_http.delete(f"/api/tasks/{task['id']}/annotations").status_code == 204
    junk = io.BytesIO()
    with zipfile.ZipFile(junk, "w") as archive:
        archive.writestr("readme.txt", "not a dataset")
    replay.files.update({"coco_annotations.zip": coco, 1413: coco, 131: junk.getvalue()})
    replay.sizes[1413] = len(coco)
    running_polls(replay)
    replay.run()
    replay.check()


def sized_zip(total: int, count: int, size: tuple[int, int]) -> bytes:
    """A zip of ``count`` JPEGs (``noise_NN.jpg``) padded to exactly ``total`` bytes.

    The padding follows each image's end marker, where decoders ignore it; the archive stores
    the files uncompressed, so its size is known before it is written.
    """
    images = [jpeg(i % 3, size) for i in range(count)]

    def build(pad: int) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
            for i, image in enumerate(images):
                extra = pad // count + (pad % count if i == count - 1 else 0)
                info = zipfile.ZipInfo(f"noise_{i:02}.jpg", date_time=(2026, 1, 1, 0, 0, 0))
                archive.writestr(info, image + bytes(extra))
        return buf.getvalue()

    bare = len(build(0))
    data = build(total - bare)
    assert len(data) == total
    return data


def test_03_task_create_upload(cvat_server: CvatTestServer) -> None:
    replay = Replay(cvat_server, "03-task-create-upload")
    multipart = replay.records[4]["request"]["body"]["parts"]
    sizes = [part["value"]["length"] for part in multipart if part.get("filename")]
    replay.files.update({length: jpeg(i) for i, length in enumerate(sizes)})
    tus_length = int(header(replay.records[13]["request"]["headers"], "upload-length") or 0)
    replay.files[tus_length] = sized_zip(tus_length, 12, (1600, 1200))
    running_polls(replay)
    replay.run()
    replay.check()


@pytest.mark.parametrize("scenario", ["04-frames-chunks-preview", "05-annotations"])
def test_04_05_task_data(
    scenario: str, cvat_server: CvatTestServer, admin_http: httpx.Client
) -> None:
    replay = Replay(cvat_server, scenario)
    task = make_task(admin_http, cvat_server, "replay")
    replay.ids[recorded_ids(replay, "tasks")[0]] = task["id"]
    replay.ids[recorded_ids(replay, "jobs")[0]] = task["jobs"][0]
    replay.run()
    replay.check()


def test_09_pagination_filter_errors(cvat_server: CvatTestServer, admin_http: httpx.Client) -> None:
    replay = Replay(cvat_server, "09-pagination-filter-errors", passwords=USERS)
    add_users(cvat_server, "user1")
    # eight tasks other clients had left on the server, then the scenario's three
    for i in range(8):
        admin_http.post("/api/tasks", json={"name": f"leftover-{i}", "labels": LABELS})
    for name, recorded in zip(("alpha", "beta", "gamma"), (109, 110, 111), strict=True):
        task = admin_http.post(
            "/api/tasks", json={"name": f"rec17174-page-{name}", "labels": LABELS}
        )
        replay.ids[recorded] = task.json()["id"]
    # page 2 of all tasks ends with a leftover task of another client (its name and jobs)
    replay.loose[2] = {"name", "count"}
    replay.run()
    replay.check()


def test_10_organizations(cvat_server: CvatTestServer) -> None:
    replay = Replay(cvat_server, "10-organizations", passwords=USERS)
    add_users(cvat_server, "user1")
    replay.users[33] = "admin"  # the admin invites; user1 takes over in the same step
    replay.run()
    replay.check()


def test_11_server(cvat_server: CvatTestServer) -> None:
    replay = Replay(cvat_server, "11-server", passwords=USERS)
    add_users(cvat_server, "user1")
    # the recording keeps only the first 8 KB of DRF's metadata, whose field descriptions
    # (``actions``) the test server does not serve; #4 checks the metadata's own shape
    replay.loose[23] = {"body"}
    replay.run()
    replay.check()


def test_01_login_session_csrf(cvat_server: CvatTestServer) -> None:
    replay = Replay(cvat_server, "01-login-session-csrf")
    replay.run()
    replay.check()


def auth_modes(replay: Replay, record: dict[str, Any]) -> str | None:
    """Scenario 02's credentials: the login's legacy key and the access tokens by step."""
    auth = header(record["request"]["headers"], "authorization")
    step = record["step"]
    if auth is None or auth.startswith("Basic"):
        return basic_by_step(replay, record)
    if "bogus" in step:
        return auth.replace("***", "bogus-value")
    if auth.startswith("Token"):
        return f"Token {replay.secrets['token']}"
    name = "past" if "expired" in step else "default" if "read-only" in step else "rw"
    return f"Bearer {replay.secrets[f'pat:rec17317-pat-{name}']}"


def test_02_auth_modes(cvat_server: CvatTestServer) -> None:
    replay = Replay(cvat_server, "02-auth-modes", credentials=auth_modes)
    add_users(cvat_server)
    # two access tokens other clients had made before (recorded ids 1 and 2)
    with cvat_server.sync_client(
        auth=("admin", "admin"), base_url="http://127.0.0.1:18080"
    ) as http:
        for name, recorded in (("acc155949-pat", 1), ("acc621594-pat", 2)):
            token = http.post("/api/auth/access_tokens", json={"name": name, "read_only": False})
            replay.ids[recorded] = token.json()["id"]
    replay.run()
    replay.check()
