"""The weekly plan screen: S tier first, ticking a touch or a task writes it, export writes a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pilot_helpers import settle
from textual.widgets import Input

from kamtui.domain.plan import IsoWeek
from kamtui.services.book import Book
from kamtui.ui.app import KamApp
from kamtui.ui.screens.dialogs import ReasonDialog
from kamtui.ui.screens.plan import PlanList, PlanScreen
from kamtui.ui.widgets.footer import KeyFooter

TODAY = date(2026, 11, 23)


async def open_plan(app: KamApp, pilot) -> PlanList:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    await pilot.press("p")
    await settle(app, pilot)
    assert isinstance(app.screen, PlanScreen)
    return app.screen.query_one(PlanList)


def interactions(book: Book, account_id: int) -> int:
    with book.store.reading() as conn:
        return conn.exec_driver_sql(
            "SELECT count(*) FROM interactions WHERE account_id = ? AND happened_on = ?",
            (account_id, TODAY.isoformat()),
        ).scalar_one()


async def test_plan_lists_the_week_s_tier_first(demo_book: Book) -> None:
    expected = demo_book.plan(IsoWeek(2026, 48), TODAY)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        assert [i.key for i in plan.items] == [i.key for i in expected.items]
        assert plan.items[0].tier == "S"
        assert "Weekly plan 2026-W48" in plan.screen.query_one("#title").render_line(0).text
        first = plan.render_line(0).text
        assert plan.items[0].account[:6] in first
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert "2026-W49" in plan.screen.query_one("#title").render_line(0).text


async def test_space_logs_a_touch_and_completes_a_task(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        touch = next(n for n, i in enumerate(plan.items) if i.kind == "exec_touch")
        item = plan.items[touch]
        before = interactions(demo_book, item.account_id)
        plan.cursor = touch
        await pilot.press("space")
        await settle(app, pilot)
        assert interactions(demo_book, item.account_id) == before + 1
        assert item.key in plan.done
        assert plan.render_line(touch - round(plan.scroll_offset.y)).text.startswith("☑")
        with demo_book.store.reading() as conn:
            executive = conn.exec_driver_sql(
                "SELECT executive FROM interactions WHERE account_id = ? ORDER BY id DESC LIMIT 1",
                (item.account_id,),
            ).scalar_one()
        assert executive

        task_index = next(n for n, i in enumerate(plan.items) if i.kind == "task")
        task = plan.items[task_index]
        plan.cursor = task_index
        await pilot.press("space")
        await settle(app, pilot)
        with demo_book.store.reading() as conn:
            done_on = conn.exec_driver_sql(
                "SELECT done_on FROM tasks WHERE id = ?", (task.ref,)
            ).scalar_one()
        assert str(done_on) == TODAY.isoformat()


async def test_export_markdown_from_the_screen(demo_book: Book, tmp_path: Path) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        assert app.screen.query_one(Input).value.endswith("plan-2026-W48.md")
        target = tmp_path / "mine.md"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# Weekly plan 2026-W48")
        assert f"{len(plan.items)} items" in text


async def test_export_ics_from_the_screen(demo_book: Book, tmp_path: Path) -> None:
    from icalendar import Calendar

    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        target = tmp_path / "week.ics"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        calendar = Calendar.from_ical(target.read_bytes())
        todos = [c for c in calendar.walk() if c.name == "VTODO"]
        assert len(todos) == len(plan.items)
        assert len({str(t["UID"]) for t in todos}) == len(todos)


async def test_the_chinese_ui_exports_a_chinese_plan(
    demo_book: Book, tmp_path: Path, chinese: None
) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        target = tmp_path / "周计划.md"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# 周计划 2026-W48")
        assert f"共 {len(plan.items)} 项" in text and "## S 级" in text


async def test_the_mouse_picks_ticks_and_opens_plan_items(demo_book: Book) -> None:
    from kamtui.ui.screens.account import AccountScreen

    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        row = next(n for n, i in enumerate(plan.items[:40]) if n and i.kind == "touch")
        item = plan.items[row]
        before = interactions(demo_book, item.account_id)
        await pilot.click(PlanList, offset=(0, row))  # the box of an item not under the cursor
        await settle(app, pilot)
        assert plan.cursor == row
        assert item.key not in plan.done  # the first click only picks it
        await pilot.click(PlanList, offset=(0, row))  # its box again: ticked
        await settle(app, pilot)
        assert item.key in plan.done
        assert interactions(demo_book, item.account_id) == before + 1
        await pilot.click(PlanList, offset=(30, row))  # the item's text: its account
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.account_id == item.account_id


async def test_export_asks_before_replacing_a_file_and_says_where_it_wrote(
    demo_book: Book, tmp_path: Path
) -> None:
    from kamtui.ui.screens.dialogs import ConfirmDialog

    target = tmp_path / "mine.md"
    target.write_text("my own notes", encoding="utf-8")
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(app, pilot)
        for answer in ("n", "y"):
            await pilot.press("e")
            await settle(app, pilot)
            app.screen.query_one(Input).value = str(target)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            question = app.screen
            assert isinstance(question, ConfirmDialog)
            text = " ".join(
                question.query_one("#question").render_line(y).text
                for y in range(question.query_one("#question").size.height)
            )
            assert "mine.md" in text and "Replace" in text
            await pilot.press(answer)
            await settle(app, pilot)
            assert isinstance(app.screen, PlanScreen)
            if answer == "n":
                assert target.read_text(encoding="utf-8") == "my own notes"  # kept
        assert target.read_text(encoding="utf-8").startswith("# Weekly plan 2026-W48")
        assert any(str(target) in str(n.message) for n in app._notifications)


async def test_a_ticked_item_stays_ticked_when_the_plan_is_shown_again(
    demo_book: Book, tmp_path: Path
) -> None:
    """Ticking an item done keeps it in the week's plan, ticked, however often the plan is
    worked out again (another week and back, or the plan opened again), and the export
    lists it done."""
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        touch = next(n for n, i in enumerate(plan.items) if i.kind == "touch")
        item = plan.items[touch]
        plan.cursor = touch
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("right_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        keys = [i.key for i in plan.items]
        assert item.key in keys
        row = keys.index(item.key)
        plan.cursor = row
        await settle(app, pilot)
        assert plan.render_line(row - round(plan.scroll_offset.y)).text.startswith("☑")
        await pilot.press("escape", "p")
        await settle(app, pilot)
        plan = app.screen.query_one(PlanList)
        assert item.key in [i.key for i in plan.items]
        await pilot.press("e")
        await settle(app, pilot)
        target = tmp_path / "week.md"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        text = target.read_text(encoding="utf-8")
        assert any(line.startswith("- [x]") and item.account in line for line in text.splitlines())


def row_text(plan: PlanList, row: int) -> str:
    return plan.render_line(row - round(plan.scroll_offset.y)).text


async def test_u_takes_a_tick_back_on_the_plan(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        row = next(n for n, i in enumerate(plan.items) if i.kind == "touch")
        item = plan.items[row]
        before = interactions(demo_book, item.account_id)
        plan.cursor = row
        await pilot.press("u")  # not ticked: nothing to take back
        await settle(app, pilot)
        assert interactions(demo_book, item.account_id) == before
        await pilot.press("space")
        await settle(app, pilot)
        assert row_text(plan, row).startswith("☑")
        await pilot.press("space")  # done already: no second call
        await settle(app, pilot)
        assert interactions(demo_book, item.account_id) == before + 1
        await pilot.press("u")
        await settle(app, pilot)
        assert row_text(plan, row).startswith("☐") and item.key not in plan.done
        assert interactions(demo_book, item.account_id) == before
        assert item.key not in demo_book.plan(IsoWeek(2026, 48), TODAY).done


async def test_z_puts_an_item_off_until_a_day_and_z_again_brings_it_back(
    demo_book: Book,
) -> None:
    from kamtui.ui.screens.plan_dialogs import SnoozeDialog

    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        row = next(n for n, i in enumerate(plan.items) if i.kind == "health")
        item = plan.items[row]
        plan.cursor = row
        await pilot.press("z")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, SnoozeDialog)
        until = dialog.query_one("#f-until", Input)
        assert until.value == "2026-11-30"  # next Monday
        assert "^s" in dialog.query_one(KeyFooter).render().plain  # ctrl+s saves, said there
        until.value = "2026-11-23"  # today: refused at the field
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert dialog.is_current
        assert "later day than today" in str(dialog.query_one("#e-until").render())
        until.value = "2026-12-02"
        dialog.query_one("#f-reason", Input).value = "CFO on leave"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)
        assert item.key not in [i.key for i in plan.items]
        line = next(n for n, r in enumerate(plan.lines) if r.kind == "snoozed")
        assert "1 put off until a later day: press m to show them" in row_text(plan, line)
        plan.cursor = line
        await pilot.press("enter")  # the line shows them
        await settle(app, pilot)
        assert plan.lines[line + 1].item == item
        shown = row_text(plan, line + 1)
        assert shown.startswith("↷") and "put off until 2026-12-02: CFO on leave" in shown
        plan.cursor = line + 1
        await pilot.press("z")
        await settle(app, pilot)
        assert item.key in [i.key for i in plan.items] and not plan.plan.snoozed


async def test_a_batch_lists_its_accounts_and_logs_the_standard_email_to_those_ticked(
    demo_book: Book,
) -> None:
    from textual.widgets import SelectionList

    from kamtui.ui.screens.plan_dialogs import BatchDialog

    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        plan = await open_plan(app, pilot)
        row = next(n for n, i in enumerate(plan.items) if i.kind == "batch")
        batch = plan.items[row]
        members = plan.plan.members(batch)
        assert f"▸ {len(members)} accounts" in row_text(plan, row)
        plan.cursor = row
        await pilot.press("enter")
        await settle(app, pilot)
        assert [r.item for r in plan.lines[row + 1 : row + 1 + len(members)]] == members
        assert row_text(plan, row + 1).startswith("   ☐ " + members[0].due.isoformat())
        assert members[0].account[:4] in (row_text(plan, row + 1))
        await pilot.press("space")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, BatchDialog)
        accounts = dialog.query_one(SelectionList)
        assert sorted(accounts.selected) == list(range(len(members)))
        await pilot.press("space")  # the first left out
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)
        with demo_book.store.reading() as conn:
            emails = conn.exec_driver_sql(
                "SELECT account_id FROM interactions WHERE kind = 'email' AND happened_on = ?",
                (TODAY.isoformat(),),
            ).all()
        assert sorted(a for (a,) in emails) == sorted(m.account_id for m in members[1:])
        assert members[0].key not in plan.done and members[1].key in plan.done
        assert f"{len(members) - 1} of {len(members)} done" in row_text(plan, row)
        plan.cursor = row + 1  # the one left out, ticked on its own: an e-mail too
        await pilot.press("space")
        await settle(app, pilot)
        assert batch.key in plan.done and row_text(plan, row).startswith("☑")
