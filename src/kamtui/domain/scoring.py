"""Scoring models, weighted scores and tiers (分级).

Weights are whole or decimal percentages that must add up to exactly 100; ratings are
whole numbers 1–5. A score is Σ rating × weight, rounded half-up to two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from kamtui.domain.errors import ModelError, RatingError

TIERS: tuple[str, ...] = ("S", "A", "B", "C")
UNSCORED = "unscored"
RATING_MIN, RATING_MAX = 1, 5
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    label_zh: str
    weight: Decimal  # percent, e.g. Decimal("30")


@dataclass(frozen=True)
class Thresholds:
    """Lowest score that earns each tier; anything below ``b`` is C."""

    s: Decimal = Decimal("4.50")
    a: Decimal = Decimal("4.00")
    b: Decimal = Decimal("3.00")

    def tier_for(self, score: Decimal) -> str:
        if score >= self.s:
            return "S"
        if score >= self.a:
            return "A"
        if score >= self.b:
            return "B"
        return "C"


@dataclass(frozen=True)
class ScoringModel:
    key: str
    name: str
    criteria: tuple[Criterion, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __post_init__(self) -> None:
        validate_model(self)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)

    def criterion(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise RatingError(f"The scoring model has no criterion {key!r}.")


def validate_model(model: ScoringModel) -> None:
    """Refuse a model that cannot score: the message says what to fix."""
    if not model.criteria:
        raise ModelError("A scoring model needs at least one criterion.")
    keys = [c.key for c in model.criteria]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ModelError(f"Criterion keys must be unique; repeated: {', '.join(dupes)}.")
    for c in model.criteria:
        if not c.key.strip():
            raise ModelError("Every criterion needs a key.")
        if not Decimal(c.weight).is_finite():
            raise ModelError(f"The weight of {c.key} must be a number (it is {c.weight}).")
        if c.weight <= 0:
            raise ModelError(f"The weight of {c.key} must be above 0% (it is {c.weight}%).")
    total = sum((c.weight for c in model.criteria), Decimal(0))
    if total != 100:
        raise ModelError(
            f"Weights must sum to 100%; these sum to {total.normalize():f}% "
            f"({', '.join(f'{c.key} {c.weight.normalize():f}%' for c in model.criteria)})."
        )
    t = model.thresholds
    for name, value in (("S", t.s), ("A", t.a), ("B", t.b)):
        if not Decimal(value).is_finite() or not Decimal(RATING_MIN) <= value <= Decimal(
            RATING_MAX
        ):
            raise ModelError(
                f"The {name} threshold must lie between 1.00 and 5.00 (it is {value})."
            )
    if not t.s > t.a > t.b:
        raise ModelError(
            f"Thresholds must fall from S to B (S {t.s} > A {t.a} > B {t.b} does not hold)."
        )


DEFAULT_MODEL = ScoringModel(
    key="potential",
    name="Potential assessment",
    criteria=(
        Criterion("strategic_fit", "strategic fit", "战略匹配度", Decimal(30)),
        Criterion("profit_potential", "profit potential", "盈利潜力", Decimal(30)),
        Criterion("stability", "partnership stability", "合作稳定性", Decimal(20)),
        Criterion("market_influence", "market influence", "市场影响力", Decimal(20)),
    ),
)

BUDGET_POSITION_RELATIONSHIP = ScoringModel(
    key="budget_position_relationship",
    name="Budget, position, relationship",
    criteria=(
        Criterion("purchasing_budget", "annual purchasing budget", "年度采购预算", Decimal(40)),
        Criterion("industry_position", "industry position", "行业地位", Decimal(30)),
        Criterion("relationship_level", "relationship level", "关系层级", Decimal(30)),
    ),
)

BUILTIN_MODELS: dict[str, ScoringModel] = {
    DEFAULT_MODEL.key: DEFAULT_MODEL,
    BUDGET_POSITION_RELATIONSHIP.key: BUDGET_POSITION_RELATIONSHIP,
}


def rate_budget(annual_budget: Decimal | int | float) -> int:
    """Annual purchasing budget → rating: over 5M is 5, 2M–5M is 4, under 2M 3 or less."""
    b = Decimal(str(annual_budget))
    if b < 0:
        raise RatingError("A purchasing budget cannot be negative.")
    if b > 5_000_000:
        return 5
    if b >= 2_000_000:
        return 4
    if b >= 1_000_000:
        return 3
    if b >= 500_000:
        return 2
    return 1


def rate_industry_position(rank: int) -> int:
    """Rank in its industry (1 = leader) → rating: top three is 5."""
    if rank < 1:
        raise RatingError("An industry rank starts at 1.")
    if rank <= 3:
        return 5
    if rank <= 10:
        return 4
    if rank <= 30:
        return 3
    if rank <= 100:
        return 2
    return 1


RELATIONSHIP_LEVELS = {"executive": 5, "middle": 3, "front_line": 1}


def rate_relationship(level: str) -> int:
    """Deepest relationship held: executive 5, middle management 3, front line only 1."""
    try:
        return RELATIONSHIP_LEVELS[level]
    except KeyError:
        raise RatingError(
            f"Relationship level {level!r} is not one of {', '.join(RELATIONSHIP_LEVELS)}."
        ) from None


@dataclass(frozen=True)
class ScoreLine:
    key: str
    rating: int | None
    weight: Decimal
    contribution: Decimal | None


@dataclass(frozen=True)
class ScoreResult:
    score: Decimal | None
    computed_tier: str | None
    missing: tuple[str, ...]
    breakdown: tuple[ScoreLine, ...]

    @property
    def tier_or_unscored(self) -> str:
        return self.computed_tier or UNSCORED


def check_rating(key: str, rating: object) -> int | None:
    if rating is None:
        return None
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise RatingError(f"The rating of {key} must be a whole number 1–5, not {rating!r}.")
    if not RATING_MIN <= rating <= RATING_MAX:
        raise RatingError(f"The rating of {key} must be 1–5, not {rating}.")
    return rating


def score_account(model: ScoringModel, ratings: Mapping[str, int | None]) -> ScoreResult:
    """Score one account; with any criterion unrated it has no tier and names the gaps."""
    unknown = sorted(set(ratings) - set(model.keys))
    if unknown:
        raise RatingError(f"The scoring model has no criterion {', '.join(unknown)}.")
    lines: list[ScoreLine] = []
    missing: list[str] = []
    total = Decimal(0)
    for c in model.criteria:
        r = check_rating(c.key, ratings.get(c.key))
        if r is None:
            missing.append(c.key)
            lines.append(ScoreLine(c.key, None, c.weight, None))
            continue
        part = Decimal(r) * c.weight / 100
        total += part
        lines.append(ScoreLine(c.key, r, c.weight, part))
    if missing:
        return ScoreResult(None, None, tuple(missing), tuple(lines))
    score = total.quantize(_CENT, rounding=ROUND_HALF_UP)
    return ScoreResult(score, model.thresholds.tier_for(score), (), tuple(lines))


def effective_tier(computed: str | None, pinned: str | None) -> str | None:
    """A tier pinned by hand (人工调级) wins over the computed one."""
    if pinned is not None and pinned not in TIERS:
        raise RatingError(f"A pinned tier must be one of S, A, B, C, not {pinned!r}.")
    return pinned or computed


def tier_rank(tier: str | None) -> int:
    """Sort key: S first, unscored last."""
    return TIERS.index(tier) if tier in TIERS else len(TIERS)


def check_pin(tier: str, reason: str) -> tuple[str, str]:
    """A hand-pinned tier needs a tier and a written reason."""
    if tier not in TIERS:
        raise RatingError(f"A pinned tier must be one of S, A, B, C, not {tier!r}.")
    reason = reason.strip()
    if not reason:
        raise RatingError("Pinning a tier by hand needs a reason.")
    return tier, reason
