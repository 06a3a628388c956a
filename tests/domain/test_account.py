from __future__ import annotations

import pytest

from kamtui.domain.account import FieldError, check_profile


def test_a_valid_profile_is_cleaned() -> None:
    out = check_profile(
        {"name": "  云翔集团 ", "annual_revenue": 1200000, "employees": 300, "tech_maturity": 5,
         "status": "customer", "track": "lighthouse", "renewal_intent": True},
        creating=True,
    )  # fmt: skip
    assert out["name"] == "云翔集团"
    assert out["annual_revenue"] == 1200000.0
    assert out["tech_maturity"] == 5


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"name": "  "}, "name", "needs a name"),
        ({"annual_revenue": "12万"}, "annual_revenue", "must be a number"),
        ({"annual_revenue": -1}, "annual_revenue", "cannot be negative"),
        ({"employees": 1.5}, "employees", "whole number"),
        ({"employees": -3}, "employees", "0 or more"),
        ({"employees": 10**23}, "employees", "too large"),
        ({"branches": 10**15}, "branches", "at most 999,999,999,999,999"),
        ({"annual_revenue": 1e23}, "annual_revenue", "too large"),
        ({"annual_revenue": float("inf")}, "annual_revenue", "must be a number"),
        ({"annual_revenue": float("nan")}, "annual_revenue", "must be a number"),
        ({"tech_maturity": 6}, "tech_maturity", "1–5"),
        ({"financial_health": 0}, "financial_health", "1–5"),
        ({"status": "lead"}, "status", "prospect, customer, former"),
        ({"track": "cheap"}, "track", "value, price, lighthouse"),
        ({"renewal_intent": "yes"}, "renewal_intent", "yes, no or unknown"),
        ({"colour": "red"}, "colour", "Unknown account field"),
    ],
)
def test_bad_values_are_refused_at_their_field(fields: dict, field: str, words: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(FieldError, match=words) as caught:
        check_profile(fields)
    assert caught.value.field == field


def test_creating_needs_a_name() -> None:
    with pytest.raises(FieldError, match="needs a name"):
        check_profile({"industry": "制造业"}, creating=True)
    assert check_profile({"industry": "制造业"}) == {"industry": "制造业"}
