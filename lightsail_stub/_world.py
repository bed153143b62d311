"""The in-memory account: databases, snapshots and operations, one lock, one clock.

Records are frozen dataclasses: what a test reads from ``stub.snapshots`` can't be changed
behind the stub's back, and a change is a new record swapped in under the lock.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from . import _model
from ._errors import LightsailStubError

Tags = tuple[tuple[str, str | None], ...]

DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Database:
    """A relational database the snapshots are taken from."""

    name: str
    region: str
    availability_zone: str
    arn: str
    support_code: str
    created_at: datetime
    engine: str = "mysql"
    engine_version: str = "8.0.40"
    blueprint_id: str = "mysql_8_0"
    bundle_id: str = "micro_2_0"
    size_in_gb: int = 40


@dataclass(frozen=True)
class Snapshot:
    """A stored relational database snapshot (its zone is always ``all``)."""

    name: str
    region: str
    arn: str
    support_code: str
    created_at: datetime
    state: str
    engine: str
    engine_version: str
    size_in_gb: int
    from_database_name: str
    from_database_arn: str
    from_bundle_id: str
    from_blueprint_id: str
    tags: Tags = ()


@dataclass(frozen=True)
class Operation:
    """One entry of an ``operations`` list."""

    id: str
    resource_name: str
    resource_type: str
    created_at: datetime
    region: str
    availability_zone: str
    is_terminal: bool
    operation_details: str
    operation_type: str
    status: str
    status_changed_at: datetime
    error_code: str | None = None
    error_details: str | None = None

    def to_wire(self) -> dict[str, object]:
        document: dict[str, object] = {
            "id": self.id,
            "resourceName": self.resource_name,
            "resourceType": self.resource_type,
            "createdAt": self.created_at,
            "location": {"availabilityZone": self.availability_zone, "regionName": self.region},
            "isTerminal": self.is_terminal,
            "operationDetails": self.operation_details,
            "operationType": self.operation_type,
            "status": self.status,
            "statusChangedAt": self.status_changed_at,
        }
        if self.error_code is not None:
            document["errorCode"] = self.error_code
        if self.error_details is not None:
            document["errorDetails"] = self.error_details
        return document


class Clock:
    """The stub's clock: the wall clock, a frozen instant, or any callable; plus an offset
    moved by :meth:`advance`. It never sleeps."""

    def __init__(self, source: datetime | Callable[[], datetime] | None = None) -> None:
        if isinstance(source, datetime):
            if source.tzinfo is None:
                raise ValueError(
                    f"clock={source!r} is a naive datetime; give it a timezone, "
                    "e.g. datetime(2026, 11, 27, tzinfo=timezone.utc)"
                )
            frozen = source
            self._source: Callable[[], datetime] = lambda: frozen
        elif source is None:
            self._source = lambda: datetime.now(timezone.utc)
        elif callable(source):
            self._source = source
        else:
            raise TypeError(
                f"clock must be a timezone-aware datetime, a callable returning one, or None; "
                f"got {type(source).__name__}"
            )
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        value = self._source()
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise LightsailStubError(
                f"the clock given to mock_lightsail() returned {value!r}; it must return a "
                "timezone-aware datetime, e.g. datetime.now(timezone.utc)"
            )
        return value + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"advance(seconds={seconds!r}): the clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    def rewind(self) -> None:
        """Forget every :meth:`advance`."""
        with self._lock:
            self._offset = timedelta()


class Ids:
    """Ids, request ids and support codes; reproducible when seeded."""

    def __init__(self, seed: int | None) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def uuid(self) -> str:
        with self._lock:
            bits = self._rng.getrandbits(128)
        return str(uuid.UUID(int=bits, version=4))

    def support_code(self) -> str:
        with self._lock:
            account = self._rng.randrange(10**11, 10**12)
            suffix = self._rng.getrandbits(160)
        return f"{account}/ls-{suffix:040x}"


@dataclass
class World:
    """One account: its databases, snapshots and operations in every region."""

    account: str = DEFAULT_ACCOUNT
    auto_databases: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)
    databases: dict[tuple[str | None, str], Database] = field(default_factory=dict)
    snapshots: dict[tuple[str, str], Snapshot] = field(default_factory=dict)
    operations: dict[str, Operation] = field(default_factory=dict)

    def arn(self, region: str, resource_type: str, ids: Ids) -> str:
        return f"arn:aws:lightsail:{region}:{self.account}:{resource_type}/{ids.uuid()}"

    def find_database(self, region: str, name: str) -> Database | None:
        """The database ``name`` as it exists in ``region`` now (nothing is created)."""
        with self.lock:
            return self.databases.get((region, name))

    def can_exist(self, name: str) -> bool:
        """Whether a database ``name`` comes into being in a Region on first use: declared
        without a Region, or any name while databases are automatic."""
        with self.lock:
            return self.auto_databases or (None, name) in self.databases

    def materialize(self, region: str, name: str, ids: Ids, now: datetime) -> Database:
        """Make the database ``name`` exist in ``region`` (see :meth:`can_exist`). Called only
        by a request that succeeds, so a refused request leaves the account as it was."""
        with self.lock:
            template = self.databases.get((None, name)) or Database(
                name=name,
                region="",
                availability_zone="",
                arn="",
                support_code="",
                created_at=now,
            )
            database = replace(
                template,
                region=region,
                availability_zone=f"{region}a",
                arn=self.arn(region, "RelationalDatabase", ids),
                support_code=ids.support_code(),
            )
            self.databases[(region, name)] = database
            return database

    def add_operations(self, operations: Iterable[Operation]) -> None:
        with self.lock:
            for operation in operations:
                self.operations[operation.id] = operation


def location_region(region: str) -> str:
    """The region as the model's ``RegionName`` enum has it (checked)."""
    return _model.enum_value("RegionName", region)
