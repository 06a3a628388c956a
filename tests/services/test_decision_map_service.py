"""Editing the decision map and adding tasks through the Book: validation, versions,
history, and the coverage warnings and plan that follow at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kamtui.domain.errors import FieldError, InputError
from kamtui.domain.plan import IsoWeek
from kamtui.services.book import Book, StaleEditError, TaskView

TODAY = date(2026, 11, 23)


def scored_s(book: Book) -> int:
    aid = book.add_account(TODAY, name="云翔集团", owner="张伟")
    book.set_ratings(
        aid,
        {"strategic_fit": 5, "profit_potential": 5, "stability": 5, "market_influence": 5},
        TODAY,
    )
    return aid


def warnings(book: Book, aid: int) -> list[str]:
    return [w["code"] for w in book.account_view(aid, TODAY).derived.coverage]


def test_adding_contacts_clears_coverage_warnings(empty: Book) -> None:
    aid = scored_s(empty)
    assert warnings(empty, aid) == ["no_economic_buyer", "single_threaded"]
    boss = empty.add_contact(aid, TODAY, name="王总", role="economic_buyer", stance="supporter")
    assert warnings(empty, aid) == ["single_threaded"]
    cto = empty.add_contact(aid, TODAY, name="Li Wei", role="evaluator", reports_to=boss)
    assert warnings(empty, aid) == []
    view = empty.account_view(aid, TODAY)
    assert [(c.id, c.name, c.role, c.reports_to) for c in view.contacts] == [
        (boss, "王总", "economic_buyer", None),
        (cto, "Li Wei", "evaluator", boss),
    ]
    assert view.contact_info[cto].version == 1
    assert [c.what for c in empty.history(aid)][:2] == [
        "contact Li Wei: created",
        "contact 王总: created",
    ]


def test_add_contact_refuses_bad_input_and_writes_nothing(empty: Book) -> None:
    aid = scored_s(empty)
    other = empty.add_account(TODAY, name="别家")
    stranger = empty.add_contact(other, TODAY, name="外人", role="user")
    with pytest.raises(FieldError, match="needs a name"):
        empty.add_contact(aid, TODAY, name=" ", role="user")
    with pytest.raises(FieldError, match="not a contact of this account"):
        empty.add_contact(aid, TODAY, name="x", role="user", reports_to=stranger)
    with pytest.raises(InputError, match="no account 999"):
        empty.add_contact(999, TODAY, name="x", role="user")
    assert empty.account_view(aid, TODAY).contacts == ()


def test_move_mark_left_and_back_are_recorded_with_versions(empty: Book) -> None:
    aid = scored_s(empty)
    cid = empty.add_contact(aid, TODAY, name="王总", role="influencer", stance="champion")
    v2 = empty.update_contact(cid, TODAY, {"role": "economic_buyer"}, seen_version=1)
    assert v2 == 2
    assert "no_economic_buyer" not in warnings(empty, aid)
    left = TODAY - timedelta(days=3)
    v3 = empty.update_contact(cid, TODAY, {"left_on": left}, seen_version=v2)
    view = empty.account_view(aid, TODAY)
    assert view.contacts[0].left_on == left
    assert "key_contact_left" in [w["code"] for w in view.derived.coverage]
    assert any(f.code == "key_contact_left" for f in view.derived.health.flags)
    empty.update_contact(cid, TODAY, {"left_on": None}, seen_version=v3)
    assert empty.account_view(aid, TODAY).contacts[0].left_on is None
    fields = [(c.field, c.old, c.new) for c in empty.history(aid) if c.entity == "contact"]
    assert fields[:3] == [
        ("left_on", left.isoformat(), None),
        ("left_on", None, left.isoformat()),
        ("role", "influencer", "economic_buyer"),
    ]


def test_an_unchanged_save_changes_nothing(empty: Book) -> None:
    aid = scored_s(empty)
    cid = empty.add_contact(aid, TODAY, name="王总", role="finance")
    before = empty.history(aid)
    assert empty.update_contact(cid, TODAY, {"role": "finance", "name": "王总"}, 1) == 1
    assert empty.history(aid) == before


def test_a_stale_contact_save_is_refused_with_their_values(empty: Book) -> None:
    aid = scored_s(empty)
    cid = empty.add_contact(aid, TODAY, name="王总", role="finance")
    empty.update_contact(cid, TODAY, {"stance": "skeptic"}, seen_version=1)
    with pytest.raises(StaleEditError) as e:
        empty.update_contact(cid, TODAY, {"stance": "champion"}, seen_version=1)
    assert [(c.field, c.new) for c in e.value.theirs] == [("stance", "skeptic")]
    assert e.value.version == 2
    assert empty.account_view(aid, TODAY).contacts[0].stance == "skeptic"
    empty.update_contact(cid, TODAY, {"stance": "champion"}, seen_version=e.value.version)
    assert empty.account_view(aid, TODAY).contacts[0].stance == "champion"


def test_reports_to_cannot_make_a_loop(empty: Book) -> None:
    aid = scored_s(empty)
    ceo = empty.add_contact(aid, TODAY, name="CEO", role="economic_buyer")
    cto = empty.add_contact(aid, TODAY, name="CTO", role="evaluator", reports_to=ceo)
    with pytest.raises(FieldError, match="CTO already reports"):
        empty.update_contact(ceo, TODAY, {"reports_to": cto})
    with pytest.raises(InputError, match="no contact 999"):
        empty.update_contact(999, TODAY, {"role": "user"})
    empty.delete_account(aid)
    with pytest.raises(InputError, match=f"no contact {cto}"):  # in the trash: not editable
        empty.update_contact(cto, TODAY, {"role": "user"})


def test_last_contact_comes_from_interactions(empty: Book) -> None:
    aid = scored_s(empty)
    cid = empty.add_contact(aid, TODAY, name="王总", role="economic_buyer")
    assert empty.account_view(aid, TODAY).contact_info[cid].last_contact is None
    empty.log_interaction(aid, TODAY, kind="call", on=date(2026, 11, 2), contact_id=cid)
    empty.log_interaction(aid, TODAY, kind="visit", on=date(2026, 11, 9), contact_id=cid)
    assert empty.account_view(aid, TODAY).contact_info[cid].last_contact == date(2026, 11, 9)


def test_add_task_shows_on_the_account_and_in_the_plan(empty: Book) -> None:
    aid = scored_s(empty)
    due = date(2026, 11, 26)
    tid = empty.add_task(aid, TODAY, title="  准备 ROI 分析 ", due=due)
    assert empty.account_view(aid, TODAY).tasks == (TaskView(tid, "准备 ROI 分析", due),)
    plan = empty.plan(IsoWeek.of(TODAY), TODAY)
    assert [(i.kind, i.due, i.reason, i.ref) for i in plan.items if i.kind == "task"] == [
        ("task", due, "task: 准备 ROI 分析", tid)
    ]
    with pytest.raises(FieldError, match="needs a title"):
        empty.add_task(aid, TODAY, title=" ", due=due)
    with pytest.raises(FieldError, match="more than a year ago"):
        empty.add_task(aid, TODAY, title="x", due=TODAY - timedelta(days=400))
    assert len(empty.account_view(aid, TODAY).tasks) == 1


def test_find_deals_by_any_part_of_the_name(empty: Book) -> None:
    aid = scored_s(empty)
    big = empty.add_deal(aid, TODAY, name="数据中台 Platform", amount=2_000_000)
    small = empty.add_deal(aid, TODAY, name="platform pilot", amount=50_000)
    empty.add_deal(aid, TODAY, name="年度续约", amount=900_000)
    assert [h.id for h in empty.find_deals("PLATFORM")] == [big, small]  # any case, largest first
    assert [(h.name, h.account, h.stage) for h in empty.find_deals("中台")] == [
        ("数据中台 Platform", "云翔集团", 1)
    ]
    assert empty.find_deals("  ") == []
    empty.move_deal(small, TODAY, direction=1, lost_reason="预算冻结")
    assert [h.id for h in empty.find_deals("platform")] == [big]  # open deals only
    empty.delete_account(aid)
    assert empty.find_deals("platform") == []  # the trash hides them
