"""The lead-scoring rule language: text -> a Rule, and a Rule -> its one canonical text.

A rule is points then one condition: `+10 tag:vip`, `-20 no interaction for 90 days`.
The grammar is in docs/scoring.md. The parser is strict and small: shlex splits words
(double quotes group them), then each condition reads its words in order, and any word it cannot
use is named in the error. Nothing is evaluated. What is stored is the canonical text
(`format_rule`), which parses back to the same Rule.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from pcrm.core.vocabulary import INTERACTION_KINDS
from pcrm.errors import InvalidInput

MAX_POINTS = 10_000
MAX_DAYS = 36_500
# `interaction` counts every kind; the others are the interaction kinds themselves.
ACTIVITIES = ("interaction", *INTERACTION_KINDS)
OPERATORS = (">=", "<=", "!=", ">", "<", "=", "~")  # those of `list --where`
CONDITIONS = ("tag:", "company:", "source:", "stage:", "field:", "title contains", "per", "no")

_POINTS = re.compile(r"^[+-]\d+$")
_OPERATOR_CHARS = "<>=!~"
_FIELD = re.compile(r"^(?P<name>[^\s<>=!~]+)\s*(?P<op>>=|<=|!=|>|<|=|~)\s*(?P<value>.*)$", re.S)
_BARE = re.compile(r'^[^\s"\\]+$')


@dataclass(frozen=True)
class Rule:
    """One parsed rule. `kind` names the condition; the other fields are its arguments:

    tag, company, source, stage: `value` | title: `value` (contained) |
    per: `activity`, `days`, `cap` (optional) | silent: `activity`, `days` |
    field: `value` (the field's name), `op`, `operand`
    """

    points: int
    kind: str
    value: str = ""
    activity: str = ""
    days: int = 0
    cap: int | None = None
    op: str = ""
    operand: str = ""


def quote(value: str) -> str:
    """A value as the rule language writes it: bare when it is one plain word."""
    if _BARE.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_rule(rule: Rule) -> str:
    points = f"{rule.points:+d}"
    if rule.kind in ("tag", "company", "source", "stage"):
        return f"{points} {rule.kind}:{quote(rule.value)}"
    if rule.kind == "title":
        return f"{points} title contains {quote(rule.value)}"
    if rule.kind == "per":
        cap = f" max {rule.cap}" if rule.cap is not None else ""
        return f"{points} per {rule.activity} in the last {_days(rule.days)}{cap}"
    if rule.kind == "silent":
        return f"{points} no {rule.activity} for {_days(rule.days)}"
    operand = quote(rule.operand) if rule.operand else ""
    # "field:a>=0" would read back as >= 0: an operand that starts like an operator is set
    # apart ("field:a> =0"), which the parser reads as > "=0".
    gap = " " if operand[:1] in _OPERATOR_CHARS else ""
    return f"{points} field:{rule.value}{rule.op}{gap}{operand}"


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


class _Words:
    """The words of a rule, read left to right; errors quote the rule and the bad word."""

    def __init__(self, text: str) -> None:
        self.text = " ".join(text.split())
        # Only double quotes group words: an apostrophe (O'Brien) is a letter.
        lexer = shlex.shlex(text, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        lexer.quotes = '"'
        try:
            self.words = list(lexer)
        except ValueError:
            raise self.error(
                "a quote is not closed", 'close it: title contains "co-founder"'
            ) from None
        self.at = 0

    def error(self, problem: str, hint: str | None = None) -> InvalidInput:
        return InvalidInput(f'bad rule "{self.text}": {problem}', hint=hint)

    def next(self, wanted: str, hint: str | None = None) -> str:
        if self.at >= len(self.words):
            raise self.error(f"{wanted} is missing at the end", hint)
        word = self.words[self.at]
        self.at += 1
        return word

    def peek(self) -> str | None:
        return self.words[self.at] if self.at < len(self.words) else None

    def keyword(self, *expected: str) -> None:
        """The next words must be `expected` (any case)."""
        for word in expected:
            found = self.next(f'"{word}"')
            if found.lower() != word:
                raise self.error(f'expected "{word}", found "{found}"')

    def number(self, what: str, low: int, high: int) -> int:
        word = self.next(what)
        if not word.isdigit() or not low <= int(word) <= high:
            raise self.error(f'{what} must be a whole number from {low} to {high}, not "{word}"')
        return int(word)

    def end(self) -> None:
        if self.at < len(self.words):
            raise self.error(f'unexpected "{self.words[self.at]}" after the end of the rule')


def parse_rule(text: str) -> Rule:
    """Parse one rule, or raise InvalidInput naming the part that is wrong."""
    words = _Words(text)
    if not words.words:
        raise words.error("it is empty", 'write points and a condition, e.g. "+10 tag:vip"')
    first = words.next("points")
    if not _POINTS.match(first):
        raise words.error(
            f'it must start with signed points such as +10 or -5, not "{first}"',
            'e.g. "+10 tag:vip"',
        )
    points = int(first)
    if points == 0 or abs(points) > MAX_POINTS:
        raise words.error(f"points must be from 1 to {MAX_POINTS} either way, not {first}")
    rule = _condition(words, points)
    words.end()
    return rule


def _condition(words: _Words, points: int) -> Rule:
    hint = "conditions: " + ", ".join(CONDITIONS) + "; see docs/scoring.md"
    word = words.next("a condition", hint)
    head, colon, rest = word.partition(":")
    kind = head.lower()
    if colon and kind in ("tag", "company", "source", "stage", "field"):
        # `tag:vip`, `tag:"big fish"` and `tag: vip` all read the same.
        value = rest or words.next(f"a value after {kind}:")
        if kind == "field":
            return _field(words, points, value)
        value = " ".join(value.split())
        if kind == "tag":
            value = value.lstrip("#")
        if not value:
            raise words.error(f"{kind}: needs a value")
        if kind == "tag" and "," in value:
            raise words.error(f'a tag has no commas: "{value}"', "write one rule per tag")
        return Rule(points, kind, value=value)
    if kind == "title":
        words.keyword("contains")
        value = " ".join(words.next("the text after contains").split())
        if not value:
            raise words.error("title contains needs some text")
        return Rule(points, "title", value=value)
    if kind in ("per", "no"):
        activity = words.next("an activity").lower()
        if activity not in ACTIVITIES:
            raise words.error(
                f'unknown activity "{activity}"', "use one of: " + ", ".join(ACTIVITIES)
            )
        if kind == "per":
            words.keyword("in", "the", "last")
        else:
            words.keyword("for")
        days = words.number("the number of days", 1, MAX_DAYS)
        unit = words.next('"days"')
        if unit.lower() not in ("day", "days"):
            raise words.error(f'expected "days", found "{unit}"')
        if kind == "no":
            return Rule(points, "silent", activity=activity, days=days)
        cap = None
        if (words.peek() or "").lower() == "max":
            words.next("max")
            cap = words.number("max", abs(points), MAX_POINTS * 100)
        return Rule(points, "per", activity=activity, days=days, cap=cap)
    raise words.error(f'unknown condition "{word}"', hint)


def _field(words: _Words, points: int, start: str) -> Rule:
    """`field:budget>10000`, also written with spaces: `field:budget > 10000`."""
    text = start
    following = words.peek()
    if not _FIELD.match(text) and following and following[:1] in _OPERATOR_CHARS:
        text += words.next("the comparison")
    match = _FIELD.match(text)
    if match is None:
        raise words.error(
            f"field:{text} needs a comparison", "e.g. field:budget>10000 or field:plan=pro"
        )
    operand = match["value"]
    if not operand and (words.peek() is not None or match["op"] not in ("=", "!=")):
        operand = words.next(f"a value after field:{match['name']}{match['op']}")
    # Nothing after = or != means "has no value" / "has a value", as in --where.
    operand = " ".join(operand.split())
    return Rule(points, "field", value=match["name"], op=match["op"], operand=operand)
