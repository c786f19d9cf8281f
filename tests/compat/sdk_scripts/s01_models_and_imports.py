"""Models from cvat_sdk.models, the package's top-level names, and the version module."""

import os

import cvat_sdk
from cvat_sdk import Client, Config, make_client, models
from cvat_sdk.api_client import models as api_models
from cvat_sdk.version import VERSION

assert isinstance(VERSION, str) and VERSION
assert cvat_sdk.__version__ == VERSION
assert models.ProjectWriteRequest is api_models.ProjectWriteRequest
assert issubclass(Client, object) and Config().allow_unsupported_server is True

with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    assert isinstance(client, Client)
    spec = models.ProjectWriteRequest(
        name="animals",
        labels=[models.PatchedLabelRequest(name="cat"), models.PatchedLabelRequest(name="dog")],
    )
    project = client.projects.create(spec)
    assert isinstance(project.id, int)
    print(project.id, project.name)
    print(sorted(label.name for label in project.get_labels()))
    about, _ = client.api_client.server_api.retrieve_about()
    print(about.name, about.version)
