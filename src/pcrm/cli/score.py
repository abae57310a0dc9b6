"""`pcrm score [REF]`: scores by rule; `pcrm score rules`, `pcrm score rule add|rm`."""

from __future__ import annotations

from typing import Annotated

import typer

from pcrm.cli.env import get_env
from pcrm.cli.groups import DefaultCommandGroup
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import JsonOption, LimitOption, emit, note, note_truncation, say


class ScoreGroup(DefaultCommandGroup):
    default_argument = "[REF]"


app = Typer(
    cls=ScoreGroup,
    help="Score leads by rules and explain their scores.\n\n"
    "`pcrm score [REF] [OPTIONS]` is short for `pcrm score show [REF] [OPTIONS]`. "
    "The rule language is described in docs/scoring.md.\n\n"
    "\b\nExample:\n  pcrm score --limit 10",
)
rule_app = Typer(help="Add and remove scoring rules.", no_args_is_help=True)
app.add_typer(rule_app, name="rule")

NO_RULES = 'no scoring rules yet (add one: pcrm score rule add "+10 tag:vip")'


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(metavar="REF", help="The contact to explain: id, exact email or name."),
    ] = None,
    limit: LimitOption = 20,
    json: JsonOption = False,
) -> None:
    """List contacts by score, or explain one contact's score.

    Without REF: the contacts with the highest scores first (ties by name). With REF:
    every rule, whether it matched that contact, and the points it gave. Scores are
    computed from the data each time; nothing is stored but the rules.

    \b
    Example:
      pcrm score show ada
    """
    from pcrm.core.people.scoring import explain_score, rank_contacts
    from pcrm.core.refs import resolve_contact

    env = get_env(ctx)
    with env.database(write=False) as db:
        if ref is not None:
            explanation = explain_score(db, env.now, resolve_contact(db, ref))
        else:
            ranking = rank_contacts(db, env.now, limit=limit or None)
    if ref is not None:
        if not explanation.rules:
            note(NO_RULES)
        from pcrm.render.scoring import explanation_lines, explanation_view

        emit(
            env,
            explanation,
            json_mode=json,
            pretty=lambda value: explanation_view(value, env.now),
            plain=explanation_lines,
        )
        return
    for problem in ranking.problems:
        note(problem)
    if ranking.rule_count == 0:
        note(NO_RULES)
        if json:
            say("[]")
        return
    from pcrm.render.scoring import ranking_lines, ranking_table

    emit(
        env,
        ranking.contacts,
        json_mode=json,
        pretty=lambda value: ranking_table(value, env.now),
        plain=ranking_lines,
    )
    note_truncation(len(ranking.contacts), ranking.total, json_mode=False)


@app.command("rules")
def rules(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the scoring rules with their numbers.

    The number is what `pcrm score rule rm N` takes; it never changes.

    \b
    Example:
      pcrm score rules
    """
    from pcrm.core.people.scoring import list_rules

    env = get_env(ctx)
    with env.database(write=False) as db:
        found = list_rules(db)
    from pcrm.render.scoring import rule_lines, rule_table

    emit(
        env,
        found,
        json_mode=json,
        pretty=lambda value: rule_table(value, env.now),
        plain=rule_lines,
    )


# A rule often starts with a minus (`-20 no interaction for 90 days`): taken as text, not
# as an option. Only --help is an option here, so no letter of a rule can be read as one.
RULE_SETTINGS = {"ignore_unknown_options": True, "help_option_names": ["--help"]}


@rule_app.command("add", context_settings=RULE_SETTINGS)
def rule_add(
    ctx: typer.Context,
    rule: Annotated[
        list[str],
        typer.Argument(metavar="RULE", help='Points and a condition, e.g. "+10 tag:vip".'),
    ],
) -> None:
    """Add a scoring rule.

    A rule is signed points and one condition: tag:TAG, company:NAME, source:SOURCE,
    stage:STAGE, title contains TEXT, per ACTIVITY in the last N days [max M], no
    ACTIVITY for N days,
    field:NAME OP VALUE (OP: > >= < <= = != ~). Quote it, or write it as separate words;
    a leading minus is part of the rule, not an option. The grammar is in docs/scoring.md.

    \b
    Example:
      pcrm score rule add "-20 no interaction for 90 days"
    """
    from pcrm.core.people.score_rules import parse_rule
    from pcrm.core.people.scoring import add_rule
    from pcrm.render.safe import clean

    env = get_env(ctx)
    text = " ".join(rule)
    parse_rule(text)  # a bad rule must not create the database
    with env.database(write=True) as db:
        added = add_rule(db, env.now, text)
    say(f"added rule {added.id}: {clean(added.rule, one_line=True)}")


@rule_app.command("rm")
def rule_rm(
    ctx: typer.Context,
    number: Annotated[
        str, typer.Argument(metavar="N", help="The rule's number (see pcrm score rules).")
    ],
) -> None:
    """Remove a scoring rule by its number.

    \b
    Example:
      pcrm score rule rm 2
    """
    from pcrm.core.people.scoring import remove_rule
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        rule_id, text = remove_rule(db, number)
    say(f"removed rule {rule_id}: {clean(text, one_line=True)}")
