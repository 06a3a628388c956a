"""An account's profile fields and the rules they must follow."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from kamtui.domain.errors import FieldError
from kamtui.domain.limits import MAX_NUMBER
from kamtui.domain.tracks import TRACKS

STATUSES: tuple[str, ...] = ("prospect", "customer", "former")
TEXT_FIELDS = ("name", "industry", "segment", "region", "owner", "pain_points")
PROFILE_FIELDS: tuple[str, ...] = (
    *TEXT_FIELDS, "annual_revenue", "employees", "branches", "tech_maturity", "financial_health",
    "status", "track", "renewal_intent", "reference_willing",
)  # fmt: skip


def _whole(field: str, value: Any, low: int, high: int | None, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(field, f"{what} must be a whole number, not {value!r}.")
    if high is None and value < low:
        raise FieldError(field, f"{what} must be {low} or more, not {value}.")
    if high is not None and not low <= value <= high:
        raise FieldError(field, f"{what} must be {low}–{high}, not {value}.")
    return value


def check_profile(fields: Mapping[str, Any], *, creating: bool = False) -> dict[str, Any]:
    """Validate profile fields; returns them cleaned. Unknown fields are refused."""
    unknown = sorted(set(fields) - set(PROFILE_FIELDS))
    if unknown:
        raise FieldError(
            unknown[0],
            f"Unknown account {'field' if len(unknown) == 1 else 'fields'}: {', '.join(unknown)}.",
        )
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in TEXT_FIELDS:
            if not isinstance(value, str):
                raise FieldError(key, f"{key.replace('_', ' ')} must be text.")
            value = value.strip()
            if key == "name" and not value:
                raise FieldError("name", "An account needs a name.")
        elif key == "annual_revenue":
            if value is not None:
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not math.isfinite(value)
                ):
                    raise FieldError(key, f"Annual revenue must be a number, not {value!r}.")
                if value < 0:
                    raise FieldError(key, "Annual revenue cannot be negative.")
                if value > MAX_NUMBER:
                    raise FieldError(key, f"Annual revenue is too large (at most {MAX_NUMBER:,}).")
                value = float(value)
        elif key in ("employees", "branches"):
            value = _whole(key, value, 0, None, key.capitalize())
            if value is not None and value > MAX_NUMBER:
                raise FieldError(key, f"{key.capitalize()} is too large (at most {MAX_NUMBER:,}).")
        elif key in ("tech_maturity", "financial_health"):
            value = _whole(key, value, 1, 5, key.replace("_", " ").capitalize())
        elif key == "status":
            if value not in STATUSES:
                raise FieldError(
                    key, f"Status must be one of {', '.join(STATUSES)}, not {value!r}."
                )
        elif key == "track":
            if value not in TRACKS:
                raise FieldError(key, f"Track must be one of {', '.join(TRACKS)}, not {value!r}.")
        elif key in ("renewal_intent", "reference_willing"):
            if value is not None and not isinstance(value, bool):
                raise FieldError(key, f"{key.replace('_', ' ')} must be yes, no or unknown.")
        out[key] = value
    if creating and "name" not in out:
        raise FieldError("name", "An account needs a name.")
    return out
