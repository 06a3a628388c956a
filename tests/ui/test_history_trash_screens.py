"""The trash, the change history and the stale-save dialog, driven by keys as a rep would,
checked on screen and in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import settle, shown_after
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Select

from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.account_form import AccountForm
from kamtui.ui.screens.contact_form import ContactForm
from kamtui.ui.screens.deal_form import DealForm
from kamtui.ui.screens.dialogs import ConfirmDialog
from kamtui.ui.screens.form import SavingForm
from kamtui.ui.screens.history import HistoryScreen
from kamtui.ui.screens.trash import TrashScreen
from kamtui.ui.widgets.account_table import AccountTable
from kamtui.ui.widgets.footer import KeyFooter

TODAY = date(2026, 11, 23)
SIZE = (160, 50)


def widget_text(widget: Widget) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def book_ids(book: Book) -> set[int]:
    return {r.id for r in book.page(BookQuery(), 0, 10_000)}


async def test_delete_asks_first_then_the_trash_lists_it_and_restores_it(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        row = table.current
        assert row is not None
        total = table.total

        await pilot.press("delete")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert row.name in widget_text(dialog.query_one("#question"))
        await pilot.press("escape")  # changed my mind: nothing happens
        await settle(app, pilot)
        assert row.id in book_ids(demo_book) and demo_book.trash() == []

        await pilot.press("delete")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert row.id not in book_ids(demo_book)
        assert table.total == total - 1
        assert all(
            getattr(table.row_at(i), "id", None) != row.id for i in range(min(table.total, 50))
        )
        assert [t.id for t in demo_book.trash()] == [row.id]

        await pilot.press("T")
        await settle(app, pilot)
        trash = app.screen
        assert isinstance(trash, TrashScreen)
        grid = trash.query_one(DataTable)
        assert grid.row_count == 1
        assert row.name[:8] in widget_text(grid)
        assert "Trash · 1 deleted account" in widget_text(trash.query_one("#title"))

        await pilot.press("r")
        await settle(app, pilot)
        assert grid.row_count == 0
        assert demo_book.trash() == []
        assert row.id in book_ids(demo_book)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.query_one(AccountTable).total == total


async def test_purge_needs_a_second_confirmation_naming_the_account(demo_book: Book) -> None:
    victim = demo_book.page(BookQuery(), 0, 1)[0]
    demo_book.delete_account(victim.id)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, TrashScreen)

        await pilot.press("P")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert victim.name in widget_text(dialog.query_one("#question"))
        assert "cannot be undone" in " ".join(widget_text(dialog.query_one("#question")).split())
        await pilot.press("enter")  # the focus starts on Cancel
        await settle(app, pilot)
        assert isinstance(app.screen, TrashScreen)
        assert [t.id for t in demo_book.trash()] == [victim.id]

        await pilot.press("P")
        await settle(app, pilot)
        app.screen.query_one("#yes", Button).press()
        await settle(app, pilot)
        assert isinstance(app.screen, TrashScreen)
        assert demo_book.trash() == []
        assert app.screen.query_one(DataTable).row_count == 0
        with demo_book.store.reading() as conn:
            n = conn.exec_driver_sql("SELECT count(*) FROM accounts WHERE id = ?", (victim.id,))
            assert n.scalar_one() == 0


async def test_the_account_screen_shows_the_history_after_an_edit(demo_book: Book) -> None:
    demo_book.set_user_name("张伟 [b]x[/b]")
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        before = screen.view.profile["region"]  # type: ignore[union-attr]
        assert "History" in screen.section_text("history")
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        form.query_one("#f-region", Input).value = "深圳 [red]南山[/]"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.is_current
        history = screen.section_text("history").splitlines()
        newest = history[1]
        assert "Region / HQ: " in newest
        assert f"{before} → 深圳 [red]南山[/]" in newest  # shown as typed, never as markup
        assert "张伟 [b]x[/b]" in newest

        await pilot.press("h")  # every change, in a dialog of its own
        await settle(app, pilot)
        full = app.screen
        assert isinstance(full, HistoryScreen)
        lines = widget_text(full.query_one("#history-lines"))
        assert "Region / HQ: " in lines.splitlines()[0] and "深圳 [red]南山[/]" in lines
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen.is_current


@pytest.fixture
def other(demo_path: Path) -> Iterator[Book]:
    """A second app instance on the same file, used by 李娜."""
    book = Book.open(demo_path)
    book.set_user_name("李娜")
    yield book
    book.close()


async def open_form(app: KamApp, pilot) -> tuple[AccountForm, int]:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    row = app.screen.query_one(AccountTable).current
    assert row is not None
    await pilot.press("e")
    await settle(app, pilot)
    form = app.screen
    assert isinstance(form, AccountForm)
    return form, row.id


async def test_a_stale_save_shows_their_values_and_re_apply_saves_only_mine(
    demo_book: Book, other: Book
) -> None:
    """Re-apply writes the fields I changed (region, a rating, and industry, which 李娜
    changed too) over hers, and leaves the fields only she changed as she left them."""
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        form, aid = await open_form(app, pilot)
        before = demo_book.account_view(aid, TODAY)
        rating = before.derived.score.breakdown[0]
        other.update_account(
            aid, TODAY, fields={"industry": "能源", "segment": "储能", "owner": "李娜"},
            ratings={"stability": 1},
        )  # fmt: skip

        form.query_one("#f-region", Input).value = "深圳"
        form.query_one("#f-industry", Input).value = "制造"
        form.query_one(f"#r-{rating.key}", Select).value = (rating.rating or 1) % 5 + 1
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert form.is_current
        assert "Changed elsewhere" in widget_text(form.query_one("#stale-changes"))
        box = form.query_one("#stale-changes")
        assert box.display and form.query_one("#stale-buttons").display
        assert not form.query_one("#form-buttons").display  # the choices replace Save
        shown = widget_text(box)
        assert "Industry: 能源  (李娜, " in shown and "yours: 制造" in shown
        assert "Sub-segment: 储能" in shown and "yours" not in shown.split("Sub-segment")[1][:40]
        assert "only what you changed (Industry, Region / HQ, strategic fit" in " ".join(
            shown.split()
        )
        footer = [(e.key, e.description) for e in form.query_one(KeyFooter).entries]
        assert ("ctrl+r", "Reload theirs") in footer and ("ctrl+o", "Re-apply mine") in footer
        assert ("escape", "Cancel") in footer
        assert form.query_one("#f-region", Input).value == "深圳"  # what I typed is kept
        assert demo_book.account_view(aid, TODAY).profile["industry"] == "能源"

        await pilot.press("ctrl+o")  # re-apply mine
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
    view = other.account_view(aid, TODAY)
    profile = view.profile
    assert (profile["industry"], profile["region"]) == ("制造", "深圳")  # mine
    assert (profile["segment"], profile["owner"]) == ("储能", "李娜")  # hers, untouched
    ratings = {line.key: line.rating for line in view.derived.score.breakdown}
    assert ratings["stability"] == 1 and ratings[rating.key] == (rating.rating or 1) % 5 + 1
    newest = max(c.version or 0 for c in view.history)
    mine = [c for c in view.history if c.version == newest]  # the re-applied save
    assert {c.field for c in mine} == {"industry", "region", rating.key}


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_a_stale_contact_and_deal_offer_the_same_choices_by_key_and_button(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """Every conflict offers Reload, Re-apply mine and Cancel, by key and by button, in
    view; re-applying a contact or a deal writes back only the fields I changed."""
    book = Book.create(tmp_path / "b.db")
    aid = book.add_account(TODAY, name="云翔集团")
    boss = book.add_contact(aid, TODAY, name="刘总", role="economic_buyer")
    cid = book.add_contact(aid, TODAY, name="王芳", role="evaluator", title="IT 经理")
    deal = book.add_deal(aid, TODAY, name="二期扩容", amount=500_000, next_step="演示")
    second = Book.open(tmp_path / "b.db")
    second.set_user_name("李娜")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "2")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        screen.edit_contact(cid)
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        second.update_contact(cid, TODAY, {"reports_to": boss, "title": "CIO"})
        form.query_one("#f-stance", Select).value = "champion"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert form.stale is not None
        for button in ("#reload", "#reapply", "#stale-cancel"):
            widget = form.query_one(button)
            assert widget.display and in_view(form, widget), (
                button,
                widget.region,
                form.query_one("#form-body").content_region,
            )
        shown = " ".join(widget_text(form.query_one("#stale-changes")).split())
        assert "Reports to: 刘总" in shown  # a name, not an id
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert screen.is_current
        contact = next(c for c in book.account_view(aid, TODAY).contacts if c.id == cid)
        assert (contact.stance, contact.title, contact.reports_to) == ("champion", "CIO", boss)

        await pilot.press("3")
        await settle(app, pilot)
        deal_form = await shown_after(app, pilot, "enter", screen=DealForm)
        second.update_deal(deal, TODAY, {"amount": 900_000})
        second.move_deal(deal, TODAY, force_reason="客户催")
        deal_form.query_one("#f-next_step", Input).value = "签合同"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert deal_form.stale is not None
        assert "Reload" in str(deal_form.query_one("#reload", Button).label)
        assert in_view(deal_form, deal_form.query_one("#reload")), (
            deal_form.query_one("#reload").region, deal_form.query_one("#form-body").content_region,
            deal_form.query_one("#stale-changes").region,
        )  # fmt: skip
        await pilot.press("ctrl+r")  # reload: their values, mine dropped
        await settle(app, pilot)
        assert deal_form.is_current and deal_form.stale is None
        assert deal_form.query_one("#f-amount", Input).value == "900,000"
        assert deal_form.query_one("#f-next_step", Input).value == "演示"
        deal_form.query_one("#f-name", Input).value = "二期扩容（云翔）"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.is_current
        d = book.account_view(aid, TODAY).deals[0]
        assert (d.name, d.amount, d.next_step, d.stage) == ("二期扩容（云翔）", 900_000, "演示", 2)

        deal_form = await shown_after(app, pilot, "enter", screen=DealForm)
        second.update_deal(deal, TODAY, {"next_step": "报价"})
        deal_form.query_one("#f-amount", Input).value = "1,000,000"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert deal_form.stale is not None
        await pilot.press("escape")  # cancel: asks, as I typed something
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert screen.is_current
    d = book.account_view(aid, TODAY).deals[0]
    assert (d.amount, d.next_step) == (900_000, "报价")
    second.close()
    book.close()


def in_view(form: SavingForm, widget: Widget) -> bool:
    """Whether ``widget`` is drawn within the form's scrolled view and on the screen."""
    body = form.query_one("#form-body").content_region
    region = widget.region
    return region.height > 0 and region in body and region in form.region


async def test_a_stale_save_reloaded_shows_the_newest_values(demo_book: Book, other: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        form, aid = await open_form(app, pilot)
        region = form.query_one("#f-region", Input).value
        other.update_account(aid, TODAY, fields={"industry": "能源"})
        form.query_one("#f-region", Input).value = "深圳"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert form.stale is not None

        form.query_one("#reload", Button).press()
        await settle(app, pilot)
        assert form.is_current and form.stale is None
        assert not form.query_one("#stale-changes").display
        assert form.query_one("#f-industry", Input).value == "能源"
        assert form.query_one("#f-region", Input).value == region  # mine discarded
        form.query_one("#f-pain_points", Input).value = "续约前要见CFO"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
        view = other.account_view(aid, TODAY)
        assert (view.profile["industry"], view.profile["pain_points"]) == ("能源", "续约前要见CFO")


@pytest.fixture
def changed(tmp_path: Path) -> Iterator[Book]:
    """An account whose history holds every kind of internal value: a reports-to id,
    role, stance, influence, status, track, stage, deliverable, yes/no and a pinned tier."""
    book = Book.create(tmp_path / "h.db")
    aid = book.add_account(TODAY, name="云翔集团", status="prospect", track="price")
    boss = book.add_contact(aid, TODAY, name="刘总", role="economic_buyer")
    cid = book.add_contact(aid, TODAY, name="王芳", role="evaluator", stance="neutral")
    book.update_contact(
        cid,
        TODAY,
        {"reports_to": boss, "role": "finance", "stance": "champion", "influence": "high"},
    )
    book.update_account(
        aid, TODAY,
        fields={"status": "customer", "track": "lighthouse", "renewal_intent": True,
                "annual_revenue": 12_000_000},
    )  # fmt: skip
    deal = book.add_deal(aid, TODAY, name="二期扩容", amount=500_000)
    book.check_deliverable(deal, "initial_assessment", True, TODAY)
    book.move_deal(deal, TODAY, force_reason="客户催")
    book.pin_tier(aid, "S", "战略客户", TODAY)
    yield book
    book.close()


RAW = ("→ 1 ", ": evaluator →", "→ finance", "→ lighthouse", "→ yes", "→ True", "12000000",
       "deliverable:")  # fmt: skip
KEYS = ("champion", "neutral", "medium", "high", "prospect", "customer", "evaluator", "price")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Reports to: – → 刘总", "Buying role: technical evaluator → financial controller",
                "Stance: neutral → champion", "Influence: medium → high",
                "Status: prospect → customer", "Track: price-sensitive → strategic lighthouse",
                "Renewal / upsell intent: – → Yes", "deal 二期扩容: Stage: 1 ",
                "→ 2 Solution design", "Deliverable initial account assessment",
                "not ticked → ticked", "Annual revenue: – → 12,000,000", "Pinned tier: – → S",
                "contact 王芳: Reports to"]),
        ("zh", ["汇报对象：– → 刘总", "采购角色：技术评估者 → 财务把关者", "态度：中立 → 内线",
                "影响力：中 → 高", "状态：潜在客户 → ", "赛道：价格敏感型 → 战略灯塔型",
                "续约/增购意向：– → 是", "商机 二期扩容：阶段：1 ", "未勾选 → 已勾选",
                "联系人 王芳：汇报对象"]),
    ],
)  # fmt: skip
async def test_history_says_names_and_the_ui_s_words_not_keys_or_ids(
    changed: Book, lang: str, words: list[str]
) -> None:
    from kamtui.ui import strings as S

    S.set_language(lang)
    try:
        app = KamApp(changed, today=TODAY)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("enter", "7")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, AccountScreen)
            tab = " ".join(widget_text(screen.query_one("#history-body")).split())
            await pilot.press("h")
            await settle(app, pilot)
            assert isinstance(app.screen, HistoryScreen)
            full = widget_text(app.screen.query_one("#history-lines"))
    finally:
        S.set_language("en")
    for shown in (tab, " ".join(full.split())):
        for word in words:
            assert word in shown, (word, shown)
        for raw in RAW + (KEYS if lang == "zh" else ()):
            assert raw not in shown, (raw, shown)
