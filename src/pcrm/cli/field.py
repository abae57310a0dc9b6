"""`pcrm field add|list|rm`, and the --set/--unset/--where options other commands share."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from pcrm.cli.env import get_env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, emit, say

app = Typer(help="Declare, list and remove custom fields.", no_args_is_help=True)

# Spelled out here to keep `--help` off sqlite-utils; a test checks them against core.
Kind = Literal["contact", "company", "deal"]
FieldType = Literal["text", "number", "date", "choice"]

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="NAME=VALUE",
        help="Set a custom field (see pcrm field list); repeatable.",
    ),
]
UnsetOption = Annotated[
    list[str] | None,
    typer.Option("--unset", metavar="NAME", help="Clear a custom field; repeatable."),
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        "-w",
        metavar="CONDITION",
        help='Custom-field filter, e.g. "budget>1000" or plan=pro; repeatable (all must match).',
    ),
]
OnOption = Annotated[
    Kind,
    typer.Option("--on", metavar="KIND", help="contact, company or deal."),
]


def assignments(set_: list[str] | None, unset: list[str] | None = None) -> dict[str, str]:
    """--set/--unset as {name: text} for core ("" clears)."""
    from pcrm.core.people.fields import parse_assignments

    return parse_assignments(set_ or [], unset or [])


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Field name, e.g. budget.")],
    type_: Annotated[
        FieldType,
        typer.Option("--type", metavar="TYPE", help="text, number, date or choice."),
    ] = "text",
    choices: Annotated[
        list[str] | None,
        typer.Option(
            "--choices", metavar="A,B,C", help="A choice field's choices, separated by commas."
        ),
    ] = None,
    on: OnOption = "contact",
) -> None:
    """Declare a custom field for contacts, companies or deals.

    Values are checked on every write: a number field takes numbers, a date field any
    WHEN, a choice field one of its choices.

    \b
    Example:
      pcrm field add plan --type choice --choices free,pro,enterprise
    """
    from pcrm.core.people.fields import add_field
    from pcrm.render.fields import describe

    env = get_env(ctx)
    with env.database(write=True) as db:
        definition = add_field(db, env.now, on, name, type_, choices or [])
    say(f"added {definition.kind} field {describe(definition)}")


@app.command("list")
def list_(
    ctx: typer.Context,
    on: Annotated[
        Kind | None,
        typer.Option("--on", metavar="KIND", help="Only the fields of contact, company or deal."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """List custom fields with their types, choices and use.

    \b
    Example:
      pcrm field list --on contact
    """
    from pcrm.core.people.fields import definitions

    env = get_env(ctx)
    with env.database(write=False) as db:
        found = definitions(db, on)
    from pcrm.render.fields import field_lines, field_table

    emit(
        env,
        found,
        json_mode=json,
        pretty=lambda value: field_table(value, env.now),
        plain=field_lines,
    )


@app.command("rm")
def rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Field name.")],
    on: OnOption = "contact",
    force: Annotated[
        bool, typer.Option("--force", help="Remove it even though records have values.")
    ] = False,
) -> None:
    """Remove a custom field; --force if records have values.

    \b
    Example:
      pcrm field rm plan --on company --force
    """
    from pcrm.core.people.fields import remove_field
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        definition = remove_field(db, on, name, force=force)
    count = definition.used
    values = f" and its {count} value{'s' if count != 1 else ''}" if count else ""
    say(f"removed {definition.kind} field {clean(definition.name, one_line=True)}{values}")
