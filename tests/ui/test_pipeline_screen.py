"""The pipeline board: columns with totals and weighted value; cards move by the same gate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import settle, shown_after
from textual import events
from textual.widgets import OptionList

from kamtui.services.book import Book
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.dialogs import GateDialog, ReasonDialog
from kamtui.ui.screens.pipeline import PipelineScreen

TODAY = date(2026, 11, 23)


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    b = Book.create(tmp_path / "b.db")
    a = b.add_account(TODAY, name="云翔集团", owner="张伟")
    c = b.add_account(TODAY, name="Northwind Ltd", owner="Alex Chen")
    big = b.add_deal(a, TODAY, name="数据中台项目", amount=2_000_000)
    b.add_deal(c, TODAY, name="Pilot", amount=500_000)
    for key in ("initial_assessment", "discovery_notes"):
        b.check_deliverable(big, key, True, TODAY)
    yield b
    b.close()


def stages(book: Book) -> dict[str, int]:
    with book.store.reading() as conn:
        return dict(conn.exec_driver_sql("SELECT name, stage FROM deals").all())


async def test_board_columns_totals_and_moving_cards(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await shown_after(app, pilot, "b", screen=PipelineScreen)
        first = screen.columns[0]
        assert (first.deals, first.total, first.weighted) == (2, 2_500_000, 250_000)
        head = screen.query_one("#head-1")
        assert "2 deals · 2,500,000" in head.render_line(1).text
        assert "weighted 250,000" in head.render_line(2).text
        assert screen.query_one("#stage-1", OptionList).option_count == 2
        assert (
            screen.current_card is not None and screen.current_card.name == "数据中台项目"
        )  # largest first
        await pilot.press("right_square_bracket")  # complete: moves
        await settle(app, pilot)
        assert stages(book) == {"数据中台项目": 2, "Pilot": 1}
        assert screen.columns[1].deals == 1
        assert screen.current_card is not None and screen.current_card.name == "Pilot"
        await pilot.press("right_square_bracket")  # nothing ticked: the gate
        await settle(app, pilot)
        assert isinstance(app.screen, GateDialog)
        await pilot.press("escape")
        await settle(app, pilot)
        assert stages(book) == {"数据中台项目": 2, "Pilot": 1}
        await pilot.press("right")  # to stage 2, open the card's account
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("w")  # owner filter: the first owner alphabetically
        await settle(app, pilot)
        assert sum(c.deals for c in screen.columns) == 1


async def drag(pilot, source: str, offset: tuple[int, int], target: str) -> None:  # type: ignore[no-untyped-def]
    """Press the mouse on a card, move over the target column with the button held (the
    column shows it would take the card), release there."""
    await pilot.mouse_down(source, offset=offset)
    await pilot._post_mouse_events([events.MouseMove], target, offset=(3, 3), button=1)
    column = pilot.app.screen.query_one(target).parent
    assert column.has_class("-drop") == (target != source)
    await pilot.mouse_up(target, offset=(3, 3))


async def test_cards_move_with_the_mouse_through_the_same_gate(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await shown_after(app, pilot, "b", screen=PipelineScreen)
        # the first card (largest: 数据中台项目, stage 1 complete) onto stage 2: it moves
        await drag(pilot, "#stage-1", (3, 1), "#stage-2")
        await settle(app, pilot)
        assert stages(book) == {"数据中台项目": 2, "Pilot": 1}
        assert [c.name for c in screen.columns[1].cards] == ["数据中台项目"]
        assert not screen.query(".-drop")  # the drop mark is gone
        # Pilot has nothing ticked: the gate dialog, and nothing changes when it is left
        await drag(pilot, "#stage-1", (3, 1), "#stage-2")
        await settle(app, pilot)
        assert isinstance(app.screen, GateDialog)
        await pilot.press("escape")
        await settle(app, pilot)
        assert stages(book) == {"数据中台项目": 2, "Pilot": 1}
        # two columns away: refused with a message, nothing moves
        await drag(pilot, "#stage-1", (3, 1), "#stage-3")
        await settle(app, pilot)
        assert stages(book) == {"数据中台项目": 2, "Pilot": 1}
        assert any("one stage at a time" in str(n.message) for n in app._notifications)
        # back again: from stage 2 onto stage 1
        await drag(pilot, "#stage-2", (3, 1), "#stage-1")
        await settle(app, pilot)
        assert stages(book) == {"数据中台项目": 1, "Pilot": 1}
        assert screen.columns[1].deals == 0


async def test_a_click_picks_a_card_and_a_second_click_opens_its_account(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        await pilot.click("#stage-1", offset=(3, 4))  # the second card: Pilot, picked
        await settle(app, pilot)
        assert isinstance(app.screen, PipelineScreen)
        assert app.screen.current_card is not None
        assert app.screen.current_card.name == "Pilot"
        await pilot.click("#stage-1", offset=(3, 4))  # again: its account
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.view is not None
        assert app.screen.view.profile["name"] == "Northwind Ltd"
    assert stages(book) == {"数据中台项目": 1, "Pilot": 1}


async def test_the_gate_and_lost_dialogs_name_the_account_of_a_deal_named_like_others(
    tmp_path: Path,
) -> None:
    """二期扩容 is the name of many deals: the dialogs a card opens say whose it is."""
    book = Book.create(tmp_path / "b.db")
    for name, amount in (("云翔集团", 900_000), ("星河科技", 500_000)):
        aid = book.add_account(TODAY, name=name)
        book.add_deal(aid, TODAY, name="二期扩容", amount=amount)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_after(app, pilot, "b", screen=PipelineScreen)
        gate = await shown_after(app, pilot, "right_square_bracket", screen=GateDialog)
        title = gate.query_one("#gate-title").render_line(0).text
        assert "云翔集团 · 二期扩容" in title
        await shown_after(app, pilot, "escape", screen=PipelineScreen)
        await pilot.press("down")
        lost = await shown_after(app, pilot, "x", screen=ReasonDialog)
        assert "星河科技 · 二期扩容" in lost.query_one(".dialog-title").render_line(0).text
        await shown_after(app, pilot, "escape", screen=PipelineScreen)
        assert screen.is_current
    book.close()


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_every_card_shows_its_three_lines_when_a_column_scrolls(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """A column with more cards than fit gets a scrollbar, which narrows the cards: a card
    must still show its account, its deal and amount, and its days in the stage, each on
    one line (a long line is cut with an ellipsis, never wrapped into the next card's row)."""
    from kamtui.services.demo import make_demo

    make_demo(tmp_path / "demo.db", accounts=200, seed=1, today=TODAY).close()
    book = Book.open(tmp_path / "demo.db")
    try:
        app = KamApp(book, today=TODAY)
        async with app.run_test(size=size) as pilot:
            screen = await shown_after(app, pilot, "b", screen=PipelineScreen)
            await settle(app, pilot)
            for column in screen.columns:
                cards = screen.query_one(f"#stage-{column.stage}", OptionList)
                inside = [
                    cards.render_line(y).text.strip()
                    for y in range(cards.scrollable_content_region.height)
                ]
                shown = min(len(column.cards), len(inside) // 3)
                assert shown > 0
                for n, card in enumerate(column.cards[:shown]):
                    first, _, third = inside[3 * n : 3 * n + 3]
                    assert first.startswith(f"{card.tier or '–'} "), (column.stage, n, inside)
                    assert "day" in third, (column.stage, n, inside)
    finally:
        book.close()
