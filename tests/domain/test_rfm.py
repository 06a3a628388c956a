"""RFM quintiles, tier/RFM disagreement and revenue concentration (SPEC §2)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kamtui.domain.rfm import (
    DEPENDENCY_SHARE,
    RFM,
    Concentration,
    OrderStats,
    concentration,
    rfm_mismatch_since,
    rfm_scores,
    rfm_tier_mismatch,
)


def stats(recency: int | None, frequency: int, monetary: int | str) -> OrderStats:
    return OrderStats(recency, frequency, Decimal(monetary))


NO_ORDERS = OrderStats(None, 0, Decimal(0))


# --- quintiles -------------------------------------------------------------------------


def test_five_distinct_accounts_get_1_to_5():
    book = {
        "a": stats(300, 1, 100),
        "b": stats(200, 2, 200),
        "c": stats(100, 3, 300),
        "d": stats(50, 4, 400),
        "e": stats(5, 5, 500),
    }
    scores = rfm_scores(book)
    assert scores == {
        "a": RFM(1, 1, 1),
        "b": RFM(2, 2, 2),
        "c": RFM(3, 3, 3),
        "d": RFM(4, 4, 4),
        "e": RFM(5, 5, 5),
    }


def test_recency_is_reversed_fewer_days_is_better():
    book = {
        "recent": stats(3, 1, 10),
        "old": stats(330, 1, 10),
        "middle": stats(60, 1, 10),
        "oldish": stats(200, 1, 10),
        "fresh": stats(10, 1, 10),
    }
    r = {k: v.r for k, v in rfm_scores(book).items()}
    assert r == {"old": 1, "oldish": 2, "middle": 3, "fresh": 4, "recent": 5}


def test_ten_accounts_two_per_quintile():
    book = {i: stats(100 - i, i + 1, (i + 1) * 1000) for i in range(10)}
    scores = rfm_scores(book)
    assert [scores[i].m for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [scores[i].f for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [scores[i].r for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_best_buyer_gets_5_on_every_axis():
    book: dict[int | str, Any] = {i: stats(90 + i, 3, 1000 + i) for i in range(7)}
    book["best"] = stats(1, 40, 9_000_000)
    assert rfm_scores(book)["best"] == RFM(5, 5, 5)


def test_ties_share_the_score_of_their_lowest_rank():
    # monetary: 100, 200, 200, 200, 900 -> ranks 0, 1-3, 4
    book = {
        "a": stats(10, 1, 100),
        "b": stats(10, 1, 200),
        "c": stats(10, 1, 200),
        "d": stats(10, 1, 200),
        "e": stats(10, 1, 900),
    }
    scores = rfm_scores(book)
    assert [scores[k].m for k in "abcde"] == [1, 2, 2, 2, 5]
    # everyone equal on recency and frequency: all share the lowest score
    assert {s.r for s in scores.values()} == {1}
    assert {s.f for s in scores.values()} == {1}


def test_accounts_without_orders_score_1():
    book = {
        "none1": NO_ORDERS,
        "buyer1": stats(20, 4, 5000),
        "none2": NO_ORDERS,
        "buyer2": stats(5, 12, 80000),
        "buyer3": stats(200, 1, 300),
    }
    scores = rfm_scores(book)
    assert scores["none1"] == RFM(1, 1, 1)
    assert scores["none2"] == RFM(1, 1, 1)
    assert scores["buyer2"] == RFM(5, 5, 5)
    # a buyer, however stale, ranks above an account that never bought
    assert scores["buyer3"].r > scores["none1"].r


def test_no_order_account_scores_1_even_among_very_old_buyers():
    book: dict[int | str, Any] = {i: stats(360 + i, 1, 10) for i in range(4)}
    book["never"] = NO_ORDERS
    assert rfm_scores(book)["never"].r == 1
    assert rfm_scores(book)[3].r == 2  # the oldest buyer ranks just above


def test_empty_book_and_single_account():
    assert rfm_scores({}) == {}
    assert rfm_scores({"only": stats(5, 3, 100)}) == {"only": RFM(1, 1, 1)}


@given(
    st.dictionaries(
        st.integers(0, 500),
        st.builds(
            OrderStats,
            st.one_of(st.none(), st.integers(0, 365)),
            st.integers(0, 50),
            st.decimals(0, 10_000_000, places=2),
        ),
        max_size=60,
    )
)
def test_scores_always_1_to_5_and_monotonic(book):
    scores = rfm_scores(book)
    assert set(scores) == set(book)
    for s in scores.values():
        assert 1 <= s.r <= 5 and 1 <= s.f <= 5 and 1 <= s.m <= 5
    for k1, a in book.items():
        for k2, b in book.items():
            if a.monetary > b.monetary:
                assert scores[k1].m >= scores[k2].m
            if a.monetary == b.monetary:
                assert scores[k1].m == scores[k2].m
            if a.frequency > b.frequency:
                assert scores[k1].f >= scores[k2].f


# --- tier / RFM mismatch ---------------------------------------------------------------


def test_s_account_without_orders_in_a_year_is_flagged():
    assert rfm_tier_mismatch("S", RFM(1, 1, 1), NO_ORDERS) == "S account with no order in 12 months"


def test_a_account_without_an_order_for_more_than_a_year_is_flagged():
    assert (
        rfm_tier_mismatch("A", RFM(1, 3, 4), stats(366, 3, 90000))
        == "A account with no order for 366 days"
    )


def test_s_account_bought_within_the_year_is_not_flagged():
    assert rfm_tier_mismatch("S", RFM(2, 3, 4), stats(365, 3, 90000)) is None
    assert rfm_tier_mismatch("S", RFM(2, 3, 4), stats(181, 3, 90000)) is None
    assert rfm_tier_mismatch("S", RFM(5, 5, 5), stats(3, 30, 900000)) is None


def test_c_account_growing_fast_is_flagged():
    assert (
        rfm_tier_mismatch("C", RFM(5, 4, 5), stats(4, 10, 500000))
        == "C account buying like a top account (RFM 545)"
    )
    assert (
        rfm_tier_mismatch("B", RFM(3, 5, 5), stats(40, 20, 800000))
        == "B account buying like a top account (RFM 355)"
    )


def test_c_account_buying_less_is_not_flagged():
    assert rfm_tier_mismatch("C", RFM(5, 3, 5), stats(4, 3, 500000)) is None  # f below 4
    assert rfm_tier_mismatch("C", RFM(5, 5, 4), stats(4, 30, 50000)) is None  # m below 5
    assert rfm_tier_mismatch("B", RFM(1, 1, 1), NO_ORDERS) is None  # low tiers may be idle


def test_mismatch_needs_tier_rfm_and_stats():
    assert rfm_tier_mismatch(None, RFM(5, 5, 5), stats(1, 30, 1)) is None
    assert rfm_tier_mismatch("S", None, NO_ORDERS) is None
    assert rfm_tier_mismatch("S", RFM(1, 1, 1), None) is None


def test_top_account_buying_like_one_is_not_flagged_the_other_way():
    assert rfm_tier_mismatch("S", RFM(5, 5, 5), stats(1, 30, 1_000_000)) is None
    assert rfm_tier_mismatch("A", RFM(5, 5, 5), stats(1, 30, 1_000_000)) is None


def test_mismatch_is_dated_from_when_it_began():
    today = date(2026, 11, 20)
    entered = date(2024, 2, 1)
    # an S account whose last order (2025-10-01) left the 12 months on 2026-10-01
    gone = NO_ORDERS._replace(last_order=date(2025, 10, 1))
    assert rfm_mismatch_since("S", gone, today, entered) == date(2026, 10, 1)
    # one that never bought: since it was entered
    assert rfm_mismatch_since("A", NO_ORDERS, today, entered) == entered
    assert rfm_mismatch_since("A", NO_ORDERS, today, None) == today  # not known: today
    # a C account buying like a top account: since its latest order
    assert rfm_mismatch_since("C", stats(4, 10, 500000), today, entered) == date(2026, 11, 16)
    # never after today
    assert rfm_mismatch_since("S", NO_ORDERS, today, today + timedelta(days=3)) == today


# --- concentration ---------------------------------------------------------------------


def test_concentration_of_an_empty_book():
    c = concentration({})
    assert c == Concentration(Decimal(0), 0, Decimal(0), ())


def test_concentration_of_a_book_with_no_revenue():
    c = concentration({"a": Decimal(0), "b": Decimal(0)})
    assert c.total == 0
    assert c.top20_count == 0
    assert c.top20_share == 0
    assert c.dependencies == ()


def test_top_20_percent_share_of_ten_accounts():
    revenue = {f"acct{i}": Decimal(v) for i, v in enumerate([50, 30, 5, 5, 2, 2, 2, 2, 1, 1])}
    c = concentration(revenue)
    assert c.total == Decimal(100)
    assert c.top20_count == 2
    assert c.top20_share == Decimal("0.8")
    # only acct0 holds more than 30%
    assert c.dependencies == (("acct0", Decimal("0.5")),)


def test_top_20_percent_rounds_up_and_is_at_least_one():
    c = concentration({"a": Decimal(60), "b": Decimal(40)})
    assert c.top20_count == 1
    assert c.top20_share == Decimal("0.6")
    six = {i: Decimal(10) for i in range(6)}
    assert concentration(six).top20_count == 2  # 20% of 6 is 1.2 -> 2
    fifteen = {i: Decimal(10) for i in range(15)}
    assert concentration(fifteen).top20_count == 3
    assert concentration(fifteen).top20_share == Decimal(30) / Decimal(150)


def test_non_buying_accounts_do_not_count_toward_the_top_20_percent():
    revenue = {"a": Decimal(70), "b": Decimal(30), "c": Decimal(0), "d": Decimal(0)}
    c = concentration(revenue)
    assert c.top20_count == 1
    assert c.top20_share == Decimal("0.7")


def test_dependency_is_strictly_above_30_percent():
    revenue = {"a": Decimal(30), "b": Decimal(30), "c": Decimal(20), "d": Decimal(20)}
    assert concentration(revenue).dependencies == ()
    assert DEPENDENCY_SHARE == Decimal("0.30")
    revenue = {"a": Decimal("30.01"), "b": Decimal("29.99"), "c": Decimal(40)}
    deps = concentration(revenue).dependencies
    assert [k for k, _ in deps] == ["c", "a"]  # largest share first
    assert deps[0][1] == Decimal("0.4")
    assert deps[1][1] == Decimal("0.3001")


def test_single_account_book_is_fully_dependent():
    c = concentration({"云翔集团": Decimal(1_000_000)})
    assert c.top20_count == 1
    assert c.top20_share == 1
    assert c.dependencies == (("云翔集团", Decimal(1)),)
