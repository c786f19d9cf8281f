"""What an error answer turns into: exception class, message, masked headers, Retry-After."""

from __future__ import annotations

import datetime
from email.utils import format_datetime

import httpx
import pytest

from cvat_client._lowlevel.exceptions import (
    ApiException,
    ApiValueError,
    NotFoundException,
    ServiceException,
    exception_for_response,
    mask_headers,
)


def _error(status: int, body: bytes = b"", **headers: str) -> ApiException:
    request = httpx.Request("GET", "http://cvat.test/api/tasks/1")
    response = httpx.Response(status, headers=headers, content=body, request=request)
    response.read()
    return exception_for_response(response)


@pytest.mark.parametrize(
    ("status", "kind"), [(404, NotFoundException), (418, ApiException), (599, ServiceException)]
)
def test_classes_by_status(status: int, kind: type[ApiException]) -> None:
    error = _error(status)
    assert type(error) is kind
    assert isinstance(error, ServiceException) == (status >= 500)


def test_repr_names_the_class() -> None:
    assert repr(_error(404)) == "NotFoundException(status=404, reason='Not Found')"


def test_secret_headers_are_masked_every_time_they_appear() -> None:
    headers = httpx.Headers(
        [("Set-Cookie", "sessionid=s1"), ("set-cookie", "csrftoken=c1"), ("X-Id", "1"),
         ("x-id", "2"), ("Authorization", "Token t")]
    )  # fmt: skip
    assert mask_headers(headers) == {
        "set-cookie": "***, ***",
        "x-id": "1, 2",
        "authorization": "***",
    }
    assert mask_headers({"Cookie": "a=b", "Accept": "x"}) == {"cookie": "***", "accept": "x"}
    error = _error(500, b"", **{"set-cookie": "sessionid=secret"})
    assert error.headers["set-cookie"] == "***"


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert _error(503, **{"retry-after": "3"}).retry_after == 3.0
    assert _error(503, **{"retry-after": "-5"}).retry_after == 0.0
    assert _error(503, **{"retry-after": "soon"}).retry_after is None
    assert _error(503).retry_after is None
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=120)
    waited = _error(503, **{"retry-after": format_datetime(later, usegmt=True)}).retry_after
    assert waited is not None and 100 < waited <= 120
    past = format_datetime(later - datetime.timedelta(days=1), usegmt=True)
    assert _error(503, **{"retry-after": past}).retry_after == 0.0


def test_error_messages_say_what_the_server_said() -> None:
    json_type = {"content-type": "application/vnd.cvat+json"}
    fields = _error(400, b'{"name": ["Required."], "labels": {"0": ["Bad."]}}', **json_type)
    assert "name: Required.; labels: 0: Bad." in str(fields)
    assert "Not found." in str(_error(404, b'{"detail": "Not found."}', **json_type))
    assert "A; B" in str(_error(400, b'["A", "B"]', **json_type))
    # undecodable bytes do not hide the rest of a text answer
    text = _error(500, b"\xff\xfe broken proxy", **{"content-type": "text/plain"})
    assert "broken proxy" in str(text)
    # an HTML error page is left out of the one-line message
    page = _error(
        502, b"  <html><body>Bad Gateway page</body></html>", **{"content-type": "text/html"}
    )
    assert "Bad Gateway page" not in str(page)


def test_value_errors_keep_their_path() -> None:
    assert ApiValueError("bad").path_to_item == []
    assert ApiValueError("bad", path_to_item=["a", 1]).path_to_item == ["a", 1]
