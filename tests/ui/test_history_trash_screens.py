"""The trash, the change history and the stale-save dialog, driven by keys as a rep would,
checked on screen and in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import settle
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input

from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.account_form import AccountForm
from kamtui.ui.screens.dialogs import ConfirmDialog
from kamtui.ui.screens.history import HistoryScreen
from kamtui.ui.screens.trash import TrashScreen
from kamtui.ui.widgets.account_table import AccountTable

TODAY = date(2026, 11, 23)
SIZE = (160, 50)


def widget_text(widget: Widget) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def book_ids(book: Book) -> set[int]:
    return {r.id for r in book.page(BookQuery(), 0, 10_000)}


async def test_delete_asks_first_then_the_trash_lists_it_and_restores_it(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        row = table.current
        assert row is not None
        total = table.total

        await pilot.press("delete")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert row.name in widget_text(dialog.query_one("#question"))
        await pilot.press("escape")  # changed my mind: nothing happens
        await settle(app, pilot)
        assert row.id in book_ids(demo_book) and demo_book.trash() == []

        await pilot.press("delete")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert row.id not in book_ids(demo_book)
        assert table.total == total - 1
        assert all(table.row_at(i).id != row.id for i in range(min(table.total, 50)))
        assert [t.id for t in demo_book.trash()] == [row.id]

        await pilot.press("T")
        await settle(app, pilot)
        trash = app.screen
        assert isinstance(trash, TrashScreen)
        grid = trash.query_one(DataTable)
        assert grid.row_count == 1
        assert row.name[:8] in widget_text(grid)
        assert "Trash · 1 deleted account" in widget_text(trash.query_one("#title"))

        await pilot.press("r")
        await settle(app, pilot)
        assert grid.row_count == 0
        assert demo_book.trash() == []
        assert row.id in book_ids(demo_book)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.query_one(AccountTable).total == total


async def test_purge_needs_a_second_confirmation_naming_the_account(demo_book: Book) -> None:
    victim = demo_book.page(BookQuery(), 0, 1)[0]
    demo_book.delete_account(victim.id)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, TrashScreen)

        await pilot.press("P")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert victim.name in widget_text(dialog.query_one("#question"))
        assert "cannot be undone" in widget_text(dialog.query_one("#question"))
        await pilot.press("enter")  # the focus starts on Cancel
        await settle(app, pilot)
        assert isinstance(app.screen, TrashScreen)
        assert [t.id for t in demo_book.trash()] == [victim.id]

        await pilot.press("P")
        await settle(app, pilot)
        app.screen.query_one("#yes", Button).press()
        await settle(app, pilot)
        assert isinstance(app.screen, TrashScreen)
        assert demo_book.trash() == []
        assert app.screen.query_one(DataTable).row_count == 0
        with demo_book.store.reading() as conn:
            n = conn.exec_driver_sql("SELECT count(*) FROM accounts WHERE id = ?", (victim.id,))
            assert n.scalar_one() == 0


async def test_the_account_screen_shows_the_history_after_an_edit(demo_book: Book) -> None:
    demo_book.set_user_name("张伟 [b]x[/b]")
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        before = screen.view.profile["region"]  # type: ignore[union-attr]
        assert "History" in screen.section_text("history")
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        form.query_one("#f-region", Input).value = "深圳 [red]南山[/]"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        history = screen.section_text("history").splitlines()
        newest = history[1]
        assert "Region / HQ: " in newest
        assert f"{before} → 深圳 [red]南山[/]" in newest  # shown as typed, never as markup
        assert "张伟 [b]x[/b]" in newest

        await pilot.press("h")  # every change, in a dialog of its own
        await settle(app, pilot)
        full = app.screen
        assert isinstance(full, HistoryScreen)
        lines = widget_text(full.query_one("#history-lines"))
        assert "Region / HQ: " in lines.splitlines()[0] and "深圳 [red]南山[/]" in lines
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


@pytest.fixture
def other(demo_path: Path) -> Iterator[Book]:
    """A second app instance on the same file, used by 李娜."""
    book = Book.open(demo_path)
    book.set_user_name("李娜")
    yield book
    book.close()


async def open_form(app: KamApp, pilot) -> tuple[AccountForm, int]:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    row = app.screen.query_one(AccountTable).current
    assert row is not None
    await pilot.press("e")
    await settle(app, pilot)
    form = app.screen
    assert isinstance(form, AccountForm)
    return form, row.id


async def test_a_stale_save_shows_their_values_and_re_apply_saves_mine(
    demo_book: Book, other: Book
) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        form, aid = await open_form(app, pilot)
        mine = form.query_one("#f-industry", Input).value
        other.update_account(aid, TODAY, fields={"industry": "能源", "segment": "储能"})

        form.query_one("#f-region", Input).value = "深圳"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert "changed elsewhere" in widget_text(form.query_one("#form-error"))
        box = form.query_one("#stale-changes")
        assert box.display and form.query_one("#stale-buttons").display
        shown = widget_text(box)
        assert "Industry: 能源  (李娜, " in shown and f"yours: {mine}" in shown
        assert "Sub-segment: 储能" in shown
        assert form.query_one("#f-region", Input).value == "深圳"  # what I typed is kept
        assert demo_book.account_view(aid, TODAY).profile["industry"] == "能源"

        form.query_one("#reapply", Button).press()
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
        view = other.account_view(aid, TODAY)
        assert (view.profile["industry"], view.profile["region"]) == (mine, "深圳")
        assert [c.by for c in view.history[:2]] == ["李娜", "李娜"]  # the book's configured name
        assert {c.field for c in view.history[:3]} == {"industry", "segment", "region"}


async def test_a_stale_save_reloaded_shows_the_newest_values(demo_book: Book, other: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        form, aid = await open_form(app, pilot)
        region = form.query_one("#f-region", Input).value
        other.update_account(aid, TODAY, fields={"industry": "能源"})
        form.query_one("#f-region", Input).value = "深圳"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert form.stale is not None

        form.query_one("#reload", Button).press()
        await settle(app, pilot)
        assert app.screen is form and form.stale is None
        assert not form.query_one("#stale-changes").display
        assert form.query_one("#f-industry", Input).value == "能源"
        assert form.query_one("#f-region", Input).value == region  # mine discarded
        form.query_one("#f-pain_points", Input).value = "续约前要见CFO"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
        view = other.account_view(aid, TODAY)
        assert (view.profile["industry"], view.profile["pain_points"]) == ("能源", "续约前要见CFO")
