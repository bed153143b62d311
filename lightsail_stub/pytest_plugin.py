"""pytest plugin (entry point ``pytest11``): the ``lightsail_mock`` fixture and the
``lightsail`` marker. Nothing is hooked into botocore until a test asks for the fixture."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from ._errors import LightsailStubError
from ._hook import FAKE_ENV, forget_fake_credentials_of_boto3_default_session
from ._stub import LightsailStub, mock_lightsail
from .scenarios import names, resolve

_STUB = pytest.StashKey[LightsailStub]()
_CALL_FAILED = pytest.StashKey[bool]()

_MARKER_HELP = (
    "lightsail(**options): options for the lightsail_mock fixture, the same keywords as "
    "lightsail_stub.mock_lightsail() (e.g. seed=1, databases=['orders-db'], "
    "scenarios=['throttled'])"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lightsail-stub")
    group.addoption(
        "--lightsail-scenario",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "run every test that uses the lightsail_mock fixture under the named scenario "
            "(e.g. throttled, flaky; repeat the option to stack several); asked before the "
            "test's own scenarios"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER_HELP)


def pytest_collection_finish(session: pytest.Session) -> None:
    # Checked once the conftest files are loaded: a name may be registered in one of them.
    for name in session.config.getoption("lightsail_scenario", default=None) or ():
        try:
            resolve(name)
        except (LookupError, TypeError) as error:
            raise pytest.UsageError(f"--lightsail-scenario {name}: {error}") from None


def pytest_report_header(config: pytest.Config) -> str | None:
    chosen = config.getoption("lightsail_scenario", default=None)
    if not chosen:
        return None
    return f"lightsail-stub scenarios: {', '.join(chosen)} (known: {', '.join(names())})"


def _marker_options(item: pytest.Item) -> dict[str, Any]:
    options: dict[str, Any] = {}
    # Farthest first (module, class), so that the closest marker (the function's) wins.
    for marker in reversed(list(item.iter_markers("lightsail"))):
        if marker.args:
            pytest.fail(
                f"@pytest.mark.lightsail takes keyword options only, e.g. "
                f"@pytest.mark.lightsail(seed=1); got positional {marker.args!r}",
                pytrace=False,
            )
        options.update(marker.kwargs)
    return options


@pytest.fixture
def lightsail_mock(request: pytest.FixtureRequest) -> Generator[LightsailStub, None, None]:
    """A fresh, active :class:`lightsail_stub.LightsailStub` for one test.

    Options come from ``@pytest.mark.lightsail(...)``; scenarios named with
    ``--lightsail-scenario`` are asked before the marker's. If the test fails, its Lightsail
    call log is added to the report. At teardown it fails the test with any library error a
    call hit (unless ``assert_all_handled=False``), and with ``assert_all_used=True`` on
    scenarios not used up; not when the test already failed.
    """
    options = _marker_options(request.node)
    chosen = request.config.getoption("lightsail_scenario", default=None) or []
    marked = options.get("scenarios", ())
    if chosen and not isinstance(marked, (str, bytes)):  # else mock_lightsail() explains
        options["scenarios"] = [*chosen, *marked]
    try:
        stub = mock_lightsail(**options)
    except (TypeError, ValueError, LookupError) as error:
        where = f"--lightsail-scenario {' '.join(chosen)} with " if chosen else ""
        pytest.fail(f"{where}@pytest.mark.lightsail options {options!r}: {error}", pytrace=False)
    request.node.stash[_STUB] = stub
    if stub._fake_credentials:
        # Through monkeypatch, so that a test's own monkeypatching of these variables
        # unwinds in the right order and nothing fake outlives the test.
        monkeypatch = request.getfixturevalue("monkeypatch")
        for key, value in FAKE_ENV.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
    stub._start(manage_env=False)
    try:
        yield stub
    finally:
        # If the test itself failed, that failure is the story: don't pile ours on top.
        try:
            if stub.active:  # the test may have stopped it itself
                stub._stop(check=not request.node.stash.get(_CALL_FAILED, False))
        except LightsailStubError as error:
            pytest.fail(f"{type(error).__name__}: {error}", pytrace=False)
        finally:
            if stub._fake_credentials:
                forget_fake_credentials_of_boto3_default_session()


@pytest.fixture(autouse=True)
def _lightsail_marker_implies_fixture(request: pytest.FixtureRequest) -> None:
    """A test marked ``@pytest.mark.lightsail`` gets the stub even if it does not ask for
    ``lightsail_mock`` by name: a marker that silently did nothing would let calls through."""
    if request.node.get_closest_marker("lightsail") is not None:
        request.getfixturevalue("lightsail_mock")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    stub = item.stash.get(_STUB, None)
    if stub is not None and report.failed:
        if report.when == "call":
            item.stash[_CALL_FAILED] = True
        report.sections.append(("lightsail-stub calls", stub.format_calls()))
    return report
