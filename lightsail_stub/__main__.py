"""``python -m lightsail_stub demo``: see the stub at work on a real botocore client.
``python -m lightsail_stub serve``: the stub as a local HTTP endpoint (docs/server.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

from ._defaults import DEFAULT_MAX_BODY, DEFAULT_REGION, DEFAULT_TIMEOUT
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
    serve = commands.add_parser(
        "serve",
        help="serve the stub over HTTP for the AWS CLI and other SDKs (--endpoint-url)",
        description="Print the URL, then serve Lightsail's JSON protocol (and the control API "
        "under /_stub/) until SIGINT or SIGTERM. See docs/server.md.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (loopback)")
    serve.add_argument("--port", type=int, default=0, help="default: 0, a free port")
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host that is not loopback (prints a warning)",
    )
    serve.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help=f"Region of unsigned requests (default: {DEFAULT_REGION})",
    )
    serve.add_argument("--seed", type=int, default=None, help="reproducible ids")
    serve.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME",
        help="a registered scenario (e.g. throttled, flaky); repeat for several",
    )
    serve.add_argument(
        "--database",
        action="append",
        default=None,
        metavar="NAME",
        help="declare a database (in every Region); repeat for several. Default: any "
        "well-formed name exists",
    )
    serve.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds a connection may stay silent (default: {DEFAULT_TIMEOUT:g})",
    )
    serve.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        help=f"largest request body, in bytes (default: {DEFAULT_MAX_BODY})",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log each request on stderr")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "serve":
        from .server import serve as run_server  # http.server only when serving

        return run_server(
            host=args.host,
            port=args.port,
            region=args.region,
            seed=args.seed,
            scenarios=args.scenario,
            databases=args.database,
            allow_remote=args.allow_remote,
            timeout=args.timeout,
            max_body=args.max_body,
            quiet=args.quiet,
        )
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover (argparse exits first)
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
