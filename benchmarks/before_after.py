"""Per-call cost of ``create_relational_database_snapshot`` through lightsail-stub as it is
now and as it was at an earlier commit, interleaved in one process against botocore's floor.

    python benchmarks/before_after.py --rev f7f7066 [--rounds 21] [--per-round 100]

The package of ``--rev`` is taken with ``git archive`` into a temporary folder, as
``lightsail_stub_before`` (its imports are all relative; the ids its hook registers with
botocore are renamed, since botocore keeps only the first handler of a unique id), and
imported beside the working tree's ``lightsail_stub``. Each answers only while one of its
own stubs is active, so the contenders don't see each other; connecting anywhere is refused,
so a call neither answers fails instead of leaving the machine. The request, the scenarios
and the client configuration are those of ``call_cost.py``.
"""

from __future__ import annotations

import argparse
import io
import re
import socket
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from _harness import interleaved, ratio_table
from call_cost import creating, floor, lightsail_client, offline_environment

HERE = Path(__file__).parent


def package_at(rev: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", "--format=tar", rev, "lightsail_stub"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        try:
            tar.extractall(into, filter="data")
        except TypeError:  # no extraction filters before 3.10.12 / 3.11.4; it's our own tree
            tar.extractall(into)
    package = into / "lightsail_stub"
    hook = package / "_hook.py"
    hook.write_text(
        hook.read_text()
        .replace('"lightsail-stub.', '"lightsail-stub-before.')
        .replace('"_lightsail_stub_answered"', '"_lightsail_stub_before_answered"')
    )
    package.rename(into / "lightsail_stub_before")


def refuse(self: socket.socket, address: object) -> None:
    raise ConnectionRefusedError(f"before_after.py connects nowhere (asked for {address!r})")


def stub(package: Any, prefix: str) -> Any:
    scenarios = package.scenarios
    lightsail = package.mock_lightsail(
        scenarios=[
            scenarios.when(
                {"relationalDatabaseSnapshotName": re.compile(r"^weekly-")}, scenarios.throttle()
            ),
            scenarios.when(
                lambda call: call.region == "us-east-1", scenarios.fail("AccessDeniedException")
            ),
        ]
    )
    create = creating(lightsail_client(), prefix)

    def run(n: int) -> None:
        with lightsail:
            create(n)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", required=True, help="the earlier commit, e.g. f7f7066")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--per-round", type=int, default=100)
    args = parser.parse_args()
    offline_environment()
    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    with tempfile.TemporaryDirectory() as folder:
        package_at(args.rev, Path(folder))
        sys.path.insert(0, folder)
        import lightsail_stub_before  # type: ignore[import-not-found]

        import lightsail_stub

        contenders = {
            "floor": floor(),
            f"lightsail-stub at {args.rev}": stub(lightsail_stub_before, "before"),
            "lightsail-stub now": stub(lightsail_stub, "now"),
        }
        medians = interleaved(contenders, rounds=args.rounds, per_round=args.per_round)
    print(
        f"create_relational_database_snapshot, {args.rounds} interleaved rounds of "
        f"{args.per_round} calls (median per call)\n"
    )
    print(ratio_table(medians, "floor"))
    before, now = medians[f"lightsail-stub at {args.rev}"], medians["lightsail-stub now"]
    added_before, added_now = before - medians["floor"], now - medians["floor"]
    print(
        f"\nadded to botocore's own cost: {added_before * 1e6:,.0f} µs at {args.rev}, "
        f"{added_now * 1e6:,.0f} µs now ({added_now / added_before:.2f} of it)"
    )


if __name__ == "__main__":
    main()
