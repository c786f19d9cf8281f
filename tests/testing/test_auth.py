"""Authentication and CSRF rules, matched against the recordings (01, 02)."""

from __future__ import annotations

import base64

import httpx

from cvat_client.testing import CvatTestServer


def _login(http: httpx.Client) -> httpx.Response:
    return http.post("/api/auth/login", json={"username": "admin", "password": "admin"})


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_login_sets_three_cookies(client_for) -> None:
    http = client_for()
    response = _login(http)
    assert response.status_code == 200
    assert set(response.json()) == {"key"}
    cookies = response.headers.get_list("set-cookie")
    assert [c.split("=")[0] for c in cookies] == ["csrftoken", "sessionfresh", "sessionid"]
    assert "HttpOnly" not in cookies[0]
    assert "Max-Age=31449600" in cookies[0]
    assert "HttpOnly" in cookies[2]
    assert "Max-Age=1209600" in cookies[2]
    assert all("SameSite=Lax" in c and "Secure" not in c for c in cookies)


def test_login_by_email_and_errors(client_for) -> None:
    http = client_for()
    ok = http.post(
        "/api/auth/login",
        json={"username": "", "email": "admin@localhost.localdomain", "password": "admin"},
    )
    assert ok.status_code == 200
    http = client_for()
    wrong = http.post("/api/auth/login", json={"username": "admin", "password": "nope"})
    assert wrong.status_code == 400
    assert wrong.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    missing = http.post("/api/auth/login", json={"username": "admin"})
    assert missing.json() == ['Must include either "username" or "email" and "password".']
    form = http.post("/api/auth/login", data={"username": "admin", "password": "admin"})
    assert form.status_code == 415
    assert form.json() == {
        "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'
    }


def test_csrf_rules(client_for) -> None:
    http = client_for()
    _login(http)
    token = http.cookies["csrftoken"]
    assert http.get("/api/users/self").status_code == 200
    body = {"name": "p"}
    cases = [
        ({}, "CSRF Failed: CSRF token missing."),
        (
            {"X-CSRFToken": "wrong"},
            "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect.",
        ),
        (
            {"X-CSRFToken": token, "Origin": "http://evil.example"},
            "CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins.",
        ),
    ]
    for headers, message in cases:
        response = http.post("/api/projects", json=body, headers=headers)
        assert response.status_code == 403
        assert response.json() == {"detail": message}
    ok = http.post(
        "/api/projects", json=body, headers={"X-CSRFToken": token, "Origin": "http://testserver"}
    )
    assert ok.status_code == 201
    assert ok.headers["location"] == f"http://testserver/api/projects/{ok.json()['id']}"
    sid = http.cookies["sessionid"]
    bare = httpx.Client(transport=http._transport, base_url="http://testserver")
    no_cookie = bare.post(
        "/api/projects", json=body, headers={"X-CSRFToken": token, "Cookie": f"sessionid={sid}"}
    )
    assert no_cookie.json() == {"detail": "CSRF Failed: CSRF cookie not set."}
    assert http.post("/api/auth/logout").status_code == 403
    out = http.post("/api/auth/logout", headers={"X-CSRFToken": token})
    assert out.json() == {"detail": "Successfully logged out."}
    assert [c.split("=")[0] for c in out.headers.get_list("set-cookie")] == [
        "sessionfresh",
        "sessionid",
    ]
    dead = bare.get("/api/users/self", headers={"Cookie": f"sessionid={sid}"})
    assert dead.status_code == 401
    assert dead.headers["www-authenticate"] == "Token"
    assert dead.json() == {"detail": "Authentication credentials were not provided."}


def test_sessions_are_independent(client_for) -> None:
    first, second = client_for(), client_for()
    _login(first)
    _login(second)
    first.post("/api/auth/logout", headers={"X-CSRFToken": first.cookies["csrftoken"]})
    assert second.get("/api/users/self").status_code == 200


def test_basic_and_legacy_token(cvat_server: CvatTestServer, client_for) -> None:
    http = client_for()
    bad = http.get("/api/users/self", headers=_basic("admin", "x"))
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Token"
    assert bad.json() == {"detail": "Invalid username/password."}
    key = _login(client_for()).json()["key"]
    fresh = client_for()
    created = fresh.post(
        "/api/projects", json={"name": "t"}, headers={"Authorization": f"Token {key}"}
    )
    assert created.status_code == 201
    assert fresh.get("/api/users/self", headers={"Authorization": "Token bogus"}).json() == {
        "detail": "Invalid token."
    }


def test_logout_kills_legacy_key(client_for) -> None:
    http = client_for()
    key = _login(http).json()["key"]
    http.post("/api/auth/logout", headers={"X-CSRFToken": http.cookies["csrftoken"]})
    other = client_for()
    assert (
        other.get("/api/users/self", headers={"Authorization": f"Token {key}"}).status_code == 401
    )


def test_access_tokens(cvat_http: httpx.Client, client_for) -> None:
    rw = cvat_http.post("/api/auth/access_tokens", json={"name": "rw", "read_only": False}).json()
    ro = cvat_http.post("/api/auth/access_tokens", json={"name": "ro"}).json()
    past = cvat_http.post(
        "/api/auth/access_tokens", json={"name": "old", "expiry_date": "2001-01-01T00:00:00Z"}
    )
    assert past.status_code == 201
    assert ro["read_only"] is True
    assert "value" in ro
    blank = cvat_http.post("/api/auth/access_tokens", json={"name": ""})
    assert blank.json() == {"name": ["This field may not be blank."]}
    http = client_for()
    bearer = {"Authorization": f"Bearer {rw['value']}"}
    assert http.post("/api/projects", json={"name": "x"}, headers=bearer).status_code == 201
    me = http.get("/api/auth/access_tokens/self", headers=bearer).json()
    assert me["id"] == rw["id"]
    assert "value" not in me
    assert me["last_used_date"]
    denied = http.post(
        "/api/projects", json={"name": "x"}, headers={"Authorization": f"Bearer {ro['value']}"}
    )
    assert denied.status_code == 403
    expired = http.get(
        "/api/users/self", headers={"Authorization": f"Bearer {past.json()['value']}"}
    )
    assert expired.status_code == 401
    assert expired.json() == {"detail": "Invalid token."}
    self_basic = cvat_http.get("/api/auth/access_tokens/self")
    assert self_basic.status_code == 401
    assert self_basic.headers["www-authenticate"] == "Bearer"
    listed = cvat_http.get("/api/auth/access_tokens").json()
    assert [t["name"] for t in listed["results"]] == ["ro", "rw"]
    assert cvat_http.delete(f"/api/auth/access_tokens/{past.json()['id']}").json() == {
        "detail": "No AccessToken matches the given query."
    }
    assert cvat_http.delete(f"/api/auth/access_tokens/{rw['id']}").status_code == 204
    assert http.get("/api/users/self", headers=bearer).status_code == 401


def test_anonymous(client_for) -> None:
    http = client_for()
    for method, path in [
        ("GET", "/api/tasks"),
        ("POST", "/api/tasks"),
        ("GET", "/api/server/plugins"),
    ]:
        response = http.request(method, path)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Token"
    assert http.get("/api/server/about").status_code == 200


def test_register_and_password_change(client_for) -> None:
    http = client_for()
    created = http.post(
        "/api/auth/register",
        json={
            "username": "user2",
            "email": "user2@x.test",
            "password1": "pw12345!",
            "password2": "pw12345!",
        },
    )
    assert created.status_code == 201
    user = client_for(auth=("user2", "pw12345!"))
    changed = user.post(
        "/api/auth/password/change",
        json={"old_password": "pw12345!", "new_password1": "n3w!pass", "new_password2": "n3w!pass"},
    )
    assert changed.status_code == 200
    assert (
        client_for(auth=("user2", "n3w!pass")).get("/api/users/self").json()["username"] == "user2"
    )
