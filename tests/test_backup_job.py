"""End to end: a realistic nightly backup-and-rotation job, written with boto3 only, run
against the stub. Its sleep function is injected, and moves the stub's clock instead of
sleeping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import lightsail_stub
from lightsail_stub.scenarios import fail_later

from .helpers import client

FROZEN = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
TAG = {"key": "backup", "value": "nightly"}


class BackupFailed(Exception):
    pass


@dataclass
class Report:
    created: str
    polls: int = 0
    pages: int = 0
    deleted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def nightly_backup(
    lightsail: Any,
    database: str,
    *,
    now: Callable[[], datetime],
    sleep: Callable[[float], None],
    retention_days: int = 30,
    poll_every: float = 30,
    timeout: float = 3600,
) -> Report:
    """Snapshot ``database``, wait until it is available, then delete the nightly snapshots
    older than the retention (never a manual one, never one still being created or in
    error). Written as people write it against the real service."""
    name = f"{database}-{now():%Y-%m-%d-%H%M}"
    created = lightsail.create_relational_database_snapshot(
        relationalDatabaseName=database, relationalDatabaseSnapshotName=name, tags=[TAG]
    )
    report = Report(created=name)
    operation_id = created["operations"][0]["id"]
    waited = 0.0
    while True:
        operation = lightsail.get_operation(operationId=operation_id)["operation"]
        report.polls += 1
        if operation["status"] == "Succeeded":
            break
        if operation["status"] == "Failed":
            raise BackupFailed(f"{operation.get('errorCode')}: {operation.get('errorDetails')}")
        if waited >= timeout:
            raise TimeoutError(f"{name} still {operation['status']} after {timeout}s")
        sleep(poll_every)
        waited += poll_every
    snapshot = lightsail.get_relational_database_snapshot(relationalDatabaseSnapshotName=name)
    if snapshot["relationalDatabaseSnapshot"]["state"] != "available":
        raise BackupFailed(f"{name} is {snapshot['relationalDatabaseSnapshot']['state']}")

    cutoff = now() - timedelta(days=retention_days)
    for page in lightsail.get_paginator("get_relational_database_snapshots").paginate():
        report.pages += 1
        for item in page["relationalDatabaseSnapshots"]:
            tags = {t["key"]: t.get("value") for t in item.get("tags", [])}
            if tags.get("backup") != "nightly" or item["createdAt"] >= cutoff:
                continue
            if item["state"] != "available":
                report.skipped.append(item["name"])
                continue
            # deleting while paging: the next page token must stay valid
            lightsail.delete_relational_database_snapshot(
                relationalDatabaseSnapshotName=item["name"]
            )
            report.deleted.append(item["name"])
    return report


def seed(stub: lightsail_stub.LightsailStub) -> dict[str, list[str]]:
    """60 snapshots around the one the job will create: what rotation must do with each."""
    groups: dict[str, list[str]] = {"expired": [], "recent": [], "manual": [], "unfinished": []}
    for day in range(1, 51):
        age = FROZEN - timedelta(days=day)
        name = f"orders-db-{age:%Y-%m-%d}"
        if day in (40, 45):  # old, tagged, but not available: skipped
            stub.add_snapshot(
                name, region="eu-west-2", created_at=age, tags={"backup": "nightly"},
                state="error" if day == 40 else "creating",
            )  # fmt: skip
            groups["unfinished"].append(name)
            continue
        stub.add_snapshot(name, region="eu-west-2", created_at=age, tags={"backup": "nightly"})
        groups["expired" if day >= 30 else "recent"].append(name)
    for i in range(10):
        age = FROZEN - timedelta(days=100 + i)
        name = f"before-migration-{i}"
        stub.add_snapshot(name, region="eu-west-2", created_at=age, tags={"owner": "alice"})
        groups["manual"].append(name)
    return groups


def sleeper(stub: lightsail_stub.LightsailStub, slept: list[float]) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        slept.append(seconds)
        stub.advance(seconds)

    return sleep


def test_the_nightly_job_creates_polls_pages_and_deletes_only_expired_tagged_snapshots() -> None:
    slept: list[float] = []
    with lightsail_stub.mock_lightsail(
        clock=FROZEN, databases=["orders-db"], create_duration=300
    ) as stub:
        groups = seed(stub)
        report = nightly_backup(
            client("eu-west-2"), "orders-db", now=stub.now, sleep=sleeper(stub, slept)
        )
    assert report.created == "orders-db-2026-11-27-0300"
    assert slept == [30] * 10  # 300 seconds of creation, polled every 30
    assert report.polls == 11
    assert report.pages == 3  # 61 snapshots, 25 a page
    assert sorted(report.deleted) == sorted(groups["expired"])
    assert sorted(report.skipped) == sorted(groups["unfinished"])
    left = {s.name: s for s in stub.snapshots}
    assert set(left) == {
        report.created, *groups["recent"], *groups["manual"], *groups["unfinished"]
    }  # fmt: skip
    assert left[report.created].state == "available"
    assert left[report.created].tags == (("backup", "nightly"),)
    assert left[report.created].created_at == FROZEN
    deletes = [c for c in stub.calls if c.operation == "DeleteRelationalDatabaseSnapshot"]
    assert len(deletes) == len(groups["expired"])
    assert all(c.ok for c in stub.calls)


def test_a_backup_that_fails_mid_run_is_reported_and_nothing_is_rotated() -> None:
    slept: list[float] = []
    with lightsail_stub.mock_lightsail(
        clock=FROZEN, databases=["orders-db"], create_duration=120
    ) as stub:
        groups = seed(stub)
        before = {s.name for s in stub.snapshots}
        # Accepted now, failed when the create completes.
        with stub.scenario(fail_later("InternalFailure", "storage full")):
            with pytest.raises(BackupFailed, match="InternalFailure: storage full"):
                nightly_backup(
                    client("eu-west-2"), "orders-db", now=stub.now, sleep=sleeper(stub, slept)
                )
        assert slept == [30] * 4
        failed = stub.snapshots[-1]
        assert (failed.name, failed.state) == ("orders-db-2026-11-27-0300", "error")
        assert {s.name for s in stub.snapshots} == before | {failed.name}

        # The next night works, and rotation skips the snapshot in error.
        stub.advance(86400 - 120)
        report = nightly_backup(
            client("eu-west-2"), "orders-db", now=stub.now, sleep=sleeper(stub, slept)
        )
    assert report.created == "orders-db-2026-11-28-0300"
    expired_by_then = [n for n in groups["recent"] if n <= "orders-db-2026-10-29"]
    assert sorted(report.deleted) == sorted(groups["expired"] + expired_by_then)
    assert failed.name not in report.deleted


def test_the_job_times_out_when_the_snapshot_never_finishes() -> None:
    with lightsail_stub.mock_lightsail(
        clock=FROZEN, databases=["orders-db"], create_duration=7200
    ) as stub:
        with pytest.raises(TimeoutError, match="still Started after 600s"):
            nightly_backup(
                client("eu-west-2"),
                "orders-db",
                now=stub.now,
                sleep=sleeper(stub, []),
                timeout=600,
            )
        assert stub.snapshots[0].state == "creating"
