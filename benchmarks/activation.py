"""What a test pays to have a stub: set-up plus teardown of ``mock_lightsail()`` and of the
``lightsail_mock`` pytest fixture.

    python benchmarks/activation.py [--rounds 15] [--per-round 2000] [--tests 300]

* context manager: ``with mock_lightsail(): pass`` against ``with nullcontext(): pass``;
* pytest fixture: a pytest session of N empty tests that ask for ``lightsail_mock`` against
  the same session of N empty tests that don't, run in this process, interleaved; the
  difference divided by N is the fixture's cost per test.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleaved, ratio_table, table

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


def context_managers() -> dict[str, object]:
    from lightsail_stub import mock_lightsail

    def empty(n: int) -> None:
        for _ in range(n):
            with contextlib.nullcontext():
                pass

    def stub(n: int) -> None:
        for _ in range(n):
            with mock_lightsail():
                pass

    def stub_with_scenarios(n: int) -> None:
        for _ in range(n):
            with mock_lightsail(scenarios=["throttled"], seed=1):
                pass

    return {
        "nullcontext()": empty,
        "mock_lightsail()": stub,
        "mock_lightsail(scenarios=['throttled'], seed=1)": stub_with_scenarios,
    }


TESTS = """
import pytest

@pytest.mark.parametrize("n", range({count}))
def test_plain(n):
    pass
"""

FIXTURE_TESTS = """
import pytest

@pytest.mark.parametrize("n", range({count}))
def test_stubbed(n, lightsail_mock):
    pass
"""


def pytest_sessions(count: int) -> dict[str, object]:
    import pytest

    folder = Path(tempfile.mkdtemp(prefix="lightsail-stub-bench-"))
    plain = folder / "test_plain.py"
    stubbed = folder / "test_stubbed.py"
    plain.write_text(TESTS.format(count=count))
    stubbed.write_text(FIXTURE_TESTS.format(count=count))
    args = ["-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist", "--rootdir"]

    def session(path: Path) -> object:
        def run(n: int) -> None:
            for _ in range(n):
                with contextlib.redirect_stdout(io.StringIO()):
                    code = pytest.main([*args, str(folder), str(path)])
                if code != 0:
                    raise SystemExit(f"the benchmark's own pytest session failed: {code}")

        return run

    return {
        "tests without the fixture": session(plain),
        "tests with lightsail_mock": session(stubbed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=2000)
    parser.add_argument("--tests", type=int, default=300)
    args = parser.parse_args()

    medians = interleaved(context_managers(), rounds=args.rounds, per_round=args.per_round)
    print(f"set-up + teardown, {args.rounds} interleaved rounds of {args.per_round}\n")
    print(ratio_table(medians, "nullcontext()"))
    added = medians["mock_lightsail()"] - medians["nullcontext()"]
    print(f"\nmock_lightsail() costs {added * 1e6:,.1f} µs per activation")

    sessions = interleaved(
        pytest_sessions(args.tests), rounds=max(3, args.rounds // 3), per_round=1
    )
    per_test = {name: value / args.tests for name, value in sessions.items()}
    fixture = per_test["tests with lightsail_mock"] - per_test["tests without the fixture"]
    print(f"\npytest sessions of {args.tests} empty tests (median of the sessions)\n")
    rows = [("session", "per test")]
    rows += [(name, f"{value * 1e6:,.0f} µs") for name, value in per_test.items()]
    print(table(rows))
    print(f"\nthe lightsail_mock fixture costs {fixture * 1e6:,.0f} µs per test")


if __name__ == "__main__":
    main()
