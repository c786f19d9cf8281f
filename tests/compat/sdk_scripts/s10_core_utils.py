"""cvat_sdk.core.utils and the client's URL helpers."""

import os
from pathlib import Path

from cvat_sdk import make_client
from cvat_sdk.core.exceptions import InvalidHostException
from cvat_sdk.core.utils import atomic_writer, filter_dict, normalize_server_url

print(normalize_server_url("example.com/"), normalize_server_url("http://h:8080"))
try:
    normalize_server_url("ftp://example.com")
except InvalidHostException as e:
    print("bad scheme", type(e).__name__, "ftp" in str(e))

print(filter_dict({"a": 1, "b": 2, "c": 3}, keep=["a", "b"], drop=["b"]))

with atomic_writer(Path("out.txt"), "w") as f:
    f.write("hello")
assert Path("out.txt").read_text() == "hello"
try:
    with atomic_writer(Path("out.txt"), "w") as f:
        f.write("partial")
        raise RuntimeError("stop")
except RuntimeError:
    pass
print(Path("out.txt").read_text(), sorted(p.name for p in Path(".").glob("out.txt*")))

with atomic_writer("bin.dat", "wb") as f:
    f.write(b"\x00\x01")
print(Path("bin.dat").read_bytes())

with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    url = client.api_map.make_endpoint_url("/api/tasks/{id}", kwsub={"id": 7})
    assert url == os.environ["CORPUS_URL"] + "/api/tasks/7"
    print(url.rsplit("/", 2)[-2:], client.api_map.base.endswith("/api/"))
    print(client.api_map.make_endpoint_url("/api/x", query_params={"a": 1}).endswith("/api/x?a=1"))
    assert "https" in client.ALLOWED_SCHEMAS
    print(sorted(client.ALLOWED_SCHEMAS))
