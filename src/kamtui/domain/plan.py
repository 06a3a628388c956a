"""The weekly plan (周计划): what a rep must do in one ISO week, S tier first.

A plan a rep can work through, not a list that only grows:

- *Ticked.* An item ticked done this week stays in the week's plan, ticked (a touch logged
  from the plan, a task completed), where it would stand if it were still open; the store
  keeps the ticks (``DoneItem``), so that every showing and every export of the week says
  so, and a tick made by mistake can be taken back.
- *Snoozed.* An item can be put off until a day (``Snooze``). It leaves the plan while that
  day is after the plan's first day (today, in the current week) and comes back on it. The
  plan finds a snooze by the item's kind, account and task or deal (``Snooze.key``), which a
  refresh does not change, and a snooze holds only while the item still rests on the same
  thing (``basis``): the last touch for a touch, the last executive touch for one, the
  health colour for a health follow-up, the deal's stage for a deal item, the due day for a
  task. A touch logged, a colour changed, a deal moved or a task moved to another day makes
  a new item, which a snooze of the old one does not hide. Snoozed items are listed apart
  (``WeekPlan.snoozed``), never dropped.
- *Batched.* The method treats small accounts with standard, automated contact (SPEC §3,
  tier C: standard quote, e-mail, self-service), so a rep's touches of tier-C accounts are
  one item, the standard e-mail to all of them (``BATCH``), whose accounts are listed in
  ``WeekPlan.batches``; two or more make a batch, one stays a touch.
- *Within capacity.* A rep who can do ``capacity`` items a week sees that many, S tier and
  the most urgent first (the plan's order; a batch is one item, a ticked one counts), and
  the rest folded apart (``WeekPlan.folded``); each rep has that capacity in a whole book's
  plan.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from kamtui.domain.cadence import Cadence
from kamtui.domain.counts import count
from kamtui.domain.errors import FieldError, InputError, check_text
from kamtui.domain.scoring import tier_rank

KINDS: tuple[str, ...] = ("health", "exec_touch", "touch", "task", "deliverables", "stale_deal")
BATCH = "batch"  # the standard e-mail to a rep's tier-C accounts: ranks as a touch
BATCHED_TIERS = frozenset({"C"})
TICKABLE = frozenset({"exec_touch", "touch", "task", BATCH})  # done by a touch or a task
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
        """Stable identity of the item within its week (for calendars and ticking off); a
        batch is its owner's."""
        if self.kind == BATCH:
            return f"{BATCH}:{self.owner}"
        return f"{self.kind}:{self.account_id}:{self.ref or 0}"


def kind_rank(kind: str) -> int:
    """Where items of a kind stand among those of the same tier and day (a batch: as a touch)."""
    return KINDS.index("touch" if kind == BATCH else kind)


class DoneItem(NamedTuple):
    """An item ticked done in the week, as it read when it was ticked, and the day."""

    item: PlanItem
    on: date


class Snooze(NamedTuple):
    """An item put off until a day: found by its kind, account and task or deal (``ref``,
    0 for none), holding while the item rests on ``basis`` (see ``basis``)."""

    account_id: int
    kind: str
    ref: int
    until: date
    reason: str = ""
    basis: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.account_id}:{self.ref}"


class SnoozedItem(NamedTuple):
    item: PlanItem
    until: date
    reason: str


# What an item of each kind rests on: a snooze of it lapses when that changes.
BASIS = {
    "touch": "the last touch",
    "exec_touch": "the last executive touch",
    "health": "the health colour",
    "deliverables": "the deal's stage",
    "stale_deal": "the deal's stage",
    "task": "the task's due day",
}


def basis(value: date | str | int | None) -> str:
    """What an item rests on (see ``BASIS``), as a snooze keeps it: a day, a colour or a
    stage as text; "" for none (never touched)."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def holds(snooze: Snooze, start: date, now: date | str | int | None) -> bool:
    """Whether a snooze keeps its item out of a plan that starts on ``start``, the item
    resting on ``now``: its day is later, and what it rests on is what it was."""
    return snooze.until > start and snooze.basis == basis(now)


SNOOZE_DAYS = 366  # the furthest a snooze reaches
SNOOZE_REASON_LIMIT = 500


def check_snooze(until: date, reason: str, today: date) -> tuple[date, str]:
    """A snooze's day and optional reason: a later day than today, within a year; the
    reason at most 500 characters. Refused with a FieldError naming the field."""
    if until <= today:
        raise FieldError("until", "An item is put off until a later day than today.")
    if until > today + timedelta(days=SNOOZE_DAYS):
        raise FieldError("until", "An item is put off for a year at most.")
    return until, check_text("snooze", "reason", reason, SNOOZE_REASON_LIMIT)


def task_reason(title: str, due: date | None = None, today: date | None = None) -> str:
    """What a task's plan item says: its title, and how overdue when it is open and late."""
    if due is not None and today is not None and due < today:
        return f"task: {title} (overdue {count((today - due).days, 'day', 'days')})"
    return f"task: {title}"


def batch_item(owner: str, members: list[PlanItem], done: Mapping[str, date]) -> PlanItem:
    """The batch of a rep's tier-C touches (``members``, two or more, in the plan's order):
    due when the most urgent one still open is (all done: the most urgent one)."""
    open_ = [m for m in members if m.key not in done]
    due = (open_ or members)[0].due
    why = f"send the standard e-mail to {count(len(members), 'account', 'accounts')}"
    return PlanItem(0, "", owner, members[0].tier, BATCH, due, why)


def plan_start(week: IsoWeek, today: date) -> date:
    """The plan's first day: today within the week, else its Monday."""
    return max(today, week.monday) if today <= week.sunday else week.monday


def next_monday(today: date) -> date:
    """The day a snooze lasts until unless the rep says otherwise."""
    return today + timedelta(days=7 - today.weekday())


@dataclass(frozen=True)
class WeekPlan:
    """A week's plan as a rep works it (see the module's notes). ``items`` and ``folded``
    are in the plan's order; a batch's accounts are ``batches[batch.key]``; ``done`` holds
    the keys of the items ticked done this week (batch accounts too, and a batch when all
    its accounts are) with the day."""

    week: IsoWeek
    items: list[PlanItem]
    folded: list[PlanItem] = field(default_factory=list)
    snoozed: list[SnoozedItem] = field(default_factory=list)
    batches: dict[str, list[PlanItem]] = field(default_factory=dict)
    done: dict[str, date] = field(default_factory=dict)
    capacity: int | None = None

    def members(self, item: PlanItem) -> list[PlanItem]:
        """A batch's accounts' touches (nothing for another item)."""
        return self.batches.get(item.key, []) if item.kind == BATCH else []

    def every_item(self) -> list[PlanItem]:
        """Every item that fits and every item folded, batches as their accounts' touches,
        in the plan's order (what a data export lists)."""
        out: list[PlanItem] = []
        for item in (*self.items, *self.folded):
            out += self.members(item) if item.kind == BATCH else [item]
        return out


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
    *,
    done: Iterable[DoneItem] = (),
    snoozes: Iterable[Snooze] = (),
    capacity: int | None = None,
) -> WeekPlan:
    """Items due by the week's Sunday, ordered S tier first, then by urgency (due date),
    then kind, account and task or deal; with the items ticked ``done`` this week where
    they would stand, ``snoozes`` that hold kept apart, tier-C touches batched and what
    exceeds each rep's ``capacity`` folded (see the module's notes).

    ``accounts`` must hold every account that may have a health or touch item: one whose
    health is red or yellow, or whose last touch or executive touch is on or before its
    tier's ``due_by`` day (or none). Others may come too; they are passed over. Tasks and
    deals carry their account's name, owner and tier, so they need no account of their own
    here (a former customer's open task or deal is still planned).

    A whole book's plan holds an item or two per account, so this is one lean pass: the
    cadences' due dates as in ``cadence_status`` (never touched: due at the week's start);
    each item goes to the bucket of its tier, due date and kind, the buckets in order
    making the plan: no sort of the items themselves, only of the accounts, tasks and deals
    by name (fast when they come so). Only the items of an account with a tick or a snooze
    are looked at again."""
    end = week.sunday
    start = plan_start(week, today)
    buckets: defaultdict[int, list[PlanItem]] = defaultdict(list)
    late: set[int] = set()  # buckets given items out of name order: sorted at the end
    new = tuple.__new__
    health, exec_touch, touch, task, deliverables, stale = range(len(KINDS))  # KINDS' order
    start_day, end_day = start.toordinal(), end.toordinal()
    rank_of: dict[str | None, int] = {}  # the first part of a bucket: tier rank, due day

    def first(tier: str | None) -> int:
        rank = rank_of.get(tier)
        if rank is None:
            rank = rank_of[tier] = tier_rank(tier) * 10_000_000
        return rank

    done_on: dict[str, date] = {}
    ticked: list[PlanItem] = []
    for was, on in done:
        if owner is None or was.owner == owner:
            done_on[was.key] = on
            ticked.append(was)
    held = {s.key: s for s in snoozes if s.until > start}
    marked = {s.account_id for s in held.values()} | {i.account_id for i in ticked}
    snoozed: list[SnoozedItem] = []

    def hold(item: PlanItem, on: date | str | int | None) -> bool:
        """Whether an item of an account with a tick or a snooze stays out of the buckets:
        ticked this week (it comes with ``done``) or put off, on the same basis."""
        key = item.key
        if key in done_on:
            return True
        s = held.get(key)
        if s is not None and holds(s, start, on):
            snoozed.append(SnoozedItem(item, s.until, s.reason))
            return True
        return False

    # tier: (its rank; touch every; the last touch that makes one due by the week's end;
    # the same for executive touches, or None; the days of each, for reasons; batched)
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
            t in BATCHED_TIERS,
        )
        for t, c in cadences.items()
    }
    batched: defaultdict[str, list[PlanItem]] = defaultdict(list)  # owner: tier-C touches
    # touch reasons by (executive, last touch, cadence days): many accounts share them
    reasons: dict[tuple[bool, date | None, int | None], str] = {}
    for aid, name, own, tier, status, last_touch, last_exec, color, reason in sorted(
        accounts, key=_NAME
    ):
        if status == "former" or (owner is not None and own != owner):
            continue
        mark = aid in marked
        if color == "red" or color == "yellow":
            red = color == "red"
            why = f"health {color}: {reason}".rstrip(": ")
            item: tuple[Any, ...] = (
                aid, name, own, tier, "health", start if red else end, why, False, None,
            )  # fmt: skip
            made = new(PlanItem, item)
            if not (mark and hold(made, color)):
                key = (first(tier) + (start_day if red else end_day)) * 10 + health
                buckets[key].append(made)
        cad = every.get(tier) if tier else None
        if cad is None:
            continue
        rank, touch_every, touch_by, exec_every, exec_by, touch_days, exec_days, batch = cad
        if exec_by is not None and (last_exec is None or last_exec <= exec_by):
            due = last_exec + exec_every if last_exec else start
            said = reasons.get((True, last_exec, exec_days))
            if said is None:
                said = reasons[True, last_exec, exec_days] = _touch_reason(
                    "executive touch", last_exec, exec_days, due, today
                )
            item = (aid, name, own, tier, "exec_touch", due, said, True, None)
            made = new(PlanItem, item)
            if not (mark and hold(made, last_exec)):
                buckets[(rank + due.toordinal()) * 10 + exec_touch].append(made)
        if last_touch is None or last_touch <= touch_by:
            due = last_touch + touch_every if last_touch else start
            said = reasons.get((False, last_touch, touch_days))
            if said is None:
                said = reasons[False, last_touch, touch_days] = _touch_reason(
                    "touch", last_touch, touch_days, due, today
                )
            item = (aid, name, own, tier, "touch", due, said, False, None)
            made = new(PlanItem, item)
            if not (mark and hold(made, last_touch)):
                if batch:
                    batched[own].append(made)
                else:
                    buckets[(rank + due.toordinal()) * 10 + touch].append(made)
    due_tasks = [t for t in tasks if t.due <= end and (owner is None or t.owner == owner)]
    due_tasks.sort(key=_ID)  # then stable by account name
    due_tasks.sort(key=_ACCOUNT)
    for tid, aid, name, own, tier, title, due in due_tasks:
        item = (aid, name, own, tier, "task", due, task_reason(title, due, today), False, tid)
        made = new(PlanItem, item)
        if not (aid in marked and hold(made, due)):
            buckets[(first(tier) + due.toordinal()) * 10 + task].append(made)
    open_deals = list(deals) if owner is None else [d for d in deals if d.owner == owner]
    open_deals.sort(key=_ID)
    open_deals.sort(key=_ACCOUNT)
    at_start = {tier: (rank + start_day) * 10 for tier, rank in rank_of.items()}
    listed: dict[tuple[str, ...], str] = {}  # missing deliverables, comma-joined
    for did, aid, name, own, tier, deal, stage, missing, days in open_deals:
        at = at_start.get(tier)
        if at is None:
            at = at_start[tier] = (first(tier) + start_day) * 10
        mark = aid in marked
        if missing:
            text = listed.get(missing)
            if text is None:
                text = listed[missing] = ", ".join(missing)
            why = f"deal {deal}: stage {stage} missing {text}"
            item = (aid, name, own, tier, "deliverables", start, why, False, did)
            made = new(PlanItem, item)
            if not (mark and hold(made, stage)):
                buckets[at + deliverables].append(made)
        if days > stale_days:
            why = f"deal {deal}: {count(days, 'day', 'days')} in stage {stage}"
            item = (aid, name, own, tier, "stale_deal", start, why, False, did)
            made = new(PlanItem, item)
            if not (mark and hold(made, stage)):
                buckets[at + stale].append(made)
    for made in ticked:  # where each would stand if it were open
        if made.kind == "touch" and made.tier in BATCHED_TIERS:
            batched[made.owner].append(made)
            continue
        key = (first(made.tier) + made.due.toordinal()) * 10 + kind_rank(made.kind)
        buckets[key].append(made)
        late.add(key)
    batches: dict[str, list[PlanItem]] = {}
    for own in sorted(batched):
        members = batched[own]
        members.sort(key=_by_day_and_name)
        if len(members) == 1:
            made = members[0]
        else:
            made = batch_item(own, members, done_on)
            batches[made.key] = members
            if all(m.key in done_on for m in members):
                done_on[made.key] = max(done_on[m.key] for m in members)
        key = (first(made.tier) + made.due.toordinal()) * 10 + touch
        buckets[key].append(made)
        late.add(key)
    items: list[PlanItem] = []
    for key in sorted(buckets):
        if key in late:
            buckets[key].sort(key=_by_name)
        items += buckets[key]
    folded: list[PlanItem] = []
    if capacity is not None:
        items, folded = _within(items, capacity)
    snoozed.sort(key=lambda s: (s.until, tier_rank(s.item.tier), s.item.due, s.item.account))
    return WeekPlan(week, items, folded, snoozed, batches, done_on, capacity)


def _within(items: list[PlanItem], capacity: int) -> tuple[list[PlanItem], list[PlanItem]]:
    """The first ``capacity`` items of each owner, and the rest, each in the plan's order.
    A whole book's plan is long and its owners fill up early: the walk stops once every
    owner has ``capacity`` items, and the rest is folded by slicing."""
    owners = set(map(_OWNER, items))
    taken = dict.fromkeys(owners, 0)
    fit: list[int] = []  # where the items that fit are
    full = 0
    for n, own in enumerate(map(_OWNER, items)):
        count = taken[own]
        if count < capacity:
            taken[own] = count + 1
            fit.append(n)
            if count + 1 == capacity:
                full += 1
                if full == len(owners):
                    break
    if not fit:
        return [], items
    last, chosen = fit[-1], set(fit)
    folded = [items[n] for n in range(last) if n not in chosen] + items[last + 1 :]
    return [items[n] for n in fit], folded


_ID = itemgetter(0)  # a task's or deal's id
_OWNER = itemgetter(2)  # an item's owner
_NAME = itemgetter(1)  # an account's name
_ACCOUNT = itemgetter(2)  # a task's or deal's account name


def _by_name(item: PlanItem) -> tuple[str, int]:
    return item.account, item.ref or 0


def _by_day_and_name(item: PlanItem) -> tuple[date, str, int]:
    return item.due, item.account, item.account_id


def _touch_reason(what: str, last: date | None, every: int | None, due: date, today: date) -> str:
    cadence = count(every, "day", "days")
    if last is None:
        return f"{what}: none recorded yet (every {cadence})"
    if due < today:
        late = count((today - due).days, "day", "days")
        return f"{what} overdue {late}: last {last.isoformat()}, every {cadence}"
    return f"{what} due {due.isoformat()}: last {last.isoformat()}, every {cadence}"
