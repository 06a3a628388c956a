"""The Book's filter, sort and paging, all in SQL (store/repo.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kamtui.store.db import Store, create_store
from kamtui.store.repo import BOOK_SORTS, AccountRow, BookQuery, account_page, count_accounts

TIER_RANK = {"S": 0, "A": 1, "B": 2, "C": 3, None: 4}

# id, name, owner, track, tier, pinned, score, health, stage, last_touch, next_action, deleted
ACCOUNTS: list[tuple[Any, ...]] = [
    (1, "云翔集团", "张伟", "value", "S", None, 4.8, 82, 3, "2026-11-01", "安排高层拜访", False),
    (2, "北京云翔集团有限公司", "李娜", "lighthouse", "A", None, 4.1, 55, None, None, "", False),
    (3, "Apex Foods Inc", "Alex Chen", "price", "B", None, 3.4, 30, 1, "2026-10-02", "", False),
    (4, "上海华信科技有限公司", "张伟", "value", "C", "C", 2.1, None, 5, "2026-09-15", "x", False),
    (5, "云南白药", "王芳", "price", None, None, None, 64, 2, "2026-11-20", "first touch", False),
    (6, "Apex Foods Inc", "李娜", "value", "B", None, 3.4, 30, 2, "2026-10-02", "call", False),
    (7, "100% Pure_Water Ltd", "Maria Garcia", "lighthouse", "A", "A", 3.9, 71, 4, None, "", False),
    (8, "Northwind Systems", "刘洋", "price", "S", None, 4.5, 41, None, "2026-08-30", "", False),
    (9, "云翔集团", "王芳", "value", None, None, None, None, None, None, "", False),
    (10, "深圳云翔智能", "刘洋", "lighthouse", "C", None, 1.9, 12, 1, "2026-07-01", "zz", False),
    (11, "云翔已删除", "张伟", "value", "S", None, 4.9, 90, 3, "2026-11-22", "", True),
    (
        12,
        "Bluewater Health Ltd",
        "Alex Chen",
        "value",
        "B",
        None,
        3.0,
        88,
        5,
        "2026-11-21",
        "",
        False,
    ),
]
LIVE = [a for a in ACCOUNTS if not a[11]]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = create_store(tmp_path / "book.db")
    with s.writing() as conn:
        for a in ACCOUNTS:
            aid, name, owner, track, tier, pinned, score, health, stage, touch, nxt, deleted = a
            conn.exec_driver_sql(
                "INSERT INTO accounts (id, name, owner, track, tier, tier_rank, pinned_tier, score, "
                "health_score, top_stage, last_touch, next_action, search, created_on, deleted_at, "
                "industry, segment, region, status, pain_points, pin_reason, version, "
                "missing_criteria, rfm, health_flags, coverage) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "'', '', '', 'customer', '', '', 1, '', '', '[]', '[]')",
                (
                    aid,
                    name,
                    owner,
                    track,
                    tier,
                    TIER_RANK[tier],
                    pinned,
                    score,
                    health,
                    stage,
                    touch,
                    nxt,
                    f"{name} {owner}".lower(),
                    "2025-01-01",
                    "2026-11-01 10:00:00" if deleted else None,
                ),
            )
    yield s
    s.close()


def ids(store: Store, q: BookQuery, offset: int = 0, limit: int = 1000) -> list[int]:
    with store.reading() as conn:
        return [r.id for r in account_page(conn, q, offset, limit)]


def count(store: Store, q: BookQuery) -> int:
    with store.reading() as conn:
        return count_accounts(conn, q)


# ---- filtering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [a[0] for a in LIVE]),
        ("云", [1, 2, 5, 9, 10]),
        ("云翔", [1, 2, 9, 10]),
        ("云翔集", [1, 2, 9]),
        ("云翔集团有限公司", [2]),
        ("  云翔集团  ", [1, 2, 9]),
        ("apex", [3, 6]),
        ("APEX FOODS", [3, 6]),
        ("张伟", [1, 4]),  # owner is searched too
        ("%", [7]),  # no LIKE wildcards
        ("_", [7]),
        ("x' OR 1=1 --", []),
        ("已删除", []),  # deleted accounts never show
        ("不存在的公司", []),
    ],
)
def test_text_filter_matches_substrings_of_any_length(
    store: Store, text: str, expected: list[int]
) -> None:
    q = BookQuery(text=text, sort="name")
    assert sorted(ids(store, q)) == sorted(expected)
    assert count(store, q) == len(expected)


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        (frozenset(), [a[0] for a in LIVE]),
        (frozenset({"S"}), [1, 8]),
        (frozenset({"S", "A"}), [1, 2, 7, 8]),
        (frozenset({"unscored"}), [5, 9]),
        (frozenset({"C", "unscored"}), [4, 5, 9, 10]),
        (frozenset({"S", "A", "B", "C", "unscored"}), [a[0] for a in LIVE]),
    ],
)
def test_tier_filter_including_unscored(
    store: Store, tiers: frozenset[str], expected: list[int]
) -> None:
    q = BookQuery(tiers=tiers)
    assert sorted(ids(store, q)) == sorted(expected)
    assert count(store, q) == len(expected)


def test_text_and_tier_filters_combine(store: Store) -> None:
    q = BookQuery(text="云翔", tiers=frozenset({"S", "unscored"}))
    assert sorted(ids(store, q)) == [1, 9]
    assert count(store, q) == 2


# ---- sorting ------------------------------------------------------------------------------

# sort key -> (value or None when the column is NULL, tie-breakers)
SORT_VALUES = {
    "tier": lambda a: ((TIER_RANK[a[4]], a[1]), a[0]),
    "name": lambda a: ((a[1],), a[0]),
    "track": lambda a: ((a[3], a[1]), a[0]),
    "score": lambda a: (None if a[6] is None else (a[6],), a[0]),
    "health": lambda a: (None if a[7] is None else (a[7],), a[0]),
    "stage": lambda a: (None if a[8] is None else (a[8],), a[0]),
    "last_touch": lambda a: (None if a[9] is None else (a[9],), a[0]),
    "next_action": lambda a: ((a[10],), a[0]),
    "owner": lambda a: ((a[2], a[1]), a[0]),
}


def expected_order(key: str, descending: bool) -> list[int]:
    """Values in the asked direction (ties by id the same way); empty values always last."""
    values = [(SORT_VALUES[key](a), a[0]) for a in LIVE]
    filled = sorted(
        ((v, tie, aid) for (v, tie), aid in values if v is not None), reverse=descending
    )
    empty = sorted(((tie, aid) for (v, tie), aid in values if v is None), reverse=descending)
    return [aid for *_, aid in filled] + [aid for _, aid in empty]


def test_every_sort_key_is_covered() -> None:
    assert set(SORT_VALUES) == set(BOOK_SORTS)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", sorted(BOOK_SORTS))
def test_sort_keys_both_directions(store: Store, key: str, descending: bool) -> None:
    got = ids(store, BookQuery(sort=key, descending=descending))
    assert got == expected_order(key, descending)


def test_tier_sort_puts_s_first_and_unscored_last(store: Store) -> None:
    with store.reading() as conn:
        rows = account_page(conn, BookQuery(), 0, 100)
    assert [r.tier for r in rows] == ["S", "S", "A", "A", "B", "B", "B", "C", "C", None, None]


# ---- paging -------------------------------------------------------------------------------


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", ["tier", "name", "score", "last_touch", "owner"])
@pytest.mark.parametrize("size", [1, 3, 4])
def test_pages_cover_the_book_without_overlap(
    store: Store, key: str, descending: bool, size: int
) -> None:
    q = BookQuery(sort=key, descending=descending)
    total = count(store, q)
    pages = [ids(store, q, offset, size) for offset in range(0, total, size)]
    flat = [i for page in pages for i in page]

    assert all(len(p) == size for p in pages[:-1])
    assert flat == ids(store, q)
    assert len(flat) == len(set(flat)) == total == len(LIVE)
    assert ids(store, q, total, size) == []


def test_paging_a_filtered_query(store: Store) -> None:
    q = BookQuery(text="云", sort="score", descending=True)
    first, second = ids(store, q, 0, 2), ids(store, q, 2, 2)
    rest = ids(store, q, 4, 10)
    assert first + second + rest == ids(store, q)
    assert not set(first) & set(second)
    assert len(first + second + rest) == count(store, q) == 5


# ---- rows ---------------------------------------------------------------------------------


def test_account_rows_carry_plain_values(store: Store) -> None:
    with store.reading() as conn:
        rows = {r.id: r for r in account_page(conn, BookQuery(), 0, 100)}
    assert rows[4] == AccountRow(
        id=4,
        tier="C",
        pinned=True,
        name="上海华信科技有限公司",
        track="value",
        score=2.1,
        health_color=None,
        health_score=None,
        top_stage=5,
        last_touch=date(2026, 9, 15),
        next_action="x",
        owner="张伟",
    )
    assert rows[1].pinned is False
    assert rows[2].last_touch is None


@pytest.mark.parametrize("key", sorted(BOOK_SORTS))
@pytest.mark.parametrize("text", ["云", "a", "zzz-no-match"])
def test_narrow_filter_plan_gives_the_same_rows(store: Store, key: str, text: str) -> None:
    """A filter that matches few rows is served by a scan-and-sort plan: same rows, same order."""
    q = BookQuery(text=text, sort=key)
    with store.reading() as conn:
        walked = account_page(conn, q, 0, 1000)
        scanned = account_page(conn, q, 0, 1000, matching=1)  # forces the scan plan
        assert [r.id for r in scanned] == [r.id for r in walked]
        assert [r.id for r in account_page(conn, q, 2, 3, matching=1)] == [
            r.id for r in walked[2:5]
        ]
        if not walked:  # a count of nothing is believed: no query at all
            assert account_page(conn, q, 0, 1000, matching=0) == []


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", sorted(BOOK_SORTS))
def test_every_order_of_the_book_reads_an_index_without_sorting(
    store: Store, key: str, descending: bool
) -> None:
    q = BookQuery(sort=key, descending=descending)
    where, params = q.where()
    with store.reading() as conn:
        plan = [
            r[3]
            for r in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT id FROM accounts WHERE {where} "
                f"ORDER BY {q.order_by()} LIMIT 100",
                tuple(params),
            )
        ]
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert any("USING INDEX" in step for step in plan), plan


QUERIES = [
    BookQuery(),
    BookQuery(text="云"),
    BookQuery(text="a", tiers=frozenset({"A", "unscored"})),
    BookQuery(track="value", attention=True),
    BookQuery(text="zzz-no-match"),
]


def test_counts_read_the_filter_index_and_agree_without_it(store: Store) -> None:
    """Counts go through the filter index (whatever ANALYZE tells the planner); a book of an
    older schema, opened read-only, has no such index and counts the same from the table."""
    with store.writing() as conn:
        conn.exec_driver_sql("ANALYZE")
    with store.reading_sqlite() as conn:
        seen: list[str] = []
        conn.set_trace_callback(seen.append)
        indexed = [count_accounts(conn, q) for q in QUERIES]
        conn.set_trace_callback(None)
        counts = [sql for sql in seen if sql.startswith("SELECT count(*)")]
        assert len(counts) == len(QUERIES)
        for sql in counts:
            plan = str(conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            assert "USING COVERING INDEX ix_accounts_filter" in plan or (
                "USING INDEX ix_accounts_filter" in plan and "SEARCH" not in plan
            ), plan
    with store.writing() as conn:
        conn.exec_driver_sql("DROP INDEX ix_accounts_filter")
    with store.reading_sqlite() as conn:
        assert [count_accounts(conn, q) for q in QUERIES] == indexed
    assert indexed[0] > indexed[1] > 0 and indexed[-1] == 0
