"""Edges of the I/O-free protocol logic (``core/_protocol``): bounds, defaults, messages.

Written against the mutants ``make mutate`` found alive: each test pins a boundary or a
message that a small change of the code would move.
"""

from __future__ import annotations

import datetime

import pytest

from cvat_client.core._protocol.download import DownloadState, ResumeAction
from cvat_client.core._protocol.pagination import PageCursor
from cvat_client.core._protocol.polling import PollSchedule
from cvat_client.core._protocol.retry import RetryPolicy, parse_retry_after
from cvat_client.core._protocol.tus import UploadState, encode_metadata, plan_data_upload
from cvat_client.core._protocol.urls import normalize_host, rebase_url
from cvat_client.core._protocol.version import Version

# --- TUS metadata and planning --------------------------------------------------------------


def test_metadata_keys_and_values() -> None:
    # only spaces and commas are refused in keys
    assert encode_metadata({"XX": "é"}) == "XX w6k="
    for bad in ("a b", "a,b", ""):
        with pytest.raises(ValueError, match=rf"^Bad upload metadata key {bad!r}$"):
            encode_metadata({bad: "v"})


def test_plan_bounds_are_inclusive() -> None:
    # a file of exactly the threshold goes through TUS
    assert plan_data_upload([10, 9], tus_threshold=10, batch_size=100).separate == (0,)
    # a batch never exceeds batch_size, and its size starts from 0 after a split
    plan = plan_data_upload([6, 4, 6, 4, 6], tus_threshold=100, batch_size=10)
    assert plan.batches == ((0, 1), (2, 3), (4,))
    assert plan.total_size == 26
    # at most 1000 files a batch unless told otherwise
    many = plan_data_upload([1] * 1001, tus_threshold=100, batch_size=10**6)
    assert [len(b) for b in many.batches] == [1000, 1]
    few = plan_data_upload([1] * 5, tus_threshold=100, batch_size=10**6, max_batch_files=2)
    assert few.batches == ((0, 1), (2, 3), (4,))


@pytest.mark.parametrize(
    "bounds",
    [
        {"tus_threshold": 0, "batch_size": 1, "max_batch_files": 1},
        {"tus_threshold": 1, "batch_size": 0, "max_batch_files": 1},
        {"tus_threshold": 1, "batch_size": 1, "max_batch_files": 0},
    ],
)
def test_plan_refuses_non_positive_bounds(bounds: dict[str, int]) -> None:
    message = "^tus_threshold, batch_size and max_batch_files must be positive$"
    with pytest.raises(ValueError, match=message):
        plan_data_upload([1], **bounds)


def test_plan_accepts_bounds_of_one() -> None:
    plan = plan_data_upload([0, 0, 1], tus_threshold=1, batch_size=1, max_batch_files=1)
    assert plan.batches == ((0,), (1,))
    assert plan.separate == (2,)


# --- the TUS upload state -------------------------------------------------------------------


def test_state_bounds() -> None:
    assert UploadState(length=3, chunk_size=1).next_chunk() == (0, 1)
    empty = UploadState(length=0, chunk_size=1)
    assert empty.complete
    assert empty.next_chunk() == (0, 0)
    with pytest.raises(ValueError, match=r"^length must not be negative, got -1$"):
        UploadState(length=-1, chunk_size=1)
    with pytest.raises(ValueError, match=r"^chunk size must be positive, got 0$"):
        UploadState(length=1, chunk_size=0)


def test_confirm_without_progress_keeps_the_failure_count() -> None:
    state = UploadState(length=10, chunk_size=4, offset=4)
    state.fail()
    state.fail()
    state.confirm(4, 0)  # accepted, but no progress
    assert (state.offset, state.failures) == (4, 2)
    state.confirm(None, 4)
    assert (state.offset, state.failures) == (8, 0)
    state.confirm(10, 2)
    assert state.complete
    with pytest.raises(
        ValueError, match=r"^the server reported offset 11 after a chunk sent at 10"
    ):
        state.confirm(11, 1)


def test_resume_without_progress_keeps_the_failure_count() -> None:
    state = UploadState(length=10, chunk_size=4, offset=4)
    assert state.fail() == 1
    state.resume_at(4)
    assert state.failures == 1
    assert state.fail() == 2
    state.resume_at(0)  # the server may hold less than confirmed: go back
    assert (state.offset, state.failures) == (0, 2)
    state.resume_at(10)
    assert (state.offset, state.failures, state.complete) == (10, 0, True)
    with pytest.raises(ValueError, match=r"^the server reported offset -1 for a 10-byte upload$"):
        state.resume_at(-1)


# --- downloads ------------------------------------------------------------------------------


def test_a_first_answer_with_a_range_is_used_only_from_byte_0() -> None:
    state = DownloadState()
    assert state.on_response(206, "bytes 0-99/*", "100") is ResumeAction.APPEND
    assert (state.received, state.total) == (0, None)
    assert state.on_response(206, "bytes 0-99/100", "100") is ResumeAction.APPEND
    assert state.total == 100
    for wrong in ("bytes 1-99/100", None, "nonsense"):
        assert DownloadState().on_response(206, wrong, "99") is ResumeAction.FAIL
    # a first range answer without a total keeps the one a whole answer announced
    restarted = DownloadState(total=100)
    assert restarted.on_response(206, "bytes 0-99/*", None) is ResumeAction.APPEND
    assert restarted.total == 100


def test_a_resumed_answer_keeps_the_known_total() -> None:
    state = DownloadState(received=1, total=100)
    assert state.on_response(206, "bytes 1-99/*", "99") is ResumeAction.APPEND
    assert state.total == 100
    assert state.on_response(206, "bytes 1-99/120", "99") is ResumeAction.APPEND
    assert state.total == 120
    assert state.on_response(206, "bytes 0-99/120", "100") is ResumeAction.FAIL
    assert state.on_response(206, None, "99") is ResumeAction.FAIL
    # a whole body instead: start over, with its length as the total
    assert state.on_response(200, None, "120") is ResumeAction.RESTART
    assert (state.received, state.total) == (0, 120)
    assert state.on_response(200, None, "x") is ResumeAction.RESTART
    assert state.total is None


# --- retries --------------------------------------------------------------------------------


def test_backoff_stops_doubling_after_60_attempts() -> None:
    policy = RetryPolicy(backoff=1.0, max_backoff=float("inf"))
    assert policy.backoff_delay(100_000, lambda: 1.0) == 2.0**60
    assert policy.backoff_delay(60, lambda: 0.0) == 2.0**59


# --- versions -------------------------------------------------------------------------------


def test_versions_compare_by_number_then_suffix() -> None:
    assert Version("2.0") == Version("2") == Version("2.0.0")
    assert hash(Version("2.0")) == hash(Version("2")) == hash(Version("2.0.0"))
    assert len({Version("2.73"), Version("2.73.0"), Version("2.73.1")}) == 2
    assert Version("0") == Version("0.0")
    assert Version("2.9") < "2.10"
    assert not Version("2.73") < "2.73.0"
    assert not Version("2.73") < Version("2.73-rc1")
    assert Version("2.73-rc1") < Version("2.73-rc2") < Version("2.73")
    assert Version("2.73").__lt__(2.73) is NotImplemented
    assert repr(Version("v2.73.1-rc1")) == "Version('2.73.1-rc1')"
    assert str(Version("2.73.0Xdev")) == "2.73.0-Xdev"  # only separators are stripped
    assert (Version("2").minor, Version("2").micro, Version("2.5.7").micro) == (0, 0, 7)


def test_versions_hash_by_their_value() -> None:
    # distinct versions get distinct hashes (a set or dict of them stays fast)
    assert len({hash(Version(f"2.{minor}")) for minor in range(100)}) == 100
    assert hash(Version("2.73-rc1")) != hash(Version("2.73"))


def test_the_first_byte_is_resumed_too() -> None:
    assert DownloadState(received=1).range_header() == "bytes=1-"
    assert DownloadState().range_header() is None


# --- pagination, polling, URLs ----------------------------------------------------------------


def test_a_next_link_to_the_same_page_ends_the_walk() -> None:
    cursor = PageCursor()
    cursor.advance("http://h/api/tasks?page=1", 10, 100)
    assert cursor.done
    cursor = PageCursor()
    cursor.advance("http://h/api/tasks?page=2", 10, 100)
    assert (cursor.done, cursor.page, cursor.seen) == (False, 2, 10)


def test_a_zero_poll_period_is_allowed() -> None:
    assert PollSchedule(period=0).period == 0
    with pytest.raises(ValueError, match="must not be negative"):
        PollSchedule(period=-0.1)


def test_relative_urls_join_the_host() -> None:
    assert rebase_url("api/tasks/1", "http://cvat.test:8080") == "http://cvat.test:8080/api/tasks/1"
    assert rebase_url("/api/tasks/1", "http://cvat.test") == "http://cvat.test/api/tasks/1"


def test_poll_timeout_bounds() -> None:
    assert PollSchedule(timeout=0).timeout == 0
    with pytest.raises(ValueError, match=r"^timeout must not be negative, got -1$"):
        PollSchedule(timeout=-1)


@pytest.mark.parametrize(
    ("host", "port", "message"),
    [
        ("  ", None, "The server address is empty"),
        ("http://", None, "No host name in 'http://'"),
        (
            "http://user@cvat.test",
            None,
            "Put credentials in credentials= or access_token=, not in the address",
        ),
        (
            "http://:pw@cvat.test",
            None,
            "Put credentials in credentials= or access_token=, not in the address",
        ),
        ("http://cvat.test:99999", None, "Bad port in 'http://cvat.test:99999'"),
        (
            "http://cvat.test:8080",
            8080,
            "The 'host' with a port and the 'port' argument cannot be used together. "
            "Please specify only one port.",
        ),
        ("cvat.test", -1, "Bad port -1"),
        ("cvat.test", 65536, "Bad port 65536"),
        ("cvat.test", "80a", "Bad port '80a'"),
        ("cvat.test", True, "Bad port True"),  # a bool is an int to Python, not a port
    ],
)
def test_bad_server_addresses(host: str, port: int | str | None, message: str) -> None:
    with pytest.raises(ValueError) as info:
        normalize_host(host, port)
    assert str(info.value) == message


def test_server_addresses() -> None:
    assert normalize_host("cvat.test", 1) == "https://cvat.test:1"
    assert normalize_host("cvat.test", 65535) == "https://cvat.test:65535"
    assert normalize_host("cvat.test", 0) == "https://cvat.test"  # as cvat-sdk: no port
    assert normalize_host("HTTP://cvat.test/boX/") == "http://cvat.test/boX"
    assert normalize_host("http://cvat.test/sub/api/") == "http://cvat.test/sub"


# --- Retry-After ------------------------------------------------------------------------------


def test_retry_after_dates() -> None:
    noon = datetime.datetime(2015, 10, 21, 7, 27, 0, tzinfo=datetime.UTC)
    # "-0000" gives a date without a time zone: it is UTC
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 -0000", now=noon) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=noon) == 60.0
    # without ``now``: the current time (a date long past means no wait)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_retry_after_up_to_the_longest_backoff_is_waited() -> None:
    policy = RetryPolicy(max_backoff=30.0)
    assert policy.for_status("GET", 503, 30.0, 0, lambda: 0.0) == 30.0
    assert policy.for_status("GET", 503, 30.5, 0, lambda: 0.0) is None
    # at most one second of jitter on top
    assert policy.for_status("GET", 503, 20.0, 0, lambda: 1.0) == 21.0
    assert policy.for_status("GET", 503, 5.0, 0, lambda: 1.0) == 5.5
