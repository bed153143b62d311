"""Per-call cost of server mode: the same boto3 call through ``ThreadedServer`` (a real
HTTP round trip on loopback) against the botocore hook.

    python benchmarks/server_cost.py [--rounds 15] [--per-round 200]

* hook: ``create_relational_database_snapshot`` answered at ``before-send`` by an active
  ``mock_lightsail()`` (the stub is started for each round, so that the server's client,
  timed in between, is not answered by the hook).
* server: the same call from a boto3 client with ``endpoint_url`` pointed at a
  ``ThreadedServer`` in the same process: serialization, signing, a kept-alive loopback
  connection, the server's framing, the same dispatch, and botocore's parser.
* server, 4 threads: four clients calling at once (the figure is per call, so it shows what
  concurrency buys against the one lock on the world).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleaved, ratio_table
from call_cost import KEYS, offline_environment


def client(**options: Any) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "total_max_attempts": 3})
    return boto3.client("lightsail", region_name="eu-west-2", config=config, **KEYS, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=200)
    args = parser.parse_args()
    offline_environment()

    from lightsail_stub import mock_lightsail
    from lightsail_stub.server import ThreadedServer

    names = (f"snap-{n}" for n in itertools.count())
    stub = mock_lightsail()
    hooked = client()

    def hook(n: int) -> None:
        with stub:
            for _ in range(n):
                hooked.create_relational_database_snapshot(
                    relationalDatabaseName="orders-db", relationalDatabaseSnapshotName=next(names)
                )

    with ThreadedServer(assert_all_handled=False) as server:
        over_http = client(endpoint_url=server.url)
        pool = [client(endpoint_url=server.url) for _ in range(4)]
        lock = threading.Lock()

        def name() -> str:
            with lock:
                return next(names)

        def served(n: int) -> None:
            for _ in range(n):
                over_http.create_relational_database_snapshot(
                    relationalDatabaseName="orders-db", relationalDatabaseSnapshotName=name()
                )

        def served_by_threads(n: int) -> None:
            def work(c: Any, count: int) -> None:
                for _ in range(count):
                    c.create_relational_database_snapshot(
                        relationalDatabaseName="orders-db", relationalDatabaseSnapshotName=name()
                    )

            threads = [threading.Thread(target=work, args=(c, n // 4)) for c in pool]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        medians = interleaved(
            {"hook": hook, "server": served, "server, 4 threads": served_by_threads},
            rounds=args.rounds,
            per_round=args.per_round,
        )
    print(
        f"create_relational_database_snapshot, {args.rounds} interleaved rounds of "
        f"{args.per_round} calls (median per call)\n"
    )
    print(ratio_table(medians, "hook"))
    added = medians["server"] - medians["hook"]
    print(f"\nthe HTTP round trip adds {added * 1e6:,.0f} µs per call to the hook's cost")


if __name__ == "__main__":
    main()
