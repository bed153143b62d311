"""Run every benchmark, one after the other, and print their tables.

    python benchmarks/run.py            # the figures docs/performance.md reports
    python benchmarks/run.py --quick    # fewer rounds: a smoke run

Every figure is a ratio measured in one process, interleaved against its baseline; read
docs/performance.md for what each one measures and the last recorded results.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

FULL: list[list[str]] = [
    ["call_cost.py"],
    ["call_instructions.py"],
    ["activation.py"],
    ["import_cost.py"],
    ["hypothesis_rate.py"],
    ["world_scale.py"],
    ["server_cost.py"],
]
QUICK: list[list[str]] = [
    ["call_cost.py", "--rounds", "3", "--per-round", "20"],
    ["call_instructions.py", "--calls", "5", "--dry-run"],
    ["activation.py", "--rounds", "3", "--per-round", "100", "--tests", "20"],
    ["import_cost.py", "--rounds", "1"],
    ["hypothesis_rate.py", "--rounds", "2", "--examples", "20"],
    ["world_scale.py", "--big", "1000", "--small", "100", "--rounds", "10"],
    ["server_cost.py", "--rounds", "2", "--per-round", "20"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: check they run")
    args = parser.parse_args()
    moto = importlib.util.find_spec("moto") is not None
    for script, *options in QUICK if args.quick else FULL:
        if script == "call_cost.py" and not moto:
            options.append("--no-moto")  # moto is in the dev extra only
        print(f"\n=== {script} {' '.join(options)}".rstrip(), flush=True)
        subprocess.run([sys.executable, str(HERE / script), *options], check=True)


if __name__ == "__main__":
    main()
