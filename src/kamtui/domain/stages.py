"""The five-stage sales SOP (销售流程) and its deliverables (输出物)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kamtui.domain.counts import count
from kamtui.domain.errors import FieldError, InputError, StageGateError, check_text
from kamtui.domain.limits import MAX_NUMBER


@dataclass(frozen=True)
class Deliverable:
    key: str
    label: str
    label_zh: str


@dataclass(frozen=True)
class Stage:
    number: int
    label: str
    label_zh: str
    deliverables: tuple[Deliverable, ...]


STAGES: tuple[Stage, ...] = (
    Stage(
        1,
        "Initial contact & discovery",
        "初步接洽与需求挖掘",
        (
            Deliverable("initial_assessment", "initial account assessment", "客户初步评估报告"),
            Deliverable("discovery_notes", "discovery interview notes", "客户需求访谈纪要"),
        ),
    ),
    Stage(
        2,
        "Solution design & value proposition",
        "方案定制与价值呈现",
        (
            Deliverable("solution_proposal", "tailored solution proposal", "定制化解决方案建议书"),
            Deliverable("demo_deck", "demo deck", "产品演示PPT"),
            Deliverable("roi_analysis", "ROI analysis", "ROI分析报告"),
        ),
    ),
    Stage(
        3,
        "Negotiation & contracting",
        "商务谈判与合同签订",
        (
            Deliverable("commercial_quote", "commercial quote", "商务报价单"),
            Deliverable("signed_contract", "signed contract", "正式销售合同"),
        ),
    ),
    Stage(
        4,
        "Implementation & initial feedback",
        "项目交付与初步反馈",
        (
            Deliverable("kickoff_minutes", "kickoff minutes", "项目启动会纪要"),
            Deliverable("usage_feedback", "initial usage feedback", "客户初步使用反馈报告"),
        ),
    ),
    Stage(
        5,
        "Account management & upsell",
        "关系维护与增购挖掘",
        (
            Deliverable("health_check", "periodic health check", "客户定期健康度检查报告"),
            Deliverable("upsell_log", "upsell/renewal opportunity log", "增购/续约商机记录"),
        ),
    ),
)
FIRST_STAGE, LAST_STAGE = 1, len(STAGES)
DEAL_STATUSES = ("open", "lost")


def stage(number: int) -> Stage:
    if not FIRST_STAGE <= number <= LAST_STAGE:
        raise InputError(f"Stage {number} does not exist; stages run 1–{LAST_STAGE}.")
    return STAGES[number - 1]


def stage_of_deliverable(key: str) -> Stage:
    for s in STAGES:
        if any(d.key == key for d in s.deliverables):
            return s
    raise InputError(f"{key!r} is not a deliverable of any stage.")


def missing_deliverables(stage_number: int, checked: Iterable[str]) -> list[Deliverable]:
    done = set(checked)
    return [d for d in stage(stage_number).deliverables if d.key not in done]


@dataclass(frozen=True)
class StageChange:
    from_stage: int | None  # None when the deal was created
    to_stage: int
    on: date
    forced: bool = False
    reason: str = ""
    lost: bool = False


def advance(
    current: int, checked: Iterable[str], today: date, force_reason: str | None = None
) -> StageChange:
    """Move k → k+1; refused with the missing deliverables named unless forced with a reason."""
    if current >= LAST_STAGE:
        raise InputError(f"Stage {LAST_STAGE} is the last stage; the deal cannot advance.")
    missing = missing_deliverables(current, checked)
    if missing and force_reason is not None:
        reason = force_reason.strip()
        if not reason:
            raise InputError("Forcing a deal forward needs a written reason.")
        return StageChange(current, current + 1, today, forced=True, reason=reason)
    if missing:
        names = ", ".join(d.label for d in missing)
        raise StageGateError(
            f"Stage {current} is missing {count(len(missing), 'deliverable', 'deliverables')}: {names}.",
            [d.key for d in missing],
        )
    return StageChange(current, current + 1, today)


def move_back(current: int, today: date, reason: str = "") -> StageChange:
    if current <= FIRST_STAGE:
        raise InputError("Stage 1 is the first stage; the deal cannot move back.")
    return StageChange(current, current - 1, today, reason=reason.strip())


def close_lost(current: int, today: date, reason: str) -> StageChange:
    reason = reason.strip()
    if not reason:
        raise InputError("Closing a deal as lost needs a reason.")
    return StageChange(current, current, today, reason=reason, lost=True)


# ---- the outcome: won, lost or open ---------------------------------------------------------
# SPEC §5: a deal is won when its contract is signed, that is when it passes the stage-3 gate
# (commercial quote, signed contract) and goes on through stages 4 and 5 as delivery and
# account management; it is lost when closed lost. A move back from stage 4 to 3 takes the
# win back; a deal closed lost after it was won keeps its win (its contract was signed), so
# win rate and cycle length count it as won.
WINNING_STAGE = 4
OUTCOMES = ("won", "lost", "open")


def wins(change: StageChange) -> bool:
    """Whether a move wins the deal: stage 3 to 4, gated or forced."""
    return (
        not change.lost
        and change.from_stage == WINNING_STAGE - 1
        and (change.to_stage == WINNING_STAGE)
    )


def unwins(change: StageChange) -> bool:
    """Whether a move takes a win back: stage 4 back to 3."""
    return (
        not change.lost
        and change.from_stage == WINNING_STAGE
        and (change.to_stage == WINNING_STAGE - 1)
    )


def outcome(status: str, won_on: date | None) -> str:
    """won (whatever came after), lost (closed lost, never won) or open."""
    if won_on is not None:
        return "won"
    return "lost" if status == "lost" else "open"


def win_rate(outcomes: Iterable[str]) -> float | None:
    """Won deals as a share of the deals decided (won or lost); None when none is."""
    won = lost = 0
    for o in outcomes:
        won += o == "won"
        lost += o == "lost"
    return won / (won + lost) if won + lost else None


def cycle_days(started_on: date, won_on: date) -> int:
    """A won deal's cycle: from the day it entered the SOP (its first stage) to the win."""
    return (won_on - started_on).days


def entered_current_stage(history: Sequence[StageChange]) -> date | None:
    """The date the deal entered the stage it is in now (history oldest first)."""
    for change in reversed(history):
        if change.from_stage != change.to_stage:
            return change.on
    return history[0].on if history else None


def days_in_stage(history: Sequence[StageChange], today: date) -> int:
    entered = entered_current_stage(history)
    return max(0, (today - entered).days) if entered else 0


@dataclass(frozen=True)
class FollowUpRule:
    """Entering ``stage`` creates a task titled ``title`` due ``due_in_days`` later."""

    stage: int
    title: str
    due_in_days: int = 7


DEFAULT_FOLLOW_UPS: tuple[FollowUpRule, ...] = (
    FollowUpRule(3, "Contract draft (legal)", 7),
    FollowUpRule(3, "Review terms and pricing (finance)", 7),
    FollowUpRule(4, "Kickoff meeting with delivery lead", 14),
)


def follow_ups_for(change: StageChange, rules: Iterable[FollowUpRule]) -> list[FollowUpRule]:
    if change.lost or change.from_stage is not None and change.to_stage <= change.from_stage:
        return []
    return [r for r in rules if r.stage == change.to_stage]


# Share of a deal's amount counted as weighted pipeline in each stage: a deal is won when
# its contract is signed (the end of stage 3), so stages 4 and 5 count in full.
STAGE_WEIGHTS: dict[int, float] = {1: 0.10, 2: 0.30, 3: 0.60, 4: 1.0, 5: 1.0}


def weighted_value(stage_number: int, amount: float) -> float:
    stage(stage_number)
    return amount * STAGE_WEIGHTS[stage_number]


DEAL_FIELDS = ("name", "amount", "expected_close", "next_step")
DEAL_TEXT_LIMIT = 500  # characters in a deal's name or next step


def check_deal(fields: Mapping[str, Any], *, creating: bool = False) -> dict[str, Any]:
    """Validate a deal's fields (name, amount, expected close, next step); returns them
    cleaned. A deal needs a name; its amount is a number, not negative."""
    unknown = sorted(set(fields) - set(DEAL_FIELDS))
    if unknown:
        raise FieldError(
            unknown[0],
            f"Unknown deal {'field' if len(unknown) == 1 else 'fields'}: {', '.join(unknown)}.",
        )
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("name", "next_step"):
            value = check_text("deal", key, value, DEAL_TEXT_LIMIT)
        elif key == "amount":
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise FieldError(key, f"A deal's amount must be a number, not {value!r}.")
            if not math.isfinite(value):
                raise FieldError(key, f"A deal's amount must be a number, not {value!r}.")
            if value < 0:
                raise FieldError(key, "A deal's amount cannot be negative.")
            if value > MAX_NUMBER:
                raise FieldError(key, f"A deal's amount is too large (at most {MAX_NUMBER:,}).")
            value = float(value)
        elif key == "expected_close":
            if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
                raise FieldError(key, f"The expected close must be a date, not {value!r}.")
        out[key] = value
    if creating and "name" not in out:
        raise FieldError("name", "A deal needs a name.")
    return out
