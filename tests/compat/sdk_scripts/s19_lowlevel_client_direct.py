"""The low-level ApiClient made directly from a Configuration, as cvat-sdk's examples do."""

import json
import os

from cvat_sdk.api_client import ApiClient, Configuration, exceptions, models

configuration = Configuration(
    host=os.environ["CORPUS_URL"],
    username=os.environ["CORPUS_USER"],
    password=os.environ["CORPUS_PASSWORD"],
)
with ApiClient(configuration) as api_client:
    labels = [models.PatchedLabelRequest(name="car", color="#ff0000")]
    task, response = api_client.tasks_api.create(
        models.TaskWriteRequest(name="direct", labels=labels)
    )
    assert response.status == 201
    print("created", task.name, task.status.value if hasattr(task.status, "value") else task.status)

    updated, _ = api_client.tasks_api.partial_update(
        task.id, patched_task_write_request=models.PatchedTaskWriteRequest(name="renamed")
    )
    print("renamed", updated.name)

    page, _ = api_client.tasks_api.list(search="ren", page_size=10)
    print("found", [t.name for t in page.results])

    labels_page, _ = api_client.labels_api.list(task_id=task.id)
    print("labels", [(label.name, label.color) for label in labels_page.results])

    _, response = api_client.tasks_api.retrieve(task.id, _parse_response=False)
    print("raw", json.loads(response.data)["name"], response.status)

    try:
        api_client.tasks_api.retrieve(task.id + 100)
    except exceptions.NotFoundException as e:
        print("missing", e.status, json.loads(e.body) if e.body else None)

    api_client.tasks_api.destroy(task.id)
    page, _ = api_client.tasks_api.list()
    assert page.count == 0
    print("count", page.count)
