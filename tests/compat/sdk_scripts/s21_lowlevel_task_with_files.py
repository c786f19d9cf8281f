"""The documented low-level flow: a task from a dict spec, its files sent as a multipart
form of open files, the background request polled with requests_api."""

import os
import time
from pathlib import Path

from cvat_sdk.api_client import ApiClient, Configuration, exceptions, models

images = sorted((Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
configuration = Configuration(
    host=os.environ["CORPUS_URL"],
    username=os.environ["CORPUS_USER"],
    password=os.environ["CORPUS_PASSWORD"],
)
with ApiClient(configuration) as api_client:
    task_spec = {
        "name": "example task",
        "labels": [
            {
                "name": "car",
                "color": "#ff00ff",
                "attributes": [
                    {
                        "name": "a",
                        "mutable": True,
                        "input_type": "number",
                        "default_value": "5",
                        "values": ["4", "5", "6"],
                    }
                ],
            }
        ],
    }
    try:
        (task, response) = api_client.tasks_api.create(task_spec)
    except exceptions.ApiException as e:
        raise SystemExit(f"Exception when trying to create a task: {e}") from e
    print("task", task.name, response.status)

    files = [open(path, "rb") for path in images]  # noqa: SIM115
    task_data = models.DataRequest(image_quality=75, client_files=files)
    (result, response) = api_client.tasks_api.create_data(
        task.id, data_request=task_data, _content_type="multipart/form-data"
    )
    for f in files:
        f.close()
    assert response.status == 202
    for _ in range(500):
        (request_details, response) = api_client.requests_api.retrieve(result.rq_id)
        status = request_details.status.value
        if status in ("finished", "failed"):
            break
        time.sleep(0.01)
    assert status == "finished", request_details.message
    print("data", status)

    (task, response) = api_client.tasks_api.retrieve(task.id)
    print("size", task.size)
    (meta, _) = api_client.tasks_api.retrieve_data_meta(task.id)
    print("frames", [frame.name for frame in meta.frames], meta.image_quality)
    (labels, _) = api_client.labels_api.list(task_id=task.id)
    attribute = labels.results[0].attributes[0]
    print("attribute", attribute.name, attribute.input_type.value, attribute.values)
