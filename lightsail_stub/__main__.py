"""``python -m lightsail_stub demo``: see the stub at work on a real botocore client."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

from ._stub import mock_lightsail


def _client(region: str) -> Any:
    """A real Lightsail client: boto3's when boto3 is installed, else botocore's (boto3's
    clients are botocore's, so the stub sees the same thing)."""
    try:
        import boto3
    except ImportError:
        return botocore.session.get_session().create_client("lightsail", region_name=region)
    return boto3.client("lightsail", region_name=region)


def demo() -> int:
    """Drive a real Lightsail client through the stub: a success, a rule violation and a
    missing database; print the call log."""
    with mock_lightsail(seed=2026, databases=["orders-db"]) as stub:
        client = _client("eu-west-2")
        response = client.create_relational_database_snapshot(
            relationalDatabaseName="orders-db",
            relationalDatabaseSnapshotName="orders-db-nightly-1",
            tags=[{"key": "backup", "value": "nightly"}],
        )
        for operation in response["operations"]:
            print(
                f"created: {operation['resourceType']} {operation['resourceName']} "
                f"-> {operation['status']} in {operation['location']['availabilityZone']}"
            )
        for database, snapshot in [("orders-db", "-bad-name"), ("no-such-db", "no-such-db-1")]:
            try:
                client.create_relational_database_snapshot(
                    relationalDatabaseName=database, relationalDatabaseSnapshotName=snapshot
                )
            except ClientError as error:
                problem = error.response["Error"]
                print(f"refused: {problem['Code']}: {problem['Message']}")
        print()
        print(stub.format_calls())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lightsail_stub")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="drive a real botocore client through the stub; print the log")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover (argparse exits first)
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
