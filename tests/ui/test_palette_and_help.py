"""ctrl+p finds accounts by name (Chinese too) and opens them; ? shows every key."""

from __future__ import annotations

from datetime import date

from pilot_helpers import settle
from textual.command import CommandPalette
from textual.widgets import OptionList

from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen

TODAY = date(2026, 11, 23)


async def test_palette_finds_an_account_by_a_chinese_substring_and_opens_it(
    demo_book: Book,
) -> None:
    target = demo_book.page(BookQuery(text="云翔"), 0, 1)[0]
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"云翔")
        for _ in range(20):  # the palette searches in the background
            await pilot.pause(0.05)
            if (
                app.screen.query("CommandList Option")
                or app.screen.query_one("CommandList", OptionList).option_count
            ):
                break
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.account_id == target.id


async def test_question_mark_toggles_the_key_help(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")


def listed(app: KamApp) -> list[str]:
    commands = app.screen.query_one("CommandList", OptionList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


async def palette(app: KamApp, pilot, typed: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    for _ in range(40):  # what it offers before anything is typed
        await pilot.pause(0.05)
        if listed(app):
            break
    offered = listed(app)
    await pilot.press(*typed)
    # The palette searches in the background as each character arrives, and the answers to
    # the first characters come first: wait until its list is new and has stopped changing.
    seen, same = offered, 0
    for _ in range(100):
        await pilot.pause(0.05)
        now = listed(app)
        same = same + 1 if now == seen else 0
        seen = now
        if now and now != offered and same >= 4:
            break


async def test_palette_finds_a_deal_and_opens_its_account_on_the_deals_tab(
    demo_book: Book,
) -> None:
    hits = demo_book.find_deals("年度续约")
    assert hits and all("年度续约" in h.name for h in hits)
    assert demo_book.count(BookQuery(text="年度续约")) == 0  # no account matches: deals only
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await palette(app, pilot, "年度续约")
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        assert screen.account_id == hits[0].account_id
        assert screen.tab == "deals"
        assert screen.current_deal is not None


async def test_palette_opens_screens_by_chinese_name_from_anywhere(demo_book: Book) -> None:
    from kamtui.ui.screens.pipeline import PipelineScreen

    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # deep in an account
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await palette(app, pilot, "销售漏斗")
        await pilot.press("enter")
        for _ in range(40):  # the palette closes, then the command pops and pushes screens
            await settle(app, pilot)
            if isinstance(app.screen, PipelineScreen):
                break
        assert isinstance(app.screen, PipelineScreen)
        assert len(app.screen_stack) == 2  # the Book, then the board: the account was left
