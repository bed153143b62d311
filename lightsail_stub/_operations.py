"""One function per Lightsail operation. Each takes the call's context and its decoded
parameters (already type-checked against the model), and returns the response document or
raises :class:`~lightsail_stub._errors.ServiceError`.

Every operation checks everything first and changes the account last, all under the
world's lock: a refused request changes nothing, and concurrent calls see one another
whole.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from botocore.model import StructureShape

from . import _model
from ._errors import ServiceError
from ._rules import Kind, RuleSet, describe_value
from ._world import (
    AVAILABLE,
    BACKING_UP,
    CREATING,
    ERROR,
    FAILED,
    LAST_INSTANT,
    OPERATIONS_PAGE,
    PAGE_SIZE,
    Clock,
    Database,
    Ids,
    Operation,
    Snapshot,
    Table,
    Tags,
    Transition,
    World,
    _moved,
    decode_token,
    encode_token,
    new_operation,
    new_transition,
    with_state,
)


@dataclass(frozen=True)
class Context:
    """What an operation may use: the account, the rules, the clock, ids, and the Region
    the call was made in.

    ``fail_later`` (set by a scenario) is ``(errorCode, errorDetails)``: a create (or a
    database delete that takes a final snapshot, see :func:`can_fail_later`) is accepted as
    usual, but when its lifecycle completes its operations end ``Failed`` with that code and
    details, and the resource it makes ends in an error state."""

    world: World
    rules: RuleSet
    clock: Clock
    ids: Ids
    region: str
    fail_later: tuple[str, str] | None = None

    def check(self, kind: Kind, field: str, value: Any) -> None:
        violation = self.rules.first_violation(kind, field, value)
        if violation is not None:
            raise ServiceError("InvalidInputException", violation.message)

    def check_tags(self, field: str, tags: list[dict[str, str]]) -> Tags:
        pairs = []
        for index, tag in enumerate(tags):
            if "key" not in tag:
                raise ServiceError(
                    "InvalidInputException",
                    f"{field}[{index}].key is required but missing from the request.",
                )
            key = tag["key"]
            value = tag.get("value")
            self.check("tag-key", f"{field}[{index}].key", key)
            if value is not None:
                self.check("tag-value", f"{field}[{index}].value", value)
            pairs.append((key, value))
        self.check("tag-list", field, pairs)
        return tuple(pairs)


#: An operation: the parameters in, the answer out (a JSON document, or its encoded text).
Handler = Callable[[Context, Mapping[str, Any]], dict[str, Any] | bytes]

_STARTED = "Started"
_SUCCEEDED = "Succeeded"
_FAILED = "Failed"
_SNAPSHOT = "RelationalDatabaseSnapshot"
_DATABASE = "RelationalDatabase"

# -- helpers -------------------------------------------------------------------------------


def _invalid(field: str, value: object, rule: str) -> ServiceError:
    return ServiceError(
        "InvalidInputException", f"{field} {describe_value(value)} is invalid: {rule}."
    )


def _snapshot_not_found(ctx: Context, field: str, name: str) -> ServiceError:
    return ServiceError(
        "NotFoundException",
        f"{field} {describe_value(name)}: no relational database snapshot with that name "
        f"exists in {ctx.region}.",
    )


def _database_not_found(ctx: Context, field: str, name: str) -> ServiceError:
    return ServiceError(
        "NotFoundException",
        f"{field} {describe_value(name)}: no relational database with that name exists in "
        f"{ctx.region}.",
    )


def _name_taken(ctx: Context, field: str, name: str, what: str) -> ServiceError:
    return _invalid(
        field,
        name,
        f"a {what} with that name already exists in {ctx.region} (names are unique per Region)",
    )


def _not_available(field: str, name: str, what: str, state: str, action: str) -> ServiceError:
    # Assumed (see docs/fidelity.md): Lightsail refuses actions on a resource in a
    # transitional state; which error shape it uses is not documented.
    return _invalid(
        field, name, f"the {what} is {state!r}; {action} only while it is {AVAILABLE!r}"
    )


def _lookup_snapshot(ctx: Context, field: str, name: str) -> Snapshot:
    ctx.check("snapshot-name", field, name)
    snapshot = ctx.world.snapshot(ctx.region, name)
    if snapshot is None:
        raise _snapshot_not_found(ctx, field, name)
    return snapshot


def _existing_database(
    ctx: Context, field: str, name: str, *, checked: bool = False
) -> Database | None:
    """The database ``name`` if it exists or can come into being here (``None``: it will,
    once the request is accepted: call ``world.resolve_database`` then). ``checked``: the
    name's rules were checked already."""
    if not checked:
        ctx.check("database-name", field, name)
    database = ctx.world.database(ctx.region, name)
    if database is None and not ctx.world.can_exist(ctx.region, name):
        raise _database_not_found(ctx, field, name)
    return database


def _can_come_into_being(ctx: Context, name: str) -> bool:
    """Whether ``name`` (not stored here) is a database that exists for the calls that
    name it, as GetRelationalDatabase answers it: automatic databases, or one declared for
    every Region (and not deleted here)."""
    return ctx.world.can_exist(ctx.region, name) and not ctx.rules.first_violation(
        "database-name", "resourceName", name
    )


def _database_name_taken(ctx: Context, name: str) -> bool:
    world = ctx.world
    if world.database(ctx.region, name) is not None:
        return True
    # A database declared for every Region exists here too (unless deleted here).
    return name in world.templates and world.can_exist(ctx.region, name)


def _after(now: datetime, duration: timedelta) -> datetime:
    """``now + duration``, at most the clock's last instant (``LAST_INSTANT``, near the end
    of year 9999): such a lifecycle ends only if the clock gets there."""
    at = _moved(now, duration)
    return LAST_INSTANT if at is None or at > LAST_INSTANT else at


def _ending(ctx: Context, now: datetime, success_state: str, failure_state: str) -> Transition:
    """When and how a create started now ends (see ``Context.fail_later``)."""
    at = _after(now, ctx.world.create_duration)
    if ctx.fail_later is None:
        return new_transition(at, success_state)
    return new_transition(at, failure_state, ctx.fail_later)


def _operation(
    ctx: Context,
    now: datetime,
    *,
    resource_name: str,
    resource_type: str,
    zone: str,
    operation_type: str | None,
    details: str = "",
    ending: Transition | None = None,
) -> Operation:
    """Record an operation: ``Started`` until ``ending`` (its status is then
    ``ending.state``), or, without one, ``Succeeded`` at once."""
    finish = None
    if ending is not None:
        status = _FAILED if ending.error is not None else _SUCCEEDED
        finish = new_transition(ending.at, _enum_value("OperationStatus", status), ending.error)
    operation = new_operation(
        ctx.ids.uuid(),
        resource_name,
        _enum_value("ResourceType", resource_type),
        now,
        ctx.region,
        zone,
        finish is None,
        details,
        None if operation_type is None else _enum_value("OperationType", operation_type),
        _enum_value("OperationStatus", _SUCCEEDED if finish is None else _STARTED),
        now,
    )
    ctx.world.add_operation(operation, finish)
    return operation


@functools.cache
def _enum_value(shape_name: str, value: str) -> str:
    """:func:`_model.enum_value`, once per process for each value (the model, once loaded,
    does not change; a value it lacks raises every time, as an error is not cached)."""
    return _model.enum_value(shape_name, value)


def _operations(*operations: Operation) -> bytes:
    """The answer of a call that starts operations, already encoded (see ``to_json``)."""
    listed = ",".join([operation.to_json() for operation in operations])
    return f'{{"operations":[{listed}]}}'.encode()


def _tags_to_wire(tags: Tags) -> list[dict[str, str]]:
    return [{"key": k} if v is None else {"key": k, "value": v} for k, v in tags]


@functools.cache
def _members(shape_name: str) -> frozenset[str]:
    shape = _model.service_model().shape_for(shape_name)
    assert isinstance(shape, StructureShape)
    return frozenset(shape.members)


def _only_modeled(shape_name: str, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` without the members the installed model's ``shape_name`` lacks (an
    older botocore has fewer), so that every answer parses as the client expects."""
    members = _members(shape_name)
    if document.keys() <= members:  # the usual case: nothing to drop
        return document
    return {k: v for k, v in document.items() if k in members}


def snapshot_to_wire(snapshot: Snapshot) -> dict[str, Any]:
    return _only_modeled(
        _SNAPSHOT,
        {
            "name": snapshot.name,
            "arn": snapshot.arn,
            "supportCode": snapshot.support_code,
            "createdAt": snapshot.created_at,
            "location": {"availabilityZone": "all", "regionName": snapshot.region},
            "resourceType": _model.enum_value("ResourceType", _SNAPSHOT),
            "tags": _tags_to_wire(snapshot.tags),
            "engine": snapshot.engine,
            "engineVersion": snapshot.engine_version,
            "sizeInGb": snapshot.size_in_gb,
            "state": snapshot.state,
            "fromRelationalDatabaseName": snapshot.from_database_name,
            "fromRelationalDatabaseArn": snapshot.from_database_arn,
            "fromRelationalDatabaseBundleId": snapshot.from_bundle_id,
            "fromRelationalDatabaseBlueprintId": snapshot.from_blueprint_id,
        },
    )


# Plausible values for what the model describes but the stub does not otherwise track
# (assumed; see docs/fidelity.md).
_RAM_BY_BUNDLE = {"micro": 1.0, "small": 2.0, "medium": 4.0, "large": 8.0}
_SIZE_BY_BUNDLE = {"micro": 40, "small": 80, "medium": 120, "large": 240}
_ENGINE_VERSIONS = {
    "mysql_8_0": "8.0.40",
    "mysql_5_7": "5.7.44",
    "postgres_16": "16.4",
    "postgres_15": "15.8",
    "postgres_14": "14.13",
    "postgres_13": "13.16",
    "postgres_12": "12.20",
}


def database_to_wire(database: Database, now: datetime) -> dict[str, Any]:
    suffix = database.support_code.rpartition("/ls-")[2]
    port = 5432 if database.engine.startswith("postgres") else 3306
    document: dict[str, Any] = {
        "name": database.name,
        "arn": database.arn,
        "supportCode": database.support_code,
        "createdAt": database.created_at,
        "location": {
            "availabilityZone": database.availability_zone,
            "regionName": database.region,
        },
        "resourceType": _model.enum_value("ResourceType", _DATABASE),
        "tags": _tags_to_wire(database.tags),
        "relationalDatabaseBlueprintId": database.blueprint_id,
        "relationalDatabaseBundleId": database.bundle_id,
        "masterDatabaseName": database.master_database_name,
        "hardware": {
            "cpuCount": 2,
            "diskSizeInGb": database.size_in_gb,
            "ramSizeInGb": _RAM_BY_BUNDLE.get(database.bundle_id.partition("_")[0], 1.0),
        },
        "state": database.state,
        "backupRetentionEnabled": True,
        "pendingModifiedValues": {},
        "engine": database.engine,
        "engineVersion": database.engine_version,
        "latestRestorableTime": max(database.created_at, now),
        "masterUsername": database.master_username,
        "parameterApplyStatus": "in-sync",
        "preferredBackupWindow": "06:30-07:00",
        "preferredMaintenanceWindow": "tue:07:00-tue:07:30",
        "publiclyAccessible": database.publicly_accessible,
        "masterEndpoint": {
            "port": port,
            "address": f"ls-{suffix[:40]}.{database.region}.rds.amazonaws.com",
        },
        "pendingMaintenanceActions": [],
        "caCertificateIdentifier": "rds-ca-rsa2048-g1",
    }
    if "_ha_" in database.bundle_id:  # high-availability plans have a standby zone
        zone = database.availability_zone
        document["secondaryAvailabilityZone"] = zone[:-1] + ("b" if zone[-1] != "b" else "a")
    return _only_modeled(_DATABASE, document)


def _page_token(params: Mapping[str, Any]) -> str | None:
    token = params.get("pageToken")
    return token if token else None


def _page(
    ctx: Context, table: Table[Any], kind: str, params: Mapping[str, Any], size: int
) -> tuple[list[str], str | None]:
    token = _page_token(params)
    try:
        return ctx.world.page(ctx.region, table, kind, token, size)
    except ValueError as error:
        raise _invalid("pageToken", token, str(error)) from None


# -- snapshots -----------------------------------------------------------------------------


def create_relational_database_snapshot(ctx: Context, params: Mapping[str, Any]) -> bytes:
    database_name: str = params["relationalDatabaseName"]
    snapshot_name: str = params["relationalDatabaseSnapshotName"]
    ctx.check("database-name", "relationalDatabaseName", database_name)
    ctx.check("snapshot-name", "relationalDatabaseSnapshotName", snapshot_name)
    tags = ctx.check_tags("tags", params.get("tags", []))
    world, region, ids = ctx.world, ctx.region, ctx.ids
    with world.lock:
        now = ctx.clock.now()
        database = _existing_database(ctx, "relationalDatabaseName", database_name, checked=True)
        if world.snapshot(region, snapshot_name) is not None:
            raise _name_taken(
                ctx, "relationalDatabaseSnapshotName", snapshot_name, "relational database snapshot"
            )
        if database is not None and database.state != AVAILABLE:
            raise _not_available(
                "relationalDatabaseName",
                database_name,
                "relational database",
                database.state,
                "a snapshot can be taken",
            )
        database = world.resolve_database(region, database_name, ids)
        assert database is not None  # _existing_database said it can exist
        ending = _ending(ctx, now, AVAILABLE, ERROR)
        snapshot = world.make_snapshot(ids, snapshot_name, region, database, now, tags=tags)
        world.put_snapshot(snapshot, ending)
        world.put_database(with_state(database, BACKING_UP), new_transition(ending.at, AVAILABLE))
        operation_type = "CreateRelationalDatabaseSnapshot"
        operations = (
            _operation(
                ctx,
                now,
                resource_name=snapshot_name,
                resource_type=_SNAPSHOT,
                zone="all",
                operation_type=operation_type,
                details=database.name,
                ending=ending,
            ),
            _operation(
                ctx,
                now,
                resource_name=database.name,
                resource_type=_DATABASE,
                zone=database.availability_zone,
                operation_type=operation_type,
                details=snapshot_name,
                ending=ending,
            ),
        )
    return _operations(*operations)


def get_relational_database_snapshot(ctx: Context, params: Mapping[str, Any]) -> dict[str, Any]:
    with ctx.world.lock:
        snapshot = _lookup_snapshot(
            ctx, "relationalDatabaseSnapshotName", params["relationalDatabaseSnapshotName"]
        )
    return {"relationalDatabaseSnapshot": snapshot_to_wire(snapshot)}


def get_relational_database_snapshots(ctx: Context, params: Mapping[str, Any]) -> dict[str, Any]:
    world = ctx.world
    with world.lock:
        table = world.region(ctx.region).snapshots
        names, following = _page(ctx, table, "snapshots", params, PAGE_SIZE)
        records = [world.snapshot(ctx.region, name) for name in names]
    document: dict[str, Any] = {
        "relationalDatabaseSnapshots": [snapshot_to_wire(s) for s in records if s is not None]
    }
    if following is not None:
        document["nextPageToken"] = following
    return document


def delete_relational_database_snapshot(ctx: Context, params: Mapping[str, Any]) -> bytes:
    name: str = params["relationalDatabaseSnapshotName"]
    world = ctx.world
    with world.lock:
        now = ctx.clock.now()
        snapshot = _lookup_snapshot(ctx, "relationalDatabaseSnapshotName", name)
        if snapshot.state == CREATING:
            # Assumed: refused, like any action on a resource in a transitional state.
            raise _invalid(
                "relationalDatabaseSnapshotName",
                name,
                f"the relational database snapshot is {CREATING!r}; it can be deleted once "
                f"it is {AVAILABLE!r} (or {ERROR!r})",
            )
        world.remove_snapshot(ctx.region, name)
        operation = _operation(
            ctx,
            now,
            resource_name=name,
            resource_type=_SNAPSHOT,
            zone="all",
            operation_type="DeleteRelationalDatabaseSnapshot",
        )
    return _operations(operation)


# -- operations ----------------------------------------------------------------------------


def get_operation(ctx: Context, params: Mapping[str, Any]) -> dict[str, Any]:
    operation_id: str = params["operationId"]
    with ctx.world.lock:
        operation = ctx.world.operation(ctx.region, operation_id)
    if operation is None:
        raise ServiceError(
            "NotFoundException",
            f"operationId {describe_value(operation_id)}: no operation with that id exists "
            f"in {ctx.region}.",
        )
    return {"operation": operation.to_wire()}


def get_operations(ctx: Context, params: Mapping[str, Any]) -> dict[str, Any]:
    world = ctx.world
    with world.lock:
        table = world.region(ctx.region).operations
        ids, following = _page(ctx, table, "operations", params, OPERATIONS_PAGE)
        records = [world.operation(ctx.region, i) for i in ids]
    document: dict[str, Any] = {"operations": [o.to_wire() for o in records if o is not None]}
    if following is not None:
        document["nextPageToken"] = following
    return document


def get_operations_for_resource(ctx: Context, params: Mapping[str, Any]) -> dict[str, Any]:
    name: str = params["resourceName"]
    world, region = ctx.world, ctx.region
    with world.lock:
        ids = world.region(region).operations_by_resource.get(name, [])
        if (
            not ids
            and world.snapshot(region, name) is None
            and world.database(region, name) is None
            and not _can_come_into_being(ctx, name)
        ):
            raise ServiceError(
                "NotFoundException",
                f"resourceName {describe_value(name)}: no resource with that name exists in "
                f"{region}.",
            )
        token = _page_token(params)
        start = 0
        if token is not None:
            try:
                start = _decode_resource_token(token, region, name)
            except ValueError as error:
                raise _invalid("pageToken", token, str(error)) from None
        chosen = ids[start : start + OPERATIONS_PAGE]
        records = [world.operation(region, i) for i in chosen]
    document: dict[str, Any] = {"operations": [o.to_wire() for o in records if o is not None]}
    if start + OPERATIONS_PAGE < len(ids):
        document["nextPageToken"] = _encode_resource_token(region, name, start + OPERATIONS_PAGE)
    return document


def _encode_resource_token(region: str, name: str, position: int) -> str:
    return encode_token(f"operations-of-{name}", region, position)


def _decode_resource_token(token: str, region: str, name: str) -> int:
    return decode_token(token, f"operations-of-{name}", region)


# -- databases -----------------------------------------------------------------------------


def _zone(ctx: Context, params: Mapping[str, Any]) -> str:
    zone = params.get("availabilityZone")
    if zone is None:
        return f"{ctx.region}a"
    if not re.fullmatch(re.escape(ctx.region) + "[a-z]", zone):
        raise _invalid(
            "availabilityZone",
            zone,
            f"must be a zone of {ctx.region}: the Region and a letter, e.g. '{ctx.region}a'",
        )
    return str(zone)


def _required_text(params: Mapping[str, Any], field: str) -> str:
    value = params.get(field, "")
    if not value:
        raise _invalid(field, value, "must not be empty")
    return str(value)


def create_relational_database(ctx: Context, params: Mapping[str, Any]) -> bytes:
    name: str = params["relationalDatabaseName"]
    ctx.check("database-name", "relationalDatabaseName", name)
    blueprint = _required_text(params, "relationalDatabaseBlueprintId")
    bundle = _required_text(params, "relationalDatabaseBundleId")
    master_database = _required_text(params, "masterDatabaseName")
    master_user = _required_text(params, "masterUsername")
    zone = _zone(ctx, params)
    tags = ctx.check_tags("tags", params.get("tags", []))
    with ctx.world.lock:
        now = ctx.clock.now()
        if _database_name_taken(ctx, name):
            raise _name_taken(ctx, "relationalDatabaseName", name, "relational database")
        version = _ENGINE_VERSIONS.get(blueprint) or ".".join(re.findall(r"\d+", blueprint))
        operation = _start_database(
            ctx,
            now,
            params,
            operation_type="CreateRelationalDatabase",
            zone=zone,
            tags=tags,
            engine=blueprint.partition("_")[0],
            engine_version=version or "1.0",
            blueprint_id=blueprint,
            bundle_id=bundle,
            size_in_gb=_SIZE_BY_BUNDLE.get(bundle.partition("_")[0], 40),
            master_database_name=master_database,
            master_username=master_user,
        )
    return _operations(operation)


def _start_database(
    ctx: Context,
    now: datetime,
    params: Mapping[str, Any],
    *,
    operation_type: str,
    zone: str,
    tags: Tags,
    details: str = "",
    **record: Any,
) -> Operation:
    """Store the new database ``relationalDatabaseName`` as ``creating`` (until the create
    duration has passed) and record its ``Started`` operation. ``record``: the
    :class:`Database` fields that depend on how it is made (engine, bundle, size...)."""
    world, region, ids = ctx.world, ctx.region, ctx.ids
    name: str = params["relationalDatabaseName"]
    ending = _ending(ctx, now, AVAILABLE, FAILED)
    database = Database(
        name=name,
        region=region,
        availability_zone=zone,
        arn=world.arn(region, _DATABASE, ids),
        support_code=ids.support_code(),
        created_at=now,
        state=CREATING,
        tags=tags,
        publicly_accessible=bool(params.get("publiclyAccessible", False)),
        **record,
    )
    world.put_database(database, ending)
    return _operation(
        ctx,
        now,
        resource_name=name,
        resource_type=_DATABASE,
        zone=zone,
        operation_type=operation_type,
        details=details,
        ending=ending,
    )


def create_relational_database_from_snapshot(ctx: Context, params: Mapping[str, Any]) -> bytes:
    name: str = params["relationalDatabaseName"]
    ctx.check("database-name", "relationalDatabaseName", name)
    snapshot_name: str | None = params.get("relationalDatabaseSnapshotName")
    source_name: str | None = params.get("sourceRelationalDatabaseName")
    if params.get("restoreTime") is not None and params.get("useLatestRestorableTime"):
        raise _invalid(
            "restoreTime",
            params["restoreTime"],
            "it cannot be given together with useLatestRestorableTime true",
        )
    if (snapshot_name is None) == (source_name is None):
        raise ServiceError(
            "InvalidInputException",
            "exactly one of relationalDatabaseSnapshotName and sourceRelationalDatabaseName "
            "is required.",
        )
    if snapshot_name is not None:
        # The API reference ties both to sourceRelationalDatabaseName (a point in time of
        # a database), not to a snapshot.
        for field in ("restoreTime", "useLatestRestorableTime"):
            if params.get(field) is not None:
                raise ServiceError(
                    "InvalidInputException",
                    f"{field} goes with sourceRelationalDatabaseName (a restore to a point in "
                    "time), not with relationalDatabaseSnapshotName.",
                )
    if source_name is not None and source_name == name:
        raise ServiceError(
            "InvalidInputException",
            f"relationalDatabaseName and sourceRelationalDatabaseName are both "
            f"{describe_value(name)}: a database can't be restored onto itself; give the new "
            "database another name.",
        )
    zone = _zone(ctx, params)
    tags = ctx.check_tags("tags", params.get("tags", []))
    world, region, ids = ctx.world, ctx.region, ctx.ids
    with world.lock:
        now = ctx.clock.now()
        if snapshot_name is not None:
            field, source = "relationalDatabaseSnapshotName", snapshot_name
            snapshot = _lookup_snapshot(ctx, field, snapshot_name)
            if snapshot.state != AVAILABLE:
                raise _not_available(
                    field, snapshot_name, "relational database snapshot", snapshot.state,
                    "a database can be created from it",
                )  # fmt: skip
            engine, version, size = snapshot.engine, snapshot.engine_version, snapshot.size_in_gb
            blueprint, bundle = snapshot.from_blueprint_id, snapshot.from_bundle_id
            # The master user comes with the data: the source database's, if it is still
            # there (a snapshot does not say).
            origin = world.database(region, snapshot.from_database_name) or Database(
                "", "", "", "", "", now
            )
        else:
            assert source_name is not None
            field, source = "sourceRelationalDatabaseName", source_name
            existing = _existing_database(ctx, field, source_name)
            if existing is not None and existing.state != AVAILABLE:
                raise _not_available(
                    field, source_name, "relational database", existing.state,
                    "a database can be restored from it",
                )  # fmt: skip
            origin = (
                existing or world.templates.get(source_name) or Database("", "", "", "", "", now)
            )
            engine, version, size = origin.engine, origin.engine_version, origin.size_in_gb
            blueprint, bundle = origin.blueprint_id, origin.bundle_id
        if _database_name_taken(ctx, name):
            raise _name_taken(ctx, "relationalDatabaseName", name, "relational database")
        if source_name is not None:
            world.resolve_database(region, source_name, ids)
        operation = _start_database(
            ctx,
            now,
            params,
            operation_type="CreateRelationalDatabaseFromSnapshot",
            zone=zone,
            tags=tags,
            details=source,
            engine=engine,
            engine_version=version,
            blueprint_id=blueprint,
            bundle_id=params.get("relationalDatabaseBundleId") or bundle,
            size_in_gb=size,
            master_database_name=origin.master_database_name,
            master_username=origin.master_username,
        )
    return _operations(operation)


def get_relational_database(ctx: Context, params: Mapping[str, Any]) -> dict[str, Any]:
    name: str = params["relationalDatabaseName"]
    with ctx.world.lock:
        now = ctx.clock.now()
        _existing_database(ctx, "relationalDatabaseName", name)
        database = ctx.world.resolve_database(ctx.region, name, ctx.ids)
        assert database is not None
    return {"relationalDatabase": database_to_wire(database, now)}


def get_relational_databases(ctx: Context, params: Mapping[str, Any]) -> dict[str, Any]:
    world = ctx.world
    with world.lock:
        now = ctx.clock.now()
        table = world.region(ctx.region).databases
        if _page_token(params) is None:
            # Databases declared for every Region exist here: list them. (Only on the first
            # page: they go last, so a later page's position stays valid.)
            world.materialize_declared(ctx.region, ctx.ids)
        names, following = _page(ctx, table, "databases", params, PAGE_SIZE)
        records = [world.database(ctx.region, name) for name in names]
    document: dict[str, Any] = {
        "relationalDatabases": [database_to_wire(d, now) for d in records if d is not None]
    }
    if following is not None:
        document["nextPageToken"] = following
    return document


def delete_relational_database(ctx: Context, params: Mapping[str, Any]) -> bytes:
    name: str = params["relationalDatabaseName"]
    skip = bool(params.get("skipFinalSnapshot", False))
    final: str | None = params.get("finalRelationalDatabaseSnapshotName")
    world, region, ids = ctx.world, ctx.region, ctx.ids
    with world.lock:
        now = ctx.clock.now()
        database = _existing_database(ctx, "relationalDatabaseName", name)
        if skip and final is not None:
            raise _invalid(
                "finalRelationalDatabaseSnapshotName",
                final,
                "it cannot be given together with skipFinalSnapshot true",
            )
        if not skip and final is None:
            raise ServiceError(
                "InvalidInputException",
                "finalRelationalDatabaseSnapshotName is required when skipFinalSnapshot is "
                "false (its default).",
            )
        if final is not None:
            ctx.check("snapshot-name", "finalRelationalDatabaseSnapshotName", final)
            if world.snapshot(region, final) is not None:
                raise _name_taken(
                    ctx,
                    "finalRelationalDatabaseSnapshotName",
                    final,
                    "relational database snapshot",
                )
        if database is not None and database.state in (CREATING, BACKING_UP):
            # Assumed: refused while it changes. A database whose create failed can be
            # deleted (nothing else frees its name), but has nothing to snapshot.
            raise _invalid(
                "relationalDatabaseName",
                name,
                f"the relational database is {database.state!r}; it can be deleted once it "
                f"is {AVAILABLE!r} (or {FAILED!r})",
            )
        if database is not None and database.state != AVAILABLE and final is not None:
            raise _invalid(
                "finalRelationalDatabaseSnapshotName",
                final,
                f"the relational database is {database.state!r}, so no final snapshot can be "
                "taken; give skipFinalSnapshot true",
            )
        database = world.resolve_database(region, name, ids)
        assert database is not None
        if final is not None:
            ending = _ending(ctx, now, AVAILABLE, ERROR)
        else:
            # Nothing is left to fail later: see can_fail_later().
            ending = Transition(_after(now, world.create_duration), AVAILABLE)
        if final is not None:
            snapshot = world.make_snapshot(ids, final, region, database, now)
            world.put_snapshot(snapshot, ending)
        world.remove_database(region, name)
        operation = _operation(
            ctx,
            now,
            resource_name=name,
            resource_type=_DATABASE,
            zone=database.availability_zone,
            operation_type="DeleteRelationalDatabase",
            details=final or "",
            ending=ending,
        )
    return _operations(operation)


# -- tags ----------------------------------------------------------------------------------


def _tag_target(ctx: Context, params: Mapping[str, Any]) -> Snapshot | Database | None:
    """The snapshot or database the tag call names (``None``: a database that comes into
    being once the request is accepted). ``resourceArn``, when given, must match."""
    name: str = params["resourceName"]
    arn: str | None = params.get("resourceArn")
    world, region = ctx.world, ctx.region
    snapshot = world.snapshot(region, name)
    database = world.database(region, name)
    candidates: list[Snapshot | Database] = [r for r in (snapshot, database) if r is not None]
    if arn is not None:
        for record in candidates:
            if record.arn == arn:
                return record
        raise ServiceError(
            "NotFoundException",
            f"resourceArn {describe_value(arn)}: no resource named {name!r} with that ARN "
            f"exists in {region}.",
        )
    if len(candidates) == 2:
        raise _invalid(
            "resourceName",
            name,
            "a relational database and a relational database snapshot both have that name; "
            "give resourceArn to say which",
        )
    if candidates:
        return candidates[0]
    if _can_come_into_being(ctx, name):
        return None
    raise ServiceError(
        "NotFoundException",
        f"resourceName {describe_value(name)}: no resource with that name exists in {region}.",
    )


def _tag_operation_type(name: str) -> str | None:
    # The model's OperationType enum has no TagResource / UntagResource (assumed: the
    # operation is listed without a type rather than with a value the model lacks).
    return name if name in _model.enum("OperationType") else None


def _apply_tags(ctx: Context, params: Mapping[str, Any], change: Callable[[Tags], Tags]) -> Any:
    world, region = ctx.world, ctx.region
    with world.lock:
        now = ctx.clock.now()
        target = _tag_target(ctx, params)
        current = target.tags if target is not None else ()
        tags = change(current)
        ctx.check("tag-list", "tags", list(tags))
        if target is None:
            target = world.resolve_database(region, params["resourceName"], ctx.ids)
            assert target is not None
        if isinstance(target, Snapshot):
            world.put_snapshot(replace(target, tags=tags))
            resource_type, zone = _SNAPSHOT, "all"
        else:
            world.put_database(replace(target, tags=tags))
            resource_type, zone = _DATABASE, target.availability_zone
        return now, target.name, resource_type, zone


def tag_resource(ctx: Context, params: Mapping[str, Any]) -> bytes:
    new = ctx.check_tags("tags", params["tags"])

    def merge(current: Tags) -> Tags:
        merged = dict(current)
        merged.update(new)
        return tuple(merged.items())

    with ctx.world.lock:
        now, name, resource_type, zone = _apply_tags(ctx, params, merge)
        operation = _operation(
            ctx,
            now,
            resource_name=name,
            resource_type=resource_type,
            zone=zone,
            operation_type=_tag_operation_type("TagResource"),
        )
    return _operations(operation)


def untag_resource(ctx: Context, params: Mapping[str, Any]) -> bytes:
    keys = set(params["tagKeys"])

    def remove(current: Tags) -> Tags:
        return tuple((k, v) for k, v in current if k not in keys)

    with ctx.world.lock:
        now, name, resource_type, zone = _apply_tags(ctx, params, remove)
        operation = _operation(
            ctx,
            now,
            resource_name=name,
            resource_type=resource_type,
            zone=zone,
            operation_type=_tag_operation_type("UntagResource"),
        )
    return _operations(operation)


#: The operations the stub serves, by their wire name.
OPERATIONS: Mapping[str, Handler] = {
    "CreateRelationalDatabase": create_relational_database,
    "CreateRelationalDatabaseFromSnapshot": create_relational_database_from_snapshot,
    "CreateRelationalDatabaseSnapshot": create_relational_database_snapshot,
    "DeleteRelationalDatabase": delete_relational_database,
    "DeleteRelationalDatabaseSnapshot": delete_relational_database_snapshot,
    "GetOperation": get_operation,
    "GetOperations": get_operations,
    "GetOperationsForResource": get_operations_for_resource,
    "GetRelationalDatabase": get_relational_database,
    "GetRelationalDatabaseSnapshot": get_relational_database_snapshot,
    "GetRelationalDatabaseSnapshots": get_relational_database_snapshots,
    "GetRelationalDatabases": get_relational_databases,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
}


#: The operations whose answer can start a lifecycle that a scenario can make fail later
#: (``Proceed(fail_later=...)``, ``scenarios.fail_later()``): the three creates, and
#: DeleteRelationalDatabase when it takes a final snapshot. Which calls exactly:
#: :func:`can_fail_later`.
FAILS_LATER: frozenset[str] = frozenset(
    {
        "CreateRelationalDatabaseSnapshot",
        "CreateRelationalDatabase",
        "CreateRelationalDatabaseFromSnapshot",
        "DeleteRelationalDatabase",
    }
)


def can_fail_later(operation: str, params: Mapping[str, Any]) -> bool:
    """Whether the call ``operation`` with ``params`` starts something that can fail later:
    a create, or a delete that takes a final snapshot (that snapshot ends ``error``); a
    delete without one has nothing left to fail."""
    if operation == "DeleteRelationalDatabase":
        return params.get("finalRelationalDatabaseSnapshotName") is not None and not params.get(
            "skipFinalSnapshot"
        )
    return operation in FAILS_LATER
