"""The weekly plan (周计划): what a rep must do in one ISO week, S tier first."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from kamtui.domain.cadence import Cadence
from kamtui.domain.counts import count
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
    account: str  # the account's name, owner and tier: the task is planned under them
    owner: str
    tier: str | None
    title: str
    due: date


class PlanDeal(NamedTuple):
    id: int
    account_id: int
    account: str  # the account's name, owner and tier, as for a task
    owner: str
    tier: str | None
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


class DueBy(NamedTuple):
    """For one tier: an account last touched on or before ``touch`` (or never) is due a
    touch by the week's Sunday; likewise ``exec_touch`` for executive touches (None: the
    tier has no executive cadence)."""

    touch: date
    exec_touch: date | None


def due_by(week: IsoWeek, cadences: Mapping[str, Cadence]) -> dict[str, DueBy]:
    """Each tier's last-touch days that make a touch due within ``week`` (or before it)."""
    end = week.sunday
    return {
        tier: DueBy(
            end - timedelta(days=c.touch_days),
            None if c.exec_days is None else end - timedelta(days=c.exec_days),
        )
        for tier, c in cadences.items()
    }


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

    ``accounts`` must hold every account that may have a health or touch item: one whose
    health is red or yellow, or whose last touch or executive touch is on or before its
    tier's ``due_by`` day (or none). Others may come too; they are passed over. Tasks and
    deals carry their account's name, owner and tier, so they need no account of their own
    here (a former customer's open task or deal is still planned).

    A whole book's plan holds an item or two per account, so this is one lean pass: the
    cadences' due dates as in ``cadence_status`` (never touched: due at the week's start);
    each item goes to the bucket of its tier, due date and kind, the buckets in order
    making the plan: no sort of the items themselves, only of the accounts, tasks and deals
    by name (fast when they come so)."""
    end = week.sunday
    start = max(today, week.monday) if today <= end else week.monday
    buckets: defaultdict[int, list[PlanItem]] = defaultdict(list)
    new = tuple.__new__
    health, exec_touch, touch, task, deliverables, stale = range(len(KINDS))  # KINDS' order
    start_day, end_day = start.toordinal(), end.toordinal()
    rank_of: dict[str | None, int] = {}  # the first part of a bucket: tier rank, due day

    def first(tier: str | None) -> int:
        rank = rank_of.get(tier)
        if rank is None:
            rank = rank_of[tier] = tier_rank(tier) * 10_000_000
        return rank

    # tier: (its rank; touch every; the last touch that makes one due by the week's end;
    # the same for executive touches, or None; the days of each, for reasons)
    dues = due_by(week, cadences)
    every = {
        t: (
            first(t),
            timedelta(days=c.touch_days),
            dues[t].touch,
            timedelta(days=c.exec_days or 0),
            dues[t].exec_touch,
            c.touch_days,
            c.exec_days,
        )
        for t, c in cadences.items()
    }
    # touch reasons by (executive, last touch, cadence days): many accounts share them
    reasons: dict[tuple[bool, date | None, int | None], str] = {}
    for aid, name, own, tier, status, last_touch, last_exec, color, reason in sorted(
        accounts, key=_NAME
    ):
        if status == "former" or (owner is not None and own != owner):
            continue
        if color == "red" or color == "yellow":
            red = color == "red"
            why = f"health {color}: {reason}".rstrip(": ")
            item: tuple[Any, ...] = (
                aid, name, own, tier, "health", start if red else end, why, False, None,
            )  # fmt: skip
            buckets[(first(tier) + (start_day if red else end_day)) * 10 + health].append(
                new(PlanItem, item)
            )
        cad = every.get(tier) if tier else None
        if cad is None:
            continue
        rank, touch_every, touch_by, exec_every, exec_by, touch_days, exec_days = cad
        if exec_by is not None and (last_exec is None or last_exec <= exec_by):
            due = last_exec + exec_every if last_exec else start
            said = reasons.get((True, last_exec, exec_days))
            if said is None:
                said = reasons[True, last_exec, exec_days] = _touch_reason(
                    "executive touch", last_exec, exec_days, due, today
                )
            why = said
            item = (aid, name, own, tier, "exec_touch", due, why, True, None)
            buckets[(rank + due.toordinal()) * 10 + exec_touch].append(new(PlanItem, item))
        if last_touch is None or last_touch <= touch_by:
            due = last_touch + touch_every if last_touch else start
            said = reasons.get((False, last_touch, touch_days))
            if said is None:
                said = reasons[False, last_touch, touch_days] = _touch_reason(
                    "touch", last_touch, touch_days, due, today
                )
            why = said
            item = (aid, name, own, tier, "touch", due, why, False, None)
            buckets[(rank + due.toordinal()) * 10 + touch].append(new(PlanItem, item))
    due_tasks = [t for t in tasks if t.due <= end and (owner is None or t.owner == owner)]
    due_tasks.sort(key=_ID)  # then stable by account name
    due_tasks.sort(key=_ACCOUNT)
    for tid, aid, name, own, tier, title, due in due_tasks:
        late = f" (overdue {count((today - due).days, 'day', 'days')})" if due < today else ""
        item = (aid, name, own, tier, "task", due, f"task: {title}{late}", False, tid)
        buckets[(first(tier) + due.toordinal()) * 10 + task].append(new(PlanItem, item))
    open_deals = list(deals) if owner is None else [d for d in deals if d.owner == owner]
    open_deals.sort(key=_ID)
    open_deals.sort(key=_ACCOUNT)
    at_start = {tier: (rank + start_day) * 10 for tier, rank in rank_of.items()}
    listed: dict[tuple[str, ...], str] = {}  # missing deliverables, comma-joined
    for did, aid, name, own, tier, deal, stage, missing, days in open_deals:
        at = at_start.get(tier)
        if at is None:
            at = at_start[tier] = (first(tier) + start_day) * 10
        if missing:
            text = listed.get(missing)
            if text is None:
                text = listed[missing] = ", ".join(missing)
            why = f"deal {deal}: stage {stage} missing {text}"
            item = (aid, name, own, tier, "deliverables", start, why, False, did)
            buckets[at + deliverables].append(new(PlanItem, item))
        if days > stale_days:
            why = f"deal {deal}: {count(days, 'day', 'days')} in stage {stage}"
            item = (aid, name, own, tier, "stale_deal", start, why, False, did)
            buckets[at + stale].append(new(PlanItem, item))
    items: list[PlanItem] = []
    for key in sorted(buckets):
        items += buckets[key]
    return items


_ID = itemgetter(0)  # a task's or deal's id
_NAME = itemgetter(1)  # an account's name
_ACCOUNT = itemgetter(2)  # a task's or deal's account name


def _touch_reason(what: str, last: date | None, every: int | None, due: date, today: date) -> str:
    cadence = count(every, "day", "days")
    if last is None:
        return f"{what}: none recorded yet (every {cadence})"
    if due < today:
        late = count((today - due).days, "day", "days")
        return f"{what} overdue {late}: last {last.isoformat()}, every {cadence}"
    return f"{what} due {due.isoformat()}: last {last.isoformat()}, every {cadence}"
