"""Issue 14, item 6: every file pcrm writes holds personal data and is 0600, every folder it
creates is 0700, whatever the umask: the database and the folders on the way to it, the
demo, exports, backups and the rejects of an import. Each command runs in a subprocess
under the umask given (os.umask(0) lets everything through; 0o777 takes everything off)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON = sys.executable


def pcrm(db_path: Path, umask: int, *args: str) -> str:
    """Run `pcrm ARGS` under `umask`, asserting success; its stdout."""
    env = {**os.environ, "PCRM_DB": str(db_path), "PCRM_NOW": "2026-11-23T10:00:00Z"}
    result = subprocess.run(
        [PYTHON, "-m", "pcrm", *args],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=lambda: os.umask(umask),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def modes(root: Path) -> dict[str, int]:
    """Every file and folder under `root`, by relative path, with its permission bits."""
    found = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


UMASKS = pytest.mark.parametrize("umask", [0, 0o777], ids=["umask-000", "umask-777"])


@UMASKS
def test_the_database_and_the_folders_on_the_way_to_it(tmp_path, umask):
    root = tmp_path / "root"
    root.mkdir()
    db_path = root / "a" / "b" / "c" / "pcrm.db"
    pcrm(db_path, umask, "contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    assert modes(root) == {"a": 0o700, "a/b": 0o700, "a/b/c": 0o700, "a/b/c/pcrm.db": 0o600}


def test_the_default_data_folder_is_made_private(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    env.pop("PCRM_DB", None)
    result = subprocess.run(
        [PYTHON, "-m", "pcrm", "contact", "add", "Ada"],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=lambda: os.umask(0),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert modes(home) == {
        ".local": 0o700,
        ".local/share": 0o700,
        ".local/share/pcrm": 0o700,
        ".local/share/pcrm/pcrm.db": 0o600,
    }


@UMASKS
def test_the_demo_and_its_folders(tmp_path, umask):
    root = tmp_path / "root"
    root.mkdir()
    pcrm(tmp_path / "unused.db", umask, "demo", str(root / "x" / "y" / "demo.db"), "--quiet")
    assert modes(root) == {"x": 0o700, "x/y": 0o700, "x/y/demo.db": 0o600}


@UMASKS
def test_exports_backups_and_rejects(tmp_path, umask):
    db_path = tmp_path / "data" / "pcrm.db"
    pcrm(db_path, umask, "contact", "add", "Ada Lovelace", "--email", "ada@example.org")
    out = tmp_path / "out"
    out.mkdir()
    source = tmp_path / "in.csv"
    source.write_text("Name,Email\nBob,bob@example.org\n,carl@\n")
    pcrm(db_path, umask, "export", "contacts", "-o", str(out / "contacts.csv"))
    pcrm(db_path, umask, "export", "agenda", "-o", str(out / "agenda.ics"))
    pcrm(db_path, umask, "backup", str(out / "pcrm.bak"))
    pcrm(db_path, umask, "import", "contacts", str(source), "--rejects", str(out / "fix.csv"))
    (out / "old.csv").write_text("an older export\n")
    (out / "old.csv").chmod(0o644)
    pcrm(db_path, umask, "export", "contacts", "-o", str(out / "old.csv"), "--force")
    assert modes(out) == {
        "contacts.csv": 0o600,
        "agenda.ics": 0o600,
        "pcrm.bak": 0o600,
        "fix.csv": 0o600,
        "old.csv": 0o600,  # replaced by a new private file, not rewritten in place
    }
    assert (out / "fix.csv").read_bytes() == b"\xef\xbb\xbfName,Email\r\n,carl@\r\n"
    assert modes(tmp_path / "data") == {"pcrm.db": 0o600}
