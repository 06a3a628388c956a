"""What `kamtui doctor` and `kamtui backup` ask SQLite about a book: its schema's tables and
indexes, SQLite's own integrity and foreign-key checks, and how many rows each table holds.

Every function takes an open ``Connection`` from ``Store.reading()``; an error SQLite
raises reaches the caller as the ``BookError`` that ``Store.reading()`` makes of it. The
file itself, read without SQLite where SQLite stops, is ``store.damage``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy import Connection


class SchemaObject(NamedTuple):
    """A table or index in the book's schema, with the page its b-tree starts on."""

    kind: str  # table, index
    name: str
    root_page: int


class BrokenReference(NamedTuple):
    """A row whose foreign key points to no row (one line of ``foreign_key_check``)."""

    table: str
    row_id: int | None
    parent: str  # the table it points to


def accounts_held(conn: Connection) -> int:
    """Every account in the book, those in the trash too."""
    return int(conn.exec_driver_sql("SELECT count(*) FROM accounts").scalar_one())


def schema_objects(conn: Connection) -> list[SchemaObject]:
    """The tables and indexes that have a b-tree of their own (the schema, from page 1)."""
    rows = conn.exec_driver_sql(
        "SELECT type, name, rootpage FROM sqlite_master WHERE rootpage > 0"
    ).all()
    return [SchemaObject(kind, name, int(root)) for kind, name, root in rows]


def integrity_problems(conn: Connection, limit: int) -> list[str]:
    """SQLite's integrity check: its first ``limit`` rows, ``["ok"]`` if it finds nothing
    wrong (a row may hold several lines)."""
    return [str(r[0]) for r in conn.exec_driver_sql(f"PRAGMA integrity_check({int(limit)})")]


def broken_references(conn: Connection) -> list[BrokenReference]:
    """Every row whose foreign key points to a missing row."""
    rows = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    return [BrokenReference(table, rowid, parent) for table, rowid, parent, _ in rows]


def table_names(conn: Connection) -> list[str]:
    """The book's tables (not SQLite's own), by name."""
    return [
        r[0]
        for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]


def rows_in(conn: Connection, table: str) -> int:
    """How many rows ``table`` (a name from ``table_names``) holds, counted."""
    quoted = '"' + table.replace('"', '""') + '"'
    return int(conn.exec_driver_sql(f"SELECT count(*) FROM {quoted}").scalar_one())
