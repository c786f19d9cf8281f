"""Pagination, filters, errors (recording 09) and organization visibility (recording 10)."""

from __future__ import annotations

import json

import httpx

from cvat_client.testing import CvatTestServer


def _tasks(http: httpx.Client, names: list[str]) -> list[int]:
    return [
        http.post("/api/tasks", json={"name": n, "labels": [{"name": "a"}]}).json()["id"]
        for n in names
    ]


def test_pagination_edges(cvat_http: httpx.Client) -> None:
    ids = _tasks(cvat_http, ["p-alpha", "p-beta", "p-gamma"])
    first = cvat_http.get("/api/tasks?search=p-&page_size=2").json()
    assert first["count"] == 3
    assert [t["id"] for t in first["results"]] == ids[::-1][:2]
    assert first["next"] == "http://testserver/api/tasks?page=2&page_size=2&search=p-"
    second = cvat_http.get("/api/tasks?search=p-&page_size=2&page=2").json()
    assert second["previous"] == "http://testserver/api/tasks?page_size=2&search=p-"
    assert second["next"] is None
    last = cvat_http.get("/api/tasks?search=p-&page_size=2&page=last").json()
    assert [t["id"] for t in last["results"]] == [ids[0]]
    for page in ("3", "0", "abc"):
        response = cvat_http.get(f"/api/tasks?search=p-&page_size=2&page={page}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page."}
    for size in ("0", "abc"):
        assert cvat_http.get(f"/api/tasks?page_size={size}").json()["count"] == 3


def test_forwarded_host_builds_urls(cvat_http: httpx.Client) -> None:
    page = cvat_http.get(
        "/api/users?page_size=1",
        headers={"X-Forwarded-Host": "fwd.example.test", "X-Forwarded-Proto": "https"},
    ).json()
    assert page["results"][0]["url"] == "https://fwd.example.test/api/users/1"


def test_filter_search_sort(cvat_http: httpx.Client) -> None:
    ids = _tasks(cvat_http, ["b-task", "a-task", "c-task"])
    expr = json.dumps({"and": [{">=": [{"var": "id"}, ids[1]]}, {"<=": [{"var": "id"}, ids[2]]}]})
    page = cvat_http.get("/api/tasks", params={"filter": expr, "sort": "-id"}).json()
    assert [t["id"] for t in page["results"]] == [ids[2], ids[1]]
    named = cvat_http.get(
        "/api/tasks", params={"filter": json.dumps({"==": [{"var": "name"}, "a-task"]})}
    )
    assert [t["name"] for t in named.json()["results"]] == ["a-task"]
    bad = cvat_http.get("/api/tasks", params={"filter": "{not json"})
    assert bad.status_code == 400
    assert bad.json() == [
        "filter: can't parse filter expression: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    ]
    unknown = cvat_http.get(
        "/api/tasks", params={"filter": json.dumps({"==": [{"var": "nonexistent"}, 1]})}
    )
    assert unknown.json() == ["filter: term 'nonexistent' is not supported"]
    by_name = cvat_http.get("/api/tasks?sort=name").json()["results"]
    assert [t["name"] for t in by_name] == ["a-task", "b-task", "c-task"]
    assert [t["id"] for t in cvat_http.get("/api/tasks?sort=bogus").json()["results"]] == ids[::-1]
    assert cvat_http.get("/api/tasks?name=c-task").json()["count"] == 1


def test_error_shapes(cvat_http: httpx.Client) -> None:
    cases = [
        ({"labels": [{"name": "a"}]}, {"name": ["This field is required."]}),
        (
            {"name": "x", "segment_size": -1, "labels": [{"name": "a"}]},
            {"segment_size": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"name": "x", "segment_size": "x", "labels": [{"name": "a"}]},
            {"segment_size": ["A valid integer is required."]},
        ),
        (
            {"name": "x", "labels": [{"color": "#ff0000"}]},
            {"labels": [{"name": ["This field is required."]}]},
        ),
    ]
    for body, expected in cases:
        response = cvat_http.post("/api/tasks", json=body)
        assert response.status_code == 400
        assert response.json() == expected
    broken = cvat_http.post(
        "/api/tasks", content=b"{bad", headers={"Content-Type": "application/json"}
    )
    assert broken.json()["detail"].startswith("JSON parse error - ")
    array = cvat_http.post("/api/tasks", json=[1])
    assert array.status_code == 500
    assert array.headers["content-type"].startswith("text/html")
    assert cvat_http.get("/api/tasks/99999999").json() == {
        "detail": "No Task matches the given query."
    }
    assert cvat_http.get("/api/tasks/abc").json() == {"detail": "Not found."}
    assert cvat_http.get("/api/tasks/").headers["content-type"].startswith("text/html")
    put = cvat_http.put("/api/server/about", json={})
    assert put.status_code == 405
    assert put.json() == {"detail": 'Method "PUT" not allowed.'}
    delete = cvat_http.delete("/api/tasks")
    assert delete.headers["allow"] == "GET, POST, HEAD, OPTIONS"
    assert cvat_http.get("/api/no-such-endpoint").status_code == 404
    redirect = cvat_http.get("/api/schema")
    assert redirect.status_code == 301
    assert redirect.headers["location"] == "/api/schema/"
    assert (
        cvat_http.get("/api/server/about", headers={"Accept": "application/json"}).status_code
        == 406
    )


def test_other_users_task_is_forbidden(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, client_for
) -> None:
    cvat_server.add_user("user1", "pw")
    (task_id,) = _tasks(cvat_http, ["secret"])
    user = client_for(auth=("user1", "pw"))
    for method in ("GET", "PATCH", "DELETE"):
        response = user.request(
            method, f"/api/tasks/{task_id}", json={} if method == "PATCH" else None
        )
        assert response.status_code == 403
    assert user.get("/api/tasks").json()["count"] == 0
    assert user.get("/api/tasks/99999999").status_code == 404


def test_organization_context(
    cvat_server: CvatTestServer, cvat_http: httpx.Client, client_for
) -> None:
    org = cvat_http.post("/api/organizations", json={"slug": "org1", "name": "Org"}).json()
    assert cvat_http.post("/api/organizations", json={"slug": "org1"}).json() == {
        "slug": ["organization with this slug already exists."]
    }
    assert cvat_http.post("/api/organizations", json={"slug": "bad slug!"}).status_code == 400
    in_org = cvat_http.post(
        "/api/projects", json={"name": "o1"}, headers={"X-Organization": "org1"}
    ).json()
    assert in_org["organization"] == org["id"]
    assert in_org["organization_id"] == org["id"]
    cvat_http.post("/api/projects", json={"name": "mine"}, headers={"X-Organization": ""})
    cvat_http.post("/api/projects?org=org1", json={"name": "o2"})
    count = lambda **kw: cvat_http.get("/api/projects", **kw).json()["count"]  # noqa: E731
    assert count() == 3
    assert count(headers={"X-Organization": "org1"}) == 2
    assert count(headers={"X-Organization": ""}) == 1
    assert count(params={"org_id": org["id"]}) == 2
    assert count(params={"org": ""}) == 1
    conflict = cvat_http.get("/api/projects?org=other", headers={"X-Organization": "org1"})
    assert conflict.status_code == 400
    assert cvat_http.get("/api/projects", headers={"X-Organization": "nope"}).json() == {
        "detail": "nope organization does not exist."
    }
    assert cvat_http.get("/api/projects?org_id=999").json() == {
        "detail": "999 organization does not exist."
    }

    cvat_server.add_user("user1", "pw", email="user1@localhost.localdomain")
    outsider = client_for(auth=("user1", "pw"))
    assert outsider.get(f"/api/projects/{in_org['id']}").status_code == 403
    assert outsider.get("/api/projects", headers={"X-Organization": "org1"}).status_code == 403
    assert outsider.get(f"/api/organizations/{org['id']}").status_code == 403
    assert outsider.get("/api/organizations").json()["count"] == 0
    assert outsider.get("/api/memberships?org=org1").status_code == 403
    assert (
        outsider.post(
            "/api/projects", json={"name": "x"}, headers={"X-Organization": "org1"}
        ).status_code
        == 403
    )

    invitation = cvat_http.post(
        "/api/invitations",
        json={"role": "worker", "email": "user1@localhost.localdomain"},
        headers={"X-Organization": "org1"},
    ).json()
    assert invitation["accepted"] is True
    again = outsider.post(f"/api/invitations/{invitation['key']}/accept")
    assert again.status_code == 400
    assert again.json() == "Your invitation is already accepted."
    assert outsider.get(f"/api/projects/{in_org['id']}").status_code == 403
    assert outsider.get("/api/memberships?org=org1").json()["count"] == 2

    unknown = cvat_http.post(
        "/api/invitations",
        json={"role": "maintainer", "email": "x@y.z"},
        headers={"X-Organization": "org1"},
    )
    assert unknown.status_code == 400
    members = cvat_http.get("/api/memberships", headers={"X-Organization": "org1"}).json()[
        "results"
    ]
    worker = next(m for m in members if m["role"] == "worker")
    cvat_http.patch(f"/api/memberships/{worker['id']}", json={"role": "supervisor"})
    assert outsider.get(f"/api/projects/{in_org['id']}").status_code == 200
    assert cvat_http.delete(f"/api/organizations/{org['id']}").status_code == 204
    assert cvat_http.get(f"/api/organizations/{org['id']}").json() == {
        "detail": "No Organization matches the given query."
    }
