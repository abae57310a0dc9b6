"""The schema: named, ordered, append-only migrations run by sqlite-utils' Migrations.

Never edit a migration once released; add a new one at the end. Each runs once, in a
transaction, and is recorded in the `_sqlite_migrations` table.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "pcrm"
migrations = Migrations(MIGRATION_SET)

# Full-text search: one FTS5 table for every kind, so results rank across kinds.
# rowid = record id * 8 + kind code, so a record's row is found without a scan.
KIND_CODES = {"contact": 1, "company": 2, "interaction": 3}

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


@migrations(name="m001_initial")
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


@migrations(name="m002_search")
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
    triggers = {
        # table: (kind of record indexed, the id of the record to re-index)
        "contacts": ("contact", "{row}.id"),
        "contact_emails": ("contact", "{row}.contact_id"),
        "contact_phones": ("contact", "{row}.contact_id"),
        "contact_tags": ("contact", "{row}.contact_id"),
        "companies": ("company", "{row}.id"),
        "company_tags": ("company", "{row}.company_id"),
        "interactions": ("interaction", "{row}.id"),
    }
    statements = []
    for table, (kind, id_expr) in triggers.items():
        code = KIND_CODES[kind]
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            body = []
            for row in rows:
                record_id = id_expr.format(row=row)
                body.append(f"DELETE FROM search_index WHERE rowid = {record_id} * 8 + {code};")
                body.append(
                    f"INSERT INTO search_index(rowid, kind, title, body) "
                    f"SELECT doc, '{kind}', title, body FROM {kind}_search_docs "
                    f"WHERE id = {record_id};"
                )
            statements.append(
                f"CREATE TRIGGER {table}_search_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {' '.join(body)} END;"
            )
    # A company's new name is part of its people's search text.
    statements.append(
        f"""CREATE TRIGGER companies_search_people AFTER UPDATE OF name ON companies BEGIN
            DELETE FROM search_index WHERE rowid IN
                (SELECT id * 8 + {contact} FROM contacts WHERE company_id = NEW.id);
            INSERT INTO search_index(rowid, kind, title, body)
                SELECT doc, 'contact', title, body FROM contact_search_docs
                WHERE id IN (SELECT id FROM contacts WHERE company_id = NEW.id);
        END;"""
    )
    run_script(db, "\n".join(statements))
    for kind in KIND_CODES:
        db.execute(
            f"INSERT INTO search_index(rowid, kind, title, body)"
            f" SELECT doc, '{kind}', title, body FROM {kind}_search_docs"
        )


def known_names() -> list[str]:
    return [migration.name for migration in migrations._migrations]


def applied_names(db: Database) -> list[str]:
    return [migration.name for migration in migrations.applied(db)]


def pending(db: Database) -> list[str]:
    return [migration.name for migration in migrations.pending(db)]


def apply(db: Database) -> None:
    migrations.apply(db)
