"""Per-call cost of ``create_relational_database_snapshot``: lightsail-stub against
botocore's own floor, against ``botocore.stub.Stubber`` and against moto.

    python benchmarks/call_cost.py [--rounds 15] [--per-round 200]

* floor: the same client configuration, with a no-op ``before-send`` hook that returns a
  constant valid body: botocore's validation, serialization, signing, parsing and retry
  handler, and nothing else. No stub can cost less than this.
* lightsail-stub: the same request (three tags) through the stub, with two scenarios on its
  stack that look at every call without answering it, the rules checked, and the snapshot
  stored in its world (which grows by one snapshot per call).
* Stubber: botocore's ``Stubber`` with one queued response per call (it answers at
  ``before-call``, so it skips serialization, signing, parsing and retries).
* moto: its closest stateful analogue, RDS ``create_db_snapshot`` under ``mock_aws``
  (moto has no Lightsail).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleaved, ratio_table

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
TAGS = [{"key": "job", "value": "nightly"}, {"key": "team", "value": "db"}, {"key": "keep"}]


def offline_environment() -> None:
    for key in list(os.environ):
        if key.startswith("AWS_"):
            del os.environ[key]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    # moto refuses more than 1,000 RDS snapshots by default; a run makes more.
    os.environ["MOTO_RDS_SNAPSHOT_LIMIT"] = str(10**9)


def lightsail_client() -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "total_max_attempts": 3})
    return boto3.client("lightsail", region_name="eu-west-2", config=config, **KEYS)


CONSTANT = json.dumps(
    {
        "operations": [
            {
                "id": "0b7a3c2e-8f4e-4a7e-9d51-6f0f2f6c1a11",
                "resourceName": "snap",
                "resourceType": "RelationalDatabaseSnapshot",
                "createdAt": 1795000000.0,
                "location": {"availabilityZone": "all", "regionName": "eu-west-2"},
                "isTerminal": False,
                "operationDetails": "orders-db",
                "operationType": "CreateRelationalDatabaseSnapshot",
                "status": "Started",
                "statusChangedAt": 1795000000.0,
            },
            {
                "id": "5d0c9a0e-2b1f-4f7e-8a3c-9e8d7c6b5a44",
                "resourceName": "orders-db",
                "resourceType": "RelationalDatabase",
                "createdAt": 1795000000.0,
                "location": {"availabilityZone": "eu-west-2a", "regionName": "eu-west-2"},
                "isTerminal": False,
                "operationDetails": "snap",
                "operationType": "CreateRelationalDatabaseSnapshot",
                "status": "Started",
                "statusChangedAt": 1795000000.0,
            },
        ]
    }
).encode()


def answer_constantly(client: Any, event: str, body: bytes, headers: dict[str, str]) -> None:
    """Make ``client`` answer every call with ``body``, from a no-op ``before-send`` hook:
    botocore's own cost and nothing else."""
    from botocore.awsrequest import AWSResponse

    class Body:
        def stream(self, **kwargs: Any) -> Any:
            yield body

    def answer(request: Any, **kwargs: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, headers, Body())  # type: ignore[arg-type]

    client.meta.events.register(event, answer)


def creating(client: Any, prefix: str) -> Any:
    """A contender: ``n`` snapshot creates with ``client``, each with a new name."""
    names = (f"{prefix}-{n}" for n in itertools.count())

    def run(n: int) -> None:
        for _ in range(n):
            client.create_relational_database_snapshot(
                relationalDatabaseName="orders-db",
                relationalDatabaseSnapshotName=next(names),
                tags=TAGS,
            )

    return run


def floor() -> Any:
    client = lightsail_client()
    headers = {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.1"}
    answer_constantly(client, "before-send.lightsail", CONSTANT, headers)
    return creating(client, "floor")


def stub() -> Any:
    from lightsail_stub import mock_lightsail
    from lightsail_stub.scenarios import fail, throttle, when

    lightsail = mock_lightsail(
        scenarios=[
            when({"relationalDatabaseSnapshotName": re.compile(r"^weekly-")}, throttle()),
            when(lambda call: call.region == "us-east-1", fail("AccessDeniedException")),
        ]
    )
    create = creating(lightsail_client(), "stub")

    def run(n: int) -> None:
        with lightsail:
            create(n)

    return run


def stubber() -> Any:
    from botocore.stub import Stubber

    client = lightsail_client()
    response = json.loads(CONSTANT)
    names = (f"stubber-{n}" for n in itertools.count())

    def run(n: int) -> None:
        with Stubber(client) as stubbed:
            for _ in range(n):
                stubbed.add_response("create_relational_database_snapshot", response)
                client.create_relational_database_snapshot(
                    relationalDatabaseName="orders-db",
                    relationalDatabaseSnapshotName=next(names),
                    tags=TAGS,
                )

    return run


def moto_rds() -> Any:
    import boto3
    from moto import mock_aws

    mock = mock_aws()
    mock.start()
    rds = boto3.client("rds", region_name="eu-west-2", **KEYS)
    rds.create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
    )
    rds_tags = [{"Key": tag["key"], "Value": tag.get("value", "")} for tag in TAGS]
    # One real moto answer, kept for the RDS floor below.
    captured: list[bytes] = []
    rds.meta.events.register(
        "after-call.rds.CreateDBSnapshot",
        lambda http_response, **kwargs: captured.append(http_response.content),
    )
    rds.create_db_snapshot(
        DBInstanceIdentifier="orders-db", DBSnapshotIdentifier="captured", Tags=rds_tags
    )
    MOTO_BODY.extend(captured)
    mock.stop(remove_data=False)
    names = (f"moto-{n}" for n in itertools.count())

    def run(n: int) -> None:
        mock.start(reset=False)
        try:
            for _ in range(n):
                rds.create_db_snapshot(
                    DBInstanceIdentifier="orders-db",
                    DBSnapshotIdentifier=next(names),
                    Tags=rds_tags,
                )
        finally:
            mock.stop(remove_data=False)

    return run


MOTO_BODY: list[bytes] = []


def rds_floor() -> Any:
    """botocore's own cost for RDS ``create_db_snapshot``: a no-op ``before-send`` hook
    returning the very body moto answered, so moto's own work is what moto adds to it."""
    import boto3

    rds = boto3.client("rds", region_name="eu-west-2", **KEYS)
    answer_constantly(rds, "before-send.rds", MOTO_BODY[0], {"Content-Type": "text/xml"})
    names = (f"rds-floor-{n}" for n in itertools.count())
    tags = [{"Key": tag["key"], "Value": tag.get("value", "")} for tag in TAGS]

    def run(n: int) -> None:
        for _ in range(n):
            rds.create_db_snapshot(
                DBInstanceIdentifier="orders-db", DBSnapshotIdentifier=next(names), Tags=tags
            )

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--no-moto", action="store_true", help="skip moto (if not installed)")
    args = parser.parse_args()
    offline_environment()
    contenders = {"floor": floor(), "lightsail-stub": stub(), "Stubber": stubber()}
    if not args.no_moto:
        contenders["moto (RDS)"] = moto_rds()
        contenders["RDS floor"] = rds_floor()
    medians = interleaved(contenders, rounds=args.rounds, per_round=args.per_round)
    print(
        f"create_relational_database_snapshot, {args.rounds} interleaved rounds of "
        f"{args.per_round} calls (median per call)\n"
    )
    print(ratio_table(medians, "floor"))
    added = medians["lightsail-stub"] - medians["floor"]
    print(f"\nlightsail-stub adds {added * 1e6:,.0f} µs per call to botocore's own cost")
    if "moto (RDS)" in medians:
        speedup = medians["moto (RDS)"] / medians["lightsail-stub"]
        moto_added = medians["moto (RDS)"] - medians["RDS floor"]
        print(f"moto adds {moto_added * 1e6:,.0f} µs per call to botocore's own cost (RDS)")
        print(
            f"end to end, lightsail-stub is {speedup:.1f}x faster than moto's RDS "
            f"create_db_snapshot; in cost added to botocore, {moto_added / added:.0f}x"
        )


if __name__ == "__main__":
    main()
