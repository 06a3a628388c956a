"""RFM quintiles across a book, tier/RFM disagreement, and revenue concentration."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

DEPENDENCY_SHARE = Decimal("0.30")
STALE_TOP_DAYS = 365  # an S or A account that has not bought in a year


@dataclass(frozen=True)
class OrderStats:
    """One account's orders in the trailing 12 months."""

    recency_days: int | None  # days since the last order; None when it bought nothing
    frequency: int
    monetary: Decimal


@dataclass(frozen=True)
class RFM:
    r: int
    f: int
    m: int


def _quintiles(values: Mapping[K, float]) -> dict[K, int]:
    """Score 1–5 by rank: equal values share the score of their lowest rank."""
    n = len(values)
    if not n:
        return {}
    ordered = sorted(values.values())
    first_index: dict[float, int] = {}
    for i, v in enumerate(ordered):
        first_index.setdefault(v, i)
    return {k: 1 + (5 * first_index[v]) // n for k, v in values.items()}


def rfm_scores(stats: Mapping[K, OrderStats]) -> dict[K, RFM]:
    """Quintile scores 1–5; recent, frequent and large buyers score 5."""
    recency = {
        k: -(s.recency_days if s.recency_days is not None else math.inf) for k, s in stats.items()
    }
    r = _quintiles(recency)
    f = _quintiles({k: float(s.frequency) for k, s in stats.items()})
    m = _quintiles({k: float(s.monetary) for k, s in stats.items()})
    return {k: RFM(r[k], f[k], m[k]) for k in stats}


def rfm_tier_mismatch(tier: str | None, rfm: RFM | None, stats: OrderStats | None) -> str | None:
    """A reason when buying behaviour and tier disagree (tiers must move with the business)."""
    if tier is None or rfm is None or stats is None:
        return None
    if tier in ("S", "A") and (stats.recency_days is None or stats.recency_days > STALE_TOP_DAYS):
        if stats.recency_days is None:
            return f"{tier} account with no order in 12 months"
        return f"{tier} account with no order for {stats.recency_days} days"
    if tier in ("B", "C") and rfm.m >= 5 and rfm.f >= 4:
        return f"{tier} account buying like a top account (RFM {rfm.r}{rfm.f}{rfm.m})"
    return None


@dataclass(frozen=True)
class Concentration:
    total: Decimal
    top20_count: int
    top20_share: Decimal  # 0..1
    dependencies: tuple[tuple[Hashable, Decimal], ...]  # accounts holding > 30%, with share


def concentration(revenue: Mapping[K, Decimal]) -> Concentration:
    """Share of trailing revenue held by the top 20% of buying accounts (客户依赖风险)."""
    buying = sorted((v for v in revenue.values() if v > 0), reverse=True)
    total = sum(buying, Decimal(0))
    if not buying:
        return Concentration(Decimal(0), 0, Decimal(0), ())
    top_n = max(1, math.ceil(len(buying) * 0.2))
    share = sum(buying[:top_n], Decimal(0)) / total
    deps = tuple(
        sorted(
            ((k, v / total) for k, v in revenue.items() if v > 0 and v / total > DEPENDENCY_SHARE),
            key=lambda kv: -kv[1],
        )
    )
    return Concentration(total, top_n, share, deps)
