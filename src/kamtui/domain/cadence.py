"""Resource allocation per tier (差异化配置): touch cadences and overdue detection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from kamtui.domain.counts import count
from kamtui.domain.errors import ModelError
from kamtui.domain.limits import MAX_CADENCE_DAYS
from kamtui.domain.scoring import TIERS


@dataclass(frozen=True)
class Cadence:
    tier: str
    touch_days: int
    exec_days: int | None
    team: str


DEFAULT_CADENCES: dict[str, Cadence] = {
    "S": Cadence("S", 14, 90, "iron triangle: rep + solution lead + delivery lead"),
    "A": Cadence("A", 30, 180, "rep + solution lead"),
    "B": Cadence("B", 60, None, "rep"),
    "C": Cadence("C", 90, None, "rep; standard quote, email, self-service"),
}


def validate_cadences(cadences: dict[str, Cadence]) -> None:
    missing = [t for t in TIERS if t not in cadences]
    if missing:
        raise ModelError(f"Cadences are missing for tier {', '.join(missing)}.")
    for t, c in cadences.items():
        if c.touch_days < 1:
            raise ModelError(f"Tier {t}: a touch cadence must be at least 1 day.")
        if c.exec_days is not None and c.exec_days < 1:
            raise ModelError(f"Tier {t}: an executive cadence must be at least 1 day or none.")
        for what, days in (("a touch", c.touch_days), ("an executive", c.exec_days)):
            if days is not None and days > MAX_CADENCE_DAYS:
                most = count(MAX_CADENCE_DAYS, "day", "days")
                raise ModelError(f"Tier {t}: {what} cadence is at most {most}.")


class CadenceStatus(NamedTuple):
    touch_due: date | None
    exec_due: date | None

    def touch_overdue_days(self, today: date) -> int:
        return max(0, (today - self.touch_due).days) if self.touch_due else 0

    def exec_overdue_days(self, today: date) -> int:
        return max(0, (today - self.exec_due).days) if self.exec_due else 0


def cadence_status(
    cadence: Cadence | None,
    last_touch: date | None,
    last_exec_touch: date | None,
    today: date,
) -> CadenceStatus:
    """When the next touch and executive touch fall due; never touched means due today."""
    if cadence is None:
        return CadenceStatus(None, None)
    touch_due = last_touch + timedelta(days=cadence.touch_days) if last_touch else today
    exec_due: date | None = None
    if cadence.exec_days is not None:
        exec_due = last_exec_touch + timedelta(days=cadence.exec_days) if last_exec_touch else today
    return CadenceStatus(touch_due, exec_due)
