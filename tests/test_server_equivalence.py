"""Both front doors are one stub: for the same seed and the same calls, boto3 through the
server (``endpoint_url``) and boto3 through the botocore hook get the same answers and leave
the same world and call log."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lightsail_stub import LightsailStub, mock_lightsail
from lightsail_stub.server import ThreadedServer

from .helpers import client
from .server_helpers import server_client

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
DATABASES = ["orders-db", "billing-db"]

# Valid and invalid on purpose: names that break the documented rules, databases that don't
# exist, snapshots that were never made, tags with bad keys.
_databases = st.sampled_from([*DATABASES, "no-such-db", "-bad-db"])
_snapshots = st.sampled_from(["nightly-1", "nightly-2", "weekly-1", "bad_name", "-x-", "a"])
_tags = st.lists(
    st.fixed_dictionaries(
        {"key": st.sampled_from(["env", "team", "bad key!", ""])},
        optional={"value": st.sampled_from(["prod", "dev", "", "x" * 300])},
    ),
    max_size=3,
)

_calls = st.one_of(
    st.tuples(
        st.just("create_relational_database_snapshot"),
        st.fixed_dictionaries(
            {"relationalDatabaseName": _databases, "relationalDatabaseSnapshotName": _snapshots},
            optional={"tags": _tags},
        ),
    ),
    st.tuples(
        st.just("get_relational_database_snapshot"),
        st.fixed_dictionaries({"relationalDatabaseSnapshotName": _snapshots}),
    ),
    st.tuples(
        st.just("get_relational_database_snapshots"),
        st.fixed_dictionaries({}, optional={"pageToken": st.sampled_from(["", "garbage"])}),
    ),
    st.tuples(
        st.just("delete_relational_database_snapshot"),
        st.fixed_dictionaries({"relationalDatabaseSnapshotName": _snapshots}),
    ),
    st.tuples(
        st.just("tag_resource"),
        st.fixed_dictionaries({"resourceName": st.one_of(_snapshots, _databases), "tags": _tags}),
    ),
    st.tuples(
        st.just("get_relational_database"),
        st.fixed_dictionaries({"relationalDatabaseName": _databases}),
    ),
    st.tuples(st.just("get_operations"), st.just({})),
)


def outcome(c: Any, method: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """What the caller sees, minus what legitimately differs between the doors: the
    transport headers (the server adds ``Date``, ``Server``, ``Connection``; botocore fills
    ``HTTPHeaders`` from whatever came) are reduced to the ones Lightsail's answer carries
    (``x-amzn-requestid``, ``content-type``). RequestId, status and RetryAttempts must agree."""
    try:
        answer = getattr(c, method)(**params)
    except ClientError as error:
        return ("error", _without_transport(error.response))
    except ParamValidationError as error:  # botocore refused it before sending: both alike
        return ("refused", str(error))
    return ("ok", _without_transport(answer))


def _without_transport(document: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(document["ResponseMetadata"])
    headers = metadata.pop("HTTPHeaders")
    metadata["headers"] = {key: headers.get(key) for key in ("x-amzn-requestid", "content-type")}
    return {**document, "ResponseMetadata": metadata}


def world(stub: LightsailStub) -> tuple[Any, ...]:
    # invocation_id is a random id botocore draws per call: the only field allowed to differ.
    calls = tuple(replace(call, invocation_id=None) for call in stub.calls)
    return stub.snapshots, stub.databases, stub.operations, calls, stub.now()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32), calls=st.lists(_calls, min_size=1, max_size=8))
def test_the_server_and_the_hook_answer_alike(
    seed: int, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    options: dict[str, Any] = {"seed": seed, "clock": NOW, "databases": DATABASES}
    # The server first, with no stub active: the hook would otherwise answer the
    # endpoint_url client itself, and the comparison would compare the hook with itself.
    with ThreadedServer(**options, assert_all_handled=False) as server:
        over_http = server_client(server)
        through_server = [outcome(over_http, method, params) for method, params in calls]
    with mock_lightsail(**options, assert_all_handled=False) as stub:
        hooked = client()
        through_hook = [outcome(hooked, method, params) for method, params in calls]
    assert through_server == through_hook
    assert world(server.stub) == world(stub)
    assert len(server.stub.calls) == sum(kind != "refused" for kind, _ in through_server)
