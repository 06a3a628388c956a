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
from functools import lru_cache
from typing import NamedTuple

from kamtui.domain.counts import count
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
        raise ModelError(
            f"Unknown health {'measure' if len(unknown) == 1 else 'measures'}: {', '.join(unknown)}."
        )
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
    # the day the tier/RFM mismatch began (see rfm.rfm_mismatch_since); None: today
    rfm_mismatch_since: date | None = None
    # the day the account was entered: "no executive touch recorded" holds since then
    # (None: dated today)
    entered: date | None = None


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


class Health(NamedTuple):
    """The result (a tuple: one is made for every account of a book, every day)."""

    score: int
    color: str
    flags: tuple[Flag, ...]
    measures: tuple[Measure, ...]


def _clamp(x: float) -> int:
    """0–100, rounded half up (as scores are)."""
    return 0 if x <= 0 else (100 if not x < 100 else int(x + 0.5))


def _month(s: UsageSnapshot) -> date:
    return s.month


def _pct_change(now: int, before: int) -> float | None:
    if before <= 0:
        return None
    return (now - before) * 100.0 / before


# ---- one function per measure -----------------------------------------------------------
# Most take a few small whole numbers, and a book of 100,000 accounts holds few distinct
# combinations of them: they are memoized, so that recomputing a whole book formats each
# text once.


@lru_cache(maxsize=512)
def _adoption(pct: int, weight: int) -> Measure:
    return Measure("adoption", f"{pct}% of features adopted", pct, weight)


@lru_cache(maxsize=4096)
def _tickets(last30: int, last90: int, weight: int) -> Measure:
    """The last 30 days against the 90-day average."""
    avg30 = last90 / 3
    ratio = last30 / avg30 if avg30 else (float(last30) if last30 else 0.0)
    sub = 100 if ratio <= 1 else _clamp(100 - (ratio - 1) * 50)
    return Measure(
        "tickets",
        f"{count(last30, 'ticket', 'tickets')} in 30 days, 90-day average {avg30:.1f}",
        sub,
        weight,
    )


@lru_cache(maxsize=256)
def _feedback(negative: int, days: int, weight: int) -> Measure:
    return Measure(
        "feedback",
        f"{count(negative, 'negative rating', 'negative ratings')} in {count(days, 'day', 'days')}",
        _clamp(100 - 50 * negative),
        weight,
    )


@lru_cache(maxsize=4096)
def _exec_contact(days: int | None, cadence: int, weight: int) -> Measure:
    """Days since the last executive touch (None: never) against the tier's cadence."""
    if days is None:
        return Measure("exec_contact", "no executive touch recorded", 0, weight)
    overdue = days - cadence
    sub = 100 if overdue <= 0 else _clamp(100 - overdue * 100 / cadence)
    return Measure(
        "exec_contact", f"last executive touch {count(days, 'day', 'days')} ago", sub, weight
    )


@lru_cache(maxsize=4096)
def _payment(overdue: int, worst_days: int, weight: int) -> Measure:
    if not overdue:
        return Measure("payment", "no invoice overdue", 100, weight)
    sub = _clamp(100 - worst_days - 10 * (overdue - 1))
    return Measure(
        "payment",
        f"{count(overdue, 'invoice', 'invoices')} overdue, worst {count(worst_days, 'day', 'days')}",
        sub,
        weight,
    )


@lru_cache(maxsize=256)
def _key_contact(left: int, days: int, weight: int) -> Measure:
    return Measure(
        "key_contact",
        f"{count(left, 'key contact', 'key contacts')} left in {count(days, 'day', 'days')}",
        0 if left else 100,
        weight,
    )


@lru_cache(maxsize=64)
def _advocacy(renewal: bool | None, reference: bool | None, weight: int) -> Measure:
    signals = [s for s, v in (("renewal intent", renewal), ("reference", reference)) if v]
    return Measure(
        "advocacy",
        ", ".join(signals) or "no renewal intent or reference yet",
        _advocacy_part(renewal) + _advocacy_part(reference),
        weight,
    )


def _advocacy_part(v: bool | None) -> int:
    return 50 if v else (25 if v is None else 0)


def _days_late(item: tuple[Invoice, int]) -> int:
    return -item[1]


@lru_cache(maxsize=64)
def _windows(today: date, feedback_days: int, key_contact_days: int) -> tuple[date, ...]:
    """The first days before the 30- and 90-day ticket windows, before the feedback window,
    and the first day of the key-contact window."""
    return (
        today - timedelta(days=30),
        today - timedelta(days=90),
        today - timedelta(days=feedback_days),
        today - timedelta(days=key_contact_days),
    )


def compute_health(inputs: HealthInputs, today: date, cfg: HealthConfig | None = None) -> Health:
    """Score, colour, flags and the measures behind them.

    Called for every account of a book on each new day, so it stays lean: one pass over
    each input list, no work for an input that is empty, memoized measures.
    """
    cfg = cfg or HealthConfig()
    weights = cfg.weights
    d30, d90, since, window = _windows(today, cfg.feedback_days, cfg.key_contact_days)
    measures: list[Measure] = []
    flags: list[Flag] = []
    usage_dropped = False

    # usage: the latest month up to today against the month before it
    snaps = [s for s in inputs.usage if s.month <= today] if inputs.usage else []
    if len(snaps) > 1:
        snaps.sort(key=_month)
        now, before = snaps[-1], snaps[-2]
        # the worse of the two changes; on a tie, logins
        logins = _pct_change(now.logins, before.logins)
        users = _pct_change(now.active_users, before.active_users)
        worst: float | None
        if logins is not None and (users is None or logins <= users):
            what, worst = "logins", logins
        else:
            what, worst = "active users", users
        if worst is not None:
            sub = 100 if worst >= 0 else _clamp(100 + worst * 2.5)
            month = MONTHS[before.month.month - 1]
            measures.append(
                Measure("usage", f"{what} {worst:+.0f}% vs {month}", sub, weights.get("usage", 0))
            )
            if worst <= -cfg.usage_drop_pct:
                usage_dropped = True
                flags.append(
                    Flag("usage_drop", f"{what} down {-worst:.0f}% vs {month}", now.month, "red")
                )
    if snaps:
        latest = snaps[-1]
        adoption = latest.adoption_pct
        measures.append(_adoption(adoption, weights.get("adoption", 0)))
        if adoption < cfg.low_adoption_pct:
            flags.append(
                Flag(
                    "low_adoption",
                    f"feature adoption {adoption}% (below {cfg.low_adoption_pct}%)",
                    latest.month,
                )
            )

    # service tickets: the last 30 days against the 90-day average; negative feedback:
    # satisfaction ≤ 2 in the feedback window (the latest one is quoted)
    last30 = last90 = negative = 0
    worst_t: Ticket | None = None
    if inputs.tickets:
        bad = cfg.negative_satisfaction
        for t in inputs.tickets:
            if d90 < t.opened <= today:
                last90 += 1
                if d30 < t.opened:
                    last30 += 1
            if t.satisfaction is not None and t.satisfaction <= bad:
                day = t.closed or t.opened
                if since < day <= today:
                    negative += 1
                    # the last of the latest, as a stable sort by day would give
                    if worst_t is None or day >= (worst_t.closed or worst_t.opened):
                        worst_t = t
    measures.append(_tickets(last30, last90, weights.get("tickets", 0)))
    avg30 = last90 / 3
    if last30 >= cfg.ticket_surge_min and last30 >= float(cfg.ticket_surge_ratio) * avg30:
        flags.append(
            Flag(
                "ticket_surge",
                f"{count(last30, 'ticket', 'tickets')} in the last 30 days"
                f" vs a 90-day average of {avg30:.1f}",
                _surge_since(inputs.tickets, today, cfg),
            )
        )
    measures.append(_feedback(negative, cfg.feedback_days, weights.get("feedback", 0)))
    if worst_t is not None:
        flags.append(
            Flag(
                "negative_feedback",
                f"{count(negative, 'ticket', 'tickets')} rated {cfg.negative_satisfaction}"
                f" or lower in {count(cfg.feedback_days, 'day', 'days')}"
                f" (latest {worst_t.satisfaction}/5)",
                worst_t.closed or worst_t.opened,
            )
        )

    # executive contact against the tier's cadence
    cad = inputs.exec_cadence_days
    if cad is not None:
        last_exec = inputs.last_exec_touch
        days = None if last_exec is None else (today - last_exec).days
        measures.append(_exec_contact(days, cad, weights.get("exec_contact", 0)))
        if last_exec is None:
            entered = inputs.entered
            since = entered if entered is not None and entered <= today else today
            flags.append(Flag("exec_overdue", "no executive touch recorded", since))
        elif days is not None and days > cad:
            flags.append(
                Flag(
                    "exec_overdue",
                    f"no executive touch for {count(days, 'day', 'days')}"
                    f" (cadence {count(cad, 'day', 'days')})",
                    last_exec + timedelta(days=cad),
                )
            )

    # payment: unpaid invoices past their due date, the longest overdue first
    overdue_invoices = (
        sorted(
            (
                (inv, (today - inv.due).days)
                for inv in inputs.invoices
                if inv.paid_on is None and inv.due < today
            ),
            key=_days_late,
        )
        if inputs.invoices
        else ()
    )
    measures.append(
        _payment(
            len(overdue_invoices),
            overdue_invoices[0][1] if overdue_invoices else 0,
            weights.get("payment", 0),
        )
    )
    for inv, late in overdue_invoices:
        flags.append(
            Flag(
                "invoice_overdue",
                f"invoice {inv.number} overdue {count(late, 'day', 'days')}",
                inv.due,
                "red" if late > 60 else "yellow",
            )
        )

    # key contact change
    left = (
        [c for c in inputs.key_contacts_left if window <= c.left_on <= today]
        if inputs.key_contacts_left
        else ()
    )
    measures.append(_key_contact(len(left), cfg.key_contact_days, weights.get("key_contact", 0)))
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
    renewal, reference = inputs.renewal_intent, inputs.reference_willing
    if renewal is not None or reference is not None:
        measures.append(_advocacy(renewal, reference, weights.get("advocacy", 0)))

    if inputs.rfm_mismatch:
        began = inputs.rfm_mismatch_since
        flags.append(rfm_mismatch_flag(inputs.rfm_mismatch, began if began else today))

    total_w = 0
    total = 0
    for m in measures:
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
    return Health(score, cfg.color_for(score), tuple(flags), tuple(measures))


def rfm_mismatch_flag(reason: str, since: date) -> Flag:
    """The flag of a tier/RFM disagreement (``rfm.rfm_tier_mismatch``) that began ``since``."""
    return Flag("tier_rfm_mismatch", reason, since, "info")


def _surging(tickets: Sequence[Ticket], day: date, cfg: HealthConfig) -> bool:
    """Whether the tickets opened by ``day`` make a surge on that day."""
    d30, d90 = day - _DAYS_30, day - _DAYS_90
    last30 = last90 = 0
    for t in tickets:
        if d90 < t.opened <= day:
            last90 += 1
            if d30 < t.opened:
                last30 += 1
    return last30 >= cfg.ticket_surge_min and last30 >= float(cfg.ticket_surge_ratio) * (
        last90 / 3
    )  # as compute_health has it


def _surge_since(tickets: Sequence[Ticket], today: date, cfg: HealthConfig) -> date:
    """The first day of the ticket surge that holds ``today``: the day since which every day
    has been a surge, looking back at most SURGE_LOOKBACK (a surge older than that is
    dated SURGE_LOOKBACK ago), so that only tickets opened in the last 120 days matter."""
    horizon = today - SURGE_LOOKBACK
    # the days on which a ticket enters the windows or leaves the 30- or 90-day one: the
    # counts hold between them
    bounds = sorted(
        {
            day
            for t in tickets
            if t.opened <= today
            for day in (t.opened, t.opened + _DAYS_30, t.opened + _DAYS_90)
            if horizon < day <= today
        },
        reverse=True,
    )
    for day in bounds:  # each stretch from ``day`` on surges: did the day before?
        if not _surging(tickets, day - _ONE_DAY, cfg):
            return day
    return horizon


def next_health_change(
    inputs: HealthInputs, today: date, health: Health, cfg: HealthConfig | None = None
) -> date:
    """The first day after ``today`` on which ``compute_health`` of the same inputs may give
    another score, colour or flags (``health`` is what it gives for ``today``); ``date.max``
    when no day would. The measures' wording ("last executive touch 12 days ago") may change
    sooner: only score, colour and flags are promised.

    It follows ``compute_health`` window by window: a flag dated today or counting days
    changes every day; anything else changes when a dated row enters or leaves a window.
    """
    cfg = cfg or HealthConfig()
    tomorrow = today + _ONE_DAY
    if inputs.rfm_mismatch and inputs.rfm_mismatch_since is None:  # flagged with today's date
        return tomorrow
    if health.flags and any(
        f.code == "ticket_surge" and f.date == today - SURGE_LOOKBACK for f in health.flags
    ):  # dated as far back as it looks, which moves with today
        return tomorrow
    first = date.max

    def at(day: date, later: timedelta = _NO_TIME) -> None:
        nonlocal first
        try:
            day += later
        except OverflowError:  # past the last representable day: never
            return
        if today < day < first:
            first = day

    cad = inputs.exec_cadence_days
    if cad is not None:
        last = inputs.last_exec_touch
        if last is None:  # "no executive touch recorded", since the account was entered
            if inputs.entered is None or inputs.entered > today:  # dated today
                return tomorrow
        elif (today - last).days > cad:  # the days overdue count up
            return tomorrow
        else:
            at(last, timedelta(days=cad + 1))
    for inv in inputs.invoices:
        if inv.paid_on is None:
            if inv.due < today:  # the days overdue count up
                return tomorrow
            at(inv.due, _ONE_DAY)
    for s in inputs.usage:
        at(s.month)  # a later month's snapshot counts from its first day
    if inputs.tickets:
        bad = cfg.negative_satisfaction
        feedback = timedelta(days=cfg.feedback_days)
        for t in inputs.tickets:
            at(t.opened)  # into both windows, out of the 30-day and the 90-day one
            at(t.opened, _DAYS_30)
            at(t.opened, _DAYS_90)
            if t.satisfaction is not None and t.satisfaction <= bad:
                day = t.closed or t.opened
                at(day)
                at(day, feedback)
    if inputs.key_contacts_left:
        gone = timedelta(days=cfg.key_contact_days + 1)
        for c in inputs.key_contacts_left:
            at(c.left_on)
            at(c.left_on, gone)
    return first


SURGE_LOOKBACK = timedelta(days=30)
_NO_TIME = timedelta(0)
_ONE_DAY = timedelta(days=1)
_DAYS_30 = timedelta(days=30)
_DAYS_90 = timedelta(days=90)
