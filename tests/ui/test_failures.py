"""No failure is silent: a worker that fails on any screen reaches the user as one sentence,
its traceback reaches the log, and the screen that waited for it stays usable."""

from __future__ import annotations

import ast
import importlib
import inspect
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pilot_helpers import settle, shown_after
from textual.widgets import Button, Static

from kamtui import logs
from kamtui.domain.errors import InputError
from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.app import KamApp
from kamtui.ui.messages import ShowsFailure
from kamtui.ui.screens.book import BookScreen
from kamtui.ui.screens.plan import PlanScreen
from kamtui.ui.screens.settings import SettingsScreen

TODAY = date(2026, 11, 23)
UI = Path(inspect.getfile(KamApp)).parent


def _runs_workers(cls: ast.ClassDef) -> bool:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            for d in node.decorator_list:
                call = d.func if isinstance(d, ast.Call) else d
                if isinstance(call, ast.Name) and call.id == "work":
                    return True
    return False


def test_every_class_that_runs_workers_hears_of_their_failures() -> None:
    """Textual does not bubble a worker's state changes: a screen that runs workers and is
    not a ShowsFailure would fail unseen."""
    found = []
    for path in sorted(UI.rglob("*.py")):
        module = ".".join(("kamtui", *path.relative_to(UI.parent).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and _runs_workers(node):
                cls = getattr(importlib.import_module(module), node.name)
                found.append(cls)
                assert issubclass(cls, (ShowsFailure, KamApp)), f"{module}.{node.name}"
    assert BookScreen in found and PlanScreen in found and len(found) >= 10


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "state" / "kamtui.log"
    logs.start(path)
    yield path
    logs.stop()


def notes(app: KamApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def status(screen: BookScreen | PlanScreen | SettingsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def damage_one_usage_month(path: Path) -> None:
    """A value no reader can parse, in the accounts' usage window: deriving fails."""
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "UPDATE usage_snapshots SET month = '2026-11-0x' "
            "WHERE rowid = (SELECT max(rowid) FROM usage_snapshots)"
        )
    con.close()


async def test_a_refresh_that_fails_says_so_and_the_book_stays_usable(
    demo_path: Path, log: Path
) -> None:
    damage_one_usage_month(demo_path)
    book = Book.open(demo_path)
    app = KamApp(book, today=TODAY + timedelta(days=2))
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, BookScreen)
            (note,) = notes(app)
            assert note.startswith(S.WORK_BOOK_REFRESH + " failed (ValueError)")
            assert str(log) in note
            assert status(screen, "#status") == S.REFRESH_FAILED.format(day=TODAY)
            await pilot.press("2")  # the Book still answers: only tier A
            await settle(app, pilot)
            assert "tiers: A" in status(screen, "#counts")
    finally:
        book.close()
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "Invalid isoformat string" in text


async def test_a_plan_that_fails_ends_its_working_state(
    demo_book: Book, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("stage")

    monkeypatch.setattr(Book, "plan", broken)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_after(app, pilot, "p", screen=PlanScreen)
        assert status(screen, "#plan-status") == S.PLAN_FAILED
        assert any(n.startswith(S.WORK_PLAN + " failed (KeyError)") for n in notes(app))
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, BookScreen)
    assert "KeyError: 'stage'" in log.read_text(encoding="utf-8")


async def test_a_settings_save_that_fails_can_be_tried_again(
    demo_book: Book, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Book, "save_config", broken)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await shown_after(app, pilot, "comma", screen=SettingsScreen)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert status(screen, "#status") == S.SETTINGS_FAILED
        assert not screen.query_one("#save", Button).disabled
        assert any("(OSError)" in n for n in notes(app))


async def test_a_refusal_in_a_worker_is_its_own_sentence_and_no_bug_in_the_log(
    demo_book: Book, log: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise InputError("Week 2026-W99 does not exist.")

    monkeypatch.setattr(Book, "plan", refused)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await shown_after(app, pilot, "p", screen=PlanScreen)
        assert "Week 2026-W99 does not exist." in notes(app)
    assert not log.exists() or "Traceback" not in log.read_text(encoding="utf-8")


async def test_a_failure_text_is_shown_as_data(
    demo_book: Book, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise InputError("No owner [b]x[/b] \x1b[2J here.")

    monkeypatch.setattr(Book, "plan", refused)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await shown_after(app, pilot, "p", screen=PlanScreen)
        assert "No owner [b]x[/b] ␛[2J here." in notes(app)
