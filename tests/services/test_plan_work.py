"""A week's plan as a rep works it (services/book.py, store/plan_marks.py): ticks kept and
taken back, items put off until a day, tier-C batches, the weekly capacity; and the won
outcome of a deal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from kamtui.domain.errors import FieldError, InputError
from kamtui.domain.plan import BATCH, IsoWeek, PlanItem, WeekPlan
from kamtui.domain.scoring import DEFAULT_MODEL
from kamtui.domain.stages import win_rate
from kamtui.services import export, importer
from kamtui.services.book import Book
from kamtui.store.tables import TABLES

TODAY = date(2026, 11, 23)
WEEK = IsoWeek(2026, 48)
ALL_FIVE = {k: 5 for k in DEFAULT_MODEL.keys}


def dump(book: Book) -> dict[str, list[tuple[Any, ...]]]:
    with book.store.reading() as conn:
        return {
            str(t.__tablename__): sorted(
                (tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t.__tablename__}")),
                key=repr,
            )
            for t in TABLES
        }


def q(book: Book, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with book.store.reading() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql, params)]


def find(plan: WeekPlan, kind: str, account_id: int | None = None) -> PlanItem:
    return next(
        i for i in plan.every_item() if i.kind == kind and account_id in (None, i.account_id)
    )


def touched(book: Book, aid: int) -> tuple[Any, Any]:
    return q(book, "SELECT last_touch, last_exec_touch FROM accounts WHERE id = ?", aid)[0]


# ---- ticks -------------------------------------------------------------------------------


def test_a_touch_ticked_stays_in_the_weeks_plan_ticked_with_the_call_it_logged(demo: Book) -> None:
    before = demo.plan(WEEK, TODAY)
    touch = find(before, "touch")
    was = touched(demo, touch.account_id)
    calls = q(demo, "SELECT count(*) FROM interactions")[0][0]
    assert demo.tick(WEEK, [touch], TODAY) == [touch.key]
    after = demo.plan(WEEK, TODAY)
    assert [i.key for i in after.items] == [i.key for i in before.items]
    assert after.done == {touch.key: TODAY}
    assert q(demo, "SELECT count(*) FROM interactions")[0][0] == calls + 1
    assert q(
        demo, "SELECT kind, happened_on FROM interactions WHERE account_id = ? "
        "ORDER BY id DESC LIMIT 1", touch.account_id,
    ) == [("call", "2026-11-23")]  # fmt: skip
    assert touched(demo, touch.account_id)[0] == "2026-11-23"
    history = [(c.entity, c.field, c.old, c.new) for c in demo.history(touch.account_id)[:3]]
    assert ("plan", "tick:touch", None, "2026-W48") in history
    assert ("account", "last_touch", was[0], "2026-11-23") in history
    # another week's plan does not show it ticked; this week's export does
    assert touch.key not in demo.plan(IsoWeek(2026, 49), TODAY).done
    assert f"- [x] {touch.due.isoformat()} · **" in export.plan_markdown(after, None)


def test_a_tick_taken_back_deletes_the_call_and_puts_the_last_touches_back(demo: Book) -> None:
    plan = demo.plan(WEEK, TODAY)
    execs = {i.account_id for i in plan.every_item() if i.kind == "exec_touch"}
    touch = next(i for i in plan.every_item() if i.kind == "touch" and i.account_id in execs)
    exec_touch = find(plan, "exec_touch", touch.account_id)
    before, was = dump(demo), touched(demo, touch.account_id)
    # an executive touch and a touch of one account: one executive call
    assert sorted(demo.tick(WEEK, [exec_touch, touch], TODAY)) == sorted(
        [exec_touch.key, touch.key]
    )
    assert q(
        demo, "SELECT kind, executive FROM interactions WHERE account_id = ? AND happened_on = ?",
        touch.account_id, "2026-11-23",
    ) == [("call", 1)]  # fmt: skip
    with pytest.raises(InputError, match="ticked already"):
        demo.tick(WEEK, [touch], TODAY)
    # taking one back takes back the call, and so the other's tick
    assert sorted(demo.untick(WEEK, [touch], TODAY)) == sorted([exec_touch.key, touch.key])
    assert touched(demo, touch.account_id) == was
    assert demo.plan(WEEK, TODAY).done == {}
    after = dump(demo)
    for table in ("interactions", "plan_ticks", "accounts"):
        if table != "accounts":
            assert after[table] == before[table], table
    history = [(c.field, c.old, c.new) for c in demo.history(touch.account_id)[:6]]
    assert ("tick:touch", "2026-W48", None) in history
    assert ("last_touch", "2026-11-23", was[0]) in history
    with pytest.raises(InputError, match="no tick to take back"):
        demo.untick(WEEK, [touch], TODAY)


def test_a_task_ticked_and_taken_back(demo: Book) -> None:
    task = find(demo.plan(WEEK, TODAY), "task")
    demo.tick(WEEK, [task], TODAY)
    plan = demo.plan(WEEK, TODAY)
    assert plan.done[task.key] == TODAY and task.key in [i.key for i in plan.items]
    done = next(i for i in plan.items if i.key == task.key)
    assert done.reason == task.reason.split(" (overdue")[0]  # done: no longer overdue
    assert demo.untick(WEEK, [task], TODAY) == [task.key]
    assert task in demo.plan(WEEK, TODAY).items
    assert q(demo, "SELECT done_on FROM tasks WHERE id = ?", task.ref) == [(None,)]


def test_a_health_or_deal_item_is_not_ticked_and_a_refusal_changes_nothing(demo: Book) -> None:
    plan = demo.plan(WEEK, TODAY)
    before = dump(demo)
    for kind in ("health", "deliverables"):
        with pytest.raises(InputError, match="done on its account"):
            demo.tick(WEEK, [find(plan, "touch"), find(plan, kind)], TODAY)
    assert dump(demo) == before


def test_a_batch_logs_the_standard_email_to_each_account_in_one_transaction(demo: Book) -> None:
    plan = demo.plan(WEEK, TODAY)
    batch = max((i for i in plan.items if i.kind == BATCH), key=lambda b: len(plan.members(b)))
    members = plan.members(batch)
    assert len(members) >= 2
    with pytest.raises(InputError, match="accounts of a batch"):
        demo.tick(WEEK, [batch], TODAY, kind="email")
    demo.tick(WEEK, members[:1], TODAY, kind="email")
    before = dump(demo)
    with pytest.raises(InputError, match="ticked already"):  # one of them: none is logged
        demo.tick(WEEK, members, TODAY, kind="email")
    assert dump(demo) == before
    demo.tick(WEEK, members[1:], TODAY, kind="email")
    plan = demo.plan(WEEK, TODAY)
    assert plan.done[batch.key] == TODAY
    assert {
        r[0] for r in q(demo, "SELECT kind FROM interactions WHERE happened_on = '2026-11-23'")
    } == {"email"}
    # one taken back: the batch is open again
    demo.untick(WEEK, members[:1], TODAY)
    plan = demo.plan(WEEK, TODAY)
    assert batch.key not in plan.done and members[1].key in plan.done


# ---- snoozes -------------------------------------------------------------------------------


def test_an_item_put_off_leaves_the_plan_until_its_day_and_shows_on_its_account(
    demo: Book,
) -> None:
    plan = demo.plan(WEEK, TODAY)
    task = find(plan, "task")
    monday = date(2026, 11, 30)
    assert demo.snooze([task], monday, " at a trade fair ", TODAY) == 1
    plan = demo.plan(WEEK, TODAY)
    assert task.key not in [i.key for i in plan.every_item()]
    assert [(z.item.key, z.until, z.reason) for z in plan.snoozed] == [
        (task.key, monday, "at a trade fair")
    ]
    view = demo.account_view(task.account_id, TODAY)
    (shown,) = [t for t in view.tasks if t.id == task.ref]
    assert (shown.snoozed_until, shown.snooze_reason) == (monday, "at a trade fair")
    assert view.snoozed("task", task.ref or 0) is not None
    # its day comes: it is back (still overdue), and no longer shown as put off
    later = IsoWeek(2026, 49)
    assert task.key in [i.key for i in demo.plan(later, monday).items]
    assert demo.account_view(task.account_id, monday).snoozes == ()
    history = [(c.field, c.new) for c in demo.history(task.account_id)[:1]]
    assert history == [("snooze:task", "2026-11-30 · at a trade fair")]
    # brought back at once
    assert demo.unsnooze([task], TODAY) == 1
    assert task.key in [i.key for i in demo.plan(WEEK, TODAY).items]
    assert demo.history(task.account_id)[0].old == "2026-11-30 · at a trade fair"


def test_a_snooze_lapses_when_what_the_item_rests_on_changes(demo: Book) -> None:
    plan = demo.plan(WEEK, TODAY)
    deliverables = find(plan, "deliverables")
    demo.snooze([deliverables], date(2026, 12, 14), "", TODAY)
    assert deliverables.key not in [i.key for i in demo.plan(WEEK, TODAY).every_item()]
    assert deliverables.ref is not None
    demo.move_deal(deliverables.ref, TODAY, force_reason="pilot signed")  # the next stage
    again = demo.plan(WEEK, TODAY)
    assert deliverables.key in [i.key for i in again.every_item()]  # a new item: shown
    assert again.snoozed == []
    # a touch put off, then logged: due again later, it is not hidden by the old snooze
    touch = find(plan, "touch")
    demo.snooze([touch], date(2027, 1, 4), "", TODAY)
    demo.log_interaction(touch.account_id, TODAY, kind="visit", on=TODAY)
    late = IsoWeek.of(TODAY + timedelta(days=120))
    assert touch.key in [i.key for i in demo.plan(late, TODAY).every_item()]


def test_a_snooze_needs_a_later_day_within_a_year_and_a_short_reason(demo: Book) -> None:
    item = find(demo.plan(WEEK, TODAY), "health")
    before = dump(demo)
    for until, reason, field in (
        (TODAY, "", "until"),
        (TODAY - timedelta(days=1), "", "until"),
        (TODAY + timedelta(days=367), "", "until"),
        (TODAY + timedelta(days=7), "x" * 501, "reason"),
    ):
        with pytest.raises(FieldError) as e:
            demo.snooze([item], until, reason, TODAY)
        assert e.value.field == field
    with pytest.raises(InputError, match="accounts of a batch"):
        batch = next(i for i in demo.plan(WEEK, TODAY).items if i.kind == BATCH)
        demo.snooze([batch], TODAY + timedelta(days=7), "", TODAY)
    assert dump(demo) == before
    view = demo.account_view(item.account_id, TODAY)
    demo.snooze([item], TODAY + timedelta(days=7), "CFO on leave", TODAY)
    assert demo.account_view(item.account_id, TODAY).snoozed("health") is not None
    assert view.snoozed("health") is None


# ---- capacity ------------------------------------------------------------------------------


def test_a_weekly_capacity_folds_what_a_rep_cannot_do(demo: Book) -> None:
    whole = demo.plan(WEEK, TODAY)
    rules = demo._rules()
    demo.save_config(replace(demo.config, plan_capacity=5), TODAY)
    assert demo._rules() == rules  # the capacity derives nothing: no account derived again
    plan = demo.plan(WEEK, TODAY)
    owners = {i.owner for i in whole.items}
    assert len(plan.items) == 5 * len(owners)
    for owner in owners:
        mine = [i for i in whole.items if i.owner == owner]
        assert [i for i in plan.items if i.owner == owner] == mine[:5]
        assert [i for i in plan.folded if i.owner == owner] == mine[5:]
    assert Book.open(demo.path, read_only=True).config.plan_capacity == 5
    md = export.plan_markdown(plan, None)
    assert f"## Beyond the week's capacity (5 items a rep): {len(plan.folded)} more" in md


# ---- the won outcome -------------------------------------------------------------------------


@pytest.fixture
def negotiating(empty: Book) -> tuple[Book, int, int]:
    """A deal brought to stage 3 on 1 November, its stage-3 deliverables not yet ticked."""
    aid = empty.add_account(TODAY, name="云翔集团", owner="张伟")
    empty.set_ratings(aid, ALL_FIVE, TODAY)
    start = date(2026, 10, 1)
    did = empty.add_deal(aid, start, name="数据中台项目", amount=1_200_000)
    for n, day in ((1, date(2026, 10, 15)), (2, date(2026, 11, 1))):
        empty.move_deal(did, day, force_reason=f"stage {n} done on paper")
    return empty, aid, did


def test_leaving_stage_3_for_4_wins_a_deal_and_moving_back_takes_the_win_back(
    negotiating: tuple[Book, int, int],
) -> None:
    book, aid, did = negotiating
    for key in ("commercial_quote", "signed_contract"):
        book.check_deliverable(did, key, True, TODAY)
    book.move_deal(did, TODAY)
    (deal,) = book.account_view(aid, TODAY).deals
    assert (deal.won_on, deal.won_amount, deal.won_forced) == (TODAY, 1_200_000, False)
    history = [(c.field, c.old, c.new) for c in book.history(aid)[:4]]
    assert ("won_on", None, "2026-11-23") in history and ("won_amount", None, "1200000") in history
    (outcome,) = book.deal_outcomes()
    assert (outcome.outcome, outcome.started_on, outcome.cycle_days) == (
        "won", date(2026, 10, 1), 53
    )  # fmt: skip
    assert any(e.kind == "won" for e in book.account_view(aid, TODAY).timeline)
    later = TODAY + timedelta(days=3)
    book.move_deal(did, later, direction=-1)
    (deal,) = book.account_view(aid, later).deals
    assert (deal.won_on, deal.won_amount, deal.won_forced) == (None, None, False)
    assert [(c.field, c.old) for c in book.history(aid)[:3] if c.field == "won_on"] == [
        ("won_on", "2026-11-23")
    ]
    assert book.deal_outcomes()[0].outcome == "open"
    # forced past the gate: won, marked forced; closed lost afterwards, it stays won
    book.check_deliverable(did, "signed_contract", False, later)
    book.move_deal(did, later, force_reason="signed on paper, scan to follow")
    (deal,) = book.account_view(aid, later).deals
    assert (deal.won_on, deal.won_forced) == (later, True)
    book.move_deal(did, later, lost_reason="project cancelled in delivery")
    (outcome,) = book.deal_outcomes()
    assert (outcome.outcome, outcome.lost_on) == ("won", later)
    card_wins = [c.won_on for col in book.pipeline(later) for c in col.cards]
    assert card_wins == []  # lost: off the board


def test_win_rate_and_the_deals_export_and_import_of_wins(demo: Book, empty: Book) -> None:
    outcomes = demo.deal_outcomes()
    assert {o.outcome for o in outcomes} == {"won", "lost", "open"}
    rate = win_rate(o.outcome for o in outcomes)
    assert rate is not None and 0 < rate < 1
    won = [o for o in outcomes if o.outcome == "won"]
    assert all(o.cycle_days is not None and o.cycle_days >= 0 for o in won)
    records = export.records(demo, "deals", TODAY)
    by_id = {r["id"]: r for r in records}
    for o in won:
        assert by_id[o.id]["won_on"] == o.won_on.isoformat()  # type: ignore[union-attr]
        assert by_id[o.id]["stage"] >= 4
    assert all(r["won_on"] is None for r in records if r["stage"] < 4)
    header, rows = export.flat_table("deals", records)
    assert {"won_on", "won_amount", "won_forced", "outcome", "cycle_days"} <= set(header)
    # the export imports into another book: its wins come with it
    for name in {r["account"] for r in records}:
        empty.add_account(TODAY, name=name)
    path = empty.path.parent / "deals.csv"
    path.write_text(export.to_csv(header, rows), encoding="utf-8")
    _, result = importer.import_file(empty, "deals", path, TODAY, mapping={"account_id": None})
    assert result.created == len(records)
    moved = {
        r[0]: (r[1], r[2])
        for r in q(empty, "SELECT name || '/' || account_id, won_on, won_amount FROM deals")
    }
    assert sorted(v for v in moved.values() if v[0]) == sorted(
        (r["won_on"], r["won_amount"]) for r in records if r["won_on"]
    )


def test_an_import_wins_a_deal_it_brings_past_stage_3_and_refuses_a_win_before(
    empty: Book,
) -> None:
    empty.add_account(TODAY, name="云翔集团")
    path = empty.path.parent / "deals.csv"
    path.write_text(
        "account,name,stage,amount,won_on,won_amount\n"
        "云翔集团,Signed,4,100000,2026-10-02,\n"
        "云翔集团,Imported at 5,5,300000,,250000\n"
        "云翔集团,Talking,2,50000,,\n",
        encoding="utf-8",
    )
    importer.import_file(empty, "deals", path, TODAY)
    assert sorted(q(empty, "SELECT name, won_on, won_amount, won_forced FROM deals")) == [
        ("Imported at 5", "2026-11-23", 250000.0, 0),
        ("Signed", "2026-10-02", 100000.0, 0),
        ("Talking", None, None, 0),
    ]
    path.write_text("account,name,stage,won_on\n云翔集团,Talking,3,2026-11-01\n", "utf-8")
    checked = importer.check(empty, "deals", path, TODAY)
    assert [(e.column, e.reason) for e in checked.errors] == [
        ("won_on", "a deal is won when it passes stage 3; this one is in stage 3")
    ]
    # moved past stage 3 by an import: won that day, forced (no gate was passed)
    path.write_text("account,name,stage\n云翔集团,Talking,4\n", "utf-8")
    importer.import_file(empty, "deals", path, TODAY)
    assert q(empty, "SELECT won_on, won_amount, won_forced FROM deals WHERE name = 'Talking'") == [
        ("2026-11-23", 50000.0, 1)
    ]
    path.write_text("account,name,stage\n云翔集团,Talking,3\n", "utf-8")
    importer.import_file(empty, "deals", path, TODAY)
    assert q(empty, "SELECT won_on FROM deals WHERE name = 'Talking'") == [(None,)]
