"""JSON 1.1 on the wire: the request both front doors hand to the dispatch, and its answer."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import _model

CONTENT_TYPE = "application/x-amz-json-1.1"

# Headers that carry secrets or signatures; they never enter the call log.
_SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token", "x-amz-content-sha256"})
#: Set by the botocore door on unsigned requests, whose Region no signing scope carries.
REGION_HEADER = "x-lightsail-stub-region"
_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([^/,\s]+)/")
_HOST_REGION = re.compile(r"lightsail\.([a-z0-9-]+)\.amazonaws\.")
_ATTEMPT = re.compile(r"(?:^|;)\s*attempt=(\d{1,9})(?!\d)")
_MAX = re.compile(r"(?:^|;)\s*max=(\d{1,9})(?!\d)")

# Lightsail's error bodies carry a "code" beside "__type". Which code goes with which
# shape is not documented: these are assumed (see docs/fidelity.md).
ERROR_CODES: Mapping[str, str] = {
    "InvalidInputException": "InvalidInput",
    "NotFoundException": "DoesNotExist",
    "OperationFailureException": "OperationFailure",
    "AccessDeniedException": "AccessDenied",
    "AccountSetupInProgressException": "AccountSetupInProgress",
    "RegionSetupInProgressException": "RegionSetupInProgress",
    "UnauthenticatedException": "Unauthenticated",
    "ServiceException": "InternalFailure",
}
_TIP = "Correct the request as the message says, then try again."
DOCS_URL = "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_{operation}.html"


@dataclass(frozen=True)
class WireRequest:
    """What arrived: the operation from ``X-Amz-Target``, the raw body, the region from the
    signing scope, and the non-secret headers."""

    operation: str
    body: bytes
    region: str
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The attempt number botocore sends in ``amz-sdk-request`` (1 when absent).
    attempt: int = field(init=False, repr=False, compare=False)
    #: The caller's ``max_attempts``, when botocore sends it in ``amz-sdk-request``.
    max_attempts: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Read once here: the dispatch, the scenarios and the call log all need them.
        sdk_request = str(self.headers.get("amz-sdk-request", ""))
        match = _ATTEMPT.search(sdk_request)
        object.__setattr__(self, "attempt", int(match.group(1)) if match else 1)
        match = _MAX.search(sdk_request)
        object.__setattr__(self, "max_attempts", int(match.group(1)) if match else None)

    @property
    def invocation_id(self) -> str | None:
        """Shared by every attempt (retry) of one logical call."""
        value = self.headers.get("amz-sdk-invocation-id")
        return None if value is None else str(value)[:64]


@dataclass(frozen=True)
class WireResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes


def from_http(
    target: str | None,
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    default_region: str | None,
) -> tuple[str | None, WireRequest]:
    """Build a :class:`WireRequest` from an HTTP request (either front door).

    The Region comes from the signing scope, else the stub's own header, else the
    ``lightsail.<region>.amazonaws.com`` host, else ``default_region`` (``""`` if none: the
    dispatch then refuses the call). Returns the operation name (``None`` when the target
    is not Lightsail's) and the request.
    """
    public, authorization, region_header = {}, "", None
    for key, value in headers.items():
        name = key.lower()
        if name == "authorization":
            authorization = value
        elif name == REGION_HEADER:
            region_header = value
        elif name not in _SECRET_HEADERS:
            public[name] = value
    region = (
        signed_region(authorization)
        or region_header
        or _first_group(_HOST_REGION, url)
        or default_region
        or ""
    )
    prefix = _model.target_prefix() + "."
    operation = target[len(prefix) :] if target and target.startswith(prefix) else None
    return operation, WireRequest(operation or "", body, region, public)


def signed_region(authorization: str) -> str | None:
    """The Region in a SigV4 ``Authorization`` header's credential scope, if any."""
    return _first_group(_SCOPE, authorization)


def _first_group(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def refuse_constant(name: str) -> Any:
    """``json.loads(..., parse_constant=refuse_constant)``: ``NaN``, ``Infinity`` and
    ``-Infinity`` are not JSON (RFC 8259), though Python's parser takes them by default."""
    raise ValueError(f"{name} is not a JSON value (RFC 8259 has no NaN or Infinity)")


def finite_float(text: str) -> float:
    """``json.loads(..., parse_float=finite_float)``: a number too large for a double
    (``1e400``) would become ``inf``, which no Lightsail member can hold."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large (it overflows a double)")
    return value


def to_epoch(value: datetime) -> float:
    """JSON 1.1 timestamps are epoch seconds; Lightsail sends milliseconds (1479816991.349)."""
    return round(value.timestamp(), 3)


def encode(document: Mapping[str, Any]) -> bytes:
    return _ENCODER.encode(document).encode()


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return to_epoch(value)
    raise TypeError(f"cannot encode {type(value).__name__} in a Lightsail response")


# One encoder for the process: json.dumps with options builds a new one per call (a few µs,
# on every request). The dispatch keeps its decoders the same way.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_default)


def headers(request_id: str, body: bytes) -> dict[str, str]:
    return {
        "x-amzn-RequestId": request_id,
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
    }


def error_body(
    shape: str,
    message: str,
    *,
    operation: str,
    code: str | None = None,
    docs: str | None = None,
    tip: str | None = None,
) -> bytes:
    """Lightsail's error body: ``__type`` (botocore's ``Error.Code``), then the members every
    Lightsail error shape models: ``code``, ``docs``, ``message``, ``tip``."""
    return encode(
        {
            "__type": shape,
            "code": code if code is not None else ERROR_CODES.get(shape, shape),
            "docs": docs if docs is not None else DOCS_URL.format(operation=operation or "Welcome"),
            "message": message,
            "tip": tip if tip is not None else _TIP,
        }
    )
