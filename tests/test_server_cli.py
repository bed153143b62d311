"""The real AWS CLI against the server, and ``python -m lightsail_stub serve`` as a process.

The CLI runs as a subprocess (``python -m awscli``) with a scrubbed environment: fake keys,
no config or credentials file, an empty home, no instance metadata. It needs ``awscli`` (in
the dev extra): where it is missing (CI's minimum-versions run), those tests skip.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import pytest

from lightsail_stub import server as server_module
from lightsail_stub.__main__ import main as cli_main
from lightsail_stub.server import ThreadedServer
from lightsail_stub.server import serve as serve_command

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
# awscli v1 exits 255 when the service answered an error (v2 uses 254).
CLIENT_ERROR_EXIT = 255


@pytest.fixture
def aws(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    pytest.importorskip("awscli")  # in the dev extra; not in the minimum-versions run
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "home"),
        "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE",
        "AWS_SECRET_ACCESS_KEY": "fake-secret",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }

    def run(server: ThreadedServer, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "awscli", "lightsail", *args]
        command += ["--endpoint-url", server.url, "--region", "eu-west-2", "--output", "json"]
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    return run


def ok(done: subprocess.CompletedProcess[str]) -> Any:
    assert (done.returncode, done.stderr) == (0, "")
    return json.loads(done.stdout)


def test_the_aws_cli_creates_gets_lists_tags_and_deletes_snapshots(aws: Any) -> None:
    with ThreadedServer(seed=11, clock=NOW, databases=["orders-db"]) as server:
        created = ok(
            aws(
                server,
                "create-relational-database-snapshot",
                "--relational-database-name",
                "orders-db",
                "--relational-database-snapshot-name",
                "orders-db-nightly-1",
                "--tags",
                "key=env,value=prod",
            )
        )
        got = ok(
            aws(
                server,
                "get-relational-database-snapshot",
                "--relational-database-snapshot-name",
                "orders-db-nightly-1",
            )
        )
        ok(
            aws(
                server,
                "tag-resource",
                "--resource-name",
                "orders-db-nightly-1",
                "--tags",
                "key=keep,value=yes",
            )
        )
        listed = ok(aws(server, "get-relational-database-snapshots"))
        deleted = ok(
            aws(
                server,
                "delete-relational-database-snapshot",
                "--relational-database-snapshot-name",
                "orders-db-nightly-1",
            )
        )
    assert [(op["resourceType"], op["status"]) for op in created["operations"]] == [
        ("RelationalDatabaseSnapshot", "Started"),
        ("RelationalDatabase", "Started"),
    ]
    assert created["operations"][1]["location"]["availabilityZone"] == "eu-west-2a"
    snapshot = got["relationalDatabaseSnapshot"]
    assert snapshot["state"] == "available"
    assert snapshot["fromRelationalDatabaseName"] == "orders-db"
    assert snapshot["arn"].startswith("arn:aws:lightsail:eu-west-2:123456789012:")
    assert [s["tags"] for s in listed["relationalDatabaseSnapshots"]] == [
        [{"key": "env", "value": "prod"}, {"key": "keep", "value": "yes"}]
    ]
    assert deleted["operations"][0]["status"] == "Succeeded"
    assert server.stub.snapshots == ()
    # The CLI's requests went through the stub's dispatch like any other: one call each.
    assert [(call.operation, call.region, call.answer) for call in server.stub.calls] == [
        ("CreateRelationalDatabaseSnapshot", "eu-west-2", "200 OK"),
        ("GetRelationalDatabaseSnapshot", "eu-west-2", "200 OK"),
        ("TagResource", "eu-west-2", "200 OK"),
        ("GetRelationalDatabaseSnapshots", "eu-west-2", "200 OK"),
        ("DeleteRelationalDatabaseSnapshot", "eu-west-2", "200 OK"),
    ]


def test_the_aws_cli_pages_through_the_list(aws: Any) -> None:
    with ThreadedServer(clock=NOW) as server:
        for day in range(30):
            server.stub.add_snapshot(
                f"nightly-{day:02d}", region="eu-west-2", created_at=NOW - timedelta(days=day)
            )
        everything = ok(aws(server, "get-relational-database-snapshots"))
        first_page = ok(aws(server, "get-relational-database-snapshots", "--no-paginate"))
    assert [s["name"] for s in everything["relationalDatabaseSnapshots"]] == [
        f"nightly-{day:02d}" for day in range(30)
    ]
    assert len(first_page["relationalDatabaseSnapshots"]) == 25
    assert first_page["nextPageToken"]
    # The CLI followed nextPageToken itself: two requests, the second with pageToken.
    calls = server.stub.calls
    assert [sorted(call.params) for call in calls] == [[], ["pageToken"], []]


@pytest.mark.parametrize(
    ("database", "snapshot", "expected"),
    [
        (
            "orders-db",
            "nightly_1",
            "\nAn error occurred (InvalidInputException) when calling the "
            "CreateRelationalDatabaseSnapshot operation: relationalDatabaseSnapshotName "
            "'nightly_1' is invalid: must contain only letters, digits or hyphens.\n",
        ),
        (
            "no-such-db",
            "nightly-1",
            "\nAn error occurred (NotFoundException) when calling the "
            "CreateRelationalDatabaseSnapshot operation: relationalDatabaseName 'no-such-db': "
            "no relational database with that name exists in eu-west-2.\n",
        ),
    ],
)
def test_the_aws_cli_prints_the_documented_errors(
    aws: Any, database: str, snapshot: str, expected: str
) -> None:
    with ThreadedServer(databases=["orders-db"]) as server:
        done = aws(
            server,
            "create-relational-database-snapshot",
            "--relational-database-name",
            database,
            "--relational-database-snapshot-name",
            snapshot,
        )
    assert (done.returncode, done.stdout, done.stderr) == (CLIENT_ERROR_EXIT, "", expected)
    assert server.stub.snapshots == ()


def test_a_scenario_pushed_through_the_control_api_reaches_the_cli(aws: Any) -> None:
    with ThreadedServer() as server:
        connection = http.client.HTTPConnection(*server.address, timeout=30)
        connection.request("POST", "/_stub/scenarios", body=b'{"name": "access-denied"}')
        assert connection.getresponse().status == 200
        connection.close()
        done = aws(server, "get-relational-database-snapshots")
    assert done.returncode == CLIENT_ERROR_EXIT
    assert done.stderr.startswith(
        "\nAn error occurred (AccessDeniedException) when calling the "
        "GetRelationalDatabaseSnapshots operation"
    )


# -- python -m lightsail_stub serve -----------------------------------------------------------------


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}

    def start(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "lightsail_stub", "serve", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:  # only if a test failed half-way
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=60)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_the_url_serves_and_exits_0_on_a_signal(
    serve: Any, allow_connect: Callable[[str, int], None], stop: signal.Signals
) -> None:
    process = serve("--seed", "1", "--database", "orders-db", "--region", "eu-west-2")
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:")
    port = int(url.rsplit(":", 1)[1])
    allow_connect("127.0.0.1", port)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/",
        body=b'{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "s-1"}',
        headers={"X-Amz-Target": "Lightsail_20161128.CreateRelationalDatabaseSnapshot"},
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 200
    assert body["operations"][1]["location"]["availabilityZone"] == "eu-west-2a"
    process.send_signal(stop)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"lightsail-stub serving Lightsail at {url} (control API under")
    assert lines[1] == "CreateRelationalDatabaseSnapshot eu-west-2 attempt 1 -> 200"
    assert lines[-1] == "lightsail-stub: stopping"


def test_serve_refuses_a_host_that_is_not_loopback_without_the_flag(serve: Any) -> None:
    process = serve("--host", "0.0.0.0")
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (2, "")
    assert err == (
        "error: --host 0.0.0.0 is not a loopback address: the stub would be reachable from "
        "other machines. Add --allow-remote if that is meant.\n"
    )


class _NoListening:
    """Stands in for ThreadedServer: the test suite listens on loopback only."""

    made: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **options: Any) -> None:
        self.made.append(options)
        raise OSError("no listening beyond loopback in the test suite")


def test_the_cli_warns_when_allowed_to_listen_beyond_loopback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real CLI path (argument parsing, then serve()), with the server replaced just
    before it would bind 0.0.0.0."""
    monkeypatch.setattr(server_module, "ThreadedServer", _NoListening)
    monkeypatch.setattr(_NoListening, "made", [])
    code = cli_main(["serve", "--host", "0.0.0.0", "--allow-remote", "--quiet"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith(
        "warning: listening on 0.0.0.0, which is not loopback: anyone who can reach this "
        "machine can use and reset the stub."
    )
    assert err.splitlines()[-1] == (
        "error: cannot listen on 0.0.0.0:0: no listening beyond loopback in the test suite"
    )
    assert [(o["host"], o["allow_remote"]) for o in _NoListening.made] == [("0.0.0.0", True)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scenario", "nope"), "error: no lightsail-stub scenario is named 'nope'; known names:"),
        (("--region", "mars-1"), "error: region 'mars-1' is not a Lightsail Region"),
        (("--database=-bad-",), "error: add_database(): name '-bad-' is invalid"),
        (("--timeout", "nan"), "error: timeout must be a finite number of seconds from 0"),
        (("--timeout", "inf"), "error: timeout must be a finite number of seconds from 0"),
        (("--timeout", "1e300"), "error: timeout must be a finite number of seconds from 0"),
    ],
)
def test_serve_explains_bad_options_and_exits_2(
    serve: Any, args: tuple[str, ...], message: str
) -> None:
    process = serve(*args)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (2, "")
    assert err.startswith(message)
    assert "Traceback" not in err


def test_serve_applies_its_scenarios(serve: Any, allow_connect: Callable[[str, int], None]) -> None:
    process = serve("--scenario", "access-denied", "--quiet")
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    port = int(url.rsplit(":", 1)[1])
    allow_connect("127.0.0.1", port)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST", "/", body=b"{}", headers={"X-Amz-Target": "Lightsail_20161128.GetOperations"}
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert (response.status, body["__type"]) == (400, "AccessDeniedException")
    assert process.returncode == 0
    assert "GetOperations" not in err  # --quiet: no request log
    assert err.splitlines()[-1] == "lightsail-stub: stopping"


def test_serve_says_when_the_port_is_taken() -> None:
    errors = io.StringIO()
    with ThreadedServer() as taken:
        port = taken.port
        code = serve_command(port=port, err=errors, out=io.StringIO())
    assert code == 1
    assert errors.getvalue().startswith(f"error: cannot listen on 127.0.0.1:{port}: ")


class _AllInterfaces:
    """Stands in for a ThreadedServer on 0.0.0.0 (not bound: the suite stays on loopback)."""

    url = "http://0.0.0.0:8765"
    port = 8765

    def __init__(self, **options: Any) -> None:
        pass

    def __enter__(self) -> _AllInterfaces:
        signal.raise_signal(signal.SIGINT)  # serve() stops at once
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_serve_on_all_interfaces_prints_a_url_a_client_can_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_module, "ThreadedServer", _AllInterfaces)
    out, err = io.StringIO(), io.StringIO()
    assert serve_command(host="0.0.0.0", allow_remote=True, quiet=True, out=out, err=err) == 0
    assert out.getvalue() == "http://127.0.0.1:8765\n"
    assert (
        "lightsail-stub serving Lightsail at http://127.0.0.1:8765 (listening on all "
        "interfaces, 0.0.0.0)" in err.getvalue()
    )
