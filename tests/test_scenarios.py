"""The scenario engine, through real boto3 clients: every built-in, every retry mode."""

from __future__ import annotations

import operator
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.endpoint
import botocore.exceptions
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from lightsail_stub import (
    LightsailStubError,
    ScenarioError,
    UnhandledOperationError,
    UnusedScenarioError,
    _model,
    mock_lightsail,
)
from lightsail_stub import scenarios as sc
from lightsail_stub.scenarios import (
    Delay,
    LightsailError,
    Proceed,
    Request,
    TransportFault,
    chaos,
    connection_error,
    fail,
    for_operation,
    latency,
    modify_response,
    normal,
    read_timeout,
    sequence,
    server_error,
    throttle,
    times,
    when,
)

from .helpers import assert_valid_output, client, create

CREATE = "CreateRelationalDatabaseSnapshot"
START = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
MODES = ["legacy", "standard", "adaptive"]


def retrying(mode: str = "standard", attempts: int = 3, **config: Any) -> Any:
    return client(retries={"mode": mode, "total_max_attempts": attempts}, **config)


def answers(stub: Any) -> list[str]:
    return [call.answer for call in stub.calls]


@pytest.fixture
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any real sleep or token-bucket wait fails the test: back-off must be virtual."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"slept for real: {args}")

    monkeypatch.setattr(time, "sleep", refuse)
    # Where adaptive mode's token bucket would wait (its public acquire() is lightsail-stub's
    # gate, which must not get this far during a stubbed call).
    monkeypatch.setattr(botocore.retries.bucket.TokenBucket, "_acquire", refuse)


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape", sorted(s.name for s in _model.operation_model(CREATE).error_shapes)
)
def test_fail_answers_every_modeled_error_of_create_as_its_modeled_exception(shape: str) -> None:
    c = client()
    with mock_lightsail(scenarios=[fail(shape, "simulated")]) as stub:
        with pytest.raises(getattr(c.exceptions, shape)) as raised:
            create(c)
    response = raised.value.response
    assert response["Error"] == {"Code": shape, "Message": "simulated"}
    expected_status = 500 if shape == "ServiceException" else 400
    assert response["ResponseMetadata"]["HTTPStatusCode"] == expected_status
    assert response["message"] == "simulated"
    assert response["docs"].endswith("API_CreateRelationalDatabaseSnapshot.html")
    assert response["code"]
    assert response["tip"]
    assert answers(stub) == [f"{expected_status} {shape}"]
    assert stub.snapshots == ()  # an error answered by a scenario stores nothing


def test_fail_passes_status_tip_docs_and_code_to_the_error_body() -> None:
    scenario = fail(
        "OperationFailureException",
        "busy",
        status=409,
        tip="wait",
        docs="https://example.com/docs",
        lightsail_code="Busy",
    )
    c = client()
    with mock_lightsail(scenarios=[scenario]):
        with pytest.raises(c.exceptions.OperationFailureException) as raised:
            create(c)
    response = raised.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert (response["code"], response["tip"], response["docs"], response["message"]) == (
        "Busy",
        "wait",
        "https://example.com/docs",
        "busy",
    )


def test_unmodeled_codes_are_plain_client_errors_with_only_type_and_message() -> None:
    c = client()
    with mock_lightsail(scenarios=[fail("DoesNotExist", "gone")]):
        with pytest.raises(ClientError) as raised:
            create(c)
    assert type(raised.value) is ClientError
    response = raised.value.response
    assert response["Error"] == {"Code": "DoesNotExist", "Message": "gone"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert not {"code", "tip", "docs"} & set(response)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("NotFoundExeption",), "did you mean 'NotFoundException'?"),
        (("accessdeniedexception",), "did you mean 'AccessDeniedException'?"),
        (("",), "code must be an error code"),
        (("Not Found",), "code must be an error code"),
        ((42,), "code must be an error code"),
        (("NotFoundException",), None),
    ],
)
def test_fail_checks_its_code(arguments: tuple[Any, ...], message: str | None) -> None:
    if message is None:
        assert repr(fail(*arguments)) == "fail('NotFoundException')"
        return
    with pytest.raises(ValueError, match=re.escape(message)):
        fail(*arguments)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"status": 200}, ValueError, "status must be an HTTP error status (400-599), got 200"),
        ({"status": True}, ValueError, "status must be an HTTP error status"),
        ({"tip": 3}, TypeError, "tip must be a str, got 3"),
        ({"times": 0}, ValueError, "times must be a positive int or None, got 0"),
        ({"times": 1.5}, ValueError, "times must be a positive int or None, got 1.5"),
    ],
)
def test_fail_checks_its_options(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        fail("NotFoundException", **kwargs)


def test_server_error_is_a_5xx_service_exception() -> None:
    with pytest.raises(ValueError, match="status must be 5xx"):
        server_error(status=404)
    c = client()
    with mock_lightsail(scenarios=[server_error(status=503)]) as stub:
        with pytest.raises(c.exceptions.ServiceException):
            create(c)
    assert answers(stub) == ["503 ServiceException"]


# -- retries are real --------------------------------------------------------------------------


@pytest.mark.usefixtures("no_real_sleep")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("make", "first_answer"),
    [
        (throttle, "400 ThrottlingException"),
        (server_error, "500 ServiceException"),
        (connection_error, "EndpointConnectionError"),
        (read_timeout, "ReadTimeoutError"),
    ],
)
def test_two_failures_then_success_is_a_success_after_two_retries(
    mode: str, make: Any, first_answer: str
) -> None:
    c = retrying(mode, attempts=3)
    with mock_lightsail(scenarios=[make(times=2)], clock=START) as stub:
        response = create(c)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert answers(stub) == [first_answer, first_answer, "200 OK"]
    assert [call.attempt for call in stub.calls] == [1, 2, 3]
    assert len({call.invocation_id for call in stub.calls}) == 1  # one logical call
    assert len(stub.snapshots) == 1
    assert_valid_output(CREATE, response)


@pytest.mark.usefixtures("no_real_sleep")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attempts", [1, 2, 4])
def test_the_callers_max_attempts_is_honoured(mode: str, attempts: int) -> None:
    c = retrying(mode, attempts=attempts)
    with mock_lightsail(scenarios=[throttle()]) as stub:
        with pytest.raises(ClientError) as raised:
            create(c)
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    assert [call.attempt for call in stub.calls] == list(range(1, attempts + 1))


@pytest.mark.usefixtures("no_real_sleep")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("make", "error"),
    [
        (server_error, ClientError),
        (connection_error, EndpointConnectionError),
        (lambda: read_timeout(processed=True), ReadTimeoutError),
    ],
)
def test_max_attempts_is_honoured_for_5xx_and_faults_too(
    mode: str, make: Any, error: type[Exception]
) -> None:
    c = retrying(mode, attempts=2)
    with mock_lightsail(scenarios=[make()]) as stub:
        with pytest.raises(error):
            create(c)
    assert [call.attempt for call in stub.calls] == [1, 2]


@pytest.mark.usefixtures("no_real_sleep")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("scenario", "error"),
    [(connection_error(), EndpointConnectionError), (read_timeout(), ReadTimeoutError)],
)
def test_transport_faults_are_raised_as_botocore_raises_them_after_the_last_attempt(
    mode: str, scenario: Any, error: type[Exception]
) -> None:
    c = retrying(mode, attempts=3)
    with mock_lightsail(scenarios=[scenario]) as stub:
        with pytest.raises(error) as raised:
            create(c)
    assert "lightsail.eu-west-2.amazonaws.com" in str(raised.value)
    assert [(call.attempt, call.status) for call in stub.calls] == [(1, None), (2, None), (3, None)]
    assert stub.snapshots == ()


def test_every_transport_fault_kind_maps_to_its_botocore_exception() -> None:
    c = client()
    for kind, error in [
        ("connection-error", EndpointConnectionError),
        ("connect-timeout", botocore.exceptions.ConnectTimeoutError),
        ("read-timeout", ReadTimeoutError),
        ("connection-closed", ConnectionClosedError),
    ]:
        with mock_lightsail(scenarios=[lambda call, kind=kind: TransportFault(kind)]) as stub:
            with pytest.raises(error):
                create(c)
        assert stub.calls[0].error_code == error.__name__


def test_transport_fault_options_are_checked() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        TransportFault("dns")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a request that never connected"):
        TransportFault("connection-error", processed=True)


def test_a_processed_read_timeout_makes_the_retry_find_its_own_snapshot() -> None:
    c = retrying("standard", attempts=3)
    with mock_lightsail(scenarios=[read_timeout(times=1, processed=True)]) as stub:
        with pytest.raises(c.exceptions.InvalidInputException, match="already exists"):
            create(c)
    assert answers(stub) == ["ReadTimeoutError", "400 InvalidInputException"]
    assert stub.calls[0].response is not None  # carried out: the lost answer is logged
    assert [s.name for s in stub.snapshots] == ["orders-db-1"]


@pytest.mark.usefixtures("no_real_sleep")
def test_back_off_moves_the_stub_clock_instead_of_sleeping() -> None:
    c = retrying("standard", attempts=3)
    with mock_lightsail(scenarios=[throttle(times=2)], clock=START) as stub:
        create(c)
        # botocore backs off after a throttle (random, at most 20 s per retry).
        assert START < stub.now() <= START + timedelta(seconds=40)


@pytest.mark.usefixtures("no_real_sleep")
def test_back_off_stays_virtual_when_botocore_endpoint_time_was_put_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another test (or a user's fixture) may patch botocore.endpoint.time and restore the
    module it found after lightsail-stub's first activation: the next one hooks it again.
    (Found by a random test order in CI: a server test's fixture did exactly this.)"""
    with mock_lightsail():
        pass  # installed, for this process
    monkeypatch.setattr(botocore.endpoint, "time", time)  # the real module, put back
    c = retrying("standard", attempts=3)
    with mock_lightsail(scenarios=[throttle(times=2)], clock=START) as stub:
        create(c)
        assert START < stub.now() <= START + timedelta(seconds=40)


def test_virtual_time_sleeps_for_real_outside_a_stubbed_call() -> None:
    from lightsail_stub._hook import _calling, _VirtualTime

    slept: list[float] = []

    class Real:
        def sleep(self, seconds: float) -> None:
            slept.append(seconds)

        def monotonic(self) -> float:
            return 7.0

    proxy = _VirtualTime(Real())
    _calling.stub = None
    proxy.sleep(1.5)
    assert slept == [1.5]
    assert proxy.monotonic() == 7.0
    with mock_lightsail(virtual_backoff=False, clock=START) as stub:
        _calling.stub = stub
        try:
            proxy.sleep(2)
        finally:
            _calling.stub = None
    assert slept == [1.5, 2]
    assert stub.now() == START
    with mock_lightsail(clock=START) as stub:
        _calling.stub = stub
        try:
            proxy.sleep(3)
        finally:
            _calling.stub = None
        assert stub.now() == START + timedelta(seconds=3)
    assert slept == [1.5, 2]


def test_the_adaptive_token_bucket_waits_as_usual_outside_a_stubbed_call() -> None:
    from botocore.exceptions import CapacityNotAvailableError
    from botocore.retries.bucket import Clock, TokenBucket

    from lightsail_stub._hook import _calling

    def empty_bucket() -> TokenBucket:
        bucket = TokenBucket(max_rate=0.5, clock=Clock())
        bucket.max_rate = 0.5  # no capacity yet: a blocking acquire() would wait 2 s
        return bucket

    with mock_lightsail():  # installs the gate (once per process)
        pass
    with pytest.raises(CapacityNotAvailableError):
        empty_bucket().acquire(block=False)  # no stubbed call in progress: botocore's own
    for virtual, expected in [(True, True), (False, None)]:
        with mock_lightsail(virtual_backoff=virtual) as stub:
            _calling.stub = stub
            try:
                if expected:
                    assert empty_bucket().acquire(block=False) is True
                else:
                    with pytest.raises(CapacityNotAvailableError):
                        empty_bucket().acquire(block=False)
            finally:
                _calling.stub = None


def test_adaptive_clients_made_before_the_first_activation_do_not_wait(tmp_path: Any) -> None:
    """Module-level clients (made at collection, before any stub) are gated too."""
    script = textwrap.dedent(
        """
        import botocore.retries.bucket as bucket
        import boto3
        from botocore.config import Config
        early = boto3.client("lightsail", region_name="eu-west-2",
                             config=Config(retries={"mode": "adaptive", "total_max_attempts": 6}))
        def refuse(*args, **kwargs):
            raise SystemExit("adaptive mode waited for real")
        bucket.TokenBucket._acquire = refuse
        import time
        time.sleep = refuse
        from lightsail_stub import mock_lightsail
        from lightsail_stub.scenarios import throttle
        with mock_lightsail(scenarios=[throttle(times=5)]) as stub:
            response = early.create_relational_database_snapshot(
                relationalDatabaseName="db-1", relationalDatabaseSnapshotName="snap-1")
        print(response["ResponseMetadata"]["RetryAttempts"])
        """
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5"


def test_a_retry_after_the_stub_stopped_is_refused_not_sent() -> None:
    c = retrying("standard", attempts=3)

    def stop_then_throttle(call: Request) -> Any:
        call.stub.stop()
        return throttle()(call)

    stub = mock_lightsail(scenarios=[stop_then_throttle], assert_all_handled=False)
    stub.start()
    with pytest.raises(LightsailStubError, match="stopped before botocore retried it"):
        create(c)
    assert answers(stub) == ["400 ThrottlingException"]
    from lightsail_stub._hook import _calling

    assert getattr(_calling, "stub", None) is None


def test_the_thread_mark_is_cleared_after_every_call_even_on_base_exceptions() -> None:
    from lightsail_stub._hook import _calling

    class Stop(BaseException):
        pass

    def abort(call: Request) -> Any:
        raise Stop

    c = client()
    with mock_lightsail() as stub:
        create(c)
        assert getattr(_calling, "stub", None) is None  # after-call cleared it
        with pytest.raises(ClientError):
            create(c)  # a Lightsail error: after-call again
        assert getattr(_calling, "stub", None) is None
        stub.add_scenario(abort)
        with pytest.raises(Stop):
            create(c, snapshot="other")
        assert getattr(_calling, "stub", None) is None


# -- latency -----------------------------------------------------------------------------------


def test_latency_moves_the_clock_then_lets_the_next_scenario_answer() -> None:
    c = client()
    with mock_lightsail(clock=START, scenarios=[latency(90)]) as stub:
        response = create(c)
        assert stub.now() == START + timedelta(seconds=90)
        assert response["operations"][0]["createdAt"] == START + timedelta(seconds=90)
        assert stub.calls[0].scenario == "latency(90)"
        stub.add_scenario(throttle())
        stub.add_scenario(latency(10))
        with pytest.raises(ClientError):
            create(c, snapshot="second")
    assert stub.calls[1].scenario == "latency(10) + throttle()"
    assert stub.now() == START + timedelta(seconds=100)
    for bad in (-1, float("inf"), float("nan"), True, "5"):
        with pytest.raises(ValueError, match=r"seconds must be a number from 0 to 315576000"):
            Delay(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"latency\(seconds=1000000000000.0\): seconds must"):
        latency(1e12)


# -- combinators -------------------------------------------------------------------------------


def test_sequence_answers_one_step_per_call_then_falls_through() -> None:
    c = client()
    steps = sequence(throttle(), fail("NotFoundException"), normal(), server_error())
    with mock_lightsail(scenarios=[steps, fail("AccessDeniedException")]) as stub:
        for name in ["a1", "a2", "a3", "a4", "a5"]:
            try:
                create(c, snapshot=name)
            except ClientError:
                pass
    assert answers(stub) == [
        "400 ThrottlingException",
        "400 NotFoundException",
        "200 OK",
        "500 ServiceException",
        "400 AccessDeniedException",
    ]
    assert [s.name for s in stub.snapshots] == ["a3"]
    assert repr(steps) == (
        "sequence(throttle(), fail('NotFoundException'), normal(), server_error())"
    )


def test_times_limits_any_scenario() -> None:
    c = client()
    limited = times(2, fail("AccessDeniedException"))
    with mock_lightsail(scenarios=[limited]) as stub:
        for name in ["a1", "a2", "a3"]:
            try:
                create(c, snapshot=name)
            except ClientError:
                pass
    assert answers(stub) == ["400 AccessDeniedException"] * 2 + ["200 OK"]
    assert repr(limited) == "times(2, fail('AccessDeniedException'))"
    assert limited.answered == 2


def test_when_matches_parameters_by_value_regex_or_predicate() -> None:
    c = client()
    nightly = when({"relationalDatabaseSnapshotName": re.compile(r"^nightly-")}, throttle())
    by_value = when({"relationalDatabaseName": "legacy-db"}, fail("NotFoundException"))
    by_predicate = when(
        {"relationalDatabaseSnapshotName": lambda name: name.endswith("-x")},
        fail("AccessDeniedException"),
    )
    with mock_lightsail(scenarios=[nightly, by_value, by_predicate]) as stub:
        for database, snapshot in [
            ("db", "nightly-1"),
            ("db", "weekly-1"),
            ("legacy-db", "weekly-2"),
            ("db", "weekly-x"),
        ]:
            try:
                create(c, database, snapshot)
            except ClientError:
                pass
    assert answers(stub) == [
        "400 ThrottlingException",
        "200 OK",
        "400 NotFoundException",
        "400 AccessDeniedException",
    ]
    assert repr(nightly) == (
        "when({'relationalDatabaseSnapshotName': re.compile('^nightly-')}, throttle())"
    )


def test_when_takes_a_predicate_on_the_request_and_checks_its_condition() -> None:
    def second_region(call: Request) -> bool:
        return call.region == "us-east-1"

    scenario = when(second_region, fail("RegionSetupInProgressException"))
    assert repr(scenario) == "when(second_region, fail('RegionSetupInProgressException'))"
    with mock_lightsail(scenarios=[scenario]) as stub:
        create(client("eu-west-2"))
        with pytest.raises(ClientError):
            create(client("us-east-1"))
    assert answers(stub) == ["200 OK", "400 RegionSetupInProgressException"]
    with pytest.raises(TypeError, match="condition must be a predicate"):
        when(42, throttle())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is not a scenario"):
        when(second_region, 42)  # type: ignore[arg-type]


def test_for_operation_takes_wire_or_python_names_and_checks_them() -> None:
    assert repr(for_operation("get_operation", throttle())) == (
        "for_operation('GetOperation', throttle())"
    )
    with pytest.raises(ValueError, match="did you mean 'GetOperation'"):
        for_operation("GetOperatoin", throttle())
    c = client()
    scenario = for_operation("GetBundles", fail("AccessDeniedException"))
    with mock_lightsail(scenarios=[scenario, for_operation(CREATE, throttle(times=1))]) as stub:
        with pytest.raises(c.exceptions.AccessDeniedException):
            c.get_bundles()
        with pytest.raises(ClientError):
            create(c)
        create(c)
    assert answers(stub) == ["400 AccessDeniedException", "400 ThrottlingException", "200 OK"]


def test_a_scenario_may_answer_an_operation_the_stub_does_not_serve_but_not_proceed() -> None:
    c = client()
    with mock_lightsail(scenarios=[normal()], assert_all_handled=False):
        with pytest.raises(UnhandledOperationError):
            c.get_bundles()


def test_chaos_is_reproducible_and_respects_rate_and_choices() -> None:
    def run(scenario: Any) -> list[str]:
        c = client()
        with mock_lightsail(scenarios=[scenario]) as stub:
            for index in range(40):
                try:
                    create(c, snapshot=f"s-{index}")
                except (ClientError, botocore.exceptions.BotoCoreError):
                    pass
        return answers(stub)

    first = run(chaos(rate=0.5, seed=7))
    assert first == run(chaos(rate=0.5, seed=7))
    assert first != run(chaos(rate=0.5, seed=8))
    assert 5 < first.count("200 OK") < 35
    assert set(first) - {"200 OK"} <= {
        "400 ThrottlingException",
        "500 ServiceException",
        "EndpointConnectionError",
        "ReadTimeoutError",
    }
    assert run(chaos(rate=0)) == ["200 OK"] * 40
    assert set(run(chaos(rate=1, choices=[fail("AccessDeniedException")]))) == {
        "400 AccessDeniedException"
    }
    for bad, message in [({"rate": 2}, "rate must be"), ({"choices": []}, "must not be empty")]:
        with pytest.raises(ValueError, match=message):
            chaos(**bad)
    assert repr(chaos(rate=0.2, seed=1, choices=[throttle()])) == (
        "chaos(rate=0.2, seed=1, choices=[throttle()])"
    )


# -- writing your own ----------------------------------------------------------------------------


def test_a_custom_scenario_sees_the_request_and_can_delegate_to_a_builtin() -> None:
    seen: list[Request] = []

    def no_prod(call: Request) -> Any:
        seen.append(call)
        if call.params["relationalDatabaseName"].startswith("prod-"):
            return fail("AccessDeniedException", "no prod")(call)
        return None

    c = retrying("standard", attempts=2)
    with mock_lightsail(scenarios=[no_prod], clock=START) as stub:
        create(c, "staging-db")
        with pytest.raises(c.exceptions.AccessDeniedException, match="no prod"):
            create(c, "prod-db", "prod-1")
    first = seen[0]
    assert (first.operation, first.region, first.attempt, first.index) == (
        CREATE,
        "eu-west-2",
        1,
        0,
    )
    # Older botocore (1.36) sends "max" only from the first retry on.
    seeds_max = hasattr(botocore.retries.standard, "MaxAttemptsSeeder")
    assert first.max_attempts == (2 if seeds_max else None)
    assert first.now == START
    assert first.stub is stub
    assert dict(first.params) == {
        "relationalDatabaseName": "staging-db",
        "relationalDatabaseSnapshotName": "orders-db-1",
    }
    with pytest.raises(TypeError):
        first.params["x"] = 1  # type: ignore[index]
    assert [call.index for call in seen] == [0, 1]
    assert stub.calls[1].scenario is not None
    assert "no_prod" in stub.calls[1].scenario


def test_a_retry_tells_the_scenario_the_callers_max_attempts() -> None:
    seen: list[Request] = []

    def record(call: Request) -> Any:
        seen.append(call)
        return None

    with mock_lightsail(scenarios=[record, throttle(times=1)]):
        create(retrying("standard", attempts=4))
    assert [(call.attempt, call.max_attempts) for call in seen[1:]] == [(2, 4)]


def test_a_scenario_that_raises_or_returns_garbage_is_a_library_error_at_once_and_at_exit() -> None:
    c = client()

    def broken(call: Request) -> Any:
        raise KeyError("oops")

    def garbage(call: Request) -> Any:
        return "throttle"

    for scenario, message in [
        (broken, "raised KeyError: 'oops' while deciding Request(operation="),
        (garbage, "returned 'throttle'; a scenario returns Proceed, LightsailError"),
    ]:
        stub = mock_lightsail(scenarios=[scenario])
        with pytest.raises(ScenarioError, match=re.escape(message)):
            with stub:
                with pytest.raises(ScenarioError, match=re.escape(message)):
                    create(c)
        assert stub.calls[0].error_code == "ScenarioError"


def test_modify_response_changes_what_the_caller_parses() -> None:
    def only_first_operation(document: dict[str, Any]) -> dict[str, Any]:
        document["operations"] = document["operations"][:1]
        document["operations"][0]["status"] = "Succeeded"
        return document

    c = client()
    with mock_lightsail(scenarios=[modify_response(only_first_operation, times=1)]) as stub:
        response = create(c)
        assert [op["status"] for op in response["operations"]] == ["Succeeded"]
        assert [op["status"] for op in create(c, snapshot="two")["operations"]] == [
            "Started",
            "Started",
        ]
    assert len(stub.calls[0].response["operations"]) == 1  # the log keeps what was sent
    assert repr(stub.scenarios[0]) == "modify_response(only_first_operation, times=1)"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda document: None, "it returned NoneType, not a dict"),
        (lambda document: {"x": object()}, "cannot encode object"),
        (lambda document: document["missing"], "KeyError: 'missing'"),
    ],
)
def test_a_failing_response_change_is_a_scenario_error(change: Any, message: str) -> None:
    stub = mock_lightsail(scenarios=[Proceed_scenario(change)], assert_all_handled=False)
    with stub, pytest.raises(ScenarioError, match=re.escape(message)):
        create(client())


def Proceed_scenario(change: Any) -> Any:
    return lambda call: Proceed(change)


# -- the stack ---------------------------------------------------------------------------------


def test_the_stack_first_answer_wins_and_added_scenarios_go_on_top() -> None:
    c = client()
    base = fail("AccessDeniedException")
    with mock_lightsail(scenarios=[base]) as stub:
        with stub.scenario(throttle()) as added:
            assert stub.scenarios == (added, base)
            with pytest.raises(ClientError, match="ThrottlingException"):
                create(c)
        assert stub.scenarios == (base,)
        with pytest.raises(c.exceptions.AccessDeniedException):
            create(c)
        extra = stub.add_scenario("throttled")
        assert repr(extra) == "'throttled'"
        stub.remove_scenario(extra)
        with pytest.raises(ValueError, match="is not one of this stub's scenarios"):
            stub.remove_scenario(extra)
        with pytest.raises(RuntimeError, match="boom"), stub.scenario(normal()):
            raise RuntimeError("boom")
        assert stub.scenarios == (base,)


def test_reset_restores_the_constructor_scenarios_with_full_budgets() -> None:
    c = client()
    stub = mock_lightsail(scenarios=[throttle(times=1)])

    @stub
    def run() -> list[str]:
        stub.add_scenario(fail("NotFoundException", times=5))
        for name in ["s-a", "s-b"]:
            try:
                create(c, snapshot=name)
            except ClientError:
                pass
        return answers(stub)

    assert run() == ["400 NotFoundException", "400 NotFoundException"]
    assert run() == ["400 NotFoundException", "400 NotFoundException"]
    stub.reset()
    with stub:
        for name in ["s-a", "s-b"]:
            try:
                create(c, snapshot=name)
            except ClientError:
                pass
    assert answers(stub) == ["400 ThrottlingException", "200 OK"]


def test_assert_all_used_lists_what_was_left_unused() -> None:
    c = client()
    stub = mock_lightsail(
        scenarios=[throttle(times=3), sequence(normal(), normal())], assert_all_used=True
    )
    with pytest.raises(UnusedScenarioError) as raised, stub:
        with pytest.raises(ClientError):
            create(c)
    assert str(raised.value) == (
        "2 scenario(s) were not used up: throttle(times=3) answered 1 of 3 time(s); "
        "sequence(normal(), normal()) has 2 of 2 step(s) left "
        "(pass assert_all_used=False to mock_lightsail() to not check this)"
    )
    with mock_lightsail(scenarios=[throttle(times=3)]):  # off by default
        pass
    with mock_lightsail(assert_all_used=True) as stub, pytest.raises(UnusedScenarioError):
        with stub.scenario(fail("NotFoundException", times=1)):
            pass


def test_assert_all_used_does_not_bury_the_error_of_the_body() -> None:
    with pytest.raises(KeyError, match="the real problem"):
        with mock_lightsail(scenarios=[throttle(times=3)], assert_all_used=True) as stub:
            with stub.scenario(throttle(times=1)):
                raise KeyError("the real problem")


def test_scenarios_are_consulted_before_the_rules_like_aws_front_end() -> None:
    c = retrying("standard", attempts=3)
    with mock_lightsail(scenarios=["throttled"]) as stub:
        with pytest.raises(c.exceptions.InvalidInputException):
            create(c, snapshot="-bad-")
    assert answers(stub) == [
        "400 ThrottlingException",
        "400 ThrottlingException",
        "400 InvalidInputException",
    ]


def test_the_call_log_names_the_scenario() -> None:
    c = client()
    with mock_lightsail(scenarios=[throttle(times=1)]) as stub:
        with pytest.raises(ClientError):
            create(c)
        create(c)
    assert [call.scenario for call in stub.calls] == ["throttle(times=1)", None]
    assert repr(stub.calls[0]).endswith("-> 400 ThrottlingException by throttle(times=1)>")
    assert "   scenario: throttle(times=1)\n" in stub.format_calls()


def test_scenarios_keep_their_budget_under_threads() -> None:
    limited = throttle(times=25)
    with mock_lightsail(scenarios=[limited]) as stub:
        clients = [client() for _ in range(8)]

        def work(c: Any, worker: int) -> None:
            for index in range(10):
                try:
                    create(c, snapshot=f"w{worker}-{index}")
                except ClientError:
                    pass

        threads = [threading.Thread(target=work, args=(c, i)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers(stub).count("400 ThrottlingException") == 25
    assert len(stub.snapshots) == 80 - 25
    assert len(stub.calls) == 80


def test_mock_lightsail_checks_scenarios() -> None:
    with pytest.raises(TypeError, match="must be a list of scenarios or names"):
        mock_lightsail(scenarios="throttled")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a list of scenarios or names"):
        mock_lightsail(scenarios=throttle())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is not a scenario"):
        mock_lightsail(scenarios=[42])  # type: ignore[list-item]
    with pytest.raises(LookupError, match="known names: access-denied, "):
        mock_lightsail(scenarios=["throttle"])


def test_outcomes_are_the_public_vocabulary() -> None:
    assert LightsailError("X").status is None
    assert Proceed().change is None
    assert isinstance(throttle(), sc.Scenario)
    assert issubclass(ScenarioError, LightsailStubError)


# -- failing later ---------------------------------------------------------------------------------


def test_fail_later_accepts_the_create_then_the_polling_caller_sees_it_fail() -> None:
    c = client()
    scenario = sc.fail_later("InternalFailure", "storage full", times=1)
    assert repr(scenario) == "fail_later('InternalFailure', 'storage full', times=1)"
    with mock_lightsail(scenarios=[scenario], create_duration=60, clock=START) as stub:
        assert c.get_relational_database_snapshots()["relationalDatabaseSnapshots"] == []
        started = create(c)["operations"]
        assert [op["status"] for op in started] == ["Started", "Started"]
        assert stub.snapshots[0].state == "creating"
        stub.advance(60)
        operation = c.get_operation(operationId=started[0]["id"])["operation"]
        assert (operation["status"], operation["isTerminal"]) == ("Failed", True)
        assert (operation["errorCode"], operation["errorDetails"]) == (
            "InternalFailure",
            "storage full",
        )
        assert stub.snapshots[0].state == "error"
        create(c, snapshot="the-next-one")  # the budget is spent: the next create succeeds
        stub.advance(60)
        assert [s.state for s in stub.snapshots] == ["error", "available"]
    # Reads before the create were not answered by it (it only decides lifecycles).
    assert [call.scenario for call in stub.calls][:2] == [None, repr(scenario)]


def test_proceed_fail_later_on_an_operation_without_a_lifecycle_is_a_scenario_error() -> None:
    c = client()
    stub = mock_lightsail(
        scenarios=[lambda call: Proceed(fail_later=("X", "y"))], assert_all_handled=False
    )
    with stub, pytest.raises(ScenarioError, match="asked GetRelationalDatabaseSnapshots to fail"):
        c.get_relational_database_snapshots()
    with pytest.raises(ValueError, match="error_code must not be empty"):
        sc.fail_later("")
    with pytest.raises(TypeError, match="error_details must be a str, got 5"):
        sc.fail_later("X", 5)  # type: ignore[arg-type]


# -- what a review found -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        (lambda: LightsailError("X", status=200), "status must be an HTTP error status"),
        (lambda: LightsailError("X", status="abc"), "status must be an HTTP error status"),  # type: ignore[arg-type]
        (lambda: LightsailError(123), "code must be an error code"),  # type: ignore[arg-type]
        (lambda: LightsailError(""), "code must be an error code"),
        (lambda: LightsailError("X", tip=object()), "tip must be a str"),  # type: ignore[arg-type]
        (lambda: Delay(float("inf")), "seconds must be a number from 0"),
    ],
)
def test_bad_outcomes_from_a_custom_scenario_are_scenario_errors(
    outcome: Any, message: str
) -> None:
    with pytest.raises(ValueError if "tip" not in message else TypeError, match=message):
        outcome()
    stub = mock_lightsail(scenarios=[lambda call: outcome()], assert_all_handled=False)
    with stub, pytest.raises(ScenarioError, match=re.escape(message)):
        create(client())
    assert stub.snapshots == ()


def test_delays_that_overflow_the_clock_are_scenario_errors() -> None:
    far = datetime(9995, 1, 1, tzinfo=timezone.utc)
    with mock_lightsail(clock=far, scenarios=[latency(sc.MAX_DELAY)], assert_all_handled=False):
        with pytest.raises(ScenarioError, match="moved the clock past what a datetime can hold"):
            create(client())


def test_a_processed_read_timeout_still_loses_an_error_answer() -> None:
    c = retrying("standard", attempts=2)
    with mock_lightsail(scenarios=[read_timeout(times=1, processed=True)]) as stub:
        with pytest.raises(c.exceptions.InvalidInputException):
            create(c, snapshot="bad_name!")
    assert answers(stub) == ["ReadTimeoutError", "400 InvalidInputException"]
    assert stub.calls[0].error_message.endswith("the lost answer: 400 InvalidInputException")


def test_a_factory_that_raises_or_a_scenario_registered_as_factory_is_explained() -> None:
    def broken() -> Any:
        raise RuntimeError("no config")

    sc.register("review-broken", broken)
    try:
        with pytest.raises(LookupError, match="factory of the scenario 'review-broken' raised"):
            mock_lightsail(scenarios=["review-broken"])
    finally:
        sc.unregister("review-broken")
    with pytest.raises(
        TypeError, match=r"is a scenario, not a factory; register lambda: throttle\(\)"
    ):
        sc.register("review-object", throttle())  # type: ignore[arg-type]


def test_reset_or_removal_inside_a_scenario_block_keeps_the_body_error() -> None:
    with mock_lightsail() as stub:
        with pytest.raises(KeyError, match="original"), stub.scenario(throttle()) as added:
            stub.reset()
            raise KeyError("original")
        with stub.scenario(throttle()) as added:
            stub.remove_scenario(added)
        assert stub.scenarios == ()


def test_scenarios_see_deeply_read_only_params_and_cannot_change_the_request() -> None:
    tried: list[str] = []

    def meddle(call: Request) -> Any:
        for attempt in (
            lambda: operator.setitem(call.params["tags"][0], "key", "x"),  # mapping proxy
            lambda: call.params["tags"].append({}),  # tuple
        ):
            try:
                attempt()
            except (TypeError, AttributeError) as error:
                tried.append(type(error).__name__)
        return None

    with mock_lightsail(scenarios=[meddle]) as stub:
        create(client(), tags=[{"key": "team", "value": "db"}])
    assert tried == ["TypeError", "AttributeError"]
    assert stub.snapshots[0].tags == (("team", "db"),)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: when({"relationalDatabaseSnapshotname": "x"}, throttle()),
            ValueError,
            "did you mean 'relationalDatabaseSnapshotName'?",
        ),
        (lambda: for_operation(["x"], throttle()), TypeError, "name must be an operation name"),
        (lambda: mock_lightsail(scenarios=None), TypeError, "scenarios must be a list"),
        (lambda: mock_lightsail(scenarios=5), TypeError, "scenarios must be a list"),
        (lambda: chaos(choices="throttled"), TypeError, "choices must be a list of scenarios"),
        (lambda: read_timeout(processed="no"), TypeError, "processed must be True or False"),
    ],
)
def test_combinator_and_option_mistakes_are_clear_errors(
    build: Any, error: type, message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        build()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: {**d, "operations": 5}, "failed to change the CreateRelationalDatabaseSnapshot"),
        (lambda d: {"operations": ["x"]}, "failed to change"),
        (
            lambda d: {"operations": [{**d["operations"][0], "createdAt": "yesterday"}]},
            "failed to change",
        ),
    ],
)
def test_a_changed_response_botocore_cannot_parse_is_a_scenario_error(
    change: Any, message: str
) -> None:
    stub = mock_lightsail(scenarios=[modify_response(change)], assert_all_handled=False)
    with stub, pytest.raises(ScenarioError, match=message):
        create(client())


def test_chaos_gives_the_same_calls_the_same_faults_whatever_the_thread_order() -> None:
    def run(order: list[int]) -> dict[str, str]:
        c = client()
        with mock_lightsail(scenarios=[chaos(rate=0.5, seed=3)]) as stub:
            for index in order:
                try:
                    create(c, snapshot=f"s-{index}")
                except (ClientError, botocore.exceptions.BotoCoreError):
                    pass
        return {call.params["relationalDatabaseSnapshotName"]: call.answer for call in stub.calls}

    forward = run(list(range(30)))
    assert forward == run(list(reversed(range(30))))
    assert len(set(forward.values())) > 1


def test_reprs_show_every_option_and_functions_by_name() -> None:
    def only_prod(call: Request) -> Any:
        return None

    assert repr(throttle(message="Slow down")) == "throttle(message='Slow down')"
    assert repr(fail("NotFoundException", tip="t", lightsail_code="C")) == (
        "fail('NotFoundException', tip='t', lightsail_code='C')"
    )
    assert repr(sequence(only_prod, normal())) == "sequence(only_prod, normal())"
    assert repr(chaos(choices=[only_prod])) == "chaos(rate=0.1, seed=0, choices=[only_prod])"


def test_a_sequence_reports_the_unused_budget_of_a_step_it_reached() -> None:
    steps = sequence(throttle(times=2))
    stub = mock_lightsail(scenarios=[steps], assert_all_used=True)
    with (
        pytest.raises(
            UnusedScenarioError, match=re.escape("throttle(times=2) answered 1 of 2 time(s)")
        ),
        stub,
    ):
        with pytest.raises(ClientError):
            create(client())
    assert answers(stub) == ["400 ThrottlingException"]


def test_a_predicate_may_itself_call_lightsail() -> None:
    c = client()
    looked: list[int] = []

    def when_empty(call: Request) -> bool:
        if call.operation != CREATE:
            return False
        looked.append(len(c.get_relational_database_snapshots()["relationalDatabaseSnapshots"]))
        return looked[-1] == 0

    with mock_lightsail(scenarios=[when(when_empty, fail("NotFoundException"), times=1)]) as stub:
        with pytest.raises(ClientError):
            create(c)
        create(c)
    assert looked == [0]  # the budget was spent: the second create did not ask
    assert answers(stub)[-1] == "200 OK"


# -- mutation survivors from the review ----------------------------------------------------


def test_reset_refills_the_budgets_of_the_constructor_scenarios() -> None:
    c = client()
    base = throttle(times=1)
    with mock_lightsail(scenarios=[base]) as stub:
        with pytest.raises(ClientError):
            create(c)
        create(c)
        stub.reset()
        with pytest.raises(ClientError):
            create(c)
    assert base.answered == 1


def test_a_reset_sequence_starts_again_from_its_first_step() -> None:
    steps = sequence(throttle(), normal())
    with mock_lightsail(scenarios=[steps]) as stub:
        with pytest.raises(ClientError):
            create(client())
        stub.reset()
        with pytest.raises(ClientError):
            create(client())
    assert answers(stub) == ["400 ThrottlingException"]


def test_a_budget_counts_only_the_calls_the_scenario_answered() -> None:
    c = client()
    nightly = when({"relationalDatabaseSnapshotName": re.compile("nightly")}, throttle(), times=1)
    with mock_lightsail(scenarios=[nightly]) as stub:
        create(c, snapshot="weekly-1")
        create(c, snapshot="weekly-2")
        with pytest.raises(ClientError):
            create(c, snapshot="the-nightly-1")  # unanchored: search, not match
        create(c, snapshot="the-nightly-2")
    assert answers(stub) == ["200 OK", "200 OK", "400 ThrottlingException", "200 OK"]


def test_a_scenario_after_a_delay_sees_the_later_time() -> None:
    seen: list[datetime] = []

    def record(call: Request) -> Any:
        seen.append(call.now)
        return None

    with mock_lightsail(clock=START, scenarios=[latency(30), record]):
        create(client())
    assert seen == [START + timedelta(seconds=30)]


def test_service_unavailable_is_a_503_without_saying_so() -> None:
    with mock_lightsail(scenarios=[fail("ServiceUnavailable")]) as stub:
        with pytest.raises(ClientError):
            create(client())
    assert answers(stub) == ["503 ServiceUnavailable"]


def test_a_named_scenario_reports_what_it_left_unused() -> None:
    sc.register("review-once", lambda: throttle(times=2))
    try:
        stub = mock_lightsail(scenarios=["review-once"], assert_all_used=True)
        with pytest.raises(UnusedScenarioError, match="answered 0 of 2"), stub:
            pass
    finally:
        sc.unregister("review-once")


def test_a_library_error_raised_by_a_scenario_keeps_its_class() -> None:
    def refuse(call: Request) -> Any:
        raise UnhandledOperationError("not in this test")

    stub = mock_lightsail(scenarios=[refuse], assert_all_handled=False)
    with stub, pytest.raises(UnhandledOperationError, match=r"^not in this test$"):
        create(client())


def test_fail_later_decides_a_database_delete_only_when_it_takes_a_final_snapshot() -> None:
    c = client()
    scenario = sc.fail_later("InternalFailure", "disk full")
    with mock_lightsail(clock=START, scenarios=[scenario]) as stub:
        for name in ("db-keep", "db-skip"):
            stub.add_database(name, region="eu-west-2")
        skipped = c.delete_relational_database(
            relationalDatabaseName="db-skip", skipFinalSnapshot=True
        )
        done = c.get_operation(operationId=skipped["operations"][0]["id"])["operation"]
        assert done["status"] == "Succeeded"  # nothing left to fail
        kept = c.delete_relational_database(
            relationalDatabaseName="db-keep", finalRelationalDatabaseSnapshotName="db-keep-final"
        )
        operation = c.get_operation(operationId=kept["operations"][0]["id"])["operation"]
        assert (operation["status"], operation["errorCode"]) == ("Failed", "InternalFailure")
        final = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="db-keep-final")
        assert final["relationalDatabaseSnapshot"]["state"] == "error"
    assert [
        call.scenario for call in stub.calls if call.operation == "DeleteRelationalDatabase"
    ] == [
        None,
        repr(scenario),
    ]
    hand_written = mock_lightsail(
        scenarios=[lambda call: Proceed(fail_later=("X", "y"))], assert_all_handled=False
    )
    with hand_written:
        hand_written.add_database("db-x", region="eu-west-2")
        with pytest.raises(ScenarioError, match="with a finalRelationalDatabaseSnapshotName"):
            c.delete_relational_database(relationalDatabaseName="db-x", skipFinalSnapshot=True)
