"""Repository basics: list, retrieve, update, remove, remove_by_ids, labels."""

import json
import os
from pathlib import Path

from cvat_sdk import make_client
from cvat_sdk.core.proxies.tasks import Task

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    made = [client.tasks.create({"name": f"t{i}", "labels": [{"name": "a"}]}) for i in range(4)]
    assert all(isinstance(t, Task) for t in made)
    print(sorted(t.name for t in client.tasks.list()))
    task = client.tasks.retrieve(made[0].id)
    task.update({"name": "first", "bug_tracker": "http://bugs/1"})
    task.fetch()
    print(task.name, task.bug_tracker, str(task.id) in repr(task) or True)
    print(json.loads(client.tasks.list(return_json=True))[0].keys() >= {"id", "name"})
    client.tasks.remove_by_ids([made[1].id, made[2].id, 999999])
    print(sorted(t.name for t in client.tasks.list()))
    made[3].remove()
    print(sorted(t.name for t in client.tasks.list()), task.get_labels()[0].name)
    d = task.to_dict() if hasattr(task, "to_dict") else None
    print(sorted(t.name for t in client.tasks.list(search="fir")))
