"""Property: whatever stack of built-in scenarios answers, the caller gets a schema-valid
response, a ClientError or one of botocore's own exceptions; never a library error."""

from __future__ import annotations

import functools
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from lightsail_stub import _model, mock_lightsail
from lightsail_stub import scenarios as sc

from .helpers import assert_valid_output, client

CREATE = "CreateRelationalDatabaseSnapshot"
CODES = [*sorted(_model.error_shapes()), "ThrottlingException", "DoesNotExist"]


@functools.cache
def cached_client(mode: str, attempts: int) -> Any:
    # Clients are slow to build and hold no state that matters here.
    return client(retries={"mode": mode, "total_max_attempts": attempts})


TIMES = st.none() | st.integers(1, 3)
OTHER_OPERATIONS = {
    "GetRelationalDatabaseSnapshot",
    "GetRelationalDatabaseSnapshots",
    "DeleteRelationalDatabaseSnapshot",
}


def identity(document: dict[str, Any]) -> dict[str, Any]:
    return document


def custom(outcome: Any) -> Any:
    """A user's own scenario, returning a raw outcome."""

    def scenario(call: sc.Request) -> Any:
        return outcome

    return scenario


raw_outcomes = st.one_of(
    st.builds(
        sc.LightsailError,
        st.sampled_from(CODES),
        st.none() | st.text(max_size=20),
        status=st.none() | st.integers(400, 599),
        tip=st.none() | st.text(max_size=10),
    ),
    st.builds(sc.Delay, st.floats(0, sc.MAX_DELAY)),
    st.builds(sc.TransportFault, st.sampled_from(["connection-error", "connect-timeout"])),
    st.builds(
        sc.TransportFault, st.sampled_from(["read-timeout", "connection-closed"]), st.booleans()
    ),
    st.just(sc.Proceed()),
)

leaves = st.one_of(
    st.builds(sc.fail, st.sampled_from(CODES), times=TIMES),
    st.builds(sc.throttle, times=TIMES),
    st.builds(sc.server_error, times=TIMES),
    st.builds(sc.connection_error, times=TIMES),
    st.builds(sc.read_timeout, times=TIMES, processed=st.booleans()),
    st.builds(sc.latency, st.floats(0, sc.MAX_DELAY), times=TIMES),
    st.builds(sc.normal, times=TIMES),
    st.builds(sc.fail_later, times=TIMES),
    st.builds(sc.modify_response, st.just(identity), times=TIMES),
    raw_outcomes.map(custom),
)


def attempt_at_most(n: int) -> Any:
    def predicate(call: sc.Request) -> bool:
        return call.attempt <= n

    return predicate


scenario_stacks = st.lists(
    st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda steps: sc.sequence(*steps)),
            st.builds(sc.times, st.integers(1, 3), inner),
            st.builds(sc.when, st.integers(1, 3).map(attempt_at_most), inner),
            st.builds(
                sc.for_operation, st.sampled_from([CREATE, *sorted(OTHER_OPERATIONS)]), inner
            ),
            st.builds(
                sc.when,
                st.fixed_dictionaries(
                    {"relationalDatabaseSnapshotName": st.sampled_from(["snap-1", "x"])}
                ),
                inner,
                times=TIMES,
            ),
            st.builds(
                sc.chaos,
                rate=st.floats(0, 1),
                seed=st.integers(0, 2**32),
                choices=st.lists(inner, min_size=1, max_size=3),
            ),
        ),
        max_leaves=6,
    ),
    max_size=4,
)


CALLS = st.lists(
    st.tuples(
        st.sampled_from([CREATE, *sorted(OTHER_OPERATIONS)]),
        st.sampled_from(["snap-1", "snap-2", "-bad-", "x"]),
    ),
    min_size=1,
    max_size=5,
)


def send(c: Any, operation: str, name: str) -> dict[str, Any]:
    if operation == CREATE:
        response: dict[str, Any] = c.create_relational_database_snapshot(
            relationalDatabaseName="orders-db", relationalDatabaseSnapshotName=name
        )
        assert [op["status"] for op in response["operations"]] == ["Started"] * 2
    elif operation == "GetRelationalDatabaseSnapshots":
        response = c.get_relational_database_snapshots()
    elif operation == "GetRelationalDatabaseSnapshot":
        response = c.get_relational_database_snapshot(relationalDatabaseSnapshotName=name)
    else:
        response = c.delete_relational_database_snapshot(relationalDatabaseSnapshotName=name)
    return response


@settings(max_examples=80, deadline=None)
@given(
    stack=scenario_stacks,
    mode=st.sampled_from(["legacy", "standard", "adaptive"]),
    attempts=st.integers(1, 4),
    calls=CALLS,
)
def test_any_scenario_stack_ends_in_a_valid_response_or_a_botocore_error(
    stack: list[Any], mode: str, attempts: int, calls: list[tuple[str, str]]
) -> None:
    c = cached_client(mode, attempts)
    with mock_lightsail(scenarios=stack) as stub:
        for operation, name in calls:
            try:
                response = send(c, operation, name)
            except ClientError as error:
                assert error.response["Error"]["Code"] in CODES  # noqa: PT017
                assert error.response["ResponseMetadata"]["HTTPStatusCode"] >= 400  # noqa: PT017
            except BotoCoreError:
                pass  # EndpointConnectionError, ReadTimeoutError...: botocore's own
            else:
                assert_valid_output(operation, response)
    assert not any(call.error_code == "LightsailStubError" for call in stub.calls)
    assert all(call.status is None or call.status >= 200 for call in stub.calls)
