"""Touch cadences per tier and overdue detection (SPEC §3)."""

from __future__ import annotations

from datetime import date

import pytest

from kamtui.domain.cadence import (
    DEFAULT_CADENCES,
    Cadence,
    CadenceStatus,
    cadence_status,
    validate_cadences,
)
from kamtui.domain.errors import ModelError

TODAY = date(2026, 11, 20)


def test_default_cadences():
    assert {t: (c.touch_days, c.exec_days) for t, c in DEFAULT_CADENCES.items()} == {
        "S": (14, 90),
        "A": (30, 180),
        "B": (60, None),
        "C": (90, None),
    }
    assert all(c.tier == t for t, c in DEFAULT_CADENCES.items())
    assert "iron triangle" in DEFAULT_CADENCES["S"].team
    assert "solution lead" in DEFAULT_CADENCES["A"].team
    assert DEFAULT_CADENCES["B"].team == "rep"
    assert "self-service" in DEFAULT_CADENCES["C"].team


def test_default_cadences_are_valid():
    validate_cadences(dict(DEFAULT_CADENCES))


def test_s_tier_due_dates():
    status = cadence_status(DEFAULT_CADENCES["S"], date(2026, 11, 1), date(2026, 9, 1), TODAY)
    assert status.touch_due == date(2026, 11, 15)
    assert status.exec_due == date(2026, 11, 30)
    assert status.touch_overdue_days(TODAY) == 5
    assert status.exec_overdue_days(TODAY) == 0


def test_a_tier_due_dates():
    status = cadence_status(DEFAULT_CADENCES["A"], date(2026, 10, 21), date(2026, 5, 1), TODAY)
    assert status.touch_due == date(2026, 11, 20)  # due today, not yet overdue
    assert status.touch_overdue_days(TODAY) == 0
    assert status.exec_due == date(2026, 10, 28)  # 180 days after 1 May
    assert status.exec_overdue_days(TODAY) == 23


@pytest.mark.parametrize(("tier", "days"), [("B", 60), ("C", 90)])
def test_b_and_c_have_no_executive_cadence(tier, days):
    last = date(2026, 8, 1)
    status = cadence_status(DEFAULT_CADENCES[tier], last, None, TODAY)
    assert status.exec_due is None
    assert status.exec_overdue_days(TODAY) == 0
    assert status.touch_due is not None and (status.touch_due - last).days == days


def test_overdue_days_count_from_the_due_date():
    status = cadence_status(DEFAULT_CADENCES["B"], date(2026, 8, 1), None, TODAY)
    assert status.touch_due == date(2026, 9, 30)
    assert status.touch_overdue_days(TODAY) == 51
    assert status.touch_overdue_days(date(2026, 9, 30)) == 0
    assert status.touch_overdue_days(date(2026, 10, 1)) == 1
    assert status.touch_overdue_days(date(2026, 9, 1)) == 0  # never negative


def test_never_touched_is_due_today():
    status = cadence_status(DEFAULT_CADENCES["S"], None, None, TODAY)
    assert status.touch_due == TODAY
    assert status.exec_due == TODAY
    assert status.touch_overdue_days(TODAY) == 0
    assert status.exec_overdue_days(TODAY) == 0


def test_touched_but_never_executive_touch_is_exec_due_today():
    status = cadence_status(DEFAULT_CADENCES["A"], date(2026, 11, 18), None, TODAY)
    assert status.touch_due == date(2026, 12, 18)
    assert status.exec_due == TODAY


def test_no_cadence_means_nothing_is_due():
    status = cadence_status(None, None, None, TODAY)
    assert status == CadenceStatus(None, None)
    assert status.touch_overdue_days(TODAY) == 0
    assert status.exec_overdue_days(TODAY) == 0


def test_validate_refuses_missing_tiers():
    cadences = dict(DEFAULT_CADENCES)
    del cadences["A"]
    del cadences["C"]
    with pytest.raises(ModelError) as e:
        validate_cadences(cadences)
    assert "missing for tier A, C" in str(e.value)


@pytest.mark.parametrize("days", [0, -5])
def test_validate_refuses_a_touch_cadence_below_one_day(days):
    cadences = {**DEFAULT_CADENCES, "B": Cadence("B", days, None, "rep")}
    with pytest.raises(ModelError) as e:
        validate_cadences(cadences)
    assert "Tier B" in str(e.value)
    assert "touch cadence must be at least 1 day" in str(e.value)


def test_validate_refuses_an_executive_cadence_below_one_day():
    cadences = {**DEFAULT_CADENCES, "S": Cadence("S", 14, 0, "x")}
    with pytest.raises(ModelError) as e:
        validate_cadences(cadences)
    assert "Tier S" in str(e.value)
    assert "executive cadence" in str(e.value)


def test_validate_accepts_custom_cadences():
    cadences = {**DEFAULT_CADENCES, "B": Cadence("B", 1, 365, "rep")}
    validate_cadences(cadences)
    status = cadence_status(cadences["B"], date(2026, 11, 19), date(2025, 11, 20), TODAY)
    assert status.touch_due == TODAY
    assert status.exec_due == TODAY
