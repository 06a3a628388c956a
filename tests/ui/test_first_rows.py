"""The Book's first rows read while the UI loads (`ui/first_rows.py`): shown when the Book
mounts, without a read of its own; and when they are not there, read as always."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pytest
from pilot_helpers import settle

from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.first_rows import PAGE, FirstRows
from kamtui.ui.widgets.account_table import AccountTable

TODAY = date(2026, 11, 23)
SIZE = (160, 50)


def read(first: FirstRows) -> FirstRows:
    deadline = time.monotonic() + 30
    while not first.ready:
        assert time.monotonic() < deadline, "the first rows were never read"
        time.sleep(0.01)
    return first


async def test_rows_read_ahead_are_on_the_book_when_it_mounts(
    demo_book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = read(FirstRows(demo_book))
    reads: list[Any] = []
    count = demo_book.count

    def counted(query: Any) -> int:
        reads.append(query)
        return count(query)

    monkeypatch.setattr(demo_book, "count", counted)
    app = KamApp(demo_book, today=TODAY, first_rows=first)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(AccountTable)
        assert table.total == 200  # at mount, before any worker ran
        assert table.current is not None and table.current.tier == "S"
        await settle(app, pilot)
        assert reads == []  # the Book did not count its rows again
        assert not first.ready  # taken
        assert table.total == 200


async def test_without_rows_read_ahead_the_book_reads_them(
    demo_book: Book, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    tried = threading.Event()

    def fails(_q: BookQuery) -> int:
        tried.set()
        raise OSError("disk error")

    with monkeypatch.context() as m:
        m.setattr(demo_book, "count", fails)
        first = FirstRows(demo_book)
        assert tried.wait(30)  # the thread's read failed; the screen must not mind
    deadline = time.monotonic() + 30  # and the failure is in the log, with its traceback
    while not any(r.exc_info for r in caplog.records if "first rows" in r.getMessage()):
        assert time.monotonic() < deadline, caplog.records
        time.sleep(0.01)
    assert not first.ready
    app = KamApp(demo_book, today=TODAY, first_rows=first)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(AccountTable)
        assert table.total == 200


def test_rows_are_taken_once_and_only_for_the_opening_query(demo_book: Book) -> None:
    first = read(FirstRows(demo_book))
    assert first.take(BookQuery(attention=True)) is None  # another query: not these rows
    first = read(FirstRows(demo_book))
    taken = first.take(BookQuery())
    assert taken is not None
    total, rows = taken
    assert total == 200 and len(rows) == PAGE
    assert rows == demo_book.page(BookQuery(), 0, PAGE, matching=total)
    assert first.take(BookQuery()) is None
