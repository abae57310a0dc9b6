"""Lead scoring: the rules kept in `score_rules`, and scores computed from them on demand.

Nothing is cached, so a score is never stale. Each rule becomes one set-based query that
yields (contact id, points) for the contacts it matches; a ranking joins those queries
with UNION ALL and sums them per contact in one statement, so the cost grows with the
number of rules, not of contacts. Explaining one contact runs each rule's query limited
to that contact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from pcrm.core.base import Link
from pcrm.core.matching import id_param, is_id
from pcrm.core.people.score_rules import Rule, format_rule, parse_rule
from pcrm.core.people.text import name_key
from pcrm.dates import to_iso
from pcrm.errors import Conflict, InvalidInput, NotFound
from pcrm.store.db import Database

FOLD_FUNCTION = "pcrm_fold"


@dataclass
class ScoreRule:
    id: int
    rule: str
    points: int
    created_at: str


@dataclass
class ContactScore:
    id: int
    name: str
    score: int


@dataclass
class ScoreRanking:
    contacts: list[ContactScore]
    total: int  # contacts in the database; `contacts` may hold fewer (--limit)
    rule_count: int
    problems: list[str] = field(default_factory=list)  # rules that cannot match now


@dataclass
class RuleOutcome:
    id: int
    rule: str
    matched: bool
    points: int  # what the rule gave this contact: 0 when it did not match
    detail: str | None = None  # what matched: "3 interactions", the title, the value...


@dataclass
class ScoreExplanation:
    contact: Link
    score: int
    rules: list[RuleOutcome] = field(default_factory=list)


# -- the stored rules ------------------------------------------------------------------


def list_rules(db: Database) -> list[ScoreRule]:
    rules = []
    for rule_id, text, created_at in db.execute(
        "SELECT id, rule, created_at FROM score_rules ORDER BY id"
    ):
        rules.append(ScoreRule(rule_id, text, _stored(rule_id, text).points, created_at))
    return rules


def _stored(rule_id: int, text: str) -> Rule:
    """A stored rule, parsed; one changed by hand into something invalid is named."""
    try:
        return parse_rule(text)
    except InvalidInput as exc:
        raise InvalidInput(
            f"scoring rule {rule_id} is invalid: {exc.message}",
            hint=f"remove it: pcrm score rule rm {rule_id}",
        ) from None


def add_rule(db: Database, now: datetime, text: str) -> ScoreRule:
    """Parse, check and store a rule in its canonical form. A second rule on the same
    condition is refused: it would count twice, whatever its points."""
    rule = parse_rule(text)
    if rule.kind == "stage":
        from pcrm.core.people.lifecycle import resolve_stage

        rule = replace(rule, value=resolve_stage(db, rule.value).name)  # it exists
    if rule.kind == "field":
        from pcrm.core.people.fields import get_field

        # Spelled as the field was declared; and compiled once, so a missing field or a
        # value it would not take is refused now rather than matching nobody later.
        rule = replace(rule, value=get_field(db, "contact", rule.value).name)
        _prepare(db)
        _compile(db, rule, now)
    canonical = format_rule(rule)
    for existing in list_rules(db):
        if _identity(_stored(existing.id, existing.rule)) == _identity(rule):
            raise Conflict(
                f'rule {existing.id} is already "{existing.rule}"',
                hint=f"to change its points, remove it first: pcrm score rule rm {existing.id}",
            )
    stamp = to_iso(now)
    cursor = db.execute(
        "INSERT INTO score_rules(rule, created_at) VALUES (?, ?)", [canonical, stamp]
    )
    assert cursor.lastrowid is not None
    return ScoreRule(cursor.lastrowid, canonical, rule.points, stamp)


def _identity(rule: Rule) -> Rule:
    """What a rule tests, whatever its points (and cap): tag:VIP and tag:vip test the same."""
    rule = replace(rule, points=1, cap=None)
    if rule.kind in ("tag", "company", "source", "stage", "title"):
        return replace(rule, value=name_key(rule.value))
    if rule.kind == "field":
        return replace(rule, value=rule.value.casefold())
    return rule


def remove_rule(db: Database, number: str) -> tuple[int, str]:
    """Remove rule N (its number in `pcrm score rules`; numbers are never reused) and
    return its number and text. Not parsed: a rule gone bad can always be removed."""
    text = number.strip()
    if not is_id(text):
        raise InvalidInput(
            f'"{number}" is not a rule number', hint="see the numbers: pcrm score rules"
        )
    row = db.execute("SELECT id, rule FROM score_rules WHERE id = ?", [id_param(text)]).fetchone()
    if row is None:
        raise NotFound(f"no scoring rule {int(text)}", hint="see the numbers: pcrm score rules")
    db.execute("DELETE FROM score_rules WHERE id = ?", [row[0]])
    return row[0], row[1]


# -- rules as SQL ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    """`SELECT <contact>, <points> <body>`: the contacts one rule matches, with the points
    it gives each. `body` is FROM ... WHERE ...; `grouped` queries count rows per contact.
    `detail` (with its own parameters) says what matched, for explanations only."""

    contact: str
    points: str
    body: str
    params: tuple[object, ...] = ()
    grouped: bool = False
    detail: str = "NULL"
    detail_params: tuple[object, ...] = ()
    # The body to use when asking about some contacts only (by id), if it differs: a
    # correlated seek per contact where the whole-database body builds a list once.
    some: str | None = None

    def sql(
        self, contact_id: int | None = None, among: str | None = None
    ) -> tuple[str, list[object]]:
        """All matches; with contact_id, that contact's match (if any) and its detail; with
        `among` (a JSON array of contact ids), the matches among those contacts only."""
        if contact_id is None:
            select, params = f"SELECT {self.contact} AS contact_id, {self.points} AS points", []
        else:
            select = f"SELECT {self.points}, {self.detail}"
            params = list(self.detail_params)
        body = self.body
        if self.some is not None and (contact_id is not None or among is not None):
            body = self.some
        sql = f"{select} {body}"
        params += self.params
        if contact_id is not None:
            sql += f" AND {self.contact} = ?"
            params.append(contact_id)
        if among is not None:
            sql += f" AND {self.contact} IN (SELECT value FROM json_each(?))"
            params.append(among)
        if self.grouped:
            sql += f" GROUP BY {self.contact}"
        return sql, params


# A title of printable ASCII folds to its lower case (titles are stored with single
# spaces): only the others pay for a call into Python, ~10x faster on 100k contacts.
_FOLDED_TITLE = (
    f"CASE WHEN c.title GLOB '*[^ -~]*' THEN {FOLD_FUNCTION}(c.title) ELSE lower(c.title) END"
)

_INTERACTIONS = (
    "FROM interactions i JOIN interaction_contacts ic ON ic.interaction_id = i.id"
    " WHERE i.at > ? AND i.at <= ? AND i.cancelled_at IS NULL"
)
# A link carries its interaction's time while the interaction is not cancelled, NULL once
# it is (m013, m017): "any interaction in a window" is a range of the links' own indexes,
# interaction_contacts_at (at, contact_id) for everyone, interaction_contacts_contact_at
# (contact_id, at) for one contact, without reading an interaction.
_LINKS = "FROM interaction_contacts ic WHERE ic.at > ? AND ic.at <= ?"


def _compile(db: Database, rule: Rule, now: datetime) -> _Query:
    points = str(rule.points)
    if rule.kind == "field":
        return _field_query(db, rule, now)
    if rule.kind == "tag":
        return _Query(
            "ct.contact_id",
            points,
            "FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.name = ?",
            (rule.value,),
        )
    if rule.kind == "company":
        return _Query(
            "c.id",
            points,
            "FROM contacts c JOIN companies co ON co.id = c.company_id WHERE co.name_key = ?",
            (name_key(rule.value),),
            detail="co.name",
        )
    if rule.kind == "source":
        return _Query(
            "c.id",
            points,
            "FROM contacts c WHERE c.source = ? COLLATE NOCASE",
            (rule.value,),
            detail="c.source",
        )
    if rule.kind == "stage":
        return _Query(
            "c.id",
            points,
            "FROM contacts c WHERE c.lifecycle_stage = ? COLLATE NOCASE",
            (rule.value,),
            detail="c.lifecycle_stage",
        )
    if rule.kind == "title":
        return _Query(
            "c.id",
            points,
            f"FROM contacts c WHERE instr({_FOLDED_TITLE}, ?) > 0",
            (name_key(rule.value),),
            detail="c.title",
        )
    since, until = to_iso(now - timedelta(days=rule.days)), to_iso(now)
    kind_sql, kind_params = _activity(rule.activity)
    if rule.kind == "per":
        sign = "-" if rule.points < 0 else ""
        earned = f"count(*) * {abs(rule.points)}"
        if rule.cap is not None:
            earned = f"min({earned}, {rule.cap})"
        return _Query(
            "ic.contact_id",
            f"{sign}{earned}",
            (_INTERACTIONS + kind_sql) if kind_params else _LINKS,
            (since, until, *kind_params),
            grouped=True,
            detail="count(*)",
        )
    if rule.kind == "silent":
        # Silence counts from when pcrm first knew the contact (added, or an earlier logged
        # interaction): someone added yesterday has not been neglected for 90 days. Over
        # everyone, the window's contacts are listed once; about a few contacts (a
        # ranking's candidates, see _bounded_top; an explanation), one seek each.
        listed = (
            f"SELECT ic.contact_id {_INTERACTIONS}{kind_sql}"
            if kind_params
            else (f"SELECT ic.contact_id {_LINKS}")
        )
        seek = (
            "SELECT 1 FROM interaction_contacts ic JOIN interactions i ON i.id = ic.interaction_id"
            f" WHERE ic.contact_id = c.id AND ic.at > ? AND ic.at <= ?{kind_sql}"
            if kind_params
            else f"SELECT 1 {_LINKS} AND ic.contact_id = c.id"
        )
        known = (
            " AND (c.created_at <= ? OR EXISTS (SELECT 1 FROM interaction_contacts ic"
            " WHERE ic.contact_id = c.id AND ic.at <= ?))"
        )
        return _Query(
            "c.id",
            points,
            f"FROM contacts c WHERE c.id NOT IN ({listed}){known}",
            (since, until, *kind_params, since, since),
            some=f"FROM contacts c WHERE NOT EXISTS ({seek}){known}",
            detail="(SELECT max(i.at) FROM interactions i JOIN interaction_contacts ic"
            f" ON ic.interaction_id = i.id WHERE ic.contact_id = c.id AND i.at <= ?"
            f" AND i.cancelled_at IS NULL{kind_sql})",
            detail_params=(until, *kind_params),
        )
    raise InvalidInput(f'rules of kind "{rule.kind}" cannot be scored')


def _field_query(db: Database, rule: Rule, now: datetime) -> _Query:
    """A field rule reads like `contact list --where NAME OP VALUE`: core/people/fields.py checks
    the field and reads the value for its type (a number, a day, a choice...)."""
    from pcrm.core.people.fields import get_field, where_sql

    definition = get_field(db, "contact", rule.value)
    condition = f"{definition.name}{rule.op}{rule.operand}"
    terms, params = where_sql(db, now, "contact", "c.id", [condition])
    return _Query(
        "c.id",
        str(rule.points),
        f"FROM contacts c WHERE {' AND '.join(terms)}",
        tuple(params),
        detail="(SELECT value FROM contact_field_values"
        f" WHERE contact_id = c.id AND field_id = {int(definition.id)})",
    )


def _activity(activity: str) -> tuple[str, tuple[str, ...]]:
    if activity == "interaction":
        return "", ()
    return " AND i.kind = ?", (activity,)


def _fold(value: str | bytes | int | float | None) -> str | bytes | int | float | None:
    """The same pcrm_fold() as core/people/fields.py registers for --where (either may run last)."""
    return name_key(value) if isinstance(value, str) else value


def _prepare(db: Database) -> None:
    """`title contains` compares case- and accent-insensitively, as REFs do."""
    db.conn.create_function(FOLD_FUNCTION, 1, _fold, deterministic=True)


@dataclass
class _Compiled:
    stored: ScoreRule
    rule: Rule
    query: _Query | None
    problem: str | None = None  # why the rule matches nobody now


def _compiled(db: Database, now: datetime) -> list[_Compiled]:
    """Every stored rule with its query. A field rule whose field was removed or changed
    since it was added matches nobody, and says why, instead of stopping every score."""
    _prepare(db)
    compiled = []
    for stored in list_rules(db):
        rule = _stored(stored.id, stored.rule)
        try:
            compiled.append(_Compiled(stored, rule, _compile(db, rule, now)))
        except (InvalidInput, NotFound) as exc:
            compiled.append(_Compiled(stored, rule, None, str(exc)))
    return compiled


# -- scores ----------------------------------------------------------------------------


def score_totals_sql(db: Database, now: datetime) -> tuple[str, list[object]]:
    """A query of (contact_id, score) for every contact some rule gives points, to join
    onto contacts (a contact it leaves out scores 0). One sub-query per rule."""
    return _totals_sql(_compiled(db, now))


def _totals_sql(compiled: list[_Compiled]) -> tuple[str, list[object]]:
    queries = [item.query.sql() for item in compiled if item.query is not None]
    if not queries:
        return "SELECT NULL AS contact_id, 0 AS score WHERE 0", []
    union = " UNION ALL ".join(sql for sql, _ in queries)
    params = [param for _, query_params in queries for param in query_params]
    return f"SELECT contact_id, sum(points) AS score FROM ({union}) GROUP BY contact_id", params


def rank_contacts(db: Database, now: datetime, limit: int | None = None) -> ScoreRanking:
    """Contacts by score, highest first (then by name); every contact, 0 included."""
    compiled = _compiled(db, now)
    totals, params = _totals_sql(compiled)
    problems = [
        f"rule {item.stored.id} matches nobody: {item.problem}" for item in compiled if item.problem
    ]
    contacts = None
    if limit:
        contacts = _bounded_top(db, compiled, limit) or _top_scores(db, totals, params, limit)
    if contacts is None:
        sql = (
            "SELECT c.id, c.name, coalesce(s.score, 0) AS score FROM contacts c"
            f" LEFT JOIN ({totals}) s ON s.contact_id = c.id"
            " ORDER BY score DESC, c.name_key, c.id"
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        contacts = [ContactScore(*row) for row in db.execute(sql, params)]
    total = db.execute("SELECT count(*) FROM contacts").fetchone()[0]
    rule_count = db.execute("SELECT count(*) FROM score_rules").fetchone()[0]
    return ScoreRanking(contacts, total, rule_count, problems)


# Rules that read only what they match (an index of tag links, of company names, or of
# the interactions' time): a ranking runs them over everyone. The others (a title, a source
# or a stage folded, a custom field, silence, and any rule that takes points away) are
# asked only about the contacts that may reach the page.
_SEEKABLE = ("tag", "company", "per")
_BATCH = 256  # contacts whose remaining rules are asked at once, at first (then doubled)


def _bounded_top(db: Database, compiled: list[_Compiled], limit: int) -> list[ContactScore] | None:
    """The `limit` highest scores, when the seekable rules prove them; else None.

    The rules giving points that read only what they match are summed for every contact
    they match (`partial`: exact for those rules). Every other rule can add at most its
    points when positive, so a contact scores at most partial + `bound`, and one no
    seekable rule matched at most `bound`. Contacts are taken by partial, highest first, in
    batches; their other rules are asked about the batch only (each by the contacts'
    ids). Once the `limit`-th exact score is above what any contact not yet asked could
    reach (the next partial + bound: strictly, as a tie would go by name), and above
    `bound` (the contacts no seekable rule matched), the page is final: the same page as
    scoring everyone. Otherwise None (the caller scores everyone)."""
    seekable = [c.query for c in compiled if c.query and _seeks(c.rule)]
    rest = [c.query for c in compiled if c.query and not _seeks(c.rule)]
    if not seekable:
        return None
    bound = sum(max(0, c.rule.points) for c in compiled if c.query and not _seeks(c.rule))
    queries = [query.sql() for query in seekable]
    union = " UNION ALL ".join(sql for sql, _ in queries)
    cursor = db.execute(
        f"SELECT contact_id, sum(points) AS partial FROM ({union}) GROUP BY contact_id"
        " ORDER BY partial DESC",
        [param for _, params in queries for param in params],
    )
    best: list[tuple[int, str, int, str]] = []  # (-score, name_key, id, name), best first
    size = _BATCH
    while True:
        batch = cursor.fetchmany(size)
        size *= 2
        if not batch:
            break
        best = sorted(best + _exact(db, rest, dict(batch)))[:limit]
        if len(best) == limit and -best[-1][0] > batch[-1][1] + bound:
            break  # nobody left could reach the page, not even by a tie
    cursor.close()
    if len(best) < limit or -best[-1][0] <= bound:
        return None
    return [ContactScore(cid, name, -score) for score, _, cid, name in best]


def _seeks(rule: Rule) -> bool:
    return rule.kind in _SEEKABLE and rule.points > 0


def _exact(
    db: Database, rest: list[_Query], partial: dict[int, int]
) -> list[tuple[int, str, int, str]]:
    """These contacts' whole scores, from their partial ones and the other rules."""
    among = json.dumps(list(partial))
    scores = dict(partial)
    for query in rest:
        sql, params = query.sql(among=among)
        for contact_id, points in db.execute(sql, params):
            scores[contact_id] += points
    rows = db.execute(
        "SELECT id, name_key, name FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
        [among],
    )
    return [(-scores[cid], key, cid, name) for cid, key, name in rows]


def _top_scores(
    db: Database, totals: str, params: list[object], limit: int
) -> list[ContactScore] | None:
    """The `limit` highest scores when at least that many contacts score above 0, else None.
    They are then all among the contacts some rule matched: only those are joined and
    sorted, not every contact (the zeros after them would need all; the caller does that)."""
    sql = (
        f"SELECT c.id, c.name, s.score FROM ({totals}) s JOIN contacts c ON c.id = s.contact_id"
        f" WHERE s.score > 0 ORDER BY s.score DESC, c.name_key, c.id LIMIT {int(limit)}"
    )
    top = [ContactScore(*row) for row in db.execute(sql, params)]
    return top if len(top) == limit else None


def explain_score(db: Database, now: datetime, contact_id: int) -> ScoreExplanation:
    """One contact's score, rule by rule: which matched and the points each gave."""
    name = db.execute("SELECT name FROM contacts WHERE id = ?", [contact_id]).fetchone()[0]
    explanation = ScoreExplanation(Link("contact", contact_id, name), 0)
    for item in _compiled(db, now):
        stored = item.stored
        row = None
        if item.query is not None:
            sql, params = item.query.sql(contact_id)
            row = db.execute(sql, params).fetchone()
        if row is None:
            explanation.rules.append(RuleOutcome(stored.id, stored.rule, False, 0, item.problem))
            continue
        earned, detail = row
        explanation.rules.append(
            RuleOutcome(stored.id, stored.rule, True, earned, _detail(item.rule, detail))
        )
        explanation.score += earned
    return explanation


def _detail(rule: Rule, value: object) -> str | None:
    if rule.kind == "per":
        return f"{value} {rule.activity}{'' if value == 1 else 's'}"
    if rule.kind == "silent":
        return f"last {rule.activity} {str(value)[:10]}" if value else f"no {rule.activity} yet"
    return None if value is None else str(value)
