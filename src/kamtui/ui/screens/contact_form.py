"""The contact form: one person of the decision map, validated at each field.

Like the account form, it saves through a callback run in a worker; a refused save keeps
everything typed. A save refused because someone changed the contact meanwhile names the
newer values and offers to re-apply what was typed over them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Select, Static

from kamtui.domain.decision_map import INFLUENCES, ROLES, STANCES
from kamtui.domain.errors import FieldError, KamError
from kamtui.domain.parsing import parse_date
from kamtui.ui import strings as S
from kamtui.ui.safe import content, plain, typed_or_stored
from kamtui.ui.screens.account_form import EditValues, ReapplyForm, SaveEdit

TEXTS = ("name", "title", "planned_action", "email", "phone")


class ContactForm(ReapplyForm):
    """Add or edit a contact; dismisses True once saved."""

    def __init__(
        self,
        title: str,
        values: Mapping[str, Any],
        managers: list[tuple[int, str]],
        save: SaveEdit,
        *,
        version: int | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.values = dict(values)
        self.managers = managers  # who this contact may report to: (id, name)
        self.save_callback = save
        self.version = version

    def compose(self) -> ComposeResult:
        v = self.values
        with VerticalScroll(classes="dialog form"):
            yield Label(content(self.title_text), classes="dialog-title")
            for key in ("name", "title"):
                yield Label(S.field_label(key))
                yield Input(plain(v.get(key)), id=f"f-{key}")
                yield Static(id=f"e-{key}", classes="field-error")
            yield Label(S.field_label("role"))
            yield Select(
                [(S.both(r.label, r.label_zh), k) for k, r in ROLES.items()],
                value=v.get("role") or "user", allow_blank=False, id="f-role",
            )  # fmt: skip
            yield Label(S.field_label("stance"))
            yield Select([(S.stance_name(k), k) for k in STANCES],
                         value=v.get("stance") or "neutral", allow_blank=False, id="f-stance")  # fmt: skip
            yield Label(S.field_label("influence"))
            yield Select([(S.influence_name(k), k) for k in INFLUENCES],
                         value=v.get("influence") or "medium", allow_blank=False, id="f-influence")  # fmt: skip
            yield Label(S.field_label("reports_to"))
            known = {cid for cid, _ in self.managers}
            boss = v.get("reports_to")
            yield Select([(plain(name), cid) for cid, name in self.managers],
                         value=boss if boss in known else Select.NULL, prompt=S.NOBODY,
                         id="f-reports_to")  # fmt: skip
            yield Static(id="e-reports_to", classes="field-error")
            yield Label(S.field_label("left_on"))
            left = v.get("left_on")
            yield Input(left.isoformat() if left else "", placeholder="YYYY-MM-DD", id="f-left_on")
            yield Static(id="e-left_on", classes="field-error")
            for key in ("planned_action", "email", "phone"):
                yield Label(S.field_label(key))
                yield Input(plain(v.get(key)), id=f"f-{key}")
                yield Static(id=f"e-{key}", classes="field-error")
            yield from self.form_end()

    def _read(self) -> EditValues:
        fields: dict[str, Any] = {
            k: typed_or_stored(self.query_one(f"#f-{k}", Input).value, self.values.get(k))
            for k in TEXTS
        }
        for key in ("role", "stance", "influence", "reports_to"):
            value = self.query_one(f"#f-{key}", Select).value
            fields[key] = None if value is Select.NULL else value
        raw = self.query_one("#f-left_on", Input).value.strip()
        left: date | None = None
        if raw:
            try:
                left = parse_date(raw)
            except KamError:
                raise FieldError("left_on", S.BAD_DATE.format(value=raw)) from None
        fields["left_on"] = left
        return EditValues(fields, self.version)
