"""CreateRelationalDatabaseSnapshot through real boto3 clients: the confirmed response shape."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lightsail_stub
from lightsail_stub import _model

from .helpers import assert_valid_output, client, create

FROZEN = datetime(2026, 11, 27, 3, 0, 0, 123000, tzinfo=timezone.utc)


def test_the_issue_example_works_as_written() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        c = client("eu-west-2")
        resp = c.create_relational_database_snapshot(
            relationalDatabaseName="orders-db",
            relationalDatabaseSnapshotName="orders-db-2026-11-27",
            tags=[{"key": "env", "value": "prod"}],
        )
        assert resp["operations"][0]["status"] == "Started"
        assert stub.calls[0].operation == "CreateRelationalDatabaseSnapshot"


def test_success_returns_the_two_confirmed_operations() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN, databases=[]) as stub:
        stub.add_database("orders-db", availability_zone="us-west-2b")
        resp = create(client("us-west-2"), "orders-db", "orders-db-snap")

    snapshot_op, database_op = resp["operations"]
    common = {
        "operationType": "CreateRelationalDatabaseSnapshot",
        "status": "Started",
        "isTerminal": False,
        "createdAt": FROZEN,
        "statusChangedAt": FROZEN,
    }
    assert snapshot_op == {
        **common,
        "id": snapshot_op["id"],
        "resourceName": "orders-db-snap",
        "resourceType": "RelationalDatabaseSnapshot",
        "location": {"availabilityZone": "all", "regionName": "us-west-2"},
        "operationDetails": "orders-db",
    }
    assert database_op == {
        **common,
        "id": database_op["id"],
        "resourceName": "orders-db",
        "resourceType": "RelationalDatabase",
        "location": {"availabilityZone": "us-west-2b", "regionName": "us-west-2"},
        "operationDetails": "orders-db-snap",
    }
    ids = [uuid.UUID(op["id"]) for op in resp["operations"]]
    assert len(set(ids)) == 2
    assert all(i.version == 4 for i in ids)
    assert_valid_output("CreateRelationalDatabaseSnapshot", resp, stub.calls[0].response)


def test_request_id_header_reaches_response_metadata() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        resp = create(client())
    metadata = resp["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["RequestId"] == stub.calls[0].request_id
    assert uuid.UUID(metadata["RequestId"])


def test_the_snapshot_is_stored_with_the_confirmed_record_fields() -> None:
    with lightsail_stub.mock_lightsail(clock=FROZEN, account_id="210987654321") as stub:
        create(
            client("eu-west-2"), "orders-db", "nightly-1", tags=[{"key": "env", "value": "prod"}]
        )
    (snapshot,) = stub.snapshots
    (database,) = stub.databases
    assert snapshot.name == "nightly-1"
    assert snapshot.state == "available"
    assert snapshot.created_at == FROZEN
    assert snapshot.tags == (("env", "prod"),)
    assert re.fullmatch(
        r"arn:aws:lightsail:eu-west-2:210987654321:RelationalDatabaseSnapshot/[0-9a-f-]{36}",
        snapshot.arn,
    )
    assert re.fullmatch(r"\d{12}/ls-[0-9a-f]{40}", snapshot.support_code)
    assert snapshot.from_database_name == "orders-db"
    assert snapshot.from_database_arn == database.arn
    assert (snapshot.engine, snapshot.engine_version) == (database.engine, database.engine_version)
    assert snapshot.from_blueprint_id == database.blueprint_id
    assert snapshot.from_bundle_id == database.bundle_id
    assert {op.resource_name for op in stub.operations} == {"nightly-1", "orders-db"}


def test_a_seed_makes_every_id_reproducible() -> None:
    def run() -> tuple[object, ...]:
        with lightsail_stub.mock_lightsail(seed=7, clock=FROZEN) as stub:
            resp = create(client())
        return (
            [op["id"] for op in resp["operations"]],
            resp["ResponseMetadata"]["RequestId"],
            stub.snapshots,
            stub.databases,
        )

    assert run() == run()
    with lightsail_stub.mock_lightsail(seed=8, clock=FROZEN):
        other = create(client())
    assert [op["id"] for op in other["operations"]] != run()[0]


def test_clock_accepts_a_callable_and_advance_moves_it() -> None:
    with lightsail_stub.mock_lightsail(clock=lambda: FROZEN) as stub:
        c = client()
        first = create(c, snapshot="snap-1")
        stub.advance(90)
        second = create(c, snapshot="snap-2")
    assert first["operations"][0]["createdAt"] == FROZEN
    assert (second["operations"][0]["createdAt"] - FROZEN).total_seconds() == 90
    assert stub.now() == second["operations"][0]["createdAt"]


def test_clock_rejects_naive_datetimes_and_other_types() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        lightsail_stub.mock_lightsail(clock=datetime(2026, 1, 1))
    with pytest.raises(TypeError, match="clock must be"):
        lightsail_stub.mock_lightsail(clock="2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="only moves forward"):
        lightsail_stub.mock_lightsail().advance(-1)


@pytest.mark.parametrize("region", _model.regions())
def test_every_region_in_the_model_gets_a_schema_valid_answer(region: str) -> None:
    with lightsail_stub.mock_lightsail() as stub:
        resp = create(client(region), tags=[{"key": "env", "value": "prod"}])
    assert_valid_output("CreateRelationalDatabaseSnapshot", resp, stub.calls[0].response)
    assert [op["location"]["regionName"] for op in resp["operations"]] == [region, region]
    assert resp["operations"][1]["location"]["availabilityZone"] == f"{region}a"


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    region=st.sampled_from(_model.regions()),
    database=st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,40}[A-Za-z0-9])?", fullmatch=True).filter(
        lambda s: len(s) >= 2
    ),
    snapshot=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,253}[A-Za-z0-9]", fullmatch=True),
    tags=st.lists(
        st.tuples(
            st.text(st.sampled_from("ab Z9+-=._:/@é"), min_size=1, max_size=128).filter(
                lambda k: not k.lower().startswith("aws:")
            ),
            st.none() | st.text(st.sampled_from("ab Z9+-=._:/@é"), max_size=256),
        ),
        max_size=5,
        unique_by=lambda kv: kv[0],
    ),
)
def test_every_fabricated_response_is_schema_valid(
    region: str, database: str, snapshot: str, tags: list[tuple[str, str | None]]
) -> None:
    tag_list = [{"key": k} if v is None else {"key": k, "value": v} for k, v in tags]
    with lightsail_stub.mock_lightsail() as stub:
        resp = create(client(region), database, snapshot, tags=tag_list)
    assert_valid_output("CreateRelationalDatabaseSnapshot", resp, stub.calls[0].response)
    assert [op["location"]["regionName"] for op in resp["operations"]] == [region, region]
    assert stub.snapshots[0].tags == tuple(tags)


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        ({"snapshot": "-bad-"}, "InvalidInputException"),
        ({"database": "ghost-db"}, "NotFoundException"),
    ],
)
def test_error_bodies_have_exactly_the_members_of_their_error_shape(
    kwargs: dict[str, str], shape: str
) -> None:
    c = client()
    raw: list[bytes] = []
    c.meta.events.register(
        "after-call.lightsail", lambda http_response, **kw: raw.append(http_response.content)
    )
    with (
        lightsail_stub.mock_lightsail(databases=["orders-db"]) as stub,
        pytest.raises(c.exceptions.ClientError),
    ):
        create(c, **kwargs)
    assert stub.calls[0].error_code == shape
    body = json.loads(raw[0])
    assert body.pop("__type") == shape
    assert set(body) == set(_model.service_model().shape_for(shape).members)
    assert set(body) == {"code", "docs", "message", "tip"}
    assert all(isinstance(v, str) and v for v in body.values())
