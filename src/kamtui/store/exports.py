"""What ``kamtui export`` reads: every contact, deal, interaction and account of the book
(not in the trash), as named records, in a stream.

An export of a big book must not hold the book in memory: each function here is a
generator over one statement (or, for accounts, over pages of ``PAGE`` accounts by id),
whose rows the caller turns into the file as they come. The caller keeps the read
transaction open while it consumes them, so the file is one snapshot of the book.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from kamtui.store.repo import _raw, d, won_columns

if TYPE_CHECKING:
    from sqlalchemy import Connection

PAGE = 2000  # accounts (or rows) read at a time


class ContactRecord(NamedTuple):
    id: int
    account_id: int
    account: str
    name: str
    title: str | None
    role: str | None
    stance: str | None
    influence: str | None
    reports_to: str | None  # the name of the contact reported to
    left_on: str | None
    planned_action: str | None
    email: str | None
    phone: str | None


class DealRecord(NamedTuple):
    id: int
    account_id: int
    account: str
    name: str
    amount: float
    stage: int
    status: str
    expected_close: str | None
    next_step: str | None
    stage_entered_on: date
    lost_reason: str | None
    checked: frozenset[str]  # the deliverables ticked
    started_on: date  # the day it entered its first stage (else was created)
    won_on: date | None
    won_amount: float | None
    won_forced: bool


class InteractionRecord(NamedTuple):
    id: int
    account_id: int
    account: str
    happened_on: str
    kind: str
    executive: bool
    contact: str | None
    summary: str | None


class OpenDealRecord(NamedTuple):
    id: int
    name: str
    amount: float
    stage: int
    expected_close: str | None
    next_step: str | None
    stage_entered_on: date
    checked: frozenset[str]


class AccountRecord(NamedTuple):
    """An account's stored columns (its derived values as stored), with its ratings and
    open deals."""

    id: int
    name: str
    owner: str
    track: str
    status: str
    industry: str | None
    segment: str | None
    region: str | None
    annual_revenue: float | None
    employees: int | None
    pinned_tier: str | None
    pin_reason: str | None
    last_touch: str | None
    last_exec_touch: str | None
    score: float | None
    computed_tier: str | None
    tier: str | None
    missing_criteria: str
    rfm: str | None
    health_score: int | None
    health_color: str | None
    health_flags: str  # JSON
    coverage: str  # JSON
    next_action: str | None
    ratings: dict[str, int]
    open_deals: tuple[OpenDealRecord, ...]


def _rows(conn: Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    cursor = _raw(conn).execute(sql)
    while rows := cursor.fetchmany(PAGE):
        yield from rows


def _checked(text: str) -> frozenset[str]:
    return frozenset(json.loads(text)) if text != "[]" else frozenset()


_CHECKED = (
    "(SELECT json_group_array(x.deliverable) FROM deal_deliverables x WHERE x.deal_id = d.id)"
)


def contacts(conn: Connection) -> Iterator[ContactRecord]:
    """Every contact, by account id and id."""
    for r in _rows(
        conn,
        "SELECT c.id, a.id, a.name, c.name, c.title, c.role, c.stance, c.influence, r.name, "
        "c.left_on, c.planned_action, c.email, c.phone FROM contacts c "
        "JOIN accounts a ON a.id = c.account_id LEFT JOIN contacts r ON r.id = c.reports_to "
        "WHERE a.deleted_at IS NULL ORDER BY a.id, c.id",
    ):
        yield ContactRecord._make(r)


def deals(conn: Connection, current: bool) -> Iterator[DealRecord]:
    """Every deal, by account id and id, with what its outcome is read from (``current``:
    the book has the current schema, see ``repo.won_columns``)."""
    for r in _rows(
        conn,
        "SELECT d.id, a.id, a.name, d.name, d.amount, d.stage, d.status, d.expected_close, "
        f"d.next_step, d.stage_entered_on, d.lost_reason, {_CHECKED}, d.created_on, "
        "(SELECT min(c.changed_on) FROM deal_stage_changes c WHERE c.deal_id = d.id), "
        f"{won_columns(current)} FROM deals d JOIN accounts a ON a.id = d.account_id "
        "WHERE a.deleted_at IS NULL ORDER BY a.id, d.id",
    ):
        yield DealRecord._make((
            *r[:9], date.fromisoformat(r[9]), r[10], _checked(r[11]),
            d(r[13]) or date.fromisoformat(r[12]), d(r[14]), r[15], bool(r[16]),
        ))  # fmt: skip


def interactions(conn: Connection) -> Iterator[InteractionRecord]:
    """Every interaction, by account id, day and id."""
    for r in _rows(
        conn,
        "SELECT i.id, a.id, a.name, i.happened_on, i.kind, i.executive, c.name, i.summary "
        "FROM interactions i JOIN accounts a ON a.id = i.account_id "
        "LEFT JOIN contacts c ON c.id = i.contact_id WHERE a.deleted_at IS NULL "
        "ORDER BY a.id, i.happened_on, i.id",
    ):
        yield InteractionRecord._make((*r[:5], bool(r[5]), r[6], r[7]))


_ACCOUNT_COLUMNS = (
    "id", "name", "owner", "track", "status", "industry", "segment", "region", "annual_revenue",
    "employees", "pinned_tier", "pin_reason", "last_touch", "last_exec_touch", "score",
    "computed_tier", "tier", "missing_criteria", "rfm", "health_score", "health_color",
    "health_flags", "coverage", "next_action",
)  # fmt: skip


def accounts(conn: Connection, size: int = PAGE) -> Iterator[AccountRecord]:
    """Every account, by id, read ``size`` accounts at a time: the page's accounts, then
    the ratings and the open deals of its span of ids."""
    raw = _raw(conn)
    after = 0
    while True:
        page = raw.execute(
            f"SELECT {', '.join(_ACCOUNT_COLUMNS)} FROM accounts "
            "WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            (after, size),
        ).fetchall()
        if not page:
            return
        span = (page[0][0], page[-1][0])
        ratings: dict[int, dict[str, int]] = {}
        for aid, criterion, rating in raw.execute(
            "SELECT account_id, criterion, rating FROM ratings WHERE account_id BETWEEN ? AND ?",
            span,
        ):
            ratings.setdefault(aid, {})[criterion] = rating
        open_deals: dict[int, list[OpenDealRecord]] = {}
        for r in raw.execute(
            "SELECT d.account_id, d.id, d.name, d.amount, d.stage, d.expected_close, "
            f"d.next_step, d.stage_entered_on, {_CHECKED} FROM deals d "
            "WHERE d.status = 'open' AND d.account_id BETWEEN ? AND ? ORDER BY d.account_id, d.id",
            span,
        ):
            open_deals.setdefault(r[0], []).append(
                OpenDealRecord._make((*r[1:7], date.fromisoformat(r[7]), _checked(r[8])))
            )
        for r in page:
            aid = r[0]
            yield AccountRecord._make((*r, ratings.get(aid, {}), tuple(open_deals.get(aid, ()))))
        after = span[1]
