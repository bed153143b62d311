"""The pytest plugin, run for real in pytester sessions."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # These tests read the inner session's output line by line; if pytest-randomly is
    # installed it would shuffle the inner tests too. (pytester clears PYTEST_ADDOPTS.)
    return pytester.runpytest("-p", "no:randomly", *args)


CREATE = """
import boto3
from botocore.config import Config

def create(snapshot="orders-db-1", database="orders-db"):
    client = boto3.client("lightsail", region_name="eu-west-2",
                          config=Config(retries={"max_attempts": 0}))
    return client.create_relational_database_snapshot(
        relationalDatabaseName=database, relationalDatabaseSnapshotName=snapshot)
"""


def test_fixture_is_registered_by_the_entry_point_and_gives_a_fresh_active_stub(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CREATE
        + """
def test_one(lightsail_mock):
    assert lightsail_mock.active
    create("same-name")
    assert [c.params["relationalDatabaseSnapshotName"] for c in lightsail_mock.calls] == ["same-name"]

def test_two(lightsail_mock):
    create("same-name")  # a fresh stub: no duplicate-name error
    assert len(lightsail_mock.calls) == 1
"""
    )
    run(pytester).assert_outcomes(passed=2)


def test_marker_passes_options_and_the_closest_marker_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CREATE
        + """
import pytest
from datetime import datetime, timezone

pytestmark = pytest.mark.lightsail(databases=["orders-db"], seed=1)

@pytest.mark.lightsail(seed=5)
def test_marked(lightsail_mock):
    import botocore.exceptions
    try:
        create(database="other-db")
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "NotFoundException"
    else:
        raise AssertionError("the module marker's databases were not applied")
    assert lightsail_mock._seed == 5
"""
    )
    run(pytester).assert_outcomes(passed=1)


def test_marker_errors_are_clear(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.lightsail("positional")
def test_positional(lightsail_mock):
    pass

@pytest.mark.lightsail(sed=1)
def test_typo(lightsail_mock):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.lightsail takes keyword options only, e.g. @pytest.mark.lightsail(seed=1); got positional ('positional',)*",
            "*@pytest.mark.lightsail options {'sed': 1}: *unexpected keyword argument 'sed'*",
        ]
    )


def test_a_failed_test_gets_the_call_log_in_its_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CREATE
        + """
def test_fails(lightsail_mock):
    create("nightly-1")
    try:
        create("-bad-")
    except Exception:
        pass
    assert False, "the backup job went wrong"
"""
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- lightsail-stub calls -*",
            "#  operation                         region     try  answer",
            "1  CreateRelationalDatabaseSnapshot  eu-west-2  1    200 OK",
            '   params: {"relationalDatabaseName": "orders-db", "relationalDatabaseSnapshotName": "nightly-1"}',
            "2  CreateRelationalDatabaseSnapshot  eu-west-2  1    400 InvalidInputException",
            "   message: relationalDatabaseSnapshotName '-bad-' is invalid: the first and last character must be a letter or number.",
        ]
    )


def test_a_passing_test_has_no_call_log_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CREATE + "\ndef test_ok(lightsail_mock):\n    create()\n")
    result = run(pytester, "-rA")
    result.assert_outcomes(passed=1)
    assert "lightsail-stub calls" not in result.stdout.str()


def test_a_swallowed_unhandled_operation_fails_the_test_at_teardown(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import boto3, pytest

def swallow():
    try:
        boto3.client("lightsail", region_name="eu-west-2").get_regions()
    except Exception:
        pass

def test_swallowed(lightsail_mock):
    swallow()

@pytest.mark.lightsail(assert_all_handled=False)
def test_opted_out(lightsail_mock):
    swallow()
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_swallowed*",
            "*UnhandledOperationError: 1 Lightsail call(s) failed with a lightsail-stub error*'GetRegions'*"
            "(pass assert_all_handled=False to mock_lightsail() to not check this at exit)",
            "*- lightsail-stub calls -*",
            "1  GetRegions  eu-west-2  1    UnhandledOperationError",
        ]
    )


def test_a_test_that_already_failed_is_not_failed_again_at_teardown(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import boto3

def test_fails(lightsail_mock):
    boto3.client("lightsail", region_name="eu-west-2").get_regions()
"""
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*UnhandledOperationError: lightsail-stub does not serve*"])


def test_marker_is_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.lightsail(seed=1)
def test_marked():
    pass
"""
    )
    run(pytester, "--strict-markers").assert_outcomes(passed=1)
    result = run(pytester, "--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.lightsail(**options): options for the lightsail_mock fixture*"]
    )


def test_a_marker_alone_activates_the_stub(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CREATE
        + """
import pytest

@pytest.mark.lightsail(databases=[])
def test_marked_without_the_fixture():
    import botocore.exceptions
    try:
        create()
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "NotFoundException"
    else:
        raise AssertionError("the marker's stub did not answer")
"""
    )
    run(pytester).assert_outcomes(passed=1)


def test_fake_credentials_never_outlive_the_test_even_with_monkeypatch(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
import os

def test_changes_the_fake_environment(monkeypatch, lightsail_mock):
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIALIGHTSAILSTUB000"
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mine")

def test_lightsail_first(lightsail_mock, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "also-mine")

def test_after():
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_SECRET_ACCESS_KEY" not in os.environ
    assert os.environ.get("AWS_SESSION_TOKEN") == "the user's token"
"""
    )
    monkeypatch.setenv("AWS_SESSION_TOKEN", "the user's token")  # pytester runs in-process
    run(pytester).assert_outcomes(passed=3)


def test_a_test_that_stops_the_fixture_stub_itself_is_fine(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_stops_it(lightsail_mock):
    lightsail_mock.stop()
"""
    )
    run(pytester).assert_outcomes(passed=1)


def test_the_next_test_does_not_inherit_fake_credentials(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3

def test_1_with_the_stub(lightsail_mock):
    boto3.setup_default_session()
    boto3.client("lightsail", region_name="eu-west-2")  # resolves credentials inside

def test_2_without():
    client = boto3.client("sqs", region_name="eu-west-2")
    assert client._request_signer._credentials is None  # no AWS configuration here
"""
    )
    run(pytester).assert_outcomes(passed=2)
