"""The Book, driven headlessly as a rep drives it: keys in, screen and database checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pilot_helpers import settle
from textual import events
from textual.widgets import Input

from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.widgets.account_table import AccountTable

TODAY = date(2026, 11, 23)
SIZE = (160, 50)


def visible_rows(app: KamApp) -> list[str]:
    table = app.screen.query_one(AccountTable)
    lines = [table.render_line(y).text for y in range(1, table.scrollable_content_region.height)]
    return [line for line in lines if line.strip()]


def widget_text(widget) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def shown_rows(app: KamApp) -> list:  # type: ignore[type-arg]
    table = app.screen.query_one(AccountTable)
    return [table.row_at(i) for i in range(min(table.total, 40))]


async def test_book_lists_every_account_with_tier_first(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        assert table.total == demo_book.count(BookQuery()) == 200
        rows = shown_rows(app)
        ranks = ["SABC".index(r.tier) if r.tier else 4 for r in rows]
        assert ranks == sorted(ranks)
        assert rows[0].tier == "S"
        first = visible_rows(app)[0]
        assert rows[0].name[:10] in first
        header = table.render_line(0).text
        for title in ("Tier", "Account", "Track", "Score", "Health", "Last touch", "Next action"):
            assert title in header


async def test_typing_a_chinese_substring_filters_in_sql(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await pilot.press("上")
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        expected = demo_book.count(BookQuery(text="上"))
        assert 0 < expected < 200
        assert table.total == expected
        matching = {r.id for r in demo_book.page(BookQuery(text="上"), 0, 200)}
        assert {r.id for r in shown_rows(app)} <= matching
        assert any("上" in r.name for r in shown_rows(app))
        await pilot.press("海")
        await settle(app, pilot)
        assert table.total == demo_book.count(BookQuery(text="上海")) <= expected
        await pilot.press("escape", "escape")  # leave the filter, then clear it
        await settle(app, pilot)
        assert table.total == 200


async def test_chinese_typed_on_the_book_goes_into_the_filter(demo_book: Book) -> None:
    """No key of the Book is Chinese: Chinese typed (or an IME's text) while the table has
    the focus filters at once, without "/" first; letters stay the Book's keys."""
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        assert table.has_focus
        await pilot.press("上", "海")  # as a terminal sends them: one key per character
        await settle(app, pilot)
        filt = app.screen.query_one("#filter", Input)
        assert filt.value == "上海" and filt.has_focus
        assert table.total == demo_book.count(BookQuery(text="上海")) > 0
        await pilot.press("escape", "escape")  # leave the filter, then clear it
        await settle(app, pilot)
        assert table.total == 200 and table.has_focus


async def test_letters_are_keys_and_slash_types_them_into_the_filter(demo_book: Book) -> None:
    """ "harb" on the table presses h (health), a, r and b (the pipeline), as the placeholder
    and the footer say; after "/" the same letters filter."""
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        filt = app.screen.query_one("#filter", Input)
        assert "/" in filt.placeholder
        await pilot.press("slash", *"harb")
        await settle(app, pilot)
        assert filt.value == "harb"
        assert app.screen.query_one(AccountTable).total == demo_book.count(BookQuery(text="harb"))


async def test_a_paste_on_the_book_goes_into_the_filter(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.query_one(AccountTable).post_message(events.Paste("上海"))
        await settle(app, pilot)
        filt = app.screen.query_one("#filter", Input)
        assert filt.value == "上海"
        assert app.screen.query_one(AccountTable).total == demo_book.count(BookQuery(text="上海"))


async def test_tier_keys_filter_and_zero_clears(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        assert table.total == demo_book.count(BookQuery(tiers=frozenset({"S"})))
        assert {r.tier for r in shown_rows(app)} == {"S"}
        await pilot.press("4")
        await settle(app, pilot)
        assert {r.tier for r in shown_rows(app)} <= {"S", "C"}
        assert table.total == demo_book.count(BookQuery(tiers=frozenset({"S", "C"})))
        await pilot.press("0")
        await settle(app, pilot)
        assert table.total == 200


async def test_sort_key_and_header_click(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("o")  # tier → name
        await settle(app, pilot)
        names = [r.name for r in shown_rows(app)]
        assert names == sorted(names)
        await pilot.press("O")  # reverse
        await settle(app, pilot)
        names = [r.name for r in shown_rows(app)]
        assert names == sorted(names, reverse=True)
        table = app.screen.query_one(AccountTable)
        # click the "Score" header: sorted by score ascending, unscored last
        header = table.render_line(0).text
        await pilot.click(AccountTable, offset=(header.index("Score") + 1, 0))
        await settle(app, pilot)
        scores = [r.score for r in shown_rows(app) if r.score is not None]
        assert scores == sorted(scores)
        assert "Score ▲" in table.render_line(0).text


async def test_a_new_order_keeps_the_count_a_new_filter_counts_again(demo_book: Book) -> None:
    counted: list[BookQuery] = []
    count = demo_book.count

    def counting(query: BookQuery) -> int:
        counted.append(query)
        return count(query)

    demo_book.count = counting  # type: ignore[method-assign]
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(counted) == 1
        await pilot.press("o", "o", "O")  # other orders of the same rows
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        assert len(counted) == 1 and table.total == 200
        tracks = [r.track for r in shown_rows(app)]
        assert tracks == sorted(tracks, reverse=True)
        await pilot.press("1")  # tier S only: another set of rows
        await settle(app, pilot)
        assert len(counted) == 2 and table.total == demo_book.count(BookQuery(tiers=frozenset("S")))


async def test_cursor_moves_and_enter_opens_the_account(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down")
        table = app.screen.query_one(AccountTable)
        assert table.cursor_row == 2
        target = table.current
        assert target is not None
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        title = widget_text(app.screen.query_one("#title"))
        assert target.name in title
        body = app.screen.section_text("score")
        assert "strategic fit" in body
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountScreen)


async def test_paging_past_the_first_hundred_rows(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("end")
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        assert table.cursor_row == 199
        last = demo_book.page(BookQuery(), 199, 1)[0]
        assert table.current == last
        assert any(last.name[:8] in line for line in visible_rows(app))


async def test_q_quits(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 or app.return_code is None
    assert not app.is_running


async def test_user_text_is_shown_literally_and_does_nothing(tmp_path: Path) -> None:
    book = Book.create(tmp_path / "evil.db")
    names = [
        "[@click=app.quit]云翔[/]",
        "[bold]x[/]",
        "evil\x1b[2J\x9bscreen",
        "$theme.primary [red]r",
    ]
    for n in names:
        book.add_account(TODAY, name=n, owner="[i]rep[/i]")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("o")  # by name
        await settle(app, pilot)
        text = "\n".join(visible_rows(app))
        assert "[@click=app.quit]云翔[/]" in text
        assert "[bold]x[/]" in text
        assert "evil␛[2J�screen" in text
        assert "$theme.primary [red]r" in text
        assert "[i]rep[/i]" in text
        assert "\x1b" not in text
        # clicking the row that would quit the app under markup does nothing of the sort
        rows = shown_rows(app)
        index = [r.name for r in rows].index(names[0])
        await pilot.click(AccountTable, offset=(10, index + 1))
        await pilot.click(AccountTable, offset=(10, index + 1))  # second click opens it
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, AccountScreen)
        assert "[@click=app.quit]云翔[/]" in widget_text(app.screen.query_one("#title"))
    book.close()


async def test_read_only_book_says_so_and_writes_nothing(demo_path: Path) -> None:
    before = demo_path.read_bytes()
    book = Book.open(demo_path, read_only=True)
    app = KamApp(book, today=date(2026, 12, 1))  # a later day: a writable book would refresh
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "read-only" in widget_text(app.screen.query_one("#title"))
        assert app.screen.query_one(AccountTable).total == 200
    book.close()
    assert demo_path.read_bytes() == before


async def test_opening_on_a_new_day_recomputes_health(demo_path: Path) -> None:
    book = Book.open(demo_path)
    assert book.derived_on() == TODAY
    app = KamApp(book, today=date(2026, 12, 20))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        status = widget_text(app.screen.query_one("#status"))
        assert "up to date for 2026-12-20" in status
    assert book.derived_on() == date(2026, 12, 20)
    book.close()


async def test_track_health_owner_and_attention_filters(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        await pilot.press("t")  # track: value
        await settle(app, pilot)
        assert table.total == demo_book.count(BookQuery(track="value"))
        assert {r.track for r in shown_rows(app)} == {"value"}
        await pilot.press("t", "t", "t")  # price, lighthouse, back to any
        await settle(app, pilot)
        assert table.total == 200
        await pilot.press("h")  # health: red
        await settle(app, pilot)
        assert table.total == demo_book.count(BookQuery(health="red")) > 0
        assert {r.health_color for r in shown_rows(app)} == {"red"}
        await pilot.press("h", "h", "h", "exclamation_mark")  # any health, then needs attention
        await settle(app, pilot)
        assert table.total == demo_book.count(BookQuery(attention=True))
        assert {r.health_color for r in shown_rows(app)} <= {"red", "yellow"}
        await pilot.press("exclamation_mark", "w")  # first owner
        await settle(app, pilot)
        owner = demo_book.owners()[0]
        assert table.total == demo_book.count(BookQuery(owner=owner))
        assert {r.owner for r in shown_rows(app)} == {owner}
        counts = widget_text(app.screen.query_one("#counts"))
        assert f"owner: {owner}" in counts


async def test_summary_strip_counts_tiers_colours_and_pipeline(demo_book: Book) -> None:
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(220, 50)) as pilot:
        await settle(app, pilot)
        summary = demo_book.summary(TODAY)
        line = widget_text(app.screen.query_one("#summary"))
        assert f"S {summary.by_tier['S']}" in line
        assert f"● {summary.by_color['red']}" in line
        assert f"1:{summary.pipeline[1][0]} " in line
        assert "top 20% =" in line


async def test_ctrl_r_shows_what_another_window_saved(demo_path: Path) -> None:
    mine = Book.open(demo_path)
    theirs = Book.open(demo_path)  # another window on the same file
    app = KamApp(mine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        assert table.total == 200
        theirs.add_account(TODAY, name="另一个窗口新建的客户")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert table.total == 201
    theirs.close()
    mine.close()
