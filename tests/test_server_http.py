"""Hostile HTTP never breaks the server: each malformed request gets a well-formed JSON error
(exact ``__type`` and status) or a clean close, and the server answers the next request."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lightsail_stub.server import ThreadedServer

from .server_helpers import lightsail, request

TARGET = "Lightsail_20161128.CreateRelationalDatabaseSnapshot"
LIST = "Lightsail_20161128.GetRelationalDatabaseSnapshots"
VALID = b'{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "snap-1"}'


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    # A small body limit so that "too large" needs no large body; a long timeout, so that a
    # kept-alive connection survives a slow (loaded) machine between two requests.
    with ThreadedServer(max_body=4096, timeout=60, assert_all_handled=False) as running:
        yield running


@pytest.fixture(scope="module")
def slow_server() -> Iterator[ThreadedServer]:
    # Only for the tests of the timeout itself: "too slow" needs no long wait.
    with ThreadedServer(timeout=0.5, assert_all_handled=False) as running:
        yield running


def raw(server: ThreadedServer, data: bytes) -> tuple[int, dict[str, str], Any] | None:
    """Send ``data`` on a fresh connection; the parsed answer, or ``None`` if the server
    closed the connection without one."""
    with socket.create_connection(server.address, timeout=30) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
        except (http.client.RemoteDisconnected, ConnectionResetError):
            return None
        body = response.read()
        headers = {key.lower(): value for key, value in response.getheaders()}
        return response.status, headers, json.loads(body) if body else None


def post(
    body: bytes, *headers: str, target: str | None = TARGET, path: str = "/", length: bool = True
) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    if target is not None:
        lines.append(f"X-Amz-Target: {target}")
    if length:
        lines.append(f"Content-Length: {len(body)}")
    lines.extend(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def still_serving(server: ThreadedServer) -> None:
    status, _, body = lightsail(server, "GetRelationalDatabaseSnapshots", {})
    assert status == 200
    assert "relationalDatabaseSnapshots" in body


@pytest.mark.parametrize(
    ("data", "status", "error_type", "message"),
    [
        pytest.param(
            post(b"{not json"),
            400,
            "SerializationException",
            "the request body is not JSON: Expecting property name enclosed in double quotes",
            id="bad-json",
        ),
        pytest.param(
            post(b"\xff\xfe{}"),
            400,
            "SerializationException",
            "the request body is not JSON: 'utf-8' codec can't decode",
            id="not-utf8",
        ),
        pytest.param(
            post(b"[1, 2]"),
            400,
            "SerializationException",
            "the request body must be a JSON object, got list",
            id="json-array",
        ),
        pytest.param(
            post(b'{"relationalDatabaseName": 1, "relationalDatabaseSnapshotName": "ab"}'),
            400,
            "SerializationException",
            "relationalDatabaseName must be a string, got int 1",
            id="wrong-type",
        ),
        pytest.param(
            post(b'{"relationalDatabaseSnapshotName": "ab"}'),
            400,
            "InvalidInputException",
            "relationalDatabaseName is required but missing from the request.",
            id="missing-member",
        ),
        pytest.param(
            post(b"", length=False),
            400,
            "InvalidInputException",
            "relationalDatabaseName is required but missing from the request.",
            id="no-content-length-means-no-body",
        ),
        pytest.param(
            post(b"{}", target=None),
            400,
            "UnknownOperationException",
            "the request has no X-Amz-Target header; send Lightsail_20161128.<Operation>",
            id="no-target",
        ),
        pytest.param(
            post(b"{}", target="DynamoDB_20120810.ListTables"),
            400,
            "UnknownOperationException",
            "X-Amz-Target 'DynamoDB_20120810.ListTables' names no Lightsail operation",
            id="other-service",
        ),
        pytest.param(
            post(b"{}", target="Lightsail_20161128.MakeCoffee"),
            400,
            "UnknownOperationException",
            "X-Amz-Target 'Lightsail_20161128.MakeCoffee' names no Lightsail operation",
            id="no-such-operation",
        ),
        pytest.param(
            post(b"{}", f"X-Amz-Target: {LIST}"),
            400,
            "UnknownOperationException",
            "the request has 2 different X-Amz-Target headers; send one",
            id="two-targets",
        ),
        pytest.param(
            post(b"{}", path="/other"),
            404,
            "UnknownOperationException",
            "no such path '/other': Lightsail requests are POST /",
            id="wrong-path",
        ),
        pytest.param(
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            405,
            "UnknownOperationException",
            "method GET is not allowed on /: Lightsail requests are POST",
            id="GET",
        ),
        pytest.param(
            b"PUT / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
            405,
            "UnknownOperationException",
            "method PUT is not allowed on /",
            id="PUT",
        ),
        pytest.param(
            b"DELETE /x HTTP/1.1\r\n\r\n",
            404,
            "UnknownOperationException",
            "no such path '/x'",
            id="DELETE-elsewhere",
        ),
        pytest.param(
            b"BREW / HTTP/1.1\r\n\r\n",
            405,
            "UnknownOperationException",
            "method BREW is not allowed on /",
            id="unknown-method",
        ),
        pytest.param(
            post(b"{}", "Content-Length: 3"),
            400,
            "MalformedHttpRequestException",
            "Content-Length '2', '3' is not one length in bytes",
            id="two-lengths",
        ),
        pytest.param(
            post(b"{}", "Content-Length: abc", length=False),
            400,
            "MalformedHttpRequestException",
            "Content-Length 'abc' is not one length in bytes",
            id="garbage-length",
        ),
        pytest.param(
            post(b"{}", "Content-Length: -2", length=False),
            400,
            "MalformedHttpRequestException",
            "Content-Length '-2' is not one length in bytes",
            id="negative-length",
        ),
        pytest.param(
            post(b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: chunked", length=False),
            411,
            "MalformedHttpRequestException",
            "Transfer-Encoding is not supported by lightsail-stub's server",
            id="chunked",
        ),
        pytest.param(
            post(b"{" + b" " * 5000 + b"}"),
            413,
            "RequestEntityTooLargeException",
            "the request body has 5002 bytes; lightsail-stub's server takes at most 4096",
            id="too-large",
        ),
        pytest.param(
            post(b"", "Content-Length: 999999999999", length=False),
            413,
            "RequestEntityTooLargeException",
            "the request body has 999999999999 bytes",
            id="absurd-length",
        ),
        pytest.param(
            b"\x00\x01garbage\r\n\r\n",
            400,
            "MalformedHttpRequestException",
            "Bad request",
            id="garbage-request-line",
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 120 + b"\r\n",
            431,
            "MalformedHttpRequestException",
            "Too many headers",
            id="too-many-headers",
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n",
            431,
            "MalformedHttpRequestException",
            "Line too long",
            id="header-line-too-long",
        ),
        pytest.param(
            b"POST /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
            414,
            "MalformedHttpRequestException",
            "URI Too Long",  # http.server's words: "Request-URI Too Long" before Python 3.13
            id="uri-too-long",
        ),
        pytest.param(
            b"POST / HTTP/2.0\r\n\r\n",
            505,
            "MalformedHttpRequestException",
            "Invalid HTTP version",
            id="http2-upgrade-refused",
        ),
    ],
)
def test_malformed_requests_get_a_json_error_and_the_server_goes_on(
    server: ThreadedServer, data: bytes, status: int, error_type: str, message: str
) -> None:
    answer = raw(server, data)
    assert answer is not None
    got_status, headers, body = answer
    assert (got_status, body["__type"]) == (status, error_type)
    assert message in body["message"]
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert int(headers["content-length"]) > 0
    still_serving(server)


def test_garbage_header_lines_are_tolerated_like_any_http_server(server: ThreadedServer) -> None:
    answer = raw(
        server,
        post(VALID, "no colon on this line", "X-Bytes: \x80\xff\xfe", "X-Empty:"),
    )
    assert answer is not None
    status, _, body = answer
    # http.server's header parser skips what it can't read: the request is answered.
    assert status in (200, 400)
    assert "__type" in body or "operations" in body
    still_serving(server)


def test_the_body_of_a_wrong_method_is_read_so_the_connection_stays_usable(
    server: ThreadedServer,
) -> None:
    connection = http.client.HTTPConnection(*server.address, timeout=30)
    try:
        connection.request("PUT", "/", body=b'{"a": 1}')
        first = connection.getresponse()
        first.read()
        connection.request(
            "POST", "/", body=b"{}", headers={"X-Amz-Target": LIST, "Content-Length": "2"}
        )
        second = connection.getresponse()
        assert (first.status, second.status) == (405, 200)
        assert first.getheader("Allow") == "POST"
    finally:
        connection.close()


def test_a_body_that_does_not_arrive_in_time_answers_408_and_closes(
    slow_server: ThreadedServer,
) -> None:
    server = slow_server
    with socket.create_connection(server.address, timeout=30) as sock:
        sock.sendall(post(b"", "Content-Length: 100", length=False) + b'{"relational')
        response = http.client.HTTPResponse(sock)
        response.begin()  # the server's own timeout (0.5 s) ends the wait
        body = json.loads(response.read())
        assert response.status == 408
        assert body == {
            "__type": "RequestTimeoutException",
            "message": "the request body did not arrive within 0.5 s (12 of 100 bytes came)",
        }
        assert response.getheader("Connection") == "close"
        assert sock.recv(1) == b""
    still_serving(server)


def test_a_silent_connection_is_closed_after_the_timeout(slow_server: ThreadedServer) -> None:
    with socket.create_connection(slow_server.address, timeout=30) as sock:
        assert sock.recv(1) == b""  # nothing sent: closed without an answer
    still_serving(slow_server)


def test_the_server_waits_on_a_connection_exactly_its_timeout() -> None:
    """The timeout the 408 message names is the one the server's sockets have."""
    with ThreadedServer(timeout=7.5) as fresh:
        with socket.create_connection(fresh.address, timeout=30) as sock:
            sock.sendall(post(b"{}", target=LIST))
            response = http.client.HTTPResponse(sock)
            response.begin()  # answered: the handler has set its connection up
            response.read()
            open_now = list(fresh._served._connections)
            assert [c.gettimeout() for c in open_now] == [7.5]


def test_a_client_that_disconnects_mid_body_is_forgotten() -> None:
    with ThreadedServer() as server:
        with socket.create_connection(server.address, timeout=30) as sock:
            sock.sendall(post(b"", "Content-Length: 100", length=False) + b'{"rel')
        still_serving(server)
    # Stopped: every handler thread was joined, so what it recorded is complete.
    assert [(r.status, r.error_type, r.message) for r in server.rejected] == [
        (None, "ClientGone", "the client closed the connection after 5 of 100 body bytes")
    ]
    assert [call.operation for call in server.stub.calls] == ["GetRelationalDatabaseSnapshots"]


def test_rejected_requests_are_kept_out_of_the_call_log_and_in_the_rejected_list() -> None:
    with ThreadedServer() as server:
        raw(server, post(b"{}", target=None))
        raw(server, b"GET / HTTP/1.1\r\n\r\n")
        raw(server, b"POST / HTTP/2.0\r\n\r\n")
        lightsail(server, "CreateRelationalDatabaseSnapshot", b"{bad")
        _, _, listed = request(server, "GET", "/_stub/rejected")
    assert listed["rejected"][0] == {
        "method": "POST",
        "path": "/",
        "status": 400,
        "error_type": "UnknownOperationException",
        "message": "the request has no X-Amz-Target header; send "
        "Lightsail_20161128.<Operation>, e.g. Lightsail_20161128.GetRelationalDatabaseSnapshots",
    }
    assert [(r.method, r.path, r.status, r.error_type) for r in server.rejected] == [
        ("POST", "/", 400, "UnknownOperationException"),
        ("GET", "/", 405, "UnknownOperationException"),
        # Refused before http.server read the method:
        ("", "", 505, "MalformedHttpRequestException"),
    ]
    # A body that is not JSON reached Lightsail's dispatch: it is a call, answered by it.
    assert [call.answer for call in server.stub.calls] == ["400 SerializationException"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=300))
def test_any_bytes_body_gets_a_lightsail_answer(server: ThreadedServer, body: bytes) -> None:
    answer = raw(server, post(body))
    assert answer is not None
    status, headers, document = answer
    assert headers["content-type"] == "application/x-amz-json-1.1"
    if status == 200:
        assert set(document) == {"operations"}
    else:
        assert status == 400
        assert document["__type"] in {
            "SerializationException",
            "InvalidInputException",
            "NotFoundException",
        }
        assert document["message"]


_HEADER_BYTES = st.binary(max_size=60).filter(lambda b: b"\r" not in b and b"\n" not in b)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    target=_HEADER_BYTES,
    name=st.from_regex(rb"[A-Za-z][A-Za-z0-9-]{0,20}", fullmatch=True),
    value=_HEADER_BYTES,
)
def test_any_header_values_get_a_json_answer(
    server: ThreadedServer, target: bytes, name: bytes, value: bytes
) -> None:
    data = (
        b"POST / HTTP/1.1\r\nX-Amz-Target: "
        + target
        + b"\r\n"
        + name
        + b": "
        + value
        + b"\r\nContent-Length: 2\r\n\r\n{}"
    )
    answer = raw(server, data)
    assert answer is not None
    status, _, document = answer
    assert status < 500 or status == 501
    assert isinstance(document["__type"], str)
    assert isinstance(document["message"], str)
    still_serving(server)


def test_expect_100_continue_is_honoured_as_curl_uses_it(server: ThreadedServer) -> None:
    # A name of its own: the module's server keeps what other tests created.
    body = VALID.replace(b"snap-1", b"continued")
    with socket.create_connection(server.address, timeout=30) as sock:
        sock.sendall(
            post(b"", f"Content-Length: {len(body)}", "Expect: 100-continue", length=False)
        )
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            interim += sock.recv(1)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        response = http.client.HTTPResponse(sock)
        response.begin()
        answer = json.loads(response.read())
    assert response.status == 200
    assert answer["operations"][0]["resourceName"] == "continued"


@pytest.mark.parametrize(
    "data",
    [
        f"POST / HTTP/1.1\r\nX-Amz-Target: {LIST}\r\nContent-Le".encode(),
        f"POST / HTTP/1.1\r\nX-Amz-Target: {LIST}\r\n".encode(),
    ],
    ids=["in-a-header", "after-a-header"],
)
def test_headers_cut_off_by_the_end_of_the_stream_are_not_executed(data: bytes) -> None:
    with ThreadedServer() as fresh:
        with socket.create_connection(fresh.address, timeout=30) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(1024) == b""  # closed without an answer
        still_serving(fresh)
    assert [call.operation for call in fresh.stub.calls] == ["GetRelationalDatabaseSnapshots"]
    assert [(r.status, r.error_type, r.message) for r in fresh.rejected] == [
        (
            None,
            "ClientGone",
            "the connection ended in the request's headers (no blank line after them): "
            "not executed",
        )
    ]


def test_a_stop_during_a_requests_headers_executes_and_rejects_nothing() -> None:
    with ThreadedServer() as fresh:
        with socket.create_connection(fresh.address, timeout=30) as sock:
            sock.sendall(post(b"{}", target=LIST))  # a whole request: the handler is running
            response = http.client.HTTPResponse(sock)
            response.begin()
            response.read()
            sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # then headers, cut
            fresh.stop()  # shuts the connection down under the handler
    assert [call.operation for call in fresh.stub.calls] == ["GetRelationalDatabaseSnapshots"]
    assert fresh.rejected == ()
