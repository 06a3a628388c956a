"""Reads and writes of the change history (table ``changes``) and of the trash.

Every function takes an open ``Connection`` from ``Store.reading()`` or
``Store.writing()``; changes are written in the caller's transaction, with the write they
describe. A change row is (entity, entity id, account id, field, old, new, changed at,
changed by, version); values are text or None.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy import Connection

from kamtui.store.repo import _raw

ChangeTuple = tuple[str, int, int, str, str | None, str | None, str, str, int | None]

_COLS = (
    "entity, entity_id, account_id, field, old_value, new_value, changed_at, changed_by, version"
)


class StoredChange(NamedTuple):
    """A change as the book keeps it, with what it is about (``subject``: the deal's or
    contact's name, the task's title; "" for the account itself or a record now gone)."""

    entity: str
    entity_id: int
    account_id: int
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: str  # UTC, as ``services.history.STAMP`` writes it
    changed_by: str
    version: int | None
    subject: str


# what a change is about, when it is not the account itself: the deal's or contact's
# name, the task's title ("" once that record is gone)
_SUBJECT = (
    "CASE c.entity WHEN 'deal' THEN (SELECT name FROM deals WHERE id = c.entity_id) "
    "WHEN 'contact' THEN (SELECT name FROM contacts WHERE id = c.entity_id) "
    "WHEN 'task' THEN (SELECT title FROM tasks WHERE id = c.entity_id) ELSE '' END"
)


def has_history(conn: Connection | sqlite3.Connection) -> bool:
    """Whether the book has the ``changes`` table (a version-1 book opened read-only has not)."""
    return (
        _raw(conn)
        .execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'changes'")
        .fetchone()
        is not None
    )


def insert_changes(conn: Connection, rows: Iterable[ChangeTuple]) -> None:
    _raw(conn).executemany(
        f"INSERT INTO changes ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", list(rows)
    )


# the table holding the version of each kind of record (a rating's is its account's)
_VERSIONED = {
    "account": "accounts", "rating": "accounts", "contact": "contacts", "deal": "deals",
    "task": "tasks",
}  # fmt: skip


def insert_changes_at_version(
    conn: Connection, rows: Iterable[tuple[str, int, int, str, str | None, str | None, str, str]]
) -> None:
    """Changes of records written just before, each with the version its record has now:
    rows as for ``insert_changes`` without the version."""
    by_table: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        by_table.setdefault(_VERSIONED[r[0]], []).append((*r, r[1]))
    for table, params in by_table.items():
        _raw(conn).executemany(
            f"INSERT INTO changes ({_COLS}) "
            f"SELECT ?, ?, ?, ?, ?, ?, ?, ?, version FROM {table} WHERE id = ?",
            params,
        )


def account_history(conn: Connection, account_id: int, limit: int) -> list[StoredChange]:
    """The newest ``limit`` changes to an account and everything in it, newest first.

    Newest means last written (writes to one book are serialised, so ids follow them),
    which the clocks of two computers sharing a book may disagree about."""
    rows = _raw(conn).execute(
        f"SELECT {_COLS}, coalesce({_SUBJECT}, '') FROM changes c WHERE account_id = ? "
        "ORDER BY id DESC LIMIT ?",
        (account_id, limit),
    )
    return [StoredChange._make(r) for r in rows]


def changes_since(
    conn: Connection,
    account_id: int,
    entities: Sequence[str],
    entity_id: int,
    version: int,
) -> list[StoredChange]:
    """Changes to one record (of ``entities``) that made its version greater than
    ``version``, oldest first."""
    marks = ", ".join("?" * len(entities))
    rows = _raw(conn).execute(
        f"SELECT {_COLS}, coalesce({_SUBJECT}, '') FROM changes c WHERE account_id = ? "
        f"AND entity IN ({marks}) AND entity_id = ? AND version > ? "
        "ORDER BY id",
        (account_id, *entities, entity_id, version),
    )
    return [StoredChange._make(r) for r in rows]


def trashed_accounts(conn: Connection, with_history: bool) -> list[tuple[Any, ...]]:
    """Accounts in the trash, most recently deleted first: (id, name, owner, tier,
    deleted at, deleted by)."""
    by = (
        "(SELECT c.changed_by FROM changes c WHERE c.account_id = a.id AND c.entity = 'account' "
        "AND c.field = 'deleted_at' ORDER BY c.id DESC LIMIT 1)"
        if with_history
        else "NULL"
    )
    return (
        _raw(conn)
        .execute(
            f"SELECT a.id, a.name, a.owner, a.tier, a.deleted_at, {by} FROM accounts a "
            "WHERE a.deleted_at IS NOT NULL ORDER BY a.deleted_at DESC, a.id DESC"
        )
        .fetchall()
    )
