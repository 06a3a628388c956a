"""Every form and dialog, walked as a rep would: its footer shows its keys, ctrl+s saves
(or confirms) it, and Esc cancels it — asking first when something was typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import settle, shown_after
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from kamtui.services.book import Book, BookQuery
from kamtui.services.team import TeamBook
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.account_form import AccountForm
from kamtui.ui.screens.contact_form import ContactForm
from kamtui.ui.screens.deal_form import DealForm
from kamtui.ui.screens.dialogs import (
    ConfirmDialog,
    GateDialog,
    InteractionDialog,
    PickDialog,
    ReasonDialog,
    TaskDialog,
)
from kamtui.ui.screens.import_screen import ImportScreen
from kamtui.ui.screens.plan import PlanScreen
from kamtui.ui.screens.settings import SettingsScreen
from kamtui.ui.screens.team import TeamBookScreen
from kamtui.ui.screens.team_dialog import TeamFilesDialog
from kamtui.ui.widgets.footer import KeyFooter

TODAY = date(2026, 11, 23)
FOUR = {"strategic_fit": 4, "profit_potential": 4, "stability": 4, "market_influence": 4}


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    b = Book.create(tmp_path / "b.db")
    aid = b.add_account(TODAY, name="云翔集团", owner="张伟")
    b.set_ratings(aid, FOUR, TODAY)
    b.add_deal(aid, TODAY, name="二期扩容", amount=500_000)
    yield b
    b.close()


def keys(screen: Screen[Any]) -> dict[str, str]:
    """The keys the screen's footer shows, with what they do."""
    return {e.key: e.description for e in screen.query_one(KeyFooter).entries}


async def check_keys(app: App[None], pilot: Pilot[None], *, save: str = "ctrl+s") -> None:
    """The screen shown offers ``save`` and Esc in its footer."""
    await pilot.pause()
    shown = keys(app.screen)
    assert save in shown and "escape" in shown, (type(app.screen).__name__, shown)


async def account(app: KamApp, pilot: Pilot[None], tab: str) -> AccountScreen:
    screen = await shown_after(app, pilot, "enter", screen=AccountScreen)
    await pilot.press(tab)
    await settle(app, pilot)
    return screen


async def test_the_account_s_forms_and_dialogs_save_with_ctrl_s(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await account(app, pilot, "2")
        await shown_after(app, pilot, "a", screen=ContactForm)
        await check_keys(app, pilot)
        await pilot.press(*"王芳", "ctrl+s")
        await settle(app, pilot)
        assert screen.is_current and book.account_view(1, TODAY).contacts[0].name == "王芳"

        await pilot.press("3")
        await shown_after(app, pilot, "a", screen=DealForm)
        await check_keys(app, pilot)
        await pilot.press(*"续约", "ctrl+s")
        await settle(app, pilot)
        assert screen.is_current and len(book.account_view(1, TODAY).deals) == 2

        await shown_after(app, pilot, "right_square_bracket", screen=GateDialog)
        await check_keys(app, pilot)
        assert "f" in keys(app.screen) and "space" in {
            e.display for e in app.screen.query_one(KeyFooter).entries
        }
        await pilot.press("space", "down", "space", "ctrl+s")
        await settle(app, pilot)
        assert screen.is_current and book.account_view(1, TODAY).deals[0].stage == 2

        await shown_after(app, pilot, "x", screen=ReasonDialog)
        await check_keys(app, pilot)
        await pilot.press(*"预算冻结", "ctrl+s")
        await settle(app, pilot)
        assert screen.is_current
        assert sorted(d.status for d in book.account_view(1, TODAY).deals) == ["lost", "open"]

        await pilot.press("6")
        await shown_after(app, pilot, "a", screen=TaskDialog)
        await check_keys(app, pilot)
        await pilot.press(*"准备报价", "ctrl+s")
        await settle(app, pilot)
        assert screen.is_current and book.account_view(1, TODAY).tasks[0][1] == "准备报价"

        await shown_after(app, pilot, "l", screen=InteractionDialog)
        await check_keys(app, pilot)
        await pilot.press(*"电话确认需求", "ctrl+s")
        await settle(app, pilot)
        assert screen.is_current and "电话确认需求" in screen.section_text("timeline")

        await shown_after(app, pilot, "t", screen=PickDialog)
        await check_keys(app, pilot)
        await pilot.press("up", "ctrl+s")  # S, from the computed A
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"战略客户", "ctrl+s")
        await settle(app, pilot)
        assert screen.is_current and book.account_view(1, TODAY).pinned_tier == "S"

        await shown_after(app, pilot, "e", screen=AccountForm)
        await check_keys(app, pilot)
        await pilot.press("end", *" Group", "ctrl+s")
        await settle(app, pilot)
        assert screen.is_current
        assert book.account_view(1, TODAY).profile["name"] == "云翔集团 Group"


async def test_the_book_s_forms_and_screens_save_with_ctrl_s(book: Book, tmp_path: Path) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        start = app.screen
        await shown_after(app, pilot, "n", screen=AccountForm)
        await check_keys(app, pilot)
        await pilot.press(*"星河科技", "ctrl+s")
        await settle(app, pilot)
        assert start.is_current and book.count(BookQuery()) == 2

        settings = await shown_after(app, pilot, "comma", screen=SettingsScreen)
        await check_keys(app, pilot)
        settings.query_one("#c-B-touch").value = "45"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert book.config.cadences["B"].touch_days == 45
        await shown_after(app, pilot, "escape", screen=type(start))  # saved: leaves at once

        await shown_after(app, pilot, "i", screen=ImportScreen)
        await check_keys(app, pilot)
        await shown_after(app, pilot, "escape", screen=type(start))

        plan = await shown_after(app, pilot, "p", screen=PlanScreen)
        await shown_after(app, pilot, "e", screen=ReasonDialog)
        await check_keys(app, pilot)
        target = tmp_path / "plan.md"
        app.screen.query_one("#reason").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert plan.is_current and target.is_file()

        app.ask_team_files()
        await settle(app, pilot)
        assert isinstance(app.screen, TeamFilesDialog)
        await check_keys(app, pilot)
        await pilot.press(*str(book.path), "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamBookScreen) and isinstance(app.book, TeamBook)


async def test_a_yes_no_question_shows_its_keys_and_takes_no_ctrl_s(book: Book) -> None:
    """ctrl+s never answers a question: "leave without saving?" must not be answered by
    the key that saves."""
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await shown_after(app, pilot, "n", screen=AccountForm)
        await pilot.press(*"星河")
        question = await shown_after(app, pilot, "escape", screen=ConfirmDialog)
        assert {"y", "n", "escape"} <= set(keys(question)) and "ctrl+s" not in keys(question)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert question.is_current
        await shown_after(app, pilot, "n", screen=AccountForm)
    assert book.count(BookQuery()) == 1
