"""The public surface: names, imports, the demo command, the wire door's hostile input."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lightsail_stub
from lightsail_stub._wire import WireRequest


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(lightsail_stub).items()
        # Submodules (pytest_plugin, loaded by the entry point) and pytest's assertion
        # rewriting helpers ("@py_builtins") are not part of the API.
        if not name.startswith(("_", "@")) and not inspect.ismodule(value)
    }
    assert set(lightsail_stub.__all__) == public
    assert lightsail_stub.__all__ == sorted(
        lightsail_stub.__all__, key=lambda n: (not n.isupper(), n)
    )


def test_importing_the_package_pulls_in_neither_pytest_nor_hypothesis_nor_the_server() -> None:
    heavy = (
        "pytest",
        "hypothesis",
        "boto3",
        "http.server",
        "socketserver",
        "lightsail_stub.server",
        "lightsail_stub._server",
    )
    code = f"import sys, lightsail_stub; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    # The server is its own module, imported on purpose; ThreadedServer is not re-exported.
    assert "ThreadedServer" not in lightsail_stub.__all__
    # The command line shows the server's defaults without loading the server first.
    code = f"import sys, lightsail_stub.__main__; print([m for m in {heavy[3:]!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_server_module_exports_what_docs_server_md_uses() -> None:
    import lightsail_stub.server as server

    assert server.__all__ == [
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
    assert all(hasattr(server, name) for name in server.__all__)
    assert server.CONTROL_PREFIX == "/_stub/"


def test_the_package_is_typed() -> None:
    assert (Path(lightsail_stub.__file__).parent / "py.typed").is_file()


def test_demo_runs_on_a_machine_with_no_aws_configuration(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "lightsail_stub", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:4] == [
        "created: RelationalDatabaseSnapshot orders-db-nightly-1 -> Started in all",
        "created: RelationalDatabase orders-db -> Started in eu-west-2a",
        "refused: InvalidInputException: relationalDatabaseSnapshotName '-bad-name' is invalid: "
        "the first and last character must be a letter or number.",
        "refused: NotFoundException: relationalDatabaseName 'no-such-db': no relational database "
        "with that name exists in eu-west-2.",
    ]
    assert "#  operation                         region     try  answer" in lines
    assert "3  CreateRelationalDatabaseSnapshot  eu-west-2  1    400 NotFoundException" in lines


def test_demo_falls_back_to_a_botocore_client_without_boto3() -> None:
    code = (
        "import sys; sys.modules['boto3'] = None\n"  # makes `import boto3` fail
        "from lightsail_stub.__main__ import main; sys.exit(main(['demo']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "refused: NotFoundException" in done.stdout


def test_the_command_line_says_how_to_use_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lightsail_stub"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "usage: python -m lightsail_stub" in done.stderr


def wire(body: bytes, operation: str = "CreateRelationalDatabaseSnapshot") -> WireRequest:
    return WireRequest(operation, body, "eu-west-2", {})


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (b"{not json", "SerializationException", "the request body is not JSON: "),
        (b"\xff\xfe", "SerializationException", "the request body is not JSON: "),
        (b"[1, 2]", "SerializationException", "the request body must be a JSON object, got list"),
        (
            b'{"relationalDatabaseName": "db", "relationalDatabaseSnapshotName": "ab", "tags": {"k": "v"}}',
            "SerializationException",
            "tags must be a list, got dict {'k': 'v'}",
        ),
        (
            b'{"relationalDatabaseName": "db", "relationalDatabaseSnapshotName": "ab", "tags": ["k"]}',
            "SerializationException",
            "tags[0] must be a structure, got str 'k'",
        ),
        (
            b'{"relationalDatabaseName": true, "relationalDatabaseSnapshotName": "ab"}',
            "SerializationException",
            "relationalDatabaseName must be a string, got bool True",
        ),
        (
            b"{}",
            "InvalidInputException",
            "relationalDatabaseName is required but missing from the request.",
        ),
        (
            b"",
            "InvalidInputException",
            "relationalDatabaseName is required but missing from the request.",
        ),
    ],
)
def test_malformed_wire_bodies_get_lightsail_errors(body: bytes, code: str, message: str) -> None:
    stub = lightsail_stub.mock_lightsail()
    response = stub._handle(wire(body))
    document = json.loads(response.body)
    assert response.status == 400
    assert document["__type"] == code
    assert document["message"].startswith(message)
    assert set(document) == {"__type", "code", "docs", "message", "tip"}
    assert stub.snapshots == ()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)
NAMES = st.sampled_from(["orders-db", "ab", "a" * 255]) | JSON
TAG = st.dictionaries(
    st.sampled_from(["key", "value", "other"]), st.text(max_size=5) | JSON, max_size=3
)


@settings(max_examples=400, deadline=None)
@given(
    database=NAMES,
    snapshot=NAMES,
    tags=st.none() | st.lists(TAG | JSON, max_size=4) | JSON,
    extra=st.dictionaries(st.text(max_size=8), JSON, max_size=2),
    drop=st.sets(
        st.sampled_from(["relationalDatabaseName", "relationalDatabaseSnapshotName", "tags"])
    ),
)
def test_any_json_body_gets_a_lightsail_answer_never_an_internal_error(
    database: object, snapshot: object, tags: object, extra: dict[str, object], drop: set[str]
) -> None:
    document = {
        **extra,
        "relationalDatabaseName": database,
        "relationalDatabaseSnapshotName": snapshot,
        "tags": tags,
    }
    for key in drop:
        document.pop(key)
    stub = lightsail_stub.mock_lightsail()
    response = stub._handle(wire(json.dumps(document).encode()))
    body = json.loads(response.body)
    if response.status == 200:
        assert len(body["operations"]) == 2
        assert len(stub.snapshots) == 1
    else:
        assert response.status == 400
        assert body["__type"] in {"SerializationException", "InvalidInputException"}
        assert stub.snapshots == ()
    assert len(stub.calls) == 1


@pytest.mark.parametrize(
    ("document", "code", "message"),
    [
        ({"tags": None}, None, None),
        (
            {"tags": [{"key": None, "value": "v"}]},
            "InvalidInputException",
            "tags[0].key is required but missing from the request.",
        ),
        (
            {"tags": [None]},
            "SerializationException",
            "tags[0] must be a structure, got NoneType None",
        ),
        (
            {"relationalDatabaseName": None},
            "InvalidInputException",
            "relationalDatabaseName is required but missing from the request.",
        ),
    ],
)
def test_json_nulls_count_as_absent(
    document: dict[str, object], code: str | None, message: str | None
) -> None:
    body = {
        "relationalDatabaseName": "orders-db",
        "relationalDatabaseSnapshotName": "snap-1",
        **document,
    }
    stub = lightsail_stub.mock_lightsail()
    answer = json.loads(stub._handle(wire(json.dumps(body).encode())).body)
    assert answer.get("__type") == code
    assert answer.get("message") == message


def test_the_readme_set_up_commands_are_what_ci_runs() -> None:
    """The README's first two shell blocks (set-up) are not run by the suite (they install
    things); CI runs them. This keeps the two from drifting apart."""
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text()
    blocks = [block.split("```", 1)[0].strip() for block in readme.split("```sh\n")[1:]]
    demo, tests = blocks[:2]
    ci = (root / ".ci" / "run").read_text().splitlines()
    assert tests in ci
    assert demo.startswith("python3 -m venv --clear .venv && .venv/bin/pip install -e .")


@pytest.mark.parametrize(
    ("body", "start"),
    [
        (b"[" * 100_000, "the request body is not JSON: "),
        ('{"relationalDatabaseName": "db"}'.encode("utf-16"), "the request body is not JSON: "),
        (b"\xef\xbb\xbf{}", "the request body is not JSON: "),
    ],
)
def test_bodies_that_are_not_plain_utf8_json_are_serialization_errors(
    body: bytes, start: str
) -> None:
    answer = json.loads(lightsail_stub.mock_lightsail()._handle(wire(body)).body)
    assert answer["__type"] == "SerializationException"
    assert answer["message"].startswith(start)


@pytest.mark.parametrize(
    "header", ["attempt=" + "9" * 5000, "attempt=x; max=3", "", "max=3; attempt=4"]
)
def test_odd_retry_headers_never_break_the_call_log(header: str) -> None:
    stub = lightsail_stub.mock_lightsail()
    body = b'{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "snap-1"}'
    stub._handle(
        WireRequest(
            "CreateRelationalDatabaseSnapshot", body, "eu-west-2", {"amz-sdk-request": header}
        )
    )
    assert stub.calls[0].attempt == (4 if header.startswith("max") else 1)


def test_the_call_table_stays_multiline_with_lone_surrogates() -> None:
    stub = lightsail_stub.mock_lightsail()
    body = b'{"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "\\udc80"}'
    stub._handle(wire(body))
    table = stub.format_calls()
    assert table.count("\n") == 3
    assert "\\udc80" in table
    table.encode("utf-8")  # printable as-is


def test_every_benchmark_runs_in_its_quick_form() -> None:
    """The benchmarks are not timed here (tests never assert a time); this only keeps them
    from rotting: each script runs end to end with a few rounds and prints its table."""
    root = Path(__file__).parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for line in [
        "lightsail-stub adds",
        "instructions per call: not counted (--dry-run); every contender ran",
        "mock_lightsail() costs",
        "the lightsail_mock fixture costs",
        "modules it must not import, found loaded: none",
        "examples per second",
        "memory per stored snapshot",
        "the HTTP round trip adds",
    ]:
        assert line in done.stdout, line


def test_the_scenarios_module_exports_exactly_its_public_names() -> None:
    from lightsail_stub import scenarios

    defined_here = {
        name
        for name, value in vars(scenarios).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and name != "TYPE_CHECKING"
        and (getattr(value, "__module__", None) == scenarios.__name__ or name.isupper())
    }
    assert set(scenarios.__all__) == defined_here | {"Outcome"}  # Outcome: a type alias
    assert all(hasattr(scenarios, name) for name in scenarios.__all__)
