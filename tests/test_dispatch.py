"""Fast paths of the hot path, each held to the plain code it replaced (kept here as the
oracle): the dispatch's compiled type check and read-only copy, and the operations'
JSON template."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import pytest
from botocore.model import ListShape, Shape, StructureShape
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lightsail_stub
from lightsail_stub import _dispatch, _model, _world
from lightsail_stub._errors import ServiceError
from lightsail_stub._operations import OPERATIONS
from lightsail_stub._wire import WireRequest, to_epoch
from lightsail_stub._world import Operation

TYPES = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float, str),
    "list": (list,),
    "structure": (dict,),
    "map": (dict,),
}


def reference_problem(value: Any, shape: Shape, path: str) -> tuple[str, str] | None:
    expected = TYPES.get(shape.type_name, (object,))
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        where = path or "the request"
        return "SerializationException", f"{where} must be a {shape.type_name}, got"
    if isinstance(shape, StructureShape):
        for name in shape.required_members:
            if value.get(name) is None:
                where = f"{path}.{name}" if path else name
                return "InvalidInputException", f"{where} is required but missing"
        for name, item in value.items():
            if name in shape.members:
                where = f"{path}.{name}" if path else name
                problem = reference_problem(item, shape.members[name], where)
                if problem is not None:
                    return problem
    elif isinstance(shape, ListShape):
        for index, item in enumerate(value):
            problem = reference_problem(item, shape.member, f"{path}[{index}]")
            if problem is not None:
                return problem
    return None


def reference_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: reference_copy(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(reference_copy(item) for item in value)
    return value


JSON = st.recursive(
    st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=10,
)


@st.composite
def shaped(draw: st.DrawFn, shape: Shape, depth: int = 0) -> Any:
    """Mostly the right JSON type for ``shape``, sometimes anything (so problems turn up at
    every depth)."""
    if depth > 4 or draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    if isinstance(shape, StructureShape):
        names = sorted(shape.members)
        chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
        value = {name: draw(shaped(shape.members[name], depth + 1)) for name in chosen}
        value.update(draw(st.dictionaries(st.text(max_size=4), JSON, max_size=1)))
        return value
    if isinstance(shape, ListShape):
        return draw(st.lists(shaped(shape.member, depth + 1), max_size=3))
    return draw(SCALARS.get(shape.type_name, JSON))


# The right JSON type for each scalar shape (a bool is none of the numbers).
SCALARS = {
    "string": st.text(max_size=5),
    "boolean": st.booleans(),
    "integer": st.integers(),
    "long": st.integers(),
    "float": st.integers() | st.floats(allow_nan=False, allow_infinity=False),
    "double": st.integers() | st.floats(allow_nan=False, allow_infinity=False),
    "timestamp": st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
}


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, Any]:
    operation = draw(st.sampled_from(sorted(OPERATIONS)))
    shape = _model.operation_model(operation).input_shape
    assert shape is not None
    return operation, draw(shaped(shape))


@settings(max_examples=500, deadline=None)
@given(requests())
# A bool is no timestamp and no integer, though Python's bool is an int.
@example(
    ("CreateRelationalDatabaseFromSnapshot", {"relationalDatabaseName": "db", "restoreTime": True})
)
@example(("DeleteRelationalDatabase", {"relationalDatabaseName": "db", "skipFinalSnapshot": 1}))
@example(("GetRelationalDatabaseSnapshots", {"pageToken": False}))
def test_the_compiled_check_finds_the_first_problem_the_plain_walk_finds(
    request: tuple[str, Any],
) -> None:
    operation, value = request
    shape = _model.operation_model(operation).input_shape
    assert shape is not None
    expected = reference_problem(value, shape, "")
    copy, problem = _dispatch._checked_copy(operation, value)
    if expected is None:
        assert problem is None
    else:
        assert isinstance(problem, ServiceError)
        assert (problem.shape, problem.message[: len(expected[1])]) == expected
    # Whether or not the types were right, the copy is the whole request, read-only.
    assert copy == reference_copy(value)
    assert _read_only_all_the_way_down(copy)


def _read_only_all_the_way_down(value: Any) -> bool:
    if isinstance(value, MappingProxyType):
        return all(_read_only_all_the_way_down(item) for item in value.values())
    if isinstance(value, tuple):
        return all(_read_only_all_the_way_down(item) for item in value)
    return not isinstance(value, (dict, list))


def test_a_body_nested_too_deeply_to_copy_is_a_serialization_error() -> None:
    # Deep enough for the copy's recursion, not for the JSON decoder's.
    nested = "[" * 900 + "]" * 900
    body = (
        '{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "snap-1", '
        f'"extra": {nested}}}'
    ).encode()
    stub = lightsail_stub.mock_lightsail()
    answer = json.loads(
        stub._handle(WireRequest("CreateRelationalDatabaseSnapshot", body, "eu-west-2")).body
    )
    assert answer["__type"] == "SerializationException"
    assert answer["message"] == "the request body is nested too deeply"
    assert stub.snapshots == ()


def test_the_logged_response_is_what_was_sent_read_only() -> None:
    body = b'{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "snap-1"}'
    stub = lightsail_stub.mock_lightsail()
    sent = json.loads(
        stub._handle(WireRequest("CreateRelationalDatabaseSnapshot", body, "eu-west-2")).body
    )
    response = stub.calls[0].response
    # A mapping proxy of the document, as a proxy of the decoded dict would be.
    assert isinstance(response, MappingProxyType)
    assert response == sent
    assert dict(response) == sent
    assert len(response) == 1
    assert list(response) == ["operations"]
    assert list(reversed(response)) == ["operations"]
    assert repr(response) == repr(MappingProxyType(sent))
    assert response.copy() == sent
    assert response | {"extra": 1} == {**sent, "extra": 1}
    assert {"extra": 1} | response == {"extra": 1, **sent}
    with pytest.raises(TypeError):
        response["operations"] = []  # type: ignore[index]


TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from('"\\/\x00\x1f\u2028\ud800'))
INSTANTS = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1), timezones=st.just(timezone.utc)
)


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        Operation,
        id=TEXT,
        resource_name=TEXT,
        resource_type=TEXT,
        created_at=INSTANTS,
        region=TEXT,
        availability_zone=TEXT,
        is_terminal=st.booleans(),
        operation_details=TEXT,
        operation_type=st.none() | TEXT,
        status=TEXT,
        status_changed_at=INSTANTS,
        error_code=st.none() | TEXT,
        error_details=st.none() | TEXT,
    )
)
def test_an_operations_json_template_is_what_the_encoder_makes_of_it(operation: Operation) -> None:
    assert operation.to_json() == json.dumps(operation.to_wire(), separators=(",", ":"))


OFFSETS = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)


ANY_INSTANT = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(timezone.utc)
)


@settings(max_examples=300, deadline=None)
@given(instant=ANY_INSTANT, offsets=st.lists(OFFSETS, min_size=1, max_size=3))
def test_the_remembered_epoch_text_is_the_encoders_whatever_the_timezone(
    instant: datetime, offsets: list[timezone]
) -> None:
    """The operations' timestamps are printed once per instant and remembered: the same
    instant in any timezone prints the same number (negative ones too)."""
    for zone in offsets:
        moment = instant.astimezone(zone)
        assert _world._epoch_text(moment.timestamp()) == json.dumps(to_epoch(moment))


def test_the_remembered_epoch_text_tells_the_repeated_hour_apart() -> None:
    """When clocks go back, 1:30 happens twice (fold 0, then 1): equal datetimes an hour
    apart, which a cache keyed on the datetime would print the same."""
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        new_york = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone data on this machine")
    first = datetime(2026, 11, 1, 1, 30, tzinfo=new_york)
    second = first.replace(fold=1)
    operations = [
        Operation("id", "snap-1", "T", created, "us-east-1", "all", True, "", None, "S", changed)
        for created, changed in [(first, first), (second, second), (first, second)]
    ]
    for operation in operations:
        assert operation.to_json() == json.dumps(operation.to_wire(), separators=(",", ":"))
    sent = [json.loads(operation.to_json()) for operation in operations]
    assert [s["statusChangedAt"] - sent[0]["createdAt"] for s in sent] == [0, 3600, 3600]


@settings(max_examples=300, deadline=None)
@given(
    document=st.dictionaries(st.text(max_size=4), JSON, max_size=3),
    before=st.sampled_from(["", " ", "\n\t ", "\ufeff"]),
    after=st.sampled_from(["", " ", "\r\n", " x", "{}", ","]),
    compact=st.booleans(),
)
def test_bodies_decode_as_json_loads_decodes_them(
    document: dict[str, Any], before: str, after: str, compact: bool
) -> None:
    separators = (",", ":") if compact else (", ", ": ")
    text = before + json.dumps(document, separators=separators) + after
    try:
        expected: Any = json.loads(text)
    except ValueError as error:
        expected = f"the request body is not JSON: {error}"
        with pytest.raises(ServiceError) as refused:
            _dispatch._decode(text.encode())
        got: Any = refused.value.message
    else:
        got = _dispatch._decode(text.encode())
    assert got == expected


def test_the_stub_keeps_contexts_only_for_lightsail_regions() -> None:
    """One operation context per Region is kept until reset(); a Region a request makes up
    (the server takes it from the signing scope) is answered, and not kept."""
    body = b'{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "snap-1"}'
    stub = lightsail_stub.mock_lightsail(assert_all_handled=False)
    for number in range(100):
        with pytest.raises(lightsail_stub.UnsupportedRegionError):
            stub._handle(WireRequest("CreateRelationalDatabaseSnapshot", body, f"xx-{number}"))
    assert stub._contexts == {}
    stub._handle(WireRequest("CreateRelationalDatabaseSnapshot", body, "eu-west-2"))
    assert list(stub._contexts) == ["eu-west-2"]
    stub.reset()
    assert stub._contexts == {}


def test_a_call_after_reset_uses_the_new_world() -> None:
    body = b'{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "snap-1"}'
    stub = lightsail_stub.mock_lightsail()
    stub._handle(WireRequest("CreateRelationalDatabaseSnapshot", body, "eu-west-2"))
    stub.reset()
    stub._handle(WireRequest("CreateRelationalDatabaseSnapshot", body, "eu-west-2"))
    assert [snapshot.name for snapshot in stub.snapshots] == ["snap-1"]
