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
    accounts, tasks and deals are taken in order of account name (then task or deal; fast
    when they come so), and each item goes to the bucket of its tier, due date and kind,
    the buckets in order making the plan: no sort of the items themselves."""
    end = week.sunday
    start = max(today, week.monday) if today <= end else week.monday
    buckets: defaultdict[int, list[PlanItem]] = defaultdict(list)
    new = tuple.__new__
    health, exec_touch, touch, task, deliverables, stale = range(len(KINDS))  # KINDS' order
    start_day, end_day = start.toordinal(), end.toordinal()
    by_id: dict[int, PlanAccount] = {}
    # an account's place in name order (accounts of the same name share it): tasks and
    # deals follow it, then their own id
    place: dict[int, int] = {}
    rank_of: dict[str | None, int] = {}  # the first part of a bucket: tier rank, due day

    def first(tier: str | None) -> int:
        rank = rank_of.get(tier)
        if rank is None:
            rank = rank_of[tier] = tier_rank(tier) * 10_000_000
        return rank

    # tier: (its rank; touch every; the last touch that makes one due by the week's end;
    # the same for executive touches, or None; the days of each, for reasons)
    every = {
        t: (
            first(t),
            timedelta(days=c.touch_days),
            end - timedelta(days=c.touch_days),
            timedelta(days=c.exec_days or 0),
            None if c.exec_days is None else end - timedelta(days=c.exec_days),
            c.touch_days,
            c.exec_days,
        )
        for t, c in cadences.items()
    }
    # touch reasons by (executive, last touch, cadence days): many accounts share them
    reasons: dict[tuple[bool, date | None, int | None], str] = {}
    previous: str | None = None
    n = 0
    for a in sorted(accounts, key=_NAME):
        aid, name, own, tier, status, last_touch, last_exec, color, reason = a
        if owner is not None and own != owner:
            continue
        by_id[aid] = a
        if name != previous:
            n += 1
            previous = name
        place[aid] = n
        if status == "former":
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
    due_tasks = [t for t in tasks if t[1] in place and t.due <= end]
    due_tasks.sort(key=_ID)  # (then stable by name: ints are quicker to sort than names)
    due_tasks.sort(key=lambda t: place[t[1]])
    for t in due_tasks:
        acct = by_id[t.account_id]
        late = f" (overdue {(today - t.due).days} days)" if t.due < today else ""
        why = f"task: {t.title}{late}"
        item = (acct.id, acct.name, acct.owner, acct.tier, "task", t.due, why, False, t.id)
        buckets[(first(acct.tier) + t.due.toordinal()) * 10 + task].append(new(PlanItem, item))
    open_deals = [d for d in deals if d[1] in place]
    open_deals.sort(key=_ID)
    open_deals.sort(key=lambda d: place[d[1]])
    at_start = {tier: (rank + start_day) * 10 for tier, rank in rank_of.items()}
    listed: dict[tuple[str, ...], str] = {}  # missing deliverables, comma-joined
    for did, account_id, deal, stage, missing, days in open_deals:
        aid, name, own, tier = by_id[account_id][:4]
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
            why = f"deal {deal}: {days} days in stage {stage}"
            item = (aid, name, own, tier, "stale_deal", start, why, False, did)
            buckets[at + stale].append(new(PlanItem, item))
    items: list[PlanItem] = []
    for key in sorted(buckets):
        items += buckets[key]
    return items


_ID = itemgetter(0)  # a task's or deal's id
_NAME = itemgetter(1)  # an account's name


def _touch_reason(what: str, last: date | None, every: int | None, due: date, today: date) -> str:
    if last is None:
        return f"{what}: none recorded yet (every {every} days)"
    if due < today:
        return (
            f"{what} overdue {(today - due).days} days: last {last.isoformat()}, every {every} days"
        )
    return f"{what} due {due.isoformat()}: last {last.isoformat()}, every {every} days"
