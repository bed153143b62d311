"""lightsail_stub.strategies, inputs: valid values are accepted by the stub through a real
boto3 client, invalid ones refused naming exactly the rule they were drawn to break, the
edges are reached, and the options are checked."""

from __future__ import annotations

import functools
import inspect
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from lightsail_stub import (
    MODEL_PATTERN_RULES,
    REFERENCE_RULES,
    Chars,
    Edges,
    Length,
    MaxCount,
    Pattern,
    Rule,
    RuleSet,
    mock_lightsail,
)
from lightsail_stub import strategies as ls

from .helpers import client, error_of

FEW = settings(max_examples=25, deadline=None)
# find() with a fixed seed: the edge-reaching checks are deterministic.
FIND = settings(max_examples=20, deadline=None, derandomize=True, database=None)
GENERATE = settings(FIND, phases=[Phase.generate])


@functools.cache
def cached_client() -> Any:
    return client()


def create(request: dict[str, Any], rules: RuleSet = REFERENCE_RULES) -> dict[str, Any]:
    with mock_lightsail(rules=rules):
        response: dict[str, Any] = cached_client().create_relational_database_snapshot(**request)
    return response


def refusal(request: dict[str, Any], rules: RuleSet = REFERENCE_RULES) -> tuple[str, str]:
    with mock_lightsail(rules=rules):
        return error_of(cached_client().create_relational_database_snapshot, **request)


def request_of(kind: str, value: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "relationalDatabaseName": "orders-db",
        "relationalDatabaseSnapshotName": "orders-db-1",
    }
    if kind == "snapshot-name":
        request["relationalDatabaseSnapshotName"] = value
    elif kind == "database-name":
        request["relationalDatabaseName"] = value
    elif kind == "tag-key":
        request["tags"] = [{"key": value, "value": "v"}]
    elif kind == "tag-value":
        request["tags"] = [{"key": "k", "value": value}]
    else:
        request["tags"] = value
    return request


STRING_STRATEGIES: dict[str, Callable[..., st.SearchStrategy[str]]] = {
    "snapshot-name": ls.snapshot_names,
    "database-name": ls.database_names,
    "tag-key": ls.tag_keys,
    "tag-value": ls.tag_values,
}
REQUEST_RULES = [rule.id for rule in REFERENCE_RULES]


# -- valid values are accepted ------------------------------------------------------------


@FEW
@given(request=ls.create_snapshot_requests())
def test_every_valid_request_is_accepted_through_boto3(request: dict[str, Any]) -> None:
    response = create(request)
    assert [op["status"] for op in response["operations"]] == ["Started", "Started"]
    assert response["operations"][0]["resourceName"] == request["relationalDatabaseSnapshotName"]


@pytest.mark.parametrize("kind", sorted(STRING_STRATEGIES))
def test_every_valid_string_is_accepted_where_it_goes(kind: str) -> None:
    @FEW
    @given(value=STRING_STRATEGIES[kind]())
    def accepted(value: str) -> None:
        assert REFERENCE_RULES.first_violation(kind, "x", value) is None  # type: ignore[arg-type]
        create(request_of(kind, value))

    accepted()


@FEW
@given(tag_list=ls.tags(min_size=48))
def test_valid_tag_lists_reach_the_count_limit_and_are_accepted(
    tag_list: list[dict[str, str]],
) -> None:
    assert 48 <= len(tag_list) <= 50
    create(request_of("tag-list", tag_list))


# -- invalid values are refused, naming the rule --------------------------------------------


@pytest.mark.parametrize("rule_id", REQUEST_RULES)
def test_each_invalid_request_is_refused_naming_the_rule_it_breaks(rule_id: str) -> None:
    rule = REFERENCE_RULES._get(rule_id)

    @settings(max_examples=15, deadline=None)
    @given(request=ls.create_snapshot_requests(valid=False, breaking=rule_id))
    def refused(request: dict[str, Any]) -> None:
        code, message = refusal(request)
        assert code == "InvalidInputException"
        assert message.endswith(f"is invalid: {rule.says}."), (request, message)

    refused()


@pytest.mark.parametrize("rule_id", [r.id for r in REFERENCE_RULES if r.kind in STRING_STRATEGIES])
def test_each_invalid_string_breaks_exactly_its_rule_and_the_stub_says_so(rule_id: str) -> None:
    rule = REFERENCE_RULES._get(rule_id)
    short = rule_id.partition(".")[2]

    @settings(max_examples=15, deadline=None)
    @given(value=STRING_STRATEGIES[rule.kind](valid=False, breaking=short))
    def refused(value: str) -> None:
        broken = [r.id for r in REFERENCE_RULES.for_kind(rule.kind) if not r.check(value)]
        assert broken == [rule_id]
        code, message = refusal(request_of(rule.kind, value))
        assert (code, message.endswith(f"{rule.says}.")) == ("InvalidInputException", True)

    refused()


@pytest.mark.parametrize("rule_id", [r.id for r in REFERENCE_RULES if r.kind.startswith("tag")])
def test_each_invalid_tag_list_breaks_exactly_its_rule(rule_id: str) -> None:
    rule = REFERENCE_RULES._get(rule_id)

    @settings(max_examples=15, deadline=None)
    @given(tag_list=ls.tags(valid=False, breaking=rule_id))
    def refused(tag_list: list[dict[str, str]]) -> None:
        code, message = refusal(request_of("tag-list", tag_list))
        assert code == "InvalidInputException"
        assert message.endswith(f"{rule.says}."), message

    refused()


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_valid_and_invalid_never_overlap(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(sorted(STRING_STRATEGIES)))
    valid = data.draw(STRING_STRATEGIES[kind]())
    invalid = data.draw(STRING_STRATEGIES[kind](valid=False))
    assert REFERENCE_RULES.first_violation(kind, "x", valid) is None  # type: ignore[arg-type]
    assert REFERENCE_RULES.first_violation(kind, "x", invalid) is not None  # type: ignore[arg-type]


# -- the edges are reached (deterministically) ------------------------------------------------


def reached(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool]) -> Any:
    return find(strategy, condition, settings=FIND)


@functools.cache
def drawn(kind: str) -> list[str]:
    return drawn_from(STRING_STRATEGIES[kind]())


def drawn_from(strategy: st.SearchStrategy[Any], examples: int = 400) -> list[Any]:
    """What a fixed-seed run draws (no shrinking): the same every time."""
    values: list[Any] = []

    @settings(GENERATE, max_examples=examples)
    @given(strategy)
    def collect(value: Any) -> None:
        values.append(value)

    collect()
    return values


def is_multibyte_letter(c: str) -> bool:
    return len(c.encode()) > 1 and unicodedata.category(c).startswith("L")


@pytest.mark.parametrize(
    ("kind", "condition"),
    [
        ("snapshot-name", lambda v: len(v) == 2),
        ("snapshot-name", lambda v: len(v) == 255),
        ("snapshot-name", lambda v: "-" in v),
        ("database-name", lambda v: len(v) == 255),
        ("tag-key", lambda v: len(v) == 128),
        ("tag-key", lambda v: len(v) == 1),
        ("tag-value", lambda v: len(v) == 256),
        ("tag-value", lambda v: v == ""),
        ("tag-key", lambda v: any(map(is_multibyte_letter, v))),
        ("tag-value", lambda v: any(map(is_multibyte_letter, v))),
        *(("tag-key", lambda v, c=c: c in v) for c in "+-=._:/@ "),
        *(("tag-value", lambda v, c=c: c in v) for c in "+-=._:/@ "),
    ],
)
def test_the_edges_are_reached_and_accepted(kind: str, condition: Callable[[str], bool]) -> None:
    value = next(v for v in drawn(kind) if condition(v))
    create(request_of(kind, value))


def test_the_nearest_too_long_and_too_short_values_are_reached() -> None:
    def lengths(strategy: st.SearchStrategy[str]) -> set[int]:
        return {len(value) for value in drawn_from(strategy, examples=150)}

    assert {1, 256} <= lengths(ls.snapshot_names(valid=False, breaking="length"))
    assert 129 in lengths(ls.tag_keys(valid=False, breaking="length"))
    assert 257 in lengths(ls.tag_values(valid=False, breaking="length"))
    assert 256 in lengths(
        ls.snapshot_names(valid=False, breaking="length", rules=MODEL_PATTERN_RULES)
    )


def test_strategies_shrink_towards_what_their_docstrings_say() -> None:
    assert reached(ls.snapshot_names(), lambda v: True) == "00"
    assert reached(ls.tag_keys(), lambda v: True) == "0"
    assert reached(ls.tag_values(), lambda v: True) == ""
    assert reached(ls.snapshot_names(valid=False, breaking="charset"), lambda v: True) == "0 0"
    assert reached(ls.snapshot_names(valid=False, breaking="edges"), lambda v: True) == "-0"


# -- other rule tables -----------------------------------------------------------------------

OURS = REFERENCE_RULES.replace(
    "tag-list.count", check=MaxCount(3), says="must have at most 3 tags"
).replace("snapshot-name.length", check=Length(5, 20), says="must contain from 5 to 20 characters")


@pytest.mark.parametrize("rules", [MODEL_PATTERN_RULES, OURS], ids=lambda r: r.name)
def test_strategies_follow_the_rule_table_they_are_given(rules: RuleSet) -> None:
    @settings(max_examples=20, deadline=None)
    @given(request=ls.create_snapshot_requests(rules=rules))
    def accepted(request: dict[str, Any]) -> None:
        create(request, rules)

    accepted()
    for rule in rules:
        refused_naming(rule, rules)()


def refused_naming(rule: Rule, rules: RuleSet) -> Callable[[], None]:
    @settings(max_examples=5, deadline=None)
    @given(request=ls.create_snapshot_requests(valid=False, breaking=rule.id, rules=rules))
    def refused(request: dict[str, Any]) -> None:
        code, message = refusal(request, rules)
        assert code == "InvalidInputException"
        assert message.endswith(f"{rule.says}."), (rule.id, request, message)

    return refused


def test_the_pattern_table_draws_underscores_the_reference_table_refuses() -> None:
    name = reached(ls.snapshot_names(rules=MODEL_PATTERN_RULES, alphabet="a_"), lambda v: "_" in v)
    assert refusal(request_of("snapshot-name", name))[0] == "InvalidInputException"
    create(request_of("snapshot-name", name), MODEL_PATTERN_RULES)


# -- options -----------------------------------------------------------------------------------


def test_min_size_max_size_and_alphabet_narrow_valid_values() -> None:
    @FEW
    @given(ls.snapshot_names(min_size=10, max_size=12, alphabet="ab-"))
    def narrowed(name: str) -> None:
        assert 10 <= len(name) <= 12
        assert set(name) <= set("ab-")
        assert name[0] != "-"
        assert name[-1] != "-"

    narrowed()


def test_reprs_read_like_the_call() -> None:
    assert repr(ls.snapshot_names()) == "snapshot_names()"
    assert repr(ls.snapshot_names(valid=False, breaking="length")) == (
        "snapshot_names(valid=False, breaking='length')"
    )
    assert repr(ls.tags(max_size=3)) == "tags(max_size=3)"
    assert repr(ls.tag_keys(rules=MODEL_PATTERN_RULES)) == "tag_keys(rules=MODEL_PATTERN_RULES)"
    assert repr(ls.tags(rules=OURS)) == "tags(rules=<RuleSet 'reference'>)"
    assert repr(ls.create_snapshot_requests(database_name="orders-db")) == (
        "create_snapshot_requests(database_name='orders-db')"
    )


@pytest.mark.parametrize(
    ("build", "error", "text"),
    [
        (
            lambda: ls.snapshot_names(valid=False, breaking="lenght"),
            ValueError,
            "snapshot_names(breaking='lenght'): RuleSet 'reference' has no such rule; the "
            "rules it can break: 'snapshot-name.length', 'snapshot-name.charset', "
            "'snapshot-name.edges'",
        ),
        (
            lambda: ls.tags(valid=False, breaking="length"),
            ValueError,
            "tags(breaking='length'): names 2 rules, give its full id; the rules it can "
            "break: 'tag-key.empty', 'tag-key.length', 'tag-key.charset', "
            "'tag-key.aws-prefix', 'tag-value.length', 'tag-value.charset', "
            "'tag-list.count', 'tag-list.unique'",
        ),
        (
            lambda: ls.snapshot_names(breaking="length"),
            ValueError,
            "snapshot_names(breaking='length') draws invalid values: pass valid=False too",
        ),
        (
            lambda: ls.snapshot_names(max_size=300),
            ValueError,
            "snapshot_names(min_size=None, max_size=300): the rules of snapshot-name allow 2 "
            "to 255 characters; use valid=False, breaking='length' for values outside them",
        ),
        (
            lambda: ls.snapshot_names(alphabet="ab_"),
            ValueError,
            "snapshot_names(alphabet=...): the rules of snapshot-name refuse ['_']; use "
            "valid=False to draw values that break them",
        ),
        (
            lambda: ls.snapshot_names(valid=False, min_size=3),
            ValueError,
            "snapshot_names(valid=False): min_size, max_size and alphabet shape valid values; "
            "an invalid value is shaped by the rule it breaks (breaking=...)",
        ),
        (
            lambda: ls.snapshot_names(valid="no"),  # type: ignore[arg-type]
            TypeError,
            "snapshot_names(): valid must be True or False, got 'no'",
        ),
        (
            lambda: ls.snapshot_names(rules="reference"),  # type: ignore[arg-type]
            TypeError,
            "snapshot_names(): rules must be a lightsail_stub.RuleSet (e.g. REFERENCE_RULES), "
            "got 'reference'",
        ),
        (
            lambda: ls.tags(max_size=51),
            ValueError,
            "tags(min_size=0, max_size=51): the rules allow at most 50 tags; use "
            "valid=False, breaking='tag-list.count' for more",
        ),
        (
            lambda: ls.snapshot_names(alphabet=""),
            ValueError,
            "snapshot_names(): alphabet must not be empty",
        ),
        (
            lambda: ls.create_snapshot_responses(snapshot_name="-bad-"),
            ValueError,
            "create_snapshot_responses(): snapshot_name '-bad-' is invalid: the first and "
            "last character must be a letter or number.",
        ),
        (
            lambda: ls.create_snapshot_responses(database_name=""),
            ValueError,
            "create_snapshot_responses(): database_name '' is invalid: must contain from 2 "
            "to 255 characters.",
        ),
        (
            lambda: ls.create_snapshot_requests(database_name="-bad-"),
            ValueError,
            "create_snapshot_requests(): database_name '-bad-' is invalid: the first and last "
            "character must be a letter or number.",
        ),
    ],
)
def test_arguments_are_checked_with_clear_errors(
    build: Callable[[], object], error: type[Exception], text: str
) -> None:
    with pytest.raises(error) as caught:
        build()
    assert str(caught.value) == text


def test_a_rule_whose_check_cannot_be_derived_is_a_clear_error() -> None:
    def starts_nightly(name: str) -> bool:
        return name.startswith("nightly-")

    rules = REFERENCE_RULES.plus(
        Rule("snapshot-name.prefix", "snapshot-name", starts_nightly, "must start nightly-", "us")
    )
    with pytest.raises(ValueError, match="can't derive") as caught:
        ls.snapshot_names(rules=rules)
    assert str(caught.value) == (
        "snapshot_names(): rule 'snapshot-name.prefix' of RuleSet 'reference' checks with "
        "starts_nightly, which lightsail_stub.strategies can't derive values from (it can: "
        "Length, Chars, Edges, Pattern, NoPrefix). Draw from "
        "rules.without('snapshot-name.prefix') and add .filter(...) for it yourself"
    )


def test_without_hypothesis_the_import_error_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import lightsail_stub.strategies\n"
        "except ImportError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == (
        "lightsail_stub.strategies needs Hypothesis, which is not installed: "
        "pip install 'lightsail-stub[hypothesis]'"
    )


def test_every_public_strategy_follows_the_house_style() -> None:
    public = {
        name
        for name, value in vars(ls).items()
        if not name.startswith("_")
        and inspect.isfunction(value)
        and value.__module__ == ls.__name__
    }
    assert sorted(ls.__all__) == sorted(public)
    for name in ls.__all__:
        function = getattr(ls, name)
        parameters = inspect.signature(function).parameters.values()
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), name
        assert "Shrinks towards" in " ".join(function.__doc__.split()), name
        assert function.__annotations__["return"].startswith("SearchStrategy["), name
        assert repr(function()) == f"{name}()"


# -- the "exactly one rule" guarantee, sizes, alphabets --------------------------------------

# Names of letters, digits, "-", "_" and ".", first and last a letter or digit, that must
# not end with "_" or ".": a value whose last character breaks the edges rule often breaks
# the pattern too. Only the final "exactly one rule" check keeps such values out.
TANGLED = RuleSet(
    "tangled",
    (
        Rule("snapshot-name.length", "snapshot-name", Length(2, 40), "is 2 to 40 long", "us"),
        Rule(
            "snapshot-name.charset",
            "snapshot-name",
            Chars(ascii_alnum=True, extra="-_."),
            "is letters, digits, '-', '_', '.'",
            "us",
        ),
        Rule("snapshot-name.edges", "snapshot-name", Edges(), "starts and ends well", "us"),
        Rule(
            "snapshot-name.ending",
            "snapshot-name",
            Pattern(r".*[^_.]"),
            "doesn't end with '_' or '.'",
            "us",
        ),
    ),
)


@pytest.mark.parametrize("rule_id", ["snapshot-name.edges", "snapshot-name.charset"])
def test_an_invalid_value_breaks_exactly_the_rule_named_even_where_rules_overlap(
    rule_id: str,
) -> None:
    values = drawn_from(ls.snapshot_names(valid=False, breaking=rule_id, rules=TANGLED), 100)
    for value in values:
        broken = [r.id for r in TANGLED.for_kind("snapshot-name") if not r.check(value)]
        assert broken == [rule_id], value
        violation = TANGLED.first_violation("snapshot-name", "name", value)
        assert violation is not None
        assert violation.rule.id == rule_id
    if rule_id == "snapshot-name.edges":  # broken at the last character too, not only the first
        assert any(v[-1] == "-" for v in values)
        assert any(v[0] in "-_." for v in values)


@pytest.mark.parametrize(("lo", "hi"), [(200, None), (None, 2), (3, 3), (60, 70)])
def test_min_size_and_max_size_are_honoured_under_a_pattern(lo: int | None, hi: int | None) -> None:
    strategy = ls.snapshot_names(rules=MODEL_PATTERN_RULES, min_size=lo, max_size=hi)
    values = drawn_from(strategy, 50)
    for value in values:
        assert (lo or 2) <= len(value) <= (hi or 255), value
        assert MODEL_PATTERN_RULES.first_violation("snapshot-name", "name", value) is None
    assert {len(v) for v in values} >= {lo or 2, hi or 255}


def test_an_alphabet_under_a_pattern_is_drawn_from_or_refused_up_front() -> None:
    for alphabet in ["_", "a-", "a_"]:
        values = drawn_from(ls.snapshot_names(rules=MODEL_PATTERN_RULES, alphabet=alphabet), 50)
        assert all(set(v) <= set(alphabet) for v in values)
        assert all(
            MODEL_PATTERN_RULES.first_violation("snapshot-name", "n", v) is None for v in values
        )
    for alphabet in ["-", "é"]:
        with pytest.raises(ValueError, match="matches the pattern") as caught:
            ls.snapshot_names(rules=MODEL_PATTERN_RULES, alphabet=alphabet)
        assert str(caught.value) == (
            f"snapshot_names(alphabet={alphabet!r}): no snapshot-name of 2 to 255 characters "
            "of the alphabet matches the pattern \\w[\\w\\-]*\\w"
        )


def _sized_strategies() -> list[tuple[str, Callable[..., object], str]]:
    strings = [ls.snapshot_names, ls.database_names, ls.tag_keys, ls.tag_values]
    cases = [(f.__name__, f, arg) for f in strings for arg in ("min_size", "max_size")]
    cases += [("tags", ls.tags, "min_size"), ("tags", ls.tags, "max_size")]
    cases += [("scenario_scripts", ls.scenario_scripts, a) for a in ("min_size", "max_size")]
    return cases


@pytest.mark.parametrize(("name", "function", "argument"), _sized_strategies())
@pytest.mark.parametrize(
    ("value", "error"), [(None, TypeError), (True, TypeError), (2.0, TypeError), (-1, ValueError)]
)
def test_size_arguments_are_checked(
    name: str, function: Callable[..., object], argument: str, value: object, error: type
) -> None:
    optional = name not in ("scenario_scripts",) and (name, argument) != ("tags", "min_size")
    if value is None and optional:
        function(**{argument: value})  # None: the rules' own bound
        return
    with pytest.raises(error) as caught:
        function(**{argument: value})
    kind = "a non-negative int or None" if optional else "a non-negative int"
    expected = (
        f"{name}(): {argument} must not be negative, got -1"
        if error is ValueError
        else f"{name}(): {argument} must be {kind}, got {value!r}"
    )
    assert str(caught.value) == expected


@pytest.mark.parametrize("function", [ls.snapshot_names, ls.tags, ls.scenario_scripts])
def test_min_size_above_max_size_says_so(function: Callable[..., object]) -> None:
    with pytest.raises(ValueError, match="min_size=3 > max_size=2") as caught:
        function(min_size=3, max_size=2)
    assert str(caught.value) == f"{function.__name__}(): min_size=3 > max_size=2"


@pytest.mark.parametrize(
    "rules",
    [
        REFERENCE_RULES.replace("tag-list.count", check=MaxCount(3), says="at most 3 tags"),
        # keys "k0", "k1"... are too short here: the general way is taken
        REFERENCE_RULES.replace("tag-list.count", check=MaxCount(3), says="at most 3 tags").replace(
            "tag-key.empty", check=Length(3, 2**31), says="at least 3 characters"
        ),
    ],
    ids=["k-keys", "other-keys"],
)
def test_one_tag_too_many_breaks_only_the_count(rules: RuleSet) -> None:
    lists = drawn_from(ls.tags(valid=False, breaking="tag-list.count", rules=rules), 50)
    for tag_list in lists:
        assert 4 <= len(tag_list) <= 6
        pairs = [(tag["key"], tag.get("value")) for tag in tag_list]
        broken = [r.id for r in rules.for_kind("tag-list") if not r.check(pairs)]
        broken += [
            r.id
            for tag in tag_list
            for kind, member in [("tag-key", "key"), ("tag-value", "value")]
            if member in tag
            for r in rules.for_kind(kind)
            if not r.check(tag[member])
        ]
        assert broken == ["tag-list.count"], tag_list
    assert {len(t) for t in lists} == {4, 5, 6}


def test_the_aws_prefix_is_drawn_in_mixed_case_and_never_starts_a_valid_key() -> None:
    prefixes = {v[:4] for v in drawn_from(ls.tag_keys(valid=False, breaking="aws-prefix"), 200)}
    assert {p.casefold() for p in prefixes} == {"aws:"}
    assert prefixes - {"aws:", "AWS:"}, prefixes  # e.g. "Aws:", "aWS:"
    for prefix in ["aws:", "AWS:", "Aws:", "aWs:"]:
        assert REFERENCE_RULES.first_violation("tag-key", "key", prefix + "x") is not None
    valid = drawn_from(ls.tag_keys(alphabet="aws:", min_size=4, max_size=4), 1000)
    assert not [k for k in valid if k.casefold().startswith("aws:")]


def test_the_edges_rule_is_broken_at_the_first_and_at_the_last_character() -> None:
    values = drawn_from(ls.snapshot_names(valid=False, breaking="edges"), 100)
    assert any(v[0] == "-" and v[-1] != "-" for v in values)
    assert any(v[-1] == "-" and v[0] != "-" for v in values)
