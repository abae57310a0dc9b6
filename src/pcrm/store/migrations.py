"""The schema: named, ordered, append-only steps, applied by sqlite-utils' Migrations.

A step that has landed on main is never edited: files made with it exist. A change is a new
step at the end (docs/architecture.md says how).

Every step's SQL is written out in full here, literal: no constant, tuple or helper that
core also uses goes into it, so changing core's vocabulary (core/vocabulary.py) can never
rewrite an old step for new files only. m014_repair_history brings files made while m002,
m003 and m012 were still being edited to the schema a fresh file has.

sqlite-utils is imported only when a step is pending: every command checks the schema, and
that import alone costs more than the rest of `pcrm log` (docs/performance.md).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlite_utils import Database as SqliteUtilsDatabase


class Database(Protocol):
    """What a step uses: pcrm's own Database, sqlite-utils' and a bare sqlite3 connection
    (doctor's repair) all have it. The parameters are Any: each of the three types them
    differently, and a step passes plain values."""

    def execute(self, sql: str, parameters: Any = ..., /) -> sqlite3.Cursor: ...


MIGRATION_SET = "pcrm"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' name: files already have it
_steps: list[tuple[str, Callable[[SqliteUtilsDatabase], None]]] = []


def migration(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register the next schema step under `name` (the order of the file is the order)."""

    def register(step: Callable[..., None]) -> Callable[..., None]:
        _steps.append((name, step))
        return step

    return register


def run_script(db: Database, script: str) -> None:
    """Run several statements inside the current transaction.

    sqlite3's executescript() would COMMIT first and break the step's transaction, so the
    script is split into complete statements (triggers included) and run one by one.
    """
    pending_sql = ""
    for piece in script.split(";"):
        pending_sql += piece + ";"
        if sqlite3.complete_statement(pending_sql):
            if pending_sql.strip(" \n;"):
                db.execute(pending_sql)
            pending_sql = ""


def _exists(db: Database, kind: str, name: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?", [kind, name]
    ).fetchone()
    return row is not None


@migration("m001_initial")
def m001_initial(db: Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE companies (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            domain TEXT,
            website TEXT,
            industry TEXT,
            size TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE INDEX companies_name_key ON companies(name_key);

        CREATE UNIQUE INDEX companies_domain ON companies(domain) WHERE domain IS NOT NULL;

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
            title TEXT,
            source TEXT,
            birthday TEXT,
            note TEXT,
            last_contacted_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE INDEX contacts_name_key ON contacts(name_key);

        CREATE INDEX contacts_company ON contacts(company_id);

        CREATE INDEX contacts_source ON contacts(source);

        CREATE TABLE contact_emails (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            email TEXT NOT NULL UNIQUE,
            label TEXT,
            position INTEGER NOT NULL DEFAULT 0
        );

        CREATE INDEX contact_emails_contact ON contact_emails(contact_id);

        CREATE TABLE contact_phones (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            phone TEXT NOT NULL,
            label TEXT,
            position INTEGER NOT NULL DEFAULT 0
        );

        CREATE INDEX contact_phones_contact ON contact_phones(contact_id);

        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE
        );

        CREATE TABLE contact_tags (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (contact_id, tag_id)
        ) WITHOUT ROWID;

        CREATE INDEX contact_tags_tag ON contact_tags(tag_id);

        CREATE TABLE company_tags (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (company_id, tag_id)
        ) WITHOUT ROWID;

        CREATE INDEX company_tags_tag ON company_tags(tag_id);

        CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'demo', 'message',
                'note')),
            at TEXT NOT NULL,
            text TEXT NOT NULL,
            company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );

        CREATE INDEX interactions_at ON interactions(at);

        CREATE INDEX interactions_company ON interactions(company_id, at);

        CREATE TABLE interaction_contacts (
            interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            PRIMARY KEY (interaction_id, contact_id)
        ) WITHOUT ROWID;

        CREATE INDEX interaction_contacts_contact ON interaction_contacts(contact_id);

        -- What was deleted, by uid, so a later sync can pass deletions on.
        CREATE TABLE deletions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            uid TEXT NOT NULL,
            deleted_at TEXT NOT NULL
        );

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


@migration("m002_search")
def m002_search(db: Database) -> None:
    """The FTS5 index and the triggers that keep it current, filled from existing records.

    Views assemble each record's searchable text (a contact's emails, phones, company and
    tags included); triggers re-index a record from its view whenever any part changes.
    """
    # Defensive: the first main (4b1d639) built all of this in m001_initial, so its files
    # have it without a record of m002. Their update triggers are m002's first version,
    # which m014_repair_history replaces.
    if _exists(db, "table", "search_index"):
        return
    run_script(
        db,
        """
        CREATE VIRTUAL TABLE search_index USING fts5(
            kind UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2'
        );

        CREATE VIEW contact_search_docs AS
        SELECT c.id AS id, c.id * 8 + 1 AS doc, c.name AS title,
            trim(coalesce((SELECT group_concat(email, ' ') FROM contact_emails
                WHERE contact_id = c.id), '')
            || ' ' || coalesce((SELECT group_concat(phone, ' ') FROM contact_phones
                WHERE contact_id = c.id), '')
            || ' ' || coalesce(c.title, '')
            || ' ' || coalesce(co.name, '')
            || ' ' || coalesce(c.source, '')
            || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM contact_tags ct
                JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id), '')
            || ' ' || coalesce(c.note, '')) AS body
        FROM contacts c LEFT JOIN companies co ON co.id = c.company_id;

        CREATE VIEW company_search_docs AS
        SELECT co.id AS id, co.id * 8 + 2 AS doc, co.name AS title,
            trim(coalesce(co.domain, '')
            || ' ' || coalesce(co.website, '')
            || ' ' || coalesce(co.industry, '')
            || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM company_tags ct
                JOIN tags t ON t.id = ct.tag_id WHERE ct.company_id = co.id), '')
            || ' ' || coalesce(co.note, '')) AS body
        FROM companies co;

        CREATE VIEW interaction_search_docs AS
        SELECT i.id AS id, i.id * 8 + 3 AS doc, i.kind AS title, i.text AS body
        FROM interactions i;

        CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, title, source, note,
            company_id ON contacts BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.id;
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.id;
        END;

        CREATE TRIGGER contact_emails_search_insert AFTER INSERT ON contact_emails BEGIN
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_emails_search_update AFTER UPDATE ON contact_emails BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_emails_search_delete AFTER DELETE ON contact_emails BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
        END;

        CREATE TRIGGER contact_phones_search_insert AFTER INSERT ON contact_phones BEGIN
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_phones_search_update AFTER UPDATE ON contact_phones BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_phones_search_delete AFTER DELETE ON contact_phones BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
        END;

        CREATE TRIGGER contact_tags_search_insert AFTER INSERT ON contact_tags BEGIN
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_tags_search_update AFTER UPDATE ON contact_tags BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_tags_search_delete AFTER DELETE ON contact_tags BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
        END;

        CREATE TRIGGER companies_search_insert AFTER INSERT ON companies BEGIN
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER companies_search_update AFTER UPDATE OF name, domain, website, industry,
            note ON companies BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = OLD.id;
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER companies_search_delete AFTER DELETE ON companies BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = OLD.id;
        END;

        CREATE TRIGGER company_tags_search_insert AFTER INSERT ON company_tags BEGIN
            DELETE FROM search_index WHERE rowid = NEW.company_id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = NEW.company_id;
        END;

        CREATE TRIGGER company_tags_search_update AFTER UPDATE ON company_tags BEGIN
            DELETE FROM search_index WHERE rowid = OLD.company_id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = OLD.company_id;
            DELETE FROM search_index WHERE rowid = NEW.company_id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = NEW.company_id;
        END;

        CREATE TRIGGER company_tags_search_delete AFTER DELETE ON company_tags BEGIN
            DELETE FROM search_index WHERE rowid = OLD.company_id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = OLD.company_id;
        END;

        CREATE TRIGGER interactions_search_insert AFTER INSERT ON interactions BEGIN
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER interactions_search_update AFTER UPDATE OF kind, text ON interactions
            BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = OLD.id;
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER interactions_search_delete AFTER DELETE ON interactions BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = OLD.id;
        END;

        CREATE TRIGGER companies_search_people AFTER UPDATE OF name ON companies BEGIN
                    DELETE FROM search_index WHERE rowid IN
                        (SELECT id * 8 + 1 FROM contacts WHERE company_id = NEW.id);
                    INSERT INTO search_index(rowid, kind, title, body)
                        SELECT doc, 'contact', title, body FROM contact_search_docs
                        WHERE id IN (SELECT id FROM contacts WHERE company_id = NEW.id);
                END;

        INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'contact', title, body
            FROM contact_search_docs;

        INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'company', title, body
            FROM company_search_docs;

        INSERT INTO search_index(rowid, kind, title, body) SELECT doc, 'interaction', title,
            body FROM interaction_search_docs;
        """,
    )


@migration("m003_deals")
def m003_deals(db: Database) -> None:
    """Pipelines with ordered stages, deals and their stage/status history; deals searchable
    by title, company, source, tags, lost reason and note."""
    run_script(
        db,
        """
        CREATE TABLE pipelines (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
            created_at TEXT NOT NULL
        );

        CREATE UNIQUE INDEX pipelines_one_default ON pipelines(is_default) WHERE is_default = 1;

        CREATE TABLE stages (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
            name TEXT NOT NULL COLLATE NOCASE,
            position INTEGER NOT NULL,
            probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
            rot_days INTEGER CHECK (rot_days IS NULL OR rot_days > 0),
            UNIQUE (pipeline_id, name)
        );

        CREATE INDEX stages_pipeline ON stages(pipeline_id, position);

        -- ISO 4217 currencies in use, with their minor-unit exponent: validated once with the
        -- iso4217 package when first used, then read from here (its import is slow).
        CREATE TABLE currencies (
            code TEXT PRIMARY KEY,
            exponent INTEGER NOT NULL CHECK (exponent BETWEEN 0 AND 4),
            name TEXT NOT NULL
        );

        CREATE TABLE deals (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            title_key TEXT NOT NULL,
            value INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0),
            currency TEXT NOT NULL REFERENCES currencies(code),
            company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
            pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
            stage_id INTEGER NOT NULL REFERENCES stages(id),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
            expected_close TEXT,
            source TEXT,
            lost_reason TEXT,
            closed_at TEXT,
            note TEXT,
            stage_entered_at TEXT NOT NULL,
            last_activity_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE INDEX deals_board ON deals(pipeline_id, status, stage_id, value);

        CREATE INDEX deals_stage ON deals(stage_id);

        CREATE INDEX deals_company ON deals(company_id);

        CREATE INDEX deals_close ON deals(status, expected_close);

        CREATE INDEX deals_title_key ON deals(title_key);

        CREATE TABLE deal_contacts (
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            role TEXT,
            PRIMARY KEY (deal_id, contact_id)
        ) WITHOUT ROWID;

        CREATE INDEX deal_contacts_contact ON deal_contacts(contact_id);

        CREATE TABLE deal_tags (
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (deal_id, tag_id)
        ) WITHOUT ROWID;

        CREATE INDEX deal_tags_tag ON deal_tags(tag_id);

        -- Every stage move and status change, with names kept as they were at the time
        -- (a stage may be renamed or removed later). Feeds time-in-stage and cycle length.
        CREATE TABLE deal_history (
            id INTEGER PRIMARY KEY,
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            from_stage_id INTEGER REFERENCES stages(id) ON DELETE SET NULL,
            from_stage TEXT,
            to_stage_id INTEGER REFERENCES stages(id) ON DELETE SET NULL,
            to_stage TEXT,
            from_status TEXT,
            to_status TEXT NOT NULL,
            note TEXT
        );

        CREATE INDEX deal_history_deal ON deal_history(deal_id, at);

        CREATE INDEX deal_history_at ON deal_history(at);

        ALTER TABLE interactions ADD COLUMN deal_id INTEGER REFERENCES deals(id) ON DELETE SET
            NULL;

        CREATE INDEX interactions_deal ON interactions(deal_id, at);

        CREATE VIEW deal_search_docs AS
        SELECT d.id AS id, d.id * 8 + 4 AS doc, d.title AS title,
            trim(coalesce(co.name, '')
            || ' ' || coalesce(d.source, '')
            || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM deal_tags dt
                JOIN tags t ON t.id = dt.tag_id WHERE dt.deal_id = d.id), '')
            || ' ' || coalesce(d.lost_reason, '')
            || ' ' || coalesce(d.note, '')) AS body
        FROM deals d LEFT JOIN companies co ON co.id = d.company_id;

        CREATE TRIGGER deals_search_insert AFTER INSERT ON deals BEGIN
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER deals_search_update AFTER UPDATE OF title, company_id, source,
            lost_reason, note ON deals BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = OLD.id;
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER deals_search_delete AFTER DELETE ON deals BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = OLD.id;
        END;

        CREATE TRIGGER deal_tags_search_insert AFTER INSERT ON deal_tags BEGIN
            DELETE FROM search_index WHERE rowid = NEW.deal_id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = NEW.deal_id;
        END;

        CREATE TRIGGER deal_tags_search_update AFTER UPDATE ON deal_tags BEGIN
            DELETE FROM search_index WHERE rowid = OLD.deal_id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = OLD.deal_id;
            DELETE FROM search_index WHERE rowid = NEW.deal_id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = NEW.deal_id;
        END;

        CREATE TRIGGER deal_tags_search_delete AFTER DELETE ON deal_tags BEGIN
            DELETE FROM search_index WHERE rowid = OLD.deal_id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = OLD.deal_id;
        END;

        CREATE TRIGGER companies_search_deals AFTER UPDATE OF name ON companies BEGIN
                    DELETE FROM search_index WHERE rowid IN
                        (SELECT id * 8 + 4 FROM deals WHERE company_id = NEW.id);
                    INSERT INTO search_index(rowid, kind, title, body)
                        SELECT doc, 'deal', title, body FROM deal_search_docs
                        WHERE id IN (SELECT id FROM deals WHERE company_id = NEW.id);
                END;
        """,
    )
    _seed_default_pipeline(db)


def _seed_default_pipeline(db: Database) -> None:
    """The default pipeline of a new database: (stage, win probability %, rotting days)."""
    import uuid
    from datetime import UTC, datetime

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pipeline_id = db.execute(
        "INSERT INTO pipelines(uid, name, is_default, created_at) VALUES (?, 'Sales', 1, ?)",
        [str(uuid.uuid4()), now],
    ).lastrowid
    stages = (
        ("Qualified", 10, 30),
        ("Contact made", 20, 21),
        ("Demo", 40, 14),
        ("Proposal", 60, 14),
        ("Negotiation", 80, 21),
    )
    for position, (name, probability, rot_days) in enumerate(stages, start=1):
        db.execute(
            "INSERT INTO stages(uid, pipeline_id, name, position, probability, rot_days)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [str(uuid.uuid4()), pipeline_id, name, position, probability, rot_days],
        )


@migration("m004_tasks")
def m004_tasks(db: Database) -> None:
    """Follow-ups (tasks), and a contact's stay-in-touch cadence and anniversary.

    due_date is the local calendar day the task is due (so "today" lasts until local
    midnight whatever the zone); due_at is the UTC instant when a time of day was given.
    A recurring task keeps its RFC 5545 RRULE and the day its series started (the DTSTART),
    so snoozing one occurrence does not shift the ones after it. Done, it stays as history
    and the next occurrence is a new row."""
    run_script(
        db,
        """
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL,
            company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
            due_date TEXT NOT NULL,
            due_at TEXT,
            rrule TEXT,
            series_start TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            done_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK ((rrule IS NULL) = (series_start IS NULL)),
            CHECK ((status = 'done') = (done_at IS NOT NULL))
        );
        CREATE INDEX tasks_due ON tasks(status, due_date);
        CREATE INDEX tasks_contact ON tasks(contact_id);
        CREATE INDEX tasks_deal ON tasks(deal_id);
        CREATE INDEX tasks_company ON tasks(company_id);
        ALTER TABLE contacts ADD COLUMN cadence_days INTEGER
            CHECK (cadence_days IS NULL OR cadence_days > 0);
        ALTER TABLE contacts ADD COLUMN anniversary TEXT;
        """,
    )


@migration("m005_lifecycle")
def m005_lifecycle(db: Database) -> None:
    """Lifecycle stages of contacts and companies: the configurable ordered list, each
    record's current stage, and every change with its time and reason.

    The current stage is kept by name beside the record (NULL: not in the lifecycle yet),
    and history copies names as they were, so removing a stage later leaves history true.
    Exits (disqualified, churned) are stages a record leaves the funnel by."""
    run_script(
        db,
        """
        CREATE TABLE lifecycle_stages (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            position INTEGER NOT NULL,
            is_exit INTEGER NOT NULL DEFAULT 0 CHECK (is_exit IN (0, 1))
        );
        ALTER TABLE contacts ADD COLUMN lifecycle_stage TEXT;
        CREATE INDEX contacts_lifecycle_stage ON contacts(lifecycle_stage);
        ALTER TABLE companies ADD COLUMN lifecycle_stage TEXT;
        CREATE TABLE lifecycle_history (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
            company_id INTEGER REFERENCES companies(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            from_stage TEXT,
            to_stage TEXT NOT NULL,
            reason TEXT,
            CHECK ((contact_id IS NULL) <> (company_id IS NULL))
        );
        CREATE INDEX lifecycle_history_contact ON lifecycle_history(contact_id, at);
        CREATE INDEX lifecycle_history_company ON lifecycle_history(company_id, at);
        CREATE INDEX lifecycle_history_at ON lifecycle_history(at);
        """,
    )
    stages = ("lead", "prospect", "mql", "sql", "opportunity", "customer")
    exits = ("disqualified", "churned")
    rows = [(name, 0) for name in stages] + [(name, 1) for name in exits]
    for position, (name, is_exit) in enumerate(rows, start=1):
        db.execute(
            "INSERT INTO lifecycle_stages(name, position, is_exit) VALUES (?, ?, ?)",
            [name, position, is_exit],
        )


@migration("m006_scoring")
def m006_scoring(db: Database) -> None:
    """Lead-scoring rules, one a row, as canonical rule text (core/score_rules.py parses
    it). AUTOINCREMENT: a removed rule's number is never given to a new rule, so
    `pcrm score rule rm N` cannot hit a rule the user has not seen yet."""
    run_script(
        db,
        """
        CREATE TABLE score_rules (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rule TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        """,
    )


@migration("m007_fields")
def m007_fields(db: Database) -> None:
    """Custom fields: definitions per record kind, and one value table per kind.

    A value table per kind (like the tag links) gives every value a real foreign key to its
    record, so removing a record removes its values and a merge finds them through
    PRAGMA foreign_key_list. `value` has no declared type: numbers stay INTEGER or REAL and
    compare as numbers, dates are YYYY-MM-DD text, text and choices are text."""
    run_script(
        db,
        """
        CREATE TABLE fields (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('contact', 'company', 'deal')),
            name TEXT NOT NULL COLLATE NOCASE,
            type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'choice')),
            choices TEXT,  -- a JSON array of the choices, for type 'choice' only
            created_at TEXT NOT NULL,
            UNIQUE (kind, name),
            CHECK ((type = 'choice') = (choices IS NOT NULL))
        );
        CREATE TABLE contact_field_values (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
            value NOT NULL CHECK (typeof(value) IN ('integer', 'real', 'text')),
            PRIMARY KEY (contact_id, field_id)
        ) WITHOUT ROWID;
        CREATE INDEX contact_field_values_field ON contact_field_values(field_id, value);
        CREATE TABLE company_field_values (
            company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
            field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
            value NOT NULL CHECK (typeof(value) IN ('integer', 'real', 'text')),
            PRIMARY KEY (company_id, field_id)
        ) WITHOUT ROWID;
        CREATE INDEX company_field_values_field ON company_field_values(field_id, value);
        CREATE TABLE deal_field_values (
            deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
            field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
            value NOT NULL CHECK (typeof(value) IN ('integer', 'real', 'text')),
            PRIMARY KEY (deal_id, field_id)
        ) WITHOUT ROWID;
        CREATE INDEX deal_field_values_field ON deal_field_values(field_id, value);
        """,
    )


@migration("m008_merges")
def m008_merges(db: Database) -> None:
    """Merges of two contacts (or companies), with what `pcrm undo` needs to reverse them.

    `changes` is a JSON journal of every row the merge touched, as it was before and after
    (the other record's own row among them), so an undo can check that nothing changed
    since and put each row back. No foreign keys on purpose: merge moves every row that
    references a contact or company, and these rows must stay as they were written."""
    run_script(
        db,
        """
        CREATE TABLE merges (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('contact', 'company')),
            keep_id INTEGER NOT NULL,
            other_id INTEGER NOT NULL,
            other_uid TEXT NOT NULL,
            other_name TEXT NOT NULL,
            other_row TEXT NOT NULL,
            changes TEXT NOT NULL,
            merged_at TEXT NOT NULL,
            undone_at TEXT
        );
        CREATE INDEX merges_undone ON merges(undone_at, id);
        """,
    )


@migration("m009_import")
def m009_import(db: Database) -> None:
    """The last 8 digits of a phone number as stored (common separators removed): the index
    finds the numbers that may be the same as an imported one ("+44 20 7946 0958" and
    "020 7946 0958") without reading every phone; E.164 then decides (core/importing.py).
    core/vocabulary.py's PHONE_TAIL_SQL is this expression (a test keeps them equal)."""
    run_script(
        db,
        """
        CREATE INDEX contact_phones_tail ON
            contact_phones(substr(replace(replace(replace(replace(replace(replace(replace(phone,
            ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''), '+', ''), -8));
        """,
    )


@migration("m010_import_speed")
def m010_import_speed(db: Database) -> None:
    """The import finds a row's namesake at the same company with one index search per
    row, instead of reading every contact of that name (~35 per name in a 100 000-contact
    book). The new index starts with name_key, so it serves every query the old one did."""
    run_script(
        db,
        """
        CREATE INDEX contacts_name_company ON contacts(name_key, company_id);
        DROP INDEX contacts_name_key;
        """,
    )


@migration("m011_agenda_speed")
def m011_agenda_speed(db: Database) -> None:
    """Indexes for `pcrm agenda` over a large file (docs/performance.md says which serves
    which section). Partial ones hold only the rows a section can list."""
    run_script(
        db,
        """
        CREATE INDEX contacts_cadence ON contacts(cadence_days) WHERE cadence_days IS NOT NULL;
        CREATE INDEX contacts_birthday_day ON contacts(substr(birthday, -5)) WHERE birthday IS
            NOT NULL;
        CREATE INDEX contacts_anniversary_day ON contacts(substr(anniversary, -5)) WHERE
            anniversary IS NOT NULL;
        CREATE INDEX deals_idle ON deals(status, last_activity_at, expected_close, stage_id,
            pipeline_id);
        CREATE INDEX tasks_open_deal ON tasks(deal_id) WHERE status = 'open';
        """,
    )
    # A file with planner statistics (ANALYZE was run, as bench/generate.py does) gets them
    # for these too: next to measured indexes, an unmeasured one looks worse than it is.
    if _exists(db, "table", "sqlite_stat1"):
        for name in (
            "contacts_cadence",
            "contacts_birthday_day",
            "contacts_anniversary_day",
            "deals_idle",
            "tasks_open_deal",
        ):
            db.execute(f"ANALYZE {name}")


@migration("m012_views_speed")
def m012_views_speed(db: Database) -> None:
    """Indexes of the views over a large file (report activity, report wins, scoring).

    Each leads with a column that is searched by range or by a key of a few rows, never
    with a low-cardinality one (kind, status): without ANALYZE statistics SQLite takes an
    equality on such a column for a selective key, and a (kind, at) index made the
    silent-contact scoring rule walk a whole kind of interactions per contact.
    interactions_at_kind: interactions per week and kind (report activity) and per kind in
    a period (scoring), from the index alone. tasks_done: follow-ups done in a period; partial,
    so a query about open follow-ups cannot pick it. deal_history_status: a closed deal's
    last history row into its status, one grouped pass (report wins).
    """
    run_script(
        db,
        """
        CREATE INDEX interactions_at_kind ON interactions(at, kind);
        CREATE INDEX tasks_done ON tasks(done_at) WHERE status = 'done';
        CREATE INDEX deal_history_status ON deal_history(deal_id, to_status, at);
        """,
    )


@migration("m013_last_touch")
def m013_last_touch(db: Database) -> None:
    """Each link of an interaction to a contact carries the interaction's time, kept by
    triggers, so a contact's last touch that has happened is one seek in (contact_id, at)
    instead of a lookup into interactions per link: the agenda's stay-in-touch section made
    58 000 of them for 5 000 contacts in the bench set. The index starts with contact_id,
    so it serves every query the one it replaces did."""
    run_script(
        db,
        """
        ALTER TABLE interaction_contacts ADD COLUMN at TEXT;
        UPDATE interaction_contacts
            SET at = (SELECT i.at FROM interactions i WHERE i.id = interaction_id);
        CREATE INDEX interaction_contacts_contact_at ON interaction_contacts(contact_id, at);
        DROP INDEX interaction_contacts_contact;
        CREATE TRIGGER interaction_contacts_at AFTER INSERT ON interaction_contacts BEGIN
            UPDATE interaction_contacts
                SET at = (SELECT i.at FROM interactions i WHERE i.id = NEW.interaction_id)
                WHERE interaction_id = NEW.interaction_id AND contact_id = NEW.contact_id;
        END;
        CREATE TRIGGER interactions_at_links AFTER UPDATE OF at ON interactions BEGIN
            UPDATE interaction_contacts SET at = NEW.at WHERE interaction_id = NEW.id;
        END;
        """,
    )


# What m014 and `pcrm doctor --fix` put right: every object whose definition was changed
# after its step had landed on main, as a fresh file has it. Written out, like every step.
#
# - m002_search (b61dc70) re-indexed on any update of contacts, companies, interactions;
#   its edit (1d05636) limited that to the indexed columns.
# - m003_deals (1d05636) had no currencies table and no deal tags in search; edits
#   (2d4b788, aeca91e) added both and the re-index of deals on a company's rename.
# - m012_views_speed (f8d2e81) made interactions_kind_at and tasks_done(status, done_at);
#   edits (2f14664, d526640) added deal_history_status, replaced them with
#   interactions_at_kind and a partial tasks_done. The (kind, at) index made a scoring rule
#   take 94 s instead of 154 ms.
REPAIRED_OBJECTS: tuple[tuple[str, str, str], ...] = (
    (
        "table",
        "currencies",
        """CREATE TABLE currencies (
            code TEXT PRIMARY KEY,
            exponent INTEGER NOT NULL CHECK (exponent BETWEEN 0 AND 4),
            name TEXT NOT NULL
        )""",
    ),
    (
        "view",
        "deal_search_docs",
        """CREATE VIEW deal_search_docs AS
        SELECT d.id AS id, d.id * 8 + 4 AS doc, d.title AS title,
            trim(coalesce(co.name, '')
            || ' ' || coalesce(d.source, '')
            || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM deal_tags dt
                JOIN tags t ON t.id = dt.tag_id WHERE dt.deal_id = d.id), '')
            || ' ' || coalesce(d.lost_reason, '')
            || ' ' || coalesce(d.note, '')) AS body
        FROM deals d LEFT JOIN companies co ON co.id = d.company_id""",
    ),
    (
        "trigger",
        "contacts_search_update",
        """CREATE TRIGGER contacts_search_update
            AFTER UPDATE OF name, title, source, note, company_id ON contacts BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.id;
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.id;
        END""",
    ),
    (
        "trigger",
        "companies_search_update",
        """CREATE TRIGGER companies_search_update
            AFTER UPDATE OF name, domain, website, industry, note ON companies BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = OLD.id;
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 2;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'company', title, body FROM company_search_docs
                    WHERE id = NEW.id;
        END""",
    ),
    (
        "trigger",
        "interactions_search_update",
        """CREATE TRIGGER interactions_search_update AFTER UPDATE OF kind, text ON interactions
        BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = OLD.id;
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = NEW.id;
        END""",
    ),
    (
        "trigger",
        "deal_tags_search_insert",
        """CREATE TRIGGER deal_tags_search_insert AFTER INSERT ON deal_tags BEGIN
            DELETE FROM search_index WHERE rowid = NEW.deal_id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = NEW.deal_id;
        END""",
    ),
    (
        "trigger",
        "deal_tags_search_update",
        """CREATE TRIGGER deal_tags_search_update AFTER UPDATE ON deal_tags BEGIN
            DELETE FROM search_index WHERE rowid = OLD.deal_id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = OLD.deal_id;
            DELETE FROM search_index WHERE rowid = NEW.deal_id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = NEW.deal_id;
        END""",
    ),
    (
        "trigger",
        "deal_tags_search_delete",
        """CREATE TRIGGER deal_tags_search_delete AFTER DELETE ON deal_tags BEGIN
            DELETE FROM search_index WHERE rowid = OLD.deal_id * 8 + 4;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                    WHERE id = OLD.deal_id;
        END""",
    ),
    (
        "trigger",
        "companies_search_deals",
        """CREATE TRIGGER companies_search_deals AFTER UPDATE OF name ON companies BEGIN
            DELETE FROM search_index WHERE rowid IN
                (SELECT id * 8 + 4 FROM deals WHERE company_id = NEW.id);
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'deal', title, body FROM deal_search_docs
                WHERE id IN (SELECT id FROM deals WHERE company_id = NEW.id);
        END""",
    ),
    (
        "index",
        "interactions_at_kind",
        "CREATE INDEX interactions_at_kind ON interactions(at, kind)",
    ),
    ("index", "tasks_done", "CREATE INDEX tasks_done ON tasks(done_at) WHERE status = 'done'"),
    (
        "index",
        "deal_history_status",
        "CREATE INDEX deal_history_status ON deal_history(deal_id, to_status, at)",
    ),
)
# Objects of earlier versions that a fresh file does not have.
REMOVED_OBJECTS: tuple[tuple[str, str], ...] = (("index", "interactions_kind_at"),)
# m003_deals's first version (1d05636) declared deals.currency without its foreign key.
REPAIRABLE = frozenset(
    [name for _, name, _ in REPAIRED_OBJECTS] + [name for _, name in REMOVED_OBJECTS] + ["deals"]
)
_DEALS_CURRENCY = "currency TEXT NOT NULL,"
_DEALS_CURRENCY_FIXED = "currency TEXT NOT NULL REFERENCES currencies(code),"


def normalised(sql: str | None) -> str:
    """SQL text with every run of whitespace one space: how schema text is compared."""
    return " ".join((sql or "").split())


def _definition(db: Database, kind: str, name: str) -> str | None:
    row = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = ? AND name = ?", [kind, name]
    ).fetchone()
    return None if row is None else normalised(row[0])


def repair_history(db: Database) -> list[str]:
    """Bring a file made by any earlier pcrm to the schema of a fresh file; say what changed.

    Idempotent, and a no-op on a fresh file: each object is compared with its fresh
    definition and only a missing or different one is (re)made. Indexes, triggers and views
    hold no data of their own, so dropping and remaking them loses nothing; the deals'
    search text is rebuilt when their view changes. Step order in _sqlite_migrations is not
    consulted: a file that applied m012 before m010/m011 is judged by what it holds.
    """
    done: list[str] = []
    for kind, name in REMOVED_OBJECTS:
        if _definition(db, kind, name) is not None:
            db.execute(f"DROP {kind.upper()} {name}")
            done.append(f"{kind} {name}: dropped (not in a fresh file)")
    for kind, name, sql in REPAIRED_OBJECTS:
        current = _definition(db, kind, name)
        if current == normalised(sql):
            continue
        if current is None:
            db.execute(sql)
            done.append(f"{kind} {name}: created")
        elif kind == "table":
            continue  # a table holds data: never dropped here (doctor names the difference)
        else:
            db.execute(f"DROP {kind.upper()} {name}")
            db.execute(sql)
            done.append(f"{kind} {name}: remade as in a fresh file")
        if name == "deal_search_docs":
            db.execute("DELETE FROM search_index WHERE rowid % 8 = 4")
            db.execute(
                "INSERT INTO search_index(rowid, kind, title, body)"
                " SELECT doc, 'deal', title, body FROM deal_search_docs"
            )
            done.append("search index: deals re-indexed")
    done.extend(_repair_deals_currency(db))
    return done


def _repair_deals_currency(db: Database) -> list[str]:
    """Give deals.currency its foreign key to currencies, as m003_deals declares it now.

    A table with data cannot be dropped and remade inside a migration (foreign keys are on,
    so the drop would cascade to the deals' history and links). Adding a REFERENCES clause
    does not change how rows are stored, so SQLite's documented writable_schema edit is
    used, and only when every deal's currency is in currencies (never true for the first
    version: it had no deal commands yet)."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'deals'")
    row = sql.fetchone()
    if row is None or _DEALS_CURRENCY_FIXED in row[0] or _DEALS_CURRENCY not in row[0]:
        return []
    if db.execute(
        "SELECT 1 FROM deals WHERE currency NOT IN (SELECT code FROM currencies)"
    ).fetchone():
        return []
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'deals'",
            [row[0].replace(_DEALS_CURRENCY, _DEALS_CURRENCY_FIXED, 1)],
        )
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    return ["table deals: currency references currencies(code)"]


@migration("m014_repair_history")
def m014_repair_history(db: Database) -> None:
    """Files made while m002, m003 or m012 were still being edited on main get the schema
    a fresh file has (see REPAIRED_OBJECTS). `pcrm doctor --fix` runs the same repair."""
    repair_history(db)


@migration("m015_contact_details")
def m015_contact_details(db: Database) -> None:
    """What real address books hold beyond emails and phones: a nickname, postal addresses,
    web and social URLs, fax numbers (their own table, so that no phone query — duplicates,
    search, matching, the agenda — takes a fax for a number to call) and the raw vCard a
    contact was imported from (kept apart, so scans of contacts stay small; its properties
    pcrm does not model come back out on vCard export).

    The search text gains the nickname, the addresses' locality, region and country and
    the URLs, appended after the note: a contact without them keeps the same text, so the
    index needs no rebuild. A change of nickname re-indexes the contact through a trigger
    of its own: contacts_search_update is one of m014's repaired objects, left as it is."""
    run_script(
        db,
        """
        ALTER TABLE contacts ADD COLUMN nickname TEXT;

        CREATE TABLE contact_addresses (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            label TEXT,
            street TEXT,
            locality TEXT,
            region TEXT,
            postcode TEXT,
            country TEXT,
            position INTEGER NOT NULL DEFAULT 0
        );

        CREATE INDEX contact_addresses_contact ON contact_addresses(contact_id);

        CREATE TABLE contact_urls (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            label TEXT,
            position INTEGER NOT NULL DEFAULT 0
        );

        CREATE INDEX contact_urls_contact ON contact_urls(contact_id);

        CREATE TABLE contact_faxes (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            phone TEXT NOT NULL,
            label TEXT,
            position INTEGER NOT NULL DEFAULT 0
        );

        CREATE INDEX contact_faxes_contact ON contact_faxes(contact_id);

        CREATE TABLE contact_vcards (
            contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
            card TEXT NOT NULL
        ) WITHOUT ROWID;

        DROP VIEW contact_search_docs;

        CREATE VIEW contact_search_docs AS
        SELECT c.id AS id, c.id * 8 + 1 AS doc, c.name AS title,
            trim(coalesce((SELECT group_concat(email, ' ') FROM contact_emails
                WHERE contact_id = c.id), '')
            || ' ' || coalesce((SELECT group_concat(phone, ' ') FROM contact_phones
                WHERE contact_id = c.id), '')
            || ' ' || coalesce(c.title, '')
            || ' ' || coalesce(co.name, '')
            || ' ' || coalesce(c.source, '')
            || ' ' || coalesce((SELECT group_concat(t.name, ' ') FROM contact_tags ct
                JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id), '')
            || ' ' || coalesce(c.note, '')
            || ' ' || coalesce(c.nickname, '')
            || ' ' || coalesce((SELECT group_concat(trim(coalesce(a.locality, '')
                || ' ' || coalesce(a.region, '') || ' ' || coalesce(a.country, '')), ' ')
                FROM contact_addresses a WHERE a.contact_id = c.id), '')
            || ' ' || coalesce((SELECT group_concat(url, ' ') FROM contact_urls
                WHERE contact_id = c.id), '')) AS body
        FROM contacts c LEFT JOIN companies co ON co.id = c.company_id;

        CREATE TRIGGER contacts_search_nickname AFTER UPDATE OF nickname ON contacts BEGIN
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER contact_addresses_search_insert AFTER INSERT ON contact_addresses BEGIN
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_addresses_search_update AFTER UPDATE ON contact_addresses BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_addresses_search_delete AFTER DELETE ON contact_addresses BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
        END;

        CREATE TRIGGER contact_urls_search_insert AFTER INSERT ON contact_urls BEGIN
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_urls_search_update AFTER UPDATE ON contact_urls BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
            DELETE FROM search_index WHERE rowid = NEW.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = NEW.contact_id;
        END;

        CREATE TRIGGER contact_urls_search_delete AFTER DELETE ON contact_urls BEGIN
            DELETE FROM search_index WHERE rowid = OLD.contact_id * 8 + 1;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                    WHERE id = OLD.contact_id;
        END;
        """,
    )


@migration("m016_agenda_runs")
def m016_agenda_runs(db: Database) -> None:
    """The runs of `pcrm agenda --cron`: when each ran, the local day and zone it was for,
    how it delivered (print, or the command it piped to), whether that worked, and the rows
    it showed (JSON). The agenda's "missed" section starts after the latest day of a run
    that delivered: agenda_runs_ok finds that day with one seek (a partial index, so the
    query must say `status <> 'failed'` as it does)."""
    run_script(
        db,
        """
        CREATE TABLE agenda_runs (
            id INTEGER PRIMARY KEY,
            ran_at TEXT NOT NULL,
            day TEXT NOT NULL,
            zone TEXT NOT NULL,
            delivery TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('delivered', 'silent', 'failed')),
            exit_code INTEGER,
            error TEXT,
            shown TEXT NOT NULL DEFAULT '[]'
        );

        CREATE INDEX agenda_runs_ok ON agenda_runs(day) WHERE status <> 'failed';
        """,
    )


@migration("m017_interaction_records")
def m017_interaction_records(db: Database) -> None:
    """Interactions become records that can be corrected: user-defined kinds and their
    aliases, and a planned interaction that was cancelled (`cancelled_at`).

    `interactions` is rebuilt (SQLite's table rebuild: a new table, copy, drop, rename,
    then every index and trigger of the table made again) so that its kind is no longer a
    CHECK of the six built-in names but a reference to interaction_kinds. Foreign keys are
    on inside a step, so dropping the old table would delete its links in
    interaction_contacts (ON DELETE CASCADE): they are kept in a temporary table and put
    back with their time. The search index keeps its rows: ids do not change, and a
    dropped table fires no delete trigger.

    A cancelled interaction's links carry no time (NULL), so every "last touch" seek
    (max(ic.at) up to now) passes over it: interaction_contacts_at and
    interactions_at_links now give a link the interaction's time only while it is not
    cancelled."""
    run_script(
        db,
        """
        CREATE TABLE interaction_kinds (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            position INTEGER NOT NULL,
            builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
        );

        INSERT INTO interaction_kinds(name, position, builtin) VALUES
            ('call', 1, 1), ('email', 2, 1), ('meeting', 3, 1), ('demo', 4, 1),
            ('message', 5, 1), ('note', 6, 1);

        CREATE TABLE interaction_kind_aliases (
            alias TEXT PRIMARY KEY COLLATE NOCASE,
            kind TEXT NOT NULL REFERENCES interaction_kinds(name) ON DELETE CASCADE
        );

        INSERT INTO interaction_kind_aliases(alias, kind) VALUES
            ('phone', 'call'), ('mail', 'email'), ('e-mail', 'email'), ('meet', 'meeting'),
            ('sms', 'message'), ('text', 'message');

        CREATE TEMP TABLE m017_links AS
            SELECT interaction_id, contact_id FROM interaction_contacts;

        DROP TRIGGER interaction_contacts_at;

        CREATE TABLE interactions_new (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL REFERENCES interaction_kinds(name),
            at TEXT NOT NULL,
            text TEXT NOT NULL,
            company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL,
            cancelled_at TEXT
        );

        INSERT INTO interactions_new(id, uid, kind, at, text, company_id, created_at, deal_id)
            SELECT id, uid, kind, at, text, company_id, created_at, deal_id FROM interactions;

        DROP VIEW interaction_search_docs;

        DROP TABLE interactions;

        ALTER TABLE interactions_new RENAME TO interactions;

        CREATE INDEX interactions_at ON interactions(at);

        CREATE INDEX interactions_company ON interactions(company_id, at);

        CREATE INDEX interactions_deal ON interactions(deal_id, at);

        CREATE INDEX interactions_at_kind ON interactions(at, kind);

        CREATE VIEW interaction_search_docs AS
        SELECT i.id AS id, i.id * 8 + 3 AS doc, i.kind AS title, i.text AS body
        FROM interactions i;

        CREATE TRIGGER interactions_search_insert AFTER INSERT ON interactions BEGIN
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER interactions_search_update AFTER UPDATE OF kind, text ON interactions
            BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = OLD.id;
            DELETE FROM search_index WHERE rowid = NEW.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = NEW.id;
        END;

        CREATE TRIGGER interactions_search_delete AFTER DELETE ON interactions BEGIN
            DELETE FROM search_index WHERE rowid = OLD.id * 8 + 3;
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'interaction', title, body FROM interaction_search_docs
                    WHERE id = OLD.id;
        END;

        CREATE TRIGGER interactions_at_links AFTER UPDATE OF at, cancelled_at ON interactions
            BEGIN
            UPDATE interaction_contacts
                SET at = CASE WHEN NEW.cancelled_at IS NULL THEN NEW.at END
                WHERE interaction_id = NEW.id;
        END;

        INSERT INTO interaction_contacts(interaction_id, contact_id, at)
            SELECT l.interaction_id, l.contact_id, i.at
            FROM m017_links l JOIN interactions i ON i.id = l.interaction_id;

        DROP TABLE temp.m017_links;

        CREATE TRIGGER interaction_contacts_at AFTER INSERT ON interaction_contacts BEGIN
            UPDATE interaction_contacts
                SET at = (SELECT CASE WHEN i.cancelled_at IS NULL THEN i.at END
                          FROM interactions i WHERE i.id = NEW.interaction_id)
                WHERE interaction_id = NEW.interaction_id AND contact_id = NEW.contact_id;
        END;
        """,
    )


@migration("m018_change_journal")
def m018_change_journal(db: Database) -> None:
    """The journal of every change a write command makes, for `pcrm history` and `pcrm undo`.

    `changes` is one row per write command that changed something: when, the command line
    as typed (a JSON array of its words), a short summary, and the undo bookkeeping (when it
    was undone; which change it undoes). `change_rows` holds, in order, every row it
    changed: the table, the names of the columns that key it, its key (JSON array; kv_after
    only when an UPDATE changed the key), to find later changes to the same row, and the
    whole row before and after (JSON objects; NULL for a row that did not exist). An
    added row is kept by its key alone (after is NULL): an import adds tens of thousands.
    The rows are captured by TEMP triggers made when a write command opens the file
    (core/journal.py), so no trigger is in the schema and later steps never remake them.
    `merges` stays readable: merges made before this step are undone from it."""
    run_script(
        db,
        """
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            argv TEXT NOT NULL,
            summary TEXT NOT NULL,
            undone_at TEXT,
            undo_of INTEGER REFERENCES changes(id)
        );

        CREATE TABLE change_rows (
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            tbl TEXT NOT NULL,
            key TEXT NOT NULL,
            kv TEXT,
            kv_after TEXT,
            before TEXT,
            after TEXT,
            PRIMARY KEY (change_id, seq)
        ) WITHOUT ROWID;

        CREATE INDEX change_rows_key ON change_rows(tbl, kv);
        CREATE INDEX change_rows_moved ON change_rows(tbl, kv_after)
            WHERE kv_after IS NOT NULL;
        """,
    )


@migration("m019_interaction_source")
def m019_interaction_source(db: Database) -> None:
    """Where an interaction came from: `source` (manual, mail or calendar), the
    `external_id` it has there (a message's Message-ID without <>), the `direction` of a
    captured message (in, out, or NULL when it does not apply) and its `thread_id` (the
    thread's first Message-ID, from References), so a reply can join its thread's deal.

    Capturing the same message twice must change nothing: interactions_external is UNIQUE
    on (source, external_id) for the rows that have one. interactions_thread finds a
    thread's earlier messages with one seek."""
    run_script(
        db,
        """
        ALTER TABLE interactions ADD COLUMN source TEXT NOT NULL DEFAULT 'manual'
            CHECK (source IN ('manual', 'mail', 'calendar'));

        ALTER TABLE interactions ADD COLUMN external_id TEXT;

        ALTER TABLE interactions ADD COLUMN direction TEXT CHECK (direction IN ('in', 'out'));

        ALTER TABLE interactions ADD COLUMN thread_id TEXT;

        CREATE UNIQUE INDEX interactions_external ON interactions(source, external_id)
            WHERE external_id IS NOT NULL;

        CREATE INDEX interactions_thread ON interactions(source, thread_id)
            WHERE thread_id IS NOT NULL;
        """,
    )


@migration("m020_interaction_origin")
def m020_interaction_origin(db: Database) -> None:
    """Where a captured meeting was read from, and what it said then (`pcrm capture
    calendar`).

    `origin` is the resolved path of the file or folder (a vdir) given to capture: when the
    same source is captured again, a meeting of that origin still to come that no longer
    appears in it (a deleted file, an EXDATE, a shortened RRULE) is cancelled. NULL for
    what was read from stdin, captured mail and everything logged by hand.

    `captured_as` is what the calendar said at the last capture, as JSON (start, text,
    contacts): a capture changes only what the calendar changed since, so a text or a
    contact added by hand to a captured meeting survives a re-run. interactions_origin finds
    an origin's meetings still to come with one seek."""
    run_script(
        db,
        """
        ALTER TABLE interactions ADD COLUMN origin TEXT;

        ALTER TABLE interactions ADD COLUMN captured_as TEXT;

        CREATE INDEX interactions_origin ON interactions(origin, at) WHERE origin IS NOT NULL;
        """,
    )


@migration("m021_read_indexes")
def m021_read_indexes(db: Database) -> None:
    """Indexes for read views that showed a few rows but read a whole table (issue 18):

    - interaction_contacts_at: the contacts touched in a period, by the links' own time
      (`digest`'s most in touch: a week's links instead of every link), covering;
    - contacts_created: the contacts added in a period (`digest`'s new contacts)."""
    run_script(
        db,
        """
        CREATE INDEX interaction_contacts_at ON interaction_contacts(at, contact_id);

        CREATE INDEX contacts_created ON contacts(created_at);
        """,
    )


@migration("m022_vdir")
def m022_vdir(db: Database) -> None:
    """The vdir bridge (`pcrm vdir export|import DIR`) and archived contacts.

    `vdir_items` is one row per file of a vdir collection that pcrm wrote or read:
    `collection` the collection folder's resolved path, `uid` the file's name without
    .vcf/.ics (the item's UID), `kind` contact or task, `record_id` the contact or
    follow-up it stands for (a card made on a phone keeps its own UID when it matched a
    contact already in pcrm), `sha256` of the file as last written or read, `pcrm_sha256`
    of what pcrm would have written for the record at that moment (so a later change in
    pcrm is told from one in the file), `content` the file's text then (the base that the
    next import compares a changed file with, field by field) and `synced_at`.

    `contacts.archived_at`: a contact whose card was deleted elsewhere is archived, not
    destroyed (hidden from `contact list` and vdir exports; `pcrm contact restore`)."""
    run_script(
        db,
        """
        ALTER TABLE contacts ADD COLUMN archived_at TEXT;

        CREATE TABLE vdir_items (
            collection TEXT NOT NULL,
            uid TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('contact', 'task')),
            record_id INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            pcrm_sha256 TEXT NOT NULL,
            content TEXT NOT NULL,
            synced_at TEXT NOT NULL,
            PRIMARY KEY (collection, uid)
        ) WITHOUT ROWID;

        CREATE INDEX vdir_items_record ON vdir_items(kind, record_id);
        """,
    )


@migration("m023_covering_indexes")
def m023_covering_indexes(db: Database) -> None:
    """Indexes that hold what three read views read, so they no longer fetch table rows
    (issue 18, round 3):

    - contacts_cadence_touch: the contacts with a cadence, with whether they are archived,
      when they were added and their name (stay in touch: the agenda, three times after
      missed days, and the digest);
    - deals_closed: closed deals by closed_at (`report wins` and the digest over a period:
      the deals closed in it without a history row into their status);
    - deals_open: the open deals' stage, currency, close day, value, creation and last
      activity (`report pipeline` and the digest's pipeline now);
    - tasks_due made again with one more column, done_at: `report activity` and the
      digest count the follow-ups done late per due day from it alone. It still serves
      what it served (its columns are the old ones and one more).

    - interactions_cancelled: the few cancelled interactions by time and kind. Counting
      a period's interactions per kind reads interactions_at_kind alone, then takes
      these off (testing cancelled_at read every interaction's row). interactions_at_kind
      itself cannot gain cancelled_at: m014's repair (REPAIRED_OBJECTS) holds its
      definition."""
    run_script(
        db,
        """
        CREATE INDEX contacts_cadence_touch
            ON contacts(cadence_days, archived_at, created_at, name)
            WHERE cadence_days IS NOT NULL;

        CREATE INDEX deals_closed ON deals(closed_at) WHERE closed_at IS NOT NULL;

        CREATE INDEX deals_open
            ON deals(stage_id, currency, expected_close, value, created_at, last_activity_at)
            WHERE status = 'open';

        DROP INDEX tasks_due;

        CREATE INDEX tasks_due ON tasks(status, due_date, done_at);

        CREATE INDEX interactions_cancelled ON interactions(at, kind)
            WHERE cancelled_at IS NOT NULL;
        """,
    )


@migration("m024_replica_writer")
def m024_replica_writer(db: Database) -> None:
    """The writer lease of an off-machine replica (`pcrm backup --replica URL`).

    One row at most: the machine that pushes this file to its Litestream replica, by the
    random `host_id` pcrm keeps in the user's state folder and the `host_name` to show,
    and `since` when it became the writer. It lives in the file so that it travels with
    the data: whoever restores the replica reads who wrote it (store/replica.py)."""
    run_script(
        db,
        """
        CREATE TABLE replica_writer (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            host_id TEXT NOT NULL,
            host_name TEXT NOT NULL,
            since TEXT NOT NULL
        );
        """,
    )


def known_names() -> list[str]:
    return [name for name, _ in _steps]


def applied_names(conn: sqlite3.Connection) -> list[str] | None:
    """The steps recorded in the file, in the order applied; None when it has no table."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
    ).fetchone()
    if not exists:
        return None
    rows = conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
        [MIGRATION_SET],
    )
    return [row[0] for row in rows]


def pending(conn: sqlite3.Connection) -> list[str]:
    applied = set(applied_names(conn) or ())
    return [name for name in known_names() if name not in applied]


def apply(conn: sqlite3.Connection, only: Collection[str] | None = None) -> None:
    """Run the pending steps with sqlite-utils' Migrations, each recorded as it runs.

    `only` limits them to the steps named (still in their order): the schema snapshots are
    built one step at a time, and doctor builds a fresh file with a file's own steps."""
    from sqlite_utils import Database as SqliteUtilsDatabase
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, step in _steps:
        if only is None or name in only:
            migrations(name=name)(step)
    migrations.apply(SqliteUtilsDatabase(conn, execute_plugins=False))


def schema_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """(type, name, table, SQL with whitespace normalised) of every object of pcrm's
    schema, sorted: SQLite's own objects and sqlite-utils' record of steps left out."""
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name <> ?",
        [MIGRATIONS_TABLE],
    )
    return sorted((kind, name, table, normalised(sql)) for kind, name, table, sql in rows)


def snapshot(conn: sqlite3.Connection) -> str:
    """The schema as tests/schema/mNNN.sql freezes it: one object a paragraph, sorted."""
    return "".join(
        f"-- {kind} {name} on {table}\n{sql};\n\n" for kind, name, table, sql in schema_rows(conn)
    )


_STEP_NUMBER = re.compile(r"m(\d{3})_")


def snapshot_name(step: str) -> str:
    """tests/schema/ file of a step: m014_repair_history -> m014.sql."""
    match = _STEP_NUMBER.match(step)
    if match is None:
        raise ValueError(f"step {step!r} is not named mNNN_...")
    return f"m{match.group(1)}.sql"


@migration("m025_contact_touch")
def m025_contact_touch(db: Database) -> None:
    """Each contact's latest touch time, kept by triggers (issue 18, round 4).

    contact_touch holds, for every contact with a link that has a time, the latest
    interaction_contacts.at (planned interactions included: a link's `at` is its
    interaction's time, NULL once cancelled). A contact without such a link has no row.
    It is worked out from the links alone, by triggers on interaction_contacts (a later
    time raises it; a link that held it taken away, moved earlier or to another contact
    makes it worked out again from that contact's links), so every
    path that writes links keeps it: log, capture, import, edit, cancel, remove, merge,
    undo (which replays link rows), a contact removed (its links cascade) and a hand edit
    in sqlite3. It is not journaled (core/journal.py NOT_JOURNALED): like the search index,
    it follows the links. contacts.last_contacted_at is not that: it is the latest touch
    as of the last write and does not move when a planned interaction's time passes.

    Least in touch and stay in touch read a contact's last touch from it, one seek in a
    small table, and seek interaction_contacts_contact_at only for the few whose latest
    link is after the bound they ask about."""
    run_script(
        db,
        """
        CREATE TABLE contact_touch (
            contact_id INTEGER PRIMARY KEY,
            at TEXT NOT NULL
        );

        INSERT INTO contact_touch(contact_id, at)
            SELECT contact_id, max(at) FROM interaction_contacts
            WHERE at IS NOT NULL GROUP BY contact_id;

        CREATE TRIGGER contact_touch_insert AFTER INSERT ON interaction_contacts
            WHEN NEW.at IS NOT NULL BEGIN
            INSERT INTO contact_touch(contact_id, at) VALUES (NEW.contact_id, NEW.at)
                ON CONFLICT(contact_id) DO UPDATE SET at = excluded.at
                WHERE excluded.at > contact_touch.at;
        END;

        CREATE TRIGGER contact_touch_later AFTER UPDATE OF at, contact_id
            ON interaction_contacts WHEN NEW.at IS NOT NULL BEGIN
            INSERT INTO contact_touch(contact_id, at) VALUES (NEW.contact_id, NEW.at)
                ON CONFLICT(contact_id) DO UPDATE SET at = excluded.at
                WHERE excluded.at > contact_touch.at;
        END;

        CREATE TRIGGER contact_touch_earlier AFTER UPDATE OF at, contact_id
            ON interaction_contacts WHEN OLD.at IS NOT NULL AND (NEW.at IS NULL
                OR NEW.at < OLD.at OR NEW.contact_id <> OLD.contact_id) BEGIN
            DELETE FROM contact_touch WHERE contact_id = OLD.contact_id AND at <= OLD.at;
            INSERT INTO contact_touch(contact_id, at)
                SELECT contact_id, max(at) FROM interaction_contacts
                WHERE contact_id = OLD.contact_id AND at IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM contact_touch WHERE contact_id = OLD.contact_id)
                GROUP BY contact_id;
        END;

        CREATE TRIGGER contact_touch_delete AFTER DELETE ON interaction_contacts
            WHEN OLD.at IS NOT NULL BEGIN
            DELETE FROM contact_touch WHERE contact_id = OLD.contact_id AND at <= OLD.at;
            INSERT INTO contact_touch(contact_id, at)
                SELECT contact_id, max(at) FROM interaction_contacts
                WHERE contact_id = OLD.contact_id AND at IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM contact_touch WHERE contact_id = OLD.contact_id)
                GROUP BY contact_id;
        END;
        """,
    )
