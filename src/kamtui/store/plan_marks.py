"""Reads and writes of what a rep marks on the weekly plan (schema 7): items ticked done
(``plan_ticks``) and items put off until a day (``snoozes``); and the reads the plan needs
of tasks done in a week.

Every function takes an open ``Connection`` from ``Store.reading()`` or
``Store.writing()``; writes happen in the caller's transaction, with the history the
service records. A book older than schema 7 (opened read-only) has neither table: the
services do not call these on it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy import Connection

from kamtui.store.repo import _owner_where, _raw, d


class TickRow(NamedTuple):
    """A plan item ticked done, as stored: the item (kind, account, task or deal ``ref``,
    due day, reason, executive) with its account's name, owner and tier now; the day it
    was ticked; the interaction that ticking logged and the account's last touches before."""

    id: int
    kind: str
    account_id: int
    account: str
    owner: str
    tier: str | None
    ref: int
    due: date
    reason: str
    executive: bool
    done_on: date
    interaction_id: int | None
    touch_before: date | None
    exec_touch_before: date | None


_TICK = (
    "SELECT t.id, t.kind, t.account_id, a.name, a.owner, a.tier, t.ref, t.due, t.reason, "
    "t.executive, t.done_on, t.interaction_id, t.touch_before, t.exec_touch_before "
    "FROM plan_ticks t JOIN accounts a ON a.id = t.account_id"
)


def _tick(r: Sequence[Any]) -> TickRow:
    return TickRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], date.fromisoformat(r[7]), r[8], bool(r[9]),
        date.fromisoformat(r[10]), r[11], d(r[12]), d(r[13]),
    )  # fmt: skip


def week_ticks(
    conn: Connection | sqlite3.Connection, week: str, owner: str | None = None
) -> list[TickRow]:
    """The items ticked done in ``week`` (of one owner's accounts), accounts in the book."""
    where, params = _owner_where(owner)
    rows = _raw(conn).execute(f"{_TICK} WHERE t.week = ? AND {where}", (week, *params))
    return [_tick(r) for r in rows]


def ticks_of(conn: Connection, week: str, keys: Sequence[tuple[str, int, int]]) -> list[TickRow]:
    """The ticks of ``week`` of the items ``keys`` (kind, account id, ref), and every tick
    that shares an interaction with one of them (a touch and an executive touch ticked by
    one call)."""
    found: dict[int, TickRow] = {}
    for kind, account_id, ref in keys:
        for r in _raw(conn).execute(
            f"{_TICK} WHERE t.week = ? AND t.kind = ? AND t.account_id = ? AND t.ref = ?",
            (week, kind, account_id, ref),
        ):
            found[r[0]] = _tick(r)
    logged = {t.interaction_id for t in found.values() if t.interaction_id is not None}
    for iid in logged:
        for r in _raw(conn).execute(f"{_TICK} WHERE t.interaction_id = ?", (iid,)):
            found[r[0]] = _tick(r)
    return sorted(found.values())


def insert_tick(
    conn: Connection,
    week: str,
    item: tuple[str, int, int, date, str, bool],
    done_on: date,
    interaction_id: int | None,
    before: tuple[str | None, str | None],
) -> int:
    """Record an item (kind, account id, ref, due, reason, executive) ticked done; refuse
    (IntegrityError) one ticked already this week."""
    kind, account_id, ref, due, reason, executive = item
    cur = _raw(conn).execute(
        "INSERT INTO plan_ticks (account_id, week, kind, ref, due, reason, executive, done_on, "
        "interaction_id, touch_before, exec_touch_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (account_id, week, kind, ref, due.isoformat(), reason, executive, done_on.isoformat(),
         interaction_id, *before),
    )  # fmt: skip
    return int(cur.lastrowid)


def delete_ticks(conn: Connection, ids: Sequence[int]) -> None:
    _raw(conn).executemany("DELETE FROM plan_ticks WHERE id = ?", [(i,) for i in ids])


def tasks_done(
    conn: Connection | sqlite3.Connection, monday: date, sunday: date, owner: str | None = None
) -> list[tuple[int, int, str, str, str | None, str, str, str]]:
    """Tasks done within the week and due by its end (of one owner's accounts): (id,
    account id, account name, owner, tier, title, due, done on)."""
    where, params = _owner_where(owner)
    return (
        _raw(conn)
        .execute(
            "SELECT t.id, t.account_id, a.name, a.owner, a.tier, t.title, t.due_on, t.done_on "
            f"FROM tasks t JOIN accounts a ON a.id = t.account_id WHERE {where} "
            "AND t.done_on BETWEEN ? AND ? AND t.due_on <= ?",
            (*params, monday.isoformat(), sunday.isoformat(), sunday.isoformat()),
        )
        .fetchall()
    )


# ---- snoozes -------------------------------------------------------------------------------


class SnoozeRow(NamedTuple):
    id: int
    account_id: int
    kind: str
    ref: int
    until: date
    reason: str
    basis: str
    snoozed_on: date


_SNOOZE = (
    "SELECT s.id, s.account_id, s.kind, s.ref, s.snoozed_until, s.reason, s.basis, s.snoozed_on "
    "FROM snoozes s JOIN accounts a ON a.id = s.account_id"
)


def _snooze(r: Sequence[Any]) -> SnoozeRow:
    return SnoozeRow(
        r[0], r[1], r[2], r[3], date.fromisoformat(r[4]), r[5], r[6], date.fromisoformat(r[7])
    )


def snoozes_after(
    conn: Connection | sqlite3.Connection, day: date, owner: str | None = None
) -> list[SnoozeRow]:
    """The snoozes lasting beyond ``day`` (of one owner's accounts in the book)."""
    where, params = _owner_where(owner)
    rows = _raw(conn).execute(
        f"{_SNOOZE} WHERE s.snoozed_until > ? AND {where}", (day.isoformat(), *params)
    )
    return [_snooze(r) for r in rows]


def account_snoozes(conn: Connection, account_id: int, day: date) -> list[SnoozeRow]:
    """One account's snoozes lasting beyond ``day``, the soonest back first."""
    rows = _raw(conn).execute(
        f"{_SNOOZE} WHERE s.account_id = ? AND s.snoozed_until > ? ORDER BY s.snoozed_until, s.id",
        (account_id, day.isoformat()),
    )
    return [_snooze(r) for r in rows]


def snooze_of(conn: Connection, kind: str, account_id: int, ref: int) -> SnoozeRow | None:
    row = (
        _raw(conn)
        .execute(
            f"{_SNOOZE} WHERE s.kind = ? AND s.account_id = ? AND s.ref = ?",
            (kind, account_id, ref),
        )
        .fetchone()
    )
    return None if row is None else _snooze(row)


def put_snooze(
    conn: Connection,
    item: tuple[str, int, int],
    until: date,
    reason: str,
    basis: str,
    today: date,
) -> int:
    """Put an item (kind, account id, ref) off until ``until``: a new snooze, or the one it
    had made anew."""
    kind, account_id, ref = item
    cur = _raw(conn).execute(
        "INSERT INTO snoozes (account_id, kind, ref, snoozed_until, reason, basis, snoozed_on) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, kind, ref) DO UPDATE SET "
        "snoozed_until = excluded.snoozed_until, reason = excluded.reason, "
        "basis = excluded.basis, snoozed_on = excluded.snoozed_on RETURNING id",
        (account_id, kind, ref, until.isoformat(), reason, basis, today.isoformat()),
    )
    return int(cur.fetchone()[0])


def delete_snooze(conn: Connection, snooze_id: int) -> None:
    _raw(conn).execute("DELETE FROM snoozes WHERE id = ?", (snooze_id,))


def basis_values(conn: Connection, kind: str, account_id: int, ref: int) -> tuple[bool, Any]:
    """What an item of ``kind`` rests on now (``domain.plan.BASIS``), as stored: (whether
    the account, task or deal is in the book, its value)."""
    raw = _raw(conn)
    if kind in ("deliverables", "stale_deal"):
        sql, key = (
            (
                "SELECT d.stage FROM deals d JOIN accounts a ON a.id = d.account_id "
                "WHERE d.id = ? AND d.account_id = ? AND d.status = 'open' AND a.deleted_at IS NULL"
            ),
            (ref, account_id),
        )
    elif kind == "task":
        sql, key = (
            (
                "SELECT t.due_on FROM tasks t JOIN accounts a ON a.id = t.account_id "
                "WHERE t.id = ? AND t.account_id = ? AND t.done_on IS NULL AND a.deleted_at IS NULL"
            ),
            (ref, account_id),
        )
    else:
        column = {"touch": "last_touch", "exec_touch": "last_exec_touch", "health": "health_color"}
        sql, key = (
            (f"SELECT {column[kind]} FROM accounts WHERE id = ? AND ? = 0 AND deleted_at IS NULL"),
            (account_id, ref),
        )
    row = raw.execute(sql, key).fetchone()
    return (False, None) if row is None else (True, row[0])


# ---- touches taken back --------------------------------------------------------------------


def delete_interaction(conn: Connection, interaction_id: int) -> tuple[Any, ...] | None:
    """Delete an interaction; returns its (account id, kind, day, executive), or None if
    there is none."""
    raw = _raw(conn)
    row = raw.execute(
        "SELECT account_id, kind, happened_on, executive FROM interactions WHERE id = ?",
        (interaction_id,),
    ).fetchone()
    if row is not None:
        raw.execute("DELETE FROM interactions WHERE id = ?", (interaction_id,))
    return None if row is None else tuple(row)


def set_touches(conn: Connection, account_id: int, before: tuple[str | None, str | None]) -> None:
    """Put an account's last touches back: the later of what they were before a touch
    taken back (``before``) and of the interactions it still has."""
    _raw(conn).execute(
        "UPDATE accounts SET "
        "last_touch = nullif(max(coalesce(?, ''), coalesce((SELECT max(happened_on) "
        "FROM interactions WHERE account_id = ?), '')), ''), "
        "last_exec_touch = nullif(max(coalesce(?, ''), coalesce((SELECT max(happened_on) "
        "FROM interactions WHERE account_id = ? AND executive), '')), '') WHERE id = ?",
        (before[0], account_id, before[1], account_id, account_id),
    )


def reopen_task(conn: Connection, task_id: int) -> tuple[int, str] | None:
    """Tick a done task open again; returns its (account id, day it was done), or None
    when there is no such done task."""
    raw = _raw(conn)
    row = raw.execute(
        "SELECT account_id, done_on FROM tasks WHERE id = ? AND done_on IS NOT NULL", (task_id,)
    ).fetchone()
    if row is None:
        return None
    raw.execute("UPDATE tasks SET done_on = NULL, version = version + 1 WHERE id = ?", (task_id,))
    return int(row[0]), str(row[1])


def done_tasks(conn: Connection, account_id: int, since: date) -> list[tuple[Any, ...]]:
    """An account's tasks done on or after ``since``: (id, title, due, done on), the latest
    done first."""
    return [
        (tid, title, date.fromisoformat(due), date.fromisoformat(done))
        for tid, title, due, done in _raw(conn).execute(
            "SELECT id, title, due_on, done_on FROM tasks WHERE account_id = ? AND done_on >= ? "
            "ORDER BY done_on DESC, id DESC",
            (account_id, since.isoformat()),
        )
    ]
