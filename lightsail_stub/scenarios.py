"""Scenarios: what Lightsail answers, call by call.

A *scenario* is any callable that takes the incoming :class:`Request` and returns an
*outcome* (:class:`Proceed`, :class:`LightsailError`, :class:`TransportFault`,
:class:`Delay`), or ``None`` to let the next scenario decide. A stub consults its scenarios
in order; the first outcome other than :class:`Delay` wins, and when none answers the stub
behaves normally (rules, then the in-memory account).

The built-ins below are scenarios of exactly that kind, so your own can delegate to them::

    def no_prod(call):
        if call.params.get("relationalDatabaseName", "").startswith("prod-"):
            return fail("AccessDeniedException", "no prod")(call)
        return None

Scenarios are asked after the request was decoded and type-checked, and before the
documented rules are checked: like AWS, which throttles and authenticates a request before
it validates it.
"""

from __future__ import annotations

import difflib
import functools
import json
import random
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, runtime_checkable

from botocore import xform_name

from . import _model
from ._errors import safe_repr
from ._operations import can_fail_later

if TYPE_CHECKING:
    from ._stub import LightsailStub

__all__ = [
    "ENTRY_POINT_GROUP",
    "MAX_DELAY",
    "Delay",
    "LightsailError",
    "Outcome",
    "Proceed",
    "Request",
    "Scenario",
    "TransportFault",
    "chaos",
    "connection_error",
    "fail",
    "fail_later",
    "for_operation",
    "latency",
    "modify_response",
    "names",
    "normal",
    "read_timeout",
    "register",
    "resolve",
    "sequence",
    "server_error",
    "throttle",
    "times",
    "unregister",
    "when",
]


# -- what a scenario sees ----------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One incoming call, as a scenario sees it.

    - ``operation``: the wire name, e.g. ``"CreateRelationalDatabaseSnapshot"``;
    - ``params``: the decoded request parameters, read-only all the way down (objects as
      mapping proxies, arrays as tuples; JSON ``null`` members dropped);
    - ``region``: the Region the call was made in;
    - ``attempt``: botocore's attempt number for this call (1, then 2 on the first retry...);
    - ``max_attempts``: the caller's ``max_attempts`` when botocore sends it (standard and
      adaptive retry modes; botocore 1.36 only from the first retry on), else ``None``;
    - ``index``: how many calls this stub received before this one (retries count);
    - ``now``: the stub's clock when the call arrived;
    - ``stub``: the :class:`~lightsail_stub.LightsailStub`, to read its state
      (``stub.snapshots``, ``stub.calls``...). Don't start or stop it from a scenario.
    """

    operation: str
    params: Mapping[str, Any]
    region: str
    attempt: int
    max_attempts: int | None
    index: int
    now: datetime
    stub: LightsailStub = field(repr=False, compare=False)


# -- what a scenario answers -------------------------------------------------------------


@dataclass(frozen=True)
class Proceed:
    """Answer normally (rules, then the in-memory account).

    ``change``, if given, receives a copy of the successful response document as it goes on
    the wire (timestamps as epoch seconds) and returns the document to send instead, so a
    test can check how its caller copes with a surprising response (members missing, added,
    with odd values). It must stay something botocore's parser can read, else the call is a
    ``ScenarioError``. Errors are not changed.

    ``fail_later=(error_code, error_details)``: the call is accepted as usual, but the
    lifecycle it starts ends in failure (see :func:`fail_later`). Only for calls that start
    one (the creates, and ``DeleteRelationalDatabase`` with a
    ``finalRelationalDatabaseSnapshotName``); on any other call it is a ``ScenarioError``.
    """

    change: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    fail_later: tuple[str, str] | None = None


@dataclass(frozen=True)
class LightsailError:
    """Answer a Lightsail error: what the caller sees is a botocore ``ClientError`` whose
    ``response["Error"]["Code"]`` is ``code`` (the modeled exception class, e.g.
    ``client.exceptions.NotFoundException``, when ``code`` is one of Lightsail's error
    shapes).

    ``status`` defaults to the model's (500 for ``ServiceException``, 400 for the other
    shapes), 503 for ``ServiceUnavailable``, 500 for ``InternalFailure``, else 400.
    ``lightsail_code``, ``tip`` and ``docs`` are the ``code``, ``tip`` and ``docs`` members of
    Lightsail's error body; for codes the model doesn't define, the body has only ``__type``
    and ``message`` unless you give them (like the errors AWS's front end answers).
    """

    code: str
    message: str | None = None
    status: int | None = None
    tip: str | None = None
    docs: str | None = None
    lightsail_code: str | None = None

    def __post_init__(self) -> None:
        _check_error("LightsailError", self.code, self.status)
        for option in ("message", "tip", "docs", "lightsail_code"):
            text = getattr(self, option)
            if text is not None and not isinstance(text, str):
                raise TypeError(
                    f"LightsailError({safe_repr(self.code)}): {option} must be a str, got "
                    f"{safe_repr(text)}"
                )


def _check_error(function: str, code: object, status: object) -> None:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(
            f"{function}(): code must be an error code such as 'NotFoundException', got "
            f"{safe_repr(code)}"
        )
    if status is not None and (
        not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599
    ):
        raise ValueError(
            f"{function}({safe_repr(code)}): status must be an HTTP error status (400-599), got "
            f"{safe_repr(status)}"
        )


FaultKind: TypeAlias = Literal[
    "connection-error", "connect-timeout", "read-timeout", "connection-closed"
]


@dataclass(frozen=True)
class TransportFault:
    """No HTTP answer: botocore raises what it raises when the network fails
    (``EndpointConnectionError``, ``ConnectTimeoutError``, ``ReadTimeoutError``,
    ``ConnectionClosedError``), and its retry handler treats it as it would the real one.

    ``processed=True`` (read timeouts and closed connections only): the stub carried out the
    request before the answer was lost, as happens with real services, so a retry may find
    the snapshot already exists.
    """

    kind: FaultKind
    processed: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.processed, bool):
            raise TypeError(
                f"TransportFault: processed must be True or False, got {safe_repr(self.processed)}"
            )
        if self.kind not in _FAULT_KINDS:
            raise ValueError(
                f"TransportFault kind must be one of {', '.join(_FAULT_KINDS)}; got "
                f"{safe_repr(self.kind)}"
            )
        if self.processed and self.kind not in ("read-timeout", "connection-closed"):
            raise ValueError(
                f"TransportFault({safe_repr(self.kind)}, processed=True): a request that never "
                "connected can't have been processed; processed=True is for 'read-timeout' "
                "and 'connection-closed'"
            )


_FAULT_KINDS: tuple[FaultKind, ...] = (
    "connection-error",
    "connect-timeout",
    "read-timeout",
    "connection-closed",
)


@dataclass(frozen=True)
class Delay:
    """Virtual latency: move the stub's clock forward by ``seconds`` (nothing sleeps), then
    let the following scenarios decide."""

    seconds: float

    def __post_init__(self) -> None:
        _check_seconds("Delay", self.seconds)


#: The longest virtual latency: ten years is more than any test needs, and far from the
#: end of ``datetime``.
MAX_DELAY = 10 * 365.25 * 86400


def _check_seconds(function: str, seconds: object) -> None:
    if (
        not isinstance(seconds, (int, float))
        or isinstance(seconds, bool)
        or not 0 <= seconds <= MAX_DELAY  # also false for NaN
    ):
        raise ValueError(
            f"{function}(seconds={safe_repr(seconds)}): seconds must be a number from 0 to "
            f"{MAX_DELAY:.0f} (ten years)"
        )


Outcome: TypeAlias = Proceed | LightsailError | TransportFault | Delay
_OUTCOME_TYPES = (Proceed, LightsailError, TransportFault, Delay)


@runtime_checkable
class Scenario(Protocol):
    """A callable ``(request) -> outcome | None``. Optional extras the stub uses when present:
    ``reset()`` (called by ``stub.reset()``) and ``unused()`` (descriptions of what was
    meant to answer and didn't, checked by ``assert_all_used=True``)."""

    def __call__(self, call: Request, /) -> Outcome | None: ...


# -- the built-ins -----------------------------------------------------------------------


class _Builtin:
    """Shared plumbing: an optional answer budget (``times``), a lock, a readable repr."""

    def __init__(self, limit: int | None) -> None:
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit < 1
        ):
            raise ValueError(f"times must be a positive int or None, got {safe_repr(limit)}")
        self._limit = limit
        self._answered = 0
        # Re-entrant: a predicate may itself make a Lightsail call (in the same thread).
        self._lock = threading.RLock()

    def __call__(self, call: Request, /) -> Outcome | None:
        with self._lock:
            if self._limit is not None and self._answered >= self._limit:
                return None
            outcome = self._decide(call)
            if outcome is not None:
                self._answered += 1
            return outcome

    def _decide(self, call: Request) -> Outcome | None:
        raise NotImplementedError

    @property
    def answered(self) -> int:
        """How many calls this scenario has answered."""
        return self._answered

    def reset(self) -> None:
        with self._lock:
            self._answered = 0
        for child in self._children():
            reset = getattr(child, "reset", None)
            if callable(reset):
                reset()

    def unused(self) -> list[str]:
        found: list[str] = []
        if self._limit is not None and self._answered < self._limit:
            found.append(f"{self!r} answered {self._answered} of {safe_repr(self._limit)} time(s)")
        for child in self._children():
            found.extend(_unused(child))
        return found

    def _children(self) -> Sequence[Scenario]:
        return ()

    def _times(self) -> str:
        return "" if self._limit is None else f"times={safe_repr(self._limit)}"


def _unused(scenario: object) -> list[str]:
    method = getattr(scenario, "unused", None)
    if not callable(method):
        return []
    result = method()
    return [str(item) for item in result] if isinstance(result, Iterable) else []


def _args(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


class _Answer(_Builtin):
    """A scenario that always gives one outcome (within its budget)."""

    def __init__(self, name: str, args: str, outcome: Outcome, limit: int | None) -> None:
        super().__init__(limit)
        self._name, self._arg_text, self._outcome = name, args, outcome

    def _decide(self, call: Request) -> Outcome | None:
        return self._outcome

    def __repr__(self) -> str:
        return f"{self._name}({_args(self._arg_text, self._times())})"


def normal(*, times: int | None = None) -> _Answer:
    """The caller sees the normal answer. Useful as a step of :func:`sequence` or as the
    last word that stops later scenarios from answering."""
    return _Answer("normal", "", Proceed(), times)


def modify_response(
    change: Callable[[dict[str, Any]], dict[str, Any]], *, times: int | None = None
) -> _Answer:
    """The caller sees the normal response after ``change`` rewrote the wire document (see
    :class:`Proceed`): e.g. drop a member, add one the model doesn't know, change a state."""
    if not callable(change):
        raise TypeError(f"modify_response(): change must be a function, got {safe_repr(change)}")
    return _Answer("modify_response", _callable_name(change), Proceed(change), times)


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:#-]{0,127}")

_DEFAULT_MESSAGES: Mapping[str, str] = {
    "AccessDeniedException": "You do not have sufficient access to perform this action.",
    "AccountSetupInProgressException": (
        "Your account is being set up. Wait a few minutes, then try again."
    ),
    "RegionSetupInProgressException": (
        "This Region is being set up for your account. Wait a few minutes, then try again."
    ),
    "UnauthenticatedException": "The request was not authenticated. Check your credentials.",
    "InvalidInputException": "The request is invalid.",
    "NotFoundException": "The resource was not found.",
    "OperationFailureException": "The operation could not be carried out. Try again later.",
    "ServiceException": "An internal error occurred. Try again later.",
    "ThrottlingException": "Rate exceeded",
    "ServiceUnavailable": "Service unavailable. Try again later.",
}


def _error(
    function: str,
    code: str,
    message: str | None,
    status: int | None,
    tip: str | None,
    docs: str | None,
    lightsail_code: str | None,
) -> LightsailError:
    _check_error(function, code, status)
    shapes = _model.error_shapes()
    if code not in shapes:
        # Only near-identical names (a letter or two off): other versions of the model
        # have shapes this one lacks, such as RegionSetupInProgressException.
        same_letters = [shape for shape in sorted(shapes) if shape.lower() == code.lower()]
        close = same_letters or difflib.get_close_matches(code, sorted(shapes), n=1, cutoff=0.93)
        if close:
            raise ValueError(
                f"{function}({safe_repr(code)}): not one of Lightsail's error shapes; did you mean "
                f"{safe_repr(close[0])}? (the model's shapes: {', '.join(sorted(shapes))})"
            )
    for option, text in [
        ("message", message),
        ("tip", tip),
        ("docs", docs),
        ("lightsail_code", lightsail_code),
    ]:
        if text is not None and not isinstance(text, str):
            raise TypeError(
                f"{function}({safe_repr(code)}): {option} must be a str, got {safe_repr(text)}"
            )
    return LightsailError(
        code,
        message if message is not None else _DEFAULT_MESSAGES.get(code, f"{code} (simulated)"),
        status,
        tip,
        docs,
        lightsail_code,
    )


def fail(
    code: str,
    message: str | None = None,
    *,
    times: int | None = None,
    status: int | None = None,
    tip: str | None = None,
    docs: str | None = None,
    lightsail_code: str | None = None,
) -> _Answer:
    """The caller gets a ``ClientError`` with ``Error.Code == code`` (the modeled exception
    class when ``code`` is a Lightsail error shape, e.g. ``NotFoundException``), the
    ``message`` (a plausible default otherwise) and the HTTP ``status`` (see
    :class:`LightsailError`). Unmodeled codes (``ThrottlingException``, ``DoesNotExist``...)
    are allowed; a code that looks like a misspelt Lightsail error shape is refused."""
    outcome = _error("fail", code, message, status, tip, docs, lightsail_code)
    extras = [("tip", tip), ("docs", docs), ("lightsail_code", lightsail_code)]
    shown = _args(
        repr(code),
        "" if message is None else repr(message),
        "" if status is None else f"status={status}",
        *(f"{name}={value!r}" for name, value in extras if value is not None),
    )
    return _Answer("fail", shown, outcome, times)


def throttle(*, times: int | None = None, message: str = "Rate exceeded") -> _Answer:
    """The caller gets ``ThrottlingException`` (HTTP 400), which every botocore retry mode
    retries (and which adaptive mode counts as throttling). The code is AWS's usual one;
    that Lightsail uses it is assumed."""
    outcome = _error("throttle", "ThrottlingException", message, None, None, None, None)
    return _Answer(
        "throttle", "" if message == "Rate exceeded" else f"message={message!r}", outcome, times
    )


def server_error(*, times: int | None = None, status: int = 500) -> _Answer:
    """The caller gets Lightsail's ``ServiceException`` (a server fault, HTTP 500 unless
    ``status`` says otherwise), which botocore retries."""
    if not isinstance(status, int) or not 500 <= status <= 599:
        raise ValueError(f"server_error(): status must be 5xx, got {safe_repr(status)}")
    outcome = _error("server_error", "ServiceException", None, status, None, None, None)
    return _Answer("server_error", "" if status == 500 else f"status={status}", outcome, times)


def connection_error(*, times: int | None = None) -> _Answer:
    """botocore raises ``EndpointConnectionError`` (as when the endpoint can't be reached);
    every retry mode retries it. The request never reached Lightsail."""
    return _Answer("connection_error", "", TransportFault("connection-error"), times)


def read_timeout(*, times: int | None = None, processed: bool = False) -> _Answer:
    """botocore raises ``ReadTimeoutError``; every retry mode retries it. With
    ``processed=True`` the request was carried out before the answer was lost, so a retried
    create finds its snapshot name taken: the classic non-idempotent retry."""
    if not isinstance(processed, bool):
        raise TypeError(
            f"read_timeout(): processed must be True or False, got {safe_repr(processed)}"
        )
    return _Answer(
        "read_timeout",
        "processed=True" if processed else "",
        TransportFault("read-timeout", processed=processed),
        times,
    )


class _FailLater(_Answer):
    def _decide(self, call: Request) -> Outcome | None:
        return self._outcome if can_fail_later(call.operation, call.params) else None


def fail_later(
    error_code: str = "InternalFailure",
    error_details: str = "The resource could not be created.",
    *,
    times: int | None = None,
) -> _Answer:
    """The caller's create is accepted as usual (``Started``), then fails: when its
    lifecycle completes (``create_duration`` later on the stub's clock, at once by default),
    its operations end ``Failed`` with ``errorCode`` / ``errorDetails`` and the snapshot ends
    in state ``error`` (a database: ``failed``). It decides only the operations that start a
    lifecycle (the creates, and a ``DeleteRelationalDatabase`` with a final snapshot); other
    calls go on to the next scenario."""
    for option, text in [("error_code", error_code), ("error_details", error_details)]:
        if not isinstance(text, str):
            raise TypeError(f"fail_later(): {option} must be a str, got {safe_repr(text)}")
        if not text:
            raise ValueError(f"fail_later(): {option} must not be empty")
    default_details = error_details == "The resource could not be created."
    shown = _args(
        "" if error_code == "InternalFailure" and default_details else repr(error_code),
        "" if default_details else repr(error_details),
    )
    return _FailLater("fail_later", shown, Proceed(fail_later=(error_code, error_details)), times)


def latency(seconds: float, *, times: int | None = None) -> _Answer:
    """The stub's clock moves ``seconds`` forward before the call is answered (nothing
    sleeps); the following scenarios then decide the answer."""
    _check_seconds("latency", seconds)
    return _Answer("latency", repr(seconds), Delay(seconds), times)


# -- combinators ---------------------------------------------------------------------------


def _check_scenario(function: str, scenario: object) -> Scenario:
    if isinstance(scenario, str):
        return resolve(scenario)
    if not callable(scenario):
        raise TypeError(f"{function}(): {safe_repr(scenario)} is not a scenario (a callable)")
    return scenario


class _Sequence(_Builtin):
    def __init__(self, steps: Sequence[Scenario]) -> None:
        super().__init__(None)
        self._steps = tuple(steps)
        self._next = 0

    def __call__(self, call: Request, /) -> Outcome | None:
        with self._lock:
            if self._next >= len(self._steps):
                return None
            step = self._steps[self._next]
            self._next += 1
        outcome = step(call)
        if outcome is not None:
            with self._lock:
                self._answered += 1
        return outcome

    def reset(self) -> None:
        with self._lock:
            self._next = 0
        super().reset()

    def unused(self) -> list[str]:
        left = len(self._steps) - self._next
        found = [f"{self!r} has {left} of {len(self._steps)} step(s) left"] if left > 0 else []
        for step in self._steps[: self._next]:  # the steps reached, with budgets of their own
            found.extend(_unused(step))
        return found

    def _children(self) -> Sequence[Scenario]:
        return self._steps

    def __repr__(self) -> str:
        return f"sequence({', '.join(map(_show, self._steps))})"


def sequence(*steps: Scenario | str) -> _Sequence:
    """One step per call, in order: the first call is answered by the first step, the
    second by the second, ...; after the last step, later scenarios (or the normal
    behaviour) decide. A step that returns ``None`` lets the rest of the stack decide that
    call. ``sequence(throttle(), throttle(), normal())``."""
    return _Sequence([_check_scenario("sequence", step) for step in steps])


class _Times(_Builtin):
    def __init__(self, limit: int, inner: Scenario) -> None:
        super().__init__(limit)
        self._inner = inner

    def _decide(self, call: Request) -> Outcome | None:
        return self._inner(call)

    def _children(self) -> Sequence[Scenario]:
        return (self._inner,)

    def __repr__(self) -> str:
        return f"times({safe_repr(self._limit)}, {_show(self._inner)})"


def times(n: int, scenario: Scenario | str) -> _Times:
    """``scenario`` answers at most ``n`` calls, then lets later scenarios decide."""
    return _Times(n, _check_scenario("times", scenario))


Matcher: TypeAlias = Callable[[Request], bool] | Mapping[str, Any]


@functools.cache
def _operation_names() -> Mapping[str, str]:
    """Every Lightsail operation by its wire name and by boto3's snake_case name."""
    wire = _model.operation_names()
    return MappingProxyType({**{op: op for op in wire}, **{xform_name(op): op for op in wire}})


@functools.cache
def _parameter_names() -> frozenset[str]:
    """Every top-level parameter name of every Lightsail operation in the model."""
    model = _model.service_model()
    names: set[str] = set()
    for operation in model.operation_names:
        shape = model.operation_model(operation).input_shape
        if shape is not None:
            names.update(shape.members)
    return frozenset(names)


class _When(_Builtin):
    def __init__(
        self, condition: Matcher, inner: Scenario, limit: int | None, shown: str | None = None
    ) -> None:
        super().__init__(limit)
        self._condition, self._inner, self._shown = condition, inner, shown
        # Sorted out once (isinstance of an ABC is slow), not per call.
        self._parameters: Mapping[str, Any] = {}
        self._predicate: Callable[[Request], bool] | None = None
        if isinstance(condition, Mapping):
            self._parameters = condition
        else:
            self._predicate = condition

    def _decide(self, call: Request) -> Outcome | None:
        return self._inner(call) if self._matches(call) else None

    def _matches(self, call: Request) -> bool:
        if self._predicate is not None:
            return bool(self._predicate(call))
        condition = self._parameters
        for name, expected in condition.items():
            if name not in call.params:
                return False
            value = call.params[name]
            if isinstance(expected, re.Pattern):
                if not isinstance(value, str) or expected.search(value) is None:
                    return False
            elif callable(expected):
                if not expected(value):
                    return False
            elif value != expected:
                return False
        return True

    def _children(self) -> Sequence[Scenario]:
        return (self._inner,)

    def __repr__(self) -> str:
        if self._shown is not None:
            return self._shown
        condition = self._condition
        shown = (
            repr(dict(condition)) if isinstance(condition, Mapping) else _callable_name(condition)
        )
        return f"when({_args(shown, _show(self._inner), self._times())})"


def when(condition: Matcher, scenario: Scenario | str, *, times: int | None = None) -> _When:
    """``scenario`` decides only the calls that match ``condition``: a predicate on the
    :class:`Request`, or a mapping of parameter names to what they must be (a value, a
    compiled regex that must ``search`` the value, or a predicate on the value)::

        when({"relationalDatabaseSnapshotName": re.compile(r"^nightly-")}, throttle())
    """
    if not (callable(condition) or isinstance(condition, Mapping)):
        raise TypeError(
            f"when(): condition must be a predicate on the request or a mapping of "
            f"parameter names, got {safe_repr(condition)}"
        )
    if isinstance(condition, Mapping):
        known = _parameter_names()
        for key in condition:
            if key not in known:
                close = difflib.get_close_matches(str(key), sorted(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(
                    f"when(): no Lightsail operation has a parameter {safe_repr(key)}, so it would "
                    f"never match{hint}"
                )
    return _When(condition, _check_scenario("when", scenario), times)


def for_operation(name: str, scenario: Scenario | str) -> _When:
    """``scenario`` decides only calls of the operation ``name`` (its wire name,
    ``"GetRelationalDatabaseSnapshots"``, or boto3's, ``"get_relational_database_snapshots"``)."""
    if not isinstance(name, str):
        raise TypeError(
            f"for_operation(): name must be an operation name (str), got {safe_repr(name)}"
        )
    operations = _operation_names()
    if name not in operations:
        close = difflib.get_close_matches(str(name), sorted(operations), n=3)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"for_operation(): name {safe_repr(name)} is no Lightsail operation{hint}")
    wire_name = operations[name]

    def is_operation(call: Request) -> bool:
        return call.operation == wire_name

    inner = _check_scenario("for_operation", scenario)
    return _When(is_operation, inner, None, shown=f"for_operation({wire_name!r}, {_show(inner)})")


class _Chaos(_Builtin):
    def __init__(self, rate: float, seed: int, choices: Sequence[Scenario]) -> None:
        super().__init__(None)
        self._rate, self._seed, self._choices = rate, seed, tuple(choices)
        self._seen: dict[str, int] = {}

    def _decide(self, call: Request) -> Outcome | None:
        # A generator per call, seeded by what the call is (operation, parameters, attempt)
        # and how many identical calls came before: the same calls get the same faults
        # whatever order threads make them in.
        what = json.dumps(
            [call.operation, call.params, call.attempt], sort_keys=True, default=_plain
        )
        with self._lock:
            occurrence = self._seen.get(what, 0)
            self._seen[what] = occurrence + 1
        rng = random.Random(f"{self._seed}:{occurrence}:{what}")
        if rng.random() >= self._rate:
            return None
        return rng.choice(self._choices)(call)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
        super().reset()

    def _children(self) -> Sequence[Scenario]:
        return self._choices

    def __repr__(self) -> str:
        choices = ", ".join(map(_show, self._choices))
        return (
            f"chaos(rate={safe_repr(self._rate)}, seed={safe_repr(self._seed)}, "
            f"choices=[{choices}])"
        )


def _listed(function: str, argument: str, value: object) -> Iterable[Any]:
    """``value``, which must be iterable (a list, say): a clear error otherwise."""
    if not isinstance(value, Iterable):
        raise TypeError(
            f"{function}(): {argument} must be a list, got {type(value).__name__} "
            f"{safe_repr(value)}"
        )
    return value


def chaos(
    *,
    rate: float = 0.1,
    seed: int = 0,
    choices: Sequence[Scenario | str] | None = None,
) -> _Chaos:
    """Each call, with probability ``rate``, is answered by one of ``choices`` (default:
    :func:`throttle`, :func:`server_error`, :func:`connection_error`,
    :func:`read_timeout`). Reproducible: the draw depends only on ``seed``, the call and its
    position among identical calls (operation, parameters, attempt), so a failing run
    replays exactly, whatever order threads make their calls in."""
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate <= 1:
        raise ValueError(f"chaos(): rate must be a number from 0 to 1, got {safe_repr(rate)}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"chaos(): seed must be an int, got {safe_repr(seed)}")
    try:
        str(seed)  # each call's draw is seeded from its text
    except ValueError:  # over sys.get_int_max_str_digits() digits
        raise ValueError(
            f"chaos(): seed {safe_repr(seed)} is too long: draws are seeded from its digits, "
            "which Python writes only up to sys.get_int_max_str_digits(); give a shorter seed"
        ) from None
    if isinstance(choices, str) or callable(choices):
        raise TypeError(
            f"chaos(): choices must be a list of scenarios, e.g. choices=[{safe_repr(choices)}]"
        )
    picked = (
        [throttle(), server_error(), connection_error(), read_timeout()]
        if choices is None
        else [_check_scenario("chaos", choice) for choice in _listed("chaos", "choices", choices)]
    )
    if not picked:
        raise ValueError("chaos(): choices must not be empty")
    return _Chaos(float(rate), seed, picked)


def _plain(value: object) -> object:
    """JSON for the read-only views of :attr:`Request.params`."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _show(scenario: object) -> str:
    """A scenario as the call log shows it: built-ins by their repr, functions by name."""
    if isinstance(scenario, (_Builtin, _Named)):
        return repr(scenario)
    return _callable_name(scenario)


def _callable_name(function: object) -> str:
    name = getattr(function, "__name__", None)
    return name if isinstance(name, str) else repr(function)


# -- plugins by name -----------------------------------------------------------------------

ENTRY_POINT_GROUP = "lightsail_stub.scenarios"

Factory: TypeAlias = Callable[[], Scenario]

_registry: dict[str, Factory] = {}
_registry_lock = threading.Lock()


def register(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make ``name`` resolve to ``factory()`` (called afresh for each stub that uses it), in
    ``mock_lightsail(scenarios=[name])``, the ``lightsail`` marker and the pytest option
    ``--lightsail-scenario``. Installed packages register through the entry-point group
    ``lightsail_stub.scenarios`` instead (the entry point names a factory)."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", name):
        raise ValueError(f"register(): {safe_repr(name)} is not a usable scenario name")
    if not callable(factory):
        raise TypeError(
            f"register({safe_repr(name)}): factory must be callable, got {safe_repr(factory)}"
        )
    if isinstance(factory, (_Builtin, _Named)):
        raise TypeError(
            f"register({safe_repr(name)}): {safe_repr(factory)} is a scenario, not a factory; "
            f"register lambda: {safe_repr(factory)} so that every stub gets a fresh one"
        )
    with _registry_lock:
        if name in _registry and not replace:
            raise ValueError(
                f"register(): a scenario named {safe_repr(name)} is already registered; pass "
                "replace=True to replace it"
            )
        _registry[name] = factory


def unregister(name: str) -> None:
    """Forget the scenario ``name`` (registered with :func:`register`)."""
    with _registry_lock:
        if _registry.pop(name, None) is None:
            raise KeyError(f"no scenario named {safe_repr(name)} is registered")


def _plugins() -> dict[str, Any]:
    return {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}


def names() -> tuple[str, ...]:
    """Every name that resolves: the built-in presets, registered names and installed
    plugins (entry points)."""
    with _registry_lock:
        known = set(_registry)
    return tuple(sorted(known | set(_plugins())))


def resolve(name: str) -> Scenario:
    """A new scenario for ``name`` (see :func:`names`)."""
    with _registry_lock:
        factory = _registry.get(name)
    if factory is None:
        point = _plugins().get(name)
        if point is None:
            raise LookupError(
                f"no lightsail-stub scenario is named {safe_repr(name)}; known names: "
                f"{', '.join(names())} (register one with "
                "lightsail_stub.scenarios.register(name, factory))"
            )
        try:
            factory = point.load()
        except Exception as error:
            raise LookupError(
                f"the scenario plugin {safe_repr(name)} ({point.value}) failed to load: "
                f"{type(error).__name__}: {error}"
            ) from error
    try:
        scenario = factory()
    except Exception as error:
        raise LookupError(
            f"the factory of the scenario {safe_repr(name)} raised {type(error).__name__}: {error}"
        ) from error
    if not callable(scenario):
        raise TypeError(
            f"the factory for scenario {safe_repr(name)} returned {safe_repr(scenario)}, "
            "not a scenario"
        )
    return _Named(name, scenario)


def _scenario_name(scenario: object) -> str | None:
    """The registered name a scenario was resolved from (``None``: not resolved by name)."""
    return scenario._name if isinstance(scenario, _Named) else None


class _Named:
    """A scenario resolved by name: reprs as its name, delegates everything."""

    def __init__(self, name: str, inner: Scenario) -> None:
        self._name, self._inner = name, inner

    def __call__(self, call: Request, /) -> Outcome | None:
        return self._inner(call)

    def reset(self) -> None:
        reset = getattr(self._inner, "reset", None)
        if callable(reset):
            reset()

    def unused(self) -> list[str]:
        return _unused(self._inner)

    def __repr__(self) -> str:
        return repr(self._name)


def _first_attempts(call: Request) -> bool:
    return call.attempt <= 2


_first_attempts.__name__ = "attempt<=2"

_PRESETS: Mapping[str, Factory] = {
    # Every call throttled on its first two attempts: retrying callers get through.
    "throttled": lambda: when(_first_attempts, throttle()),
    # Seeded faults on the first two attempts only: callers with botocore's default retries
    # (3 attempts or more) always get through, callers without retries see the faults.
    "flaky": lambda: when(_first_attempts, chaos(rate=0.3, seed=0)),
    "account-setup-in-progress": lambda: fail("AccountSetupInProgressException"),
    "region-setup-in-progress": lambda: fail("RegionSetupInProgressException"),
    "access-denied": lambda: fail("AccessDeniedException"),
    "unauthenticated": lambda: fail("UnauthenticatedException"),
    "service-unavailable": lambda: fail("ServiceUnavailable", status=503),
}
_registry.update(_PRESETS)


def _as_scenario(item: object, where: str) -> Scenario:
    """A scenario from what a user passed (a scenario or a registered name)."""
    return _check_scenario(where, item)
