"""Ids under a seed: resource ids don't depend on reads, request ids are reproducible,
support codes share one prefix, reset() starts again."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable

import pytest

import lightsail_stub
from lightsail_stub._world import Ids

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


def _drawn_by_threads(draw: Callable[[Ids], str], threads: int = 8, each: int = 400) -> list[str]:
    """What ``threads`` threads get calling ``draw`` ``each`` times on one seeded Ids, the
    interpreter switching between them every microsecond."""
    shared = Ids(11)
    outs: list[list[str]] = [[] for _ in range(threads)]

    def work(out: list[str]) -> None:
        out.extend(draw(shared) for _ in range(each))

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        workers = [threading.Thread(target=work, args=(out,)) for out in outs]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(before)
    return [value for out in outs for value in out]


@pytest.mark.parametrize(
    "draw", [Ids.uuid, Ids.support_code, Ids.request_id], ids=lambda f: f.__name__
)
def test_ids_drawn_by_threads_at_once_are_the_seeded_draws_whole(
    draw: Callable[[Ids], str],
) -> None:
    """Ids takes no lock (each draw is one call into C): threads racing on one generator
    get, between them, exactly the ids one thread drawing as often gets (a torn or
    repeated draw would show as an id that is not among them)."""
    got = _drawn_by_threads(draw)
    alone = Ids(11)
    assert sorted(got) == sorted(draw(alone) for _ in range(len(got)))


def test_a_seed_too_long_to_print_is_refused_by_name() -> None:
    """Ids are derived from the seed's digits: an int over Python's int-to-str limit is
    refused, naming the seed, when the stub is made (not at its first call)."""
    with pytest.raises(ValueError, match=r"^seed ") as info:
        lightsail_stub.mock_lightsail(seed=10**5000)
    assert str(info.value).startswith("seed <an int of about 5001 digits> is too long: ids are")
    # A long seed that Python can print is taken, and reproducible.
    arns = [
        lightsail_stub.mock_lightsail(seed=10**4000 + 1)
        .add_snapshot("snap-1", region="eu-west-2")
        .arn
        for _ in range(2)
    ]
    assert arns[0] == arns[1]
