"""The footer: every key of the screen, wrapped onto more lines when they do not fit; a
click on a key presses it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import settle

from kamtui.services.book import Book
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.pipeline import PipelineScreen
from kamtui.ui.widgets.footer import GAP, KeyFooter

TODAY = date(2026, 11, 23)


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    b = Book.create(tmp_path / "b.db")
    b.add_account(TODAY, name="云翔集团", owner="张伟")
    yield b
    b.close()


def offset_of(footer: KeyFooter, description: str) -> tuple[int, int]:
    """Where in the footer the key with this description is drawn: found in what is drawn."""
    for y in range(footer.size.height):
        x = footer.render_line(y).text.find(f" {description} ")
        if x >= 0:
            return x + 2, y
    raise AssertionError(f"{description!r} is not in the footer")


@pytest.mark.parametrize("width", [80, 160])
async def test_every_key_is_shown_wrapping_when_needed(book: Book, width: int) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(KeyFooter)
        shown = [e.description for e in footer.entries]
        assert {"Open", "Filter", "Pipeline", "Settings", "Quit", "Help"} <= set(shown)
        total = sum(e.width for e in footer.entries) + GAP * (len(shown) - 1)
        lines = -(-total // width)  # at least this many lines
        assert footer.size.height >= min(lines, 3) > (1 if width == 80 else 0)
        drawn = "\n".join(
            footer.render_line(y).text for y in range(footer.size.height)
        )  # every key is drawn, none cut off
        assert all(d in drawn for d in shown[: 12 if width == 80 else None])


async def test_a_click_on_a_key_presses_it(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(KeyFooter)
        await pilot.click(KeyFooter, offset=offset_of(footer, "Pipeline"))
        await settle(app, pilot)
        assert isinstance(app.screen, PipelineScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.click(KeyFooter, offset=offset_of(app.screen.query_one(KeyFooter), "Open"))
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)


async def test_the_keys_follow_the_tab_shown(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        footer = app.screen.query_one(KeyFooter)
        assert "Add contact" not in {e.description for e in footer.entries}
        await pilot.press("2")  # the decision map
        await settle(app, pilot)
        assert "Add contact" in {e.description for e in footer.entries}
        assert "Add deal" not in {e.description for e in footer.entries}
