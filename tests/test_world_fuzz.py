"""Whatever body reaches a world operation, the answer is Lightsail's (200 or an error
shape), never an internal error, and a refused request changes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from botocore.model import ListShape, Shape, StructureShape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import lightsail_stub
from lightsail_stub import _model
from lightsail_stub._operations import OPERATIONS
from lightsail_stub._wire import WireRequest

NAMES = st.sampled_from(["orders-db", "snap-1", "snap-2", "new-db", "-bad-", "", "x" * 300])
TEXT = st.sampled_from(["v1", "dGVzdA", "mysql_8_0", "micro_2_0", "eu-west-2b", "env", "prod"])
JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
)


def value_for(shape: Shape) -> st.SearchStrategy[Any]:
    """Mostly well-typed values for ``shape`` (names from a small pool, so that lookups
    hit), sometimes junk of any type."""
    if isinstance(shape, StructureShape):
        members = {name: value_for(member) for name, member in shape.members.items()}
        typed: st.SearchStrategy[Any] = st.fixed_dictionaries({}, optional=members)
    elif isinstance(shape, ListShape):
        typed = st.lists(value_for(shape.member), max_size=4)
    elif shape.type_name == "string":
        typed = NAMES | NAMES | TEXT | st.text(max_size=20)
    elif shape.type_name == "boolean":
        typed = st.booleans()
    elif shape.type_name in ("integer", "long"):
        typed = st.integers(-5, 5)
    elif shape.type_name == "timestamp":
        typed = st.integers(0, 2_000_000_000)
    else:
        typed = st.just("x")
    return st.one_of(typed, typed, typed, JUNK)


def body_for(operation: str) -> st.SearchStrategy[dict[str, Any]]:
    shape = _model.operation_model(operation).input_shape
    assert isinstance(shape, StructureShape)
    required = {name: value_for(shape.members[name]) for name in shape.required_members}
    optional = {
        name: value_for(member)
        for name, member in shape.members.items()
        if name not in shape.required_members
    }
    # Required members are usually there, so that requests get past the first check.
    return st.fixed_dictionaries(required, optional=optional) | st.fixed_dictionaries(
        {}, optional={**required, **optional}
    )


START = datetime(2026, 11, 27, tzinfo=timezone.utc)
REQUESTS = st.sampled_from(sorted(OPERATIONS)).flatmap(
    lambda operation: st.tuples(st.just(operation), body_for(operation))
)


def state(stub: lightsail_stub.LightsailStub) -> Any:
    return (stub.snapshots, stub.databases, stub.operations)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests=st.lists(REQUESTS, min_size=1, max_size=6), duration=st.sampled_from([0, 60]))
def test_any_body_gets_a_lightsail_answer_and_a_refusal_changes_nothing(
    requests: list[tuple[str, dict[str, Any]]], duration: int
) -> None:
    stub = lightsail_stub.mock_lightsail(seed=1, clock=START, create_duration=duration)
    stub.add_snapshot("snap-1", region="eu-west-2", database="orders-db", tags={"env": "prod"})
    for operation, body in requests:
        before = state(stub)
        wire = WireRequest(operation, json.dumps(body).encode(), "eu-west-2", {})
        response = stub._handle(wire)  # raises LightsailStubError on an internal error
        document = json.loads(response.body)
        event(f"{operation}: {document.get('__type', response.status)}")
        if response.status == 200:
            assert "__type" not in document
        else:
            assert response.status == 400, document
            assert document["__type"] in {
                "InvalidInputException",
                "NotFoundException",
                "SerializationException",
            }
            assert state(stub) == before, (operation, body, document)
