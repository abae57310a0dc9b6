"""The docs stay true: the command reference is current, every command's help has a
summary and an example that parses and reads well (metavars, no type labels, nothing cut
or rewrapped), the README's test command is what CI runs, the guide's list of tables
matches the schema, the quick starts run, and links resolve."""

from __future__ import annotations

import difflib
import importlib.util
import re
import shlex
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Annotated

import pytest
import typer
import typer.main
from typer.core import TyperGroup

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide.md"
CI = ROOT / ".ci" / "run"
REGENERATE = "run `python scripts/gen_reference.py` and commit docs/reference.md"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_reference", ROOT / "scripts" / "gen_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _generator()
COMMANDS = gen.commands()
LEAVES = [(ctx, command) for ctx, command in COMMANDS if not isinstance(command, TyperGroup)]


def _ids(pairs: list) -> list[str]:
    return [ctx.command_path for ctx, _ in pairs]


def _section(text: str, heading: str) -> str:
    """The body of a `## heading` section of a markdown page."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def _sh_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)


# -- the command reference -----------------------------------------------------------


def test_reference_is_current():
    expected = gen.render()
    actual = gen.REFERENCE.read_text(encoding="utf-8") if gen.REFERENCE.exists() else ""
    if actual != expected:
        diff = difflib.unified_diff(
            actual.splitlines(),
            expected.splitlines(),
            "docs/reference.md",
            "generated",
            n=1,
            lineterm="",
        )
        pytest.fail(
            f"docs/reference.md is stale: {REGENERATE}\n" + "\n".join(list(diff)[:40]),
            pytrace=False,
        )


def test_reference_lists_every_command_once_in_order():
    headings = re.findall(r"^## (pcrm.*)$", gen.REFERENCE.read_text(encoding="utf-8"), re.M)
    assert headings == _ids(COMMANDS), REGENERATE
    assert {"pcrm", "pcrm contact add", "pcrm log", "pcrm search"} <= set(headings)


def test_reference_is_plain_text_within_80_columns():
    text = gen.REFERENCE.read_text(encoding="utf-8")
    assert "\x1b" not in text
    assert not set("╭╮╰╯│─") & set(text), "Rich boxes in the reference"
    assert [line for line in text.splitlines() if len(line) > 80] == []


# -- help text -----------------------------------------------------------------------


@pytest.mark.parametrize(("ctx", "command"), COMMANDS, ids=_ids(COMMANDS))
def test_every_command_has_a_one_line_summary(ctx, command):
    summary = (command.help or "").strip().split("\n\n")[0]
    assert summary, f"{ctx.command_path} has no help: give it a docstring"
    assert "\n" not in summary and summary.endswith("."), (
        f"{ctx.command_path}: its help must start with a one-line summary ending in '.', "
        f"then a blank line; got {summary!r}"
    )


def _example_lines(help_text: str) -> list[str]:
    """The command lines of the `Example:` block: the indented lines after it."""
    lines = help_text.splitlines()
    examples = []
    for at, line in enumerate(lines):
        if line.strip() == "Example:":
            for following in lines[at + 1 :]:
                if not following.startswith(" ") or not following.strip():
                    break
                examples.append(following.strip())
    return examples


def _first_command(line: str) -> list[str]:
    """The words of the first command of a shell line (`pcrm demo && pcrm show x`)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = []
    for word in lexer:
        if word and set(word) <= set("();<>|&"):
            break
        words.append(word)
    return words


@pytest.mark.parametrize(("ctx", "command"), LEAVES, ids=_ids(LEAVES))
def test_every_command_has_an_example_that_parses(ctx, command):
    path = ctx.command_path
    examples = _example_lines(command.help or "")
    assert examples, f"{path}: end its help with `\\b`, `Example:` and `  {path} ...` lines"
    shown = [line.strip() for line in command.get_help(ctx).splitlines()]
    for example in examples:
        assert example in shown, (
            f"{path}: click rewrapped its example; put a line `\\b` right before `Example:`"
        )
        words = _first_command(example)
        prefix = path.split()
        assert words[: len(prefix)] == prefix, f"{path}: its example runs something else: {example}"
        try:
            # Parses options and arguments exactly as a run would, without running it.
            command.make_context(ctx.info_name, words[len(prefix) :], parent=ctx.parent)
        except Exception as exc:
            pytest.fail(f"{path}: its example does not parse: {example}\n  {exc}", pytrace=False)


def test_a_broken_example_is_caught():
    ctx, command = next((c, cmd) for c, cmd in LEAVES if c.command_path == "pcrm contact list")
    with pytest.raises(Exception, match="--no-such-option"):
        command.make_context(ctx.info_name, ["--no-such-option"], parent=ctx.parent)
    assert _first_command("pcrm demo && pcrm --db x.db show kestrel") == ["pcrm", "demo"]
    block = "Add it.\n\n\b\nExample:\n  pcrm a b\n  pcrm a c\n\nMore text."
    assert _example_lines(block) == ["pcrm a b", "pcrm a c"]


# Typer's labels for a parameter without a metavar: <str>, <int range>, <list[str]>,
# <name|recent> for a choice...
TYPE_LABEL = re.compile(r"<(str|int|float|bool|list\[|[a-z]+ range|[\w-]+\|)[^>]*>")


def _summary(command) -> str:
    return " ".join((command.help or "").split("\n\n")[0].split())


def _help_problems(ctx, command) -> list[str]:
    """What spoils a command's --help at 80 columns: type labels instead of metavars, `{`
    in the usage line, summaries cut short in a group's list of commands, lines too long
    (an example is not wrapped)."""
    text = command.get_help(ctx)
    problems = [f"type label {label.group()}" for label in TYPE_LABEL.finditer(text)]
    problems += [f"longer than 80: {line}" for line in text.splitlines() if len(line) > 80]
    usage = text.split("\n\n")[0]
    if "{" in usage:
        problems.append(f"braces in the usage line: {usage}")
    if isinstance(command, TyperGroup):
        rows = re.search(r"^Commands:\n(.*?)(?:\n\n|\Z)", text, re.M | re.S)
        listed = dict(re.findall(r"^  (\S+)\s+(.*?)$", rows.group(1) if rows else "", re.M))
        for name in command.list_commands(ctx):
            if command.get_command(ctx, name).hidden:  # an old name kept for scripts
                continue
            summary = _summary(command.get_command(ctx, name))
            if listed.get(name) != summary:
                problems.append(f"{name} is listed as {listed.get(name)!r}, not {summary!r}")
    return problems


@pytest.mark.parametrize(("ctx", "command"), COMMANDS, ids=_ids(COMMANDS))
def test_help_reads_well_at_80_columns(ctx, command):
    assert _help_problems(ctx, command) == [], (
        f"{ctx.command_path}: give every option and argument a metavar (flags need none), "
        "and keep each summary one short sentence (about 55 characters, no dot inside)"
    )


def test_help_problems_are_caught():
    """Plain Typer, with no metavars and a long summary, shows all that the test refuses."""
    bad = typer.Typer(rich_markup_mode=None)

    @bad.command("add")
    def add(
        title: str,
        tag: Annotated[list[str] | None, typer.Option("--tag")] = None,
        limit: Annotated[int, typer.Option("--limit", min=0)] = 5,
    ) -> None:
        """Add a thing, e.g. a gadget."""

    @bad.command("rm")
    def rm(yes: Annotated[bool, typer.Option("--yes")] = False) -> None:
        """Remove a thing with everything it ever touched, all at once, and no questions."""

    [(group_ctx, group), (add_ctx, add_command), _] = gen.walk(typer.main.get_command(bad))
    # Typer 0.29 labels the list option <list[str]>, 0.28 <str>: either is caught.
    problems = _help_problems(add_ctx, add_command)
    assert problems[0] == "type label <str>"
    assert problems[-2:] == [
        "type label <int range>",
        "braces in the usage line: Usage: pcrm add [OPTIONS] {title}",
    ]
    assert set(problems[1:-2]) <= {"type label <list[str]>"}
    assert _help_problems(group_ctx, group) == [
        "add is listed as 'Add a thing, e.g.', not 'Add a thing, e.g. a gadget.'",
        "rm is listed as 'Remove a thing with everything it ever touched, all at once, and...', "
        "not 'Remove a thing with everything it ever touched, all at once, and no questions.'",
    ]


# -- README and CI -------------------------------------------------------------------


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# pcrm")
    first, second = (block.strip() for block in _sh_blocks(text)[:2])
    assert "\n" not in first and "\n" not in second, "each of the two commands is one line"
    assert first.startswith("python3 -m venv .venv") and first.endswith("pcrm demo --force")
    assert second.startswith("python3 -m venv .venv") and "pytest" in second
    assert text.index(second) < text.index("\n## "), "the two commands come first"
    ci_lines = CI.read_text(encoding="utf-8").splitlines()
    assert second in ci_lines, f".ci/run must run the README's test command as written: {second}"
    assert "set -euo pipefail" in ci_lines


# -- the guide -----------------------------------------------------------------------


def test_guide_lists_every_table_of_the_schema(tmp_path):
    from pcrm.store.db import open_db

    db = open_db(tmp_path / "fresh.db", create=True)
    try:
        tables = {
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'"
                " AND name NOT LIKE 'search_index_%'"
            )
        }
    finally:
        db.close()
    section = _section(GUIDE.read_text(encoding="utf-8"), "Opening the file with other tools")
    documented = set(re.findall(r"^\| `(\w+)` \|", section, re.M))
    assert documented == tables, (
        "docs/guide.md's table of tables and the schema differ: "
        f"not in the guide {sorted(tables - documented)}, "
        f"not in the schema {sorted(documented - tables)}"
    )


def _quick_start_commands(page: Path) -> list[str]:
    """Lines of the Quick start's ```sh blocks made only of pcrm commands (a block that
    installs something is left alone)."""
    commands = []
    for block in _sh_blocks(_section(page.read_text(encoding="utf-8"), "Quick start")):
        lines = [line for line in block.splitlines() if line.strip()]
        if lines and all(line.startswith("pcrm ") for line in lines):
            commands.extend(lines)
    return commands


@pytest.mark.parametrize("page", [README, GUIDE], ids=["README", "guide"])
def test_quick_start_runs_as_written(cli, db_path, page):
    commands = _quick_start_commands(page)
    assert len(commands) >= 5
    for line in commands:
        args = shlex.split(line, comments=True)[1:]
        result = cli(*args)
        assert result.exit_code == 0 and result.stderr == "", f"{line}\n{result.stderr}"
        assert result.stdout.strip(), f"{line} printed nothing"
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM interactions").fetchone()[0] >= 2
    finally:
        conn.close()


# -- links ---------------------------------------------------------------------------


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_relative_links_resolve(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # http(s):, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.M)
            if anchor not in {_anchor(heading) for heading in headings}:
                broken.append(target)
    assert broken == [], f"{page.name}: broken links {broken}"
