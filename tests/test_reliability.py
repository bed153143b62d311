"""It cannot hurt its users: no network, no credentials, threads, leaks, hostile input."""

from __future__ import annotations

import gc
import json
import socket
import threading
import tracemalloc
import weakref
from collections.abc import Callable
from typing import Any

import botocore.credentials
import botocore.utils
import pytest
from botocore import handlers
from botocore.exceptions import BotoCoreError, ClientError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import lightsail_stub
from lightsail_stub import _hook, _model, mock_lightsail
from lightsail_stub._operations import OPERATIONS
from lightsail_stub._wire import WireRequest
from lightsail_stub.scenarios import chaos, when

from .helpers import assert_valid_output, client, create

CREATE = "CreateRelationalDatabaseSnapshot"


# -- no network, no credentials ------------------------------------------------------------------


def test_a_stubbed_call_opens_no_socket_and_resolves_no_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[object] = []
    real_init = socket.socket.__init__

    def record_socket(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        opened.append(args)
        real_init(self, *args, **kwargs)

    def record_lookup(*args: Any, **kwargs: Any) -> Any:
        opened.append(("getaddrinfo", *args))
        raise OSError("name resolution blocked by the test")

    c = client()
    monkeypatch.setattr(socket.socket, "__init__", record_socket)
    monkeypatch.setattr(socket, "getaddrinfo", record_lookup)
    monkeypatch.setattr(socket, "create_connection", record_lookup)
    with mock_lightsail() as stub:
        create(c)
        create(client("us-east-1"), snapshot="other")  # a client made inside, too
    assert opened == []
    assert [call.answer for call in stub.calls] == ["200 OK", "200 OK"]


PROVIDERS = [
    cls
    for cls in vars(botocore.credentials).values()
    if isinstance(cls, type)
    and issubclass(cls, botocore.credentials.CredentialProvider)
    and cls is not botocore.credentials.CredentialProvider
    and cls is not botocore.credentials.EnvProvider
]


def test_under_a_stub_no_credential_provider_but_the_environment_is_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def load(self: Any, *args: Any, **kwargs: Any) -> None:
            asked.append(name)
            raise AssertionError(f"{name} was asked for credentials")

        return load

    for provider in PROVIDERS:
        monkeypatch.setattr(provider, "load", refuse(provider.__name__), raising=False)
    monkeypatch.setattr(
        botocore.utils.InstanceMetadataFetcher, "retrieve_iam_role_credentials", refuse("IMDS")
    )
    assert len(PROVIDERS) >= 8  # instance metadata, container, SSO, files, process...
    with mock_lightsail():
        create(client())  # created inside: credentials resolve from the fake environment
    assert asked == []


# -- threads ----------------------------------------------------------------------------------------


def test_eight_threads_and_thousands_of_calls_keep_log_and_world_consistent() -> None:
    threads_count, per_thread = 8, 300
    clients = [client(retries={"mode": "standard", "total_max_attempts": 2}) for _ in range(4)]
    errors: list[BaseException] = []
    # Faults on first attempts only: every call succeeds on its retry, so the final state is
    # exact while the scenario engine, retries and the world all run concurrently.
    first_try_faults = when(lambda call: call.attempt == 1, chaos(rate=0.2, seed=3))

    def worker(number: int) -> None:
        try:
            for index in range(per_thread):
                create(clients[number % 4], snapshot=f"t{number}-{index:04d}")
        except BaseException as error:  # pragma: no cover (reported below)
            errors.append(error)

    with mock_lightsail(scenarios=[first_try_faults]) as stub:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    total = threads_count * per_thread
    names = [s.name for s in stub.snapshots]
    assert sorted(names) == sorted(
        f"t{n}-{i:04d}" for n in range(threads_count) for i in range(per_thread)
    )
    assert len({s.arn for s in stub.snapshots}) == total
    assert len(stub.operations) == 2 * total
    succeeded = [c for c in stub.calls if c.ok]
    assert len(succeeded) == total
    assert len(stub.calls) > total  # some first attempts failed and were retried
    for number in range(threads_count):  # each thread's calls are logged in its own order
        mine = [
            c.params["relationalDatabaseSnapshotName"]
            for c in succeeded
            if c.params["relationalDatabaseSnapshotName"].startswith(f"t{number}-")
        ]
        assert mine == sorted(mine)


# -- leaks ------------------------------------------------------------------------------------------


def _handler_count(c: Any) -> int:
    emitter = c.meta.events._emitter  # private, test-only: how many handlers would run
    return len(list(emitter._handlers.prefix_search(f"before-send.lightsail.{CREATE}")))


def _cycle(clients: list[Any], number: int) -> weakref.ref[Any]:
    stub = mock_lightsail(scenarios=[when(lambda call: False, chaos())])
    stub._made_by_the_leak_test = True  # type: ignore[attr-defined]
    c = clients[number % len(clients)]
    if number % 3 == 0:  # a body that raises
        with pytest.raises(KeyError), stub:
            create(c, snapshot=f"s-{number}")
            raise KeyError(number)
    elif number % 3 == 1:  # nested stubs
        with stub, mock_lightsail(assert_all_handled=False) as inner:
            create(c, snapshot=f"s-{number}")
            inner.reset()
    else:  # start/stop, with a library error reported at exit
        stub.start()
        try:
            c.get_bundles()
        except lightsail_stub.UnhandledOperationError:
            pass
        with pytest.raises(lightsail_stub.UnhandledOperationError):
            stub.stop()
    return weakref.ref(stub)


def test_thousands_of_activations_leave_no_handler_stub_or_memory_behind() -> None:
    clients = [client(region) for region in ("eu-west-2", "us-east-1", "ap-south-1")]
    _cycle(clients, 0)  # the first activation installs the dispatcher, once
    builtin = len(handlers.BUILTIN_HANDLERS)
    counts = [_handler_count(c) for c in clients]
    refs = [_cycle(clients, number) for number in range(1, 600)]
    gc.collect()
    assert [ref() for ref in refs if ref() is not None] == []  # every stub was freed
    del refs
    # Python's and botocore's caches keep filling for a while (measured, per 500
    # activations: +81 KB, +15 KB, +10 KB, +2 KB, then nothing), unevenly. A leak grows in
    # every window; caches don't: so at least one window of four (of 300) must stay flat.
    windows = []
    tracemalloc.start()
    try:
        for window in range(4):
            before = tracemalloc.get_traced_memory()[0]
            for number in range(600 + 300 * window, 900 + 300 * window):
                _cycle(clients, number)
            gc.collect()
            windows.append(tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
    # A stub, a handler or a call log kept per activation would be hundreds of bytes each.
    assert min(windows) < 16_000, f"memory grew in every window of 300 activations: {windows}"
    # Every stub of the measured windows was freed too (other tests' stubs may live on).
    alive = [
        o
        for o in gc.get_objects()
        if isinstance(o, lightsail_stub.LightsailStub)
        and getattr(o, "_made_by_the_leak_test", False)
    ]
    assert alive == []
    assert len(handlers.BUILTIN_HANDLERS) == builtin
    assert [_handler_count(c) for c in clients] == counts
    assert _hook.REGISTRY.innermost is None
    assert getattr(_hook._calling, "stub", None) is None


# -- hostile input ---------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec=None, categories=None), max_size=40)  # surrogates included
HOSTILE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def _members(operation: str) -> list[str]:
    shape = _model.operation_model(operation).input_shape
    return [] if shape is None else list(shape.members)


def _body(document: Any) -> bytes:
    # allow_nan: NaN and Infinity are not JSON; a hostile client may send them anyway.
    return json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), operation=st.sampled_from(sorted(OPERATIONS)))
def test_any_body_for_any_served_operation_gets_an_answer_and_changes_nothing_if_refused(
    data: st.DataObject, operation: str
) -> None:
    members = _members(operation)
    # Values that name what the account holds, so that a refused request that wrote part
    # of its change would show.
    values = st.sampled_from(["orders-db", "orders-snap", True, "mysql_8_0"]) | HOSTILE
    document = data.draw(
        st.dictionaries(st.sampled_from(members) | TEXT, values, max_size=len(members) + 2)
        if members
        else st.dictionaries(TEXT, values, max_size=2)
    )
    raw = data.draw(st.sampled_from(["json", "bytes"]))
    body = _body(document) if raw == "json" else data.draw(st.binary(max_size=64))
    stub = mock_lightsail(seed=1, databases=["orders-db"])
    stub.add_snapshot("orders-snap", region="eu-west-2", database="orders-db", tags={"k": "v"})
    before = (stub.snapshots, stub.databases, stub.operations)
    response = stub._handle(WireRequest(operation, body, "eu-west-2"))
    assert not isinstance(response, Exception)
    answer = json.loads(response.body)
    if response.status == 200:
        assert isinstance(answer, dict)
    else:
        assert response.status in (400, 500)
        assert set(answer) >= {"__type", "message"}
        assert (stub.snapshots, stub.databases, stub.operations) == before


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"relationalDatabaseName": "db", "relationalDatabaseSnapshotName": "a" * 1_000_000},
            "relationalDatabaseSnapshotName 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"
            "... (1000000 characters) is invalid: must contain from 2 to 255 characters.",
        ),
        (
            {
                "relationalDatabaseName": "db",
                "relationalDatabaseSnapshotName": "snap-1",
                "tags": [{"key": f"k{i}", "value": "v"} for i in range(10_000)],
            },
            "tags (10000 items) is invalid: must have at most 50 tags.",
        ),
        (
            {"relationalDatabaseName": "db", "relationalDatabaseSnapshotName": "snap\ud800x"},
            "relationalDatabaseSnapshotName 'snap\\ud800x' is invalid",
        ),
        (
            {"relationalDatabaseName": "db", "relationalDatabaseSnapshotName": "snap\x00\x1b[31m"},
            "relationalDatabaseSnapshotName 'snap\\x00\\x1b[31m' is invalid",
        ),
    ],
)
def test_huge_and_unprintable_values_are_invalid_input_with_a_short_message(
    document: dict[str, Any], message: str
) -> None:
    stub = mock_lightsail()
    response = stub._handle(WireRequest(CREATE, _body(document), "eu-west-2"))
    answer = json.loads(response.body)
    assert (response.status, answer["__type"]) == (400, "InvalidInputException")
    assert answer["message"].startswith(message)
    assert len(answer["message"]) < 400
    assert stub.snapshots == ()


@settings(max_examples=40, deadline=None)
@given(
    name=TEXT,
    tags=st.lists(st.fixed_dictionaries({"key": TEXT}, optional={"value": TEXT}), max_size=3),
)
@example(name="snap\ud800", tags=[])
@example(name="a" * 300, tags=[{"key": "aws:x"}])
def test_smuggled_past_botocore_into_a_real_client_still_a_lightsail_answer(
    name: str, tags: list[dict[str, str]]
) -> None:
    c = client(parameter_validation=False)
    with mock_lightsail() as stub:
        try:
            response = c.create_relational_database_snapshot(
                relationalDatabaseName="orders-db", relationalDatabaseSnapshotName=name, tags=tags
            )
        except ClientError as error:
            assert error.response["Error"]["Code"] in {  # noqa: PT017
                "InvalidInputException",
                "SerializationException",
            }
            assert stub.snapshots == ()
        except BotoCoreError:
            pass  # botocore's own (e.g. it could not serialize a lone surrogate)
        else:
            assert_valid_output(CREATE, response)
            assert [s.name for s in stub.snapshots] == [name]
    assert all(call.error_code != "LightsailStubError" for call in stub.calls)


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=200) | HOSTILE.map(_body))
@example(body=b'{"relationalDatabaseName": ["x"], "relationalDatabaseSnapshotName": {"a": 1}}')
@example(body=b'{"relationalDatabaseName": "db", "relationalDatabaseSnapshotName": "\\ud800"}')
@example(body=b"\xff\xfe not utf-8")
def test_a_raw_body_swapped_in_at_before_send_still_gets_a_lightsail_answer(body: bytes) -> None:
    """Smuggled past botocore after it serialized and signed the request: a handler of the
    caller's own, registered on the more specific event, runs before the stub's."""
    c = client()

    def swap(request: Any, **kwargs: Any) -> None:
        request.body = body

    c.meta.events.register(f"before-send.lightsail.{CREATE}", swap)
    with mock_lightsail() as stub:
        try:
            create(c)
        except ClientError as error:
            assert error.response["Error"]["Code"] in {  # noqa: PT017
                "InvalidInputException",
                "SerializationException",
            }
            assert stub.snapshots == ()
    assert [call.operation for call in stub.calls] == [CREATE]
    assert stub.calls[0].error_code != "LightsailStubError"


@pytest.mark.parametrize(
    ("constant", "said"),
    [
        ("NaN", "NaN is not a JSON value"),
        ("Infinity", "Infinity is not a JSON value"),
        ("-Infinity", "-Infinity is not a JSON value"),
        ("1e400", "the number 1e400 is too large (it overflows a double)"),
        ("-1e400", "the number -1e400 is too large (it overflows a double)"),
    ],
)
def test_nan_or_infinity_swapped_into_a_body_is_a_serialization_exception(
    constant: str, said: str
) -> None:
    """Not JSON (RFC 8259), though Python's parser reads them: AWS refuses such a body.
    botocore never sends one; a handler of the caller's own can."""
    c = client()
    body = f'{{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "s-1", "x": {constant}}}'

    def swap(request: Any, **kwargs: Any) -> None:
        request.body = body.encode()

    c.meta.events.register(f"before-send.lightsail.{CREATE}", swap)
    with mock_lightsail() as stub:
        with pytest.raises(ClientError) as caught:
            create(c)
    assert caught.value.response["Error"]["Code"] == "SerializationException"
    assert said in caught.value.response["Error"]["Message"]
    assert stub.snapshots == ()
