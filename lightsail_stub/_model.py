"""The installed botocore service model: the one source of truth for shapes and enums.

Nothing here copies the model by hand. The model is loaded once per process (lazily, so
``import lightsail_stub`` stays cheap) and every enum value the stub writes is checked
against it, so a model that drops or renames a value fails loudly instead of drifting.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

SERVICE_NAME = "lightsail"


_offered: list[ServiceModel] = []


def offer(model: OperationModel | None = None, **kwargs: Any) -> None:
    """``before-parameter-build.lightsail`` handler: the first Lightsail call hands over the
    model its client already loaded, so the stub does not parse the same large file again
    (about 30 ms on the first call of a process). It is the very model the client uses."""
    if not _offered and model is not None:
        _offered.append(model.service_model)


@functools.cache
def _raw_model() -> dict[str, Any]:
    model: dict[str, Any] = Loader().load_service_model(SERVICE_NAME, "service-2")
    return model


@functools.cache
def service_model() -> ServiceModel:
    """The Lightsail model: the one the first intercepted client uses, else the installed
    botocore's."""
    if _offered:
        return _offered[0]
    return ServiceModel(_raw_model(), SERVICE_NAME)


@functools.cache
def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


@functools.cache
def operation_names() -> frozenset[str]:
    return frozenset(service_model().operation_names)


@functools.cache
def target_prefix() -> str:
    """``Lightsail_20161128``: the ``X-Amz-Target`` prefix of the JSON 1.1 protocol."""
    prefix = service_model().metadata["targetPrefix"]
    assert isinstance(prefix, str)
    return prefix


@functools.cache
def enum(shape_name: str) -> frozenset[str]:
    """The values of an enum shape, e.g. ``enum("RegionName")``."""
    values: list[str] = service_model().shape_for(shape_name).metadata.get("enum", [])
    return frozenset(values)


def enum_value(shape_name: str, value: str) -> str:
    """Return ``value`` after checking that the installed model lists it in ``shape_name``."""
    if value not in enum(shape_name):
        raise RuntimeError(
            f"the installed botocore model has no {value!r} in {shape_name}; "
            "lightsail-stub needs updating for this botocore version"
        )
    return value


@functools.cache
def regions() -> tuple[str, ...]:
    """Regions where the model says Lightsail resources can live (the ``RegionName`` enum)."""
    values: list[str] = service_model().shape_for("RegionName").metadata.get("enum", [])
    return tuple(values)


@functools.cache
def error_shapes() -> frozenset[str]:
    """Names of the model's error shapes (``NotFoundException``, ``ServiceException``...)."""
    model = service_model()
    return frozenset(
        name for name in model.shape_names if model.shape_for(name).metadata.get("exception")
    )


@functools.cache
def error_status(shape_name: str) -> int:
    """HTTP status for a modeled error: 5xx for shapes the model marks as faults."""
    # botocore's Shape drops the "fault" trait, so read it from the raw model (loaded once,
    # the first time an error is answered).
    raw = _raw_model()["shapes"].get(shape_name, {})
    status = raw.get("error", {}).get("httpStatusCode")
    if isinstance(status, int):
        return status
    return 500 if raw.get("fault") else 400
