"""Every screen at 80×24 and 100×30, in English and Chinese: every key the screen offers is
drawn in its footer inside the terminal (or, for ``?`` and ``ctrl+p``, the panel is), no
field is pushed off the screen, and account names keep a width that can be read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import settle
from rich.cells import cell_len
from rich.console import Console
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList, Static

from kamtui.services.book import Book
from kamtui.services.demo import make_demo
from kamtui.services.team import TeamBook
from kamtui.ui import strings as S
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.health import HealthScreen
from kamtui.ui.screens.history import HistoryScreen
from kamtui.ui.screens.import_screen import ImportScreen
from kamtui.ui.screens.pipeline import PipelineScreen
from kamtui.ui.screens.plan import PlanScreen
from kamtui.ui.screens.settings import SettingsScreen
from kamtui.ui.screens.team import TeamBookScreen
from kamtui.ui.screens.trash import TrashScreen
from kamtui.ui.widgets.account_table import COLUMNS, NAME, AccountTable, column_widths
from kamtui.ui.widgets.footer import KeyFooter
from kamtui.ui.widgets.tab_strip import TabStrip

TODAY = date(2026, 11, 23)
SIZES = [(80, 24), (100, 30)]
NAME_WIDTH = {80: 24, 100: 26}  # the least width of the Book's names


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    S.set_language(request.param)
    try:
        yield request.param
    finally:
        S.set_language("en")


def drawn(widget: Widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


def inside(app: KamApp, widget: Widget) -> bool:
    """Whether the whole of ``widget`` is on the terminal."""
    r = widget.region
    return (
        r.width > 0 and r.height > 0 and r.right <= app.size.width and r.bottom <= app.size.height
    )


def every_key_is_shown(app: KamApp, screen: Screen[Any] | None = None) -> set[str]:
    """Check the footer of the screen shown: it is inside the terminal, and every key the
    screen offers (the descriptions of its shown bindings) is drawn whole in it."""
    if screen is None:
        screen = app.screen
    footer = screen.query_one(KeyFooter)
    assert inside(app, footer), (type(screen).__name__, footer.region, app.size)
    offered = {b.description for _, b, _, _ in screen.active_bindings.values() if b.show}
    shown = {e.description for e in footer.entries}
    assert offered <= shown, (type(screen).__name__, offered - shown)
    lines = drawn(footer)
    for e in footer.entries:
        whole = f" {e.display} {e.description} "
        assert any(whole in line for line in lines), (type(screen).__name__, whole, lines)
    return shown


async def test_the_books_columns_give_way_and_names_keep_their_width() -> None:
    for terminal, least in NAME_WIDTH.items():
        widths = column_widths(terminal - 2)  # the table's scroll bar gutter
        assert widths[NAME] >= least
        assert sum(widths) + sum(1 for w in widths if w) - 1 <= terminal - 2
    wide = column_widths(158)
    assert all(wide), "at 160 columns every column is shown"
    shown = {c.key for c, w in zip(COLUMNS, column_widths(78), strict=True) if w}
    assert {"tier", "name", "health", "last_touch", "next_action", "owner"} <= shown


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_screen_shows_every_key(
    demo_book: Book, size: tuple[int, int], language: str
) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)

        # the Book: its keys, the filter's whole placeholder, names that can be read
        keys = every_key_is_shown(app)
        assert {S.KEY_IMPORT, S.KEY_ATTENTION, S.KEY_QUIT, S.KEY_HELP} <= keys
        filt = app.screen.query_one("#filter", Input)
        assert cell_len(S.FILTER_PLACEHOLDER) <= filt.content_region.width
        summary = " ".join(drawn(app.screen.query_one("#summary")))
        assert S.SUMMARY_TOP20.split("{")[0].strip() in summary  # its last part: wrapped, in view
        table = app.screen.query_one(AccountTable)
        assert inside(app, table) and table.size.height >= 8  # a header and 7 rows at least
        header = table.render_line(0).text
        assert S.COL_NAME in header and S.COL_NEXT_ACTION in header and S.COL_OWNER in header
        least = NAME_WIDTH[size[0]]
        rows = [table.row_at(i) for i in range(table.size.height - 1)]
        for y, row in enumerate(rows, 1):
            if row is not None and cell_len(row.name) <= least:
                assert row.name in table.render_line(y).text, row.name

        # the account screen: every tab's title in view, every tab's keys
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        strip = app.screen.query_one(TabStrip)
        assert inside(app, strip)
        titles = "\n".join(drawn(strip))
        for n, (_, title) in enumerate(strip.tabs, 1):
            assert f"{n} {title}" in titles
        for tab in "1234567":
            await pilot.press(tab)
            await settle(app, pilot)
            every_key_is_shown(app)
        await pilot.press("2", "o")  # the org chart
        await settle(app, pilot)
        every_key_is_shown(app)
        await pilot.press("h")  # the whole history
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert inside(app, app.screen.query_one("#history-body"))
        every_key_is_shown(app)
        await pilot.press("escape", "escape")
        await settle(app, pilot)

        # the Book's other screens
        for key, kind in (
            ("b", PipelineScreen), ("H", HealthScreen), ("p", PlanScreen),
            ("comma", SettingsScreen), ("T", TrashScreen), ("i", ImportScreen),
        ):  # fmt: skip
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, kind), key
            every_key_is_shown(app)
            if kind is PipelineScreen:
                every_head_says_its_totals(app)
            if kind is ImportScreen:
                path = app.screen.query_one("#import-path", Input)
                assert inside(app, path) and path.size.width >= 30
                assert inside(app, app.screen.query_one("#import-skip", Checkbox))
                assert inside(app, app.screen.query_one("#import-encoding"))
                assert inside(app, app.screen.query_one("#import-sheet"))
            await pilot.press("escape")
            await settle(app, pilot)

        # ? lists every key of the Book; ctrl+p opens the palette inside the terminal
        await pilot.press("question_mark")
        await settle(app, pilot)
        panel = app.screen.query_one("HelpPanel")
        assert inside(app, panel) and panel.size.width >= 36
        listed = help_text(app)
        for description in keys:
            assert description in listed, (description, listed)
        if language == "zh":  # Textual's own keys (Tab, scrolling) in Chinese too
            assert "下一个区域" in listed and "Focus" not in listed and "Scroll" not in listed
        await pilot.press("question_mark", "ctrl+p")
        await settle(app, pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(Input).placeholder == S.PALETTE_PLACEHOLDER
        assert inside(app, palette.query_one("CommandList", OptionList))
        await pilot.press(*"zz")  # a search, then what was typed taken back: every command
        await pilot.press("backspace", "backspace")
        for _ in range(20):
            await pilot.pause(0.05)
            if palette.query_one("CommandList", OptionList).option_count >= 5:
                break
        listed = "\n".join(
            str(palette.query_one("CommandList", OptionList).get_option_at_index(i).prompt)
            for i in range(palette.query_one("CommandList", OptionList).option_count)
        )
        for command in (S.KEY_PLAN, S.KEY_PIPELINE, S.PALETTE_THEME, S.PALETTE_HELP, S.KEY_QUIT):
            assert command in listed, (command, listed)


def every_head_says_its_totals(app: KamApp) -> None:
    """Each stage column's head shows its stage, its count and total and its weighted value
    — the last line too, however the stage name wraps."""
    screen = app.screen
    assert isinstance(screen, PipelineScreen)
    heads = list(screen.query(".stage-head").results(Static))
    assert len({h.size.height for h in heads}) == 1  # the cards start on one line
    weighted = S.COLUMN_TOTALS.split("\n")[1].split("{")[0].strip()
    for column, head in zip(screen.columns, heads, strict=True):
        assert inside(app, head)
        shown = " ".join(drawn(head)).replace(" ", "")
        assert f"{column.weighted:,.0f}" in shown and weighted.replace(" ", "") in shown
        assert f"{column.total:,.0f}" in shown and S.stage_name(column.stage)[:4] in shown


def help_text(app: KamApp) -> str:
    """What the help panel (``?``) lists, as text."""
    table = app.screen.query_one("BindingsTable")
    console = Console(file=StringIO(), width=200, record=True)
    console.print(table.render())  # type: ignore[attr-defined]
    return console.export_text()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_team_view_shows_every_key_that_works(
    tmp_path: Path, size: tuple[int, int], language: str
) -> None:
    paths = [tmp_path / "a.db", tmp_path / "b.db"]
    for seed, path in enumerate(paths, 1):
        make_demo(path, accounts=30, seed=seed, today=TODAY).close()
    team = TeamBook.open_files(paths, today=TODAY)
    app = KamApp(team, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TeamBookScreen)
        keys = every_key_is_shown(app)
        table = app.screen.query_one(AccountTable)
        assert inside(app, table) and table.size.height >= 8  # the owners' lines give way
        assert not keys & {S.KEY_NEW, S.KEY_EDIT, S.KEY_DELETE, S.KEY_IMPORT, S.KEY_SETTINGS}
        await pilot.press("ctrl+p")  # nor does the palette offer them
        await settle(app, pilot)
        offered = palette_commands(app)
        assert S.KEY_PIPELINE in offered and S.KEY_PLAN in offered
        assert not {S.KEY_NEW, S.PALETTE_IMPORT, S.KEY_SETTINGS, S.KEY_TRASH} & set(offered)
        await pilot.press("escape", "enter")
        await settle(app, pilot)
        assert not every_key_is_shown(app) & {S.KEY_LOG, S.KEY_EDIT, S.KEY_PIN}
    team.close()


def palette_commands(app: KamApp) -> list[str]:
    """What the command palette offers before anything is typed."""
    commands = app.screen.query_one("CommandList", OptionList)
    prompts = (str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count))
    return [prompt.splitlines()[0] for prompt in prompts]  # the name, less its help


async def test_a_read_only_book_offers_no_writes(demo_path: Path) -> None:
    book = Book.open(demo_path, read_only=True)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        keys = every_key_is_shown(app)
        assert not keys & {S.KEY_NEW, S.KEY_EDIT, S.KEY_DELETE, S.KEY_SETTINGS}
        assert {S.KEY_IMPORT, S.KEY_TRASH, S.KEY_PLAN, S.KEY_PIPELINE} <= keys  # they read
        await pilot.press("n", "e", "delete", "comma")  # not offered: nothing happens
        await settle(app, pilot)
        assert type(app.screen).__name__ == "BookScreen"
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        offered = palette_commands(app)
        assert {S.PALETTE_IMPORT, S.KEY_TRASH, S.KEY_PLAN} <= set(offered)
        assert not {S.KEY_NEW, S.KEY_SETTINGS} & set(offered)
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(app, pilot)
        keys = every_key_is_shown(app)
        assert not keys & {S.KEY_LOG, S.KEY_EDIT, S.KEY_PIN}
        assert {S.KEY_HISTORY, S.KEY_BACK} <= keys
        await pilot.press("escape", "b")
        await settle(app, pilot)
        assert not every_key_is_shown(app) & {S.KEY_ADVANCE, S.KEY_MOVE_BACK, S.KEY_LOST}
        await pilot.press("escape", "p")
        await settle(app, pilot)
        assert S.KEY_TICK not in every_key_is_shown(app)
        await pilot.press("escape", "i")
        await settle(app, pilot)
        assert S.KEY_RUN_IMPORT not in every_key_is_shown(app)
    book.close()
