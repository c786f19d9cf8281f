"""A ProgressReporter subclass implementing only start2/advance/finish, as cvat-sdk asks."""

import os
from pathlib import Path

from cvat_sdk import make_client
from cvat_sdk.core.progress import NullProgressReporter, ProgressReporter


class Recorder(ProgressReporter):
    def __init__(self):
        self.events = []
        self.total = None
        self.done = 0

    def start2(self, total, *, desc=None, unit="it", unit_scale=False, unit_divisor=1000, **kw):
        self.events.append("start")
        self.total = total
        self.done = 0

    def advance(self, delta):
        self.done += delta

    def finish(self):
        self.events.append("finish")


recorder = Recorder()
with recorder.task(total=3, desc="items"):
    seen = list(recorder.iter(["a", "b", "c"]))
assert seen == ["a", "b", "c"] and recorder.done == 3
print(recorder.events, recorder.total, recorder.done)

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    upload = Recorder()
    task = client.tasks.create_from_data(
        {"name": "progress", "labels": [{"name": "x"}]}, images, pbar=upload
    )
    assert upload.events and upload.events[0] == "start" and upload.events[-1] == "finish"
    assert upload.done == upload.total > 0
    download = Recorder()
    backup = Path("backup.zip")
    task.download_backup(backup, pbar=download)
    assert download.done == download.total == backup.stat().st_size
    print("upload and download reported", upload.events[-1], download.events[-1])
    task.download_backup(Path("quiet.zip"), pbar=NullProgressReporter())
    print(Path("quiet.zip").stat().st_size == backup.stat().st_size)
