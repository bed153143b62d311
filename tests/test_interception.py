"""The botocore front door: which clients are reached, what stays behind, nesting, errors."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import textwrap
import threading
import unittest
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ParamValidationError

import lightsail_stub
from lightsail_stub import UnhandledOperationError, UnsupportedRegionError
from lightsail_stub._hook import FAKE_ACCESS_KEY

from .helpers import botocore_client, client, create


def canned_answer(request: Any, **kwargs: Any) -> Any:
    """A user's own before-send hook: proves botocore would go on past lightsail-stub."""
    from botocore.awsrequest import AWSResponse

    body = b'{"operations": []}'
    if "s3." in request.url:
        body = b"<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>"

    class Raw:
        def stream(self, **kw: Any) -> Any:
            yield body

    return AWSResponse(request.url, 200, {"x-amzn-RequestId": "canned"}, Raw())


@pytest.mark.parametrize(
    "make",
    [
        lambda: boto3.client("lightsail", region_name="eu-west-2"),
        lambda: boto3.Session().client("lightsail", region_name="eu-west-2"),
        lambda: boto3.Session(region_name="eu-west-2").client("lightsail"),
        lambda: botocore.session.get_session().create_client("lightsail", region_name="eu-west-2"),
        lambda: botocore.session.Session().create_client("lightsail", region_name="eu-west-2"),
    ],
    ids=["boto3.client", "boto3.Session().client", "session-region", "get_session", "Session()"],
)
@pytest.mark.parametrize("when", ["created-inside", "created-before"])
def test_every_kind_of_client_is_intercepted(make: Any, when: str) -> None:
    stub = lightsail_stub.mock_lightsail()
    c = make() if when == "created-before" else None
    with stub:
        c = c or make()
        create(c)
    assert [call.region for call in stub.calls] == ["eu-west-2"]


def test_clients_made_before_the_first_activation_in_a_process_are_reached(tmp_path: Any) -> None:
    """At import time of the code under test, before lightsail_stub was ever started (here:
    before it was even imported), on a machine with no AWS configuration at all."""
    script = textwrap.dedent(
        """
        import socket
        def refuse(*a, **k): raise OSError("network blocked")
        socket.socket.connect = refuse
        import boto3, botocore.session
        early = boto3.client("lightsail", region_name="ap-south-1")
        session = botocore.session.get_session()
        import lightsail_stub
        with lightsail_stub.mock_lightsail() as stub:
            early.create_relational_database_snapshot(
                relationalDatabaseName="db-1", relationalDatabaseSnapshotName="snap-1")
            session.create_client("lightsail", region_name="ap-south-1").create_relational_database_snapshot(
                relationalDatabaseName="db-1", relationalDatabaseSnapshotName="snap-2")
        print(sorted(s.name for s in stub.snapshots))
        """
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['snap-1', 'snap-2']"


def test_after_exit_botocore_behaves_as_without_the_stub() -> None:
    c = client(credentials=True)
    c.meta.events.register("before-send.lightsail", canned_answer)
    with lightsail_stub.mock_lightsail() as stub:
        inside = create(c)
    after = create(c)
    assert len(inside["operations"]) == 2
    assert after["operations"] == []
    assert after["ResponseMetadata"]["RequestId"] == "canned"
    assert len(stub.calls) == 1


def test_exit_after_the_body_raised_also_restores_everything() -> None:
    c = client(credentials=True)
    c.meta.events.register("before-send.lightsail", canned_answer)
    before = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_EC2_METADATA_DISABLED")}
    stub = lightsail_stub.mock_lightsail()
    with pytest.raises(RuntimeError, match="boom"), stub:
        create(c)
        raise RuntimeError("boom")
    assert not stub.active
    assert create(c)["operations"] == []
    assert {k: os.environ.get(k) for k in before} == before


def test_nested_stubs_the_innermost_answers_then_the_outer_resumes() -> None:
    c = client()
    with lightsail_stub.mock_lightsail() as outer:
        create(c, snapshot="outer-1")
        with lightsail_stub.mock_lightsail(databases=[]) as inner:
            with pytest.raises(c.exceptions.NotFoundException):
                create(c, snapshot="inner-1")
        create(c, snapshot="outer-2")
    assert [s.name for s in outer.snapshots] == ["outer-1", "outer-2"]
    assert [call.error_code for call in inner.calls] == ["NotFoundException"]


def test_stopping_an_outer_stub_first_leaves_the_inner_one_answering() -> None:
    outer, inner = lightsail_stub.mock_lightsail(), lightsail_stub.mock_lightsail()
    outer.start()
    inner.start()
    outer.stop()
    try:
        create(client())
    finally:
        inner.stop()
    assert (len(outer.calls), len(inner.calls)) == (0, 1)


def test_start_twice_and_stop_twice_are_errors_that_say_so() -> None:
    stub = lightsail_stub.mock_lightsail().start()
    try:
        with pytest.raises(
            RuntimeError, match="is already active; stop it before starting it again"
        ):
            stub.start()
    finally:
        stub.stop()
    with pytest.raises(RuntimeError, match="is not active"):
        stub.stop()


def test_state_lives_across_activations_until_reset() -> None:
    stub = lightsail_stub.mock_lightsail()
    with stub:
        create(client(), snapshot="snap-1")
    with stub:
        with pytest.raises(client().exceptions.InvalidInputException):
            create(client(), snapshot="snap-1")
    assert len(stub.calls) == 2
    stub.reset()
    assert (stub.calls, stub.snapshots, stub.operations, stub.databases) == ((), (), (), ())


def test_decorator_on_a_function_starts_fresh_each_call() -> None:
    stub = lightsail_stub.mock_lightsail()

    @stub
    def job(name: str) -> int:
        create(client(), snapshot=name)
        return len(stub.calls)

    assert job("snap-1") == 1
    assert job("snap-1") == 1  # no duplicate-name error: the second call starts from reset()
    assert not stub.active
    assert job.__name__ == "job"


def test_decorator_on_an_async_function() -> None:
    stub = lightsail_stub.mock_lightsail()

    @stub
    async def job() -> str:
        await asyncio.sleep(0)
        return str(create(client())["operations"][0]["status"])

    assert asyncio.run(job()) == "Started"
    assert len(stub.calls) == 1
    assert not stub.active


def test_decorator_on_a_unittest_testcase_class() -> None:
    stub = lightsail_stub.mock_lightsail()
    seen: list[int] = []

    @stub
    class Backup(unittest.TestCase):
        def setUp(self) -> None:
            seen.append(len(stub.calls))

        def test_one(self) -> None:
            create(client(), snapshot="same-name")

        def test_two(self) -> None:
            create(client(), snapshot="same-name")

    result = unittest.TextTestRunner(stream=io.StringIO()).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Backup)
    )
    assert result.wasSuccessful(), result.errors + result.failures
    assert seen == [0, 0]
    assert not stub.active


def test_decorating_anything_else_is_a_clear_type_error() -> None:
    with pytest.raises(
        TypeError, match=r"decorates functions and unittest\.TestCase classes, not Plain"
    ):

        @lightsail_stub.mock_lightsail()
        class Plain:
            pass

    with pytest.raises(TypeError, match="cannot decorate 42"):
        lightsail_stub.mock_lightsail()(42)


def test_unhandled_operation_fails_loudly_at_the_call_and_again_at_exit() -> None:
    c = client()
    stub = lightsail_stub.mock_lightsail()
    with pytest.raises(UnhandledOperationError) as at_exit, stub:
        with pytest.raises(UnhandledOperationError) as at_call:
            c.get_regions()
        assert isinstance(at_call.value, AssertionError)
        try:  # code under test that swallows errors can't hide it
            c.get_instances()
        except Exception:
            pass
    assert str(at_call.value) == (
        "lightsail-stub does not serve the Lightsail operation 'GetRegions' "
        "yet, and never passes a call on to AWS. Operations it serves: "
        "CreateRelationalDatabase, CreateRelationalDatabaseFromSnapshot, "
        "CreateRelationalDatabaseSnapshot, DeleteRelationalDatabase, "
        "DeleteRelationalDatabaseSnapshot, GetOperation, GetOperations, GetOperationsForResource, "
        "GetRelationalDatabase, GetRelationalDatabaseSnapshot, GetRelationalDatabaseSnapshots, "
        "GetRelationalDatabases, TagResource, UntagResource. Remove the call from the code under "
        "test, or stop the stub around it."
    )
    assert str(at_exit.value).startswith(
        "2 Lightsail call(s) failed with a lightsail-stub error while it was active (the code "
        "under test may have swallowed it); the first: lightsail-stub does not serve the Lightsail operation 'GetRegions'"
    )
    assert str(at_exit.value).endswith(
        "(pass assert_all_handled=False to mock_lightsail() to not check this at exit)"
    )
    assert not stub.active


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_unhandled_operation_is_not_retried_in_any_retry_mode(mode: str) -> None:
    c = client(retries={"mode": mode, "max_attempts": 5})
    with lightsail_stub.mock_lightsail(assert_all_handled=False) as stub:
        with pytest.raises(UnhandledOperationError):
            c.get_instance(instanceName="x")
    assert [(call.operation, call.attempt, call.status) for call in stub.calls] == [
        ("GetInstance", 1, None)
    ]


def test_the_exit_check_does_not_bury_the_error_of_the_body() -> None:
    with pytest.raises(KeyError, match="the real problem"), lightsail_stub.mock_lightsail():
        try:
            client().get_instance(instanceName="x")
        except AssertionError:
            pass
        raise KeyError("the real problem")


def test_botocore_keeps_raising_its_own_param_validation_error() -> None:
    with lightsail_stub.mock_lightsail() as stub:
        with pytest.raises(ParamValidationError, match="relationalDatabaseSnapshotName"):
            client().create_relational_database_snapshot(relationalDatabaseName="orders-db")
        with pytest.raises(ParamValidationError, match="Invalid type for parameter tags"):
            create(client(), tags="env=prod")
    assert stub.calls == ()


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (
            {"relationalDatabaseName": 5, "relationalDatabaseSnapshotName": "ab"},
            "SerializationException",
            "relationalDatabaseName must be a string, got int 5",
        ),
        (
            {
                "relationalDatabaseName": "db",
                "relationalDatabaseSnapshotName": "ab",
                "tags": [{"key": None, "value": 1}],
            },
            "SerializationException",
            "tags[0].value must be a string, got int 1",
        ),
        (
            {"relationalDatabaseName": "db"},
            "InvalidInputException",
            "relationalDatabaseSnapshotName is required but missing from the request.",
        ),
    ],
)
def test_wrong_types_past_botocore_get_a_lightsail_answer(
    params: dict[str, Any], code: str, message: str
) -> None:
    c = client(parameter_validation=False)
    with lightsail_stub.mock_lightsail() as stub:
        with pytest.raises(c.exceptions.ClientError) as info:
            c.create_relational_database_snapshot(**params)
    assert info.value.response["Error"] == {"Code": code, "Message": message}
    assert stub.snapshots == ()


def test_a_region_where_lightsail_does_not_run_is_a_library_error() -> None:
    with lightsail_stub.mock_lightsail(assert_all_handled=False):
        with pytest.raises(UnsupportedRegionError) as info:
            create(client("mars-north-1"))
    assert str(info.value).startswith(
        "CreateRelationalDatabaseSnapshot was called for Region 'mars-north-1', where the "
        "botocore model says Lightsail does not run (RegionName lists: "
    )


def test_requests_are_signed_with_fake_credentials_only() -> None:
    seen: list[str] = []
    c = boto3.client(
        "lightsail",
        region_name="eu-west-2",
        aws_access_key_id="AKIAREALUSERKEY00000",
        aws_secret_access_key="real-secret",
    )
    c.meta.events.register(
        "before-send.lightsail.CreateRelationalDatabaseSnapshot",
        lambda request, **kw: seen.append(request.headers["Authorization"].decode()),
    )
    with lightsail_stub.mock_lightsail() as stub:
        create(c)
    assert f"Credential={FAKE_ACCESS_KEY}/" in seen[0]
    assert "AKIAREALUSERKEY00000" not in seen[0]
    logged = repr([vars(call) for call in stub.calls]) + stub.format_calls()
    for secret in ("AKIA", "real-secret", FAKE_ACCESS_KEY, "Signature=", "Credential="):
        assert secret not in logged


def test_a_client_created_without_any_credentials_still_works() -> None:
    # The test environment has no AWS configuration at all. (A fresh session: a session
    # that resolved credentials while a stub was active keeps the fake ones, see the docs.)
    c = botocore.session.Session().create_client("lightsail", region_name="eu-west-2")
    assert c._request_signer._credentials is None
    with lightsail_stub.mock_lightsail():
        assert len(create(c)["operations"]) == 2


def test_fake_environment_is_set_while_active_and_restored_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    with lightsail_stub.mock_lightsail():
        assert os.environ["AWS_ACCESS_KEY_ID"] == FAKE_ACCESS_KEY
        assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
        assert "AWS_SESSION_TOKEN" not in os.environ
        with lightsail_stub.mock_lightsail():
            pass
        assert os.environ["AWS_ACCESS_KEY_ID"] == FAKE_ACCESS_KEY
    assert os.environ["AWS_SESSION_TOKEN"] == "real-token"
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    with lightsail_stub.mock_lightsail(fake_credentials=False):
        assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_attach_accepts_lightsail_clients_only() -> None:
    stub = lightsail_stub.mock_lightsail()
    c = client()
    assert stub.attach(c) is c
    stub.attach(c)  # idempotent
    with stub:
        create(c)
    assert len(stub.calls) == 1
    s3 = boto3.client("s3", region_name="eu-west-2")
    with pytest.raises(TypeError, match="attach\\(\\) takes a Lightsail client"):
        stub.attach(s3)


def test_many_threads_share_one_stub() -> None:
    c = botocore_client()
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(25):
                create(c, snapshot=f"t{n}-snap-{i}")
        except BaseException as error:  # pragma: no cover (reported below)
            errors.append(error)

    with lightsail_stub.mock_lightsail() as stub:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert len(stub.snapshots) == 200
    assert len({s.arn for s in stub.snapshots}) == 200
    assert len(stub.operations) == 400


def test_each_retry_attempt_is_a_call_with_its_attempt_number() -> None:
    c = client(retries={"mode": "standard", "max_attempts": 3})
    retried: list[int] = []

    def retry_first_attempt_once(attempts: int, **kwargs: Any) -> int | None:
        # A user's own needs-retry hook: retry once, at once, whatever the answer was.
        if attempts == 1 and not retried:
            retried.append(attempts)
            return 0
        return None

    c.meta.events.register("needs-retry.lightsail", retry_first_attempt_once)
    with lightsail_stub.mock_lightsail() as stub:
        with pytest.raises(c.exceptions.InvalidInputException) as info:
            create(c, snapshot="snap-1")
    # The retry re-sent the same create: the name is now taken, as it would be in Lightsail.
    assert [(call.attempt, call.status) for call in stub.calls] == [(1, 200), (2, 400)]
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    first, second = stub.calls
    assert first.invocation_id is not None
    assert first.invocation_id == second.invocation_id


def test_options_are_checked_with_clear_errors() -> None:
    with pytest.raises(
        TypeError,
        match=r"databases must be a list of names, not one string: databases=\['orders-db'\]",
    ):
        lightsail_stub.mock_lightsail(databases="orders-db")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed must be an int or None, got str"):
        lightsail_stub.mock_lightsail(seed="1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="account_id must be 12 digits, got '123'"):
        lightsail_stub.mock_lightsail(account_id="123")


def test_non_lightsail_clients_are_untouched() -> None:
    s3 = boto3.client(
        "s3",
        region_name="eu-west-2",
        config=Config(retries={"max_attempts": 0}),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.meta.events.register("before-send.s3", canned_answer)
    with lightsail_stub.mock_lightsail() as stub:
        s3.list_buckets()
    assert stub.calls == ()


def test_concurrent_async_tasks_each_see_their_own_stub() -> None:
    a, b = lightsail_stub.mock_lightsail(), lightsail_stub.mock_lightsail()
    a_started, b_started, a_done = asyncio.Event(), asyncio.Event(), asyncio.Event()

    @a
    async def job_a() -> None:
        a_started.set()
        await b_started.wait()  # b was started after a and is still active
        create(client(), snapshot="from-a")
        a_done.set()

    @b
    async def job_b() -> None:
        await a_started.wait()
        b_started.set()
        await a_done.wait()  # keep b active (and the last started) while a calls
        create(client(), snapshot="from-b")

    async def main() -> None:
        await asyncio.gather(job_a(), job_b())

    asyncio.run(main())
    assert [s.name for s in a.snapshots] == ["from-a"]
    assert [s.name for s in b.snapshots] == ["from-b"]


def test_a_worker_thread_is_answered_by_the_stub_started_last() -> None:
    names: list[str] = []
    with lightsail_stub.mock_lightsail() as outer, lightsail_stub.mock_lightsail() as inner:
        worker = threading.Thread(
            target=lambda: names.append(create(client())["operations"][0]["resourceName"])
        )
        worker.start()
        worker.join()
    assert names == ["orders-db-1"]
    assert (len(outer.calls), len(inner.calls)) == (0, 1)


def test_decorator_on_a_generator_keeps_the_stub_active_while_it_runs() -> None:
    stub = lightsail_stub.mock_lightsail()

    @stub
    def snapshots(count: int) -> Any:
        for i in range(count):
            yield create(client(), snapshot=f"snap-{i}")["operations"][0]["resourceName"]
        return "done"

    assert list(snapshots(2)) == ["snap-0", "snap-1"]
    assert not stub.active
    assert len(stub.calls) == 2


def test_decorating_an_async_generator_is_refused() -> None:
    async def agen() -> Any:
        yield 1

    with pytest.raises(
        TypeError,
        match=r"cannot decorate the async generator agen\(\); use `with mock_lightsail\(\):` inside it",
    ):
        lightsail_stub.mock_lightsail()(agen)


def test_a_reported_library_error_does_not_fail_a_later_clean_activation() -> None:
    stub = lightsail_stub.mock_lightsail()
    with pytest.raises(UnhandledOperationError), stub:
        try:
            client().get_regions()
        except UnhandledOperationError:
            pass
    with stub:
        create(client())
    assert [call.operation for call in stub.calls] == [
        "GetRegions",
        "CreateRelationalDatabaseSnapshot",
    ]


def test_an_unsigned_client_with_a_custom_endpoint_keeps_its_region() -> None:
    from botocore import UNSIGNED

    c = client("ap-northeast-2", signature_version=UNSIGNED)
    c_custom = boto3.client(
        "lightsail",
        region_name="ap-northeast-2",
        endpoint_url="http://localhost:1",
        config=Config(signature_version=UNSIGNED),
    )
    with lightsail_stub.mock_lightsail() as stub:
        create(c, snapshot="snap-1")
        resp = create(c_custom, snapshot="snap-2")
    assert resp["operations"][0]["location"]["regionName"] == "ap-northeast-2"
    assert [call.region for call in stub.calls] == ["ap-northeast-2", "ap-northeast-2"]
    assert all("x-lightsail-stub-region" not in str(vars(call)) for call in stub.calls)


def test_a_signed_request_is_answered_in_its_signing_region_whatever_the_endpoint() -> None:
    """The signing scope names the Region, over the endpoint's host and a custom URL."""
    other_host = boto3.client(
        "lightsail",
        region_name="eu-central-1",
        endpoint_url="https://lightsail.us-east-1.amazonaws.com",
    )
    custom = boto3.client(
        "lightsail", region_name="ca-central-1", endpoint_url="http://localhost:1"
    )
    with lightsail_stub.mock_lightsail() as stub:
        first = create(other_host, snapshot="snap-1")
        second = create(custom, snapshot="snap-2")
    assert first["operations"][0]["location"]["regionName"] == "eu-central-1"
    assert second["operations"][0]["location"]["regionName"] == "ca-central-1"
    assert [call.region for call in stub.calls] == ["eu-central-1", "ca-central-1"]
    assert all("x-lightsail-stub-region" not in str(vars(call)) for call in stub.calls)


def test_an_unsigned_client_whose_requests_carry_another_authorization_keeps_its_region() -> None:
    from botocore import UNSIGNED

    c = boto3.client(
        "lightsail",
        region_name="ap-northeast-2",
        endpoint_url="http://localhost:1",
        config=Config(signature_version=UNSIGNED),
    )

    def bearer(request: Any, **kwargs: Any) -> None:  # e.g. a proxy's token, no SigV4 scope
        request.headers["Authorization"] = "Bearer abc"

    c.meta.events.register_first("before-send.lightsail", bearer)  # before the stub's
    with lightsail_stub.mock_lightsail() as stub:
        resp = create(c, snapshot="snap-1")
    assert resp["operations"][0]["location"]["regionName"] == "ap-northeast-2"
    assert [call.region for call in stub.calls] == ["ap-northeast-2"]


def test_a_rule_that_raises_is_a_library_error_naming_the_rule() -> None:
    broken = lightsail_stub.Rule(
        "snapshot-name.broken", "snapshot-name", lambda v: v.index("x") >= 0, "has an x", "ours"
    )
    with lightsail_stub.mock_lightsail(
        rules=lightsail_stub.REFERENCE_RULES.plus(broken), assert_all_handled=False
    ) as stub:
        with pytest.raises(lightsail_stub.LightsailStubError) as info:
            create(client(), snapshot="snap-1")
    assert str(info.value) == (
        "rule 'snapshot-name.broken' of RuleSet 'reference' raised ValueError: substring not "
        "found while checking relationalDatabaseSnapshotName 'snap-1'"
    )
    assert [call.error_code for call in stub.calls] == ["RuleError"]


def test_a_clock_returning_a_naive_datetime_is_a_library_error() -> None:
    from datetime import datetime

    with lightsail_stub.mock_lightsail(
        clock=lambda: datetime(2026, 1, 1), assert_all_handled=False
    ):
        with pytest.raises(
            lightsail_stub.LightsailStubError,
            match=re.escape(
                "returned datetime.datetime(2026, 1, 1, 0, 0); it must return a timezone-aware datetime"
            ),
        ):
            create(client())


def test_reset_also_forgets_advances_of_the_clock() -> None:
    from datetime import datetime, timezone

    frozen = datetime(2026, 1, 1, tzinfo=timezone.utc)
    stub = lightsail_stub.mock_lightsail(clock=frozen)
    stub.advance(60)
    stub.reset()
    assert stub.now() == frozen


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"name": None}, TypeError, "add_database(): name must be a str, got NoneType"),
        (
            {"name": "bad_db"},
            ValueError,
            "add_database(): name 'bad_db' is invalid: must contain only letters, digits or hyphens.",
        ),
        (
            {"name": "db", "availability_zone": "eu-west-2"},
            ValueError,
            "add_database(): availability_zone 'eu-west-2' is not a zone; a zone is a Region and a letter, e.g. 'us-west-2b'",
        ),
        (
            {"name": "db", "region": "eu-west-1", "availability_zone": "eu-west-2a"},
            ValueError,
            "add_database(): availability_zone 'eu-west-2a' is not a zone in region 'eu-west-1'; a zone is a Region and a letter, e.g. 'us-west-2b'",
        ),
        (
            {"name": "db", "region": "mars-north-1"},
            ValueError,
            "add_database(): the botocore model has no Lightsail Region 'mars-north-1'; it lists: ",
        ),
    ],
)
def test_add_database_refuses_what_cannot_exist(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    stub = lightsail_stub.mock_lightsail()
    name = kwargs.pop("name")
    with pytest.raises(error) as info:
        stub.add_database(name, **kwargs)
    assert str(info.value).startswith(message)
    assert stub.databases == ()


def test_declared_databases_are_listed() -> None:
    stub = lightsail_stub.mock_lightsail(databases=["orders-db"])
    stub.add_database("billing-db", availability_zone="us-west-2b")
    assert stub.declared_databases == ("orders-db",)
    assert [(d.name, d.region, d.availability_zone) for d in stub.databases] == [
        ("billing-db", "us-west-2", "us-west-2b")
    ]
    with stub:
        create(client("eu-west-2"), "orders-db")
    assert [(d.name, d.region) for d in stub.databases] == [
        ("billing-db", "us-west-2"),
        ("orders-db", "eu-west-2"),
    ]


@pytest.mark.parametrize("order", ["moto-outside", "moto-inside"])
def test_works_beside_moto(order: str) -> None:
    moto = pytest.importorskip("moto")  # in the dev extra; not in the minimum-versions run
    outer, inner = (moto.mock_aws(), lightsail_stub.mock_lightsail())
    if order == "moto-inside":
        outer, inner = inner, outer
    with outer, inner:
        stub = outer if isinstance(outer, lightsail_stub.LightsailStub) else inner
        assert len(create(client())["operations"]) == 2
        sqs = boto3.client("sqs", region_name="eu-west-2")
        sqs.create_queue(QueueName="backups")
        assert [u.rsplit("/", 1)[-1] for u in sqs.list_queues()["QueueUrls"]] == ["backups"]
    assert [call.operation for call in stub.calls] == ["CreateRelationalDatabaseSnapshot"]


def test_boto3_default_session_forgets_the_fake_credentials_after_the_stub() -> None:
    boto3.setup_default_session()  # a fresh default session, resolved inside the stub
    with lightsail_stub.mock_lightsail():
        inside = boto3.client("sqs", region_name="eu-west-2")
    assert inside._request_signer._credentials.access_key == FAKE_ACCESS_KEY  # documented
    after = boto3.client("sqs", region_name="eu-west-2")
    assert after._request_signer._credentials is None  # no AWS configuration in the tests
    boto3.DEFAULT_SESSION = None


def test_a_sync_function_returning_a_coroutine_is_refused_not_run_unstubbed() -> None:
    async def job() -> None:
        create(client())

    stub = lightsail_stub.mock_lightsail()
    wrapped = stub(lambda: job())
    with pytest.raises(
        TypeError, match=r"which returned coroutine .*that would run after the stub stopped"
    ):
        wrapped()
    assert stub.calls == ()


def test_reset_does_not_hide_a_swallowed_library_error() -> None:
    stub = lightsail_stub.mock_lightsail().start()
    with pytest.raises(UnhandledOperationError):
        client().get_regions()
    stub.reset()
    with pytest.raises(UnhandledOperationError, match="GetRegions"):
        stub.stop()


def test_a_generator_closed_early_still_reports_a_swallowed_error() -> None:
    stub = lightsail_stub.mock_lightsail()

    @stub
    def job() -> Any:
        try:
            client().get_regions()
        except UnhandledOperationError:
            pass
        yield 1
        yield 2

    running = job()
    assert next(running) == 1
    assert stub.active  # active while the generator is suspended (documented)
    with pytest.raises(UnhandledOperationError, match="GetRegions"):
        running.close()
    assert not stub.active


def test_a_refused_request_creates_no_database() -> None:
    with lightsail_stub.mock_lightsail(seed=3) as stub:
        create(client(), "db-a", "snap-1")
        with pytest.raises(client().exceptions.InvalidInputException):
            create(client(), "db-b", "snap-1")
        with pytest.raises(client().exceptions.InvalidInputException):
            create(client(), "db-c", "-bad-")
    assert [d.name for d in stub.databases] == ["db-a"]


SIZE_RULE = "add_database(): size_in_gb must be from 1 to 2147483647 (sizeInGb is a 32-bit integer)"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"engine": ""}, TypeError, "add_database(): engine must be a non-empty str, got ''"),
        (
            {"engine_version": 8},
            TypeError,
            "add_database(): engine_version must be a non-empty str, got 8",
        ),
        (
            {"size_in_gb": True},
            TypeError,
            "add_database(): size_in_gb must be an int, got bool True",
        ),
        ({"size_in_gb": 0}, ValueError, f"{SIZE_RULE}, got 0"),
        ({"size_in_gb": 2**31}, ValueError, f"{SIZE_RULE}, got 2147483648"),
        ({"size_in_gb": 10**5000}, ValueError, f"{SIZE_RULE}, got <an int of about 5001 digits>"),
    ],
)
def test_add_database_checks_its_options(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        lightsail_stub.mock_lightsail().add_database("orders-db", **kwargs)
    assert str(info.value) == message
