"""The import screen refusing files and rows where the rep looks: the summary line (or, for
an import, the result line) says what is wrong in one sentence, in view, and a notification
says it too; the screen never stays on "Checking…" and the rep can pick another file or
change the mapping at once. Files from tests/data and tests/files_missing_a_column.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import settle
from textual.widgets import Checkbox, DataTable, Select, Static

from files_missing_a_column import required, write_without
from kamtui.services import importer
from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.screens.import_screen import ImportScreen

TODAY = date(2026, 11, 23)
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    with Book.create(tmp_path / "book.db") as book:
        importer.import_file(book, "accounts", DATA / "accounts_gb18030.csv", TODAY)
        yield book


def shown(screen: ImportScreen, selector: str) -> str:
    widget = screen.query_one(selector, Static)
    return " ".join(widget.render_line(y).text.strip() for y in range(widget.size.height))


def notified(app: KamApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def in_view(screen: ImportScreen, selector: str) -> bool:
    widget = screen.query_one(selector)
    return widget.size.height > 0 and screen.region.contains_region(widget.region)


def problems(screen: ImportScreen) -> list[list[str]]:
    table: DataTable[Any] = screen.query_one("#import-errors", DataTable)
    return [
        [str(getattr(c, "plain", c)) for c in table.get_row_at(r)] for r in range(table.row_count)
    ]


async def open_screen(app: KamApp, pilot: Any, kind: str = "accounts") -> ImportScreen:
    await settle(app, pilot)
    await pilot.press("i")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#import-kind", Select).value = kind
    await settle(app, pilot)
    return screen


async def check(app: KamApp, pilot: Any, screen: ImportScreen, path: Path) -> None:
    """Type ``path`` over what the path field holds, and Enter."""
    await pilot.click("#import-path")
    await pilot.press("ctrl+a", "ctrl+k", *str(path), "enter")
    await settle(app, pilot)


@pytest.mark.parametrize("kind", importer.KINDS)
async def test_a_file_missing_a_column_is_refused_by_name_and_the_screen_stays_usable(
    book: Book, tmp_path: Path, kind: str
) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot, kind)
        for missing in required(kind):
            for chinese in (False, True):
                path = write_without(tmp_path, kind, missing, chinese)
                await check(app, pilot, screen, path)
                summary = shown(screen, "#import-summary")
                assert f"Checking {path.name}…" not in summary
                what = "naming the account" if missing == "account" else f"for {missing}"
                assert f"{path.name} has no column {what}" in summary
                assert summary.endswith(f"(--map COLUMN={missing}).")  # read whole
                assert in_view(screen, "#import-summary")
                assert any(f"{path.name} has no column {what}" in n for n in notified(app))
                assert not screen.query_one("#import-progress").display
                # the file's columns are there to be mapped
                headers = [str(s.render()) for s in screen.query(".import-header").results(Static)]
                assert "备注" in headers
        complete = write_without(tmp_path, kind, None, chinese=True)
        await check(app, pilot, screen, complete)
        assert "would create 1" in shown(screen, "#import-summary")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "created 1" in shown(screen, "#import-result")


async def test_a_missing_column_mapped_by_hand_then_imports(book: Book) -> None:
    """The rep maps 职位 to name on the left (a poor choice, but theirs): the check runs
    again at once and the file imports."""
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_screen(app, pilot, "contacts")
        await check(app, pilot, screen, DATA / "contacts_no_name_gb18030.csv")
        assert "has no column for name" in shown(screen, "#import-summary")
        screen.query_one("#map-1", Select).value = "name"
        await settle(app, pilot)
        assert "would create 2" in shown(screen, "#import-summary")


async def test_rows_that_do_not_fit_the_header_are_listed_by_line(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        await check(app, pilot, screen, DATA / "accounts_ragged.csv")
        rows = problems(screen)
        assert [r[0] for r in rows] == ["5", "6", "8"]
        assert rows[0][2] == "Acme, Inc,Manufacturing,Shanghai"
        assert rows[0][3].startswith("4 cells where the header has 3")
        summary = shown(screen, "#import-summary")
        assert "Rows with errors: 3" in summary
        # the first bad row, whole, where the rep looks (the table is narrow at 80×24)
        assert "First: line 5: 4 cells where the header has 3" in summary
        assert summary.endswith('must be in quotes: "Acme, Inc").')
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        result = shown(screen, "#import-result")
        assert "Nothing was imported" in result and in_view(screen, "#import-result")
        assert any("Nothing was imported" in n for n in notified(app))
        screen.query_one("#import-skip", Checkbox).value = True
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Skipped 3" in shown(screen, "#import-result")
    regions = {r["name"]: r["region"] for r in book.account_records(TODAY)}
    assert regions["华信医疗股份有限公司"] == "北京\r\n朝阳区"
    assert "Acme" not in " ".join(regions)


async def test_a_formula_without_a_value_is_a_problem_in_its_cell(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_screen(app, pilot, "orders")
        await check(app, pilot, screen, DATA / "orders_formulas.xlsx")
        assert "First: row 7, column 金额: a formula" in shown(screen, "#import-summary")
        assert problems(screen) == [
            [
                "7", "金额", "=D7*E7",
                "a formula with no computed value (=D7*E7): open the file in Excel or "
                "LibreOffice, save it, and import it again",
            ]
        ]  # fmt: skip


async def test_refusals_are_said_in_chinese(book: Book, chinese: None) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot, "contacts")
        await check(app, pilot, screen, DATA / "contacts_no_name_gb18030.csv")
        summary = shown(screen, "#import-summary")
        assert "contacts_no_name_gb18030.csv 没有 name 列（表头可为 'name' 或 '姓名'）" in summary
        assert any("没有 name 列" in n for n in notified(app))
        screen.query_one("#import-kind", Select).value = "accounts"
        await check(app, pilot, screen, DATA / "accounts_ragged.csv")
        assert "第一处：第 5 行：本行有 4 个单元格" in shown(screen, "#import-summary")
        reasons = [r[3] for r in problems(screen)]
        assert reasons[0].startswith("本行有 4 个单元格，表头只有 3 个：数据会错位（含逗号的值")
        assert reasons[1].startswith("本行只有 2 个单元格")
        assert reasons[2].startswith('本行的引号（"）没有闭合：第 8–10 行')


async def test_a_check_that_fails_unexpectedly_leaves_checking(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the check (not a refusal): the app names it and where the log is; the screen
    says it in place of "Checking…", and the next file is checked as usual."""
    real = importer.check

    def broken(*args: Any, **kwargs: Any) -> Any:
        if str(args[2]).endswith("contacts_tab.csv"):
            raise KeyError("stage")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "check", broken)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot, "contacts")
        await check(app, pilot, screen, DATA / "contacts_tab.csv")
        summary = shown(screen, "#import-summary")
        assert "Checking contacts_tab.csv…" not in summary
        assert "Checking the file failed (KeyError)" in summary
        assert any("KeyError" in n for n in notified(app))
        assert not screen.query_one("#import-progress").display
        screen.query_one("#import-kind", Select).value = "accounts"
        await check(app, pilot, screen, DATA / "accounts_utf8_bom.csv")
        assert "would create 4" in shown(screen, "#import-summary")


async def test_an_import_that_fails_says_so_in_the_result_line(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(importer, "commit", broken)
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(app, pilot)
        await check(app, pilot, screen, DATA / "accounts_utf8_bom.csv")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "OSError" in shown(screen, "#import-result")
        assert in_view(screen, "#import-result")
        assert any("OSError" in n for n in notified(app))
        assert not screen.busy and not screen.query_one("#import-progress").display
        await pilot.press("escape")  # not stuck: the rep can leave
        await settle(app, pilot)
        assert not isinstance(app.screen, ImportScreen)
    assert book.count(BookQuery()) == 5
