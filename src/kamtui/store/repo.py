"""Reads and writes of a book, returning plain domain objects and rows.

Every function takes an open ``Connection`` from ``Store.reading()`` or
``Store.writing()``. Bulk paths use the driver directly (no ORM objects): a book may hold
100,000 accounts and millions of history rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # the bulk reads of a refresh run in worker processes without SQLAlchemy
    from sqlalchemy import Connection

    from kamtui.domain.plan import DueBy

from kamtui.domain.decision_map import Contact, ContactCounts, count_contacts
from kamtui.domain.health import Invoice, Ticket, UsageSnapshot
from kamtui.domain.rfm import OrderStats
from kamtui.domain.stages import StageChange

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
# Every order has an index that gives it (store.tables.Account), so that a page is read
# without sorting the book. Empty values come last both ways: ascending, an index on
# ``x IS NULL, x, id`` gives it; descending, SQLite's order does (NULL is the smallest
# value), so that ``x DESC, id DESC`` walks the index on ``x, id`` backwards.
_NULLS_LAST = " IS NULL, "


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
        order = BOOK_SORTS[self.sort]
        if self.descending:
            head, null, rest = order.partition(_NULLS_LAST)
            if null:  # "x IS NULL, x {d}, ..." → "x DESC, ...": the same order
                order = rest
            return order.format(d="DESC")
        return order.format(d="ASC")


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


# An index of every column BookQuery.where() reads, for the accounts not in the trash (schema
# 4): a count, and the scan of a narrow filter, read it instead of the table, several times
# smaller. Named, because SQLite's planner, given the statistics of ANALYZE, prefers the table.
FILTER_INDEX = "ix_accounts_filter"


def _filtered(conn: Connection | sqlite3.Connection) -> str:
    """The accounts as a filter reads them: through FILTER_INDEX where the book has it (a
    book of an older schema opened read-only has not)."""
    return _accounts_by(conn, FILTER_INDEX)


def _accounts_by(conn: Connection | sqlite3.Connection, index: str, alias: str = "") -> str:
    """``accounts [alias] INDEXED BY index``, or ``accounts [alias]`` in a book without
    that index."""
    found = (
        _raw(conn)
        .execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (index,))
        .fetchone()
    )
    table = f"accounts {alias}".rstrip()
    return f"{table} INDEXED BY {index}" if found else table


def count_accounts(conn: Connection | sqlite3.Connection, q: BookQuery) -> int:
    where, params = q.where()
    sql = f"SELECT count(*) FROM {_filtered(conn)} WHERE {where}"
    n: int = _raw(conn).execute(sql, params).fetchone()[0]
    return n


# Walking the sort index costs about one row lookup per row it passes; a scan of the whole
# table plus a sort of the matches costs about this many lookups, whatever the filter.
SCAN_COST_ROWS = 20_000


def account_page(
    conn: Connection | sqlite3.Connection,
    q: BookQuery,
    offset: int,
    limit: int,
    matching: int | None = None,
) -> list[AccountRow]:
    """One page of the Book. With a typed filter whose match count is known, a filter that
    matches few rows is served by scanning and sorting the matches instead of walking the
    sort index past thousands of rows that do not match; one that matches nothing, by no
    query at all."""
    if matching == 0:
        return []
    where, params = q.where()
    order = q.order_by()
    source = "accounts"
    if q.text.strip() and matching is not None:
        size = _raw(conn).execute("SELECT max(id) FROM accounts").fetchone()[0] or 0
        if (offset + limit) * size > SCAN_COST_ROWS * max(matching, 1):
            order = "+" + order  # a unary plus keeps SQLite from ordering by the index
            source = _filtered(conn)  # the matches found in the filter index
    rows = (
        _raw(conn)
        .execute(
            f"SELECT {_ROW_COLS} FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
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
    status: str
    pinned_tier: str | None
    renewal_intent: bool | None
    reference_willing: bool | None
    last_touch: date | None
    last_exec_touch: date | None
    stored_rfm: str
    ratings: dict[str, int] = field(default_factory=dict)
    # the decision map as the coverage rules need it; every contact only when loaded by id
    decision_map: ContactCounts = ContactCounts(0, 0, False)
    contacts: list[Contact] = field(default_factory=list)
    usage: list[UsageSnapshot] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    deals: list[tuple[int, str, int, str, float]] = field(
        default_factory=list
    )  # id, name, stage, next_step, amount
    next_task: tuple[str, date] | None = None
    stored: tuple[Any, ...] = ()  # the derived columns as stored now
    stored_until: str | None = None  # valid_until as stored now (read for a refresh only)
    # ratings not read: the stored score, computed from them, still holds (see ``rated``)
    score_stored: bool = False
    # the day the account was entered (it dates what holds since then); never changed
    created_on: date | None = None


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
# A refresh also keeps, per account, the first day on which its derived values may change
# without any of their inputs changing (ISO date; NULL: unknown, recompute at the next
# refresh). Any write of derived values that does not give it sets it to NULL, and so do
# triggers on every input (see store.migrations), so it is never trusted after a change.
VALID_UNTIL = "valid_until"
REFRESH_COLS = (*DERIVED_COLS, VALID_UNTIL)
NEVER = date.max.isoformat()  # valid_until of values no day changes


# Above this many ids, a list of ids is passed as one JSON parameter: one parameter per id
# would meet SQLite's limit on parameters, and parsing thousands costs more than json_each.
JSON_IDS_FROM = 100


def _ids_clause(column: str, ids: Sequence[int] | None) -> tuple[str, tuple[Any, ...]]:
    if ids is None:
        return "", ()
    if len(ids) > JSON_IDS_FROM:
        return f" AND {column} IN (SELECT value FROM json_each(?))", (json.dumps(list(ids)),)
    return f" AND {column} IN ({', '.join('?' * len(ids))})", tuple(ids)


def _scope(
    column: str, ids: Sequence[int] | None, id_range: tuple[int, int] | None
) -> tuple[str, tuple[Any, ...]]:
    """Some accounts (``ids``), a range of account ids (inclusive), or the whole book."""
    if id_range is not None:
        where, p = _ids_clause(column, ids)
        return f" AND {column} BETWEEN ? AND ?{where}", (*id_range, *p)
    return _ids_clause(column, ids)


def _raw(conn: Connection | sqlite3.Connection) -> Any:
    """The driver's connection, inside the caller's transaction: for bulk reads without
    SQLAlchemy's per-row cost (a million rows cost seconds through the Result API). The
    reads of a refresh also take a bare driver connection (see services.recompute)."""
    if isinstance(conn, sqlite3.Connection):
        return conn
    return conn.connection.driver_connection


_LEFT = "nullif(left_on, '')"  # a contact's leaving date, as Python reads it ('' is none)


def _contact(r: tuple[Any, ...]) -> Contact:
    """A contact from (account_id, id, name, role, stance, influence, title, reports_to,
    left_on, planned_action)."""
    return Contact(r[1], r[2], r[3], r[4], r[5], r[6], r[7], d(r[8]), r[9])


def load_derive_inputs(
    conn: Connection | sqlite3.Connection,
    today: date,
    ids: Sequence[int] | None = None,
    *,
    id_range: tuple[int, int] | None = None,
    every_contact: bool | None = None,
    until: bool = False,
    rated: Sequence[int] | None = None,
) -> dict[int, DeriveInputs]:
    """Bulk-load the inputs of the derived values: for some accounts, a range of account
    ids (inclusive), both (the accounts of ``ids`` in that range), or the whole book.

    ``every_contact`` (by default: when ``ids`` are given) reads every contact, as one
    account's view shows them; otherwise the decision map is counted in SQL. ``until``
    reads ``valid_until`` as well (a book of the current schema only). ``rated`` (with
    ``ids``): only these accounts' ratings are read; the others' score, tier and missing
    criteria are taken as stored, which a refresh does when their inputs have not changed.

    History rows come in id order, whatever plan SQLite picks for the scope, so ties (two
    deals on the same stage and amount, two tickets closed the same day) break the same
    way for one account as for the whole book.
    """
    sql = _raw(conn).execute
    iso = date.fromisoformat
    where, p = _scope("id", ids, id_range)
    out: dict[int, DeriveInputs] = {}
    rfm = 7 + DERIVED_COLS.index("rfm")
    end = 7 + len(DERIVED_COLS)
    for r in sql(
        "SELECT id, status, pinned_tier, renewal_intent, reference_willing, last_touch, "
        f"last_exec_touch, {', '.join(REFRESH_COLS if until else DERIVED_COLS)}, created_on "
        f"FROM accounts WHERE deleted_at IS NULL{where}",
        p,
    ):
        out[r[0]] = DeriveInputs(
            r[0],
            r[1],
            r[2],
            None if r[3] is None else bool(r[3]),
            None if r[4] is None else bool(r[4]),
            iso(r[5]) if r[5] else None,
            iso(r[6]) if r[6] else None,
            r[rfm],
            stored=r[7:end],
            stored_until=r[end] if until else None,
            created_on=iso(r[-1]),
        )
    get = out.get
    where, p = _scope("account_id", ids, id_range)
    if rated is None:
        rating_where, rating_p = where, p
    else:
        wanted = set(rated)
        for acc in out.values():
            acc.score_stored = acc.id not in wanted
        rating_where, rating_p = _scope("account_id", sorted(wanted), id_range)
    if rated is None or rated:
        for aid, crit, rating in sql(
            f"SELECT account_id, criterion, rating FROM ratings WHERE 1=1{rating_where}",
            rating_p,
        ):
            if (a := get(aid)) is not None:
                a.ratings[crit] = rating
    contact_cols = (
        "account_id, id, name, role, stance, influence, title, reports_to, left_on, planned_action"
    )
    if every_contact is None:
        every_contact = ids is not None
    if every_contact:  # one account's view shows every contact
        for r in sql(f"SELECT {contact_cols} FROM contacts WHERE 1=1{where} ORDER BY id", p):
            if (a := get(r[0])) is not None:
                a.contacts.append(_contact(r))
        for a in out.values():
            a.decision_map = count_contacts(a.contacts)
    else:  # the whole book: count in SQL, and read only the contacts a rule may name
        named: dict[int, list[Contact]] = {}
        for r in sql(
            f"SELECT {contact_cols} FROM contacts "
            f"WHERE (stance = 'blocker' OR {_LEFT} IS NOT NULL){where} ORDER BY id",
            p,
        ):
            named.setdefault(r[0], []).append(_contact(r))
        role = f"CASE WHEN {_LEFT} IS NULL THEN role END"  # the roles of those still there
        for aid, active, roles, economic_buyer in sql(
            f"SELECT account_id, sum({_LEFT} IS NULL), "
            f"CASE WHEN min({role}) IS NULL THEN 0 WHEN min({role}) = max({role}) THEN 1 "
            "ELSE 2 END, "
            f"max({_LEFT} IS NULL AND role = 'economic_buyer') "
            f"FROM contacts WHERE 1=1{where} GROUP BY account_id",
            p,
        ):
            if (a := get(aid)) is not None:
                a.decision_map = ContactCounts(
                    active, roles, bool(economic_buyer), tuple(named.get(aid, ()))
                )
    # later months too (health counts a snapshot from its month on, and a refresh needs to
    # know when that is); the unpaid invoices whatever their due date, for the same reason
    for aid, month, users, logins, adoption in sql(
        "SELECT account_id, month, active_users, logins, adoption_pct FROM usage_snapshots "
        f"WHERE month >= ?{where}",
        (_usage_since(today).isoformat(), *p),
    ):
        if (a := get(aid)) is not None:
            a.usage.append(UsageSnapshot(iso(month), users, logins, adoption))
    since = (today - TICKET_DAYS).isoformat()
    for aid, opened, severity, closed, sat in sql(
        "SELECT account_id, opened_on, severity, closed_on, satisfaction FROM tickets "
        f"WHERE (opened_on >= ? OR closed_on >= ?){where} ORDER BY id",
        (since, since, *p),
    ):
        if (a := get(aid)) is not None:
            a.tickets.append(Ticket(iso(opened), severity, iso(closed) if closed else None, sat))
    # the unpaid-invoice index suits the whole book; a range of accounts is narrower
    unpaid = "paid_on" if id_range is None else "+paid_on"
    for aid, number, due, amount in sql(
        f"SELECT account_id, number, due_on, amount FROM invoices WHERE {unpaid} IS NULL{where} "
        "ORDER BY id",
        p,
    ):
        if (a := get(aid)) is not None:
            a.invoices.append(Invoice(number, iso(due), Decimal(str(amount))))
    for aid, did, name, stage, step, amount in sql(
        "SELECT account_id, id, name, stage, next_step, amount FROM deals "
        f"WHERE status = 'open'{where} ORDER BY id",
        p,
    ):
        if (a := get(aid)) is not None:
            a.deals.append((did, name, stage, step, amount))
    # the open task due first (the first made, on a tie)
    for aid, title, due in sql(
        f"SELECT account_id, title, due_on FROM tasks WHERE done_on IS NULL{where} ORDER BY id",
        p,
    ):
        if (a := get(aid)) is not None and (a.next_task is None or iso(due) < a.next_task[1]):
            a.next_task = (title, iso(due))
    return out


TICKET_DAYS = timedelta(days=120)  # tickets opened or closed since then are read


def _usage_since(today: date) -> date:
    """Usage snapshots from this month on are read: two months before this one, and more."""
    return date(today.year, today.month, 1) - timedelta(days=62)


def inputs_change_after(a: DeriveInputs, today: date) -> date:
    """The first day after ``today`` on which ``load_derive_inputs`` may read this
    account's history differently, its rows being unchanged (a row leaving a date window);
    ``date.max`` when no day would. Rows that enter later are read already."""
    first = date.max
    if a.usage:  # the usage window moves on the first day of a month
        first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    for t in a.tickets:  # read while opened or closed in the last TICKET_DAYS days
        last = t.opened if t.closed is None or t.closed < t.opened else t.closed
        try:
            day = last + TICKET_DAYS + _ONE_DAY
        except OverflowError:
            continue
        if today < day < first:
            first = day
    return first


_ONE_DAY = timedelta(days=1)


def refresh_state(
    conn: Connection | sqlite3.Connection, id_range: tuple[int, int] | None = None
) -> list[tuple[int, str, str | None, str, str | None, str | None, str]]:
    """What a refresh needs to tell which accounts to recompute: (id, status, tier, rfm,
    valid_until, the health flags when a tier/RFM mismatch is among them else None,
    created_on) of every account, or of a range of account ids (inclusive)."""
    where, p = _scope("id", None, id_range)
    return list(
        _raw(conn).execute(
            f"SELECT id, status, tier, rfm, {VALID_UNTIL}, "
            "CASE WHEN instr(health_flags, '\"tier_rfm_mismatch\"') > 0 THEN health_flags END, "
            f"created_on FROM accounts WHERE deleted_at IS NULL{where} ORDER BY id",
            p,
        )
    )


BULK_WRITE_CACHE_KIB = 64 * 1024


def cache_for_bulk_writes(conn: Connection) -> None:
    """A page cache large enough for rewriting tens of thousands of accounts without
    spilling pages mid-transaction (for this connection only: it is not reused)."""
    _raw(conn).execute(f"PRAGMA cache_size = -{BULK_WRITE_CACHE_KIB}")


def stored_rfm(conn: Connection) -> dict[int, str]:
    """The ``rfm`` column of every account in the book, as stored."""
    return dict(_raw(conn).execute("SELECT id, rfm FROM accounts WHERE deleted_at IS NULL"))


def table_size(conn: Connection, table: str) -> int:
    """About how many rows ``table`` holds, read from its largest rowid (no count of the
    table): never fewer than it holds."""
    return int(_raw(conn).execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0])


def drop_indexes(conn: Connection, tables: Iterable[str]) -> list[str]:
    """Drop the secondary indexes of ``tables`` in the caller's transaction, before writing
    more rows than they hold (building an index at the end costs far less than keeping it
    up to date row by row). Returns the statements that create them again, as the book
    holds them (its schema, ``sqlite_master``), for ``create_index`` after the writes:
    a transaction that fails in between rolls back the drop with the rows. Indexes that
    enforce something (primary keys, UNIQUE) stay."""
    raw = _raw(conn)
    statements = []
    for table in tables:
        for _, name, unique, origin, _partial in raw.execute(
            f"PRAGMA index_list({table})"
        ).fetchall():
            if origin != "c" or unique:
                continue
            (sql,) = raw.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
            ).fetchone()
            raw.execute(f'DROP INDEX "{name}"')
            statements.append(sql)
    return statements


def create_index(conn: Connection, statement: str) -> None:
    """One of the statements ``drop_indexes`` returned."""
    _raw(conn).execute(statement)


def rows_changed(conn: Connection) -> int:
    """Rows written through this connection since it was opened (connections are not pooled:
    in the current transaction)."""
    return int(_raw(conn).total_changes)


def journal_mode(conn: Connection) -> str:
    """``wal``, ``delete``, ...: how the book's writes reach the file."""
    return str(_raw(conn).execute("PRAGMA journal_mode").fetchone()[0]).lower()


def account_ids(conn: Connection) -> list[int]:
    """The ids of the accounts in the book, in order."""
    return [
        aid
        for (aid,) in _raw(conn).execute(
            "SELECT id FROM accounts WHERE deleted_at IS NULL ORDER BY id"
        )
    ]


_NO_ORDERS = OrderStats(None, 0, Decimal(0))


def order_stats(
    conn: Connection | sqlite3.Connection,
    today: date,
    *,
    id_range: tuple[int, int] | None = None,
    ids: Iterable[int] | None = None,
    last_order: bool = True,
) -> dict[int, OrderStats]:
    """Orders of the trailing 12 months for every account in the book (RFM inputs), or for
    a range of account ids (inclusive); ``ids``, when the caller has them, are the accounts
    in that scope. With ``last_order``, the accounts without an order in those months
    get the day of their latest one, if any (see ``last_orders``)."""
    since = (today - timedelta(days=365)).isoformat()
    sql = _raw(conn).execute
    if ids is None:
        where, p = _scope("id", None, id_range)
        ids = (aid for (aid,) in sql(f"SELECT id FROM accounts WHERE deleted_at IS NULL{where}", p))
    stats = dict.fromkeys(ids, _NO_ORDERS)
    where, p = _scope("account_id", None, id_range)
    new = tuple.__new__
    days: dict[str, tuple[int, date]] = {}  # days since, and the day, by ISO day
    for aid, last, n, total in sql(
        "SELECT account_id, max(ordered_on), count(*), sum(amount) FROM orders "
        f"WHERE ordered_on > ? AND ordered_on <= ?{where} GROUP BY account_id",
        (since, today.isoformat(), *p),
    ):
        if aid in stats:
            ago = days.get(last)
            if ago is None:
                day = date.fromisoformat(last)
                ago = days[last] = ((today - day).days, day)
            stats[aid] = new(OrderStats, (ago[0], n, Decimal(str(round(total, 2))), ago[1]))
    if last_order:
        add_last_orders(stats, last_orders(conn, today, id_range))
    return stats


def last_orders(
    conn: Connection | sqlite3.Connection, today: date, id_range: tuple[int, int] | None = None
) -> dict[int, date]:
    """The day of each account's latest order before the trailing 12 months of ``today``
    (in the whole book or a range of account ids, inclusive)."""
    where, p = _scope("account_id", None, id_range)
    return {
        aid: date.fromisoformat(last)
        for aid, last in _raw(conn).execute(
            f"SELECT account_id, max(ordered_on) FROM orders WHERE ordered_on <= ?{where} "
            "GROUP BY account_id",
            ((today - timedelta(days=365)).isoformat(), *p),
        )
    }


def add_last_orders(stats: dict[int, OrderStats], last: Mapping[int, date]) -> None:
    """Give the accounts of ``stats`` without an order in its 12 months their latest one."""
    for aid, day in last.items():
        s = stats.get(aid)
        if s is not None and s.frequency == 0:
            stats[aid] = s._replace(last_order=day)


def write_derived(
    conn: Connection,
    rows: Iterable[tuple[Any, ...]],
    columns: Sequence[str] = DERIVED_COLS,
    *,
    refresh: bool = False,
) -> None:
    """rows: the values of ``columns`` (some of REFRESH_COLS, DERIVED_COLS by default)
    followed by the account id. Naming only the columns that changed spares the other
    indexes. ``valid_until`` is reset (recompute at the next refresh) unless this is a
    refresh, which knows it (and writes it when it changed)."""
    sets = ", ".join(f"{c} = ?" for c in columns)
    if not refresh:
        sets += f", {VALID_UNTIL} = NULL"
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


# Every column of an account the weekly plan reads but its first flag's reason (schema 5),
# for the accounts not in the trash, in name order (the plan's): the whole book's plan reads
# this index, a twelfth of the table, and the reasons of its red and yellow accounts alone.
PLAN_INDEX = "ix_accounts_plan"


def plan_accounts(
    conn: Connection,
    owner: str | None,
    due: Mapping[str, DueBy] | None = None,
    also: Collection[int] = (),
) -> Iterator[tuple[Any, ...]]:
    """(id, name, owner, tier, status, last_touch, last_exec_touch, health_color), in name
    order for the whole book, read as they are iterated (inside the caller's transaction).

    Given ``due`` (each tier's ``plan.due_by`` days), only the accounts that may have a
    health or touch item in the plan: not former customers, and red or yellow, or last
    touched (or touched by an executive) on or before their tier's day, or never, or one of
    ``also`` (accounts whose stored values the caller does not go by)."""
    raw = _raw(conn)
    where, params = ["a.deleted_at IS NULL"], list[Any]()
    if owner is not None:
        where.append("a.owner = ?")
        params.append(owner)
    if due is not None:
        may = ["a.health_color IN ('red', 'yellow')"]
        for column, days in (
            ("last_touch", {t: by.touch for t, by in due.items()}),
            ("last_exec_touch", {t: by.exec_touch for t, by in due.items() if by.exec_touch}),
        ):
            if days:  # never touched ('' sorts first) or touched by the tier's day
                whens = " ".join("WHEN ? THEN ?" for _ in days)
                may.append(f"coalesce(a.{column}, '') <= CASE a.tier {whens} END")
                params += [x for t, day in days.items() for x in (t, day.isoformat())]
        if also:
            may.append("a.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(also)))
        where.append(f"a.status != 'former' AND ({' OR '.join(may)})")
    # whole book: the plan's covering index, in name order; one owner's: the table
    table = _accounts_by(conn, PLAN_INDEX, "a") if owner is None else "accounts a"
    return iter(
        raw.execute(
            "SELECT a.id, a.name, a.owner, a.tier, a.status, a.last_touch, a.last_exec_touch, "
            f"a.health_color FROM {table} "
            f"WHERE {' AND '.join(where)}",
            params,
        )
    )


def plan_reasons(conn: Connection, owner: str | None) -> dict[int, str]:
    """The reason of the first health flag of each red or yellow account (of one owner)."""
    where, params = _owner_where(owner)
    return dict(
        _raw(conn).execute(
            "SELECT a.id, json_extract(a.health_flags, '$[0].reason') FROM accounts a "
            f"WHERE {where} AND a.health_color IN ('red', 'yellow') AND a.health_flags != '[]'",
            params,
        )
    )


def plan_tasks(
    conn: Connection, until: date, owner: str | None = None
) -> list[tuple[int, int, str, str, str | None, str, str]]:
    """Open tasks due by ``until`` (of one owner's accounts): (id, account id, account
    name, owner, tier, title, due)."""
    where, params = _owner_where(owner)
    return (
        _raw(conn)
        .execute(
            "SELECT t.id, t.account_id, a.name, a.owner, a.tier, t.title, t.due_on "
            f"FROM tasks t JOIN accounts a ON a.id = t.account_id WHERE {where} "
            "AND t.done_on IS NULL AND t.due_on <= ?",
            (*params, until.isoformat()),
        )
        .fetchall()
    )


def plan_deals(
    conn: Connection, owner: str | None = None
) -> list[tuple[int, int, str, str, str | None, str, int, str, str | None]]:
    """Open deals (of one owner's accounts): (id, account id, account name, owner, tier,
    deal name, stage, entered stage on, checked deliverables comma-joined)."""
    where, params = _owner_where(owner)
    return (
        _raw(conn)
        .execute(
            "SELECT d.id, d.account_id, a.name, a.owner, a.tier, d.name, d.stage, "
            "d.stage_entered_on, (SELECT group_concat(c.deliverable) "
            "FROM deal_deliverables c WHERE c.deal_id = d.id) "
            f"FROM deals d JOIN accounts a ON a.id = d.account_id WHERE {where} "
            "AND d.status = 'open'",
            params,
        )
        .fetchall()
    )


def _owner_where(owner: str | None) -> tuple[str, tuple[Any, ...]]:
    """Rows of the accounts ``a`` in the book (of one owner, or of all)."""
    if owner is None:
        return "a.deleted_at IS NULL", ()
    return "a.deleted_at IS NULL AND a.owner = ?", (owner,)


# ---- the Book's summary -------------------------------------------------------------------


def book_counts(
    conn: Connection | sqlite3.Connection,
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


def account_names(conn: Connection | sqlite3.Connection, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        _raw(conn).execute(
            f"SELECT id, name FROM accounts WHERE id IN ({', '.join('?' * len(ids))})", tuple(ids)
        )
    )


def owners(conn: Connection | sqlite3.Connection) -> list[str]:
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


class DealRecord(NamedTuple):
    """One deal as stored: its account, version and every editable field."""

    account_id: int
    version: int
    fields: dict[str, Any]


def deal_record(conn: Connection, deal_id: int) -> DealRecord | None:
    """A deal of an account not in the trash, or None."""
    row = (
        _raw(conn)
        .execute(
            "SELECT g.account_id, g.version, g.name, g.amount, g.expected_close, g.next_step "
            "FROM deals g JOIN accounts a ON a.id = g.account_id "
            "WHERE g.id = ? AND a.deleted_at IS NULL",
            (deal_id,),
        )
        .fetchone()
    )
    if row is None:
        return None
    name, amount, close, next_step = row[2:]
    fields = {"name": name, "amount": float(amount or 0), "expected_close": d(close),
              "next_step": next_step or ""}  # fmt: skip
    return DealRecord(int(row[0]), int(row[1]), fields)


def update_deal(conn: Connection, deal_id: int, fields: Mapping[str, Any]) -> None:
    """Write deal fields (checked by the caller) and move its version on."""
    sets = "".join(f"{k} = ?, " for k in fields)
    values = [v.isoformat() if isinstance(v, date) else v for v in fields.values()]
    _raw(conn).execute(
        f"UPDATE deals SET {sets}version = version + 1 WHERE id = ?", (*values, deal_id)
    )


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


def insert_task(
    conn: Connection,
    account_id: int,
    title: str,
    due_on: date,
    deal_id: int | None = None,
    source: str = "manual",
) -> int:
    """An open task, added by hand (``manual``) or by a follow-up rule (``rule``)."""
    task_id = (
        _raw(conn)
        .execute(
            "INSERT INTO tasks (account_id, deal_id, title, due_on, source, version) "
            "VALUES (?, ?, ?, ?, ?, 1)",
            (account_id, deal_id, title, due_on.isoformat(), source),
        )
        .lastrowid
    )
    return int(task_id)  # type: ignore[arg-type]


# ---- the 360° view -------------------------------------------------------------------------------
def account_profile(
    conn: Connection, account_id: int, fields: Sequence[str]
) -> tuple[Any, ...] | None:
    """An account's ``fields``, then pinned tier, pin reason and version; None if it is not
    in the book (or in the trash)."""
    row = (
        _raw(conn)
        .execute(
            f"SELECT {', '.join(fields)}, pinned_tier, pin_reason, version FROM accounts "
            "WHERE id = ? AND deleted_at IS NULL",
            (account_id,),
        )
        .fetchone()
    )
    return None if row is None else tuple(row)


# ---- the won outcome ------------------------------------------------------------------------
# A deal is won when it leaves stage 3 for 4 (domain.stages.wins); schema 7 keeps the day,
# the amount and whether the move was forced on the deal. A book older than schema 7,
# opened read-only, is not upgraded: its wins are read from its stage history as the
# upgrade would set them (store.migrations, step 7).
_WINNING_MOVE = (
    "(SELECT c.{column} FROM deal_stage_changes c WHERE c.deal_id = {d}.id AND NOT c.lost "
    "AND c.to_stage >= 4 AND coalesce(c.from_stage, 0) < 4 ORDER BY c.id DESC LIMIT 1)"
)


def won_columns(current: bool, alias: str = "d") -> str:
    """A deal's won on, won amount and won forced (False when not won), of a book of the
    current schema or (``current`` False) of an older one; named so."""
    if current:
        return (
            f"{alias}.won_on AS won_on, {alias}.won_amount AS won_amount, "
            f"{alias}.won_forced AS won_forced"
        )
    on = _WINNING_MOVE.format(column="changed_on", d=alias)
    forced = _WINNING_MOVE.format(column="forced", d=alias)
    return (
        f"CASE WHEN {alias}.stage >= 4 THEN coalesce({on}, {alias}.stage_entered_on) END "
        f"AS won_on, CASE WHEN {alias}.stage >= 4 THEN {alias}.amount END AS won_amount, "
        f"CASE WHEN {alias}.stage >= 4 THEN coalesce({forced}, 0) ELSE 0 END AS won_forced"
    )


def set_won(conn: Connection, deal_id: int, on: date | None, forced: bool) -> tuple[Any, ...]:
    """Record a deal won ``on`` (its amount then, forced or not), or (``on`` None) no longer
    won; returns its won on and won amount before, and its won amount now."""
    raw = _raw(conn)
    before = raw.execute(
        "SELECT won_on, won_amount, CASE WHEN ? THEN amount END FROM deals WHERE id = ?",
        (on is not None, deal_id),
    ).fetchone()
    if on is None:
        raw.execute(
            "UPDATE deals SET won_on = NULL, won_amount = NULL, won_forced = 0 WHERE id = ?",
            (deal_id,),
        )
    else:
        raw.execute(
            "UPDATE deals SET won_on = ?, won_amount = amount, won_forced = ? WHERE id = ?",
            (on.isoformat(), forced, deal_id),
        )
    return tuple(before)


def deal_outcomes(conn: Connection, current: bool) -> list[tuple[Any, ...]]:
    """What reports of outcomes need, per deal of an account in the book: (deal id, account
    id, owner, status, created on, the day it entered its first stage, won on, won amount,
    won forced, closed lost on)."""
    return (
        _raw(conn)
        .execute(
            "SELECT d.id, a.id, a.owner, d.status, d.created_on, "
            "(SELECT min(c.changed_on) FROM deal_stage_changes c WHERE c.deal_id = d.id), "
            f"{won_columns(current)}, "
            "(SELECT max(c.changed_on) FROM deal_stage_changes c WHERE c.deal_id = d.id "
            "AND c.lost) FROM deals d JOIN accounts a ON a.id = d.account_id "
            "WHERE a.deleted_at IS NULL ORDER BY d.id"
        )
        .fetchall()
    )


def account_deals(conn: Connection, account_id: int, current: bool) -> list[tuple[Any, ...]]:
    """(id, name, amount, stage, status, stage entered on, next step, expected close,
    version, won on, won amount, won forced) of each deal of an account, open ones first,
    furthest stage first."""
    return (
        _raw(conn)
        .execute(
            "SELECT id, name, amount, stage, status, stage_entered_on, next_step, "
            f"expected_close, version, {won_columns(current, 'deals')} FROM deals "
            "WHERE account_id = ? ORDER BY status = 'open' DESC, stage DESC, id",
            (account_id,),
        )
        .fetchall()
    )


def stage_history(conn: Connection, deal_ids: Sequence[int]) -> dict[int, list[StageChange]]:
    """Every stage change of the deals, oldest first."""
    history: dict[int, list[StageChange]] = {}
    if not deal_ids:
        return history
    for did, f, t, on, forced, lost, reason in _raw(conn).execute(
        "SELECT deal_id, from_stage, to_stage, changed_on, forced, lost, reason "
        f"FROM deal_stage_changes WHERE deal_id IN ({', '.join('?' * len(deal_ids))}) ORDER BY id",
        tuple(deal_ids),
    ):
        change = StageChange(f, t, date.fromisoformat(on), bool(forced), reason, bool(lost))
        history.setdefault(did, []).append(change)
    return history


# each kind of dated record an account's timeline shows: its day, then what it says of it
_TIMELINE = {
    "interaction": "SELECT happened_on, kind, executive, summary FROM interactions "
    "WHERE account_id = ?",
    "order": "SELECT ordered_on, 'order', 0, number, amount FROM orders WHERE account_id = ?",
    "invoice": "SELECT issued_on, 'invoice', 0, number, amount, due_on, paid_on IS NOT NULL "
    "FROM invoices WHERE account_id = ?",
    "payment": "SELECT p.paid_on, 'payment', 0, i.number, p.amount FROM payments p "
    "JOIN invoices i ON i.id = p.invoice_id WHERE i.account_id = ?",
    "ticket": "SELECT opened_on, 'ticket', 0, severity, subject, closed_on, satisfaction "
    "FROM tickets WHERE account_id = ?",
    "usage": "SELECT month, 'usage', 0, active_users, logins, adoption_pct FROM usage_snapshots "
    "WHERE account_id = ?",
}


def timeline(
    conn: Connection, account_id: int, limit: int, current: bool = True
) -> list[tuple[date, str, bool, tuple[Any, ...]]]:
    """The newest ``limit`` of an account's interactions, orders, invoices, payments, tickets,
    usage snapshots and deals won, newest first: (date, kind, executive, fields), the fields
    as the query of the kind in ``_TIMELINE`` lists them (an interaction's kind is call,
    email, meeting or visit); a win is (deal name, amount, forced)."""
    out: list[tuple[date, str, bool, tuple[Any, ...]]] = []
    won = (
        f"SELECT won_on, 'won', 0, name, won_amount, won_forced FROM (SELECT name, "
        f"{won_columns(current, 'deals')} FROM deals WHERE account_id = ?) "
        "WHERE won_on IS NOT NULL"
    )
    for sql in (*_TIMELINE.values(), won):
        for on, kind, executive, *fields in _raw(conn).execute(
            f"{sql} ORDER BY 1 DESC LIMIT {int(limit)}", (account_id,)
        ):
            out.append((date.fromisoformat(on), kind, bool(executive), tuple(fields)))
    out.sort(key=lambda e: e[0], reverse=True)
    return out[:limit]


def open_tasks(conn: Connection, account_id: int) -> list[tuple[int, str, date]]:
    """(id, title, due) of an account's open tasks, soonest first."""
    return [
        (tid, title, date.fromisoformat(due))
        for tid, title, due in _raw(conn).execute(
            "SELECT id, title, due_on FROM tasks WHERE account_id = ? AND done_on IS NULL "
            "ORDER BY due_on",
            (account_id,),
        )
    ]


# ---- touches and deals ---------------------------------------------------------------------------
def is_contact_of(conn: Connection, contact_id: int, account_id: int) -> bool:
    return (
        _raw(conn)
        .execute("SELECT 1 FROM contacts WHERE id = ? AND account_id = ?", (contact_id, account_id))
        .fetchone()
        is not None
    )


def insert_interaction(
    conn: Connection,
    account_id: int,
    contact_id: int | None,
    kind: str,
    on: date,
    executive: bool,
    summary: str,
) -> int:
    iid = (
        _raw(conn)
        .execute(
            "INSERT INTO interactions (account_id, contact_id, kind, happened_on, executive, "
            "summary, version) VALUES (?, ?, ?, ?, ?, ?, 1)",
            (account_id, contact_id, kind, on.isoformat(), executive, summary),
        )
        .lastrowid
    )
    return int(iid or 0)


def touches(conn: Connection, account_id: int) -> tuple[Any, Any]:
    """An account's last touch and last executive touch, as stored."""
    row = (
        _raw(conn)
        .execute("SELECT last_touch, last_exec_touch FROM accounts WHERE id = ?", (account_id,))
        .fetchone()
    )
    return row[0], row[1]


def record_touch(conn: Connection, account_id: int, on: date, executive: bool) -> None:
    """Keep the account's last (executive) touch current with a touch ``on`` that day."""
    _raw(conn).execute(
        "UPDATE accounts SET last_touch = max(coalesce(last_touch, ''), ?), "
        "last_exec_touch = CASE WHEN ? THEN max(coalesce(last_exec_touch, ''), ?) "
        "ELSE last_exec_touch END WHERE id = ?",
        (on.isoformat(), executive, on.isoformat(), account_id),
    )


def deal_state(conn: Connection, deal_id: int) -> tuple[int, int, str, int] | None:
    """(account id, stage, status, version) of a deal of an account not in the trash."""
    row = (
        _raw(conn)
        .execute(
            "SELECT d.account_id, d.stage, d.status, d.version FROM deals d "
            "JOIN accounts a ON a.id = d.account_id WHERE d.id = ? AND a.deleted_at IS NULL",
            (deal_id,),
        )
        .fetchone()
    )
    return None if row is None else (int(row[0]), int(row[1]), str(row[2]), int(row[3]))


def set_deliverable(conn: Connection, deal_id: int, key: str, done: bool, today: date) -> bool:
    """Tick (or untick) a deliverable and move the deal's version on; True if it changed."""
    raw = _raw(conn)
    if done:
        changed = raw.execute(
            "INSERT OR IGNORE INTO deal_deliverables (deal_id, deliverable, checked_on) "
            "VALUES (?, ?, ?)",
            (deal_id, key, today.isoformat()),
        ).rowcount
    else:
        changed = raw.execute(
            "DELETE FROM deal_deliverables WHERE deal_id = ? AND deliverable = ?", (deal_id, key)
        ).rowcount
    raw.execute("UPDATE deals SET version = version + 1 WHERE id = ?", (deal_id,))
    return changed > 0


def move_deal(conn: Connection, deal_id: int, change: StageChange, today: date) -> None:
    """Write a stage change: the deal's new stage (or lost) and its stage history."""
    raw = _raw(conn)
    raw.execute(
        "INSERT INTO deal_stage_changes (deal_id, from_stage, to_stage, changed_on, forced, "
        "lost, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (deal_id, change.from_stage, change.to_stage, today.isoformat(), change.forced,
         change.lost, change.reason),
    )  # fmt: skip
    if change.lost:
        raw.execute(
            "UPDATE deals SET status = 'lost', lost_reason = ?, version = version + 1 WHERE id = ?",
            (change.reason, deal_id),
        )
    else:
        raw.execute(
            "UPDATE deals SET stage = ?, stage_entered_on = ?, version = version + 1 WHERE id = ?",
            (change.to_stage, today.isoformat(), deal_id),
        )


def find_deals(conn: Connection, text: str, limit: int) -> list[tuple[Any, ...]]:
    """Open deals whose name contains ``text`` (any case), of accounts not in the trash:
    (deal id, deal name, account id, account name, stage, amount), largest first."""
    return (
        _raw(conn)
        .execute(
            "SELECT d.id, d.name, a.id, a.name, d.stage, d.amount FROM deals d "
            "JOIN accounts a ON a.id = d.account_id "
            "WHERE d.status = 'open' AND a.deleted_at IS NULL AND instr(lower(d.name), lower(?)) > 0 "
            "ORDER BY d.amount DESC, d.id LIMIT ?",
            (text, limit),
        )
        .fetchall()
    )


# ---- the decision map -----------------------------------------------------------------------

CONTACT_COLUMNS = (
    "name", "title", "role", "stance", "influence", "reports_to", "left_on", "planned_action",
    "email", "phone",
)  # fmt: skip


class ContactRecord(NamedTuple):
    """One contact as stored: its account, version and every editable field."""

    account_id: int
    version: int
    fields: dict[str, Any]


def contact_record(conn: Connection, contact_id: int) -> ContactRecord | None:
    """A contact of an account not in the trash, or None."""
    row = (
        _raw(conn)
        .execute(
            f"SELECT c.account_id, c.version, {', '.join('c.' + k for k in CONTACT_COLUMNS)} "
            "FROM contacts c JOIN accounts a ON a.id = c.account_id "
            "WHERE c.id = ? AND a.deleted_at IS NULL",
            (contact_id,),
        )
        .fetchone()
    )
    if row is None:
        return None
    fields = dict(zip(CONTACT_COLUMNS, row[2:], strict=True))
    fields["left_on"] = d(fields["left_on"])
    return ContactRecord(int(row[0]), int(row[1]), fields)


def account_contacts(conn: Connection, account_id: int) -> list[Contact]:
    """Every contact of one account, in id order."""
    return [
        _contact(r)
        for r in _raw(conn).execute(
            "SELECT account_id, id, name, role, stance, influence, title, reports_to, "
            f"{_LEFT}, planned_action FROM contacts WHERE account_id = ? ORDER BY id",
            (account_id,),
        )
    ]


def _contact_values(fields: Mapping[str, Any]) -> list[Any]:
    return [v.isoformat() if isinstance(v, date) else v for v in fields.values()]


def insert_contact(conn: Connection, account_id: int, fields: Mapping[str, Any]) -> int:
    """A new contact (field names checked by the caller)."""
    names = ", ".join(fields)
    marks = ", ".join("?" * len(fields))
    contact_id = (
        _raw(conn)
        .execute(
            f"INSERT INTO contacts (account_id, {names}, version) VALUES (?, {marks}, 1)",
            (account_id, *_contact_values(fields)),
        )
        .lastrowid
    )
    return int(contact_id)  # type: ignore[arg-type]


def update_contact(conn: Connection, contact_id: int, fields: Mapping[str, Any]) -> None:
    """Write contact fields (names checked by the caller) and move its version on."""
    sets = "".join(f"{k} = ?, " for k in fields)
    _raw(conn).execute(
        f"UPDATE contacts SET {sets}version = version + 1 WHERE id = ?",
        (*_contact_values(fields), contact_id),
    )


def last_contacted(conn: Connection, account_id: int) -> dict[int, date]:
    """The day each contact of an account was last touched (those ever touched)."""
    return {
        cid: date.fromisoformat(on)
        for cid, on in _raw(conn).execute(
            "SELECT contact_id, max(happened_on) FROM interactions "
            "WHERE account_id = ? AND contact_id IS NOT NULL GROUP BY contact_id",
            (account_id,),
        )
    }


def contact_extras(conn: Connection, account_id: int) -> dict[int, tuple[str, str, int]]:
    """(email, phone, version) of each contact of an account."""
    return {
        r[0]: (r[1], r[2], r[3])
        for r in _raw(conn).execute(
            "SELECT id, email, phone, version FROM contacts WHERE account_id = ?", (account_id,)
        )
    }


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


def insert_account(conn: Connection, today: date, name: str, fields: Mapping[str, Any]) -> int:
    """A new account (profile fields checked by the caller), with its search text."""
    from sqlalchemy import insert

    from kamtui.store.tables import Account  # the ORM loads only for edits

    search = search_text(
        name, fields.get("industry", ""), fields.get("region", ""), fields.get("owner", "")
    )
    key = conn.execute(
        insert(Account.__table__).values(  # type: ignore[attr-defined]
            name=name, created_on=today, search=search, **fields
        )
    ).inserted_primary_key
    assert key is not None and key[0] is not None
    return int(key[0])


def live_account_version(conn: Connection, account_id: int) -> int | None:
    """The version of an account in the book (not in the trash), or None."""
    row = (
        _raw(conn)
        .execute("SELECT version FROM accounts WHERE id = ? AND deleted_at IS NULL", (account_id,))
        .fetchone()
    )
    return int(row[0]) if row else None


def bump_account(conn: Connection, account_id: int) -> None:
    """Move an account's version on (every saved change to it does)."""
    _raw(conn).execute("UPDATE accounts SET version = version + 1 WHERE id = ?", (account_id,))


def account_fields(
    conn: Connection, account_id: int, fields: Sequence[str]
) -> tuple[Any, ...] | None:
    """Some columns of an account (in the trash too), as stored; None if there is none."""
    row = (
        _raw(conn)
        .execute(f"SELECT {', '.join(fields)} FROM accounts WHERE id = ?", (account_id,))
        .fetchone()
    )
    return None if row is None else tuple(row)


def account_ratings(conn: Connection, account_id: int) -> dict[str, int]:
    return dict(
        _raw(conn).execute(
            "SELECT criterion, rating FROM ratings WHERE account_id = ?", (account_id,)
        )
    )


def purge_account(conn: Connection, account_id: int) -> None:
    """Delete an account in the trash for good (what it holds goes with it)."""
    _raw(conn).execute(
        "DELETE FROM accounts WHERE id = ? AND deleted_at IS NOT NULL", (account_id,)
    )


def task_version(conn: Connection, task_id: int) -> int:
    return int(
        _raw(conn).execute("SELECT version FROM tasks WHERE id = ?", (task_id,)).fetchone()[0]
    )


def delete_setting(conn: Connection, key: str) -> None:
    _raw(conn).execute("DELETE FROM settings WHERE key = ?", (key,))


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
    conn: Connection,
    stage: int,
    owner: str | None,
    tier: str | None,
    limit: int,
    current: bool = True,
) -> list[tuple[Any, ...]]:
    """The largest open deals of one stage: (deal id, account id, account, tier, owner, deal,
    amount, entered stage on, checked deliverables comma-joined, version, won on, won
    amount, won forced)."""
    where, params = _pipeline_where(owner, tier)
    return (
        _raw(conn)
        .execute(
            "SELECT d.id, a.id, a.name, a.tier, a.owner, d.name, d.amount, d.stage_entered_on, "
            "(SELECT group_concat(c.deliverable) FROM deal_deliverables c WHERE c.deal_id = d.id), d.version, "
            f"{won_columns(current)} "
            f"FROM deals d JOIN accounts a ON a.id = d.account_id WHERE {where} AND d.stage = ? "
            "ORDER BY d.amount DESC, d.id LIMIT ?",
            (*params, stage, limit),
        )
        .fetchall()
    )
