"""Decision map (决策地图): buying roles, stances, and coverage warnings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from kamtui.domain.errors import InputError


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    label_zh: str
    cares: str
    bring: str


ROLES: dict[str, Role] = {
    r.key: r
    for r in (
        Role("user", "user", "使用者", "does it solve daily work", "demos, case stories"),
        Role(
            "evaluator",
            "technical evaluator",
            "技术评估者",
            "architecture, security, integration",
            "white paper, API docs",
        ),
        Role(
            "influencer",
            "influencer",
            "影响者",
            "expert opinion carries weight",
            "insight, references",
        ),
        Role(
            "finance",
            "financial controller",
            "财务把关者",
            "price, terms, ROI, TCO",
            "ROI analysis",
        ),
        Role(
            "economic_buyer",
            "economic buyer",
            "最终决策者",
            "strategy, competitiveness; signs the budget",
            "strategic value, exec meeting",
        ),
    )
}
STANCES: tuple[str, ...] = ("champion", "supporter", "neutral", "skeptic", "blocker")
INFLUENCES: tuple[str, ...] = ("high", "medium", "low")
KEY_CONTACT_WINDOW_DAYS = 90


def check_role(value: str) -> str:
    if value not in ROLES:
        raise InputError(f"Role {value!r} is not one of {', '.join(ROLES)}.")
    return value


def check_stance(value: str) -> str:
    if value not in STANCES:
        raise InputError(f"Stance {value!r} is not one of {', '.join(STANCES)}.")
    return value


def check_influence(value: str) -> str:
    if value not in INFLUENCES:
        raise InputError(f"Influence {value!r} is not one of {', '.join(INFLUENCES)}.")
    return value


class Contact(NamedTuple):
    """A person in the account's decision map (immutable; cheap to make by the 100,000)."""

    id: int
    name: str
    role: str
    stance: str = "neutral"
    influence: str = "medium"
    title: str = ""
    reports_to: int | None = None
    left_on: date | None = None
    planned_action: str = ""

    @property
    def active(self) -> bool:
        return self.left_on is None

    @property
    def is_key(self) -> bool:
        return self.role == "economic_buyer" or self.stance == "champion"


@dataclass(frozen=True)
class CoverageWarning:
    code: str
    message: str


def key_contacts_left(contacts: Iterable[Contact], today: date) -> list[Contact]:
    """Economic buyers or champions who left in the last 90 days."""
    since = today - timedelta(days=KEY_CONTACT_WINDOW_DAYS)
    return [
        c for c in contacts if c.is_key and c.left_on is not None and since <= c.left_on <= today
    ]


def coverage_warnings(
    tier: str | None, contacts: Iterable[Contact], today: date
) -> list[CoverageWarning]:
    contacts = list(contacts)
    active = [c for c in contacts if c.active]
    out: list[CoverageWarning] = []
    if not any(c.role == "economic_buyer" for c in active):
        out.append(CoverageWarning("no_economic_buyer", "no economic buyer mapped"))
    roles = {c.role for c in active}
    if tier in ("S", "A") and (len(active) < 2 or len(roles) < 2):
        out.append(
            CoverageWarning(
                "single_threaded",
                f"single-threaded: {len(active)} active contact(s), "
                f"{len(roles)} role(s) covered on a tier {tier} account",
            )
        )
    for c in active:
        if c.stance == "blocker" and not c.planned_action.strip():
            out.append(
                CoverageWarning("blocker_without_action", f"blocker {c.name} has no planned action")
            )
    for c in key_contacts_left(contacts, today):
        what = "economic buyer" if c.role == "economic_buyer" else "champion"
        out.append(
            CoverageWarning("key_contact_left", f"{what} {c.name} left on {c.left_on.isoformat()}")  # type: ignore[union-attr]
        )
    return out


def reporting_cycle(contacts: Iterable[Contact], contact_id: int, boss_id: int | None) -> bool:
    """True when making ``boss_id`` the manager of ``contact_id`` would close a loop."""
    if boss_id is None:
        return False
    bosses = {c.id: c.reports_to for c in contacts}
    seen: set[int] = set()
    current: int | None = boss_id
    while current is not None and current not in seen:
        if current == contact_id:
            return True
        seen.add(current)
        current = bosses.get(current)
    return False
