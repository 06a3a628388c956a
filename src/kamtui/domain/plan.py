"""The weekly plan (周计划): what a rep must do in one ISO week, S tier first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from kamtui.domain.cadence import Cadence, cadence_status
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
    """Items due by the week's Sunday, ordered S tier first, then by urgency (due date)."""
    end = week.sunday
    start = max(today, week.monday) if today <= end else week.monday
    items: list[PlanItem] = []
    by_id: dict[int, PlanAccount] = {}
    for a in accounts:
        if owner is not None and a.owner != owner:
            continue
        by_id[a.id] = a
        if a.status == "former":
            continue

        def add(
            kind: str, due: date, reason: str, executive: bool = False, acct: PlanAccount = a
        ) -> None:
            items.append(
                PlanItem(acct.id, acct.name, acct.owner, acct.tier, kind, due, reason, executive)
            )

        if a.health_color in ("red", "yellow"):
            due = start if a.health_color == "red" else end
            add("health", due, f"health {a.health_color}: {a.health_reason}".rstrip(": "))
        cad = cadences.get(a.tier) if a.tier else None
        status = cadence_status(cad, a.last_touch, a.last_exec_touch, start)
        if cad and status.exec_due and status.exec_due <= end:
            add(
                "exec_touch",
                status.exec_due,
                _touch_reason(
                    "executive touch", a.last_exec_touch, cad.exec_days, status.exec_due, today
                ),
                True,
            )
        if cad and status.touch_due and status.touch_due <= end:
            add(
                "touch",
                status.touch_due,
                _touch_reason("touch", a.last_touch, cad.touch_days, status.touch_due, today),
            )
    for t in tasks:
        acct = by_id.get(t.account_id)
        if acct is None or t.due > end:
            continue
        late = f" (overdue {(today - t.due).days} days)" if t.due < today else ""
        items.append(
            PlanItem(
                acct.id,
                acct.name,
                acct.owner,
                acct.tier,
                "task",
                t.due,
                f"task: {t.title}{late}",
                ref=t.id,
            )
        )
    for d in deals:
        acct = by_id.get(d.account_id)
        if acct is None:
            continue
        if d.missing:
            items.append(
                PlanItem(
                    acct.id,
                    acct.name,
                    acct.owner,
                    acct.tier,
                    "deliverables",
                    start,
                    f"deal {d.name}: stage {d.stage} missing {', '.join(d.missing)}",
                    ref=d.id,
                )
            )
        if d.days_in_stage > stale_days:
            items.append(
                PlanItem(
                    acct.id,
                    acct.name,
                    acct.owner,
                    acct.tier,
                    "stale_deal",
                    start,
                    f"deal {d.name}: {d.days_in_stage} days in stage {d.stage}",
                    ref=d.id,
                )
            )
    kind_rank = {k: n for n, k in enumerate(KINDS)}
    rank = {t: tier_rank(t) for t in {i.tier for i in items}}
    items.sort(key=lambda i: (rank[i.tier], i.due, kind_rank[i.kind], i.account, i.ref or 0))
    return items


def _touch_reason(what: str, last: date | None, every: int | None, due: date, today: date) -> str:
    if last is None:
        return f"{what}: none recorded yet (every {every} days)"
    if due < today:
        return (
            f"{what} overdue {(today - due).days} days: last {last.isoformat()}, every {every} days"
        )
    return f"{what} due {due.isoformat()}: last {last.isoformat()}, every {every} days"
