"""Recomputing a whole book (services/recompute.py): what refresh stores is what derive()
gives for each account, in one process or several."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import dying_worker  # beside this file (tests/services is on sys.path)
import pytest

from kamtui.domain.rfm import RFM, rfm_scores
from kamtui.domain.scoring import Thresholds
from kamtui.services import recompute
from kamtui.services.book import Book
from kamtui.services.derive import DeriveCache, derive, records_json
from kamtui.store import repo

TODAY = date(2026, 11, 23)
DAYS = (TODAY + timedelta(days=1), TODAY + timedelta(days=45), TODAY + timedelta(days=200))


def add_edge_cases(book: Book) -> None:
    """Rows that the bulk reads could get wrong: ties, blanks, a deleted account."""
    with book.store.writing() as conn:
        sql = conn.exec_driver_sql
        a, b, c, gone = (r[0] for r in sql("SELECT id FROM accounts ORDER BY id LIMIT 4"))
        # a blocker without a plan, a key contact who just left, a leaving date stored as ''
        for name, role, stance, left_on, action in (
            ("Sun", "finance", "blocker", None, "  "),
            ("Lee", "economic_buyer", "neutral", (TODAY - timedelta(days=3)).isoformat(), ""),
            ("Ma", "user", "champion", "", ""),
            ("Wu", "evaluator", "blocker", (TODAY - timedelta(days=400)).isoformat(), ""),
        ):
            sql(
                "INSERT INTO contacts (account_id, name, role, stance, left_on, planned_action) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (a, name, role, stance, left_on, action),
            )
        # two open deals on the same stage and amount, with different next steps
        for step in ("first step", "second step"):
            sql(
                "INSERT INTO deals (account_id, name, amount, next_step, stage, status, created_on, "
                "stage_entered_on) VALUES (?, 'Tie', 999999, ?, 5, 'open', ?, ?)",
                (b, step, TODAY.isoformat(), TODAY.isoformat()),
            )
        # two badly rated tickets closed the same day; two open tasks due the same day
        for subject, sat in (("one", 1), ("two", 2)):
            sql(
                "INSERT INTO tickets (account_id, subject, opened_on, closed_on, satisfaction) "
                "VALUES (?, ?, ?, ?, ?)",
                (c, subject, (TODAY - timedelta(days=20)).isoformat(), TODAY.isoformat(), sat),
            )
        for title in ("Call back", "Send offer"):
            sql(
                "INSERT INTO tasks (account_id, title, due_on) VALUES (?, ?, ?)",
                (c, title, (TODAY + timedelta(days=2)).isoformat()),
            )
        sql("UPDATE accounts SET deleted_at = ? WHERE id = ?", (TODAY.isoformat(), gone))


def stored(book: Book) -> dict[int, tuple[Any, ...]]:
    with book.store.reading() as conn:
        return {
            r[0]: tuple(r[1:])
            for r in conn.exec_driver_sql(
                f"SELECT id, {', '.join(repo.DERIVED_COLS)} FROM accounts WHERE deleted_at IS NULL"
            )
        }


def one_by_one(book: Book, day: date) -> dict[int, tuple[Any, ...]]:
    """The plain way: each account loaded on its own and derived."""
    with book.store.reading() as conn:
        stats = repo.order_stats(conn, day)
        rfms = rfm_scores(stats)
        out = {}
        for aid in stats:
            (a,) = repo.load_derive_inputs(conn, day, [aid]).values()
            out[aid] = derive(a, book.config, day, rfms[aid], stats[aid]).columns()
    return out


@pytest.fixture
def edgy(demo: Book) -> Book:
    add_edge_cases(demo)
    return demo


def test_refresh_stores_what_derive_gives_each_account(edgy: Book) -> None:
    for day in DAYS:
        edgy.refresh(day)
        assert stored(edgy) == one_by_one(edgy, day)


def test_refresh_counts_and_skips_unchanged_rows(edgy: Book) -> None:
    before = stored(edgy)
    changed = edgy.refresh(DAYS[1])
    after = stored(edgy)
    assert changed == sum(before[aid] != after[aid] for aid in after) > 0
    assert edgy.refresh(DAYS[1]) == 0


def copy_of(book: Book, target: Path) -> Book:
    source = sqlite3.connect(book.path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return Book.open(target)


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parallel path on a small book: small chunks, one worker whatever the machine."""
    monkeypatch.setattr(recompute, "PARALLEL_MIN", 1)
    monkeypatch.setattr(recompute, "MIN_CHUNK", 4)
    monkeypatch.setattr(recompute, "worker_count", lambda accounts: 1)


@pytest.fixture
def workers_only(parallel: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process takes no chunk: the workers compute the whole book."""
    take = recompute._take

    def take_none_here(shared: Any, i: int, who: int) -> bool:
        return False if who == recompute.HERE and shared is not None else take(shared, i, who)

    monkeypatch.setattr(recompute, "_take", take_none_here)


def test_parallel_refresh_stores_the_same_as_one_process(
    edgy: Book, tmp_path: Path, parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = copy_of(edgy, tmp_path / "serial.db")
    try:
        with pytest.MonkeyPatch.context() as m:
            m.setattr(recompute, "worker_count", lambda accounts: 0)
            expected = serial.refresh(DAYS[1])
        monkeypatch.setattr(recompute, "worker_count", lambda accounts: 2)
        assert edgy.refresh(DAYS[1]) == expected
        assert stored(edgy) == stored(serial) == one_by_one(edgy, DAYS[1])
    finally:
        serial.close()


def test_workers_alone_store_what_derive_gives(edgy: Book, workers_only: None) -> None:
    progress: list[tuple[int, int]] = []
    changed = edgy.refresh(DAYS[1], progress=lambda done, total: progress.append((done, total)))
    assert changed > 0
    assert stored(edgy) == one_by_one(edgy, DAYS[1])
    assert progress[-1] == (len(stored(edgy)),) * 2


def test_parallel_refresh_from_a_thread(edgy: Book, parallel: None) -> None:
    """As the app does it: in a thread worker, with progress reports."""
    result: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(edgy.refresh(DAYS[2], progress=lambda done, total: None))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not errors
    assert result[0] > 0
    assert stored(edgy) == one_by_one(edgy, DAYS[2])


def test_an_error_in_a_worker_is_raised_by_refresh(edgy: Book, workers_only: None) -> None:
    """Whatever a worker raises reaches the caller, and nothing is written."""
    before = stored(edgy)
    with edgy.store.writing() as conn:  # a month no reader can parse, in the usage window
        conn.exec_driver_sql(
            "UPDATE usage_snapshots SET month = ? WHERE rowid = (SELECT max(rowid) FROM "
            "usage_snapshots)",
            (f"{DAYS[0]:%Y-%m}-0x",),
        )
    with pytest.raises(ValueError, match="Invalid isoformat string"):
        edgy.refresh(DAYS[0])
    assert stored(edgy) == before
    assert edgy.derived_on() == TODAY


def test_changes_not_yet_committed_are_seen(edgy: Book, workers_only: None) -> None:
    """Workers read committed data only: a transaction that has written is computed here."""
    aid = min(stored(edgy))
    got: recompute.Changes = {}
    with edgy.store.writing() as conn:
        conn.exec_driver_sql("UPDATE ratings SET rating = 1 WHERE account_id = ?", (aid,))
        recompute.recompute_book(
            conn, edgy.path, edgy.config, DAYS[1], partial(recompute._merge, got)
        )
        conn.exec_driver_sql("ROLLBACK")
        conn.exec_driver_sql("BEGIN")
    rows = {row[-1]: (columns, row) for columns, rs in got.items() for row in rs}
    columns, row = rows[aid]
    score = repo.DERIVED_COLS.index("score")
    assert row[columns.index(score)] == 1.0


def test_without_shared_memory_everything_is_computed_here(
    edgy: Book, parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NoSharedMemory:
        def __getattr__(self, name: str) -> Any:
            raise OSError(38, "Function not implemented")

    monkeypatch.setattr(recompute, "get_context", lambda method: NoSharedMemory())
    assert edgy.refresh(DAYS[2]) > 0
    assert stored(edgy) == one_by_one(edgy, DAYS[2])


@pytest.mark.parametrize(
    "error",
    [
        OSError(38, "Function not implemented"),  # no shared memory for the locks
        ValueError("bad value(s) in fds_to_keep"),  # under Textual, before the fix
        PermissionError(1, "Operation not permitted"),  # a sandbox without fork
    ],
)
def test_workers_that_cannot_start_leave_everything_here_and_say_why_in_the_log(
    edgy: Book, parallel: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:  # fmt: skip
    class Failing:
        def __getattr__(self, name: str) -> Any:
            raise error

    monkeypatch.setattr(recompute, "get_context", lambda method: Failing())
    with caplog.at_level(logging.INFO, logger="kamtui"):
        assert edgy.refresh(DAYS[2]) > 0
    assert stored(edgy) == one_by_one(edgy, DAYS[2])
    (record,) = [r for r in caplog.records if "could not start" in r.getMessage()]
    assert record.exc_info is not None and record.exc_info[1] is error


@pytest.mark.parametrize("how", ["at start", "holding a chunk"])
def test_a_worker_that_dies_leaves_its_chunks_here(
    edgy: Book,
    workers_only: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    how: str,
) -> None:
    if how == "at start":
        monkeypatch.setattr(recompute, "_start_worker", dying_worker.die_at_start)
    else:
        monkeypatch.setattr(recompute, "_worker_rows", dying_worker.take_and_die)
    progress: list[tuple[int, int]] = []
    with caplog.at_level(logging.INFO, logger="kamtui"):
        changed = edgy.refresh(DAYS[1], progress=lambda done, total: progress.append((done, total)))
    assert changed > 0
    assert stored(edgy) == one_by_one(edgy, DAYS[1])
    assert progress[-1] == (len(stored(edgy)),) * 2
    assert sum("ended early" in r.getMessage() for r in caplog.records) == 1


CAPTURED_STDERR = """
import sys
from datetime import date
from pathlib import Path

from kamtui import logs
from kamtui.services import recompute
from kamtui.services.book import Book


class Capture:  # what Textual puts in sys.stderr while an app runs
    def write(self, text): return len(text)
    def flush(self): pass
    def isatty(self): return True
    def fileno(self): return -1


if __name__ == "__main__":
    book_path, log, day = sys.argv[1:]
    logs.start(Path(log))
    recompute.PARALLEL_MIN, recompute.MIN_CHUNK = 1, 4
    recompute.worker_count = lambda accounts: 1
    started = recompute._start_workers
    seen = []
    recompute._start_workers = lambda *a: seen.append(started(*a)) or seen[-1]
    sys.stderr = Capture()
    with Book.open(book_path) as book:
        changed = book.refresh(date.fromisoformat(day))
    sys.stdout.write(f"{changed} {seen[0] is not None}")
"""


def test_workers_start_under_a_captured_stderr_as_textual_makes_it(
    edgy: Book, tmp_path: Path
) -> None:
    """In a real terminal the app runs with sys.stderr replaced by a capture with no file
    descriptor; the refresh's worker processes must start all the same (a fresh process:
    multiprocessing's resource tracker starts once per process)."""
    serial = copy_of(edgy, tmp_path / "serial.db")
    expected = serial.refresh(DAYS[1])
    serial.close()
    edgy.close()
    script = tmp_path / "refresh_captured.py"
    script.write_text(CAPTURED_STDERR, encoding="utf-8")
    log = tmp_path / "kamtui.log"
    p = subprocess.run(
        [sys.executable, str(script), str(edgy.path), str(log), DAYS[1].isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"{expected} True"  # the workers started
    assert not log.exists() or "could not start" not in log.read_text(encoding="utf-8")
    with Book.open(edgy.path) as refreshed, Book.open(tmp_path / "serial.db") as one:
        assert stored(refreshed) == stored(one)


# ---- pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize("processes", [1, 2, 3, 8])
@pytest.mark.parametrize("n", [0, 1, 5, 999, 1000, 1001, 4321, 100_000])
def test_split_keeps_every_id_once_in_order(n: int, processes: int) -> None:
    ids = list(range(7, 7 + n))
    chunks = recompute.split(ids, processes)
    assert [i for c in chunks for i in c] == ids
    assert all(chunks)
    if n >= 10 * recompute.MIN_CHUNK:
        sizes = [len(c) for c in chunks]
        middle = min(range(len(sizes)), key=sizes.__getitem__)
        assert sizes[0] >= sizes[middle] <= sizes[-1]


def test_records_json_is_json_dumps() -> None:
    records = [
        {"code": "usage_drop", "reason": 'logins "down" 40% \\ vs October', "date": "2026-11-01"},
        {"code": "key_contact_left", "reason": "economic buyer 王总 left\n\t\x1b\u2028 \x7f"},
        {},
    ]
    assert records_json(records) == json.dumps(records, ensure_ascii=False)
    assert records_json([]) == "[]"


# ---- a refresh for a later day derives only what may have changed -------------------------


def stored_until(book: Book) -> dict[int, str | None]:
    with book.store.reading() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, valid_until FROM accounts WHERE deleted_at IS NULL"
        ).all()
        return {aid: until for aid, until in rows}


def edit_inputs(book: Book, n: int, day: date) -> None:
    """Change some input behind the services' back (as an import or another program
    would): the triggers must make the next refresh derive those accounts again."""
    with book.store.writing() as conn:
        sql = conn.exec_driver_sql
        ids = [r[0] for r in sql("SELECT id FROM accounts WHERE deleted_at IS NULL ORDER BY id")]
        aid = ids[(7 * n) % len(ids)]
        step = n % 6
        if step == 0:  # a ticket rated badly, opened in ten days
            sql(
                "INSERT INTO tickets (account_id, subject, opened_on, closed_on, satisfaction) "
                "VALUES (?, 'later', ?, ?, 1)",
                (aid, (day + timedelta(10)).isoformat(), (day + timedelta(12)).isoformat()),
            )
        elif step == 1:  # an invoice due next week
            sql(
                "INSERT INTO invoices (account_id, number, issued_on, due_on, amount) "
                "VALUES (?, ?, ?, ?, 10)",
                (aid, f"T-{n}", day.isoformat(), (day + timedelta(7)).isoformat()),
            )
        elif step == 2:  # every invoice paid
            sql("UPDATE invoices SET paid_on = ? WHERE account_id = ?", (day.isoformat(), aid))
        elif step == 3:  # an executive touch, recorded on the account
            sql("UPDATE accounts SET last_exec_touch = ? WHERE id = ?", (day.isoformat(), aid))
        elif step == 4:  # a champion leaves in three days; a rating drops
            sql(
                "INSERT INTO contacts (account_id, name, role, stance, left_on) "
                "VALUES (?, 'Gu', 'user', 'champion', ?)",
                (aid, (day + timedelta(3)).isoformat()),
            )
            sql("UPDATE ratings SET rating = 1 WHERE account_id = ?", (aid,))
        else:  # next month's usage; an order (RFM moves across the book)
            month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            sql(
                "INSERT OR REPLACE INTO usage_snapshots (account_id, month, active_users, logins, "
                "adoption_pct) VALUES (?, ?, 1, 1, 5)",
                (aid, month.isoformat()),
            )
            sql(
                "INSERT INTO orders (account_id, number, ordered_on, amount) VALUES (?, ?, ?, 1e7)",
                (ids[-1 - n % len(ids)], f"O-{n}", day.isoformat()),
            )


def test_refresh_day_after_day_stores_what_a_full_recompute_gives(
    edgy: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Day by day over three months (month ends, every window of the health rules), with
    inputs changed on some days: what is stored is always what derive() gives, and most
    days most accounts are not derived again."""
    derived: list[int] = []
    load = recompute._load

    def counting(conn: Any, today: date, ids: list[int], *args: Any) -> Any:
        derived.append(len(ids))
        return load(conn, today, ids, *args)

    monkeypatch.setattr(recompute, "_load", counting)
    accounts = len(stored(edgy))
    partial_days = 0
    for n in range(1, 95):
        day = TODAY + timedelta(days=n)
        if n % 4 == 0:
            edit_inputs(edgy, n, day - timedelta(days=1))
        derived.clear()
        edgy.refresh(day)
        assert derived, "the refresh follows from the last one"
        assert stored(edgy) == one_by_one(edgy, day), day
        partial_days += sum(derived) < accounts
        until = stored_until(edgy)
        assert all(u is not None and u > day.isoformat() for u in until.values()), day
    assert partial_days > 80


def test_refresh_for_an_earlier_day_or_new_rules_derives_every_account(
    edgy: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    edgy.refresh(DAYS[1])
    calls: list[date | None] = []
    recompute_book = recompute.recompute_book

    def spy(*args: Any, **kw: Any) -> None:
        calls.append(kw.get("since"))
        recompute_book(*args, **kw)

    monkeypatch.setattr(recompute, "recompute_book", spy)
    edgy.refresh(DAYS[1] + timedelta(days=1))
    edgy.refresh(DAYS[0])  # back in time
    assert stored(edgy) == one_by_one(edgy, DAYS[0])
    with edgy.store.writing() as conn:  # another program stored values for another day
        edgy.store.put_setting(conn, "derived_on", DAYS[1].isoformat())
    edgy.refresh(DAYS[1])
    cfg = edgy.config
    edgy.save_config(replace(cfg, stale_days=cfg.stale_days + 1), DAYS[1])
    assert stored(edgy) == one_by_one(edgy, DAYS[1])
    assert calls == [DAYS[1], DAYS[1] + timedelta(days=1), None, None]
    assert calls[2] is None  # a later day than "today": everything


def test_a_settings_save_is_derived_by_the_workers_with_the_new_configuration(
    edgy: Book, workers_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The configuration is written after the recompute, in the same transaction: the
    workers, which see only committed rows, can still take part."""
    edgy.refresh(DAYS[1])
    started: list[int] = []
    start = recompute._start_workers

    def spy(workers: int, *args: Any) -> Any:
        started.append(workers)
        return start(workers, *args)

    monkeypatch.setattr(recompute, "_start_workers", spy)
    new = replace(edgy.config, model=replace(edgy.config.model, thresholds=Thresholds(
        Decimal("3.80"), Decimal("3.00"), Decimal("2.00"))))  # fmt: skip
    before = stored(edgy)
    edgy.save_config(new, DAYS[1])
    assert started == [1]
    assert edgy.config == new
    with Book.open(edgy.path) as again:
        assert again.config == new
    assert stored(edgy) == one_by_one(edgy, DAYS[1]) != before
    assert edgy.is_fresh(DAYS[1])


def test_an_edit_resets_valid_until_and_the_next_refresh_derives_it(edgy: Book) -> None:
    edgy.refresh(DAYS[0])
    aid = min(stored(edgy))
    edgy.log_interaction(aid, DAYS[0], kind="call", on=DAYS[0], summary="hello")
    assert stored_until(edgy)[aid] is None
    edgy.refresh(DAYS[0])
    assert stored_until(edgy)[aid] is not None
    assert stored(edgy) == one_by_one(edgy, DAYS[0])


def test_parallel_refresh_day_after_day(edgy: Book, parallel: None) -> None:
    for n in (1, 2, 9, 40):
        day = TODAY + timedelta(days=n)
        edit_inputs(edgy, n, day)
        edgy.refresh(day)
        assert stored(edgy) == one_by_one(edgy, day), day


def test_workers_alone_refresh_day_after_day(edgy: Book, workers_only: None) -> None:
    for n in (1, 5, 33):
        day = TODAY + timedelta(days=n)
        edit_inputs(edgy, n, day)
        edgy.refresh(day)
        assert stored(edgy) == one_by_one(edgy, day), day


def test_a_refresh_for_the_same_day_derives_only_what_changed(
    edgy: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    derived: list[int] = []
    load = recompute._load

    def counting(conn: Any, today: date, ids: list[int], *args: Any) -> Any:
        derived.extend(ids)
        return load(conn, today, ids, *args)

    monkeypatch.setattr(recompute, "_load", counting)
    edgy.refresh(DAYS[0])
    derived.clear()
    assert edgy.refresh(DAYS[0]) == 0
    assert derived == []
    # an order ends a top account's "no order in 12 months" the same day: it is derived
    with edgy.store.reading() as conn:
        flagged = [
            aid
            for (aid,) in conn.exec_driver_sql(
                "SELECT id FROM accounts WHERE health_flags LIKE '%tier_rfm_mismatch%' "
                "AND tier IN ('S', 'A') AND deleted_at IS NULL"
            )
        ]
    assert flagged
    with edgy.store.writing() as conn:
        conn.exec_driver_sql(
            "INSERT INTO orders (account_id, number, ordered_on, amount) VALUES (?, 'N', ?, 5)",
            (flagged[0], DAYS[0].isoformat()),
        )
    assert edgy.refresh(DAYS[0]) >= 1
    assert flagged[0] in derived
    assert stored(edgy) == one_by_one(edgy, DAYS[0])


def test_a_mismatch_that_only_changes_its_date_is_derived_again(edgy: Book) -> None:
    """A top account without orders in the last 12 months is flagged from the day its last
    order left them: orders older than that, added or deleted, move that day while RFM
    stays the same."""
    edgy.refresh(DAYS[0])
    with edgy.store.reading() as conn:
        first = conn.exec_driver_sql(
            "SELECT id FROM accounts WHERE tier IN ('S', 'A') AND status != 'prospect' "
            "AND deleted_at IS NULL AND health_flags LIKE '%no order in 12 months%'"
        ).first()
    assert first is not None
    (aid,) = first
    dates = []
    for ago in (500, 400):
        with edgy.store.writing() as conn:
            conn.exec_driver_sql(
                "INSERT INTO orders (account_id, number, ordered_on, amount) VALUES (?, ?, ?, 5)",
                (aid, f"OLD-{ago}", (DAYS[0] - timedelta(days=ago)).isoformat()),
            )
        edgy.refresh(DAYS[0])
        assert stored(edgy) == one_by_one(edgy, DAYS[0])
        dates.append(mismatch_date(edgy, aid))
    with edgy.store.writing() as conn:
        conn.exec_driver_sql("DELETE FROM orders WHERE number = 'OLD-400'")
    edgy.refresh(DAYS[0])
    assert stored(edgy) == one_by_one(edgy, DAYS[0])
    dates.append(mismatch_date(edgy, aid))
    assert dates == [
        (DAYS[0] - timedelta(days=500 - 365)).isoformat(),
        (DAYS[0] - timedelta(days=400 - 365)).isoformat(),
        (DAYS[0] - timedelta(days=500 - 365)).isoformat(),
    ]


def mismatch_date(book: Book, aid: int) -> str:
    with book.store.reading() as conn:
        (flags,) = conn.exec_driver_sql(
            "SELECT health_flags FROM accounts WHERE id = ?", (aid,)
        ).one()
    (date_,) = [f["date"] for f in json.loads(flags) if f["code"] == "tier_rfm_mismatch"]
    return str(date_)


def test_an_edit_keeps_what_a_full_recompute_gives(edgy: Book) -> None:
    """An edit derives its account again with the stored RFM ranks: its flags (the tier/RFM
    mismatch too, which needs the account's orders) stay what a refresh would store."""
    edgy.refresh(TODAY)
    with edgy.store.reading() as conn:
        flagged = [
            aid
            for aid, flags in conn.exec_driver_sql(
                "SELECT id, health_flags FROM accounts WHERE deleted_at IS NULL"
            )
            if "tier_rfm_mismatch" in (flags or "")
        ]
    assert flagged, "the demo book has accounts whose tier and buying disagree"
    for aid in flagged[:5]:
        edgy.log_interaction(aid, TODAY, kind="call", on=TODAY)
    edgy.add_task(flagged[0], TODAY, title="回访", due=TODAY)
    assert stored(edgy) == one_by_one(edgy, TODAY)


def test_changes_derived_with_a_guessed_rfm_settle_as_with_the_ranking(edgy: Book) -> None:
    """A worker derives with the accounts' stored RFM while the ranking is made, then again
    those whose RFM the ranking moved: what it returns is what the ranking alone gives."""
    day = DAYS[1]
    with edgy.store.reading() as conn:
        inputs = repo.load_derive_inputs(conn, day, until=True)
        stats = repo.order_stats(conn, day)
    rfms = rfm_scores(stats)
    cfg = edgy.config
    ids = sorted(inputs)
    guess = {
        aid: rfms[aid] if n % 3 else (RFM(1, 1, 1) if n % 2 else None) for n, aid in enumerate(ids)
    }  # right for two accounts in three, wrong or unknown for the third
    assert any(guess[a] != rfms[a] for a in ids) and any(guess[a] == rfms[a] for a in ids)

    def rows(changes: recompute.Changes) -> dict[tuple[int, ...], list[tuple[Any, ...]]]:
        return {cols: sorted(rs, key=lambda r: r[-1]) for cols, rs in changes.items()}

    exact = rows(recompute._changes(inputs, cfg, day, rfms, stats, DeriveCache()))
    early = recompute._account_changes(inputs, cfg, day, guess, stats, DeriveCache())
    assert rows(recompute._grouped(early)) != exact  # a wrong guess shows
    cache = DeriveCache()
    settled = recompute._changes(inputs, cfg, day, rfms, stats, cache, early, guess)
    assert rows(settled) == exact
