"""docs/architecture.md stays true: every file, folder and module it names exists, in the
map of the layers and in the recipes, so a move or rename that forgets the page fails."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "pcrm"
TOP = ("src/", "tests/", "docs/", "scripts/", "bench/", ".ci/")


def _layer_map() -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("## Layers")
    block = re.search(r"```\n(src/pcrm/\n.*?)```", text[start:], re.S)
    assert block, "the Layers section starts with the src/pcrm/ tree"
    return block.group(1)


def _named_in_map() -> list[tuple[str, str]]:
    """(folder, file name or pattern) for every *.py the tree names, in its folder: a
    line `  name/` opens a layer, `    name/` a package inside it, `    name.py` closes
    the package; other lines continue the one above."""
    named: list[tuple[str, str]] = []
    layer = package = ""
    for line in _layer_map().splitlines()[1:]:
        if match := re.match(r"^  (\w+)/", line):
            layer, package = match.group(1), ""
        elif re.match(r"^  \w+\.py", line):
            layer, package = "", ""
        elif match := re.match(r"^    (\w+)/", line):
            package = match.group(1)
        elif re.match(r"^    [\w*]+\.py", line):
            package = ""
        folder = "/".join(part for part in (layer, package) if part)
        named += [(folder, name) for name in re.findall(r"\b[\w*]+\.py\b", line)]
    return named


def test_every_file_in_the_layer_map_exists_where_the_map_puts_it():
    missing = []
    for folder, name in _named_in_map():
        places = [SRC / folder, SRC / folder.split("/")[0], SRC]
        if not any(list(place.glob(name)) for place in places):
            missing.append(f"{folder}/{name}")
    assert missing == []
    assert len(_named_in_map()) > 80  # the map was read, not skipped


def test_every_package_and_layer_in_the_map_exists():
    folders = re.findall(r"^ {2,4}(\w+)/", _layer_map(), re.M)
    assert {"cli", "app", "formats", "render", "core", "store"} <= set(folders)
    for name in folders:
        assert any(SRC.glob(f"**/{name}/__init__.py")), name


def _exists(dotted: str) -> bool:
    """A module, or an attribute of one (pcrm.cli.main.COMMANDS), found without guessing."""
    module, _, attribute = dotted.partition(":")
    try:
        if importlib.util.find_spec(module) is not None:
            return not attribute or hasattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError:
        pass  # a parent is a module, not a package: the last part is an attribute
    parent, _, name = module.rpartition(".")
    return "." in parent and _exists(f"{parent}:{name}")


def test_every_path_and_module_the_page_names_exists():
    text = PAGE.read_text(encoding="utf-8")
    quoted = re.findall(r"`([^`\n]+)`", text)
    paths = {q for q in quoted if q.startswith(TOP) and not re.search(r"[A-Z]{3}|NNN", q)}
    assert {p for p in paths if not (ROOT / p.rstrip("/")).exists()} == set()
    modules = {
        m
        for q in quoted
        for m in re.findall(r"\bpcrm(?:\.\w+)+", q)
        if not m.startswith("pcrm.db")  # file names such as pcrm.db.<stamp>.bak
    }
    assert {m for m in modules if not _exists(m)} == set()
    assert len(paths) > 30


def test_the_recipes_cover_what_the_issue_asked_for():
    text = PAGE.read_text(encoding="utf-8")
    recipes = re.findall(r"^### (Add .+)$", text, re.M)
    for wanted in ("a command", "a report", "a CSV preset", "a schema step", "a model"):
        assert f"Add {wanted}" in recipes
