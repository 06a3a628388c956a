"""The team view, driven as a manager drives it: two reps' books as one, never written."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import settle
from textual.command import CommandPalette
from textual.widgets import OptionList, Static, TextArea

from kamtui.config import BookConfig
from kamtui.domain.parsing import match_key
from kamtui.domain.scoring import BUDGET_POSITION_RELATIONSHIP
from kamtui.services.book import Book, BookQuery
from kamtui.services.demo import make_demo
from kamtui.services.team import ID_SPAN, TeamBook, TeamRow
from kamtui.ui.app import KamApp
from kamtui.ui.screens.book import BookScreen
from kamtui.ui.screens.health import FlagList, HealthScreen
from kamtui.ui.screens.pipeline import PipelineScreen
from kamtui.ui.screens.plan import PlanList, PlanScreen
from kamtui.ui.screens.team import TeamAccountScreen, TeamBookScreen
from kamtui.ui.screens.team_dialog import TeamFilesDialog
from kamtui.ui.widgets.account_table import AccountTable
from kamtui.ui.widgets.footer import KeyFooter

TODAY = date(2026, 11, 23)
SIZE = (170, 50)
READ_ONLY = "team view is read-only"


def state(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def notes(app: KamApp) -> list[str]:
    """Record every notification the app shows."""
    seen: list[str] = []
    show = app.notify

    def notify(message: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(str(message))
        show(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two reps' demo books (seeds 1 and 2), each with one owner, and a customer both work:
    Alice's account, in Bob's book under its full legal name."""
    folder = tmp_path_factory.mktemp("reps")
    alice, bob = folder / "alice.db", folder / "bob.db"
    for path, seed, owner in ((alice, 1, "Alice"), (bob, 2, "Bob")):
        make_demo(path, accounts=40, seed=seed, today=TODAY).close()
        con = sqlite3.connect(path)
        con.execute(
            "UPDATE accounts SET owner = ?, search = lower(name || ' ' || ?)", (owner, owner)
        )
        con.commit()
        con.close()
    with Book.open(alice) as b:
        name = b.page(BookQuery(sort="name", descending=True), 0, 1)[0].name  # a Chinese name
    copy = f"{name}有限公司"
    assert match_key(copy) == match_key(name)
    with Book.open(bob) as b:
        b.add_account(TODAY, name=copy, owner="Bob")
    return alice, bob


@pytest.fixture
def files(pristine: tuple[Path, Path], tmp_path: Path) -> list[Path]:
    out = []
    for p in pristine:
        target = tmp_path / p.name
        target.write_bytes(p.read_bytes())
        out.append(target)
    return out


@pytest.fixture
def team(files: list[Path]) -> Iterator[TeamBook]:
    t = TeamBook.open_files(files, today=TODAY)
    yield t
    t.close()


def table_rows(app: KamApp) -> list[Any]:
    table = app.screen.query_one(AccountTable)
    return [table.row_at(i) for i in range(min(table.total, 100))]


async def test_the_book_shows_both_files_with_totals_per_owner_and_marks(
    team: TeamBook, files: list[Path]
) -> None:
    before = state(files[0].parent)
    app = KamApp(team, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TeamBookScreen)
        table = app.screen.query_one(AccountTable)
        assert table.total == 81
        rows = table_rows(app)
        assert {r.owner for r in rows} == {"Alice", "Bob"}
        title = str(app.screen.query_one("#title", Static).render())
        assert "team view of 2 files: alice.db, bob.db" in title and "read-only" in title
        team_lines = str(app.screen.query_one("#team-lines", Static).render())
        assert "Alice: 40 accounts" in team_lines and "(alice.db)" in team_lines
        assert "Bob: 41 accounts" in team_lines and "(bob.db)" in team_lines
        assert "in more than one file" in team_lines
        # the customer both reps work is marked in both files' rows
        shared = [r for r in rows if isinstance(r, TeamRow) and r.shared]
        assert {r.owner for r in shared} >= {"Alice", "Bob"}
        await pilot.press("o", "O")  # sort by name, Chinese first: Alice's account and Bob's copy
        await settle(app, pilot)
        lines = [table.render_line(y).text for y in range(1, 40)]
        assert any("⇄" in line and "Alice" in line for line in lines)
        assert any("⇄" in line and "有限公司" in line and "Bob" in line for line in lines)
        await pilot.press("w")  # owner filter: Alice only
        await settle(app, pilot)
        assert table.total == 40
        assert {r.owner for r in table_rows(app)} == {"Alice"}
        await pilot.press("w")
        await settle(app, pilot)
        assert table.total == 41 and {r.owner for r in table_rows(app)} == {"Bob"}
    assert state(files[0].parent) == before


async def test_health_pipeline_and_plan_span_both_files_and_refuse_writes(
    team: TeamBook, files: list[Path]
) -> None:
    before = state(files[0].parent)
    app = KamApp(team, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        seen = notes(app)
        await settle(app, pilot)
        await pilot.press("H")
        await settle(app, pilot)
        assert isinstance(app.screen, HealthScreen)
        flagged = app.screen.query_one(FlagList).accounts
        assert {a.owner for a in flagged} == {"Alice", "Bob"}
        assert len(flagged) == len(team.flagged())
        await pilot.press("escape")
        await pilot.press("b")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen)
        assert sum(c.deals for c in screen.columns) == sum(c.deals for c in team.pipeline(TODAY))
        assert {c.owner for col in screen.columns for c in col.cards} == {"Alice", "Bob"}
        assert screen.current_card is not None
        assert not offered(app) & {"right_square_bracket", "left_square_bracket", "x"}
        stages = [c.deals for c in screen.columns]
        await pilot.press("right_square_bracket")  # advance a deal: not offered, not done
        await settle(app, pilot)
        assert isinstance(app.screen, PipelineScreen)
        assert [c.deals for c in screen.columns] == stages
        await pilot.press("escape")
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanScreen)
        plan = app.screen.query_one(PlanList)
        assert {i.owner for i in plan.items} == {"Alice", "Bob"}
        assert {i.account_id // ID_SPAN for i in plan.items if i.kind != "batch"} == {1, 2}
        batched = plan.plan.every_item()
        assert {i.account_id // ID_SPAN for i in batched} == {1, 2}
        assert not {"space", "u", "z"} & offered(app)  # ticking, untick, put off: not offered
        touch = next(n for n, i in enumerate(plan.items) if i.kind in ("touch", "task"))
        plan.cursor = touch
        await pilot.pause()
        seen.clear()
        line = touch - round(plan.scroll_offset.y)
        await pilot.click(PlanList, offset=(0, line))  # a click on its box: refused, said
        await settle(app, pilot)
        assert any(READ_ONLY in n for n in seen), seen
        assert plan.items[touch].key not in plan.done
    assert state(files[0].parent) == before


def offered(app: KamApp) -> set[str]:
    """The keys the screen offers: in its footer (and ``?``)."""
    return {entry.key for entry in app.screen.query_one(KeyFooter).entries}


async def test_write_keys_are_not_offered_in_the_team_view(
    team: TeamBook, files: list[Path]
) -> None:
    """The team view is read-only: its footer offers only what works there; keys that
    would write do nothing, and Enter on a contact or a ticked deliverable says why."""
    before = state(files[0].parent)
    app = KamApp(team, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        seen = notes(app)
        await settle(app, pilot)
        keys = offered(app)
        assert {"enter", "slash", "p", "b", "H", "w", "q"} <= keys
        assert not keys & {"n", "e", "delete", "i", "comma", "T"}
        for key in ("n", "e", "comma", "delete", "i", "T"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, TeamBookScreen), key
        # open an account that has an open deal and is in both files
        rows = [r for r in table_rows(app) if isinstance(r, TeamRow) and r.shared]
        target = next(r for r in rows if r.top_stage) if any(r.top_stage for r in rows) else rows[0]
        app.open_account(target.id)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TeamAccountScreen)
        note = str(screen.query_one("#team-note", Static).render())
        assert f"From {target.book}" in note and "also in" in note
        other = target.shared[0]
        assert other.book in note and other.owner in note
        tabs = {"l": "1", "e": "1", "t": "1", "a": "2", "m": "2", "L": "2", "r": "2"}
        tabs |= {"right_square_bracket": "3", "left_square_bracket": "3", "x": "3", "space": "6"}
        for key, tab in tabs.items():
            await pilot.press(tab)  # the tab the key works on in a rep's own book
            await settle(app, pilot)
            assert key not in offered(app), key
            assert {"escape", "h", "question_mark"} <= offered(app)
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, TeamAccountScreen), key
        await pilot.press("2")  # the org chart is no write: offered
        await settle(app, pilot)
        assert "o" in offered(app)
        if screen.view is not None and screen.view.contacts:  # Enter on a contact: refused
            seen.clear()
            screen.query_one("#contacts").focus()
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, TeamAccountScreen) and READ_ONLY in seen[-1]
        await pilot.press("3")
        if screen.open_deals:  # ticking a deliverable is refused and the list shown as it is
            before_ticks = screen.current_deal.checked if screen.current_deal else None
            screen.query_one("#deliverables").focus()
            await pilot.press("space")
            await settle(app, pilot)
            assert any(READ_ONLY in n for n in seen)
            assert (screen.current_deal.checked if screen.current_deal else None) == before_ticks
    assert state(files[0].parent) == before


async def test_open_team_files_from_the_command_palette(demo_book: Book, files: list[Path]) -> None:
    before = state(files[0].parent)
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert type(app.screen) is BookScreen
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"team")
        for _ in range(20):
            await pilot.pause(0.05)
            if app.screen.query_one("CommandList", OptionList).option_count:
                break
        await pilot.press("enter")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, TeamFilesDialog)
        area = dialog.query_one(TextArea)
        area.text = f"{files[0]} {files[0].parent / 'nowhere.db'}"
        await pilot.click("#save")
        await pilot.pause()
        assert app.screen is dialog  # a missing file is named, and the dialog stays
        assert "nowhere.db" in str(dialog.query_one("#team-error", Static).render())
        area.text = "\n".join(str(p) for p in files)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamBookScreen)
        assert isinstance(app.book, TeamBook) and app.book.paths == files
        assert app.screen.query_one(AccountTable).total == 81
        first = app.book
        app.ask_team_files()  # again: the dialog holds the team's files; keep one of them
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        assert area.text.splitlines() == [str(p) for p in files]
        area.text = str(files[1])
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamBookScreen) and app.book is not first
        assert app.screen.query_one(AccountTable).total == 41
        assert app.opened == [app.book]  # the first team view was closed
        app.ask_team_files()  # and a third time, with every file
        await pilot.pause()
        app.screen.query_one(TextArea).text = " ".join(str(p) for p in files)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen.query_one(AccountTable).total == 81
        assert app.current_mode == "team-3" and len(app.opened) == 1
    assert state(files[0].parent) == before


async def test_the_book_says_which_files_hold_values_of_another_day(files: list[Path]) -> None:
    later = date(2026, 11, 26)
    with TeamBook.open_files(files, today=later) as team:
        app = KamApp(team, today=later)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            lines = str(app.screen.query_one("#team-lines", Static).render()).splitlines()
            assert [line for line in lines if line.startswith("⚠")] == [
                f"⚠ {name}: tiers and health stored for 2026-11-23; the rows show them as "
                "stored, the counts, Health and Plan are computed for 2026-11-26."
                for name in ("alice.db", "bob.db")
            ]


async def test_an_account_scored_with_another_model_opens_with_its_files_model(
    tmp_path: Path,
) -> None:
    """Files may score with different models: each account shows its own file's."""
    default, other = tmp_path / "a.db", tmp_path / "b.db"
    with Book.create(default) as b:
        b.add_account(TODAY, name="Default Model Co", owner="Alice")
    with Book.create(other, BookConfig(model=BUDGET_POSITION_RELATIONSHIP)) as b:
        aid = b.add_account(TODAY, name="Budget Model Co", owner="Bob")
        b.set_ratings(aid, {"purchasing_budget": 5, "industry_position": 4}, TODAY)
    with TeamBook.open_files([default, other], today=TODAY) as team:
        app = KamApp(team, today=TODAY)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.open_account(2 * ID_SPAN + aid)
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, TeamAccountScreen)
            assert "年度采购预算" in screen.section_text("score")
            app.open_account(ID_SPAN + 1)
            await settle(app, pilot)
            assert "战略匹配度" in app.screen.section_text("score")  # type: ignore[attr-defined]
