"""Exceptions as cvat-sdk raises them, caught by their cvat-sdk names."""

import os

from cvat_sdk import exceptions, make_client
from cvat_sdk.api_client import ApiException, ApiTypeError, ApiValueError
from cvat_sdk.api_client import exceptions as api_exceptions
from cvat_sdk.core.exceptions import (
    BackgroundRequestException,
    CvatSdkException,
    InvalidHostException,
)

try:
    make_client("ftp://example.com")
except InvalidHostException as e:
    print("invalid host", isinstance(e, CvatSdkException))

try:
    make_client(os.environ["CORPUS_URL"], credentials=(os.environ["CORPUS_USER"], "wrong"))
except ApiException as e:
    print("login refused", isinstance(e, exceptions.ApiException))

assert issubclass(ApiTypeError, TypeError) and issubclass(ApiValueError, ValueError)
assert issubclass(BackgroundRequestException, CvatSdkException)
assert exceptions.CvatSdkException is CvatSdkException

with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    for call in (
        lambda: client.tasks.retrieve(424242),
        lambda: client.projects.retrieve(424242),
        lambda: client.jobs.retrieve(424242),
    ):
        try:
            call()
        except api_exceptions.NotFoundException as e:
            print("missing", e.status)
    try:
        client.projects.create({"labels": [{"name": "no project name"}]})
    except TypeError:
        print("a project needs a name")
    try:
        client.tasks.create({"name": "t", "labels": [{"name": "x"}], "project_id": 55555})
    except ApiException as e:
        print("bad project", e.status)
