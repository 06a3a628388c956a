"""Decision map (决策地图): buying roles, stances, and coverage warnings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from kamtui.domain.counts import count
from kamtui.domain.errors import FieldError, InputError, check_text


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


CONTACT_TEXT_FIELDS = ("name", "title", "planned_action", "email", "phone")
CONTACT_FIELDS: tuple[str, ...] = (
    *CONTACT_TEXT_FIELDS, "role", "stance", "influence", "reports_to", "left_on",
)  # fmt: skip
TEXT_LIMIT = 500  # characters in one contact field


def check_contact(
    fields: Mapping[str, Any], today: date, *, creating: bool = False
) -> dict[str, Any]:
    """Validate a contact's fields; returns them cleaned. Unknown fields are refused, a
    new contact needs a name, and nobody leaves in the future."""
    unknown = sorted(set(fields) - set(CONTACT_FIELDS))
    if unknown:
        raise FieldError(
            unknown[0],
            f"Unknown contact {'field' if len(unknown) == 1 else 'fields'}: {', '.join(unknown)}.",
        )
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in CONTACT_TEXT_FIELDS:
            value = check_text("contact", key, value, TEXT_LIMIT)
        elif key in ("role", "stance", "influence"):
            check = {"role": check_role, "stance": check_stance, "influence": check_influence}
            try:
                value = check[key](value)
            except InputError as e:
                raise FieldError(key, str(e)) from None
        elif key == "reports_to":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise FieldError(key, f"Reports-to must be a contact, not {value!r}.")
        elif key == "left_on":
            if value is not None:
                if not isinstance(value, date):
                    raise FieldError(key, f"The leaving date must be a date, not {value!r}.")
                if value > today:
                    raise FieldError(key, "A contact cannot have left in the future.")
        out[key] = value
    if creating and "name" not in out:
        raise FieldError("name", "A contact needs a name.")
    return out


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
        c for c in contacts if c.left_on is not None and since <= c.left_on <= today and c.is_key
    ]


class ContactCounts(NamedTuple):
    """What the coverage rules need of an account's decision map: counts of the contacts
    still there, and the few contacts a rule may name.

    ``count_contacts`` makes it from the contacts; a bulk reader may count in SQL instead,
    as long as it selects the same ``named`` contacts, in id order.
    """

    active: int  # contacts who have not left
    roles: int  # distinct roles among them, counted up to 2: the rules only ask "several?"
    economic_buyer: bool  # one of them is an economic buyer
    named: tuple[Contact, ...] = ()  # blockers, and everyone who left (see is_named)


def is_named(c: Contact) -> bool:
    """A contact a coverage rule may name: a blocker, or someone who left."""
    return c.stance == "blocker" or c.left_on is not None


def count_contacts(contacts: Iterable[Contact]) -> ContactCounts:
    active = 0
    roles: set[str] = set()
    named: list[Contact] = []
    for c in contacts:
        if c.left_on is None:
            active += 1
            roles.add(c.role)
        if is_named(c):
            named.append(c)
    return ContactCounts(active, min(len(roles), 2), "economic_buyer" in roles, tuple(named))


_NO_ECONOMIC_BUYER = CoverageWarning("no_economic_buyer", "no economic buyer mapped")


def coverage_warnings(
    tier: str | None, contacts: Iterable[Contact], today: date
) -> list[CoverageWarning]:
    return coverage_from_counts(tier, count_contacts(contacts), today)


def coverage_from_counts(
    tier: str | None, counts: ContactCounts, today: date
) -> list[CoverageWarning]:
    out: list[CoverageWarning] = []
    if not counts.economic_buyer:
        out.append(_NO_ECONOMIC_BUYER)
    if tier in ("S", "A") and (counts.active < 2 or counts.roles < 2):
        out.append(
            CoverageWarning(
                "single_threaded",
                f"single-threaded: {count(counts.active, 'active contact', 'active contacts')}, "
                f"{count(counts.roles, 'role', 'roles')} covered on a tier {tier} account",
            )
        )
    for c in counts.named:
        if c.left_on is None and c.stance == "blocker" and not c.planned_action.strip():
            out.append(
                CoverageWarning("blocker_without_action", f"blocker {c.name} has no planned action")
            )
    for c in key_contacts_left(counts.named, today):
        what = "economic buyer" if c.role == "economic_buyer" else "champion"
        out.append(
            CoverageWarning("key_contact_left", f"{what} {c.name} left on {c.left_on.isoformat()}")  # type: ignore[union-attr]
        )
    return out


def next_coverage_change(counts: ContactCounts, today: date) -> date:
    """The first day after ``today`` on which ``coverage_from_counts`` and
    ``key_contacts_left`` of the same contacts may give another answer (a key contact's
    leaving enters or leaves the 90-day window); ``date.max`` when no day would."""
    first = date.max
    gone = timedelta(days=KEY_CONTACT_WINDOW_DAYS + 1)
    for c in counts.named:
        if c.left_on is not None and c.is_key:
            try:
                days: tuple[date, ...] = (c.left_on, c.left_on + gone)
            except OverflowError:  # the window would close after the last representable day
                days = (c.left_on,)
            for day in days:
                if today < day < first:
                    first = day
    return first


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


def check_reports_to(
    contacts: Iterable[Contact], contact_id: int | None, boss_id: int | None
) -> None:
    """Refuse a manager who is not a contact of the same account, the contact themselves,
    or one whose own line of managers leads back to the contact (a loop)."""
    if boss_id is None:
        return
    people = list(contacts)
    by_id = {c.id: c for c in people}
    if boss_id not in by_id:
        raise FieldError("reports_to", f"Contact {boss_id} is not a contact of this account.")
    if boss_id == contact_id:
        raise FieldError("reports_to", "A contact cannot report to themselves.")
    if contact_id is not None and reporting_cycle(people, contact_id, boss_id):
        raise FieldError(
            "reports_to",
            f"{by_id[boss_id].name} already reports, directly or through others, to "
            f"{by_id[contact_id].name if contact_id in by_id else 'this contact'}.",
        )


class OrgNode(NamedTuple):
    """One person in the org chart and the people who report to them."""

    contact: Contact
    reports: tuple[OrgNode, ...]


def org_chart(contacts: Iterable[Contact]) -> list[OrgNode]:
    """The decision map as a tree by reports-to, people in id order. Whoever reports to
    nobody known here is at the top; people caught in a loop (possible only in imported
    data) are put at the top too, so everyone appears exactly once."""
    people = sorted(contacts, key=lambda c: c.id)
    ids = {c.id for c in people}
    below: dict[int | None, list[Contact]] = {}
    for c in people:
        boss = c.reports_to if c.reports_to in ids and c.reports_to != c.id else None
        below.setdefault(boss, []).append(c)
    placed: set[int] = set()

    def node(c: Contact) -> OrgNode:
        placed.add(c.id)
        return OrgNode(c, tuple(node(r) for r in below.get(c.id, []) if r.id not in placed))

    top = [node(c) for c in below.get(None, [])]
    for c in people:  # loops: reachable from no top
        if c.id not in placed:
            top.append(node(c))
    return top
