"""Read-only opens that really are read-only, and files that cannot be used as they are.

"Unchanged" means: the book's bytes and modification time are the same, and no file
appeared beside it (SQLite's -wal/-shm/-journal included).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from kamtui.domain.plan import IsoWeek
from kamtui.services.book import Book
from kamtui.store import db as store_db
from kamtui.store.db import APPLICATION_ID, BookError, open_store

TODAY = date(2026, 11, 23)
State = dict[str, tuple[str, int]]


def state(folder: Path) -> State:
    """Every file in ``folder``: digest of its bytes and modification time (ns)."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def read_everything(book: Book) -> None:
    book.summary()
    records = book.account_records(TODAY)
    book.plan(IsoWeek.of(TODAY), TODAY)
    book.account_view(records[0]["id"], TODAY)
    book.derived_on()


# A program that has the book open for writing: it saves once (the save stays in the
# -wal file while it is open), says "ready", and closes when told to.
HOLDER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("INSERT INTO settings (key, value) VALUES ('held', '\"yes\"')")
print("ready", flush=True)
sys.stdin.readline()
con.close()
print("closed", flush=True)
"""


@contextmanager
def writer_holding(path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield proc
        proc.stdin.write("close\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "closed"
    finally:
        proc.kill()
        proc.wait()


def save_and_close(path: Path, key: str) -> None:
    """Another program opens the book, saves, and closes it (checkpointing its -wal)."""
    code = (
        "import sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "con.execute(\"INSERT INTO settings (key, value) VALUES (?, '1')\", (sys.argv[2],))\n"
        "con.close()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path), key], check=True)


def to_rollback_journal(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    finally:
        con.close()


# ---- read-only is read-only ------------------------------------------------------------------


def test_a_cleanly_closed_wal_book_is_read_without_a_trace(demo_path: Path) -> None:
    folder = demo_path.parent
    assert sorted(os.listdir(folder)) == ["book.db"]
    before = state(folder)

    with Book.open(demo_path, read_only=True) as book:
        assert book.read_only and book.read_only_reason == ""
        read_everything(book)
        assert sorted(os.listdir(folder)) == ["book.db"]  # not even while it is open

    assert state(folder) == before


def test_a_book_open_in_a_writer_is_read_through_its_wal_and_left_as_it_was(
    demo_path: Path,
) -> None:
    folder = demo_path.parent
    with writer_holding(demo_path):
        assert sorted(os.listdir(folder)) == ["book.db", "book.db-shm", "book.db-wal"]
        before = state(folder)

        with Book.open(demo_path, read_only=True) as book:
            with book.store.reading() as conn:
                # the writer's save is only in its -wal file so far
                assert book.store.get_setting(conn, "held") == "yes"
            read_everything(book)

        after = state(folder)
        assert sorted(after) == sorted(before)
        # the -shm index is shared memory that every reader marks; the rest is untouched
        assert {k: v for k, v in after.items() if not k.endswith("-shm")} == {
            k: v for k, v in before.items() if not k.endswith("-shm")
        }
    # the writer closed last and cleaned up after itself: our reader held nothing open
    assert sorted(os.listdir(folder)) == ["book.db"]


def test_a_save_by_another_program_during_a_read_is_reported_not_trusted(
    demo_path: Path,
) -> None:
    store = open_store(demo_path, read_only=True)
    try:
        with pytest.raises(BookError, match="saved by another program") as caught:
            with store.reading() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM accounts").scalar_one()
                save_and_close(demo_path, "during")
        assert "\n" not in str(caught.value)
        # the next read sees the new state
        with store.reading() as conn:
            assert store.get_setting(conn, "during") == 1
    finally:
        store.close()
    assert sorted(os.listdir(demo_path.parent)) == ["book.db"]


def test_a_rollback_journal_book_is_read_without_a_trace(demo_path: Path) -> None:
    to_rollback_journal(demo_path)
    before = state(demo_path.parent)

    with Book.open(demo_path, read_only=True) as book:
        read_everything(book)

    assert state(demo_path.parent) == before


def test_read_only_never_upgrades_switches_or_copies(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    to_rollback_journal(demo_path)  # a local writable open would switch it to WAL
    con = sqlite3.connect(demo_path)
    con.execute("PRAGMA user_version = 0")  # and upgrade it after a backup copy
    con.commit()
    con.close()
    before = state(demo_path.parent)

    with Book.open(demo_path, read_only=True) as book:
        book.summary()

    assert state(demo_path.parent) == before


def test_a_hot_journal_is_left_for_a_writer_and_explained(demo_path: Path, tmp_path: Path) -> None:
    to_rollback_journal(demo_path)
    con = sqlite3.connect(demo_path, isolation_level=None)
    con.execute("PRAGMA cache_size = 1")  # spill the change into the file before commit
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE accounts SET pain_points = 'changed'")
    folder = tmp_path / "copy"
    folder.mkdir()
    # a copy taken mid-transaction looks like a book whose writer died: a hot journal
    shutil.copy(demo_path, folder / "book.db")
    shutil.copy(f"{demo_path}-journal", folder / "book.db-journal")
    con.execute("ROLLBACK")
    con.close()
    before = state(folder)

    with pytest.raises(BookError, match="unfinished.*without --read-only") as caught:
        open_store(folder / "book.db", read_only=True)

    assert "\n" not in str(caught.value)
    assert state(folder) == before
    # a writable open finishes the job: SQLite rolls the unfinished save back
    with Book.open(folder / "book.db") as book, book.store.reading() as conn:
        sql = "SELECT count(*) FROM accounts WHERE pain_points = 'changed'"
        assert conn.exec_driver_sql(sql).scalar_one() == 0
    assert not (folder / "book.db-journal").exists()


# ---- files the user cannot write -------------------------------------------------------------


def _deny_writing(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real = os.access

    def access(path: object, mode: int, **kw: object) -> bool:
        if mode & os.W_OK and Path(str(path)) == denied:
            return False
        return real(path, mode, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store_db.os, "access", access)


@pytest.mark.parametrize("which", ["file", "folder"])
def test_a_book_the_user_cannot_write_opens_read_only_with_a_notice(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    _deny_writing(monkeypatch, demo_path if which == "file" else demo_path.parent)
    before = state(demo_path.parent)

    with Book.open(demo_path) as book:  # asked for writing
        assert book.read_only
        assert "read-only" in book.read_only_reason
        assert ("cannot write" in book.read_only_reason) and "\n" not in book.read_only_reason
        read_everything(book)
        with pytest.raises(BookError, match="read-only"):
            book.set_ratings(1, {"strategic_fit": 5}, TODAY)

    assert state(demo_path.parent) == before


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write any file"
)
def test_a_book_without_write_permission_opens_read_only(demo_path: Path) -> None:
    demo_path.chmod(0o400)
    try:
        before = state(demo_path.parent)
        with Book.open(demo_path) as book:
            assert book.read_only and "cannot write" in book.read_only_reason
            read_everything(book)
        assert state(demo_path.parent) == before
    finally:
        demo_path.chmod(0o600)


# ---- locked, damaged and foreign files -------------------------------------------------------


@pytest.mark.parametrize("journal", ["wal", "delete"])
@pytest.mark.parametrize("read_only", [True, False])
def test_a_book_locked_for_too_long_is_a_clear_error(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch, journal: str, read_only: bool
) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    if journal == "delete":
        to_rollback_journal(demo_path)
    holder = sqlite3.connect(demo_path, isolation_level=None)
    try:
        if journal == "wal":
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("INSERT INTO settings (key, value) VALUES ('lock', '1')")
        else:
            holder.execute("BEGIN EXCLUSIVE")
        before = state(demo_path.parent)

        with pytest.raises(BookError, match="busy: another program has it locked") as caught:
            Book.open(demo_path, read_only=read_only)

        assert "\n" not in str(caught.value)
        assert state(demo_path.parent) == before
    finally:
        holder.close()


def test_random_bytes_after_a_valid_header(demo_path: Path, tmp_path: Path) -> None:
    header = demo_path.read_bytes()[:100]
    demo_path.write_bytes(header + os.urandom(64 * 1024))
    before = state(tmp_path)

    for read_only in (True, False):
        with pytest.raises(BookError, match="damaged|truncated") as caught:
            Book.open(demo_path, read_only=read_only)
        assert "\n" not in str(caught.value) and "book.db" in str(caught.value)
    assert state(tmp_path) == before


def root_page(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return int(
            con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        )
    finally:
        con.close()


def overwrite_page(path: Path, page: int) -> None:
    size = int.from_bytes(path.read_bytes()[16:18], "big")
    with open(path, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(os.urandom(size))


@pytest.mark.parametrize("read_only", [True, False])
def test_a_page_overwritten_is_reported_as_damage(
    demo_path: Path, tmp_path: Path, read_only: bool
) -> None:
    overwrite_page(demo_path, root_page(demo_path, "accounts"))
    before = state(tmp_path)

    with pytest.raises(BookError, match="is damaged .*kamtui doctor") as caught:
        with Book.open(demo_path, read_only=read_only) as book:
            book.account_records(TODAY)

    assert "\n" not in str(caught.value)
    assert state(tmp_path) == before


def test_a_file_marked_as_a_book_with_other_tables_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    before = state(tmp_path)

    for read_only in (True, False):
        with pytest.raises(
            BookError, match=r"lacks its tables \(contacts, deal_deliverables"
        ) as caught:
            open_store(path, read_only=read_only)
        assert "\n" not in str(caught.value)
    assert state(tmp_path) == before
