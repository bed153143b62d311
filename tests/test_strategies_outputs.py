"""lightsail_stub.strategies, outputs: responses valid against the model that survive
botocore's real parser unchanged, errors identical to what a real client raises when the
stub answers the same error, and failure scripts that drive the stub."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import BotoCoreError, ClientError
from hypothesis import find, given, settings
from hypothesis import strategies as st

from lightsail_stub import MODEL_PATTERN_RULES, _model, _wire, mock_lightsail
from lightsail_stub import scenarios as sc
from lightsail_stub import strategies as ls

from .helpers import assert_valid_output, client

FEW = settings(max_examples=30, deadline=None)
FIND = settings(max_examples=20, deadline=None, derandomize=True, database=None)


class Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Any:
        yield self._body


@functools.cache
def answering_client() -> Any:
    """A real client whose before-send hook answers the document in ``answer`` (no stub)."""
    c = client(credentials=True, retries={"mode": "legacy"})

    def send(request: Any, **kwargs: Any) -> AWSResponse:
        status, headers, body = ANSWER[0]
        return AWSResponse(request.url, status, headers, Body(body))

    c.meta.events.register("before-send.lightsail", send)
    return c


ANSWER: list[tuple[int, dict[str, str], bytes]] = []


def through_botocore(call: Callable[[Any], Any], document: dict[str, Any], request_id: str) -> Any:
    """What botocore's real parser makes of ``document`` sent on the wire as Lightsail does."""
    body = _wire.encode(document)
    ANSWER[:] = [(200, _wire.headers(request_id, body), body)]
    return call(answering_client())


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@FEW
@given(response=ls.create_snapshot_responses())
def test_create_responses_are_valid_and_survive_the_parser_unchanged(
    response: dict[str, Any],
) -> None:
    assert_valid_output("CreateRelationalDatabaseSnapshot", response)
    request_id = response["ResponseMetadata"]["RequestId"]
    parsed = through_botocore(
        lambda c: c.create_relational_database_snapshot(
            relationalDatabaseName="a1", relationalDatabaseSnapshotName="b2"
        ),
        without_metadata(response),
        request_id,
    )
    assert parsed == response
    snapshot, database = response["operations"]
    assert (snapshot["resourceName"], database["resourceName"]) == (
        database["operationDetails"],
        snapshot["operationDetails"],
    )
    assert snapshot["location"]["availabilityZone"] == "all"
    assert database["location"]["availabilityZone"].startswith(database["location"]["regionName"])


@FEW
@given(record=ls.snapshots())
def test_snapshot_records_are_valid_and_survive_the_parser_unchanged(
    record: dict[str, Any],
) -> None:
    document = {"relationalDatabaseSnapshot": record}
    assert_valid_output("GetRelationalDatabaseSnapshot", document)
    parsed = through_botocore(
        lambda c: c.get_relational_database_snapshot(relationalDatabaseSnapshotName="b2"),
        document,
        "00000000-0000-4000-8000-000000000000",
    )
    assert without_metadata(parsed) == document
    region = record["location"]["regionName"]
    assert record["arn"].startswith(f"arn:aws:lightsail:{region}:")


@FEW
@given(operation=ls.operations())
def test_operations_are_valid_coherent_and_survive_the_parser_unchanged(
    operation: dict[str, Any],
) -> None:
    document = {"operation": operation}
    assert_valid_output("GetOperation", document)
    parsed = through_botocore(
        lambda c: c.get_operation(operationId="x"), document, "00000000-0000-4000-8000-0000000000"
    )
    assert without_metadata(parsed) == document
    assert operation["isTerminal"] == (operation["status"] in {"Succeeded", "Failed", "Completed"})
    assert operation["statusChangedAt"] >= operation["createdAt"]
    assert ("errorCode" in operation) == (operation["status"] == "Failed")


@settings(max_examples=15, deadline=None)
@given(record=ls.snapshots())
def test_snapshot_records_seed_a_stub_that_answers_them_back(record: dict[str, Any]) -> None:
    region = record["location"]["regionName"]
    with mock_lightsail() as stub:
        stub.add_snapshot(
            record["name"],
            region=region,
            database=record["fromRelationalDatabaseName"],
            created_at=record["createdAt"],
            state=record["state"],
            tags=record["tags"],
        )
        got = client(region).get_relational_database_snapshot(
            relationalDatabaseSnapshotName=record["name"]
        )["relationalDatabaseSnapshot"]
    for member in ("name", "createdAt", "state", "tags", "location", "fromRelationalDatabaseName"):
        assert got[member] == record[member], member


def test_output_options_fix_members_and_are_checked() -> None:
    operation = find(
        ls.operations(region="eu-west-2", status="Failed", operation_type="DeleteDisk"),
        lambda op: True,
        settings=FIND,
    )
    assert (operation["location"]["regionName"], operation["status"]) == ("eu-west-2", "Failed")
    assert operation["operationType"] == "DeleteDisk"
    with pytest.raises(ValueError, match=r"^operations\(\): status must be one of the model's"):
        ls.operations(status="Done")
    with pytest.raises(ValueError, match=r"^snapshots\(\): region must be one of the Regions"):
        ls.snapshots(region="mars-1")
    with pytest.raises(ValueError, match="states") as caught:
        ls.snapshots(states=["deleted"])
    assert str(caught.value) == (
        "snapshots(states=['deleted']): give one or more of the states the stub uses: "
        "'available', 'creating', 'error'"
    )
    response = find(
        ls.create_snapshot_responses(snapshot_name="nightly-1", database_name="orders-db"),
        lambda r: True,
        settings=FIND,
    )
    assert [op["resourceName"] for op in response["operations"]] == ["nightly-1", "orders-db"]
    assert repr(ls.snapshots(region="eu-west-2")) == "snapshots(region='eu-west-2')"


# -- errors --------------------------------------------------------------------------------

CREATE = "CreateRelationalDatabaseSnapshot"


@functools.cache
def retrying_client(attempts: int, mode: str = "standard") -> Any:
    return client(retries={"mode": mode, "total_max_attempts": attempts})


def scenario_for(code: str, message: str) -> sc.Scenario:
    if code == "ThrottlingException":
        return sc.throttle(message=message)
    return sc.fail(code, message)


def normalized(error: ClientError) -> dict[str, Any]:
    response = dict(error.response)
    metadata = dict(response["ResponseMetadata"])
    metadata["RequestId"] = "-"
    metadata["HTTPHeaders"] = {**metadata["HTTPHeaders"], "x-amzn-requestid": "-"}
    response["ResponseMetadata"] = metadata
    return response


@pytest.mark.parametrize(
    ("mode", "attempts"), [("standard", 1), ("standard", 3), ("legacy", 1), ("adaptive", 2)]
)
def test_client_errors_are_what_a_real_client_raises_for_the_same_answer(
    mode: str, attempts: int
) -> None:
    retries = {"mode": mode, "total_max_attempts": attempts}
    c = client(retries=retries)

    @settings(max_examples=25, deadline=None)
    @given(error=ls.client_errors(client=c))
    def same(error: ClientError) -> None:
        code, message = error.response["Error"]["Code"], error.response["Error"]["Message"]
        # A fresh client per example, with the same configuration: standard mode's retry
        # quota is per client, and examples that use it up would make later ones differ.
        fresh = client(retries=retries)
        with mock_lightsail(scenarios=[scenario_for(code, message)]):
            with pytest.raises(ClientError) as caught:
                fresh.create_relational_database_snapshot(
                    relationalDatabaseName="orders-db", relationalDatabaseSnapshotName="s1"
                )
        real = caught.value
        assert type(error).__name__ == type(real).__name__
        assert isinstance(error, getattr(c.exceptions, type(real).__name__, ClientError))
        assert normalized(error) == normalized(real)
        assert str(error).replace(error.response["ResponseMetadata"]["RequestId"], "-") == str(
            real
        ).replace(real.response["ResponseMetadata"]["RequestId"], "-")

    same()


def test_client_errors_cover_every_modeled_error_and_throttling_and_are_catchable() -> None:
    strategy = ls.client_errors(operation="create_relational_database_snapshot")
    seen = {error.response["Error"]["Code"] for error in drawn_errors(strategy)}
    modeled = {shape.name for shape in _model.operation_model(CREATE).error_shapes}
    every = modeled | {"ThrottlingException", "ServiceUnavailable"}
    assert seen <= every
    for code in sorted(every):  # each one, whatever a run of the default draws happens to reach
        error = find(ls.client_errors(codes=[code]), lambda e: True, settings=FIND)
        assert error.response["Error"]["Code"] == code
        assert type(error).__name__ == (code if code in modeled else "ClientError")
    not_found = find(ls.client_errors(codes=["NotFoundException"]), lambda e: True, settings=FIND)
    # boto3.client() uses the same session's classes: callers catch them as usual.
    caller = boto3.client("lightsail", region_name="eu-west-2")
    assert isinstance(not_found, caller.exceptions.NotFoundException)
    assert not_found.response["Error"]["Message"] == "The resource was not found."
    assert not_found.response["code"] == "DoesNotExist"
    assert not_found.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    server = find(ls.client_errors(codes=["ServiceException"]), lambda e: True, settings=FIND)
    assert server.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    with pytest.raises(ValueError, match="NotFound") as caught:
        ls.client_errors(codes=["NotFound"])
    assert str(caught.value).startswith(
        "client_errors(codes=['NotFound']): give one or more of the errors "
        "CreateRelationalDatabaseSnapshot answers: ServiceException, InvalidInputException,"
    )


def drawn_errors(strategy: st.SearchStrategy[ClientError]) -> list[ClientError]:
    errors: list[ClientError] = []

    @settings(FIND, max_examples=200, phases=[__import__("hypothesis").Phase.generate])
    @given(strategy)
    def collect(error: ClientError) -> None:
        errors.append(error)

    collect()
    return errors


# -- failure scripts -------------------------------------------------------------------------


def test_scripts_shrink_to_no_failure_and_read_like_code() -> None:
    assert find(ls.scenario_scripts(), lambda script: True, settings=FIND) == []
    assert repr(find(ls.scenarios(), lambda s: True, settings=FIND)) == "throttle()"
    script = find(
        ls.scenario_scripts(),
        lambda script: any("read_timeout(processed=True)" in repr(s) for s in script),
        settings=settings(FIND, max_examples=500),
    )
    assert repr(script) == "[read_timeout(processed=True)]"
    assert repr(ls.scenario_scripts(max_size=2)) == "scenario_scripts(max_size=2)"


def naive_job(c: Any) -> None:
    """A caller with a bug: deletes the old snapshot once the new one is accepted, even if
    the new one then fails."""
    try:
        c.create_relational_database_snapshot(
            relationalDatabaseName="orders-db", relationalDatabaseSnapshotName="nightly-2"
        )
    except (ClientError, BotoCoreError):
        return
    try:
        c.delete_relational_database_snapshot(relationalDatabaseSnapshotName="nightly-1")
    except (ClientError, BotoCoreError):
        pass


def careful_job(c: Any) -> None:
    """The same job, deleting the old snapshot only once the new one is available."""
    try:
        c.create_relational_database_snapshot(
            relationalDatabaseName="orders-db", relationalDatabaseSnapshotName="nightly-2"
        )
        new = c.get_relational_database_snapshot(relationalDatabaseSnapshotName="nightly-2")
        if new["relationalDatabaseSnapshot"]["state"] == "available":
            c.delete_relational_database_snapshot(relationalDatabaseSnapshotName="nightly-1")
    except (ClientError, BotoCoreError):
        pass


def good_backups_after(job: Callable[[Any], None], script: list[sc.Scenario]) -> list[str]:
    with mock_lightsail(scenarios=script) as stub:
        stub.add_snapshot("nightly-1", region="eu-west-2")
        stub.add_snapshot("keep-me", region="us-east-1")
        job(retrying_client(3))
    assert not any(call.error_code == "LightsailStubError" for call in stub.calls)
    assert "keep-me" in {s.name for s in stub.snapshots}
    return [s.name for s in stub.snapshots if s.state == "available" and s.region == "eu-west-2"]


def test_a_failure_script_finds_the_backup_job_bug_and_shrinks_to_it() -> None:
    script = find(
        ls.scenario_scripts(),
        lambda script: not good_backups_after(naive_job, script),
        settings=settings(FIND, max_examples=300),
    )
    # One scenario: fail_later(), maybe in a times() budget (how far it shrinks depends on
    # the Hypothesis version).
    assert len(script) == 1
    assert "fail_later()" in repr(script[0])


@settings(max_examples=40, deadline=None)
@given(script=ls.scenario_scripts())
def test_whatever_lightsail_does_the_careful_job_leaves_a_good_backup(
    script: list[sc.Scenario],
) -> None:
    assert good_backups_after(careful_job, script)


def test_script_options_are_checked() -> None:
    with pytest.raises(ValueError, match="did you mean 'NotFoundException'"):
        ls.scenarios(codes=["NotfoundException"])
    with pytest.raises(ValueError, match="CreateSnapshot") as caught:
        ls.scenario_scripts(operations=["CreateSnapshot"])
    assert str(caught.value) == (
        "scenario_scripts(operations=['CreateSnapshot']): give one or more Lightsail "
        "operation names; unknown: ['CreateSnapshot']"
    )
    with pytest.raises(ValueError, match=r"min_size=3 > max_size=1"):
        ls.scenario_scripts(min_size=3, max_size=1)


def test_default_errors_follow_the_session_boto3_client_uses_now(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session()  # a new session: new exception classes
    caller = boto3.client("lightsail", region_name="eu-west-2")
    error = find(ls.client_errors(codes=["NotFoundException"]), lambda e: True, settings=FIND)
    assert isinstance(error, caller.exceptions.NotFoundException)


# -- explicit examples of what the outputs promise ------------------------------------------


def test_a_snapshot_arn_names_its_region_account_and_resource_type() -> None:
    record = find(ls.snapshots(region="eu-west-2"), lambda r: True, settings=FIND)
    assert re.fullmatch(
        r"arn:aws:lightsail:eu-west-2:\d{12}:RelationalDatabaseSnapshot/"
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        record["arn"],
    ), record["arn"]
    assert record["fromRelationalDatabaseArn"].startswith(
        record["arn"].split(":RelationalDatabaseSnapshot/")[0] + ":RelationalDatabase/"
    )


def test_both_operations_of_a_create_start_and_change_status_at_the_same_instant() -> None:
    response = find(
        ls.create_snapshot_responses(),
        lambda r: r["operations"][0]["createdAt"].year > 2020,
        settings=FIND,
    )
    snapshot_op, database_op = response["operations"]
    assert snapshot_op["createdAt"] == snapshot_op["statusChangedAt"]
    assert database_op["createdAt"] == database_op["statusChangedAt"] == snapshot_op["createdAt"]


def test_legacy_retry_mode_allows_five_attempts_by_default() -> None:
    from botocore.config import Config

    legacy = boto3.client(
        "lightsail", region_name="eu-west-2", config=Config(retries={"mode": "legacy"})
    )
    error = find(
        ls.client_errors(codes=["ThrottlingException"], client=legacy),
        lambda e: True,
        settings=FIND,
    )
    assert error.response["ResponseMetadata"]["RetryAttempts"] == 4


def test_operations_may_be_any_iterable_even_a_generator() -> None:
    names = (name for name in ["GetRelationalDatabaseSnapshot"])
    script = find(
        ls.scenarios(operations=names), lambda s: "for_operation" in repr(s), settings=FIND
    )
    assert "GetRelationalDatabaseSnapshot" in repr(script)


def test_options_given_as_generators_are_read_once_and_shown_as_lists() -> None:
    def once(*items: str) -> Any:
        return (item for item in items)

    assert repr(ls.snapshots(states=once("available"))) == "snapshots(states=['available'])"
    shown = ls.client_errors(operation="get_operations", codes=once("NotFoundException"))
    assert repr(shown) == "client_errors(operation='get_operations', codes=['NotFoundException'])"
    assert repr(ls.scenario_scripts(operations=once("get_operations"))) == (
        "scenario_scripts(operations=['get_operations'])"
    )


def test_create_responses_draw_names_from_their_rules() -> None:
    # REFERENCE_RULES never allow "_"; MODEL_PATTERN_RULES do, and the names drawn follow.
    drawn = ls.create_snapshot_responses(rules=MODEL_PATTERN_RULES, metadata=False)
    response = find(drawn, lambda r: "_" in r["operations"][0]["resourceName"], settings=FIND)
    kinds = ("snapshot-name", "database-name")
    for operation, kind in zip(response["operations"], kinds, strict=True):
        assert MODEL_PATTERN_RULES.first_violation(kind, "name", operation["resourceName"]) is None


def test_create_responses_check_fixed_names_against_their_rules() -> None:
    fixed = ls.create_snapshot_responses(snapshot_name="a_b", rules=MODEL_PATTERN_RULES)
    snapshot, _ = find(fixed, lambda r: True, settings=FIND)["operations"]
    assert snapshot["resourceName"] == "a_b"
    with pytest.raises(ValueError, match="snapshot_name 'a_b' is invalid"):
        ls.create_snapshot_responses(snapshot_name="a_b")  # REFERENCE_RULES: no underscore
