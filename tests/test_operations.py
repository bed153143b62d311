"""Every operation of the stateful world, through real boto3 clients: answers, errors,
schema validity, lifecycles on the stub's clock, pages."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import lightsail_stub
from lightsail_stub import _model

from .helpers import assert_valid_output, client, create, error_of

FROZEN = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)


def valid(stub: lightsail_stub.LightsailStub, operation: str, response: dict[str, Any]) -> None:
    """The response is schema-valid, also on the wire (no member the model lacks)."""
    call = stub.calls[-1]
    assert call.operation == operation
    assert_valid_output(operation, response, call.response)


# -- snapshots -----------------------------------------------------------------------------


def test_get_snapshot_returns_what_create_made_with_every_member_of_the_model() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN, databases=[]) as stub:
        stub.add_database("orders-db", availability_zone="us-west-2b", size_in_gb=80)
        c = client("us-west-2")
        created = create(c, "orders-db", "snap-1", tags=[{"key": "env", "value": "prod"}])
        got = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
        valid(stub, "GetRelationalDatabaseSnapshot", got)
        database = c.get_relational_database(relationalDatabaseName="orders-db")
    snapshot = got["relationalDatabaseSnapshot"]
    members = _model.service_model().shape_for("RelationalDatabaseSnapshot").members
    assert set(snapshot) == set(members)
    (stored,) = stub.snapshots
    assert snapshot == {
        "name": "snap-1",
        "arn": stored.arn,
        "supportCode": stored.support_code,
        "createdAt": FROZEN,
        "location": {"availabilityZone": "all", "regionName": "us-west-2"},
        "resourceType": "RelationalDatabaseSnapshot",
        "tags": [{"key": "env", "value": "prod"}],
        "engine": "mysql",
        "engineVersion": "8.0.40",
        "sizeInGb": 80,
        "state": "available",
        "fromRelationalDatabaseName": "orders-db",
        "fromRelationalDatabaseArn": database["relationalDatabase"]["arn"],
        "fromRelationalDatabaseBundleId": "micro_2_0",
        "fromRelationalDatabaseBlueprintId": "mysql_8_0",
    }
    # The create operation's resource is the same snapshot: same name, same Region.
    assert created["operations"][0]["resourceName"] == snapshot["name"]
    assert re.fullmatch(r"\d{12}/ls-[0-9a-f]{40}", snapshot["supportCode"])


def test_default_duration_zero_create_says_started_and_the_next_call_sees_it_done() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN) as stub:
        c = client()
        created = create(c, "orders-db", "snap-1")
        assert [op["status"] for op in created["operations"]] == ["Started", "Started"]
        for op in created["operations"]:
            done = c.get_operation(operationId=op["id"])
            valid(stub, "GetOperation", done)
            assert done["operation"]["status"] == "Succeeded"
            assert done["operation"]["isTerminal"] is True
            assert done["operation"]["statusChangedAt"] == FROZEN
        got = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
        assert got["relationalDatabaseSnapshot"]["state"] == "available"
        # back to back on one database: nothing to wait for
        create(c, "orders-db", "snap-2")
        create(c, "orders-db", "snap-3")
    assert [s.state for s in stub.snapshots] == ["available"] * 3


def test_with_a_duration_the_snapshot_is_creating_and_the_database_backing_up_until_then() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN, create_duration=120) as stub:
        c = client()
        created = create(c, "orders-db", "snap-1")
        ids = [op["id"] for op in created["operations"]]
        stub.advance(119)
        snap = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
        assert snap["relationalDatabaseSnapshot"]["state"] == "creating"
        db = c.get_relational_database(relationalDatabaseName="orders-db")
        valid(stub, "GetRelationalDatabase", db)
        assert db["relationalDatabase"]["state"] == "backing-up"
        op = c.get_operation(operationId=ids[0])["operation"]
        assert (op["status"], op["isTerminal"], op["statusChangedAt"]) == ("Started", False, FROZEN)
        code, message = error_of(
            c.create_relational_database_snapshot,
            relationalDatabaseName="orders-db",
            relationalDatabaseSnapshotName="snap-2",
        )
        assert (code, message) == (
            "InvalidInputException",
            "relationalDatabaseName 'orders-db' is invalid: the relational database is "
            "'backing-up'; a snapshot can be taken only while it is 'available'.",
        )
        code, message = error_of(
            c.delete_relational_database_snapshot, relationalDatabaseSnapshotName="snap-1"
        )
        assert (code, message) == (
            "InvalidInputException",
            "relationalDatabaseSnapshotName 'snap-1' is invalid: the relational database "
            "snapshot is 'creating'; it can be deleted once it is 'available' (or 'error').",
        )
        stub.advance(1)
        done_at = FROZEN + timedelta(seconds=120)
        for operation_id in ids:
            op = c.get_operation(operationId=operation_id)["operation"]
            assert (op["status"], op["isTerminal"], op["statusChangedAt"]) == (
                "Succeeded",
                True,
                done_at,
            )
            assert op["createdAt"] == FROZEN
        snap = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
        assert snap["relationalDatabaseSnapshot"]["state"] == "available"
        db = c.get_relational_database(relationalDatabaseName="orders-db")
        assert db["relationalDatabase"]["state"] == "available"
        create(c, "orders-db", "snap-2")
    assert len(stub.snapshots) == 2


def test_fail_later_accepts_the_create_then_ends_failed_with_the_snapshot_in_error() -> None:
    stub = lightsail_stub.mock_lightsail(clock=FROZEN, create_duration=30)
    with stub:
        ctx = stub._context("eu-west-2", fail_later=("InternalFailure", "disk full"))
        answer = json.loads(
            lightsail_stub._operations.create_relational_database_snapshot(
                ctx,
                {"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "snap-1"},
            )
        )
        assert [op["status"] for op in answer["operations"]] == ["Started", "Started"]
        c = client()
        ids = [op["id"] for op in answer["operations"]]
        assert c.get_operation(operationId=ids[0])["operation"]["status"] == "Started"
        assert stub.snapshots[0].state == "creating"
        stub.advance(30)
        for operation_id in ids:
            got = c.get_operation(operationId=operation_id)
            valid(stub, "GetOperation", got)
            op = got["operation"]
            assert (op["status"], op["isTerminal"], op["errorCode"], op["errorDetails"]) == (
                "Failed",
                True,
                "InternalFailure",
                "disk full",
            )
            assert op["statusChangedAt"] == FROZEN + timedelta(seconds=30)
        snap = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
        assert snap["relationalDatabaseSnapshot"]["state"] == "error"
        db = c.get_relational_database(relationalDatabaseName="orders-db")
        assert db["relationalDatabase"]["state"] == "available"
        # a snapshot in error can be deleted
        c.delete_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
    assert stub.snapshots == ()


def test_fail_later_with_no_duration_is_seen_failed_by_the_next_call() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        ctx = stub._context("eu-west-2", fail_later=("Boom", "it broke"))
        lightsail_stub._operations.create_relational_database(
            ctx,
            {
                "relationalDatabaseName": "new-db",
                "relationalDatabaseBlueprintId": "mysql_8_0",
                "relationalDatabaseBundleId": "micro_2_0",
                "masterDatabaseName": "app",
                "masterUsername": "admin",
            },
        )
        c = client()
        (op,) = c.get_operations_for_resource(resourceName="new-db")["operations"]
        assert (op["status"], op["errorCode"]) == ("Failed", "Boom")
        db = c.get_relational_database(relationalDatabaseName="new-db")["relationalDatabase"]
        assert db["state"] == "failed"


def test_delete_snapshot_returns_one_succeeded_operation_and_forgets_it() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN) as stub:
        c = client()
        create(c, "orders-db", "snap-1")
        deleted = c.delete_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
        valid(stub, "DeleteRelationalDatabaseSnapshot", deleted)
        (op,) = deleted["operations"]
        assert {k: v for k, v in op.items() if k != "id"} == {
            "resourceName": "snap-1",
            "resourceType": "RelationalDatabaseSnapshot",
            "createdAt": FROZEN,
            "location": {"availabilityZone": "all", "regionName": "eu-west-2"},
            "isTerminal": True,
            "operationDetails": "",
            "operationType": "DeleteRelationalDatabaseSnapshot",
            "status": "Succeeded",
            "statusChangedAt": FROZEN,
        }
        code, message = error_of(
            c.get_relational_database_snapshot, relationalDatabaseSnapshotName="snap-1"
        )
        assert (code, message) == (
            "NotFoundException",
            "relationalDatabaseSnapshotName 'snap-1': no relational database snapshot with "
            "that name exists in eu-west-2.",
        )
        assert (
            error_of(
                c.delete_relational_database_snapshot, relationalDatabaseSnapshotName="snap-1"
            )[0]
            == "NotFoundException"
        )
        # the name is free again
        create(c, "orders-db", "snap-1")
    assert [s.name for s in stub.snapshots] == ["snap-1"]


def test_names_are_unique_per_region_only() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        create(client("eu-west-2"), snapshot="snap-1")
        create(client("us-east-1"), snapshot="snap-1")
        c = client("eu-west-2")
        code, message = error_of(
            c.create_relational_database_snapshot,
            relationalDatabaseName="orders-db",
            relationalDatabaseSnapshotName="snap-1",
        )
    assert (code, message) == (
        "InvalidInputException",
        "relationalDatabaseSnapshotName 'snap-1' is invalid: a relational database snapshot "
        "with that name already exists in eu-west-2 (names are unique per Region).",
    )
    assert sorted((s.region, s.name) for s in stub.snapshots) == [
        ("eu-west-2", "snap-1"),
        ("us-east-1", "snap-1"),
    ]


def test_list_pages_in_creation_order_and_the_boto3_paginator_works() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        for i in range(60):
            stub.add_snapshot(f"snap-{i:03}", region="eu-west-2")
        stub.add_snapshot("elsewhere", region="us-east-1")
        c = client()
        first = c.get_relational_database_snapshots()
        valid(stub, "GetRelationalDatabaseSnapshots", first)
        assert len(first["relationalDatabaseSnapshots"]) == 25
        second = c.get_relational_database_snapshots(pageToken=first["nextPageToken"])
        third = c.get_relational_database_snapshots(pageToken=second["nextPageToken"])
        assert "nextPageToken" not in third
        assert len(third["relationalDatabaseSnapshots"]) == 10
        names = [
            s["name"]
            for page in c.get_paginator("get_relational_database_snapshots").paginate()
            for s in page["relationalDatabaseSnapshots"]
        ]
    assert names == [f"snap-{i:03}" for i in range(60)]


def test_a_page_token_stays_valid_when_snapshots_are_deleted_meanwhile() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        for i in range(30):
            stub.add_snapshot(f"snap-{i:02}", region="eu-west-2")
        c = client()
        first = c.get_relational_database_snapshots()
        for i in (24, 25, 26):
            c.delete_relational_database_snapshot(relationalDatabaseSnapshotName=f"snap-{i:02}")
        rest = c.get_relational_database_snapshots(pageToken=first["nextPageToken"])
    assert [s["name"] for s in rest["relationalDatabaseSnapshots"]] == [
        "snap-27",
        "snap-28",
        "snap-29",
    ]


def test_an_empty_region_lists_nothing_without_a_token() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        resp = client().get_relational_database_snapshots()
        valid(stub, "GetRelationalDatabaseSnapshots", resp)
    assert resp["relationalDatabaseSnapshots"] == []
    assert "nextPageToken" not in resp


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("garbage!", "it is not a page token this operation returned"),
        ("djF8c25hcHNob3RzfGV1LXdlc3QtMnx4", "it is not a page token this operation returned"),
        ("dXNlci1tYWRl", "it is not a page token this operation returned"),
    ],
)
def test_a_bad_page_token_answers_invalid_input(token: str, why: str) -> None:
    with lightsail_stub.mock_lightsail() as stub:
        c = client()
        code, message = error_of(c.get_relational_database_snapshots, pageToken=token)
    assert (code, message) == ("InvalidInputException", f"pageToken {token!r} is invalid: {why}.")
    assert stub.calls[-1].status == 400


def test_a_page_token_of_another_list_or_region_is_refused() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        for i in range(30):
            stub.add_snapshot(f"snap-{i:02}", region="eu-west-2")
            stub.add_snapshot(f"snap-{i:02}", region="us-east-1")
        token = client().get_relational_database_snapshots()["nextPageToken"]
        c = client("us-east-1")
        code, message = error_of(c.get_relational_database_snapshots, pageToken=token)
        assert code == "InvalidInputException"
        assert message.endswith(
            "is invalid: it is a page token of Region eu-west-2, not us-east-1."
        )
        c = client()
        code, message = error_of(c.get_operations, pageToken=token)
        assert message.endswith("is invalid: it is a page token of another list (snapshots).")


# -- operations ----------------------------------------------------------------------------


def test_get_operations_lists_oldest_first_and_for_resource_filters() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN) as stub:
        c = client()
        create(c, "orders-db", "snap-1")
        create(c, "billing-db", "snap-2")
        c.delete_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
        ops = c.get_operations()
        valid(stub, "GetOperations", ops)
        for_snap = c.get_operations_for_resource(resourceName="snap-1")
        valid(stub, "GetOperationsForResource", for_snap)
        # automatic databases: any well-formed name is a database, with no operation yet
        fresh = c.get_operations_for_resource(resourceName="ghost")
        other_region = client("us-east-1").get_operations()
    assert [(o["resourceName"], o["operationType"]) for o in ops["operations"]] == [
        ("snap-1", "CreateRelationalDatabaseSnapshot"),
        ("orders-db", "CreateRelationalDatabaseSnapshot"),
        ("snap-2", "CreateRelationalDatabaseSnapshot"),
        ("billing-db", "CreateRelationalDatabaseSnapshot"),
        ("snap-1", "DeleteRelationalDatabaseSnapshot"),
    ]
    assert [o["operationType"] for o in for_snap["operations"]] == [
        "CreateRelationalDatabaseSnapshot",
        "DeleteRelationalDatabaseSnapshot",
    ]
    assert fresh["operations"] == []
    assert other_region["operations"] == []
    assert [o.id for o in stub.operations] == [o["id"] for o in ops["operations"]]


def test_get_operation_of_an_unknown_id_or_another_region_is_not_found() -> None:
    with lightsail_stub.mock_lightsail():
        resp = create(client())
        c = client("us-east-1")
        code, message = error_of(c.get_operation, operationId=resp["operations"][0]["id"])
        assert code == "NotFoundException"
        assert message == (
            f"operationId {resp['operations'][0]['id']!r}: no operation with that id exists in "
            "us-east-1."
        )


def test_get_operations_pages_by_200() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        c = client()
        for i in range(101):
            create(c, "orders-db", f"snap-{i}")  # two operations each
        first = c.get_operations()
        second = c.get_operations(pageToken=first["nextPageToken"])
        valid(stub, "GetOperations", second)
        every = [
            o["id"]
            for page in c.get_paginator("get_operations").paginate()
            for o in page["operations"]
        ]
    assert (len(first["operations"]), len(second["operations"])) == (200, 2)
    assert "nextPageToken" not in second
    assert every == [o.id for o in stub.operations]


# -- databases -----------------------------------------------------------------------------


def test_create_get_list_and_delete_a_database() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN, databases=[], create_duration=600) as stub:
        c = client()
        created = c.create_relational_database(
            relationalDatabaseName="shop-db",
            availabilityZone="eu-west-2c",
            relationalDatabaseBlueprintId="postgres_16",
            relationalDatabaseBundleId="small_2_0",
            masterDatabaseName="shop",
            masterUsername="admin",
            tags=[{"key": "team", "value": "web"}],
        )
        valid(stub, "CreateRelationalDatabase", created)
        (op,) = created["operations"]
        assert (op["operationType"], op["status"], op["location"]["availabilityZone"]) == (
            "CreateRelationalDatabase",
            "Started",
            "eu-west-2c",
        )
        got = c.get_relational_database(relationalDatabaseName="shop-db")
        valid(stub, "GetRelationalDatabase", got)
        db = got["relationalDatabase"]
        assert set(db) == set(_model.service_model().shape_for("RelationalDatabase").members) - {
            "secondaryAvailabilityZone"
        }
        assert (db["state"], db["engine"], db["engineVersion"]) == ("creating", "postgres", "16.4")
        assert db["hardware"] == {"cpuCount": 2, "diskSizeInGb": 80, "ramSizeInGb": 2.0}
        assert db["masterEndpoint"]["port"] == 5432
        assert db["tags"] == [{"key": "team", "value": "web"}]
        code, _ = error_of(
            c.create_relational_database_snapshot,
            relationalDatabaseName="shop-db",
            relationalDatabaseSnapshotName="too-early",
        )
        assert code == "InvalidInputException"
        stub.advance(600)
        listed = c.get_relational_databases()
        valid(stub, "GetRelationalDatabases", listed)
        assert [(d["name"], d["state"]) for d in listed["relationalDatabases"]] == [
            ("shop-db", "available")
        ]
        code, message = error_of(
            c.create_relational_database,
            relationalDatabaseName="shop-db",
            relationalDatabaseBlueprintId="mysql_8_0",
            relationalDatabaseBundleId="micro_2_0",
            masterDatabaseName="shop",
            masterUsername="admin",
        )
        assert (code, message) == (
            "InvalidInputException",
            "relationalDatabaseName 'shop-db' is invalid: a relational database with that name "
            "already exists in eu-west-2 (names are unique per Region).",
        )
        deleted = c.delete_relational_database(
            relationalDatabaseName="shop-db", finalRelationalDatabaseSnapshotName="shop-final"
        )
        valid(stub, "DeleteRelationalDatabase", deleted)
        assert deleted["operations"][0]["operationType"] == "DeleteRelationalDatabase"
        assert error_of(c.get_relational_database, relationalDatabaseName="shop-db")[0] == (
            "NotFoundException"
        )
        stub.advance(600)
        final = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="shop-final")
    snapshot = final["relationalDatabaseSnapshot"]
    assert (snapshot["state"], snapshot["engine"], snapshot["fromRelationalDatabaseName"]) == (
        "available",
        "postgres",
        "shop-db",
    )
    assert snapshot["fromRelationalDatabaseArn"] == db["arn"]


def test_delete_database_final_snapshot_rules() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        c = client()
        create(c, "orders-db", "taken")
        code, message = error_of(c.delete_relational_database, relationalDatabaseName="orders-db")
        assert (code, message) == (
            "InvalidInputException",
            "finalRelationalDatabaseSnapshotName is required when skipFinalSnapshot is false "
            "(its default).",
        )
        code, message = error_of(
            c.delete_relational_database,
            relationalDatabaseName="orders-db",
            skipFinalSnapshot=True,
            finalRelationalDatabaseSnapshotName="final",
        )
        assert message == (
            "finalRelationalDatabaseSnapshotName 'final' is invalid: it cannot be given together "
            "with skipFinalSnapshot true."
        )
        code, message = error_of(
            c.delete_relational_database,
            relationalDatabaseName="orders-db",
            finalRelationalDatabaseSnapshotName="taken",
        )
        assert code == "InvalidInputException"
        assert "already exists" in message
        before = (stub.snapshots, stub.databases, stub.operations)
        c.delete_relational_database(relationalDatabaseName="orders-db", skipFinalSnapshot=True)
        assert before[0] == stub.snapshots
        assert stub.databases == ()
        # a deleted database does not come back by itself, even with automatic databases
        code, _ = error_of(
            c.create_relational_database_snapshot,
            relationalDatabaseName="orders-db",
            relationalDatabaseSnapshotName="after",
        )
        assert code == "NotFoundException"


def test_declared_databases_are_listed_in_every_region() -> None:
    with lightsail_stub.mock_lightsail(databases=["orders-db", "billing-db"]) as stub:
        resp = client("ap-south-1").get_relational_databases()
        valid(stub, "GetRelationalDatabases", resp)
    assert [d["name"] for d in resp["relationalDatabases"]] == ["orders-db", "billing-db"]
    assert {d["location"]["availabilityZone"] for d in resp["relationalDatabases"]} == {
        "ap-south-1a"
    }


def test_create_database_from_snapshot_and_from_a_source_database() -> None:
    with lightsail_stub.mock_lightsail(databases=[]) as stub:
        stub.add_database("orders-db", engine_version="8.0.36")
        c = client()
        create(c, "orders-db", "snap-1")
        restored = c.create_relational_database_from_snapshot(
            relationalDatabaseName="orders-restored",
            relationalDatabaseSnapshotName="snap-1",
            relationalDatabaseBundleId="medium_2_0",
        )
        valid(stub, "CreateRelationalDatabaseFromSnapshot", restored)
        (op,) = restored["operations"]
        assert (op["operationType"], op["operationDetails"]) == (
            "CreateRelationalDatabaseFromSnapshot",
            "snap-1",
        )
        clone = c.create_relational_database_from_snapshot(
            relationalDatabaseName="orders-clone",
            sourceRelationalDatabaseName="orders-db",
            useLatestRestorableTime=True,
        )
        assert clone["operations"][0]["operationDetails"] == "orders-db"
        db = c.get_relational_database(relationalDatabaseName="orders-restored")
        code, message = error_of(
            c.create_relational_database_from_snapshot, relationalDatabaseName="x-db"
        )
        assert message == (
            "exactly one of relationalDatabaseSnapshotName and sourceRelationalDatabaseName is "
            "required."
        )
        code, _ = error_of(
            c.create_relational_database_from_snapshot,
            relationalDatabaseName="x-db",
            relationalDatabaseSnapshotName="ghost",
        )
        assert code == "NotFoundException"
    restored_db = db["relationalDatabase"]
    assert (restored_db["engineVersion"], restored_db["relationalDatabaseBundleId"]) == (
        "8.0.36",
        "medium_2_0",
    )
    assert [d.name for d in stub.databases] == ["orders-db", "orders-restored", "orders-clone"]


def test_a_high_availability_database_has_a_secondary_zone() -> None:
    with lightsail_stub.mock_lightsail(databases=[]) as stub:
        stub.add_database("ha-db", region="eu-west-2", bundle_id="micro_ha_2_0")
        resp = client().get_relational_database(relationalDatabaseName="ha-db")
        valid(stub, "GetRelationalDatabase", resp)
    db = resp["relationalDatabase"]
    assert set(db) == set(_model.service_model().shape_for("RelationalDatabase").members)
    assert db["secondaryAvailabilityZone"] == "eu-west-2b"


# -- tags ----------------------------------------------------------------------------------


def test_tag_and_untag_a_snapshot_and_a_database() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN) as stub:
        c = client()
        create(c, "orders-db", "snap-1", tags=[{"key": "env", "value": "prod"}])
        tagged = c.tag_resource(
            resourceName="snap-1", tags=[{"key": "env", "value": "dev"}, {"key": "keep"}]
        )
        valid(stub, "TagResource", tagged)
        (op,) = tagged["operations"]
        assert (op["status"], op["isTerminal"], op["resourceType"]) == (
            "Succeeded",
            True,
            "RelationalDatabaseSnapshot",
        )
        assert "operationType" not in op  # the model's OperationType has no TagResource
        snapshot_arn = stub.snapshots[0].arn
        untagged = c.untag_resource(
            resourceName="snap-1", resourceArn=snapshot_arn, tagKeys=["env", "absent"]
        )
        valid(stub, "UntagResource", untagged)
        c.tag_resource(resourceName="orders-db", tags=[{"key": "team", "value": "db"}])
        code, message = error_of(
            c.tag_resource, resourceName="snap-1", resourceArn="arn:aws:x", tags=[]
        )
        assert (code, message) == (
            "NotFoundException",
            "resourceArn 'arn:aws:x': no resource named 'snap-1' with that ARN exists in "
            "eu-west-2.",
        )
        code, message = error_of(
            c.tag_resource, resourceName="snap-1", tags=[{"key": "aws:x", "value": "1"}]
        )
        assert code == "InvalidInputException"
    assert stub.snapshots[0].tags == (("keep", None),)
    assert stub.databases[0].tags == (("team", "db"),)


def test_tags_past_fifty_on_one_resource_are_refused_and_change_nothing() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        c = client()
        create(c, tags=[{"key": f"k{i}", "value": "v"} for i in range(40)])
        code, message = error_of(
            c.tag_resource,
            resourceName="orders-db-1",
            tags=[{"key": f"n{i}", "value": "v"} for i in range(11)],
        )
    assert (code, message) == (
        "InvalidInputException",
        "tags (51 items) is invalid: must have at most 50 tags.",
    )
    assert len(stub.snapshots[0].tags) == 40


# -- seeding and reading -------------------------------------------------------------------


def test_add_snapshot_seeds_any_age_state_and_tags() -> None:
    old = FROZEN - timedelta(days=90)
    with lightsail_stub.mock_lightsail(clock=FROZEN, databases=[]) as stub:
        stub.add_database("orders-db", region="eu-west-2", engine_version="8.0.36")
        seeded = stub.add_snapshot(
            "old-1",
            region="eu-west-2",
            database="orders-db",
            created_at=old,
            state="error",
            tags={"backup": "nightly"},
        )
        got = client().get_relational_database_snapshot(relationalDatabaseSnapshotName="old-1")
        valid(stub, "GetRelationalDatabaseSnapshot", got)
    snapshot = got["relationalDatabaseSnapshot"]
    assert (snapshot["createdAt"], snapshot["state"], snapshot["engineVersion"]) == (
        old,
        "error",
        "8.0.36",
    )
    assert snapshot["tags"] == [{"key": "backup", "value": "nightly"}]
    assert snapshot["arn"] == seeded.arn
    assert snapshot["fromRelationalDatabaseArn"] == stub.databases[0].arn


@pytest.mark.parametrize(
    "tags",
    [
        {"backup": "nightly", "keep": None},
        [("backup", "nightly"), ("keep", None)],
        [{"key": "backup", "value": "nightly"}, {"key": "keep"}],  # as Lightsail returns them
    ],
)
def test_add_snapshot_takes_tags_in_each_documented_shape(tags: Any) -> None:
    with lightsail_stub.mock_lightsail() as stub:
        stub.add_snapshot("snap-1", region="eu-west-2", tags=tags)
        got = client().get_relational_database_snapshot(relationalDatabaseSnapshotName="snap-1")
    assert got["relationalDatabaseSnapshot"]["tags"] == [
        {"key": "backup", "value": "nightly"},
        {"key": "keep"},
    ]


def test_add_snapshot_checks_its_arguments() -> None:
    stub = lightsail_stub.mock_lightsail()
    stub.add_snapshot("snap-1", region="eu-west-2")
    with pytest.raises(ValueError, match="a snapshot named 'snap-1' already exists in eu-west-2"):
        stub.add_snapshot("snap-1", region="eu-west-2")
    with pytest.raises(ValueError, match="no Lightsail Region 'mars-1'"):
        stub.add_snapshot("snap-2", region="mars-1")
    with pytest.raises(ValueError, match=r"name 'bad_name' is invalid"):
        stub.add_snapshot("bad_name", region="eu-west-2")
    with pytest.raises(ValueError, match="timezone-aware"):
        stub.add_snapshot("snap-2", region="eu-west-2", created_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match=r"tags\[0\].key 'aws:x' is invalid"):
        stub.add_snapshot("snap-2", region="eu-west-2", tags={"aws:x": "1"})
    with pytest.raises(TypeError, match="a tag must be a"):
        stub.add_snapshot("snap-2", region="eu-west-2", tags=["env"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="a tag must be a"):
        stub.add_snapshot("snap-2", region="eu-west-2", tags=[{"key": "k", "colour": "red"}])
    assert [s.name for s in stub.snapshots] == ["snap-1"]


def test_create_duration_option_is_checked() -> None:
    assert lightsail_stub.mock_lightsail(create_duration=1.5).create_duration == timedelta(
        seconds=1.5
    )
    assert lightsail_stub.mock_lightsail(
        create_duration=timedelta(minutes=2)
    ).create_duration == timedelta(minutes=2)
    with pytest.raises(ValueError, match="must not be negative"):
        lightsail_stub.mock_lightsail(create_duration=-1)
    with pytest.raises(TypeError, match="create_duration must be seconds"):
        lightsail_stub.mock_lightsail(create_duration="5")  # type: ignore[arg-type]
    for endless in [float("nan"), float("inf"), 10**20]:  # no timedelta holds these
        with pytest.raises(ValueError, match=r"^create_duration") as info:
            lightsail_stub.mock_lightsail(create_duration=endless)
        assert str(info.value) == (
            "create_duration must be a finite number of seconds that a timedelta holds "
            f"(at most 999,999,999 days), got {endless!r}"
        )


def test_the_default_clock_is_virtual_and_moves_only_when_told() -> None:
    with lightsail_stub.mock_lightsail(create_duration=0.001) as stub:
        start = stub.now()
        c = client()
        create(c)  # a real call takes far longer than a millisecond of wall time
        assert (
            c.get_relational_database_snapshots()["relationalDatabaseSnapshots"][0]["state"]
            == "creating"
        )
        assert stub.now() == start
        stub.advance(0.001)
        assert stub.snapshots[0].state == "available"
    stub.reset()
    assert stub.now() == start


def test_reset_forgets_the_world_and_keeps_the_duration() -> None:
    stub = lightsail_stub.mock_lightsail(create_duration=60)
    with stub:
        create(client())
    stub.reset()
    assert (stub.snapshots, stub.operations, stub.databases) == ((), (), ())
    with stub:
        create(client())
        assert stub.snapshots[0].state == "creating"


# -- bad input never breaks the stub -------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("GetRelationalDatabaseSnapshots", {"pageToken": 7}),
        ("GetRelationalDatabaseSnapshot", {}),
        ("GetOperation", {"operationId": ["x"]}),
        ("TagResource", {"resourceName": "x", "tags": [{"value": "v"}]}),
        ("UntagResource", {"resourceName": "snap-1", "tagKeys": [1]}),
        (
            "DeleteRelationalDatabase",
            {"relationalDatabaseName": "orders-db", "skipFinalSnapshot": "yes"},
        ),
        ("CreateRelationalDatabase", {"relationalDatabaseName": "db-1"}),
        (
            "CreateRelationalDatabaseFromSnapshot",
            {
                "relationalDatabaseName": "db-1",
                "restoreTime": 1538424000,
                "useLatestRestorableTime": True,
                "relationalDatabaseSnapshotName": "s",
            },
        ),
        ("GetOperationsForResource", {"resourceName": "snap-1", "pageToken": "x"}),
        (
            "CreateRelationalDatabase",
            {
                "relationalDatabaseName": "db-1",
                "relationalDatabaseBlueprintId": "",
                "relationalDatabaseBundleId": "b",
                "masterDatabaseName": "m",
                "masterUsername": "u",
            },
        ),
        (
            "CreateRelationalDatabase",
            {
                "relationalDatabaseName": "db-1",
                "relationalDatabaseBlueprintId": "x",
                "relationalDatabaseBundleId": "b",
                "masterDatabaseName": "m",
                "masterUsername": "u",
                "availabilityZone": "us-east-1a",
            },
        ),
    ],
)
def test_bad_input_past_botocore_gets_a_lightsail_error_and_changes_nothing(
    operation: str, body: dict[str, Any]
) -> None:
    c = client(parameter_validation=False)
    with lightsail_stub.mock_lightsail(clock=FROZEN) as stub:
        create(c, "orders-db", "snap-1")
        before = (stub.snapshots, stub.databases, stub.operations)
        method = getattr(c, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
        with pytest.raises(c.exceptions.ClientError) as caught:
            method(**body)
        assert caught.value.response["Error"]["Code"] in {
            "InvalidInputException",
            "SerializationException",
            "NotFoundException",
        }
        assert (stub.snapshots, stub.databases, stub.operations) == before
    assert all(call.status is not None for call in stub.calls)


def test_a_restored_database_keeps_its_sources_master_user() -> None:
    with lightsail_stub.mock_lightsail(databases=[]) as stub:
        c = client()
        c.create_relational_database(
            relationalDatabaseName="shop-db",
            relationalDatabaseBlueprintId="mysql_8_0",
            relationalDatabaseBundleId="micro_2_0",
            masterDatabaseName="shop",
            masterUsername="shopkeeper",
        )
        create(c, "shop-db", "shop-snap")
        c.create_relational_database_from_snapshot(
            relationalDatabaseName="from-snap", relationalDatabaseSnapshotName="shop-snap"
        )
        c.create_relational_database_from_snapshot(
            relationalDatabaseName="from-source",
            sourceRelationalDatabaseName="shop-db",
            useLatestRestorableTime=True,
        )
        masters = {
            name: (db["masterDatabaseName"], db["masterUsername"])
            for name in ("from-snap", "from-source")
            for db in [c.get_relational_database(relationalDatabaseName=name)["relationalDatabase"]]
        }
    assert masters == {"from-snap": ("shop", "shopkeeper"), "from-source": ("shop", "shopkeeper")}
    assert len(stub.databases) == 3
