"""`pcrm search`: ranking across kinds, the query language, snippets, and an index that
follows every edit (the FTS triggers in store/migrations.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import dump
from pcrm.core.views.search import match_expression
from pcrm.errors import InvalidInput

MARKS = ("\ue000", "\ue001")


@pytest.fixture
def crm(cli):
    for args in (
        ("contact", "add", "Ada Lovelace", "--email", "ada@example.org", "--company", "Analytical"),
        ("contact", "add", "Grace Hopper", "--note", "Met her at the Lovelace society dinner"),
        ("contact", "add", "Zoë Müller", "--email", "zoe@muller.example", "--tag", "berlin"),
        ("contact", "add", "Charles Babbage", "--company", "Analytical", "--phone", "555-1234"),
        ("log", "ada", "Call: wants a quote for 20 seats", "-k", "call"),
        ("log", "zoe", "Lunch in Kreuzberg, talked about seats and quotas", "-k", "meeting"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr


def found(cli, *args: str) -> list[tuple[str, str, str]]:
    """(kind, id, name) of each hit, best first, from the plain output."""
    result = cli("search", *args)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return [tuple(line.split("\t")[:3]) for line in result.stdout.splitlines()]


def test_plain_lines(cli, crm):
    result = cli("search", "seats")
    assert result.stdout.splitlines() == [
        "interaction\t1\tcall with Ada Lovelace\tCall: wants a quote for 20 seats"
        "\t2026-11-23T10:00:00Z",
        "interaction\t2\tmeeting with Zoë Müller\tLunch in Kreuzberg, talked about seats and"
        " quotas\t2026-11-23T10:00:00Z",
    ]


def test_a_name_ranks_above_a_mention(cli, crm):
    assert found(cli, "lovelace") == [
        ("contact", "1", "Ada Lovelace"),
        ("contact", "2", "Grace Hopper"),
    ]
    # Across kinds: the company's name beats its people, who mention it in their details.
    assert found(cli, "analytical")[0] == ("company", "1", "Analytical")


def test_prefixes_match(cli, crm):
    assert found(cli, "lov") == [("contact", "1", "Ada Lovelace"), ("contact", "2", "Grace Hopper")]
    assert found(cli, "quot") == [
        ("interaction", "1", "call with Ada Lovelace"),
        ("interaction", "2", "meeting with Zoë Müller"),
    ]


def test_accents_and_case_do_not_matter(cli, crm):
    zoe = [("contact", "3", "Zoë Müller")]
    assert found(cli, "zoe") == zoe
    assert found(cli, "ZOË") == zoe
    assert found(cli, "muller", "--kind", "contact") == zoe


def test_quoted_phrase(cli, crm):
    assert found(cli, '"20 seats"') == [("interaction", "1", "call with Ada Lovelace")]
    assert found(cli, '"seats 20"') == []
    assert found(cli, '"quote for') == [("interaction", "1", "call with Ada Lovelace")]


def test_words_with_punctuation_stay_together(cli, crm):
    assert found(cli, "ada@example.org") == [("contact", "1", "Ada Lovelace")]
    assert found(cli, "555-1234") == [("contact", "4", "Charles Babbage")]
    assert found(cli, "example.org") == [("contact", "1", "Ada Lovelace")]


def test_all_words_must_match(cli, crm):
    assert found(cli, "seats", "lunch") == [("interaction", "2", "meeting with Zoë Müller")]
    assert found(cli, "seats lunch") == found(cli, "seats", "lunch")


def test_or_not_and_groups(cli, crm):
    assert sorted(found(cli, "hopper OR babbage")) == [
        ("contact", "2", "Grace Hopper"),
        ("contact", "4", "Charles Babbage"),
    ]
    assert found(cli, "seats NOT lunch") == [("interaction", "1", "call with Ada Lovelace")]
    assert found(cli, "seats AND lunch") == [("interaction", "2", "meeting with Zoë Müller")]
    assert found(cli, "(kreuzberg OR call) NOT quotas") == [
        ("interaction", "1", "call with Ada Lovelace")
    ]
    # NOT binds tighter than the AND between words: (seats NOT lunch) AND call.
    assert found(cli, "seats NOT lunch call") == [("interaction", "1", "call with Ada Lovelace")]
    # Lowercase words are words, not operators.
    assert found(cli, "not") == []


def test_kind_filter(cli, crm):
    assert found(cli, "ada", "--kind", "company") == []
    assert found(cli, "analytical", "-k", "companies") == [("company", "1", "Analytical")]
    assert found(cli, "analytical", "-k", "deals") == []
    bad = cli("search", "ada", "--kind", "task")
    assert (bad.exit_code, bad.stdout) == (1, "")
    assert bad.stderr == (
        'pcrm: error: unknown kind "task" (use one of: contact, company, deal, interaction)\n'
    )


def test_limit(cli, crm):
    result = cli("search", "a", "--limit", "2")
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == "showing only the best 2 matches (--limit 0 shows all)\n"
    one = cli("search", "lovelace", "-n", "1")
    assert one.stderr == "showing only the best match (--limit 0 shows all)\n"
    assert cli("search", "lovelace", "-n", "2").stderr == ""
    assert len(cli("search", "a", "--limit", "0").stdout.splitlines()) > 2


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ('"', 'nothing to search for in """ (give a word or a name)'),
        ("*", 'nothing to search for in "*" (give a word or a name)'),
        ("...", 'nothing to search for in "..." (give a word or a name)'),
        ('"*"', 'nothing to search for in ""*"" (give a word or a name)'),
        ("OR", 'nothing to search for in "OR" (give a word or a name)'),
        ("( )", 'nothing to search for in "( )" (give a word or a name)'),
        (
            "NOT ada",
            '"NOT" needs a word on each side, as in: ada NOT zoe'
            ' (to search for the word itself, write "not")',
        ),
        (
            "ada OR",
            '"OR" needs a word on each side, as in: ada OR zoe'
            ' (to search for the word itself, write "or")',
        ),
        (
            "ada AND NOT zoe",
            '"AND" needs a word on each side, as in: ada AND zoe'
            ' (to search for the word itself, write "and")',
        ),
        ("NEAR(", 'unbalanced "(" in "NEAR(" (close it with ")", or remove it)'),
        ("ada)", 'unbalanced ")" in "ada)" (remove it, or add a "(")'),
        ("ada ()", 'empty "()" in "ada ()" (put words inside, or remove it)'),
    ],
)
def test_malformed_queries_are_one_clear_line(cli, db_path, crm, query, error):
    before = dump(db_path)
    result = cli("search", query)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"pcrm: error: {error}\n"
    assert result.exception is None
    assert dump(db_path) == before


@pytest.mark.parametrize(
    "query",
    ['"unclosed phrase', "NEAR(a b)", "col:ada", "^ada", "ada*", "-ada", "a+b", "'", "{x}", "_"],
)
def test_fts_syntax_is_never_passed_through(cli, crm, query):
    result = cli("search", "--", query)
    assert result.exception is None
    assert result.exit_code in (0, 1)
    if result.exit_code:
        assert result.stderr.startswith("pcrm: error: ")
        assert len(result.stderr.splitlines()) == 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab \"()*:^-+.OR NOT AND NEAR,{}é_\\'")), max_size=20))
def test_any_query_is_valid_fts_or_a_clear_error(query):
    import sqlite3

    try:
        expression = match_expression(query)
    except InvalidInput as exc:
        assert "\n" not in str(exc)
        return
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('ab a b NEAR or and not é')")
    conn.execute("SELECT * FROM t WHERE t MATCH ?", [expression]).fetchall()


# -- output -----------------------------------------------------------------------------


def test_terminal_table_highlights_the_match(cli, crm):
    result = cli("search", "lovelace", terminal=True, width=80, env={"FORCE_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    assert "Ada \x1b[1;33mLovelace\x1b[0m" in result.stdout
    assert not any(mark in result.stdout for mark in MARKS)


def test_terminal_table_layout(cli, crm):
    result = cli("search", "seats", terminal=True, width=80)
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "Kind         ID  Name                     Match                         When",
        "interaction   1  call with Ada Lovelace   Call: wants a quote for 20    just now",
        "                                          seats",
        "interaction   2  meeting with Zoë Müller  Lunch in Kreuzberg, talked    just now",
        "                                          about seats and quotas",
    ]
    # Narrow: the When column goes first; the name is cut with "…", the match wraps.
    narrow = cli("search", "quote", terminal=True, width=50)
    assert [line.rstrip() for line in narrow.stdout.splitlines()] == [
        "Kind         ID  Name             Match",
        "interaction   1  call with Ada …  Call: wants a",
        "                                  quote for 20",
        "                                  seats",
    ]
    none = cli("search", "zzz", terminal=True)
    assert none.stdout == "no matches\n"


def test_piped_and_json_output_carry_no_markers(cli, crm):
    for args in (("lovelace",), ("lovelace", "--json"), ("seats",), ("seats", "--json")):
        result = cli("search", *args)
        assert not any(mark in result.stdout for mark in MARKS), args


def test_json_keys_and_values(cli, crm):
    result = cli("search", "lovelace", "--json")
    hits = json.loads(result.stdout)
    assert [list(hit) for hit in hits] == [["kind", "id", "title", "snippet", "at", "score"]] * 2
    assert hits[0] | {"score": 0} == {
        "kind": "contact",
        "id": 1,
        "title": "Ada Lovelace",
        "snippet": "Ada Lovelace",
        "at": None,
        "score": 0,
    }
    assert hits[1]["snippet"] == "Met her at the Lovelace society dinner"
    assert hits[0]["score"] > hits[1]["score"] > 0
    interaction = json.loads(cli("search", '"20 seats"', "--json").stdout)[0]
    assert interaction["at"] == "2026-11-23T10:00:00Z"
    assert interaction["title"] == "call with Ada Lovelace"
    assert json.loads(cli("search", "zzz", "--json").stdout) == []


def test_untrusted_text_in_snippets_is_literal(cli):
    cli("contact", "add", "Eve")
    cli("log", "eve", "[bold red]alert[/] \x1b]8;;http://x\x07link\x1b]8;;\x07 \ue000odd")
    for terminal in (True, False):
        result = cli("search", "alert", terminal=terminal, width=200)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "[bold red]alert[/]" in result.stdout
        assert "\\x1b]8;;http://x\\x07link" in result.stdout
        assert not any(mark in result.stdout for mark in MARKS)


def test_missing_database(cli, db_path):
    result = cli("search", "ada")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pcrm: error: no database at {db_path}")
    assert not db_path.exists()


# -- the index follows every change ------------------------------------------------------


def test_renamed_contact(cli, crm):
    cli("contact", "edit", "ada", "--name", "Augusta King")
    assert found(cli, "lovelace") == [("contact", "2", "Grace Hopper")]
    assert found(cli, "augusta") == [("contact", "1", "Augusta King")]
    # Interactions name their people as they are now.
    assert found(cli, '"20 seats"') == [("interaction", "1", "call with Augusta King")]


def test_removed_and_added_email(cli, crm):
    cli("contact", "edit", "ada", "--rm-email", "ada@example.org")
    assert found(cli, "ada@example.org") == []
    cli("contact", "edit", "ada", "--email", "countess@example.org")
    assert found(cli, "countess") == [("contact", "1", "Ada Lovelace")]


def test_tags_and_notes(cli, crm):
    cli("contact", "edit", "zoe", "--untag", "berlin")
    assert found(cli, "berlin") == []
    cli("contact", "edit", "grace", "--tag", "navy", "--note", "")
    assert found(cli, "navy") == [("contact", "2", "Grace Hopper")]
    assert found(cli, "society") == []


def test_deleted_contact(cli, crm):
    cli("contact", "rm", "charles", "--yes")
    assert found(cli, "babbage") == []
    assert found(cli, "555") == []
    # The interaction stays (its text is history) but no longer names the removed person.
    cli("contact", "rm", "ada", "--yes")
    assert found(cli, '"20 seats"') == [("interaction", "1", "call (no contact)")]


def test_renamed_and_deleted_company(cli, crm):
    cli("company", "edit", "analytical", "--name", "Difference Works")
    assert found(cli, "analytical") == []
    hits = found(cli, "difference")
    assert hits[0] == ("company", "1", "Difference Works")
    assert sorted(hits[1:]) == [
        ("contact", "1", "Ada Lovelace"),
        ("contact", "4", "Charles Babbage"),
    ]
    cli("company", "rm", "difference", "--yes")
    assert found(cli, "difference") == []
    assert found(cli, "babbage") == [("contact", "4", "Charles Babbage")]


def test_contact_moved_to_another_company(cli, crm):
    cli("contact", "edit", "charles", "--company", "Engines Ltd")
    assert ("contact", "4", "Charles Babbage") in found(cli, "engines")
    assert ("contact", "4", "Charles Babbage") not in found(cli, "analytical")
