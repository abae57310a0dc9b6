"""Search and REFs agree on spellings: German transliterations (ü/ue, ö/oe, ä/ae, ß/ss)
and accents fold alike, and a phone number is found however it is written (issue 16)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import dump, error, ok

OLD_FILES = Path(__file__).parent / "fixtures" / "old_files"
MARK = "\ue000"


@pytest.fixture
def german(cli):
    for args in (
        ("contact", "add", "Jürgen Müller", "--phone", "+49 171 1234567"),
        ("contact", "add", "Juergen Schaefer", "--email", "js@example.de"),
        ("contact", "add", "Grace Hopper", "--note", "Lives on the Hauptstrasse"),
        ("company", "add", "Straße & Söhne"),
        ("log", "grace", "Met at the Große Freiheit, she knows Herr Mueller", "-k", "meeting"),
    ):
        ok(cli(*args))


def names(cli, query: str, *more: str) -> list[str]:
    """The names of the hits, best first, from the piped output."""
    out = ok(cli("search", query, *more))
    assert MARK not in out
    return [line.split("\t")[2] for line in out.splitlines()]


@pytest.mark.parametrize("query", ["Müller", "mueller", "muller", "MUELLER", "müll"])
def test_search_finds_an_umlaut_name_however_it_is_written(cli, german, query):
    assert names(cli, query)[0] == "Jürgen Müller"


@pytest.mark.parametrize("query", ["juergen", "jürgen", "Jurgen"])
def test_search_finds_both_spellings_of_a_first_name(cli, german, query):
    found = names(cli, query)
    assert "Jürgen Müller" in found
    if query != "Jurgen":  # "Juergen" keeps its e: only an umlaut or "ue" finds it
        assert "Juergen Schaefer" in found


@pytest.mark.parametrize("query", ["schäfer", "schaefer"])
def test_search_finds_ae_written_out_both_ways(cli, german, query):
    assert names(cli, query) == ["Juergen Schaefer"]


@pytest.mark.parametrize("query", ["strasse", "straße", "STRASSE"])
def test_search_folds_sharp_s_both_ways(cli, german, query):
    assert names(cli, query) == ["Straße & Söhne"]


@pytest.mark.parametrize("query", ["hauptstraße", "hauptstrasse"])
def test_search_folds_sharp_s_in_the_details(cli, german, query):
    assert names(cli, query) == ["Grace Hopper"]


@pytest.mark.parametrize("query", ["grosse", "große", '"große freiheit"'])
def test_search_folds_interaction_text_and_phrases(cli, german, query):
    assert names(cli, query) == ["meeting with Grace Hopper"]


def test_an_umlaut_in_the_query_finds_the_written_out_form_in_a_note(cli, german):
    found = names(cli, "müller")
    assert found[0] == "Jürgen Müller"
    assert "meeting with Grace Hopper" in found  # "Herr Mueller"


def test_search_on_a_terminal_highlights_the_other_spelling(cli, german):
    result = cli("search", "mueller", terminal=True, width=80)
    out = ok(result)
    assert "Jürgen Müller" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    hits = json.loads(ok(cli("search", "mueller", "--json")))
    assert {"Jürgen Müller", "meeting with Grace Hopper"} <= {hit["title"] for hit in hits}
    assert f"{MARK}Müller" not in json.dumps(hits)  # marks never leak into JSON


def test_ordinary_words_are_not_read_as_umlauts(cli):
    ok(cli("contact", "add", "Blue Sky"))
    ok(cli("contact", "add", "Blum Quentin"))
    ok(cli("contact", "add", "Zoe Adams"))
    ok(cli("contact", "add", "Zora Öz"))
    assert names(cli, "blue") == ["Blue Sky"]  # not "blü*", which would find "Blum"
    assert names(cli, "queen") == []
    assert names(cli, "zoe") == ["Zoe Adams"]


# REFs: show and log


@pytest.mark.parametrize("ref", ["mueller", "Müller", "muller", "jürgen", "juergen mueller"])
def test_show_finds_an_umlaut_name_by_its_transliteration(cli, german, ref):
    out = ok(cli("show", ref, terminal=True, width=80))
    assert "Jürgen Müller" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert ok(cli("show", ref)).splitlines()[0] == "contact 1: Jürgen Müller"


@pytest.mark.parametrize("ref", ["jürgen schäfer", "Schäfer", "schafer", "juergen schaefer"])
def test_show_finds_a_written_out_name_by_its_umlauts(cli, german, ref):
    assert ok(cli("show", ref)).splitlines()[0] == "contact 2: Juergen Schaefer"


@pytest.mark.parametrize("ref", ["strasse", "straße", "Strasse & Sohne"])
def test_show_folds_sharp_s_in_a_company_ref(cli, german, ref):
    assert ok(cli("show", ref)).splitlines()[0] == "company 1: Straße & Söhne"


def test_log_takes_a_transliterated_ref(cli, german):
    assert ok(cli("log", "mueller", "Called about the quote")) == (
        "logged note 2 with Jürgen Müller\n"
    )
    assert ok(cli("log", "schäfer", "Sent the offer", "-k", "email")) == (
        "logged email 3 with Juergen Schaefer\n"
    )


def test_a_spelling_as_written_wins_over_a_transliteration(cli, german):
    ok(cli("contact", "add", "Hans Mueller"))
    # Both are "mueller" folded, but only Hans is written so: he is the one named.
    assert ok(cli("show", "mueller")).splitlines()[0] == "contact 4: Hans Mueller"
    assert ok(cli("show", "müller")).splitlines()[0] == "contact 1: Jürgen Müller"
    # Search, which lists, shows both.
    assert {"Hans Mueller", "Jürgen Müller"} <= set(names(cli, "mueller"))


def test_a_transliteration_matching_two_people_lists_them(cli, db_path, german):
    ok(cli("contact", "add", "Jörg Schäfer"))
    ok(cli("contact", "add", "Joerg Schaefer"))
    before = dump(db_path)
    # Written neither way, "Joerg Schäfer" is both of them: never a guess.
    err = error(cli("log", "Joerg Schäfer", "hello"))
    assert err.splitlines() == [
        'pcrm: error: "Joerg Schäfer" matches 2 contacts (use the id, an email, or more of'
        " the name)",
        "  4  Jörg Schäfer",
        "  5  Joerg Schaefer",
    ]
    assert dump(db_path) == before


# Phone numbers

WAYS = ["1711234567", "+491711234567", "0171 1234567", "(0171) 123-4567", "0049 171 1234567"]


@pytest.mark.parametrize("query", WAYS)
def test_search_finds_a_phone_however_it_is_written(cli, german, query):
    out = ok(cli("search", query))
    assert out.splitlines()[0] == "contact\t1\tJürgen Müller\t+49 171 1234567\t"
    terminal = ok(cli("search", query, terminal=True, width=80))
    assert "Jürgen Müller" in terminal and "+49 171 1234567" in terminal
    assert all(len(line) <= 80 for line in terminal.splitlines())


def test_search_for_a_phone_lists_the_contact_once(cli, german):
    hits = json.loads(ok(cli("search", "+49 171 1234567", "--json")))
    assert [(hit["kind"], hit["id"]) for hit in hits] == [("contact", 1)]
    assert hits[0]["snippet"] == "+49 171 1234567"
    assert names(cli, "1711234567", "--kind", "company") == []


@pytest.mark.parametrize("ref", [*WAYS, "+49 (0)171 123 45 67"])
def test_show_and_log_find_a_contact_by_phone(cli, german, ref):
    out = ok(cli("show", ref, terminal=True, width=80))
    assert "Jürgen Müller" in out
    assert ok(cli("show", ref)).splitlines()[0] == "contact 1: Jürgen Müller"
    assert ok(cli("log", ref, "Called back", "-k", "call")).startswith("logged call ")
    assert "Called back" in ok(cli("timeline", "jürgen müller"))


def test_a_number_stored_nationally_is_found_by_its_international_form(cli):
    ok(cli("contact", "add", "Jens Weber", "--phone", "0171 7654321"))
    assert ok(cli("show", "+49 171 7654321")).splitlines()[0] == "contact 1: Jens Weber"
    assert names(cli, "+491717654321") == ["Jens Weber"]


def test_a_number_two_people_share_lists_them(cli, db_path, german):
    ok(cli("contact", "add", "Jens Weber", "--phone", "0171 1234567"))
    before = dump(db_path)
    err = error(cli("log", "+49 171 1234567", "hello"))
    assert err.splitlines() == [
        'pcrm: error: "+49 171 1234567" matches 2 contacts (use the id, an email or the name)',
        "  1  Jürgen Müller",
        "  4  Jens Weber",
    ]
    assert dump(db_path) == before


def test_a_number_nobody_has_is_one_clear_error(cli, db_path, german):
    before = dump(db_path)
    result = cli("log", "+44 20 7946 0018", "hello")
    assert error(result) == (
        "pcrm: error: no contact has the phone number +44 20 7946 0018"
        " (try: pcrm search '+44 20 7946 0018')\n"
    )
    assert dump(db_path) == before


def test_an_id_stays_an_id(cli, german):
    assert ok(cli("show", "1")).splitlines()[0] == "contact 1: Jürgen Müller"
    # Digits that are neither an id nor anyone's number: the id error, as before.
    assert "no contact has id 99999999" in error(cli("log", "99999999", "hello"))


# An old file


def test_an_old_file_finds_its_records_the_new_way(cli, tmp_path):
    folder = tmp_path / "old"
    folder.mkdir(mode=0o700)
    path = folder / "pcrm.db"
    shutil.copyfile(OLD_FILES / "4b1d639.sqlite", path)
    os.chmod(path, 0o600)
    # Written by the first main's schema, as its `contact add` did.
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO contacts (id, uid, name, name_key, created_at, updated_at)"
            " VALUES (2, 'u-2', 'Jürgen Straßer', 'jurgen strasser',"
            " '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z')"
        )
        conn.execute("INSERT INTO contact_phones (contact_id, phone) VALUES (2, '+49 171 1234567')")
    conn.close()
    db = ("--db", str(path))
    assert ok(cli(*db, "show", "juergen strasser")).splitlines()[0] == ("contact 2: Jürgen Straßer")
    assert ok(cli(*db, "show", "0171 1234567")).splitlines()[0] == "contact 2: Jürgen Straßer"
    for query in ("juergen", "strasser", "1711234567"):
        out = ok(cli(*db, "search", query))
        assert [line.split("\t")[2] for line in out.splitlines()] == ["Jürgen Straßer"]
