"""The weekly plan (SPEC §8)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from kamtui.domain.cadence import DEFAULT_CADENCES
from kamtui.domain.errors import InputError
from kamtui.domain.plan import (
    BATCH,
    DoneItem,
    IsoWeek,
    PlanAccount,
    PlanDeal,
    PlanItem,
    PlanTask,
    Snooze,
    SnoozedItem,
    WeekPlan,
    basis,
    build_plan,
    due_by,
    next_monday,
    plan_start,
)

W48 = IsoWeek(2026, 48)  # Monday 23 November - Sunday 29 November 2026
TODAY = date(2026, 11, 23)


# --- ISO weeks -------------------------------------------------------------------------


def test_parse_iso_week():
    week = IsoWeek.parse("2026-W48")
    assert week == W48
    assert week.monday == date(2026, 11, 23)
    assert week.sunday == date(2026, 11, 29)
    assert str(week) == "2026-W48"


@pytest.mark.parametrize("text", ["2026W48", "2026-w48", "  2026-W48\n"])
def test_parse_accepts_variants(text):
    assert IsoWeek.parse(text) == W48


def test_single_digit_week_is_shown_with_two_digits():
    week = IsoWeek.parse("2026-W5")
    assert week == IsoWeek(2026, 5)
    assert str(week) == "2026-W05"
    assert week.monday == date(2026, 1, 26)


@pytest.mark.parametrize("text", ["", "2026-48", "W48", "26-W48", "2026-W123", "2026-W4x", "next"])
def test_parse_refuses_garbage(text):
    with pytest.raises(InputError) as e:
        IsoWeek.parse(text)
    assert "is not an ISO week; write it like 2026-W48" in str(e.value)


def test_parse_refuses_week_53_of_a_year_without_one():
    with pytest.raises(InputError) as e:
        IsoWeek.parse("2025-W53")
    assert str(e.value) == "2025 has no week 53."


def test_parse_refuses_week_0():
    with pytest.raises(InputError) as e:
        IsoWeek.parse("2026-W00")
    assert str(e.value) == "2026 has no week 0."


def test_week_53_of_a_year_that_has_one():
    week = IsoWeek.parse("2026-W53")
    assert week.monday == date(2026, 12, 28)
    assert week.sunday == date(2027, 1, 3)


def test_week_of_a_day_across_year_ends():
    assert IsoWeek.of(date(2027, 1, 1)) == IsoWeek(2026, 53)
    assert IsoWeek.of(date(2025, 12, 29)) == IsoWeek(2026, 1)
    assert IsoWeek.of(date(2026, 11, 29)) == W48
    assert IsoWeek.of(date(2026, 11, 30)) == IsoWeek(2026, 49)


# --- the plan --------------------------------------------------------------------------


def account(
    ident: int,
    tier: str | None,
    *,
    name: str | None = None,
    owner: str = "li",
    status: str = "customer",
    last_touch: date | None = None,
    last_exec_touch: date | None = None,
    health_color: str | None = "green",
    health_reason: str = "",
) -> PlanAccount:
    return PlanAccount(
        ident,
        name or f"acct{ident}",
        owner,
        tier,
        status,
        last_touch,
        last_exec_touch,
        health_color,
        health_reason,
    )


BOOK = [
    # S: touch overdue since 19 Nov; executive touch due 30 Nov, after the week
    account(
        1,
        "S",
        name="云翔集团",
        last_touch=date(2026, 11, 5),
        last_exec_touch=date(2026, 9, 1),
    ),
    # A: touched recently, never an executive touch
    account(2, "A", name="Beta Corp", last_touch=date(2026, 11, 1)),
    # B: touch falls due on Wednesday, another owner
    account(3, "B", name="Gamma", owner="wang", last_touch=date(2026, 9, 26)),
    # C: touched lately, but red
    account(
        4,
        "C",
        name="Delta",
        last_touch=date(2026, 11, 20),
        health_color="red",
        health_reason="logins down 27% vs October",
    ),
    # former customer: never touched, red, S tier -> nothing
    account(5, "S", name="Gone Ltd", status="former", health_color="red"),
    # unscored prospect in yellow health
    account(6, None, name="Epsilon", status="prospect", health_color="yellow"),
]

BY_ID = {a.id: a for a in BOOK}


def task(ident: int, of: PlanAccount, title: str, due: date) -> PlanTask:
    return PlanTask(ident, of.id, of.name, of.owner, of.tier, title, due)


def deal(
    ident: int, of: PlanAccount, name: str, stage: int, missing: tuple[str, ...], days: int
) -> PlanDeal:
    return PlanDeal(ident, of.id, of.name, of.owner, of.tier, name, stage, missing, days)


TASKS = [
    task(100, BY_ID[3], "Send quote", date(2026, 11, 24)),
    task(101, BY_ID[1], "Plan QBR", date(2026, 12, 2)),  # next week
    task(102, BY_ID[1], "Call CFO", date(2026, 11, 10)),  # overdue
]

DEALS = [
    deal(10, BY_ID[2], "ERP rollout", 2, ("demo deck",), 10),
    deal(11, BY_ID[3], "云翔 CRM", 3, (), 45),
    deal(12, BY_ID[4], "Small renewal", 1, (), 30),  # exactly at the stale line: not stale
]


def plan(**kwargs: Any) -> list[PlanItem]:
    args: dict[str, Any] = {
        "week": W48,
        "today": TODAY,
        "accounts": BOOK,
        "tasks": TASKS,
        "deals": DEALS,
        "cadences": DEFAULT_CADENCES,
    }
    args.update(kwargs)
    return build_plan(**args).items


def summary(items: list[PlanItem]) -> list[tuple[int, str, date]]:
    return [(i.account_id, i.kind, i.due) for i in items]


def test_full_plan_order_s_first_then_by_due_date():
    assert summary(plan()) == [
        (1, "task", date(2026, 11, 10)),
        (1, "touch", date(2026, 11, 19)),
        (2, "exec_touch", date(2026, 11, 23)),
        (2, "deliverables", date(2026, 11, 23)),
        (3, "stale_deal", date(2026, 11, 23)),
        (3, "task", date(2026, 11, 24)),
        (3, "touch", date(2026, 11, 25)),
        (4, "health", date(2026, 11, 23)),
        (6, "health", date(2026, 11, 29)),
    ]


def test_item_reasons():
    reasons = [i.reason for i in plan()]
    assert reasons == [
        "task: Call CFO (overdue 13 days)",
        "touch overdue 4 days: last 2026-11-05, every 14 days",
        "executive touch: none recorded yet (every 180 days)",
        "deal ERP rollout: stage 2 missing demo deck",
        "deal 云翔 CRM: 45 days in stage 3",
        "task: Send quote",
        "touch due 2026-11-25: last 2026-09-26, every 60 days",
        "health red: logins down 27% vs October",
        "health yellow",
    ]


def test_items_carry_account_owner_tier_and_ref():
    items = plan()
    first = items[0]
    assert (first.account, first.owner, first.tier, first.ref) == ("云翔集团", "li", "S", 102)
    assert first.key == "task:1:102"
    stale = next(i for i in items if i.kind == "stale_deal")
    assert (stale.ref, stale.owner, stale.tier) == (11, "wang", "B")
    touch = next(i for i in items if i.kind == "touch")
    assert touch.ref is None
    assert touch.key == "touch:1:0"


def test_executive_touches_are_marked():
    items = plan()
    assert [i.kind for i in items if i.executive] == ["exec_touch"]
    assert all(not i.executive for i in items if i.kind != "exec_touch")


def test_overdue_executive_touch_of_an_s_account():
    acct = account(1, "S", last_touch=date(2026, 11, 20), last_exec_touch=date(2026, 7, 1))
    items = plan(accounts=[acct], tasks=[], deals=[])
    assert len(items) == 1
    item = items[0]
    assert (item.kind, item.executive, item.due) == ("exec_touch", True, date(2026, 9, 29))
    assert item.reason == ("executive touch overdue 55 days: last 2026-07-01, every 90 days")


def test_b_and_c_accounts_have_no_executive_touch():
    accts = [account(3, "B"), account(4, "C")]  # never touched at all
    items = plan(accounts=accts, tasks=[], deals=[])
    assert summary(items) == [(3, "touch", TODAY), (4, "touch", TODAY)]
    assert not any(i.executive for i in items)
    assert items[0].reason == "touch: none recorded yet (every 60 days)"


def test_never_touched_s_account_gets_both_touches_today():
    items = plan(accounts=[account(1, "S")], tasks=[], deals=[])
    assert summary(items) == [(1, "exec_touch", TODAY), (1, "touch", TODAY)]


def test_touch_due_after_the_week_is_not_listed():
    acct = account(2, "A", last_touch=date(2026, 10, 31), last_exec_touch=date(2026, 11, 1))
    assert plan(accounts=[acct], tasks=[], deals=[]) == []  # due 30 Nov
    acct = acct._replace(last_touch=date(2026, 10, 30))  # due Sunday 29 Nov
    assert summary(plan(accounts=[acct], tasks=[], deals=[])) == [(2, "touch", date(2026, 11, 29))]


def test_tasks_due_in_the_week_and_overdue_but_not_later():
    items = plan()
    tasks = [(i.ref, i.due) for i in items if i.kind == "task"]
    assert tasks == [(102, date(2026, 11, 10)), (100, date(2026, 11, 24))]
    assert 101 not in [i.ref for i in items]


def test_task_due_on_sunday_is_in_monday_after_is_not():
    tasks = [
        task(1, BY_ID[4], "Sunday", date(2026, 11, 29)),
        task(2, BY_ID[4], "Next Monday", date(2026, 11, 30)),
    ]
    items = plan(tasks=tasks, deals=[])
    assert [i.reason for i in items if i.kind == "task"] == ["task: Sunday"]


def test_deal_stale_only_above_the_stale_days():
    items = plan()
    assert [i.ref for i in items if i.kind == "stale_deal"] == [11]
    items = plan(stale_days=29)
    assert sorted(i.ref or 0 for i in items if i.kind == "stale_deal") == [11, 12]


def test_deal_missing_deliverables_and_stale_gives_two_items():
    deals = [deal(20, BY_ID[4], "Big one", 2, ("ROI analysis", "demo deck"), 90)]
    items = plan(deals=deals, tasks=[])
    assert [(i.kind, i.reason) for i in items if i.ref == 20] == [
        ("deliverables", "deal Big one: stage 2 missing ROI analysis, demo deck"),
        ("stale_deal", "deal Big one: 90 days in stage 2"),
    ]


def test_health_green_or_unknown_is_not_listed():
    accts = [
        account(7, "C", last_touch=TODAY, health_color="green"),
        account(8, "C", last_touch=TODAY, health_color=None),
    ]
    assert plan(accounts=accts, tasks=[], deals=[]) == []


def test_red_health_due_at_the_start_yellow_by_sunday():
    accts = [
        account(7, "C", name="R", last_touch=TODAY, health_color="red"),
        account(8, "C", name="Y", last_touch=TODAY, health_color="yellow", health_reason="x"),
    ]
    items = plan(accounts=accts, tasks=[], deals=[])
    assert [(i.account, i.due, i.reason) for i in items] == [
        ("R", TODAY, "health red"),
        ("Y", date(2026, 11, 29), "health yellow: x"),
    ]


def test_owner_filter():
    wang = plan(owner="wang")
    assert {i.owner for i in wang} == {"wang"}
    assert summary(wang) == [
        (3, "stale_deal", date(2026, 11, 23)),
        (3, "task", date(2026, 11, 24)),
        (3, "touch", date(2026, 11, 25)),
    ]
    li = plan(owner="li")
    assert 3 not in {i.account_id for i in li}
    assert len(li) == len(plan()) - 3
    assert plan(owner="nobody") == []


def test_former_customers_get_no_cadence_or_health_items():
    items = plan()
    assert 5 not in {i.account_id for i in items}
    gone = account(5, "S", status="former", health_color="red")
    assert plan(accounts=[gone], tasks=[], deals=[]) == []


def test_former_customer_keeps_explicit_tasks_and_deals():
    # Current behaviour: only the automatic items (cadence, health) are dropped for a
    # former customer; a task or deal the rep still has on it stays visible.
    gone = account(5, "S", status="former", health_color="red")
    items = plan(
        accounts=[gone],
        tasks=[task(1, gone, "Win-back call", date(2026, 11, 25))],
        deals=[deal(2, gone, "Win-back", 1, ("discovery interview notes",), 5)],
    )
    assert [i.kind for i in items] == ["deliverables", "task"]


def test_prospects_get_cadence_items():
    items = plan(accounts=[account(9, "B", status="prospect")], tasks=[], deals=[])
    assert summary(items) == [(9, "touch", TODAY)]


def test_unscored_accounts_have_no_cadence_and_come_last():
    accts = [account(6, None, health_color="red"), account(4, "C", health_color="red")]
    items = plan(accounts=accts, tasks=[], deals=[])
    # same tier and day: health comes before the touch
    assert summary(items) == [(4, "health", TODAY), (4, "touch", TODAY), (6, "health", TODAY)]


def test_mid_week_plan_starts_today():
    wednesday = date(2026, 11, 25)
    items = plan(accounts=[account(1, "S")], tasks=[], deals=[], today=wednesday)
    assert summary(items) == [(1, "exec_touch", wednesday), (1, "touch", wednesday)]


def test_future_week_starts_on_its_monday():
    week = IsoWeek(2026, 49)
    items = plan(week=week, accounts=BOOK[:1], tasks=[], deals=[])
    # the S touch, overdue since 19 Nov, and the executive touch due Monday 30 Nov
    assert summary(items) == [
        (1, "touch", date(2026, 11, 19)),
        (1, "exec_touch", date(2026, 11, 30)),
    ]
    assert items[1].reason == "executive touch due 2026-11-30: last 2026-09-01, every 90 days"


def test_past_week_starts_on_its_monday():
    week = IsoWeek(2026, 40)  # 28 Sep - 4 Oct
    items = plan(week=week, accounts=[account(1, "S")], tasks=[], deals=[])
    assert summary(items) == [
        (1, "exec_touch", date(2026, 9, 28)),
        (1, "touch", date(2026, 9, 28)),
    ]


def test_missing_cadence_for_a_tier_gives_no_touch_items():
    cadences = {t: c for t, c in DEFAULT_CADENCES.items() if t != "B"}
    assert plan(accounts=[account(3, "B")], tasks=[], deals=[], cadences=cadences) == []


def test_empty_book_gives_an_empty_plan():
    assert plan(accounts=[], tasks=[], deals=[]) == []


def test_tasks_and_deals_are_planned_under_the_account_they_carry():
    """The store reads only the accounts that may have a health or touch item; a task or
    deal brings its account's name, owner and tier with it."""
    items = plan(accounts=[], owner="wang")
    assert [(i.account, i.owner, i.tier, i.kind, i.ref) for i in items] == [
        ("Gamma", "wang", "B", "stale_deal", 11),
        ("Gamma", "wang", "B", "task", 100),
    ]


@pytest.mark.parametrize("tier", ["S", "A", "B", "C"])
def test_due_by_is_the_last_touch_that_makes_a_touch_due_by_sunday(tier):
    by = due_by(W48, DEFAULT_CADENCES)[tier]
    cadence = DEFAULT_CADENCES[tier]
    assert by.touch == W48.sunday - timedelta(days=cadence.touch_days)
    assert (by.exec_touch is None) == (cadence.exec_days is None)
    for last_touch, listed in ((by.touch, True), (by.touch + timedelta(days=1), False)):
        acct = account(1, tier, last_touch=last_touch, last_exec_touch=TODAY)
        kinds = [i.kind for i in plan(accounts=[acct], tasks=[], deals=[])]
        assert ("touch" in kinds) == listed
    if by.exec_touch is not None:
        for last_exec, listed in (
            (by.exec_touch, True),
            (by.exec_touch + timedelta(days=1), False),
        ):
            acct = account(1, tier, last_touch=TODAY, last_exec_touch=last_exec)
            kinds = [i.kind for i in plan(accounts=[acct], tasks=[], deals=[])]
            assert ("exec_touch" in kinds) == listed


def test_plan_order_does_not_depend_on_the_order_of_its_inputs():
    """S first, then due date, kind, account name and task or deal, whatever order the
    accounts, tasks and deals come in (accounts may share a name)."""
    import random

    accounts = [
        PlanAccount(
            n, ("Apex", "云翔集团", "Beta")[n % 3], "Li", tier, status, touch, None, color, "why"
        )
        for n, (tier, status, touch, color) in enumerate(
            [
                ("S", "customer", date(2026, 11, 1), "red"),
                ("A", "customer", None, "yellow"),
                ("B", "prospect", date(2026, 10, 1), None),
                ("S", "customer", date(2026, 11, 10), None),
                (None, "customer", None, "red"),
                ("C", "former", None, "red"),
                ("A", "customer", date(2026, 11, 20), "green"),
                ("S", "prospect", None, "yellow"),
            ]
        )
    ]
    tasks = [task(10 + n, accounts[n % 8], f"t{n}", date(2026, 11, 20 + n % 9)) for n in range(12)]
    deals = [
        deal(30 + n, accounts[(n * 3) % 8], f"d{n}", 2, ("ROI",) if n % 2 else (), 40)
        for n in range(9)
    ]
    expected = build_plan(W48, TODAY, accounts, tasks, deals, DEFAULT_CADENCES).items
    kinds = ("health", "exec_touch", "touch", "task", "deliverables", "stale_deal")
    ranks = {"S": 0, "A": 1, "B": 2, "C": 3, None: 4}
    assert expected == sorted(
        expected,
        key=lambda i: (ranks[i.tier], i.due, kinds.index(i.kind), i.account, i.ref or 0),
    )
    rng = random.Random(7)
    for _ in range(20):
        for part in (accounts, tasks, deals):
            rng.shuffle(part)  # type: ignore[arg-type]
        got = build_plan(W48, TODAY, accounts, tasks, deals, DEFAULT_CADENCES).items
        # same-named accounts' own items may swap with the input order; nothing else
        assert sorted(got) == sorted(expected)
        assert [(i.tier, i.due, i.kind, i.account, i.ref) for i in got] == [
            (i.tier, i.due, i.kind, i.account, i.ref) for i in expected
        ]


def test_deals_and_tasks_of_accounts_with_the_same_name_go_by_their_own_id():
    twins = [
        account(7, "B", name="Acme", last_touch=date(2026, 11, 20)),
        account(8, "B", name="Acme", last_touch=date(2026, 11, 20)),
        account(9, "B", name="Aaron", last_touch=date(2026, 11, 20)),
    ]
    deals = [
        deal(30, twins[0], "later", 1, ("initial account assessment",), 1),
        deal(20, twins[1], "sooner", 1, ("initial account assessment",), 1),
        deal(40, twins[2], "first by name", 1, ("initial account assessment",), 1),
    ]
    tasks = [
        task(5, twins[0], "b", date(2026, 11, 24)),
        task(4, twins[1], "a", date(2026, 11, 24)),
        task(6, twins[2], "c", date(2026, 11, 24)),
    ]
    items = plan(accounts=twins, deals=deals, tasks=tasks)
    # deliverables are due at the week's start, the tasks the day after
    assert [(i.kind, i.ref) for i in items if i.kind in ("deliverables", "task")] == [
        ("deliverables", 40),
        ("deliverables", 20),
        ("deliverables", 30),
        ("task", 6),
        ("task", 4),
        ("task", 5),
    ]


# --- a plan a rep can work through: ticked, snoozed, batched, within capacity ----------


def week_plan(**kwargs: Any) -> WeekPlan:
    args: dict[str, Any] = {
        "week": W48,
        "today": TODAY,
        "accounts": BOOK,
        "tasks": TASKS,
        "deals": DEALS,
        "cadences": DEFAULT_CADENCES,
    }
    args.update(kwargs)
    return build_plan(**args)


def test_an_item_ticked_done_stays_where_it_would_stand_and_is_marked_done():
    whole = plan()
    touch = next(i for i in whole if i.kind == "touch" and i.account_id == 1)
    # once ticked, the account's last touch is today: the touch is no longer derived
    touched = [a._replace(last_touch=TODAY) if a.id == 1 else a for a in BOOK]
    wp = week_plan(accounts=touched, done=[DoneItem(touch, TODAY)])
    assert [i.key for i in wp.items] == [i.key for i in whole]
    assert wp.done == {touch.key: TODAY}
    # a derived item with a ticked key is the tick's, not listed twice
    wp = week_plan(done=[DoneItem(touch, TODAY)])
    assert [i.key for i in wp.items].count(touch.key) == 1


def test_a_task_done_this_week_is_listed_done_under_its_account():
    done_task = PlanItem(3, "Gamma", "wang", "B", "task", date(2026, 11, 24), "task: Send quote",
                         ref=100)  # fmt: skip
    tasks = [t for t in TASKS if t.id != 100]
    wp = week_plan(tasks=tasks, done=[DoneItem(done_task, TODAY)])
    assert summary(wp.items) == summary(plan())
    assert wp.done == {"task:3:100": TODAY}
    assert week_plan(tasks=tasks, done=[DoneItem(done_task, TODAY)], owner="li").done == {}


def test_a_snooze_keeps_an_item_out_until_its_day_then_it_comes_back():
    touch = next(i for i in plan() if i.kind == "touch" and i.account_id == 1)
    snooze = Snooze(1, "touch", 0, date(2026, 11, 26), "at a trade fair", basis(date(2026, 11, 5)))
    wp = week_plan(snoozes=[snooze])
    assert touch.key not in [i.key for i in wp.items]
    assert wp.snoozed == [SnoozedItem(touch, date(2026, 11, 26), "at a trade fair")]
    for day in (date(2026, 11, 26), date(2026, 11, 27)):  # its day has come
        again = week_plan(snoozes=[snooze], today=day)
        assert touch.key in [i.key for i in again.items] and not again.snoozed
    # a later week's plan starts on its Monday: a snooze until a day after it holds there
    wp = week_plan(week=IsoWeek(2026, 49), snoozes=[snooze._replace(until=date(2026, 12, 1))])
    assert [s.item.key for s in wp.snoozed] == [touch.key]


def test_a_snooze_lapses_when_what_the_item_rests_on_changes():
    cases = [
        # kind, ref, the basis when snoozed (the plan's inputs have moved on since)
        ("touch", 0, basis(date(2026, 10, 1))),  # touched since: another touch is due
        ("health", 0, "yellow"),  # account 4 is red now
        ("deliverables", 10, "1"),  # the deal is in stage 2 now
        ("task", 102, basis(date(2026, 11, 3))),  # the task was moved to the 10th
    ]
    account_of = {"touch": 1, "health": 4, "deliverables": 2, "task": 1}
    for kind, ref, was in cases:
        snooze = Snooze(account_of[kind], kind, ref, date(2026, 12, 7), "", was)
        wp = week_plan(snoozes=[snooze])
        assert snooze.key in [i.key for i in wp.items], kind
        assert not wp.snoozed
        held = week_plan(snoozes=[snooze._replace(basis=now_basis(kind))])
        assert snooze.key not in [i.key for i in held.items], kind
        assert [s.item.key for s in held.snoozed] == [snooze.key]


def now_basis(kind: str) -> str:
    return {
        "touch": basis(date(2026, 11, 5)),
        "health": "red",
        "deliverables": basis(2),
        "task": basis(date(2026, 11, 10)),
    }[kind]


def c_accounts(n: int, owner: str = "li", **kw) -> list[PlanAccount]:
    return [
        account(100 + k, "C", name=f"Small {k:02d}", owner=owner, last_touch=date(2026, 8, k + 1),
                **kw)
        for k in range(n)
    ]  # fmt: skip


def test_tier_c_touches_are_one_batch_per_rep_listing_its_accounts():
    small = c_accounts(3) + c_accounts(2, owner="wang")[::-1]
    wp = week_plan(accounts=[*BOOK, *small])
    batches = [i for i in wp.items if i.kind == BATCH]
    assert [(b.owner, b.tier, b.reason) for b in batches] == [
        ("li", "C", "send the standard e-mail to 3 accounts"),
        ("wang", "C", "send the standard e-mail to 2 accounts"),
    ]
    li = wp.members(batches[0])
    assert [m.account for m in li] == ["Small 00", "Small 01", "Small 02"]  # most urgent first
    assert all(m.kind == "touch" and m.tier == "C" for m in li)
    assert batches[0].due == li[0].due == date(2026, 10, 30)
    assert not any(i.kind == "touch" and i.tier == "C" for i in wp.items)
    assert wp.every_item().count(li[0]) == 1 and batches[0] not in wp.every_item()
    # it stands among the C items as a touch would: after B's, at its most urgent day
    kinds = [(i.tier, i.kind) for i in wp.items]
    assert kinds.index(("C", BATCH)) > kinds.index(("B", "touch"))


def test_a_lone_tier_c_touch_is_no_batch_and_a_batch_all_ticked_is_done():
    (one,) = c_accounts(1)
    wp = week_plan(accounts=[one], tasks=[], deals=[])
    assert [(i.kind, i.account) for i in wp.items] == [("touch", "Small 00")]
    two = c_accounts(2)
    first, second = week_plan(accounts=two, tasks=[], deals=[]).every_item()
    wp = week_plan(accounts=two[1:], tasks=[], deals=[], done=[DoneItem(first, TODAY)])
    (batch,) = wp.items
    assert batch.due == second.due  # the most urgent open account
    assert wp.members(batch) == [first, second] and batch.key not in wp.done
    wp = week_plan(accounts=[], tasks=[], deals=[],
                   done=[DoneItem(first, TODAY), DoneItem(second, date(2026, 11, 24))])  # fmt: skip
    (batch,) = wp.items
    assert wp.done[batch.key] == date(2026, 11, 24)


def test_a_capacity_shows_what_fits_s_tier_and_most_urgent_first_and_folds_the_rest():
    whole = plan()
    wp = week_plan(capacity=3)
    li = [i for i in whole if i.owner == "li"]
    wang = [i for i in whole if i.owner == "wang"]
    assert wp.items == [i for i in whole if i in li[:3] or i in wang[:3]]
    assert wp.folded == [i for i in whole if i in li[3:] or i in wang[3:]]
    assert wp.capacity == 3
    assert week_plan(capacity=0).items == [] and week_plan(capacity=0).folded == whole
    assert week_plan(capacity=100).folded == [] and week_plan().folded == []


def test_a_ticked_item_counts_against_the_capacity():
    touch = next(i for i in plan() if i.kind == "touch" and i.account_id == 1)
    touched = [a._replace(last_touch=TODAY) if a.id == 1 else a for a in BOOK]
    wp = week_plan(accounts=touched, done=[DoneItem(touch, TODAY)], capacity=2, owner="li")
    assert [i.key for i in wp.items] == [i.key for i in plan(owner="li")[:2]]
    assert touch.key in [i.key for i in wp.items]


def test_plan_start_and_next_monday():
    assert plan_start(W48, date(2026, 11, 25)) == date(2026, 11, 25)
    assert plan_start(W48, date(2026, 11, 20)) == W48.monday
    assert plan_start(W48, date(2026, 12, 2)) == W48.monday
    assert next_monday(date(2026, 11, 23)) == date(2026, 11, 30)
    assert next_monday(date(2026, 11, 29)) == date(2026, 11, 30)
