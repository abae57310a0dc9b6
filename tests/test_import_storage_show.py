"""Issue 15, storage: `contact show` (plain and on a terminal), `contact add` and
`contact edit` with the nickname, faxes, URLs and addresses; the vCard export writes them,
the anniversary, cadence and stage, and the raw card's properties pcrm does not model."""

from __future__ import annotations

import json
import sqlite3

from conftest import error, ok


def add_grace(cli) -> None:
    ok(
        cli(
            "contact", "add", "Grace Hopper", "--nickname", "Amazing Grace",
            "--fax", "work: +1 212 555 0101", "--url", "https://grace.example",
            "--url", "blog: grace.example/blog",
            "--address", "home: 1 Navy Way, Bldg 2; Arlington; VA; 22201; US",
            "--address", "; New York",
        )
    )  # fmt: skip


def test_show_lists_every_new_part_one_a_line(cli):
    add_grace(cli)
    lines = ok(cli("contact", "show", "1")).splitlines()
    assert lines[1:7] == [
        "nickname: Amazing Grace",
        "fax: +1 212 555 0101 (work)",
        "address: home: 1 Navy Way, Bldg 2, Arlington, VA, 22201, US",
        "address: New York",
        "web: https://grace.example",
        "web: grace.example/blog (blog)",
    ]
    drawn = ok(cli("contact", "show", "1", terminal=True))
    for text in ("Amazing Grace", "home: 1 Navy Way, Bldg 2, Arlington", "grace.example/blog"):
        assert text in drawn


def test_untrusted_text_stays_data_on_a_terminal(cli, tmp_path):
    path = tmp_path / "p.json"
    person = {
        "name": "Eve",
        "nickname": "[bold red]boss[/]",
        "addresses": [{"label": "[link=x]", "locality": "Town\x1b[31m"}],
        "urls": [{"url": "https://e.example/[i]"}],
    }
    path.write_text(json.dumps([person]), encoding="utf-8")
    ok(cli("import", "contacts", str(path)))
    drawn = ok(cli("contact", "show", "1", terminal=True))
    assert "[bold red]boss[/]" in drawn and "https://e.example/[i]" in drawn
    assert "[link=x]: Town" in drawn and "\x1b[31m" not in drawn


def test_edit_adds_and_removes_them(cli):
    add_grace(cli)
    ok(
        cli(
            "contact", "edit", "1", "--nickname", "", "--rm-fax", "+12125550101",
            "--rm-url", "https://grace.example", "--rm-address", "1",
            "--url", "linkedin: https://www.linkedin.com/in/grace",
        )
    )  # fmt: skip
    contact = json.loads(ok(cli("contact", "show", "1", "--json")))["contact"]
    assert contact["nickname"] is None and contact["faxes"] == []
    assert contact["urls"] == [
        {"url": "grace.example/blog", "label": "blog"},
        {"url": "https://www.linkedin.com/in/grace", "label": "linkedin"},
    ]
    assert contact["addresses"] == [
        {"label": None, "street": None, "locality": "New York", "region": None,
         "postcode": None, "country": None},
    ]  # fmt: skip
    assert "has no address" in error(cli("contact", "edit", "1", "--rm-address", "2"))
    assert "has no fax" in error(cli("contact", "edit", "1", "--rm-fax", "555"))
    assert "invalid address" in error(cli("contact", "edit", "1", "--address", "a;b;c;d;e;f"))


def test_the_search_finds_a_nickname_set_by_edit(cli):
    ok(cli("contact", "add", "Grace Hopper"))
    ok(cli("contact", "edit", "1", "--nickname", "Amazing"))
    assert "Grace Hopper" in ok(cli("search", "amazing"))


CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace\r\nNICKNAME:old\r\n"
    "item1.TEL:+1 555 0100\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\n"
    "item2.X-ABRELATEDNAMES:Vincent\r\nitem2.X-ABLabel:_$!<Spouse>!$_\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n BBBB\r\nIMPP:xmpp:grace@jabber.example\r\n"
    "X-EVOLUTION-SPOUSE:Vincent\r\nEND:VCARD\r\n"
)


def test_vcard_export_writes_the_new_parts_and_the_raw_cards_other_properties(cli, db_path):
    add_grace(cli)
    ok(cli("contact", "edit", "1", "--every", "30d", "--anniversary", "1930-06-15"))
    ok(cli("contact", "stage", "1", "customer"))
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO contact_vcards(contact_id, card) VALUES (1, ?)", [CARD])
    conn.close()
    card = ok(cli("export", "contacts", "--format", "vcard"))
    lines = card.splitlines()
    for line in (
        "NICKNAME:Amazing Grace",
        "TEL;TYPE=FAX,work:+1 212 555 0101",
        "ADR;TYPE=home:;;1 Navy Way\\, Bldg 2;Arlington;VA;22201;US",
        "ADR:;;;New York;;;",
        "URL:https://grace.example",
        "URL;TYPE=blog:grace.example/blog",
        "X-ANNIVERSARY:1930-06-15",
        "X-PCRM-CADENCE:30",
        "X-PCRM-STAGE:customer",
    ):
        assert line in lines, line
    # the raw card's unmodelled properties, unchanged, before END:VCARD; what pcrm reads
    # or writes itself (FN, NICKNAME, the TEL and its label) is not copied
    assert lines[-7:] == [
        "item2.X-ABRELATEDNAMES:Vincent",
        "item2.X-ABLabel:_$!<Spouse>!$_",
        "PHOTO;ENCODING=b;TYPE=JPEG:AAAA",
        " BBBB",
        "IMPP:xmpp:grace@jabber.example",
        "X-EVOLUTION-SPOUSE:Vincent",
        "END:VCARD",
    ]
    assert "NICKNAME:old" not in lines and "+1 555 0100" not in card
    assert "_$!<Mobile>!$_" not in card
    four = ok(cli("export", "contacts", "--format", "vcard", "--vcard-version", "4"))
    assert "ANNIVERSARY:19300615" in four.splitlines() or "ANNIVERSARY:1930-06-15" in four


def test_the_editor_form_sets_and_changes_the_nickname(cli, tmp_path):
    from test_cli_contact import editor

    ok(cli("contact", "add", "Grace Hopper", "--url", "https://grace.example"))
    add_line = editor(tmp_path, "text += 'nickname: Amazing\\n'")
    assert ok(cli("contact", "edit", "1", env={"EDITOR": add_line})) == (
        "updated contact 1 Grace Hopper\n"
    )
    seen = tmp_path / "seen.txt"
    rename = editor(
        tmp_path,
        f"open({str(seen)!r}, 'w', encoding='utf-8').write(text); "
        "text = text.replace('nickname: Amazing', 'nickname: Amazing Grace')",
    )
    ok(cli("contact", "edit", "1", env={"EDITOR": rename}))
    assert seen.read_text(encoding="utf-8").splitlines()[-1] == "nickname: Amazing"
    contact = json.loads(ok(cli("contact", "show", "1", "--json")))["contact"]
    assert contact["nickname"] == "Amazing Grace"
    assert contact["urls"] == [{"url": "https://grace.example", "label": None}]  # untouched
