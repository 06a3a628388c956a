"""The Health screen: every flagged account, red first, flags with reasons and dates."""

from __future__ import annotations

from datetime import date

from pilot_helpers import settle

from kamtui.services.book import Book
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.health import FlagList, HealthScreen

TODAY = date(2026, 11, 23)


async def test_flagged_accounts_red_first_and_open_one(demo_book: Book) -> None:
    expected = demo_book.flagged()
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("H")
        await settle(app, pilot)
        assert isinstance(app.screen, HealthScreen)
        flags = app.screen.query_one(FlagList)
        assert [a.id for a in flags.accounts] == [a.id for a in expected]
        colours = [a.color for a in flags.accounts]
        assert colours == sorted(colours, key=lambda c: ["red", "yellow", "green"].index(c or ""))
        assert colours[0] == "red"
        first = flags.accounts[0]
        screen_text = "\n".join(flags.render_line(y).text for y in range(1 + len(first.flags)))
        assert first.name[:8] in screen_text
        for flag in first.flags:
            assert flag.reason[:20] in screen_text
            assert flag.date.isoformat() in screen_text
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.account_id == flags.accounts[1].id


async def test_a_click_picks_an_account_and_a_second_click_opens_it(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("H")
        await settle(app, pilot)
        flags = app.screen.query_one(FlagList)
        second = 1 + len(flags.accounts[0].flags)  # the line the second account starts on
        await pilot.click(FlagList, offset=(10, second + 1))  # one of its flag lines
        await settle(app, pilot)
        assert flags.cursor == 1
        assert isinstance(app.screen, HealthScreen)
        await pilot.click(FlagList, offset=(10, second))
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.account_id == flags.accounts[1].id
