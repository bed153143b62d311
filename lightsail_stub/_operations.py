"""One function per Lightsail operation. Each takes the call's context and its decoded
parameters (already type-checked against the model), and returns the response document or
raises :class:`~lightsail_stub._errors.ServiceError`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import _model
from ._errors import ServiceError
from ._rules import Kind, RuleSet
from ._world import Clock, Ids, Operation, Snapshot, Tags, World


@dataclass(frozen=True)
class Context:
    """What an operation may use: the account, the rules, the clock, ids, and the Region
    the call was made in."""

    world: World
    rules: RuleSet
    clock: Clock
    ids: Ids
    region: str

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


Handler = Callable[[Context, Mapping[str, Any]], dict[str, Any]]

_STARTED = "Started"
_SNAPSHOT = "RelationalDatabaseSnapshot"
_DATABASE = "RelationalDatabase"


def create_relational_database_snapshot(ctx: Context, params: Mapping[str, Any]) -> dict[str, Any]:
    database_name: str = params["relationalDatabaseName"]
    snapshot_name: str = params["relationalDatabaseSnapshotName"]
    ctx.check("database-name", "relationalDatabaseName", database_name)
    ctx.check("snapshot-name", "relationalDatabaseSnapshotName", snapshot_name)
    tags = ctx.check_tags("tags", params.get("tags", []))
    operation_type = _model.enum_value("OperationType", "CreateRelationalDatabaseSnapshot")
    status = _model.enum_value("OperationStatus", _STARTED)
    world, region, ids = ctx.world, ctx.region, ctx.ids
    with world.lock:
        now = ctx.clock.now()
        database = world.find_database(region, database_name)
        if database is None and not world.can_exist(database_name):
            raise ServiceError(
                "NotFoundException",
                f"relationalDatabaseName {database_name!r}: no relational database with that "
                f"name exists in {region}.",
            )
        if (region, snapshot_name) in world.snapshots:
            raise ServiceError(
                "InvalidInputException",
                f"relationalDatabaseSnapshotName {snapshot_name!r} is invalid: a relational "
                f"database snapshot with that name already exists in {region} "
                "(names are unique per Region).",
            )
        if database is None:
            database = world.materialize(region, database_name, ids, now)
        snapshot = Snapshot(
            name=snapshot_name,
            region=region,
            arn=world.arn(region, _SNAPSHOT, ids),
            support_code=ids.support_code(),
            created_at=now,
            state="available",
            engine=database.engine,
            engine_version=database.engine_version,
            size_in_gb=database.size_in_gb,
            from_database_name=database.name,
            from_database_arn=database.arn,
            from_bundle_id=database.bundle_id,
            from_blueprint_id=database.blueprint_id,
            tags=tags,
        )
        operations = (
            Operation(
                id=ids.uuid(),
                resource_name=snapshot_name,
                resource_type=_model.enum_value("ResourceType", _SNAPSHOT),
                created_at=now,
                region=region,
                availability_zone="all",
                is_terminal=False,
                operation_details=database.name,
                operation_type=operation_type,
                status=status,
                status_changed_at=now,
            ),
            Operation(
                id=ids.uuid(),
                resource_name=database.name,
                resource_type=_model.enum_value("ResourceType", _DATABASE),
                created_at=now,
                region=region,
                availability_zone=database.availability_zone,
                is_terminal=False,
                operation_details=snapshot_name,
                operation_type=operation_type,
                status=status,
                status_changed_at=now,
            ),
        )
        world.snapshots[(region, snapshot_name)] = snapshot
        world.add_operations(operations)
    return {"operations": [operation.to_wire() for operation in operations]}


#: The operations the stub serves, by their wire name.
OPERATIONS: Mapping[str, Handler] = {
    "CreateRelationalDatabaseSnapshot": create_relational_database_snapshot,
}
