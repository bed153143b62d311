"""Hypothesis with the pytest fixture: the documented ways work, the naive one is refused
by Hypothesis's health check (so the docs' advice is needed)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

HEADER = """
import boto3
from botocore.config import Config
from hypothesis import HealthCheck, Phase, given, settings

from lightsail_stub import mock_lightsail
from lightsail_stub.strategies import create_snapshot_requests

def new_client():
    return boto3.client("lightsail", region_name="eu-west-2",
                        config=Config(retries={"total_max_attempts": 1}))
"""


def run(pytester: pytest.Pytester) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:randomly")


def test_the_fixture_inside_given_alone_fails_hypothesis_health_check(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        HEADER
        + """
@given(request=create_snapshot_requests())
def test_naive(lightsail_mock, request):
    new_client().create_relational_database_snapshot(**request)
"""
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    # Case-insensitive: Hypothesis's wording varies ("Function-scoped fixture" in 6.100).
    result.stdout.re_match_lines(
        [r"(?i).*FailedHealthCheck.*function-scoped fixture.*lightsail_mock"]
    )


def test_a_stub_per_example_inside_the_test_body(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
@settings(max_examples=20)
@given(request=create_snapshot_requests())
def test_each_example_has_its_own_stub(request):
    with mock_lightsail() as stub:
        new_client().create_relational_database_snapshot(**request)
        # the same name again in the next example would be refused if state leaked
        new_client().create_relational_database_snapshot(
            relationalDatabaseName="orders-db", relationalDatabaseSnapshotName="same-name")
    assert len(stub.snapshots) == 2
"""
    )
    run(pytester).assert_outcomes(passed=1)


def test_the_fixture_with_reset_at_the_start_of_each_example(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=create_snapshot_requests())
def test_each_example_starts_from_a_reset_stub(lightsail_mock, request):
    lightsail_mock.reset()
    new_client().create_relational_database_snapshot(**request)
    new_client().create_relational_database_snapshot(
        relationalDatabaseName="orders-db", relationalDatabaseSnapshotName="same-name")
    assert len(lightsail_mock.snapshots) == 2
    assert len(lightsail_mock.calls) == 2
"""
    )
    run(pytester).assert_outcomes(passed=1)


def test_without_reset_the_fixture_leaks_state_between_examples(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        HEADER
        + """
@settings(max_examples=5, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.generate], database=None)
@given(request=create_snapshot_requests())
def test_forgot_reset(lightsail_mock, request):
    new_client().create_relational_database_snapshot(
        relationalDatabaseName="orders-db", relationalDatabaseSnapshotName="same-name")
"""
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*InvalidInputException*same-name*"])
