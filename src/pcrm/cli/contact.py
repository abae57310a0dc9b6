"""`pcrm contact add|list|show|edit|stage|rm`; `contact tag add|rm` is in cli/contact_bulk.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pcrm.cli.bulk import DryRunOpt, YesOpt
from pcrm.cli.company_guess import NewCompanyOpt, settle_company
from pcrm.cli.contact_bulk import tag_app
from pcrm.cli.contact_filters import (
    AnyTagFilter,
    CompanyFilter,
    ContactFilters,
    LastContactFilter,
    NoTagFilter,
    SearchFilter,
    SourceFilter,
    StageFilter,
    TagFilter,
)
from pcrm.cli.env import Env, get_env
from pcrm.cli.field import SetOption, UnsetOption, WhereOption, assignments
from pcrm.cli.helpformat import Typer
from pcrm.cli.lifecycle import AtOpt, ReasonOpt, TargetStageArg
from pcrm.cli.listing import OffsetOption, ReverseOption, note_page
from pcrm.cli.merge import DryRunOption, run_merge
from pcrm.cli.output import (
    JsonOption,
    LimitOption,
    confirm_removal,
    emit,
    note,
    say,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from pcrm.core.people.contacts import Saved
    from pcrm.core.views.models import ContactOverview
    from pcrm.store.db import Database

from pcrm.cli.contact_query import query as _query

app = Typer(help="Add, list, show, edit, stage and remove contacts.", no_args_is_help=True)

RefArg = Annotated[
    str, typer.Argument(metavar="REF", help="Id, exact email, or a piece of the name.")
]
EmailOpt = Annotated[
    list[str] | None,
    typer.Option("--email", "-e", metavar="[LABEL:]EMAIL", help="An email address; repeatable."),
]
PhoneOpt = Annotated[
    list[str] | None,
    typer.Option("--phone", "-p", metavar="[LABEL:]PHONE", help="A phone number; repeatable."),
]
NicknameOpt = Annotated[
    str | None, typer.Option("--nickname", metavar="TEXT", help="What they are called.")
]
FaxOpt = Annotated[
    list[str] | None,
    typer.Option("--fax", metavar="[LABEL:]NUMBER", help="A fax number; repeatable."),
]
UrlOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--url", metavar="[LABEL:]URL", help="A web page or profile (linkedin: ...); repeatable."
    ),
]
AddressOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--address",
        metavar="[LABEL:]ADDRESS",
        help='"home: STREET; CITY; REGION; POSTCODE; COUNTRY" (parts may be empty); repeatable.',
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", metavar="TAG", help="Tags, separated by commas; repeatable."),
]
# Spelled out here (not imported from core) to keep `--help` off sqlite-utils;
# a test checks that it matches core.people.contacts.SORTS.
Sort = Literal["name", "recent", "stale", "created", "company", "score"]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Full name.")],
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    company: Annotated[
        str | None,
        typer.Option(
            "--company",
            "-c",
            metavar="COMPANY",
            help="Company name, domain or id (created if new; asked if one looks like it).",
        ),
    ] = None,
    nickname: NicknameOpt = None,
    fax: FaxOpt = None,
    url: UrlOpt = None,
    address: AddressOpt = None,
    new_company: NewCompanyOpt = False,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="Job title.")] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source", metavar="SOURCE", help="Where they came from: a referral, an event..."
        ),
    ] = None,
    tag: TagOpt = None,
    birthday: Annotated[
        str | None,
        typer.Option(
            "--birthday", metavar="DATE", help="1985-03-12, 12 Mar 1985, or 12 Mar (no year)."
        ),
    ] = None,
    anniversary: Annotated[
        str | None, typer.Option("--anniversary", metavar="DATE", help="Like --birthday.")
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(
            "--every", metavar="INTERVAL", help="Stay in touch this often: 30d, 2w, 3m, monthly."
        ),
    ] = None,
    note_: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="Free-text note.")
    ] = None,
    set_: SetOption = None,
) -> None:
    """Add a contact.

    \b
    Example:
      pcrm contact add "Ada Lovelace" -e ada@example.org -c Analytical -t vip
    """
    from pcrm.core.people.contacts import ContactForm, add_contact

    env = get_env(ctx)
    company, new_company = settle_company(env, company, new_company, lambda db: email or [])
    form = ContactForm(
        name=name,
        emails=email or [],
        phones=phone or [],
        company=company,
        title=title,
        source=source,
        tags=tag or [],
        birthday=birthday,
        anniversary=anniversary,
        cadence=every,
        note=note_,
        fields=assignments(set_),
        new_company=new_company,
        nickname=nickname,
        faxes=fax or [],
        urls=url or [],
        addresses=address or [],
    )
    with env.database(write=True) as db:
        saved = add_contact(db, env.now, form)
    _announce(saved, "added")
    if saved.namesakes:
        from pcrm.render.safe import clean

        name = clean(saved.contact.name, one_line=True)
        others = "; ".join(clean(line, one_line=True) for line in saved.namesakes)
        one = len(saved.namesakes) == 1
        note(
            f"note: {'another contact is' if one else 'other contacts are'} named {name}: {others}"
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    tag: TagFilter = None,
    any_tag: AnyTagFilter = None,
    no_tag: NoTagFilter = None,
    company: CompanyFilter = None,
    source: SourceFilter = None,
    search: SearchFilter = None,
    stage: StageFilter = None,
    last_contact_before: LastContactFilter = None,
    sort: Annotated[
        Sort,
        typer.Option(
            metavar="ORDER",
            help="name; recent (last contacted first); stale (never or longest silent first); "
            "created (newest first); company (by company name); score (highest lead score "
            "first, see pcrm score).",
        ),
    ] = "name",
    reverse: ReverseOption = False,
    where: WhereOption = None,
    limit: LimitOption = 100,
    offset: OffsetOption = 0,
    json: JsonOption = False,
) -> None:
    """List contacts, filtered and sorted.

    Filters combine: every filter given must match. --where filters on custom fields
    (see docs/fields.md). The same filters pick the contacts of `contact tag add|rm`,
    `contact stage` and `contact rm`.

    \b
    Example:
      pcrm contact list --tag vip --tag press --sort stale
      pcrm contact list --last-contact-before "90 days ago" --no-tag archived
      pcrm contact list --where "budget>1000" --where plan=pro
    """
    env = get_env(ctx)
    filters = ContactFilters(
        tag, any_tag, no_tag, company, source, search, stage, last_contact_before, where
    )
    with env.database(write=False) as db:
        page = filters.page(db, env.now, sort=sort, reverse=reverse, limit=limit, offset=offset)

    from pcrm.render.records import contact_lines, contact_table

    emit(
        env,
        page.contacts,
        json_mode=json,
        pretty=lambda value: contact_table(value, env.now),
        plain=contact_lines,
    )
    # On stderr in every mode: a script reading --json must hear that rows were left out.
    note_page(len(page.contacts), page.total, offset)


@app.command("show")
def show(ctx: typer.Context, ref: RefArg, json: JsonOption = False) -> None:
    """Show a contact's details and recent interactions.

    Its details, when it was last contacted, the next planned touch, its deals and the
    latest interactions.

    \b
    Example:
      pcrm contact show ada
    """
    from pcrm.core.refs import resolve_contact
    from pcrm.core.views.overview import contact_overview

    env = get_env(ctx)
    with env.database(write=False) as db:
        view = contact_overview(db, resolve_contact(db, ref), env.now)
    emit_contact_view(env, view, json)


def emit_contact_view(env: Env, view: ContactOverview, json_mode: bool) -> None:
    from pcrm.render import records

    emit(
        env,
        view,
        json_mode=json_mode,
        pretty=lambda v: records.contact_view(v, env.now),
        plain=records.contact_view_lines,
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: RefArg,
    name: Annotated[str | None, typer.Option("--name", metavar="NAME", help="New name.")] = None,
    email: EmailOpt = None,
    rm_email: Annotated[
        list[str] | None, typer.Option("--rm-email", metavar="EMAIL", help="Remove an email.")
    ] = None,
    phone: PhoneOpt = None,
    rm_phone: Annotated[
        list[str] | None, typer.Option("--rm-phone", metavar="PHONE", help="Remove a phone.")
    ] = None,
    company: Annotated[
        str | None,
        typer.Option(
            "--company",
            "-c",
            metavar="COMPANY",
            help='Company name, domain or id (created if new); "" to unlink.',
        ),
    ] = None,
    new_company: NewCompanyOpt = False,
    nickname: Annotated[
        str | None, typer.Option("--nickname", metavar="TEXT", help='Nickname; "" clears.')
    ] = None,
    fax: FaxOpt = None,
    rm_fax: Annotated[
        list[str] | None, typer.Option("--rm-fax", metavar="NUMBER", help="Remove a fax number.")
    ] = None,
    url: UrlOpt = None,
    rm_url: Annotated[
        list[str] | None, typer.Option("--rm-url", metavar="URL", help="Remove a URL.")
    ] = None,
    address: AddressOpt = None,
    rm_address: Annotated[
        list[str] | None,
        typer.Option(
            "--rm-address", metavar="N", help="Remove the Nth address (as `show` lists them)."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help='Job title; "" clears.')
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", metavar="SOURCE", help='Source; "" clears.')
    ] = None,
    birthday: Annotated[
        str | None, typer.Option("--birthday", metavar="DATE", help='Birthday; "" clears.')
    ] = None,
    anniversary: Annotated[
        str | None,
        typer.Option("--anniversary", metavar="DATE", help='Anniversary; "" clears.'),
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(
            "--every",
            metavar="INTERVAL",
            help='Stay in touch this often: 30d, 2w, 3m, monthly; "" stops it.',
        ),
    ] = None,
    note_: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help='Note; "" clears.')
    ] = None,
    tag: TagOpt = None,
    untag: Annotated[
        list[str] | None, typer.Option("--untag", metavar="TAG", help="Remove a tag.")
    ] = None,
    set_: SetOption = None,
    unset: UnsetOption = None,
) -> None:
    """Change a contact; with no options, edit it in $EDITOR.

    \b
    Example:
      pcrm contact edit ada --title CTO --tag vip --rm-email old@example.org
      pcrm contact edit ada --every 30d --anniversary "12 Jun"
      pcrm contact edit ada --set budget=5000 --unset plan
    """
    from pcrm.app.editing import edit_contact
    from pcrm.cli.editing import FormEditor
    from pcrm.core.people.contacts import ContactChanges, contact_emails
    from pcrm.errors import PcrmError

    env = get_env(ctx)
    company, new_company = settle_company(
        env, company, new_company, lambda db: [*contact_emails(db, ref), *(email or [])]
    )
    changes = ContactChanges(
        name=name,
        company=company,
        new_company=new_company or None,
        title=title,
        source=source,
        birthday=birthday,
        anniversary=anniversary,
        cadence=every,
        note=note_,
        add_emails=email or [],
        remove_emails=rm_email or [],
        add_phones=phone or [],
        remove_phones=rm_phone or [],
        add_tags=tag or [],
        remove_tags=untag or [],
        set_fields=assignments(set_, unset),
        nickname=nickname,
        add_faxes=fax or [],
        remove_faxes=rm_fax or [],
        add_urls=url or [],
        remove_urls=rm_url or [],
        add_addresses=address or [],
        remove_addresses=rm_address or [],
    )
    editor = FormEditor(env, "contact")
    try:
        saved = edit_contact(env, env.now, ref, changes, editor=editor)
    except PcrmError as exc:
        editor.keep(exc)  # a refused save names where the user's text is kept
        raise
    if saved is None:
        say("no changes")
        return
    _announce(saved, "updated")


def _announce(saved: Saved, verb: str) -> None:
    from pcrm.render.safe import clean

    if saved.created_company:
        company = saved.created_company
        say(f"added company {company.id} {clean(company.name, one_line=True)}")
    say(f"{verb} contact {saved.contact.id} {clean(saved.contact.name, one_line=True)}")


@app.command("stage")
def stage(
    ctx: typer.Context,
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="REF",
            help="The contacts: id, email or name each; none with filters.",
            show_default=False,
        ),
    ] = None,
    *,
    stage_: TargetStageArg,
    reason: ReasonOpt = None,
    at: AtOpt = None,
    tag: TagFilter = None,
    any_tag: AnyTagFilter = None,
    no_tag: NoTagFilter = None,
    company: CompanyFilter = None,
    source: SourceFilter = None,
    search: SearchFilter = None,
    stage_filter: StageFilter = None,
    last_contact_before: LastContactFilter = None,
    where: WhereOption = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
) -> None:
    """Move contacts to a lifecycle stage, any direction.

    Every change is kept with its time and reason (see pcrm lifecycle list for the
    stages); --at may date it back, but not before the contact's last change. Several
    REFs, or `contact list`'s filters instead of REFs, move many in one transaction:
    shown and asked about first on a terminal (--yes: not asked; a script needs it);
    --dry-run lists who would move and changes nothing.

    \b
    Example:
      pcrm contact stage ada mql --reason "asked for pricing"
      pcrm contact stage sql --tag webinar-2026 --stage mql --dry-run
    """
    from pcrm.cli.contact_bulk import stage_many
    from pcrm.cli.lifecycle import change_stage

    filters = ContactFilters(
        tag, any_tag, no_tag, company, source, search, stage_filter, last_contact_before, where
    )
    refs = refs or []
    if len(refs) == 1 and not filters.given() and not dry_run:
        change_stage(ctx, "contact", refs[0], stage_, reason, at)  # one contact, as ever
        return
    stage_many(ctx, refs, stage_, filters, reason, at, dry_run, yes)


@app.command("archive")
def archive(ctx: typer.Context, ref: RefArg) -> None:
    """Archive a contact, deleting nothing.

    It is left out of contact list, the agenda's reminders and vdir exports.
    Everything it has stays (emails, interactions, deals, follow-ups); `pcrm contact
    restore` brings it back. `pcrm vdir import` archives a contact whose card was deleted
    on another device.

    \b
    Example:
      pcrm contact archive ada
    """
    from pcrm.core.people.archive import archive_contact

    _put_away(ctx, ref, archive_contact, "archived")


@app.command("restore")
def restore(ctx: typer.Context, ref: RefArg) -> None:
    """Bring an archived contact back.

    It shows in contact list and vdir exports again.

    \b
    Example:
      pcrm contact restore ada
    """
    from pcrm.core.people.archive import restore_contact

    _put_away(ctx, ref, restore_contact, "restored")


def _put_away(
    ctx: typer.Context, ref: str, step: Callable[[Database, datetime, int], str], done: str
) -> None:
    """Archive or restore one contact, and say so."""
    from pcrm.core.refs import resolve_contact
    from pcrm.render.safe import clean

    env = get_env(ctx)
    with env.database(write=True, create=False) as db:
        contact_id = resolve_contact(db, ref)
        name = step(db, env.now, contact_id)
    say(f"{done} contact {contact_id} {clean(name, one_line=True)}")


@app.command("rm")
def rm(
    ctx: typer.Context,
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="REF",
            help="Id, exact email, or a piece of the name, each; none with filters.",
            show_default=False,
        ),
    ] = None,
    yes: YesOpt = False,
    tag: TagFilter = None,
    any_tag: AnyTagFilter = None,
    no_tag: NoTagFilter = None,
    company: CompanyFilter = None,
    source: SourceFilter = None,
    search: SearchFilter = None,
    stage_filter: StageFilter = None,
    last_contact_before: LastContactFilter = None,
    where: WhereOption = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Remove contacts with their emails, phones and tags.

    Their links to interactions go too; the interactions, companies and other people
    stay. Several REFs, or `contact list`'s filters instead of REFs, remove many in one
    transaction; --dry-run lists who would go and changes nothing. Asked first on a
    terminal (--yes: not asked; a script needs it).

    \b
    Example:
      pcrm contact rm 42 --yes
      pcrm contact rm --tag test-import --dry-run
    """
    from pcrm.core.people.contacts import get_contact, remove_contact
    from pcrm.core.records import id_of_uid
    from pcrm.core.refs import resolve_contact
    from pcrm.render.safe import clean

    filters = ContactFilters(
        tag, any_tag, no_tag, company, source, search, stage_filter, last_contact_before, where
    )
    refs = refs or []
    if len(refs) != 1 or filters.given() or dry_run:
        from pcrm.cli.contact_bulk import remove_many

        remove_many(ctx, refs, filters, dry_run, yes)
        return
    env = get_env(ctx)
    with env.database(write=False) as db:
        asked = get_contact(db, resolve_contact(db, refs[0]))
    label = f"contact {asked.id} {clean(asked.name, one_line=True)}"
    # Ask before taking the write lock, so cron and other writers are not kept waiting;
    # then find the contact again by uid (its id may have gone to someone else meanwhile).
    confirm_removal(env, label, yes)
    with env.database(write=True) as db:
        removed = remove_contact(
            db, env.now, id_of_uid(db, "contact", asked.uid, label, "nothing removed")
        )
    say(f"removed contact {removed.id} {clean(removed.name, one_line=True)}")


@app.command("merge")
def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(metavar="KEEP", help="The contact to keep (a REF).")],
    other: Annotated[
        str, typer.Argument(metavar="OTHER", help="The contact merged into KEEP, then removed.")
    ],
    dry_run: DryRunOption = False,
) -> None:
    """Merge a duplicate contact into another.

    Its emails, phones, tags, interactions, deals, tasks and everything else that
    points at OTHER move to KEEP; KEEP's empty fields take OTHER's values. `pcrm undo` reverses it.

    \b
    Example:
      pcrm contact merge 3 7 --dry-run
    """
    run_merge(ctx, "contact", keep, other, dry_run)


app.add_typer(tag_app, name="tag")

# Address completion for mail clients (cli/contact_query.py).
app.command("query")(_query)
