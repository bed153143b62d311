"""The HTTP front door: Lightsail's JSON 1.1 protocol on a local endpoint, for the AWS CLI and
SDKs that are not Python.

Standard library only (``http.server``). A request is read and framed here, then handed as
a :class:`~lightsail_stub._wire.WireRequest` to ``LightsailStub._handle``: the very dispatch,
rules, scenarios, world and call log the botocore door uses. Nothing after the wire request
knows which door it came through.

What this module answers itself (before the stub sees anything) are the problems of the
HTTP request as such: a wrong method or path, no or an unknown ``X-Amz-Target``, a body that
is too large, framed in a way the server does not read (chunked) or that does not arrive in
time. Those answers are the stub's own choices (docs/fidelity.md) and are kept in
:attr:`Server.rejected`, not in the call log (no Lightsail call was made).

Under ``/_stub/`` a control API lets tests (in any language) reset, seed and inspect the
stub; see docs/server.md.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import math
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import _model, _wire
from ._defaults import DEFAULT_MAX_BODY, DEFAULT_REGION, DEFAULT_TIMEOUT
from ._errors import LightsailStubError, UnhandledOperationError, safe_repr
from ._stub import LightsailStub
from ._world import Database, Operation, Snapshot
from .scenarios import TransportFault, _scenario_name

CONTROL_PREFIX = "/_stub/"
_JSON = "application/json"
# A body up to this many times the limit is read and thrown away after a 413, so that the
# client, still sending, gets to read the answer instead of a reset connection.
_DRAIN_FACTOR = 16
_REJECTED_KEPT = 1000
#: How often ``serve_forever`` looks for a stop request: the longest a stop waits for it.
POLL_INTERVAL = 0.05
#: The longest ``timeout`` and ``fault_hold`` (one day): sockets and waits take no more, and
#: anything longer is a mistake, not a wait.
MAX_SECONDS = 24 * 3600.0

# Addresses (host, port) of the servers listening in this process, for test suites that
# refuse network connections except to a server they started (see conftest.py).
_listening: set[tuple[str, int]] = set()
_listening_lock = threading.Lock()


def listening_addresses() -> frozenset[tuple[str, int]]:
    """The ``(host, port)`` of every lightsail-stub server listening in this process now."""
    with _listening_lock:
        return frozenset(_listening)


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address literal. Other names count as not loopback: the
    server never resolves a name through DNS to decide."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Rejected:
    """A request the server answered itself, without the stub (no Lightsail call)."""

    method: str
    path: str
    status: int | None
    error_type: str
    message: str


class _Answer(Exception):
    """Internal: stop handling this request and send this JSON error."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        close: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message
        self.close = close
        self.headers = dict(headers or {})


class _LastLine:
    """A request's stream that remembers the last line read from it."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.last: bytes | None = None

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self.stream.readline(limit)
        self.last = line
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class _Gone(Exception):
    """Internal: the client went away (or never finished its request): nothing to answer."""


#: The HTTP status of each library error the stub raises, when it reaches the server.
#: An operation the model has but the stub does not serve is "not implemented" (501, which
#: botocore does not retry); any other library error means the test set-up is wrong (400,
#: not retried either). ``__type`` is the error's class name: the stub's own, not Lightsail's.
def _library_status(error: LightsailStubError) -> int:
    return 501 if isinstance(error, UnhandledOperationError) else 400


class Server(ThreadingHTTPServer):
    """A threading HTTP server around one :class:`LightsailStub`."""

    # Handler threads are joined at server_close(), after their connections are shut down:
    # a clean stop leaves no thread behind.
    daemon_threads = False
    block_on_close = True

    def __init__(
        self,
        stub: LightsailStub,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        region: str = DEFAULT_REGION,
        timeout: float = DEFAULT_TIMEOUT,
        max_body: int = DEFAULT_MAX_BODY,
        fault_hold: float = 0.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if not isinstance(stub, LightsailStub):
            raise TypeError(f"stub must be a LightsailStub, got {type(stub).__name__}")
        if not isinstance(region, str) or region not in _model.enum("RegionName"):
            raise ValueError(
                f"region {region!r} is not a Lightsail Region in the botocore model; it lists: "
                f"{', '.join(_model.regions())}"
            )
        for option, value in [("timeout", timeout), ("fault_hold", fault_hold)]:
            # Written so that NaN, infinities and integers too large for a float fail too.
            if (
                not isinstance(value, (int, float))
                or isinstance(value, bool)
                or not 0 <= value <= MAX_SECONDS
            ):
                raise ValueError(
                    f"{option} must be a finite number of seconds from 0 to {MAX_SECONDS:g} "
                    f"(one day), got {_shown(value)}"
                )
        if timeout == 0:
            raise ValueError("timeout must be more than 0 seconds, got 0")
        if log is not None and not callable(log):
            raise TypeError(f"log must be a callable taking one str, or None, got {log!r}")
        if not isinstance(max_body, int) or isinstance(max_body, bool) or max_body < 1:
            raise ValueError(f"max_body must be a positive number of bytes, got {max_body!r}")
        self.stub = stub
        self.region = region
        self.request_timeout = float(timeout)
        self.max_body = max_body
        self.fault_hold = float(fault_hold)
        self.log = log
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._rejected: list[Rejected] = []
        if ":" in host.strip("[]"):
            self.address_family = socket.AF_INET6
        super().__init__((host.strip("[]"), port), _Handler)
        self._address = (str(self.server_address[0]), int(self.server_address[1]))
        with _listening_lock:
            _listening.add(self._address)

    # -- addresses and lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._address
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def address(self) -> tuple[str, int]:
        return self._address

    def stop(self) -> None:
        """Stop serving (from another thread than :meth:`serve_forever`'s), close every open
        connection and join the handler threads."""
        self._stopping.set()
        self.shutdown()
        self.server_close()

    def server_close(self) -> None:
        self._stopping.set()
        with _listening_lock:
            # socketserver calls this when binding failed too, before there is an address.
            _listening.discard(getattr(self, "_address", ("", 0)))
        self.socket.close()  # first: no new connection
        with self._connections_lock:
            open_now = list(self._connections)
        for connection in open_now:
            # Wakes a handler blocked reading a kept-alive connection; it then finishes.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        # ThreadingMixIn joins the handler threads (block_on_close).
        super().server_close()

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # -- what the server answered itself -------------------------------------------------

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        """The last requests (up to 1000) that the server answered itself, without the stub:
        wrong method, path or ``X-Amz-Target``, bad framing, too large, too slow."""
        with self._connections_lock:
            return tuple(self._rejected)

    def _say(self, line: str) -> None:
        if self.log is not None:
            with contextlib.suppress(Exception):  # a broken log must not break answers
                self.log(line)

    def _reject(self, entry: Rejected) -> None:
        self._say(
            f"{entry.method} {entry.path[:80]!r} -> {entry.status or 'closed'} "
            f"{entry.error_type}: {entry.message}"
        )
        with self._connections_lock:
            self._rejected.append(entry)
            del self._rejected[:-_REJECTED_KEPT]

    def clear_rejected(self) -> None:
        with self._connections_lock:
            self._rejected.clear()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A handler that failed past every answer it could give (e.g. the client vanished
        # while the answer was being written): nothing to tell anyone, and no traceback on
        # stderr for a client's behaviour.
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):  # pragma: no cover (a bug in this module)
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"  # keep-alive, as SDKs expect; every answer has a length

    def version_string(self) -> str:
        return "lightsail-stub"

    # -- connection ----------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.request_timeout)
        with contextlib.suppress(OSError):  # answers are written whole: no need to wait
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server._track(self.connection, add=True)

    def finish(self) -> None:
        self.server._track(self.connection, add=False)
        with contextlib.suppress(OSError):
            super().finish()

    def handle_one_request(self) -> None:
        if self.server._stopping.is_set():
            self.close_connection = True
            return
        try:
            super().handle_one_request()
        except _Gone:
            self.close_connection = True
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def parse_request(self) -> bool:
        # http.client.parse_headers takes the end of the stream for the end of the headers:
        # a request cut off in its headers (a client that died, a connection shut down at
        # stop) would be executed on what came. Require the blank line that ends them.
        reader = _LastLine(self.rfile)
        self.rfile = reader  # type: ignore[assignment]
        # http.server keeps the previous request's path on a kept-alive connection until it
        # has read the new request line: a line it refuses must not be filed under the old.
        self.path = ""
        try:
            parsed = super().parse_request()
        finally:
            self.rfile = reader.stream
        if parsed and reader.last == b"" and self.request_version != "HTTP/0.9":
            self.close_connection = True
            if not self.server._stopping.is_set():
                self.server._reject(
                    Rejected(
                        self.command,
                        self.path,
                        None,
                        "ClientGone",
                        "the connection ended in the request's headers (no blank line after "
                        "them): not executed",
                    )
                )
            return False
        return parsed

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the call log and :attr:`Server.rejected` say what happened."""

    # http.server answers malformed request lines, oversized or too many headers and
    # unsupported methods through send_error, with an HTML page: answer JSON instead.
    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        text = message or HTTPStatus(code).phrase
        if explain:
            text = f"{text}: {explain}"
        method = getattr(self, "command", None) or ""
        path = getattr(self, "path", None) or ""
        # Every one of them is the client's mistake (400, 414, 431; 505 for an HTTP version
        # other than 1.x): AWS's Common Errors name for a problem at the HTTP level.
        error_type = "MalformedHttpRequestException"
        self.close_connection = True
        # Filed before answering, as every refusal is: once a client has its answer,
        # GET /_stub/rejected shows it.
        self.server._reject(Rejected(method, path, code, error_type, text))
        self._send_error(code, error_type, text)

    # -- methods -------------------------------------------------------------------------

    def do_POST(self) -> None:
        self._serve(self._post)

    def do_GET(self) -> None:
        self._serve(self._other)

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, BREW...): a JSON 405, not http.server's HTML 501.
        if name.startswith("do_"):
            return lambda: self._serve(self._other)
        raise AttributeError(name)

    def _serve(self, handler: Callable[[], None]) -> None:
        try:
            handler()
        except _Answer as answer:
            self.server._reject(
                Rejected(self.command, self.path, answer.status, answer.error_type, answer.message)
            )
            if answer.close:
                self.close_connection = True
            self._send_error(answer.status, answer.error_type, answer.message, answer.headers)
        except _Gone as gone:
            self.server._reject(Rejected(self.command, self.path, None, "ClientGone", str(gone)))
            self.close_connection = True
        except OSError:
            raise  # the connection failed: nothing to answer (handle_one_request, handle_error)
        except Exception as error:
            # Last resort: a bug here must still give the client an answer, not a traceback
            # on stderr and a dropped connection.
            message = (
                f"this is a bug in lightsail-stub, please report it (with the request): "
                f"{type(error).__name__}: {error}"
            )
            self.server._reject(Rejected(self.command, self.path, 500, "InternalFailure", message))
            self.close_connection = True
            self._send_error(500, "InternalFailure", message)

    def _other(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith(CONTROL_PREFIX):
            self._discard_body()  # GET and DELETE endpoints take no arguments
            self._control(path, None)
            return
        if path != "/":
            self._not_found(path)
        self._discard_body()
        raise _Answer(
            405,
            "UnknownOperationException",
            f"method {self.command} is not allowed on {path}: Lightsail requests are POST "
            "with an X-Amz-Target header",
            headers={"Allow": "POST"},
        )

    def _not_found(self, path: str) -> None:
        self._discard_body()
        raise _Answer(
            404,
            "UnknownOperationException",
            f"no such path {path!r}: Lightsail requests are POST /, the control API is "
            f"under {CONTROL_PREFIX}",
        )

    def _post(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith(CONTROL_PREFIX):
            self._control(path, self._read_body())
            return
        if path != "/":
            self._not_found(path)
        targets = self.headers.get_all("X-Amz-Target") or []
        if len(set(targets)) > 1:
            self._discard_body()
            raise _Answer(
                400,
                "UnknownOperationException",
                f"the request has {len(targets)} different X-Amz-Target headers; send one",
            )
        target = targets[0] if targets else None
        body = self._read_body()
        headers = {key: value for key, value in self.headers.items() if isinstance(value, str)}
        operation, wire = _wire.from_http(target, body, headers, "", self.server.region)
        if operation is None or operation not in _model.operation_names():
            prefix = _model.target_prefix()
            shown = (
                "the request has no X-Amz-Target header"
                if target is None
                else f"X-Amz-Target {target!r} names no Lightsail operation"
            )
            raise _Answer(
                400,
                "UnknownOperationException",
                f"{shown}; send {prefix}.<Operation>, e.g. {prefix}.GetRelationalDatabaseSnapshots",
            )
        said = f"{operation} {wire.region} attempt {wire.attempt}"
        try:
            answer = self.server.stub._handle(wire)
        except LightsailStubError as error:
            # Recorded already (the call log has it, with status None and the class name).
            status = _library_status(error)
            self.server._say(f"{said} -> {status} {type(error).__name__}: {error}")
            self._send_error(status, type(error).__name__, str(error))
            return
        if isinstance(answer, TransportFault):
            self.server._say(f"{said} -> simulated {answer.kind}: no answer")
            self._act_out(answer)
            return
        self.server._say(f"{said} -> {answer.status}")
        self._send(answer.status, answer.headers, answer.body)

    # -- body ----------------------------------------------------------------------------

    def _content_length(self) -> int:
        if self.headers.get_all("Transfer-Encoding"):
            raise _Answer(
                411,
                "MalformedHttpRequestException",
                "Transfer-Encoding is not supported by lightsail-stub's server; send the body "
                "with a Content-Length",
                close=True,
            )
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0  # HTTP/1.1: a request without a length has no body
        if len(set(values)) > 1 or not values[0].strip().isdigit() or not values[0].isascii():
            raise _Answer(
                400,
                "MalformedHttpRequestException",
                f"Content-Length {', '.join(map(repr, values))} is not one length in bytes",
                close=True,
            )
        return int(values[0].strip())

    def _read_body(self) -> bytes:
        length = self._content_length()
        if length > self.server.max_body:
            self._drain(length)
            raise _Answer(
                413,
                "RequestEntityTooLargeException",
                f"the request body has {length} bytes; lightsail-stub's server takes at most "
                f"{self.server.max_body}",
                close=True,
            )
        return self._read_exactly(length)

    def _read_exactly(self, length: int) -> bytes:
        chunks: list[bytes] = []
        missing = length
        try:
            while missing:
                chunk = self.rfile.read1(min(missing, 65536))
                if not chunk:
                    raise _Gone(
                        f"the client closed the connection after {length - missing} of "
                        f"{length} body bytes"
                    )
                chunks.append(chunk)
                missing -= len(chunk)
        except TimeoutError:
            raise _Answer(
                408,
                "RequestTimeoutException",
                f"the request body did not arrive within {self.server.request_timeout:g} s "
                f"({length - missing} of {length} bytes came)",
                close=True,
            ) from None
        except ConnectionError as error:
            raise _Gone(f"the connection failed while the body was read: {error}") from None
        return b"".join(chunks)

    def _discard_body(self) -> None:
        length = self._content_length()
        if length > self.server.max_body:
            self._drain(length)
            self.close_connection = True
            return
        self._read_exactly(length)

    def _drain(self, length: int) -> None:
        """Read and drop a body too large to keep, if it is not absurdly large."""
        if length > self.server.max_body * _DRAIN_FACTOR:
            return  # answered, then the connection is closed
        with contextlib.suppress(_Answer, _Gone):
            self._read_exactly(length)

    # -- answers -------------------------------------------------------------------------

    def _send(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        if self.request_version == "HTTP/0.9":
            # A request line http.server could not read (or HTTP/0.9, which has no status
            # line or headers): answer as HTTP/1.0, so the client can read the error.
            self.request_version = "HTTP/1.0"
            self.close_connection = True
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # Headers and body in one write (end_headers() would send the headers alone): two
        # small segments meet Nagle's algorithm and the client's delayed ACK, ~40 ms a call.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def _send_error(
        self,
        status: int,
        error_type: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        body = _wire.encode({"__type": error_type, "message": message})
        # The control API answers application/json, its errors too; Lightsail's door, JSON 1.1.
        path = getattr(self, "path", None) or ""
        kind = _JSON if path.startswith(CONTROL_PREFIX) else _wire.CONTENT_TYPE
        sent = {"Content-Type": kind, **(headers or {})}
        try:
            self._send(status, sent, body)
        except OSError:
            self.close_connection = True

    def _act_out(self, fault: TransportFault) -> None:
        """No HTTP answer. ``read-timeout``: hold the connection for ``fault_hold`` seconds
        (0 by default: no real waiting), then close it; ``connection-closed``: close it;
        ``connection-error`` / ``connect-timeout``: reset it (the connection exists already,
        so a reset is the closest a server can come)."""
        self.close_connection = True
        if fault.kind == "read-timeout" and self.server.fault_hold:
            self.server._stopping.wait(self.server.fault_hold)
        if fault.kind in ("connection-error", "connect-timeout"):
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            with contextlib.suppress(OSError):
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
        with contextlib.suppress(OSError):
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.close()

    # -- the control API -----------------------------------------------------------------

    def _control(self, path: str, body: bytes | None) -> None:
        name = path[len(CONTROL_PREFIX) :].strip("/")
        routes = _ROUTES.get(name)
        if routes is None:
            raise _Answer(
                404,
                "UnknownControlEndpoint",
                f"no control endpoint {path!r}; endpoints: "
                + ", ".join(
                    f"{method} {CONTROL_PREFIX}{route}"
                    for route, methods in _ROUTES.items()
                    for method in methods
                ),
            )
        route = routes.get(self.command)
        if route is None:
            raise _Answer(
                405,
                "UnknownControlEndpoint",
                f"{self.command} is not allowed on {path}; use {' or '.join(routes)}",
                headers={"Allow": ", ".join(routes)},
            )
        arguments: dict[str, Any] = {}
        if body:
            try:
                document = json.loads(
                    body.decode("utf-8"),
                    parse_constant=_wire.refuse_constant,
                    parse_float=_wire.finite_float,
                )
            except (UnicodeDecodeError, ValueError, RecursionError) as error:
                raise _Answer(400, "InvalidArgument", f"the body is not JSON: {error}") from None
            if not isinstance(document, dict):
                raise _Answer(
                    400,
                    "InvalidArgument",
                    f"the body must be a JSON object, got {type(document).__name__}",
                )
            arguments = document
        try:
            result = route(self.server, arguments)
        except (TypeError, ValueError, LookupError) as error:
            message = error.args[0] if isinstance(error, KeyError) and error.args else error
            raise _Answer(400, "InvalidArgument", str(message)) from None
        except ArithmeticError as error:  # e.g. a number too large for a float
            raise _Answer(
                400,
                "InvalidArgument",
                f"{name}: an argument is out of range ({type(error).__name__}: {error}); "
                f"the arguments were {_shown(arguments)}",
            ) from None
        self._send(200, {"Content-Type": _JSON}, _json_bytes(result))


# -- control endpoints -----------------------------------------------------------------------

Route = Callable[[Server, dict[str, Any]], Any]


def _only(endpoint: str, arguments: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(arguments) - set(allowed))
    if unknown:
        raise ValueError(
            f"{endpoint}: unknown argument(s) {', '.join(map(repr, unknown))}; it takes: "
            f"{', '.join(allowed) or 'none'}"
        )


def _require(endpoint: str, arguments: Mapping[str, Any], name: str) -> Any:
    if name not in arguments:
        raise ValueError(f"{endpoint}: the argument {name!r} is required")
    return arguments[name]


def _reset(server: Server, arguments: dict[str, Any]) -> Any:
    _only("reset", arguments, ())
    server.stub.reset()
    server.clear_rejected()
    return {"reset": True}


_DATABASE_ARGUMENTS = (
    "name",
    "region",
    "availability_zone",
    "engine",
    "engine_version",
    "blueprint_id",
    "bundle_id",
    "size_in_gb",
)


def _add_database(server: Server, arguments: dict[str, Any]) -> Any:
    _only("databases", arguments, _DATABASE_ARGUMENTS)
    name = _require("databases", arguments, "name")
    for key in ("region", "availability_zone"):
        value = arguments.get(key)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"databases: {key} must be a string, got {value!r}")
    options = {key: value for key, value in arguments.items() if key != "name"}
    server.stub.add_database(name, **options)
    return {"databases": [_record(d) for d in server.stub.databases]}


def _list_databases(server: Server, arguments: dict[str, Any]) -> Any:
    return {
        "databases": [_record(d) for d in server.stub.databases],
        "declared": list(server.stub.declared_databases),
    }


def _add_snapshot(server: Server, arguments: dict[str, Any]) -> Any:
    endpoint = "snapshots"
    _only(endpoint, arguments, ("name", "region", "database", "created_at", "state", "tags"))
    name = _require(endpoint, arguments, "name")
    region = _require(endpoint, arguments, "region")
    options: dict[str, Any] = {
        key: arguments[key] for key in ("database", "state") if key in arguments
    }
    if "created_at" in arguments:
        options["created_at"] = _timestamp(arguments["created_at"])
    if "tags" in arguments:
        options["tags"] = _tags(arguments["tags"])
    snapshot = server.stub.add_snapshot(name, region=region, **options)
    return _record(snapshot)


def _timestamp(value: object) -> datetime:
    """``created_at``: ISO 8601 with an offset, or epoch seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as error:
            raise ValueError(f"snapshots: created_at {value!r} is not a time: {error}") from None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
    raise ValueError(
        f"snapshots: created_at must be epoch seconds or an ISO 8601 time with an offset "
        f"(e.g. '2026-11-01T03:00:00Z'), got {value!r}"
    )


def _tags(value: object) -> list[tuple[str, str | None]]:
    """``tags``: an object ``{"key": "value"}`` or Lightsail's ``[{"key": ..., "value": ...}]``."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list) and all(
        isinstance(item, dict) and "key" in item and set(item) <= {"key", "value"} for item in value
    ):
        return [(item["key"], item.get("value")) for item in value]
    raise TypeError(
        'snapshots: tags must be an object {"key": "value"} or a list of '
        f'{{"key": ..., "value": ...}}, got {value!r}'
    )


def _list_snapshots(server: Server, arguments: dict[str, Any]) -> Any:
    return {"snapshots": [_record(s) for s in server.stub.snapshots]}


def _list_operations(server: Server, arguments: dict[str, Any]) -> Any:
    return {"operations": [_record(o) for o in server.stub.operations]}


def _push_scenario(server: Server, arguments: dict[str, Any]) -> Any:
    _only("scenarios", arguments, ("name",))
    name = _require("scenarios", arguments, "name")
    if not isinstance(name, str):
        raise TypeError(f"scenarios: name must be a registered scenario's name, got {name!r}")
    server.stub.add_scenario(name)
    return _list_scenarios(server, {})


def _clear_scenarios(server: Server, arguments: dict[str, Any]) -> Any:
    _only("scenarios", arguments, ())
    for scenario in server.stub.scenarios:
        with contextlib.suppress(ValueError):  # another client cleared it meanwhile
            server.stub.remove_scenario(scenario)
    return _list_scenarios(server, {})


def _list_scenarios(server: Server, arguments: dict[str, Any]) -> Any:
    # A registered scenario by its plain name; one pushed from Python by its repr.
    return {
        "scenarios": [
            _scenario_name(scenario) or repr(scenario) for scenario in server.stub.scenarios
        ]
    }


def _calls(server: Server, arguments: dict[str, Any]) -> Any:
    return {
        "calls": [
            {
                "operation": call.operation,
                "region": call.region,
                "attempt": call.attempt,
                "params": call.params,
                "status": call.status,
                "answer": call.answer,
                "error_code": call.error_code,
                "error_message": call.error_message,
                "scenario": call.scenario,
                "request_id": call.request_id,
                "response": call.response,
            }
            for call in server.stub.calls
        ]
    }


def _rejected(server: Server, arguments: dict[str, Any]) -> Any:
    return {"rejected": [_record(entry) for entry in server.rejected]}


def _advance(server: Server, arguments: dict[str, Any]) -> Any:
    _only("advance", arguments, ("seconds",))
    seconds = _require("advance", arguments, "seconds")
    # No math.isfinite(): it raises OverflowError for an integer too large for a float.
    if (
        not isinstance(seconds, (int, float))
        or isinstance(seconds, bool)
        or not 0 <= seconds < math.inf
    ):
        raise ValueError(f"advance: seconds must be a finite number >= 0, got {_shown(seconds)}")
    try:
        server.stub.advance(seconds)
    except ValueError as error:  # past the clock's last instant: the stub's own words
        raise ValueError(f"advance: {error}") from None
    return {"now": server.stub.now()}


_ROUTES: Mapping[str, Mapping[str, Route]] = {
    "reset": {"POST": _reset},
    "databases": {"GET": _list_databases, "POST": _add_database},
    "snapshots": {"GET": _list_snapshots, "POST": _add_snapshot},
    "operations": {"GET": _list_operations},
    "scenarios": {"GET": _list_scenarios, "POST": _push_scenario, "DELETE": _clear_scenarios},
    "calls": {"GET": _calls},
    "rejected": {"GET": _rejected},
    "advance": {"POST": _advance},
}


def _record(value: Database | Snapshot | Operation | Rejected) -> dict[str, Any]:
    record = {field.name: getattr(value, field.name) for field in fields(value)}
    if isinstance(value, Snapshot):  # Lightsail's shape: [{"key": ..., "value": ...}]
        record["tags"] = [
            {"key": key} if tag_value is None else {"key": key, "value": tag_value}
            for key, tag_value in value.tags
        ]
    return record


def _shown(value: object, limit: int = 80) -> str:
    """``safe_repr(value)``, cut short: a 400-digit number needs no quoting whole."""
    text = safe_repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}...({len(text)} characters)"


def _json_bytes(result: object) -> bytes:
    """A control answer as strict JSON (RFC 8259: no NaN or Infinity), ASCII escaped: a
    logged parameter may hold a lone surrogate, which UTF-8 can't carry. A non-finite float
    (a value set from Python, e.g. ``size_in_gb=float("nan")``) is sent as its name in a
    string."""
    try:
        return json.dumps(result, default=_json_default, allow_nan=False).encode()
    except ValueError:
        return json.dumps(_finite(result), default=_json_default, allow_nan=False).encode()


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, Mapping):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):  # pragma: no cover (json encodes tuples itself)
        return list(value)
    return repr(value)
