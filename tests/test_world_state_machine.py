"""Hypothesis stateful test: random sequences of create / get / list / delete / tag / untag
(and the clock moving) through a real boto3 client, compared with a plain model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import lightsail_stub

from .helpers import assert_valid_output, client

START = datetime(2026, 11, 27, tzinfo=timezone.utc)
DURATION = 10
NAMES = st.sampled_from(["snap-a", "snap-b", "snap-c", "snap-d", "snap-e"])
KEYS = st.sampled_from(["env", "team", "backup"])
TAGS = st.dictionaries(KEYS, st.none() | st.sampled_from(["prod", "dev", ""]), max_size=3)


@dataclass
class ModelSnapshot:
    tags: dict[str, str | None]
    ready_at: datetime


@dataclass
class Model:
    """What the account should hold: insertion-ordered snapshots, the clock, and until when
    the one database is busy."""

    now: datetime = START
    snapshots: dict[str, ModelSnapshot] = field(default_factory=dict)
    database_busy_until: datetime = START

    def state(self, name: str) -> str:
        return "available" if self.now >= self.snapshots[name].ready_at else "creating"


def wire_tags(tags: dict[str, str | None]) -> list[dict[str, str]]:
    return [{"key": k} if v is None else {"key": k, "value": v} for k, v in tags.items()]


def tag_dict(tags: list[dict[str, str]]) -> dict[str, str | None]:
    return {t["key"]: t.get("value") for t in tags}


class WorldMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.stub = lightsail_stub.mock_lightsail(
            clock=START, create_duration=DURATION, databases=["orders-db"]
        )
        self.stub.start()
        self.client = client("eu-west-2")
        self.model = Model()
        self.bulk = 0

    @initialize()
    def nothing_yet(self) -> None:
        assert self.stub.snapshots == ()

    def teardown(self) -> None:
        self.stub.stop()

    def call(self, method: str, **params: Any) -> tuple[str | None, dict[str, Any]]:
        """(error code or None, response); every success is schema-checked."""
        try:
            response = getattr(self.client, method)(**params)
        except self.client.exceptions.ClientError as error:
            return error.response["Error"]["Code"], error.response
        call = self.stub.calls[-1]
        assert_valid_output(call.operation, response, call.response)
        return None, response

    @rule(name=NAMES, tags=TAGS)
    def create(self, name: str, tags: dict[str, str | None]) -> None:
        code, _ = self.call(
            "create_relational_database_snapshot",
            relationalDatabaseName="orders-db",
            relationalDatabaseSnapshotName=name,
            tags=wire_tags(tags),
        )
        m = self.model
        if name in m.snapshots or m.now < m.database_busy_until:
            assert code == "InvalidInputException"
            return
        assert code is None
        ready = m.now + timedelta(seconds=DURATION)
        m.snapshots[name] = ModelSnapshot(dict(tags), ready)
        m.database_busy_until = ready

    @rule(count=st.integers(1, 40))
    def seed_many(self, count: int) -> None:
        for _ in range(count):
            self.bulk += 1
            name = f"bulk-{self.bulk}"
            self.stub.add_snapshot(name, region="eu-west-2", tags={"backup": "bulk"})
            self.model.snapshots[name] = ModelSnapshot({"backup": "bulk"}, self.model.now)

    @rule(name=NAMES)
    def get(self, name: str) -> None:
        code, response = self.call(
            "get_relational_database_snapshot", relationalDatabaseSnapshotName=name
        )
        if name not in self.model.snapshots:
            assert code == "NotFoundException"
            return
        assert code is None
        snapshot = response["relationalDatabaseSnapshot"]
        assert snapshot["state"] == self.model.state(name)
        assert tag_dict(snapshot["tags"]) == self.model.snapshots[name].tags

    @rule(name=NAMES)
    def delete(self, name: str) -> None:
        code, response = self.call(
            "delete_relational_database_snapshot", relationalDatabaseSnapshotName=name
        )
        if name not in self.model.snapshots:
            assert code == "NotFoundException"
        elif self.model.state(name) == "creating":
            assert code == "InvalidInputException"
        else:
            assert code is None
            assert response["operations"][0]["status"] == "Succeeded"
            del self.model.snapshots[name]

    @rule(name=NAMES, tags=TAGS.filter(bool))
    def tag(self, name: str, tags: dict[str, str | None]) -> None:
        code, _ = self.call("tag_resource", resourceName=name, tags=wire_tags(tags))
        if name not in self.model.snapshots:
            assert code == "NotFoundException"
            return
        assert code is None
        self.model.snapshots[name].tags.update(tags)

    @rule(name=NAMES, keys=st.lists(KEYS, min_size=1, max_size=3))
    def untag(self, name: str, keys: list[str]) -> None:
        code, _ = self.call("untag_resource", resourceName=name, tagKeys=keys)
        if name not in self.model.snapshots:
            assert code == "NotFoundException"
            return
        assert code is None
        for key in keys:
            self.model.snapshots[name].tags.pop(key, None)

    @rule(seconds=st.sampled_from([0, 1, 5, 9, 10, 30]))
    def advance(self, seconds: int) -> None:
        self.stub.advance(seconds)
        self.model.now += timedelta(seconds=seconds)

    @rule()
    def list_all(self) -> None:
        names, states = [], []
        pages = self.client.get_paginator("get_relational_database_snapshots").paginate()
        for page in pages:
            assert len(page["relationalDatabaseSnapshots"]) <= 25
            for snapshot in page["relationalDatabaseSnapshots"]:
                names.append(snapshot["name"])
                states.append(snapshot["state"])
                assert tag_dict(snapshot["tags"]) == self.model.snapshots[snapshot["name"]].tags
        assert names == list(self.model.snapshots)
        assert states == [self.model.state(n) for n in names]

    @invariant()
    def stored_records_match(self) -> None:
        stored = self.stub.snapshots
        assert [s.name for s in stored] == list(self.model.snapshots)
        assert [s.state for s in stored] == [self.model.state(s.name) for s in stored]


WorldMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_world_matches_the_model = WorldMachine.TestCase
