"""`pcrm config get|set|list`: settings kept in the database file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit, say

app = Typer(help="Show and change settings, like the default currency.", no_args_is_help=True)

KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="The setting, e.g. currency.")]


@app.command("get")
def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print a setting's value.

    A setting never set prints its default.

    \b
    Example:
      pcrm config get currency
    """
    from pcrm.core.settings import get_setting

    env = get_env(ctx)
    with env.database(write=False) as db:
        setting = get_setting(db, key)
    say(setting.value)


@app.command("set")
def set_(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
) -> None:
    """Change a setting.

    The value is checked first: currency takes an ISO 4217 code (EUR, USD...);
    number-style takes 1.234,56 or 1,234.56 (how amounts are written) or none.

    \b
    Example:
      pcrm config set currency USD
      pcrm config set number-style 1.234,56
    """
    from pcrm.core.settings import check_key, set_setting

    env = get_env(ctx)
    check_key(key)  # before the file is created
    with env.database(write=True) as db:
        setting = set_setting(db, key, value)
    say(f"{setting.key} = {setting.value}")


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List every setting with its value.

    "(default)" marks a setting never set.

    \b
    Example:
      pcrm config list
    """
    from pcrm.core.settings import Setting, list_settings

    env = get_env(ctx)
    with env.database(write=False) as db:
        settings = list_settings(db)

    def lines(items: list[Setting]) -> Iterator[str]:
        for item in items:
            yield f"{item.key} = {item.value}" + ("  (default)" if item.is_default else "")

    if json:
        emit(env, {s.key: s.value for s in settings}, json_mode=True, pretty=str, plain=lines)
    else:
        emit(
            env,
            settings,
            json_mode=False,
            pretty=lambda items: "\n".join(lines(items)),
            plain=lines,
        )
