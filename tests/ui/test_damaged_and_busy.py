"""Opening a damaged book, and a book that another program holds locked, in the app.

A damaged book says so at once and until the app ends (a notification that stays, and the
title), pointing to `kamtui doctor` and the newest backup, and is read-only from then on:
no key that would change it is offered, and nothing is written to it (not even the
refresh for a new day). Every read that meets the damage ends its "Loading…" with one
sentence. A refresh for a new day that finds the book locked keeps the old values, says
whose day they are, and is tried again (by itself, and with ctrl+r).
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerState

from kamtui.services.book import Book
from kamtui.services.maintenance import backup_book
from kamtui.store import db as store_db
from kamtui.ui import strings as S
from kamtui.ui.app import KamApp
from kamtui.ui.screens import book as book_screen
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.account_form import AccountForm
from kamtui.ui.screens.book import BookScreen
from kamtui.ui.screens.plan import PlanScreen
from kamtui.ui.screens.settings import SettingsScreen
from kamtui.ui.widgets.account_table import AccountTable
from kamtui.ui.widgets.footer import KeyFooter

TODAY = date(2026, 11, 23)
LATER = date(2026, 12, 20)
SIZE = (160, 50)
PAGE = 4096


async def settle(app: KamApp, pilot: Pilot[None]) -> None:
    """Wait until no worker is pending or running (some fail here: ``wait_for_complete``
    would raise their errors) and what they posted is on screen."""
    for _ in range(400):
        await pilot.pause()
        busy = [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not busy:
            await pilot.pause()
            busy = [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
            if not busy:
                return
        await pilot.pause(0.01)
    raise AssertionError(f"workers still running: {busy}")


def widget_text(widget: Static) -> str:
    return str(widget.render())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def first_leaf(path: Path, name: str) -> int:
    """The leftmost leaf page of a table or index (the one holding its first rows)."""
    con = sqlite3.connect(path)
    try:
        row = con.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
            (name,),
        ).fetchone()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    finally:
        con.close()
    return int(row[0])


def spoil(path: Path, page: int) -> None:
    with open(path, "r+b") as f:
        f.seek((page - 1) * PAGE)
        f.write(b"\xff" * PAGE)


def keys_offered(app: KamApp) -> set[str]:
    return {e.key for e in app.screen.query_one(KeyFooter).entries}


def damage_note(app: KamApp) -> list[tuple[str, float]]:
    return [
        (n.message, n.timeout) for n in app._notifications if "kamtui changes nothing" in n.message
    ]


@pytest.fixture
def backed_up(demo_path: Path) -> tuple[Path, Path]:
    """The demo book, with a backup beside it."""
    done = backup_book(demo_path, None, datetime(2026, 11, 22, 18, 0))
    return demo_path, done.path


async def test_a_damaged_page_the_book_reads_is_said_at_once(backed_up: tuple[Path, Path]) -> None:
    path, backup = backed_up
    spoil(path, first_leaf(path, "accounts"))
    before = digest(path)
    book = Book.open(path)  # opening reads only the header and the list of tables
    app = KamApp(book, today=LATER)  # a new day: a healthy book would be refreshed
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, BookScreen)
            # said at once, and it stays: where to look, what to go back to
            ((note, timeout),) = damage_note(app)
            assert str(path) in note and f"kamtui doctor --db {path}" in note
            assert str(backup) in note
            assert timeout >= 3600
            assert f"[{S.TITLE_DAMAGED}]" in widget_text(screen.query_one("#title", Static))
            # the Book's rows could not be read: the sentence stands where they would be
            assert "is damaged" in widget_text(screen.query_one("#counts", Static))
            # read-only from now on: no key that changes the book is offered or works
            offered = keys_offered(app)
            assert {"n", "e", "delete", "comma"}.isdisjoint(offered), offered
            assert {"p", "b", "slash"} <= offered
            await pilot.press("n")
            await settle(app, pilot)
            assert not isinstance(app.screen, AccountForm)
            # the plan ends its "Working out the plan…" with the sentence
            await pilot.press("p")
            await settle(app, pilot)
            assert isinstance(app.screen, PlanScreen)
            status = widget_text(app.screen.query_one("#plan-status", Static))
            assert status == S.PLAN_FAILED
            assert "space" not in keys_offered(app)
            # an account that cannot be read says so in place of its name
            await pilot.press("escape")
            app.open_account(1)
            await settle(app, pilot)
            assert isinstance(app.screen, AccountScreen)
            assert "is damaged" in widget_text(app.screen.query_one("#title", Static))
            assert {"l", "e", "t"}.isdisjoint(keys_offered(app))
            assert len(damage_note(app)) == 1  # said once
    finally:
        book.close()
    assert digest(path) == before  # nothing was written: no refresh, no edit


async def test_damage_the_first_screen_does_not_read_is_found_by_the_check(
    demo_path: Path, chinese: None
) -> None:
    spoil(demo_path, first_leaf(demo_path, "interactions"))
    before = digest(demo_path)
    book = Book.open(demo_path)
    app = KamApp(book, today=LATER)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert screen.query_one(AccountTable).total == 200  # the Book itself is shown
            notes = [n.message for n in app._notifications]
            assert any("已损坏" in n and "kamtui doctor" in n for n in notes), notes
            assert "旁边没有找到它的备份" in notes[0]
            assert S.TITLE_DAMAGED in widget_text(screen.query_one("#title", Static))
            assert "n" not in keys_offered(app)
            assert book.read_only
            app.open_account(1)  # its interactions were on the damaged page
            await settle(app, pilot)
            title = widget_text(app.screen.query_one("#title", Static))
            assert "已损坏" in title and "kamtui doctor" in title, title
    finally:
        book.close()
    assert digest(demo_path) == before  # the refresh for the new day never ran


async def test_a_healthy_book_is_checked_and_refreshed(demo_path: Path) -> None:
    book = Book.open(demo_path)
    app = KamApp(book, today=LATER)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert book.damage == "" and not book.read_only
            assert "n" in keys_offered(app)
            assert f"up to date for {LATER}" in widget_text(app.screen.query_one("#status", Static))
    finally:
        book.close()


async def test_settings_open_when_the_book_is_found_damaged_are_not_saved(
    demo_path: Path,
) -> None:
    book = Book.open(demo_path)
    app = KamApp(book, today=TODAY)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("comma")
            await settle(app, pilot)
            assert isinstance(app.screen, SettingsScreen)
            app.book_damaged("database disk image is malformed")  # the check, meanwhile
            before = digest(demo_path)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert S.SETTINGS_READ_ONLY in [n.message for n in app._notifications]
            assert digest(demo_path) == before
    finally:
        book.close()


# Another program holding the book's write lock until told to let go.
HOLDER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("INSERT INTO settings (key, value) VALUES ('held', '1')")
print("ready", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
print("released", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def locked(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen[str]]:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 100)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(demo_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "released"


@pytest.mark.parametrize("retry", ["by itself", "ctrl+r"])
async def test_a_locked_book_on_a_new_day_keeps_its_values_says_so_and_tries_again(
    demo_path: Path,
    locked: subprocess.Popen[str],
    monkeypatch: pytest.MonkeyPatch,
    retry: str,
) -> None:
    monkeypatch.setattr(book_screen, "RETRY_BUSY", 0.5 if retry == "by itself" else 3600)
    book = Book.open(demo_path)
    app = KamApp(book, today=LATER)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            status = app.screen.query_one("#status", Static)
            said = S.REFRESH_BUSY.format(day=TODAY.isoformat(), every=f"{book_screen.RETRY_BUSY:g}")
            assert widget_text(status) == said
            assert [n.message for n in app._notifications if n.message == said]
            assert book.derived_on() == TODAY
            release(locked)
            if retry == "ctrl+r":
                await pilot.press("ctrl+r")
            for _ in range(100):  # the retry comes by itself within RETRY_BUSY
                await pilot.pause(0.05)
                await settle(app, pilot)
                if f"up to date for {LATER}" in widget_text(status):
                    break
            assert f"up to date for {LATER}" in widget_text(status)
            assert book.derived_on() == LATER
            assert len([n for n in app._notifications if n.message == said]) == 1  # said once
    finally:
        book.close()
