"""Edges of the server's limits and choices, each pinned by a test that fails if the limit
or the choice moves: the body cap, timeouts, loopback, the default Region, framing, faults
acted out as resets or clean closes, the rejected list's cap, HEAD, the exit check, and the
test suite's own network guard."""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any

import pytest

import conftest
from lightsail_stub import UnhandledOperationError
from lightsail_stub import server as server_module
from lightsail_stub.__main__ import main as cli_main
from lightsail_stub._server import Rejected, is_loopback
from lightsail_stub.scenarios import TransportFault
from lightsail_stub.server import ThreadedServer

from .server_helpers import lightsail

LIST = "Lightsail_20161128.GetRelationalDatabaseSnapshots"


def _request(body: bytes, *, length: str | None = None, method: str = "POST") -> bytes:
    head = (
        f"{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: {LIST}\r\n"
        f"Content-Length: {length if length is not None else len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _answer(sock: socket.socket) -> tuple[int, Any]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    data = response.read()
    return response.status, json.loads(data) if data else None


def test_a_body_of_exactly_max_body_is_served_one_byte_more_answers_413() -> None:
    with ThreadedServer(max_body=64) as server:
        exactly = b"{}" + b" " * 62
        assert len(exactly) == 64
        assert lightsail(server, "GetRelationalDatabaseSnapshots", exactly)[0] == 200
        status, _, answer = lightsail(server, "GetRelationalDatabaseSnapshots", exactly + b" ")
    assert (status, answer["__type"]) == (413, "RequestEntityTooLargeException")


def test_localhost_counts_as_loopback_and_a_server_may_listen_there() -> None:
    assert is_loopback("localhost")
    assert is_loopback("::1")
    assert is_loopback("[::1]")
    assert is_loopback("127.0.0.2")
    assert not is_loopback("example.com")
    assert not is_loopback("0.0.0.0")
    with ThreadedServer(host="localhost") as server:  # no error, no warning (they fail)
        assert server.url.startswith("http://127.0.0.1:")
        assert lightsail(server, "GetRelationalDatabaseSnapshots", {})[0] == 200


def test_an_unsigned_request_is_in_us_east_1_by_default() -> None:
    with ThreadedServer() as server:
        assert lightsail(server, "GetRelationalDatabaseSnapshots", {})[0] == 200
    assert [call.region for call in server.stub.calls] == ["us-east-1"]


def test_the_cli_defaults_are_the_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    given: dict[str, Any] = {}

    def fake_serve(**options: Any) -> int:
        given.update(options)
        return 0

    monkeypatch.setattr(server_module, "serve", fake_serve)
    assert cli_main(["serve"]) == 0
    assert (given["region"], given["timeout"], given["max_body"]) == ("us-east-1", 30.0, 1048576)
    assert (given["host"], given["port"]) == ("127.0.0.1", 0)


def test_a_content_length_of_non_ascii_digits_answers_400() -> None:
    with ThreadedServer() as server:
        with socket.create_connection(server.address, timeout=30) as sock:
            sock.sendall(_request(b"{}", length="\u00b2"))  # '²'.isdigit() is True
            status, answer = _answer(sock)
    assert (status, answer["__type"]) == (400, "MalformedHttpRequestException")
    assert server.stub.calls == ()


def test_a_too_large_body_bigger_than_the_socket_buffers_still_gets_its_413() -> None:
    # 16 MiB: far more than loopback's socket buffers hold, and at the drain limit (16 x
    # max_body). Not drained, the client could not even send it all: the server's close with
    # unread data resets the connection.
    with ThreadedServer() as server:
        with socket.create_connection(server.address, timeout=30) as sock:
            sock.sendall(_request(b" " * (16 * 1024 * 1024)))  # read and dropped by the server
            status, answer = _answer(sock)
    assert (status, answer["__type"]) == (413, "RequestEntityTooLargeException")


def test_a_request_after_a_413_on_the_same_connection_is_not_served() -> None:
    with ThreadedServer(max_body=64) as server:
        with socket.create_connection(server.address, timeout=30) as sock:
            sock.sendall(_request(b" " * 65) + _request(b"{}"))
            assert _answer(sock)[0] == 413
            assert sock.recv(1) == b""  # closed: the second request is not read
    assert server.stub.calls == ()


@pytest.mark.parametrize(
    ("kind", "reset"),
    [
        ("connection-error", True),
        ("connect-timeout", True),
        ("connection-closed", False),
        ("read-timeout", False),
    ],
)
def test_connection_errors_reset_the_connection_and_closes_end_it_cleanly(
    kind: str, reset: bool
) -> None:
    with ThreadedServer(scenarios=[lambda call: TransportFault(kind)]) as server:
        with socket.create_connection(server.address, timeout=30) as sock:
            sock.sendall(_request(b"{}"))
            if reset:
                with pytest.raises(ConnectionResetError):
                    sock.recv(1)
            else:
                assert sock.recv(1) == b""  # FIN: end of stream, no reset
    assert [call.status for call in server.stub.calls] == [None]


def test_the_rejected_list_keeps_the_last_1000() -> None:
    with ThreadedServer() as server:
        for number in range(1005):
            server._served._reject(Rejected("GET", f"/{number}", 404, "X", "m"))
        kept = server.rejected
    assert len(kept) == 1000
    assert (kept[0].path, kept[-1].path) == ("/5", "/1004")


def test_a_head_answer_has_a_length_and_no_body() -> None:
    with ThreadedServer() as server:
        with socket.create_connection(server.address, timeout=30) as sock:
            sock.sendall(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405 ")
    assert b"Content-Length: 0" not in head
    assert body == b""


def test_stop_runs_the_exit_check() -> None:
    server = ThreadedServer().start()
    assert lightsail(server, "GetInstances", {})[0] == 501
    with pytest.raises(UnhandledOperationError):
        server.stop()
    quiet = ThreadedServer(assert_all_handled=False).start()
    assert lightsail(quiet, "GetInstances", {})[0] == 501
    quiet.stop()  # told not to check


def test_the_guard_refuses_an_address_that_is_not_loopback_even_if_listed(
    allow_connect: Any,
) -> None:
    address = ("93.184.216.34", 443)
    conftest._ALLOWED.add(address)
    try:
        assert not conftest._loopback_server(address)
    finally:
        conftest._ALLOWED.discard(address)
    assert not conftest._loopback_server(("example.com", 443))
    with pytest.raises(ValueError, match="allow_connect\\(\\) is for loopback addresses only"):
        allow_connect("93.184.216.34", 443)


def test_a_threaded_server_beyond_loopback_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_listening(*args: Any, **kwargs: Any) -> None:
        raise OSError("no listening beyond loopback in the test suite")

    monkeypatch.setattr(server_module, "Server", no_listening)
    with (
        pytest.warns(server_module.RemoteListeningWarning, match="listening on 0.0.0.0"),
        pytest.raises(OSError, match="no listening beyond loopback"),
    ):
        ThreadedServer(host="0.0.0.0", allow_remote=True)


def test_log_must_be_callable() -> None:
    with pytest.raises(TypeError, match="log must be a callable taking one str, or None, got 'x'"):
        ThreadedServer(log="x")  # type: ignore[arg-type]


def test_a_refused_request_line_is_not_filed_under_the_previous_requests_path() -> None:
    with ThreadedServer() as server:
        with socket.create_connection(server.address, timeout=10) as sock:
            sock.sendall(b"GET /_stub/calls HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.sendall(b"garbage\r\n\r\n")  # one word: not a request line
            answers = b""
            while answers.count(b"HTTP/1.") < 2:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answers += chunk
        refused = server.rejected[-1]  # filed before it was answered
    assert answers.count(b"HTTP/1.") == 2
    assert (refused.status, refused.error_type, refused.path) == (
        400,
        "MalformedHttpRequestException",
        "",
    )
