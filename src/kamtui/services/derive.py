"""Derived values of an account: score, tier, RFM, coverage, health, next action.

They are stored on the account row (so the Book can sort and filter in SQL) and
recomputed from their inputs whenever one changes, and for a new date on open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kamtui.config import BookConfig
from kamtui.domain.cadence import cadence_status
from kamtui.domain.decision_map import coverage_warnings, key_contacts_left
from kamtui.domain.health import DepartedContact, Flag, Health, HealthInputs, compute_health
from kamtui.domain.rfm import RFM, OrderStats, rfm_tier_mismatch
from kamtui.domain.scoring import ScoreResult, effective_tier, score_account, tier_rank
from kamtui.store.repo import DeriveInputs


@dataclass(frozen=True)
class Derived:
    score: ScoreResult
    tier: str | None
    rfm: RFM | None
    health: Health
    coverage: list[dict[str, str]]
    top_stage: int | None
    next_action: str
    flags_json: str = "[]"
    coverage_json: str = "[]"

    def columns(self) -> tuple[Any, ...]:
        """Values in the order of ``store.repo.DERIVED_COLS``."""
        s = self.score
        return (
            float(s.score) if s.score is not None else None,
            s.computed_tier,
            self.tier,
            tier_rank(self.tier),
            ",".join(s.missing),
            f"{self.rfm.r},{self.rfm.f},{self.rfm.m}" if self.rfm else "",
            self.health.score,
            self.health.color,
            self.flags_json,
            self.coverage_json,
            self.top_stage,
            self.next_action,
        )


def parse_rfm(text: str) -> RFM | None:
    if not text:
        return None
    r, f, m = (int(x) for x in text.split(","))
    return RFM(r, f, m)


@dataclass
class DeriveCache:
    """Memo for one recompute run: a book has few distinct rating sets and flag lists."""

    scores: dict[tuple[int | None, ...], ScoreResult] = field(default_factory=dict)
    json: dict[Any, str] = field(default_factory=dict)

    def to_json(self, key: Any, make: Any) -> str:
        text = self.json.get(key)
        if text is None:
            text = self.json[key] = json.dumps(make(), ensure_ascii=False)
        return text


def _flags_key(flags: tuple[Flag, ...]) -> tuple[tuple[str, str, str, str], ...]:
    return tuple((f.code, f.reason, f.date.isoformat(), f.severity) for f in flags)


def derive(
    a: DeriveInputs,
    cfg: BookConfig,
    today: date,
    rfm: RFM | None,
    stats: OrderStats | None,
    cache: DeriveCache | None = None,
) -> Derived:
    cache = cache or DeriveCache()
    keys = cfg.model.keys
    rating_key = tuple(a.ratings.get(k) for k in keys)
    score = cache.scores.get(rating_key)
    if score is None:
        score = cache.scores[rating_key] = score_account(
            cfg.model, dict(zip(keys, rating_key, strict=True))
        )
    tier = effective_tier(score.computed_tier, a.pinned_tier)
    cad = cfg.cadences.get(tier) if tier else None
    warnings = coverage_warnings(tier, a.contacts, today)
    coverage = [{"code": w.code, "message": w.message} for w in warnings]
    left = [
        DepartedContact(
            c.name, "economic buyer" if c.role == "economic_buyer" else "champion", c.left_on
        )
        for c in key_contacts_left(a.contacts, today)
        if c.left_on is not None
    ]
    health = compute_health(
        HealthInputs(
            usage=a.usage,
            tickets=a.tickets,
            invoices=a.invoices,
            last_exec_touch=a.last_exec_touch,
            exec_cadence_days=cad.exec_days if cad else None,
            key_contacts_left=left,
            renewal_intent=a.renewal_intent,
            reference_willing=a.reference_willing,
            rfm_mismatch=rfm_tier_mismatch(tier, rfm, stats) if a.status != "prospect" else None,
        ),
        today,
        cfg.health,
    )
    top = max(a.deals, key=lambda x: (x[2], x[4]), default=None)
    status = cadence_status(cad, a.last_touch, a.last_exec_touch, today)
    if a.status != "former" and cad and a.last_touch is None:
        next_action = "first touch"
    elif a.status != "former" and status.touch_due and status.touch_due < today:
        next_action = f"touch overdue since {status.touch_due.isoformat()}"
    elif top and top[3]:
        next_action = top[3]
    elif a.next_task:
        next_action = f"{a.next_task[0]} (by {a.next_task[1].isoformat()})"
    elif status.touch_due and a.status != "former":
        next_action = f"touch by {status.touch_due.isoformat()}"
    else:
        next_action = ""
    flags_key = _flags_key(health.flags)
    flags_json = (
        "[]"
        if not flags_key
        else cache.to_json(flags_key, lambda: [f.as_dict() for f in health.flags])
    )
    cov_key = tuple((w.code, w.message) for w in warnings)
    coverage_json = "[]" if not cov_key else cache.to_json(cov_key, lambda: coverage)
    return Derived(
        score,
        tier,
        rfm,
        health,
        coverage,
        top[2] if top else None,
        next_action,
        flags_json,
        coverage_json,
    )
