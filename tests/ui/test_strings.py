"""The message catalog: every string has its Chinese, with the same placeholders, and the
Chinese UI shows the book's own words (statuses, colours, stages, roles) in Chinese."""

from __future__ import annotations

from datetime import date
from string import Formatter

from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.widgets.footer import KeyFooter

TODAY = date(2026, 11, 23)
SAME_IN_BOTH = {"APP_TITLE", "ACCOUNT_TITLE", "TRACK_PLAY"}  # only placeholders and marks


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def test_every_string_has_its_chinese() -> None:
    assert sorted(set(S.EN) - set(S.ZH) - SAME_IN_BOTH) == []
    assert sorted(set(S.ZH) - set(S.EN)) == []


def test_chinese_has_the_same_placeholders() -> None:
    assert [k for k in sorted(S.ZH) if fields(S.ZH[k]) != fields(S.EN[k])] == []


async def test_the_account_screen_speaks_chinese(demo_book: Book, chinese: None) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        view = screen.view
        assert view is not None
        profile = screen.section_text("profile")
        assert "客户档案" in profile and "行业" in profile
        assert S.ZH[f"STATUS_{view.profile['status'].upper()}"] in profile
        assert "customer" not in profile and "prospect" not in profile
        health = screen.section_text("health")
        assert S.ZH[f"COLOR_{view.derived.health.color.upper()}"] in health
        assert "使用量" in health and "usage " not in health
        roles = screen.section_text("map")
        assert "最终决策者" in roles and "economic buyer" not in roles
        if view.deals:
            assert "阶段" in screen.section_text("deals")


async def test_keys_are_said_in_the_language_chosen_after_the_screens_were_imported(
    tmp_path, chinese: None
) -> None:  # type: ignore[no-untyped-def]
    from kamtui.ui.screens.book import BookScreen  # imported (above) while the UI was English

    assert BookScreen._merged_bindings is not None
    described = {b.id: b.description for _, b in BookScreen._merged_bindings if b.id}
    assert described["book.health"] == "健康度"
    assert described["book.health_screen"] == "健康度预警"
    book = Book.create(tmp_path / "b.db")
    book.add_account(TODAY, name="云翔集团")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = {entry.description for entry in app.screen.query_one(KeyFooter).entries}
        assert {"筛选", "退出"} <= shown
        assert not shown & {"Filter", "Quit"}
    book.close()
    S.set_language("en")
    assert BookScreen._merged_bindings is not None
    described = {b.id: b.description for _, b in BookScreen._merged_bindings if b.id}
    assert described["book.health_screen"] == "Health alerts"
