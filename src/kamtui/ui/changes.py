"""How a recorded change reads on screen: the field in the UI's language, old → new,
when (local time) and who. Values and names are user text, shown literally."""

from __future__ import annotations

from rich.text import Text

from kamtui.domain.scoring import ScoringModel
from kamtui.services.history import Change, local_time
from kamtui.ui import strings as S
from kamtui.ui.safe import text


def field_name(change: Change, model: ScoringModel | None = None) -> str:
    """What changed, in words: a profile field's label, a criterion's name, or the deal,
    contact or task and its field."""
    if change.entity == "rating" and model is not None:
        crit = next((c for c in model.criteria if c.key == change.field), None)
        if crit is not None:
            return S.both(crit.label, crit.label_zh)
    if change.entity == "account":
        return S.field_label(change.field)
    return change.what


def plan_mark(change: Change) -> str:
    """A tick or a snooze of the weekly plan, in words: the field is ``tick:<kind>`` (old
    or new: the week) or ``snooze:<kind>`` (the day it lasts until, and the reason)."""
    mark, _, kind = change.field.partition(":")
    what = S.plan_kind(kind)
    if mark == "tick":
        if change.new:
            return S.HISTORY_PLAN_TICK.format(week=change.new, kind=what)
        return S.HISTORY_PLAN_UNTICK.format(week=change.old or "", kind=what)
    if change.new:
        return S.HISTORY_PLAN_SNOOZE.format(kind=what, until=change.new)
    return S.HISTORY_PLAN_UNSNOOZE.format(kind=what, until=change.old or "")


def value(v: str | None) -> str:
    return "–" if v in (None, "") else str(v)


def history_line(change: Change, model: ScoringModel | None = None) -> Text:
    """``2026-11-23 10:05  张伟  Industry: 制造 → 能源``."""
    line = Text()
    line.append(f"  {local_time(change.at)}  ", style="dim")
    line.append_text(text(change.by, "bold"))
    line.append("  ")
    if change.entity == "account" and change.field == "deleted_at":
        line.append(S.HISTORY_TRASHED if change.new else S.HISTORY_RESTORED)
        return line
    if change.entity == "plan":  # a weekly-plan item ticked, or put off (services.book)
        line.append_text(text(plan_mark(change)))
        return line
    if change.field == "created":
        line.append(f"{S.HISTORY_CREATED} ")
        if change.entity != "account":
            line.append(f"{change.entity} ")
        line.append_text(text(change.new))
        return line
    line.append_text(text(field_name(change, model)))
    line.append(": ")
    line.append_text(text(value(change.old), "dim"))
    line.append(" → ")
    line.append_text(text(value(change.new)))
    return line
