"""Decision map: roles, stances, coverage warnings and the org chart (SPEC §4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kamtui.domain.decision_map import (
    INFLUENCES,
    KEY_CONTACT_WINDOW_DAYS,
    ROLES,
    STANCES,
    Contact,
    CoverageWarning,
    check_contact,
    check_influence,
    check_reports_to,
    check_role,
    check_stance,
    count_contacts,
    coverage_from_counts,
    coverage_warnings,
    key_contacts_left,
    next_coverage_change,
    org_chart,
    reporting_cycle,
)
from kamtui.domain.errors import FieldError, InputError

TODAY = date(2026, 11, 20)

EB = Contact(1, "王总", "economic_buyer", stance="supporter", influence="high")
EVAL = Contact(2, "Li Wei", "evaluator", stance="neutral")
USER = Contact(3, "Anna", "user", stance="champion")
FIN = Contact(4, "Zhao", "finance")


def codes(warnings: list[CoverageWarning]) -> list[str]:
    return [w.code for w in warnings]


# --- vocabularies ----------------------------------------------------------------------


def test_roles_stances_influences():
    assert list(ROLES) == ["user", "evaluator", "influencer", "finance", "economic_buyer"]
    assert ROLES["economic_buyer"].label_zh == "最终决策者"
    assert ROLES["finance"].bring == "ROI analysis"
    assert STANCES == ("champion", "supporter", "neutral", "skeptic", "blocker")
    assert INFLUENCES == ("high", "medium", "low")


def test_checks_accept_known_values():
    assert check_role("evaluator") == "evaluator"
    assert check_stance("blocker") == "blocker"
    assert check_influence("low") == "low"


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        (check_role, "ceo", "is not one of user, evaluator"),
        (check_stance, "hostile", "is not one of champion, supporter"),
        (check_influence, "huge", "is not one of high, medium, low"),
    ],
)
def test_checks_refuse_unknown_values(check, value, expected):
    with pytest.raises(InputError) as e:
        check(value)
    assert repr(value) in str(e.value)
    assert expected in str(e.value)


def test_contact_active_and_key():
    assert EB.active and EB.is_key
    assert USER.is_key  # a champion
    assert not EVAL.is_key
    assert not Contact(9, "x", "user", left_on=TODAY).active


# --- coverage warnings -----------------------------------------------------------------


def test_well_covered_s_account_has_no_warnings():
    assert coverage_warnings("S", [EB, EVAL, USER], TODAY) == []


def test_no_economic_buyer():
    warnings = coverage_warnings("B", [EVAL, USER], TODAY)
    assert warnings == [CoverageWarning("no_economic_buyer", "no economic buyer mapped")]


def test_no_contacts_at_all_on_a_c_account_warns_only_about_the_economic_buyer():
    assert codes(coverage_warnings("C", [], TODAY)) == ["no_economic_buyer"]


def test_economic_buyer_who_left_does_not_count_as_mapped():
    gone = Contact(1, "王总", "economic_buyer", left_on=date(2025, 1, 1))
    assert codes(coverage_warnings("B", [gone, EVAL], TODAY)) == ["no_economic_buyer"]


@pytest.mark.parametrize("tier", ["S", "A"])
def test_single_threaded_with_one_active_contact(tier):
    warnings = coverage_warnings(tier, [EB], TODAY)
    assert codes(warnings) == ["single_threaded"]
    assert warnings[0].message == (
        f"single-threaded: 1 active contact, 1 role covered on a tier {tier} account"
    )


def test_single_threaded_with_two_contacts_in_one_role():
    eb2 = Contact(5, "Chen", "economic_buyer")
    warnings = coverage_warnings("S", [EB, eb2], TODAY)
    assert codes(warnings) == ["single_threaded"]
    assert "2 active contacts, 1 role covered" in warnings[0].message


def test_single_threaded_ignores_contacts_who_left():
    gone = Contact(6, "Old", "evaluator", left_on=date(2024, 1, 1))
    assert codes(coverage_warnings("A", [EB, gone], TODAY)) == ["single_threaded"]


def test_two_contacts_in_two_roles_are_not_single_threaded():
    assert coverage_warnings("A", [EB, FIN], TODAY) == []


def test_empty_s_account_is_both_unmapped_and_single_threaded():
    warnings = coverage_warnings("S", [], TODAY)
    assert codes(warnings) == ["no_economic_buyer", "single_threaded"]
    assert "0 active contacts, 0 roles covered" in warnings[1].message


@pytest.mark.parametrize("tier", ["B", "C", None])
def test_single_threaded_is_not_a_warning_for_b_c_or_unscored(tier):
    assert coverage_warnings(tier, [EB], TODAY) == []


def test_blocker_without_planned_action():
    blocker = Contact(7, "Sun", "finance", stance="blocker")
    warnings = coverage_warnings("B", [EB, blocker], TODAY)
    assert warnings == [
        CoverageWarning("blocker_without_action", "blocker Sun has no planned action")
    ]


def test_blocker_with_blank_planned_action_still_warns():
    blocker = Contact(7, "Sun", "finance", stance="blocker", planned_action="   ")
    assert codes(coverage_warnings("B", [EB, blocker], TODAY)) == ["blocker_without_action"]


def test_blocker_with_a_planned_action_is_fine():
    blocker = Contact(7, "Sun", "finance", stance="blocker", planned_action="ROI workshop 12/3")
    assert coverage_warnings("B", [EB, blocker], TODAY) == []


def test_blocker_who_left_needs_no_action():
    blocker = Contact(7, "Sun", "finance", stance="blocker", left_on=date(2024, 5, 1))
    assert coverage_warnings("B", [EB, blocker], TODAY) == []


def test_each_blocker_is_named():
    b1 = Contact(7, "Sun", "finance", stance="blocker")
    b2 = Contact(8, "Zhou", "evaluator", stance="blocker")
    warnings = coverage_warnings("B", [EB, b1, b2], TODAY)
    assert [w.message for w in warnings] == [
        "blocker Sun has no planned action",
        "blocker Zhou has no planned action",
    ]


def test_economic_buyer_left_within_90_days():
    left = TODAY - timedelta(days=30)
    gone = Contact(1, "王总", "economic_buyer", left_on=left)
    warnings = coverage_warnings("B", [gone, EVAL], TODAY)
    assert warnings == [
        CoverageWarning("no_economic_buyer", "no economic buyer mapped"),
        CoverageWarning("key_contact_left", "economic buyer 王总 left on 2026-10-21"),
    ]


def test_champion_left_within_90_days():
    champ = Contact(3, "Anna", "user", stance="champion", left_on=date(2026, 11, 20))
    warnings = coverage_warnings("B", [EB, champ], TODAY)
    assert warnings == [CoverageWarning("key_contact_left", "champion Anna left on 2026-11-20")]


def test_key_contact_left_exactly_90_days_ago_warns_but_not_91():
    assert KEY_CONTACT_WINDOW_DAYS == 90
    at_90 = Contact(3, "Anna", "user", stance="champion", left_on=TODAY - timedelta(days=90))
    at_91 = Contact(3, "Anna", "user", stance="champion", left_on=TODAY - timedelta(days=91))
    assert codes(coverage_warnings("B", [EB, at_90], TODAY)) == ["key_contact_left"]
    assert coverage_warnings("B", [EB, at_91], TODAY) == []
    assert key_contacts_left([at_90], TODAY) == [at_90]
    assert key_contacts_left([at_91], TODAY) == []


def test_ordinary_contact_leaving_is_not_a_key_contact_change():
    gone = Contact(2, "Li Wei", "evaluator", stance="supporter", left_on=TODAY)
    assert coverage_warnings("B", [EB, gone], TODAY) == []
    assert key_contacts_left([gone], TODAY) == []


def test_leaving_date_after_today_is_not_counted():
    later = Contact(3, "Anna", "user", stance="champion", left_on=TODAY + timedelta(days=1))
    assert key_contacts_left([later], TODAY) == []


def test_all_warnings_together_in_order():
    gone_eb = Contact(1, "王总", "economic_buyer", left_on=TODAY - timedelta(days=10))
    blocker = Contact(7, "Sun", "finance", stance="blocker")
    warnings = coverage_warnings("S", [gone_eb, blocker], TODAY)
    assert codes(warnings) == [
        "no_economic_buyer",
        "single_threaded",
        "blocker_without_action",
        "key_contact_left",
    ]


def test_coverage_accepts_any_iterable():
    assert coverage_warnings("S", iter([EB, EVAL]), TODAY) == []


# --- reporting cycle -------------------------------------------------------------------

ORG = [
    Contact(1, "CEO", "economic_buyer"),
    Contact(2, "CTO", "evaluator", reports_to=1),
    Contact(3, "Architect", "evaluator", reports_to=2),
    Contact(4, "CFO", "finance", reports_to=1),
]


def test_no_boss_is_never_a_cycle():
    assert reporting_cycle(ORG, 3, None) is False


def test_reporting_to_oneself_is_a_cycle():
    assert reporting_cycle(ORG, 2, 2) is True


def test_making_a_subordinate_the_boss_is_a_cycle():
    assert reporting_cycle(ORG, 1, 3) is True  # 3 -> 2 -> 1
    assert reporting_cycle(ORG, 2, 3) is True  # 3 -> 2


def test_ordinary_reporting_lines_are_not_cycles():
    assert reporting_cycle(ORG, 3, 4) is False  # architect under the CFO
    assert reporting_cycle(ORG, 4, 2) is False
    assert reporting_cycle(ORG, 5, 3) is False  # a new contact


def test_existing_loop_elsewhere_does_not_hang():
    looped = [
        Contact(1, "a", "user", reports_to=2),
        Contact(2, "b", "user", reports_to=1),
        Contact(3, "c", "user"),
    ]
    assert reporting_cycle(looped, 3, 1) is False


# --- editing a contact -----------------------------------------------------------------


def test_check_contact_cleans_text_and_keeps_known_fields():
    clean = check_contact(
        {"name": "  王总 ", "role": "economic_buyer", "stance": "blocker", "left_on": None},
        TODAY,
        creating=True,
    )
    assert clean == {"name": "王总", "role": "economic_buyer", "stance": "blocker", "left_on": None}


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"name": "  "}, "name", "needs a name"),
        ({"title": "CTO"}, "name", "needs a name"),  # creating without a name
        ({"name": "a", "role": "boss"}, "role", "'boss' is not one of"),
        ({"name": "a", "stance": "angry"}, "stance", "'angry' is not one of"),
        ({"name": "a", "influence": "huge"}, "influence", "'huge' is not one of"),
        ({"name": "a", "left_on": TODAY + timedelta(days=1)}, "left_on", "in the future"),
        ({"name": "a", "left_on": "2026-01-01"}, "left_on", "must be a date"),
        ({"name": "a", "reports_to": "2"}, "reports_to", "must be a contact"),
        ({"name": "a", "email": 5}, "email", "must be text"),
        ({"name": "x" * 501}, "name", "at most 500"),
        ({"name": "a", "salary": 1}, "salary", "Unknown contact field"),
    ],
)
def test_check_contact_names_the_field_it_refuses(fields, field, words):
    with pytest.raises(FieldError) as e:
        check_contact(fields, TODAY, creating=True)
    assert e.value.field == field
    assert words in str(e.value)


def test_check_contact_for_an_edit_needs_no_name():
    assert check_contact({"role": "finance"}, TODAY) == {"role": "finance"}


def test_check_reports_to_refuses_strangers_oneself_and_loops():
    check_reports_to(ORG, 3, None)
    check_reports_to(ORG, 3, 4)
    check_reports_to(ORG, None, 3)  # a new contact under the architect
    with pytest.raises(FieldError, match="not a contact of this account"):
        check_reports_to(ORG, 3, 99)
    with pytest.raises(FieldError, match="cannot report to themselves"):
        check_reports_to(ORG, 2, 2)
    with pytest.raises(FieldError, match="Architect already reports.*to CEO"):
        check_reports_to(ORG, 1, 3)


def test_org_chart_is_a_tree_by_reports_to():
    chart = org_chart(reversed(ORG))
    assert [n.contact.name for n in chart] == ["CEO"]
    ceo = chart[0]
    assert [n.contact.name for n in ceo.reports] == ["CTO", "CFO"]
    assert [n.contact.name for n in ceo.reports[0].reports] == ["Architect"]


def test_org_chart_shows_everyone_once_even_with_loops_and_strangers():
    people = [
        Contact(1, "a", "user", reports_to=2),
        Contact(2, "b", "user", reports_to=1),  # a loop, as imported data may hold
        Contact(3, "c", "user", reports_to=77),  # a manager not in this account
        Contact(4, "d", "user", reports_to=4),  # reports to themselves
    ]
    chart = org_chart(people)

    def names(nodes):
        for n in nodes:
            yield n.contact.name
            yield from names(n.reports)

    assert sorted(names(chart)) == ["a", "b", "c", "d"]
    assert [n.contact.name for n in chart] == ["c", "d", "a"]
    assert [n.contact.name for n in chart[2].reports] == ["b"]


def test_coverage_holds_until_a_key_contact_enters_or_leaves_the_window() -> None:
    named = (
        Contact(1, "Wang", "economic_buyer", left_on=TODAY + timedelta(days=5)),
        Contact(2, "Li", "user", "champion", left_on=TODAY - timedelta(days=80)),
        Contact(3, "Zhao", "user", "blocker"),
        Contact(4, "Qian", "user", left_on=TODAY - timedelta(days=1)),  # not a key contact
    )
    counts = count_contacts(named)
    until = next_coverage_change(counts, TODAY)
    assert until == TODAY + timedelta(days=5)
    for n in range(120):
        day = TODAY + timedelta(days=n)
        if day >= until:
            break
        assert coverage_from_counts("S", counts, day) == coverage_from_counts("S", counts, TODAY)
    assert next_coverage_change(counts, until) == TODAY + timedelta(days=11)  # Li's 91st day
    assert next_coverage_change(count_contacts(named[2:]), TODAY) == date.max
