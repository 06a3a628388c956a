"""Opening files from the command line: read-only that changes nothing, upgrades after a
backup copy, newer books refused for writing, and one clear sentence for any bad file.

The app itself is replaced by a stand-in that records the book it was given, so these
tests exercise exactly the path `kamtui --db PATH` takes up to the first screen.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_run import Result, kamtui

from kamtui.services.book import Book
from kamtui.store import db as store_db
from kamtui.store import migrations

DAY = "2026-11-23"


def one_line_error(r: Result, *phrases: str) -> None:
    assert r.code == 1, r
    assert r.out == ""
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kamtui: "), r.err
    for p in phrases:
        assert p in lines[0], lines[0]


def state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in ``folder``, with a digest of its bytes and its modification time."""
    return {
        p.relative_to(folder).as_posix(): (
            ("<dir>", 0)
            if p.is_dir()
            else (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        )
        for p in sorted(folder.rglob("*"))
    }


@dataclass
class Opened:
    read_only: bool
    reason: str
    accounts: int
    today: date


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> list[Opened]:
    """Stand in for the Textual app: record the book it is started with, read it, quit."""
    import kamtui.ui.app

    runs: list[Opened] = []

    class FakeApp:
        def __init__(self, book: Book, today: date, **_kw: Any) -> None:
            self.book, self.today = book, today

        def run(self) -> None:
            b = self.book
            runs.append(Opened(b.read_only, b.read_only_reason, b.summary().accounts, self.today))

    monkeypatch.setattr(kamtui.ui.app, "KamApp", FakeApp)
    return runs


@pytest.fixture
def book(demo_path: Path) -> Path:
    demo_path.chmod(0o600)
    return demo_path


@pytest.fixture
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for outputs, away from the book's folder."""
    return tmp_path_factory.mktemp("out")


def set_version(path: Path, version: int) -> None:
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()


# ---- read-only ----------------------------------------------------------------------------

READ_COMMANDS: list[tuple[str, Callable[[Path, Path], list[object]]]] = [
    ("app --read-only", lambda b, o: ["--db", b, "--read-only", "--today", DAY]),
    ("export json", lambda b, o: ["export", "accounts", "--db", b, "--today", DAY]),
    (
        "export csv -o",
        lambda b, o: ["export", "accounts", "--db", b, "--format", "csv", "-o", o / "a.csv"],
    ),
    ("plan", lambda b, o: ["plan", "--db", b, "--today", DAY]),
    ("plan json -o", lambda b, o: ["plan", "--db", b, "--format", "json", "-o", o / "p.json"]),
    ("doctor", lambda b, o: ["doctor", "--db", b, "--today", DAY]),
    ("backup -o", lambda b, o: ["backup", "--db", b, "-o", o / "copy.db"]),
]

HOLDER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("INSERT INTO settings (key, value) VALUES ('held', '1')")
print("ready", flush=True)
sys.stdin.readline()
con.close()
"""


@pytest.fixture(params=["closed cleanly", "open in a writer"])
def situation(request: pytest.FixtureRequest, book: Path) -> Iterator[str]:
    if request.param == "closed cleanly":
        yield request.param
        return
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(book)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield request.param
        proc.stdin.write("done\n")
        proc.stdin.flush()
        proc.wait(timeout=10)
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(
    "make_args", [m for _, m in READ_COMMANDS], ids=[n for n, _ in READ_COMMANDS]
)
def test_reading_commands_never_change_the_book(
    capsys: pytest.CaptureFixture[str],
    app: list[Opened],
    book: Path,
    out: Path,
    situation: str,
    make_args: Callable[[Path, Path], list[object]],
) -> None:
    before = state(book.parent)
    expected_files = ["book.db"] if situation == "closed cleanly" else [
        "book.db", "book.db-shm", "book.db-wal",
    ]  # fmt: skip
    assert sorted(before) == expected_files

    r = kamtui(capsys, *make_args(book, out))

    assert r.code == 0, r.err
    after = state(book.parent)
    assert sorted(after) == expected_files  # nothing new beside the book
    # the book and the writer's -wal are byte for byte and time for time the same; the
    # -shm index is shared memory that every reader marks
    assert {k: v for k, v in after.items() if k != "book.db-shm"} == {
        k: v for k, v in before.items() if k != "book.db-shm"
    }
    if app:
        assert app[0].read_only and app[0].reason == ""


def test_a_book_the_user_cannot_write_opens_read_only_with_a_notice(
    capsys: pytest.CaptureFixture[str],
    app: list[Opened],
    book: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = os.access
    monkeypatch.setattr(
        store_db.os,
        "access",
        lambda p, mode, **kw: False if mode & os.W_OK and Path(p) == book else real(p, mode, **kw),
    )
    before = state(book.parent)

    r = kamtui(capsys, "--db", book, "--today", DAY)

    assert r.code == 0
    (opened,) = app
    assert opened.read_only and opened.accounts == 200
    assert "cannot write" in opened.reason
    assert r.err == f"kamtui: {opened.reason}\n"
    assert state(book.parent) == before


# ---- versions -----------------------------------------------------------------------------


def test_an_older_book_is_upgraded_after_a_backup_copy(
    capsys: pytest.CaptureFixture[str], app: list[Opened], book: Path
) -> None:
    set_version(book, 0)
    old = hashlib.sha256(book.read_bytes()).hexdigest()

    r = kamtui(capsys, "--db", book, "--today", DAY)

    assert r.code == 0, r.err
    assert not app[0].read_only and app[0].accounts == 200
    (backup,) = [p for p in book.parent.iterdir() if p.suffix == ".bak"]
    assert re.fullmatch(r"book\.db\.v0-\d{8}-\d{6}\.bak", backup.name)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    con = sqlite3.connect(backup)
    try:
        assert con.execute("PRAGMA user_version").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM accounts").fetchone() == (200,)
    finally:
        con.close()
    con = sqlite3.connect(book)
    try:
        assert con.execute("PRAGMA user_version").fetchone() == (migrations.SCHEMA_VERSION,)
    finally:
        con.close()
    assert hashlib.sha256(book.read_bytes()).hexdigest() != old


def test_a_newer_book_is_refused_for_writing_and_untouched(
    capsys: pytest.CaptureFixture[str], app: list[Opened], book: Path
) -> None:
    newer = migrations.SCHEMA_VERSION + 1
    set_version(book, newer)
    before = state(book.parent)

    r = kamtui(capsys, "--db", book, "--today", DAY)

    one_line_error(r, f"schema {newer}", f"reads up to {migrations.SCHEMA_VERSION}", "--read-only")
    assert app == []
    assert state(book.parent) == before

    # as the message says: read-only works, and still changes nothing
    r = kamtui(capsys, "--db", book, "--read-only", "--today", DAY)
    assert r.code == 0 and app[0].read_only
    assert state(book.parent) == before


# ---- files that are not usable books ------------------------------------------------------


def _zero(p: Path) -> None:
    p.write_bytes(b"")


def _text(p: Path) -> None:
    p.write_text("名称,级别\n云翔集团,S\n", encoding="utf-8")


def _random(p: Path) -> None:
    p.write_bytes(os.urandom(50_000))


def _random_after_header(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[:100] + os.urandom(len(data) - 100))  # the size the header says


def _truncated(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3])


def _other_app(p: Path) -> None:
    p.unlink()
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()


def _wrong_schema(p: Path) -> None:
    con = sqlite3.connect(p)
    con.execute("DROP TABLE ratings")
    con.commit()
    con.close()


BAD: list[tuple[str, Callable[[Path], None], str]] = [
    ("zero bytes", _zero, "empty (0 bytes)"),
    ("text", _text, "not an SQLite database"),
    ("random bytes", _random, "not an SQLite database"),
    ("random after a valid header", _random_after_header, "is damaged"),
    ("truncated", _truncated, "is truncated"),
    ("another application's database", _other_app, "not a kamtui book"),
    ("wrong schema", _wrong_schema, "lacks its tables (ratings)"),
]
OPENERS: list[tuple[str, list[object]]] = [
    ("app", ["--today", DAY]),
    ("app read-only", ["--read-only", "--today", DAY]),
    ("export", ["export", "accounts", "--today", DAY]),
    ("plan", ["plan", "--today", DAY]),
    ("doctor", ["doctor"]),
    ("backup", ["backup"]),
]


# a damaged kamtui book gets doctor's report instead (see test_doctor_damage.py)
DAMAGED_BOOKS = {"random after a valid header", "truncated", "wrong schema"}


@pytest.mark.parametrize(
    ("spoil", "message", "opener"),
    [
        pytest.param(s, m, a, id=f"{n}-{o}")
        for n, s, m in BAD
        for o, a in OPENERS
        if not (o == "doctor" and n in DAMAGED_BOOKS)
    ],
)
def test_a_bad_file_gets_one_sentence_and_is_left_alone(
    capsys: pytest.CaptureFixture[str],
    app: list[Opened],
    book: Path,
    spoil: Callable[[Path], None],
    message: str,
    opener: list[object],
) -> None:
    spoil(book)
    before = state(book.parent)

    r = kamtui(capsys, *opener, "--db", book)

    one_line_error(r, str(book), message)
    assert app == []
    assert state(book.parent) == before


@pytest.mark.parametrize("opener", [a for _, a in OPENERS], ids=[n for n, _ in OPENERS])
def test_a_missing_book_is_never_created(
    capsys: pytest.CaptureFixture[str], app: list[Opened], out: Path, opener: list[object]
) -> None:
    one_line_error(kamtui(capsys, *opener, "--db", out / "tpyo.db"), "No book at", "kamtui init")
    one_line_error(
        kamtui(capsys, *opener, "--db", out / "gone" / "book.db"), "folder", "does not exist"
    )
    assert app == [] and list(out.iterdir()) == []


@pytest.mark.parametrize("opener", [a for _, a in OPENERS], ids=[n for n, _ in OPENERS])
def test_a_book_locked_for_too_long(
    capsys: pytest.CaptureFixture[str],
    app: list[Opened],
    book: Path,
    monkeypatch: pytest.MonkeyPatch,
    opener: list[object],
) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(book, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # another program keeps it to itself
        holder.execute("INSERT INTO settings (key, value) VALUES ('mine', '1')")
        before = state(book.parent)

        r = kamtui(capsys, *opener, "--db", book)

        one_line_error(r, str(book), "busy: another program has it locked", "0.2 s")
        assert app == []
        assert state(book.parent) == before
    finally:
        holder.close()
