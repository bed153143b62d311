"""Server mode through real boto3 clients: the same stub, the control API, library errors,
transport faults acted out over HTTP, threads, and the test suite's network guard."""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

import conftest
from lightsail_stub import (
    LightsailStub,
    UnhandledOperationError,
    UnusedScenarioError,
    _server,
    mock_lightsail,
)
from lightsail_stub.scenarios import (
    TransportFault,
    connection_error,
    latency,
    read_timeout,
    throttle,
    when,
)
from lightsail_stub.server import ThreadedServer

from .helpers import assert_valid_output, create
from .server_helpers import ClientSleeps, lightsail, request, server_client

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def client_sleeps(monkeypatch: pytest.MonkeyPatch) -> ClientSleeps:
    sleeps = ClientSleeps(botocore.endpoint.time)  # type: ignore[attr-defined]
    monkeypatch.setattr(botocore.endpoint, "time", sleeps)
    return sleeps


# -- the same stub ---------------------------------------------------------------------------------


def test_a_boto3_client_creates_gets_lists_tags_and_deletes_through_the_server() -> None:
    with ThreadedServer(seed=7, databases=["orders-db"]) as server:
        c = server_client(server)
        created = create(c, snapshot="orders-db-1", tags=[{"key": "env", "value": "prod"}])
        assert [op["status"] for op in created["operations"]] == ["Started", "Started"]
        assert_valid_output("CreateRelationalDatabaseSnapshot", created)
        got = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="orders-db-1")
        assert got["relationalDatabaseSnapshot"]["state"] == "available"
        assert got["relationalDatabaseSnapshot"]["tags"] == [{"key": "env", "value": "prod"}]
        c.tag_resource(resourceName="orders-db-1", tags=[{"key": "keep", "value": "yes"}])
        listed = c.get_relational_database_snapshots()["relationalDatabaseSnapshots"]
        assert [(s["name"], len(s["tags"])) for s in listed] == [("orders-db-1", 2)]
        deleted = c.delete_relational_database_snapshot(
            relationalDatabaseSnapshotName="orders-db-1"
        )
        assert deleted["operations"][0]["status"] == "Succeeded"
        with pytest.raises(c.exceptions.NotFoundException):
            c.get_relational_database_snapshot(relationalDatabaseSnapshotName="orders-db-1")
    # The server's stub is the one in server.stub: its call log and world, in Python.
    assert [call.answer for call in server.stub.calls] == [
        "200 OK",
        "200 OK",
        "200 OK",
        "200 OK",
        "200 OK",
        "400 NotFoundException",
    ]
    assert server.stub.snapshots == ()
    assert not server.stub.active  # never activated: the server calls it directly


def test_documented_errors_reach_the_client_as_lightsail_sends_them() -> None:
    with ThreadedServer(databases=["orders-db"]) as server:
        c = server_client(server)
        with pytest.raises(c.exceptions.InvalidInputException) as bad_name:
            create(c, snapshot="nightly_1")
        with pytest.raises(c.exceptions.NotFoundException) as missing:
            create(c, database="no-such-db")
    assert bad_name.value.response["Error"]["Message"] == (
        "relationalDatabaseSnapshotName 'nightly_1' is invalid: "
        "must contain only letters, digits or hyphens."
    )
    assert bad_name.value.response["code"] == "InvalidInput"
    assert bad_name.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert missing.value.response["Error"]["Message"] == (
        "relationalDatabaseName 'no-such-db': no relational database with that name exists "
        "in eu-west-2."
    )


def test_the_region_comes_from_the_signing_scope_else_the_servers_default() -> None:
    with ThreadedServer(region="ap-south-1") as server:
        create(server_client(server, "us-west-2"), snapshot="signed")
        status, _, body = lightsail(
            server,
            "CreateRelationalDatabaseSnapshot",
            {"relationalDatabaseName": "db-1", "relationalDatabaseSnapshotName": "unsigned"},
        )
        assert status == 200
        assert body["operations"][1]["location"]["availabilityZone"] == "ap-south-1a"
        status, _, _ = lightsail(
            server,
            "CreateRelationalDatabaseSnapshot",
            {"relationalDatabaseName": "db-1", "relationalDatabaseSnapshotName": "named"},
            {"X-Lightsail-Stub-Region": "ca-central-1"},
        )
        assert status == 200
    assert [(s.name, s.region) for s in server.stub.snapshots] == [
        ("signed", "us-west-2"),
        ("unsigned", "ap-south-1"),
        ("named", "ca-central-1"),
    ]


def test_a_stub_passed_in_is_served_and_can_be_seeded_directly() -> None:
    stub = LightsailStub(seed=1, clock=NOW, databases=["orders-db"])
    stub.add_snapshot("old-one", region="eu-west-2", created_at=NOW - timedelta(days=40))
    with ThreadedServer(stub=stub) as server:
        assert server.stub is stub
        listed = server_client(server).get_relational_database_snapshots()
    assert [s["name"] for s in listed["relationalDatabaseSnapshots"]] == ["old-one"]
    assert listed["relationalDatabaseSnapshots"][0]["createdAt"] == NOW - timedelta(days=40)


# -- library errors become HTTP answers, and are kept -------------------------------------------


def test_an_operation_the_stub_does_not_serve_answers_501_naming_it_and_fails_at_exit() -> None:
    with pytest.raises(UnhandledOperationError, match=r"^1 Lightsail call\(s\) failed") as exit_:
        with ThreadedServer() as server:
            c = server_client(server)
            with pytest.raises(ClientError) as caught:
                c.get_instances()
            calls = server.stub.calls
    error = caught.value.response
    assert error["Error"]["Code"] == "UnhandledOperationError"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "does not serve the Lightsail operation 'GetInstances'" in error["Error"]["Message"]
    assert [(call.operation, call.status, call.error_code) for call in calls] == [
        ("GetInstances", None, "UnhandledOperationError")
    ]
    assert "pass assert_all_handled=False to ThreadedServer()" in str(exit_.value)


def test_library_errors_answer_400_with_their_class_name() -> None:
    def broken(call: Any) -> None:
        raise RuntimeError("boom")

    with ThreadedServer(scenarios=[broken], assert_all_handled=False) as server:
        with pytest.raises(ClientError) as scenario:
            create(server_client(server))
        with pytest.raises(ClientError) as region:
            create(server_client(server, "xx-nowhere-1"))
    assert scenario.value.response["Error"]["Code"] == "ScenarioError"
    assert scenario.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "raised RuntimeError: boom" in scenario.value.response["Error"]["Message"]
    assert region.value.response["Error"]["Code"] == "UnsupportedRegionError"
    assert [call.error_code for call in server.stub.calls] == [
        "ScenarioError",
        "UnsupportedRegionError",
    ]


def test_an_error_in_the_with_block_is_not_buried_under_the_exit_check() -> None:
    with pytest.raises(KeyError, match="mine"):
        with ThreadedServer() as server:
            with pytest.raises(ClientError):
                server_client(server).get_instances()
            raise KeyError("mine")


def test_a_stub_that_was_never_started_answers_through_handle() -> None:
    stub = LightsailStub()
    with ThreadedServer(stub=stub) as server:
        create(server_client(server))
    assert stub.calls[0].answer == "200 OK"
    assert not stub.active


# -- scenarios over HTTP -------------------------------------------------------------------------


def test_throttling_goes_through_the_clients_real_retries(client_sleeps: ClientSleeps) -> None:
    with ThreadedServer(clock=NOW, scenarios=[throttle(times=2)]) as server:
        c = server_client(server, retries={"mode": "standard", "total_max_attempts": 3})
        response = create(c)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    # The client backed off twice, on its own time: the stub's clock did not move.
    assert len(client_sleeps.slept) == 2
    assert server.stub.now() == NOW
    assert [call.answer for call in server.stub.calls] == [
        "400 ThrottlingException",
        "400 ThrottlingException",
        "200 OK",
    ]
    assert [call.attempt for call in server.stub.calls] == [1, 2, 3]


@pytest.mark.parametrize(
    "fault",
    [
        TransportFault("connection-error"),
        TransportFault("connect-timeout"),
        TransportFault("connection-closed"),
        TransportFault("read-timeout"),
    ],
)
def test_transport_faults_end_the_connection_without_an_answer(fault: TransportFault) -> None:
    def once(call: Any) -> TransportFault | None:
        return fault if call.index == 0 else None

    with ThreadedServer(scenarios=[once]) as server:
        c = server_client(server)
        with pytest.raises(ConnectionClosedError):
            create(c, snapshot="lost")
        # The same client (its pool dropped the dead connection) goes on normally.
        create(c, snapshot="next")
    assert [call.answer for call in server.stub.calls][1:] == ["200 OK"]
    assert server.stub.calls[0].status is None
    assert [s.name for s in server.stub.snapshots] == ["next"]


def test_a_processed_read_timeout_carries_out_the_request_and_a_retry_finds_it() -> None:
    with ThreadedServer(scenarios=[read_timeout(times=1, processed=True)]) as server:
        c = server_client(server, retries={"mode": "standard", "total_max_attempts": 2})
        with pytest.raises(c.exceptions.InvalidInputException, match="already exists"):
            create(c, snapshot="nightly")
    assert [s.name for s in server.stub.snapshots] == ["nightly"]
    assert [call.answer for call in server.stub.calls] == [
        "ReadTimeoutError",
        "400 InvalidInputException",
    ]


def test_connection_errors_are_retried_by_the_client() -> None:
    with ThreadedServer(scenarios=[connection_error(times=2)]) as server:
        c = server_client(server, retries={"mode": "standard", "total_max_attempts": 3})
        response = create(c)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [call.answer for call in server.stub.calls] == [
        "EndpointConnectionError",
        "EndpointConnectionError",
        "200 OK",
    ]


def test_fault_hold_makes_a_read_timeout_a_real_one_for_the_client() -> None:
    # The server holds the connection (until it stops); the client gives up after 0.2 s.
    with ThreadedServer(scenarios=[read_timeout(times=1)], fault_hold=60) as server:
        with pytest.raises(ReadTimeoutError):
            create(server_client(server, read_timeout=0.2))
        # The held handler does not block the others (a client with normal timeouts).
        create(server_client(server), snapshot="after")
    assert [call.answer for call in server.stub.calls] == ["ReadTimeoutError", "200 OK"]


def test_latency_is_virtual_it_moves_the_stubs_clock() -> None:
    with ThreadedServer(clock=NOW, scenarios=[when(lambda call: True, latency(3600))]) as server:
        response = create(server_client(server))
    assert server.stub.now() == NOW + timedelta(hours=1)
    assert response["operations"][0]["createdAt"] == NOW + timedelta(hours=1)


# -- the control API -------------------------------------------------------------------------------


def test_control_api_seeds_databases_and_snapshots_and_lists_them() -> None:
    with ThreadedServer(seed=3, clock=NOW) as server:
        status, _, body = request(
            server,
            "POST",
            "/_stub/databases",
            {"name": "orders-db", "availability_zone": "eu-west-2b", "engine": "postgres"},
        )
        assert status == 200
        assert [(d["name"], d["availability_zone"]) for d in body["databases"]] == [
            ("orders-db", "eu-west-2b")
        ]
        status, _, snapshot = request(
            server,
            "POST",
            "/_stub/snapshots",
            {
                "name": "orders-db-old",
                "region": "eu-west-2",
                "database": "orders-db",
                "created_at": "2026-10-01T03:00:00Z",
                "tags": [{"key": "backup", "value": "nightly"}, {"key": "flag"}],
            },
        )
        assert status == 200
        assert snapshot["created_at"] == "2026-10-01T03:00:00+00:00"
        assert snapshot["engine"] == "postgres"
        assert snapshot["tags"] == [{"key": "backup", "value": "nightly"}, {"key": "flag"}]
        request(
            server,
            "POST",
            "/_stub/snapshots",
            {"name": "epoch", "region": "eu-west-2", "created_at": 0, "tags": {"a": "b"}},
        )
        listed = server_client(server).get_relational_database_snapshots()
        status, _, snapshots = request(server, "GET", "/_stub/snapshots")
        status, _, databases = request(server, "GET", "/_stub/databases")
    assert [(s["name"], s["engine"]) for s in listed["relationalDatabaseSnapshots"]] == [
        ("orders-db-old", "postgres"),
        ("epoch", "postgres"),  # database defaults to orders-db, as add_snapshot does
    ]
    assert [s["name"] for s in snapshots["snapshots"]] == ["orders-db-old", "epoch"]
    assert snapshots["snapshots"][1]["created_at"] == "1970-01-01T00:00:00+00:00"
    assert snapshots["snapshots"][1]["tags"] == [{"key": "a", "value": "b"}]
    assert [d["name"] for d in databases["databases"]] == ["orders-db"]
    assert databases["declared"] == []


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "/_stub/snapshots",
            {"name": "-bad", "region": "eu-west-2"},
            "add_snapshot(): name '-bad' is invalid: "
            "the first and last character must be a letter or number.",
        ),
        (
            "/_stub/snapshots",
            {"name": "ok-name"},
            "snapshots: the argument 'region' is required",
        ),
        (
            "/_stub/snapshots",
            {"name": "ok-name", "region": "eu-west-2", "state": "gone"},
            "add_snapshot(): state 'gone' is not a snapshot state the stub uses; give one of: "
            "'available', 'creating', 'error'",
        ),
        (
            "/_stub/snapshots",
            {"name": "ok-name", "region": "eu-west-2", "created_at": "yesterday"},
            "snapshots: created_at must be epoch seconds or an ISO 8601 time with an offset "
            "(e.g. '2026-11-01T03:00:00Z'), got 'yesterday'",
        ),
        (
            "/_stub/snapshots",
            {"name": "ok-name", "region": "eu-west-2", "tags": "a=b"},
            'snapshots: tags must be an object {"key": "value"} or a list of '
            '{"key": ..., "value": ...}, got \'a=b\'',
        ),
        (
            "/_stub/databases",
            {"name": "db-1", "colour": "red"},
            "databases: unknown argument(s) 'colour'; it takes: name, region, "
            "availability_zone, engine, engine_version, blueprint_id, bundle_id, size_in_gb",
        ),
        (
            "/_stub/databases",
            {"name": "db-1", "size_in_gb": "big"},
            "add_database(): size_in_gb must be an int, got str 'big'",
        ),
        (
            "/_stub/databases",
            {"name": 5},
            "add_database(): name must be a str, got int",
        ),
        (
            "/_stub/scenarios",
            {"name": "no-such-scenario"},
            "no lightsail-stub scenario is named 'no-such-scenario'; known names: ",
        ),
        (
            "/_stub/advance",
            {"seconds": -1},
            "advance: seconds must be a finite number >= 0, got -1",
        ),
        (
            "/_stub/advance",
            '{"seconds": NaN}',
            "the body is not JSON: NaN is not a JSON value (RFC 8259 has no NaN or Infinity)",
        ),
        (
            "/_stub/advance",
            '{"seconds": -Infinity}',
            "the body is not JSON: -Infinity is not a JSON value",
        ),
        (
            "/_stub/advance",
            '{"seconds": 1' + "0" * 400 + "}",  # too large for a float
            "advance: advance(seconds=1" + "0" * 63 + "... (int)): that moves the clock past "
            "the last instant every timezone can show (9999-12-30 23:59:59.999999 UTC)",
        ),
        (
            "/_stub/advance",
            {"seconds": 3e11},  # a float, but about 9,500 years
            "advance: advance(seconds=300000000000.0): that moves the clock past the last "
            "instant every timezone can show (9999-12-30 23:59:59.999999 UTC)",
        ),
        (
            "/_stub/advance",
            '{"seconds": 1e400}',  # Python's json would read it as inf
            "the body is not JSON: the number 1e400 is too large (it overflows a double)",
        ),
        (
            "/_stub/databases",
            {"name": "db-1", "availability_zone": 5},
            "databases: availability_zone must be a string, got 5",
        ),
        ("/_stub/reset", "[1]", "the body must be a JSON object, got list"),
        ("/_stub/reset", "{oops", "the body is not JSON: "),
    ],
)
def test_control_api_refuses_bad_arguments_with_400_naming_them(
    path: str, body: Any, message: str
) -> None:
    with ThreadedServer() as server:
        status, headers, answer = request(server, "POST", path, body)
        assert (status, answer["__type"]) == (400, "InvalidArgument")
        assert answer["message"].startswith(message)
        assert headers["content-type"] == "application/json"
        assert request(server, "GET", "/_stub/calls")[2] == {"calls": []}  # still serving


def test_control_api_pushes_and_clears_scenarios_by_name_and_reset_restores_the_base() -> None:
    with ThreadedServer(scenarios=["access-denied"], assert_all_handled=False) as server:
        c = server_client(server)
        assert request(server, "DELETE", "/_stub/scenarios")[2] == {"scenarios": []}
        create(c, snapshot="free")
        status, _, body = request(server, "POST", "/_stub/scenarios", {"name": "unauthenticated"})
        assert (status, body) == (200, {"scenarios": ["unauthenticated"]})
        with pytest.raises(c.exceptions.UnauthenticatedException):
            create(c, snapshot="refused")
        assert request(server, "POST", "/_stub/reset")[:1] == (200,)
        assert request(server, "GET", "/_stub/scenarios")[2] == {"scenarios": ["access-denied"]}
        pushed = server.stub.add_scenario(throttle(times=1))  # from Python: shown by its repr
        assert request(server, "GET", "/_stub/scenarios")[2] == {
            "scenarios": ["throttle(times=1)", "access-denied"]
        }
        server.stub.remove_scenario(pushed)
        with pytest.raises(c.exceptions.AccessDeniedException):
            create(c, snapshot="refused")
        _, _, calls = request(server, "GET", "/_stub/calls")
    assert [call["answer"] for call in calls["calls"]] == ["400 AccessDeniedException"]
    assert server.stub.snapshots == ()  # reset forgot "free"


def test_control_api_call_log_says_operation_region_params_status_code_and_scenario() -> None:
    with ThreadedServer(seed=5, scenarios=[throttle(times=1)], assert_all_handled=False) as s:
        c = server_client(s, retries={"mode": "standard", "total_max_attempts": 2})
        create(c, snapshot="logged", tags=[{"key": "k", "value": "v"}])
        with pytest.raises(ClientError):
            c.get_instances()
        _, _, body = request(s, "GET", "/_stub/calls")
    calls = body["calls"]
    assert [(x["operation"], x["status"], x["error_code"]) for x in calls] == [
        ("CreateRelationalDatabaseSnapshot", 400, "ThrottlingException"),
        ("CreateRelationalDatabaseSnapshot", 200, None),
        ("GetInstances", None, "UnhandledOperationError"),
    ]
    assert calls[0]["scenario"] == "throttle(times=1)"
    assert calls[1]["params"] == {
        "relationalDatabaseName": "orders-db",
        "relationalDatabaseSnapshotName": "logged",
        "tags": [{"key": "k", "value": "v"}],
    }
    assert calls[1]["region"] == "eu-west-2"
    assert calls[1]["attempt"] == 2
    assert calls[1]["response"]["operations"][0]["resourceName"] == "logged"
    assert calls[1]["request_id"] == s.stub.calls[1].request_id


def test_control_api_advances_the_clock_and_lists_operations() -> None:
    with ThreadedServer(clock=NOW, create_duration=60) as server:
        create(server_client(server))
        _, _, before = request(server, "GET", "/_stub/operations")
        status, _, now = request(server, "POST", "/_stub/advance", {"seconds": 60})
        _, _, after = request(server, "GET", "/_stub/operations")
    assert status == 200
    assert now == {"now": "2026-11-27T03:01:00+00:00"}
    assert [op["status"] for op in before["operations"]] == ["Started", "Started"]
    assert [op["status"] for op in after["operations"]] == ["Succeeded", "Succeeded"]


def test_control_api_unknown_endpoints_and_methods_are_named() -> None:
    with ThreadedServer() as server:
        status, _, missing = request(server, "GET", "/_stub/nothing")
        status2, headers, wrong = request(server, "GET", "/_stub/reset")
    assert (status, missing["__type"]) == (404, "UnknownControlEndpoint")
    assert "POST /_stub/reset, GET /_stub/databases" in missing["message"]
    assert (status2, wrong["message"]) == (405, "GET is not allowed on /_stub/reset; use POST")
    assert headers["allow"] == "POST"
    with ThreadedServer() as server:
        status3, headers3, put = request(server, "PUT", "/_stub/scenarios", {"name": "x"})
    assert (status3, put["__type"]) == (405, "UnknownControlEndpoint")
    assert put["message"] == "PUT is not allowed on /_stub/scenarios; use GET or POST or DELETE"
    assert headers3["allow"] == "GET, POST, DELETE"
    assert headers["content-type"] == headers3["content-type"] == "application/json"


def test_the_call_log_carries_any_string_the_client_sent() -> None:
    with ThreadedServer() as server:
        lightsail(
            server,
            "GetRelationalDatabaseSnapshot",
            rb'{"relationalDatabaseSnapshotName": "lone-\ud800"}',
        )
        status, _, body = request(server, "GET", "/_stub/calls")
    assert status == 200
    assert body["calls"][0]["params"] == {"relationalDatabaseSnapshotName": "lone-\ud800"}
    assert body["calls"][0]["error_code"] == "InvalidInputException"


# -- threads ------------------------------------------------------------------------------------------


def test_many_threads_of_clients_keep_log_and_world_consistent() -> None:
    threads_count, per_thread = 8, 15
    with ThreadedServer(databases=["orders-db"]) as server:
        clients = [server_client(server) for _ in range(threads_count)]
        errors: list[BaseException] = []
        racing: list[str] = []
        barrier = threading.Barrier(threads_count)

        def worker(number: int) -> None:
            try:
                for index in range(per_thread):
                    create(clients[number], snapshot=f"t{number}-{index:03d}")
                barrier.wait()
                try:
                    create(clients[number], snapshot="contested")
                    racing.append("won")
                except ClientError as error:
                    racing.append(error.response["Error"]["Code"])
            except BaseException as error:  # pragma: no cover (reported below)
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sorted(racing) == ["InvalidInputException"] * (threads_count - 1) + ["won"]
    names = sorted(s.name for s in server.stub.snapshots)
    expected = [f"t{n}-{i:03d}" for n in range(threads_count) for i in range(per_thread)]
    assert names == sorted([*expected, "contested"])
    assert len(server.stub.calls) == threads_count * (per_thread + 1)
    assert len({call.request_id for call in server.stub.calls}) == len(server.stub.calls)


# -- lifecycle and options ----------------------------------------------------------------------------


def test_the_server_stops_cleanly_with_a_kept_alive_connection_open() -> None:
    server = ThreadedServer().start()
    c = server_client(server)
    existing = set(threading.enumerate())
    create(c)  # the client's pool keeps the connection open
    handlers = [
        t for t in threading.enumerate() if t not in existing and "process_request_thread" in t.name
    ]
    assert handlers  # the kept-alive connection's handler, waiting for a next request
    server.stop()
    assert not server.running
    assert [t for t in handlers if t.is_alive()] == []  # woken, finished and joined
    with pytest.raises(RuntimeError, match="stopped; make a new one"):
        _ = server.url


def test_control_api_out_of_range_arithmetic_answers_400_naming_the_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ThreadedServer() as server:

        def overflow(seconds: float) -> None:
            raise ArithmeticError("too far")

        monkeypatch.setattr(server.stub, "advance", overflow)
        status, _, answer = request(server, "POST", "/_stub/advance", {"seconds": 5})
    assert (status, answer["__type"]) == (400, "InvalidArgument")
    assert answer["message"] == (
        "advance: an argument is out of range (ArithmeticError: too far); "
        "the arguments were {'seconds': 5}"
    )


def test_a_bug_in_the_server_answers_500_internal_failure_and_is_kept_in_rejected(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ThreadedServer() as server:

        def broken() -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(server.stub, "reset", broken)
        status, _, answer = request(server, "POST", "/_stub/reset")
        assert request(server, "GET", "/_stub/calls")[2] == {"calls": []}  # still serving
    message = (
        "this is a bug in lightsail-stub, please report it (with the request): RuntimeError: boom"
    )
    assert (status, answer) == (500, {"__type": "InternalFailure", "message": message})
    assert [(r.path, r.status, r.error_type, r.message) for r in server.rejected] == [
        ("/_stub/reset", 500, "InternalFailure", message)
    ]
    assert "Traceback" not in capsys.readouterr().err


def test_nan_and_infinity_in_a_lightsail_body_are_a_serialization_exception() -> None:
    with ThreadedServer() as server:
        for constant in ("NaN", "Infinity", "-Infinity"):
            status, _, answer = lightsail(
                server, "GetRelationalDatabaseSnapshots", f'{{"pageToken": {constant}}}'
            )
            assert (status, answer["__type"]) == (400, "SerializationException")
            assert f"{constant} is not a JSON value" in answer["message"]
    assert [call.answer for call in server.stub.calls] == ["400 SerializationException"] * 3


def test_the_control_api_never_sends_nan_or_infinity() -> None:
    body = _server._json_bytes({"a": [float("nan"), {"b": float("-inf")}], "c": 1.5})
    assert json.loads(body, parse_constant=pytest.fail) == {"a": ["nan", {"b": "-inf"}], "c": 1.5}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e300, 10**400, 86400.5, -1])
@pytest.mark.parametrize("option", ["timeout", "fault_hold"])
def test_timeouts_must_be_finite_and_at_most_a_day(option: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"^{option} must be a finite number of seconds from 0"):
        ThreadedServer(**{option: value})
    ThreadedServer(**{option: 86400}).stop()  # the cap itself is fine


def test_stub_options_alongside_a_ready_stub_are_refused_not_ignored() -> None:
    stub = LightsailStub()
    with pytest.raises(
        TypeError,
        match=r"^stub options \(databases, seed, scenarios, assert_all_used\) can't be given "
        r"with stub=: the stub has its own; pass them to LightsailStub\(\) instead$",
    ):
        ThreadedServer(
            stub=stub, seed=1, databases=["db"], scenarios=["throttled"], assert_all_used=True
        )
    for option, value in [
        ("rules", object()),
        ("clock", NOW),
        ("account_id", "111122223333"),
        ("assert_all_handled", False),
        ("create_duration", 5),
    ]:
        with pytest.raises(TypeError, match=rf"^stub options \({option}\) can't be given"):
            ThreadedServer(stub=stub, **{option: value})
    ThreadedServer(stub=stub, scenarios=[], databases=None).stop()  # defaults are fine


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match=r"host '0.0.0.0' is not a loopback address"):
        ThreadedServer(host="0.0.0.0")
    with pytest.raises(ValueError, match=r"region 'mars-1' is not a Lightsail Region"):
        ThreadedServer(region="mars-1")
    with pytest.raises(ValueError, match="max_body must be a positive number of bytes, got 0"):
        ThreadedServer(max_body=0)
    with pytest.raises(ValueError, match="timeout must be more than 0 seconds"):
        ThreadedServer(timeout=0)
    with pytest.raises(TypeError, match="stub must be a LightsailStub, got str"):
        ThreadedServer(stub="stub")  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="no lightsail-stub scenario is named 'nope'"):
        ThreadedServer(scenarios=["nope"])


# -- the test suite's network guard -------------------------------------------------------------------


def _guarded_connect(address: tuple[str, int]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(address)


def test_the_guard_allows_only_a_server_of_this_process_while_it_listens() -> None:
    with ThreadedServer() as server:
        address = server.address
        _guarded_connect(address)  # allowed: our own server
    start = len(conftest.NETWORK_ATTEMPTS)
    try:
        with pytest.raises(OSError, match="network access blocked by the test suite"):
            _guarded_connect(address)  # the same port, once the server stopped
        with pytest.raises(OSError, match="network access blocked by the test suite"):
            _guarded_connect(("93.184.216.34", 443))
        assert conftest.NETWORK_ATTEMPTS[start:] == [address, ("93.184.216.34", 443)]
    finally:
        del conftest.NETWORK_ATTEMPTS[start:]  # refused as they should be: not a failure


def test_the_control_api_json_is_plain_json() -> None:
    with ThreadedServer() as server:
        create(server_client(server))
        status, headers, _ = request(server, "GET", "/_stub/calls")
        connection_body = request(server, "GET", "/_stub/snapshots")[2]
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(json.dumps(connection_body)) == connection_body


def test_assert_all_used_fails_at_exit_when_a_scenario_was_not_used_up() -> None:
    with pytest.raises(UnusedScenarioError, match=r"^1 scenario\(s\) were not used up: "):
        with ThreadedServer(scenarios=[throttle(times=2)], assert_all_used=True) as server:
            with pytest.raises(ClientError):
                create(server_client(server))
    assert [call.answer for call in server.stub.calls] == ["400 ThrottlingException"]


def test_an_active_stub_lets_calls_to_a_server_of_this_process_go_to_it() -> None:
    with mock_lightsail() as active, ThreadedServer(databases=["orders-db"]) as server:
        create(server_client(server), snapshot="through-the-server")
        hooked = create(boto3.client("lightsail", region_name="eu-west-2"), snapshot="hooked")
    assert [s.name for s in server.stub.snapshots] == ["through-the-server"]
    assert [call.operation for call in server.stub.calls] == ["CreateRelationalDatabaseSnapshot"]
    # The active stub answers every other Lightsail client, as ever, and nothing else.
    assert hooked["operations"][0]["resourceName"] == "hooked"
    assert [s.name for s in active.snapshots] == ["hooked"]
    assert len(active.calls) == 1


@pytest.mark.parametrize(
    ("url", "to_the_server"),
    [
        ("http://127.0.0.1:8765/", True),
        ("http://localhost:8765/", True),  # a name for the loopback address the server binds
        ("http://[::1]:9000/", True),
        ("http://127.0.0.1:8766/", False),  # another port
        ("http://127.0.0.2:8765/", False),
        ("https://lightsail.eu-west-2.amazonaws.com/", False),  # AWS itself: no port
        ("http://127.0.0.1:notaport/", False),
    ],
)
def test_the_hook_recognises_a_url_of_a_listening_server(url: str, to_the_server: bool) -> None:
    from lightsail_stub._hook import _to_a_server

    assert _to_a_server(url, {("127.0.0.1", 8765), ("::1", 9000)}) is to_the_server
