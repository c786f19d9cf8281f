"""The low-level client: (data, response) pairs, response.status/.data, to_json, errors."""

import json
import os

from cvat_sdk import make_client
from cvat_sdk.api_client import ApiException, exceptions, models
from cvat_sdk.api_client.model_utils import to_json

with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    api = client.api_client
    created, response = api.projects_api.create(
        models.ProjectWriteRequest(name="low", labels=[models.PatchedLabelRequest(name="l")])
    )
    assert response.status == 201
    project, response = api.projects_api.retrieve(created.id)
    body = json.loads(response.data)
    assert body["name"] == project.name == "low"
    as_json = to_json(project)
    assert as_json["id"] == project.id and as_json["name"] == "low"
    print(response.status, body["id"], as_json["name"], sorted(as_json)[:4])

    page, response = api.projects_api.list(page_size=1)
    print(page.count, len(page.results), response.status)

    try:
        api.projects_api.retrieve(987654)
    except exceptions.NotFoundException as e:
        status = e.status
        print("not found", status)
    assert status == 404
    try:
        api.tasks_api.retrieve(987654)
    except ApiException as e:
        print("api exception", e.status, isinstance(e, exceptions.OpenApiException))
    _, response = api.projects_api.destroy(created.id)
    print("deleted", response.status)
