"""Hostile arguments to the public Python API: values no check expects (an int too long for
Python to print, an object whose ``repr`` raises) get the library's own error, naming the
argument, never an exception from building that error's message; and what accepts one still
works: it prints, and a stub or a scenario made with it answers a call."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from hypothesis.errors import InvalidArgument

import lightsail_stub
from lightsail_stub import scenarios, strategies

from .helpers import client, create


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("this object has no repr")

    __str__ = __repr__


HOSTILE = {
    "an int over Python's int-to-str limit": 10**5000,
    "an object whose repr raises": Unprintable(),
}

# Python's own words when a message can't be built: none may reach the user.
BROKEN = ("Exceeds the limit", "int too large", "this object has no repr")


def _stub(method: str) -> Callable[..., Any]:
    return lambda **kwargs: getattr(lightsail_stub.mock_lightsail(), method)(**kwargs)


# (what is called, the function whose signature it has, the valid arguments it needs)
ENTRY_POINTS: list[tuple[Callable[..., Any], Callable[..., Any], dict[str, Any]]] = [
    (lightsail_stub.mock_lightsail, lightsail_stub.mock_lightsail, {}),
    (_stub("add_database"), lightsail_stub.LightsailStub.add_database, {"name": "db-1"}),
    (
        _stub("add_snapshot"),
        lightsail_stub.LightsailStub.add_snapshot,
        {"name": "snap-1", "region": "eu-west-2"},
    ),
    (_stub("advance"), lightsail_stub.LightsailStub.advance, {"seconds": 1}),
    (scenarios.normal, scenarios.normal, {}),
    (scenarios.modify_response, scenarios.modify_response, {"change": lambda doc: doc}),
    (scenarios.fail, scenarios.fail, {"code": "NotFoundException"}),
    (scenarios.throttle, scenarios.throttle, {}),
    (scenarios.server_error, scenarios.server_error, {}),
    (scenarios.connection_error, scenarios.connection_error, {}),
    (scenarios.read_timeout, scenarios.read_timeout, {}),
    (scenarios.fail_later, scenarios.fail_later, {}),
    (scenarios.latency, scenarios.latency, {"seconds": 1}),
    (scenarios.times, scenarios.times, {"n": 1, "scenario": "throttled"}),
    (
        scenarios.when,
        scenarios.when,
        {"condition": {"relationalDatabaseName": "db-1"}, "scenario": "throttled"},
    ),
    (
        scenarios.for_operation,
        scenarios.for_operation,
        {"name": "CreateRelationalDatabaseSnapshot", "scenario": "throttled"},
    ),
    (scenarios.chaos, scenarios.chaos, {}),
    (scenarios.resolve, scenarios.resolve, {"name": "throttled"}),
]
ENTRY_POINTS += [
    (getattr(strategies, name), getattr(strategies, name), {}) for name in strategies.__all__
]


def _cases() -> list[Any]:
    cases = []
    for call, signature_of, valid in ENTRY_POINTS:
        for parameter in inspect.signature(signature_of).parameters.values():
            if parameter.name == "self" or parameter.kind in (
                inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD,
            ):
                continue
            for label, value in HOSTILE.items():
                name = f"{signature_of.__qualname__}({parameter.name}=<{label}>)"
                cases.append(pytest.param(call, valid, parameter.name, value, id=name))
    return cases


def _use(made: Any) -> None:
    """What an accepted hostile value must not break later: printing what was made, a stub
    made with it, a scenario made with it answering a call, its report of unused budgets."""
    repr(made)
    if isinstance(made, lightsail_stub.LightsailStub):
        with made:
            pass
    elif isinstance(made, scenarios.Scenario):
        with lightsail_stub.mock_lightsail(scenarios=[made], assert_all_handled=False):
            try:
                create(client(), snapshot="snap-1")
            except (ClientError, BotoCoreError):
                pass  # an answer the scenario asked for
        getattr(made, "unused", list)()


@pytest.mark.parametrize(("call", "valid", "argument", "value"), _cases())
def test_a_hostile_argument_gets_the_librarys_own_error(
    call: Callable[..., Any], valid: dict[str, Any], argument: str, value: Any
) -> None:
    try:
        made = call(**{**valid, argument: value})
    except (TypeError, ValueError, LookupError, InvalidArgument) as error:
        message = str(error)
    except lightsail_stub.LightsailStubError as error:
        message = str(error)
    else:
        _use(made)
        return
    assert not any(words in message for words in BROKEN), message
    # The argument is named ("Region" for region, as Lightsail says it).
    assert argument.lower() in message.lower(), message
