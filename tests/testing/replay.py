"""A stateful replayer of recorded CVAT 2.73 exchanges (``../shared/cvat-exchanges``).

A scenario is replayed in order against one test server, after its test has recreated the
objects the recording needed. What the real server revealed is mapped to what the test server
answers, as the answers come: object ids (``id``, ``task_id``, ``label_id``, ... and ids in
paths and queries), rq ids, TUS upload ids, masked cookies and CSRF tokens, invitation keys and
the sizes of files made by the server (backups and exports differ in size from CVAT's). Masked
credentials are filled in by the scenario's ``credentials`` callback.

Compared for every exchange: the status code, the content type, the key headers (``allow``
exactly, ``www-authenticate``, ``location``, ``content-disposition`` with numbers masked, the TUS
and range headers, and no ``allow`` where nginx served the file), error bodies exactly, success
bodies by shape (keys and value types) with ``count``, ``status``, ``role`` and a few more
values exactly. ``loose`` names exchanges whose recorded values depend on what the test server
cannot reproduce; each test documents why.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx

from cvat_client.testing import CvatTestServer

ROOT = Path(__file__).resolve().parents[3] / "shared" / "cvat-exchanges"
BASE = "http://127.0.0.1:18080"
ID_KEYS = ("id", "label_id", "spec_id", "task_id", "job_id", "project_id", "organization",
           "org_id", "result_id", "parent_id")  # fmt: skip
EXACT_KEYS = ("count", "status", "state", "role", "name", "username", "read_only", "accepted",
              "type", "format", "slug", "size", "frame")  # fmt: skip
DATA_HEADERS = ("accept-ranges", "x-checksum", "x-updated-date", "deprecation", "tus-resumable",
                "tus-version", "tus-extension", "tus-max-size", "cache-control")  # fmt: skip
DROP_REQUEST_HEADERS = {"host", "content-length", "connection", "accept-encoding", "user-agent",
                        "authorization", "cookie", "x-csrftoken"}  # fmt: skip
UPLOAD_ID = re.compile(r"\d+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RQ_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
COLLECTION_ID = re.compile(
    r"/api/(tasks|jobs|projects|organizations|users|labels|issues|comments|memberships|"
    r"invitations|cloudstorages|auth/access_tokens)/(\d+)"
)
QUERY_ID = re.compile(r"(?<![a-z])((?:task|job|project|org|label)_id(?:%3D|=))(\d+)")


def load(scenario: str) -> list[dict[str, Any]]:
    """The recorded exchanges of a scenario, in order."""
    text = (ROOT / f"{scenario}.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


def shape(value: Any) -> Any:
    """Keys and value types of a JSON value; a list's are the distinct shapes of all its items."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        distinct = {json.dumps(shape(item), sort_keys=True): shape(item) for item in value}
        return [distinct[key] for key in sorted(distinct)]
    if isinstance(value, bool) or value is None:
        return type(value).__name__
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def shape_fits(actual: Any, recorded: Any) -> bool:
    """Whether a shape fits a recorded one: same keys and types, every list item shaped like
    some recorded item (``null`` fits any type: the recordings' objects differ in state)."""
    if "NoneType" in (actual, recorded):
        return True
    if isinstance(actual, dict) and isinstance(recorded, dict):
        return actual.keys() == recorded.keys() and all(
            shape_fits(actual[k], recorded[k]) for k in actual
        )
    if isinstance(actual, list) and isinstance(recorded, list):
        if not recorded:
            return not actual
        return all(any(shape_fits(a, r) for r in recorded) for a in actual)
    return bool(actual == recorded)


def header(headers: list[list[str]], name: str) -> str | None:
    """A recorded header's value (the first one)."""
    return next((v for k, v in headers if k.lower() == name), None)


def _cookies(values: list[str]) -> dict[str, str]:
    found = {}
    for value in values:
        name, _, rest = value.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


class Replay:
    """Replays one scenario's exchanges against a test server (see the module docstring)."""

    def __init__(
        self,
        server: CvatTestServer,
        scenario: str,
        *,
        passwords: dict[str, str] | None = None,
        credentials: Callable[[Replay, dict[str, Any]], str | None] | None = None,
    ) -> None:
        self.server = server
        self.records = load(scenario)
        self.passwords = passwords or {"admin": "admin"}
        self.credentials = credentials or basic_by_step
        self.http = server.sync_client(base_url=BASE)
        self.ids: dict[int, int] = {}
        self.strings: dict[str, str] = {}
        self.sizes: dict[int, int] = {}
        self.files: dict[int | str, bytes] = {}
        self.cookies: dict[str, str] = {}
        self.secrets: dict[str, str] = {}
        self.uploads: dict[str, bytes] = {}
        self.loose: dict[int, set[str]] = {}
        self.hooks: dict[int, Callable[[], None]] = {}
        self.users: dict[int, str] = {}
        self.mismatches: list[str] = []
        self.responses: dict[int, httpx.Response] = {}

    # -- mapping -------------------------------------------------------------------------------

    def learn(self, recorded: Any, actual: Any) -> None:
        """Map recorded ids and rq ids to actual ones, walking both bodies in parallel."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key, value in recorded.items():
                got = actual.get(key)
                if key in ID_KEYS and isinstance(value, int) and isinstance(got, int):
                    self.ids.setdefault(value, got)
                elif key in ("rq_id", "id") and isinstance(value, str) and isinstance(got, str):
                    self.strings.setdefault(value, got)
                elif key in actual:
                    self.learn(value, got)
        elif isinstance(recorded, list) and isinstance(actual, list):
            for a, b in zip(recorded, actual, strict=False):
                self.learn(a, b)

    def map_id(self, value: int) -> int:
        """The test server's id for a recorded one (unknown ids stay)."""
        return self.ids.get(value, value)

    def rewrite(self, value: Any) -> Any:
        """A recorded JSON value with ids and strings mapped."""
        if isinstance(value, dict):
            return {
                k: self.map_id(v)
                if k in ID_KEYS and isinstance(v, int) and not isinstance(v, bool)
                else self.rewrite(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.rewrite(v) for v in value]
        if isinstance(value, str):
            return self.rewrite_text(value)
        return value

    def rewrite_text(self, text: str) -> str:
        """Recorded rq ids, upload ids and ids in URLs replaced by the test server's."""
        for old, new in sorted(self.strings.items(), key=lambda kv: -len(kv[0])):
            if old in text:
                text = text.replace(old, new)
            quoted_old, quoted_new = quote(old, safe="~"), quote(new, safe="~")
            if quoted_old != old and quoted_old in text:
                text = text.replace(quoted_old, quoted_new)
        text = COLLECTION_ID.sub(lambda m: f"/api/{m[1]}/{self.map_id(int(m[2]))}", text)
        return QUERY_ID.sub(lambda m: f"{m[1]}{self.map_id(int(m[2]))}", text)

    def rewrite_path(self, path: str) -> str:
        """A recorded path and query with everything known mapped (filters included)."""
        path = self.rewrite_text(path)
        if "invitation" in self.secrets:
            path = path.replace("/invitations/***/", f"/invitations/{self.secrets['invitation']}/")
        base, _, query = path.partition("?")
        if "filter=" not in query:
            return path
        pairs = []
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key == "filter":
                with contextlib.suppress(ValueError):
                    value = json.dumps(self._map_ints(json.loads(value)))
            pairs.append((key, value))
        return base + "?" + urlencode(pairs)

    def _map_ints(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return self.map_id(value)
        if isinstance(value, list):
            return [self._map_ints(v) for v in value]
        if isinstance(value, dict):
            return {k: self._map_ints(v) for k, v in value.items()}
        return value

    # -- requests ------------------------------------------------------------------------------

    def file(self, length: int, name: str | None = None) -> bytes:
        """The content standing for a recorded file body of ``length`` bytes."""
        if length in self.files:
            return self.files[length]
        if name is not None and name in self.files:
            return self.files[name]
        return bytes(length)

    def _body(self, record: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        request = record["request"]
        body = request["body"]
        if body is None:
            return {}
        if isinstance(body, dict) and "form" in body:
            pairs = [(k, self._password(record) if v == "***" else v) for k, v in body["form"]]
            return {"content": urlencode(pairs).encode()}
        if isinstance(body, dict) and body.get("multipart"):
            headers.pop("content-type", None)
            data, files = {}, []
            for part in body["parts"]:
                value = part["value"]
                if isinstance(value, dict) and value.get("binary"):
                    content = self.file(value["length"], part.get("filename"))
                    ctype = value.get("content_type", "application/octet-stream")
                    files.append((part["name"], (part["filename"], content, ctype)))
                else:
                    data[part["name"]] = value
            return {"data": data, "files": files}
        if isinstance(body, dict) and body.get("binary"):
            return {"content": self._binary(record, body["length"])}
        if isinstance(body, str):
            return {"content": body.encode()}
        body = self.rewrite(body)
        if isinstance(body, dict) and body.get("password") == "***":
            body["password"] = self._password(record)
        return {"content": json.dumps(body).encode()}

    def _binary(self, record: dict[str, Any], length: int) -> bytes:
        request = record["request"]
        upload = self.uploads.get(self.rewrite_path(request["path"]).split("?")[0])
        offset = header(request["headers"], "upload-offset")
        if upload is not None and offset is not None and length != len(upload):
            start = int(offset)
            chunk = upload[start : start + length]
            if len(chunk) == length:
                return chunk
        if upload is not None and length in self.sizes.values() | self.sizes.keys():
            return upload
        return self.file(length)

    def _password(self, record: dict[str, Any]) -> str:
        if "wrong password" in record["step"]:
            return "wrong-password"
        body = record["request"]["body"]
        user = body.get("username") if isinstance(body, dict) else None
        return self.passwords.get(user or "admin", "admin")

    def _headers(self, record: dict[str, Any]) -> dict[str, str]:
        request = record["request"]
        headers = {}
        for name, value in request["headers"]:
            low = name.lower()
            if low == "host" and value != BASE.split("//")[1]:
                headers["Host"] = value
            elif low == "upload-length":
                size = int(value)
                content = self.file(size)
                headers[name] = str(len(content) if size in self.files else size)
            elif low not in DROP_REQUEST_HEADERS:
                headers[name] = value
        cookie = header(request["headers"], "cookie")
        if cookie is not None:
            pairs = [p.strip().partition("=") for p in cookie.split(";")]
            headers["Cookie"] = "; ".join(f"{k}={self.cookies.get(v, v)}" for k, _, v in pairs)
        csrf = header(request["headers"], "x-csrftoken")
        if csrf is not None:
            headers["X-CSRFToken"] = self.cookies.get(csrf, csrf)
        auth = self.credentials(self, record)
        if auth is not None:
            headers["Authorization"] = auth
        return headers

    # -- the run -------------------------------------------------------------------------------

    def run(self, until: int | None = None) -> None:
        """Send every exchange (up to seq ``until``) and collect the differences."""
        for record in self.records:
            if until is not None and record["seq"] > until:
                break
            if record["seq"] in self.hooks:
                self.hooks[record["seq"]]()
            self.exchange(record)

    def exchange(self, record: dict[str, Any]) -> httpx.Response:
        """Send one recorded request and compare the answer."""
        request, expected = record["request"], record["response"]
        body = expected["body"]
        if isinstance(body, dict) and body.get("status") in ("finished", "failed"):
            assert self.server.wait_idle()
        headers = self._headers(record)
        kwargs = self._body(record, headers)
        path = self.rewrite_path(request["path"])
        pending = b""
        if "upload-length" in {k.lower() for k in headers}:
            name = re.search(r"filename ([A-Za-z0-9+/=]+)", headers.get("Upload-Metadata", ""))
            length = int(header(request["headers"], "upload-length") or 0)
            filename = base64.b64decode(name[1]).decode() if name else None
            pending = self.file(length, filename)
        self.http.cookies.clear()
        response = self.http.request(request["method"], path, headers=headers, **kwargs)
        self.responses[record["seq"]] = response
        if response.status_code == 201 and "upload-length" in {k.lower() for k in headers}:
            location = response.headers.get("location", "")
            self.uploads[urlsplit(location).path] = pending
        self._compare(record, response)
        return response

    def _compare(self, record: dict[str, Any], response: httpx.Response) -> None:
        request, expected = record["request"], record["response"]
        loose = self.loose.get(record["seq"], set())
        where = f"#{record['seq']} {request['method']} {request['path'][:90]}"
        problems = self.mismatches
        if response.status_code != expected["status"]:
            problems.append(f"{where}: status {response.status_code}: {response.text[:300]}")
            return
        self._learn_headers(expected["headers"], response)
        want_type = (header(expected["headers"], "content-type") or "").split(";")[0]
        got_type = response.headers.get("content-type", "").split(";")[0]
        if want_type != got_type:
            problems.append(f"{where}: content type {got_type!r}, recorded {want_type!r}")
        self._compare_headers(where, expected["headers"], response)
        body = expected["body"]
        if isinstance(body, dict) and body.get("binary"):
            self.files.setdefault(body["length"], response.content)
            self.sizes.setdefault(body["length"], len(response.content))
            return
        if not want_type.endswith("json") or body is None or "body" in loose:
            return
        if isinstance(body, dict) and body.get("omitted"):
            return
        actual = response.json()
        if isinstance(body, dict) and isinstance(actual, dict) and "key" in body:
            kind = "invitation" if "role" in body else "token"
            self.secrets[kind] = str(actual.get("key"))
        if isinstance(body, dict) and isinstance(actual, dict) and body.get("value") == "***":
            self.secrets[f"pat:{body.get('name')}"] = str(actual.get("value"))
        if expected["status"] >= 400:
            want = self.rewrite(body)
            if actual != want:
                problems.append(f"{where}: body {actual!r}, recorded {want!r}")
            return
        self.learn(body, actual)
        if "shape" in loose:
            if isinstance(body, dict) and isinstance(actual, dict) and set(body) != set(actual):
                problems.append(f"{where}: keys {sorted(actual)} != {sorted(body)}")
            return
        if not shape_fits(shape(actual), shape(body)):
            problems.append(f"{where}: shape {shape(actual)} != {shape(body)}")
        for key, want, got in self._values(body, actual, loose):
            if want != got:
                problems.append(f"{where}: {key} = {got!r}, recorded {want!r}")

    def _values(self, recorded: Any, actual: Any, loose: set[str]) -> list[tuple[str, Any, Any]]:
        found: list[tuple[str, Any, Any]] = []
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key, value in recorded.items():
                if key not in actual or key in loose:
                    continue
                if key in EXACT_KEYS and not isinstance(value, (dict, list)):
                    found.append((key, value, actual[key]))
                else:
                    found.extend(self._values(value, actual[key], loose))
        elif isinstance(recorded, list) and isinstance(actual, list):
            if len(recorded) != len(actual) and "length" not in loose:
                found.append(("length", len(recorded), len(actual)))
            for a, b in zip(recorded, actual, strict=False):
                found.extend(self._values(a, b, loose))
        return found

    def _learn_headers(self, recorded: list[list[str]], response: httpx.Response) -> None:
        want = _cookies([v for k, v in recorded if k.lower() == "set-cookie"])
        got = _cookies(response.headers.get_list("set-cookie"))
        for name, value in want.items():
            if value.endswith("***") and name in got:
                self.cookies[value] = got[name]
        for name in ("location", "upload-filename"):
            value, actual = header(recorded, name), response.headers.get(name)
            if value is None or actual is None:
                continue
            old, new = UPLOAD_ID.search(value), UPLOAD_ID.search(actual)
            if old and new:
                self.strings.setdefault(old[0], new[0])
            elif name == "location" and value.startswith("http"):
                old_id, new_id = re.search(r"/(\d+)$", value), re.search(r"/(\d+)$", actual)
                if old_id and new_id:
                    self.ids.setdefault(int(old_id[1]), int(new_id[1]))

    def _compare_headers(
        self, where: str, recorded: list[list[str]], response: httpx.Response
    ) -> None:
        problems = self.mismatches
        for name in DATA_HEADERS:
            want = header(recorded, name)
            if want is not None and name not in response.headers:
                problems.append(f"{where}: no {name} header")
            elif name.startswith("tus-") and want is not None and response.headers[name] != want:
                problems.append(f"{where}: {name} {response.headers[name]!r}, recorded {want!r}")
        want_allow = header(recorded, "allow")
        if want_allow != response.headers.get("allow"):
            problems.append(
                f"{where}: allow {response.headers.get('allow')!r}, recorded {want_allow!r}"
            )
        for name in ("www-authenticate", "upload-offset", "upload-length"):
            want = header(recorded, name)
            got = response.headers.get(name)
            if want is not None and name.startswith("upload-"):
                want = str(self.sizes.get(int(want), int(want)))
            if want != got:
                problems.append(f"{where}: {name} {got!r}, recorded {want!r}")
        want = header(recorded, "location")
        got = response.headers.get("location")
        if (want is None) != (got is None):
            problems.append(f"{where}: location {got!r}, recorded {want!r}")
        elif want is not None and got is not None and self.rewrite_text(want) != got:
            problems.append(f"{where}: location {got!r}, recorded {self.rewrite_text(want)!r}")
        want = header(recorded, "content-disposition")
        got = response.headers.get("content-disposition")
        if want is not None and re.sub(r"\d+", "0", want) != re.sub(r"\d+", "0", got or ""):
            problems.append(f"{where}: content-disposition {got!r}, recorded {want!r}")
        want = header(recorded, "content-range")
        if want is not None:
            prefix = want.rsplit("/", 1)[0]
            if not response.headers.get("content-range", "").startswith(prefix + "/"):
                problems.append(f"{where}: content-range {response.headers.get('content-range')}")

    def close(self) -> None:
        """Close the client."""
        self.http.close()

    def check(self) -> None:
        """Fail with every difference found."""
        self.close()
        assert not self.mismatches, "\n".join(self.mismatches)


def basic_by_step(replay: Replay, record: dict[str, Any]) -> str | None:
    """Basic credentials for a recorded ``Basic ***``: user1's where the step names user1.

    ``replay.users`` names the user of exchanges whose step does not tell.
    """
    auth = header(record["request"]["headers"], "authorization")
    if auth is None:
        return None
    scheme = auth.split()[0]
    if scheme != "Basic":
        return auth
    user = replay.users.get(record["seq"]) or ("user1" if "user1" in record["step"] else "admin")
    password = "wrong-password" if "wrong password" in record["step"] else replay.passwords[user]
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
