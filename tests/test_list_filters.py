"""Filters that combine on every list (issue 16): repeated --tag means all of them,
--any-tag and --no-tag, commas split or refused (never a silent empty list), repeated
one-valued filters mean any of them, --last-contact-before, --sort with --reverse and
--offset; plain, terminal (80 columns) and --json alike."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from conftest import NOW, dump, error, ok, one_line_error

# NOW is Monday 2026-11-23 10:00 UTC.


def column(stdout: str, index: int) -> list[str]:
    """One column of piped (tab-separated) output."""
    return [line.split("\t")[index] for line in stdout.splitlines()]


def names(stdout: str) -> list[str]:
    return column(stdout, 1)


def json_names(stdout: str, key: str = "name") -> list[str]:
    return [row[key] for row in json.loads(stdout)]


@pytest.fixture
def crm(cli):
    """Four companies (one with a comma in its name), four contacts, three deals, three
    follow-ups."""
    for args in (
        ("Acme", "--industry", "Energy", "-t", "partner,vip"),
        ("Globex", "--industry", "Health", "-t", "partner"),
        ("Initech", "--industry", "Retail"),
        ("Smith, Jones & Co", "--industry", "Law"),
    ):
        ok(cli("company", "add", *args))
    for args in (
        ("Ada", "-c", "Acme", "-t", "vip,press", "--source", "referral"),
        ("Bob", "-c", "Globex", "-t", "vip", "--source", "event"),
        ("Cy", "-c", "Initech", "-t", "press", "--source", "website"),
        ("Dee", "-c", "company:Smith", "--source", "referral"),
    ):
        ok(cli("contact", "add", *args))
    ok(cli("contact", "stage", "ada", "customer"))
    ok(cli("contact", "stage", "bob", "prospect"))
    ok(cli("log", "ada", "Call", "--at", "2026-11-20 09:00"))
    ok(cli("log", "bob", "Call", "--at", "2026-06-01 09:00"))
    ok(cli("log", "dee", "Call", "--at", "2026-11-22 10:00"))
    # Planned, not happened: Cy has still never been contacted.
    ok(cli("log", "cy", "Meeting", "--kind", "meeting", "--at", "2026-11-30 10:00"))
    ok(
        cli(
            "deal", "add", "Alpha", "-c", "Acme", "--contact", "ada", "--contact", "bob",
            "-t", "big,eu", "--value", "100", "--close", "2026-12-05",
        )
    )  # fmt: skip
    ok(
        cli(
            "deal", "add", "Beta", "-c", "Globex", "--contact", "bob", "-t", "big",
            "--value", "200", "--close", "2026-12-25",
        )
    )  # fmt: skip
    ok(
        cli(
            "deal", "add", "Gamma", "-c", "Initech", "--contact", "cy", "-t", "eu",
            "--value", "50", "--close", "2026-12-15",
        )
    )  # fmt: skip
    ok(cli("deal", "won", "beta"))
    ok(cli("deal", "lost", "gamma", "--reason", "price"))
    ok(cli("follow-up", "ada", "Call back", "--due", "2026-11-24"))
    ok(cli("follow-up", "bob", "Send deck", "--due", "2026-11-30"))
    ok(cli("follow-up", "cy", "Visit", "--due", "2026-11-25", "--deal", "gamma"))


# -- contacts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tag", "vip", "--tag", "press"], ["Ada"]),
        (["--tag", "vip,press"], ["Ada"]),
        (["--tag", "#VIP, press"], ["Ada"]),
        (["--any-tag", "vip", "--any-tag", "press"], ["Ada", "Bob", "Cy"]),
        (["--any-tag", "vip,press"], ["Ada", "Bob", "Cy"]),
        (["--no-tag", "vip"], ["Cy", "Dee"]),
        (["--no-tag", "vip,press"], ["Dee"]),
        (["--tag", "vip", "--no-tag", "press"], ["Bob"]),
        (["--any-tag", "press", "--no-tag", "vip"], ["Cy"]),
        (["--company", "acme", "--company", "globex"], ["Ada", "Bob"]),
        (["--company", "Smith, Jones & Co"], ["Dee"]),
        (["--source", "referral", "--source", "event"], ["Ada", "Bob", "Dee"]),
        (["--source", "referral,event"], ["Ada", "Bob", "Dee"]),
        (["--stage", "customer", "--stage", "prospect"], ["Ada", "Bob"]),
        (["--stage", "customer,prospect"], ["Ada", "Bob"]),
        (["--search", "ada", "--search", "acme"], ["Ada"]),
        (["--search", "ada", "--search", "globex"], []),
        (["--last-contact-before", "2026-11-01"], ["Bob", "Cy"]),
        (["--last-contact-before", "yesterday"], ["Ada", "Bob", "Cy"]),
        (["--last-contact-before", "yesterday", "--tag", "vip"], ["Ada", "Bob"]),
        (
            ["--last-contact-before", "yesterday", "--last-contact-before", "2026-11-01"],
            ["Bob", "Cy"],
        ),
        (
            ["--any-tag", "vip,press", "--source", "referral,website", "--sort", "name"],
            ["Ada", "Cy"],
        ),
        (["--sort", "name", "--reverse"], ["Dee", "Cy", "Bob", "Ada"]),
        (["--sort", "recent"], ["Dee", "Ada", "Bob", "Cy"]),
        (["--sort", "recent", "--reverse"], ["Cy", "Bob", "Ada", "Dee"]),
        (["--sort", "name", "--offset", "1", "--limit", "2"], ["Bob", "Cy"]),
    ],
)
def test_contact_list_filters(cli, crm, args, expected):
    piped = cli("contact", "list", *args)
    assert names(ok(piped)) == expected
    assert json_names(ok(cli("contact", "list", *args, "--json"))) == expected


def test_contact_list_on_a_terminal(cli, crm):
    result = cli("contact", "list", "--tag", "vip", "--tag", "press", terminal=True, width=80)
    shown = ok(result)
    assert "Ada" in shown
    assert "Bob" not in shown and "Cy" not in shown
    assert all(len(line) <= 80 for line in shown.splitlines())
    assert result.stderr == ""


def test_contact_list_page_says_which_rows(cli, crm):
    page = cli("contact", "list", "--offset", "1", "--limit", "2")
    assert names(ok(page)) == ["Bob", "Cy"]
    assert page.stderr == "showing 2-3 of 4 (--offset 3 for the next)\n"
    last = cli("contact", "list", "--offset", "3", "--limit", "2", "--json")
    assert json_names(ok(last)) == ["Dee"]
    assert last.stderr == "showing 4-4 of 4\n"
    past = cli("contact", "list", "--offset", "9")
    assert ok(past) == ""
    assert past.stderr == "showing none of 4: --offset 9 is past the end\n"


def test_contact_list_comma_in_a_company_ref_is_refused(cli, crm, db_path):
    before = dump(db_path)
    message = one_line_error(cli("contact", "list", "--company", "acme,globex"))
    assert (
        message == 'pcrm: error: no company matches "acme,globex" (for several, repeat --company)\n'
    )
    assert dump(db_path) == before


def test_contact_list_bad_values_are_errors(cli, crm, db_path):
    before = dump(db_path)
    assert '"someday"' in one_line_error(cli("contact", "list", "--last-contact-before", "someday"))
    assert "customer" in error(cli("contact", "list", "--stage", "customer,nope"))
    assert cli("contact", "list", "--offset", "-1").exit_code == 2
    assert cli("contact", "list", "--sort", "size").exit_code == 2
    assert dump(db_path) == before


def test_several_where_conditions_all_apply(cli, crm, db_path):
    ok(cli("field", "add", "plan", "--type", "choice", "--choices", "free,pro,enterprise"))
    ok(cli("field", "add", "seats", "--type", "number"))
    ok(cli("contact", "edit", "ada", "--set", "plan=pro", "--set", "seats=20"))
    ok(cli("contact", "edit", "bob", "--set", "plan=pro", "--set", "seats=5"))
    ok(cli("contact", "edit", "cy", "--set", "plan=free", "--set", "seats=50"))
    both = cli("contact", "list", "--where", "plan=pro", "--where", "seats>10")
    assert names(ok(both)) == ["Ada"]
    # A comma does not make a list of choices: refused, not an empty list.
    before = dump(db_path)
    assert "plan" in error(cli("contact", "list", "--where", "plan=pro,enterprise"))
    assert dump(db_path) == before


# -- companies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--tag", "vip", "--tag", "partner"], ["Acme"]),
        (["--tag", "partner,vip"], ["Acme"]),
        (["--any-tag", "vip,partner"], ["Acme", "Globex"]),
        (["--no-tag", "partner"], ["Initech", "Smith, Jones & Co"]),
        (["--no-tag", "vip", "--tag", "partner"], ["Globex"]),
        (["--industry", "energy", "--industry", "health"], ["Acme", "Globex"]),
        (["--industry", "Energy,Law"], ["Acme", "Smith, Jones & Co"]),
        (["--sort", "name", "--reverse"], ["Smith, Jones & Co", "Initech", "Globex", "Acme"]),
        (["--sort", "name", "--offset", "2"], ["Initech", "Smith, Jones & Co"]),
        (["--sort", "recent", "--limit", "2"], ["Smith, Jones & Co", "Acme"]),
    ],
)
def test_company_list_filters(cli, crm, args, expected):
    assert names(ok(cli("company", "list", *args))) == expected
    assert json_names(ok(cli("company", "list", *args, "--json"))) == expected


def test_company_list_on_a_terminal(cli, crm):
    result = cli("company", "list", "--any-tag", "vip,partner", terminal=True, width=80)
    shown = ok(result)
    assert "Acme" in shown and "Globex" in shown
    assert "Initech" not in shown
    assert all(len(line) <= 80 for line in shown.splitlines())


# -- deals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--status", "all", "--tag", "big", "--tag", "eu"], ["Alpha"]),
        (["--status", "all", "--tag", "big,eu"], ["Alpha"]),
        (["--status", "all", "--any-tag", "big,eu", "--sort", "title"], ["Alpha", "Beta", "Gamma"]),
        (["--status", "all", "--no-tag", "eu"], ["Beta"]),
        (["--status", "won", "--status", "lost", "--sort", "title"], ["Beta", "Gamma"]),
        (["--status", "won,lost", "--sort", "title"], ["Beta", "Gamma"]),
        (["--status", "all", "--contact", "ada", "--contact", "bob"], ["Alpha"]),
        (["--status", "all", "--contact", "bob", "--sort", "title"], ["Alpha", "Beta"]),
        (["--status", "all", "-c", "acme", "-c", "initech", "--sort", "title"], ["Alpha", "Gamma"]),
        (["--stage", "qualified,demo"], ["Alpha"]),
        (
            ["--status", "all", "--closing-before", "2026-12-31", "--closing-before", "2026-12-10"],
            ["Alpha"],
        ),
        (
            ["--status", "all", "--closing-after", "2026-12-01", "--closing-after", "2026-12-20"],
            ["Beta"],
        ),
        (["--status", "all", "--sort", "value"], ["Beta", "Alpha", "Gamma"]),
        (["--status", "all", "--sort", "value", "--reverse"], ["Gamma", "Alpha", "Beta"]),
        (["--status", "all", "--sort", "value", "--offset", "1", "-n", "1"], ["Alpha"]),
    ],
)
def test_deal_list_filters(cli, crm, args, expected):
    assert column(ok(cli("deal", "list", *args)), 1) == expected
    assert json_names(ok(cli("deal", "list", *args, "--json")), "title") == expected


def test_deal_list_on_a_terminal(cli, crm):
    result = cli("deal", "list", "--status", "won,lost", terminal=True, width=80)
    shown = ok(result)
    assert "Beta" in shown and "Gamma" in shown
    assert "Alpha" not in shown
    assert all(len(line) <= 80 for line in shown.splitlines())


def test_deal_list_bad_values(cli, crm, db_path):
    before = dump(db_path)
    bad = cli("deal", "list", "--status", "won,closed")
    assert bad.exit_code == 2
    assert "'closed' is not one of open, won, lost, all" in bad.stderr
    assert one_line_error(cli("deal", "list", "--contact", "ada,bob")) == (
        'pcrm: error: no contact matches "ada,bob" (for several, repeat --contact)\n'
    )
    assert error(cli("deal", "list", "--stage", "qualified,nope")).startswith(
        'pcrm: error: no stage "nope" in pipeline Sales'
    )
    assert dump(db_path) == before


# -- tasks ---------------------------------------------------------------------------------


def titles(stdout: str) -> list[str]:
    return column(stdout, 4)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["Call back", "Visit", "Send deck"]),
        (["--contact", "ada", "--contact", "bob"], ["Call back", "Send deck"]),
        (["--deal", "gamma", "--deal", "alpha"], ["Visit"]),
        (["--sort", "title"], ["Call back", "Send deck", "Visit"]),
        (["--sort", "title", "--reverse"], ["Visit", "Send deck", "Call back"]),
        (["--sort", "contact", "--reverse"], ["Visit", "Send deck", "Call back"]),
        (["--offset", "1", "--limit", "1"], ["Visit"]),
    ],
)
def test_task_list_filters(cli, crm, args, expected):
    assert titles(ok(cli("task", "list", *args))) == expected
    assert json_names(ok(cli("task", "list", *args, "--json")), "title") == expected


def test_task_list_page_and_terminal(cli, crm):
    page = cli("task", "list", "--offset", "1", "--limit", "1")
    assert page.stderr == "showing 2-2 of 3 (--offset 2 for the next)\n"
    shown = ok(cli("task", "list", "--sort", "due", "--reverse", terminal=True, width=80))
    assert shown.index("Send deck") < shown.index("Visit") < shown.index("Call back")
    assert all(len(line) <= 80 for line in shown.splitlines())
    assert one_line_error(cli("task", "list", "--contact", "ada,bob")) == (
        'pcrm: error: no contact matches "ada,bob" (for several, repeat --contact)\n'
    )


def test_sorts_match_core():
    from typing import get_args

    from pcrm.cli.task import Sort
    from pcrm.core.activity.tasks import SORTS

    assert list(get_args(Sort)) == list(SORTS)


def test_last_contact_before_counts_only_what_happened(cli, crm):
    """An interaction logged today but later than now is planned; it does not count."""
    ok(cli("log", "bob", "Lunch", "--kind", "meeting", "--at", "today 18:00"))
    listed = cli("contact", "list", "--last-contact-before", "2026-11-01", "--json")
    assert json_names(ok(listed)) == ["Bob", "Cy"]
    later = NOW + timedelta(days=1)
    listed = cli("contact", "list", "--last-contact-before", "2026-11-01", now=later)
    assert names(ok(listed)) == ["Cy"]


# -- export --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["--tag", "vip", "--tag", "press"], ["--tag", "vip,press"], ["-t", "press,#VIP"]]
)
def test_export_takes_every_tag_given(cli, crm, args):
    import csv
    import io

    exported = list(csv.DictReader(io.StringIO(ok(cli("export", "contacts", *args)))))
    assert [row["name"] for row in exported] == ["Ada"]
    as_json = json.loads(ok(cli("export", "contacts", *args, "--format", "json")))
    assert [row["name"] for row in as_json] == ["Ada"]
    deals = json.loads(ok(cli("export", "deals", "--tag", "big,eu", "--format", "json")))
    assert [row["title"] for row in deals] == ["Alpha"]
