"""The account screen: the SOP gate, deliverables, closing lost and logging a touch, driven
by keys as a rep would, checked on screen and in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import settle, shown_after
from textual.widgets import Input, SelectionList, Static

from kamtui.services.book import Book
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.deal_form import DealForm
from kamtui.ui.screens.dialogs import GateDialog, InteractionDialog, ReasonDialog

TODAY = date(2026, 11, 23)
SIZE = (160, 50)


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    b = Book.create(tmp_path / "b.db")
    aid = b.add_account(TODAY, name="云翔集团 [bold]x[/]", owner="张伟")
    b.set_ratings(
        aid,
        {"strategic_fit": 5, "profit_potential": 5, "stability": 5, "market_influence": 5},
        TODAY,
    )
    b.add_deal(aid, TODAY, name="数据中台项目", amount=1_200_000)
    yield b
    b.close()


def deal_row(book: Book) -> tuple[int, str, str]:
    with book.store.reading() as conn:
        stage, status, reason = conn.exec_driver_sql(
            "SELECT stage, status, lost_reason FROM deals"
        ).one()
    return stage, status, reason


async def open_account(app: KamApp, pilot, tab: str = "3") -> AccountScreen:  # type: ignore[no-untyped-def]
    """Open the first account on one of its tabs (3: deals)."""
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, AccountScreen)
    await pilot.press(tab)
    await settle(app, pilot)
    return app.screen


async def test_advance_is_refused_with_the_missing_deliverables_then_ticked_through(
    book: Book,
) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert isinstance(app.screen, GateDialog)
        names = [str(o.prompt) for o in app.screen.query_one(SelectionList)._options]
        assert any("initial account assessment" in n for n in names)
        assert any("discovery interview notes" in n for n in names)
        await pilot.press("escape")
        await settle(app, pilot)
        assert deal_row(book)[0] == 1  # refused: nothing changed

        # tick both deliverables right there in the gate, then the move goes through
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        gate = app.screen
        assert isinstance(gate, GateDialog)
        gate.query_one(SelectionList).focus()
        await pilot.press("space", "down", "space")
        await pilot.click("#advance")
        await settle(app, pilot)
        assert deal_row(book)[0] == 2
        assert book.deal_state(1)[3] == {"initial_assessment", "discovery_notes"}
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        checklist = screen.query_one("#deliverables", SelectionList)
        assert [o.value for o in checklist._options] == [
            "solution_proposal",
            "demo_deck",
            "roi_analysis",
        ]


async def test_ticking_on_the_checklist_then_advancing(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot)
        screen.query_one("#deliverables", SelectionList).focus()
        await pilot.press("space")
        await settle(app, pilot)
        assert book.deal_state(1)[3] == {"initial_assessment"}
        await pilot.press("right_square_bracket")  # one still missing: refused
        await settle(app, pilot)
        assert isinstance(app.screen, GateDialog)
        assert [o.value for o in app.screen.query_one(SelectionList)._options] == [
            "discovery_notes"
        ]
        await pilot.press("escape")
        await settle(app, pilot)
        screen.query_one("#deliverables", SelectionList).focus()
        await pilot.press("down", "space")
        await settle(app, pilot)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert deal_row(book)[0] == 2
        await pilot.press("left_square_bracket")  # and back again
        await settle(app, pilot)
        assert deal_row(book)[0] == 1


async def test_forcing_needs_a_reason_which_is_recorded(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # empty: refused at the field, dialog stays
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        app.screen.query_one(Input).value = "客户要求加快 [red]进度[/]"
        await pilot.press("enter")
        await settle(app, pilot)
        assert deal_row(book)[0] == 2
    with book.store.reading() as conn:
        forced, reason = conn.exec_driver_sql(
            "SELECT forced, reason FROM deal_stage_changes WHERE to_stage = 2"
        ).one()
    assert forced and reason == "客户要求加快 [red]进度[/]"


async def test_close_lost_with_a_reason(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        app.screen.query_one(Input).value = "预算冻结"
        await pilot.press("enter")
        await settle(app, pilot)
        assert deal_row(book) == (1, "lost", "预算冻结")
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        assert not screen.query_one("#deliverables").display  # no open deal left


async def test_log_an_interaction_in_two_keystrokes(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, InteractionDialog)
        dialog.query_one("#on", Input).value = "2026-11-30"  # the future: refused at the field
        await pilot.click("#save")
        await settle(app, pilot)
        assert isinstance(app.screen, InteractionDialog)
        dialog.query_one("#on", Input).value = "2026-11-20"
        dialog.query_one("#summary", Input).value = "季度业务回顾"
        await pilot.click("#save")
        await settle(app, pilot)
        assert app.screen is screen
        assert "2026-11-20" in screen.section_text("timeline")
        assert "季度业务回顾" in screen.section_text("timeline")
    assert book.account_view(1, TODAY).profile["last_touch"] == date(2026, 11, 20)


async def test_two_keystrokes_log_a_call_today_from_any_tab(book: Book) -> None:
    app = KamApp(book, today=date(2026, 11, 25))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot, tab="7")  # the History tab
        await pilot.press("l", "enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert book.account_view(1, date(2026, 11, 25)).profile["last_touch"] == date(2026, 11, 25)
        with book.store.reading() as conn:
            assert conn.exec_driver_sql(
                "SELECT kind, happened_on FROM interactions ORDER BY id DESC LIMIT 1"
            ).one() == ("call", "2026-11-25")


async def test_add_a_deal_from_the_deals_tab(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot)
        form = await shown_after(app, pilot, "a", screen=DealForm)
        await pilot.press(*"续约 [bold]2027[/]")
        await pilot.press("tab", *"12o万")  # not an amount: refused at the field
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is form
        assert "12o万" in str(form.query_one("#e-amount", Static).render())
        assert form.query_one("#f-name", Input).value == "续约 [bold]2027[/]"  # kept
        assert len(book.account_view(1, TODAY).deals) == 1  # nothing saved
        form.query_one("#f-amount", Input).value = "1" + "0" * 400  # beyond what the book holds
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is form
        assert "too large for an amount" in str(form.query_one("#e-amount", Static).render())
        assert len(book.account_view(1, TODAY).deals) == 1
        form.query_one("#f-amount", Input).value = "120万"
        form.query_one("#f-expected_close", Input).value = "2027/1/15"
        await pilot.click("#save")
        await settle(app, pilot)
        assert app.screen is screen
        assert "续约 [bold]2027[/]" in screen.section_text("deals")
    deals = {d.name: d for d in book.account_view(1, TODAY).deals}
    new = deals["续约 [bold]2027[/]"]
    assert (new.stage, new.status, new.amount) == (1, "open", 1_200_000)
    assert new.expected_close == date(2027, 1, 15)


async def test_a_adds_a_deal_only_on_the_deals_tab(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot, tab="1")
        await pilot.press("a")  # nothing on the profile tab
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await shown_after(app, pilot, "3", "a", screen=DealForm)
        await shown_after(app, pilot, "escape", screen=AccountScreen)
    assert len(book.account_view(1, TODAY).deals) == 1


async def test_enter_on_a_deal_edits_it_and_a_stale_edit_keeps_what_was_typed(
    book: Book,
) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot)
        form = await shown_after(app, pilot, "enter", screen=DealForm)
        assert form.query_one("#f-amount", Input).value == "1,200,000"
        form.query_one("#f-next_step", Input).value = "约见财务总监"
        form.query_one("#f-amount", Input).value = "150万"
        await pilot.click("#save")
        await settle(app, pilot)
        assert app.screen is screen
        assert "约见财务总监" in screen.section_text("deals")
        deal = book.account_view(1, TODAY).deals[0]
        assert (deal.amount, deal.next_step, deal.version) == (1_500_000, "约见财务总监", 2)
        # someone else changes the deal while the form is open: the save is refused
        form = await shown_after(app, pilot, "enter", screen=DealForm)
        book.update_deal(deal.id, TODAY, {"amount": 900_000})
        form.query_one("#f-next_step", Input).value = "签合同"
        await pilot.click("#save")
        await settle(app, pilot)
        assert app.screen is form
        assert "changed elsewhere" in str(form.query_one("#form-error", Static).render())
        assert form.query_one("#f-next_step", Input).value == "签合同"
        assert book.account_view(1, TODAY).deals[0].next_step == "约见财务总监"  # unchanged
        await pilot.click("#reapply")  # what was typed, over the newer values
        await settle(app, pilot)
        assert app.screen is screen
    deal = book.account_view(1, TODAY).deals[0]
    assert (deal.amount, deal.next_step) == (1_500_000, "签合同")
    kept = {(c.field, c.old, c.new) for c in book.history(1) if c.entity == "deal"}
    assert {
        ("amount", "1200000", "1500000"),
        ("next_step", "", "约见财务总监"),
        ("amount", "1500000", "900000"),
        ("amount", "900000", "1500000"),
        ("next_step", "约见财务总监", "签合同"),
    } <= kept


async def test_a_click_picks_a_deal_and_a_second_click_edits_it(book: Book) -> None:
    book.add_deal(1, TODAY, name="小项目", amount=10_000)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot)
        assert screen.current_deal is not None and screen.current_deal.name == "数据中台项目"
        await pilot.click("#deal-list", offset=(5, 2))  # the second deal: picked
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.current_deal is not None and screen.current_deal.name == "小项目"
        await pilot.click("#deal-list", offset=(5, 2))  # again: its form
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, DealForm)
        assert form.query_one("#f-name", Input).value == "小项目"
