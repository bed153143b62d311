"""Scenarios by name: the presets, register(), entry-point plugins, the pytest option."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from lightsail_stub import mock_lightsail
from lightsail_stub import scenarios as sc
from lightsail_stub.scenarios import fail, register, resolve, throttle, unregister

from .helpers import client, create

pytest_plugins = ["pytester"]

PRESETS = [
    "access-denied",
    "account-setup-in-progress",
    "flaky",
    "region-setup-in-progress",
    "service-unavailable",
    "throttled",
    "unauthenticated",
]
EXAMPLE = Path(__file__).parent / "plugin_example"


def retrying(attempts: int) -> Any:
    return client(retries={"mode": "standard", "total_max_attempts": attempts})


def test_the_presets_are_registered() -> None:
    assert set(PRESETS) <= set(sc.names())


@pytest.mark.parametrize(
    ("name", "code", "status"),
    [
        ("access-denied", "AccessDeniedException", 400),
        ("account-setup-in-progress", "AccountSetupInProgressException", 400),
        ("region-setup-in-progress", "RegionSetupInProgressException", 400),
        ("unauthenticated", "UnauthenticatedException", 400),
        ("service-unavailable", "ServiceUnavailable", 503),
    ],
)
def test_error_presets_answer_every_call_with_their_error(
    name: str, code: str, status: int
) -> None:
    with mock_lightsail(scenarios=[name]) as stub:
        with pytest.raises(ClientError) as raised:
            create(retrying(3))
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    retried = 3 if status >= 500 else 1  # botocore retries 5xx, not client errors
    assert [call.answer for call in stub.calls] == [f"{status} {code}"] * retried
    assert all(call.scenario == repr(name) for call in stub.calls)


def test_throttled_lets_retrying_callers_through_and_stops_the_others() -> None:
    with mock_lightsail(scenarios=["throttled"]) as stub:
        response = create(retrying(3))
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        with pytest.raises(ClientError, match="ThrottlingException"):
            create(retrying(1), snapshot="other")
    assert [s.name for s in stub.snapshots] == ["orders-db-1"]


def test_flaky_never_beats_default_retries_but_hurts_callers_without() -> None:
    patient, impatient = retrying(3), retrying(1)
    with mock_lightsail(scenarios=["flaky"], seed=1) as stub:
        for index in range(30):
            create(patient, snapshot=f"patient-{index}")
        failures = 0
        for index in range(30):
            try:
                create(impatient, snapshot=f"impatient-{index}")
            except (ClientError, BotoCoreError):
                failures += 1
    assert len([s for s in stub.snapshots if s.name.startswith("patient-")]) == 30
    assert 0 < failures < 30
    assert any(call.scenario == "'flaky'" for call in stub.calls)


@pytest.fixture
def registered() -> Iterator[list[str]]:
    added: list[str] = []
    yield added
    for name in added:
        unregister(name)


def test_register_resolve_and_unregister(registered: list[str]) -> None:
    register("no-prod", lambda: fail("AccessDeniedException", "no prod"))
    registered.append("no-prod")
    assert "no-prod" in sc.names()
    scenario = resolve("no-prod")
    assert repr(scenario) == "'no-prod'"
    assert resolve("no-prod") is not scenario  # a fresh scenario per use
    with mock_lightsail(scenarios=["no-prod"]), pytest.raises(ClientError, match="no prod"):
        create(client())
    with pytest.raises(ValueError, match="already registered; pass replace=True"):
        register("no-prod", throttle)
    register("no-prod", throttle, replace=True)
    assert "throttle()" in repr(resolve("no-prod")._inner)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "factory", "error", "message"),
    [
        ("", throttle, ValueError, "is not a usable scenario name"),
        ("has space", throttle, ValueError, "is not a usable scenario name"),
        ("ok-name", 42, TypeError, "factory must be callable"),
    ],
)
def test_register_checks_its_arguments(name: str, factory: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        register(name, factory)


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(LookupError) as raised:
        resolve("throttle")
    assert str(raised.value).startswith(
        "no lightsail-stub scenario is named 'throttle'; known names: access-denied, "
    )
    assert "throttled" in str(raised.value)
    with pytest.raises(KeyError, match="no scenario named 'nope' is registered"):
        unregister("nope")


def test_a_factory_that_returns_no_scenario_is_refused(registered: list[str]) -> None:
    register("broken", lambda: 42)  # type: ignore[arg-type,return-value]
    registered.append("broken")
    with pytest.raises(TypeError, match="returned 42, not a scenario"):
        resolve("broken")


def install_example_plugin(root: Path, entry_point: str) -> None:
    """What installing tests/plugin_example as a wheel leaves on sys.path: the module, and a
    dist-info directory whose entry_points.txt names the factory."""
    (root / "lightsail_stub_example_plugin.py").write_text(
        (EXAMPLE / "lightsail_stub_example_plugin.py").read_text()
    )
    info = root / "lightsail_stub_example_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: lightsail-stub-example-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(f"[lightsail_stub.scenarios]\n{entry_point}\n")


@pytest.fixture
def on_sys_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lightsail_stub_example_plugin", raising=False)
    return tmp_path


def test_the_example_package_declares_its_entry_point() -> None:
    pyproject = (EXAMPLE / "pyproject.toml").read_text()
    assert '[project.entry-points."lightsail_stub.scenarios"]' in pyproject
    assert 'maintenance-window = "lightsail_stub_example_plugin:maintenance_window"' in pyproject


def test_an_installed_plugin_resolves_by_its_entry_point_name(on_sys_path: Path) -> None:
    install_example_plugin(
        on_sys_path, "maintenance-window = lightsail_stub_example_plugin:maintenance_window"
    )
    assert "maintenance-window" in sc.names()
    c = client()
    with mock_lightsail(scenarios=["maintenance-window"]) as stub:
        with pytest.raises(c.exceptions.OperationFailureException, match="maintenance"):
            create(c)
    assert stub.calls[0].scenario == "'maintenance-window'"


def test_a_plugin_that_fails_to_load_says_which(on_sys_path: Path) -> None:
    install_example_plugin(on_sys_path, "broken = lightsail_stub_example_plugin:missing")
    with pytest.raises(LookupError, match=r"the scenario plugin 'broken' \(lightsail_stub_exa"):
        resolve("broken")


# -- the pytest option and marker ----------------------------------------------------------------

SUITE = """
import boto3, pytest
from botocore.config import Config
from lightsail_stub.scenarios import fail

def create(attempts, name="orders-db-1"):
    client = boto3.client("lightsail", region_name="eu-west-2",
                          config=Config(retries={"mode": "standard", "total_max_attempts": attempts}))
    return client.create_relational_database_snapshot(
        relationalDatabaseName="orders-db", relationalDatabaseSnapshotName=name)

def test_retrying_caller(lightsail_mock):
    assert create(3)["ResponseMetadata"]["RetryAttempts"] == 0

def test_caller_without_retries(lightsail_mock):
    create(1)

@pytest.mark.lightsail(scenarios=[fail("NotFoundException", times=1)])
def test_marker(lightsail_mock):
    with pytest.raises(Exception, match="NotFoundException"):
        create(3)
    print("ANSWERS", [call.answer for call in lightsail_mock.calls])
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:randomly", *args)


def test_without_the_option_the_suite_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    run(pytester).assert_outcomes(passed=3)


def test_the_option_runs_every_fixture_test_under_the_scenario(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    result = run(pytester, "--lightsail-scenario", "throttled", "-s")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["lightsail-stub scenarios: throttled (known: *)"])
    result.stdout.fnmatch_lines(["*def test_retrying_caller*", "*assert 2 == 0*"])
    result.stdout.fnmatch_lines(
        ["*_ test_caller_without_retries _*", "E * (ThrottlingException) when calling *"]
    )
    # Asked before the marker's scenarios: the test's own failure comes after the throttles.
    assert (
        "ANSWERS ['400 ThrottlingException', '400 ThrottlingException', '400 NotFoundException']"
        in result.stdout.str()
    )


def test_the_option_stacks_when_repeated(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    result = run(
        pytester, "--lightsail-scenario", "access-denied", "--lightsail-scenario", "throttled"
    )
    result.assert_outcomes(passed=0, failed=3)
    result.stdout.fnmatch_lines(["*AccessDeniedException*"])


def test_an_unknown_scenario_name_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    result = run(pytester, "--lightsail-scenario", "chaos-monkey")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*--lightsail-scenario chaos-monkey: no lightsail-stub scenario is named 'chaos-monkey';"
            " known names: access-denied, *"
        ]
    )


def test_the_marker_takes_names_and_refuses_unknown_ones(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SUITE
        + """
@pytest.mark.lightsail(scenarios=["access-denied"])
def test_named(lightsail_mock):
    with pytest.raises(Exception, match="AccessDeniedException"):
        create(1)

@pytest.mark.lightsail(scenarios=["nope"])
def test_unknown(lightsail_mock):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*no lightsail-stub scenario is named 'nope'; known names*"])


def test_assert_all_used_fails_a_passing_test_but_not_a_failing_one(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        SUITE
        + """
@pytest.mark.lightsail(scenarios=[fail("NotFoundException", times=2)], assert_all_used=True)
def test_unused(lightsail_mock):
    pass

@pytest.mark.lightsail(scenarios=[fail("NotFoundException", times=2)], assert_all_used=True)
def test_fails_itself(lightsail_mock):
    assert False, "its own failure"
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=4, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*UnusedScenarioError: 1 scenario(s) were not used up: "
            "fail('NotFoundException', times=2) answered 0 of 2 time(s)*"
        ]
    )
    result.stdout.fnmatch_lines(["*its own failure*"])


def test_the_option_can_name_a_scenario_registered_in_a_conftest_below_the_root(
    pytester: pytest.Pytester,
) -> None:
    pytester.mkpydir("sub")
    pytester.path.joinpath("sub", "conftest.py").write_text(
        "from lightsail_stub.scenarios import fail, register\n"
        "register('sub-denied', lambda: fail('AccessDeniedException'), replace=True)\n"
    )
    pytester.path.joinpath("sub", "test_sub.py").write_text(SUITE)
    result = run(pytester, "--lightsail-scenario", "sub-denied")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*AccessDeniedException*"])


def test_a_marker_string_with_the_option_is_explained_not_spread(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.lightsail(scenarios="throttled")
def test_string(lightsail_mock):
    pass
"""
    )
    result = run(pytester, "--lightsail-scenario", "flaky")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*--lightsail-scenario flaky with @pytest.mark.lightsail options*must be a list*"]
    )
