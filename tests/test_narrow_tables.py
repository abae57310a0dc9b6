"""At 60, 80 or 120 columns no table splits an email, a URL or a word across lines: a long
cell ends in "…" and the least important columns go first; the id and the name stay.
Piped, the same lists keep every value whole, tab-separated."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from conftest import ok
from tables import headers

EMAIL = "zebedee.quartermaine-fotheringay@longest-domain-name.example"  # 60 characters
URL = "https://zebedee-q-fotheringay.example/portfolio/2027/index.html"
DOMAIN = "quartermaine-fotheringay-holdings.example"
WORD = "Hyperconvergedinfrastructuremodernisation"  # one word, longer than a narrow column
NAME = "Zebedee Quartermaine-Fotheringay"
COMPANY = "Vandenberghe Consolidated Shipping and Logistics International GmbH"
TASK = f"Send {EMAIL} the {URL} deck on {WORD}"
DEAL = f"{WORD} programme for the whole group"
# Each of these is one unbroken run of characters: shown whole, cut with "…", or not at all.
UNBROKEN = [EMAIL, URL, DOMAIN, WORD, "Quartermaine-Fotheringay"]
WIDTHS = [60, 80, 120]


@pytest.fixture
def crm(cli):
    ok(cli("company", "add", COMPANY, "--domain", DOMAIN, "--website", URL, "-t", "enterprise"))
    ok(
        cli(
            "contact", "add", NAME, "-e", EMAIL, "-c", COMPANY,
            "-t", "vip,press,conference-2027",
        )
    )  # fmt: skip
    ok(cli("contact", "add", NAME, "-c", COMPANY))  # a likely duplicate, for `pcrm dupes`
    ok(cli("deal", "add", DEAL, "--value", "40000", "--contact", EMAIL, "--company", COMPANY))
    ok(cli("follow-up", EMAIL, TASK, "--due", "today"))
    ok(cli("log", EMAIL, f"Emailed {EMAIL} about {URL} and {WORD}"))


def assert_unbroken(out: str, width: int) -> None:
    """No line wider than the terminal; no piece of an unbroken value on a line of its own."""
    for line in out.splitlines():
        assert cell_len(line) <= width, line
        for run in line.split():
            cut = run.removesuffix("…")
            if any(value in run for value in UNBROKEN):
                continue  # shown whole
            if cut != run and any(value.startswith(cut) for value in UNBROKEN):
                continue  # a prefix, cut with "…"
            pieces = [value for value in UNBROKEN if len(cut) >= 5 and cut in value]
            assert not pieces, f"{pieces[0]!r} split: {line!r}"


def shown(out: str, value: str) -> bool:
    """The value on one line, whole or cut with "…"."""
    for run in out.split():
        cut = run.removesuffix("…")
        if value in run or (cut != run and value.startswith(cut)):
            return True
    return False


VIEWS = {
    "contact list": (("contact", "list"), "Name"),
    "company list": (("company", "list"), "Name"),
    "deal list": (("deal", "list"), "Title"),
    "task list": (("task", "list"), "Follow-up"),
    "search": (("search", "fotheringay"), "Name"),
    "timeline": (("timeline", EMAIL), None),
    "agenda": (("agenda",), None),
    "dupes": (("dupes",), None),
    "company show": (("company", "show", COMPANY), None),
    "contact show": (("contact", "show", EMAIL), None),
    "board": (("pipeline",), None),
    "deal show": (("deal", "show", "1"), None),
    "pipeline list": (("pipeline", "list"), None),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_no_table_splits_an_email_a_url_or_a_word(cli, crm, view, width):
    args, name_header = VIEWS[view]
    out = ok(cli(*args, terminal=True, width=width))
    assert out.strip()
    assert "\x1b" not in out  # CliRunner is no colour terminal; the layout is the point
    assert_unbroken(out, width)
    if name_header:  # a list: the id and the name are always there
        assert headers(out.splitlines()[0])[:3] in (
            ["ID", name_header, *headers(out.splitlines()[0])[2:3]],
            ["Kind", "ID", name_header],
        )
        assert any(line.split()[:1] == ["1"] or " 1 " in line for line in out.splitlines()[1:])


@pytest.mark.parametrize("width", WIDTHS)
def test_contact_list_keeps_id_name_and_email_at_every_width(cli, crm, width):
    out = ok(cli("contact", "list", terminal=True, width=width))
    assert headers(out.splitlines()[0])[:3] == ["ID", "Name", "Email"]
    row = next(line for line in out.splitlines() if line.startswith(" 1 "))
    assert shown(row, NAME.split()[0]) and shown(row, EMAIL)
    if width == 120:
        assert headers(out.splitlines()[0]) == [
            "ID", "Name", "Email", "Company", "Tags", "Last contact",
        ]  # fmt: skip


def test_tags_drop_before_the_company_and_the_company_before_the_email(cli, crm):
    def titles(width: int) -> list[str]:
        return headers(ok(cli("contact", "list", terminal=True, width=width)).splitlines()[0])

    assert "Tags" in titles(120)
    assert "Company" in titles(100) and "Tags" not in titles(100)
    assert "Company" not in titles(80) and "Tags" not in titles(80)
    assert titles(60) == ["ID", "Name", "Email"]


def test_company_list_cuts_a_long_domain_on_one_line(cli, crm):
    out = ok(cli("company", "list", terminal=True, width=80))
    assert headers(out.splitlines()[0])[:2] == ["ID", "Name"]
    row = next(line for line in out.splitlines() if line.startswith(" 1 "))
    assert shown(row, COMPANY.split()[0]) and shown(row, DOMAIN)
    assert "…" in row


def test_a_long_word_in_a_title_ends_in_an_ellipsis(cli, crm):
    for args in (("deal", "list"), ("task", "list")):
        out = ok(cli(*args, terminal=True, width=60))
        row = next(line for line in out.splitlines() if line.startswith(" 1 "))
        assert "…" in row
        assert len(out.splitlines()) == 2  # one line per row: nothing folded


PIPED = {
    ("contact", "list"): ["1", NAME, EMAIL, COMPANY, "conference-2027,press,vip"],
    ("company", "list"): ["1", COMPANY, DOMAIN],
    ("deal", "list"): ["1", DEAL, COMPANY],
    ("task", "list"): ["1", TASK, NAME],
}


@pytest.mark.parametrize("args", list(PIPED), ids=" ".join)
def test_piped_lists_keep_every_value_whole_and_tab_separated(cli, crm, args):
    out = ok(cli(*args, width=40))
    row = next(line for line in out.splitlines() if line.startswith("1\t"))
    cells = row.split("\t")
    for value in PIPED[args]:
        assert value in cells
    assert "…" not in out


def test_piped_search_and_timeline_keep_the_email_and_url_whole(cli, crm):
    found = ok(cli("search", "fotheringay", width=40))
    assert any(EMAIL in line.split("\t")[3] for line in found.splitlines())
    timeline = ok(cli("timeline", EMAIL, width=40))
    note = next(line for line in timeline.splitlines() if "\tnote\t" in line)
    assert note.split("\t")[3] == f"Emailed {EMAIL} about {URL} and {WORD}"
    assert "…" not in timeline  # (a search snippet has FTS's own "…" around the match)
