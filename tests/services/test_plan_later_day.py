"""The plan (and the export's records) of a day after the book's last refresh, made in
memory from the accounts whose values may have changed since: the same as refreshing the
book to that day first, and nothing written."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from kamtui.domain.plan import IsoWeek
from kamtui.services import recompute
from kamtui.services.book import Book
from kamtui.services.demo import make_demo

TODAY = date(2026, 11, 23)
ACCOUNTS = 300


@pytest.fixture(scope="module")
def refreshed_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-account demo book refreshed for TODAY; only copied by the tests."""
    path = tmp_path_factory.mktemp("later") / "demo.db"
    make_demo(path, accounts=ACCOUNTS, seed=1, today=TODAY).close()
    with Book.open(path) as book:
        book.refresh(TODAY)
    return path


@pytest.fixture
def book_path(refreshed_demo: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(refreshed_demo, path)
    return path


@pytest.fixture
def book(book_path: Path) -> Iterator[Book]:
    with Book.open(book_path) as b:
        yield b


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def owner_of_most(book: Book) -> str:
    with book.store.reading() as conn:
        (owner,) = conn.exec_driver_sql(
            "SELECT owner FROM accounts GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 1"
        ).one()
    return str(owner)


@pytest.mark.parametrize("days", [1, 8, 40])
def test_the_plan_of_a_later_day_is_the_plan_after_refreshing_to_it(
    book: Book, book_path: Path, days: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = TODAY + timedelta(days=days)
    week = IsoWeek.of(later)
    owner = owner_of_most(book)

    def no_full_compute(*args: Any, **kw: Any) -> Any:
        raise AssertionError("a day after the last refresh derives only what may change")

    with monkeypatch.context() as m:
        m.setattr(Book, "compute", no_full_compute)
        digest = sha(book_path)
        plans = {who: book.plan(week, later, who) for who in (None, owner)}
        records = book.account_records(later)
        with book.store.reading() as conn:
            overlay = book._overlay(conn, later)
        assert sha(book_path) == digest  # nothing written
    assert overlay is not None and 0 < len(overlay) < ACCOUNTS

    book.refresh(later)

    assert book.is_fresh(later)
    for who, plan in plans.items():
        assert plan == book.plan(week, later, who), who
    assert records == book.account_records(later)


def test_edits_after_the_refresh_are_derived_for_the_later_day(book: Book) -> None:
    """Accounts changed since the refresh (their valid_until reset) and orders that move
    the RFM ranking are derived afresh, as a refresh derives them."""
    later = TODAY + timedelta(days=8)
    with book.store.reading() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM accounts ORDER BY id")]
    book.log_interaction(ids[0], TODAY, kind="visit", on=TODAY, executive=True)
    book.add_task(ids[1], TODAY, title="Call back", due=TODAY + timedelta(days=3))
    book.set_ratings(ids[2], {k: 1 for k in book.config.model.keys}, TODAY)
    with book.store.writing() as conn:
        # an account of the lowest monetary rank whose values hold past the later day: an
        # order (no input of its own values: RFM is ranked across the book) moves its RFM
        (lowest,) = conn.exec_driver_sql(
            "SELECT id FROM accounts WHERE rfm LIKE '%,1' AND valid_until > ? ORDER BY id LIMIT 1",
            (later.isoformat(),),
        ).one()
        conn.exec_driver_sql(
            "INSERT INTO orders (account_id, number, ordered_on, amount) VALUES (?, 'X-1', ?, 1e7)",
            (lowest, TODAY.isoformat()),
        )
    week = IsoWeek.of(later)
    plan = book.plan(week, later)
    records = book.account_records(later)

    book.refresh(later)

    assert plan == book.plan(week, later)
    assert records == book.account_records(later)


def test_only_values_that_differ_are_kept_and_in_pages(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = TODAY + timedelta(days=8)
    pages: list[tuple[int, int]] = []
    state = recompute.repo.refresh_state

    def spy(conn: Any, id_range: tuple[int, int] | None = None) -> Any:
        assert id_range is not None
        pages.append(id_range)
        return state(conn, id_range)

    monkeypatch.setattr(recompute.repo, "refresh_state", spy)
    with book.store.reading() as conn:
        paged = recompute.stale_values(conn, book.config, later, every=False, page=70)
        whole = {aid: dv for aid, (_, dv) in book.compute(conn, later).items()}
        stored = {
            r[0]: tuple(r[1:])
            for r in conn.exec_driver_sql(
                f"SELECT id, {', '.join(recompute.repo.DERIVED_COLS)} FROM accounts "
                "WHERE deleted_at IS NULL"
            )
        }
    assert len(pages) == -(-ACCOUNTS // 70)
    changed = {aid for aid, dv in whole.items() if dv.columns() != stored[aid]}
    assert changed and set(paged) == changed
    assert all(paged[aid].columns() == whole[aid].columns() for aid in changed)


@pytest.mark.parametrize("case", ["earlier day", "other rules"])
def test_values_of_an_earlier_day_or_other_rules_derive_every_account(
    book: Book, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a refresh to go by, every account is derived, a page at a time, and only
    the values that differ from the stored ones are kept."""
    later = TODAY + timedelta(days=8)
    book.refresh(later)
    day = TODAY
    if case == "other rules":
        with book.store.writing() as conn:  # tiers stored wrong, by rules not known
            conn.exec_driver_sql("UPDATE accounts SET tier = 'C', tier_rank = 3 WHERE id % 3 = 0")
            conn.exec_driver_sql("DELETE FROM settings WHERE key = 'refreshed'")
        day = later + timedelta(days=1)
    derived: list[int] = []
    load = recompute.repo.load_derive_inputs

    def counting(*args: Any, **kw: Any) -> Any:
        out = load(*args, **kw)
        derived.append(len(out))
        return out

    monkeypatch.setattr(recompute.repo, "load_derive_inputs", counting)
    week = IsoWeek.of(day)
    plan = book.plan(week, day)
    records = book.account_records(day)
    with book.store.reading() as conn:
        derived.clear()
        overlay = book._overlay(conn, day)
    assert sum(derived) == ACCOUNTS and len(derived) == -(-ACCOUNTS // recompute.STALE_PAGE)
    assert overlay is not None and 0 < len(overlay) < ACCOUNTS
    monkeypatch.undo()

    book.refresh(day)

    assert plan == book.plan(week, day)
    assert records == book.account_records(day)
