"""The in-memory account: databases, snapshots and operations, one lock, one clock.

Records are frozen dataclasses: what a test reads from ``stub.snapshots`` can't be changed
behind the stub's back, and a change is a new record swapped in under the lock. They use
``__slots__``: an account may hold 100,000 snapshots.

Lifecycles (a snapshot ``creating`` -> ``available``, its operations ``Started`` ->
``Succeeded``) are computed lazily from timestamps: a record that is still changing has a
:class:`Transition` beside it, and whoever reads the record past the transition's moment
swaps in the final record. No background thread, no scan of the whole account per call.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import math
import operator
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import MISSING, dataclass, field, fields, make_dataclass, replace
from datetime import datetime, timedelta, timezone
from json.encoder import encode_basestring_ascii
from typing import Any, Generic, TypeVar

from ._errors import LightsailStubError, safe_repr
from ._rules import describe_value
from ._wire import to_epoch

#: A JSON string literal, escaped as json.dumps escapes it (ensure_ascii).
_json = encode_basestring_ascii


@functools.lru_cache(maxsize=256)
def _epoch_text(timestamp: float) -> str:
    """``to_epoch()`` of the datetime whose ``timestamp()`` this is, as JSON text. Rounding
    and printing a float are the dearest steps of writing an operation; one create writes
    the same instant four times, and the virtual clock gives every call the same one until
    it moves: so they are remembered, by the exact timestamp (not by the datetime, whose
    equality ignores ``fold``)."""
    return repr(round(timestamp, 3))  # to_epoch's rounding


Tags = tuple[tuple[str, str | None], ...]

DEFAULT_ACCOUNT = "123456789012"

#: Assumed state names (Lightsail documents only ``available``): see docs/fidelity.md.
AVAILABLE = "available"
CREATING = "creating"
BACKING_UP = "backing-up"
ERROR = "error"
FAILED = "failed"


# Also built by _builder (below): __init__ must do nothing but store the fields.
@dataclass(frozen=True, slots=True)
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
    state: str = AVAILABLE
    tags: Tags = ()
    master_database_name: str = "dbmaster"
    master_username: str = "dbmasteruser"
    publicly_accessible: bool = False


# Also built by _builder (below): __init__ must do nothing but store the fields.
@dataclass(frozen=True, slots=True)
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


# Also built by _builder (below): __init__ must do nothing but store the fields.
@dataclass(frozen=True, slots=True)
class Operation:
    """One entry of an ``operations`` list. ``operation_type`` is ``None`` for an operation
    whose type the model's ``OperationType`` enum does not list (``TagResource``)."""

    id: str
    resource_name: str
    resource_type: str
    created_at: datetime
    region: str
    availability_zone: str
    is_terminal: bool
    operation_details: str
    operation_type: str | None
    status: str
    status_changed_at: datetime
    error_code: str | None = None
    error_details: str | None = None

    def to_wire(self) -> dict[str, object]:
        """The operation as JSON 1.1 sends it (timestamps already epoch seconds: operations
        are in most answers, and this spares the encoder a callback per timestamp)."""
        document: dict[str, object] = {
            "id": self.id,
            "resourceName": self.resource_name,
            "resourceType": self.resource_type,
            "createdAt": to_epoch(self.created_at),
            "location": {"availabilityZone": self.availability_zone, "regionName": self.region},
            "isTerminal": self.is_terminal,
            "operationDetails": self.operation_details,
        }
        if self.operation_type is not None:
            document["operationType"] = self.operation_type
        document["status"] = self.status
        # (Not taken from createdAt when the datetimes are equal: equality ignores fold.)
        document["statusChangedAt"] = to_epoch(self.status_changed_at)
        if self.error_code is not None:
            document["errorCode"] = self.error_code
        if self.error_details is not None:
            document["errorDetails"] = self.error_details
        return document

    def to_json(self) -> str:
        """:meth:`to_wire` encoded, as ``json.dumps(..., separators=(",", ":"))`` encodes it
        (the same text: tested), from a template: about twice as fast as the encoder's walk
        over the dict, and most answers are a list of operations."""
        created = _epoch_text(self.created_at.timestamp())
        changed = _epoch_text(self.status_changed_at.timestamp())
        text = (
            f'{{"id":{_json(self.id)},"resourceName":{_json(self.resource_name)},'
            f'"resourceType":{_json(self.resource_type)},"createdAt":{created},'
            f'"location":{{"availabilityZone":{_json(self.availability_zone)},'
            f'"regionName":{_json(self.region)}}},'
            f'"isTerminal":{"true" if self.is_terminal else "false"},'
            f'"operationDetails":{_json(self.operation_details)},'
        )
        if self.operation_type is not None:
            text += f'"operationType":{_json(self.operation_type)},'
        text += f'"status":{_json(self.status)},"statusChangedAt":{changed}'
        if self.error_code is not None:
            text += f',"errorCode":{_json(self.error_code)}'
        if self.error_details is not None:
            text += f',"errorDetails":{_json(self.error_details)}'
        return text + "}"


# Also built by _builder (below): __init__ must do nothing but store the fields.
@dataclass(frozen=True, slots=True)
class Transition:
    """What a record becomes at ``at``: a new state (operations: a status) and, for a
    failure, Lightsail's ``errorCode`` / ``errorDetails``."""

    at: datetime
    state: str
    error: tuple[str, str] | None = None


def _builder(cls: type[Built]) -> Callable[..., Built]:
    """A constructor of ``cls`` records that skips the frozen dataclass ``__init__``.

    That ``__init__`` sets each field through ``object.__setattr__`` (``__setattr__``
    refuses): about 2 µs for an Operation; a create makes three records and three
    transitions. The builder is a plain slotted class with the same fields, in the same
    slots: its ``__init__`` stores them directly, then the object becomes a ``cls``
    (allowed: same slots), frozen from then on like any other. Only for classes whose
    ``__init__`` does nothing else: no ``__post_init__``, every field an argument without
    a factory; checked here, and tested against ``cls``.
    """
    members = fields(cls)
    if hasattr(cls, "__post_init__") or not all(
        f.init and f.default_factory is MISSING for f in members
    ):
        raise TypeError(f"{cls.__name__}: __init__ does more than store its arguments")
    plain = make_dataclass(
        f"_{cls.__name__}Builder",
        [(f.name, f.type, field(default=f.default)) for f in members],
        slots=True,
        eq=False,
        repr=False,
    )
    if plain.__slots__ != cls.__slots__:  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__}: slots differ from its builder's")
    try:
        plain(*(None for _ in members)).__class__ = cls
    except TypeError:  # an interpreter that refuses: the dataclass's own __init__
        return cls

    def build(*args: Any) -> Built:
        record = plain(*args)
        record.__class__ = cls
        return record  # type: ignore[no-any-return]

    return build


#: The first and last instants the stub's clock shows, a day inside what a ``datetime`` holds:
#: botocore reads the answers' timestamps in the caller's own timezone, which must still be a
#: ``datetime`` in every timezone (offsets go up to 14 hours).
FIRST_INSTANT = datetime.min.replace(tzinfo=timezone.utc) + timedelta(days=1)
LAST_INSTANT = datetime.max.replace(tzinfo=timezone.utc) - timedelta(days=1)
_LAST_SHOWN = f"{LAST_INSTANT.replace(tzinfo=None).isoformat(' ')} UTC"
#: The two, as error messages say them.
BOUNDS = f"{FIRST_INSTANT.date().isoformat()} to {_LAST_SHOWN}"


def _moved(value: datetime, offset: timedelta) -> datetime | None:
    """``value`` moved by ``offset`` as an instant (in a zone with daylight saving time,
    wall-clock arithmetic would be an hour off across a change), shown in ``value``'s zone;
    ``None`` past what a ``datetime`` holds."""
    try:
        if type(value.tzinfo) is timezone:  # a fixed offset: wall time is the instant
            return value + offset
        return (value.astimezone(timezone.utc) + offset).astimezone(value.tzinfo)
    except OverflowError:
        return None


def within_bounds(moment: datetime) -> bool:
    """Whether every timezone can show ``moment`` (see :data:`LAST_INSTANT`)."""
    return FIRST_INSTANT <= moment <= LAST_INSTANT


class Clock:
    """The stub's clock: a frozen instant (by default the moment the clock was made: a
    virtual clock), or any callable (``lambda: datetime.now(timezone.utc)`` for the real
    one); plus an offset moved by :meth:`advance`. It never sleeps. It shows instants from
    :data:`FIRST_INSTANT` to :data:`LAST_INSTANT` only."""

    def __init__(self, source: datetime | Callable[[], datetime] | None = None) -> None:
        if isinstance(source, datetime):
            if source.tzinfo is None:
                raise ValueError(
                    f"clock={safe_repr(source)} is a naive datetime; give it a timezone, "
                    "e.g. datetime(2026, 11, 27, tzinfo=timezone.utc)"
                )
            if not within_bounds(source):
                raise ValueError(
                    f"clock={safe_repr(source)} is outside the instants every timezone can "
                    f"show ({BOUNDS})"
                )
            frozen: datetime | None = source
        elif source is None:
            # Virtual: time moves only when the stub says so (advance, virtual back-off), so
            # lifecycles never complete by themselves while a test runs.
            frozen = datetime.now(timezone.utc)
        elif callable(source):
            frozen = None
            self._source: Callable[[], datetime] = source
        else:
            raise TypeError(
                f"clock must be a timezone-aware datetime, a callable returning one, or None; "
                f"got {type(source).__name__}"
            )
        if frozen is not None:
            instant = frozen
            self._source = lambda: instant
        #: The instant of a frozen or virtual clock; None for a callable (not called
        #: outside now(): it may count its calls, or move).
        self._frozen = frozen
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        frozen = self._frozen
        if frozen is not None:  # checked when the clock was made, and at each advance()
            moved = _moved(frozen, self._offset) if self._offset else frozen
            if moved is not None:
                return moved
        value = self._source()
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise LightsailStubError(
                f"the clock given to mock_lightsail() returned {safe_repr(value)}; it must "
                "return a timezone-aware datetime, e.g. datetime.now(timezone.utc)"
            )
        offset = self._offset
        moment = _moved(value, offset) if offset else value
        if moment is None or not within_bounds(moment):
            raise LightsailStubError(
                f"the stub's clock is outside the instants every timezone can show "
                f"({BOUNDS}): the clock given to mock_lightsail() returned "
                f"{safe_repr(value)}, plus {offset} from advance()"
            )
        return moment

    def advance(self, seconds: float) -> None:
        """Move the clock forward. Refused (``ValueError``) past :data:`LAST_INSTANT`, for a
        frozen or virtual clock; a callable clock that gets there is a library error at
        :meth:`now`."""
        shown = describe_value(seconds)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise TypeError(
                f"advance(seconds={shown}): seconds must be a number (int or float), "
                f"got {type(seconds).__name__}"
            )
        if isinstance(seconds, float) and not math.isfinite(seconds):
            raise ValueError(f"advance(seconds={shown}): seconds must be a finite number")
        if seconds < 0:
            raise ValueError(f"advance(seconds={shown}): the clock only moves forward")
        with self._lock:
            try:
                offset: timedelta | None = self._offset + timedelta(seconds=seconds)
            except OverflowError:  # more than a timedelta holds
                offset = None
            frozen = self._frozen
            moved = None if offset is None or frozen is None else _moved(frozen, offset)
            if offset is None or (frozen is not None and (moved is None or moved > LAST_INSTANT)):
                raise ValueError(
                    f"advance(seconds={shown}): that moves the clock past the last instant "
                    f"every timezone can show ({_LAST_SHOWN})"
                )
            self._offset = offset

    def rewind(self) -> None:
        """Forget every :meth:`advance`."""
        with self._lock:
            self._offset = timedelta()


# The variant (RFC 4122) and version (4) bits, as uuid.UUID(..., version=4) sets them.
_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_SET = (0x8000 << 48) | (4 << 76)


class Ids:
    """Ids, request ids and support codes; reproducible when seeded.

    Resource ids (ARNs, operation ids, support codes) and request ids come from two
    separate generators, so that under a seed a read call made in between (which only
    takes a request id) does not change the ARNs of what is created afterwards. Every
    support code of one stub starts with the same 12 digits (derived from the seed), as
    all the resources of one account share that prefix."""

    __slots__ = ("_requests", "_rng", "_support_prefix")

    # No lock: each method draws from its generator with one getrandbits call, a single
    # call into C that holds the GIL throughout (free-threaded builds: the generator's own
    # critical section). The draws of concurrent calls are whole, in some order, as with
    # a lock; a lock here cost more than the draw itself, 4 times per create.

    def __init__(self, seed: int | None) -> None:
        self._rng = random.Random(seed)
        # Seeded from strings (hashed by random.Random itself): independent of _rng's
        # sequence, and the same for the same seed in every run.
        try:
            text = None if seed is None else str(seed)
        except ValueError:  # over sys.get_int_max_str_digits() digits
            raise ValueError(
                f"seed {describe_value(seed)} is too long: ids are derived from the seed's "
                "digits, and Python writes an int that long only if "
                "sys.set_int_max_str_digits() allows it; give a shorter seed"
            ) from None
        self._requests = random.Random(None if text is None else f"request-ids:{text}")
        prefix = random.Random(None if text is None else f"support-code:{text}")
        self._support_prefix = prefix.randrange(10**11, 10**12)

    def uuid(self) -> str:
        """A version-4 UUID for a resource or an operation, as
        ``str(uuid.UUID(int=bits, version=4))`` (without building the object: this runs
        several times per call)."""
        return _uuid4(self._rng.getrandbits(128))

    def request_id(self) -> str:
        """A version-4 UUID for a response's request id (its own generator)."""
        return _uuid4(self._requests.getrandbits(128))

    def support_code(self) -> str:
        return f"{self._support_prefix}/ls-{self._rng.getrandbits(160):040x}"


def _uuid4(bits: int) -> str:
    h = "%032x" % ((bits & _UUID_CLEAR) | _UUID_SET)  # %-format: faster than f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


R = TypeVar("R")
S = TypeVar("S", Snapshot, Database, Operation)
Built = TypeVar("Built", Snapshot, Database, Operation, Transition)
Stateful = TypeVar("Stateful", Snapshot, Database)


class Table(Generic[R]):
    """Records by name, in the order they were first stored, pageable from a position.

    Each name gets a sequence number when it is stored; ``_order`` is the sorted list of
    sequence numbers ever handed out, deleted ones staying as tombstones for a while. A page
    starts with a bisection and reads only what it returns: no copy and no sort of the
    table per call. A position (a sequence number) stays valid across deletions.

    Each tombstone is stepped over at most once: ``_order[:_head]`` is a run of tombstones
    already known (a page starting there skips it in one step, and it is cut off once it is
    half of the list), and a page that steps over tombstones further on drops them from
    ``_order``. Retention jobs delete the oldest records, so without this every first page
    would walk again over all of them."""

    __slots__ = ("_dead", "_head", "_name_at", "_next", "_order", "_records", "_seq")

    def __init__(self) -> None:
        self._records: dict[str, R] = {}
        self._seq: dict[str, int] = {}
        self._name_at: dict[int, str] = {}
        self._order: list[int] = []
        self._next = 0
        # _order[:_head] are tombstones; _dead counts the tombstones in _order[_head:].
        self._head = 0
        self._dead = 0

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, name: object) -> bool:
        return name in self._records

    def get(self, name: str) -> R | None:
        return self._records.get(name)

    def names(self) -> Iterator[str]:
        return iter(self._name_at.values())

    def put(self, name: str, record: R) -> None:
        """Store ``record`` under ``name``: a new name goes last, a known one keeps its place."""
        if name not in self._records:
            seq = self._next
            self._next += 1
            self._seq[name] = seq
            self._name_at[seq] = name
            self._order.append(seq)
        self._records[name] = record

    def remove(self, name: str) -> None:
        del self._records[name]
        del self._name_at[self._seq.pop(name)]
        self._dead += 1
        if self._dead > 64 and self._dead * 2 > len(self._order) - self._head:
            self._compact()

    def _compact(self) -> None:
        # _name_at holds the live sequence numbers in ascending order (dict order).
        self._order = list(self._name_at)
        self._head = 0
        self._dead = 0

    def page(self, start: int, size: int) -> tuple[list[str], int | None]:
        """Up to ``size`` names from position ``start`` on, and the position of the next
        page (``None`` when this page is the last)."""
        names: list[str] = []
        order, name_at = self._order, self._name_at
        first = max(bisect.bisect_left(order, start), self._head)
        index, end = first, len(order)
        following: int | None = None
        live: list[int] = []  # the sequence numbers read, should tombstones be dropped
        lead = -1  # tombstones before the first live entry
        while index < end:
            seq = order[index]
            name = name_at.get(seq)
            if name is not None:
                if lead < 0:
                    lead = index - first
                if len(names) == size:
                    following = seq
                    break
                names.append(name)
                live.append(seq)
            index += 1
        skipped = index - first - len(live)
        if skipped:
            self._drop(first, index, live, skipped, index - first if lead < 0 else lead)
        return names, following

    def _drop(self, first: int, stop: int, live: list[int], skipped: int, lead: int) -> None:
        """Forget the ``skipped`` tombstones of ``_order[first:stop]``, whose live entries
        are ``live`` and which starts with ``lead`` tombstones."""
        self._dead -= skipped
        if first == self._head and lead:
            # A run at the head joins it: no copy.
            self._head = first = first + lead
            skipped -= lead
        if skipped:
            # Tombstones among live entries: rewrite that slice (one memmove, in C).
            self._order[first:stop] = live
        self._trim_head()

    def _trim_head(self) -> None:
        if self._head > 64 and self._head * 2 > len(self._order):
            del self._order[: self._head]
            self._head = 0


@dataclass
class Region:
    """One Region of the account."""

    databases: Table[Database] = field(default_factory=Table)
    snapshots: Table[Snapshot] = field(default_factory=Table)
    operations: Table[Operation] = field(default_factory=Table)
    operations_by_resource: dict[str, list[str]] = field(default_factory=dict)
    # Records still changing: what they become, and when.
    database_transitions: dict[str, Transition] = field(default_factory=dict)
    snapshot_transitions: dict[str, Transition] = field(default_factory=dict)
    operation_transitions: dict[str, Transition] = field(default_factory=dict)
    # Databases deleted here: a declared (or automatic) name does not come back by itself.
    deleted_databases: set[str] = field(default_factory=set)


#: Page sizes. GetOperations: "up to a maximum of 200" (its API reference); the other lists:
#: assumed (Lightsail does not document them).
OPERATIONS_PAGE = 200
PAGE_SIZE = 25


@dataclass
class World:
    """One account: its databases, snapshots and operations in every region.

    Every method expects the caller to hold :attr:`lock` (an ``RLock``), so that an
    operation checks and changes the account in one step."""

    account: str = DEFAULT_ACCOUNT
    auto_databases: bool = True
    clock: Clock = field(default_factory=Clock)
    #: How long a create takes on the stub's clock (0: done by the next call).
    create_duration: timedelta = timedelta()
    lock: threading.RLock = field(default_factory=threading.RLock)
    regions: dict[str, Region] = field(default_factory=dict)
    #: Databases declared for every Region (``add_database`` without a Region).
    templates: dict[str, Database] = field(default_factory=dict)
    #: Databases that no longer exist (deleted: the last record; or never did: made up for
    #: ``add_snapshot``), so that every snapshot of one name shows one ARN.
    ghosts: dict[tuple[str, str], Database] = field(default_factory=dict)
    #: Every operation id, for ``stub.operations`` in creation order: (region, id).
    operation_log: list[tuple[str, str]] = field(default_factory=list)

    def region(self, name: str) -> Region:
        region = self.regions.get(name)
        if region is None:
            region = self.regions[name] = Region()
        return region

    def arn(self, region: str, resource_type: str, ids: Ids) -> str:
        return f"arn:aws:lightsail:{region}:{self.account}:{resource_type}/{ids.uuid()}"

    # -- reading, with lifecycles settled --------------------------------------------------

    def snapshot(self, region: str, name: str, *, settle: bool = True) -> Snapshot | None:
        """The snapshot ``name`` in its state now. ``settle``: store that state (a call
        does); without it nothing is written (the stub's read-only properties)."""
        place = self.region(region)
        return self._read(place.snapshots, place.snapshot_transitions, name, _ended, settle)

    def database(self, region: str, name: str, *, settle: bool = True) -> Database | None:
        """The database ``name`` as it exists in ``region`` now (nothing is created)."""
        place = self.region(region)
        return self._read(place.databases, place.database_transitions, name, _ended, settle)

    def operation(self, region: str, operation_id: str, *, settle: bool = True) -> Operation | None:
        place = self.region(region)
        return self._read(
            place.operations, place.operation_transitions, operation_id, _finished, settle
        )

    def _read(
        self,
        table: Table[S],
        transitions: dict[str, Transition],
        key: str,
        become: Callable[[S, Transition], S],
        settle: bool,
    ) -> S | None:
        record = table.get(key)
        if record is None:
            return None
        transition = transitions.get(key)
        if transition is not None and self.clock.now() >= transition.at:
            record = become(record, transition)
            if settle:
                del transitions[key]
                table.put(key, record)
        return record

    # -- databases -------------------------------------------------------------------------

    def can_exist(self, region: str, name: str) -> bool:
        """Whether a database ``name`` comes into being in ``region`` on first use: declared
        without a Region, or any name while databases are automatic; never once deleted
        there."""
        if name in self.region(region).deleted_databases:
            return False
        return self.auto_databases or name in self.templates

    def resolve_database(self, region: str, name: str, ids: Ids) -> Database | None:
        """The database ``name`` in ``region``, made to exist if it can (see
        :meth:`can_exist`). Only a request that succeeds may call this."""
        database = self.database(region, name)
        if database is None and self.can_exist(region, name):
            database = self.materialize(region, name, ids, self.clock.now())
        return database

    def materialize(self, region: str, name: str, ids: Ids, now: datetime) -> Database:
        """Make the database ``name`` exist in ``region`` (see :meth:`can_exist`)."""
        template = self.templates.get(name) or Database(
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
        self.region(region).databases.put(name, database)
        return database

    def materialize_declared(self, region: str, ids: Ids) -> None:
        """Make every database declared for all Regions exist in ``region`` (before listing)."""
        place = self.region(region)
        for name in self.templates:
            if name not in place.databases and name not in place.deleted_databases:
                self.materialize(region, name, ids, self.clock.now())

    def put_database(self, database: Database, transition: Transition | None = None) -> None:
        """Store ``database``; with ``transition``, it becomes that later (a pending
        transition is kept otherwise)."""
        place = self.region(database.region)
        place.databases.put(database.name, database)
        place.deleted_databases.discard(database.name)
        if transition is not None:
            place.database_transitions[database.name] = transition

    def remove_database(self, region: str, name: str) -> None:
        place = self.region(region)
        gone = place.databases.get(name)
        if gone is not None:
            # Snapshots seeded later from this name keep pointing at this database's ARN.
            self.ghosts[(region, name)] = gone
        place.databases.remove(name)
        place.database_transitions.pop(name, None)
        place.deleted_databases.add(name)

    # -- snapshots -------------------------------------------------------------------------

    def put_snapshot(self, snapshot: Snapshot, transition: Transition | None = None) -> None:
        """Store ``snapshot``; with ``transition``, it becomes that later (a pending
        transition is kept otherwise)."""
        place = self.region(snapshot.region)
        place.snapshots.put(snapshot.name, snapshot)
        if transition is not None:
            place.snapshot_transitions[snapshot.name] = transition

    def make_snapshot(
        self,
        ids: Ids,
        name: str,
        region: str,
        source: Database,
        created_at: datetime,
        *,
        state: str = CREATING,
        tags: Tags = (),
    ) -> Snapshot:
        """A new snapshot ``name`` of ``source`` (not stored yet), with a new ARN."""
        return _new_snapshot(
            name,
            region,
            self.arn(region, "RelationalDatabaseSnapshot", ids),
            ids.support_code(),
            created_at,
            state,
            source.engine,
            source.engine_version,
            source.size_in_gb,
            source.name,
            source.arn,
            source.bundle_id,
            source.blueprint_id,
            tags,
        )

    def remove_snapshot(self, region: str, name: str) -> None:
        place = self.region(region)
        place.snapshots.remove(name)
        place.snapshot_transitions.pop(name, None)

    # -- operations ------------------------------------------------------------------------

    def add_operation(self, operation: Operation, transition: Transition | None = None) -> None:
        place = self.region(operation.region)
        place.operations.put(operation.id, operation)
        place.operations_by_resource.setdefault(operation.resource_name, []).append(operation.id)
        self.operation_log.append((operation.region, operation.id))
        if transition is not None:
            place.operation_transitions[operation.id] = transition

    # -- pages -----------------------------------------------------------------------------

    def page(
        self, region: str, table: Table[R], kind: str, token: str | None, size: int
    ) -> tuple[list[str], str | None]:
        """One page of names of ``table``, from ``token`` (``None``: the first page); and
        the token of the next page. Raises ``ValueError`` for a token this list never
        gave out."""
        start = 0 if token is None else decode_token(token, kind, region)
        names, following = table.page(start, size)
        return names, None if following is None else encode_token(kind, region, following)


def _ended(record: Stateful, transition: Transition) -> Stateful:
    """A snapshot or database once its transition happened."""
    return with_state(record, transition.state)


def with_state(record: Stateful, state: str) -> Stateful:
    """``replace(record, state=state)``, faster: ``dataclasses.replace`` walks the fields
    in Python, then calls the frozen ``__init__`` (see :func:`_builder`)."""
    swap = _STATE_SWAP.get(type(record))
    if swap is None:  # not one of the two record types: the general way
        return replace(record, state=state)
    values, at, build = swap
    fields_ = values(record)
    return build(*fields_[:at], state, *fields_[at + 1 :])  # type: ignore[no-any-return]


def _state_swap(
    cls: type[Stateful],
) -> tuple[Callable[[Stateful], tuple[Any, ...]], int, Callable[..., Stateful]]:
    names = [f.name for f in fields(cls)]  # every one an __init__ argument: see _builder
    return operator.attrgetter(*names), names.index("state"), _builder(cls)


_STATE_SWAP: dict[type, tuple[Callable[[Any], tuple[Any, ...]], int, Callable[..., Any]]] = {
    Database: _state_swap(Database),
    Snapshot: _state_swap(Snapshot),
}

#: Constructors of new records, with the fields in order as positional arguments.
new_operation = _builder(Operation)
new_transition = _builder(Transition)
_new_snapshot = _builder(Snapshot)


def _finished(record: Operation, transition: Transition) -> Operation:
    code, details = transition.error or (None, None)
    return replace(
        record,
        status=transition.state,
        is_terminal=True,
        status_changed_at=transition.at,
        error_code=code,
        error_details=details,
    )


def encode_token(kind: str, region: str, position: int) -> str:
    """An opaque page token: the list, the Region and the position, base64url-encoded."""
    raw = f"v1|{kind}|{region}|{position}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, kind: str, region: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (ValueError, UnicodeError, binascii.Error):
        raise ValueError("it is not a page token this operation returned") from None
    parts = raw.split("|")
    if (
        len(parts) != 4
        or parts[0] != "v1"
        or not (parts[3].isascii() and parts[3].isdigit())
        or len(parts[3]) > 18
    ):
        raise ValueError("it is not a page token this operation returned")
    if parts[1] != kind:
        raise ValueError(f"it is a page token of another list ({parts[1]})")
    if parts[2] != region:
        raise ValueError(f"it is a page token of Region {parts[2]}, not {region}")
    return int(parts[3])
