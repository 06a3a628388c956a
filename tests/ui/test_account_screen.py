"""The account screen: the SOP gate, deliverables, closing lost and logging a touch, driven
by keys as a rep would, checked on screen and in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import settle, shown_after
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.deal_form import DealForm
from kamtui.ui.screens.dialogs import GateDialog, InteractionDialog, ReasonDialog
from kamtui.ui.widgets.checklist import Checklist
from kamtui.ui.widgets.footer import KeyFooter

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
        names = [item.label for item in app.screen.query_one(Checklist).items]
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
        assert app.focused is gate.query_one(Checklist)
        await pilot.press("space", "down", "space")
        await pilot.press("ctrl+s")  # tick and advance
        await settle(app, pilot)
        assert deal_row(book)[0] == 2
        assert book.deal_state(1)[3] == {"initial_assessment", "discovery_notes"}
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        checklist = screen.query_one("#deliverables", Checklist)
        assert [item.key for item in checklist.items] == [
            "solution_proposal",
            "demo_deck",
            "roi_analysis",
        ]


def checklist_lines(screen: AccountScreen) -> list[str]:
    checklist = screen.query_one("#deliverables", Checklist)
    return [str(checklist.get_option_at_index(n).prompt) for n in range(checklist.option_count)]


async def test_space_on_the_deals_tab_ticks_the_deliverable_under_the_cursor(book: Book) -> None:
    """Space works as soon as the Deals tab is shown (the footer offers it), on the marked
    deliverable of the selected deal, and ticked reads apart from unticked without colour."""
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot)
        assert app.focused is screen.query_one("#deal-list")
        footer = screen.query_one(KeyFooter)
        assert ("space", S.KEY_TICK_DELIVERABLE) in [
            (e.display, e.description) for e in footer.entries
        ]
        assert checklist_lines(screen) == [
            "› [ ] initial account assessment 客户初步评估报告",
            "  [ ] discovery interview notes 客户需求访谈纪要",
        ]
        await pilot.press("space")
        await settle(app, pilot)
        assert book.deal_state(1)[3] == {"initial_assessment"}
        assert checklist_lines(screen)[0] == "› [x] initial account assessment 客户初步评估报告"
        await pilot.press("right_square_bracket")  # one still missing: refused
        await settle(app, pilot)
        assert isinstance(app.screen, GateDialog)
        assert [item.key for item in app.screen.query_one(Checklist).items] == ["discovery_notes"]
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("tab", "down")  # to the checklist, then the next deliverable
        assert checklist_lines(screen)[1].startswith("› [ ] discovery")
        await pilot.press("space")
        await settle(app, pilot)
        assert book.deal_state(1)[3] == {"initial_assessment", "discovery_notes"}
        await pilot.press("space")  # again: unticked
        await settle(app, pilot)
        assert book.deal_state(1)[3] == {"initial_assessment"}
        await pilot.press("space", "right_square_bracket")
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


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_a_summary_typed_is_seen_kept_through_enter_and_saved(
    book: Book, size: tuple[int, int]
) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=size) as pilot:
        screen = await open_account(app, pilot, tab="4")
        dialog = await shown_after(app, pilot, "l", screen=InteractionDialog)
        summary = dialog.query_one("#log-summary", TextArea)
        assert summary.has_focus
        await pilot.press(*"季度业务回顾", "enter", *"CFO wants ROI")  # Enter: a new line
        await settle(app, pilot)
        assert app.screen is dialog  # nothing saved by Enter
        assert summary.text == "季度业务回顾\nCFO wants ROI"
        for widget in (summary, dialog.query_one("#log-on"), dialog.query_one("#save")):
            assert widget.region.height >= 1 and widget.region in app.screen.region, widget
        assert "CFO wants ROI" in widget_lines(summary)  # what is typed is drawn
        assert "summary above" in widget_lines(dialog.query_one("#log-preview"))
        dialog.query_one("#log-on", Input).value = "2026-11-30"  # the future: refused
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert dialog.is_current
        assert "future" in widget_lines(dialog.query_one("#e-log-on"))
        dialog.query_one("#log-on", Input).value = "2026-11-20"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.is_current
        timeline = screen.section_text("timeline")
        assert "2026-11-20" in timeline and "季度业务回顾" in timeline
        assert "CFO wants ROI" in timeline
        assert "CFO wants ROI" in widget_lines(screen.query_one("#timeline-body"))
    assert book.account_view(1, TODAY).profile["last_touch"] == date(2026, 11, 20)
    with book.store.reading() as conn:
        assert conn.exec_driver_sql("SELECT summary FROM interactions").scalar_one() == (
            "季度业务回顾\nCFO wants ROI"
        )


def widget_lines(widget: Widget) -> str:
    """What a widget draws, line by line."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


async def test_a_call_without_a_summary_is_saved_knowingly_from_any_tab(book: Book) -> None:
    app = KamApp(book, today=date(2026, 11, 25))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot, tab="7")  # the History tab
        dialog = await shown_after(app, pilot, "l", screen=InteractionDialog)
        preview = widget_lines(dialog.query_one("#log-preview"))
        assert "call on 2026-11-25" in preview and "no summary" in preview
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.is_current
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
        await pilot.press("enter", *"12o万")  # Enter: on to the amount
        await pilot.press("ctrl+s")  # not an amount: refused at the field
        await settle(app, pilot)
        assert form.is_current
        assert "12o万" in str(form.query_one("#e-amount", Static).render())
        assert form.query_one("#f-name", Input).value == "续约 [bold]2027[/]"  # kept
        assert len(book.account_view(1, TODAY).deals) == 1  # nothing saved
        form.query_one("#f-amount", Input).value = "1" + "0" * 400  # beyond what the book holds
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert form.is_current
        assert "too large for an amount" in str(form.query_one("#e-amount", Static).render())
        assert len(book.account_view(1, TODAY).deals) == 1
        form.query_one("#f-amount", Input).value = "120万"
        form.query_one("#f-expected_close", Input).value = "2027/1/15"
        await pilot.click("#save")
        await settle(app, pilot)
        assert screen.is_current
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
        assert screen.is_current
        assert "约见财务总监" in screen.section_text("deals")
        deal = book.account_view(1, TODAY).deals[0]
        assert (deal.amount, deal.next_step, deal.version) == (1_500_000, "约见财务总监", 2)
        # someone else changes the deal while the form is open: the save is refused
        form = await shown_after(app, pilot, "enter", screen=DealForm)
        book.update_deal(deal.id, TODAY, {"amount": 900_000})
        form.query_one("#f-next_step", Input).value = "签合同"
        await pilot.click("#save")
        await settle(app, pilot)
        assert form.is_current
        assert "Changed elsewhere" in str(form.query_one("#stale-changes", Static).render())
        assert form.query_one("#f-next_step", Input).value == "签合同"
        assert book.account_view(1, TODAY).deals[0].next_step == "约见财务总监"  # unchanged
        await pilot.click("#reapply")  # what I changed, over the newer values
        await settle(app, pilot)
        assert screen.is_current
    deal = book.account_view(1, TODAY).deals[0]
    assert (deal.amount, deal.next_step) == (900_000, "签合同")  # their amount is kept
    kept = {(c.field, c.old, c.new) for c in book.history(1) if c.entity == "deal"}
    assert kept == {
        ("created", None, "数据中台项目"),
        ("amount", "1200000", "1500000"),
        ("next_step", "", "约见财务总监"),
        ("amount", "1500000", "900000"),
        ("next_step", "约见财务总监", "签合同"),
    }


async def test_a_click_picks_a_deal_and_a_second_click_edits_it(book: Book) -> None:
    book.add_deal(1, TODAY, name="小项目", amount=10_000)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot)
        assert screen.current_deal is not None and screen.current_deal.name == "数据中台项目"
        await pilot.click("#deal-list", offset=(5, 2))  # the second deal: picked
        await settle(app, pilot)
        assert screen.is_current
        assert screen.current_deal is not None and screen.current_deal.name == "小项目"
        await pilot.click("#deal-list", offset=(5, 2))  # again: its form
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, DealForm)
        assert form.query_one("#f-name", Input).value == "小项目"


async def test_a_deal_won_at_the_stage_3_gate_shows_as_won_and_moving_back_unwins_it(
    book: Book,
) -> None:
    from kamtui.ui.screens.pipeline import PipelineScreen

    for n in (1, 2):  # to stage 3, the contract not yet signed
        book.move_deal(1, TODAY, force_reason=f"stage {n} on paper")
    book.check_deliverable(1, "commercial_quote", True, TODAY)
    app = KamApp(book, today=TODAY)
    seen: list[str] = []
    show = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(str(message))
        show(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot)
        assert "won" not in screen.section_text("deals")
        await pilot.press("right_square_bracket")  # the contract missing: force it
        await settle(app, pilot)
        assert isinstance(app.screen, GateDialog)
        await pilot.press("f")
        await settle(app, pilot)
        app.screen.query_one(Input).value = "signed on paper, scan to follow"
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("数据中台项目: won — now in stage 4" in n for n in seen)
        deals = screen.section_text("deals")
        assert "✓ won 2026-11-23 · 1,200,000 (forced past the stage-3 gate)" in deals
        assert "stage 3 → 4  won: contract signed  (forced)" in deals
        await pilot.press("4")  # the timeline
        await settle(app, pilot)
        assert "deal 数据中台项目 won: 1,200,000.00 (forced)" in screen.section_text("timeline")
        await pilot.press("escape", "b")
        board = await shown_after(app, pilot, screen=PipelineScreen)
        (card,) = board.columns[3].cards
        assert card.won_on == TODAY
        await pilot.press("escape", "enter", "3", "left_square_bracket")  # back to stage 3
        await settle(app, pilot)
        back = app.screen
        assert isinstance(back, AccountScreen)
        assert "✓ won" not in back.section_text("deals")
    (deal,) = book.account_view(1, TODAY).deals
    assert deal.won_on is None
    won = [(c.old, c.new) for c in book.history(1) if c.field == "won_on"]
    assert won == [("2026-11-23", None), (None, "2026-11-23")]


async def test_items_put_off_in_the_weekly_plan_show_on_the_tasks_and_health_tabs(
    book: Book,
) -> None:
    from kamtui.domain.plan import IsoWeek

    book.add_task(1, TODAY, title="Send the quote", due=TODAY)
    week = IsoWeek.of(TODAY)
    items = [i for i in book.plan(week, TODAY).every_item() if i.kind in ("task", "touch")]
    assert {i.kind for i in items} == {"task", "touch"}
    book.snooze(items, date(2026, 11, 30), "at a trade fair", TODAY)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_account(app, pilot, "6")
        tasks = screen.section_text("tasks")
        assert "☐ 2026-11-23  Send the quote  ↷ put off until 2026-11-30: at a trade fair" in tasks
        assert "Put off in the weekly plan:" in tasks
        assert "↷ touch  put off until 2026-11-30: at a trade fair" in tasks
