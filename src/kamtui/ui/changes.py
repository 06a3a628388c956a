"""How a recorded change reads on screen, in the History tab, the ``h`` history screen and
a stale save's list of newer values: the field in the UI's words, old → new in the UI's
words, when (local time) and who.

The history keeps values as text, as the book holds them: keys (``evaluator``,
``customer``), ids (the contact someone reports to), ``yes``/``no``, stage numbers. A
rep reads names: a role's name, the contact by name, yes/no, a stage with its name, a
status, track, stance or influence as the UI says it, amounts with thousands separators
— in English or Chinese. Values people typed are user text, shown literally.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from kamtui.domain import stages as sop
from kamtui.domain.decision_map import ROLES
from kamtui.domain.scoring import ScoringModel
from kamtui.domain.tracks import TRACKS
from kamtui.services.history import BOOL_FIELDS, DELIVERABLE, Change, local_time
from kamtui.ui import strings as S
from kamtui.ui.safe import text

Names = Mapping[int, str]  # the account's contacts by id, for "reports to"


def field_label(entity: str, field: str, model: ScoringModel | None = None) -> str:
    """A changed field in words, on its own ("Stance", "Amount", "Deliverable ROI
    analysis 报告"): what a form's list of newer values shows."""
    if field.startswith(DELIVERABLE):
        return S.CHANGE_DELIVERABLE.format(label=_deliverable(field[len(DELIVERABLE) :]))
    if entity == "rating":
        crit = next((c for c in model.criteria if c.key == field), None) if model else None
        return S.both(crit.label, crit.label_zh) if crit else S.CHANGE_RATING.format(key=field)
    if entity == "account":
        return S.field_label(field)
    said = S.word(f"CHANGE_{entity.upper()}", field)  # CHANGE_DEAL_AMOUNT, CHANGE_CONTACT_NAME…
    return said if said != field else S.field_label(field)


def field_name(change: Change, model: ScoringModel | None = None) -> str:
    """What changed, with what it belongs to: a profile field's label, a criterion's name,
    or the deal, contact or task named and its field ("Deal 数据中台项目: Stage")."""
    label = field_label(change.entity, change.field, model)
    if change.entity in ("account", "rating"):
        return label
    return S.CHANGE_OF.format(
        entity=S.word("ENTITY", change.entity), subject=change.subject or change.entity_id,
        field=label,
    )  # fmt: skip


def value_text(entity: str, field: str, value: str | None, names: Names | None = None) -> str:
    """A value as the history keeps it (text), in the UI's words."""
    if value in (None, ""):
        return "–"
    assert value is not None
    if field.startswith(DELIVERABLE):
        return S.TICKED if value == "yes" else S.NOT_TICKED
    if field in BOOL_FIELDS and value in ("yes", "no"):
        return S.YES if value == "yes" else S.NO
    if field == "reports_to" and value.isdigit():
        name = (names or {}).get(int(value))
        return name if name is not None else S.CHANGE_CONTACT_ID.format(id=value)
    if field == "role" and value in ROLES:
        return S.role_name(ROLES[value])
    if field == "stance":
        return S.stance_name(value)
    if field == "influence":
        return S.influence_name(value)
    if field == "track" and value in TRACKS:
        return S.track_name(TRACKS[value])
    if field == "status":
        return S.word("DEAL_STATUS" if entity == "deal" else "STATUS", value)
    if field == "stage" and value.isdigit() and 1 <= int(value) <= len(sop.STAGES):
        return f"{value} {S.stage_name(int(value))}"
    if field in ("amount", "annual_revenue"):
        try:
            return f"{float(value):,.0f}"
        except ValueError:
            return value
    return value


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
    """A value with no known field: itself, or a dash for none."""
    return "–" if v in (None, "") else str(v)


def history_line(
    change: Change, model: ScoringModel | None = None, names: Names | None = None
) -> Text:
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
            line.append(f"{S.word('ENTITY', change.entity)} ")
        line.append_text(text(change.new))
        return line
    line.append_text(text(field_name(change, model)))
    line.append(S.CHANGE_COLON)
    old = value_text(change.entity, change.field, change.old, names)
    new = value_text(change.entity, change.field, change.new, names)
    line.append_text(text(old, "dim"))
    line.append(" → ")
    line.append_text(text(new))
    return line


def _deliverable(key: str) -> str:
    for st in sop.STAGES:
        for d in st.deliverables:
            if d.key == key:
                return S.both(d.label, d.label_zh)
    return key
