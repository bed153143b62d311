"""Instructions per ``create_relational_database_snapshot``: lightsail-stub against botocore's
floor, counted by valgrind's callgrind (a count, not a time: the same for the same code and
inputs, whatever else the machine is doing).

    python benchmarks/call_instructions.py [--calls 200]
    python benchmarks/call_instructions.py --dry-run     # no valgrind: check it runs

A complement to ``call_cost.py``, whose timed ratios move with this shared machine's load.
Each contender (the same ones as ``call_cost.py``) runs in its own interpreter under
callgrind twice, with ``PYTHONHASHSEED=0``: warm-up calls only, then the same plus
``--calls`` calls; the difference divided by ``--calls`` is what one call costs. Start-up,
imports and the first calls (loading botocore's model) cancel out.

An instruction is not a unit of time: lightsail-stub's Python runs fewer instructions per
microsecond than botocore's own code here (see docs/performance.md), so its timed ratio is
somewhat higher than this one.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import table

WARMUP = 30
CONTENDERS = ("floor", "lightsail-stub")


def child(contender: str, calls: int) -> None:
    """Runs in the measured interpreter: ``WARMUP`` calls, then ``calls`` more."""
    import call_cost

    call_cost.offline_environment()
    run = call_cost.floor() if contender == "floor" else call_cost.stub()
    run(WARMUP)
    run(calls)


def counted(valgrind: str, contender: str, calls: int) -> int:
    done = subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            contender,
            str(calls),
        ],
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--dry-run", action="store_true", help="run each contender, no count")
    parser.add_argument("--child", nargs=2, metavar=("CONTENDER", "CALLS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    valgrind = shutil.which("valgrind")
    if args.dry_run or valgrind is None:
        for contender in CONTENDERS:
            subprocess.run(
                [sys.executable, __file__, "--child", contender, str(args.calls)], check=True
            )
        why = "--dry-run" if args.dry_run else "valgrind is not installed"
        print(f"instructions per call: not counted ({why}); every contender ran")
        return
    per_call = {
        contender: (counted(valgrind, contender, args.calls) - counted(valgrind, contender, 0))
        / args.calls
        for contender in CONTENDERS
    }
    floor = per_call["floor"]
    rows: list[tuple[str, ...]] = [("contender", "instructions per call", "ratio to floor")]
    rows += [(name, f"{count:,.0f}", f"{count / floor:.3f}x") for name, count in per_call.items()]
    print(f"create_relational_database_snapshot, {args.calls} calls after {WARMUP} warm-up\n")
    print(table(rows))
    added = per_call["lightsail-stub"] - floor
    print(f"\nlightsail-stub adds {added:,.0f} instructions per call to botocore's own")


if __name__ == "__main__":
    main()
