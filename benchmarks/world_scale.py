"""The world at scale: does one page of GetRelationalDatabaseSnapshots cost the same with
100,000 snapshots in the Region as with 100 (also after a retention job deleted the oldest
49%), and how much memory does a snapshot take (seeded, or created through the API)?

    python benchmarks/world_scale.py [--big 100000] [--small 100] [--rounds 300]

Times are ratios measured in this one process, the two sizes interleaved call by call
(this machine is shared and noisy); nothing here is an absolute target. Memory is measured
with tracemalloc while the big account is seeded, and while as many snapshots are created
through the operation function.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import boto3

import lightsail_stub
from lightsail_stub import _operations
from lightsail_stub._world import encode_token

START = datetime(2026, 11, 27, tzinfo=timezone.utc)
REGION = "eu-west-2"


def seeded(count: int) -> lightsail_stub.LightsailStub:
    stub = lightsail_stub.mock_lightsail(seed=1, clock=START)
    for i in range(count):
        stub.add_snapshot(
            f"orders-db-{i:07}",
            region=REGION,
            created_at=START - timedelta(minutes=i),
            tags={"backup": "nightly"},
        )
    return stub


def bytes_per_snapshot(count: int) -> tuple[lightsail_stub.LightsailStub, float]:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    stub = seeded(count)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return stub, (after - before) / count


def bytes_per_created_snapshot(count: int) -> float:
    """Memory per snapshot created through the API (the operation function, as a call
    runs it): the snapshot, its two operations, their index entries, the transitions."""
    stub = lightsail_stub.mock_lightsail(seed=1, clock=START)
    ctx = stub._context(REGION)
    _operations.get_relational_database(ctx, {"relationalDatabaseName": "orders-db"})
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(count):
        _operations.create_relational_database_snapshot(
            ctx,
            {
                "relationalDatabaseName": "orders-db",
                "relationalDatabaseSnapshotName": f"orders-db-{i:07}",
                "tags": [{"key": "backup", "value": "nightly"}],
            },
        )
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / count


def middle_token(count: int) -> str:
    """The token of the page that starts half-way through the Region's snapshots."""
    return encode_token("snapshots", REGION, count // 2)


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def compare(
    small: Callable[[], Any], big: Callable[[], Any], rounds: int
) -> tuple[float, float, float]:
    """Median seconds of one small and one big call, and the ratio big / small;
    interleaved call by call so that noise hits both alike."""
    small_times, big_times = [], []
    for _ in range(rounds):
        small_times.append(timed(small))
        big_times.append(timed(big))
    s, b = statistics.median(small_times), statistics.median(big_times)
    return s, b, b / s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args(argv)

    big_stub, per_snapshot = bytes_per_snapshot(args.big)
    small_stub = seeded(args.small)
    client = boto3.client(
        "lightsail",
        region_name=REGION,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )

    def handler_page(stub: lightsail_stub.LightsailStub, token: str | None) -> Callable[[], Any]:
        ctx = stub._context(REGION)
        params = {} if token is None else {"pageToken": token}
        return lambda: _operations.get_relational_database_snapshots(ctx, params)

    def boto3_page(stub: lightsail_stub.LightsailStub, token: str | None) -> Callable[[], Any]:
        params = {} if token is None else {"pageToken": token}

        def call() -> Any:
            with stub:
                return client.get_relational_database_snapshots(**params)

        return call

    def pruned(count: int) -> lightsail_stub.LightsailStub:
        """``count`` snapshots, then the oldest 49% deleted, as a retention job does (just
        under the half that would compact the table)."""
        stub = seeded(count)
        ctx = stub._context(REGION)
        for i in range(count * 49 // 100):
            _operations.delete_relational_database_snapshot(
                ctx, {"relationalDatabaseSnapshotName": f"orders-db-{i:07}"}
            )
        return stub

    rows = []
    small_pruned, big_pruned = pruned(args.small), pruned(args.big)
    small = handler_page(small_pruned, None)
    big = handler_page(big_pruned, None)
    for _ in range(20):
        small()
        big()
    s, b, ratio = compare(small, big, args.rounds)
    rows.append(("operation only, first page after deleting the oldest 49%", s, b, ratio))
    for label, make in [("operation only", handler_page), ("through boto3", boto3_page)]:
        for where, small_token, big_token in [
            ("first page", None, None),
            ("middle page", middle_token(args.small), middle_token(args.big)),
        ]:
            small = make(small_stub, small_token)
            big = make(big_stub, big_token)
            for _ in range(20):  # warm up both
                small()
                big()
            s, b, ratio = compare(small, big, args.rounds)
            rows.append((f"{label}, {where}", s, b, ratio))

    print(f"python {sys.version.split()[0]}, boto3 {boto3.__version__}")
    print(f"{args.big:,} vs {args.small:,} snapshots in one Region, {args.rounds} rounds each\n")
    head = ("one page of 25", f"{args.small:,} (median)", f"{args.big:,} (median)", "ratio")
    width = max(len(row[0]) for row in rows)
    print(f"{head[0]:<{width}} {head[1]:>16} {head[2]:>18} {head[3]:>7}")
    for name, s, b, ratio in rows:
        print(f"{name:<{width}} {s * 1e6:>13.1f} µs {b * 1e6:>15.1f} µs {ratio:>7.2f}")
    print(f"\nmemory per stored snapshot (tracemalloc, {args.big:,} seeded): {per_snapshot:,.0f} B")
    per_created = bytes_per_created_snapshot(args.big)
    print(
        f"memory per snapshot created through the API (tracemalloc, {args.big:,} created, "
        f"two operations each): {per_created:,.0f} B"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
