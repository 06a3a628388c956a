"""`kamtui doctor` on books damaged in different places: it says what it found (which
check failed, SQLite's words, the damaged pages and what they belong to) and what to do
(the newest backup beside the book), and changes nothing."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_run import kamtui

DAY = "2026-11-23"
PAGE = 4096


def finding(out: str, label: str) -> str:
    for line in out.splitlines():
        if line.strip().startswith(label + " "):
            return line.strip()
    raise AssertionError(f"no {label!r} line in:\n{out}")


def state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def leaf(path: Path, name: str) -> int:
    """The first leaf page of a table or index (SQLite's dbstat table)."""
    con = sqlite3.connect(path)
    try:
        row = con.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (name,),
        ).fetchone()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    finally:
        con.close()
    return int(row[0])


def write(path: Path, at: int, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(data)


def spoil_page(path: Path, page: int, start: int = 0) -> None:
    write(path, (page - 1) * PAGE + start, b"\xff" * (PAGE - start))


def _magic(p: Path) -> None:
    write(p, 0, b"\0" * 16)


def _page_size(p: Path) -> None:
    write(p, 16, b"\0\x03")


def _application_id(p: Path) -> None:
    write(p, 68, b"\0\0\0\0")


def _schema_page(p: Path) -> None:
    spoil_page(p, 1, start=100)


def _schema_leaf(p: Path) -> None:
    spoil_page(p, leaf(p, "sqlite_schema"))


def _data_page(p: Path) -> None:
    spoil_page(p, leaf(p, "accounts"))


def _index_page(p: Path) -> None:
    spoil_page(p, leaf(p, "ix_accounts_name"))


def _truncated(p: Path) -> None:
    os.truncate(p, p.stat().st_size // 2)


def _wrong_schema(p: Path) -> None:
    con = sqlite3.connect(p)
    con.execute("DROP TABLE ratings")
    con.commit()
    con.close()


# what was damaged, and the finding that says so: (label, words in its line)
DAMAGE: list[tuple[str, Callable[[Path], None], list[tuple[str, str]]]] = [
    (
        "header: SQLite's mark",
        _magic,
        [("header", 'does not start with SQLite\'s "SQLite format 3"')],
    ),
    ("header: page size", _page_size, [("header", "page size")]),
    ("header: application id", _application_id, [("application id", "its header is damaged")]),
    (
        "schema page 1",
        _schema_page,
        [
            ("tables", "SQLite cannot read the list of tables"),
            ("tables", "database disk image is malformed"),
            ("damaged pages", "page 1 (the schema) is not a b-tree page"),
        ],
    ),
    (
        "a leaf of sqlite_master",
        _schema_leaf,
        [("tables", "cannot read the list of tables"), ("damaged pages", "(the schema)")],
    ),
    (
        "a data page",
        _data_page,
        [
            ("integrity", "SQLite stops before the end: database disk image is malformed"),
            ("damaged pages", "(table accounts) is not a b-tree page"),
        ],
    ),
    (
        "an index page",
        _index_page,
        [("damaged pages", "(index ix_accounts_name) is not a b-tree page")],
    ),
    ("truncated", _truncated, [("file", "truncated:"), ("file", "the end of the book is missing")]),
    ("a table missing", _wrong_schema, [("tables", "lacking ratings: it cannot be used")]),
]


@pytest.mark.parametrize(
    ("spoil", "said"), [(s, w) for _, s, w in DAMAGE], ids=[n for n, _, _ in DAMAGE]
)
def test_doctor_says_what_is_damaged_and_what_to_do(
    capsys: pytest.CaptureFixture[str],
    demo_path: Path,
    spoil: Callable[[Path], None],
    said: list[tuple[str, str]],
) -> None:
    book = demo_path
    assert kamtui(capsys, "backup", "--db", book).code == 0
    (copy,) = [p for p in book.parent.iterdir() if p.name.endswith(".bak")]
    spoil(book)
    before = state(book.parent)

    r = kamtui(capsys, "doctor", "--db", book, "--today", DAY)

    assert r.code == 1, r
    for label, words in said:
        line = finding(r.out, label)
        assert "PROBLEM" in line and words in line, line
    lines = r.out.splitlines()
    what = next(i for i, x in enumerate(lines) if x.startswith("What to do: "))
    advice = " ".join(lines[what:])
    assert "Keep the damaged file" in advice and f"mv {book} {book}.damaged" in advice
    assert f"copy the newest backup beside it, {copy}" in advice, advice
    assert "kamtui backup" in advice
    err = r.err.splitlines()
    assert len(err) == 1 and "; see the report above" in err[0]
    assert state(book.parent) == before  # doctor reads only


def test_doctor_without_a_backup_says_how_to_save_what_is_readable(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    _data_page(demo_path)
    r = kamtui(capsys, "doctor", "--db", demo_path, "--today", DAY)
    assert r.code == 1
    assert f"No backup of it was found beside it ({demo_path.name}.*.bak)" in r.out
    assert ".recover" in r.out


def test_doctor_on_a_healthy_book_gives_no_advice(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    r = kamtui(capsys, "doctor", "--db", demo_path, "--today", DAY)
    assert r.code == 0 and "What to do" not in r.out
    con = sqlite3.connect(demo_path)
    (tables,) = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    con.close()
    assert f"{tables} tables and" in finding(r.out, "tables")


def test_a_file_with_no_sign_of_a_book_is_still_refused_in_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "notes.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    r = kamtui(capsys, "doctor", "--db", other)
    assert r.code == 1 and r.out == "" and "not a kamtui book" in r.err
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    r = kamtui(capsys, "doctor", "--db", junk)
    assert r.code == 1 and r.out == "" and "not an SQLite database" in r.err


# A writer that stopped (killed) after committing, leaving its -wal file behind.
STOPPED = r"""
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA wal_autocheckpoint = 0")
con.execute("UPDATE accounts SET name = 'saved in the wal' WHERE id = 1")
os._exit(0)
"""


def test_a_wal_left_behind_is_read_and_noted(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    subprocess.run([sys.executable, "-c", STOPPED, str(demo_path)], check=True)
    wal = Path(f"{demo_path}-wal")
    assert wal.stat().st_size > 0
    before = state(demo_path.parent)

    r = kamtui(capsys, "doctor", "--db", demo_path, "--today", DAY)

    assert r.code == 0, r.out
    assert "a -wal file holds recent saves" in finding(r.out, "journal")
    after = state(demo_path.parent)  # (SQLite rebuilds the -shm index it reads through)
    assert {k: v for k, v in after.items() if not k.endswith("-shm")} == {
        k: v for k, v in before.items() if not k.endswith("-shm")
    }
    r = kamtui(capsys, "export", "accounts", "--db", demo_path, "--today", DAY)
    assert "saved in the wal" in r.out
