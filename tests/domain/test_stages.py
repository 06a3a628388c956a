"""The five-stage SOP, its deliverables, gates and history (SPEC §5)."""

from __future__ import annotations

from datetime import date

import pytest

from kamtui.domain import stages as sop
from kamtui.domain.errors import InputError, KamError, StageGateError
from kamtui.domain.stages import (
    DEAL_STATUSES,
    DEFAULT_FOLLOW_UPS,
    FIRST_STAGE,
    LAST_STAGE,
    STAGES,
    FollowUpRule,
    StageChange,
    advance,
    close_lost,
    days_in_stage,
    entered_current_stage,
    follow_ups_for,
    missing_deliverables,
    move_back,
    stage,
    stage_of_deliverable,
)

TODAY = date(2026, 11, 20)

DELIVERABLES = {
    1: ["initial_assessment", "discovery_notes"],
    2: ["solution_proposal", "demo_deck", "roi_analysis"],
    3: ["commercial_quote", "signed_contract"],
    4: ["kickoff_minutes", "usage_feedback"],
    5: ["health_check", "upsell_log"],
}


# --- the stages ------------------------------------------------------------------------


def test_five_stages_in_order():
    assert (FIRST_STAGE, LAST_STAGE) == (1, 5)
    assert [s.number for s in STAGES] == [1, 2, 3, 4, 5]
    assert [s.label_zh for s in STAGES] == [
        "初步接洽与需求挖掘",
        "方案定制与价值呈现",
        "商务谈判与合同签订",
        "项目交付与初步反馈",
        "关系维护与增购挖掘",
    ]
    assert DEAL_STATUSES == ("open", "lost")


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_deliverables_of_each_stage(number):
    assert [d.key for d in stage(number).deliverables] == DELIVERABLES[number]


def test_deliverable_labels():
    s2 = stage(2)
    assert [(d.label, d.label_zh) for d in s2.deliverables] == [
        ("tailored solution proposal", "定制化解决方案建议书"),
        ("demo deck", "产品演示PPT"),
        ("ROI analysis", "ROI分析报告"),
    ]
    assert stage(3).deliverables[1].label_zh == "正式销售合同"


@pytest.mark.parametrize("number", [0, 6, -1])
def test_unknown_stage_refused(number):
    with pytest.raises(InputError) as e:
        stage(number)
    assert f"Stage {number} does not exist" in str(e.value)


def test_stage_of_deliverable():
    assert stage_of_deliverable("roi_analysis").number == 2
    assert stage_of_deliverable("upsell_log").number == 5
    with pytest.raises(InputError):
        stage_of_deliverable("coffee")


def test_missing_deliverables():
    assert [d.key for d in missing_deliverables(2, ["demo_deck"])] == [
        "solution_proposal",
        "roi_analysis",
    ]
    assert missing_deliverables(2, DELIVERABLES[2]) == []
    # deliverables of another stage do not count
    assert [d.key for d in missing_deliverables(1, DELIVERABLES[2])] == DELIVERABLES[1]


# --- advancing -------------------------------------------------------------------------


def test_advance_refused_naming_the_missing_deliverables():
    with pytest.raises(StageGateError) as e:
        advance(2, ["demo_deck"], TODAY)
    assert e.value.missing == ["solution_proposal", "roi_analysis"]
    assert str(e.value) == (
        "Stage 2 is missing 2 deliverables: tailored solution proposal, ROI analysis."
    )
    assert isinstance(e.value, KamError)


def test_advance_refused_with_nothing_checked():
    with pytest.raises(StageGateError) as e:
        advance(1, [], TODAY)
    assert e.value.missing == ["initial_assessment", "discovery_notes"]
    assert "initial account assessment, discovery interview notes" in e.value.message


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_advance_allowed_when_all_checked(number):
    change = advance(number, DELIVERABLES[number], TODAY)
    assert change == StageChange(number, number + 1, TODAY)
    assert change.forced is False
    assert change.reason == ""
    assert change.lost is False


def test_extra_checked_items_do_not_matter():
    change = advance(3, [*DELIVERABLES[3], "roi_analysis", "whatever"], TODAY)
    assert change.to_stage == 4


def test_force_with_a_reason_is_recorded():
    change = advance(2, ["demo_deck"], TODAY, force_reason="  CFO signed off the ROI verbally  ")
    assert change == StageChange(2, 3, TODAY, forced=True, reason="CFO signed off the ROI verbally")


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_force_with_an_empty_reason_refused(reason):
    with pytest.raises(InputError) as e:
        advance(2, [], TODAY, force_reason=reason)
    assert "needs a written reason" in str(e.value)
    assert not isinstance(e.value, StageGateError)


def test_force_is_not_recorded_when_nothing_is_missing():
    change = advance(1, DELIVERABLES[1], TODAY, force_reason="just in case")
    assert change.forced is False
    assert change.reason == ""


def test_cannot_advance_past_the_last_stage():
    with pytest.raises(InputError) as e:
        advance(5, DELIVERABLES[5], TODAY)
    assert "Stage 5 is the last stage" in str(e.value)
    with pytest.raises(InputError):
        advance(5, [], TODAY, force_reason="please")


def test_move_back():
    assert move_back(3, TODAY, " client reopened scope ") == StageChange(
        3, 2, TODAY, reason="client reopened scope"
    )
    assert move_back(2, TODAY).to_stage == 1


def test_cannot_move_back_past_the_first_stage():
    with pytest.raises(InputError) as e:
        move_back(1, TODAY)
    assert "Stage 1 is the first stage" in str(e.value)


@pytest.mark.parametrize("number", [1, 3, 5])
def test_close_lost_from_any_stage(number):
    change = close_lost(number, TODAY, "  went with a competitor ")
    assert change == StageChange(number, number, TODAY, reason="went with a competitor", lost=True)


@pytest.mark.parametrize("reason", ["", "  "])
def test_close_lost_needs_a_reason(reason):
    with pytest.raises(InputError) as e:
        close_lost(2, TODAY, reason)
    assert "needs a reason" in str(e.value)


# --- history ---------------------------------------------------------------------------


def test_days_in_stage_after_creation_only():
    history = [StageChange(None, 1, date(2026, 11, 1))]
    assert entered_current_stage(history) == date(2026, 11, 1)
    assert days_in_stage(history, TODAY) == 19


def test_days_in_stage_over_a_history_with_a_back_move():
    history = [
        StageChange(None, 1, date(2026, 8, 1)),
        StageChange(1, 2, date(2026, 9, 1)),
        StageChange(2, 3, date(2026, 10, 1)),
        StageChange(3, 2, date(2026, 10, 15), reason="scope changed"),
    ]
    assert entered_current_stage(history) == date(2026, 10, 15)
    assert days_in_stage(history, TODAY) == 36


def test_lost_change_does_not_reset_the_stage_clock():
    history = [
        StageChange(None, 1, date(2026, 8, 1)),
        StageChange(1, 2, date(2026, 9, 1)),
        StageChange(2, 3, date(2026, 10, 1), forced=True, reason="urgent"),
        StageChange(3, 2, date(2026, 10, 15)),
        StageChange(2, 2, date(2026, 11, 10), reason="budget frozen", lost=True),
    ]
    assert entered_current_stage(history) == date(2026, 10, 15)
    assert days_in_stage(history, TODAY) == 36


def test_days_in_stage_of_an_empty_history():
    assert entered_current_stage([]) is None
    assert days_in_stage([], TODAY) == 0


def test_days_in_stage_never_negative():
    history = [StageChange(None, 1, date(2026, 12, 1))]
    assert days_in_stage(history, TODAY) == 0


def test_days_in_stage_on_the_day_of_the_move_is_zero():
    history = [StageChange(None, 1, date(2026, 11, 1)), advance(1, DELIVERABLES[1], TODAY)]
    assert days_in_stage(history, TODAY) == 0


# --- follow-ups ------------------------------------------------------------------------


def test_default_follow_up_rules():
    assert DEFAULT_FOLLOW_UPS == (
        FollowUpRule(3, "Contract draft (legal)", 7),
        FollowUpRule(3, "Review terms and pricing (finance)", 7),
        FollowUpRule(4, "Kickoff meeting with delivery lead", 14),
    )


def test_entering_negotiation_creates_the_legal_and_finance_tasks():
    change = advance(2, DELIVERABLES[2], TODAY)
    tasks = follow_ups_for(change, DEFAULT_FOLLOW_UPS)
    assert [t.title for t in tasks] == [
        "Contract draft (legal)",
        "Review terms and pricing (finance)",
    ]
    assert all(t.due_in_days == 7 for t in tasks)


def test_forced_entry_also_creates_follow_ups():
    change = advance(2, [], TODAY, force_reason="verbal yes")
    assert len(follow_ups_for(change, DEFAULT_FOLLOW_UPS)) == 2


def test_entering_implementation_creates_the_kickoff_task():
    tasks = follow_ups_for(advance(3, DELIVERABLES[3], TODAY), DEFAULT_FOLLOW_UPS)
    assert tasks == [FollowUpRule(4, "Kickoff meeting with delivery lead", 14)]


def test_stages_without_rules_create_nothing():
    assert follow_ups_for(advance(1, DELIVERABLES[1], TODAY), DEFAULT_FOLLOW_UPS) == []
    assert follow_ups_for(advance(4, DELIVERABLES[4], TODAY), DEFAULT_FOLLOW_UPS) == []


def test_moving_back_into_a_stage_creates_no_follow_ups():
    assert follow_ups_for(move_back(4, TODAY), DEFAULT_FOLLOW_UPS) == []


def test_closing_lost_creates_no_follow_ups():
    assert follow_ups_for(close_lost(3, TODAY, "no budget"), DEFAULT_FOLLOW_UPS) == []


def test_creating_a_deal_fires_rules_for_its_first_stage():
    rules = (FollowUpRule(1, "Book discovery call", 3), *DEFAULT_FOLLOW_UPS)
    created = StageChange(None, 1, TODAY)
    assert follow_ups_for(created, rules) == [FollowUpRule(1, "Book discovery call", 3)]


def test_custom_rules():
    rules = [FollowUpRule(2, "Prepare demo environment", 5)]
    assert follow_ups_for(advance(1, DELIVERABLES[1], TODAY), rules) == rules
    assert follow_ups_for(advance(2, DELIVERABLES[2], TODAY), rules) == []


def test_a_change_within_the_same_stage_creates_no_follow_ups():
    assert follow_ups_for(StageChange(3, 3, TODAY), DEFAULT_FOLLOW_UPS) == []


def test_weighted_value_counts_signed_deals_in_full() -> None:
    from kamtui.domain.stages import weighted_value

    assert weighted_value(1, 1000.0) == 100.0
    assert weighted_value(3, 1000.0) == 600.0
    assert weighted_value(4, 1000.0) == weighted_value(5, 1000.0) == 1000.0
    with pytest.raises(InputError):
        weighted_value(6, 1.0)


def test_a_deal_is_checked_and_cleaned() -> None:
    from decimal import Decimal

    from kamtui.domain.stages import check_deal

    assert check_deal(
        {"name": " 续约 ", "amount": Decimal("1200000"), "expected_close": date(2027, 1, 15),
         "next_step": "  约见财务总监 "}, creating=True,
    ) == {"name": "续约", "amount": 1_200_000.0, "expected_close": date(2027, 1, 15),
          "next_step": "约见财务总监"}  # fmt: skip
    assert check_deal({"amount": 0, "expected_close": None}) == {
        "amount": 0.0,
        "expected_close": None,
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "  "}, "name", "A deal needs a name."),
        ({"amount": 5}, "name", "A deal needs a name."),  # creating without a name
        ({"name": "x", "amount": -1}, "amount", "A deal's amount cannot be negative."),
        ({"name": "x", "amount": "120万"}, "amount", "must be a number"),
        ({"name": "x", "amount": float("nan")}, "amount", "must be a number"),
        ({"name": "x", "amount": 1e15}, "amount", "too large"),
        ({"name": "x", "amount": 10**40}, "amount", "too large"),
        ({"name": "x", "amount": True}, "amount", "must be a number"),
        ({"name": "x", "expected_close": "2027-01-15"}, "expected_close", "must be a date"),
        ({"name": "x" * 501}, "name", "at most 500 characters"),
        ({"name": "x", "stage": 3}, "stage", "Unknown deal field: stage."),
    ],
)
def test_a_bad_deal_is_refused_at_its_field(fields, field, message) -> None:  # type: ignore[no-untyped-def]
    from kamtui.domain.errors import FieldError
    from kamtui.domain.stages import check_deal

    with pytest.raises(FieldError) as e:
        check_deal(fields, creating=True)
    assert e.value.field == field
    assert message in e.value.message


# --- the outcome: won, lost or open (SPEC §5) ----------------------------------------------


def test_leaving_stage_3_for_4_wins_gated_or_forced_and_moving_back_unwins():
    day = date(2026, 11, 23)
    assert sop.wins(sop.advance(3, ["commercial_quote", "signed_contract"], day))
    assert sop.wins(sop.advance(3, [], day, force_reason="signed on paper, scan to follow"))
    assert not sop.wins(sop.advance(2, ["solution_proposal", "demo_deck", "roi_analysis"], day))
    assert not sop.wins(sop.advance(4, ["kickoff_minutes", "usage_feedback"], day))
    assert not sop.wins(sop.close_lost(3, day, "budget cut"))
    assert sop.unwins(sop.move_back(4, day))
    assert not sop.unwins(sop.move_back(5, day)) and not sop.unwins(sop.move_back(3, day))


def test_outcome_win_rate_and_cycle():
    day = date(2026, 11, 23)
    assert sop.outcome("open", day) == "won"
    assert sop.outcome("lost", day) == "won"  # won, then closed lost: its contract was signed
    assert sop.outcome("lost", None) == "lost"
    assert sop.outcome("open", None) == "open"
    assert sop.win_rate(["won", "lost", "open", "won", "lost"]) == 0.5
    assert sop.win_rate(["open"]) is None
    assert sop.cycle_days(date(2026, 9, 1), day) == 83
