"""Follow-ups (tasks): add, list by bucket, done (a recurring one schedules the next), snooze,
edit, remove.

A task is due on a local calendar day (`due_date`), optionally at a time (`due_at`, UTC).
Buckets are computed from the local day of `now`, so a task due today stays "today" until
local midnight, even when its time has passed. Recurrence is dateutil's rrule over days
(core/activity/recurrence.py): done, a recurring task stays as history and its next occurrence is a
new task, the first day of the series after both its due day and today (missed occurrences
are not piled up). Snoozing moves one occurrence; editing --due moves the whole series.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pcrm.core.base import Link
from pcrm.core.records import new_uid, record_deletion
from pcrm.dates import from_iso, local_tz, parse_when, resolve_imaginary, to_iso, to_local
from pcrm.errors import InvalidInput, NotFound, PcrmError
from pcrm.store.db import Database

Bucket = Literal["overdue", "today", "upcoming", "done"]
Scope = Literal["open", "overdue", "today", "week", "all"]
WEEK_DAYS = 7  # --week: today and the six days after it


@dataclass
class Task:
    id: int
    uid: str
    title: str
    contact: Link | None
    deal: Link | None
    company: Link | None
    due_date: str  # the local day, YYYY-MM-DD
    due_at: str | None  # UTC instant when a time of day was given
    rrule: str | None
    series_start: str | None  # the day a recurring task's series started (its DTSTART)
    repeat: str | None  # the rule in words, when it has a short reading
    status: str
    bucket: Bucket
    done_at: str | None
    created_at: str
    updated_at: str


@dataclass
class TaskForm:
    title: str
    ref: str | None = None  # a contact; `company:REF` a company, `deal:D` a deal (core.refs)
    deal: str | None = None
    company: str | None = None
    due: str = "today"
    every: str | None = None


@dataclass
class TaskChanges:
    title: str | None = None
    due: str | None = None
    every: str | None = None
    no_repeat: bool = False

    def is_empty(self) -> bool:
        return self.title is None and self.due is None and self.every is None and not self.no_repeat


@dataclass
class Completed:
    task: Task
    next: Task | None  # the next occurrence of a recurring task, if the series goes on


def today_of(now: datetime) -> date:
    return to_local(now).date()


# -- reading -------------------------------------------------------------------------------

_SELECT = """
SELECT t.id, t.uid, t.title, t.contact_id, c.name, t.deal_id, d.title, t.company_id, co.name,
       t.due_date, t.due_at, t.rrule, t.series_start, t.status, t.done_at, t.created_at,
       t.updated_at
FROM tasks t
LEFT JOIN contacts c ON c.id = t.contact_id
LEFT JOIN deals d ON d.id = t.deal_id
LEFT JOIN companies co ON co.id = t.company_id
"""
_ORDER = " ORDER BY t.due_date, t.due_at IS NOT NULL, t.due_at, t.id"
# ORDER BY terms per `task list --sort`; each ends with the id, so ties page in a stable order.
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("t.due_date", "t.due_at IS NOT NULL", "t.due_at", "t.id"),
    "created": ("t.created_at DESC", "t.id DESC"),
    "title": ("t.title COLLATE NOCASE", "t.id"),
    "contact": ("c.name IS NULL", "c.name COLLATE NOCASE", "t.due_date", "t.id"),
}


def _link(kind: str, record_id: int | None, name: str | None) -> Link | None:
    return None if record_id is None else Link(kind, record_id, name or "")


def _bucket(status: str, due: str, today: date) -> Bucket:
    if status == "done":
        return "done"
    day = date.fromisoformat(due)
    return "overdue" if day < today else "today" if day == today else "upcoming"


def _described(rule: str | None) -> str | None:
    """'every week' for a repeat rule; dateutil's rrule loads only when a task repeats."""
    if not rule:
        return None
    from pcrm.core.activity import recurrence

    return recurrence.describe(rule)


def _task(row: tuple[Any, ...], today: date) -> Task:
    (task_id, uid, title, contact_id, contact, deal_id, deal, company_id, company) = row[:9]
    due_date, due_at, rule, series_start, status, done_at, created_at, updated_at = row[9:]
    return Task(
        id=task_id,
        uid=uid,
        title=title,
        contact=_link("contact", contact_id, contact),
        deal=_link("deal", deal_id, deal),
        company=_link("company", company_id, company),
        due_date=due_date,
        due_at=due_at,
        rrule=rule,
        series_start=series_start,
        repeat=_described(rule),
        status=status,
        bucket=_bucket(status, due_date, today),
        done_at=done_at,
        created_at=created_at,
        updated_at=updated_at,
    )


def get_task(db: Database, task_id: int, now: datetime) -> Task:
    row = db.execute(_SELECT + " WHERE t.id = ?", [task_id]).fetchone()
    if row is None:
        raise NotFound(
            f"no follow-up has id {task_id}", hint="see: pcrm follow-up list --include-done"
        )
    return _task(row, today_of(now))


def resolve_task(db: Database, ref: str) -> int:
    """A task by its id (tasks have no name worth matching)."""
    from pcrm.core.matching import id_param, is_id  # not on the agenda's path (~1 ms)

    ref = ref.strip()
    if not is_id(ref):
        raise InvalidInput(f'"{ref}" is not a follow-up id', hint="see: pcrm follow-up list")
    row = db.execute("SELECT id FROM tasks WHERE id = ?", [id_param(ref)]).fetchone()
    if row is None:
        raise NotFound(f"no follow-up has id {ref}", hint="see: pcrm follow-up list --include-done")
    return int(row[0])


def _scope_where(
    today: date, scope: Scope, contact_ids: Sequence[int], deal_ids: Sequence[int]
) -> tuple[str, list[object]]:
    """The WHERE clause (or "") and its arguments for a listing's scope and filters."""
    where: list[str] = []
    args: list[object] = []
    if scope != "all":
        where.append("t.status = 'open'")
    if scope == "overdue":
        where.append("t.due_date < ?")
        args.append(today.isoformat())
    elif scope == "today":
        where.append("t.due_date = ?")
        args.append(today.isoformat())
    elif scope == "week":
        where.append("t.due_date BETWEEN ? AND ?")
        args += [today.isoformat(), (today + timedelta(days=WEEK_DAYS - 1)).isoformat()]
    for column, ids in (("t.contact_id", contact_ids), ("t.deal_id", deal_ids)):
        if ids:
            where.append(f"{column} IN ({', '.join('?' for _ in ids)})")
            args += ids
    return (" WHERE " + " AND ".join(where) if where else ""), args


def list_tasks(
    db: Database,
    now: datetime,
    scope: Scope = "open",
    contact_id: int | None = None,
    deal_id: int | None = None,
    limit: int | None = None,
    *,
    contact_ids: Sequence[int] = (),
    deal_ids: Sequence[int] = (),
    sort: str = "due",
    reverse: bool = False,
    offset: int = 0,
) -> list[Task]:
    """Tasks in due order (or `sort`'s), the first `limit` of them (None: all) after
    `offset`. open: every open task; overdue: due before today; today: due today; week:
    due from today through the next six days; all: open and done. A task has one contact
    and one deal, so several ids mean any of them."""
    from pcrm.core.listing import order_by, page_sql

    if sort not in SORTS:
        raise InvalidInput(f'unknown sort "{sort}"', hint="use one of: " + ", ".join(SORTS))
    today = today_of(now)
    where, args = _scope_where(
        today, scope, [*_one(contact_id), *contact_ids], [*_one(deal_id), *deal_ids]
    )
    paging, page_args = page_sql(limit, offset)
    sql = f"{_SELECT}{where} ORDER BY {order_by(SORTS[sort], reverse)}{paging}"
    return [_task(row, today) for row in db.execute(sql, [*args, *page_args])]


def count_tasks(
    db: Database,
    now: datetime,
    scope: Scope = "open",
    contact_id: int | None = None,
    deal_id: int | None = None,
    *,
    contact_ids: Sequence[int] = (),
    deal_ids: Sequence[int] = (),
) -> int:
    """How many tasks list_tasks would give without a limit (from the tasks_due index)."""
    where, args = _scope_where(
        today_of(now), scope, [*_one(contact_id), *contact_ids], [*_one(deal_id), *deal_ids]
    )
    return int(db.execute(f"SELECT count(*) FROM tasks t{where}", args).fetchone()[0])


def _one(record_id: int | None) -> list[int]:
    return [] if record_id is None else [record_id]


def open_tasks_due(
    db: Database, now: datetime, first: date | None, last: date, limit: int
) -> tuple[list[Task], int]:
    """Open tasks due from `first` (None: any day before) through `last`, in due order: the
    first `limit` of them, and how many there are in all (the agenda's sections)."""
    where = "t.status = 'open' AND t.due_date <= ?" + (" AND t.due_date >= ?" if first else "")
    args = [last.isoformat(), *([first.isoformat()] if first else [])]
    rows = db.execute(f"{_SELECT} WHERE {where}{_ORDER} LIMIT {int(limit)}", args).fetchall()
    total = len(rows)
    if total == limit:
        total = db.execute(f"SELECT count(*) FROM tasks t WHERE {where}", args).fetchone()[0]
    today = today_of(now)
    return [_task(row, today) for row in rows], total


# Open follow-ups about a record: a contact's, a deal's, or a company's (its own and its
# people's), for `pcrm show` and `pcrm deal show`.
_ABOUT = {
    "contact": "t.contact_id = :id",
    "deal": "t.deal_id = :id",
    "company": "(t.company_id = :id OR t.contact_id IN"
    " (SELECT id FROM contacts WHERE company_id = :id))",
}


def open_tasks_about(
    db: Database, now: datetime, kind: str, record_id: int, limit: int
) -> tuple[list[Task], int]:
    """The open tasks about a contact, company or deal in due order: the first `limit` of
    them, and how many there are in all."""
    where = f"t.status = 'open' AND {_ABOUT[kind]}"
    args = {"id": record_id}
    rows = db.execute(f"{_SELECT} WHERE {where}{_ORDER} LIMIT {int(limit)}", args).fetchall()
    total = len(rows)
    if total == limit:
        total = db.execute(f"SELECT count(*) FROM tasks t WHERE {where}", args).fetchone()[0]
    today = today_of(now)
    return [_task(row, today) for row in rows], total


def next_task_for_deals(db: Database, deal_ids: list[int], now: datetime) -> dict[int, Task]:
    """Each deal's earliest open task (the board's "next step")."""
    found: dict[int, Task] = {}
    if not deal_ids:
        return found
    marks = ", ".join("?" for _ in deal_ids)
    sql = _SELECT + f" WHERE t.status = 'open' AND t.deal_id IN ({marks})" + _ORDER
    for row in db.execute(sql, deal_ids):
        task = _task(row, today_of(now))
        found.setdefault(task.deal.id if task.deal else 0, task)
    return found


# -- writing -------------------------------------------------------------------------------


def _title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise InvalidInput("a follow-up needs some text", hint='e.g. "Send the quote"')
    return title


def _due(text: str, now: datetime) -> tuple[str, str | None]:
    """(local day, UTC instant or None) for a WHEN."""
    when = parse_when(text, now)
    return when.moment.date().isoformat(), to_iso(when.moment) if when.has_time else None


def _contact_or_company(db: Database, ref: str) -> tuple[str, int]:
    """A follow-up's REF: a contact, as `pcrm follow-up --help` says; `company:REF` names a
    company. A bare REF that only a company matches is refused, saying how to name it."""
    from pcrm.core.refs import resolve, resolve_company, split_kind

    if split_kind(ref)[0] is not None:
        return resolve(db, ref, ("contact", "company"))
    try:
        return "contact", resolve(db, ref, ("contact",))[1]
    except NotFound as exc:
        try:
            resolve_company(db, ref)
        except PcrmError:
            raise exc from None
        import shlex

        company = shlex.quote(f"company:{ref.strip()}")
        raise NotFound(exc.message, hint=f"a company matches: write {company}") from None


def add_task(db: Database, now: datetime, form: TaskForm) -> Task:
    from pcrm.core.activity import recurrence
    from pcrm.core.refs import resolve_company, resolve_deal, split_kind

    title = _title(form.title)
    due_date, due_at = _due(form.due, now)
    rule = recurrence.parse_rule(form.every) if form.every is not None else None
    contact_id = company_id = deal_id = None
    deal_ref = form.deal
    if form.ref is not None and split_kind(form.ref)[0] == "deal":  # `follow-up deal:D TEXT`
        if form.deal is not None:
            raise InvalidInput("the deal is named twice", hint=f"drop --deal or {form.ref.strip()}")
        deal_ref = form.ref
    elif form.ref is not None:
        kind, record_id = _contact_or_company(db, form.ref)
        contact_id, company_id = (record_id, None) if kind == "contact" else (None, record_id)
    if form.company is not None:
        company_id = resolve_company(db, form.company)
    if deal_ref is not None:
        deal_id = resolve_deal(db, deal_ref)
    if contact_id is None and company_id is None and deal_id is None:
        raise InvalidInput("a follow-up needs a contact, a company or a deal")
    stamp = to_iso(now)
    task_id = db.execute(
        "INSERT INTO tasks(uid, title, contact_id, deal_id, company_id, due_date, due_at,"
        " rrule, series_start, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
        [
            new_uid(),
            title,
            contact_id,
            deal_id,
            company_id,
            due_date,
            due_at,
            rule,
            due_date if rule else None,
            stamp,
            stamp,
        ],
    ).lastrowid
    assert task_id is not None
    return get_task(db, task_id, now)


def _next_due_at(due_at: str | None, day: date) -> str | None:
    """The same local wall-clock time on `day` (a time skipped by DST moves forward)."""
    if due_at is None:
        return None
    clock = to_local(from_iso(due_at)).time()
    moment = resolve_imaginary(datetime.combine(day, clock, tzinfo=local_tz()))
    return to_iso(moment)


def _series_start(db: Database, task_id: int) -> date | None:
    row = db.execute("SELECT series_start FROM tasks WHERE id = ?", [task_id]).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def complete_task(db: Database, now: datetime, task_id: int) -> Completed:
    from pcrm.core.activity import recurrence

    task = get_task(db, task_id, now)
    if task.status == "done":
        raise InvalidInput(f"follow-up {task.id} is already done", hint=f"done on {task.done_at}")
    stamp = to_iso(now)
    db.execute(
        "UPDATE tasks SET status = 'done', done_at = ?, updated_at = ? WHERE id = ?",
        [stamp, stamp, task_id],
    )
    following = None
    if task.rrule:
        after = max(date.fromisoformat(task.due_date), today_of(now))
        day = recurrence.next_day(task.rrule, _series_start(db, task_id) or after, after)
        if day is not None:
            next_id = db.execute(
                "INSERT INTO tasks(uid, title, contact_id, deal_id, company_id, due_date,"
                " due_at, rrule, series_start, status, created_at, updated_at)"
                " SELECT ?, title, contact_id, deal_id, company_id, ?, ?, rrule, series_start,"
                " 'open', ?, ? FROM tasks WHERE id = ?",
                [new_uid(), day.isoformat(), _next_due_at(task.due_at, day), stamp, stamp, task_id],
            ).lastrowid
            assert next_id is not None
            following = get_task(db, next_id, now)
    return Completed(get_task(db, task_id, now), following)


def snooze_task(db: Database, now: datetime, task_id: int, when: str) -> Task:
    """Move one open task (one occurrence of a series) to WHEN."""
    task = get_task(db, task_id, now)
    if task.status == "done":
        raise InvalidInput(
            f"follow-up {task.id} is done; only open follow-ups can be snoozed",
            hint="see: pcrm follow-up list",
        )
    due_date, due_at = _due(when, now)
    db.execute(
        "UPDATE tasks SET due_date = ?, due_at = ?, updated_at = ? WHERE id = ?",
        [due_date, due_at, to_iso(now), task_id],
    )
    return get_task(db, task_id, now)


def edit_task(db: Database, now: datetime, task_id: int, changes: TaskChanges) -> Task:
    """Change the text, the due day (of the whole series, for a recurring task) or the rule."""
    from pcrm.core.activity import recurrence

    if changes.is_empty():
        raise InvalidInput("nothing to change", hint="give --text, --due, --every or --no-repeat")
    if changes.every is not None and changes.no_repeat:
        raise InvalidInput("--every and --no-repeat cannot go together")
    task = get_task(db, task_id, now)
    title = _title(changes.title) if changes.title is not None else task.title
    due_date, due_at = task.due_date, task.due_at
    if changes.due is not None:
        due_date, due_at = _due(changes.due, now)
    rule = task.rrule
    if changes.every is not None:
        rule = recurrence.parse_rule(changes.every)
    elif changes.no_repeat:
        rule = None
    series_start = _series_start(db, task_id)
    if rule is None:
        series_start = None
    elif changes.due is not None or changes.every is not None or series_start is None:
        series_start = date.fromisoformat(
            due_date
        )  # a new rule, or a new day for the series, starts it afresh
    db.execute(
        "UPDATE tasks SET title = ?, due_date = ?, due_at = ?, rrule = ?, series_start = ?,"
        " updated_at = ? WHERE id = ?",
        [
            title,
            due_date,
            due_at,
            rule,
            series_start.isoformat() if series_start else None,
            to_iso(now),
            task_id,
        ],
    )
    return get_task(db, task_id, now)


def remove_task(db: Database, now: datetime, task_id: int) -> Task:
    task = get_task(db, task_id, now)
    db.execute("DELETE FROM tasks WHERE id = ?", [task_id])
    record_deletion(db, now, "task", task.uid)
    return task


# -- several at once (`follow-up done 2 8 9`, `follow-up rm 9 10`) -------------------------


def pick_tasks(db: Database, refs: Sequence[str], now: datetime) -> list[Task]:
    """The follow-ups these ids name, once each, in the order given; every id is checked
    before anything changes (a bad one is an error naming it)."""
    ids = list(dict.fromkeys(resolve_task(db, ref) for ref in refs))
    return [get_task(db, task_id, now) for task_id in ids]


def _again(db: Database, picked: Sequence[Task]) -> list[int]:
    """The picked tasks' ids now, found by uid (an id may have been reused meanwhile)."""
    from pcrm.core.records import id_of_uid

    return [
        id_of_uid(db, "task", task.uid, f"follow-up {task.id} {task.title}", "nothing changed")
        for task in picked
    ]


def complete_tasks(db: Database, now: datetime, picked: Sequence[Task]) -> list[Completed]:
    """Mark them all done, each as complete_task does, in the caller's one transaction
    (the seam where the undo journal records the whole change as one entry); one already
    done is an error naming it, and nothing changes."""
    for task in picked:
        if task.status == "done":
            raise InvalidInput(
                f"follow-up {task.id} is already done",
                hint=f"done on {task.done_at}; nothing changed",
            )
    return [complete_task(db, now, task_id) for task_id in _again(db, picked)]


def remove_tasks(db: Database, now: datetime, picked: Sequence[Task]) -> list[Task]:
    """Remove them all, each as remove_task does, in the caller's one transaction."""
    return [remove_task(db, now, task_id) for task_id in _again(db, picked)]


def stream_open_tasks(db: Database, now: datetime) -> tuple[Iterator[Task], bool]:
    """Every open task in due order, read from one cursor as it is iterated (the ICS
    export writes them as they come), and whether any has a time of day."""
    today = today_of(now)
    where, args = _scope_where(today, "open", [], [])
    timed = db.execute(
        f"SELECT EXISTS (SELECT 1 FROM tasks t{where} AND t.due_at IS NOT NULL)", args
    ).fetchone()[0]
    rows = db.execute(f"{_SELECT}{where}{_ORDER}", args)
    return (_task(row, today) for row in rows), bool(timed)
