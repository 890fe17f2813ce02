"""Control arguments are range-checked and the emulator's memory is bounded: a careless or
hostile caller gets InvalidControlException or an AWS error, never an aborted process, a
panicking connection task or unbounded growth."""

from __future__ import annotations

import http.client
import json
import math
import socket
import string
from collections.abc import Iterator

import pytest
from eksy.testing import LocalEKS

ROLE = "arn:aws:iam::123456789012:role/eks"
SUBNETS = ["subnet-a", "subnet-b"]


@pytest.fixture
def local() -> Iterator[LocalEKS]:
    with LocalEKS() as emulator:
        yield emulator


def still_serves(local: LocalEKS) -> None:
    assert local.client().list_clusters().clusters == []


def control_over_http(local: LocalEKS, command: str, args: dict[str, object]) -> tuple[int, str, str]:
    """(status, x-amzn-errortype, message) of a control sent as other languages send it."""
    connection = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    try:
        connection.request(
            "POST", f"/_eksy/control/{command}", body=json.dumps(args), headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        body = json.loads(response.read())
        return response.status, response.getheader("x-amzn-errortype") or "", body.get("message", "")
    finally:
        connection.close()


def raw(local: LocalEKS, method: str, path: str, body: bytes = b"", region: str = "us-east-1") -> tuple[int, str]:
    """One request signed in form only (the emulator is permissive): (status, error message)."""
    connection = http.client.HTTPConnection("127.0.0.1", local.port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=_signed_headers(region))
        response = connection.getresponse()
        answer = response.read()
        return response.status, json.loads(answer).get("message", "") if answer else ""
    finally:
        connection.close()


def test_a_huge_queue_count_is_refused_not_allocated(local: LocalEKS) -> None:
    with pytest.raises(ValueError, match="at most 10000 answers may wait"):
        local.queue_error("DescribeCluster", "ThrottlingException", count=10**15)
    status, code, _ = control_over_http(
        local, "queue", {"operation": "DescribeCluster", "count": 2**63, "error": {"code": "ThrottlingException"}}
    )
    assert (status, code) == (400, "InvalidControlException")
    local.queue_error("ListClusters", "ThrottlingException", count=10_000)
    with pytest.raises(ValueError, match="10000 already do"):
        local.queue_error("ListClusters", "ThrottlingException", count=1)
    with pytest.raises(ValueError, match="positive integer"):
        local.queue_error("DescribeCluster", "ThrottlingException", count=0)
    local.clear_queue()
    still_serves(local)


def test_latency_beyond_an_hour_is_refused(local: LocalEKS) -> None:
    for seconds in (1e20, 3600.5, -1.0):
        with pytest.raises(ValueError, match="between 0 and 3600"):
            local.set_latency(seconds)
    status, code, message = control_over_http(local, "set_latency", {"seconds": 1e300})
    assert (status, code) == (400, "InvalidControlException") and "between 0 and 3600" in message
    still_serves(local)


def test_the_clock_cannot_be_pushed_out_of_every_date_range(local: LocalEKS) -> None:
    before = local.now()
    for seconds in (1e308, 3e11):
        with pytest.raises(ValueError, match="100 years"):
            local.advance(seconds)
    local.advance(90 * 365 * 86_400)
    with pytest.raises(ValueError, match="100 years"):
        local.advance(20 * 365 * 86_400)
    assert math.isfinite(local.now()) and local.now() > before
    still_serves(local)


def test_timings_beyond_a_year_are_refused(local: LocalEKS) -> None:
    with pytest.raises(ValueError, match="between 0 and"):
        local.set_timings({"all": 1e308})
    with pytest.raises(ValueError, match="between 0 and"):
        local.set_timings({"cluster_create": -1})
    still_serves(local)


def test_recorded_bodies_are_bounded_by_bytes(local: LocalEKS) -> None:
    big = b"x" * (7 * 1024 * 1024)  # not JSON: refused at its first byte, recorded whole
    for i in range(12):  # 84 MiB of bodies, over the 64 MiB kept
        status, _ = raw(local, "POST", f"/clusters?attempt={i}", big)
        assert status == 400
    kept = [r for r in local.requests() if r["operation"] == "CreateCluster"]
    assert 0 < len(kept) < 12
    assert kept[-1]["query"] == [("attempt", "11")], "the newest are kept"
    local.clear_requests()
    assert local.requests() == []


def test_unknown_routes_are_recorded_without_their_body(local: LocalEKS) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    try:
        connection.request(
            "POST", "/no-such-route", body=b"y" * 1_000_000, headers={"Content-Type": "application/json"}
        )
        assert connection.getresponse().status == 404
    finally:
        connection.close()
    (recorded,) = [r for r in local.requests() if r["path"] == "/no-such-route"]
    assert recorded["body"] is None


def _signed_headers(region: str) -> dict[str, str]:
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20261202/{region}/eks/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
        "X-Amz-Date": "20261202T000000Z",
    }


def _letters(n: int) -> str:
    word = ""
    for _ in range(3):
        n, digit = divmod(n, 26)
        word += string.ascii_lowercase[digit]
    return word


def test_invented_regions_are_refused_and_bounded(local: LocalEKS) -> None:
    still_serves(local)
    status, message = raw(local, "GET", "/clusters", region="not a region")
    assert status == 403 and "valid region" in message
    connection = http.client.HTTPConnection("127.0.0.1", local.port, timeout=30)
    statuses = set()
    try:
        for i in range(1_001):
            connection.request("GET", "/clusters", headers=_signed_headers(f"zz-{_letters(i)}-1"))
            response = connection.getresponse()
            response.read()
            statuses.add(response.status)
    finally:
        connection.close()
    assert statuses == {200, 400}
    status, message = raw(local, "GET", "/clusters", region="zz-overflow-1")
    assert status == 400 and "at most 1000 account and region pairs" in message
    still_serves(local)  # a region the emulator already has


def _exchange(local: LocalEKS, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", local.port), timeout=10) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and stop reading before all of it is sent
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_malformed_chunked_body_is_a_bad_request_not_too_large(local: LocalEKS) -> None:
    answer = _exchange(
        local,
        b"POST /clusters HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"x-amzn-errortype: SerializationException" in head
    assert b"x-amzn-requestid: " in head and b"malformed" in body
    still_serves(local)


def test_a_body_over_the_limit_is_too_large(local: LocalEKS) -> None:
    status, message = raw(local, "POST", "/clusters", b"x" * (8 * 1024 * 1024 + 1))
    assert status == 413 and "larger than 8388608 bytes" in message


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /clusters HTTP/1.1\r\n" + b"".join(b"h%d: v\r\n" % i for i in range(101)) + b"\r\n", 431),
        (b"GET /clusters HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n", 431),
    ],
)
def test_requests_hyper_cannot_parse_get_an_aws_error(local: LocalEKS, request_head: bytes, status: int) -> None:
    answer = _exchange(local, request_head)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), head[:100]
    assert b"x-amzn-requestid: " in head and b"x-amzn-errortype: BadRequestException" in head
    assert json.loads(body)["message"]
    still_serves(local)
