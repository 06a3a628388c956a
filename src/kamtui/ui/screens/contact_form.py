"""The contact form: one person of the decision map, validated at each field.

It saves, refuses and resolves a stale save as every form does (``form.SavingForm``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kamtui.domain.decision_map import INFLUENCES, ROLES, STANCES
from kamtui.domain.errors import FieldError, KamError
from kamtui.domain.parsing import parse_date
from kamtui.ui import strings as S
from kamtui.ui.safe import plain, typed_or_stored
from kamtui.ui.screens.dialogs import field_row
from kamtui.ui.screens.form import FormData, FormValues, Reload, Save, SavingForm

TEXTS = ("name", "title", "planned_action", "email", "phone")


class ContactForm(SavingForm):
    """Add or edit a contact; dismisses True once saved."""

    record_kind = "contact"

    def __init__(
        self,
        title: str,
        values: Mapping[str, Any],
        managers: list[tuple[int, str]],
        save: Save,
        *,
        version: int | None = None,
        reload: Reload | None = None,
    ) -> None:
        super().__init__(title, save, version=version, reload=reload, names=dict(managers))
        self.values = dict(values)
        self.managers = managers  # who this contact may report to: (id, name)

    def fields(self) -> ComposeResult:
        v = self.values
        for key in ("name", "title"):
            label = S.CONTACT_NAME if key == "name" else S.field_label(key)
            yield from field_row(label, Input(plain(v.get(key)), id=f"f-{key}", compact=True), key)
        roles = [(S.both(r.label, r.label_zh), k) for k, r in ROLES.items()]
        yield from field_row(S.field_label("role"), Select(roles, value=v.get("role") or "user",
                             allow_blank=False, id="f-role", compact=True), "role")  # fmt: skip
        stances = [(S.stance_name(k), k) for k in STANCES]
        yield from field_row(S.field_label("stance"), Select(stances, value=v.get("stance") or "neutral",
                             allow_blank=False, id="f-stance", compact=True), "stance")  # fmt: skip
        influences = [(S.influence_name(k), k) for k in INFLUENCES]
        yield from field_row(S.field_label("influence"), Select(influences, allow_blank=False,
                             value=v.get("influence") or "medium", id="f-influence", compact=True),
                             "influence")  # fmt: skip
        bosses = [(plain(name), cid) for cid, name in self.managers]
        yield from field_row(S.field_label("reports_to"), Select(bosses, value=self._boss(v),
                             prompt=S.NOBODY, id="f-reports_to", compact=True), "reports_to")  # fmt: skip
        left = v.get("left_on")
        yield from field_row(S.field_label("left_on"), Input(left.isoformat() if left else "",
                             placeholder="YYYY-MM-DD", id="f-left_on", compact=True), "left_on")  # fmt: skip
        for key in ("planned_action", "email", "phone"):
            yield from field_row(S.field_label(key), Input(plain(v.get(key)), id=f"f-{key}", compact=True),
                                 key)  # fmt: skip

    def _boss(self, values: Mapping[str, Any]) -> Any:
        boss = values.get("reports_to")
        return boss if boss in {cid for cid, _ in self.managers} else Select.NULL

    def read(self) -> FormValues:
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
        return FormValues(fields, version=self.version)

    def fill(self, data: FormData) -> None:
        self.values = v = dict(data.values)
        for key in TEXTS:
            self.query_one(f"#f-{key}", Input).value = plain(v.get(key))
        self.query_one("#f-role", Select).value = v.get("role") or "user"
        self.query_one("#f-stance", Select).value = v.get("stance") or "neutral"
        self.query_one("#f-influence", Select).value = v.get("influence") or "medium"
        self.query_one("#f-reports_to", Select).value = self._boss(v)
        left = v.get("left_on")
        self.query_one("#f-left_on", Input).value = left.isoformat() if left else ""
