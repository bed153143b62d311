"""Wire request -> decode -> model types -> the operation (rules, world) -> wire response.

Both front doors call :func:`dispatch`; nothing here knows which door a request came in by.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import botocore.parsers
from botocore.model import ListShape, Shape, StructureShape

from . import _model, _wire
from ._errors import (
    LightsailStubError,
    ScenarioError,
    ServiceError,
    UnhandledOperationError,
    UnsupportedRegionError,
    safe_repr,
)
from ._operations import FAILS_LATER, OPERATIONS, Context, can_fail_later
from ._rules import describe_value
from ._wire import WireRequest, WireResponse
from .scenarios import LightsailError, Outcome, Proceed, TransportFault

#: Asks the stub's scenarios about a call: the outcome (``None``: behave normally) and which
#: scenarios acted (for the call log).
Ask = Callable[[str, Mapping[str, Any]], tuple[Outcome | None, str | None]]

#: What botocore raises for each transport fault (the call log names it).
FAULT_ERRORS: Mapping[str, str] = {
    "connection-error": "EndpointConnectionError",
    "connect-timeout": "ConnectTimeoutError",
    "read-timeout": "ReadTimeoutError",
    "connection-closed": "ConnectionClosedError",
}


@dataclass(frozen=True)
class Call:
    """One intercepted request and the stub's answer, as kept in ``stub.calls``.

    ``params`` are the decoded request parameters; ``response`` is the JSON document sent
    back on success (timestamps as epoch seconds, as on the wire); ``error_code`` and
    ``error_message`` are set when the answer was an error. ``status`` is the HTTP status,
    or ``None`` when there was no HTTP answer: a transport fault (``error_code`` is what
    botocore raised, e.g. ``"ReadTimeoutError"``) or a library error (``error_code`` is its
    class name, e.g. ``"UnhandledOperationError"``). ``scenario`` names the scenarios that
    acted on the call (``None``: none did). No header, signature or credential is kept.
    """

    operation: str
    params: Mapping[str, Any]
    region: str
    attempt: int
    status: int | None
    request_id: str
    response: Mapping[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    invocation_id: str | None = field(default=None, repr=False)
    scenario: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def answer(self) -> str:
        """``"200 OK"``, ``"400 NotFoundException"``, ``"ReadTimeoutError"``..."""
        return "200 OK" if self.ok else f"{self.status or ''} {self.error_code}".strip()

    def __repr__(self) -> str:
        by = f" by {self.scenario}" if self.scenario else ""
        return (
            f"<Call {self.operation} region={self.region!r} attempt={self.attempt} "
            f"-> {self.answer}{by}>"
        )


Answer = WireResponse | TransportFault | LightsailStubError


def dispatch(
    ctx: Context, wire: WireRequest, request_id: str, ask: Ask | None = None
) -> tuple[Answer, Call]:
    """Answer one wire request, and say how in a :class:`Call`.

    The steps: decode the body, check the Region and the JSON types, ask the scenarios
    (``ask``), then run the operation (rules, then the world) unless a scenario answered.

    The answer is a :class:`TransportFault` when a scenario says the network failed (the
    front door raises or drops the connection), and a library error instead of a response
    when the test itself is wrong (an operation the stub does not serve, a Region Lightsail
    does not run in, a rule or a scenario that raised): the front door raises it, so such a
    call is never passed on to AWS."""
    operation = wire.operation
    params: Mapping[str, Any] = MappingProxyType({})
    attempt, invocation_id = wire.attempt, wire.invocation_id
    scenario: str | None = None

    def call(status: int | None, **answer: Any) -> Call:
        return Call(
            operation,
            params,
            ctx.region,
            attempt,
            status,
            request_id,
            invocation_id=invocation_id,
            scenario=scenario,
            **answer,
        )

    outcome: Outcome | None = None
    try:
        decoded = _decode(wire.body)
        # A deep read-only copy for the call log and the scenarios (nothing they do can
        # change what the operation sees), made while checking the JSON types.
        params, problem = _checked_copy(operation, decoded)
        _check_operation(operation, ctx.region)
        if problem is not None:
            raise problem
        if ask is not None:
            outcome, scenario = ask(operation, params)
        if isinstance(outcome, LightsailError):
            return _error_answer(outcome, operation, request_id, call)
        if isinstance(outcome, TransportFault) and not outcome.processed:
            return outcome, call(None, **_fault(outcome))
        handler = OPERATIONS.get(operation)
        if handler is None:
            raise UnhandledOperationError(unhandled_message(operation))
        if isinstance(outcome, Proceed) and outcome.fail_later is not None:
            if not can_fail_later(operation, params):
                creates = sorted(FAILS_LATER - {"DeleteRelationalDatabase"})
                raise ScenarioError(
                    f"the scenario {scenario} asked {operation} to fail later, but only "
                    f"{', '.join(creates)}, and DeleteRelationalDatabase with a "
                    "finalRelationalDatabaseSnapshotName, start something that can fail later"
                )
            ctx = replace(ctx, fail_later=outcome.fail_later)
        document = handler(ctx, decoded)
    except ServiceError as error:
        body = _wire.error_body(error.shape, error.message, operation=operation)
        status = _model.error_status(error.shape)
        if isinstance(outcome, TransportFault):  # carried out (and refused), answer lost
            lost = f"{_fault(outcome)['error_message']}; the lost answer: {status} {error.shape}"
            return outcome, call(None, error_code=FAULT_ERRORS[outcome.kind], error_message=lost)
        logged = call(status, error_code=error.shape, error_message=error.message)
        return WireResponse(status, _wire.headers(request_id, body), body), logged
    except LightsailStubError as error:
        return error, call(None, error_code=type(error).__name__, error_message=str(error))
    except Exception as error:  # a bug in lightsail-stub: say so, never as botocore's
        wrapped = LightsailStubError(
            f"lightsail-stub failed while answering {operation} ({type(error).__name__}: "
            f"{error}); this is a bug in lightsail-stub, please report it with this call: "
            f"{describe_value(dict(params), limit=300)}"
        )
        wrapped.__cause__ = error
        return wrapped, call(None, error_code=type(wrapped).__name__, error_message=str(wrapped))
    body = document if isinstance(document, bytes) else _wire.encode(document)
    if isinstance(outcome, Proceed) and outcome.change is not None:
        changed = _changed(outcome, body, scenario, operation, request_id)
        if isinstance(changed, LightsailStubError):
            return changed, call(
                None, error_code=type(changed).__name__, error_message=str(changed)
            )
        body = changed
    # The call log's copy of the answer: a mapping proxy, as ever, of a document decoded
    # only if it is read (most call logs never are).
    sent = MappingProxyType(Sent(body))
    if isinstance(outcome, TransportFault):  # processed, then the answer was lost
        return outcome, call(None, response=sent, **_fault(outcome))
    logged = call(200, response=sent)
    return WireResponse(200, _wire.headers(request_id, body), body), logged


class Sent(Mapping[str, Any]):
    """The JSON document of a response, decoded from the bytes sent when first read. What
    a ``mappingproxy`` of it asks of it is here (``copy()``, ``|``, ``reversed()``), so the
    call log's proxy behaves as a proxy of the decoded dict would."""

    __slots__ = ("_body", "_members")

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._members: dict[str, Any] | None = None

    def _read(self) -> dict[str, Any]:
        members = self._members
        if members is None:
            members = self._members = json.loads(self._body)
        return members

    def __getitem__(self, key: str) -> Any:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return repr(self._read())

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._read())

    def copy(self) -> dict[str, Any]:
        return self._read().copy()

    def __or__(self, other: Any) -> Any:
        return self._read() | other

    def __ror__(self, other: Any) -> Any:
        return other | self._read()


def _fault(fault: TransportFault) -> dict[str, str]:
    lost = " after the request was carried out" if fault.processed else ""
    return {
        "error_code": FAULT_ERRORS[fault.kind],
        "error_message": f"simulated {fault.kind}{lost}: no HTTP answer",
    }


def _error_answer(
    error: LightsailError, operation: str, request_id: str, call: Callable[..., Call]
) -> tuple[Answer, Call]:
    """A scenario's Lightsail error. Modeled shapes get Lightsail's full error body; other
    codes (``ThrottlingException``...) only ``__type`` and ``message``, as AWS's front end
    answers them, plus what the scenario gave."""
    message = error.message or ""
    if error.code in _model.error_shapes():
        body = _wire.error_body(
            error.code,
            message,
            operation=operation,
            code=error.lightsail_code,
            docs=error.docs,
            tip=error.tip,
        )
        status = error.status or _model.error_status(error.code)
    else:
        document = {"__type": error.code, "message": message}
        extras = {"code": error.lightsail_code, "docs": error.docs, "tip": error.tip}
        document.update({k: v for k, v in extras.items() if v is not None})
        body = _wire.encode(document)
        status = error.status or _UNMODELED_STATUS.get(error.code, 400)
    logged = call(status, error_code=error.code, error_message=message)
    return WireResponse(status, _wire.headers(request_id, body), body), logged


_UNMODELED_STATUS: Mapping[str, int] = {"ServiceUnavailable": 503, "InternalFailure": 500}


def _changed(
    outcome: Proceed, sent: bytes, scenario: str | None, operation: str, request_id: str
) -> bytes | LightsailStubError:
    """The changed response, once botocore's own parser has accepted it: members may be
    missing, added or of surprising values, but a document botocore can't parse at all
    (a list where the model has a structure, a timestamp that is not one) would reach the
    caller as botocore's internal error, so it is the scenario's error instead."""
    assert outcome.change is not None
    try:
        changed = outcome.change(json.loads(sent))  # a copy the change may edit
        if not isinstance(changed, dict):
            raise TypeError(f"it returned {type(changed).__name__}, not a dict")
        body = _wire.encode(changed)
        output_shape = _model.operation_model(operation).output_shape
        if output_shape is not None:
            response = {
                "body": body,
                "headers": _wire.headers(request_id, body),
                "status_code": 200,
            }
            _json_parser().parse(response, output_shape)
    except Exception as error:
        return ScenarioError(
            f"the scenario {scenario} failed to change the {operation} response: "
            f"{type(error).__name__}: {error}"
        )
    return body


@functools.cache
def _json_parser() -> Any:
    return botocore.parsers.create_parser("json")


def freeze(value: Any) -> Any:
    """A deep read-only copy of decoded JSON: objects as mapping proxies, arrays as tuples."""
    if isinstance(value, dict):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(freeze(item) for item in value)
    return value


def _check_operation(operation: str, region: str) -> None:
    if operation not in _model.operation_names():
        raise UnhandledOperationError(unhandled_message(operation))
    _check_region(operation, region)


def _check_region(operation: str, region: str) -> None:
    if not region:
        raise UnsupportedRegionError(
            f"could not tell which Region this {operation} call was made in (no signing "
            "scope, no lightsail.<region>.amazonaws.com host); create the client with "
            "region_name=..."
        )
    if region not in _model.enum("RegionName"):
        raise UnsupportedRegionError(
            f"{operation} was called for Region {safe_repr(region)}, where the botocore model "
            f"says Lightsail does not run (RegionName lists: {', '.join(_model.regions())}). "
            "Create the client with one of those region_name values."
        )


def unhandled_message(operation: str) -> str:
    served = ", ".join(sorted(OPERATIONS))
    return (
        f"lightsail-stub does not serve the Lightsail operation {operation!r} yet, and never "
        f"passes a call on to AWS. Operations it serves: {served}. Remove the call from the "
        "code under test, or stop the stub around it."
    )


def _decode(body: bytes) -> Mapping[str, Any]:
    """The body as a JSON object, with ``null`` members dropped: AWS JSON services treat a
    member sent as ``null`` as one not sent."""
    if not body:
        return {}
    try:
        # UTF-8 only, as the protocol says (json.loads would also guess UTF-16 or a BOM).
        text = body.decode("utf-8")
        # Most bodies have no null at all: skip the per-object hook for them.
        if text.startswith("\ufeff"):  # what json.loads says (the decoder alone doesn't)
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        decoder = _DROPPING_NULLS if "null" in text else _DECODER
        document = decoder.decode(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        message = f"the request body is not JSON: {error}"
        raise ServiceError("SerializationException", message) from None
    if not isinstance(document, dict):
        raise ServiceError(
            "SerializationException",
            f"the request body must be a JSON object, got {type(document).__name__}",
        )
    return document


def _without_nulls(members: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in members.items() if value is not None}


# Built once: json.loads with options builds a decoder per call.
_DECODER = json.JSONDecoder(parse_constant=_wire.refuse_constant, parse_float=_wire.finite_float)
_DROPPING_NULLS = json.JSONDecoder(
    object_hook=_without_nulls,
    parse_constant=_wire.refuse_constant,
    parse_float=_wire.finite_float,
)


_JSON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float, str),
    "list": (list,),
    "structure": (dict,),
    "map": (dict,),
}

_SCALARS = frozenset({"string", "boolean", "integer", "long", "float", "double", "timestamp"})

#: Where a value sits in the request, for error messages only: a path (``""`` for the
#: body), or its container's place and its key or index. Formatted only on error.
Where = str | tuple["Where", str | int | None]

#: Checks a decoded value (at ``key`` of the container at ``where``) against its model
#: shape and returns its read-only copy (objects as mapping proxies, arrays as tuples);
#: raises the first type problem as a ServiceError.
Check = Callable[[Any, Where, str | int | None], Any]


def _checked_copy(operation: str, decoded: Mapping[str, Any]) -> tuple[Any, ServiceError | None]:
    """The read-only copy of the request parameters, and the first place where they don't
    have the JSON type the model gives them (``None``: none).

    botocore checks the types already for its own clients (unless ``parameter_validation``
    is off); this is for what gets past it, so that bad input gets a Lightsail answer and
    never an internal error. Members the model doesn't know are kept but not checked
    (assumed: what AWS JSON services usually do)."""
    try:
        check = checker(operation) if operation in _model.operation_names() else None
        if check is None:
            return freeze(decoded), None
        try:
            return check(decoded, "", None), None
        except ServiceError as problem:
            return freeze(decoded), problem
    except RecursionError:
        message = "the request body is nested too deeply"
        raise ServiceError("SerializationException", message) from None


@functools.cache
def checker(operation: str) -> Check | None:
    """The compiled type check of ``operation``'s input (built once per operation)."""
    shape = _model.operation_model(operation).input_shape
    return None if shape is None else _compile(shape, {})


def _compile(shape: Shape, compiled: dict[str, Check]) -> Check:
    known = compiled.get(shape.name)
    if known is not None:
        return known
    expected = _JSON_TYPES.get(shape.type_name, (object,))
    bool_allowed = bool in expected

    def wrong_type(value: Any, where: Where, key: str | int | None) -> ServiceError:
        return ServiceError(
            "SerializationException",
            f"{_path(where, key) or 'the request'} must be a {shape.type_name}, got "
            f"{type(value).__name__} {describe_value(value)}",
        )

    if isinstance(shape, StructureShape):
        members: dict[str, Check] = {}  # filled below: shapes may recurse
        required = tuple(shape.required_members)
        # The exact types json.loads gives that each scalar member takes (compared with
        # type(), so a bool is no integer); anything else goes through the member's check.
        scalars = {
            name: frozenset(_JSON_TYPES[s.type_name])
            for name, s in shape.members.items()
            if s.type_name in _SCALARS
        }

        def check_structure(value: Any, parent: Where, key: str | int | None) -> Any:
            if not isinstance(value, dict):
                raise wrong_type(value, parent, key)
            where = (parent, key)
            for name in required:
                if value.get(name) is None:
                    raise ServiceError(
                        "InvalidInputException",
                        f"{_path(where, name)} is required but missing from the request.",
                    )
            copy = None  # the decoded object itself, read-only, unless a member changes
            for name, item in value.items():
                if type(item) in scalars.get(name, ()):
                    continue  # the usual case, checked inline: a string, a number...
                check = members.get(name)
                if check is not None:
                    frozen = check(item, where, name)
                elif isinstance(item, (dict, list)):
                    frozen = freeze(item)
                else:
                    continue
                if frozen is not item:
                    if copy is None:
                        copy = dict(value)
                    copy[name] = frozen
            return MappingProxyType(value if copy is None else copy)

        compiled[shape.name] = check_structure  # before the members: shapes may recurse
        members.update({name: _compile(s, compiled) for name, s in shape.members.items()})
        return check_structure
    if isinstance(shape, ListShape):
        member: list[Check] = []

        def check_list(value: Any, parent: Where, key: str | int | None) -> Any:
            if not isinstance(value, list):
                raise wrong_type(value, parent, key)
            check, where = member[0], (parent, key)
            return tuple([check(item, where, index) for index, item in enumerate(value)])

        compiled[shape.name] = check_list
        member.append(_compile(shape.member, compiled))
        return check_list

    def check_value(value: Any, parent: Where, key: str | int | None) -> Any:
        if not isinstance(value, expected) or (isinstance(value, bool) and not bool_allowed):
            raise wrong_type(value, parent, key)
        return freeze(value) if isinstance(value, dict) else value  # a map: not looked into

    compiled[shape.name] = check_value
    return check_value


def _path(where: Where, key: str | int | None = None) -> str:
    path = where if isinstance(where, str) else _path(*where)
    if key is None:
        return path
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
