"""Health score, colour and early-warning flags (SPEC §7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtui.domain.errors import ModelError
from kamtui.domain.health import (
    DEFAULT_WEIGHTS,
    MEASURES,
    SURGE_LOOKBACK,
    DepartedContact,
    Flag,
    Health,
    HealthConfig,
    HealthInputs,
    Invoice,
    Ticket,
    UsageSnapshot,
    compute_health,
    next_health_change,
)

TODAY = date(2026, 11, 20)
OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)

STEADY = (UsageSnapshot(OCT, 50, 100, 90), UsageSnapshot(NOV, 50, 100, 90))


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def usage(logins_now: int, users_now: int = 50, adoption: int = 90) -> tuple[UsageSnapshot, ...]:
    return (UsageSnapshot(OCT, 50, 100, 90), UsageSnapshot(NOV, users_now, logins_now, adoption))


def health(**kwargs) -> Health:
    cfg = kwargs.pop("cfg", None)
    kwargs.setdefault("usage", STEADY)
    return compute_health(HealthInputs(**kwargs), TODAY, cfg)


def flag_codes(h: Health) -> list[str]:
    return [f.code for f in h.flags]


def flag(h: Health, code: str) -> Flag:
    (found,) = [f for f in h.flags if f.code == code]
    return found


def measure(h: Health, key: str):
    (found,) = [m for m in h.measures if m.key == key]
    return found


# --- configuration ---------------------------------------------------------------------


def test_default_weights_sum_to_100_over_the_eight_measures():
    assert set(DEFAULT_WEIGHTS) == set(MEASURES)
    assert sum(DEFAULT_WEIGHTS.values()) == 100
    cfg = HealthConfig()
    assert (cfg.green, cfg.yellow, cfg.usage_drop_pct) == (70, 40, 20)


@pytest.mark.parametrize(
    ("score", "color"),
    [(100, "green"), (70, "green"), (69, "yellow"), (40, "yellow"), (39, "red"), (0, "red")],
)
def test_color_lines(score, color):
    assert HealthConfig().color_for(score) == color


def test_custom_color_lines():
    cfg = HealthConfig(green=80, yellow=50)
    assert [cfg.color_for(s) for s in (80, 79, 50, 49)] == ["green", "yellow", "yellow", "red"]


def test_weights_not_summing_to_100_refused():
    weights = {**DEFAULT_WEIGHTS, "usage": 10}
    with pytest.raises(ModelError) as e:
        HealthConfig(weights=weights)
    assert "must sum to 100%; these sum to 90%" in str(e.value)


def test_unknown_measure_refused():
    with pytest.raises(ModelError) as e:
        HealthConfig(weights={**DEFAULT_WEIGHTS, "usage": 10, "vibes": 10})
    assert "Unknown health measure: vibes" in str(e.value)


def test_negative_weight_refused():
    with pytest.raises(ModelError) as e:
        HealthConfig(weights={**DEFAULT_WEIGHTS, "usage": -5, "adoption": 40})
    assert "cannot be negative" in str(e.value)


@pytest.mark.parametrize(("green", "yellow"), [(70, 70), (40, 70), (70, 0), (101, 40), (70, -1)])
def test_bad_color_lines_refused(green, yellow):
    with pytest.raises(ModelError) as e:
        HealthConfig(green=green, yellow=yellow)
    assert "0 < yellow < green ≤ 100" in str(e.value)
    assert f"yellow {yellow}, green {green}" in str(e.value)


@pytest.mark.parametrize("pct", [0, 101])
def test_bad_usage_drop_threshold_refused(pct):
    with pytest.raises(ModelError):
        HealthConfig(usage_drop_pct=pct)


@pytest.mark.parametrize("ratio", ["1", "0.5"])
def test_bad_ticket_surge_ratio_refused(ratio):
    with pytest.raises(ModelError):
        HealthConfig(ticket_surge_ratio=Decimal(ratio))


def test_only_one_measure_weighted():
    cfg = HealthConfig(weights={"payment": 100})
    h = health(cfg=cfg, invoices=[Invoice("INV-0012", days_ago(45), Decimal(1000))])
    assert h.score == 55
    assert h.color == "yellow"


# --- a healthy account -----------------------------------------------------------------


def test_healthy_account_is_green_without_flags():
    h = health()
    # usage 100x20, adoption 90x15, tickets 100x10, feedback 100x10, payment 100x15,
    # key contact 100x10 over 80 (no exec cadence, no advocacy data)
    assert h.score == 98
    assert h.color == "green"
    assert h.flags == ()
    assert [m.key for m in h.measures] == [
        "usage",
        "adoption",
        "tickets",
        "feedback",
        "payment",
        "key_contact",
    ]
    assert [m.weight for m in h.measures] == [20, 15, 10, 10, 15, 10]


def test_no_data_at_all_is_green():
    h = compute_health(HealthInputs(), TODAY)
    assert h.score == 100
    assert h.color == "green"
    assert [m.key for m in h.measures] == ["tickets", "feedback", "payment", "key_contact"]


# --- usage -----------------------------------------------------------------------------


def test_usage_drop_flag_names_the_measure_the_percent_and_the_month():
    h = health(usage=usage(73))
    f = flag(h, "usage_drop")
    assert f.reason == "logins down 27% vs October"
    assert f.date == NOV
    assert f.severity == "red"
    m = measure(h, "usage")
    assert m.value == "logins -27% vs October"
    assert m.subscore == 33  # 100 - 27 x 2.5 = 32.5, rounded half up


def test_usage_drop_uses_the_worse_of_logins_and_active_users():
    h = health(usage=usage(90, users_now=30))
    assert flag(h, "usage_drop").reason == "active users down 40% vs October"
    assert measure(h, "usage").value == "active users -40% vs October"
    assert measure(h, "usage").subscore == 0


def test_usage_drop_of_exactly_20_percent_is_flagged_19_is_not():
    assert "usage_drop" in flag_codes(health(usage=usage(80)))
    h = health(usage=usage(81))
    assert "usage_drop" not in flag_codes(h)
    assert measure(h, "usage").value == "logins -19% vs October"


def test_usage_growth_scores_100():
    h = health(usage=usage(150, users_now=60))
    assert measure(h, "usage").subscore == 100
    assert measure(h, "usage").value == "active users +20% vs October"
    assert "usage_drop" not in flag_codes(h)


def test_usage_compares_with_the_previous_snapshot_by_month():
    snaps = (
        UsageSnapshot(NOV, 50, 60, 90),
        UsageSnapshot(date(2026, 8, 1), 50, 100, 90),
    )
    assert flag(health(usage=snaps), "usage_drop").reason == "logins down 40% vs August"


def test_usage_snapshots_after_today_are_ignored():
    snaps = (*STEADY, UsageSnapshot(date(2026, 12, 1), 5, 5, 5))
    h = health(usage=snaps)
    assert h.flags == ()
    assert measure(h, "usage").subscore == 100


def test_usage_needs_two_months_and_a_nonzero_base():
    h = health(usage=(UsageSnapshot(NOV, 50, 100, 90),))
    assert "usage" not in [m.key for m in h.measures]
    assert measure(h, "adoption").subscore == 90
    h = health(usage=(UsageSnapshot(OCT, 0, 0, 90), UsageSnapshot(NOV, 50, 100, 90)))
    assert "usage" not in [m.key for m in h.measures]
    assert h.flags == ()


def test_custom_usage_drop_threshold():
    cfg = HealthConfig(usage_drop_pct=10)
    assert flag(health(usage=usage(90), cfg=cfg), "usage_drop").reason == (
        "logins down 10% vs October"
    )


# --- adoption --------------------------------------------------------------------------


def test_low_adoption_flag():
    h = health(usage=usage(100, adoption=29))
    f = flag(h, "low_adoption")
    assert f.reason == "feature adoption 29% (below 30%)"
    assert f.date == NOV
    assert f.severity == "yellow"
    assert measure(h, "adoption").subscore == 29
    assert measure(h, "adoption").value == "29% of features adopted"


def test_adoption_at_the_line_is_not_flagged():
    assert "low_adoption" not in flag_codes(health(usage=usage(100, adoption=30)))


# --- tickets ---------------------------------------------------------------------------


def test_ticket_surge():
    tickets = [Ticket(days_ago(n)) for n in (1, 5, 20)]
    h = health(tickets=tickets)
    f = flag(h, "ticket_surge")
    assert f.reason == "3 tickets in the last 30 days vs a 90-day average of 1.0"
    assert f.date == days_ago(1)  # the surge began with the third ticket
    assert measure(h, "tickets").value == "3 tickets in 30 days, 90-day average 1.0"
    assert measure(h, "tickets").subscore == 0  # ratio 3 -> 100 - 2 x 50


def test_ticket_surge_is_dated_from_the_day_it_began():
    # a surge since the third ticket (18 days ago) that a fourth one keeps going
    tickets = [Ticket(days_ago(n)) for n in (20, 19, 18, 5)]
    f = flag(health(tickets=tickets), "ticket_surge")
    assert f.reason == "4 tickets in the last 30 days vs a 90-day average of 1.3"
    assert f.date == days_ago(18)
    # the same surge on a later day keeps its date
    later = compute_health(HealthInputs(tickets=tickets), TODAY + timedelta(days=3))
    assert flag(later, "ticket_surge").date == days_ago(18)


def test_ticket_surge_after_a_lull_is_dated_from_its_own_start():
    # 3 tickets 80 days ago made a surge that ended; 6 in the last 10 days make another,
    # from the sixth on (with five, 5 < 2 x 8 / 3)
    tickets = [Ticket(days_ago(n)) for n in (82, 81, 80, 9, 8, 7, 6, 5, 4)]
    f = flag(health(tickets=tickets), "ticket_surge")
    assert f.reason == "6 tickets in the last 30 days vs a 90-day average of 3.0"
    assert f.date == days_ago(4)


def test_ticket_surge_older_than_the_lookback_is_dated_as_far_back_as_it_looks():
    # a ticket every day for 40 days: a surge from the third one on, 38 days ago
    tickets = [Ticket(days_ago(n)) for n in range(40)]
    h = health(tickets=tickets)
    assert flag(h, "ticket_surge").date == TODAY - SURGE_LOOKBACK
    inputs = HealthInputs(tickets=tickets)
    assert next_health_change(inputs, TODAY, compute_health(inputs, TODAY)) == TODAY + timedelta(1)


def test_two_tickets_are_not_a_surge():
    h = health(tickets=[Ticket(days_ago(1)), Ticket(days_ago(2))])
    assert "ticket_surge" not in flag_codes(h)


def test_steady_ticket_flow_is_not_a_surge():
    tickets = [Ticket(days_ago(n)) for n in (1, 10, 20, 35, 45, 55, 65, 75, 85)]
    h = health(tickets=tickets)
    assert "ticket_surge" not in flag_codes(h)
    assert measure(h, "tickets").subscore == 100
    assert measure(h, "tickets").value == "3 tickets in 30 days, 90-day average 3.0"


def test_surge_at_exactly_twice_the_average():
    # 4 in 30 days, 6 in 90 days: average 2.0, 4 >= 2 x 2.0
    tickets = [Ticket(days_ago(n)) for n in (1, 2, 3, 4, 40, 50)]
    h = health(tickets=tickets)
    assert flag(h, "ticket_surge").reason == (
        "4 tickets in the last 30 days vs a 90-day average of 2.0"
    )
    assert measure(h, "tickets").subscore == 50


def test_surge_just_under_twice_the_average_is_not_flagged():
    # 3 in 30 days, 6 in 90 days: average 2.0, 3 < 4
    tickets = [Ticket(days_ago(n)) for n in (1, 2, 3, 40, 50, 60)]
    assert "ticket_surge" not in flag_codes(health(tickets=tickets))


def test_ticket_windows():
    # exactly 30 days ago is outside the 30-day window; tickets in the future are ignored
    tickets = [Ticket(days_ago(n)) for n in (1, 2, 30)] + [Ticket(TODAY + timedelta(days=1))]
    h = health(tickets=tickets)
    assert measure(h, "tickets").value == "2 tickets in 30 days, 90-day average 1.0"
    assert "ticket_surge" not in flag_codes(h)


# --- negative feedback -----------------------------------------------------------------


def test_negative_feedback_flag():
    tickets = [
        Ticket(date(2026, 10, 1), closed=date(2026, 10, 5), satisfaction=4),
        Ticket(date(2026, 10, 20), closed=date(2026, 11, 5), satisfaction=1),
    ]
    h = health(tickets=tickets)
    f = flag(h, "negative_feedback")
    assert f.reason == "1 ticket rated 2 or lower in 90 days (latest 1/5)"
    assert f.date == date(2026, 11, 5)
    assert measure(h, "feedback").subscore == 50


def test_satisfaction_2_is_negative_3_is_not():
    two = health(tickets=[Ticket(days_ago(50), closed=days_ago(40), satisfaction=2)])
    assert "negative_feedback" in flag_codes(two)
    three = health(tickets=[Ticket(days_ago(50), closed=days_ago(40), satisfaction=3)])
    assert "negative_feedback" not in flag_codes(three)
    assert measure(three, "feedback").subscore == 100


def test_negative_feedback_latest_rating_and_date():
    tickets = [
        Ticket(days_ago(60), closed=days_ago(10), satisfaction=2),
        Ticket(days_ago(80), closed=days_ago(70), satisfaction=1),
    ]
    h = health(tickets=tickets)
    f = flag(h, "negative_feedback")
    assert f.reason == "2 tickets rated 2 or lower in 90 days (latest 2/5)"
    assert f.date == days_ago(10)
    assert measure(h, "feedback").subscore == 0


def test_negative_feedback_window_uses_the_closing_date():
    inside = Ticket(days_ago(120), closed=days_ago(89), satisfaction=1)
    edge = Ticket(days_ago(120), closed=days_ago(90), satisfaction=1)
    assert "negative_feedback" in flag_codes(health(tickets=[inside]))
    assert "negative_feedback" not in flag_codes(health(tickets=[edge]))
    open_ticket = Ticket(days_ago(5), satisfaction=2)  # rated while still open
    assert flag(health(tickets=[open_ticket]), "negative_feedback").date == days_ago(5)


# --- executive contact -----------------------------------------------------------------


def test_exec_touch_overdue_against_the_tier_cadence():
    h = health(last_exec_touch=days_ago(120), exec_cadence_days=90)
    f = flag(h, "exec_overdue")
    assert f.reason == "no executive touch for 120 days (cadence 90 days)"
    assert f.date == days_ago(30)  # the day it fell due
    m = measure(h, "exec_contact")
    assert m.value == "last executive touch 120 days ago"
    assert m.subscore == 67  # 100 - 30 x 100 / 90


def test_exec_touch_within_cadence():
    h = health(last_exec_touch=days_ago(90), exec_cadence_days=90)
    assert "exec_overdue" not in flag_codes(h)
    assert measure(h, "exec_contact").subscore == 100


def test_exec_touch_never_recorded():
    h = health(exec_cadence_days=180)
    f = flag(h, "exec_overdue")
    assert f.reason == "no executive touch recorded"
    assert f.date == TODAY  # the day the account was entered is not known
    assert measure(h, "exec_contact").subscore == 0


def test_exec_touch_never_recorded_is_dated_from_the_day_the_account_was_entered():
    h = health(exec_cadence_days=180, entered=date(2025, 3, 4))
    assert flag(h, "exec_overdue").date == date(2025, 3, 4)
    # an account entered after the day computed for is flagged on that day
    h = health(exec_cadence_days=180, entered=TODAY + timedelta(days=2))
    assert flag(h, "exec_overdue").date == TODAY


def test_no_exec_cadence_for_b_and_c_means_no_measure_and_no_flag():
    h = health(last_exec_touch=None, exec_cadence_days=None)
    assert "exec_contact" not in [m.key for m in h.measures]
    assert "exec_overdue" not in flag_codes(h)
    h = health(last_exec_touch=days_ago(900), exec_cadence_days=None)
    assert "exec_overdue" not in flag_codes(h)


# --- payment ---------------------------------------------------------------------------


def test_invoice_overdue_flag():
    h = health(invoices=[Invoice("INV-0012", days_ago(45), Decimal("12000.00"))])
    f = flag(h, "invoice_overdue")
    assert f.reason == "invoice INV-0012 overdue 45 days"
    assert f.date == date(2026, 10, 6)  # its due date
    assert f.severity == "yellow"
    m = measure(h, "payment")
    assert m.value == "1 invoice overdue, worst 45 days"
    assert m.subscore == 55


def test_invoices_overdue_more_than_60_days_are_red_and_listed_worst_first():
    invoices = [
        Invoice("INV-0001", days_ago(10), Decimal(100)),
        Invoice("INV-0002", days_ago(61), Decimal(100)),
        Invoice("INV-0003", days_ago(60), Decimal(100)),
    ]
    h = health(invoices=invoices)
    overdue = [f for f in h.flags if f.code == "invoice_overdue"]
    assert [(f.reason, f.severity) for f in overdue] == [
        ("invoice INV-0002 overdue 61 days", "red"),
        ("invoice INV-0003 overdue 60 days", "yellow"),
        ("invoice INV-0001 overdue 10 days", "yellow"),
    ]
    assert measure(h, "payment").subscore == 19  # 100 - 61 - 10 x 2


def test_paid_and_not_yet_due_invoices_are_fine():
    invoices = [
        Invoice("INV-0100", days_ago(45), Decimal(100), paid_on=days_ago(50)),
        Invoice("INV-0101", days_ago(45), Decimal(100), paid_on=days_ago(1)),
        Invoice("INV-0102", TODAY, Decimal(100)),
        Invoice("INV-0103", TODAY + timedelta(days=30), Decimal(100)),
    ]
    h = health(invoices=invoices)
    assert "invoice_overdue" not in flag_codes(h)
    assert measure(h, "payment").value == "no invoice overdue"
    assert measure(h, "payment").subscore == 100


# --- key contact -----------------------------------------------------------------------


def test_key_contact_left_flag():
    gone = DepartedContact("王总", "economic buyer", date(2026, 10, 21))
    h = health(key_contacts_left=[gone])
    f = flag(h, "key_contact_left")
    assert f.reason == "economic buyer 王总 left on 2026-10-21"
    assert f.date == date(2026, 10, 21)
    assert f.severity == "red"
    assert measure(h, "key_contact").subscore == 0
    assert measure(h, "key_contact").value == "1 key contact left in 90 days"


def test_key_contact_window_90_days_in_91_out():
    at_90 = DepartedContact("Anna", "champion", days_ago(90))
    at_91 = DepartedContact("Anna", "champion", days_ago(91))
    assert "key_contact_left" in flag_codes(health(key_contacts_left=[at_90]))
    h = health(key_contacts_left=[at_91])
    assert "key_contact_left" not in flag_codes(h)
    assert measure(h, "key_contact").subscore == 100


# --- advocacy and RFM ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("renewal", "reference", "value", "subscore"),
    [
        (True, True, "renewal intent, reference", 100),
        (True, None, "renewal intent", 75),
        (None, True, "reference", 75),
        (False, None, "no renewal intent or reference yet", 25),
        (False, False, "no renewal intent or reference yet", 0),
    ],
)
def test_advocacy(renewal, reference, value, subscore):
    h = health(renewal_intent=renewal, reference_willing=reference)
    m = measure(h, "advocacy")
    assert (m.value, m.subscore, m.weight) == (value, subscore, 5)


def test_no_advocacy_data_means_no_measure():
    assert "advocacy" not in [m.key for m in health().measures]


def test_rfm_mismatch_is_an_info_flag():
    h = health(rfm_mismatch="S account with no order in 12 months")
    f = flag(h, "tier_rfm_mismatch")
    assert (f.reason, f.date, f.severity) == ("S account with no order in 12 months", TODAY, "info")
    assert h.score == 98  # informational only


def test_rfm_mismatch_carries_the_day_it_began():
    h = health(rfm_mismatch="S account with no order in 12 months", rfm_mismatch_since=OCT)
    assert flag(h, "tier_rfm_mismatch").date == OCT


# --- the hard rule ---------------------------------------------------------------------

LEFT = DepartedContact("王总", "economic buyer", date(2026, 10, 21))


def test_hard_rule_usage_drop_and_key_contact_left_is_red_whatever_the_score():
    h = health(usage=usage(80), key_contacts_left=[LEFT])
    # measures alone: usage 50x20 + adoption 90x15 + 100x10 + 100x10 + 100x15 + 0x10 = 73
    assert h.score == 39
    assert h.color == "red"
    assert h.flags[0] == Flag(
        "hard_rule",
        "usage down and a key contact left: red whatever the score",
        NOV,
        "red",
    )
    assert flag_codes(h) == ["hard_rule", "usage_drop", "key_contact_left"]


def test_without_the_key_contact_the_same_drop_is_green():
    h = health(usage=usage(80))
    assert h.score == 86
    assert h.color == "green"
    assert "hard_rule" not in flag_codes(h)
    assert flag_codes(h) == ["usage_drop"]


def test_key_contact_left_alone_does_not_trigger_the_hard_rule():
    h = health(key_contacts_left=[LEFT])
    assert h.score == 86
    assert h.color == "green"
    assert flag_codes(h) == ["key_contact_left"]


def test_hard_rule_needs_a_drop_of_at_least_the_threshold():
    h = health(usage=usage(81), key_contacts_left=[LEFT])
    assert "hard_rule" not in flag_codes(h)
    assert h.color == "green"


def test_hard_rule_ignores_a_contact_who_left_long_ago():
    old = DepartedContact("王总", "economic buyer", days_ago(91))
    h = health(usage=usage(70), key_contacts_left=[old])
    assert "hard_rule" not in flag_codes(h)
    assert h.color != "red"


def test_hard_rule_date_is_the_later_of_the_two_events():
    late = DepartedContact("Anna", "champion", date(2026, 11, 12))
    h = health(usage=usage(70), key_contacts_left=[late])
    assert h.flags[0].code == "hard_rule"
    assert h.flags[0].date == date(2026, 11, 12)


def test_hard_rule_follows_custom_colour_lines():
    cfg = HealthConfig(green=80, yellow=55)
    h = health(usage=usage(80), key_contacts_left=[LEFT], cfg=cfg)
    assert h.score == 54
    assert h.color == "red"


def test_hard_rule_does_not_raise_a_lower_score():
    h = everything_wrong()
    assert h.score == 12
    assert h.color == "red"


# --- everything at once ----------------------------------------------------------------


def everything_wrong() -> Health:
    return compute_health(
        HealthInputs(
            usage=(UsageSnapshot(OCT, 50, 100, 40), UsageSnapshot(NOV, 20, 40, 10)),
            tickets=[
                Ticket(days_ago(3), closed=days_ago(1), satisfaction=1),
                Ticket(days_ago(10), closed=days_ago(8), satisfaction=2),
                Ticket(days_ago(12)),
                Ticket(days_ago(20)),
            ],
            invoices=[Invoice("INV-0099", days_ago(100), Decimal(5000))],
            last_exec_touch=days_ago(120),
            exec_cadence_days=90,
            key_contacts_left=[LEFT],
            renewal_intent=False,
            reference_willing=False,
            rfm_mismatch="S account with no order for 200 days",
        ),
        TODAY,
    )


def test_everything_wrong_scores_and_flags():
    h = everything_wrong()
    # usage 0, adoption 10x15, tickets 0, feedback 0, exec 67x15, payment 0, key 0, advocacy 0
    assert {m.key: m.subscore for m in h.measures} == {
        "usage": 0,
        "adoption": 10,
        "tickets": 0,
        "feedback": 0,
        "exec_contact": 67,
        "payment": 0,
        "key_contact": 0,
        "advocacy": 0,
    }
    assert sum(m.weight for m in h.measures) == 100
    assert flag_codes(h) == [
        "hard_rule",
        "usage_drop",
        "low_adoption",
        "ticket_surge",
        "negative_feedback",
        "exec_overdue",
        "invoice_overdue",
        "key_contact_left",
        "tier_rfm_mismatch",
    ]
    assert flag(h, "usage_drop").reason == "logins down 60% vs October"
    assert flag(h, "ticket_surge").reason == (
        "4 tickets in the last 30 days vs a 90-day average of 1.3"
    )
    assert flag(h, "invoice_overdue").severity == "red"


def test_every_flag_has_code_reason_and_date():
    h = everything_wrong()
    for f in h.flags:
        assert f.code and f.reason
        assert isinstance(f.date, date)
        assert f.severity in ("red", "yellow", "info")
        d = f.as_dict()
        assert d == {
            "code": f.code,
            "reason": f.reason,
            "date": f.date.isoformat(),
            "severity": f.severity,
        }


def test_health_is_a_pure_function_of_its_inputs_and_today():
    inputs = HealthInputs(usage=STEADY, invoices=[Invoice("INV-1", days_ago(45), Decimal(1))])
    assert compute_health(inputs, TODAY) == compute_health(inputs, TODAY)
    later = compute_health(inputs, TODAY + timedelta(days=10))
    assert flag(later, "invoice_overdue").reason == "invoice INV-1 overdue 55 days"
    assert compute_health(replace(inputs, invoices=()), TODAY).score == 98


# ---- until when a result holds (next_health_change) --------------------------------------

_days = st.integers(min_value=-200, max_value=200).map(lambda n: TODAY + timedelta(days=n))
_month = st.integers(min_value=-4, max_value=3).map(
    lambda n: date(2026 + (10 + n) // 12, (10 + n) % 12 + 1, 1)
)
_health_inputs = st.builds(
    HealthInputs,
    usage=st.lists(
        st.builds(
            UsageSnapshot,
            _month,
            st.integers(0, 60),
            st.integers(0, 120),
            st.integers(0, 100),
        ),
        max_size=3,
        unique_by=lambda s: s.month,
    ),
    tickets=st.lists(
        st.builds(
            Ticket,
            _days,
            st.sampled_from(["low", "normal", "high"]),
            st.none() | _days,
            st.none() | st.integers(1, 5),
        ),
        max_size=8,
    ),
    invoices=st.lists(
        st.builds(
            Invoice,
            st.sampled_from(["INV-1", "INV-2"]),
            _days,
            st.just(Decimal(100)),
            st.none() | _days,
        ),
        max_size=3,
    ),
    last_exec_touch=st.none() | _days,
    exec_cadence_days=st.none() | st.sampled_from([30, 90]),
    key_contacts_left=st.lists(
        st.builds(DepartedContact, st.just("Li"), st.just("champion"), _days), max_size=2
    ),
    renewal_intent=st.none() | st.booleans(),
    reference_willing=st.none() | st.booleans(),
    rfm_mismatch=st.none() | st.just("S account with no order in 12 months"),
    rfm_mismatch_since=st.none() | st.just(TODAY - timedelta(days=100)),
    entered=st.none() | _days,
)


@settings(max_examples=300, deadline=None)
@given(_health_inputs, st.integers(0, 60), st.sampled_from([30, 90, 150]))
def test_health_holds_until_its_next_change(
    inputs: HealthInputs, offset: int, feedback_days: int
) -> None:
    """Every day before next_health_change gives the same score, colour and flags; the
    day itself is allowed to differ (it is a bound, not a promise of change)."""
    cfg = HealthConfig(feedback_days=feedback_days, key_contact_days=60)
    today = TODAY + timedelta(days=offset)
    health = compute_health(inputs, today, cfg)
    until = next_health_change(inputs, today, health, cfg)
    assert until > today
    day = today + timedelta(days=1)
    while day < until and day <= today + timedelta(days=400):
        later = compute_health(inputs, day, cfg)
        assert (later.score, later.color, later.flags) == (
            health.score,
            health.color,
            health.flags,
        ), day
        day += timedelta(days=1)


def test_flags_dated_today_or_counting_days_hold_one_day() -> None:
    late = HealthInputs(invoices=[Invoice("INV-9", days_ago(3), Decimal(5))])
    assert next_health_change(late, TODAY, compute_health(late, TODAY)) == TODAY + timedelta(1)
    never = HealthInputs(exec_cadence_days=90)
    assert next_health_change(never, TODAY, compute_health(never, TODAY)) == TODAY + timedelta(1)
    mismatch = HealthInputs(rfm_mismatch="S account with no order in 12 months")
    assert next_health_change(
        mismatch, TODAY, compute_health(mismatch, TODAY)
    ) == TODAY + timedelta(1)


def test_flags_dated_from_when_they_began_hold() -> None:
    never = HealthInputs(exec_cadence_days=90, entered=days_ago(400))
    assert next_health_change(never, TODAY, compute_health(never, TODAY)) == date.max
    mismatch = HealthInputs(
        rfm_mismatch="S account with no order in 12 months", rfm_mismatch_since=days_ago(30)
    )
    assert next_health_change(mismatch, TODAY, compute_health(mismatch, TODAY)) == date.max
    surge = HealthInputs(tickets=[Ticket(days_ago(n)) for n in (1, 5, 20)])
    # until the first ticket leaves the 30-day window
    assert next_health_change(surge, TODAY, compute_health(surge, TODAY)) == days_ago(
        20
    ) + timedelta(30)


def test_nothing_dated_holds_forever() -> None:
    calm = HealthInputs(renewal_intent=True)
    assert next_health_change(calm, TODAY, compute_health(calm, TODAY)) == date.max


def test_an_invoice_due_later_changes_health_the_day_after_it_is_due() -> None:
    due = TODAY + timedelta(days=10)
    inputs = HealthInputs(invoices=[Invoice("INV-1", due, Decimal(5))])
    assert next_health_change(inputs, TODAY, compute_health(inputs, TODAY)) == due + timedelta(1)
    assert not compute_health(inputs, due).flags
    assert compute_health(inputs, due + timedelta(1)).flags[0].code == "invoice_overdue"


def test_dates_near_the_end_of_the_calendar_do_not_overflow() -> None:
    inputs = HealthInputs(
        invoices=[Invoice("INV-1", date.max, Decimal(5))],
        tickets=[Ticket(date.max, satisfaction=1)],
        key_contacts_left=[DepartedContact("Li", "champion", date.max)],
    )
    assert next_health_change(inputs, TODAY, compute_health(inputs, TODAY)) == date.max
