"""Derived values of an account: score, tier, RFM, coverage, health, next action.

They are stored on the account row (so the Book can sort and filter in SQL) and
recomputed from their inputs whenever one changes, and for a new date on open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from kamtui.config import BookConfig
from kamtui.domain.cadence import cadence_status
from kamtui.domain.decision_map import coverage_warnings, key_contacts_left
from kamtui.domain.health import DepartedContact, Health, HealthInputs, compute_health
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
    search: str

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
            json.dumps([f.as_dict() for f in self.health.flags], ensure_ascii=False),
            json.dumps(self.coverage, ensure_ascii=False),
            self.top_stage,
            self.next_action,
            self.search,
        )


def parse_rfm(text: str) -> RFM | None:
    if not text:
        return None
    r, f, m = (int(x) for x in text.split(","))
    return RFM(r, f, m)


def derive(
    a: DeriveInputs,
    cfg: BookConfig,
    today: date,
    rfm: RFM | None,
    stats: OrderStats | None,
) -> Derived:
    score = score_account(cfg.model, {k: v for k, v in a.ratings.items() if k in cfg.model.keys})
    tier = effective_tier(score.computed_tier, a.pinned_tier)
    cad = cfg.cadences.get(tier) if tier else None
    coverage = [
        {"code": w.code, "message": w.message} for w in coverage_warnings(tier, a.contacts, today)
    ]
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
    overdue = status.touch_overdue_days(today)
    if a.status != "former" and cad and (a.last_touch is None or overdue > 0):
        next_action = f"touch overdue {overdue} days" if a.last_touch else "first touch"
    elif top and top[3]:
        next_action = top[3]
    elif a.next_task:
        next_action = f"{a.next_task[0]} (by {a.next_task[1].isoformat()})"
    elif status.touch_due and a.status != "former":
        next_action = f"touch by {status.touch_due.isoformat()}"
    else:
        next_action = ""
    return Derived(
        score, tier, rfm, health, coverage, top[2] if top else None, next_action, a.search
    )
