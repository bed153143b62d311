"""Hypothesis strategies for fuzzing the code that *calls* Lightsail.

Inputs (:func:`snapshot_names`, :func:`database_names`, :func:`tag_keys`,
:func:`tag_values`, :func:`tags`, :func:`create_snapshot_requests`) are derived from a rule
table (a :class:`~lightsail_stub.RuleSet`, ``REFERENCE_RULES`` by default, the same table
the stub takes), so they always obey it, or, with ``valid=False``, break exactly one of
its rules (``breaking=`` picks which). Outputs (:func:`operations`,
:func:`create_snapshot_responses`, :func:`snapshots`, :func:`client_errors`) are derived
from the installed botocore model. :func:`scenarios` and :func:`scenario_scripts` draw
stacks of the built-in scenarios of :mod:`lightsail_stub.scenarios`.

This is the only module of lightsail-stub that imports Hypothesis
(``pip install 'lightsail-stub[hypothesis]'``).
"""

from __future__ import annotations

try:
    from hypothesis import strategies as st
    from hypothesis.strategies import SearchStrategy
except ImportError as _missing:  # pragma: no cover (hypothesis is in the test extra)
    raise ImportError(
        "lightsail_stub.strategies needs Hypothesis, which is not installed: "
        "pip install 'lightsail-stub[hypothesis]'"
    ) from _missing

import functools
import inspect
import itertools
import re
import string
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict
from botocore.exceptions import ClientError
from botocore.model import StructureShape
from botocore.parsers import create_parser

from . import _model, _rules, _wire
from . import scenarios as _sc
from ._errors import safe_repr
from ._rules import (
    REFERENCE_RULES,
    Chars,
    Edges,
    Kind,
    Length,
    MaxCount,
    NoPrefix,
    Pattern,
    Rule,
    RuleSet,
    UniqueKeys,
)

__all__ = [
    "client_errors",
    "create_snapshot_requests",
    "create_snapshot_responses",
    "database_names",
    "operations",
    "scenario_scripts",
    "scenarios",
    "snapshot_names",
    "snapshots",
    "tag_keys",
    "tag_values",
    "tags",
]

T = TypeVar("T")

CREATE = "CreateRelationalDatabaseSnapshot"
_ASCII_ALNUM = string.digits + string.ascii_uppercase + string.ascii_lowercase
# A string kind with no upper length bound is drawn at most this much past its lower bound.
_UNBOUNDED = 64
# "Too long" values are drawn up to this many characters past the limit.
_OVERSHOOT = 16
# Characters worth trying first when a rule refuses them (each is kept only if it is refused).
_NOTABLE = " _.#-\t\n!'\"\\@+=:/é€中😀\x00\u00a0"


# -- reprs that read like the call -----------------------------------------------------------


def _shown(
    function: Callable[..., Any], built: SearchStrategy[T], **kwargs: Any
) -> SearchStrategy[T]:
    """``built``, with the repr of the call ``function(**kwargs)`` (defaults left out), as
    Hypothesis shows its own strategies: a falsifying example then reads like code."""

    def draw_built(draw: st.DrawFn, /, **_: Any) -> T:
        return draw(built)

    params = [
        inspect.Parameter("draw", inspect.Parameter.POSITIONAL_ONLY),
        *inspect.signature(function).parameters.values(),
    ]
    draw_built.__name__ = draw_built.__qualname__ = function.__name__
    setattr(draw_built, "__signature__", inspect.Signature(params))  # noqa: B010
    shown = {k: _Named(v) if isinstance(v, RuleSet) else v for k, v in kwargs.items()}
    if shown.get("rules") == _Named(REFERENCE_RULES):
        shown["rules"] = REFERENCE_RULES  # the default: left out of the repr
    return st.composite(draw_built)(**shown)


def _once(value: Any) -> Any:
    """A one-shot iterable (a generator, ``iter(...)``) as a list, so that it can be
    checked, used and shown in the strategy's repr; anything else as given (checked where
    it is used)."""
    return list(value) if isinstance(value, Iterator) else value


class _Named:
    """A rule table in a repr: by the name it is imported as, not all its rules. (Not a
    dataclass: Hypothesis's pretty-printer would show its fields.)"""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Named) and other.rules == self.rules

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        for name in ("REFERENCE_RULES", "MODEL_PATTERN_RULES"):
            if self.rules == getattr(_rules, name):
                return name
        return f"<RuleSet {self.rules.name!r}>"


# -- argument checks -----------------------------------------------------------------------


def _check_bool(function: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{function}(): {name} must be True or False, got {safe_repr(value)}")


def _check_size(function: str, name: str, value: object, *, optional: bool = True) -> None:
    if value is None and optional:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        allowed = "a non-negative int or None" if optional else "a non-negative int"
        raise TypeError(f"{function}(): {name} must be {allowed}, got {safe_repr(value)}")
    if value < 0:
        raise ValueError(f"{function}(): {name} must not be negative, got {safe_repr(value)}")


def _check_rules(function: str, rules: object) -> RuleSet:
    if not isinstance(rules, RuleSet):
        raise TypeError(
            f"{function}(): rules must be a lightsail_stub.RuleSet (e.g. REFERENCE_RULES), "
            f"got {safe_repr(rules)}"
        )
    return rules


def _check_region(function: str, region: object) -> str | None:
    if region is None:
        return None
    if not isinstance(region, str) or region not in _model.enum("RegionName"):
        raise ValueError(
            f"{function}(): region must be one of the Regions the botocore model lists "
            f"({', '.join(_model.regions())}), got {safe_repr(region)}"
        )
    return region


def _check_choice(function: str, name: str, value: object, shape: str) -> str | None:
    if value is None:
        return None
    allowed = _model.enum(shape)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(
            f"{function}(): {name} must be one of the model's {shape} values "
            f"({', '.join(sorted(allowed))}), got {safe_repr(value)}"
        )
    return value


def _resolve(
    function: str, rules: RuleSet, kinds: Sequence[Kind], valid: bool, breaking: object
) -> list[Rule]:
    """The rules the invalid values are drawn for: all of ``kinds`` (``breaking=None``), or
    the one named by its id (``"snapshot-name.length"``) or, when that is unambiguous, by
    the part after the dot (``"length"``)."""
    _check_bool(function, "valid", valid)
    candidates = [rule for kind in kinds for rule in rules.for_kind(kind)]
    if breaking is None:
        if not valid and not candidates:
            raise ValueError(
                f"{function}(valid=False): RuleSet {safe_repr(rules.name)} has no rule for "
                f"{' or '.join(kinds)}, so no value is invalid"
            )
        return candidates
    if valid:
        raise ValueError(
            f"{function}(breaking={safe_repr(breaking)}) draws invalid values: pass valid=False too"
        )
    if not isinstance(breaking, str):
        raise TypeError(
            f"{function}(): breaking must be a rule id (a str), got {safe_repr(breaking)}"
        )
    exact = [rule for rule in candidates if rule.id == breaking]
    short = [rule for rule in candidates if rule.id.partition(".")[2] == breaking]
    if exact or len(short) == 1:
        return exact or short
    known = ", ".join(repr(rule.id) for rule in candidates)
    why = (
        f"names {len(short)} rules, give its full id"
        if short
        else f"RuleSet {rules.name!r} has no such rule"
    )
    raise ValueError(
        f"{function}(breaking={safe_repr(breaking)}): {why}; the rules it can break: {known}"
    )


def _underivable(function: str, rule: Rule, rules: RuleSet, derivable: str) -> ValueError:
    return ValueError(
        f"{function}(): rule {rule.id!r} of RuleSet {rules.name!r} checks with "
        f"{_describe(rule.check)}, which lightsail_stub.strategies can't derive values from "
        f"(it can: {derivable}). Draw from rules.without({rule.id!r}) and add "
        f".filter(...) for it yourself"
    )


def _describe(check: object) -> str:
    name = getattr(check, "__name__", None)
    return name if isinstance(name, str) else repr(check)


# -- strings from the rule table -----------------------------------------------------------

_STRING_CHECKS = "Length, Chars, Edges, Pattern, NoPrefix"


@dataclass(frozen=True)
class _Spec:
    """What the rules of one string kind say, in a form values can be drawn from."""

    kind: Kind
    rules: tuple[Rule, ...]
    lo: int
    hi: int
    chars: tuple[Chars, ...]
    edges: bool
    patterns: tuple[Pattern, ...]
    prefixes: tuple[NoPrefix, ...]
    alphabet: str | None  # the user's

    def allowed(self, c: str) -> bool:
        return all(check(c) for check in self.chars) and (
            self.alphabet is None or c in self.alphabet
        )

    def broken(self, value: str) -> list[Rule]:
        return [rule for rule in self.rules if not rule.check(value)]


def _spec(
    function: str,
    rules: RuleSet,
    kind: Kind,
    *,
    without: Rule | None = None,
    alphabet: str | None = None,
) -> _Spec:
    lo, hi = 0, 2**63
    chars: list[Chars] = []
    edges = False
    patterns: list[Pattern] = []
    prefixes: list[NoPrefix] = []
    for rule in rules.for_kind(kind):
        check = rule.check
        if not isinstance(check, (Length, Chars, Edges, Pattern, NoPrefix)):
            raise _underivable(function, rule, rules, _STRING_CHECKS)
        if rule is without:
            continue
        if isinstance(check, Length):
            lo, hi = max(lo, check.min), min(hi, check.max)
        elif isinstance(check, Chars):
            chars.append(check)
        elif isinstance(check, Edges):
            edges = True
        elif isinstance(check, Pattern):
            patterns.append(check)
            least, most = _widths(check.regex)
            lo, hi = max(lo, least), min(hi, most)
        else:
            prefixes.append(check)
    if edges:
        lo = max(lo, 1)
    return _Spec(
        kind,
        tuple(rule for rule in rules.for_kind(kind) if rule is not without),
        lo,
        hi,
        tuple(chars),
        edges,
        tuple(patterns),
        tuple(prefixes),
        alphabet,
    )


def _widths(regex: str) -> tuple[int, int]:
    """The shortest and longest match of ``regex``, as the ``re`` module computes them."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover (Python 3.10)
        import sre_parse as parser
    least, most = parser.parse(regex).getwidth()
    return int(least), int(most)


def _stretch(drawn: tuple[str, int]) -> str:
    """A value of a pattern, made ``n`` characters long by repeating (or cutting) its
    inside: ``ab-c`` -> ``ab-b-c``; keeps patterns of the form ``first middle* last``."""
    value, n = drawn
    if n < 2 or len(value) < 3:
        return (value * (n // max(len(value), 1) + 1))[:n]
    inside = value[1:-1]
    return value[0] + (inside * ((n - 2) // len(inside) + 1))[: n - 2] + value[-1]


def _sized(chars: SearchStrategy[str], lo: int, hi: int) -> SearchStrategy[str]:
    """Strings of ``chars``, ``lo`` to ``hi`` long, exactly ``hi`` one time in eight.
    Otherwise plain ``st.text``, so a value shrinks the way Hypothesis shrinks text
    (towards the shortest, one character at a time)."""
    hi = min(hi, lo + _UNBOUNDED) if hi > 10_000 else hi
    if lo >= hi:
        return st.text(chars, min_size=lo, max_size=lo)
    plain = st.text(chars, min_size=lo, max_size=hi)
    # One draw in eight is the longest allowed: often enough to reach it in any run of
    # a few hundred examples, rarely enough to keep the average example small.
    longest = st.text(chars, min_size=hi, max_size=hi)
    return st.sampled_from((False,) * 7 + (True,)).flatmap(
        lambda at_the_end: longest if at_the_end else plain
    )


def _characters(spec: _Spec) -> SearchStrategy[str]:
    """Single characters every character rule allows: the ASCII ones and each allowed
    punctuation character drawn often, then any allowed character (multi-byte UTF-8
    included, surrogates never). Shrinks towards ``"0"``."""
    if spec.alphabet is not None:
        return st.sampled_from(sorted(set(spec.alphabet), key=_simplest))
    ascii_allowed = sorted((chr(i) for i in range(32, 127) if spec.allowed(chr(i))), key=_simplest)
    if not spec.chars:
        anything = st.characters(exclude_categories=["Cs"])
    else:
        first = spec.chars[0]
        listed = (_ASCII_ALNUM if first.ascii_alnum else "") + first.extra
        if not first.categories:  # a finite set: sampling it covers everything
            return st.sampled_from(sorted(set(filter(spec.allowed, listed)), key=_simplest))
        anything = st.characters(
            categories=sorted(first.categories),  # type: ignore[arg-type]
            include_characters=listed,
        )
        if len(spec.chars) > 1:
            anything = anything.filter(spec.allowed)
    if not ascii_allowed:
        return anything
    return st.one_of(st.sampled_from(ascii_allowed), anything)


def _simplest(c: str) -> tuple[int, int, str]:
    # Digits, then letters, then the rest: "0" first, as Hypothesis's own text shrinks.
    return (0 if c.isdigit() else 1 if c.isalpha() else 2, ord(c), c)


def _edge_characters(spec: _Spec) -> list[str]:
    return [c for c in _ASCII_ALNUM if spec.allowed(c)]


def _text(spec: _Spec, lo: int, hi: int) -> SearchStrategy[str]:
    """Strings of ``spec``'s characters and edges, ``lo`` to ``hi`` long."""
    chars = _characters(spec)
    if not spec.edges:
        return _sized(chars, lo, hi)
    edge = st.sampled_from(_edge_characters(spec))
    choices = []
    if hi >= 2:
        middle = _sized(chars, max(lo - 2, 0), hi - 2)
        choices.append(st.tuples(edge, middle, edge).map("".join))
    if lo <= 1:
        choices.append(edge)
    return st.one_of(*choices)


def _valid_strings(function: str, spec: _Spec) -> SearchStrategy[str]:
    if spec.lo > spec.hi:
        raise ValueError(
            f"{function}(): no {spec.kind} can be {spec.lo} to {spec.hi} characters long"
        )
    if spec.edges and not _edge_characters(spec):
        raise ValueError(
            f"{function}(): the first and last character must be an ASCII letter or digit, "
            "and the alphabet (or the character rules) allows none"
        )
    lo, hi = spec.lo, min(spec.hi, spec.lo + _UNBOUNDED) if spec.hi > 10_000 else spec.hi
    if spec.patterns and spec.alphabet is None:
        # A pattern is drawn from itself, stretched (or cut) into min_size..max_size when
        # it falls outside; the other rules filter (the length ends are then reached only
        # as often as the pattern's own strings reach them).
        regex = re.compile(spec.patterns[0].regex, re.ASCII)
        built: SearchStrategy[str] = st.tuples(
            st.from_regex(regex, fullmatch=True), st.sampled_from((lo, hi)) | st.integers(lo, hi)
        ).map(lambda drawn: drawn[0] if lo <= len(drawn[0]) <= hi else _stretch(drawn))
    else:
        if spec.patterns and not _witness(spec, lo):
            raise ValueError(
                f"{function}(alphabet={safe_repr(spec.alphabet)}): no {spec.kind} of {lo} to {hi} "
                f"characters of the alphabet matches the pattern {spec.patterns[0].regex}"
            )
        built = _text(spec, lo, hi)
    if spec.patterns or spec.prefixes:
        built = built.filter(lambda v: not spec.broken(v))
    return built


def _witness(spec: _Spec, n: int) -> bool:
    """Whether some ``first middle* last`` value of ``n`` characters of the alphabet obeys
    every rule (the form of the models' patterns; tries at most 20,000 values)."""
    assert spec.alphabet is not None
    chars = sorted(set(spec.alphabet), key=_simplest)
    tries = itertools.islice(itertools.product(chars, repeat=3), 20_000)
    return any(not spec.broken(_stretch((a + m + z, n))) for a, m, z in tries)


def _forbidden_characters(spec: _Spec, target: Chars) -> SearchStrategy[str]:
    """Characters ``target`` refuses and the other character rules allow."""

    def refused(c: str) -> bool:
        return not target(c) and spec.allowed(c)

    notable = [c for c in _NOTABLE if refused(c)]
    anything = st.characters(exclude_categories=["Cs"]).filter(refused)
    return st.one_of(st.sampled_from(notable), anything) if notable else anything


def _breaking_strings(
    function: str, rules: RuleSet, kind: Kind, target: Rule
) -> SearchStrategy[str]:
    """Strings of ``kind`` that break ``target`` and, where the table allows, only it."""
    spec = _spec(function, rules, kind, without=target)
    check = target.check
    built: SearchStrategy[str]
    if isinstance(check, Length):
        ranges = []
        if check.min > spec.lo:
            ranges.append((spec.lo, check.min - 1))
        if check.max < min(spec.hi, 10_000):
            ranges.append((check.max + 1, min(spec.hi, check.max + _OVERSHOOT)))
        if not ranges:
            raise _unbreakable(function, target, rules)
        if spec.patterns:  # a value of the pattern, stretched or cut to a broken length
            matches = _valid_strings(function, spec)
            built = st.one_of(
                *(st.tuples(matches, st.integers(lo, hi)).map(_stretch) for lo, hi in ranges)
            )
        else:
            # Printable ASCII only: a long value of few, simple characters shrinks fast.
            ascii_allowed = "".join(c for c in map(chr, range(32, 127)) if spec.allowed(c))
            plain = replace(spec, alphabet=ascii_allowed) if ascii_allowed else spec
            built = st.one_of(*(_text(plain, lo, hi) for lo, hi in ranges))
    elif isinstance(check, Chars):
        # One refused character, inside the value (the first and last may have rules of
        # their own), the rest as valid as it gets.
        lo = max(spec.lo, 3 if spec.edges else 1)
        built = st.tuples(
            _text(spec, lo, max(lo, min(spec.hi, 255))),
            _forbidden_characters(spec, check),
            st.integers(0, 2**16),
        ).map(_put_inside(spec.edges))
    elif isinstance(check, Edges):
        pool = [c for c in _NOTABLE + "".join(c.extra for c in spec.chars) if not check(c)]
        pool = sorted({c for c in pool if spec.allowed(c)}, key=_simplest)
        if not pool:
            raise _unbreakable(function, target, rules)
        built = st.tuples(
            _text(spec, max(spec.lo, 1), max(spec.lo, 1, min(spec.hi, 255))),
            st.sampled_from(pool),
            st.sampled_from(("first", "last", "both")),
        ).map(_replace_edge)
    elif isinstance(check, NoPrefix):
        prefix = check.prefix
        rest = _text(spec, max(spec.lo - len(prefix), 0), max(spec.hi - len(prefix), 0))
        cases = st.lists(st.booleans(), min_size=len(prefix), max_size=len(prefix))
        built = st.tuples(cases, rest).map(
            lambda drawn: (
                "".join(
                    c.upper() if up else c.lower() for c, up in zip(prefix, drawn[0], strict=True)
                )
                + drawn[1]
            )
        )
    elif isinstance(check, Pattern):
        lo = max(spec.lo, 1)
        built = st.tuples(
            _text(spec, lo, max(lo, min(spec.hi, 255))),
            st.sampled_from(sorted(set(_NOTABLE), key=_simplest))
            | st.characters(exclude_categories=["Cs"]),
            st.integers(0, 2**16),
        ).map(_put_inside(False))
    else:  # pragma: no cover (_spec refused it already)
        raise _underivable(function, target, rules, _STRING_CHECKS)
    full = _spec(function, rules, kind)
    return built.filter(lambda value: full.broken(value) == [target])


def _put_inside(edges: bool) -> Callable[[tuple[str, str, int]], str]:
    def put(drawn: tuple[str, str, int]) -> str:
        value, c, where = drawn
        first, last = (1, len(value) - 2) if edges else (0, len(value) - 1)
        i = first + where % (last - first + 1)
        return value[:i] + c + value[i + 1 :]

    return put


def _replace_edge(drawn: tuple[str, str, str]) -> str:
    value, c, which = drawn
    if which in ("first", "both"):
        value = c + value[1:]
    if which in ("last", "both"):
        value = value[:-1] + c
    return value


def _unbreakable(function: str, rule: Rule, rules: RuleSet) -> ValueError:
    return ValueError(
        f"{function}(): rule {rule.id!r} of RuleSet {rules.name!r} can't be broken alone "
        "by any value the other rules allow"
    )


def _strings(
    function: str,
    kind: Kind,
    *,
    valid: bool,
    breaking: str | None,
    rules: RuleSet,
    min_size: int | None,
    max_size: int | None,
    alphabet: str | None,
) -> SearchStrategy[str]:
    rules = _check_rules(function, rules)
    targets = _resolve(function, rules, [kind], valid, breaking)
    for name, size in [("min_size", min_size), ("max_size", max_size)]:
        _check_size(function, name, size)
    if alphabet is not None and not isinstance(alphabet, str):
        raise TypeError(f"{function}(): alphabet must be a str, got {safe_repr(alphabet)}")
    if alphabet == "":
        raise ValueError(f"{function}(): alphabet must not be empty")
    if not valid:
        if (min_size, max_size, alphabet) != (None, None, None):
            raise ValueError(
                f"{function}(valid=False): min_size, max_size and alphabet shape valid "
                "values; an invalid value is shaped by the rule it breaks (breaking=...)"
            )
        return st.one_of(*(_breaking_strings(function, rules, kind, rule) for rule in targets))
    spec = _spec(function, rules, kind, alphabet=alphabet)
    if alphabet is not None:
        refused = sorted({c for c in alphabet if not all(check(c) for check in spec.chars)})
        if refused:
            raise ValueError(
                f"{function}(alphabet=...): the rules of {kind} refuse {safe_repr(refused)}; "
                "use valid=False to draw values that break them"
            )
    lo = spec.lo if min_size is None else min_size
    hi = spec.hi if max_size is None else max_size
    if lo > hi:
        raise ValueError(f"{function}(): min_size={safe_repr(lo)} > max_size={safe_repr(hi)}")
    if lo < spec.lo or hi > spec.hi:
        raise ValueError(
            f"{function}(min_size={safe_repr(min_size)}, max_size={safe_repr(max_size)}): the "
            f"rules of {kind} "
            f"allow {spec.lo} to {spec.hi} characters; use valid=False, "
            "breaking='length' for values outside them"
        )

    return _valid_strings(function, replace(spec, lo=lo, hi=hi))


def _public_strings(
    function: Callable[..., SearchStrategy[str]],
    kind: Kind,
    valid: bool,
    breaking: str | None,
    rules: RuleSet,
    min_size: int | None,
    max_size: int | None,
    alphabet: str | None,
) -> SearchStrategy[str]:
    built = _strings(
        function.__name__,
        kind,
        valid=valid,
        breaking=breaking,
        rules=rules,
        min_size=min_size,
        max_size=max_size,
        alphabet=alphabet,
    )
    return _shown(
        function,
        built,
        valid=valid,
        breaking=breaking,
        rules=rules,
        min_size=min_size,
        max_size=max_size,
        alphabet=alphabet,
    )


def snapshot_names(
    *,
    valid: bool = True,
    breaking: str | None = None,
    rules: RuleSet = REFERENCE_RULES,
    min_size: int | None = None,
    max_size: int | None = None,
    alphabet: str | None = None,
) -> SearchStrategy[str]:
    """Values for ``relationalDatabaseSnapshotName`` that every ``snapshot-name`` rule of
    ``rules`` allows: by default 2 to 255 ASCII letters, digits and hyphens, first and last a
    letter or digit; the shortest and the longest drawn often. Shrinks towards ``"00"``.

    ``valid=False``: values that break exactly one rule (any, or the one ``breaking``
    names: ``"length"``, ``"charset"``, ``"edges"`` or the full id), so the stub's
    ``InvalidInputException`` names that rule. ``min_size``, ``max_size`` and ``alphabet``
    narrow valid values and must stay within the rules."""
    return _public_strings(
        snapshot_names, "snapshot-name", valid, breaking, rules, min_size, max_size, alphabet
    )


def database_names(
    *,
    valid: bool = True,
    breaking: str | None = None,
    rules: RuleSet = REFERENCE_RULES,
    min_size: int | None = None,
    max_size: int | None = None,
    alphabet: str | None = None,
) -> SearchStrategy[str]:
    """Values for ``relationalDatabaseName`` that every ``database-name`` rule allows (by
    default the snapshot-name rules, *assumed* for databases). The stub makes every
    well-formed database name exist unless told otherwise, so a valid name is a database.
    Shrinks towards ``"00"``. ``valid=False`` and ``breaking`` as :func:`snapshot_names`."""
    return _public_strings(
        database_names, "database-name", valid, breaking, rules, min_size, max_size, alphabet
    )


def tag_keys(
    *,
    valid: bool = True,
    breaking: str | None = None,
    rules: RuleSet = REFERENCE_RULES,
    min_size: int | None = None,
    max_size: int | None = None,
    alphabet: str | None = None,
) -> SearchStrategy[str]:
    """Tag keys every ``tag-key`` rule allows: by default 1 to 128 Unicode letters, numbers,
    spaces or ``+ - = . _ : / @``, not starting with ``aws:``; each punctuation character,
    multi-byte UTF-8 letters and the longest key drawn often. Shrinks towards ``"0"``.

    ``valid=False``: keys breaking exactly one rule (``"empty"``, ``"length"``,
    ``"charset"``, ``"aws-prefix"``, or the full id)."""
    return _public_strings(
        tag_keys, "tag-key", valid, breaking, rules, min_size, max_size, alphabet
    )


def tag_values(
    *,
    valid: bool = True,
    breaking: str | None = None,
    rules: RuleSet = REFERENCE_RULES,
    min_size: int | None = None,
    max_size: int | None = None,
    alphabet: str | None = None,
) -> SearchStrategy[str]:
    """Tag values every ``tag-value`` rule allows: by default 0 to 256 characters of the
    tag-key set. Shrinks towards ``""``. ``valid=False``: values breaking exactly one rule
    (``"length"``, ``"charset"``, or the full id)."""
    return _public_strings(
        tag_values, "tag-value", valid, breaking, rules, min_size, max_size, alphabet
    )


# -- tag lists and requests ----------------------------------------------------------------

_TAG_KINDS: tuple[Kind, ...] = ("tag-key", "tag-value", "tag-list")
Tag = dict[str, str]


@dataclass(frozen=True)
class _ListSpec:
    rules: RuleSet
    count: int | None
    unique: bool


def _list_spec(function: str, rules: RuleSet) -> _ListSpec:
    count: int | None = None
    unique = False
    for rule in rules.for_kind("tag-list"):
        if isinstance(rule.check, MaxCount):
            count = rule.check.max if count is None else min(count, rule.check.max)
        elif isinstance(rule.check, UniqueKeys):
            unique = True
        else:
            raise _underivable(function, rule, rules, "MaxCount, UniqueKeys")
    return _ListSpec(rules, count, unique)


def _tag(keys: SearchStrategy[str], values: SearchStrategy[str]) -> SearchStrategy[Tag]:
    return st.fixed_dictionaries({"key": keys}, optional={"value": values})


def _broken_in_list(rules: RuleSet, tag_list: list[Tag]) -> list[Rule]:
    broken = []
    for tag in tag_list:
        broken += [r for r in rules.for_kind("tag-key") if not r.check(tag["key"])]
        if "value" in tag:
            broken += [r for r in rules.for_kind("tag-value") if not r.check(tag["value"])]
    pairs = [(tag["key"], tag.get("value")) for tag in tag_list]
    broken += [r for r in rules.for_kind("tag-list") if not r.check(pairs)]
    return broken


def _valid_tag_lists(
    function: str, rules: RuleSet, min_size: int, max_size: int | None, *, short: bool = False
) -> SearchStrategy[list[Tag]]:
    spec = _list_spec(function, rules)
    key_spec, value_spec = _spec(function, rules, "tag-key"), _spec(function, rules, "tag-value")
    if short:  # many tags: short keys and values, to keep the example small
        key_spec = _shorter(key_spec)
        value_spec = _shorter(value_spec)
    tag = _tag(_valid_strings(function, key_spec), _valid_strings(function, value_spec))
    upper = spec.count if max_size is None else max_size
    unique_by: Callable[[Tag], str] | None = (lambda t: t["key"]) if spec.unique else None
    return st.lists(tag, min_size=min_size, max_size=upper, unique_by=unique_by)


def _shorter(spec: _Spec) -> _Spec:

    return replace(spec, hi=max(spec.lo, min(spec.hi, spec.lo + 8)))


def _breaking_tag_lists(function: str, rules: RuleSet, target: Rule) -> SearchStrategy[list[Tag]]:
    spec = _list_spec(function, rules)
    room = None if spec.count is None else spec.count - 1  # one more tag may be added
    built: SearchStrategy[list[Tag]]
    if target.kind in ("tag-key", "tag-value"):
        member = "key" if target.kind == "tag-key" else "value"
        bad = _breaking_strings(function, rules, target.kind, target)
        if room is not None and room < 0:
            raise _unbreakable(function, target, rules)
        lists = _valid_tag_lists(function, rules, 1, None if room is None else room + 1)

        def put(drawn: tuple[list[Tag], str, int]) -> list[Tag]:
            tag_list, value, where = drawn
            tag_list = [dict(tag) for tag in tag_list]
            tag_list[where % len(tag_list)][member] = value
            return tag_list

        built = st.tuples(lists, bad, st.integers(0, 2**16)).map(put)
    elif isinstance(target.check, MaxCount):
        over = target.check.max + 1
        key_spec = _spec(function, rules, "tag-key")
        if key_spec.broken("k0") or key_spec.broken(f"k{over + 1}"):
            built = _valid_tag_lists(function, rules.without(target.id), over, over + 2, short=True)
        else:  # keys "k0", "k1"...: unique by construction, and fast to shrink
            value_spec = _shorter(_spec(function, rules, "tag-value"))
            value = st.fixed_dictionaries(
                {}, optional={"value": _valid_strings(function, value_spec)}
            )
            built = st.lists(value, min_size=over, max_size=over + 2).map(
                lambda values: [{"key": f"k{i}", **v} for i, v in enumerate(values)]
            )
    elif isinstance(target.check, UniqueKeys):
        if room is not None and room < 1:
            raise _unbreakable(function, target, rules)
        value_spec = _spec(function, rules, "tag-value")

        def repeat(drawn: tuple[list[Tag], int, int, dict[str, str]]) -> list[Tag]:
            tag_list, which, where, value = drawn
            again = {"key": tag_list[which % len(tag_list)]["key"], **value}
            i = where % (len(tag_list) + 1)
            return [*tag_list[:i], again, *tag_list[i:]]

        built = st.tuples(
            _valid_tag_lists(function, rules, 1, room),
            st.integers(0, 2**16),
            st.integers(0, 2**16),
            st.fixed_dictionaries({}, optional={"value": _valid_strings(function, value_spec)}),
        ).map(repeat)
    else:  # pragma: no cover (_list_spec refused it already)
        raise _underivable(function, target, rules, "MaxCount, UniqueKeys")
    return built.filter(lambda tag_list: _broken_in_list(rules, tag_list) == [target])


def tags(
    *,
    valid: bool = True,
    breaking: str | None = None,
    rules: RuleSet = REFERENCE_RULES,
    min_size: int = 0,
    max_size: int | None = None,
) -> SearchStrategy[list[dict[str, str]]]:
    """Values for ``tags``: lists of ``{"key": ..., "value": ...}`` (the value sometimes
    left out, as the API allows) that every tag rule allows: keys from :func:`tag_keys`,
    values from :func:`tag_values`, by default at most 50 tags and no key twice. Shrinks
    towards ``[]``.

    ``valid=False``: lists that break exactly one tag rule: one key or value broken
    (``breaking="tag-key.charset"``...), one tag too many (``"tag-list.count"``), or one key
    repeated (``"tag-list.unique"``). ``min_size``/``max_size`` bound valid lists."""
    function = "tags"
    _check_rules(function, rules)
    targets = _resolve(function, rules, _TAG_KINDS, valid, breaking)
    _check_size(function, "min_size", min_size, optional=False)
    _check_size(function, "max_size", max_size)
    if valid:
        spec = _list_spec(function, rules)
        if spec.count is not None and (
            min_size > spec.count or (max_size is not None and max_size > spec.count)
        ):
            raise ValueError(
                f"{function}(min_size={safe_repr(min_size)}, max_size={safe_repr(max_size)}): the "
                "rules allow at "
                f"most {spec.count} tags; use valid=False, breaking='tag-list.count' for more"
            )
        if max_size is not None and min_size > max_size:
            raise ValueError(
                f"{function}(): min_size={safe_repr(min_size)} > max_size={safe_repr(max_size)}"
            )
        built = _valid_tag_lists(function, rules, min_size, max_size, short=min_size > 10)
    else:
        if (min_size, max_size) != (0, None):
            raise ValueError(
                f"{function}(valid=False): min_size and max_size bound valid lists; an "
                "invalid list is shaped by the rule it breaks (breaking=...)"
            )
        built = st.one_of(*(_breaking_tag_lists(function, rules, rule) for rule in targets))
    return _shown(
        tags,
        built,
        valid=valid,
        breaking=breaking,
        rules=rules,
        min_size=min_size,
        max_size=max_size,
    )


_REQUEST_KINDS: tuple[Kind, ...] = ("database-name", "snapshot-name", *_TAG_KINDS)


def create_snapshot_requests(
    *,
    valid: bool = True,
    breaking: str | None = None,
    rules: RuleSet = REFERENCE_RULES,
    database_name: str | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Keyword arguments for ``client.create_relational_database_snapshot(**request)``:
    ``relationalDatabaseName``, ``relationalDatabaseSnapshotName`` and, sometimes,
    ``tags``, all allowed by ``rules``. Shrinks towards
    ``{"relationalDatabaseName": "00", "relationalDatabaseSnapshotName": "00"}``.

    ``database_name`` fixes the database (e.g. one you declared with ``databases=``).
    ``valid=False``: requests in which exactly one rule is broken (any rule of a name or
    of the tags, or the one ``breaking`` names by its full id, e.g.
    ``"snapshot-name.edges"``), so the stub answers ``InvalidInputException`` naming it."""
    function = "create_snapshot_requests"
    _check_rules(function, rules)
    targets = _resolve(function, rules, _REQUEST_KINDS, valid, breaking)
    if database_name is not None:
        if not isinstance(database_name, str):
            raise TypeError(
                f"{function}(): database_name must be a str, got {safe_repr(database_name)}"
            )
        violation = rules.first_violation("database-name", "database_name", database_name)
        if violation is not None:
            raise ValueError(f"{function}(): {violation.message}")
        if any(rule.kind == "database-name" for rule in targets) and breaking is not None:
            raise ValueError(
                f"{function}(database_name={safe_repr(database_name)}, "
                f"breaking={safe_repr(breaking)}): "
                "a fixed database name can't break a database-name rule"
            )
        targets = [rule for rule in targets if rule.kind != "database-name"]
    databases = (
        st.just(database_name)
        if database_name is not None
        else _rule_abiding(function, rules, "database-name")
    )
    snapshots_ = _rule_abiding(function, rules, "snapshot-name")
    tag_lists = _valid_tag_lists(function, rules, 0, None)
    if valid:
        built = st.fixed_dictionaries(
            {"relationalDatabaseName": databases, "relationalDatabaseSnapshotName": snapshots_},
            optional={"tags": tag_lists},
        )
    else:
        choices = []
        for rule in targets:
            if rule.kind in ("database-name", "snapshot-name"):
                member = (
                    "relationalDatabaseName"
                    if rule.kind == "database-name"
                    else "relationalDatabaseSnapshotName"
                )
                parts = {
                    "relationalDatabaseName": databases,
                    "relationalDatabaseSnapshotName": snapshots_,
                    member: _breaking_strings(function, rules, rule.kind, rule),
                }
                choices.append(st.fixed_dictionaries(parts, optional={"tags": tag_lists}))
            else:
                choices.append(
                    st.fixed_dictionaries(
                        {
                            "relationalDatabaseName": databases,
                            "relationalDatabaseSnapshotName": snapshots_,
                            "tags": _breaking_tag_lists(function, rules, rule),
                        }
                    )
                )
        built = st.one_of(*choices)
    return _shown(
        create_snapshot_requests,
        built,
        valid=valid,
        breaking=breaking,
        rules=rules,
        database_name=database_name,
    )


# -- outputs, from the installed botocore model ----------------------------------------------

#: Lightsail's API was published on 2016-11-28: no timestamp it answers is older.
_EPOCH = datetime(2016, 11, 28, tzinfo=timezone.utc)
_LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
_TERMINAL = frozenset({"Succeeded", "Failed", "Completed"})
# Plausible engines and plans (assumed; the model enumerates neither blueprints nor bundles).
_BLUEPRINTS = (
    ("mysql_8_0", "mysql", "8.0.40"),
    ("mysql_5_7", "mysql", "5.7.44"),
    ("postgres_16", "postgres", "16.4"),
    ("postgres_15", "postgres", "15.8"),
)
_BUNDLES = (("micro_2_0", 40), ("small_2_0", 80), ("medium_2_0", 120), ("large_2_0", 240))
_SNAPSHOT_STATES = ("available", "creating", "error")


@functools.cache
def _regions(region: str | None) -> SearchStrategy[str]:
    """The model's Regions, ``us-east-1`` first (what it shrinks towards)."""
    if region is not None:
        return st.just(region)
    ordered = sorted(_model.regions(), key=lambda r: (r != "us-east-1", r))
    return st.sampled_from(ordered)


@functools.cache
def _timestamps() -> SearchStrategy[datetime]:
    """UTC instants with millisecond precision, as Lightsail sends them; shrinks towards
    2016-11-28, the day the API was published."""
    return st.datetimes(
        min_value=_EPOCH.replace(tzinfo=None),
        max_value=_LATEST.replace(tzinfo=None),
        timezones=st.just(timezone.utc),
    ).map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000))


@functools.cache
def _zones(region: str) -> SearchStrategy[str]:
    return st.sampled_from([f"{region}{letter}" for letter in "abc"])


@functools.cache
def _uuids() -> SearchStrategy[str]:
    return st.uuids(version=4).map(str)


@functools.cache
def _hex(n: int) -> SearchStrategy[str]:
    return st.text("0123456789abcdef", min_size=n, max_size=n)


@functools.cache
def _accounts() -> SearchStrategy[str]:
    return st.text(string.digits, min_size=12, max_size=12)


def _draw_operation(
    draw: st.DrawFn,
    region: str | None,
    operation_type: str | None,
    status: str | None,
    resource_type: str | None,
    resource_name: str | None = None,
    zone: str | None = None,
    details: str | None = None,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    where = draw(_regions(region))
    kind = operation_type or draw(_enum_values("OperationType"))
    state = status or draw(st.sampled_from(_statuses()))
    started = created_at or draw(_timestamps())
    changed = started
    if state in _TERMINAL:
        changed = started + timedelta(milliseconds=draw(st.integers(0, 86_400_000)))
    operation: dict[str, Any] = {
        "id": draw(_uuids()),
        "resourceName": resource_name or draw(_any_names()),
        "resourceType": resource_type or draw(_enum_values("ResourceType")),
        "createdAt": started,
        "location": {
            "availabilityZone": zone or draw(_operation_zones(where)),
            "regionName": where,
        },
        "isTerminal": state in _TERMINAL,
        "operationDetails": details if details is not None else draw(_any_names()),
        "operationType": kind,
        "status": state,
        "statusChangedAt": changed,
    }
    if state == "Failed":
        operation["errorCode"] = draw(_FAILURE_CODES)
        operation["errorDetails"] = draw(_FAILURE_DETAILS)
    return _only_modeled("Operation", operation)


_operation = st.composite(_draw_operation)
_FAILURE_CODES = st.sampled_from(["InternalFailure", "OperationFailure"])
_FAILURE_DETAILS = st.sampled_from(["The resource could not be created."]) | st.text(min_size=1)


@functools.cache
def _operation_zones(region: str) -> SearchStrategy[str]:
    return st.just("all") | _zones(region)


@functools.cache
def _statuses() -> tuple[str, ...]:
    # "Started" first: an operation just begun is the common answer.
    return tuple(sorted(_model.enum("OperationStatus"), key=lambda s: (s != "Started", s)))


@functools.cache
def _enum_values(shape: str) -> SearchStrategy[str]:
    return st.sampled_from(sorted(_model.enum(shape)))


@functools.cache
def _any_names() -> SearchStrategy[str]:
    return _rule_abiding("operations", REFERENCE_RULES, "snapshot-name")


def _rule_abiding(function: str, rules: RuleSet, kind: Kind) -> SearchStrategy[str]:
    """Any value of ``kind`` that ``rules`` accept, with no other constraint."""
    return _strings(
        function,
        kind,
        valid=True,
        breaking=None,
        rules=rules,
        min_size=None,
        max_size=None,
        alphabet=None,
    )


def _only_modeled(shape_name: str, document: dict[str, Any]) -> dict[str, Any]:
    members = _members(shape_name)
    return {k: v for k, v in document.items() if k in members}


@functools.cache
def _members(shape_name: str) -> frozenset[str]:
    shape = _model.service_model().shape_for(shape_name)
    assert isinstance(shape, StructureShape)
    return frozenset(shape.members)


def operations(
    *,
    region: str | None = None,
    operation_type: str | None = None,
    status: str | None = None,
    resource_type: str | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """One ``Operation`` record as botocore returns it (timestamps as ``datetime``): enums
    from the installed model (``operationType``, ``status``, ``resourceType``, Regions),
    ``isTerminal`` agreeing with ``status``, ``statusChangedAt`` not before ``createdAt``,
    ``errorCode``/``errorDetails`` only on ``Failed``. Shrinks towards a ``Started``
    operation of the first type in alphabetical order, in ``us-east-1``, at 2016-11-28 00:00
    UTC.
    Each option fixes that member (checked against the model)."""
    function = "operations"
    _check_region(function, region)
    _check_choice(function, "operation_type", operation_type, "OperationType")
    _check_choice(function, "status", status, "OperationStatus")
    _check_choice(function, "resource_type", resource_type, "ResourceType")
    built = _operation(region, operation_type, status, resource_type)
    return _shown(
        operations,
        built,
        region=region,
        operation_type=operation_type,
        status=status,
        resource_type=resource_type,
    )


def _metadata(document: dict[str, Any], request_id: str, status: int = 200) -> dict[str, Any]:
    body = _wire.encode(document)
    headers = {k.lower(): v for k, v in _wire.headers(request_id, body).items()}
    return {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": headers,
        "RetryAttempts": 0,
    }


@st.composite
def _create_response(
    draw: st.DrawFn,
    region: str | None,
    snapshot_names: SearchStrategy[str],
    database_names: SearchStrategy[str],
    metadata: bool,
) -> dict[str, Any]:
    where = draw(_regions(region))
    snapshot = draw(snapshot_names)
    database = draw(database_names)
    created = draw(_timestamps())
    started = functools.partial(
        _draw_operation,
        draw,
        where,
        CREATE,
        "Started",
        created_at=created,
    )
    document: dict[str, Any] = {
        "operations": [
            started("RelationalDatabaseSnapshot", snapshot, "all", database),
            started("RelationalDatabase", database, draw(_zones(where)), snapshot),
        ]
    }
    if metadata:
        document["ResponseMetadata"] = _metadata(document, draw(_uuids()))
    return document


def create_snapshot_responses(
    *,
    region: str | None = None,
    snapshot_name: str | None = None,
    database_name: str | None = None,
    rules: RuleSet = REFERENCE_RULES,
    metadata: bool = True,
) -> SearchStrategy[dict[str, Any]]:
    """What ``client.create_relational_database_snapshot(...)`` returns: two ``Started``
    operations of type ``CreateRelationalDatabaseSnapshot``, the snapshot's (zone ``all``,
    details the database name) then the database's (its zone, details the snapshot name),
    same ``createdAt`` and ``statusChangedAt``; plus ``ResponseMetadata`` unless
    ``metadata=False``. ``snapshot_name``/``database_name`` fix the names; they are checked
    against ``rules``, which the names drawn otherwise follow. Shrinks towards a create of
    ``"00"`` from ``"00"`` in ``us-east-1`` at 2016-11-28 00:00 UTC."""
    function = "create_snapshot_responses"
    _check_region(function, region)
    _check_rules(function, rules)
    _check_bool(function, "metadata", metadata)
    named: list[tuple[str, Kind, str | None]] = [
        ("snapshot_name", "snapshot-name", snapshot_name),
        ("database_name", "database-name", database_name),
    ]
    for name, kind, value in named:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{function}(): {name} must be a str or None, got {safe_repr(value)}")
        violation = None if value is None else rules.first_violation(kind, name, value)
        if violation is not None:
            raise ValueError(f"{function}(): {violation.message}")
    snapshots_, databases = (
        _rule_abiding(function, rules, kind) if value is None else st.just(value)
        for _, kind, value in named
    )
    built = _create_response(region, snapshots_, databases, metadata)
    return _shown(
        create_snapshot_responses,
        built,
        region=region,
        snapshot_name=snapshot_name,
        database_name=database_name,
        rules=rules,
        metadata=metadata,
    )


@st.composite
def _snapshot(
    draw: st.DrawFn,
    region: str | None,
    states: SearchStrategy[str],
    names: SearchStrategy[str],
    databases: SearchStrategy[str],
    tag_lists: SearchStrategy[list[Tag]],
) -> dict[str, Any]:
    where = draw(_regions(region))
    account = draw(_accounts())
    blueprint, engine, version = draw(st.sampled_from(_BLUEPRINTS))
    bundle, size = draw(st.sampled_from(_BUNDLES))
    arn = f"arn:aws:lightsail:{where}:{account}:"
    record = {
        "name": draw(names),
        "arn": f"{arn}RelationalDatabaseSnapshot/{draw(_uuids())}",
        "supportCode": f"{draw(_accounts())}/ls-{draw(_hex(40))}",
        "createdAt": draw(_timestamps()),
        "location": {"availabilityZone": "all", "regionName": where},
        "resourceType": _model.enum_value("ResourceType", "RelationalDatabaseSnapshot"),
        "tags": draw(tag_lists),
        "engine": engine,
        "engineVersion": version,
        "sizeInGb": size,
        "state": draw(states),
        "fromRelationalDatabaseName": draw(databases),
        "fromRelationalDatabaseArn": f"{arn}RelationalDatabase/{draw(_uuids())}",
        "fromRelationalDatabaseBundleId": bundle,
        "fromRelationalDatabaseBlueprintId": blueprint,
    }
    return _only_modeled("RelationalDatabaseSnapshot", record)


def snapshots(
    *,
    region: str | None = None,
    states: Sequence[str] = _SNAPSHOT_STATES,
    rules: RuleSet = REFERENCE_RULES,
) -> SearchStrategy[dict[str, Any]]:
    """A ``relationalDatabaseSnapshot`` record as ``get_relational_database_snapshot``
    returns it: a valid name and tags (per ``rules``), ARN
    ``arn:aws:lightsail:<region>:<12 digits>:RelationalDatabaseSnapshot/<uuid>``, support
    code ``<12 digits>/ls-<40 hex>``, zone ``all``, plausible engine, version, plan and size
    (*assumed*), a state from ``states`` (the ones the stub uses: ``available``,
    ``creating``, ``error``). Shrinks towards an ``available`` snapshot ``"00"`` of
    ``"00"`` in ``us-east-1`` with no tags. A tag without a value has no ``value`` member,
    as the stub answers it (*assumed*). Every record can seed a stub with
    ``stub.add_snapshot(...)``, which keeps its name, Region, database, creation time,
    state and tags (see docs/strategies.md)."""
    function = "snapshots"
    _check_region(function, region)
    _check_rules(function, rules)
    states = _once(states)
    if isinstance(states, str) or not isinstance(states, Iterable):
        raise TypeError(f"{function}(): states must be a list of states, got {safe_repr(states)}")
    chosen = tuple(states)
    unknown = [s for s in chosen if s not in _SNAPSHOT_STATES]
    if not chosen or unknown:
        raise ValueError(
            f"{function}(states={list(chosen)!r}): give one or more of the states the stub "
            f"uses: {', '.join(map(repr, _SNAPSHOT_STATES))}"
        )
    valid = functools.partial(_rule_abiding, function, rules)
    built = _snapshot(
        region,
        st.sampled_from(chosen),
        valid("snapshot-name"),
        valid("database-name"),
        # Short keys and values: a record is small, and shrinks fast.
        _valid_tag_lists(function, rules, 0, 5, short=True),
    )
    return _shown(snapshots, built, region=region, states=states, rules=rules)


# -- errors, as botocore raises them -----------------------------------------------------------

_RETRYABLE_CODES = frozenset({"ThrottlingException", "ServiceUnavailable"})
_UNMODELED_STATUS = {"ThrottlingException": 400, "ServiceUnavailable": 503}


_REGION = "us-east-1"


class _Raw:
    """The body of an answer, read as botocore reads an HTTP response (``AWSResponse.raw``)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterable[bytes]:
        yield self._body


def _default_client() -> Any:
    """A Lightsail client of the session ``boto3.client()`` uses now (boto3's default
    session, when boto3 is installed), so its exception classes are the ones a caller
    catches; one client per session."""
    try:
        import boto3
    except ImportError:  # pragma: no cover (the test extra installs boto3)
        return _client_of(_botocore_session())
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    return _client_of(boto3.DEFAULT_SESSION._session)  # type: ignore[union-attr] # botocore's


_MESSAGES = st.text(st.characters(codec="utf-8"), max_size=80)


@functools.cache
def _botocore_session() -> Any:  # pragma: no cover (without boto3)
    import botocore.session

    return botocore.session.get_session()


# One client per session, for as long as the session lives (a session is not kept alive).
_CLIENTS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _client_of(session: Any) -> Any:
    client = _CLIENTS.get(session)
    if client is None:
        client = _CLIENTS[session] = session.create_client(
            "lightsail",
            region_name=_REGION,
            aws_access_key_id="strategies",
            aws_secret_access_key="strategies",
        )
    return client


_DEFAULT_ATTEMPTS = {"legacy": 5, "standard": 3, "adaptive": 3}


def _retry_policy(client: Any) -> tuple[str, int]:
    """The client's retry mode and total attempts, as botocore resolved them."""
    retries = getattr(client.meta.config, "retries", None) or {}
    mode = str(retries.get("mode", "legacy"))
    total = retries.get("total_max_attempts")
    if total is None and retries.get("max_attempts") is not None:
        total = retries["max_attempts"] + 1
    return mode, int(total if total is not None else _DEFAULT_ATTEMPTS.get(mode, 3))


def _error_codes(operation: str) -> list[str]:
    modeled = [shape.name for shape in _model.operation_model(operation).error_shapes]
    return [*modeled, *sorted(_RETRYABLE_CODES)]


def _client_error(
    client: Any,
    operation: str,
    code: str,
    message: str,
    request_id: str,
    max_attempts: int | None,
) -> ClientError:
    """The error botocore raises when Lightsail answers ``code``: the stub's error body,
    through botocore's own response conversion and JSON parser, then the modeled class."""
    mode, configured = _retry_policy(client)
    max_attempts = configured if max_attempts is None else max_attempts
    if code in _model.error_shapes():
        body = _wire.error_body(code, message, operation=operation)
        status = _model.error_status(code)
    else:
        body = _wire.encode({"__type": code, "message": message})
        status = _UNMODELED_STATUS.get(code, 400)
    model = _model.operation_model(operation)
    headers: Any = _wire.headers(request_id, body)
    http = AWSResponse(f"https://lightsail.{_REGION}.amazonaws.com/", status, headers, _Raw(body))
    parser = create_parser(model.metadata["protocol"])
    response = convert_to_response_dict(http, model)
    parsed: dict[str, Any] = parser.parse(response, model.output_shape)  # type: ignore[arg-type]
    # As botocore's endpoint does: the error shape's members lifted to the top.
    shape = model.service_model.shape_for_error_code(code)  # type: ignore[arg-type]
    if shape is not None:
        parsed.update(parser.parse(response, shape))
    # What botocore's retry handler adds: a retryable error (throttling, 5xx) comes after
    # the last attempt; standard and adaptive modes also mark any answer to the last
    # allowed attempt, legacy mode only a retryable one.
    retried = code in _RETRYABLE_CODES or status >= 500
    metadata = parsed["ResponseMetadata"]
    metadata["RetryAttempts"] = max_attempts - 1 if retried else 0
    if retried or (mode != "legacy" and max_attempts == 1):
        metadata["MaxAttemptsReached"] = True
    error_class = client.exceptions.from_code(code)
    error: ClientError = error_class(parsed, operation)
    return error


@st.composite
def _errors(
    draw: st.DrawFn,
    operation: str,
    codes: SearchStrategy[str],
    client: Any,
    max_attempts: int | None,
) -> ClientError:
    code = draw(codes)
    default = _sc._DEFAULT_MESSAGES.get(code, f"{code} (simulated)")
    message = draw(_MESSAGES) if draw(st.booleans()) else default
    return _client_error(
        client or _default_client(), operation, code, message, draw(_uuids()), max_attempts
    )


def client_errors(
    *,
    operation: str = CREATE,
    codes: Collection[str] | None = None,
    client: Any = None,
    max_attempts: int | None = None,
) -> SearchStrategy[ClientError]:
    """``botocore.exceptions.ClientError``\\ s exactly as botocore raises them for
    ``operation`` (its wire name or boto3's): instances of the client's modeled classes
    (``client.exceptions.NotFoundException``...; ``client`` defaults to one of the session
    ``boto3.client()`` uses), ``response`` as botocore's parser makes it from Lightsail's
    error body (``Error.Code``/``Message``, ``code``, ``docs``, ``message``, ``tip``,
    ``ResponseMetadata`` with the shape's HTTP status). ``codes`` defaults to the
    operation's modeled errors plus ``ThrottlingException`` and ``ServiceUnavailable``.
    The retryable ones (throttling, 5xx) come as botocore raises them once the client's
    retries are used up: ``RetryAttempts``, ``MaxAttemptsReached``, "reached max retries"
    in the message, after ``max_attempts`` attempts (default: what the client's retry
    configuration allows; its retry mode decides ``MaxAttemptsReached``). Not drawn: the
    errors botocore raises earlier once standard mode's retry quota is spent. Shrinks
    towards the first modeled error with its default message."""
    function = "client_errors"
    if not isinstance(operation, str):
        raise TypeError(
            f"{function}(): operation must be an operation name, got {safe_repr(operation)}"
        )
    wire = _sc._operation_names().get(operation)
    if wire is None:
        raise ValueError(f"{function}(): Lightsail has no operation {safe_repr(operation)}")
    known = _error_codes(wire)
    codes = _once(codes)
    if codes is None:
        chosen = tuple(known)
    else:
        if isinstance(codes, str) or not isinstance(codes, Iterable):
            raise TypeError(
                f"{function}(): codes must be a list of error codes, got {safe_repr(codes)}"
            )
        chosen = tuple(codes)
        unknown = [code for code in chosen if code not in known]
        if not chosen or unknown:
            raise ValueError(
                f"{function}(codes={list(chosen)!r}): give one or more of the errors "
                f"{wire} answers: {', '.join(known)}"
            )
    if max_attempts is not None and (
        not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or max_attempts < 1
    ):
        raise ValueError(
            f"{function}(): max_attempts must be a positive int, got {safe_repr(max_attempts)}"
        )
    if client is not None and not hasattr(getattr(client, "exceptions", None), "from_code"):
        raise TypeError(
            f"{function}(): client must be a botocore Lightsail client, got {safe_repr(client)}"
        )
    built = _errors(wire, st.sampled_from(chosen), client, max_attempts)
    return _shown(
        client_errors,
        built,
        operation=operation,
        codes=codes,
        client=client,
        max_attempts=max_attempts,
    )


# -- failure scripts -----------------------------------------------------------------------

_SNAPSHOT_OPERATIONS = (
    CREATE,
    "GetRelationalDatabaseSnapshot",
    "GetRelationalDatabaseSnapshots",
    "DeleteRelationalDatabaseSnapshot",
)


def _scenario_tree(
    codes: tuple[str, ...], operations_: tuple[str, ...], max_latency: float
) -> SearchStrategy[Any]:
    budget = st.none() | st.integers(1, 3)
    leaves = st.one_of(
        st.builds(_sc.throttle, times=budget),
        st.builds(_sc.fail, st.sampled_from(codes), times=budget),
        st.builds(_sc.server_error, times=budget),
        st.builds(_sc.connection_error, times=budget),
        st.builds(_sc.read_timeout, times=budget, processed=st.booleans()),
        st.builds(_sc.fail_later, times=budget),
        st.builds(_sc.latency, st.floats(0, max_latency, allow_nan=False), times=budget),
        st.builds(_sc.normal, times=budget),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(_sc.times, st.integers(1, 3), inner),
            st.builds(_sc.for_operation, st.sampled_from(operations_), inner),
            st.lists(inner, min_size=1, max_size=3).map(lambda steps: _sc.sequence(*steps)),
        ),
        max_leaves=4,
    )


def _scenario_options(
    function: str,
    codes: Collection[str] | None,
    operations_: Collection[str] | None,
    max_latency: float,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    shapes = sorted(_model.error_shapes())
    if codes is None:
        chosen_codes = tuple(shapes)
    else:
        if isinstance(codes, str) or not isinstance(codes, Iterable):
            raise TypeError(
                f"{function}(): codes must be a list of error codes, got {safe_repr(codes)}"
            )
        chosen_codes = tuple(codes)
        if not chosen_codes:
            raise ValueError(f"{function}(): codes must not be empty")
        for code in chosen_codes:
            _sc.fail(code)  # the scenario's own check: misspelt shapes are refused
    names = _sc._operation_names()
    chosen_ops: tuple[str, ...]
    if operations_ is None:
        chosen_ops = _SNAPSHOT_OPERATIONS
    else:
        if isinstance(operations_, str) or not isinstance(operations_, Iterable):
            raise TypeError(
                f"{function}(): operations must be a list of operation names, got "
                f"{safe_repr(operations_)}"
            )
        unknown = [name for name in operations_ if name not in names]
        if unknown or not operations_:
            raise ValueError(
                f"{function}(operations={list(operations_)!r}): give one or more Lightsail "
                f"operation names; unknown: {safe_repr(unknown)}"
            )
        chosen_ops = tuple(names[name] for name in operations_)
    if (
        not isinstance(max_latency, (int, float))
        or isinstance(max_latency, bool)
        or not 0 <= max_latency <= _sc.MAX_DELAY
    ):
        raise ValueError(
            f"{function}(): max_latency must be a number of seconds from 0 to "
            f"{_sc.MAX_DELAY:.0f}, got {safe_repr(max_latency)}"
        )
    return chosen_codes, chosen_ops


def scenarios(
    *,
    codes: Collection[str] | None = None,
    operations: Collection[str] | None = None,
    max_latency: float = 60.0,
) -> SearchStrategy[_sc.Scenario]:
    """One built-in scenario of :mod:`lightsail_stub.scenarios`: ``throttle``, ``fail``
    with one of ``codes`` (default: every error shape in the model), ``server_error``,
    ``connection_error``, ``read_timeout`` (``processed`` or not), ``fail_later``,
    ``latency`` (up to ``max_latency`` seconds of the stub's clock) or ``normal``, each with
    or without a ``times`` budget, possibly wrapped in ``times``, ``for_operation`` (one of
    ``operations``, default the four snapshot operations) or ``sequence``. A fresh object
    per draw (scenarios count their answers). Shrinks towards ``throttle()``; reprs are the
    calls that build them."""
    codes, operations = _once(codes), _once(operations)
    chosen = _scenario_options("scenarios", codes, operations, max_latency)
    built = _scenario_tree(*chosen, float(max_latency))
    return _shown(scenarios, built, codes=codes, operations=operations, max_latency=max_latency)


def scenario_scripts(
    *,
    min_size: int = 0,
    max_size: int = 3,
    codes: Collection[str] | None = None,
    operations: Collection[str] | None = None,
    max_latency: float = 60.0,
) -> SearchStrategy[list[_sc.Scenario]]:
    """Lists of :func:`scenarios` for ``mock_lightsail(scenarios=...)``: a failure script,
    asked in order for every call. Shrinks towards ``[]``, Lightsail behaving normally, so
    a failing property is reported with the smallest script that breaks it."""
    function = "scenario_scripts"
    _check_size(function, "min_size", min_size, optional=False)
    _check_size(function, "max_size", max_size, optional=False)
    if max_size < min_size:
        raise ValueError(
            f"{function}(): min_size={safe_repr(min_size)} > max_size={safe_repr(max_size)}"
        )
    codes, operations = _once(codes), _once(operations)
    chosen = _scenario_options(function, codes, operations, max_latency)
    built = st.lists(
        _scenario_tree(*chosen, float(max_latency)), min_size=min_size, max_size=max_size
    )
    return _shown(
        scenario_scripts,
        built,
        min_size=min_size,
        max_size=max_size,
        codes=codes,
        operations=operations,
        max_latency=max_latency,
    )
