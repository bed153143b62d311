"""A RuleSet of built-in checks compiles each kind into one check that only ever accepts
(``RuleSet._accepts``); anything it does not accept goes through the loop over the rules.
These tests hold the two to the same answer, so the compiled check can never let through
a value a rule refuses, nor change which rule (and message) a refused value gets."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lightsail_stub import (
    MODEL_PATTERN_RULES,
    REFERENCE_RULES,
    Chars,
    Edges,
    Length,
    MaxCount,
    NoPrefix,
    Pattern,
    Rule,
    RuleSet,
)
from lightsail_stub._errors import ServiceError
from lightsail_stub._operations import Context
from lightsail_stub._rules import Kind, RuleError, Violation, _Remembering
from lightsail_stub._world import Clock, Ids, Tags, World

STRING_KINDS: tuple[Kind, ...] = ("snapshot-name", "database-name", "tag-key", "tag-value")


def _sometimes_short(value: str) -> bool:
    return len(value) < 8


class Calls:
    """A custom check that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value: Any) -> bool:
        self.calls += 1
        return not str(value).startswith("x")


class LongerLength(Length):
    """A subclass of a built-in check: its own meaning, so never compiled."""

    def __call__(self, value: str) -> bool:
        return len(value) > self.max


RULE_SETS: dict[str, RuleSet] = {
    "reference": REFERENCE_RULES,
    "model-pattern": MODEL_PATTERN_RULES,
    "replaced-length": REFERENCE_RULES.replace("snapshot-name.length", check=Length(3, 12)),
    "replaced-charset": REFERENCE_RULES.replace(
        "tag-key.charset", check=Chars(ascii_alnum=True, categories=frozenset("N"), extra="_ ")
    ),
    "replaced-prefix": REFERENCE_RULES.replace("tag-value.length", check=NoPrefix("ß")),
    "without": REFERENCE_RULES.without(
        "snapshot-name.edges", "tag-key.aws-prefix", "tag-value.charset", "tag-list.unique"
    ),
    "without-all-of-a-kind": REFERENCE_RULES.without(
        "database-name.length", "database-name.charset", "database-name.edges"
    ),
    "plus-built-ins": REFERENCE_RULES.plus(
        Rule("snapshot-name.short", "snapshot-name", Length(0, 9), "short", "test"),
        Rule("snapshot-name.abc", "snapshot-name", Pattern("[a-c0-9-]*"), "abc", "test"),
        Rule("tag-key.no-x", "tag-key", NoPrefix("X"), "no x", "test"),
        Rule("tag-value.edges", "tag-value", Edges(), "edges", "test"),
        Rule("tag-list.few", "tag-list", MaxCount(2), "few", "test"),
        Rule("tag-value.ascii", "tag-value", Chars(ascii_alnum=True, extra=" .é"), "a", "test"),
        Rule("snapshot-name.lower", "snapshot-name", Chars(extra="abc019-"), "lower", "test"),
    ),
    "plus-custom": REFERENCE_RULES.plus(
        Rule("snapshot-name.short", "snapshot-name", _sometimes_short, "short", "test"),
        Rule("tag-key.longer", "tag-key", LongerLength(0, 3), "longer", "test"),
    ),
    "bad-fields": REFERENCE_RULES.plus(
        Rule("snapshot-name.bad-regex", "snapshot-name", Pattern("("), "bad", "test"),
        Rule("database-name.bool", "database-name", Length(True, 9), "bool", "test"),
        Rule("tag-key.bytes", "tag-key", NoPrefix(b"a"), "bytes", "test"),  # type: ignore[arg-type]
    ),
}

# Strings that the rules often accept, and strings near every edge they draw.
_ALPHABET = (
    "abcXYZ019-_ .+=:/@aws" + "AWS" + "ß" + "é" + "\u0663" + "\u2003" + "\u00a0" + "!\n\t#\x00"
)
strings = st.one_of(
    st.text(),
    st.text(alphabet=_ALPHABET, max_size=20),
    st.text(alphabet="ab9-", min_size=1, max_size=300),
    st.builds(lambda s: "aws:" + s, st.text(alphabet=_ALPHABET, max_size=5)),
    st.builds(lambda s: "AwS:" + s, st.text(alphabet=_ALPHABET, max_size=5)),
)
keys = st.sampled_from(["a", "b", "aws:x", "c d"]) | strings  # some keys repeat
pairs = st.lists(st.tuples(keys, st.none() | strings), max_size=55)


def test_the_rule_sets_the_stub_ships_are_compiled_for_every_kind() -> None:
    # Else the properties below would hold for want of anything to compare.
    for rules in (REFERENCE_RULES, MODEL_PATTERN_RULES):
        assert all(rules._accepts[kind] is not None for kind in rules._accepts)


def test_a_kind_with_a_custom_or_odd_rule_is_left_to_the_loop() -> None:
    plus_custom, bad = RULE_SETS["plus-custom"], RULE_SETS["bad-fields"]
    assert plus_custom._accepts["snapshot-name"] is None  # a function
    assert plus_custom._accepts["tag-key"] is None  # a subclass of Length
    assert plus_custom._accepts["tag-value"] is not None
    assert bad._accepts["snapshot-name"] is None  # does not compile
    assert bad._accepts["database-name"] is None  # a bool where an int goes
    assert bad._accepts["tag-key"] is None  # bytes where a str goes


@settings(max_examples=300)
@given(value=strings, name=st.sampled_from(sorted(RULE_SETS)), kind=st.sampled_from(STRING_KINDS))
@example(value="ab", name="reference", kind="snapshot-name")
@example(value="a" * 255, name="reference", kind="snapshot-name")
@example(value="a" * 256, name="reference", kind="snapshot-name")
@example(value="Aws:x", name="reference", kind="tag-key")
@example(value="ß", name="replaced-prefix", kind="tag-value")
@example(value="SS", name="replaced-prefix", kind="tag-value")
@example(value="", name="reference", kind="tag-value")
@example(value="x" * 257, name="reference", kind="tag-value")
@example(value="k" * 129, name="reference", kind="tag-key")  # two Length rules: the lower max
def test_a_compiled_check_accepts_exactly_what_no_rule_refuses(
    value: str, name: str, kind: Kind
) -> None:
    rules = RULE_SETS[name]
    scanned = _answer(lambda: rules._scan(kind, "f", value))
    assert _answer(lambda: rules.first_violation(kind, "f", value)) == scanned
    accept = rules._accepts[kind]
    if accept is not None:
        # The rules of a compiled kind can check any string (none raises RuleError).
        assert scanned[0] == "answered"
        assert accept(value) == (scanned[1] is None)


def _answer(function: Callable[[], Violation | None]) -> tuple[str, object]:
    try:
        return "answered", function()
    except RuleError as error:
        return "raised", str(error)


@settings(max_examples=200)
@given(
    value=pairs,
    name=st.sampled_from(["reference", "without", "plus-built-ins", "model-pattern"]),
)
def test_a_compiled_tag_list_check_accepts_exactly_what_no_rule_refuses(
    value: list[tuple[str, str | None]], name: str
) -> None:
    rules = RULE_SETS[name]
    scanned = rules._scan("tag-list", "tags", value)
    accept = rules._accepts["tag-list"]
    assert accept is not None
    assert accept(value) == (scanned is None)
    assert rules.first_violation("tag-list", "tags", value) == scanned


@pytest.mark.parametrize(
    "value", [None, 3, ["ab"], ("a", "b"), b"ab", [("a", "b", "c")], [["a"]], [({}, None)]]
)
@pytest.mark.parametrize("kind", [*STRING_KINDS, "tag-list"])
def test_a_value_of_another_type_gets_the_loop_s_answer(value: Any, kind: Kind) -> None:
    assert _answer(lambda: REFERENCE_RULES.first_violation(kind, "f", value)) == _answer(
        lambda: REFERENCE_RULES._scan(kind, "f", value)
    )


def _context(rules: RuleSet) -> Context:
    return Context(World(), rules, Clock(), Ids(1), "eu-west-2")


def _check_tags_rule_by_rule(rules: RuleSet, field: str, tags: list[dict[str, str]]) -> Tags:
    """Context.check_tags as it was before the compiled checks: every member through the
    loop, in order."""

    def check(kind: Kind, where: str, value: Any) -> None:
        violation = rules._scan(kind, where, value)
        if violation is not None:
            raise ServiceError("InvalidInputException", violation.message)

    pairs = []
    for index, tag in enumerate(tags):
        key, value = tag["key"], tag.get("value")
        check("tag-key", f"{field}[{index}].key", key)
        if value is not None:
            check("tag-value", f"{field}[{index}].value", value)
        pairs.append((key, value))
    check("tag-list", field, pairs)
    return tuple(pairs)


def _outcome(function: Callable[[], Tags]) -> object:
    try:
        return function()
    except (ServiceError, RuleError) as error:
        return type(error), str(error)


@given(
    tags=st.lists(st.fixed_dictionaries({"key": strings}, optional={"value": strings}), max_size=4),
    name=st.sampled_from(sorted(RULE_SETS)),
)
@example(tags=[{"key": "ok"}, {"key": "aws:x", "value": "v"}], name="reference")
@example(tags=[{"key": "ok", "value": "!"}], name="reference")
@example(tags=[{"key": "a"}, {"key": "a"}], name="reference")
def test_tags_are_checked_as_by_one_call_per_tag_and_member(
    tags: list[dict[str, str]], name: str
) -> None:
    """check_tags skips the rules of a tag the compiled checks accept: it must answer as
    checking every member through the loop does (same tag, rule and message)."""
    rules = RULE_SETS[name]
    expected = _outcome(lambda: _check_tags_rule_by_rule(rules, "tags", tags))
    assert _outcome(lambda: _context(rules).check_tags("tags", tags)) == expected


def test_a_custom_rule_is_called_once_per_value() -> None:
    calls = Calls()
    rules = REFERENCE_RULES.plus(Rule("tag-key.x", "tag-key", calls, "no x", "test"))
    ctx = _context(rules)
    ctx.check_tags("tags", [{"key": "a"}, {"key": "b", "value": "v"}])
    assert calls.calls == 2
    with pytest.raises(Exception, match=r"tags\[1\]\.key 'xb' is invalid: no x\."):
        ctx.check_tags("tags", [{"key": "a"}, {"key": "xb"}])
    assert calls.calls == 4


@pytest.mark.parametrize("rules", [REFERENCE_RULES, MODEL_PATTERN_RULES, RULE_SETS["without"]])
def test_a_rule_set_survives_pickling(rules: RuleSet) -> None:
    again = pickle.loads(pickle.dumps(rules))
    assert again == rules
    assert again.first_violation("snapshot-name", "n", "-a") == rules.first_violation(
        "snapshot-name", "n", "-a"
    )
    assert again._accepts["tag-key"] is not None


@pytest.mark.parametrize("remembered", [0, 3, 1024])
@settings(max_examples=50)
@given(values=st.lists(strings, max_size=12), kind=st.sampled_from(STRING_KINDS))
def test_a_compiled_check_answers_a_value_again_as_the_first_time(
    values: list[str], kind: Kind, remembered: int
) -> None:
    """Compiled checks remember the strings they accepted (up to a bound): asked again,
    in any order, they answer as the rules do."""
    import lightsail_stub._rules as rules_module

    before = rules_module._REMEMBERED
    rules_module._REMEMBERED = remembered
    try:
        rules = REFERENCE_RULES.without("snapshot-name.edges")  # a fresh table: nothing seen
        accept = rules._accepts[kind]
        assert accept is not None
        for value in values + values[::-1] + values:
            assert accept(value) == (rules._scan(kind, "f", value) is None)
    finally:
        rules_module._REMEMBERED = before


def test_what_a_compiled_check_remembers_is_bounded() -> None:
    long = "v" * 257
    rules = REFERENCE_RULES.without("tag-value.length")  # a fresh table, values of any length
    accept = rules._accepts["tag-value"]
    assert isinstance(accept, _Remembering)
    assert accept(long)
    assert accept.accepted == set()  # accepted, not remembered: too long
    assert accept("v" * 256)
    assert accept.accepted == {"v" * 256}
    for i in range(2000):
        assert accept(f"v{i}")
    assert len(accept.accepted) == 1024
    assert accept(long)  # answered again, from the rules
    assert max(map(len, accept.accepted)) <= 256


@dataclass(frozen=True)
class Stricter(RuleSet):
    """A subclass with a field of its own and its own first_violation."""

    banned: str = "forbidden"

    def first_violation(self, kind: Kind, field: str, value: Any) -> Violation | None:
        if value == self.banned:
            return Violation(self.rules[0], field, value)
        return super().first_violation(kind, field, value)


def test_a_rule_set_subclass_is_asked_and_copied_as_itself() -> None:
    rules = Stricter(REFERENCE_RULES.name, REFERENCE_RULES.rules, banned="team")
    ctx = _context(rules)
    with pytest.raises(ServiceError, match=r"tags\[0\]\.key 'team' is invalid"):
        ctx.check_tags("tags", [{"key": "team"}])
    with pytest.raises(ServiceError, match=r"relationalDatabaseName 'team' is invalid"):
        ctx.check("database-name", "relationalDatabaseName", "team")
    for again in (copy.copy(rules), copy.deepcopy(rules), pickle.loads(pickle.dumps(rules))):
        assert type(again) is Stricter
        assert again == rules
        assert again.banned == "team"
        assert again._accepts["tag-key"] is not None  # rebuilt, not copied
        assert again.first_violation("tag-key", "k", "team") is not None
