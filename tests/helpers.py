"""Helpers shared by the tests: real clients, and the model's own validator."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import ListShape, Shape, StructureShape
from botocore.validate import validate_parameters

from lightsail_stub import _model


def client(region: str = "eu-west-2", *, credentials: bool = False, **config: Any) -> Any:
    """A real boto3 Lightsail client; no retries unless asked, so a failure shows at once.
    ``credentials=True`` gives it explicit dummy keys, for use outside any stub."""
    config.setdefault("retries", {"mode": "standard", "total_max_attempts": 1})
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(
        "lightsail", region_name=region, config=Config(**config), **(keys if credentials else {})
    )


def botocore_client(region: str = "eu-west-2") -> Any:
    return botocore.session.get_session().create_client("lightsail", region_name=region)


def assert_valid_output(
    operation: str, response: dict[str, Any], wire: Mapping[str, Any] | None = None
) -> None:
    """The parsed response passes botocore's validator against the operation's output shape,
    plus enum and pattern checks; and the wire document (before botocore's parser drops
    what it doesn't know) has no member the shape lacks."""
    document = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    shape = _model.operation_model(operation).output_shape
    assert shape is not None
    validate_parameters(document, shape)
    _check_enums_and_patterns(document, shape, operation)
    if wire is not None:
        _check_no_unknown_members(wire, shape, operation)


def _check_no_unknown_members(value: Any, shape: Shape, path: str) -> None:
    if isinstance(shape, StructureShape):
        assert isinstance(value, Mapping), path
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path} has members the model does not define: {unknown}"
        for name, item in value.items():
            _check_no_unknown_members(item, shape.members[name], f"{path}.{name}")
    elif isinstance(shape, ListShape):
        for index, item in enumerate(value):
            _check_no_unknown_members(item, shape.member, f"{path}[{index}]")


def _check_enums_and_patterns(value: Any, shape: Shape, path: str) -> None:
    """What botocore's validator leaves out: enum membership and string patterns."""
    if isinstance(shape, StructureShape):
        for name, item in value.items():
            _check_enums_and_patterns(item, shape.members[name], f"{path}.{name}")
    elif isinstance(shape, ListShape):
        for index, item in enumerate(value):
            _check_enums_and_patterns(item, shape.member, f"{path}[{index}]")
    elif shape.type_name == "string":
        enum = shape.metadata.get("enum")
        assert enum is None or value in enum, f"{path}={value!r} is not in {shape.name}"
        pattern = shape.metadata.get("pattern")
        assert pattern is None or re.fullmatch(pattern, value, re.ASCII), (
            f"{path}={value!r} does not match {pattern}"
        )


def create(c: Any, database: str = "orders-db", snapshot: str = "orders-db-1", **extra: Any) -> Any:
    return c.create_relational_database_snapshot(
        relationalDatabaseName=database, relationalDatabaseSnapshotName=snapshot, **extra
    )


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    """The Lightsail error code and message that ``call(**params)`` raises."""
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]
