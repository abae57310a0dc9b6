"""The filters of `pcrm contact list`, shared with the commands that change a filtered set
(`contact tag add|rm`, `contact stage`, `contact rm`): one set of options, one meaning, read
by core's list_contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from pcrm.cli.field import WhereOption
from pcrm.cli.listing import AnyTagFilter, NoTagFilter, TagFilter

if TYPE_CHECKING:
    from pcrm.core.people.contacts import ContactPage
    from pcrm.store.db import Database

__all__ = [
    "AnyTagFilter",
    "CompanyFilter",
    "ContactFilters",
    "LastContactFilter",
    "NoTagFilter",
    "SearchFilter",
    "SourceFilter",
    "StageFilter",
    "TagFilter",
    "WhereOption",
]

CompanyFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--company",
        "-c",
        metavar="REF",
        help="Only people at this company; repeatable (any of them).",
    ),
]
SourceFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="SOURCE",
        help="Only contacts from this source; repeatable, or separated by commas (any of them).",
    ),
]
SearchFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--search",
        "-s",
        metavar="QUERY",
        help="Full-text filter; repeatable (all must match).",
    ),
]
StageFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--stage",
        metavar="STAGE",
        help="Only contacts at this lifecycle stage; repeatable, or separated by commas "
        "(any of them).",
    ),
]
LastContactFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--last-contact-before",
        metavar="WHEN",
        help="Only people not contacted since WHEN, including those never contacted; "
        "repeated, all must hold (the earliest counts).",
    ),
]


@dataclass
class ContactFilters:
    """The filter options as given (None or [] when not)."""

    tag: list[str] | None = None
    any_tag: list[str] | None = None
    no_tag: list[str] | None = None
    company: list[str] | None = None
    source: list[str] | None = None
    search: list[str] | None = None
    stage: list[str] | None = None
    last_contact_before: list[str] | None = None
    where: list[str] | None = None

    def given(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    def page(
        self,
        db: Database,
        now: datetime,
        *,
        sort: str = "name",
        reverse: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> ContactPage:
        """The contacts these filters match (all of them with limit None)."""
        from pcrm.cli.listing import resolve_each
        from pcrm.core.people.contacts import list_contacts
        from pcrm.core.refs import resolve_company
        from pcrm.dates import parse_when

        # Repeated, each must hold: silent since both days is silent since the earlier one.
        before = min(
            (parse_when(text, now).moment for text in self.last_contact_before or []),
            default=None,
        )
        return list_contacts(
            db,
            tags_all=self.tag or [],
            tags_any=self.any_tag or [],
            tags_none=self.no_tag or [],
            company_ids=resolve_each(db, self.company, resolve_company, "--company"),
            sources=self.source or [],
            searches=self.search or [],
            stages=self.stage or [],
            last_contact_before=before,
            sort=sort,
            reverse=reverse,
            limit=limit,
            offset=offset,
            conditions=self.where or [],
            now=now,
        )

    def ids(self, db: Database, now: datetime) -> list[int]:
        """Every contact the filters match, in the list's order (by name)."""
        return [person.id for person in self.page(db, now).contacts]
