"""The test server answers malformed requests as CVAT 2.73 does, never with a crash.

The expected answers were recorded from a real CVAT 2.73 server.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from cvat_client.testing import CvatTestServer

JSON = {"Content-Type": "application/json"}

CASES: list[tuple[str, str, str, dict[str, str], Any, int, Any]] = [
    # name, method, path, headers, body, status, expected JSON (None: not checked)
    ("bad json", "POST", "/api/projects", JSON, b'{"name": ', 400,
     {"detail": "JSON parse error - Expecting value: line 1 column 10 (char 9)"}),
    ("list for labels", "POST", "/api/projects", JSON, {"name": 123, "labels": "x"}, 400,
     {"labels": {"non_field_errors": ['Expected a list of items but got type "str".']}}),
    ("list for name", "POST", "/api/projects", JSON,
     {"name": ["a"], "labels": [{"name": 5, "color": 7}]}, 400,
     {"name": ["Not a valid string."]}),
    ("text/plain", "POST", "/api/projects", {"Content-Type": "text/plain"}, b"name=x", 415,
     {"detail": 'Unsupported media type "text/plain" in request.'}),
    ("page=abc", "GET", "/api/tasks?page=abc", {}, None, 404, {"detail": "Invalid page."}),
    ("page=999", "GET", "/api/tasks?page=999", {}, None, 404, {"detail": "Invalid page."}),
    ("page_size=abc", "GET", "/api/tasks?page_size=abc", {}, None, 200,
     {"count": 0, "next": None, "previous": None, "results": []}),
    ("page_size=-1", "GET", "/api/tasks?page_size=-1", {}, None, 200,
     {"count": 0, "next": None, "previous": None, "results": []}),
    ("id=abc", "GET", "/api/tasks/abc", {}, None, 404, {"detail": "Not found."}),
    ("huge id", "GET", "/api/tasks/99999999999999999999", {}, None, 404,
     {"detail": "No Task matches the given query."}),
    ("unknown sort", "GET", "/api/tasks?sort=nonexistent", {}, None, 200,
     {"count": 0, "next": None, "previous": None, "results": []}),
    ("bad filter", "GET", "/api/tasks?filter={bad", {}, None, 400,
     ["filter: can't parse filter expression: Expecting property name enclosed in double "
      "quotes: line 1 column 2 (char 1)"]),
    ("bad range", "GET", "/api/server/about", {"Range": "bytes=5-1"}, None, 200, None),
    ("invalid utf-8", "POST", "/api/projects", JSON, b'{"name": "\xff"}', 400,
     {"detail": "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 10: "
                "invalid start byte"}),
    ("empty body", "POST", "/api/projects", JSON, b"", 400, {"name": ["This field is required."]}),
    ("NaN", "POST", "/api/projects", JSON, b'{"name": NaN}', 400,
     {"detail": "JSON parse error - Out of range float values are not JSON compliant: 'NaN'"}),
    ("BOM", "POST", "/api/projects", JSON, b'\xef\xbb\xbf{"name": "p"}', 400,
     {"detail": "JSON parse error - Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 "
                "column 1 (char 0)"}),
    ("deep nesting", "POST", "/api/projects", JSON, b"[" * 5000 + b"]" * 5000, 500, None),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_request_is_answered_like_cvat(cvat_server: CvatTestServer, case: Any) -> None:
    _, method, path, headers, body, status, expected = case
    with cvat_server.sync_client(auth=("admin", "admin")) as http:
        kwargs: dict[str, Any] = {"headers": headers}
        if isinstance(body, bytes):
            kwargs["content"] = body
        elif body is not None:
            kwargs["content"] = json.dumps(body).encode()
        response = http.request(method, path, **kwargs)
    assert response.status_code == status, response.text[:300]
    if expected is not None:
        assert response.json() == expected


def test_unknown_fields_are_ignored_and_null_name_refused(cvat_server: CvatTestServer) -> None:
    with cvat_server.sync_client(auth=("admin", "admin")) as http:
        created = http.post("/api/projects", json={"name": "p", "unknown_field": 1})
        assert created.status_code == 201 and "unknown_field" not in created.json()
        pid = created.json()["id"]
        refused = http.patch(f"/api/projects/{pid}", json={"name": None})
        assert refused.status_code == 400
        assert refused.json() == {"name": ["This field may not be null."]}
        cut = http.patch(f"/api/projects/{pid}", content=b"{", headers=JSON)
        assert cut.status_code == 400 and cut.json()["detail"].startswith("JSON parse error")
        # a JSON array where an object is due: CVAT 2.73 fails with its HTML 500 page
        array = http.post("/api/projects", content=b"[1, 2]", headers=JSON)
        assert array.status_code == 500 and "Server Error (500)" in array.text


def test_oversized_body_is_refused_before_it_is_read(
    cvat_server: CvatTestServer, cvat_live_server: Any
) -> None:
    host, port = "127.0.0.1", cvat_live_server.port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2147483648\r\n\r\n{"
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


#: Range header -> (status, Content-Range, body) of a 439-byte chunk, as CVAT 2.73 answers.
RANGES: list[tuple[str, int, str | None, bytes | None]] = [
    ("bytes=0-9", 206, "bytes 0-9/{total}", None),
    ("bytes=-5", 206, "bytes {last5}/{total}", None),
    ("bytes=999999-", 416, "bytes */{total}", b""),
    ("bytes=5-1", 416, "bytes */{total}", b""),
    ("bytes=abc", 400, None, b"Invalid Range header"),
    ("bytes=0-1,3-4", 400, None, b"Invalid Range header"),
    ("items=0-5", 200, None, None),
]


def test_bad_ranges_of_data_chunks_are_answered_like_cvat(
    cvat_server: CvatTestServer, tmp_path: Any
) -> None:
    from cvat_client.core.client import Config, make_client
    from cvat_client.testing.bridge import ASGIBridgeTransport
    from tests.core.conftest import make_image

    (tmp_path / "a.png").write_bytes(make_image(fmt="PNG"))
    with make_client(
        "http://testserver",
        credentials=("admin", "admin"),
        config=Config(status_check_period=0.01),
        transport=ASGIBridgeTransport(cvat_server.app),
    ) as client:
        task = client.tasks.create_from_data({"name": "r", "labels": [{"name": "a"}]}, [tmp_path])
    path = f"/api/tasks/{task.id}/data?type=chunk&number=0&quality=original"
    with cvat_server.sync_client(auth=("admin", "admin")) as http:
        whole = http.get(path)
        total = len(whole.content)
        last5 = f"{total - 5}-{total - 1}"
        for header, status, content_range, body in RANGES:
            answer = http.get(path, headers={"Range": header})
            assert answer.status_code == status, header
            expected = content_range.format(total=total, last5=last5) if content_range else None
            assert answer.headers.get("content-range") == expected, header
            if body is not None:
                assert answer.content == body, header
            if status != 400:
                assert answer.headers["accept-ranges"] == "bytes"


_NAN = "[ErrorDetail(string='Value must be a float or an integer', code='invalid')]"


def test_malformed_annotations_are_answered_like_cvat(cvat_server: CvatTestServer) -> None:
    with cvat_server.sync_client(auth=("admin", "admin")) as http:
        task = http.post("/api/tasks", json={"name": "a", "labels": [{"name": "car"}]}).json()
        labels = http.get("/api/labels", params={"task_id": task["id"]}).json()["results"]
        label_id = labels[0]["id"]
        url = f"/api/tasks/{task['id']}/annotations"

        def rect(points: Any) -> dict[str, Any]:
            shape = {"type": "rectangle", "frame": 0, "label_id": label_id, "points": points}
            return {"shapes": [shape]}

        cases: list[tuple[Any, int, Any]] = [
            ({"shapes": "x"}, 400,
             {"shapes": {"non_field_errors": ['Expected a list of items but got type "str".']}}),
            ({"shapes": [5]}, 400,
             {"shapes": [{"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}]}),
            (rect("1,2"), 400, {"shapes": [{"points": {"0": _NAN, "1": _NAN, "2": _NAN}}]}),
            (rect([1, "a", 3, None]), 400, {"shapes": [{"points": {"1": _NAN, "3": _NAN}}]}),
            (rect(5), 500, None),
            ([1, 2], 500, None),
            ({"shapes": [], "bogus": 1}, 200, None),
        ]  # fmt: skip
        for body, status, expected in cases:
            answer = http.put(url, json=body)
            assert answer.status_code == status, (body, answer.text[:200])
            if expected is not None:
                assert answer.json() == expected
            if status == 500:
                assert "Server Error (500)" in answer.text
