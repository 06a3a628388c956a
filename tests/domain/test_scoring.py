"""Scoring models, weighted scores and tiers (SPEC §2)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamtui.domain.errors import KamError, ModelError, RatingError
from kamtui.domain.scoring import (
    BUDGET_POSITION_RELATIONSHIP,
    BUILTIN_MODELS,
    DEFAULT_MODEL,
    RELATIONSHIP_LEVELS,
    TIERS,
    UNSCORED,
    Criterion,
    ScoringModel,
    Thresholds,
    check_pin,
    check_rating,
    effective_tier,
    rate_budget,
    rate_industry_position,
    rate_relationship,
    score_account,
    tier_rank,
)


def two_criteria(w1: str, thresholds: Thresholds | None = None) -> ScoringModel:
    """A model with criteria x (weight w1) and y (the rest of 100)."""
    w = Decimal(w1)
    return ScoringModel(
        key="two",
        name="Two criteria",
        criteria=(
            Criterion("x", "x", "x", w),
            Criterion("y", "y", "y", Decimal(100) - w),
        ),
        thresholds=thresholds or Thresholds(),
    )


def default_ratings(a: int, b: int, c: int, d: int) -> dict[str, int]:
    return {"strategic_fit": a, "profit_potential": b, "stability": c, "market_influence": d}


# --- the default model ---------------------------------------------------------------


def test_default_model_criteria_and_weights():
    assert DEFAULT_MODEL.keys == (
        "strategic_fit",
        "profit_potential",
        "stability",
        "market_influence",
    )
    assert [c.weight for c in DEFAULT_MODEL.criteria] == [
        Decimal(30),
        Decimal(30),
        Decimal(20),
        Decimal(20),
    ]
    assert [c.label_zh for c in DEFAULT_MODEL.criteria] == [
        "战略匹配度",
        "盈利潜力",
        "合作稳定性",
        "市场影响力",
    ]


def test_default_thresholds():
    t = DEFAULT_MODEL.thresholds
    assert (t.s, t.a, t.b) == (Decimal("4.50"), Decimal("4.00"), Decimal("3.00"))


def test_score_5_5_4_4_is_4_60_and_s():
    result = score_account(DEFAULT_MODEL, default_ratings(5, 5, 4, 4))
    assert result.score == Decimal("4.60")
    assert str(result.score) == "4.60"
    assert result.computed_tier == "S"
    assert result.tier_or_unscored == "S"
    assert result.missing == ()


def test_score_is_shown_with_two_decimals_even_when_whole():
    result = score_account(DEFAULT_MODEL, default_ratings(3, 3, 3, 3))
    assert str(result.score) == "3.00"
    assert result.computed_tier == "B"


def test_score_breakdown_lines():
    result = score_account(DEFAULT_MODEL, default_ratings(5, 4, 3, 2))
    assert [
        (line.key, line.rating, line.weight, line.contribution) for line in result.breakdown
    ] == [
        ("strategic_fit", 5, Decimal(30), Decimal("1.5")),
        ("profit_potential", 4, Decimal(30), Decimal("1.2")),
        ("stability", 3, Decimal(20), Decimal("0.6")),
        ("market_influence", 2, Decimal(20), Decimal("0.4")),
    ]
    assert result.score == Decimal("3.70")
    assert result.computed_tier == "B"


def test_extremes_of_the_default_model():
    assert score_account(DEFAULT_MODEL, default_ratings(1, 1, 1, 1)).score == Decimal("1.00")
    assert score_account(DEFAULT_MODEL, default_ratings(1, 1, 1, 1)).computed_tier == "C"
    assert score_account(DEFAULT_MODEL, default_ratings(5, 5, 5, 5)).score == Decimal("5.00")


@pytest.mark.parametrize(
    ("ratings", "score", "tier"),
    [
        ((5, 4, 5, 4), "4.50", "S"),  # 1.5 + 1.2 + 1.0 + 0.8
        ((5, 4, 4, 4), "4.30", "A"),
        ((4, 4, 4, 4), "4.00", "A"),
        ((4, 3, 4, 4), "3.70", "B"),
        ((3, 3, 3, 3), "3.00", "B"),
        ((3, 3, 3, 2), "2.80", "C"),
    ],
)
def test_default_model_tiers(ratings, score, tier):
    result = score_account(DEFAULT_MODEL, default_ratings(*ratings))
    assert result.score == Decimal(score)
    assert result.computed_tier == tier


# --- exact threshold boundaries --------------------------------------------------------
# With criteria x (weight w) and y (100 - w), ratings (hi, lo) score lo + w/100.


@pytest.mark.parametrize(
    ("w", "x", "y", "score", "tier"),
    [
        ("50", 5, 4, "4.50", "S"),
        ("49", 5, 4, "4.49", "A"),
        ("50", 4, 4, "4.00", "A"),
        ("99", 4, 3, "3.99", "B"),
        ("50", 3, 3, "3.00", "B"),
        ("99", 3, 2, "2.99", "C"),
    ],
)
def test_threshold_boundaries(w, x, y, score, tier):
    result = score_account(two_criteria(w), {"x": x, "y": y})
    assert result.score == Decimal(score)
    assert result.computed_tier == tier


def test_tier_for_at_the_lines():
    t = Thresholds()
    assert t.tier_for(Decimal("4.50")) == "S"
    assert t.tier_for(Decimal("4.49")) == "A"
    assert t.tier_for(Decimal("4.00")) == "A"
    assert t.tier_for(Decimal("3.99")) == "B"
    assert t.tier_for(Decimal("3.00")) == "B"
    assert t.tier_for(Decimal("2.99")) == "C"
    assert t.tier_for(Decimal("1.00")) == "C"


def test_rounding_is_half_up_to_two_decimals():
    # 5 * 0.495 + 4 * 0.505 = 4.495 -> 4.50 (half up), hence S
    result = score_account(two_criteria("49.5"), {"x": 5, "y": 4})
    assert result.score == Decimal("4.50")
    assert result.computed_tier == "S"
    # 4.485 -> 4.49 with half-up (half-even would give 4.48)
    assert score_account(two_criteria("48.5"), {"x": 5, "y": 4}).score == Decimal("4.49")
    # 4.4849 stays 4.48
    assert score_account(two_criteria("48.49"), {"x": 5, "y": 4}).score == Decimal("4.48")


def test_custom_thresholds_are_used():
    model = two_criteria("50", Thresholds(Decimal("4.80"), Decimal("4.20"), Decimal("2.00")))
    assert score_account(model, {"x": 5, "y": 4}).computed_tier == "A"  # 4.50
    assert score_account(model, {"x": 5, "y": 5}).computed_tier == "S"
    assert score_account(model, {"x": 2, "y": 2}).computed_tier == "B"
    assert score_account(model, {"x": 2, "y": 1}).computed_tier == "C"  # 1.50


# --- unscored --------------------------------------------------------------------------


def test_missing_criteria_make_the_account_unscored_and_are_named():
    result = score_account(DEFAULT_MODEL, {"strategic_fit": 5, "stability": 4})
    assert result.score is None
    assert result.computed_tier is None
    assert result.tier_or_unscored == UNSCORED == "unscored"
    assert result.missing == ("profit_potential", "market_influence")
    lines = {line.key: line for line in result.breakdown}
    assert lines["profit_potential"].rating is None
    assert lines["profit_potential"].contribution is None
    assert lines["strategic_fit"].contribution == Decimal("1.5")


def test_none_rating_counts_as_missing():
    ratings: dict[str, int | None] = dict(default_ratings(5, 5, 5, 5))
    ratings["stability"] = None
    result = score_account(DEFAULT_MODEL, ratings)
    assert result.missing == ("stability",)
    assert result.computed_tier is None


def test_no_ratings_at_all_names_every_criterion():
    result = score_account(DEFAULT_MODEL, {})
    assert result.missing == DEFAULT_MODEL.keys
    assert result.score is None


# --- bad ratings -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, -1, 10])
def test_rating_outside_1_to_5_refused(bad):
    with pytest.raises(RatingError) as e:
        score_account(DEFAULT_MODEL, default_ratings(bad, 3, 3, 3))
    assert "strategic_fit" in str(e.value)
    assert "1–5" in str(e.value)
    assert str(bad) in str(e.value)


@pytest.mark.parametrize("bad", [4.0, 4.5, "4", True, False, Decimal(4)])
def test_non_integer_rating_refused(bad):
    with pytest.raises(RatingError) as e:
        score_account(DEFAULT_MODEL, default_ratings(3, 3, bad, 3))
    assert "stability" in str(e.value)
    assert "whole number" in str(e.value)


def test_unknown_criterion_refused_and_named():
    ratings = {**default_ratings(3, 3, 3, 3), "charisma": 5, "budget": 2}
    with pytest.raises(RatingError) as e:
        score_account(DEFAULT_MODEL, ratings)
    assert "budget, charisma" in str(e.value)


def test_check_rating():
    assert check_rating("k", None) is None
    assert check_rating("k", 1) == 1
    assert check_rating("k", 5) == 5
    with pytest.raises(RatingError):
        check_rating("k", 0)


def test_model_criterion_lookup():
    assert DEFAULT_MODEL.criterion("stability").weight == Decimal(20)
    with pytest.raises(RatingError) as e:
        DEFAULT_MODEL.criterion("nope")
    assert "'nope'" in str(e.value)


def test_rating_error_is_a_kam_error_with_message():
    with pytest.raises(KamError) as e:
        score_account(DEFAULT_MODEL, default_ratings(9, 3, 3, 3))
    assert e.value.message == str(e.value)


# --- pinned tiers ----------------------------------------------------------------------


def test_effective_tier_pinned_wins():
    assert effective_tier("B", "S") == "S"
    assert effective_tier("S", "C") == "C"
    assert effective_tier(None, "A") == "A"


def test_effective_tier_without_pin_is_computed():
    assert effective_tier("B", None) == "B"
    assert effective_tier(None, None) is None


def test_effective_tier_refuses_an_unknown_pin():
    with pytest.raises(RatingError) as e:
        effective_tier("B", "X")
    assert "'X'" in str(e.value)


def test_check_pin_needs_a_reason():
    assert check_pin("S", "  board-level sponsor, strategic logo  ") == (
        "S",
        "board-level sponsor, strategic logo",
    )
    with pytest.raises(RatingError) as e:
        check_pin("S", "")
    assert "reason" in str(e.value)
    with pytest.raises(RatingError):
        check_pin("A", "   \t ")


def test_check_pin_refuses_an_unknown_tier():
    with pytest.raises(RatingError):
        check_pin("unscored", "because")
    with pytest.raises(RatingError):
        check_pin("s", "lower case is not a tier")


def test_tier_rank_orders_s_first_and_unscored_last():
    assert [tier_rank(t) for t in ("S", "A", "B", "C")] == [0, 1, 2, 3]
    assert tier_rank(None) == 4
    assert tier_rank(UNSCORED) == 4
    assert sorted(["C", None, "A", "S", "B"], key=tier_rank) == ["S", "A", "B", "C", None]
    assert TIERS == ("S", "A", "B", "C")


# --- model validation ------------------------------------------------------------------


def test_weights_not_summing_to_100_refused_with_the_sum():
    with pytest.raises(ModelError) as e:
        ScoringModel(
            "m",
            "m",
            (
                Criterion("a", "a", "a", Decimal(30)),
                Criterion("b", "b", "b", Decimal(30)),
                Criterion("c", "c", "c", Decimal(30)),
            ),
        )
    msg = str(e.value)
    assert "sum to 100%" in msg
    assert "sum to 90%" in msg
    assert "a 30%" in msg


def test_weights_summing_over_100_refused_with_a_decimal_sum():
    with pytest.raises(ModelError) as e:
        ScoringModel(
            "m",
            "m",
            (Criterion("a", "a", "a", Decimal("60.5")), Criterion("b", "b", "b", Decimal(40))),
        )
    assert "sum to 100.5%" in str(e.value)


def test_decimal_weights_summing_to_exactly_100_accepted():
    model = ScoringModel(
        "m",
        "m",
        (
            Criterion("a", "a", "a", Decimal("33.34")),
            Criterion("b", "b", "b", Decimal("33.33")),
            Criterion("c", "c", "c", Decimal("33.33")),
        ),
    )
    assert score_account(model, {"a": 5, "b": 5, "c": 5}).score == Decimal("5.00")
    assert score_account(model, {"a": 5, "b": 1, "c": 1}).score == Decimal("2.33")


def test_empty_model_refused():
    with pytest.raises(ModelError) as e:
        ScoringModel("m", "m", ())
    assert "at least one criterion" in str(e.value)


def test_duplicate_keys_refused():
    with pytest.raises(ModelError) as e:
        ScoringModel(
            "m",
            "m",
            (Criterion("a", "a", "a", Decimal(50)), Criterion("a", "a2", "a2", Decimal(50))),
        )
    assert "repeated: a" in str(e.value)


def test_blank_key_refused():
    with pytest.raises(ModelError) as e:
        ScoringModel(
            "m",
            "m",
            (Criterion("  ", "a", "a", Decimal(50)), Criterion("b", "b", "b", Decimal(50))),
        )
    assert "needs a key" in str(e.value)


@pytest.mark.parametrize("weight", ["0", "-10"])
def test_zero_or_negative_weight_refused(weight):
    w = Decimal(weight)
    with pytest.raises(ModelError) as e:
        ScoringModel(
            "m",
            "m",
            (Criterion("a", "a", "a", w), Criterion("b", "b", "b", Decimal(100) - w)),
        )
    assert "weight of a must be above 0%" in str(e.value)


@pytest.mark.parametrize(
    ("s", "a", "b"),
    [
        ("4.00", "4.50", "3.00"),  # S below A
        ("4.50", "4.50", "3.00"),  # S equal to A
        ("4.50", "3.00", "3.00"),  # A equal to B
        ("4.50", "2.00", "3.00"),  # A below B
    ],
)
def test_thresholds_not_descending_refused(s, a, b):
    with pytest.raises(ModelError) as e:
        two_criteria("50", Thresholds(Decimal(s), Decimal(a), Decimal(b)))
    assert "Thresholds must fall from S to B" in str(e.value)


@pytest.mark.parametrize(
    ("s", "a", "b", "name"),
    [("5.10", "4.00", "3.00", "S"), ("4.50", "4.00", "0.50", "B")],
)
def test_thresholds_outside_1_to_5_refused(s, a, b, name):
    with pytest.raises(ModelError) as e:
        two_criteria("50", Thresholds(Decimal(s), Decimal(a), Decimal(b)))
    assert f"The {name} threshold must lie between 1.00 and 5.00" in str(e.value)


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity"])
def test_non_finite_weight_refused_with_model_error(bad):
    with pytest.raises(ModelError):
        ScoringModel(
            "m",
            "m",
            (Criterion("a", "a", "a", Decimal(bad)), Criterion("b", "b", "b", Decimal(50))),
        )


def test_non_finite_threshold_refused_with_model_error():
    with pytest.raises(ModelError):
        two_criteria("50", Thresholds(Decimal("NaN"), Decimal("4.00"), Decimal("3.00")))


# --- budget-position-relationship model --------------------------------------------


def test_budget_position_relationship_model():
    m = BUDGET_POSITION_RELATIONSHIP
    assert m.key == "budget_position_relationship"
    assert [(c.key, c.weight) for c in m.criteria] == [
        ("purchasing_budget", Decimal(40)),
        ("industry_position", Decimal(30)),
        ("relationship_level", Decimal(30)),
    ]
    assert BUILTIN_MODELS == {"potential": DEFAULT_MODEL, "budget_position_relationship": m}


def test_budget_position_relationship_scores_with_its_helpers():
    m = BUDGET_POSITION_RELATIONSHIP
    top = {
        "purchasing_budget": rate_budget(8_000_000),
        "industry_position": rate_industry_position(2),
        "relationship_level": rate_relationship("executive"),
    }
    assert score_account(m, top).score == Decimal("5.00")
    assert score_account(m, top).computed_tier == "S"
    mid = {
        "purchasing_budget": rate_budget(3_000_000),  # 4 x 0.4 = 1.6
        "industry_position": rate_industry_position(1),  # 5 x 0.3 = 1.5
        "relationship_level": rate_relationship("middle"),  # 3 x 0.3 = 0.9
    }
    assert score_account(m, mid).score == Decimal("4.00")
    assert score_account(m, mid).computed_tier == "A"
    low = {
        "purchasing_budget": rate_budget(1_500_000),  # 3 x 0.4 = 1.2
        "industry_position": rate_industry_position(50),  # 2 x 0.3 = 0.6
        "relationship_level": rate_relationship("front_line"),  # 1 x 0.3 = 0.3
    }
    assert score_account(m, low).score == Decimal("2.10")
    assert score_account(m, low).computed_tier == "C"


@pytest.mark.parametrize(
    ("budget", "rating"),
    [
        (5_000_001, 5),
        (80_000_000, 5),
        (Decimal("5000000.01"), 5),
        (5_000_000, 4),  # exactly 5M is "2M-5M"
        (3_500_000, 4),
        (2_000_000, 4),
        (1_999_999, 3),
        (1_000_000, 3),
        (999_999, 2),
        (500_000, 2),
        (499_999, 1),
        (0, 1),
        (2_500_000.0, 4),
    ],
)
def test_rate_budget(budget, rating):
    assert rate_budget(budget) == rating


def test_budget_under_2m_never_rates_above_3():
    assert all(rate_budget(b) <= 3 for b in range(0, 2_000_000, 99_991))


def test_negative_budget_refused():
    with pytest.raises(RatingError):
        rate_budget(-1)


@pytest.mark.parametrize(
    ("rank", "rating"),
    [(1, 5), (2, 5), (3, 5), (4, 4), (10, 4), (11, 3), (30, 3), (31, 2), (100, 2), (101, 1)],
)
def test_rate_industry_position(rank, rating):
    assert rate_industry_position(rank) == rating


@pytest.mark.parametrize("rank", [0, -3])
def test_industry_rank_below_1_refused(rank):
    with pytest.raises(RatingError):
        rate_industry_position(rank)


def test_rate_relationship():
    assert rate_relationship("executive") == 5
    assert rate_relationship("middle") == 3
    assert rate_relationship("front_line") == 1
    assert RELATIONSHIP_LEVELS == {"executive": 5, "middle": 3, "front_line": 1}


def test_unknown_relationship_level_refused_and_choices_named():
    with pytest.raises(RatingError) as e:
        rate_relationship("ceo")
    assert "'ceo'" in str(e.value)
    assert "executive, middle, front_line" in str(e.value)


# --- properties ------------------------------------------------------------------------

ratings_st = st.integers(min_value=1, max_value=5)


@given(a=ratings_st, b=ratings_st, c=ratings_st, d=ratings_st)
def test_default_score_in_range_and_exact(a, b, c, d):
    result = score_account(DEFAULT_MODEL, default_ratings(a, b, c, d))
    exact = (Decimal(30) * a + Decimal(30) * b + Decimal(20) * c + Decimal(20) * d) / 100
    assert result.score == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal("1.00") <= result.score <= Decimal("5.00")
    assert result.score.as_tuple().exponent == -2
    assert result.computed_tier == DEFAULT_MODEL.thresholds.tier_for(result.score)


@st.composite
def model_and_ratings(draw):
    """A model with 1–6 criteria whose weights (hundredths of a percent) sum to 100."""
    n = draw(st.integers(min_value=1, max_value=6))
    cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 10000]
    weights = [Decimal(hi - lo) / 100 for lo, hi in pairwise(bounds)]
    model = ScoringModel(
        "gen",
        "generated",
        tuple(Criterion(f"c{i}", f"c{i}", f"c{i}", w) for i, w in enumerate(weights)),
    )
    ratings = {f"c{i}": draw(ratings_st) for i in range(n)}
    return model, weights, ratings


@given(model_and_ratings())
def test_any_model_score_in_range_and_exact(case):
    model, weights, ratings = case
    result = score_account(model, ratings)
    exact = sum(
        (Decimal(ratings[f"c{i}"]) * w for i, w in enumerate(weights)), Decimal(0)
    ) / Decimal(100)
    assert result.score == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal("1.00") <= result.score <= Decimal("5.00")
    assert result.computed_tier in TIERS
    assert result.missing == ()
