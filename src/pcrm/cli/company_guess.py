"""`--company NAME` that only looks like an existing company ("Müller & Söhne" beside
"Müller & Söhne GmbH"): on a terminal, ask which is meant before anything is written, so
no lock is held while the user answers; off a terminal the write refuses, listing them
(core/people/companies.py's CompanyGuess). docs/guide.md, "Companies"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.env import Env
from pcrm.cli.output import fail

if TYPE_CHECKING:
    from pcrm.store.db import Database

NewCompanyOpt = Annotated[
    bool,
    typer.Option(
        "--new-company",
        help="Add --company as a new company, even when an existing one looks like it.",
    ),
]


def settle_company(
    env: Env,
    value: str | None,
    new: bool,
    emails: Callable[[Database], Sequence[str]] = lambda db: (),
) -> tuple[str | None, bool]:
    """The --company value and --new-company flag to write with: when the value names no
    company exactly but some look like it, and someone is at the terminal, their answer
    (`company:ID`, or new). Else as given: the write decides, and refuses a guess."""
    if new and (value is None or not value.strip()):
        raise typer.BadParameter("it needs --company NAME", param_hint="'--new-company'")
    if value is None or not value.strip() or new or not env.stdin_isatty:
        return value, new
    if not env.db_path.exists():
        return value, new  # no companies yet: nothing to mistake it for
    from pcrm.core.people.companies import guess_company
    from pcrm.render.safe import clean

    with env.database(write=False) as db:
        guess = guess_company(db, value, emails(db))
    if guess is None:
        return value, new
    typed = clean(guess.value, one_line=True)
    ids = [company_id for company_id, _line in guess.candidates]
    if len(ids) == 1:
        line = clean(guess.candidates[0][1], one_line=True)
        question, default = f'{line} matches "{typed}": use it? [Y/n/new]', "y"
    else:
        env.stdout.write(f'"{typed}" is not a company yet, but it may be:\n')
        for number, (_id, line) in enumerate(guess.candidates, 1):
            env.stdout.write(f"  {number}) {clean(line, one_line=True)}\n")
        if guess.more:
            env.stdout.write(f"  and {guess.more} more (give --company company:ID for one)\n")
        question, default = f"Use which? [1-{len(ids)}/n/new]", ""
    while True:
        answer = typer.prompt(question, default=default, show_default=False).strip().lower()
        if answer in ("y", "yes") and len(ids) == 1:
            return f"company:{ids[0]}", False
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            return f"company:{ids[int(answer) - 1]}", False
        if answer == "new":
            return value, True
        if answer in ("n", "no"):
            raise fail("nothing saved", hint="give --company company:ID, or --new-company")
