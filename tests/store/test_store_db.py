"""Creating, opening, upgrading and locking a book file (store/db.py)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from kamtui.store import db as store_db
from kamtui.store import migrations
from kamtui.store.db import APPLICATION_ID, BookError, create_store, new_store, open_store
from kamtui.store.tables import TABLES


def make_book(path: Path) -> Path:
    create_store(path).close()
    return path


def pragma(path: Path, name: str) -> object:
    con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        return con.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        con.close()


def set_user_version(path: Path, version: int) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(f"PRAGMA user_version = {version}")
        con.commit()
    finally:
        con.close()


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` with a digest of its bytes (folders marked as such)."""
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = "<dir>" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# ---- creating ------------------------------------------------------------------------------


def test_create_marks_the_file_as_a_kamtui_book(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.db")

    assert pragma(path, "application_id") == APPLICATION_ID
    assert pragma(path, "user_version") == migrations.SCHEMA_VERSION
    assert pragma(path, "journal_mode") == "wal"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    con = sqlite3.connect(path)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()
    assert {t.__tablename__ for t in TABLES} <= names


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    store = create_store(tmp_path / "book.db")
    try:
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            with store.writing() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO ratings (account_id, criterion, rating) VALUES (999, 'stability', 3)"
                )
        with store.reading() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar_one() == 0
    finally:
        store.close()


def test_create_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    path.write_bytes(b"my precious notes")

    with pytest.raises(BookError, match="already exists"):
        create_store(path)

    assert path.read_bytes() == b"my precious notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.db"]


def test_create_refuses_an_existing_book(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.db")
    before = snapshot(tmp_path)

    with pytest.raises(BookError, match="will not overwrite"):
        create_store(path)

    assert snapshot(tmp_path) == before


def test_create_in_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(BookError, match="does not exist"):
        create_store(tmp_path / "nowhere" / "book.db")
    assert list(tmp_path.iterdir()) == []


def test_a_new_book_appears_only_when_whole(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    with new_store(path) as store:
        assert not path.exists()  # made under a hidden name until the block ends
        (making,) = [p for p in tmp_path.iterdir() if p.name.endswith(".making")]
        assert making.name.startswith(".book.db.")
        with store.writing() as conn:
            store.put_setting(conn, "mine", 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.db"]  # no -wal: settled
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes()[18:20] == b"\x02\x02"  # WAL, as opening it would choose
    store = open_store(path)
    with store.reading_sqlite() as conn:
        assert store.get_setting(conn, "mine") == 1
    store.close()


def test_a_book_whose_making_fails_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    with pytest.raises(ZeroDivisionError):
        with new_store(path) as store:
            with store.writing() as conn:
                store.put_setting(conn, "mine", 1)
            _ = 1 / 0
    assert list(tmp_path.iterdir()) == []


def test_what_killed_makers_left_is_removed_by_the_next(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    gone = 2**22 + 17  # no such process
    left = [tmp_path / f".book.db.{gone}.making{side}" for side in ("", "-journal", "-wal")]
    for p in left:
        p.write_bytes(b"half a book")
    others = [
        tmp_path / f".book.db.{os.getppid()}.making",  # another kamtui making it now
        tmp_path / f".other.db.{gone}.making",  # another book's
        tmp_path / f".book.db.{gone}.making.txt",  # not ours
    ]
    for p in others:
        p.write_bytes(b"keep")

    make_book(path)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["book.db", *(p.name for p in others)]
    )


# ---- opening what is not a usable book -----------------------------------------------------


def _missing_file(tmp: Path) -> Path:
    return tmp / "book.db"


def _missing_folder(tmp: Path) -> Path:
    return tmp / "no" / "such" / "book.db"


def _folder(tmp: Path) -> Path:
    (tmp / "book.db").mkdir()
    return tmp / "book.db"


def _zero_bytes(tmp: Path) -> Path:
    (tmp / "book.db").write_bytes(b"")
    return tmp / "book.db"


def _random_bytes(tmp: Path) -> Path:
    (tmp / "book.db").write_bytes(bytes(range(256)) * 40)
    return tmp / "book.db"


def _text_file(tmp: Path) -> Path:
    (tmp / "book.db").write_text("name,tier\n云翔集团,S\n", encoding="utf-8")
    return tmp / "book.db"


def _short_header(tmp: Path) -> Path:
    (tmp / "book.db").write_bytes(store_db.SQLITE_HEADER + b"\x10\x00")
    return tmp / "book.db"


def _truncated(tmp: Path) -> Path:
    whole = make_book(tmp / "whole.db").read_bytes()
    (tmp / "whole.db").unlink()
    assert len(whole) > 8192
    (tmp / "book.db").write_bytes(whole[: len(whole) // 2])
    return tmp / "book.db"


def _other_sqlite(tmp: Path) -> Path:
    con = sqlite3.connect(tmp / "book.db")
    con.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO accounts (name) VALUES ('云翔集团')")
    con.execute("PRAGMA application_id = 1234")
    con.commit()
    con.close()
    return tmp / "book.db"


def _plain_sqlite(tmp: Path) -> Path:
    con = sqlite3.connect(tmp / "book.db")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    return tmp / "book.db"


def _newer_version(tmp: Path) -> Path:
    path = make_book(tmp / "book.db")
    set_user_version(path, migrations.SCHEMA_VERSION + 1)
    return path


BAD_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("missing file", _missing_file, "No book at .*kamtui init"),
    ("missing folder", _missing_folder, "folder .* does not exist"),
    ("a folder", _folder, "is a folder"),
    ("zero bytes", _zero_bytes, "empty"),
    ("random bytes", _random_bytes, "not an SQLite database"),
    ("text file", _text_file, "not an SQLite database"),
    ("short header", _short_header, "truncated"),
    ("truncated sqlite", _truncated, "truncated .* of .* bytes"),
    ("other application", _other_sqlite, "not a kamtui book"),
    ("plain sqlite", _plain_sqlite, "not a kamtui book"),
    ("newer schema", _newer_version, "newer kamtui.*--read-only"),
]


@pytest.mark.parametrize(
    ("make", "message"), [(m, msg) for _, m, msg in BAD_FILES], ids=[n for n, _, _ in BAD_FILES]
)
def test_opening_a_bad_file_is_refused_and_changes_nothing(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    before = snapshot(tmp_path)

    with pytest.raises(BookError, match=message) as caught:
        open_store(path)

    text = str(caught.value)
    assert "\n" not in text
    assert path.name in text
    assert snapshot(tmp_path) == before


def test_a_newer_book_opens_read_only_and_stays_untouched(tmp_path: Path) -> None:
    path = _newer_version(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    store = open_store(path, read_only=True)
    try:
        assert store.read_only
        with store.reading() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM accounts").scalar_one() == 0
        with pytest.raises(BookError, match="read-only"):
            with store.writing():
                pass
    finally:
        store.close()

    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert pragma(path, "user_version") == migrations.SCHEMA_VERSION + 1
    assert not list(tmp_path.glob("*.bak"))


def test_read_only_store_refuses_writing_even_through_a_read_connection(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.db")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    store = open_store(path, read_only=True)
    try:
        with pytest.raises(BookError, match="read-only"):
            with store.writing():
                pytest.fail("a read-only store let a write transaction start")
        with pytest.raises(Exception, match="readonly"):
            with store.reading() as conn:
                conn.exec_driver_sql("INSERT INTO settings (key, value) VALUES ('k', '1')")
    finally:
        store.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


# ---- transactions -------------------------------------------------------------------------


def test_writes_begin_immediate_and_reads_do_not(tmp_path: Path) -> None:
    store = create_store(tmp_path / "book.db")
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: seen.append(sql))
    try:
        with store.writing() as conn:
            conn.exec_driver_sql("SELECT 1")
        assert seen[0] == "BEGIN IMMEDIATE"
        seen.clear()
        with store.reading() as conn:
            conn.exec_driver_sql("SELECT 1")
        assert seen[0] == "BEGIN"
    finally:
        store.close()


def test_a_second_writer_waits_for_the_busy_timeout_then_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 300)
    path = make_book(tmp_path / "book.db")
    store = open_store(path)
    holder = sqlite3.connect(path, isolation_level=None)
    entered = False
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO settings (key, value) VALUES ('held', '1')")

        # a reader is not blocked by the writer (WAL)
        with store.reading() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM settings").scalar_one() == 0

        start = time.monotonic()
        with pytest.raises(BookError, match="busy") as caught:
            with store.writing() as conn:
                entered = True  # a deferred BEGIN would get here and fail only later
        waited = time.monotonic() - start

        assert not entered
        assert 0.25 <= waited < 3
        assert "\n" not in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    # once the other writer is gone, writing works again
    try:
        with store.writing() as conn:
            store.put_setting(conn, "after", 1)
        with store.reading() as conn:
            assert store.get_setting(conn, "after") == 1
    finally:
        store.close()


def test_an_error_inside_a_write_rolls_everything_back(tmp_path: Path) -> None:
    store = create_store(tmp_path / "book.db")
    try:
        with pytest.raises(RuntimeError):
            with store.writing() as conn:
                store.put_setting(conn, "half", "done")
                raise RuntimeError("boom")
        with store.reading() as conn:
            assert store.get_setting(conn, "half") is None
    finally:
        store.close()


# ---- upgrading ----------------------------------------------------------------------------


def test_an_older_book_is_upgraded_after_a_backup_copy(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    store = create_store(path)
    with store.writing() as conn:
        store.put_setting(conn, "owner", "张伟")
    store.close()
    set_user_version(path, 0)

    store = open_store(path)
    try:
        with store.reading() as conn:
            assert store.get_setting(conn, "owner") == "张伟"
    finally:
        store.close()

    assert pragma(path, "user_version") == migrations.SCHEMA_VERSION
    backups = list(tmp_path.glob("book.db.v0-*.bak"))
    assert len(backups) == 1
    backup = backups[0]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert pragma(backup, "user_version") == 0
    assert pragma(backup, "application_id") == APPLICATION_ID
    con = sqlite3.connect(f"file:{backup.as_posix()}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT value FROM settings WHERE key='owner'").fetchone() == ('"张伟"',)
    finally:
        con.close()


def test_an_older_book_opened_read_only_is_neither_upgraded_nor_copied(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.db")
    set_user_version(path, 0)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    open_store(path, read_only=True).close()

    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert pragma(path, "user_version") == 0
    assert not list(tmp_path.glob("*.bak"))


def test_a_current_book_opens_without_a_backup(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.db")
    open_store(path).close()
    assert not list(tmp_path.glob("*.bak"))


# ---- settings -----------------------------------------------------------------------------


def test_settings_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    store = create_store(path)
    value = {"model": "potential", "weights": [30, 30, 20, 20], "note": "主次有别", "on": None}
    with store.writing() as conn:
        store.put_setting(conn, "config", value)
        store.put_setting(conn, "derived_on", "2026-11-23")
        store.put_setting(conn, "derived_on", "2026-11-24")  # overwrite, not duplicate
    store.close()

    store = open_store(path)
    try:
        with store.reading() as conn:
            assert store.get_setting(conn, "config") == value
            assert store.get_setting(conn, "derived_on") == "2026-11-24"
            assert store.get_setting(conn, "absent") is None
            assert store.get_setting(conn, "absent", {"x": 1}) == {"x": 1}
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM settings WHERE key = 'derived_on'"
            ).scalar_one()
            assert n == 1
    finally:
        store.close()


def test_open_accepts_a_str_path_and_expands_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_book(tmp_path / "book.db")
    monkeypatch.setenv("HOME", str(tmp_path))
    store = open_store("~/book.db")
    try:
        assert store.path == tmp_path / "book.db"
        assert not store.read_only
    finally:
        store.close()
    assert os.path.exists(tmp_path / "book.db")


def test_the_tables_checked_on_open_are_tables_of_the_schema() -> None:
    assert migrations.REQUIRED_TABLES <= {t.__tablename__ for t in TABLES}
