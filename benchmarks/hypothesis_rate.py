"""Hypothesis examples per second for a typical property test through the stub.

    python benchmarks/hypothesis_rate.py [--rounds 7] [--examples 200]

The property draws a request from ``lightsail_stub.strategies.create_snapshot_requests()``
(names and tags that obey every documented rule, the ends of each range often) and calls
``create_relational_database_snapshot(**request)`` with a real boto3 client:

* through lightsail-stub, a fresh ``with mock_lightsail():`` per example (the pattern for
  ``@given`` tests, which can't use function-scoped fixtures);
* against botocore's floor (a no-op ``before-send`` hook returning a constant body), the
  same property otherwise;
* drawing only: the same strategy, no call (what Hypothesis itself costs).

All three run as whole Hypothesis runs of the same number of examples, interleaved.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleaved, ratio_table, table
from call_cost import CONSTANT, answer_constantly, lightsail_client, offline_environment


def properties(examples: int) -> dict[str, object]:
    from hypothesis import HealthCheck, given, settings

    from lightsail_stub import mock_lightsail
    from lightsail_stub.strategies import create_snapshot_requests

    requests = create_snapshot_requests()
    config = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    stubbed, floored = lightsail_client(), lightsail_client()

    answer_constantly(floored, "before-send.lightsail", CONSTANT, {})

    def call(client: object, request: dict[str, object]) -> None:
        # Every drawn request is valid: any error is a bug, so none is suppressed.
        client.create_relational_database_snapshot(**request)  # type: ignore[attr-defined]

    @config
    @given(request=requests)
    def through_stub(request: dict[str, object]) -> None:
        with mock_lightsail():
            call(stubbed, request)

    @config
    @given(request=requests)
    def against_floor(request: dict[str, object]) -> None:
        call(floored, request)

    @config
    @given(request=requests)
    def drawing_only(request: dict[str, object]) -> None:
        pass

    return {
        "drawing only": lambda n: [drawing_only() for _ in range(n)],
        "floor": lambda n: [against_floor() for _ in range(n)],
        "lightsail-stub": lambda n: [through_stub() for _ in range(n)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--examples", type=int, default=200)
    args = parser.parse_args()
    offline_environment()
    medians = interleaved(properties(args.examples), rounds=args.rounds, per_round=1)
    print(
        f"Hypothesis runs of {args.examples} examples, {args.rounds} interleaved rounds "
        "(median run)\n"
    )
    print(ratio_table(medians, "floor", unit="per run"))
    rows = [("property", "examples per second")]
    rows += [(name, f"{args.examples / value:,.0f}") for name, value in medians.items()]
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
