"""Ids under a seed: resource ids don't depend on reads, request ids are reproducible,
support codes share one prefix, reset() starts again."""

from __future__ import annotations

import re

import lightsail_stub

from .helpers import client, create

# -- N1, N5, T6: ids -----------------------------------------------------------------------


def _arns_after(reads: int) -> list[str]:
    with lightsail_stub.mock_lightsail(seed=7) as stub:
        c = client()
        create(c, "orders-db", "snap-1")
        for _ in range(reads):
            c.get_relational_database_snapshots()
        create(c, "orders-db", "snap-2")
        return [s.arn for s in stub.snapshots] + [o.id for o in stub.operations]


def test_seeded_arns_do_not_depend_on_the_reads_in_between() -> None:
    assert _arns_after(0) == _arns_after(3)


def test_request_ids_are_reproducible_under_a_seed() -> None:
    def request_ids() -> list[str]:
        with lightsail_stub.mock_lightsail(seed=7):
            c = client()
            return [c.get_operations()["ResponseMetadata"]["RequestId"] for _ in range(3)]

    first = request_ids()
    assert first == request_ids()
    assert len(set(first)) == 3


def test_every_support_code_of_a_stub_has_one_12_digit_prefix() -> None:
    with lightsail_stub.mock_lightsail(seed=3) as stub:
        c = client()
        for i in range(5):
            create(c, f"db-{i}", f"snap-{i}")
    codes = [s.support_code for s in stub.snapshots] + [d.support_code for d in stub.databases]
    assert all(re.fullmatch(r"\d{12}/ls-[0-9a-f]{40}", code) for code in codes)
    assert len({code.partition("/")[0] for code in codes}) == 1
    assert len(set(codes)) == 10
    other = lightsail_stub.mock_lightsail(seed=3)
    assert other.add_snapshot("xx", region="eu-west-2").support_code[:12] == codes[0][:12]


def test_reset_starts_ids_again_from_the_seed() -> None:
    stub = lightsail_stub.mock_lightsail(seed=11)

    def run() -> list[str]:
        with stub:
            c = client()
            create(c, "orders-db", "snap-1")
            c.get_relational_database_snapshots()
            stub.add_snapshot("seeded", region="eu-west-2")
        return (
            [s.arn for s in stub.snapshots]
            + [d.arn for d in stub.databases]
            + [o.id for o in stub.operations]
            + [call.request_id for call in stub.calls]
        )

    first = run()
    stub.reset()
    assert run() == first
