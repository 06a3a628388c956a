"""`kamtui backup` and `kamtui doctor`: real files, and a real writer holding the book."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_run import Result, kamtui

from kamtui.services.book import Book
from kamtui.store import db as store_db
from kamtui.store import migrations

DAY = "2026-11-23"


def one_line_error(r: Result, *phrases: str) -> None:
    assert r.code == 1, r
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kamtui: "), r.err
    for p in phrases:
        assert p in lines[0], lines[0]


def state(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


@pytest.fixture
def book(demo_path: Path) -> Path:
    demo_path.chmod(0o600)  # as kamtui makes them (the fixture copies it with the umask)
    return demo_path


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("elsewhere")


# ---- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["backup", "doctor"])
def test_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    r = kamtui(capsys, command, "--help")
    assert r.code == 0 and r.out.startswith(f"usage: kamtui {command}") and "--db" in r.out
    assert command in kamtui(capsys, "--help").out


# ---- backup -------------------------------------------------------------------------------


def test_backup_beside_the_book_by_default(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    before = state(book.parent)

    r = kamtui(capsys, "backup", "--db", book)

    assert r.code == 0, r.err
    (copy,) = [p for p in book.parent.iterdir() if p.name != "book.db"]
    assert re.fullmatch(r"book\.db\.backup-\d{8}-\d{6}\.bak", copy.name)
    assert str(copy) in r.out and "200 accounts" in r.out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert copy.read_bytes()[18:20] == b"\x01\x01"  # one self-contained file
    assert {k: v for k, v in state(book.parent).items() if k == "book.db"} == before
    with Book.open(copy, read_only=True) as b:
        assert b.summary().accounts == 200
    assert kamtui(capsys, "doctor", "--db", copy, "--today", DAY).code == 0


def test_backup_to_a_file_never_over_an_existing_one(
    capsys: pytest.CaptureFixture[str], book: Path, elsewhere: Path
) -> None:
    target = elsewhere / "monday.db"
    assert kamtui(capsys, "backup", "--db", book, "-o", target).code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    first = state(elsewhere)

    one_line_error(kamtui(capsys, "backup", "--db", book, "-o", target), "already exists")
    one_line_error(kamtui(capsys, "backup", "--db", book, "--output", book), "already exists")
    notes = elsewhere / "notes.txt"
    notes.write_text("keep me", encoding="utf-8")
    one_line_error(kamtui(capsys, "backup", "--db", book, "-o", notes), "already exists")
    assert notes.read_text(encoding="utf-8") == "keep me"
    del first
    assert sorted(p.name for p in elsewhere.iterdir()) == ["monday.db", "notes.txt"]


def test_backup_into_a_missing_folder_or_of_a_non_book(
    capsys: pytest.CaptureFixture[str], book: Path, elsewhere: Path
) -> None:
    one_line_error(
        kamtui(capsys, "backup", "--db", book, "-o", elsewhere / "no" / "b.db"), "does not exist"
    )
    text = elsewhere / "accounts.csv"
    text.write_text("name\n云翔集团\n", encoding="utf-8")
    one_line_error(
        kamtui(capsys, "backup", "--db", text, "-o", elsewhere / "b.db"), "not an SQLite"
    )
    one_line_error(kamtui(capsys, "backup", "--db", elsewhere / "typo.db"), "No book at")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["accounts.csv"]


# The app, as another process: one save committed (still only in its -wal file) and a
# second one in progress, never committed.
HOLDER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("INSERT INTO settings (key, value) VALUES ('committed', '1')")
con.execute("BEGIN IMMEDIATE")
con.execute("INSERT INTO settings (key, value) VALUES ('in_progress', '1')")
print("ready", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
"""


@pytest.fixture
def app_writing(book: Path) -> Iterator[Path]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(book)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield book
        proc.stdin.write("done\n")
        proc.stdin.flush()
        proc.wait(timeout=10)
    finally:
        proc.kill()
        proc.wait()


def test_backup_while_the_app_is_saving(
    capsys: pytest.CaptureFixture[str], app_writing: Path, elsewhere: Path
) -> None:
    book = app_writing
    before = state(book.parent)
    target = elsewhere / "copy.db"

    r = kamtui(capsys, "backup", "--db", book, "-o", target)

    assert r.code == 0, r.err  # not blocked by the writer
    con = sqlite3.connect(target)
    try:
        keys = {k for (k,) in con.execute("SELECT key FROM settings")}
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()
    assert "committed" in keys and "in_progress" not in keys
    after = state(book.parent)
    assert sorted(after) == sorted(before) == ["book.db", "book.db-shm", "book.db-wal"]
    assert after["book.db"] == before["book.db"] and after["book.db-wal"] == before["book.db-wal"]


# ---- doctor -------------------------------------------------------------------------------


def finding(out: str, label: str) -> str:
    for line in out.splitlines():
        if line.strip().startswith(label + " "):
            return line.strip()
    raise AssertionError(f"no {label!r} line in:\n{out}")


def test_doctor_on_a_healthy_book(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    before = state(book.parent)

    r = kamtui(capsys, "doctor", "--db", book, "--today", DAY)

    assert (r.code, r.err) == (0, "")
    assert r.out.splitlines()[0] == f"kamtui doctor: {book}"
    assert "a kamtui book" in finding(r.out, "application id")
    assert f"version {migrations.SCHEMA_VERSION} (current)" in finding(r.out, "schema")
    assert "WAL, on a local file system" in finding(r.out, "journal")
    assert "bytes, readable by its owner only (0600)" in finding(r.out, "file")
    assert " ok " in finding(r.out, "integrity") and " ok " in finding(r.out, "foreign keys")
    assert "up to date for 2026-11-23" in finding(r.out, "derived values")
    assert re.search(r"rows accounts\s+ok\s+200$", finding(r.out, "rows accounts"))
    assert finding(r.out, "rows settings")
    assert r.out.splitlines()[-1] == "No problems found."
    assert state(book.parent) == before  # doctor reads, and leaves no trace


def test_doctor_notes_what_is_not_wrong(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    r = kamtui(capsys, "doctor", "--db", book, "--today", "2027-03-01")
    assert r.code == 0, r.out
    line = finding(r.out, "derived values")
    assert (
        " note " in line and "computed for 2026-11-23" in line and "change when recomputed" in line
    )

    con = sqlite3.connect(book)
    con.execute("PRAGMA user_version = 0")
    con.commit()
    con.close()
    book.chmod(0o644)
    r = kamtui(capsys, "doctor", "--db", book, "--today", DAY)
    assert r.code == 0, r.out
    assert f"older than this kamtui's {migrations.SCHEMA_VERSION}" in finding(r.out, "schema")
    assert "others can read it (0644)" in finding(r.out, "file")


def test_doctor_finds_a_damaged_page(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    con = sqlite3.connect(book)
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'accounts'").fetchone()
    con.close()
    with open(book, "r+b") as f:
        f.seek((root - 1) * 4096)
        f.write(b"\xff" * 4096)
    before = state(book.parent)

    r = kamtui(capsys, "doctor", "--db", book, "--today", DAY)

    assert r.code == 1
    assert "PROBLEM" in finding(r.out, "integrity")
    assert f"Page {root} (table accounts)" in finding(r.out, "integrity")
    assert "What to do: Keep the damaged file" in r.out
    one_line_error(r, str(book), " problem")
    assert state(book.parent) == before
    # reading what is damaged is a clear error too, never a traceback
    r = kamtui(capsys, "export", "accounts", "--db", book, "--today", DAY)
    one_line_error(r, "is damaged", "kamtui doctor")


def test_doctor_finds_rows_pointing_nowhere(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    con = sqlite3.connect(book)  # foreign keys are off in a plain connection
    con.execute(
        "INSERT INTO ratings (account_id, criterion, rating) VALUES (99999, 'stability', 3)"
    )
    con.commit()
    con.close()

    r = kamtui(capsys, "doctor", "--db", book, "--today", DAY)

    assert r.code == 1
    line = finding(r.out, "foreign keys")
    assert "PROBLEM" in line and "ratings" in line and "accounts" in line


def test_doctor_flags_wal_on_a_network_file_system(
    capsys: pytest.CaptureFixture[str], book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_db, "filesystem_type", lambda _p: "cifs")
    r = kamtui(capsys, "doctor", "--db", book, "--today", DAY)
    assert r.code == 1
    line = finding(r.out, "journal")
    assert "PROBLEM" in line and "network file system (cifs)" in line


def test_doctor_on_files_that_are_not_books(
    capsys: pytest.CaptureFixture[str], elsewhere: Path
) -> None:
    empty = elsewhere / "empty.db"
    empty.write_bytes(b"")
    one_line_error(kamtui(capsys, "doctor", "--db", empty), "empty (0 bytes)")
    one_line_error(kamtui(capsys, "doctor", "--db", elsewhere / "typo.db"), "No book at")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["empty.db"]
