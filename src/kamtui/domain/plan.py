"""The weekly plan (周计划): what a rep must do in one ISO week, S tier first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from kamtui.domain.cadence import Cadence
from kamtui.domain.errors import InputError
from kamtui.domain.scoring import tier_rank

KINDS: tuple[str, ...] = ("health", "exec_touch", "touch", "task", "deliverables", "stale_deal")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        y, w, _ = day.isocalendar()
        return cls(y, w)

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        m = _WEEK.match(text.strip())
        if not m:
            raise InputError(f"{text!r} is not an ISO week; write it like 2026-W48.")
        year, week = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InputError(f"{year} has no week {week}.") from None
        return cls(year, week)


class PlanAccount(NamedTuple):
    id: int
    name: str
    owner: str
    tier: str | None
    status: str  # prospect, customer, former
    last_touch: date | None
    last_exec_touch: date | None
    health_color: str | None
    health_reason: str = ""


class PlanTask(NamedTuple):
    id: int
    account_id: int
    title: str
    due: date


class PlanDeal(NamedTuple):
    id: int
    account_id: int
    name: str
    stage: int
    missing: tuple[str, ...]  # labels of the deliverables still missing in its stage
    days_in_stage: int


class PlanItem(NamedTuple):
    account_id: int
    account: str
    owner: str
    tier: str | None
    kind: str
    due: date
    reason: str
    executive: bool = False
    ref: int | None = None  # task or deal id, when the item is about one

    @property
    def key(self) -> str:
        """Stable identity of the item within its week (for calendars and ticking off)."""
        return f"{self.kind}:{self.account_id}:{self.ref or 0}"


def build_plan(
    week: IsoWeek,
    today: date,
    accounts: Iterable[PlanAccount],
    tasks: Iterable[PlanTask],
    deals: Iterable[PlanDeal],
    cadences: Mapping[str, Cadence],
    stale_days: int = 30,
    owner: str | None = None,
) -> list[PlanItem]:
    """Items due by the week's Sunday, ordered S tier first, then by urgency (due date),
    then kind, account and task or deal.

    A whole book's plan holds an item or two per account, so this is one lean pass: the
    cadences' due dates as in ``cadence_status`` (never touched: due at the week's start);
    accounts, tasks and deals are taken in order of account name (then task or deal), so
    that one stable sort on tier, due date and kind finishes the job."""
    end = week.sunday
    start = max(today, week.monday) if today <= end else week.monday
    items: list[PlanItem] = []
    add = items.append
    new = tuple.__new__
    by_id: dict[int, PlanAccount] = {}
    # tier: (touch every, executive touch every or None, the days of each, for reasons)
    every = {
        t: (
            timedelta(days=c.touch_days),
            None if c.exec_days is None else timedelta(days=c.exec_days),
            c.touch_days,
            c.exec_days,
        )
        for t, c in cadences.items()
    }
    for a in sorted(accounts, key=_name):
        aid, name, own, tier, status, last_touch, last_exec, color, reason = a
        if owner is not None and own != owner:
            continue
        by_id[aid] = a
        if status == "former":
            continue
        if color == "red" or color == "yellow":
            due = start if color == "red" else end
            why = f"health {color}: {reason}".rstrip(": ")
            add(new(PlanItem, (aid, name, own, tier, "health", due, why, False, None)))
        cad = every.get(tier) if tier else None
        if cad is None:
            continue
        touch_every, exec_every, touch_days, exec_days = cad
        if exec_every is not None:
            due = last_exec + exec_every if last_exec else start
            if due <= end:
                why = _touch_reason("executive touch", last_exec, exec_days, due, today)
                add(new(PlanItem, (aid, name, own, tier, "exec_touch", due, why, True, None)))
        due = last_touch + touch_every if last_touch else start
        if due <= end:
            why = _touch_reason("touch", last_touch, touch_days, due, today)
            add(new(PlanItem, (aid, name, own, tier, "touch", due, why, False, None)))
    due_tasks = [t for t in tasks if t.account_id in by_id and t.due <= end]
    due_tasks.sort(key=lambda t: (by_id[t.account_id].name, t.id))
    for t in due_tasks:
        acct = by_id[t.account_id]
        late = f" (overdue {(today - t.due).days} days)" if t.due < today else ""
        why = f"task: {t.title}{late}"
        add(
            new(
                PlanItem,
                (acct.id, acct.name, acct.owner, acct.tier, "task", t.due, why, False, t.id),
            )
        )
    open_deals = [d for d in deals if d.account_id in by_id]
    open_deals.sort(key=lambda d: (by_id[d.account_id].name, d.id))
    for d in open_deals:
        acct = by_id[d.account_id]
        aid, name, own, tier = acct.id, acct.name, acct.owner, acct.tier
        if d.missing:
            why = f"deal {d.name}: stage {d.stage} missing {', '.join(d.missing)}"
            add(new(PlanItem, (aid, name, own, tier, "deliverables", start, why, False, d.id)))
        if d.days_in_stage > stale_days:
            why = f"deal {d.name}: {d.days_in_stage} days in stage {d.stage}"
            add(new(PlanItem, (aid, name, own, tier, "stale_deal", start, why, False, d.id)))
    # each kind's items are in order of account, then task or deal, already: a stable
    # sort on tier, due date and kind keeps that order within each of them
    kind_rank = {k: n for n, k in enumerate(KINDS)}
    rank = {t: tier_rank(t) for t in {i.tier for i in items}}
    items.sort(
        key=lambda i: (rank[i.tier] * 10_000_000 + i.due.toordinal()) * 10 + kind_rank[i.kind]
    )
    return items


def _name(account: PlanAccount) -> str:
    return account.name


def _touch_reason(what: str, last: date | None, every: int | None, due: date, today: date) -> str:
    if last is None:
        return f"{what}: none recorded yet (every {every} days)"
    if due < today:
        return (
            f"{what} overdue {(today - due).days} days: last {last.isoformat()}, every {every} days"
        )
    return f"{what} due {due.isoformat()}: last {last.isoformat()}, every {every} days"
