"""Settings: a model whose weights do not sum to 100 is refused with the reason and
nothing changes; a valid one is saved and every tier recomputed at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pilot_helpers import settle, shown_after
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Label

from kamtui.domain.scoring import score_account
from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.screens.dialogs import ConfirmDialog
from kamtui.ui.screens.settings import SettingsScreen

TODAY = date(2026, 11, 23)


async def test_weights_must_sum_to_100_then_tiers_recompute(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await shown_after(app, pilot, "comma", screen=SettingsScreen)
        screen.query_one("#w-strategic_fit", Input).value = "40"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "sum to 110%" in screen.query_one("#settings-refusal").render_line(0).text
        assert demo_book.config.model.criterion("strategic_fit").weight == Decimal(30)
        screen.query_one("#w-profit_potential", Input).value = "20"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not screen.query_one("#settings-refusal").display
    reopened = Book.open(demo_book.path)
    model = reopened.config.model
    assert model.criterion("strategic_fit").weight == Decimal(40)
    assert model.criterion("profit_potential").weight == Decimal(20)
    records = {r["id"]: r for r in reopened.account_records(TODAY)}
    for row in reopened.page(BookQuery(), 0, 200):
        result = score_account(model, records[row.id]["ratings"])
        if result.score is not None:
            assert row.score == float(result.score)
    reopened.close()


async def test_a_refused_setting_is_explained_in_chinese_and_nothing_changes(
    demo_book: Book, chinese: None
) -> None:
    before = demo_book.config
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await shown_after(app, pilot, "comma", screen=SettingsScreen)
        assert "使用量" in [str(label.render()) for label in screen.query(Label)]
        cadence = screen.query_one("#c-A-touch", Input)
        cadence.value = "两周"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = screen.query_one("#settings-refusal").render_line(0).text
        assert "A 级：触达节奏必须是整数天，而不是 '两周'。" in error
        assert cadence.value == "两周"  # what was typed stays
        assert cadence.has_focus
    reopened = Book.open(demo_book.path)
    assert reopened.config == before
    reopened.close()


def in_view(screen: Screen[None], scroll: str, widget: Widget) -> bool:
    """Whether ``widget`` is drawn within the scrolled part ``scroll`` of ``screen``."""
    region = widget.region
    return region.height > 0 and region in screen.query_one(scroll).content_region


async def test_a_refusal_at_80x24_is_shown_beside_its_fields_and_in_view(demo_book: Book) -> None:
    """The health weights are the last fields: a refusal there is scrolled into view with
    the field changed, focused, and said in a notification too; Esc then asks before
    dropping what was typed."""
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_after(app, pilot, "comma", screen=SettingsScreen)
        weight = screen.query_one("#h-usage", Input)
        weight.value = "99"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = screen.query_one("#settings-refusal")
        assert "Health weights must sum to 100%" in error.render_line(0).text
        assert in_view(screen, "#settings-body", error)
        assert in_view(screen, "#settings-body", weight) and weight.has_focus
        assert any("must sum to 100%" in str(n.message) for n in app._notifications)
        screen.query_one("#settings-body").scroll_home(animate=False)
        screen.query_one("#w-strategic_fit", Input).focus()
        weight.value = str(demo_book.config.health.weights["usage"])
        screen.query_one("#t-A", Input).value = "4.8"  # above S: refused
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = screen.query_one("#settings-refusal")
        assert in_view(screen, "#settings-body", error)
        assert app.focused is screen.query_one("#t-A")
        await pilot.press("escape")  # something typed: asks first
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.is_current


async def test_the_weekly_capacity_is_set_and_the_plan_folds_the_rest(demo_book: Book) -> None:
    from kamtui.ui.screens.plan import PlanList, PlanScreen

    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await shown_after(app, pilot, "comma", screen=SettingsScreen)
        field = screen.query_one("#plan-capacity", Input)
        assert field.value == "" and field.placeholder == "no limit"
        field.value = "twelve"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = screen.query_one("#settings-refusal").render_line(0).text
        assert "A week's capacity must be a whole number, not 'twelve'." in error
        assert demo_book.config.plan_capacity is None
        field.value = "0"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "1 to 100,000 items" in screen.query_one("#settings-refusal").render_line(0).text
        field.value = "12"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert demo_book.config.plan_capacity == 12
        await pilot.press("escape")
        plan_screen = await shown_after(app, pilot, "p", screen=PlanScreen)
        plan = plan_screen.query_one(PlanList)
        owners = {i.owner for i in plan.items}
        assert len(plan.items) == 12 * len(owners)
        fold = plan.render_line(len(plan.items)).text
        assert f"⋯ {len(plan.plan.folded)} more beyond the week's capacity of 12 items" in fold
        await pilot.press("m")
        await settle(app, pilot)
        assert plan.rows > len(plan.items) + len(plan.plan.folded)
    assert Book.open(demo_book.path, read_only=True).config.plan_capacity == 12


async def test_a_save_says_how_far_its_recompute_has_come(
    demo_book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kamtui.ui.screens.settings import SettingsProgress

    seen: list[tuple[int, int, str]] = []
    shown = SettingsScreen.on_settings_progress

    def spy(self: SettingsScreen, message: SettingsProgress) -> None:
        shown(self, message)
        seen.append((message.done, message.total, str(self.query_one("#status").render())))

    monkeypatch.setattr(SettingsScreen, "on_settings_progress", spy)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown_after(app, pilot, "comma", screen=SettingsScreen)
        screen.query_one("#t-S", Input).value = "4.8"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    accounts = demo_book.summary().accounts
    assert seen and seen[-1][:2] == (accounts, accounts)
    assert seen[-1][2].endswith(f"{accounts:,} of {accounts:,} accounts")
