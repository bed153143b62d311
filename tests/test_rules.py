"""The documented rules, each one alone, through real boto3 clients: exact answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lightsail_stub
from lightsail_stub import MODEL_PATTERN_RULES, REFERENCE_RULES, MaxCount, Rule

from .helpers import client, create

CHARSET = "letters, numbers, spaces in UTF-8, or the following characters: + - = . _ : / @"


def refused(**kwargs: Any) -> dict[str, Any]:
    """Call create with kwargs, expect InvalidInputException, return e.response."""
    c = client()
    kwargs.setdefault("relationalDatabaseName", "orders-db")
    kwargs.setdefault("relationalDatabaseSnapshotName", "orders-db-1")
    with pytest.raises(c.exceptions.InvalidInputException) as info:
        c.create_relational_database_snapshot(**kwargs)
    response: dict[str, Any] = info.value.response
    return response


@pytest.fixture(autouse=True)
def stub() -> Any:
    with lightsail_stub.mock_lightsail() as stub:
        yield stub


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "a",
            "relationalDatabaseSnapshotName 'a' is invalid: must contain from 2 to 255 characters.",
        ),
        (
            "a" * 256,
            "relationalDatabaseSnapshotName 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'... "
            "(256 characters) is invalid: must contain from 2 to 255 characters.",
        ),
        (
            "orders_db",
            "relationalDatabaseSnapshotName 'orders_db' is invalid: must contain only letters, digits or hyphens.",
        ),
        (
            "orders.db",
            "relationalDatabaseSnapshotName 'orders.db' is invalid: must contain only letters, digits or hyphens.",
        ),
        (
            "ordérs",
            "relationalDatabaseSnapshotName 'ordérs' is invalid: must contain only letters, digits or hyphens.",
        ),
        (
            "-orders",
            "relationalDatabaseSnapshotName '-orders' is invalid: the first and last character must be a letter or number.",
        ),
        (
            "orders-",
            "relationalDatabaseSnapshotName 'orders-' is invalid: the first and last character must be a letter or number.",
        ),
    ],
)
def test_snapshot_name_rules(name: str, message: str) -> None:
    response = refused(relationalDatabaseSnapshotName=name)
    assert response["Error"] == {"Code": "InvalidInputException", "Message": message}
    assert response["message"] == message
    assert response["code"] == "InvalidInput"
    assert response["docs"].startswith("https://docs.aws.amazon.com/lightsail/")
    assert response["tip"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("name", ["ab", "a" * 255, "A1", "9-z", "orders-db-2026-11-27"])
def test_snapshot_name_edges_are_accepted(name: str, stub: lightsail_stub.LightsailStub) -> None:
    create(client(), snapshot=name)
    assert [s.name for s in stub.snapshots] == [name]


def test_database_name_is_checked_before_the_snapshot_name() -> None:
    response = refused(relationalDatabaseName="bad_db", relationalDatabaseSnapshotName="x")
    assert response["Error"]["Message"] == (
        "relationalDatabaseName 'bad_db' is invalid: must contain only letters, digits or hyphens."
    )


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            [{"key": "k" * 129}],
            "tags[0].key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk'... "
            "(129 characters) is invalid: must be at most 128 characters.",
        ),
        (
            [{"key": "a", "value": "v" * 257}],
            "tags[0].value 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv'... "
            "(257 characters) is invalid: must be at most 256 characters.",
        ),
        (
            [{"key": "ok"}, {"key": "team#1"}],
            f"tags[1].key 'team#1' is invalid: may contain only {CHARSET}.",
        ),
        (
            [{"key": "ok", "value": "a,b"}],
            f"tags[0].value 'a,b' is invalid: may contain only {CHARSET}.",
        ),
        (
            [{"key": "tab\there"}],
            f"tags[0].key 'tab\\there' is invalid: may contain only {CHARSET}.",
        ),
        ([{"key": ""}], "tags[0].key '' is invalid: must not be empty."),
        ([{"value": "no key"}], "tags[0].key is required but missing from the request."),
        (
            [{"key": "AWS:owner"}],
            "tags[0].key 'AWS:owner' is invalid: the prefix 'aws:' is reserved for AWS use.",
        ),
        (
            [{"key": "env", "value": "a"}, {"key": "env", "value": "b"}],
            "tags (2 items) is invalid: must not repeat a tag key.",
        ),
        (
            [{"key": f"k{i}"} for i in range(51)],
            "tags (51 items) is invalid: must have at most 50 tags.",
        ),
    ],
)
def test_tag_rules(tags: list[dict[str, str]], message: str) -> None:
    assert refused(tags=tags)["Error"]["Message"] == message


@pytest.mark.parametrize(
    "tag",
    [
        {"key": "k" * 128, "value": "v" * 256},
        {"key": "Ünïcödé 名前 ٣", "value": "値 + - = . _ : / @"},
        {"key": "no-value"},
        {"key": "empty-value", "value": ""},
        {"key": "aws-not-a-prefix"},
    ],
)
def test_tags_within_the_rules_are_stored(
    tag: dict[str, str], stub: lightsail_stub.LightsailStub
) -> None:
    create(client(), tags=[tag])
    assert stub.snapshots[0].tags == ((tag["key"], tag.get("value")),)


def test_fifty_tags_are_accepted(stub: lightsail_stub.LightsailStub) -> None:
    create(client(), tags=[{"key": f"k{i}"} for i in range(50)])
    assert len(stub.snapshots[0].tags) == 50


def test_a_rejected_request_changes_nothing(stub: lightsail_stub.LightsailStub) -> None:
    refused(tags=[{"key": "ok"}, {"key": "bad#"}])
    assert stub.snapshots == ()
    assert stub.operations == ()
    assert [c.error_code for c in stub.calls] == ["InvalidInputException"]


ALLOWED_TAG_CHARS = st.characters(categories=["L", "N", "Zs"]) | st.sampled_from("+-=._:/@")


@settings(max_examples=100, deadline=None)
@given(
    key=st.text(ALLOWED_TAG_CHARS, min_size=1, max_size=128),
    value=st.text(ALLOWED_TAG_CHARS, max_size=256),
)
def test_any_key_and_value_in_the_documented_set_is_accepted(key: str, value: str) -> None:
    if key.casefold().startswith("aws:"):
        return
    with lightsail_stub.mock_lightsail() as stub:
        create(client(), tags=[{"key": key, "value": value}])
    assert stub.snapshots[0].tags == ((key, value),)


@settings(max_examples=100, deadline=None)
@given(
    prefix=st.text(ALLOWED_TAG_CHARS, max_size=5),
    bad=st.characters(categories=["P", "S", "Cc"]).filter(lambda c: c not in "+-=._:/@"),
)
def test_any_character_outside_the_documented_set_is_refused(prefix: str, bad: str) -> None:
    key = "k" + prefix + bad
    with lightsail_stub.mock_lightsail() as stub:
        response = refused(tags=[{"key": key}])
    assert "may contain only" in response["Error"]["Message"]
    assert stub.snapshots == ()


def test_the_model_pattern_rule_set_allows_underscores() -> None:
    with lightsail_stub.mock_lightsail(rules=MODEL_PATTERN_RULES) as stub:
        create(client(), "orders_db", "orders_db_1")
        response = refused(relationalDatabaseSnapshotName="-x-")
    assert [s.name for s in stub.snapshots] == ["orders_db_1"]
    assert response["Error"]["Message"].startswith(
        "relationalDatabaseSnapshotName '-x-' is invalid: must match the pattern"
    )


def test_a_rule_set_can_be_changed_as_data() -> None:
    strict = REFERENCE_RULES.replace(
        "tag-list.count", check=MaxCount(1), says="must have at most 1 tag"
    )
    assert strict.name == "reference"
    loose = REFERENCE_RULES.without("tag-key.aws-prefix", name="no-aws-prefix-rule")
    with lightsail_stub.mock_lightsail(rules=strict):
        message = refused(tags=[{"key": "a"}, {"key": "b"}])["Error"]["Message"]
    assert message == "tags (2 items) is invalid: must have at most 1 tag."
    with lightsail_stub.mock_lightsail(rules=loose) as stub:
        create(client(), tags=[{"key": "aws:owner"}])
    assert stub.snapshots[0].tags == (("aws:owner", None),)


def test_extra_rules_are_checked_after_the_existing_ones() -> None:
    nightly = Rule(
        "snapshot-name.nightly",
        "snapshot-name",
        lambda v: v.startswith("nightly-"),
        "must start with 'nightly-'",
        "our team's convention",
    )
    with lightsail_stub.mock_lightsail(rules=REFERENCE_RULES.plus(nightly)):
        message = refused(relationalDatabaseSnapshotName="weekly-1")["Error"]["Message"]
    assert (
        message
        == "relationalDatabaseSnapshotName 'weekly-1' is invalid: must start with 'nightly-'."
    )


def test_rule_set_errors_name_what_is_wrong() -> None:
    with pytest.raises(
        KeyError, match=r"no rule 'nope' in RuleSet 'reference'; known rules: snapshot-name\.length"
    ):
        REFERENCE_RULES.without("nope")
    with pytest.raises(ValueError, match=r"duplicate rule ids \['tag-list.count'\]"):
        REFERENCE_RULES.plus(REFERENCE_RULES.rules[-2])
    with pytest.raises(ValueError, match="kind 'tag' is not one of"):
        REFERENCE_RULES.plus(Rule("x", "tag", bool, "x", "x"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"rules must be a lightsail_stub\.RuleSet, got list"):
        lightsail_stub.mock_lightsail(rules=[])  # type: ignore[arg-type]


def test_every_rule_names_its_source_and_whether_it_is_assumed() -> None:
    for rule in (*REFERENCE_RULES, *MODEL_PATTERN_RULES):
        assert rule.source
        assert rule.assumed == rule.source.startswith("assumed"), rule.id


class _Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (10**5000, "<an int of about 5001 digits>"),  # over Python's int-to-str limit
        (-(10**5000), "<an int of about 5001 digits>"),
        (_Unprintable(), "<_Unprintable object that can't be shown>"),
    ],
    ids=["10**5000", "-10**5000", "broken-repr"],
)
def test_a_value_that_cannot_be_printed_is_still_named_in_the_error(value: Any, shown: str) -> None:
    """A value no rule can check (no len()) is a library error naming the rule and the
    value, even when the value has no printable form."""
    with pytest.raises(lightsail_stub.LightsailStubError) as info:
        REFERENCE_RULES.first_violation("snapshot-name", "relationalDatabaseSnapshotName", value)
    assert str(info.value).startswith("rule 'snapshot-name.length' of RuleSet 'reference' raised")
    assert str(info.value).endswith(f" while checking relationalDatabaseSnapshotName {shown}")


class _UnprintableInt(int):
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class _UnprintableStr(str):
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (_UnprintableInt(0), "<_UnprintableInt object that can't be shown>"),
        (_UnprintableStr("ab"), "<_UnprintableStr object that can't be shown>"),
        # cut short first: the slice of a str subclass is a plain str, which prints
        (_UnprintableStr("a" * 100), "'" + "a" * 64 + "'... (100 characters)"),
    ],
    ids=["int-subclass", "str-subclass", "long-str-subclass"],
)
def test_values_in_messages_are_described_even_when_their_repr_raises(
    value: Any, shown: str
) -> None:
    from lightsail_stub._rules import describe_value

    assert describe_value(value) == shown
