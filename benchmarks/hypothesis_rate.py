"""Hypothesis examples per second for a typical property test through the stub.

    python benchmarks/hypothesis_rate.py [--rounds 7] [--examples 200]

The property draws a snapshot name and tags, and calls
``create_relational_database_snapshot`` with a real boto3 client:

* through lightsail-stub, a fresh ``with mock_lightsail():`` per example (the pattern for
  ``@given`` tests, which can't use function-scoped fixtures);
* against botocore's floor (a no-op ``before-send`` hook returning a constant body), the
  same property otherwise.

Both run as whole Hypothesis runs of the same number of examples, interleaved.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleaved, ratio_table, table
from call_cost import CONSTANT, answer_constantly, lightsail_client, offline_environment


def properties(examples: int) -> dict[str, object]:
    from botocore.exceptions import ClientError
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from lightsail_stub import mock_lightsail

    names = st.from_regex(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True)
    tags = st.lists(
        st.fixed_dictionaries({"key": st.sampled_from(["job", "team", "env"])}), max_size=3
    )
    config = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    stubbed, floored = lightsail_client(), lightsail_client()

    answer_constantly(floored, "before-send.lightsail", CONSTANT, {})

    def call(client: object, name: str, tag_list: list[dict[str, str]]) -> None:
        # Duplicate tag keys get InvalidInputException from the stub: part of the property.
        with contextlib.suppress(ClientError):
            client.create_relational_database_snapshot(  # type: ignore[attr-defined]
                relationalDatabaseName="orders-db",
                relationalDatabaseSnapshotName=name,
                tags=tag_list,
            )

    @config
    @given(name=names, tag_list=tags)
    def through_stub(name: str, tag_list: list[dict[str, str]]) -> None:
        with mock_lightsail():
            call(stubbed, name, tag_list)

    @config
    @given(name=names, tag_list=tags)
    def against_floor(name: str, tag_list: list[dict[str, str]]) -> None:
        call(floored, name, tag_list)

    return {
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
