"""The account screen's decision map, tier pin and tasks, driven by keys as a rep would,
checked on screen and in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import settle
from textual.screen import Screen
from textual.widgets import Input, OptionList, Select, Static, TextArea, Tree

from kamtui.services.book import Book
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.contact_form import ContactForm
from kamtui.ui.screens.dialogs import (
    ConfirmDialog,
    InteractionDialog,
    PickDialog,
    ReasonDialog,
    TaskDialog,
)

TODAY = date(2026, 11, 23)
SIZE = (160, 50)
HOSTILE = "[@click=app.quit]云翔[/] \x1b[2J"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    b = Book.create(tmp_path / "b.db")
    aid = b.add_account(TODAY, name="云翔集团", owner="张伟")
    b.set_ratings(
        aid,
        {"strategic_fit": 5, "profit_potential": 5, "stability": 5, "market_influence": 5},
        TODAY,
    )
    yield b
    b.close()


def contacts(book: Book) -> list[tuple[Any, ...]]:
    with book.store.reading() as conn:
        return list(
            conn.exec_driver_sql(
                "SELECT name, role, stance, reports_to, left_on, version FROM contacts ORDER BY id"
            ).all()
        )


async def open_tab(app: KamApp, pilot, tab: str) -> AccountScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, AccountScreen)
    await pilot.press(tab)
    await settle(app, pilot)
    return app.screen


async def add_contact(app: KamApp, pilot, name: str, role: str, **selects: Any) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("a")
    await settle(app, pilot)
    form = app.screen
    assert isinstance(form, ContactForm)
    await pilot.press(*name)
    form.query_one("#f-role", Select).value = role
    for key, value in selects.items():
        form.query_one(f"#f-{key}", Select).value = value
    await pilot.press("ctrl+s")
    await settle(app, pilot)


async def test_add_contacts_and_the_warnings_go(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tab(app, pilot, "2")
        assert "no economic buyer mapped" in screen.section_text("coverage")
        assert "press a to add" in screen.section_text("map")

        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        await pilot.press("ctrl+s")  # no name: refused at the field, nothing saved
        await settle(app, pilot)
        assert form.is_current
        assert "needs a name" in str(form.query_one("#e-name", Static).render())
        form.query_one("#f-left_on", Input).value = "2099-01-01"
        await pilot.press(*"王总")
        await pilot.press("ctrl+s")  # left in the future: refused, what was typed is kept
        await settle(app, pilot)
        assert form.is_current
        assert "in the future" in str(form.query_one("#e-left_on", Static).render())
        assert form.query_one("#f-name", Input).value == "王总"
        assert contacts(book) == []
        form.query_one("#f-left_on", Input).value = ""
        form.query_one("#f-role", Select).value = "economic_buyer"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.is_current
        assert contacts(book) == [("王总", "economic_buyer", "neutral", None, None, 1)]
        assert "no economic buyer" not in screen.section_text("coverage")
        assert "single-threaded" in screen.section_text("coverage")

        await add_contact(app, pilot, "Li Wei", "evaluator", reports_to=1, stance="champion")
        assert contacts(book)[1] == ("Li Wei", "evaluator", "champion", 1, None, 1)
        assert "⚠" not in screen.section_text("coverage")
        assert "no coverage warnings" in screen.section_text("coverage")
        shown = screen.section_text("map")
        assert "economic buyer" in shown and "王总" in shown and "reports to 王总" in shown


async def test_move_mark_left_and_reports_to_by_keys(book: Book) -> None:
    aid = 1
    boss = book.add_contact(aid, TODAY, name="王总", role="economic_buyer")
    cto = book.add_contact(aid, TODAY, name="Li Wei", role="user", stance="champion")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tab(app, pilot, "2")
        tree = screen.query_one("#contacts", Tree)
        assert tree.has_focus
        assert screen.current_contact is not None and screen.current_contact.id == cto  # user first

        await pilot.press("m")  # move role: the picker starts on the current role
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PickDialog)
        assert picker.query_one(OptionList).highlighted == 0
        await pilot.press("down", "enter")  # user → technical evaluator
        await settle(app, pilot)
        assert contacts(book)[1][1] == "evaluator"
        assert screen.current_contact is not None and screen.current_contact.id == cto

        await pilot.press("r")  # reports to: nobody, 王总
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert contacts(book)[1][3] == boss

        await pilot.press("o")  # the org chart: Li Wei under 王总
        await settle(app, pilot)
        lines = screen.section_text("map").splitlines()
        assert lines[0].startswith("王总") and lines[1].startswith("  Li Wei")
        await pilot.press("o")

        await pilot.press("L")  # a champion leaves today: warnings and a flag at once
        await settle(app, pilot)
        assert contacts(book)[1][4] == TODAY.isoformat()
        assert "champion Li Wei left on 2026-11-23" in screen.section_text("coverage")
        assert "left 2026-11-23" in screen.section_text("map")
        await pilot.press("L")  # and back: a mistake undone
        await settle(app, pilot)
        assert contacts(book)[1][4] is None
        fields = [(c.field, c.new) for c in book.history(aid) if c.entity == "contact"]
        assert fields[:4] == [
            ("left_on", None),
            ("left_on", "2026-11-23"),
            ("reports_to", str(boss)),
            ("role", "evaluator"),
        ]


async def test_enter_edits_a_contact_and_a_stale_edit_is_refused(
    book: Book, tmp_path: Path
) -> None:
    cid = book.add_contact(1, TODAY, name="王总", role="economic_buyer")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, "2")
        await pilot.press("enter")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        assert form.query_one("#f-name", Input).value == "王总"
        other = Book.open(tmp_path / "b.db")  # someone else changes the stance meanwhile
        other.update_contact(cid, TODAY, {"stance": "skeptic"})
        other.close()
        form.query_one("#f-title", Input).value = "CFO"
        form.query_one("#f-stance", Select).value = "supporter"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # refused, what was typed kept
        assert "Stance: skeptic" in str(form.query_one("#stale-changes", Static).render())
        assert form.query_one("#f-title", Input).value == "CFO"
        await pilot.click("#reapply")
        await settle(app, pilot)
        assert not isinstance(app.screen, ContactForm)
    assert contacts(book) == [("王总", "economic_buyer", "supporter", None, None, 3)]


async def test_contact_text_is_data(book: Book) -> None:
    book.add_contact(1, TODAY, name=HOSTILE, role="economic_buyer", planned_action="[b]x[/b]")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tab(app, pilot, "2")
        shown = screen.section_text("map")
        assert "[@click=app.quit]云翔[/] ␛[2J" in shown and "[b]x[/b]" in shown
        await pilot.press("o")
        await settle(app, pilot)
        assert "[@click=app.quit]云翔[/]" in screen.section_text("map")
        assert app.is_running


async def test_pin_and_unpin_a_tier(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tab(app, pilot, "1")
        await pilot.press("t")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PickDialog)
        await pilot.press("down", "enter")  # S is computed: pick A
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # a pin needs a reason
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"战略客户降级观察")
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.is_current
        view = book.account_view(1, TODAY)
        assert (view.pinned_tier, view.pin_reason, view.derived.tier) == (
            "A",
            "战略客户降级观察",
            "A",
        )
        assert "pinned by hand: A — 战略客户降级观察" in screen.section_text("score")

        await pilot.press("t", "end", "enter")  # the last option unpins
        await settle(app, pilot)
        view = book.account_view(1, TODAY)
        assert (view.pinned_tier, view.derived.tier) == (None, "S")
        assert "pinned by hand" not in screen.section_text("score")


async def test_add_and_complete_a_task(book: Book) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tab(app, pilot, "6")
        assert "No open tasks" in screen.section_text("tasks")
        await pilot.press("a")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, TaskDialog)
        assert dialog.query_one("#task-due", Input).value == "2026-11-27"  # this Friday
        dialog.query_one("#task-due", Input).value = "明天"
        await pilot.press(*"准备 ROI 分析", "enter")  # Enter: on to the due date
        assert app.focused is dialog.query_one("#task-due")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog  # not a date: refused at the field
        assert "not a date" in str(dialog.query_one("#e-due", Static).render())
        dialog.query_one("#task-due", Input).value = "2026年11月25日"
        await pilot.press("enter")  # in the last field: saves
        await settle(app, pilot)
        assert screen.is_current
        (task,) = book.account_view(1, TODAY).tasks
        assert (task.title, task.due, task.done_on) == ("准备 ROI 分析", date(2026, 11, 25), None)
        assert "☐ 2026-11-25  准备 ROI 分析" in screen.section_text("tasks")

        await pilot.press("space")
        await settle(app, pilot)
        # done: listed as done, so that a tick made by mistake can be taken back
        assert book.account_view(1, TODAY).tasks == (task._replace(done_on=TODAY),)
        assert "☑ 2026-11-25  准备 ROI 分析  done 2026-11-23" in screen.section_text("tasks")
        assert "No open tasks" in str(screen.query_one("#tasks-note", Static).render())
        with book.store.reading() as conn:
            assert conn.exec_driver_sql("SELECT done_on FROM tasks").one() == ("2026-11-23",)
        await pilot.press("space")  # done already: nothing changes
        await settle(app, pilot)
        assert book.account_view(1, TODAY).tasks == (task._replace(done_on=TODAY),)

        await pilot.press("u")  # the tick taken back, with history
        await settle(app, pilot)
        assert book.account_view(1, TODAY).tasks == (task,)
        assert "☐ 2026-11-25  准备 ROI 分析" in screen.section_text("tasks")
        done_on = [(c.old, c.new) for c in book.history(1) if c.field == "done_on"]
        assert done_on == [("2026-11-23", None), (None, "2026-11-23")]


async def test_a_click_on_a_tab_title_shows_that_tab(book: Book) -> None:
    from kamtui.ui.widgets.tab_strip import TabStrip

    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tab(app, pilot, "1")
        strip = screen.query_one(TabStrip)
        x = next(x for x in range(120) if strip.tab_at(x) == "tasks")
        await pilot.click(TabStrip, offset=(x + 1, 0))  # + the strip's left padding
        await settle(app, pilot)
        assert screen.tab == "tasks" and strip.active == "tasks"
        assert screen.query_one("#task-list").display is False  # no tasks: the hint instead
        assert "No open tasks" in str(screen.query_one("#tasks-note", Static).render())
        await pilot.click(TabStrip, offset=(0, 0))  # the padding: nothing happens
        await settle(app, pilot)
        assert screen.tab == "tasks"


async def open_dialog(app: KamApp, pilot, which: str) -> Screen[Any]:  # type: ignore[no-untyped-def]
    """The dialog ``which`` (task, interaction, pin reason) on the open account."""
    if which == "task":
        await pilot.press("6", "a")
    elif which == "interaction":
        await pilot.press("l")
    else:  # a pin's reason: pick tier A first
        await pilot.press("1", "t")
        await settle(app, pilot)
        await pilot.press("down", "enter")
    await settle(app, pilot)
    return app.screen


@pytest.mark.parametrize(
    ("which", "kind", "field"),
    [
        ("task", TaskDialog, "#task-title"),
        ("interaction", InteractionDialog, "#log-summary"),
        ("reason", ReasonDialog, "#reason"),
    ],
)
async def test_leaving_a_dialog_with_typed_text_asks_first(
    book: Book, which: str, kind: type, field: str
) -> None:
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_tab(app, pilot, "1")
        dialog = await open_dialog(app, pilot, which)
        assert isinstance(dialog, kind)
        await pilot.press("escape")  # nothing typed: gone at once
        await settle(app, pilot)
        assert screen.is_current

        dialog = await open_dialog(app, pilot, which)
        assert isinstance(dialog, kind)
        await pilot.press(*"准备季度回顾")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # no: back, with the text
        await settle(app, pilot)
        assert dialog.is_current
        typed = dialog.query_one(field)
        assert isinstance(typed, TextArea | Input)
        assert (typed.text if isinstance(typed, TextArea) else typed.value) == "准备季度回顾"
        await pilot.click("#cancel")  # the Cancel button asks too
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")  # discard
        await settle(app, pilot)
        assert screen.is_current
    view = book.account_view(1, TODAY)
    assert (view.tasks, view.pinned_tier, view.profile["last_touch"]) == ((), None, None)
