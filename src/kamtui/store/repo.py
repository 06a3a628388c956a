"""Reads and writes of a book, returning plain domain objects and rows.

Every function takes an open ``Connection`` from ``Store.reading()`` or
``Store.writing()``. Bulk paths use the driver directly (no ORM objects): a book may hold
100,000 accounts and millions of history rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from kamtui.domain.decision_map import Contact
from kamtui.domain.health import Invoice, Ticket, UsageSnapshot
from kamtui.domain.rfm import OrderStats

BOOK_SORTS: dict[str, str] = {
    "tier": "tier_rank {d}, name {d}, id {d}",
    "name": "name {d}, id {d}",
    "track": "track {d}, name {d}, id {d}",
    "score": "score IS NULL, score {d}, id {d}",
    "health": "health_score IS NULL, health_score {d}, id {d}",
    "stage": "top_stage IS NULL, top_stage {d}, id {d}",
    "last_touch": "last_touch IS NULL, last_touch {d}, id {d}",
    "next_action": "next_action {d}, id {d}",
    "owner": "owner {d}, name {d}, id {d}",
}


def search_text(name: str, industry: str = "", region: str = "", owner: str = "") -> str:
    """What the Book's typed filter searches: kept on the account, rewritten with its profile."""
    return " ".join(x for x in (name, industry, region, owner) if x).lower()


def d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class BookQuery:
    """What the Book shows: filters and sort, all applied in SQL."""

    text: str = ""
    tiers: frozenset[str] = frozenset()  # empty: all; "unscored" allowed
    track: str | None = None
    health: str | None = None  # green, yellow, red
    owner: str | None = None
    attention: bool = False  # only accounts whose health is red or yellow
    sort: str = "tier"
    descending: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses = ["deleted_at IS NULL"]
        params: list[Any] = []
        if self.text.strip():
            clauses.append("instr(search, ?) > 0")
            params.append(self.text.strip().lower())
        if self.tiers:
            named = sorted(t for t in self.tiers if t != "unscored")
            parts = []
            if named:
                parts.append(f"tier IN ({', '.join('?' * len(named))})")
                params.extend(named)
            if "unscored" in self.tiers:
                parts.append("tier IS NULL")
            clauses.append("(" + " OR ".join(parts) + ")")
        for column, value in (
            ("track", self.track),
            ("health_color", self.health),
            ("owner", self.owner),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.attention:
            clauses.append("health_color IN ('red', 'yellow')")
        return " AND ".join(clauses), params

    def order_by(self) -> str:
        return BOOK_SORTS[self.sort].format(d="DESC" if self.descending else "ASC")


@dataclass(frozen=True)
class AccountRow:
    """One line of the Book."""

    id: int
    tier: str | None
    pinned: bool
    name: str
    track: str
    score: float | None
    health_color: str | None
    health_score: int | None
    top_stage: int | None
    last_touch: date | None
    next_action: str
    owner: str


_ROW_COLS = (
    "id, tier, pinned_tier IS NOT NULL, name, track, score, health_color, health_score, "
    "top_stage, last_touch, next_action, owner"
)


def count_accounts(conn: Connection, q: BookQuery) -> int:
    where, params = q.where()
    return conn.exec_driver_sql(
        f"SELECT count(*) FROM accounts WHERE {where}", tuple(params)
    ).scalar_one()


# Walking the sort index costs about one row lookup per row it passes; a scan of the whole
# table plus a sort of the matches costs about this many lookups, whatever the filter.
SCAN_COST_ROWS = 20_000


def account_page(
    conn: Connection, q: BookQuery, offset: int, limit: int, matching: int | None = None
) -> list[AccountRow]:
    """One page of the Book. With a typed filter whose match count is known, a filter that
    matches few rows is served by scanning and sorting the matches instead of walking the
    sort index past thousands of rows that do not match."""
    where, params = q.where()
    order = q.order_by()
    if q.text.strip() and matching is not None:
        size = _raw(conn).execute("SELECT max(id) FROM accounts").fetchone()[0] or 0
        if (offset + limit) * size > SCAN_COST_ROWS * max(matching, 1):
            order = "+" + order  # a unary plus keeps SQLite from ordering by the index
    rows = (
        _raw(conn)
        .execute(
            f"SELECT {_ROW_COLS} FROM accounts WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        .fetchall()
    )
    return [
        AccountRow(
            r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], d(r[9]), r[10], r[11]
        )
        for r in rows
    ]


# ---- inputs of the derived values -------------------------------------------------------


@dataclass
class DeriveInputs:
    """Everything the derived values of one account depend on."""

    id: int
    name: str
    status: str
    pinned_tier: str | None
    renewal_intent: bool | None
    reference_willing: bool | None
    last_touch: date | None
    last_exec_touch: date | None
    stored_rfm: str
    ratings: dict[str, int] = field(default_factory=dict)
    contacts: list[Contact] = field(default_factory=list)
    usage: list[UsageSnapshot] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    deals: list[tuple[int, str, int, str, float]] = field(
        default_factory=list
    )  # id, name, stage, next_step, amount
    next_task: tuple[str, date] | None = None
    stored: tuple[Any, ...] = ()  # the derived columns as stored now


DERIVED_COLS = (
    "score",
    "computed_tier",
    "tier",
    "tier_rank",
    "missing_criteria",
    "rfm",
    "health_score",
    "health_color",
    "health_flags",
    "coverage",
    "top_stage",
    "next_action",
)


def _ids_clause(column: str, ids: Sequence[int] | None) -> tuple[str, tuple[int, ...]]:
    if ids is None:
        return "", ()
    return f" AND {column} IN ({', '.join('?' * len(ids))})", tuple(ids)


def _raw(conn: Connection) -> Any:
    """The driver's connection, inside the caller's transaction: for bulk reads without
    SQLAlchemy's per-row cost (a million rows cost seconds through the Result API)."""
    return conn.connection.driver_connection


def load_derive_inputs(
    conn: Connection, today: date, ids: Sequence[int] | None = None
) -> dict[int, DeriveInputs]:
    """Bulk-load the inputs of the derived values, for some accounts or the whole book."""
    sql = _raw(conn).execute
    where, p = _ids_clause("id", ids)
    out: dict[int, DeriveInputs] = {}
    for r in sql(
        "SELECT id, name, status, pinned_tier, renewal_intent, reference_willing, last_touch, "
        f"last_exec_touch, rfm, {', '.join(DERIVED_COLS)} "
        f"FROM accounts WHERE deleted_at IS NULL{where}",
        p,
    ):
        out[r[0]] = DeriveInputs(
            id=r[0],
            name=r[1],
            status=r[2],
            pinned_tier=r[3],
            renewal_intent=None if r[4] is None else bool(r[4]),
            reference_willing=None if r[5] is None else bool(r[5]),
            last_touch=d(r[6]),
            last_exec_touch=d(r[7]),
            stored_rfm=r[8],
            stored=tuple(r[9:]),
        )
    where, p = _ids_clause("account_id", ids)
    for aid, crit, rating in sql(
        f"SELECT account_id, criterion, rating FROM ratings WHERE 1=1{where}", p
    ):
        if aid in out:
            out[aid].ratings[crit] = rating
    for r in sql(
        "SELECT account_id, id, name, role, stance, influence, title, reports_to, left_on, planned_action "
        f"FROM contacts WHERE 1=1{where}",
        p,
    ):
        if r[0] in out:
            out[r[0]].contacts.append(
                Contact(r[1], r[2], r[3], r[4], r[5], r[6], r[7], d(r[8]), r[9])
            )
    since_month = date(today.year, today.month, 1) - timedelta(days=62)
    for aid, month, users, logins, adoption in sql(
        "SELECT account_id, month, active_users, logins, adoption_pct FROM usage_snapshots "
        f"WHERE month >= ? AND month <= ?{where}",
        (since_month.isoformat(), today.isoformat(), *p),
    ):
        if aid in out:
            out[aid].usage.append(UsageSnapshot(date.fromisoformat(month), users, logins, adoption))
    since = (today - timedelta(days=120)).isoformat()
    for aid, opened, severity, closed, sat in sql(
        "SELECT account_id, opened_on, severity, closed_on, satisfaction FROM tickets "
        f"WHERE (opened_on >= ? OR closed_on >= ?){where}",
        (since, since, *p),
    ):
        if aid in out:
            out[aid].tickets.append(Ticket(date.fromisoformat(opened), severity, d(closed), sat))
    for aid, number, due, amount in sql(
        f"SELECT account_id, number, due_on, amount FROM invoices WHERE paid_on IS NULL AND due_on < ?{where}",
        (today.isoformat(), *p),
    ):
        if aid in out:
            out[aid].invoices.append(Invoice(number, date.fromisoformat(due), Decimal(str(amount))))
    for aid, did, name, stage, step, amount in sql(
        f"SELECT account_id, id, name, stage, next_step, amount FROM deals WHERE status = 'open'{where}",
        p,
    ):
        if aid in out:
            out[aid].deals.append((did, name, stage, step, amount))
    for aid, title, due in sql(
        "SELECT account_id, title, min(due_on) FROM tasks "
        f"WHERE done_on IS NULL{where} GROUP BY account_id",
        p,
    ):
        if aid in out:
            out[aid].next_task = (title, date.fromisoformat(due))
    return out


def order_stats(conn: Connection, today: date) -> dict[int, OrderStats]:
    """Orders of the trailing 12 months for every account in the book (RFM inputs)."""
    since = (today - timedelta(days=365)).isoformat()
    sql = _raw(conn).execute
    stats: dict[int, OrderStats] = {}
    for (aid,) in sql("SELECT id FROM accounts WHERE deleted_at IS NULL"):
        stats[aid] = OrderStats(None, 0, Decimal(0))
    for aid, last, n, total in sql(
        "SELECT account_id, max(ordered_on), count(*), sum(amount) FROM orders "
        "WHERE ordered_on > ? AND ordered_on <= ? GROUP BY account_id",
        (since, today.isoformat()),
    ):
        if aid in stats:
            stats[aid] = OrderStats(
                (today - date.fromisoformat(last)).days, n, Decimal(str(round(total, 2)))
            )
    return stats


def write_derived(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """rows: the DERIVED_COLS values followed by the account id."""
    sets = ", ".join(f"{c} = ?" for c in DERIVED_COLS)
    _raw(conn).executemany(f"UPDATE accounts SET {sets} WHERE id = ?", rows)


def deliverables_checked(
    conn: Connection, deal_ids: Sequence[int] | None = None
) -> dict[int, set[str]]:
    where, p = _ids_clause("deal_id", deal_ids)
    out: dict[int, set[str]] = defaultdict(set)
    for did, key in conn.exec_driver_sql(
        f"SELECT deal_id, deliverable FROM deal_deliverables WHERE 1=1{where}", p
    ):
        out[did].add(key)
    return out


# ---- the weekly plan ----------------------------------------------------------------------


def plan_accounts(conn: Connection, owner: str | None) -> list[tuple[Any, ...]]:
    """(id, name, owner, tier, status, last_touch, last_exec_touch, health_color, health_flags)."""
    where, params = ("AND owner = ?", (owner,)) if owner is not None else ("", ())
    return (
        _raw(conn)
        .execute(
            "SELECT id, name, owner, tier, status, last_touch, last_exec_touch, health_color, "
            "CASE WHEN health_color IN ('red', 'yellow') THEN health_flags ELSE '[]' END "
            f"FROM accounts WHERE deleted_at IS NULL {where}",
            params,
        )
        .fetchall()
    )


def plan_tasks(conn: Connection, until: date) -> list[tuple[int, int, str, str]]:
    """Open tasks due by ``until``: (id, account id, title, due)."""
    return (
        _raw(conn)
        .execute(
            "SELECT id, account_id, title, due_on FROM tasks WHERE done_on IS NULL AND due_on <= ?",
            (until.isoformat(),),
        )
        .fetchall()
    )


def plan_deals(conn: Connection) -> list[tuple[int, int, str, int, str, str | None]]:
    """Open deals: (id, account id, name, stage, entered stage on, checked deliverables comma-joined)."""
    return (
        _raw(conn)
        .execute(
            "SELECT d.id, d.account_id, d.name, d.stage, d.stage_entered_on, group_concat(c.deliverable) "
            "FROM deals d LEFT JOIN deal_deliverables c ON c.deal_id = d.id "
            "WHERE d.status = 'open' GROUP BY d.id"
        )
        .fetchall()
    )


# ---- the Book's summary -------------------------------------------------------------------


def book_counts(
    conn: Connection,
) -> tuple[dict[str, int], dict[str, int], dict[int, tuple[int, float]]]:
    """Accounts per tier and per health colour, and open deals (count, amount) per stage."""
    sql = _raw(conn).execute
    by_tier = {
        (t or "unscored"): n
        for t, n in sql(
            "SELECT tier, count(*) FROM accounts WHERE deleted_at IS NULL GROUP BY tier"
        )
    }
    by_color = {
        (c or "none"): n
        for c, n in sql(
            "SELECT health_color, count(*) FROM accounts WHERE deleted_at IS NULL GROUP BY health_color"
        )
    }
    pipeline = {
        stage: (n, total or 0.0)
        for stage, n, total in sql(
            "SELECT d.stage, count(*), sum(d.amount) FROM deals d JOIN accounts a ON a.id = d.account_id "
            "WHERE d.status = 'open' AND a.deleted_at IS NULL GROUP BY d.stage"
        )
    }
    return by_tier, by_color, pipeline


def account_names(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        _raw(conn).execute(
            f"SELECT id, name FROM accounts WHERE id IN ({', '.join('?' * len(ids))})", tuple(ids)
        )
    )


def owners(conn: Connection) -> list[str]:
    return [
        r[0]
        for r in _raw(conn).execute(
            "SELECT DISTINCT owner FROM accounts WHERE deleted_at IS NULL AND owner != '' ORDER BY owner"
        )
    ]


def insert_deal(
    conn: Connection,
    account_id: int,
    today: date,
    name: str,
    amount: float,
    expected_close: date | None,
    next_step: str,
) -> int:
    """A deal in stage 1 and its first stage-history row."""
    raw = _raw(conn)
    deal_id = raw.execute(
        "INSERT INTO deals (account_id, name, amount, expected_close, next_step, stage, status, "
        "created_on, stage_entered_on) VALUES (?, ?, ?, ?, ?, 1, 'open', ?, ?)",
        (
            account_id,
            name,
            amount,
            expected_close.isoformat() if expected_close else None,
            next_step,
            today.isoformat(),
            today.isoformat(),
        ),
    ).lastrowid
    raw.execute(
        "INSERT INTO deal_stage_changes (deal_id, from_stage, to_stage, changed_on) VALUES (?, NULL, 1, ?)",
        (deal_id, today.isoformat()),
    )
    return int(deal_id)


def complete_task(conn: Connection, task_id: int, today: date) -> int | None:
    """Mark an open task done; returns its account, or None when there is no such open task."""
    raw = _raw(conn)
    row = raw.execute(
        "SELECT account_id FROM tasks WHERE id = ? AND done_on IS NULL", (task_id,)
    ).fetchone()
    if row is None:
        return None
    raw.execute(
        "UPDATE tasks SET done_on = ?, version = version + 1 WHERE id = ?",
        (today.isoformat(), task_id),
    )
    return int(row[0])


# ---- the profile ----------------------------------------------------------------------------


def update_profile(conn: Connection, account_id: int, fields: Mapping[str, Any]) -> None:
    """Write profile columns (names checked by the caller) and keep the search text current."""
    raw = _raw(conn)
    raw.execute(
        f"UPDATE accounts SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
        (*fields.values(), account_id),
    )
    name, industry, region, owner = raw.execute(
        "SELECT name, industry, region, owner FROM accounts WHERE id = ?", (account_id,)
    ).fetchone()
    raw.execute(
        "UPDATE accounts SET search = ? WHERE id = ?",
        (search_text(name, industry, region, owner), account_id),
    )


def set_rating(conn: Connection, account_id: int, criterion: str, rating: int | None) -> None:
    raw = _raw(conn)
    if rating is None:
        raw.execute(
            "DELETE FROM ratings WHERE account_id = ? AND criterion = ?", (account_id, criterion)
        )
    else:
        raw.execute(
            "INSERT INTO ratings (account_id, criterion, rating) VALUES (?, ?, ?) "
            "ON CONFLICT(account_id, criterion) DO UPDATE SET rating = excluded.rating",
            (account_id, criterion, rating),
        )


def account_version(conn: Connection, account_id: int) -> int:
    row = _raw(conn).execute("SELECT version FROM accounts WHERE id = ?", (account_id,)).fetchone()
    return int(row[0]) if row else 0


# ---- the Health screen ----------------------------------------------------------------------


def flagged_accounts(conn: Connection, owner: str | None = None) -> list[tuple[Any, ...]]:
    """Accounts with at least one health flag, red first, then yellow, then green; lowest
    score first: (id, name, owner, tier, health score, colour, flags JSON)."""
    where, params = ("AND owner = ?", (owner,)) if owner is not None else ("", ())
    return (
        _raw(conn)
        .execute(
            "SELECT id, name, owner, tier, health_score, health_color, health_flags FROM accounts "
            f"WHERE deleted_at IS NULL AND health_flags != '[]' {where} "
            "ORDER BY CASE health_color WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, "
            "health_score, tier_rank, name",
            params,
        )
        .fetchall()
    )


# ---- the pipeline board ---------------------------------------------------------------------


def _pipeline_where(owner: str | None, tier: str | None) -> tuple[str, tuple[Any, ...]]:
    clauses, params = ["d.status = 'open'", "a.deleted_at IS NULL"], []
    if owner is not None:
        clauses.append("a.owner = ?")
        params.append(owner)
    if tier is not None:
        clauses.append("a.tier IS NULL" if tier == "unscored" else "a.tier = ?")
        if tier != "unscored":
            params.append(tier)
    return " AND ".join(clauses), tuple(params)


def pipeline_totals(
    conn: Connection, owner: str | None, tier: str | None
) -> dict[int, tuple[int, float]]:
    """Open deals per stage: (count, amount)."""
    where, params = _pipeline_where(owner, tier)
    return {
        stage: (n, total or 0.0)
        for stage, n, total in _raw(conn).execute(
            f"SELECT d.stage, count(*), sum(d.amount) FROM deals d JOIN accounts a ON a.id = d.account_id "
            f"WHERE {where} GROUP BY d.stage",
            params,
        )
    }


def pipeline_cards(
    conn: Connection, stage: int, owner: str | None, tier: str | None, limit: int
) -> list[tuple[Any, ...]]:
    """The largest open deals of one stage: (deal id, account id, account, tier, owner, deal,
    amount, entered stage on, checked deliverables comma-joined, version)."""
    where, params = _pipeline_where(owner, tier)
    return (
        _raw(conn)
        .execute(
            "SELECT d.id, a.id, a.name, a.tier, a.owner, d.name, d.amount, d.stage_entered_on, "
            "(SELECT group_concat(c.deliverable) FROM deal_deliverables c WHERE c.deal_id = d.id), d.version "
            f"FROM deals d JOIN accounts a ON a.id = d.account_id WHERE {where} AND d.stage = ? "
            "ORDER BY d.amount DESC, d.id LIMIT ?",
            (*params, stage, limit),
        )
        .fetchall()
    )
