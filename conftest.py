"""Test isolation: no AWS configuration, no network.

Every test runs as on a machine with no AWS set-up at all: the AWS_* variables are removed,
the config and credentials files point at nothing, and any attempt to open a network
connection is recorded and refused (and fails the test that tried).

The one exception is narrow, for the server tests (tests/test_server*.py, docs/server.md):
a connection to a loopback address where a lightsail-stub server *of this very process* is
listening right now (``lightsail_stub._server.listening_addresses()``: a server the test
started, e.g. with ``ThreadedServer``), or to a loopback address a test declared with the
``allow_connect`` fixture (for a server it started as a subprocess), for that test only.
Everything else stays refused: a stubbed botocore call still opens no socket (no server is
listening at AWS's address), and a connection to any other host or port fails the test.
Subprocesses (the AWS CLI, ``python -m lightsail_stub serve``) are not covered by this
in-process guard: the tests give them a scrubbed environment and point them at a loopback
server with ``--endpoint-url``.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# The suite runs on shared, noisy machines (and in two xdist workers in CI): a property's
# speed is not what it tests. Examples are never timed out, and Hypothesis's "data
# generation is too slow" check, which measures wall time, is off. Every other health check
# stays on. Benchmarks measure speed, as ratios (docs/performance.md).
settings.register_profile(
    "lightsail-stub-suite", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("lightsail-stub-suite")

NETWORK_ATTEMPTS: list[object] = []
# Loopback (host, port) pairs a test allowed with the allow_connect fixture.
_ALLOWED: set[tuple[str, int]] = set()


def _loopback_server(address: Any) -> bool:
    if not (isinstance(address, tuple) and len(address) >= 2):
        return False
    host, port = str(address[0]), address[1]
    try:
        if not ipaddress.ip_address(host).is_loopback:
            return False
    except ValueError:  # a name, not an address: never allowed
        return False
    if (host, port) in _ALLOWED:
        return True
    # Only look if the server module is loaded at all: no server can listen otherwise.
    server = sys.modules.get("lightsail_stub._server")
    return server is not None and (host, port) in server.listening_addresses()


def _refuse(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> Any:
    # AF_UNIX sockets are local plumbing (e.g. for subprocesses), not the network.
    if self.family == getattr(socket, "AF_UNIX", None) or _loopback_server(address):
        return _REAL_CONNECT(self, address, *args, **kwargs)
    NETWORK_ATTEMPTS.append(address)
    raise OSError(f"network access blocked by the test suite: connect({address!r})")


def _refuse_ex(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> Any:
    if self.family == getattr(socket, "AF_UNIX", None) or _loopback_server(address):
        return _REAL_CONNECT_EX(self, address, *args, **kwargs)
    return _refuse(self, address, *args, **kwargs)


_REAL_CONNECT = socket.socket.connect
_REAL_CONNECT_EX = socket.socket.connect_ex


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse)
        patch.setattr(socket.socket, "connect_ex", _refuse_ex)
        yield


@pytest.fixture
def allow_connect() -> Iterator[Callable[[str, int], None]]:
    """``allow_connect(host, port)``: let this test connect to a loopback address (a server it
    started in a subprocess). Refuses any address that is not loopback."""
    added: list[tuple[str, int]] = []

    def allow(host: str, port: int) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"allow_connect() is for loopback addresses only, got {host!r}")
        _ALLOWED.add((host, port))
        added.append((host, port))

    yield allow
    for address in added:
        _ALLOWED.discard(address)


@pytest.fixture(autouse=True)
def _no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("HOME", str(tmp_path))
    # Clients created outside a stub look for credentials, and botocore's last resort is the
    # instance-metadata endpoint (a network call). Users' CI wants this too (see docs/usage.md).
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    start = len(NETWORK_ATTEMPTS)
    yield
    # Every test, whatever it asserts, also proves that nothing tried to reach the network.
    assert NETWORK_ATTEMPTS[start:] == [], "a test tried to open a network connection"


# Every ```python block in README.md and docs/*.md runs as a test, in order, one namespace
# per file (so a later block can use what an earlier one defined).
try:
    from sybil import Sybil
    from sybil.parsers.markdown import PythonCodeBlockParser
except ImportError:  # pragma: no cover (sybil is in the dev extra)
    pass
else:
    pytest_collect_file = Sybil(
        parsers=[PythonCodeBlockParser()],
        patterns=["README.md", "docs/*.md"],
        fixtures=["_no_network", "_no_aws_configuration"],
    ).pytest()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The examples of one document share a namespace and must run top to bottom, even when
    a plugin such as pytest-randomly shuffles the tests: put them back in document order,
    in the slots they were shuffled into."""
    slots = [i for i, item in enumerate(items) if item.path.suffix == ".md"]
    examples = sorted((items[i] for i in slots), key=lambda item: item.reportinfo()[:2])
    for slot, example in zip(slots, examples, strict=True):
        items[slot] = example
