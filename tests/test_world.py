"""The world under many threads, and its pagination structure on its own."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lightsail_stub
from lightsail_stub._world import Ids, Table, decode_token, encode_token

from .helpers import client


@pytest.fixture(autouse=True)
def _switch_threads_often() -> Iterator[None]:
    """Make the interpreter switch threads every microsecond instead of every 5 ms, so that
    a missing lock shows up as a lost or duplicated snapshot instead of passing by luck."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_many_threads_creating_and_deleting_leave_exactly_the_expected_account() -> None:
    creators, per_creator, seeded = 12, 40, 120
    with lightsail_stub.mock_lightsail(databases=["orders-db"]) as stub:
        for i in range(seeded):
            stub.add_snapshot(f"seed-{i}", region="eu-west-2", database="orders-db")
        clients = [client("eu-west-2") for _ in range(creators + 4)]
        start = threading.Barrier(creators + 4)

        def create_many(worker: int) -> list[str]:
            c = clients[worker]
            start.wait()
            ids = []
            for n in range(per_creator):
                resp = c.create_relational_database_snapshot(
                    relationalDatabaseName="orders-db",
                    relationalDatabaseSnapshotName=f"t{worker}-n{n}",
                    tags=[{"key": "worker", "value": str(worker)}],
                )
                ids.extend(op["id"] for op in resp["operations"])
            return ids

        def delete_some(worker: int) -> list[str]:
            c = clients[creators + worker]
            start.wait()
            ids = []
            for i in range(worker, seeded, 4):  # each deleter its own quarter of the seeds
                resp = c.delete_relational_database_snapshot(
                    relationalDatabaseSnapshotName=f"seed-{i}"
                )
                ids.extend(op["id"] for op in resp["operations"])
            return ids

        with ThreadPoolExecutor(max_workers=creators + 4) as pool:
            futures = [pool.submit(create_many, w) for w in range(creators)]
            futures += [pool.submit(delete_some, w) for w in range(4)]
            operation_ids = [i for f in futures for i in f.result()]

        listed = [
            s["name"]
            for page in clients[0].get_paginator("get_relational_database_snapshots").paginate()
            for s in page["relationalDatabaseSnapshots"]
        ]
    expected = {f"t{w}-n{n}" for w in range(creators) for n in range(per_creator)}
    assert sorted(listed) == sorted(expected)
    assert len(listed) == len(set(listed))
    assert {s.name for s in stub.snapshots} == expected
    assert len(operation_ids) == 2 * creators * per_creator + seeded
    assert sorted(op.id for op in stub.operations) == sorted(operation_ids)
    assert len(set(operation_ids)) == len(operation_ids)
    # every snapshot kept its own tags
    assert all(s.tags == (("worker", s.name[1:].split("-")[0]),) for s in stub.snapshots)
    # each thread's creates are listed in the order that thread made them
    for w in range(creators):
        mine = [n for n in listed if n.startswith(f"t{w}-")]
        assert mine == [f"t{w}-n{n}" for n in range(per_creator)]


@pytest.mark.parametrize("round_", range(10))
def test_threads_racing_on_one_name_exactly_one_wins(round_: int) -> None:
    racers = 8
    with lightsail_stub.mock_lightsail() as stub:
        clients = [client() for _ in range(racers)]
        start = threading.Barrier(racers)

        def race(i: int) -> str:
            start.wait()
            try:
                clients[i].create_relational_database_snapshot(
                    relationalDatabaseName=f"db-{i}", relationalDatabaseSnapshotName="contested"
                )
            except clients[i].exceptions.InvalidInputException:
                return "lost"
            return "won"

        with ThreadPoolExecutor(max_workers=racers) as pool:
            outcomes = list(pool.map(race, range(racers)))
    assert sorted(outcomes) == ["lost"] * (racers - 1) + ["won"]
    (snapshot,) = stub.snapshots
    winner = outcomes.index("won")
    assert snapshot.from_database_name == f"db-{winner}"
    # the losers changed nothing: no operation and no database of theirs exists
    assert {op.resource_name for op in stub.operations} == {"contested", f"db-{winner}"}
    assert [d.name for d in stub.databases] == [f"db-{winner}"]


def test_threads_racing_to_delete_one_snapshot_exactly_one_wins() -> None:
    racers = 8
    with lightsail_stub.mock_lightsail() as stub:
        stub.add_snapshot("doomed", region="eu-west-2")
        clients = [client() for _ in range(racers)]
        start = threading.Barrier(racers)

        def race(i: int) -> str:
            start.wait()
            try:
                clients[i].delete_relational_database_snapshot(
                    relationalDatabaseSnapshotName="doomed"
                )
            except clients[i].exceptions.NotFoundException:
                return "lost"
            return "won"

        with ThreadPoolExecutor(max_workers=racers) as pool:
            outcomes = list(pool.map(race, range(racers)))
    assert sorted(outcomes) == ["lost"] * (racers - 1) + ["won"]
    assert stub.snapshots == ()
    assert len(stub.operations) == 1


# -- the table under the lists -------------------------------------------------------------


def test_table_pages_skip_deleted_names_and_keep_positions_valid() -> None:
    table: Table[int] = Table()
    for i in range(10):
        table.put(f"n{i}", i)
    names, following = table.page(0, 4)
    assert (names, following) == (["n0", "n1", "n2", "n3"], 4)
    table.remove("n4")
    table.remove("n5")
    assert table.page(4, 4) == (["n6", "n7", "n8", "n9"], None)
    table.put("n4", 40)  # a name stored again goes last
    assert table.page(4, 4) == (["n6", "n7", "n8", "n9"], 10)
    assert table.page(10, 4) == (["n4"], None)
    assert table.get("n4") == 40
    assert len(table) == 9


def test_table_compacts_tombstones_without_losing_order_or_positions() -> None:
    table: Table[int] = Table()
    for i in range(300):
        table.put(f"n{i}", i)
    for i in range(0, 300):
        if i % 3:
            table.remove(f"n{i}")
    assert len(table._order) < 300  # compacted
    names: list[str] = []
    position: int | None = 0
    while position is not None:
        page, position = table.page(position, 7)
        names.extend(page)
    assert names == [f"n{i}" for i in range(0, 300, 3)]
    assert list(table.names()) == names


def test_page_tokens_round_trip_and_reject_what_they_did_not_make() -> None:
    token = encode_token("snapshots", "eu-west-2", 12345)
    assert decode_token(token, "snapshots", "eu-west-2") == 12345
    assert "=" not in token
    for bad in ["", "!!!", encode_token("snapshots", "eu-west-2", 1)[:-2] + "__", "dGVzdA"]:
        with pytest.raises(ValueError, match="not a page token this operation returned"):
            decode_token(bad, "snapshots", "eu-west-2")


def test_add_snapshot_from_many_threads_is_consistent() -> None:
    stub = lightsail_stub.mock_lightsail()
    errors: list[Any] = []

    def add(worker: int) -> None:
        for n in range(200):
            try:
                stub.add_snapshot(f"s{n}", region="eu-west-2")
            except ValueError:
                errors.append((worker, n))

    threads = [threading.Thread(target=add, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stub.snapshots) == 200
    assert len(errors) == 3 * 200


def test_the_scale_benchmark_runs_and_prints_its_table() -> None:
    # Small sizes: this checks that the script works, not how fast anything is.
    script = Path(__file__).parents[1] / "benchmarks" / "world_scale.py"
    done = subprocess.run(
        [sys.executable, str(script), "--big", "300", "--small", "30", "--rounds", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "operation only, middle page" in done.stdout
    assert "memory per stored snapshot" in done.stdout
    assert "first page after deleting the oldest 49%" in done.stdout
    assert "memory per snapshot created through the API" in done.stdout


@given(seed=st.integers(0, 2**64))
def test_ids_are_the_uuid4s_the_standard_library_would_make(seed: int) -> None:
    ids, rng = Ids(seed), random.Random(seed)
    for _ in range(5):
        expected = uuid.UUID(int=rng.getrandbits(128), version=4)
        assert ids.uuid() == str(expected)
        assert uuid.UUID(ids.uuid()).version == 4
        rng.getrandbits(128)


class _CountingDict(dict[int, str]):
    """A ``Table._name_at`` that counts the look-ups a page makes (steps, not time)."""

    lookups = 0

    def get(self, key: int, default: Any = None) -> Any:  # type: ignore[override]
        type(self).lookups += 1
        return super().get(key, default)


def _counted(table: Table[int]) -> type[_CountingDict]:
    counting = type("Counting", (_CountingDict,), {"lookups": 0})
    table._name_at = counting(table._name_at)
    return counting


def test_a_dead_run_at_the_front_is_stepped_over_once() -> None:
    table: Table[int] = Table()
    for i in range(10_000):
        table.put(f"n{i}", i)
    for i in range(4_900):  # a retention job deletes the oldest 49%: no compaction yet
        table.remove(f"n{i}")
    counting = _counted(table)
    assert table.page(0, 25) == ([f"n{i}" for i in range(4_900, 4_925)], 4_925)
    assert counting.lookups == 4_900 + 26  # the dead run once, then the page
    counting.lookups = 0
    for _ in range(3):
        assert table.page(0, 25)[0][0] == "n4900"
    assert counting.lookups == 3 * 26  # not again
    # a token handed out before the deletes stays valid
    assert table.page(17, 2) == (["n4900", "n4901"], 4_902)


def test_a_dead_run_in_the_middle_is_stepped_over_once() -> None:
    table: Table[int] = Table()
    for i in range(1_000):
        table.put(f"n{i}", i)
    for i in range(300, 700):
        table.remove(f"n{i}")
    counting = _counted(table)
    assert table.page(290, 20) == (
        [f"n{i}" for i in range(290, 300)] + [f"n{i}" for i in range(700, 710)],
        710,
    )
    first = counting.lookups
    assert first == 400 + 21
    counting.lookups = 0
    assert table.page(290, 20)[1] == 710
    assert counting.lookups == 21
    assert table.page(500, 3) == (["n700", "n701", "n702"], 703)


@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["put", "remove", "page"]), st.integers(0, 60)),
        max_size=300,
    ),
    size=st.integers(1, 7),
)
def test_table_pages_match_a_plain_list_whatever_was_deleted(
    steps: list[tuple[str, int]], size: int
) -> None:
    table: Table[int] = Table()
    model: list[str] = []  # live names, in the order they were first stored
    for action, n in steps:
        name = f"n{n}"
        if action == "put":
            if name not in model:
                model.append(name)
            table.put(name, n)
        elif action == "remove" and name in model:
            model.remove(name)
            table.remove(name)
        elif action == "page":
            table.page(n, size)  # any position: pages may drop tombstones
        names: list[str] = []
        position: int | None = 0
        while position is not None:
            page, position = table.page(position, size)
            assert len(page) <= size
            names.extend(page)
        assert names == model
        assert list(table.names()) == model
        assert len(table) == len(model)
