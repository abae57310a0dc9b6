"""The scoring rule language: what each kind of rule parses to, its one canonical text, and
an error naming the bad part for everything else."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pcrm.core.people.score_rules import ACTIVITIES, OPERATORS, Rule, format_rule, parse_rule
from pcrm.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "rule", "canonical"),
    [
        ("+10 tag:vip", Rule(10, "tag", value="vip"), "+10 tag:vip"),
        ("+3 TAG: #VIP", Rule(3, "tag", value="VIP"), "+3 tag:VIP"),
        ('+2 tag:"big  fish"', Rule(2, "tag", value="big fish"), '+2 tag:"big fish"'),
        (
            '+10 company:"Analytical Engines"',
            Rule(10, "company", value="Analytical Engines"),
            '+10 company:"Analytical Engines"',
        ),
        ("+5   source:referral ", Rule(5, "source", value="referral"), "+5 source:referral"),
        ("+20 Stage: SQL", Rule(20, "stage", value="SQL"), "+20 stage:SQL"),
        (
            '+15 title contains "founder"',
            Rule(15, "title", value="founder"),
            "+15 title contains founder",
        ),
        (
            "+1 Title CONTAINS O'Brien's",
            Rule(1, "title", value="O'Brien's"),
            "+1 title contains O'Brien's",
        ),
        (
            '+1 title contains "O\'Brien \\"Jr\\""',
            Rule(1, "title", value='O\'Brien "Jr"'),
            '+1 title contains "O\'Brien \\"Jr\\""',
        ),
        (
            "+5 per interaction in the last 30 days",
            Rule(5, "per", activity="interaction", days=30),
            "+5 per interaction in the last 30 days",
        ),
        (
            "+5 PER Call in the last 1 day max 20",
            Rule(5, "per", activity="call", days=1, cap=20),
            "+5 per call in the last 1 day max 20",
        ),
        (
            "-2 per email in the last 7 days max 6",
            Rule(-2, "per", activity="email", days=7, cap=6),
            "-2 per email in the last 7 days max 6",
        ),
        (
            "-20 no interaction for 90 days",
            Rule(-20, "silent", activity="interaction", days=90),
            "-20 no interaction for 90 days",
        ),
        (
            "-5 no meeting for 1 days",
            Rule(-5, "silent", activity="meeting", days=1),
            "-5 no meeting for 1 day",
        ),
        (
            "+10 field:budget>10000",
            Rule(10, "field", value="budget", op=">", operand="10000"),
            "+10 field:budget>10000",
        ),
        (
            "+10 field:budget >= 10000",
            Rule(10, "field", value="budget", op=">=", operand="10000"),
            "+10 field:budget>=10000",
        ),
        (
            '+4 field:city= "New York"',
            Rule(4, "field", value="city", op="=", operand="New York"),
            '+4 field:city="New York"',
        ),
    ],
)
def test_each_kind_of_rule_parses_to_its_canonical_text(text, rule, canonical):
    assert parse_rule(text) == rule
    assert format_rule(rule) == canonical
    assert parse_rule(canonical) == rule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'bad rule "": it is empty (write points and a condition, e.g. "+10 tag:vip")'),
        (
            "10 tag:vip",
            'bad rule "10 tag:vip": it must start with signed points such as +10 or -5,'
            ' not "10" (e.g. "+10 tag:vip")',
        ),
        ("+0 tag:vip", 'bad rule "+0 tag:vip": points must be from 1 to 10000 either way, not +0'),
        (
            "+10001 tag:vip",
            'bad rule "+10001 tag:vip": points must be from 1 to 10000 either way, not +10001',
        ),
        (
            "+10 tga:vip",
            'bad rule "+10 tga:vip": unknown condition "tga:vip" (conditions: tag:, company:,'
            " source:, stage:, field:, title contains, per, no; see docs/scoring.md)",
        ),
        (
            "+10",
            'bad rule "+10": a condition is missing at the end (conditions: tag:, company:,'
            " source:, stage:, field:, title contains, per, no; see docs/scoring.md)",
        ),
        ("+10 tag:", 'bad rule "+10 tag:": a value after tag: is missing at the end'),
        ('+10 tag:"#"', 'bad rule "+10 tag:"#"": tag: needs a value'),
        (
            "+1 tag:a,b",
            'bad rule "+1 tag:a,b": a tag has no commas: "a,b" (write one rule per tag)',
        ),
        (
            "+10 tag:vip now",
            'bad rule "+10 tag:vip now": unexpected "now" after the end of the rule',
        ),
        (
            "+10 company:Analytical Engines",
            'bad rule "+10 company:Analytical Engines": unexpected "Engines" after the end'
            " of the rule",
        ),
        ("+15 title has x", 'bad rule "+15 title has x": expected "contains", found "has"'),
        (
            '+15 title contains "founder',
            'bad rule "+15 title contains "founder": a quote is not closed'
            ' (close it: title contains "co-founder")',
        ),
        (
            "+5 per lunch in the last 3 days",
            'bad rule "+5 per lunch in the last 3 days": unknown activity "lunch"'
            " (use one of: interaction, call, email, meeting, demo, message, note)",
        ),
        (
            "+5 per call in the past 3 days",
            'bad rule "+5 per call in the past 3 days": expected "last", found "past"',
        ),
        (
            "+5 per call in the last 0 days",
            'bad rule "+5 per call in the last 0 days": the number of days must be a whole'
            ' number from 1 to 36500, not "0"',
        ),
        (
            "+5 per call in the last 3 weeks",
            'bad rule "+5 per call in the last 3 weeks": expected "days", found "weeks"',
        ),
        (
            "+5 per call in the last 3 days max 4",
            'bad rule "+5 per call in the last 3 days max 4": max must be a whole number'
            ' from 5 to 1000000, not "4"',
        ),
        (
            "-20 no interaction since 90 days",
            'bad rule "-20 no interaction since 90 days": expected "for", found "since"',
        ),
        (
            "+10 field:budget",
            'bad rule "+10 field:budget": field:budget needs a comparison'
            " (e.g. field:budget>10000 or field:plan=pro)",
        ),
        (
            "+10 field:budget>",
            'bad rule "+10 field:budget>": a value after field:budget> is missing at the end',
        ),
    ],
)
def test_a_bad_rule_is_one_error_naming_the_bad_part(text, message):
    with pytest.raises(InvalidInput) as caught:
        parse_rule(text)
    assert str(caught.value) == message


words = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
    lambda value: " ".join(value.split()) == value and value
)
rules = st.one_of(
    st.builds(
        lambda p, kind, value: Rule(p, kind, value=value.lstrip("#") or "x"),
        st.integers(1, 10_000) | st.integers(-10_000, -1),
        st.sampled_from(["company", "source", "stage", "title"]),
        words,
    ),
    st.builds(
        lambda p, activity, days, cap: Rule(
            p, "per", activity=activity, days=days, cap=None if cap is None else cap + abs(p)
        ),
        st.integers(1, 100) | st.integers(-100, -1),
        st.sampled_from(ACTIVITIES),
        st.integers(1, 36_500),
        st.none() | st.integers(0, 1000),
    ),
    st.builds(
        lambda p, activity, days: Rule(p, "silent", activity=activity, days=days),
        st.integers(-100, -1),
        st.sampled_from(ACTIVITIES),
        st.integers(1, 36_500),
    ),
    st.builds(
        lambda p, name, op, operand: Rule(p, "field", value=name, op=op, operand=operand),
        st.integers(1, 100),
        st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
        st.sampled_from(OPERATORS),
        words,
    ),
)


@given(rules)
@example(Rule(1, "field", value="a", op=">", operand="=0"))  # not read back as >= 0
@example(Rule(1, "field", value="a", op="=", operand="~x"))
def test_the_canonical_text_parses_back_to_the_same_rule(rule):
    assert parse_rule(format_rule(rule)) == rule


@given(st.text(max_size=40))
def test_parsing_is_total(text):
    """Any text is a rule or one InvalidInput; nothing else escapes."""
    try:
        rule = parse_rule(text)
    except InvalidInput as exc:
        assert "\n" not in exc.message or "\n" in text
    else:
        assert parse_rule(format_rule(rule)) == rule
