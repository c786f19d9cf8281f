"""No module is imported on the server's worker or event-loop threads.

Python 3.11 has crashed with a ``SystemError`` when two threads imported at once, so every
module the server needs is imported when the server is created. The check runs in a fresh
interpreter (in this process everything is long imported) with a ``sys.meta_path`` finder
that records which thread asked for a module that was not loaded yet.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import io, json, sys, threading
    from urllib.parse import quote
    from PIL import Image

    from cvat_client.testing import CvatTestServer

    def jpeg(color):
        buf = io.BytesIO()
        Image.new("RGB", (32, 24), color).save(buf, format="JPEG")
        return buf.getvalue()

    server = CvatTestServer()
    http = server.sync_client(auth=("admin", "admin"))
    http.get("/api/server/about")
    seen = []

    class Recorder:
        def find_spec(self, name, path=None, target=None):
            thread = threading.current_thread().name
            if thread != "MainThread":
                seen.append((thread, name))
            return None

    sys.meta_path.insert(0, Recorder())

    def wait(rq_id):
        assert server.wait_idle()
        body = http.get("/api/requests/" + quote(rq_id, safe="")).json()
        assert body["status"] == "finished", body
        return body

    project = http.post(
        "/api/projects", json={"name": "p", "labels": [{"name": "car"}]}
    ).json()
    task = http.post("/api/tasks", json={"name": "t", "project_id": project["id"]}).json()
    files = [(f"client_files[{i}]", (f"{i}.jpg", jpeg((i * 60, 0, 0)), "image/jpeg"))
             for i in range(3)]
    rq = http.post(f"/api/tasks/{task['id']}/data/", files=files,
                   data={"image_quality": "70"}).json()["rq_id"]
    wait(rq)
    label = http.get("/api/labels", params={"project_id": project["id"]}).json()["results"][0]
    http.put(f"/api/tasks/{task['id']}/annotations", json={"shapes": [
        {"type": "rectangle", "frame": 0, "label_id": label["id"], "points": [1, 1, 9, 9]}
    ]})
    http.patch(f"/api/tasks/{task['id']}/data/meta", json={"deleted_frames": [2]})
    http.get(f"/api/tasks/{task['id']}/data", params={"type": "chunk", "number": 0})
    http.get(f"/api/tasks/{task['id']}/data", params={"type": "frame", "number": 0})
    http.get(f"/api/tasks/{task['id']}/preview")
    archives = {}
    for fmt in ("COCO 1.0", "CVAT for images 1.1"):
        rq = http.post(f"/api/projects/{project['id']}/dataset/export",
                       params={"format": fmt, "save_images": "true"}).json()["rq_id"]
        archives[fmt] = http.get(wait(rq)["result_url"]).content
    rq = http.post(f"/api/tasks/{task['id']}/backup/export").json()["rq_id"]
    backup = http.get(wait(rq)["result_url"]).content
    rq = http.post("/api/tasks/backup/", files={"task_file": ("b.zip", backup)}).json()["rq_id"]
    wait(rq)
    rq = http.post(f"/api/tasks/{task['id']}/annotations/", params={"format": "COCO 1.0"},
                   files={"annotation_file": ("a.zip", archives["COCO 1.0"])}).json()["rq_id"]
    wait(rq)
    for fmt, name in (("COCO 1.0", "COCO 1.0"), ("CVAT for images 1.1", "CVAT 1.1")):
        target = http.post("/api/projects", json={"name": "copy"}).json()
        rq = http.post(f"/api/projects/{target['id']}/dataset/", params={"format": name},
                       files={"dataset_file": ("d.zip", archives[fmt])}).json()["rq_id"]
        wait(rq)
        http.get(f"/api/projects/{target['id']}/preview")
    http.close()
    server.close()
    print(json.dumps(seen))
    """
)


def test_no_imports_on_server_threads() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = done.stdout.strip().splitlines()[-1]
    assert seen == "[]", f"imported on a server thread: {seen}"
