"""Landed schema steps are frozen: a fresh file built one step at a time has, after each
step, exactly the schema checked in as tests/schema/mNNN.sql. Editing a landed step (its
SQL, a constant it used to read, its whitespace aside) fails here; add a new step instead
(docs/architecture.md, "Schema steps")."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest

from pcrm.store.migrations import apply, known_names, snapshot, snapshot_name

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).parent / "schema"
REWRITE = "a landed step was edited: put it back and add a new step (docs/architecture.md)"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "schema_snapshots", ROOT / "scripts" / "schema_snapshots.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built() -> dict[str, str]:
    """Step name -> the schema of a fresh file right after it, built step by step."""
    conn = sqlite3.connect(":memory:")
    names = known_names()
    schemas = {}
    for count, name in enumerate(names, start=1):
        apply(conn, only=names[:count])
        schemas[name] = snapshot(conn)
    conn.close()
    return schemas


def test_every_step_has_a_snapshot_and_every_snapshot_a_step():
    assert sorted(path.name for path in SNAPSHOTS.glob("*.sql")) == [
        snapshot_name(name) for name in known_names()
    ]


@pytest.mark.parametrize("step", known_names())
def test_schema_after_each_step_is_the_frozen_one(built, step):
    frozen = (SNAPSHOTS / snapshot_name(step)).read_text()
    assert built[step] == frozen, REWRITE


def test_applying_all_steps_at_once_gives_the_last_snapshot(built):
    conn = sqlite3.connect(":memory:")
    apply(conn)
    assert snapshot(conn) == built[known_names()[-1]]


def test_the_script_refuses_to_rewrite_the_snapshot_of_a_landed_step(tmp_path, capsys):
    script = load_script()
    copies = tmp_path / "schema"
    shutil.copytree(SNAPSHOTS, copies)
    script.SNAPSHOTS = copies
    script.ROOT = tmp_path
    landed = copies / snapshot_name(known_names()[0])
    landed.write_text(landed.read_text().replace("name_key TEXT NOT NULL", "name_key TEXT"))
    edited = landed.read_text()
    newest = copies / snapshot_name(known_names()[-1])
    newest.unlink()

    assert script.main(["--write"]) == 1

    assert landed.read_text() == edited  # left as it was: the step, not the file, is wrong
    assert newest.read_text() == (SNAPSHOTS / newest.name).read_text()  # the newest is written
    err = capsys.readouterr().err
    assert f"schema/{landed.name}: step {known_names()[0]} no longer gives this schema" in err
    assert script.main([]) == 1


def test_the_script_checks_cleanly_when_nothing_changed(capsys):
    assert load_script().main([]) == 0
    assert capsys.readouterr().err == ""
