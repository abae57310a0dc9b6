"""`pcrm contact query STRING`: address completion for mutt, neomutt and aerc."""

from __future__ import annotations

from typing import Annotated

import typer

from pcrm.cli.env import get_env


def query(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="STRING", help="Part of a name or an address.")],
    no_header: Annotated[
        bool,
        typer.Option(
            "--no-header", help="No status line first (aerc's address-book-cmd wants none)."
        ),
    ] = False,
) -> None:
    """Complete mail addresses for mutt, neomutt or aerc.

    The output is mutt's query_command format: a status line ("pcrm: 3 matches"), then
    one `email<TAB>name<TAB>company` line per address, names starting with STRING first.
    Names match without case or accents (zoe finds Zoë). No match: the status line
    "pcrm: no matches" and exit 1, as mutt address books such as ppl's do (mutt shows
    the line). With
    --no-header (aerc), no status line, and no match is an empty output and exit 0.
    neomutt: set query_command = "pcrm contact query %s"; aerc: address-book-cmd =
    pcrm contact query --no-header "%s" (docs/capture.md).

    \b
    Example:
      pcrm contact query zoe
      pcrm contact query --no-header ada
    """
    from pcrm.core.people.addressbook import query_addresses
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=False) as db:
        found = query_addresses(db, text)
    lines = []
    if not no_header:
        count = f"{len(found)} match" + ("" if len(found) == 1 else "es")
        lines.append(f"pcrm: {count}" if found else "pcrm: no matches")
    for match in found:
        fields = (match.email, match.name, match.company)
        lines.append("\t".join(clean(value, one_line=True).replace("\t", " ") for value in fields))
    for line in lines:
        env.stdout.write(line + "\n")
    if not found and not no_header:
        raise typer.Exit(1)
