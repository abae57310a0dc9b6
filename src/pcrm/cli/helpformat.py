"""How a command's arguments read in `--help` (help only: parsing is Typer's, unchanged).

Typer 0.29's plain help writes a required argument as `{REF}` in the usage line and adds
its Python type (`REF <str>`) in the Arguments section, even when a metavar is given.
pcrm writes them the way click and git do: `REF`, `[TEXT]`, `QUERY...`, and no type.
Options need nothing here: their metavar, given on every one, replaces the type label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import typer
from typer.core import TyperArgument, TyperCommand

if TYPE_CHECKING:
    from typer.models import CommandFunctionType


def _name(param: TyperArgument) -> str:
    return param.metavar or (param.name or "").upper()


def _repeat(name: str, param: TyperArgument) -> str:
    return f"{name}..." if param.nargs != 1 else name


class HelpCommand(TyperCommand):
    """A Typer command whose help shows arguments by metavar alone."""

    # parameter name -> its help, written when help is shown (see late_help())
    late_help: ClassVar[dict[str, Callable[[], str]]] = {}

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                if not param.hidden:
                    name = _name(param) if param.required else f"[{_name(param)}]"
                    pieces.append(_repeat(name, param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        for param in self.params:
            if param.name in self.late_help and isinstance(param, typer.core.TyperOption):
                param.help = self.late_help[param.name]()
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((_repeat(_name(param), param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def late_help(**helps: Callable[[], str]) -> type[HelpCommand]:
    """A HelpCommand whose parameters named here get their help from a function when help
    is shown: `--preset`'s list comes from the preset registry, which building the command
    (`pcrm --help` builds them all) should not load."""
    return type("LateHelpCommand", (HelpCommand,), {"late_help": helps})


class Typer(typer.Typer):
    """typer.Typer whose commands are HelpCommands (unless a command names its own cls)."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or HelpCommand, **kwargs)
