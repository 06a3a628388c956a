"""RFM quintiles across a book, tier/RFM disagreement, and revenue concentration."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple, TypeVar

from kamtui.domain.counts import count

K = TypeVar("K", bound=Hashable)

DEPENDENCY_SHARE = Decimal("0.30")
STALE_TOP_DAYS = 365  # an S or A account that has not bought in a year


class OrderStats(NamedTuple):
    """One account's orders in the trailing 12 months (a tuple: made by the 100,000)."""

    recency_days: int | None  # days since the last order; None when it bought nothing
    frequency: int
    monetary: Decimal
    # the day of its latest order up to today, however long ago (None: none at all, or
    # not known)
    last_order: date | None = None


class RFM(NamedTuple):
    """Recency, frequency and monetary quintile scores, 1–5."""

    r: int
    f: int
    m: int


# every RFM, by its scores (a book makes one per account: they are shared)
_RFMS = [[[RFM(r, f, m) for m in range(6)] for f in range(6)] for r in range(6)]


def _quintiles(values: list[float]) -> list[int]:
    """Score 1–5 by rank: equal values share the score of their lowest rank (the number of
    values below them). A book holds few distinct values: they are counted, then sorted."""
    n = len(values)
    score_of: dict[float, int] = {}
    below = 0
    counts = Counter(values)
    for v in sorted(counts):
        score_of[v] = 1 + (5 * below) // n
        below += counts[v]
    return list(map(score_of.__getitem__, values))


def rfm_scores(stats: Mapping[K, OrderStats]) -> dict[K, RFM]:
    """Quintile scores 1–5; recent, frequent and large buyers score 5."""
    every = stats.values()
    r = _quintiles([-(s.recency_days if s.recency_days is not None else math.inf) for s in every])
    f = _quintiles([float(s.frequency) for s in every])
    m = _quintiles([float(s.monetary) for s in every])
    return dict(zip(stats, [_RFMS[a][b][c] for a, b, c in zip(r, f, m, strict=True)], strict=True))


def rfm_tier_mismatch(tier: str | None, rfm: RFM | None, stats: OrderStats | None) -> str | None:
    """A reason when buying behaviour and tier disagree (tiers must move with the business)."""
    if tier is None or rfm is None or stats is None:
        return None
    if tier in ("S", "A") and (stats.recency_days is None or stats.recency_days > STALE_TOP_DAYS):
        if stats.recency_days is None:
            return f"{tier} account with no order in 12 months"
        return f"{tier} account with no order for {count(stats.recency_days, 'day', 'days')}"
    if tier in ("B", "C") and rfm.m >= 5 and rfm.f >= 4:
        return f"{tier} account buying like a top account (RFM {rfm.r}{rfm.f}{rfm.m})"
    return None


YEAR = timedelta(days=365)  # orders are counted over the trailing 12 months


def rfm_mismatch_since(
    tier: str | None, stats: OrderStats, today: date, entered: date | None
) -> date:
    """The day the disagreement ``rfm_tier_mismatch`` reports began, as the orders tell it
    (never after ``today``), so that the flag keeps its date while nothing changes: an S or
    A account that stopped buying, the day its last order left the 12 months counted (the
    day it was entered, ``entered``, when it never bought); a B or C account buying like a
    top account, the day of its latest order."""
    last = stats.last_order
    if last is None and stats.recency_days is not None:
        last = today - timedelta(days=stats.recency_days)
    if tier in ("S", "A"):
        since = last + YEAR if last is not None else entered
    else:
        since = last
    return since if since is not None and since <= today else today


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
