"""The team view: several reps' files read as one book, in SQL's own order, never written."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from kamtui.cli import main
from kamtui.domain.errors import InputError
from kamtui.domain.parsing import match_key
from kamtui.domain.plan import IsoWeek
from kamtui.services.book import Book, BookQuery
from kamtui.services.demo import make_demo
from kamtui.services.team import (
    ID_SPAN,
    SORT_TERMS,
    TeamBook,
    TeamReadOnlyError,
    TeamRow,
    TeamSummary,
    labels_for,
    split_paths,
)
from kamtui.store.repo import BOOK_SORTS

TODAY = date(2026, 11, 23)
OWNERS = ("Alice", "Bob", "Chen")


def set_owner(path: Path, owner: str) -> None:
    """Give every account of a demo book one owner (make_demo picks from a fixed list)."""
    con = sqlite3.connect(path)
    con.execute("UPDATE accounts SET owner = ?, search = lower(name || ' ' || ?)", (owner, owner))
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("team")
    paths = []
    for seed, (owner, n) in enumerate(zip(OWNERS, (50, 40, 30), strict=True), 1):
        path = folder / f"{owner.lower()}.db"
        make_demo(path, accounts=n, seed=seed, today=TODAY).close()
        set_owner(path, owner)
        paths.append(path)
    return paths


@pytest.fixture
def files(pristine: list[Path], tmp_path: Path) -> list[Path]:
    out = []
    for p in pristine:
        target = tmp_path / p.name
        shutil.copyfile(p, target)
        out.append(target)
    return out


@pytest.fixture
def team(files: list[Path]) -> Iterator[TeamBook]:
    t = TeamBook.open_files(files, today=TODAY)
    yield t
    t.close()


def state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in ``folder``: a digest of its bytes and its modification time."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def sql_order(files: list[Path], query: BookQuery) -> list[int]:
    """Team ids of the query's rows, ordered by SQLite itself over all the files at once."""
    con = sqlite3.connect(":memory:")
    try:
        for i, p in enumerate(files):
            con.execute(f"ATTACH DATABASE '{p.as_uri()}?mode=ro&immutable=1' AS b{i}")
        where, params = query.where()
        cols = "id, name, track, score, health_score, top_stage, last_touch, next_action, owner, tier_rank"
        union = " UNION ALL ".join(
            f"SELECT {i} AS book, {cols} FROM b{i}.accounts WHERE {where}"
            for i in range(len(files))
        )
        direction = " DESC" if query.descending else ""
        rows = con.execute(
            f"SELECT book, id FROM ({union}) ORDER BY {query.order_by()}, book{direction}",
            params * len(files),
        ).fetchall()
    finally:
        con.close()
    return [(book + 1) * ID_SPAN + aid for book, aid in rows]


# ---- merging and paging ---------------------------------------------------------------------


def test_every_sort_of_the_book_has_a_team_order() -> None:
    assert set(SORT_TERMS) == set(BOOK_SORTS)


@pytest.mark.parametrize("sort", sorted(BOOK_SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_in_any_order_give_sqlites_order_over_all_files(
    files: list[Path], sort: str, descending: bool
) -> None:
    query = BookQuery(sort=sort, descending=descending)
    expected = sql_order(files, query)
    rng = random.Random(f"{sort}{descending}")
    with TeamBook.open_files(files) as team:
        total = team.count(query)
        assert total == len(expected) == 120
        starts = list(range(0, total, 25))
        rng.shuffle(starts)  # pages asked for in any order: jumps, backwards, forwards
        got: dict[int, list[int]] = {s: [r.id for r in team.page(query, s, 25)] for s in starts}
        assert [i for s in sorted(got) for i in got[s]] == expected
    for _ in range(30):  # any window, on a fresh team (nothing known) and on a used one
        offset, limit = rng.randrange(total + 5), rng.randrange(1, 70)
        with TeamBook.open_files(files) as fresh:
            assert [r.id for r in fresh.page(query, offset, limit)] == expected[
                offset : offset + limit
            ]


def test_rows_carry_their_file_and_owner(team: TeamBook, files: list[Path]) -> None:
    rows = team.page(BookQuery(sort="owner"), 0, 200)
    assert [r.owner for r in rows] == ["Alice"] * 50 + ["Bob"] * 40 + ["Chen"] * 30
    assert all(isinstance(r, TeamRow) for r in rows)
    assert {r.book for r in rows} == {p.name for p in files}  # type: ignore[attr-defined]
    first = rows[0]
    with Book.open(files[0], read_only=True) as alice:
        local = alice.page(BookQuery(sort="owner"), 0, 1)[0]
    assert first.id == ID_SPAN + local.id
    assert (first.name, first.tier, first.score, first.health_color) == (
        local.name, local.tier, local.score, local.health_color,
    )  # fmt: skip


def test_filters_work_across_files(team: TeamBook, files: list[Path]) -> None:
    for query in (
        BookQuery(owner="Bob"),
        BookQuery(tiers=frozenset({"S", "A"})),
        BookQuery(health="red"),
        BookQuery(text="科技"),
        BookQuery(attention=True, sort="health", descending=True),
        BookQuery(owner="Chen", tiers=frozenset({"unscored", "C"}), sort="name"),
    ):
        expected = sql_order(files, query)
        assert team.count(query) == len(expected)
        assert [r.id for r in team.page(query, 0, 500)] == expected
    assert {r.owner for r in team.page(BookQuery(owner="Bob"), 0, 500)} == {"Bob"}
    assert team.count(BookQuery(owner="Bob")) == 40
    assert team.owners() == ["Alice", "Bob", "Chen"]


# ---- summary and totals per owner ------------------------------------------------------------


def test_summary_adds_up_the_files_with_totals_per_owner(team: TeamBook, files: list[Path]) -> None:
    s = team.summary(TODAY)
    assert isinstance(s, TeamSummary)
    assert s.accounts == 120
    assert s.books == tuple(p.name for p in files)
    assert s.stale == ()
    parts = []
    for p in files:
        with Book.open(p, read_only=True) as b:
            parts.append(b.summary())
    for tier in ("S", "A", "B", "C", "unscored"):
        assert s.by_tier.get(tier, 0) == sum(x.by_tier.get(tier, 0) for x in parts)
    for stage in range(1, 6):
        assert s.pipeline.get(stage, (0, 0.0))[0] == sum(
            x.pipeline.get(stage, (0, 0.0))[0] for x in parts
        )
    totals = {t.owner: t for t in s.owner_totals}
    assert set(totals) == set(OWNERS)
    for owner, path, part in zip(OWNERS, files, parts, strict=True):
        t = totals[owner]
        assert t.books == (path.name,)
        assert t.accounts == part.accounts
        assert (t.red, t.yellow) == (part.by_color.get("red", 0), part.by_color.get("yellow", 0))
        assert t.deals == sum(n for n, _ in part.pipeline.values())
        assert t.amount == pytest.approx(sum(a for _, a in part.pipeline.values()))
    assert s.concentration is not None and s.concentration.total > 0


def test_a_file_computed_on_another_day_is_named_and_computed_for_today(
    files: list[Path],
) -> None:
    later = TODAY + timedelta(days=40)
    with TeamBook.open_files(files, today=later) as team:
        s = team.summary(later)
        assert [(x.book, x.derived_on) for x in s.stale] == [(p.name, TODAY) for p in files]
        flagged = team.flagged()
    expected = []
    for n, p in enumerate(files):
        with Book.open(p, read_only=True) as b:
            for rec in b.account_records(later):
                if rec["health"]["flags"]:
                    expected.append(((n + 1) * ID_SPAN + rec["id"], rec["health"]["color"]))
    assert sorted((f.id, f.color) for f in flagged) == sorted(expected)
    assert sum(s.by_color.values()) == 120
    ranks = [{"red": 0, "yellow": 1}.get(f.color or "", 2) for f in flagged]
    assert ranks == sorted(ranks)


# ---- health, pipeline, plan, one account ------------------------------------------------------


def test_health_pipeline_and_plan_span_every_file(team: TeamBook, files: list[Path]) -> None:
    week = IsoWeek.of(TODAY)
    flagged, columns, plan = team.flagged(), team.pipeline(TODAY), team.plan(week, TODAY)
    books = [Book.open(p, read_only=True) for p in files]
    try:
        assert len(flagged) == sum(len(b.flagged()) for b in books)
        assert {f.owner for f in flagged} == set(OWNERS)
        assert len(team.flagged("Bob")) == len(books[1].flagged("Bob"))
        per_book = [b.pipeline(TODAY) for b in books]
        for n, col in enumerate(columns):
            assert col.deals == sum(cols[n].deals for cols in per_book)
            assert col.total == pytest.approx(sum(cols[n].total for cols in per_book))
            amounts = [c.amount for c in col.cards]
            assert amounts == sorted(amounts, reverse=True)
        assert sum(c.deals for c in team.pipeline(TODAY, owner="Alice")) == sum(
            c.deals for c in per_book[0]
        )
        plans = [b.plan(week, TODAY) for b in books]
        assert len(plan.items) == sum(len(p.items) for p in plans)
        assert {i.owner for i in plan.items} == set(OWNERS)
        every = plan.every_item()
        assert len({i.key for i in every}) == len(every)  # keys stay unique across files
        assert len(every) == sum(len(p.every_item()) for p in plans)
        assert [i.tier for i in team.plan(week, TODAY, "Chen").items] == [
            i.tier for i in plans[2].items
        ]
        # every id the screens get opens the right account in the right file
        card = next(c for col in columns for c in col.cards)
        view = team.account_view(card.account_id, TODAY)
        assert card.id in {d.id for d in view.deals}
        item = plan.items[0]
        assert team.account_view(item.account_id, TODAY).profile["name"] == item.account
        f = flagged[-1]
        assert team.account_view(f.id, TODAY).profile["owner"] == f.owner
        book_index, local = divmod(f.id, ID_SPAN)
        assert books[book_index - 1].account_view(local, TODAY).profile["name"] == f.name
    finally:
        for b in books:
            b.close()


def test_an_unknown_team_id_is_a_clear_error(team: TeamBook) -> None:
    for bad in (5, 9 * ID_SPAN + 1, ID_SPAN):
        with pytest.raises(InputError, match="no account"):
            team.account_view(bad, TODAY)


# ---- the same customer in several files -------------------------------------------------------


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[tuple[TeamBook, dict[str, int]]]:
    a, b = tmp_path / "张伟.db", tmp_path / "lina.db"
    ids: dict[str, int] = {}
    with Book.create(a) as book:
        for name in ("云翔科技有限公司", "Northwind Ltd", "Only In A"):
            ids[name] = ID_SPAN + book.add_account(TODAY, name=name, owner="张伟")
    with Book.create(b) as book:
        for name in ("云翔科技", "ＮＯＲＴＨＷＩＮＤ Inc.", "Only In B", "云翔科技股份有限公司"):
            ids[name] = 2 * ID_SPAN + book.add_account(TODAY, name=name, owner="李娜")
    team = TeamBook.open_files([a, b])
    yield team, ids
    team.close()


def test_accounts_in_several_files_are_marked_by_normalised_name(
    shared: tuple[TeamBook, dict[str, int]],
) -> None:
    team, ids = shared
    assert match_key("ＮＯＲＴＨＷＩＮＤ Inc.") == match_key(
        "Northwind Ltd"
    )  # width, case, legal form
    rows = {r.name: r for r in team.page(BookQuery(sort="name"), 0, 10)}
    marked = {name for name, r in rows.items() if isinstance(r, TeamRow) and r.shared}
    assert marked == {
        "云翔科技有限公司",
        "云翔科技",
        "云翔科技股份有限公司",
        "Northwind Ltd",
        "ＮＯＲＴＨＷＩＮＤ Inc.",
    }
    yun = rows["云翔科技有限公司"]
    assert isinstance(yun, TeamRow)
    # the other file's two accounts of that customer, never the same file's
    assert sorted((s.book, s.owner, s.name) for s in yun.shared) == [
        ("lina.db", "李娜", "云翔科技"),
        ("lina.db", "李娜", "云翔科技股份有限公司"),
    ]
    view = team.account_view(ids["ＮＯＲＴＨＷＩＮＤ Inc."], TODAY)
    assert view.book == "lina.db"
    assert [(s.book, s.owner, s.name, s.account_id) for s in view.shared] == [
        ("张伟.db", "张伟", "Northwind Ltd", ids["Northwind Ltd"])
    ]
    assert team.account_view(ids["Only In A"], TODAY).shared == ()
    assert team.summary(TODAY).shared == 5


# ---- never written ----------------------------------------------------------------------------


def test_every_write_is_refused_and_no_file_changes(files: list[Path]) -> None:
    folder = files[0].parent
    before = state(folder)
    with TeamBook.open_files(files, today=TODAY) as team:
        row = team.page(BookQuery(), 0, 1)[0]
        deal = next(c for col in team.pipeline(TODAY) for c in col.cards)
        item = next(i for i in team.plan(IsoWeek.of(TODAY), TODAY).items if i.kind == "task")
        task = item.ref
        assert task is not None
        writes: list[Any] = [
            lambda: team.add_account(TODAY, name="New"),
            lambda: team.update_account(row.id, TODAY, fields={"industry": "x"}),
            lambda: team.log_interaction(row.id, TODAY, kind="call", on=TODAY),
            lambda: team.move_deal(deal.id, TODAY),
            lambda: team.check_deliverable(deal.id, "initial_assessment", True, TODAY),
            lambda: team.complete_task(task, TODAY),
            lambda: team.save_config(team.config, TODAY),
            lambda: team.add_deal(row.id, TODAY, name="Deal"),
        ]
        for write in writes:
            with pytest.raises(TeamReadOnlyError, match="read-only"):
                write()
        assert team.read_only and team.refresh(TODAY) == 0
        # every read, today and on a later day (computed in memory)
        for day in (TODAY, TODAY + timedelta(days=30)):
            team.summary(day)
            team.plan(IsoWeek.of(day), day)
            team.pipeline(day)
            team.flagged(today=day)
            team.account_view(row.id, day)
            team.account_records(day)
        for sort in BOOK_SORTS:
            team.page(BookQuery(sort=sort, descending=True), 100, 50)
    assert state(folder) == before  # bytes and times, and no file beside the books


# ---- opening ----------------------------------------------------------------------------------


def test_paths_typed_in_the_dialog(tmp_path: Path) -> None:
    for name in ("a.db", "b.db", "with space.db"):
        (tmp_path / name).write_bytes(b"")
    a, b, c = (str(tmp_path / n) for n in ("a.db", "b.db", "with space.db"))
    assert split_paths(f"{a} {b}") == [a, b]
    assert split_paths(f"{a}\n\n  {c}  \n") == [a, c]
    assert split_paths(f"'{c}' {a}") == [c, a]
    assert split_paths(f"{tmp_path}/*.db") == [a, b, c]
    assert split_paths("") == []
    with pytest.raises(InputError, match="quotes"):
        split_paths(f"'{a}")


def test_labels_tell_files_apart() -> None:
    assert labels_for([Path("/x/a.db"), Path("/y/b.db")]) == ["a.db", "b.db"]
    assert labels_for([Path("/x/rep/book.db"), Path("/y/rep2/book.db")]) == [
        "rep/book.db",
        "rep2/book.db",
    ]


def test_a_file_named_twice_is_opened_once(files: list[Path]) -> None:
    with TeamBook.open_files([files[0], files[1], files[0]]) as team:
        assert len(team.members) == 2


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


@pytest.fixture
def app_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[TeamBook, date]]:
    """Stand in for the app: record the team it is started with."""
    import kamtui.ui.app

    runs: list[tuple[TeamBook, date]] = []

    class FakeApp:
        def __init__(self, book: TeamBook, today: date, **_: object) -> None:
            self.book, self.today = book, today

        def run(self) -> None:
            runs.append((self.book, self.today))
            assert self.book.count(BookQuery()) == 120

    monkeypatch.setattr(kamtui.ui.app, "KamApp", FakeApp)
    return runs


def test_kamtui_team_opens_the_files_and_leaves_them_alone(
    capsys: pytest.CaptureFixture[str], files: list[Path], app_runs: list[Any]
) -> None:
    before = state(files[0].parent)
    code, _, err = run_cli(capsys, "team", *files, "--today", "2026-12-01", "--lang", "en")
    assert (code, err) == (0, "")
    ((team, today),) = app_runs
    assert isinstance(team, TeamBook) and today == date(2026, 12, 1)
    assert [m.book.path for m in team.members] == files
    assert state(files[0].parent) == before


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: None, ["No book at", "missing.db"]),
        (
            lambda p: p.write_bytes(b"not a database at all" * 10),
            ["missing.db", "not a kamtui book"],
        ),
        (lambda p: p.write_bytes(b""), ["missing.db", "empty"]),
    ],
)
def test_a_missing_or_bad_file_is_one_clear_sentence(
    capsys: pytest.CaptureFixture[str],
    files: list[Path],
    app_runs: list[Any],
    make: Any,
    words: list[str],
) -> None:
    bad = files[0].parent / "missing.db"
    make(bad)
    before = state(files[0].parent)
    code, out, err = run_cli(capsys, "team", files[0], bad)
    assert code == 1 and out == "" and app_runs == []
    assert len(err.splitlines()) == 1 and err.startswith("kamtui: ")
    for w in words:
        assert w in err
    assert state(files[0].parent) == before


def test_kamtui_team_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "team")
    assert code == 2 and "FILE" in err


def test_a_file_open_in_the_reps_app_is_read_through_its_journal_untouched(
    files: list[Path],
) -> None:
    """The rep's app has the book open and saved a change still in its -wal: the team view
    sees it, and leaves the book and its -wal as they were and makes no file (readers of a
    WAL book take their read marks in the writer's shared memory, the -shm: never the book)."""
    rep = sqlite3.connect(files[0])
    try:
        assert rep.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rep.execute("UPDATE accounts SET name = 'Renamed By The Rep' WHERE id = 1")
        rep.commit()
        assert Path(f"{files[0]}-wal").stat().st_size > 0
        before = state(files[0].parent)
        with TeamBook.open_files(files, today=TODAY) as team:
            assert team.account_view(ID_SPAN + 1, TODAY).profile["name"] == "Renamed By The Rep"
            assert (
                team.count(BookQuery(text="renamed")) == 0
            )  # search text not rewritten: as stored
            team.summary(TODAY)
            team.page(BookQuery(sort="name"), 0, 200)
        after = state(files[0].parent)
        assert after.keys() == before.keys()
        assert {k: v for k, v in after.items() if not k.endswith("-shm")} == {
            k: v for k, v in before.items() if not k.endswith("-shm")
        }
    finally:
        rep.close()


def test_deals_are_found_in_every_file_with_team_ids(team: TeamBook, files: list[Path]) -> None:
    hits = team.find_deals("续约", limit=500)
    singles = []
    for path in files:
        with Book.open(path, read_only=True) as b:
            singles += b.find_deals("续约", limit=500)
    assert len(hits) == len(singles) > 0
    assert [h.amount for h in hits] == sorted((h.amount for h in hits), reverse=True)
    for h in hits[:5]:  # a hit opens the right account of the right file
        view = team.account_view(h.account_id, date(2026, 11, 23))
        assert any(d.id == h.id and d.name == h.name for d in view.deals)
