"""Schema versions: frozen steps that end where a new book starts, and a version-1 book
upgraded to version 2 (the change history) after a backup copy (store/migrations.py)."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from kamtui.domain.plan import IsoWeek
from kamtui.services.book import Book, BookQuery
from kamtui.store import migrations
from kamtui.store.db import APPLICATION_ID, BookError, create_store, open_store

TODAY = date(2026, 11, 23)


def schema(path: Path) -> dict[str, object]:
    """Everything about a book's schema that matters, read through SQLite's pragmas (so
    that whitespace and quoting in the DDL do not)."""
    con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        out: dict[str, object] = {}
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for t in tables:
            out[f"{t} columns"] = con.execute(f"PRAGMA table_xinfo({t})").fetchall()
            out[f"{t} foreign keys"] = sorted(con.execute(f"PRAGMA foreign_key_list({t})"))
            for _, name, unique, origin, partial in sorted(con.execute(f"PRAGMA index_list({t})")):
                out[f"{t} index {name if origin == 'c' else origin}"] = (
                    unique,
                    partial,
                    con.execute(f"PRAGMA index_xinfo({name})").fetchall(),
                )
        for name, sql in con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%WHERE%'"
        ):
            out[f"partial {name}"] = " ".join(sql.split("WHERE", 1)[1].split())
        for name, table, sql in con.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        ):
            out[f"trigger {name} on {table}"] = " ".join(sql.split())
        return out
    finally:
        con.close()


def stepped_book(path: Path, to: int) -> Path:
    """A book made by running the frozen steps 1 … ``to`` on an empty file."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            for version in range(1, to + 1):
                migrations.STEPS[version](conn)
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.exec_driver_sql(f"PRAGMA user_version = {to}")
    finally:
        engine.dispose()
    return path


def test_the_steps_end_with_the_schema_of_a_new_book(tmp_path: Path) -> None:
    create_store(tmp_path / "new.db").close()
    stepped_book(tmp_path / "stepped.db", migrations.SCHEMA_VERSION)
    new, stepped = schema(tmp_path / "new.db"), schema(tmp_path / "stepped.db")
    assert new.keys() == stepped.keys()
    for key in new:
        assert new[key] == stepped[key], key
    assert "changes columns" in new and "partial ix_accounts_deleted" in new
    assert (
        "trigger tr_tickets_insert on tickets" in new
        and "orders index ix_orders_account_amount" in new
    )


def test_version_1_is_frozen_without_the_history(tmp_path: Path) -> None:
    v1 = schema(stepped_book(tmp_path / "v1.db", 1))
    assert "changes columns" not in v1 and "partial ix_accounts_deleted" not in v1
    assert {k.split()[0] for k in v1 if k.endswith(" columns")} == migrations.REQUIRED_TABLES


def test_version_2_is_frozen_without_valid_until(tmp_path: Path) -> None:
    v2 = schema(stepped_book(tmp_path / "v2.db", 2))
    assert "changes columns" in v2
    assert not any(k.startswith("trigger") for k in v2)
    assert "valid_until" not in {c[1] for c in v2["accounts columns"]}  # type: ignore[attr-defined]


def test_the_tables_a_book_needs_grow_with_its_version() -> None:
    assert migrations.required_tables(1) == migrations.REQUIRED_TABLES
    assert migrations.required_tables(2) == migrations.REQUIRED_TABLES | {"changes"}
    assert migrations.required_tables(migrations.SCHEMA_VERSION + 1) == (
        migrations.required_tables(migrations.SCHEMA_VERSION)
    )


def v1_book(path: Path) -> Path:
    """A version-1 book, as kamtui 1 left it: an account with a rating, a deal, a deleted
    account (the column existed, unused)."""
    stepped_book(path, 1)
    con = sqlite3.connect(path)
    try:
        con.execute(
            "INSERT INTO accounts (id, name, industry, owner, created_on, version, search) "
            "VALUES (1, '云翔集团', '制造', '张伟', '2026-01-05', 3, '云翔集团 制造 张伟')"
        )
        con.execute("INSERT INTO ratings VALUES (1, 'strategic_fit', 5)")
        con.execute(
            "INSERT INTO deals (account_id, name, created_on, stage_entered_on) "
            "VALUES (1, '数据中台项目', '2026-02-01', '2026-02-01')"
        )
        con.commit()
    finally:
        con.close()
    return path


def test_a_version_1_book_is_upgraded_after_a_backup_copy(tmp_path: Path) -> None:
    path = v1_book(tmp_path / "book.db")

    with Book.open(path) as book:
        assert book.has_history
        assert book.count(BookQuery()) == 1
        book.clock = lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        book.update_account(1, TODAY, fields={"industry": "能源"}, seen_version=3)
        (change,) = book.history(1)
        assert (change.field, change.old, change.new, change.version) == (
            "industry", "制造", "能源", 4
        )  # fmt: skip
        book.delete_account(1)
        assert [t.name for t in book.trash()] == ["云翔集团"]

    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone() == (migrations.SCHEMA_VERSION,)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()
    (backup,) = tmp_path.glob("book.db.v1-*.bak")
    con = sqlite3.connect(f"file:{backup.as_posix()}?mode=ro", uri=True)
    try:  # the book as it was, at version 1
        assert con.execute("PRAGMA user_version").fetchone() == (1,)
        assert con.execute("SELECT name, industry FROM accounts").fetchall() == [
            ("云翔集团", "制造")
        ]
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        assert "changes" not in names
    finally:
        con.close()
    assert schema(path) == schema(stepped_book(tmp_path / "v2.db", migrations.SCHEMA_VERSION))


def test_a_version_1_book_read_only_is_left_alone_and_shows_no_history(tmp_path: Path) -> None:
    path = v1_book(tmp_path / "book.db")
    before = sorted(
        (p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in tmp_path.iterdir()
    )

    with Book.open(path, read_only=True) as book:
        assert not book.has_history
        view = book.account_view(1, TODAY)
        assert view.history == () and book.history(1) == []
        assert book.trash() == []

    after = sorted((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in tmp_path.iterdir())
    assert after == before


def test_a_version_2_book_without_its_history_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    create_store(path).close()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE changes")
    con.commit()
    con.close()
    for read_only in (True, False):
        with pytest.raises(BookError, match=r"lacks its tables \(changes\)"):
            open_store(path, read_only=read_only)


def v2_book(tmp_path: Path) -> Path:
    """A version-2 book with history, derived values and a change history, as kamtui 2 left
    it: a demo book made now, taken back to version 2 (what version 3 added, dropped)."""
    from kamtui.services.demo import make_demo

    path = tmp_path / "book.db"
    make_demo(path, accounts=30, seed=3, today=TODAY).close()
    con = sqlite3.connect(path)
    try:
        back_to_6(con)
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            con.execute(f"DROP TRIGGER {name}")
        for index in (
            "ix_orders_account_amount", "ix_accounts_next_action", "ix_accounts_score_up",
            "ix_accounts_health_up", "ix_accounts_stage_up", "ix_accounts_touch_up",
            "ix_accounts_track", "ix_accounts_owner", "ix_accounts_filter", "ix_accounts_plan",
        ):  # fmt: skip
            con.execute(f"DROP INDEX {index}")
        con.execute("CREATE INDEX ix_accounts_track ON accounts (track, id)")
        con.execute("CREATE INDEX ix_accounts_owner ON accounts (owner, id)")
        con.execute("CREATE INDEX ix_orders_account ON orders (account_id, ordered_on)")
        con.execute("ALTER TABLE accounts DROP COLUMN valid_until")
        con.execute("DELETE FROM settings WHERE key = 'refreshed'")
        con.execute("PRAGMA user_version = 2")
        con.commit()
    finally:
        con.close()
    assert ours(schema(path)) == schema(stepped_book(tmp_path / "stepped2.db", 2))
    return path


def back_to_6(con: sqlite3.Connection) -> None:
    """Take a book back to schema 6: what version 7 added, dropped (its data with it)."""
    con.execute("DROP TABLE plan_ticks")
    con.execute("DROP TABLE snoozes")
    for column in ("won_on", "won_amount", "won_forced"):
        con.execute(f"ALTER TABLE deals DROP COLUMN {column}")
    con.execute("PRAGMA user_version = 6")


def ours(s: dict[str, object]) -> dict[str, object]:
    """A schema without SQLite's statistics table (the demo book runs ANALYZE)."""
    return {k: v for k, v in s.items() if not k.startswith("sqlite_stat")}


def test_a_version_2_book_is_upgraded_after_a_backup_copy(tmp_path: Path) -> None:
    path = v2_book(tmp_path)
    with Book.open(path, read_only=True) as book:  # read-only: left at version 2, readable
        before = book.account_records(TODAY)
        assert book.plan(IsoWeek.of(TODAY), TODAY)
    with Book.open(path) as book:
        assert book.account_records(TODAY) == before
        assert book.refresh(TODAY) == 0  # every account derived (valid_until unknown)
        assert book.refresh(TODAY + timedelta(days=1)) > 0
        book.refresh(TODAY)
        assert book.account_records(TODAY) == before
    (backup,) = tmp_path.glob("book.db.v2-*.bak")
    con = sqlite3.connect(f"file:{backup.as_posix()}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA user_version").fetchone() == (2,)
    finally:
        con.close()
    assert ours(schema(path)) == schema(stepped_book(tmp_path / "v3.db", migrations.SCHEMA_VERSION))
    con = sqlite3.connect(path)
    try:
        assert con.execute(
            "SELECT count(*) FROM accounts WHERE valid_until IS NULL"
        ).fetchone() == (0,)
        con.execute("UPDATE tickets SET satisfaction = 1 WHERE id = (SELECT min(id) FROM tickets)")
        (reset,) = con.execute(
            "SELECT valid_until FROM accounts WHERE id = "
            "(SELECT account_id FROM tickets WHERE id = (SELECT min(id) FROM tickets))"
        ).fetchone()
        assert reset is None  # a trigger: the account is derived again at the next refresh
    finally:
        con.close()


# ---- schema 7: wins, plan ticks and snoozes ------------------------------------------------

# deals made by hand in a schema-6 book, with their stage history, and the win the upgrade
# gives each: (stage, status, entered stage on, history, expected (won on, forced) or None)
HAND_MADE: dict[str, tuple[Any, ...]] = {
    "back and forth": (4, "open", "2026-07-01", [
        (None, 1, "2026-01-05", 0, 0), (1, 2, "2026-02-01", 0, 0), (2, 3, "2026-03-01", 0, 0),
        (3, 4, "2026-05-01", 1, 0), (4, 3, "2026-06-01", 0, 0), (3, 4, "2026-07-01", 0, 0),
    ], ("2026-07-01", 0)),
    "imported at 5": (5, "open", "2026-03-03", [(None, 5, "2026-03-03", 0, 0)],
                      ("2026-03-03", 0)),
    "forced, then lost": (4, "lost", "2026-04-04", [
        (None, 1, "2026-01-05", 0, 0), (3, 4, "2026-04-04", 1, 0), (4, 4, "2026-05-05", 0, 1),
    ], ("2026-04-04", 1)),
    "in negotiation": (3, "open", "2026-04-04", [(None, 1, "2026-01-05", 0, 0),
                                                 (2, 3, "2026-04-04", 0, 0)], None),
    "no history": (4, "open", "2026-02-02", [], ("2026-02-02", 0)),
}  # fmt: skip


def v6_book(tmp_path: Path) -> tuple[Path, dict[int, tuple[str | None, float | None, int]]]:
    """A schema-6 book as kamtui left it before wins: a demo book (whose wins this kamtui's
    demo sets by the same rule as the upgrade), with the deals of ``HAND_MADE``, taken back
    to schema 6. Returns it and the wins the upgrade must give each deal."""
    from kamtui.services.demo import make_demo

    path = tmp_path / "book.db"
    make_demo(path, accounts=60, seed=5, today=TODAY).close()
    con = sqlite3.connect(path)
    try:
        wins = {
            did: (on, amount, forced)
            for did, on, amount, forced in con.execute(
                "SELECT id, won_on, won_amount, won_forced FROM deals"
            )
        }
        for name, (stage, status, entered, history, won) in HAND_MADE.items():
            did = con.execute(
                "INSERT INTO deals (account_id, name, amount, stage, status, created_on, "
                "stage_entered_on) VALUES (1, ?, 50000, ?, ?, '2026-01-05', ?)",
                (name, stage, status, entered),
            ).lastrowid
            assert did is not None
            con.executemany(
                "INSERT INTO deal_stage_changes (deal_id, from_stage, to_stage, changed_on, "
                "forced, lost) VALUES (?, ?, ?, ?, ?, ?)",
                [(did, *change) for change in history],
            )
            wins[did] = (won[0], 50000.0, won[1]) if won else (None, None, 0)
        back_to_6(con)
        con.commit()
    finally:
        con.close()
    assert ours(schema(path)) == schema(stepped_book(tmp_path / "stepped6.db", 6))
    return path, wins


def test_a_version_6_book_is_upgraded_and_its_deals_past_stage_3_are_won(tmp_path: Path) -> None:
    path, wins = v6_book(tmp_path)
    assert sum(1 for on, _, _ in wins.values() if on) > 5  # the demo has won deals
    with Book.open(path, read_only=True) as book:  # left at schema 6, its wins read as they will be
        assert not book.current_schema
        read_only = {o.id: (o.outcome, o.won_on, o.won_amount) for o in book.deal_outcomes()}
        records = export_records(book)
        assert book.plan(IsoWeek.of(TODAY), TODAY).items
    with Book.open(path) as book:
        assert book.current_schema
        upgraded = {o.id: (o.outcome, o.won_on, o.won_amount) for o in book.deal_outcomes()}
        assert export_records(book) == records
    (backup,) = tmp_path.glob("book.db.v6-*.bak")
    con = sqlite3.connect(f"file:{backup.as_posix()}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA user_version").fetchone() == (6,)
    finally:
        con.close()
    con = sqlite3.connect(path)
    try:
        got = {
            did: (on, amount, forced)
            for did, on, amount, forced in con.execute(
                "SELECT id, won_on, won_amount, won_forced FROM deals"
            )
        }
        names = dict(con.execute("SELECT name, id FROM deals WHERE account_id = 1"))
    finally:
        con.close()
    assert got == wins
    assert got[names["back and forth"]] == ("2026-07-01", 50000.0, 0)
    assert got[names["forced, then lost"]] == ("2026-04-04", 50000.0, 1)
    assert got[names["in negotiation"]] == (None, None, 0)
    assert upgraded == read_only
    assert upgraded[names["forced, then lost"]][0] == "won"
    assert ours(schema(path)) == schema(stepped_book(tmp_path / "v7.db", migrations.SCHEMA_VERSION))


def export_records(book: Book) -> list[dict[str, object]]:
    from kamtui.services import export

    return export.records(book, "deals", TODAY)
