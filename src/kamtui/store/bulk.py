"""Many new rows at once, in the caller's transaction: the demo book's writes (and an
import's, later), a few statements each of thousands of rows (``executemany``).

A bulk write gives its rows as plain tuples (a named record per row would cost seconds
for a big book): the values of the table's columns in the order ``store.tables`` declares
them, without the columns the writer leaves to SQLite (``leave``: an id SQLite numbers,
a value computed later) and without ``version``, which a new record starts at 1. So the
columns are said once, in ``store.tables``, and ``BulkInsert.columns`` names what a row
holds.

Every function takes an open ``Connection`` from ``Store.writing(bulk=True)``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy import Connection


class BulkInsert(NamedTuple):
    """How new rows of one table are written: each row holds a value for each of
    ``columns``, in that order."""

    table: str
    columns: tuple[str, ...]
    sql: str


def insert_of(table: str, *, leave: Collection[str] = ()) -> BulkInsert:
    """The insert of new rows into ``table`` (its name in the book): a value for each of its
    columns in ``store.tables``' order, but those in ``leave`` (left to their defaults)
    and ``version`` (1: a new record)."""
    from kamtui.store.tables import TABLES  # the ORM's tables load only for bulk writes

    (model,) = (t.__table__ for t in TABLES if t.__table__.name == table)  # type: ignore[attr-defined]
    names = [c.name for c in model.columns]
    unknown = set(leave) - set(names)
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
    columns = tuple(n for n in names if n != "version" and n not in leave)
    written, values = list(columns), ["?"] * len(columns)
    if "version" in names:
        written.append("version")
        values.append("1")
    sql = f"INSERT INTO {table} ({', '.join(written)}) VALUES ({', '.join(values)})"
    return BulkInsert(table, columns, sql)


def insert(conn: Connection, into: BulkInsert, rows: Sequence[tuple[Any, ...]]) -> None:
    """Write ``rows`` (values of ``into.columns``) as new rows of ``into.table``."""
    if rows:
        conn.exec_driver_sql(into.sql, list(rows))


class Touches(NamedTuple):
    """An account's last touch and last touch by an executive (None: never)."""

    account_id: int
    last_touch: date | None
    last_exec_touch: date | None


def set_touches(conn: Connection, touches: Sequence[Touches]) -> None:
    """Store each account's last touches, as its interactions give them."""
    conn.exec_driver_sql(
        "UPDATE accounts SET last_touch = ?, last_exec_touch = ? WHERE id = ?",
        [
            (
                t.last_touch.isoformat() if t.last_touch else None,
                t.last_exec_touch.isoformat() if t.last_exec_touch else None,
                t.account_id,
            )
            for t in touches
        ],
    )


def analyze(conn: Connection) -> None:
    """Let SQLite's query planner count what the book now holds (``ANALYZE``): after a bulk
    write its statistics, if any, no longer tell how the tables and indexes compare."""
    conn.exec_driver_sql("ANALYZE")
