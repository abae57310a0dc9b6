"""The agenda's own column layout (render/grid.py): the cron mail is written without Rich,
the terminal view from the same lines; long text wraps, nothing runs past the width."""

from __future__ import annotations

from pcrm.render.grid import Column, cell_len, cut, fit, grid, plain_text, wrap


def test_cell_widths_count_wide_characters_twice_and_marks_not_at_all():
    assert cell_len("Ada") == 3
    assert cell_len("Søren Ødegaard") == 14
    assert cell_len("山田太郎") == 8
    assert cell_len("e\u0301") == 1  # e and a combining acute accent


def test_cut_and_wrap_keep_within_the_width():
    assert cut("Ada Lovelace", 20) == "Ada Lovelace"
    assert cut("Ada Lovelace", 6) == "Ada L…"
    assert cut("山田太郎", 5) == "山田…"
    assert wrap("Follow up: demo went well", 12) == ["Follow up:", "demo went", "well"]
    # A word longer than the line (an email, a URL) is cut, never split over lines; CJK
    # text, which has no spaces, breaks between characters.
    assert wrap("mail ada.lovelace@example.org now", 12) == ["mail", "ada.lovelac…", "now"]
    assert wrap("山田太郎さん", 5) == ["山田", "太郎", "さん"]


def test_fit_shrinks_the_widest_wrapping_column_first():
    columns = [Column(), Column(wrap=True), Column(wrap=True), Column()]
    assert fit([5, 40, 10, 8], columns, 100) == [5, 40, 10, 8]
    assert fit([5, 40, 10, 8], columns, 43) == [5, 20, 10, 8]
    # Past the next widest, both give way evenly.
    assert fit([5, 40, 30, 8], columns, 43) == [5, 15, 15, 8]
    # When wrapping is not enough, the widest of all loses cells too.
    assert sum(fit([30, 5, 5, 30], columns, 40)) == 40


def test_grid_aligns_wraps_and_drops_trailing_spaces():
    rows = [
        [("today", "good"), ("Send the quote for the twenty seats", ""), ("task 1", "")],
        [("in 3 days", ""), ("Call", ""), ("task 12", "")],
    ]
    columns = [Column(), Column(style="name", wrap=True), Column(style="id")]
    lines = [plain_text(line) for line in grid(rows, columns, 40)]
    assert lines == [
        "today      Send the quote for    task 1",
        "           the twenty seats",
        "in 3 days  Call                  task 12",
    ]
    first = grid(rows, columns, 40)[0]
    assert first[0] == ("today", "good")
    assert ("task 1", "id") in first


def busy(ok) -> None:
    ok("contact", "add", "Ada Lovelace · a very long company name that goes on and on")
    ok("contact", "add", "山田太郎")
    for n in range(3):
        ok(
            "follow-up",
            "ada",
            f"Chase the signed quote for twenty seats, round {n}",
            "--due",
            "2026-11-20",
        )
    ok("follow-up", "山田", "電話で見積もりについて相談する予定です", "--due", "today")


def test_the_agenda_never_runs_past_the_terminal_width(cli):
    def ok(*args):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    busy(ok)
    for width in (60, 80, 100, 140):
        out = cli("agenda", terminal=True, width=width).stdout
        assert "Chase" in out and "山田太郎" in out
        assert max(cell_len(line) for line in out.splitlines()) <= width, width
    cron = cli("agenda", "--cron").stdout
    assert max(cell_len(line) for line in cron.splitlines()) <= 100
    # Long titles and names wrap in the mail, whole.
    assert "…" not in cron
    assert "round 2" in cron and "company name" in cron
    assert "電話で見積もりについて相談する予定です" in cron
