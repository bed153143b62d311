"""The botocore front door.

One inert dispatcher is hooked into botocore once per process, at the first activation of
any stub: on every botocore session and Lightsail client that already exists (found once
with ``gc``), and on every session created afterwards (through
``botocore.handlers.BUILTIN_HANDLERS``, the list each new session registers). It listens to
these Lightsail events only:

* ``before-parameter-build.lightsail``: takes the client's service model once, so the stub
  does not load the same large model a second time;
* ``before-sign.lightsail``: signs with fake credentials, so no real key is used and a
  client created without credentials still works;
* ``before-send.lightsail``: hands the serialized, signed request to the innermost active
  stub and returns its answer as an ``AWSResponse`` (or raises the transport error a
  scenario asked for), so botocore's real parser, retry handler and modeled exceptions act
  on it;
* ``after-call.lightsail`` / ``after-call-error.lightsail``: mark the end of a call, for the
  virtual back-off below.

Virtual back-off: botocore sleeps between retries in ``botocore.endpoint`` (``time.sleep``)
and, in adaptive mode, holds requests back in a client-side rate limiter. At installation
``botocore.endpoint.time`` becomes a thin proxy of the ``time`` module whose ``sleep`` adds
the delay to the answering stub's clock instead, but only between two attempts of a
Lightsail call that stub answered, in the thread that made it (any other sleep is real),
and adaptive mode's token bucket (``TokenBucket.acquire``, patched on the class) does not
wait during such a call either.

While no stub is active the handlers return ``None`` straight away and botocore behaves
exactly as it does without lightsail-stub. Activations only push onto and pop from a stack
(and set the fake environment), so they cost next to nothing and no handler accumulates.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Container, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import botocore.endpoint
from botocore import UNSIGNED, handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.client import BaseClient
from botocore.credentials import Credentials
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.hooks import BaseEventHooks
from botocore.retries import bucket
from botocore.session import Session

from . import _model, _wire
from ._errors import LightsailStubError, safe_repr
from .scenarios import TransportFault

if TYPE_CHECKING:
    from ._stub import LightsailStub

_SEND_EVENT = "before-send.lightsail"
_SIGN_EVENT = "before-sign.lightsail"
_SEND_ID = "lightsail-stub.before-send"
_SIGN_ID = "lightsail-stub.before-sign"
_MODEL_EVENT = "before-parameter-build.lightsail"
_MODEL_ID = "lightsail-stub.before-parameter-build"
_ANSWERED = "_lightsail_stub_answered"
_END_EVENTS = ("after-call.lightsail", "after-call-error.lightsail")
_READ_HEADERS = ("X-Amz-Target", "Authorization", "amz-sdk-request", "amz-sdk-invocation-id")
_END_ID = "lightsail-stub.end-of-call"

FAKE_ACCESS_KEY = "AKIALIGHTSAILSTUB000"
FAKE_SECRET_KEY = "lightsail-stub-fake-secret-key"
_FAKE_CREDENTIALS = Credentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY)

# While any stub that asked for it is active, these are set so that clients created
# meanwhile resolve fake credentials from the environment (the first provider botocore
# asks) instead of searching files, SSO, containers or instance metadata.
FAKE_ENV: dict[str, str | None] = {
    "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
    "AWS_SESSION_TOKEN": None,
    "AWS_SECURITY_TOKEN": None,
    "AWS_EC2_METADATA_DISABLED": "true",
}


class _RawBody:
    """The ``raw`` of an ``AWSResponse``: botocore reads the body through ``stream()``."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, amt: int | None = None) -> bytes:
        body, self._body = self._body, b""
        return body


class _Registry:
    """Which stubs are active.

    A stub started in a thread or an asyncio task answers the calls made there (a
    ``ContextVar``), so concurrent tasks each see their own; code running where no stub was
    started (a worker thread, say) is answered by the stub started last anywhere.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stack: tuple[LightsailStub, ...] = ()  # process-wide, in start order
        self._context: ContextVar[tuple[LightsailStub, ...]] = ContextVar(
            "lightsail_stub_active", default=()
        )
        self._installed = False
        self._env_users = 0
        self._saved_env: dict[str, str | None] = {}

    @property
    def innermost(self) -> LightsailStub | None:
        stack = self._stack  # one read of an immutable tuple: no lock needed
        if not stack:
            return None
        # A context copied while a stub was active (a task created inside the block) may
        # still name it after it stopped: only stubs still on the process stack count.
        for stub in reversed(self._context.get()):
            if stub in stack:
                return stub
        return stack[-1]

    def push(self, stub: LightsailStub, *, fake_env: bool) -> None:
        with self._lock:
            if stub in self._stack:
                raise RuntimeError(
                    f"{safe_repr(stub)} is already active; stop it before starting it again"
                )
            self._install()
            # Again at every activation: a test's monkeypatch of botocore.endpoint.time,
            # undone, puts the real module back after the first one (one isinstance check).
            _install_virtual_backoff()
            self._stack = (*self._stack, stub)
            self._context.set((*self._context.get(), stub))
            if fake_env:
                if self._env_users == 0:
                    self._saved_env = {key: os.environ.get(key) for key in FAKE_ENV}
                    set_env(FAKE_ENV)
                self._env_users += 1

    def pop(self, stub: LightsailStub, *, fake_env: bool) -> None:
        with self._lock:
            if stub not in self._stack:
                raise RuntimeError(f"{safe_repr(stub)} is not active")
            self._stack = tuple(s for s in self._stack if s is not stub)
            self._context.set(tuple(s for s in self._context.get() if s is not stub))
            if fake_env:
                self._env_users -= 1
                if self._env_users == 0:
                    set_env(self._saved_env)
                    self._saved_env = {}
                    forget_fake_credentials_of_boto3_default_session()

    def _install(self) -> None:
        if self._installed:
            return
        handlers.BUILTIN_HANDLERS.append((_SEND_EVENT, before_send))
        handlers.BUILTIN_HANDLERS.append((_SIGN_EVENT, before_sign))
        handlers.BUILTIN_HANDLERS.append((_MODEL_EVENT, _offer_model))
        for event in _END_EVENTS:
            handlers.BUILTIN_HANDLERS.append((event, _end_of_call))
        _install_virtual_backoff()
        # Sessions and clients made before this moment (e.g. at import time of the code under
        # test) copied their handlers already: reach them once, here.
        for obj in gc.get_objects():
            if isinstance(obj, Session):
                register(obj)
            elif isinstance(obj, BaseClient) and _is_lightsail(obj):
                register(obj.meta.events)
        self._installed = True


REGISTRY = _Registry()


def set_env(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def forget_fake_credentials_of_boto3_default_session() -> None:
    """boto3's default session caches the credentials it resolved; if it resolved the fake
    ones while a stub was active, make it resolve again (from the restored environment).

    Other sessions can't be found cheaply; docs/usage.md says so. boto3 is not imported here:
    if it isn't loaded, there is no default session to fix.
    """
    boto3 = sys.modules.get("boto3")
    default = getattr(boto3, "DEFAULT_SESSION", None)
    session = getattr(default, "_session", None)
    credentials = getattr(session, "_credentials", None)
    # Only plain Credentials (what the environment gives): reading a refreshable one's key
    # could trigger a refresh, i.e. a network call.
    if type(credentials) is Credentials and credentials.access_key == FAKE_ACCESS_KEY:
        session._credentials = None  # type: ignore[union-attr]


def _is_lightsail(client: BaseClient) -> bool:
    return bool(client.meta.service_model.service_name == "lightsail")


def register(events: BaseEventHooks | Session) -> None:
    """Hook the dispatcher into one emitter (or a session's). Idempotent (by unique id)."""
    # botocore-stubs types handlers as returning None; before-send handlers return responses.
    events.register(_SEND_EVENT, before_send, unique_id=_SEND_ID)  # type: ignore[arg-type]
    events.register(_SIGN_EVENT, before_sign, unique_id=_SIGN_ID)  # type: ignore[arg-type]
    events.register(_MODEL_EVENT, _offer_model, unique_id=_MODEL_ID)
    for event in _END_EVENTS:
        events.register(event, _end_of_call, unique_id=f"{_END_ID}.{event}")


def attach(client: BaseClient) -> None:
    if not isinstance(client, BaseClient) or not _is_lightsail(client):
        raise TypeError(
            "attach() takes a Lightsail client, e.g. boto3.client('lightsail'); got "
            f"{safe_repr(client)}"
        )
    register(client.meta.events)


def _offer_model(**kwargs: Any) -> None:
    if REGISTRY.innermost is not None:
        _model.offer(**kwargs)


def before_sign(request: Any, signature_version: Any = None, **kwargs: Any) -> None:
    if REGISTRY.innermost is None:
        return
    request.context.setdefault("signing", {})["request_credentials"] = _FAKE_CREDENTIALS
    if signature_version is UNSIGNED:
        # No signing scope will carry the client's Region: say it in a header of our own
        # (the request never leaves the process while a stub is active).
        request.headers[_wire.REGION_HEADER] = str(kwargs.get("region_name") or "")


def _to_a_server(url: str, listening: Container[tuple[str, int]]) -> bool:
    """Whether ``url`` is that of a lightsail-stub server listening in this process
    (``localhost`` counts as the loopback addresses a server binds)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return False
    if port is None:
        return False
    hosts = ("127.0.0.1", "::1") if host == "localhost" else (host,)
    # A membership test on the server module's own set: atomic, no lock, no copy per call.
    return any((name, port) in listening for name in hosts)


def before_send(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
    stub = REGISTRY.innermost
    if getattr(request, _ANSWERED, False):
        # Answered already: the dispatcher can sit on one emitter twice (a session's built-in
        # copy plus attach()), and botocore calls every handler of an event.
        return None
    if stub is None:
        if getattr(_calling, "stub", None) is not None:
            # A retry of a call a stub answered, after that stub stopped: never let it go
            # to the network.
            _calling.stub = None
            raise LightsailStubError(
                "the stub that answered this Lightsail call stopped before botocore retried "
                "it; the retry was not sent. Keep the stub active until the code under test "
                "has finished its calls (e.g. join worker threads inside the with block)."
            )
        return None
    server = sys.modules.get("lightsail_stub._server")
    if server is not None and server._listening and _to_a_server(request.url, server._listening):
        # Sent to a lightsail-stub server of this process (ThreadedServer): let it go there;
        # its own stub answers it. (Only looked at when the server module is loaded at all.)
        return None
    setattr(request, _ANSWERED, True)
    # Only the headers the dispatch reads (iterating all of botocore's HTTPHeaders is slow;
    # a missing one costs a KeyError inside it, so the Region header only when no signing
    # scope names the Region). The Region found goes on in that header, as the signing
    # scope would outrank it anyway: from_http need not search the signature again.
    headers = {}
    get = request.headers.get
    for name in _READ_HEADERS:
        value = get(name)
        if value is not None:
            headers[name] = _text(value)
    region = _wire.signed_region(headers.pop("Authorization", ""))
    if region is None:
        value = get(_wire.REGION_HEADER)
        region = None if value is None else _text(value)
    if region is not None:
        headers[_wire.REGION_HEADER] = region
    target = headers.get("X-Amz-Target")
    body = _bytes(request.body)
    operation, wire = _wire.from_http(target, body, headers, request.url, None)
    if operation is None:
        # Not a JSON 1.1 Lightsail request: take the operation name from the event.
        event_name = str(kwargs.get("event_name", ""))
        operation = event_name.rsplit(".", 1)[-1]
        wire = _wire.WireRequest(operation, body, wire.region, wire.headers)
    _calling.stub = stub  # retries of this call back off on its clock (see _VirtualTime)
    try:
        response = stub._handle(wire)
    except Exception:
        raise  # botocore emits after-call-error, which clears _calling
    except BaseException:
        _calling.stub = None  # e.g. pytest.fail() in a scenario: botocore emits nothing
        raise
    if isinstance(response, TransportFault):
        raise _FAULTS[response.kind](endpoint_url=request.url, error="simulated by lightsail-stub")
    # AWSResponse copies the headers into a HeadersDict; the stubs ask for HTTPHeaders.
    headers_in: Any = dict(response.headers)
    return AWSResponse(request.url, response.status, headers_in, _RawBody(response.body))


def _bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    read = getattr(body, "read", None)
    data = read() if callable(read) else b""
    return data if isinstance(data, bytes) else str(data).encode()


def _text(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


_FAULTS: dict[str, Callable[..., Exception]] = {
    "connection-error": EndpointConnectionError,
    "connect-timeout": ConnectTimeoutError,
    "read-timeout": ReadTimeoutError,
    "connection-closed": ConnectionClosedError,
}

# -- virtual back-off ----------------------------------------------------------------------

_calling = threading.local()  # .stub: the stub answering this thread's current Lightsail call


def _end_of_call(**kwargs: Any) -> None:
    _calling.stub = None


class _VirtualTime:
    """Stands in for the ``time`` module inside ``botocore.endpoint``: everything is the real
    module's, except that ``sleep`` between attempts of a Lightsail call answered by a stub
    (with ``virtual_backoff``) moves that stub's clock instead of sleeping."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        stub = getattr(_calling, "stub", None)
        if stub is not None and stub.virtual_backoff and stub.active:
            try:
                stub._clock.advance(max(0.0, float(seconds)))
            except ValueError as error:  # near the clock's last instant
                raise LightsailStubError(
                    f"botocore's back-off before a retry ({seconds:g} seconds) could not "
                    f"move the stub's clock: {error}"
                ) from None
            return
        self._real.sleep(seconds)


def _install_virtual_backoff() -> None:
    if not isinstance(botocore.endpoint.time, _VirtualTime):  # type: ignore[attr-defined]
        botocore.endpoint.time = _VirtualTime(time)  # type: ignore[attr-defined]
    # Adaptive mode's client-side rate limiter waits in TokenBucket.acquire, during the
    # before-send event (after this module's handler has marked the call). Patched on the
    # class, so that every client's limiter is reached, whenever the client was created.
    original = bucket.TokenBucket.acquire
    if getattr(original, "_lightsail_stub", False):
        return

    def acquire(self: bucket.TokenBucket, amount: int = 1, block: bool = True) -> Any:
        stub = getattr(_calling, "stub", None)
        if stub is not None and stub.virtual_backoff and stub.active:
            return True  # a call the stub answers: no client-side rate limiting
        return original(self, amount, block)

    acquire._lightsail_stub = True  # type: ignore[attr-defined]
    bucket.TokenBucket.acquire = acquire  # type: ignore[method-assign]
