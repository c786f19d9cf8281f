"""What each exception of the low-level client says (``_lowlevel/exceptions``): the messages
users read to know what to fix, found unpinned by ``make mutate``."""

from __future__ import annotations

import httpx
import pytest

from cvat_client._lowlevel.exceptions import (
    ApiAttributeError,
    ApiConnectionError,
    ApiException,
    ApiKeyError,
    ApiTypeError,
    ApiValueError,
    InvalidResponseError,
    ResponseTooLargeError,
    TooManyRequestsException,
    body_excerpt,
    exception_for_response,
)


def _response(status: int, body: bytes = b"", content_type: str | None = None) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    request = httpx.Request("POST", "http://cvat.test/api/tasks?secret=1")
    response = httpx.Response(status, headers=headers, content=body, request=request)
    response.read()
    return response


def test_messages_name_the_status_the_request_and_the_detail() -> None:
    error = exception_for_response(_response(404, b'{"detail": "Not found."}', "application/json"))
    assert str(error) == "(404) Not Found for POST http://cvat.test/api/tasks: Not found."
    assert (error.method, error.url) == ("POST", "http://cvat.test/api/tasks")
    fields = exception_for_response(
        _response(
            400, b'{"detail": "A", "name": ["B", {"x": "C", "y": ["D"]}]}', "application/json"
        )
    )
    assert str(fields).endswith(": detail: A; name: B; x: C; y: D")
    assert str(exception_for_response(_response(400, b'"plain"', "application/json"))).endswith(
        "tasks: plain"
    )
    assert str(exception_for_response(_response(500, b"  oops  ", "text/plain"))).endswith(
        "tasks: oops"
    )
    # JSON that is not JSON is shown as text; JSON-looking text of another type too
    assert str(exception_for_response(_response(400, b"{bad", "application/json"))).endswith(
        ": {bad"
    )
    assert exception_for_response(_response(400, b'{"a": 1}', "text/plain")).data is None
    assert str(exception_for_response(_response(502, b"<html>x</html>", "text/html"))) == (
        "(502) Bad Gateway for POST http://cvat.test/api/tasks"
    )
    long = exception_for_response(_response(500, b"x" * 1500, "text/plain"))
    assert str(long).endswith(": " + "x" * 1000)


def test_an_unread_answer_has_an_empty_body() -> None:
    request = httpx.Request("GET", "http://cvat.test/api/x")
    unread = httpx.Response(500, stream=httpx.ByteStream(b"never read"), request=request)
    error = exception_for_response(unread)
    assert (error.body, error.data) == (b"", None)
    assert str(error) == "(500) Internal Server Error for GET http://cvat.test/api/x"


def test_messages_without_a_response() -> None:
    bare = ApiException(message="said")
    assert (bare.headers, bare.body, bare.data, bare.method, bare.url, bare.response) == (
        {},
        b"",
        None,
        None,
        None,
        None,
    )
    assert bare.args == ("said",)
    response = _response(404)
    assert exception_for_response(response).response is response
    assert exception_for_response(response).args == (
        "(404) Not Found for POST http://cvat.test/api/tasks",
    )
    assert str(ApiException()) == "ApiException"
    assert str(ApiException(status=418)) == "(418)"
    assert str(ApiException(reason="Teapot")) == "Teapot"
    assert str(ApiException(status=418, reason="Teapot", message="brew")) == "(418) Teapot: brew"
    assert str(ApiException(message="only this")) == "only this"
    assert repr(ApiException(status=418, reason="Teapot")) == (
        "ApiException(status=418, reason='Teapot')"
    )


def test_input_errors_keep_what_they_were_given() -> None:
    typed = ApiTypeError("wrong", path_to_item=["a", 0], valid_classes=(int,), key_type=True)
    assert (str(typed), typed.path_to_item, typed.valid_classes, typed.key_type) == (
        "wrong",
        ["a", 0],
        (int,),
        True,
    )
    bare = ApiTypeError("wrong")
    assert (bare.path_to_item, bare.valid_classes, bare.key_type) == ([], None, None)
    key = ApiKeyError("no such key", path_to_item=["k"])
    assert (str(key), key.path_to_item) == ("no such key", ["k"])
    assert ApiKeyError("k").path_to_item == []
    attribute = ApiAttributeError("no attribute", path_to_item=["x"])
    assert (str(attribute), attribute.path_to_item) == ("no attribute", ["x"])
    assert ApiAttributeError("x").path_to_item == []
    assert isinstance(ApiValueError("v"), ValueError)


def test_transport_errors_name_the_request() -> None:
    error = ApiConnectionError("refused", method="GET", url="http://cvat.test/api/x")
    assert (str(error), error.method, error.url, error.status) == (
        "refused",
        "GET",
        "http://cvat.test/api/x",
        None,
    )
    assert str(ApiConnectionError("")) == "ApiConnectionError"


def test_an_unexpected_answer_says_what_came() -> None:
    error = InvalidResponseError("not JSON", http_resp=_response(200, b"<html> hi", "text/html"))
    assert str(error) == (
        "Unexpected answer to POST http://cvat.test/api/tasks (200 OK, content type "
        "'text/html'): not JSON; the body starts with: '<html> hi'"
    )
    assert error.content_type == "text/html" and error.problem == "not JSON"
    empty = InvalidResponseError("empty", http_resp=httpx.Response(204))
    assert empty.content_type == ""
    assert str(empty) == (
        "Unexpected answer to the request (204 No Content, content type 'none'): empty; "
        "the body is empty"
    )


def test_a_too_large_answer_says_the_limit() -> None:
    announced = ResponseTooLargeError(10, http_resp=_response(200), declared=99)
    assert str(announced) == (
        "The answer to POST http://cvat.test/api/tasks (200) is larger than the limit of 10 "
        "bytes: the server announced 99 bytes. Raise the limit in Config if this answer is "
        "expected."
    )
    assert (announced.limit, announced.declared) == (10, 99)
    sent = ResponseTooLargeError(10, http_resp=httpx.Response(200), declared=None)
    assert str(sent) == (
        "The answer to the request (200) is larger than the limit of 10 bytes: the server "
        "sent more than that. Raise the limit in Config if this answer is expected."
    )


def test_body_excerpts() -> None:
    assert body_excerpt(b"") == ""
    assert body_excerpt(b"a  b\n\tc") == "'a b c'"
    assert body_excerpt(b"x" * 201) == repr("x" * 200 + "...")
    assert body_excerpt(b"x" * 200) == repr("x" * 200)
    assert body_excerpt(b"abcdef", limit=3) == "'abc...'"
    assert body_excerpt(b"\xffok") == "'\ufffdok'"
    # four bytes a character: the window holds exactly the limit, the body has more
    assert body_excerpt("\U0001f600".encode() * 3 + b"x", limit=3) == repr("\U0001f600" * 3 + "...")
    assert body_excerpt("\U0001f600".encode() * 3, limit=3) == repr("\U0001f600" * 3)


@pytest.mark.parametrize(("value", "expected"), [("3", 3.0), ("x", None)])
def test_rate_limits_say_how_long_to_wait(value: str, expected: float | None) -> None:
    response = _response(429)
    response.headers["Retry-After"] = value
    error = exception_for_response(response)
    assert isinstance(error, TooManyRequestsException)
    assert error.retry_after == expected
