"""The import screen, driven as a rep drives it: `i` on the Book, a path typed and Enter,
a column mapped by hand, `ctrl+s` to import; checked on the screen and in the book."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import settle
from textual.command import CommandPalette
from textual.widgets import Checkbox, DataTable, OptionList, Select, Static

from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.screens.book import BookScreen
from kamtui.ui.screens.import_screen import ImportScreen
from kamtui.ui.widgets.account_table import AccountTable

TODAY = date(2026, 11, 23)
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    with Book.create(tmp_path / "empty.db") as book:
        yield book


async def open_file(app: KamApp, pilot, path: Path) -> ImportScreen:  # type: ignore[no-untyped-def]
    """`i` on the Book, the path typed into the path field, Enter."""
    await settle(app, pilot)
    await pilot.press("i")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    await pilot.press(*str(path), "enter")
    await settle(app, pilot)
    return screen


def shown(screen: ImportScreen, selector: str) -> str:
    widget = screen.query_one(selector, Static)
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def table_rows(screen: ImportScreen, selector: str) -> list[list[str]]:
    table: DataTable[object] = screen.query_one(selector, DataTable)
    return [
        [str(getattr(c, "plain", c)) for c in table.get_row_at(r)] for r in range(table.row_count)
    ]


def row_labels(screen: ImportScreen, selector: str) -> list[str]:
    table: DataTable[object] = screen.query_one(selector, DataTable)
    return [str(getattr(row.label, "plain", row.label)) for row in table.ordered_rows]


def names(book: Book) -> list[str]:
    return sorted(r.name for r in book.page(BookQuery(), 0, 100))


async def test_a_typed_path_is_previewed_then_imported_and_the_book_reloads(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_file(app, pilot, DATA / "accounts_utf8_bom.csv")
        assert "would create 4" in shown(screen, "#import-summary")
        assert "semicolon" in shown(screen, "#import-summary")
        rows = table_rows(screen, "#import-preview")
        assert rows[0][:3] == ["Northwind Logistics Inc", "Logistics", "Singapore"]
        assert row_labels(screen, "#import-preview") == ["2", "3", "4", "5"]
        assert screen.query_one("#map-0", Select).value == "name"
        assert names(book) == []  # checking writes nothing

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "created 4" in shown(screen, "#import-result")
        assert len(names(book)) == 4
        assert "Northwind Logistics Inc" in names(book)
        assert book.summary(TODAY).by_tier.get("unscored", 0) == 0  # tiers computed

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, BookScreen)
        assert app.screen.query_one(AccountTable).total == 4


async def test_bad_rows_import_nothing_and_are_listed_by_line(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_file(app, pilot, DATA / "accounts_bad.csv")
        problems = table_rows(screen, "#import-errors")
        assert [r[0] for r in problems] == ["3", "4", "5", "6", "9"]
        assert problems[0][1:3] == ["annual_revenue", "about a million"]
        assert "Rows with errors: 5" in shown(screen, "#import-summary")
        assert "likely the same company" in shown(screen, "#import-report")

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Nothing was imported" in shown(screen, "#import-result")
        assert names(book) == []


async def test_skip_invalid_imports_the_valid_rows(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_file(app, pilot, DATA / "accounts_bad.csv")
        await pilot.click("#import-skip")
        await pilot.pause()
        assert screen.query_one("#import-skip", Checkbox).value
        assert "imports 3 valid rows" in shown(screen, "#import-summary")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        result = shown(screen, "#import-result")
        assert "created 3" in result and "Skipped 5" in result
        assert names(book) == ["Good One Limited", "Good One Ltd", "Good Two Ltd"]


async def test_a_gb18030_file_with_chinese_headers_previews_correctly(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_file(app, pilot, DATA / "accounts_gb18030.csv")
        assert "gb18030" in shown(screen, "#import-summary")
        preview: DataTable[object] = screen.query_one("#import-preview", DataTable)
        headers = [c.label.plain.split("\n") for c in preview.ordered_columns]
        assert headers[0] == ["客户名称", "→ name"]
        assert headers[4] == ["年营业额", "→ annual_revenue"]
        rows = table_rows(screen, "#import-preview")
        assert rows[0][:4] == ["云翔集团有限公司", "制造业", "汽车零部件", "上海"]
        assert rows[0][9] == "数据孤岛，报表靠手工␊交付周期长"  # the line break stays visible
        assert row_labels(screen, "#import-preview")[:2] == ["2", "4"]  # line 3 is inside a cell
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "云翔集团有限公司" in names(book)


async def test_markup_in_a_name_is_shown_and_stored_literally(book: Book, tmp_path: Path) -> None:
    evil = "[@click=app.quit]云翔[/]"
    path = tmp_path / "markup.csv"
    path.write_text(f"客户名称,行业\n{evil},[b]制造业[/b]\n", encoding="utf-8")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_file(app, pilot, path)
        assert table_rows(screen, "#import-preview") == [[evil, "[b]制造业[/b]"]]
        await pilot.click("#import-preview")  # a click on the cell runs nothing
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.is_running
        assert names(book) == [evil]
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.query_one(AccountTable).total == 1


async def test_a_column_mapped_by_hand(book: Book, tmp_path: Path) -> None:
    """A header kamtui does not know: the check names the missing field, the rep maps the
    column with its Select, and the file imports."""
    path = tmp_path / "firmen.csv"
    path.write_text("Firma,Branche\nMüller GmbH,Maschinenbau\n", encoding="utf-8")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_file(app, pilot, path)
        assert "no column for name" in shown(screen, "#import-summary")
        assert screen.query_one("#map-0", Select).value == ""  # not imported yet
        assert table_rows(screen, "#import-preview") == [["Müller GmbH", "Maschinenbau"]]

        await pilot.click("#map-0")  # open the list of fields
        await pilot.press("n", "enter")  # type to find "name", choose it
        await settle(app, pilot)
        assert screen.query_one("#map-0", Select).value == "name"
        assert "would create 1" in shown(screen, "#import-summary")
        assert "Branche" in shown(screen, "#import-report")  # still left out

        await pilot.click("#map-1")
        await pilot.press(*"industry", "enter")
        await settle(app, pilot)
        assert screen.query_one("#map-1", Select).value == "industry"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    row = book.page(BookQuery(), 0, 10)[0]
    assert row.name == "Müller GmbH"
    assert book.account_view(row.id, TODAY).profile["industry"] == "Maschinenbau"


async def test_files_that_cannot_be_read_are_messages_not_crashes(
    book: Book, tmp_path: Path
) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_file(app, pilot, tmp_path / "missing.csv")
        assert "No file at" in shown(screen, "#import-summary")
        await pilot.press("ctrl+s")  # nothing checked: nothing happens
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, ImportScreen)

        # a GB18030 file read as UTF-8 is refused with the line of the bad bytes
        await pilot.click("#import-path")
        await pilot.press("ctrl+a", "ctrl+k", *str(DATA / "accounts_gb18030.csv"))
        await pilot.click("#import-encoding")
        await pilot.press("down", "enter")  # auto → UTF-8: checked again at once
        await settle(app, pilot)
        assert screen.query_one("#import-encoding", Select).value == "utf-8"
        summary = shown(screen, "#import-summary")
        assert "cannot be read as UTF-8" in summary and "line 1" in summary
        assert names(book) == []


async def test_a_team_view_has_no_import(demo_path: Path) -> None:
    from kamtui.services.team import TeamBook

    team = TeamBook.open_files([demo_path], today=TODAY)
    app = KamApp(team, today=TODAY)
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(app, pilot)
            await pilot.press("i")
            await settle(app, pilot)
            assert not isinstance(app.screen, ImportScreen)
    finally:
        team.close()


async def test_the_import_key_is_in_the_help_and_the_palette(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        assert app.screen.active_bindings["i"].binding.description == "Import"
        await pilot.press("question_mark")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"import a file")
        commands = app.screen.query_one("CommandList", OptionList)
        for _ in range(40):  # the palette searches in the background
            await pilot.pause(0.05)
            if commands.option_count and "Import a file" in str(
                commands.get_option_at_index(0).prompt
            ):
                break
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ImportScreen)
        assert app.screen.active_bindings["ctrl+s"].binding.description == "Import"
