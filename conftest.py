"""Test isolation: no AWS configuration, no network.

Every test runs as on a machine with no AWS set-up at all: the AWS_* variables are removed,
the config and credentials files point at nothing, and any attempt to open a network
connection is recorded and refused (and fails the test that tried).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NETWORK_ATTEMPTS: list[object] = []


def _refuse(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> Any:
    # AF_UNIX sockets are local plumbing (e.g. for subprocesses), not the network.
    if self.family == getattr(socket, "AF_UNIX", None):
        return _REAL_CONNECT(self, address, *args, **kwargs)
    NETWORK_ATTEMPTS.append(address)
    raise OSError(f"network access blocked by the test suite: connect({address!r})")


_REAL_CONNECT = socket.socket.connect


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse)
        patch.setattr(socket.socket, "connect_ex", _refuse)
        yield


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
