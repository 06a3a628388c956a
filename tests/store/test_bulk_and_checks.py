"""The store's bulk writes (store.bulk) and what doctor and backup ask SQLite (store.checks)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kamtui.services.book import Book
from kamtui.store import bulk, checks
from kamtui.store.db import open_store
from kamtui.store.tables import TABLES


def test_a_bulk_insert_names_the_tables_columns_in_their_order() -> None:
    into = bulk.insert_of("tasks", leave=("id",))
    assert into.columns == ("account_id", "deal_id", "title", "due_on", "done_on", "source")
    assert into.sql == (
        "INSERT INTO tasks (account_id, deal_id, title, due_on, done_on, source, version) "
        "VALUES (?, ?, ?, ?, ?, ?, 1)"
    )
    ratings = bulk.insert_of("ratings")  # no version: nothing added
    assert ratings.sql == "INSERT INTO ratings (account_id, criterion, rating) VALUES (?, ?, ?)"


def test_every_table_has_a_bulk_insert() -> None:
    for model in TABLES:
        name = model.__table__.name  # type: ignore[attr-defined]
        assert bulk.insert_of(name).table == name


def test_a_bulk_insert_refuses_a_column_the_table_lacks() -> None:
    with pytest.raises(ValueError, match="tasks has no column nothing"):
        bulk.insert_of("tasks", leave=("id", "nothing"))


def test_bulk_rows_and_touches_are_written(tmp_path: Path) -> None:
    empty = Book.create(tmp_path / "book.db")
    accounts = bulk.insert_of("accounts", leave=("id", "search"))
    row = {c: None for c in accounts.columns} | {
        "name": "Apex",
        "industry": "",
        "segment": "",
        "region": "",
        "owner": "",
        "status": "customer",
        "track": "value",
        "pain_points": "",
        "pin_reason": "",
        "created_on": "2026-01-01",
        "tier_rank": 4,
        "missing_criteria": "",
        "rfm": "",
        "health_flags": "[]",
        "coverage": "[]",
        "next_action": "",
    }
    with empty.store.writing(bulk=True) as conn:
        bulk.insert(conn, accounts, [tuple(row[c] for c in accounts.columns)])
        bulk.insert(conn, accounts, [])  # nothing to write: nothing written
        bulk.set_touches(conn, [bulk.Touches(1, date(2026, 11, 2), None)])
        bulk.analyze(conn)
    with empty.store.reading() as conn:
        stored = conn.exec_driver_sql(
            "SELECT name, version, last_touch, last_exec_touch FROM accounts"
        ).all()
    empty.close()
    assert [tuple(r) for r in stored] == [("Apex", 1, "2026-11-02", None)]


def test_what_doctor_asks_of_a_whole_book(demo_path: Path) -> None:
    store = open_store(demo_path, read_only=True)
    try:
        with store.reading() as conn:
            assert checks.accounts_held(conn) == 200
            objects = checks.schema_objects(conn)
            assert checks.integrity_problems(conn, 5) == ["ok"]
            assert checks.broken_references(conn) == []
            names = checks.table_names(conn)
            assert checks.rows_in(conn, "accounts") == 200
    finally:
        store.close()
    tables = {o.name for o in objects if o.kind == "table"}
    assert {"accounts", "deals", "changes"} <= tables
    assert all(o.root_page > 0 for o in objects)
    assert names == sorted(n for n in tables if not n.startswith("sqlite_"))


def test_a_row_pointing_nowhere_is_named(demo_path: Path) -> None:
    con = sqlite3.connect(demo_path)  # foreign keys are off in a plain connection
    con.execute("INSERT INTO ratings (account_id, criterion, rating) VALUES (99999, 'x', 3)")
    con.commit()
    con.close()
    store = open_store(demo_path, read_only=True)
    try:
        with store.reading() as conn:
            broken = checks.broken_references(conn)
    finally:
        store.close()
    assert len(broken) == 1
    assert (broken[0].table, broken[0].parent) == ("ratings", "accounts")
