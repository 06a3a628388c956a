"""Creating and editing accounts: validation at the field, nothing saved on a bad value,
a stale save refused with what was typed kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import settle, shown_after
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from kamtui.services.book import Book, BookQuery
from kamtui.ui import strings as S
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen, edit_form
from kamtui.ui.screens.account_form import AccountForm
from kamtui.ui.widgets.account_table import AccountTable

TODAY = date(2026, 11, 23)
ALL_FOUR = ("strategic_fit", "profit_potential", "stability", "market_influence")


def error_text(form: AccountForm, field: str) -> str:
    widget = form.query_one(f"#e-{field}" if field != "form-error" else "#form-error")
    return " ".join(widget.render_line(y).text.strip() for y in range(widget.size.height))


async def test_n_creates_an_account_with_ratings_and_a_tier(tmp_path: Path) -> None:
    book = Book.create(tmp_path / "b.db")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        await pilot.press("ctrl+s")  # no name: refused at the field
        await settle(app, pilot)
        assert isinstance(app.screen, AccountForm)
        assert "needs a name" in error_text(form, "name")
        assert book.count(BookQuery()) == 0
        form.query_one("#f-name", Input).value = "云翔集团"
        form.query_one("#f-annual_revenue", Input).value = "1,200,000"
        form.query_one("#f-employees", Input).value = "three hundred"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "not a whole number of employees" in error_text(form, "employees")
        assert book.count(BookQuery()) == 0
        form.query_one("#f-employees", Input).value = "300"
        for key in ALL_FOUR:
            form.query_one(f"#r-{key}", Select).value = 5
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
        rows = book.page(BookQuery(), 0, 10)
        assert [(r.name, r.tier, r.score) for r in rows] == [("云翔集团", "S", 5.0)]
        assert app.screen.query_one(AccountTable).total == 1
    book.close()


async def test_edit_from_the_account_and_a_bad_rating_range_never_saves(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        account_id = screen.account_id
        before = demo_book.account_view(account_id, TODAY)
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        assert form.query_one("#f-name", Input).value == before.profile["name"]
        form.query_one("#f-region", Input).value = "深圳"
        form.query_one("#r-strategic_fit", Select).value = 1
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.is_current
        after = demo_book.account_view(account_id, TODAY)
        assert after.profile["region"] == "深圳"
        assert after.version == before.version + 1
        assert after.derived.score.breakdown[0].rating == 1
        assert "深圳" in screen.section_text("profile")


async def test_a_stale_save_is_refused_and_keeps_what_was_typed(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        account_id = table.current.id  # type: ignore[union-attr]
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        # meanwhile, someone else saves this account
        demo_book.update_account(account_id, TODAY, fields={"industry": "能源"})
        form.query_one("#f-pain_points", Input).value = "我的笔记"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # still open
        assert "Changed elsewhere" in form.query_one("#stale-changes").render_line(0).text
        assert form.query_one("#f-pain_points", Input).value == "我的笔记"
        view = demo_book.account_view(account_id, TODAY)
        assert view.profile["industry"] == "能源"
        assert view.profile["pain_points"] != "我的笔记"


async def test_leaving_a_form_with_typed_text_asks_first(tmp_path: Path) -> None:
    from kamtui.ui.screens.book import BookScreen
    from kamtui.ui.screens.dialogs import ConfirmDialog

    book = Book.create(tmp_path / "b.db")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await shown_after(app, pilot, "n", screen=AccountForm)
        await shown_after(app, pilot, "escape", screen=BookScreen)  # nothing typed: gone
        form = await shown_after(app, pilot, "n", screen=AccountForm)
        await pilot.press(*"云翔集团")
        await shown_after(app, pilot, "escape", screen=ConfirmDialog)
        await shown_after(app, pilot, "escape", screen=AccountForm)  # no: back to the form
        assert form.query_one("#f-name", Input).value == "云翔集团"  # still there
        await shown_after(app, pilot, "escape", screen=ConfirmDialog)
        await shown_after(app, pilot, "y", screen=BookScreen)  # discard
    assert book.count(BookQuery()) == 0
    book.close()


def in_view(form: AccountForm, widget: Widget) -> bool:
    """Whether ``widget`` is drawn within the form's scrolled view."""
    region = widget.region
    return region.height > 0 and region in form.query_one("#form-body").content_region


async def test_a_refusal_at_the_end_of_a_long_form_is_shown_in_view_at_80x24(
    tmp_path: Path,
) -> None:
    book = Book.create(tmp_path / "b.db")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await shown_after(app, pilot, "n", screen=AccountForm)
        await pilot.press(*"云翔集团")
        branches = form.query_one("#f-branches", Input)
        branches.value = "十二"
        assert not in_view(form, form.query_one("#e-branches"))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "not a whole number of branches" in error_text(form, "branches")
        assert in_view(form, form.query_one("#e-branches")) and in_view(form, branches)
        assert branches.has_focus
        assert book.count(BookQuery()) == 0
    book.close()


async def test_a_read_only_refusal_is_said_in_view_and_as_a_notification(demo_path: Path) -> None:
    """e is not offered on a read-only book, and pressing it says why nothing opens; a form
    that was open when the book could not be written says so in view."""
    book = Book.open(demo_path, read_only=True)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
        assert [str(n.message) for n in app._notifications] == [S.READ_ONLY_REFUSED]
        row = app.screen.query_one(AccountTable).current
        assert row is not None
        form = edit_form(book, TODAY, book.account_view(row.id, TODAY))
        app.push_screen(form)
        await settle(app, pilot)
        await pilot.press(*"（已核对）")  # typed into the name, at the top of the form
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert form.is_current
        error = form.query_one("#form-error")
        assert "read-only" in " ".join(error.render_line(y).text for y in range(error.size.height))
        assert in_view(form, error)
        assert sum("read-only" in str(n.message) for n in app._notifications) == 2
    book.close()


async def test_a_number_too_large_for_the_book_is_refused_beside_its_field(
    tmp_path: Path,
) -> None:
    """At 80×24 the employees field lies below the fold: a value beyond what the book holds
    is refused beside it, scrolled into view, with what was typed kept and nothing saved."""
    book = Book.create(tmp_path / "b.db")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        await pilot.press(*"云翔集团")
        for field, typed, words in (
            ("employees", "99999999999999999999999", "too large"),
            ("annual_revenue", "1" + "0" * 400, "too large for an amount"),
            ("branches", "1e5", "not a whole number of branches"),
        ):
            form.query_one(f"#f-{field}", Input).focus()
            await pilot.press(*typed)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, AccountForm)
            assert words in error_text(form, field), field
            assert "999,999,999,999,999" in error_text(form, field) or field == "branches"
            box = form.query_one("#form-body").region
            assert box.contains_region(form.query_one(f"#e-{field}").region), field
            assert form.query_one(f"#f-{field}", Input).value == typed
            assert book.count(BookQuery()) == 0
            form.query_one(f"#f-{field}", Input).value = "12"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
        row = book.page(BookQuery(), 0, 10)[0]
        profile = book.account_view(row.id, TODAY).profile
        assert (profile["employees"], profile["annual_revenue"], profile["branches"]) == (
            12,
            12,
            12,
        )
    book.close()


async def test_a_save_that_fails_unexpectedly_leaves_the_form_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a refusal but a failure (a bug, a full disk): the app says so, and the form keeps
    what was typed, says it too and can be saved again."""
    book = Book.create(tmp_path / "b.db")

    def broken(*args: object, **kwargs: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(book, "add_account", broken)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        await pilot.press(*"云翔集团", "ctrl+s")
        await settle(app, pilot)
        assert form.is_current
        said = str(form.query_one("#form-error", Static).render())
        assert "OSError" in said
        assert any("OSError" in str(n.message) for n in app._notifications)
        assert not form.query_one("#save", Button).disabled
        assert form.query_one("#f-name", Input).value == "云翔集团"
        box = form.query_one("#form-body").region
        assert box.contains_region(form.query_one("#form-error").region)
    book.close()


async def test_an_amount_with_cents_is_shown_and_saved_as_it_is(tmp_path: Path) -> None:
    """The form shows revenue as the book holds it: a save that leaves the field as it was
    does not round 3,000,000.55 to 3,000,001."""
    book = Book.create(tmp_path / "b.db")
    aid = book.add_account(TODAY, name="云翔集团", annual_revenue=3_000_000.55)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        assert form.query_one("#f-annual_revenue", Input).value == "3,000,000.55"
        form.query_one("#f-region", Input).value = "苏州"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
    profile = book.account_view(aid, TODAY).profile
    assert (profile["region"], profile["annual_revenue"]) == ("苏州", 3_000_000.55)
    book.close()
