"""Replays of recorded CVAT 2.73 exchanges (``../shared/cvat-exchanges`` beside the project).

For each recorded exchange that needs no prior state (public endpoints, error cases on missing
objects, negotiation, pagination of empty lists, ...), the same request is sent to a fresh test
server and the status code, the content type and the body shape must match the recording.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cvat_client.testing import CvatTestServer

from .replay import shape, shape_fits

_ROOT = Path(__file__).resolve().parents[3] / "shared" / "cvat-exchanges"
_SKIP_HEADERS = {"host", "content-length", "connection", "accept-encoding", "authorization", "cookie",
                 "x-csrftoken", "user-agent", "origin"}  # fmt: skip
# Requests whose answer does not depend on objects created earlier in the scenario.
_STATELESS = re.compile(
    r"^/api/(server/(about|plugins|annotation/formats|share)|schema/?|server/health/?|api|"
    r"tasks/99999999.*|tasks/abc|no-such-endpoint|tasks\?page_size=abc.*|"
    r"requests/(not-a-request|action%3Dexport%26target%3Dtask%26target_id%3D99999999.*)|"
    r"users/self|auth/login|tasks|projects\?search=[^&]*&org(_id)?=(99999999)?)$"
)
_STATEFUL_STEPS = ("cleanup", "after logout", "revoked", "logout", "legacy token", "expired",
                   "X-Forwarded", "Host", "bogus bearer", "access_tokens")  # fmt: skip


def _records() -> list[tuple[str, dict[str, Any]]]:
    if not _ROOT.is_dir():
        return []
    found = []
    for path in sorted(_ROOT.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            request = record["request"]
            names = {h[0].lower() for h in request["headers"]}
            auth = next((v for k, v in request["headers"] if k.lower() == "authorization"), "")
            if (
                "cookie" in names
                or "x-organization" in names
                or (auth and not auth.startswith("Basic"))
            ):
                continue
            if any(s.lower() in record["step"].lower() for s in _STATEFUL_STEPS):
                continue
            if request["method"] not in ("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"):
                continue
            if not _STATELESS.match(request["path"]):
                continue
            if request["path"] == "/api/tasks" and request["method"] == "GET" and auth:
                continue
            found.append((f"{path.stem}#{record['seq']}", record))
    return found


def _body(record: dict[str, Any]) -> tuple[bytes | None, dict[str, str]]:
    body = record["request"]["body"]
    password = '"nope"' if "wrong password" in record["step"] else '"admin"'
    if body is None:
        return None, {}
    if isinstance(body, dict) and "form" in body:
        return "&".join(f"{k}={'admin' if v == '***' else v}" for k, v in body["form"]).encode(), {}
    if isinstance(body, (dict, list)):
        data = json.dumps(body).replace('"***"', password)
        return data.encode(), {}
    return str(body).encode(), {}


RECORDS = _records()


@pytest.mark.skipif(not RECORDS, reason="recordings not available")
@pytest.mark.parametrize(("name", "record"), RECORDS, ids=[n for n, _ in RECORDS])
def test_replay(name: str, record: dict[str, Any], cvat_server: CvatTestServer) -> None:
    request, expected = record["request"], record["response"]
    headers = {k: v for k, v in request["headers"] if k.lower() not in _SKIP_HEADERS}
    auth = next((v for k, v in request["headers"] if k.lower() == "authorization"), None)
    if auth is not None:
        wrong = "wrong password" in record["step"]
        secret = "admin:nope" if wrong else "admin:admin"
        headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    content, _ = _body(record)
    with cvat_server.sync_client(base_url="http://127.0.0.1:18080") as http:
        response = http.request(
            request["method"], request["path"], content=content, headers=headers
        )
    assert response.status_code == expected["status"], response.text[:300]
    got_type = response.headers.get("content-type", "").split(";")[0]
    want_type = next((v for k, v in expected["headers"] if k.lower() == "content-type"), "").split(
        ";"
    )[0]
    assert got_type == want_type
    for header in ("www-authenticate", "location"):
        want = next((v for k, v in expected["headers"] if k.lower() == header), None)
        if want is not None and not want.startswith("http"):
            assert response.headers.get(header) == want
    body = expected["body"]
    if want_type.endswith("json") and isinstance(body, (dict, list, str)) and "omitted" not in body:
        actual = response.json()
        if expected["status"] >= 400:
            assert actual == body
        elif isinstance(body, dict) and "count" in body:
            assert set(actual) == set(body)
        elif isinstance(body, str) and "[truncated" in body:
            # the recording kept only the start of a long text: the kind of body only
            assert isinstance(actual, (dict, list))
        else:
            assert shape_fits(shape(actual), shape(body)), (shape(actual), shape(body))


def test_shapes_cover_every_list_item() -> None:
    recorded = shape({"results": [{"id": 1, "name": "a"}, {"id": 2, "name": None}]})
    assert shape_fits(shape({"results": [{"id": 3, "name": "b"}] * 3}), recorded)
    # a wrong second item is seen, not only the first
    wrong = {"results": [{"id": 3, "name": "b"}, {"id": "4", "name": "c"}]}
    assert not shape_fits(shape(wrong), recorded)
    assert not shape_fits(shape({"results": [{"id": 3}]}), recorded)
    assert not shape_fits(shape({"results": [1]}), shape({"results": []}))
