"""The schema: named, ordered, append-only migrations run by sqlite-utils' Migrations.

Never edit a migration once released; add a new one at the end. Each runs once, in a
transaction, and is recorded in the `_sqlite_migrations` table.

sqlite-utils is imported only when a migration is pending: every command checks the
schema, and that import alone costs more than the rest of `pcrm log` (docs/performance.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlite_utils import Database as SqliteUtilsDatabase


class Database(Protocol):
    """What a migration uses: pcrm's own Database and sqlite-utils' both have it."""

    def execute(self, sql: str, parameters: object = None, /) -> sqlite3.Cursor: ...


MIGRATION_SET = "pcrm"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' name: files already have it
_steps: list[tuple[str, Callable[[SqliteUtilsDatabase], None]]] = []


def migration(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register the next schema step under `name` (the order of the file is the order)."""

    def register(step: Callable[..., None]) -> Callable[..., None]:
        _steps.append((name, step))
        return step

    return register


# Full-text search: one FTS5 table for every kind, so results rank across kinds.
# rowid = record id * 8 + kind code, so a record's row is found without a scan.
KIND_CODES = {"contact": 1, "company": 2, "interaction": 3, "deal": 4}

INTERACTION_KINDS = ("call", "email", "meeting", "demo", "message", "note")


def run_script(db: Database, script: str) -> None:
    """Run several statements inside the current transaction.

    sqlite3's executescript() would COMMIT first and break the migration's transaction,
    so the script is split into complete statements (triggers included) and run one by one.
    """
    pending_sql = ""
    for piece in script.split(";"):
        pending_sql += piece + ";"
        if sqlite3.complete_statement(pending_sql):
            if pending_sql.strip(" \n;"):
                db.execute(pending_sql)
            pending_sql = ""


def _joined(*parts: str) -> str:
    """SQL for the non-empty parts joined by spaces (concat_ws needs SQLite 3.44)."""
    return "trim(" + " || ' ' || ".join(f"coalesce({part}, '')" for part in parts) + ")"


@migration("m001_initial")
def m001_initial(db: Database) -> None:
    kinds = ", ".join(f"'{kind}'" for kind in INTERACTION_KINDS)
    run_script(
        db,
        f"""
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
            kind TEXT NOT NULL CHECK (kind IN ({kinds})),
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
    contact, company, interaction = (KIND_CODES[k] for k in ("contact", "company", "interaction"))
    contact_body = _joined(
        "(SELECT group_concat(email, ' ') FROM contact_emails WHERE contact_id = c.id)",
        "(SELECT group_concat(phone, ' ') FROM contact_phones WHERE contact_id = c.id)",
        "c.title",
        "co.name",
        "c.source",
        "(SELECT group_concat(t.name, ' ') FROM contact_tags ct"
        " JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id)",
        "c.note",
    )
    company_body = _joined(
        "co.domain",
        "co.website",
        "co.industry",
        "(SELECT group_concat(t.name, ' ') FROM company_tags ct"
        " JOIN tags t ON t.id = ct.tag_id WHERE ct.company_id = co.id)",
        "co.note",
    )
    run_script(
        db,
        f"""
        CREATE VIRTUAL TABLE search_index USING fts5(
            kind UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2'
        );

        CREATE VIEW contact_search_docs AS
        SELECT c.id AS id, c.id * 8 + {contact} AS doc, c.name AS title, {contact_body} AS body
        FROM contacts c LEFT JOIN companies co ON co.id = c.company_id;

        CREATE VIEW company_search_docs AS
        SELECT co.id AS id, co.id * 8 + {company} AS doc, co.name AS title,
               {company_body} AS body
        FROM companies co;

        CREATE VIEW interaction_search_docs AS
        SELECT i.id AS id, i.id * 8 + {interaction} AS doc, i.kind AS title, i.text AS body
        FROM interactions i;
        """,
    )
    statements = [
        *_search_triggers("contact", "contacts", "id", "name, title, source, note, company_id"),
        *_search_triggers("contact", "contact_emails", "contact_id"),
        *_search_triggers("contact", "contact_phones", "contact_id"),
        *_search_triggers("contact", "contact_tags", "contact_id"),
        *_search_triggers("company", "companies", "id", "name, domain, website, industry, note"),
        *_search_triggers("company", "company_tags", "company_id"),
        *_search_triggers("interaction", "interactions", "id", "kind, text"),
    ]
    statements.append(_company_rename_trigger("contact", "contacts", "people"))
    run_script(db, "\n".join(statements))
    for kind in ("contact", "company", "interaction"):
        db.execute(
            f"INSERT INTO search_index(rowid, kind, title, body)"
            f" SELECT doc, '{kind}', title, body FROM {kind}_search_docs"
        )


DEAL_STATUSES = ("open", "won", "lost")
# The default pipeline of a new database: (stage, win probability %, rotting limit in days).
DEFAULT_STAGES = (
    ("Qualified", 10, 30),
    ("Contact made", 20, 21),
    ("Demo", 40, 14),
    ("Proposal", 60, 14),
    ("Negotiation", 80, 21),
)


@migration("m003_deals")
def m003_deals(db: Database) -> None:
    """Pipelines with ordered stages, deals and their stage/status history; deals searchable
    by title, company, source, tags, lost reason and note."""
    statuses = ", ".join(f"'{status}'" for status in DEAL_STATUSES)
    deal = KIND_CODES["deal"]
    deal_body = _joined(
        "co.name",
        "d.source",
        "(SELECT group_concat(t.name, ' ') FROM deal_tags dt"
        " JOIN tags t ON t.id = dt.tag_id WHERE dt.deal_id = d.id)",
        "d.lost_reason",
        "d.note",
    )
    run_script(
        db,
        f"""
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
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ({statuses})),
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

        ALTER TABLE interactions ADD COLUMN deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL;
        CREATE INDEX interactions_deal ON interactions(deal_id, at);

        CREATE VIEW deal_search_docs AS
        SELECT d.id AS id, d.id * 8 + {deal} AS doc, d.title AS title, {deal_body} AS body
        FROM deals d LEFT JOIN companies co ON co.id = d.company_id;
        """,
    )
    statements = [
        *_search_triggers("deal", "deals", "id", "title, company_id, source, lost_reason, note"),
        *_search_triggers("deal", "deal_tags", "deal_id"),
    ]
    statements.append(_company_rename_trigger("deal", "deals", "deals"))
    run_script(db, "\n".join(statements))
    _seed_default_pipeline(db)


TASK_STATUSES = ("open", "done")


@migration("m004_tasks")
def m004_tasks(db: Database) -> None:
    """Follow-ups (tasks), and a contact's stay-in-touch cadence and anniversary.

    due_date is the local calendar day the task is due (so "today" lasts until local
    midnight whatever the zone); due_at is the UTC instant when a time of day was given.
    A recurring task keeps its RFC 5545 RRULE and the day its series started (the DTSTART),
    so snoozing one occurrence does not shift the ones after it. Done, it stays as history
    and the next occurrence is a new row.
    """
    statuses = ", ".join(f"'{status}'" for status in TASK_STATUSES)
    run_script(
        db,
        f"""
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
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ({statuses})),
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


# The default lifecycle of a new database: the funnel's stages in order, then the exits.
LIFECYCLE_STAGES = ("lead", "prospect", "mql", "sql", "opportunity", "customer")
LIFECYCLE_EXITS = ("disqualified", "churned")


@migration("m005_lifecycle")
def m005_lifecycle(db: Database) -> None:
    """Lifecycle stages of contacts and companies: the configurable ordered list, each
    record's current stage, and every change with its time and reason.

    The current stage is kept by name beside the record (NULL: not in the lifecycle yet),
    and history copies names as they were, so removing a stage later leaves history true.
    Exits (disqualified, churned) are stages a record leaves the funnel by.
    """
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
    stages = [(name, 0) for name in LIFECYCLE_STAGES] + [(name, 1) for name in LIFECYCLE_EXITS]
    for position, (name, is_exit) in enumerate(stages, start=1):
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


FIELD_KINDS = ("contact", "company", "deal")
FIELD_TYPES = ("text", "number", "date", "choice")


@migration("m007_fields")
def m007_fields(db: Database) -> None:
    """Custom fields: definitions per record kind, and one value table per kind.

    A value table per kind (like the tag links) gives every value a real foreign key to its
    record, so removing a record removes its values and a merge finds them through
    PRAGMA foreign_key_list. `value` has no declared type: numbers stay INTEGER or REAL and
    compare as numbers, dates are YYYY-MM-DD text, text and choices are text.
    """
    kinds = ", ".join(f"'{kind}'" for kind in FIELD_KINDS)
    types = ", ".join(f"'{kind}'" for kind in FIELD_TYPES)
    statements = [
        f"""CREATE TABLE fields (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ({kinds})),
            name TEXT NOT NULL COLLATE NOCASE,
            type TEXT NOT NULL CHECK (type IN ({types})),
            choices TEXT,  -- a JSON array of the choices, for type 'choice' only
            created_at TEXT NOT NULL,
            UNIQUE (kind, name),
            CHECK ((type = 'choice') = (choices IS NOT NULL))
        );"""
    ]
    for kind, table in (("contact", "contacts"), ("company", "companies"), ("deal", "deals")):
        statements.append(
            f"""CREATE TABLE {kind}_field_values (
                {kind}_id INTEGER NOT NULL REFERENCES {table}(id) ON DELETE CASCADE,
                field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
                value NOT NULL CHECK (typeof(value) IN ('integer', 'real', 'text')),
                PRIMARY KEY ({kind}_id, field_id)
            ) WITHOUT ROWID;
            CREATE INDEX {kind}_field_values_field ON {kind}_field_values(field_id, value);"""
        )
    run_script(db, "\n".join(statements))


@migration("m008_merges")
def m008_merges(db: Database) -> None:
    """Merges of two contacts (or companies), with what `pcrm undo` needs to reverse them.

    `changes` is a JSON journal of every row the merge touched, as it was before and after
    (the other record's own row among them), so an undo can check that nothing changed
    since and put each row back. No foreign keys on purpose: merge moves every row that
    references a contact or company, and these rows must stay as they were written.
    """
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


def _seed_default_pipeline(db: Database) -> None:
    import uuid
    from datetime import UTC, datetime

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pipeline_id = db.execute(
        "INSERT INTO pipelines(uid, name, is_default, created_at) VALUES (?, 'Sales', 1, ?)",
        [str(uuid.uuid4()), now],
    ).lastrowid
    for position, (name, probability, rot_days) in enumerate(DEFAULT_STAGES, start=1):
        db.execute(
            "INSERT INTO stages(uid, pipeline_id, name, position, probability, rot_days)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [str(uuid.uuid4()), pipeline_id, name, position, probability, rot_days],
        )


def _search_triggers(
    kind: str, table: str, id_column: str, columns: str | None = None
) -> list[str]:
    """Triggers that re-index the `kind` record a row of `table` belongs to.

    `columns` limits the update trigger to the indexed columns, so that updating, say, a
    contact's last_contacted_at on every `pcrm log` does not re-index the contact.
    """
    code = KIND_CODES[kind]

    def reindex(row: str) -> str:
        record_id = f"{row}.{id_column}"
        return (
            f"DELETE FROM search_index WHERE rowid = {record_id} * 8 + {code}; "
            f"INSERT INTO search_index(rowid, kind, title, body) "
            f"SELECT doc, '{kind}', title, body FROM {kind}_search_docs WHERE id = {record_id};"
        )

    update_of = f"UPDATE OF {columns}" if columns else "UPDATE"
    return [
        f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN {reindex('NEW')} END;",
        f"CREATE TRIGGER {table}_search_update AFTER {update_of} ON {table}"
        f" BEGIN {reindex('OLD')} {reindex('NEW')} END;",
        f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN {reindex('OLD')} END;",
    ]


def _company_rename_trigger(kind: str, table: str, name: str) -> str:
    """A company's name is part of its people's and deals' search text: re-index the
    `kind` records of `table` that point at a renamed company."""
    code = KIND_CODES[kind]
    return f"""CREATE TRIGGER companies_search_{name} AFTER UPDATE OF name ON companies BEGIN
            DELETE FROM search_index WHERE rowid IN
                (SELECT id * 8 + {code} FROM {table} WHERE company_id = NEW.id);
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, '{kind}', title, body FROM {kind}_search_docs
                WHERE id IN (SELECT id FROM {table} WHERE company_id = NEW.id);
        END;"""


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


def apply(conn: sqlite3.Connection) -> None:
    """Run the pending steps with sqlite-utils' Migrations, each recorded as it runs."""
    from sqlite_utils import Database as SqliteUtilsDatabase
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, step in _steps:
        migrations(name=name)(step)
    migrations.apply(SqliteUtilsDatabase(conn, execute_plugins=False))


# The last 8 digits of a phone number as stored (common separators removed): an index on it
# finds the numbers that may be the same as an imported one ("+44 20 7946 0958" and
# "020 7946 0958") without reading every phone; E.164 then decides (core/importing.py).
PHONE_TAIL_SQL = (
    "substr(replace(replace(replace(replace(replace(replace(replace("
    "phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', ''), '+', ''), -8)"
)


@migration("m009_import")
def m009_import(db: Database) -> None:
    db.execute(f"CREATE INDEX contact_phones_tail ON contact_phones({PHONE_TAIL_SQL})")


@migration("m010_import_speed")
def m010_import_speed(db: Database) -> None:
    """The import finds a row's namesake at the same company with one index search per
    row, instead of reading every contact of that name (~35 per name in a 100 000-contact
    book). The new index starts with name_key, so it serves every query the old one did."""
    db.execute("CREATE INDEX contacts_name_company ON contacts(name_key, company_id)")
    db.execute("DROP INDEX contacts_name_key")


@migration("m011_agenda_speed")
def m011_agenda_speed(db: Database) -> None:
    """Indexes for `pcrm agenda` over a large file (docs/performance.md says which serves
    which section). Partial ones hold only the rows a section can list."""
    indexes = {
        "contacts_cadence": "contacts(cadence_days) WHERE cadence_days IS NOT NULL",
        "contacts_birthday_day": "contacts(substr(birthday, -5)) WHERE birthday IS NOT NULL",
        "contacts_anniversary_day": (
            "contacts(substr(anniversary, -5)) WHERE anniversary IS NOT NULL"
        ),
        "deals_idle": "deals(status, last_activity_at, expected_close, stage_id, pipeline_id)",
        "tasks_open_deal": "tasks(deal_id) WHERE status = 'open'",
    }
    for name, target in indexes.items():
        db.execute(f"CREATE INDEX {name} ON {target}")
    # A file with planner statistics (ANALYZE was run, as bench/generate.py does) gets them
    # for these too: next to measured indexes, an unmeasured one looks worse than it is.
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        for name in indexes:
            db.execute(f"ANALYZE {name}")


@migration("m012_views_speed")
def m012_views_speed(db: Database) -> None:
    # Each index leads with a column that is searched by range or by a key of a few rows,
    # never with a low-cardinality one (kind, status): without ANALYZE statistics SQLite
    # takes an equality on such a column for a selective key, and a (kind, at) index made
    # the silent-contact scoring rule walk a whole kind of interactions per contact.
    #
    # report activity counts interactions per week and kind, and scoring rules count them
    # per kind in a period: a range of (at, kind) answers both from the index alone.
    db.execute("CREATE INDEX interactions_at_kind ON interactions(at, kind)")
    # report activity's follow-ups done in the period: a range, not every done follow-up;
    # partial, so a query about open follow-ups cannot pick it.
    db.execute("CREATE INDEX tasks_done ON tasks(done_at) WHERE status = 'done'")
    # report wins dates a closed deal by its last history row into its status: one grouped
    # pass over this index instead of reading every history row of every closed deal.
    db.execute("CREATE INDEX deal_history_status ON deal_history(deal_id, to_status, at)")


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
