"""Nothing is ever lost: real processes, real files, killed at random points.

The writing process (``book_worker.py write-loop``) alternates two transactions whose
halves can be told apart (see its docstring). After every SIGKILL the book must pass
``PRAGMA integrity_check`` and hold every transaction either whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from kamtui.domain.scoring import ScoringModel, score_account
from kamtui.services.book import Book
from kamtui.store import db as store_db
from kamtui.store.db import BookError, online_backup

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

TODAY = date(2026, 11, 23)
WORKER = Path(__file__).with_name("book_worker.py")
sys.path.insert(0, str(WORKER.parent))
from book_worker import BULK, pattern  # noqa: E402

ACCOUNT = 1


def worker(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"worker did not start: {line!r} {err}")


def invariants(con: sqlite3.Connection, model: ScoringModel) -> tuple[int, int]:
    """Check that every transaction is there whole or not at all; (version, batch)."""
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    version, score = con.execute(
        "SELECT version, score FROM accounts WHERE id = ?", (ACCOUNT,)
    ).fetchone()
    ratings = dict(
        con.execute("SELECT criterion, rating FROM ratings WHERE account_id = ?", (ACCOUNT,))
    )
    assert ratings == pattern(version), f"version {version} saved without its ratings"
    expected = score_account(model, ratings).score
    assert expected is not None and score == float(expected), "ratings saved without score"
    row = con.execute("SELECT value FROM settings WHERE key = 'bulk_batch'").fetchone()
    batch = json.loads(row[0]) if row else 0
    summaries = [
        r[0]
        for r in con.execute(
            "SELECT summary FROM interactions WHERE account_id = ? AND summary LIKE 'bulk %'",
            (ACCOUNT,),
        )
    ]
    if batch == 0:
        assert summaries == []
    else:
        assert len(summaries) == BULK, f"batch {batch} has {len(summaries)} of {BULK} rows"
        assert all(s.startswith(f"bulk {batch} ") for s in summaries)
    return int(version), int(batch)


@pytest.fixture(params=["wal", "delete"])
def journal_book(
    request: pytest.FixtureRequest, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, str, ScoringModel]]:
    """A demo book in the given journal mode whose account 1 already follows ``pattern``."""
    journal: str = request.param
    if journal == "delete":
        monkeypatch.setenv(store_db.JOURNAL_ENV, "delete")  # the workers inherit it
    with Book.open(demo_path) as book:
        with book.store.reading() as conn:
            v = conn.exec_driver_sql(
                "SELECT version FROM accounts WHERE id = ?", (ACCOUNT,)
            ).scalar_one()
        book.set_ratings(ACCOUNT, pattern(v + 1), TODAY, seen_version=v)
        model = book.config.model
    assert demo_path.read_bytes()[18:20] == (b"\x02\x02" if journal == "wal" else b"\x01\x01")
    yield demo_path, journal, model


KILLS = {"wal": 16, "delete": 10}


def test_a_writer_killed_at_random_points_never_leaves_half_a_transaction(
    journal_book: tuple[Path, str, ScoringModel],
) -> None:
    path, journal, model = journal_book
    rng = random.Random(5)
    con = sqlite3.connect(path)
    first = invariants(con, model)
    con.close()
    last = first
    hot = 0
    for _ in range(KILLS[journal]):
        proc = worker("write-loop", str(path), str(ACCOUNT))
        ready(proc)
        time.sleep(rng.uniform(0.005, 0.3))
        if proc.poll() is not None:  # it must die by our hand, not of an error
            pytest.fail(f"the writer stopped by itself: {proc.communicate()[1]}")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()

        hot += Path(f"{path}-wal").exists() or Path(f"{path}-journal").exists()
        if journal == "wal":
            # a read-only open reads through the dead writer's -wal without changing the book
            with Book.open(path, read_only=True) as book, book.store.reading() as conn:
                v = conn.exec_driver_sql(
                    "SELECT version FROM accounts WHERE id = ?", (ACCOUNT,)
                ).scalar_one()
        con = sqlite3.connect(path)  # what the next app start does: recover, then check
        try:
            now = invariants(con, model)
        finally:
            con.close()
        if journal == "wal":
            assert v == now[0]
        assert now >= last  # nothing committed is ever lost
        last = now
    # the writers did real work between the kills, and died with it unfinished
    assert last[0] - first[0] >= KILLS[journal]
    assert last[1] - first[1] >= KILLS[journal] // 2
    assert hot >= 1


def test_backups_taken_while_a_writer_saves_are_consistent(
    journal_book: tuple[Path, str, ScoringModel], tmp_path: Path
) -> None:
    path, _journal, model = journal_book
    proc = worker("write-loop", str(path), str(ACCOUNT))
    ready(proc)
    try:
        for n in range(4):
            time.sleep(0.05)
            copy = tmp_path / f"copy{n}.db"
            online_backup(path, copy)
            assert copy.stat().st_mode & 0o777 == 0o600
            con = sqlite3.connect(copy)
            try:
                invariants(con, model)
            finally:
                con.close()
        assert proc.poll() is None, proc.communicate()[1]
    finally:
        proc.kill()
        proc.communicate()


def ask(proc: subprocess.Popen[str], line: str) -> str:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def test_two_processes_editing_one_account_never_overwrite_each_other(demo_path: Path) -> None:
    a, b = worker("edit", str(demo_path)), worker("edit", str(demo_path))
    try:
        ready(a)
        ready(b)
        seen_a = json.loads(ask(a, f"view {ACCOUNT}"))
        seen_b = json.loads(ask(b, f"view {ACCOUNT}"))
        assert seen_a == seen_b
        v = seen_a["version"]

        assert ask(a, f"rate {ACCOUNT} {v} strategic_fit=5") == f"ok {v + 1}"
        answer = ask(b, f"rate {ACCOUNT} {v} strategic_fit=1")  # from B's stale form
        assert answer.startswith("stale ") and "changed elsewhere" in answer

        # B's refused value was not written; A's is there for B to see on reload
        now = json.loads(ask(b, f"view {ACCOUNT}"))
        assert now["version"] == v + 1 and now["ratings"]["strategic_fit"] == 5
        # B re-applies on top of A's save: both saves happened, in order, none lost
        assert ask(b, f"rate {ACCOUNT} {v + 1} strategic_fit=1") == f"ok {v + 2}"
        final = json.loads(ask(a, f"view {ACCOUNT}"))
        assert final["version"] == v + 2 and final["ratings"]["strategic_fit"] == 1
        assert {k: x for k, x in final["ratings"].items() if k != "strategic_fit"} == {
            k: x for k, x in seen_a["ratings"].items() if k != "strategic_fit"
        }
    finally:
        for p in (a, b):
            if p.poll() is None:
                ask(p, "quit")
            p.kill()
            p.communicate()


def dump(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_full_disk_leaves_the_book_as_it_was_and_says_so(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch, journal: str
) -> None:
    if journal == "delete":
        monkeypatch.setenv(store_db.JOURNAL_ENV, "delete")
        Book.open(demo_path).close()
    before = dump(demo_path)
    book = Book.open(demo_path)
    try:
        with book.store.reading() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()

        # the disk is full: not one more page fits in the book
        @event.listens_for(book.store.engine, "connect")
        def _full(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        with pytest.raises(BookError, match="is full: the change was not saved") as caught:
            book.add_account(TODAY, name="云翔集团", pain_points="预算紧张" * 100_000)
        assert "\n" not in str(caught.value) and "book.db" in str(caught.value)
        with pytest.raises(BookError, match="is full"):
            with book.store.writing() as conn:  # a bulk save in one transaction
                raw = conn.connection.driver_connection
                assert raw is not None
                raw.executemany(
                    "INSERT INTO settings (key, value) VALUES (?, ?)",
                    [(f"k{i}", "v" * 500) for i in range(5000)],
                )
        # the book is still there to read
        assert book.summary().accounts == 200
    finally:
        book.close()
    assert dump(demo_path) == before
