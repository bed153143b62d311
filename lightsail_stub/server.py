"""Server mode: the same stub behind a local HTTP endpoint, for the AWS CLI and SDKs that are
not Python (``--endpoint-url``). See docs/server.md.

``import lightsail_stub`` does not import this module (nor ``http.server``).
"""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from types import FrameType, TracebackType
from typing import IO, Any

from ._defaults import DEFAULT_MAX_BODY, DEFAULT_REGION, DEFAULT_TIMEOUT
from ._errors import safe_repr
from ._rules import REFERENCE_RULES, RuleSet
from ._server import (
    CONTROL_PREFIX,
    POLL_INTERVAL,
    Rejected,
    Server,
    is_loopback,
    listening_addresses,
)
from ._stub import LightsailStub
from ._world import DEFAULT_ACCOUNT
from .scenarios import Scenario

__all__ = [
    "CONTROL_PREFIX",
    "DEFAULT_MAX_BODY",
    "DEFAULT_REGION",
    "DEFAULT_TIMEOUT",
    "Rejected",
    "RemoteListeningWarning",
    "ThreadedServer",
    "is_loopback",
    "listening_addresses",
    "serve",
]


class RemoteListeningWarning(UserWarning):
    """A server listens on an address that is not loopback (``allow_remote=True``)."""


_SERVER_OPT_OUT = "pass assert_all_handled=False to ThreadedServer() to not check this at exit"


class ThreadedServer:
    """A lightsail-stub server on a free loopback port, in a background thread of this
    process: ``with ThreadedServer(seed=1) as server:`` then point any client at
    ``server.url``. ``server.stub`` is the :class:`~lightsail_stub.LightsailStub` behind it,
    to seed and inspect directly (it is not activated: the server calls it, no botocore hook
    is involved).

    Stub options (``rules``, ``databases``, ``seed``, ``clock``, ``account_id``,
    ``scenarios``, ``assert_all_handled``, ``assert_all_used``, ``create_duration``) are
    those of :func:`~lightsail_stub.mock_lightsail`; or pass a ready ``stub=`` (with none of
    them: a ``TypeError`` names those given). Server
    options:

    - ``host`` / ``port``: where to listen (default ``127.0.0.1``, a free port). A host that
      is not loopback needs ``allow_remote=True``.
    - ``region``: the Region of requests that carry no signing scope (default
      ``us-east-1``); signed requests (the AWS CLI's, every SDK's) use their own.
    - ``timeout``: seconds a connection may stay silent (a slow body answers 408).
    - ``max_body``: the largest request body, in bytes (larger ones answer 413).
    - ``fault_hold``: seconds a simulated read timeout holds the connection before closing
      it (default 0: closed at once, nothing waits).
    - ``log``: called with one line per request (what ``serve`` prints on stderr).

    At exit, like ``mock_lightsail``: the first library error a call hit (an operation the
    stub does not serve, a scenario that raised...) is raised again, unless
    ``assert_all_handled=False``; with ``assert_all_used=True``, unused scenarios fail.
    """

    def __init__(
        self,
        *,
        stub: LightsailStub | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = DEFAULT_REGION,
        timeout: float = DEFAULT_TIMEOUT,
        max_body: int = DEFAULT_MAX_BODY,
        fault_hold: float = 0.0,
        allow_remote: bool = False,
        log: Callable[[str], None] | None = None,
        rules: RuleSet = REFERENCE_RULES,
        databases: Iterable[str] | None = None,
        seed: int | None = None,
        clock: datetime | Callable[[], datetime] | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        scenarios: Iterable[Scenario | str] = (),
        assert_all_handled: bool = True,
        assert_all_used: bool = False,
        create_duration: float | timedelta = 0,
    ) -> None:
        if not isinstance(host, str) or not host:
            raise TypeError(f"host must be a non-empty str, got {safe_repr(host)}")
        if not is_loopback(host) and not allow_remote:
            raise ValueError(
                f"host {safe_repr(host)} is not a loopback address: the stub would be reachable "
                "from other machines. Pass allow_remote=True (--allow-remote) if that is meant"
            )
        if not is_loopback(host):
            warnings.warn(
                f"ThreadedServer listening on {host}, which is not loopback: anyone who can "
                "reach this machine can use and reset the stub",
                RemoteListeningWarning,
                stacklevel=2,
            )
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an int from 0 to 65535, got {safe_repr(port)}")
        if stub is None:
            stub = LightsailStub(
                rules=rules,
                databases=databases,
                seed=seed,
                clock=clock,
                account_id=account_id,
                scenarios=scenarios,
                assert_all_handled=assert_all_handled,
                assert_all_used=assert_all_used,
                create_duration=create_duration,
                fake_credentials=False,  # not activated: no environment to set
            )
        elif not isinstance(stub, LightsailStub):
            raise TypeError(f"stub must be a LightsailStub, got {type(stub).__name__}")
        else:
            # The stub was made with its own options: these would be silently ignored.
            given = [
                name
                for name, value, default in [
                    ("rules", rules, REFERENCE_RULES),
                    ("databases", databases, None),
                    ("seed", seed, None),
                    ("clock", clock, None),
                    ("account_id", account_id, DEFAULT_ACCOUNT),
                    ("scenarios", tuple(scenarios), ()),
                    ("assert_all_handled", assert_all_handled, True),
                    ("assert_all_used", assert_all_used, False),
                    ("create_duration", create_duration, 0),
                ]
                if value is not default and value != default
            ]
            if given:
                raise TypeError(
                    f"stub options ({', '.join(given)}) can't be given with stub=: the stub "
                    "has its own; pass them to LightsailStub() instead"
                )
        self.stub = stub
        self._options: dict[str, Any] = {
            "host": host,
            "port": port,
            "region": region,
            "timeout": timeout,
            "max_body": max_body,
            "fault_hold": fault_hold,
            "log": log,
        }
        # Built here, so that a bad option or a port in use fails at once.
        self._server: Server | None = Server(stub, **self._options)
        self._served = self._server  # kept after stop, for what it answered
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the ``--endpoint-url`` / ``endpoint_url``."""
        return self._live().url

    @property
    def address(self) -> tuple[str, int]:
        return self._live().address

    @property
    def port(self) -> int:
        return self._live().address[1]

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        """Requests the server answered itself (bad method, path, target, framing...); the
        last 1000, readable after the server stopped too."""
        return self._served.rejected

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _live(self) -> Server:
        if self._server is None:
            raise RuntimeError("this ThreadedServer was stopped; make a new one")
        return self._server

    def start(self) -> ThreadedServer:
        server = self._live()
        if self._thread is not None:
            raise RuntimeError(f"the server at {server.url} is running already")
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"lightsail-stub {server.url}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection, join the threads; then the checks of
        ``mock_lightsail``'s ``stop()`` (see the class docstring)."""
        self._close()
        self.stub._check_at_exit(check=True, opt_out=_SERVER_OPT_OUT)

    def _close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        if self._thread is not None:
            server.stop()
            self._thread.join()
            self._thread = None
        else:
            server.server_close()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()
        # When the body raised, that error is the story: don't bury it under ours.
        self.stub._check_at_exit(check=exc_type is None, opt_out=_SERVER_OPT_OUT)

    def __repr__(self) -> str:
        where = self._server.url if self._server is not None else "stopped"
        return f"<ThreadedServer {where} {self.stub!r}>"


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    region: str = DEFAULT_REGION,
    seed: int | None = None,
    scenarios: Sequence[str] = (),
    databases: Sequence[str] | None = None,
    allow_remote: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    max_body: int = DEFAULT_MAX_BODY,
    quiet: bool = False,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """``python -m lightsail_stub serve``: print the URL on stdout, serve until SIGINT or
    SIGTERM, then stop cleanly and return 0. Problems with the options return 2, a port that
    can't be bound 1, each with a message on stderr. Must run in the main thread (signals)."""
    out = out or sys.stdout
    err = err or sys.stderr

    def log(line: str) -> None:
        print(line, file=err, flush=True)

    if not is_loopback(host):
        if not allow_remote:
            log(
                f"error: --host {host} is not a loopback address: the stub would be reachable "
                "from other machines. Add --allow-remote if that is meant."
            )
            return 2
        log(
            f"warning: listening on {host}, which is not loopback: anyone who can reach this "
            "machine can use and reset the stub. It holds no real data or credentials."
        )
    try:
        with warnings.catch_warnings():  # warned on stderr above, in the CLI's words
            warnings.simplefilter("ignore", RemoteListeningWarning)
            server = ThreadedServer(
                host=host,
                port=port,
                region=region,
                seed=seed,
                scenarios=list(scenarios),
                databases=databases,
                allow_remote=allow_remote,
                timeout=timeout,
                max_body=max_body,
                log=None if quiet else log,
                assert_all_handled=False,  # reported on stderr as they happen instead
            )
    except OSError as error:
        log(f"error: cannot listen on {host}:{port}: {error}")
        return 1
    except (TypeError, ValueError, LookupError) as error:
        log(f"error: {error.args[0] if isinstance(error, KeyError) else error}")
        return 2
    stop = threading.Event()

    def on_signal(number: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {
        number: signal.signal(number, on_signal) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        with server:
            # The banner first: once the URL is out, requests (and their log lines) may come.
            url = _client_url(host, server)
            where = f" (listening on all interfaces, {host})" if url != server.url else ""
            log(
                f"lightsail-stub serving Lightsail at {url}{where} (control API under "
                f"{url}{CONTROL_PREFIX}); Ctrl-C or SIGTERM to stop"
            )
            print(url, file=out, flush=True)
            while not stop.wait(0.5):
                pass
            log("lightsail-stub: stopping")
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


def _client_url(host: str, server: ThreadedServer) -> str:
    """The URL a client on this machine can use: ``0.0.0.0`` / ``::`` (every interface) is
    an address to listen on, not to connect to; loopback reaches it."""
    try:
        unspecified = ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return server.url
    if not unspecified:
        return server.url
    return f"http://{'[::1]' if ':' in host else '127.0.0.1'}:{server.port}"
