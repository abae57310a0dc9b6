"""Command groups with a default command, like `pcrm pipeline [NAME]` and `pcrm score [REF]`."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup


class DefaultCommandGroup(TyperGroup):
    """A group whose default is its `show` command: anything that is not a sub-command is
    handed to `show`, so `pcrm pipeline`, `pcrm pipeline Sales` and `pcrm pipeline --stale`
    all show a board. (resolve_command alone would not do: click parses `--stale` as the
    group's own option before it looks for a command.) A record named like a sub-command
    is reached with `show NAME`.

    Subclasses name the default command's argument for --help in `default_argument`.
    """

    default_argument = "[NAME]"
    default_command = "show"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["subcommand_metavar"] = f"{self.default_argument} | COMMAND [ARGS]..."
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        first = args[0] if args else None
        if first is None or (first not in self.commands and first not in ctx.help_option_names):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        """The sub-commands, and what the default command's first argument takes:
        `pcrm follow-up ad<TAB>` offers `add` and Ada Lovelace."""
        items: list[Any] = super().shell_complete(ctx, incomplete)
        default = self.commands.get(self.default_command)
        arguments = [p for p in getattr(default, "params", []) if p.param_type_name == "argument"]
        if arguments and not incomplete.startswith("-"):
            items += arguments[0].shell_complete(ctx, incomplete)
        return items
