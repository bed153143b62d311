"""``LightsailStub``: one object that is a context manager, a decorator and start/stop."""

from __future__ import annotations

import functools
import inspect
import json
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from botocore.client import BaseClient

from . import _hook, _model
from ._dispatch import Ask, Call, dispatch
from ._errors import (
    LightsailStubError,
    ScenarioError,
    UnusedScenarioError,
    safe_repr,
)
from ._operations import Context
from ._rules import REFERENCE_RULES, Kind, RuleSet, describe_value
from ._wire import WireRequest, WireResponse
from ._world import (
    AVAILABLE,
    BOUNDS,
    CREATING,
    DEFAULT_ACCOUNT,
    ERROR,
    Clock,
    Database,
    Ids,
    Operation,
    Snapshot,
    Tags,
    World,
    within_bounds,
)
from .scenarios import (
    _OUTCOME_TYPES,
    Delay,
    Outcome,
    Request,
    Scenario,
    TransportFault,
    _as_scenario,
    _show,
    _unused,
)

if TYPE_CHECKING:
    import unittest

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T", bound=type)

#: The states add_snapshot accepts: the ones the world itself gives snapshots.
_SNAPSHOT_STATES = (AVAILABLE, CREATING, ERROR)
#: The largest value of the model's "integer" shapes (Smithy: a signed 32-bit integer).
_MAX_INTEGER = 2**31 - 1

_OPT_OUT = "pass assert_all_handled=False to mock_lightsail() to not check this at exit"
_UNUSED_OPT_OUT = "pass assert_all_used=False to mock_lightsail() to not check this"


class LightsailStub:
    """A fake Lightsail account that answers every Lightsail call made through botocore
    while it is active. Build it with :func:`mock_lightsail`."""

    def __init__(
        self,
        *,
        rules: RuleSet = REFERENCE_RULES,
        databases: Iterable[str] | None = None,
        seed: int | None = None,
        clock: datetime | Callable[[], datetime] | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        fake_credentials: bool = True,
        assert_all_handled: bool = True,
        scenarios: Iterable[Scenario | str] = (),
        assert_all_used: bool = False,
        virtual_backoff: bool = True,
        create_duration: float | timedelta = 0,
    ) -> None:
        if not isinstance(rules, RuleSet):
            raise TypeError(f"rules must be a lightsail_stub.RuleSet, got {type(rules).__name__}")
        if isinstance(databases, (str, bytes)):
            raise TypeError(
                "databases must be a list of names, not one string: "
                f"databases=[{safe_repr(databases)}]"
            )
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
        if not (isinstance(account_id, str) and re.fullmatch(r"[0-9]{12}", account_id)):
            raise ValueError(f"account_id must be 12 digits, got {safe_repr(account_id)}")
        self._create_duration = _duration(create_duration)
        self._rules = rules
        if databases is not None and not isinstance(databases, Iterable):
            raise TypeError(
                f"databases must be a list of names, got {type(databases).__name__} "
                f"{safe_repr(databases)}"
            )
        self._declared = None if databases is None else tuple(databases)
        self._seed = seed
        self._clock = Clock(clock)
        self._account = account_id
        self._fake_credentials = bool(fake_credentials)
        self._assert_all_handled = bool(assert_all_handled)
        self._assert_all_used = bool(assert_all_used)
        self.virtual_backoff = bool(virtual_backoff)
        if isinstance(scenarios, (str, bytes)) or callable(scenarios):
            raise TypeError(
                "scenarios must be a list of scenarios or names, e.g. "
                f"scenarios=[{safe_repr(scenarios)}]"
            )
        if not isinstance(scenarios, Iterable):
            raise TypeError(
                f"scenarios must be a list of scenarios or names, got {type(scenarios).__name__}"
            )
        self._base_scenarios = tuple(_as_scenario(item, "mock_lightsail") for item in scenarios)
        self._lock = threading.Lock()
        self._active = False
        self._env_managed = False
        # Library errors not yet reported; kept across reset() so it can't hide them.
        self._unhandled: list[LightsailStubError] = []
        self.reset()

    # -- state --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every call, snapshot and operation; keep only the databases and the
        scenarios given to the constructor (those start afresh: their ``times`` budgets are
        full again). Ids start again from the seed, and the clock loses what
        :meth:`advance` added. Library errors not yet reported are kept."""
        with self._lock:
            self._clock.rewind()
            self._ids = Ids(self._seed)
            self._world = World(
                account=self._account,
                auto_databases=self._declared is None,
                clock=self._clock,
                create_duration=self._create_duration,
            )
            self._calls: list[Call] = []
            self._contexts: dict[str, Context] = {}
            self._received = 0
            self._scenarios: tuple[Scenario, ...] = self._base_scenarios
        for scenario in self._base_scenarios:
            reset = getattr(scenario, "reset", None)
            if callable(reset):
                reset()
        for name in self._declared or ():
            self.add_database(name)

    def add_database(
        self,
        name: str,
        *,
        region: str | None = None,
        availability_zone: str | None = None,
        engine: str = "mysql",
        engine_version: str = "8.0.40",
        blueprint_id: str = "mysql_8_0",
        bundle_id: str = "micro_2_0",
        size_in_gb: int = 40,
    ) -> None:
        """Declare a database. Without ``region`` (and ``availability_zone``) it exists in
        every Region, in zone ``<region>a``; ``availability_zone="us-west-2b"`` implies its
        Region. Once any database is declared, names that were not answer
        ``NotFoundException``. ``size_in_gb`` is from 1 to 2,147,483,647 (the model's
        ``sizeInGb`` is a 32-bit integer)."""
        if not isinstance(name, str):
            raise TypeError(f"add_database(): name must be a str, got {type(name).__name__}")
        for option, text in [
            ("engine", engine),
            ("engine_version", engine_version),
            ("blueprint_id", blueprint_id),
            ("bundle_id", bundle_id),
        ]:
            if not isinstance(text, str) or not text:
                raise TypeError(
                    f"add_database(): {option} must be a non-empty str, got {safe_repr(text)}"
                )
        if not isinstance(size_in_gb, int) or isinstance(size_in_gb, bool):
            raise TypeError(
                f"add_database(): size_in_gb must be an int, got {type(size_in_gb).__name__} "
                f"{describe_value(size_in_gb)}"
            )
        if not 1 <= size_in_gb <= _MAX_INTEGER:
            raise ValueError(
                f"add_database(): size_in_gb must be from 1 to {_MAX_INTEGER} (sizeInGb is a "
                f"32-bit integer), got {describe_value(size_in_gb)}"
            )
        violation = self._rules.first_violation("database-name", "name", name)
        if violation is not None:
            raise ValueError(f"add_database(): {violation.message}")
        if availability_zone is not None and not isinstance(availability_zone, str):
            raise TypeError(
                "add_database(): availability_zone must be a str or None, got "
                f"{type(availability_zone).__name__} {safe_repr(availability_zone)}"
            )
        if region is not None and not isinstance(region, str):
            raise TypeError(
                f"add_database(): region must be a str or None, got {type(region).__name__} "
                f"{safe_repr(region)}"
            )
        if availability_zone is not None:
            zone = re.fullmatch(r"([a-z]+(?:-[a-z]+)+-\d+)[a-z]", availability_zone)
            if zone is None or (region is not None and zone.group(1) != region):
                where = f" in region {region!r}" if region is not None else ""
                raise ValueError(
                    f"add_database(): availability_zone {safe_repr(availability_zone)} is not a "
                    f"zone{where}; a zone is a Region and a letter, e.g. 'us-west-2b'"
                )
            region = zone.group(1)
        if region is not None and region not in _model.enum("RegionName"):
            raise ValueError(
                f"add_database(): the botocore model has no Lightsail Region {safe_repr(region)}; "
                f"it lists: {', '.join(_model.regions())}"
            )
        with self._world.lock:
            self._world.auto_databases = False
            now = self._clock.now()
            template = Database(
                name=name,
                region=region or "",
                availability_zone=availability_zone or (f"{region}a" if region else ""),
                arn=self._world.arn(region, "RelationalDatabase", self._ids) if region else "",
                support_code=self._ids.support_code() if region else "",
                created_at=now,
                engine=engine,
                engine_version=engine_version,
                blueprint_id=blueprint_id,
                bundle_id=bundle_id,
                size_in_gb=size_in_gb,
            )
            if region is None:
                self._world.templates[name] = template
            else:
                self._world.put_database(template)
                self._world.region(region).database_transitions.pop(name, None)

    def add_snapshot(
        self,
        name: str,
        *,
        region: str,
        database: str = "orders-db",
        created_at: datetime | None = None,
        state: str = AVAILABLE,
        tags: Mapping[str, str | None] | Iterable[tuple[str, str | None] | Mapping[str, str]] = (),
    ) -> Snapshot:
        """Store a snapshot as if it had been taken earlier: any ``created_at`` (default:
        now), a ``state`` the stub uses (``"available"``, ``"creating"`` or ``"error"``) and
        ``tags`` (a mapping, ``(key, value)`` pairs, or Lightsail's own
        ``[{"key": ..., "value": ...}]``, as ``strategies.snapshots()`` draws them; a value
        may be ``None`` or left out). A seeded
        ``"creating"`` snapshot has no lifecycle: it stays ``creating`` (a backup that never
        finishes) until :meth:`reset`, and Delete refuses it meanwhile.

        Its engine, size and ``fromRelationalDatabase*`` fields come from the database
        ``database`` in that Region, which comes into being there if it can (automatic or
        declared databases, as on first use by a call); otherwise (a database that was
        deleted, or never declared) from that database's last record or the defaults, with
        one stable ARN per name. Returns the stored record."""
        if not isinstance(name, str):
            raise TypeError(f"add_snapshot(): name must be a str, got {type(name).__name__}")
        if not isinstance(database, str):
            raise TypeError(
                "add_snapshot(): database must be a str (a database name), got "
                f"{safe_repr(database)}"
            )
        if not isinstance(state, str):
            raise TypeError(f"add_snapshot(): state must be a str, got {safe_repr(state)}")
        if state not in _SNAPSHOT_STATES:
            raise ValueError(
                f"add_snapshot(): state {safe_repr(state)} is not a snapshot state the stub uses; "
                f"give one of: {', '.join(map(repr, _SNAPSHOT_STATES))}"
            )
        if created_at is not None and not isinstance(created_at, datetime):
            raise TypeError(
                f"add_snapshot(): created_at must be a timezone-aware datetime or None, "
                f"got {safe_repr(created_at)}"
            )
        if created_at is not None and created_at.tzinfo is None:
            raise ValueError(
                "add_snapshot(): created_at must be a timezone-aware datetime, got "
                f"{safe_repr(created_at)}"
            )
        if created_at is not None and not within_bounds(created_at):
            raise ValueError(
                f"add_snapshot(): created_at {safe_repr(created_at)} is outside the instants "
                f"every timezone can show ({BOUNDS}): botocore reads it in the caller's timezone"
            )
        if not isinstance(region, str) or region not in _model.enum("RegionName"):
            raise ValueError(
                f"add_snapshot(): the botocore model has no Lightsail Region {safe_repr(region)}; "
                f"it lists: {', '.join(_model.regions())}"
            )
        pairs = _tag_pairs(tags)
        checks: list[tuple[Kind, str, Any]] = [
            ("snapshot-name", "name", name),
            ("database-name", "database", database),
        ]
        for index, (key, value) in enumerate(pairs):
            checks.append(("tag-key", f"tags[{index}].key", key))
            if value is not None:
                checks.append(("tag-value", f"tags[{index}].value", value))
        checks.append(("tag-list", "tags", list(pairs)))
        for kind, field, value in checks:
            violation = self._rules.first_violation(kind, field, value)
            if violation is not None:
                raise ValueError(f"add_snapshot(): {violation.message}")
        world = self._world
        with world.lock:
            if world.snapshot(region, name) is not None:
                raise ValueError(
                    f"add_snapshot(): a snapshot named {safe_repr(name)} already exists in "
                    f"{region} (names are unique per Region)"
                )
            # The source database as Get would show it (made to exist, if it can), so that
            # fromRelationalDatabaseArn is the same for every snapshot of it.
            source = world.database(region, database)
            if source is None and world.can_exist(region, database):
                source = world.resolve_database(region, database, self._ids)
            if source is None:  # deleted (its last record), or made up once: a stable ARN
                source = world.ghosts.get((region, database))
            if source is None:
                source = Database(
                    database,
                    region,
                    f"{region}a",
                    world.arn(region, "RelationalDatabase", self._ids),
                    "",
                    self._clock.now(),
                )
                world.ghosts[(region, database)] = source
            snapshot = world.make_snapshot(
                self._ids,
                name,
                region,
                source,
                created_at or self._clock.now(),
                state=state,
                tags=pairs,
            )
            world.put_snapshot(snapshot)
            return snapshot

    def advance(self, seconds: float) -> None:
        """Move the stub's clock forward (it never sleeps)."""
        self._clock.advance(seconds)

    def now(self) -> datetime:
        """The stub's current time."""
        return self._clock.now()

    @property
    def calls(self) -> tuple[Call, ...]:
        """Every intercepted call, in the order they arrived (retries included)."""
        with self._lock:
            return tuple(self._calls)

    @property
    def databases(self) -> tuple[Database, ...]:
        """Databases that exist in a Region: declared with one, created, or used there (a
        database declared for every Region appears here once a call used it in a Region;
        see :attr:`declared_databases`). By Region, in the order they came to exist; each
        in its state now. Reading it changes nothing in the account."""
        world = self._world
        with world.lock:
            return tuple(
                record
                for region, place in world.regions.items()
                for name in list(place.databases.names())
                if (record := world.database(region, name, settle=False)) is not None
            )

    @property
    def declared_databases(self) -> tuple[str, ...]:
        """Names of the databases declared for every Region (without ``region``)."""
        with self._world.lock:
            return tuple(self._world.templates)

    @property
    def snapshots(self) -> tuple[Snapshot, ...]:
        """Every stored snapshot, by Region, in the order they were stored; each in its
        state now (``creating`` until the create duration has passed). Reading it changes
        nothing in the account."""
        world = self._world
        with world.lock:
            return tuple(
                record
                for region, place in world.regions.items()
                for name in list(place.snapshots.names())
                if (record := world.snapshot(region, name, settle=False)) is not None
            )

    @property
    def operations(self) -> tuple[Operation, ...]:
        """Every operation, in the order they started; each with its status now. Reading
        it changes nothing in the account."""
        world = self._world
        with world.lock:
            return tuple(
                record
                for region, operation_id in world.operation_log
                if (record := world.operation(region, operation_id, settle=False)) is not None
            )

    @property
    def create_duration(self) -> timedelta:
        """How long a create takes on the stub's clock (see ``mock_lightsail``)."""
        return self._create_duration

    @property
    def rules(self) -> RuleSet:
        return self._rules

    # -- scenarios ----------------------------------------------------------------------

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        """The scenarios, in the order they are asked (the first that answers wins)."""
        return self._scenarios

    def add_scenario(self, scenario: Scenario | str) -> Scenario:
        """Put ``scenario`` (or the registered name) on top: it is asked before the others,
        so it overrides them. Returns it, for :meth:`remove_scenario`."""
        added = _as_scenario(scenario, "add_scenario")
        with self._lock:
            self._scenarios = (added, *self._scenarios)
        return added

    def remove_scenario(self, scenario: Scenario) -> None:
        """Take ``scenario`` off the stack (the object :meth:`add_scenario` returned)."""
        with self._lock:
            if not any(s is scenario for s in self._scenarios):
                raise ValueError(f"{safe_repr(scenario)} is not one of this stub's scenarios")
            self._scenarios = tuple(s for s in self._scenarios if s is not scenario)

    @contextmanager
    def scenario(self, scenario: Scenario | str) -> Iterator[Scenario]:
        """``with stub.scenario(throttle(times=2)):`` the scenario is on top of the stack
        inside the block only. With ``assert_all_used=True``, a block that ends normally
        also checks that the scenario was used up."""
        added = self.add_scenario(scenario)
        try:
            yield added
        finally:
            # reset() or remove_scenario() inside the block may have taken it off already.
            with self._lock:
                self._scenarios = tuple(s for s in self._scenarios if s is not added)
        if self._assert_all_used:
            self._check_used((added,))

    def _check_used(self, scenarios: Iterable[Scenario]) -> None:
        unused = [item for scenario in scenarios for item in _unused(scenario)]
        if unused:
            raise UnusedScenarioError(
                f"{len(unused)} scenario(s) were not used up: {'; '.join(unused)} "
                f"({_UNUSED_OPT_OUT})"
            )

    def _ask(self, wire: WireRequest, index: int, stack: tuple[Scenario, ...]) -> Ask:
        """The ``ask`` callback for one call: consults ``stack`` in order."""

        def ask(operation: str, params: Mapping[str, Any]) -> tuple[Outcome | None, str | None]:
            if not stack:
                return None, None
            request = Request(
                operation,
                params if isinstance(params, MappingProxyType) else MappingProxyType(dict(params)),
                wire.region,
                wire.attempt,
                wire.max_attempts,
                index,
                self._clock.now(),
                self,
            )
            acted: list[str] = []
            for scenario in stack:
                try:
                    outcome = scenario(request)
                except LightsailStubError:
                    raise
                except Exception as error:
                    raise ScenarioError(
                        f"the scenario {_show(scenario)} raised {type(error).__name__}: {error} "
                        f"while deciding {safe_repr(request)}"
                    ) from error
                if outcome is None:
                    continue
                if not isinstance(outcome, _OUTCOME_TYPES):
                    raise ScenarioError(
                        f"the scenario {_show(scenario)} returned {safe_repr(outcome)}; a scenario "
                        "returns Proceed, LightsailError, TransportFault, Delay or None"
                    )
                acted.append(_show(scenario))
                if isinstance(outcome, Delay):
                    try:
                        self._clock.advance(outcome.seconds)
                        now = self._clock.now()
                    except (OverflowError, ValueError) as error:
                        raise ScenarioError(
                            f"the scenario {_show(scenario)} moved the clock past what a datetime "
                            f"can hold ({error})"
                        ) from error
                    request = replace(request, now=now)
                    continue
                return outcome, " + ".join(acted)
            return None, " + ".join(acted) or None

        return ask

    # -- the front doors hand requests here ---------------------------------------------

    def _handle(self, wire: WireRequest) -> WireResponse | TransportFault:
        """Answer one wire request (from either front door): a response, or a transport
        fault the front door acts out. Raises a library error."""
        with self._lock:  # the context too: reset() makes a new world under this lock
            ctx = self._context(wire.region)
            index, stack = self._received, self._scenarios
            self._received += 1
        answer, call = dispatch(ctx, wire, self._ids.request_id(), self._ask(wire, index, stack))
        with self._lock:
            self._calls.append(call)
            if isinstance(answer, LightsailStubError):
                self._unhandled.append(answer)
        if isinstance(answer, LightsailStubError):
            raise answer
        return answer

    def _context(self, region: str, *, fail_later: tuple[str, str] | None = None) -> Context:
        """What an operation runs with, for a call in ``region``. ``fail_later`` makes a
        create that is accepted end ``Failed`` (see :class:`Context`). Calls take it under
        ``self._lock``, as ``reset()`` replaces the world and this cache."""
        if fail_later is not None:
            return Context(
                self._world, self._rules, self._clock, self._ids, region, fail_later=fail_later
            )
        ctx = self._contexts.get(region)
        if ctx is None:
            ctx = Context(self._world, self._rules, self._clock, self._ids, region)
            if region in _model.enum("RegionName"):  # not any string a request says
                self._contexts[region] = ctx  # until reset() (both under self._lock)
        return ctx

    # -- activation ---------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> LightsailStub:
        """Activate: from now on every Lightsail call made through botocore is answered by
        this stub (or by a stub started after it, until that one stops)."""
        return self._start(manage_env=self._fake_credentials)

    def _start(self, *, manage_env: bool) -> LightsailStub:
        # The pytest fixture sets the fake environment through monkeypatch instead, so that
        # a test's own monkeypatching of AWS_* variables unwinds in the right order.
        self._env_managed = manage_env
        _hook.REGISTRY.push(self, fake_env=manage_env)
        self._active = True
        return self

    def stop(self) -> None:
        """Deactivate. Raises the library error a call failed with while it was active (an
        operation it does not serve, a Region Lightsail does not run in, a scenario that
        raised: :class:`UnhandledOperationError`, :class:`ScenarioError`...), even if the
        code under test swallowed it, unless ``assert_all_handled=False``; then, with
        ``assert_all_used=True``, :class:`UnusedScenarioError` for scenarios not used up."""
        self._stop(check=True)

    def _stop(self, *, check: bool) -> None:
        _hook.REGISTRY.pop(self, fake_env=self._env_managed)
        self._active = False
        self._check_at_exit(check=check)

    def _check_at_exit(self, *, check: bool, opt_out: str = _OPT_OUT) -> None:
        """What ``stop()`` checks (also at the end of a server's life): library errors not
        yet reported, then, with ``assert_all_used``, scenarios not used up."""
        with self._lock:
            # Reported once: a later, clean activation of the same stub does not fail for it.
            unhandled, self._unhandled = self._unhandled, []
        if check and self._assert_all_handled and unhandled:
            first = unhandled[0]
            # The class of the first error (UnhandledOperationError, ScenarioError...), so
            # that the report at exit reads like the error at the call.
            raise type(first)(
                f"{len(unhandled)} Lightsail call(s) failed with a lightsail-stub error "
                f"while it was active (the code under test may have swallowed it); the first: "
                f"{first} ({opt_out})"
            )
        if check and self._assert_all_used:
            self._check_used(self._scenarios)

    def attach(self, client: BaseClient) -> BaseClient:
        """Make sure ``client`` is intercepted. Every client botocore creates in this process
        is reached automatically; this is for a client whose event hooks were replaced after
        it was created. Returns the client."""
        _hook.attach(client)
        return client

    def __enter__(self) -> LightsailStub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # When the body raised, that error is the story: don't bury it under ours. A generator
        # closed early (GeneratorExit) ended normally as far as the test is concerned.
        self._stop(check=exc_type is None or issubclass(exc_type, GeneratorExit))

    @overload
    def __call__(self, target: T) -> T: ...
    @overload
    def __call__(self, target: F) -> F: ...
    def __call__(self, target: Any) -> Any:
        """Decorate a function, a generator function, an ``async def`` function or a
        ``unittest.TestCase`` class. Each decorated call (each test method) starts from
        :meth:`reset`."""
        if isinstance(target, type):
            # unittest is imported only if the code under test did: a TestCase class can't
            # exist without it (and `import lightsail_stub` stays cheaper).
            unittest = sys.modules.get("unittest")
            if unittest is not None and issubclass(target, unittest.TestCase):
                return self._decorate_testcase(target)
            raise TypeError(
                f"mock_lightsail() decorates functions and unittest.TestCase classes, "
                f"not {target.__name__}"
            )
        if inspect.isasyncgenfunction(target):
            raise TypeError(
                f"mock_lightsail() cannot decorate the async generator {target.__name__}(); "
                "use `with mock_lightsail():` inside it"
            )
        if inspect.isgeneratorfunction(target):

            @functools.wraps(target)
            def run_generator(*args: Any, **kwargs: Any) -> Any:
                self.reset()
                with self:  # active from the first next() until the generator finishes
                    return (yield from target(*args, **kwargs))

            return run_generator
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                self.reset()
                with self:
                    return await target(*args, **kwargs)

            return run_async
        if callable(target):

            @functools.wraps(target)
            def run(*args: Any, **kwargs: Any) -> Any:
                self.reset()
                with self:
                    result = target(*args, **kwargs)
                    if inspect.isawaitable(result) or inspect.isgenerator(result):
                        # It would run after the stub stopped, unstubbed: refuse it.
                        close = getattr(result, "close", None)
                        if callable(close):
                            close()
                        raise TypeError(
                            f"mock_lightsail() decorated {safe_repr(target)}, which returned "
                            f"{type(result).__name__} {safe_repr(result)}: that would run after "
                            "the stub stopped. Decorate the async def or generator function "
                            "itself, or use `with mock_lightsail():` inside it"
                        )
                    return result

            return run
        raise TypeError(f"mock_lightsail() cannot decorate {safe_repr(target)}")

    def _decorate_testcase(self, cls: type[unittest.TestCase]) -> type[unittest.TestCase]:
        original = cls.setUp
        stub = self

        @functools.wraps(original)
        def setUp(test: unittest.TestCase) -> None:
            stub.reset()
            stub.start()
            test.addCleanup(stub.stop)
            original(test)

        cls.setUp = setUp  # type: ignore[method-assign,assignment]
        return cls

    # -- reporting ----------------------------------------------------------------------

    def format_calls(self) -> str:
        """The call log as a table, for humans (the pytest report section uses it)."""
        calls = self.calls
        if not calls:
            return "(no Lightsail calls)"
        rows = [("#", "operation", "region", "try", "answer")]
        details: list[list[str]] = [[]]
        for number, call in enumerate(calls, 1):
            rows.append((str(number), call.operation, call.region, str(call.attempt), call.answer))
            params = json.dumps(dict(call.params), ensure_ascii=False, default=str)
            # Lone surrogates would make pytest escape the whole section onto one line.
            params = params.encode("utf-8", "backslashreplace").decode("utf-8")
            lines = [f"params: {_clip(params, 100)}"]
            if call.scenario:
                lines.append(f"scenario: {_clip(call.scenario, 200)}")
            if not call.ok:
                message = (call.error_message or "").encode("utf-8", "backslashreplace")
                lines.append(f"message: {_clip(message.decode('utf-8'), 300)}")
            details.append(lines)
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        indent = " " * (widths[0] + 2)
        out: list[str] = []
        for row, lines in zip(rows, details, strict=True):
            out.append(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
            out.extend(indent + line for line in lines)
        return "\n".join(out)

    def __repr__(self) -> str:
        state = "active" if self._active else "inactive"
        return f"<LightsailStub {state}, {len(self._calls)} calls, rules={self._rules.name!r}>"


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        duration = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            duration = timedelta(seconds=value)
        except (OverflowError, ValueError):  # nan, inf, or more than 999,999,999 days
            raise ValueError(
                "create_duration must be a finite number of seconds that a timedelta holds "
                f"(at most 999,999,999 days), got {safe_repr(value)}"
            ) from None
    else:
        raise TypeError(
            f"create_duration must be seconds (a number) or a timedelta, got {safe_repr(value)}"
        )
    if duration < timedelta():
        raise ValueError(f"create_duration must not be negative, got {safe_repr(value)}")
    return duration


def _tag_pairs(
    tags: Mapping[str, str | None] | Iterable[tuple[str, str | None] | Mapping[str, str]],
) -> Tags:
    if isinstance(tags, (str, bytes)):
        raise TypeError(
            f"add_snapshot(): tags must be a mapping or (key, value) pairs: {safe_repr(tags)}"
        )
    if not isinstance(tags, Iterable):
        raise TypeError(
            f"add_snapshot(): tags must be a mapping or (key, value) pairs, got "
            f"{type(tags).__name__} {safe_repr(tags)}"
        )
    items = tags.items() if isinstance(tags, Mapping) else tags
    pairs: list[tuple[str, str | None]] = []
    for item in items:
        if isinstance(item, Mapping) and "key" in item and set(item) <= {"key", "value"}:
            key, value = item["key"], item.get("value")  # Lightsail's own shape
        elif isinstance(item, tuple) and len(item) == 2:
            key, value = item
        else:
            raise TypeError(
                "add_snapshot(): a tag must be a (key, value) pair or "
                f'{{"key": ..., "value": ...}}, got {safe_repr(item)}'
            )
        if not isinstance(key, str) or not (value is None or isinstance(value, str)):
            raise TypeError(
                f"add_snapshot(): tag keys and values must be str, got {safe_repr(item)}"
            )
        pairs.append((key, value))
    return tuple(pairs)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def mock_lightsail(
    *,
    rules: RuleSet = REFERENCE_RULES,
    databases: Iterable[str] | None = None,
    seed: int | None = None,
    clock: datetime | Callable[[], datetime] | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    fake_credentials: bool = True,
    assert_all_handled: bool = True,
    scenarios: Iterable[Scenario | str] = (),
    assert_all_used: bool = False,
    virtual_backoff: bool = True,
    create_duration: float | timedelta = 0,
) -> LightsailStub:
    """A :class:`LightsailStub`: use it as ``with mock_lightsail() as stub:``, as a
    decorator, or with ``start()`` / ``stop()``.

    - ``rules``: the documented rules to enforce (default :data:`REFERENCE_RULES`).
    - ``databases``: names of the databases that exist (in every Region). Default: any
      well-formed name exists, created on first use.
    - ``seed``: make ids, ARNs, support codes and request ids reproducible.
    - ``clock``: a timezone-aware ``datetime`` (the clock stands there) or a callable
      returning one. Default: virtual, standing at the moment the stub was built; it moves
      only with ``advance()``, latency scenarios and virtual back-off.
    - ``account_id``: the 12-digit account in ARNs.
    - ``fake_credentials``: while active, set fake ``AWS_ACCESS_KEY_ID`` /
      ``AWS_SECRET_ACCESS_KEY`` (and unset ``AWS_SESSION_TOKEN``, disable instance metadata)
      so clients created meanwhile never look for real credentials.
    - ``assert_all_handled``: at exit, raise again the first library error a call hit (an
      operation not served, an unsupported Region, a rule or a scenario that raised), even if
      the code under test swallowed it.
    - ``scenarios``: scenarios (or registered names, e.g. ``"throttled"``) deciding what
      Lightsail answers, asked in order; see :mod:`lightsail_stub.scenarios`.
    - ``assert_all_used``: at exit, fail if a scenario limited with ``times=`` (or a
      ``sequence``) was not used up.
    - ``virtual_backoff``: botocore's back-off between retries of calls this stub answers is
      added to the stub's clock instead of slept, and adaptive mode's client-side rate
      limiter does not hold them back. ``False``: botocore sleeps as usual.
    - ``create_duration``: seconds (or a ``timedelta``) on the stub's clock that a create
      takes: a new snapshot is ``creating`` (its database ``backing-up``) and its
      operations ``Started`` until then. Default 0: done by the next call.
    """
    return LightsailStub(
        rules=rules,
        databases=databases,
        seed=seed,
        clock=clock,
        account_id=account_id,
        fake_credentials=fake_credentials,
        assert_all_handled=assert_all_handled,
        scenarios=scenarios,
        assert_all_used=assert_all_used,
        virtual_backoff=virtual_backoff,
        create_duration=create_duration,
    )
