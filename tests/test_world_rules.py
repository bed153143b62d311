"""The world's rules at their edges: failed databases, deletes that fail later, restores
onto themselves, tags and operations of databases that can exist, ids under a seed, and the
stub's read-only views."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import lightsail_stub
from lightsail_stub import _operations
from lightsail_stub._operations import FAILS_LATER, can_fail_later
from lightsail_stub._world import FIRST_INSTANT, LAST_INSTANT

from .helpers import client, create, error_of

FROZEN = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
NEW_DB = {
    "relationalDatabaseBlueprintId": "mysql_8_0",
    "relationalDatabaseBundleId": "micro_2_0",
    "masterDatabaseName": "app",
    "masterUsername": "admin",
}


def failed_database(stub: lightsail_stub.LightsailStub, name: str = "new-db") -> None:
    ctx = stub._context("eu-west-2", fail_later=("InternalFailure", "no capacity"))
    _operations.create_relational_database(ctx, {"relationalDatabaseName": name, **NEW_DB})


# -- a database whose create failed can be deleted -----------------------------------------


def test_a_failed_database_can_be_deleted_and_its_name_used_again() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        failed_database(stub)
        c = client()
        assert c.get_relational_database(relationalDatabaseName="new-db")["relationalDatabase"][
            "state"
        ] == ("failed")
        # nothing to snapshot: a final snapshot is refused
        code, message = error_of(
            c.delete_relational_database,
            relationalDatabaseName="new-db",
            finalRelationalDatabaseSnapshotName="final",
        )
        assert (code, message) == (
            "InvalidInputException",
            "finalRelationalDatabaseSnapshotName 'final' is invalid: the relational database "
            "is 'failed', so no final snapshot can be taken; give skipFinalSnapshot true.",
        )
        deleted = c.delete_relational_database(
            relationalDatabaseName="new-db", skipFinalSnapshot=True
        )
        assert deleted["operations"][0]["operationType"] == "DeleteRelationalDatabase"
        assert [d.name for d in stub.databases] == []
        c.create_relational_database(relationalDatabaseName="new-db", **NEW_DB)
        assert [d.name for d in stub.databases] == ["new-db"]


def test_a_creating_or_backing_up_database_cannot_be_deleted() -> None:
    with lightsail_stub.mock_lightsail(create_duration=60) as stub:
        c = client()
        c.create_relational_database(relationalDatabaseName="new-db", **NEW_DB)
        create(c, "orders-db", "snap-1")
        assert {d.name: d.state for d in stub.databases} == {
            "new-db": "creating",
            "orders-db": "backing-up",
        }
        for name, state in [("new-db", "creating"), ("orders-db", "backing-up")]:
            code, message = error_of(
                c.delete_relational_database, relationalDatabaseName=name, skipFinalSnapshot=True
            )
            assert (code, message) == (
                "InvalidInputException",
                f"relationalDatabaseName {name!r} is invalid: the relational database is "
                f"{state!r}; it can be deleted once it is 'available' (or 'failed').",
            )
        assert len(stub.databases) == 2
        stub.advance(60)
        c.delete_relational_database(relationalDatabaseName="orders-db", skipFinalSnapshot=True)


# -- only a delete with a final snapshot can fail later ------------------------------------


def test_can_fail_later_says_which_calls_start_something_that_can_fail() -> None:
    for operation in [
        "CreateRelationalDatabaseSnapshot",
        "CreateRelationalDatabase",
        "CreateRelationalDatabaseFromSnapshot",
    ]:
        assert can_fail_later(operation, {})
    delete = "DeleteRelationalDatabase"
    assert can_fail_later(delete, {"finalRelationalDatabaseSnapshotName": "final"})
    assert can_fail_later(
        delete, {"finalRelationalDatabaseSnapshotName": "final", "skipFinalSnapshot": False}
    )
    assert not can_fail_later(delete, {"skipFinalSnapshot": True})
    assert not can_fail_later(
        delete, {"finalRelationalDatabaseSnapshotName": "final", "skipFinalSnapshot": True}
    )
    assert not can_fail_later(delete, {})
    assert not can_fail_later("GetOperations", {})
    assert not can_fail_later("DeleteRelationalDatabaseSnapshot", {})
    assert {op for op in _operations.OPERATIONS if can_fail_later(op, {})} | {delete} == set(
        FAILS_LATER
    )


def test_a_delete_with_a_final_snapshot_that_fails_later_leaves_the_snapshot_in_error() -> None:
    with lightsail_stub.mock_lightsail(create_duration=30) as stub:
        ctx = stub._context("eu-west-2", fail_later=("InternalFailure", "disk full"))
        answer = json.loads(
            _operations.delete_relational_database(
                ctx,
                {
                    "relationalDatabaseName": "orders-db",
                    "finalRelationalDatabaseSnapshotName": "final",
                },
            )
        )
        (op,) = answer["operations"]
        assert op["status"] == "Started"
        assert stub.snapshots[0].state == "creating"
        stub.advance(30)
        got = client().get_operation(operationId=op["id"])["operation"]
        assert (got["status"], got["errorCode"], got["errorDetails"]) == (
            "Failed",
            "InternalFailure",
            "disk full",
        )
        assert [(s.name, s.state) for s in stub.snapshots] == [("final", "error")]
        assert stub.databases == ()


def test_a_delete_without_a_final_snapshot_ignores_fail_later() -> None:
    with lightsail_stub.mock_lightsail(create_duration=30) as stub:
        ctx = stub._context("eu-west-2", fail_later=("InternalFailure", "disk full"))
        answer = json.loads(
            _operations.delete_relational_database(
                ctx, {"relationalDatabaseName": "orders-db", "skipFinalSnapshot": True}
            )
        )
        stub.advance(30)
        got = client().get_operation(operationId=answer["operations"][0]["id"])["operation"]
        assert (got["status"], got.get("errorCode")) == ("Succeeded", None)
        assert stub.databases == ()


def test_the_final_snapshot_of_a_delete_is_creating_until_the_create_duration_passed() -> None:
    with lightsail_stub.mock_lightsail(create_duration=30) as stub:
        c = client()
        c.delete_relational_database(
            relationalDatabaseName="orders-db", finalRelationalDatabaseSnapshotName="final"
        )
        get = c.get_relational_database_snapshot
        assert get(relationalDatabaseSnapshotName="final")["relationalDatabaseSnapshot"][
            "state"
        ] == ("creating")
        stub.advance(29)
        assert get(relationalDatabaseSnapshotName="final")["relationalDatabaseSnapshot"][
            "state"
        ] == ("creating")
        stub.advance(1)
        assert get(relationalDatabaseSnapshotName="final")["relationalDatabaseSnapshot"][
            "state"
        ] == ("available")


# -- restores ------------------------------------------------------------------------------


@pytest.mark.parametrize("databases", [None, ["orders-db"]])
def test_a_database_cannot_be_restored_onto_itself(databases: list[str] | None) -> None:
    with lightsail_stub.mock_lightsail(databases=databases) as stub:
        c = client()
        c.get_relational_database(relationalDatabaseName="orders-db")
        before = (stub.databases, stub.operations)
        code, message = error_of(
            c.create_relational_database_from_snapshot,
            relationalDatabaseName="orders-db",
            sourceRelationalDatabaseName="orders-db",
            useLatestRestorableTime=True,
        )
        assert (code, message) == (
            "InvalidInputException",
            "relationalDatabaseName and sourceRelationalDatabaseName are both 'orders-db': a "
            "database can't be restored onto itself; give the new database another name.",
        )
        assert (stub.databases, stub.operations) == before


@pytest.mark.parametrize(
    ("field", "value"), [("restoreTime", FROZEN), ("useLatestRestorableTime", True)]
)
def test_point_in_time_fields_go_with_a_source_database_only(field: str, value: object) -> None:
    with lightsail_stub.mock_lightsail() as stub:
        stub.add_snapshot("snap-1", region="eu-west-2")
        c = client()
        code, message = error_of(
            c.create_relational_database_from_snapshot,
            relationalDatabaseName="restored",
            relationalDatabaseSnapshotName="snap-1",
            **{field: value},
        )
    assert (code, message) == (
        "InvalidInputException",
        f"{field} goes with sourceRelationalDatabaseName (a restore to a point in time), not "
        "with relationalDatabaseSnapshotName.",
    )
    assert [d.name for d in stub.databases] == ["orders-db"]


@pytest.mark.parametrize("state", ["creating", "error"])
def test_a_database_cannot_be_created_from_a_snapshot_that_is_not_available(state: str) -> None:
    with lightsail_stub.mock_lightsail() as stub:
        stub.add_snapshot("snap-1", region="eu-west-2", state=state)
        c = client()
        code, message = error_of(
            c.create_relational_database_from_snapshot,
            relationalDatabaseName="restored",
            relationalDatabaseSnapshotName="snap-1",
        )
    assert (code, message) == (
        "InvalidInputException",
        f"relationalDatabaseSnapshotName 'snap-1' is invalid: the relational database snapshot "
        f"is {state!r}; a database can be created from it only while it is 'available'.",
    )
    assert "restored" not in {d.name for d in stub.databases}


# -- tags ----------------------------------------------------------------------------------


def test_a_database_that_can_exist_is_tagged_and_has_operations_like_get_says() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        c = client()
        assert c.get_operations_for_resource(resourceName="fresh-db")["operations"] == []
        c.tag_resource(resourceName="fresh-db", tags=[{"key": "env", "value": "prod"}])
        ops = c.get_operations_for_resource(resourceName="fresh-db")["operations"]
        assert [o["resourceType"] for o in ops] == ["RelationalDatabase"]
        got = c.get_relational_database(relationalDatabaseName="fresh-db")["relationalDatabase"]
        assert got["tags"] == [{"key": "env", "value": "prod"}]
        assert [d.name for d in stub.databases] == ["fresh-db"]


@pytest.mark.parametrize("declared", [[], ["orders-db"]])
def test_a_name_that_is_nothing_is_not_found_by_tags_or_operations(declared: list[str]) -> None:
    with lightsail_stub.mock_lightsail(databases=declared) as stub:
        c = client()
        for call, params in [
            (c.tag_resource, {"tags": [{"key": "env"}]}),
            (c.untag_resource, {"tagKeys": ["env"]}),
            (c.get_operations_for_resource, {}),
        ]:
            code, message = error_of(call, resourceName="fresh-db", **params)
            assert (code, message) == (
                "NotFoundException",
                "resourceName 'fresh-db': no resource with that name exists in eu-west-2.",
            )
        # a database declared for every Region can exist: it has no operations yet
        if declared:
            assert c.get_operations_for_resource(resourceName="orders-db")["operations"] == []
    assert stub.databases == ()
    assert stub.operations == ()


def test_tag_resource_merges_new_keys_and_updates_known_ones() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        stub.add_snapshot("snap-1", region="eu-west-2")
        c = client()
        c.tag_resource(resourceName="snap-1", tags=[{"key": "env", "value": "prod"}])
        c.tag_resource(resourceName="snap-1", tags=[{"key": "team", "value": "data"}])
        tags = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")[
            "relationalDatabaseSnapshot"
        ]["tags"]
        assert tags == [{"key": "env", "value": "prod"}, {"key": "team", "value": "data"}]
        c.tag_resource(resourceName="snap-1", tags=[{"key": "env", "value": "dev"}])
        tags = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")[
            "relationalDatabaseSnapshot"
        ]["tags"]
        assert tags == [{"key": "env", "value": "dev"}, {"key": "team", "value": "data"}]


# -- GetOperationsForResource pages by 200 -------------------------------------------------


@pytest.mark.parametrize("count", [199, 200, 201, 401])
def test_operations_for_one_resource_page_by_200(count: int) -> None:
    with lightsail_stub.mock_lightsail() as stub:
        stub.add_snapshot("snap-1", region="eu-west-2")
        ctx = stub._context("eu-west-2")
        for i in range(count):
            _operations.tag_resource(
                ctx, {"resourceName": "snap-1", "tags": [{"key": "n", "value": str(i)}]}
            )
        c = client()
        first = c.get_operations_for_resource(resourceName="snap-1")
        pages = [first]  # (botocore has no paginator for it)
        while "nextPageToken" in pages[-1]:
            pages.append(
                c.get_operations_for_resource(
                    resourceName="snap-1", pageToken=pages[-1]["nextPageToken"]
                )
            )
    assert len(first["operations"]) == min(count, 200)
    assert ("nextPageToken" in first) == (count > 200)
    assert [len(p["operations"]) for p in pages] == [
        min(200, count - i) for i in range(0, count, 200)
    ]
    ids = [o["id"] for p in pages for o in p["operations"]]
    assert ids == [o.id for o in stub.operations]


# -- the stub's views read without settling; a list settles by itself ----------------------


def test_reading_the_stub_changes_nothing_and_a_list_settles_its_records() -> None:
    with lightsail_stub.mock_lightsail(create_duration=10) as stub:
        c = client()
        create(c, "orders-db", "snap-1")
        stub.advance(10)
        world = stub._world
        place = world.regions["eu-west-2"]
        assert [s.state for s in stub.snapshots] == ["available"]
        assert [o.status for o in stub.operations] == ["Succeeded", "Succeeded"]
        assert [d.state for d in stub.databases] == ["available"]
        # ... but the stored records and their transitions are untouched
        assert place.snapshots.get("snap-1").state == "creating"  # type: ignore[union-attr]
        assert len(place.operation_transitions) == 2
        assert "orders-db" in place.database_transitions
        listed = c.get_relational_database_snapshots()["relationalDatabaseSnapshots"]
        assert [s["state"] for s in listed] == ["available"]
        assert place.snapshots.get("snap-1").state == "available"  # type: ignore[union-attr]
        assert place.snapshot_transitions == {}


def test_advance_then_list_through_boto3_shows_the_new_states() -> None:
    with lightsail_stub.mock_lightsail(create_duration=10) as stub:
        c = client()
        create(c, "orders-db", "snap-1")
        create(c, "billing-db", "snap-2")
        assert [
            s["state"] for s in c.get_relational_database_snapshots()["relationalDatabaseSnapshots"]
        ] == ["creating", "creating"]
        stub.advance(10)
        listed = c.get_relational_database_snapshots()["relationalDatabaseSnapshots"]
        assert [s["state"] for s in listed] == ["available", "available"]
        databases = c.get_relational_databases()["relationalDatabases"]
        assert [d["state"] for d in databases] == ["available", "available"]
        operations = c.get_operations()["operations"]
        assert {o["status"] for o in operations} == {"Succeeded"}


# -- add_snapshot and the clock check their arguments --------------------------------------


def test_add_snapshot_refuses_what_it_cannot_store() -> None:
    stub = lightsail_stub.mock_lightsail()
    for database in [5, None]:
        with pytest.raises(TypeError, match=r"database must be a str \(a database name\), got"):
            stub.add_snapshot("snap-1", region="eu-west-2", database=database)  # type: ignore[arg-type]
    with pytest.raises(
        ValueError,
        match=r"state 'availabel' is not a snapshot state the stub uses; give one of: "
        r"'available', 'creating', 'error'",
    ):
        stub.add_snapshot("snap-1", region="eu-west-2", state="availabel")
    with pytest.raises(TypeError, match="created_at must be a timezone-aware datetime or None"):
        stub.add_snapshot("snap-1", region="eu-west-2", created_at="2020")  # type: ignore[arg-type]
    assert stub.snapshots == ()


def test_a_seeded_creating_snapshot_stays_creating() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        stub.add_snapshot("stuck", region="eu-west-2", state="creating")
        stub.advance(86_400)
        c = client()
        got = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="stuck")
        assert got["relationalDatabaseSnapshot"]["state"] == "creating"
        code, _ = error_of(
            c.delete_relational_database_snapshot, relationalDatabaseSnapshotName="stuck"
        )
        assert code == "InvalidInputException"


def test_snapshots_seeded_from_a_gone_database_show_one_stable_arn() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        c = client()
        arn = c.get_relational_database(relationalDatabaseName="orders-db")["relationalDatabase"][
            "arn"
        ]
        c.delete_relational_database(relationalDatabaseName="orders-db", skipFinalSnapshot=True)
        first = stub.add_snapshot("old-1", region="eu-west-2", database="orders-db")
        second = stub.add_snapshot("old-2", region="eu-west-2", database="orders-db")
    assert first.from_database_arn == second.from_database_arn == arn
    # never declared (declared databases only): made up once, then the same
    with lightsail_stub.mock_lightsail(databases=["orders-db"]) as stub:
        a = stub.add_snapshot("s-a", region="eu-west-2", database="legacy-db")
        b = stub.add_snapshot("s-b", region="eu-west-2", database="legacy-db")
        other = stub.add_snapshot("s-c", region="us-east-1", database="legacy-db")
    assert a.from_database_arn == b.from_database_arn != other.from_database_arn
    assert ":eu-west-2:" in a.from_database_arn


@pytest.mark.parametrize(
    ("seconds", "error", "message"),
    [
        ("5", TypeError, "seconds must be a number"),
        (True, TypeError, "seconds must be a number"),
        (None, TypeError, "seconds must be a number"),
        (math.nan, ValueError, "seconds must be a finite number"),
        (math.inf, ValueError, "seconds must be a finite number"),
        (-1, ValueError, "the clock only moves forward"),
    ],
)
def test_advance_refuses_what_is_not_a_forward_number_of_seconds(
    seconds: Any, error: type[Exception], message: str
) -> None:
    stub = lightsail_stub.mock_lightsail(clock=FROZEN)
    with pytest.raises(error, match=message):
        stub.advance(seconds)
    assert stub.now() == FROZEN
    stub.advance(timedelta(seconds=1).total_seconds())
    assert stub.now() == FROZEN + timedelta(seconds=1)


LAST = "9999-12-30 23:59:59.999999 UTC"  # a day before a datetime's end: see LAST_INSTANT


@pytest.fixture(params=["UTC0", "EAST-14", "WEST+12"])
def local_timezone(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The process's local timezone, which botocore reads the answers' timestamps in: UTC,
    14 hours east (the furthest a zone is ahead) or 12 hours west."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset() is Unix-only")
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (3e11, "300000000000.0"),  # about 9,500 years
        (10**20, "100000000000000000000"),  # too long for timedelta
        (10**5000, "<an int of about 5001 digits>"),  # too long for a float, or for str()
    ],
    ids=["9500-years", "10**20", "10**5000"],
)
def test_advance_refuses_to_move_the_clock_past_its_last_instant(
    seconds: float, shown: str
) -> None:
    """Such a move used to be taken, and then every call failed with an OverflowError
    ("a bug in lightsail-stub"); now it is refused and the stub goes on as it was."""
    with lightsail_stub.mock_lightsail(clock=FROZEN) as stub:
        with pytest.raises(ValueError, match=r"^advance") as refused:
            stub.advance(seconds)
        assert str(refused.value) == (
            f"advance(seconds={shown}): that moves the clock past the last instant every "
            f"timezone can show ({LAST})"
        )
        assert stub.now() == FROZEN
        assert create(client(), snapshot="snap-1")["operations"][0]["status"] == "Started"


def test_a_clock_at_its_last_instant_still_answers_in_every_timezone(local_timezone: str) -> None:
    """Creates whose lifecycle would end later end at the clock's last instant; the clock
    gets there, and no further; botocore reads every answer in any local timezone."""
    start = LAST_INSTANT - timedelta(seconds=60)
    with lightsail_stub.mock_lightsail(clock=start, create_duration=120) as stub:
        c = client()
        created = create(c, snapshot="snap-1")["operations"][0]["createdAt"]
        assert abs((created - start).total_seconds()) < 0.001  # sent in milliseconds
        listed = c.get_relational_database_snapshots()["relationalDatabaseSnapshots"]
        assert [s["state"] for s in listed] == ["creating"]
        stub.advance(60)
        assert stub.now() == LAST_INSTANT
        listed = c.get_relational_database_snapshots()["relationalDatabaseSnapshots"]
        assert [s["state"] for s in listed] == ["available"]
        with pytest.raises(ValueError, match="past the last instant every timezone can show"):
            stub.advance(1e-3)


@pytest.mark.parametrize(
    "instant",
    [LAST_INSTANT + timedelta(microseconds=1), FIRST_INSTANT - timedelta(microseconds=1)],
    ids=["after-the-last", "before-the-first"],
)
def test_a_clock_or_a_snapshot_outside_what_every_timezone_can_show_is_refused(
    instant: datetime,
) -> None:
    with pytest.raises(ValueError, match="outside the instants every timezone can show"):
        lightsail_stub.mock_lightsail(clock=instant)
    stub = lightsail_stub.mock_lightsail()
    with pytest.raises(ValueError, match="outside the instants every timezone can show"):
        stub.add_snapshot("snap-1", region="eu-west-2", created_at=instant)
    assert stub.snapshots == ()


def test_a_clock_source_that_runs_past_the_last_instant_is_a_library_error() -> None:
    """A callable clock is only called when the stub needs the time (it may count its
    calls, or move), so advance() can't check it: now() names the problem instead."""
    calls: list[datetime] = []

    def source() -> datetime:
        calls.append(datetime(9999, 12, 30, 23, 59, tzinfo=timezone.utc))
        return calls[-1]

    stub = lightsail_stub.mock_lightsail(clock=source, assert_all_handled=False)
    stub.advance(120)
    assert calls == []
    with pytest.raises(lightsail_stub.LightsailStubError) as info:
        stub.now()
    assert str(info.value) == (
        "the stub's clock is outside the instants every timezone can show (0001-01-02 to "
        f"{LAST}): the clock given to mock_lightsail() returned datetime.datetime(9999, 12, "
        "30, 23, 59, tzinfo=datetime.timezone.utc), plus 0:02:00 from advance()"
    )
    with stub:  # a call is a library error too, not "a bug in lightsail-stub"
        with pytest.raises(lightsail_stub.LightsailStubError, match="outside the instants"):
            create(client(), snapshot="snap-1")
        stub.reset()  # forgets the advance
        assert create(client(), snapshot="snap-1")["operations"][0]["status"] == "Started"


def test_a_back_off_past_the_last_instant_is_a_library_error() -> None:
    """botocore's virtual back-off moves the stub's clock: at its last instant, the retry's
    wait can't, and the caller is told so (not a bare ValueError from advance())."""
    from lightsail_stub.scenarios import throttle

    retrying = client(retries={"mode": "standard", "total_max_attempts": 3})
    with lightsail_stub.mock_lightsail(clock=LAST_INSTANT, scenarios=[throttle(times=1)]):
        with pytest.raises(lightsail_stub.LightsailStubError) as info:
            create(retrying, snapshot="snap-1")
    assert str(info.value).startswith("botocore's back-off before a retry (")
    assert "could not move the stub's clock: advance(seconds=" in str(info.value)


def test_advance_moves_the_instant_across_a_daylight_saving_change() -> None:
    """In a zone with daylight saving time, advance(3600) is an hour of real time, also
    across the night the clocks go back (wall-clock arithmetic would make it two)."""
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        new_york = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone data on this machine")
    before = datetime(2026, 11, 1, 0, 30, tzinfo=new_york)  # clocks go back at 2:00
    stub = lightsail_stub.mock_lightsail(clock=before)
    for hours in (1, 2, 3):
        stub.advance(3600)
        assert stub.now().timestamp() - before.timestamp() == hours * 3600
        assert stub.now().tzinfo is new_york
    assert [stub.now().fold, stub.now().hour] == [0, 2]
