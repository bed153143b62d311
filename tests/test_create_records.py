"""What a create stores, record by record: the cheaper ways the create builds its records
(one ``__init__`` call to change a state, records built without the frozen ``__init__``,
transitions shared) must store exactly what ``dataclasses.replace`` would."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lightsail_stub
from lightsail_stub._operations import create_relational_database_snapshot, tag_resource
from lightsail_stub._world import (
    Database,
    Operation,
    Snapshot,
    Transition,
    _builder,
    _new_snapshot,
    new_operation,
    new_transition,
    with_state,
)

FROZEN = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)
DB = Database(
    "orders-db", "eu-west-2", "eu-west-2a", "arn:db", "1/ls-0", FROZEN, tags=(("a", None),)
)
SNAP = Snapshot(
    "snap", "eu-west-2", "arn:s", "1/ls-1", FROZEN, "creating", "mysql", "8.0.40", 40,
    "orders-db", "arn:db", "micro_2_0", "mysql_8_0", (("k", "v"),),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TaggedDatabase(Database):
    note: str = ""


@given(state=st.sampled_from(["available", "creating", "backing-up", "error", "failed", "x"]))
def test_with_state_is_replace(state: str) -> None:
    tagged = TaggedDatabase(**{f.name: getattr(DB, f.name) for f in fields(DB)}, note="n")
    for database in (DB, tagged):  # a subclass: the general way
        changed = with_state(database, state)
        assert changed == replace(database, state=state)
        assert type(changed) is type(database)
    snapshot = with_state(SNAP, state)
    assert snapshot == replace(SNAP, state=state)
    assert type(snapshot) is Snapshot


@pytest.mark.parametrize("fail_later", [None, ("Err", "it broke")])
@pytest.mark.parametrize("declared", [False, True])
def test_backing_up_one_database_again_and_again_stores_what_replace_would(
    fail_later: tuple[str, str] | None, declared: bool
) -> None:
    stub = lightsail_stub.mock_lightsail(seed=3, clock=FROZEN, create_duration=10)
    if declared:
        stub.add_database("orders-db", region="eu-west-2")
    world = stub._world
    place = world.region("eu-west-2")
    for round_ in range(4):
        ctx = stub._context("eu-west-2", fail_later=fail_later)
        before = world.database("eu-west-2", "orders-db", settle=False)
        create_relational_database_snapshot(
            ctx,
            {
                "relationalDatabaseName": "orders-db",
                "relationalDatabaseSnapshotName": f"s-{round_}",
            },
        )
        now = FROZEN + timedelta(seconds=10 * round_)
        stored = place.databases.get("orders-db")
        assert stored is not None
        assert (before is not None) == (declared or round_ > 0)
        if before is not None:
            assert stored == replace(before, state="backing-up")
        assert stored.state == "backing-up"
        ends = now + timedelta(seconds=10)
        # The database comes back whatever becomes of the snapshot.
        assert place.database_transitions["orders-db"] == Transition(ends, "available")
        snapshot_ending = place.snapshot_transitions[f"s-{round_}"]
        if fail_later is None:
            assert snapshot_ending == Transition(ends, "available")
        else:
            assert snapshot_ending == Transition(ends, "error", fail_later)
        ops = stub.operations[-2:]
        for op in ops:
            ending = place.operation_transitions[op.id]
            status = "Succeeded" if fail_later is None else "Failed"
            assert ending == Transition(ends, status, fail_later)
        if round_ == 1:
            # Tagged while backing up: the record the next backup finds has the tags.
            tag_resource(ctx, {"resourceName": "orders-db", "tags": [{"key": "t", "value": "1"}]})
        stub.advance(10)
    final = world.database("eu-west-2", "orders-db")
    assert final is not None
    assert (final.state, final.tags) == ("available", (("t", "1"),))


def test_a_refused_backup_still_settles_the_database() -> None:
    stub = lightsail_stub.mock_lightsail(seed=3, clock=FROZEN, create_duration=10)
    place = stub._world.region("eu-west-2")
    params = {"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "s1"}
    create_relational_database_snapshot(stub._context("eu-west-2"), params)
    stub.advance(10)
    stub._world.snapshot("eu-west-2", "s1")
    with pytest.raises(Exception, match="already exists"):
        create_relational_database_snapshot(stub._context("eu-west-2"), params)
    stored = place.databases.get("orders-db")
    assert stored is not None
    assert stored.state == "available"
    assert "orders-db" not in place.database_transitions


@pytest.mark.parametrize("pending", ["available", "failed"])
def test_a_create_reads_the_clock_once_and_once_per_read_of_a_changing_record(
    pending: str,
) -> None:
    """With a clock that moves on every read, one more or one fewer read changes every
    timestamp after it. A database `available` with a transition still pending (no call
    leaves one so today; put here directly) is read twice by a create (checking it, then
    taking it), and the second read finds the transition due: the backup goes on from the
    state it ends in, and the database comes back `available` after it."""
    reads: list[datetime] = []

    def clock() -> datetime:
        reads.append(FROZEN + timedelta(seconds=len(reads) + 1))
        return reads[-1]

    stub = lightsail_stub.mock_lightsail(seed=1, clock=clock, create_duration=4)
    stub.add_database("orders-db", region="eu-west-2")
    ctx = stub._context("eu-west-2")
    params = {"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "s-1"}
    create_relational_database_snapshot(ctx, params)
    world = stub._world
    place = world.region("eu-west-2")
    backing_up = place.databases.get("orders-db")
    assert backing_up is not None
    world.put_database(with_state(backing_up, "available"))  # the transition stays
    # Due at the create's third clock read: after its first read of the database, at its
    # second.
    place.database_transitions["orders-db"] = Transition(reads[-1] + timedelta(seconds=3), pending)
    before = len(reads)
    create_relational_database_snapshot(ctx, {**params, "relationalDatabaseSnapshotName": "s-2"})
    assert len(reads) - before == 3
    assert place.databases.get("orders-db") == backing_up
    assert place.database_transitions["orders-db"].at == reads[before] + timedelta(seconds=4)
    assert [s.from_database_name for s in stub.snapshots] == ["orders-db", "orders-db"]
    stub.advance(60)
    final = world.database("eu-west-2", "orders-db")
    assert final == with_state(backing_up, "available")


# -- records built without the frozen __init__ (_world._builder) ---------------------------

texts = st.text(max_size=8)
times = st.datetimes(timezones=st.just(timezone.utc))
tag_tuples = st.lists(st.tuples(texts, st.none() | texts), max_size=3).map(tuple)
operation_values = st.tuples(
    texts, texts, texts, times, texts, texts, st.booleans(), texts, st.none() | texts, texts,
    times, st.none() | texts, st.none() | texts,
)  # fmt: skip
snapshot_values = st.tuples(
    texts, texts, texts, texts, times, texts, texts, texts, st.integers(), texts, texts,
    texts, texts, tag_tuples,
)  # fmt: skip


def _same_record(built: object, made: object) -> None:
    assert type(built) is type(made)
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert pickle.loads(pickle.dumps(built)) == made
    assert copy.copy(built) == made
    with pytest.raises(FrozenInstanceError):
        built.region = "x"  # type: ignore[attr-defined]
    for record in (built, made):  # a name that is no field: refused alike
        with pytest.raises((AttributeError, TypeError)) as refused:
            record.nonsense = "x"  # type: ignore[attr-defined]
        if record is built:
            first = refused.type
        else:
            assert refused.type is first
    assert not hasattr(built, "__dict__")


@given(values=operation_values)
def test_an_operation_built_fast_is_the_dataclass_s_own(values: tuple[Any, ...]) -> None:
    _same_record(new_operation(*values), Operation(*values))
    _same_record(new_operation(*values[:11]), Operation(*values[:11]))  # defaults


@given(values=snapshot_values, state=texts)
def test_a_snapshot_built_fast_is_the_dataclass_s_own(values: tuple[Any, ...], state: str) -> None:
    made = Snapshot(*values)
    _same_record(_new_snapshot(*values), made)
    _same_record(with_state(made, state), replace(made, state=state))


def test_a_record_whose_init_does_more_is_not_built_fast() -> None:
    @dataclass(frozen=True, slots=True)
    class Checked:
        name: str

        def __post_init__(self) -> None:
            assert self.name

    @dataclass(frozen=True, slots=True)
    class Listing:
        names: list[str] = field(default_factory=list)

    for cls in (Checked, Listing):
        with pytest.raises(TypeError, match="does more than store its arguments"):
            _builder(cls)  # type: ignore[type-var]


@given(at=times, state=texts, error=st.none() | st.tuples(texts, texts))
def test_a_transition_built_fast_is_the_dataclass_s_own(
    at: datetime, state: str, error: tuple[str, str] | None
) -> None:
    built, made = new_transition(at, state, error), Transition(at, state, error)
    assert type(built) is Transition
    assert (built, hash(built), repr(built)) == (made, hash(made), repr(made))
    with pytest.raises(FrozenInstanceError):
        built.state = "x"  # type: ignore[misc]
