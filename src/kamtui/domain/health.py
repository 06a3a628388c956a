"""Health score and early warning (健康度预警).

A score 0–100 is the weighted mean of the measures that have data; the colour follows
from the score (green ≥ 70, yellow 40–69, red < 40). The hard rule of the documents —
usage down ≥ 20 % together with a key contact change — makes an account red whatever
its measures say: its score is capped just under the yellow line so that score and
colour never disagree, and a flag says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from kamtui.domain.errors import ModelError

MEASURES: tuple[str, ...] = (
    "usage",
    "adoption",
    "tickets",
    "feedback",
    "exec_contact",
    "payment",
    "key_contact",
    "advocacy",
)
DEFAULT_WEIGHTS: dict[str, int] = {
    "usage": 20,
    "adoption": 15,
    "tickets": 10,
    "feedback": 10,
    "exec_contact": 15,
    "payment": 15,
    "key_contact": 10,
    "advocacy": 5,
}
COLORS = ("green", "yellow", "red")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class HealthConfig:
    weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    usage_drop_pct: int = 20
    low_adoption_pct: int = 30
    ticket_surge_ratio: Decimal = Decimal(2)
    ticket_surge_min: int = 3
    negative_satisfaction: int = 2
    feedback_days: int = 90
    key_contact_days: int = 90
    green: int = 70
    yellow: int = 40

    def __post_init__(self) -> None:
        validate_health_config(self)

    def color_for(self, score: int) -> str:
        if score >= self.green:
            return "green"
        if score >= self.yellow:
            return "yellow"
        return "red"


def validate_health_config(cfg: HealthConfig) -> None:
    unknown = sorted(set(cfg.weights) - set(MEASURES))
    if unknown:
        raise ModelError(f"Unknown health measure(s): {', '.join(unknown)}.")
    if any(w < 0 for w in cfg.weights.values()):
        raise ModelError("Health weights cannot be negative.")
    total = sum(cfg.weights.values())
    if total != 100:
        raise ModelError(f"Health weights must sum to 100%; these sum to {total}%.")
    if not 0 < cfg.yellow < cfg.green <= 100:
        raise ModelError(
            f"Health colour lines must satisfy 0 < yellow < green ≤ 100 "
            f"(yellow {cfg.yellow}, green {cfg.green})."
        )
    if not 0 < cfg.usage_drop_pct <= 100:
        raise ModelError("The usage-drop threshold must be 1–100%.")
    if cfg.ticket_surge_ratio <= 1:
        raise ModelError("The ticket-surge ratio must be above 1.")


class UsageSnapshot(NamedTuple):
    month: date  # first day of the month
    active_users: int
    logins: int
    adoption_pct: int


class Ticket(NamedTuple):
    opened: date
    severity: str = "normal"
    closed: date | None = None
    satisfaction: int | None = None


class Invoice(NamedTuple):
    number: str
    due: date
    amount: Decimal
    paid_on: date | None = None


@dataclass(frozen=True)
class DepartedContact:
    name: str
    what: str  # "economic buyer" or "champion"
    left_on: date


@dataclass(frozen=True)
class HealthInputs:
    usage: Sequence[UsageSnapshot] = ()
    tickets: Sequence[Ticket] = ()
    invoices: Sequence[Invoice] = ()
    last_exec_touch: date | None = None
    exec_cadence_days: int | None = None  # None: the tier has no executive cadence
    key_contacts_left: Sequence[DepartedContact] = ()
    renewal_intent: bool | None = None
    reference_willing: bool | None = None
    rfm_mismatch: str | None = None


class Flag(NamedTuple):
    code: str
    reason: str
    date: date
    severity: str = "yellow"  # red, yellow or info

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "reason": self.reason,
            "date": self.date.isoformat(),
            "severity": self.severity,
        }


class Measure(NamedTuple):
    key: str
    value: str  # what was measured, for a person
    subscore: int  # 0–100
    weight: int


@dataclass(frozen=True)
class Health:
    score: int
    color: str
    flags: tuple[Flag, ...]
    measures: tuple[Measure, ...]


def _clamp(x: float) -> int:
    """0–100, rounded half up (as scores are)."""
    return int(max(0.0, min(100.0, x)) + 0.5)


def _month(s: UsageSnapshot) -> date:
    return s.month


def _ticket_day(t: Ticket) -> date:
    return t.closed or t.opened


def _pct_change(now: int, before: int) -> float | None:
    if before <= 0:
        return None
    return (now - before) * 100.0 / before


def compute_health(inputs: HealthInputs, today: date, cfg: HealthConfig | None = None) -> Health:
    cfg = cfg or HealthConfig()
    measures: list[tuple[str, str, int]] = []  # key, value, subscore
    flags: list[Flag] = []
    usage_dropped = False

    # usage: the latest month up to today against the month before it
    snaps = (
        sorted((s for s in inputs.usage if s.month <= today), key=_month) if inputs.usage else []
    )
    if len(snaps) >= 2:
        now, before = snaps[-1], snaps[-2]
        changes = {
            "logins": _pct_change(now.logins, before.logins),
            "active users": _pct_change(now.active_users, before.active_users),
        }
        known = {k: v for k, v in changes.items() if v is not None}
        if known:
            what, worst = min(known.items(), key=lambda kv: kv[1])
            sub = 100 if worst >= 0 else _clamp(100 + worst * 2.5)
            measures.append(
                ("usage", f"{what} {worst:+.0f}% vs {MONTHS[before.month.month - 1]}", sub)
            )
            if worst <= -cfg.usage_drop_pct:
                usage_dropped = True
                flags.append(
                    Flag(
                        "usage_drop",
                        f"{what} down {-worst:.0f}% vs {MONTHS[before.month.month - 1]}",
                        now.month,
                        "red",
                    )
                )
    if snaps:
        latest = snaps[-1]
        measures.append(
            ("adoption", f"{latest.adoption_pct}% of features adopted", latest.adoption_pct)
        )
        if latest.adoption_pct < cfg.low_adoption_pct:
            flags.append(
                Flag(
                    "low_adoption",
                    f"feature adoption {latest.adoption_pct}% (below {cfg.low_adoption_pct}%)",
                    latest.month,
                )
            )

    # service tickets: the last 30 days against the 90-day average
    last30 = last90 = 0
    if inputs.tickets:
        d30, d90 = today - timedelta(days=30), today - timedelta(days=90)
        for t in inputs.tickets:
            if d90 < t.opened <= today:
                last90 += 1
                if d30 < t.opened:
                    last30 += 1
    avg30 = last90 / 3
    ratio = last30 / avg30 if avg30 else (float(last30) if last30 else 0.0)
    sub = 100 if ratio <= 1 else _clamp(100 - (ratio - 1) * 50)
    measures.append(("tickets", f"{last30} tickets in 30 days, 90-day average {avg30:.1f}", sub))
    if last30 >= cfg.ticket_surge_min and last30 >= float(cfg.ticket_surge_ratio) * avg30:
        flags.append(
            Flag(
                "ticket_surge",
                f"{last30} tickets in the last 30 days vs a 90-day average of {avg30:.1f}",
                today,
            )
        )

    # negative feedback: satisfaction ≤ 2 in the window
    since = today - timedelta(days=cfg.feedback_days)
    negative = (
        sorted(
            (
                t
                for t in inputs.tickets
                if t.satisfaction is not None
                and t.satisfaction <= cfg.negative_satisfaction
                and since < (t.closed or t.opened) <= today
            ),
            key=_ticket_day,
        )
        if inputs.tickets
        else []
    )
    measures.append(
        (
            "feedback",
            f"{len(negative)} negative rating(s) in {cfg.feedback_days} days",
            _clamp(100 - 50 * len(negative)),
        )
    )
    if negative:
        worst_t = negative[-1]
        flags.append(
            Flag(
                "negative_feedback",
                f"{len(negative)} ticket(s) rated {cfg.negative_satisfaction} or lower "
                f"in {cfg.feedback_days} days (latest {worst_t.satisfaction}/5)",
                worst_t.closed or worst_t.opened,
            )
        )

    # executive contact against the tier's cadence
    if inputs.exec_cadence_days is not None:
        cad = inputs.exec_cadence_days
        if inputs.last_exec_touch is None:
            measures.append(("exec_contact", "no executive touch recorded", 0))
            flags.append(Flag("exec_overdue", "no executive touch recorded", today))
        else:
            days = (today - inputs.last_exec_touch).days
            overdue = days - cad
            sub = 100 if overdue <= 0 else _clamp(100 - overdue * 100 / cad)
            measures.append(("exec_contact", f"last executive touch {days} days ago", sub))
            if overdue > 0:
                flags.append(
                    Flag(
                        "exec_overdue",
                        f"no executive touch for {days} days (cadence {cad} days)",
                        inputs.last_exec_touch + timedelta(days=cad),
                    )
                )

    # payment: unpaid invoices past their due date
    overdue_invoices = sorted(
        (
            (inv, (today - inv.due).days)
            for inv in inputs.invoices
            if inv.paid_on is None and inv.due < today
        ),
        key=lambda x: -x[1],
    )
    if overdue_invoices:
        worst_days = overdue_invoices[0][1]
        sub = _clamp(100 - worst_days - 10 * (len(overdue_invoices) - 1))
        measures.append(
            ("payment", f"{len(overdue_invoices)} invoice(s) overdue, worst {worst_days} days", sub)
        )
        for inv, days in overdue_invoices:
            flags.append(
                Flag(
                    "invoice_overdue",
                    f"invoice {inv.number} overdue {days} days",
                    inv.due,
                    "red" if days > 60 else "yellow",
                )
            )
    else:
        measures.append(("payment", "no invoice overdue", 100))

    # key contact change
    window = today - timedelta(days=cfg.key_contact_days)
    left = [c for c in inputs.key_contacts_left if window <= c.left_on <= today]
    measures.append(
        (
            "key_contact",
            f"{len(left)} key contact(s) left in {cfg.key_contact_days} days",
            0 if left else 100,
        )
    )
    for c in left:
        flags.append(
            Flag(
                "key_contact_left",
                f"{c.what} {c.name} left on {c.left_on.isoformat()}",
                c.left_on,
                "red",
            )
        )

    # positive signals
    if inputs.renewal_intent is not None or inputs.reference_willing is not None:

        def part(v: bool | None) -> int:
            return 50 if v else (25 if v is None else 0)

        signals = [
            s
            for s, v in (
                ("renewal intent", inputs.renewal_intent),
                ("reference", inputs.reference_willing),
            )
            if v
        ]
        measures.append(
            (
                "advocacy",
                ", ".join(signals) or "no renewal intent or reference yet",
                part(inputs.renewal_intent) + part(inputs.reference_willing),
            )
        )

    if inputs.rfm_mismatch:
        flags.append(Flag("tier_rfm_mismatch", inputs.rfm_mismatch, today, "info"))

    weights = cfg.weights
    built = tuple(Measure(k, v, sub, weights.get(k, 0)) for k, v, sub in measures)
    total_w = 0
    total = 0
    for m in built:
        total_w += m.weight
        total += m.subscore * m.weight
    score = _clamp(total / total_w) if total_w else 100
    if usage_dropped and left:
        score = min(score, cfg.yellow - 1)
        flags.insert(
            0,
            Flag(
                "hard_rule",
                "usage down and a key contact left: red whatever the score",
                max(f.date for f in flags if f.code in ("usage_drop", "key_contact_left")),
                "red",
            ),
        )
    return Health(
        score=score,
        color=cfg.color_for(score),
        flags=tuple(flags),
        measures=built,
    )
