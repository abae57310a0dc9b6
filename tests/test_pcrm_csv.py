"""pcrm's CSV layout helpers: multi-value cells and formula neutralisation undo exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pcrm.formats.pcrm_csv import join_values, neutralise, restore, split_values

# Values as core stores them: stripped, never empty.
values = st.text(min_size=1).map(str.strip).filter(bool)


@given(st.lists(values))
def test_split_undoes_join(items):
    assert split_values(join_values(items)) == items


@pytest.mark.parametrize(
    ("items", "cell"),
    [
        (["work: ada@example.org", "ada@home.example"], "work: ada@example.org; ada@home.example"),
        (["a;b", "c\\"], "a\\;b; c\\\\"),
        ([], ""),
    ],
)
def test_join_writes_the_documented_cell(items, cell):
    assert join_values(items) == cell


def test_split_reads_what_people_type():
    assert split_values("vip;client ;  ; friends") == ["vip", "client", "friends"]
    assert split_values("ends with \\") == ["ends with \\"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 20 7946 0958", "'+44 20 7946 0958"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=already", "''=already"),
        ("''", "'''"),
        ("'tis", "'tis"),
        ("'", "'"),
        ("Ada", "Ada"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise_cells(value, cell):
    assert neutralise(value) == cell
    assert restore(cell) == value


@given(st.text())
def test_restore_undoes_neutralise(value):
    assert restore(neutralise(value)) == value
