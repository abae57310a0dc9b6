"""The import-linter contracts in pyproject.toml hold, and each one fails when broken.

A copy of src/pcrm gets one offending import per rule; lint-imports, run on the copy with
pyproject's own contracts, must name the contract and the import. The unmodified copy
passes, so the failures come from the offences and nothing else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# (module that offends, what it imports, the contract that must say so)
OFFENCES = [
    ("pcrm.core.records", "pcrm.cli.output", "Layers: cli -> app"),
    ("pcrm.formats.json", "pcrm.render.safe", "Layers: cli -> app"),
    ("pcrm.core.base", "rich", "No Rich, Typer or click below cli and render"),
    ("pcrm.app", "typer", "No Rich, Typer or click below cli and render"),
    ("pcrm.render.cells", "typer", "render draws with Rich, never Typer or click"),
    ("pcrm.render.safe", "pcrm.store.paths", "render never touches the database"),
    ("pcrm.core.settings", "sqlite_utils", "sqlite-utils only in store"),
]


def _source(tree: Path, module: str) -> Path:
    path = tree.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """src/pcrm in a temporary folder, with a config holding pyproject's contracts."""
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed beside this Python")
    folder = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "src" / "pcrm", folder / "src" / "pcrm",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (folder / "contracts.toml").write_text(_toml({"tool": {"importlinter": settings}}))
    return folder


def _toml(value: dict, prefix: str = "") -> str:
    """Just enough TOML for import-linter's settings (tomllib reads, nothing writes)."""
    lines, tables = [], []
    for key, item in value.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(item, dict):
            tables.append(f"[{name}]\n" + _toml(item, name))
        elif isinstance(item, list) and item and isinstance(item[0], dict):
            tables += [f"[[{name}]]\n" + _toml(entry, name) for entry in item]
        else:
            lines.append(f"{key} = {_value(item)}")
    return "\n".join([*lines, "", *tables])


def _value(item: object) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, list):
        return "[" + ", ".join(_value(each) for each in item) + "]"
    return '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'


def lint(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(folder / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(folder / "contracts.toml")],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_as_it_is_keeps_every_contract(copy: Path) -> None:
    result = lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


def sections(report: str) -> dict[str, str]:
    """lint-imports' broken-contract report: each contract's name (underlined) -> its text."""
    lines = report.splitlines()
    found: dict[str, str] = {}
    name = None
    for line, below in zip(lines, [*lines[1:], ""], strict=True):
        if below and set(below) == {"-"} and len(below) == len(line):
            name = line
            found[name] = ""
        elif name is not None and set(line) != {"-"}:
            found[name] += line + "\n"
    return found


def test_each_contract_fails_when_broken(copy: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(copy, broken)
    for module, imported, _contract in OFFENCES:
        with _source(broken / "src", module).open("a") as source:
            source.write(f"\nimport {imported}  # breaks a contract on purpose\n")
    result = lint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 5 broken" in result.stdout
    broken_contracts = sections(result.stdout.partition("Broken contracts")[2])
    for module, imported, contract in OFFENCES:
        [name] = [name for name in broken_contracts if name.startswith(contract)]
        assert f"{module} -> {imported} (l." in broken_contracts[name]
