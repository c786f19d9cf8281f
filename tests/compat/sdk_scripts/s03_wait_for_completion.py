"""client.wait_for_completion returns (request, response); low-level exports."""

import json
import os
from pathlib import Path

from cvat_sdk import make_client

images = sorted(str(p) for p in (Path(os.environ["CORPUS_DATA"]) / "images").glob("*.jpg"))
with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    client.config.status_check_period = 0.01
    task = client.tasks.create_from_data({"name": "wait", "labels": [{"name": "a"}]}, images)
    rq, _ = client.api_client.tasks_api.create_dataset_export(
        id=task.id, format="CVAT for images 1.1", save_images=False
    )
    request, response = client.wait_for_completion(rq.rq_id, status_check_period=0.01)
    assert response.status == 200
    body = json.loads(response.data)
    assert body["status"] == "finished"
    assert request.status.value == "finished"
    print(request.id == rq.rq_id, request.status.value, body["status"], request.operation.type)
    assert request.result_url
