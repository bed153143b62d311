"""The documented rules that botocore does not check, as one table of data.

Each :class:`Rule` says which kind of value it applies to (a snapshot name, a tag key...),
what it checks, how to say it in an error message, where the rule comes from and whether
it is confirmed or assumed. :class:`RuleSet` is an ordered, immutable table of rules; the
stub takes one (``mock_lightsail(rules=...)``) and answers ``InvalidInputException`` with
the first rule a value breaks.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ._errors import LightsailStubError, safe_repr

#: What a rule applies to. Operations map their parameters to these kinds.
Kind = Literal["snapshot-name", "database-name", "tag-key", "tag-value", "tag-list"]
KINDS: tuple[Kind, ...] = ("snapshot-name", "database-name", "tag-key", "tag-value", "tag-list")

REFERENCE = "reference: CreateRelationalDatabaseSnapshot API page (shared/reference)"
MODEL = "botocore model: ResourceName pattern \\w[\\w\\-]*\\w"
ASSUMED = "assumed: AWS-wide tagging conventions, not confirmed for Lightsail"
TAG_LIMIT = "botocore model: TagResource ('Each resource can have a maximum of 50 tags')"

_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class RuleError(LightsailStubError):
    """A rule's ``check`` raised instead of answering ``True`` or ``False``."""


@dataclass(frozen=True)
class Length:
    """The value has from ``min`` to ``max`` characters (Unicode code points)."""

    min: int
    max: int

    def __call__(self, value: str) -> bool:
        return self.min <= len(value) <= self.max


@dataclass(frozen=True)
class Chars:
    """Every character is an ASCII letter or digit (``ascii_alnum``), in one of the Unicode
    ``categories`` (by first letter: ``"L"`` letters, ``"N"`` numbers, ``"Z"`` separators),
    or one of ``extra``."""

    ascii_alnum: bool = False
    categories: frozenset[str] = frozenset()
    extra: str = ""

    def __call__(self, value: str) -> bool:
        if value.isascii():  # the common case: one set comparison, in C
            return self._ascii_allowed.issuperset(value)
        return all(self._allowed(c) for c in value)

    @functools.cached_property
    def _ascii_allowed(self) -> frozenset[str]:
        return frozenset(c for c in map(chr, range(128)) if self._allowed(c))

    def _allowed(self, c: str) -> bool:
        if c in self.extra or (self.ascii_alnum and c in _ASCII_ALNUM):
            return True
        return bool(self.categories) and unicodedata.category(c)[0] in self.categories


@dataclass(frozen=True)
class Edges:
    """The first and the last character are ASCII letters or digits."""

    def __call__(self, value: str) -> bool:
        return bool(value) and value[0] in _ASCII_ALNUM and value[-1] in _ASCII_ALNUM


@dataclass(frozen=True)
class Pattern:
    """The whole value matches ``regex`` (ASCII semantics, as in the AWS models)."""

    regex: str

    def __call__(self, value: str) -> bool:
        return re.fullmatch(self.regex, value, re.ASCII) is not None


@dataclass(frozen=True)
class NoPrefix:
    """The value does not start with ``prefix`` (compared case-insensitively)."""

    prefix: str

    def __call__(self, value: str) -> bool:
        return not value.casefold().startswith(self.prefix.casefold())


@dataclass(frozen=True)
class MaxCount:
    """A list has at most ``max`` items."""

    max: int

    def __call__(self, value: Sequence[tuple[str, str | None]]) -> bool:
        return len(value) <= self.max


@dataclass(frozen=True)
class UniqueKeys:
    """No tag key appears twice in one list."""

    def __call__(self, value: Sequence[tuple[str, str | None]]) -> bool:
        keys = [key for key, _ in value]
        return len(keys) == len(set(keys))


@dataclass(frozen=True)
class Rule:
    """One documented (or assumed) constraint.

    ``check`` gets the value (a ``str``, or for ``"tag-list"`` a list of ``(key, value)``
    pairs) and returns whether it is allowed. ``says`` completes the sentence
    "<field> <value> is invalid: ..." in the error message.
    """

    id: str
    kind: Kind
    check: Callable[[Any], bool]
    says: str
    source: str
    assumed: bool = False


@dataclass(frozen=True)
class Violation:
    """A value that broke a rule; ``field`` is the parameter path, e.g. ``tags[1].key``."""

    rule: Rule
    field: str
    value: object

    @property
    def message(self) -> str:
        return f"{self.field} {describe_value(self.value)} is invalid: {self.rule.says}."


def describe_value(value: object, limit: int = 64) -> str:
    """A short, safe rendering of an offending value for an error message (it never
    raises: the message must reach the user whatever the value)."""
    if isinstance(value, str):
        if len(value) > limit:
            return f"{safe_repr(value[:limit])}... ({len(value)} characters)"
        return safe_repr(value)
    if isinstance(value, list):
        return f"({len(value)} items)"
    text = safe_repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({type(value).__name__})"


@dataclass(frozen=True)
class RuleSet:
    """An ordered table of rules. Immutable; derive variants with :meth:`replace`,
    :meth:`without` and :meth:`plus`."""

    name: str
    rules: tuple[Rule, ...]
    _by_kind: Mapping[Kind, tuple[Rule, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _accepts: Mapping[Kind, Callable[[Any], bool] | None] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"RuleSet {safe_repr(self.name)}: duplicate rule ids {duplicates}")
        for rule in self.rules:
            if rule.kind not in KINDS:
                raise ValueError(
                    f"rule {safe_repr(rule.id)}: kind {safe_repr(rule.kind)} is not one of {KINDS}"
                )
        by_kind = {kind: tuple(r for r in self.rules if r.kind == kind) for kind in KINDS}
        object.__setattr__(self, "_by_kind", by_kind)
        accepts = {kind: _fast_accept(rules) for kind, rules in by_kind.items()}
        object.__setattr__(self, "_accepts", accepts)

    # Pickled and copied without the compiled checks (closures), which are rebuilt: a
    # subclass keeps its class and its own fields.
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_accepts"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        accepts = {kind: _fast_accept(rules) for kind, rules in self._by_kind.items()}
        object.__setattr__(self, "_accepts", accepts)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def for_kind(self, kind: Kind) -> tuple[Rule, ...]:
        return self._by_kind[kind]

    def first_violation(self, kind: Kind, field: str, value: Any) -> Violation | None:
        accept = self._accepts[kind]
        if accept is not None and accept(value):
            return None
        return self._scan(kind, field, value)

    def _scan(self, kind: Kind, field: str, value: Any) -> Violation | None:
        """The first rule of ``kind`` that ``value`` breaks, calling each rule in order."""
        for rule in self._by_kind[kind]:
            try:
                allowed = rule.check(value)
            except Exception as error:
                raise RuleError(
                    f"rule {safe_repr(rule.id)} of RuleSet {safe_repr(self.name)} raised "
                    f"{type(error).__name__}: "
                    f"{error} while checking {field} {describe_value(value)}"
                ) from error
            if not allowed:
                return Violation(rule, field, value)
        return None

    def replace(self, rule_id: str, /, **changes: Any) -> RuleSet:
        """A copy with one rule changed:
        ``rules.replace("tag-list.count", check=MaxCount(10), says="at most 10 tags")``."""
        self._get(rule_id)
        rules = tuple(replace(r, **changes) if r.id == rule_id else r for r in self.rules)
        return RuleSet(self.name, rules)

    def without(self, *rule_ids: str, name: str | None = None) -> RuleSet:
        """A copy without the given rules (unknown ids raise ``KeyError`` naming the known ones)."""
        for rule_id in rule_ids:
            self._get(rule_id)
        rules = tuple(r for r in self.rules if r.id not in rule_ids)
        return RuleSet(name or self.name, rules)

    def plus(self, *rules: Rule, name: str | None = None) -> RuleSet:
        """A copy with extra rules, checked after the existing ones of their kind."""
        return RuleSet(name or self.name, self.rules + rules)

    def _get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        known = ", ".join(r.id for r in self.rules)
        raise KeyError(
            f"no rule {safe_repr(rule_id)} in RuleSet {safe_repr(self.name)}; known rules: {known}"
        )


def _fast_accept(rules: tuple[Rule, ...]) -> Callable[[Any], bool] | None:
    """One check equivalent to "no rule of ``rules`` is broken", when every rule is a
    built-in check with plain fields (else ``None``: the rules are called one by one).

    It only ever accepts: a value it refuses goes through :meth:`RuleSet.first_violation`'s
    loop, which finds the rule (and so the message) exactly as before, and raises
    :class:`RuleError` for a value a rule can't check. The rules of a kind all hold or not
    regardless of their order, so one check of the merged conditions is enough (a create
    with three tags: 8 such calls in place of 24 calls of rule objects).
    """
    lo, hi = 0, -1  # hi < 0: no Length rule
    chars: list[Chars] = []
    ascii_allowed: frozenset[str] | None = None
    edges = False
    patterns: list[Callable[[str], object]] = []
    prefixes: list[str] = []
    max_count = -1  # < 0: no MaxCount rule
    unique = False
    try:
        for rule in rules:
            check = rule.check
            # Exact types (a subclass may mean something else), and fields of the types
            # the built-ins expect.
            if type(check) is Length and type(check.min) is int and type(check.max) is int:
                lo = max(lo, check.min)
                hi = check.max if hi < 0 else min(hi, check.max)
                if hi < 0:  # no string is that short: leave it to the rules
                    return None
            elif type(check) is Chars:
                allowed = check._ascii_allowed  # what Chars itself compares ASCII text with
                ascii_allowed = allowed if ascii_allowed is None else ascii_allowed & allowed
                chars.append(check)
            elif type(check) is Edges:
                edges = True
            elif type(check) is Pattern and type(check.regex) is str:
                patterns.append(re.compile(check.regex, re.ASCII).fullmatch)
            elif type(check) is NoPrefix and type(check.prefix) is str:
                prefixes.append(check.prefix.casefold())
            elif type(check) is MaxCount and type(check.max) is int:
                max_count = check.max if max_count < 0 else min(max_count, check.max)
                if max_count < 0:
                    return None
            elif type(check) is UniqueKeys:
                unique = True
            else:
                return None
    except Exception:  # e.g. a Pattern that does not compile: the rule itself will say so
        return None
    strings = hi >= 0 or chars or edges or patterns or prefixes
    if strings and (max_count >= 0 or unique):
        return None  # string and list checks mixed in one kind: not a table the stub makes
    if max_count >= 0 or unique:
        return _list_accept(max_count, unique)
    if not strings:
        return _accept_anything
    pattern_tuple, prefix_tuple = tuple(patterns), tuple(prefixes)
    chars_tuple = tuple(chars)
    alnum = _ASCII_ALNUM
    if hi < 0:
        hi = 2**63

    def accept(value: Any) -> bool:
        if type(value) is not str or not lo <= len(value) <= hi:
            return False
        if ascii_allowed is not None:
            if value.isascii():
                if not ascii_allowed.issuperset(value):
                    return False
            else:
                try:
                    if not all(check(value) for check in chars_tuple):
                        return False
                except Exception:
                    return False
        if edges and not (value and value[0] in alnum and value[-1] in alnum):
            return False
        for fullmatch in pattern_tuple:
            if fullmatch(value) is None:
                return False
        if prefix_tuple:
            folded = value.casefold()
            for prefix in prefix_tuple:
                if folded.startswith(prefix):
                    return False
        return True

    return _Remembering(accept)


class _Remembering:
    """A compiled check that remembers the strings it accepted: the same names and tags
    come again and again (every backup of one database, with the same tags), and a set
    look-up answers them. Only accepted strings are kept, up to ``_REMEMBERED`` of them,
    of at most ``_REMEMBERED_LENGTH`` characters (about 1 MB at most, whatever a table
    allows); past that, values are checked."""

    __slots__ = ("_accept", "accepted")

    def __init__(self, accept: Callable[[Any], bool]) -> None:
        self._accept = accept
        self.accepted: set[str] = set()

    def __call__(self, value: Any) -> bool:
        if type(value) is str and value in self.accepted:
            return True
        if not self._accept(value):
            return False
        if len(self.accepted) < _REMEMBERED and len(value) <= _REMEMBERED_LENGTH:
            self.accepted.add(value)
        return True


#: How many accepted strings each compiled check of a RuleSet remembers, and how long.
_REMEMBERED = 1024
_REMEMBERED_LENGTH = 256


def _accept_anything(value: Any) -> bool:
    return True


def _list_accept(max_count: int, unique: bool) -> Callable[[Any], bool]:
    def accept(value: Any) -> bool:
        if type(value) is not list:
            return False
        if max_count >= 0 and len(value) > max_count:
            return False
        if unique:
            try:
                keys = [key for key, _ in value]
                return len(keys) == len(set(keys))
            except Exception:
                return False
        return True

    return accept


_NAME_RULES = (
    ("length", Length(2, 255), "must contain from 2 to 255 characters"),
    ("charset", Chars(ascii_alnum=True, extra="-"), "must contain only letters, digits or hyphens"),
    ("edges", Edges(), "the first and last character must be a letter or number"),
)
_TAG_CHARS = Chars(categories=frozenset("LNZ"), extra="+-=._:/@")
_TAG_CHARS_SAYS = "letters, numbers, spaces in UTF-8, or the following characters: + - = . _ : / @"

#: The rules of the reference page (the default), plus the assumed tag conventions.
REFERENCE_RULES = RuleSet(
    "reference",
    (
        *(
            Rule(f"snapshot-name.{rid}", "snapshot-name", check, says, REFERENCE)
            for rid, check, says in _NAME_RULES
        ),
        # The reference page only says the database must exist; CreateRelationalDatabase
        # documents the same name constraints, which are assumed to apply here too.
        *(
            Rule(
                f"database-name.{rid}",
                "database-name",
                check,
                says,
                "assumed: CreateRelationalDatabase's documented name constraints",
                assumed=True,
            )
            for rid, check, says in _NAME_RULES
        ),
        Rule("tag-key.empty", "tag-key", Length(1, 2**31), "must not be empty", ASSUMED, True),
        Rule(
            "tag-key.length", "tag-key", Length(0, 128), "must be at most 128 characters", REFERENCE
        ),
        Rule(
            "tag-key.charset",
            "tag-key",
            _TAG_CHARS,
            f"may contain only {_TAG_CHARS_SAYS}",
            REFERENCE,
        ),
        Rule(
            "tag-key.aws-prefix",
            "tag-key",
            NoPrefix("aws:"),
            "the prefix 'aws:' is reserved for AWS use",
            ASSUMED,
            True,
        ),
        Rule(
            "tag-value.length",
            "tag-value",
            Length(0, 256),
            "must be at most 256 characters",
            REFERENCE,
        ),
        Rule(
            "tag-value.charset",
            "tag-value",
            _TAG_CHARS,
            f"may contain only {_TAG_CHARS_SAYS}",
            REFERENCE,
        ),
        Rule("tag-list.count", "tag-list", MaxCount(50), "must have at most 50 tags", TAG_LIMIT),
        Rule(
            "tag-list.unique", "tag-list", UniqueKeys(), "must not repeat a tag key", ASSUMED, True
        ),
    ),
)

#: The reference rules, with the looser pattern the botocore model encodes for names,
#: ``\\w[\\w\\-]*\\w`` (allows ``_``), instead of the character and edge rules.
MODEL_PATTERN_RULES = RuleSet(
    "model-pattern",
    tuple(
        r
        for r in REFERENCE_RULES.rules
        if not r.id.endswith((".charset", ".edges")) or r.kind.startswith("tag")
    )
    + tuple(
        Rule(
            f"{kind}.pattern",
            kind,
            Pattern(r"\w[\w\-]*\w"),
            "must match the pattern \\w[\\w\\-]*\\w (letters, digits, underscores or hyphens, "
            "not starting or ending with a hyphen)",
            MODEL,
        )
        for kind in ("snapshot-name", "database-name")
    ),
)
