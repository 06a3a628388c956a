"""The change history of a book, and the trash, as the services and the UI see them.

Every change to an account, contact, deal, rating or task is one ``Change``: which
field of which record, from what to what, when (UTC) and by whom. Who is the name set in
the book's settings (``Book.set_user_name``), else the operating-system user.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from kamtui.domain import stages as sop

if TYPE_CHECKING:
    from kamtui.store.history import StoredChange

USER_SETTING = "user_name"
DELIVERABLE = "deliverable:"  # field of a deliverable ticked or unticked: deliverable:<key>
BOOL_FIELDS = frozenset({"renewal_intent", "reference_willing", "executive"})
# how a timestamp is stored: UTC, to the second, sortable as text
STAMP = "%Y-%m-%d %H:%M:%S"


def os_user() -> str:
    """The operating-system user, or "unknown" where there is none to be found."""
    try:
        name = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no password entry (containers, services)
        return "unknown"
    return name.strip() or "unknown"


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(at: datetime) -> str:
    """A timestamp as stored: UTC, ``YYYY-MM-DD HH:MM:SS``."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.strftime(STAMP)


def parse_stamp(text: str) -> datetime:
    """A stored timestamp as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local_time(at: datetime) -> str:
    """A timestamp for a person: local time, to the minute."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


# (entity, entity id, account id, field, old value, new value, version after the change):
# what a write records; values are turned into text by ``as_text``
ChangeSpec = tuple[str, int, int, str, Any, Any, int | None]


def as_text(value: Any, field: str = "") -> str | None:
    """A value as the history keeps it: text, or None for no value."""
    if value is None:
        return None
    if field in BOOL_FIELDS or isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Change:
    """One change to one field. ``entity`` is account, contact, deal, rating (``field``
    is the criterion) or task; ``subject`` names the deal, contact or task."""

    entity: str
    entity_id: int
    account_id: int
    field: str
    old: str | None
    new: str | None
    at: datetime  # UTC
    by: str
    version: int | None = None
    subject: str = ""

    @classmethod
    def from_row(cls, r: StoredChange) -> Change:
        """A change as the book keeps it (``store.history``)."""
        return cls(
            r.entity,
            r.entity_id,
            r.account_id,
            r.field,
            r.old_value,
            r.new_value,
            parse_stamp(r.changed_at),
            r.changed_by,
            r.version,
            r.subject or "",
        )

    @property
    def what(self) -> str:
        """The field in words, with what it belongs to: "industry", "rating strategic_fit",
        "deal 数据中台项目: stage"."""
        name = self.field.replace("_", " ")
        if self.field.startswith(DELIVERABLE):
            name = f"deliverable {deliverable_label(self.field[len(DELIVERABLE) :])}"
        if self.entity == "rating":
            return f"rating {self.field}"
        if self.entity in ("deal", "contact", "task"):
            return f"{self.entity} {self.subject or self.entity_id}: {name}"
        return name


def deliverable_label(key: str) -> str:
    for st in sop.STAGES:
        for d in st.deliverables:
            if d.key == key:
                return d.label
    return key


def latest_by_field(changes: Iterable[Change]) -> dict[tuple[str, int, str], Change]:
    """The newest change of each field (changes given oldest first)."""
    out: dict[tuple[str, int, str], Change] = {}
    for c in changes:
        out.pop((c.entity, c.entity_id, c.field), None)
        out[(c.entity, c.entity_id, c.field)] = c
    return out


def describe(changes: Sequence[Change], limit: int = 6) -> str:
    """The newer values and who set them when, in one line: "industry → 能源 (张伟,
    2026-11-23 10:00); …"."""
    latest = list(latest_by_field(changes).values())
    parts = [
        f"{c.what} → {'–' if c.new in (None, '') else c.new} ({c.by}, {local_time(c.at)})"
        for c in latest[:limit]
    ]
    if len(latest) > limit:
        parts.append(f"and {len(latest) - limit} more")
    return "; ".join(parts)


@dataclass(frozen=True)
class TrashedAccount:
    """An account in the trash."""

    id: int
    name: str
    owner: str
    tier: str | None
    deleted_at: datetime  # UTC
    deleted_by: str
