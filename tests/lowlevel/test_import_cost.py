"""Importing the client and reaching an API stays cheap: models load on first use."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from .conftest import ROOT

PROBE = textwrap.dedent(
    """
    import json, sys

    def models():
        return sorted(m for m in sys.modules if m.startswith("cvat_client.api_client.models."))

    steps = {}
    import cvat_client
    steps["import cvat_client"] = models()
    from cvat_client.api_client import ApiClient, Configuration
    steps["import ApiClient"] = models()
    client = ApiClient(Configuration("http://localhost:8080", username="u", password="p"))
    api = client.tasks_api
    endpoint = api.create_data_endpoint
    steps["tasks_api"] = models()
    from cvat_client.api_client import models as m
    steps["models package"] = models()
    task_read = m.TaskRead
    steps["TaskRead"] = models()
    steps["TaskRead module"] = task_read.__module__
    steps["total model modules"] = len(m.__all__)
    print(json.dumps(steps))
    """
)


def test_models_are_imported_lazily() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    steps = json.loads(result.stdout)
    assert steps["import cvat_client"] == []
    assert steps["import ApiClient"] == []
    assert steps["tasks_api"] == []
    assert steps["models package"] == []
    loaded = steps["TaskRead"]
    assert "cvat_client.api_client.models.task_read" in loaded
    assert steps["TaskRead module"] == "cvat_client.api_client.models.task_read"
    # Only TaskRead and what it refers to, not the whole package.
    assert steps["total model modules"] > 200
    assert 1 <= len(loaded) < 30, loaded
