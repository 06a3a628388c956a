"""The account form: profile fields and criterion ratings, validated at each field.

It saves, refuses and resolves a stale save as every form does (``form.SavingForm``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from kamtui.domain.account import STATUSES, FieldError
from kamtui.domain.parsing import ParseError, amount_text, parse_amount, parse_count
from kamtui.domain.scoring import ScoringModel
from kamtui.domain.tracks import TRACKS
from kamtui.ui import strings as S
from kamtui.ui.safe import plain, typed_or_stored
from kamtui.ui.screens.dialogs import field_row, yes_no
from kamtui.ui.screens.form import FormData, FormValues, Reload, Save, SavingForm

TEXT = ("name", "industry", "segment", "region", "owner", "pain_points")
NUMBERS: dict[str, Callable[[str], int | float | None]] = {  # read as the importer reads them
    "annual_revenue": lambda raw: None if (d := parse_amount(raw)) is None else float(d),
    "employees": lambda raw: parse_count(raw, "number of employees"),
    "branches": lambda raw: parse_count(raw, "number of branches"),
}
SCALES = ("tech_maturity", "financial_health")
CHOICES = ("status", "track", "renewal_intent", "reference_willing")


class AccountForm(SavingForm):
    """Create or edit an account; dismisses True once saved."""

    model: ScoringModel

    def __init__(
        self,
        title: str,
        model: ScoringModel,
        values: Mapping[str, Any],
        ratings: Mapping[str, int | None],
        save: Save,
        *,
        version: int | None = None,
        reload: Reload | None = None,
    ) -> None:
        super().__init__(title, save, version=version, reload=reload)
        self.model = model
        self.values = dict(values)
        self.ratings = dict(ratings)

    def fields(self) -> ComposeResult:
        v = self.values
        for key in (*TEXT, *NUMBERS):
            yield from field_row(S.field_label(key), Input(_shown(key, v.get(key)), id=f"f-{key}",
                                                            compact=True), key)  # fmt: skip
        scale = [(str(n), n) for n in range(1, 6)]
        for key in SCALES:
            yield from field_row(S.field_label(key), Select(scale, value=_choice(v.get(key)), prompt="–",
                                                             id=f"f-{key}", compact=True), key)  # fmt: skip
        statuses = [(S.word("STATUS", s), s) for s in STATUSES]
        yield from field_row(S.field_label("status"), Select(statuses, value=v.get("status") or "prospect",
                             allow_blank=False, id="f-status", compact=True), "status")  # fmt: skip
        tracks = [(S.both(t.label, t.label_zh), k) for k, t in TRACKS.items()]
        yield from field_row(S.field_label("track"), Select(tracks, value=v.get("track") or "value",
                             allow_blank=False, id="f-track", compact=True), "track")  # fmt: skip
        for key in ("renewal_intent", "reference_willing"):
            yield from field_row(S.field_label(key), Select(yes_no(), value=_yes_no(v.get(key)),
                                 prompt=S.UNKNOWN, id=f"f-{key}", compact=True), key)  # fmt: skip
        yield Label(S.FORM_RATINGS, classes="dialog-title section")
        for c in self.model.criteria:
            label = f"{S.both(c.label, c.label_zh)} ({c.weight.normalize():f}%)"
            yield from field_row(label, Select(scale, value=_choice(self.ratings.get(c.key)),
                                 prompt=S.UNRATED, id=f"r-{c.key}", compact=True), c.key)  # fmt: skip

    def read(self) -> FormValues:
        """What is on the form, typed; raises FieldError for text that is not a number."""
        fields: dict[str, Any] = {}
        for key in TEXT:
            typed = self.query_one(f"#f-{key}", Input).value
            fields[key] = typed_or_stored(typed, self.values.get(key))
        for key, parse in NUMBERS.items():
            try:
                fields[key] = parse(self.query_one(f"#f-{key}", Input).value)
            except ParseError as e:
                raise FieldError(key, e.message) from None
        for key in SCALES + CHOICES:
            value = self.query_one(f"#f-{key}", Select).value
            fields[key] = None if value is Select.NULL else value
        ratings: dict[str, int | None] = {}
        for c in self.model.criteria:
            value = self.query_one(f"#r-{c.key}", Select).value
            ratings[c.key] = None if value is Select.NULL else int(value)  # type: ignore[arg-type]
        return FormValues(fields, ratings, self.version)

    def fill(self, data: FormData) -> None:
        self.values, self.ratings = dict(data.values), dict(data.ratings)
        v = self.values
        for key in (*TEXT, *NUMBERS):
            self.query_one(f"#f-{key}", Input).value = _shown(key, v.get(key))
        for key in SCALES:
            self.query_one(f"#f-{key}", Select).value = _choice(v.get(key))
        self.query_one("#f-status", Select).value = v.get("status") or "prospect"
        self.query_one("#f-track", Select).value = v.get("track") or "value"
        for key in ("renewal_intent", "reference_willing"):
            self.query_one(f"#f-{key}", Select).value = _yes_no(v.get(key))
        for c in self.model.criteria:
            self.query_one(f"#r-{c.key}", Select).value = _choice(self.ratings.get(c.key))


def _shown(key: str, value: Any) -> str:
    """A text or number field's value as the form shows it (text as the app shows it)."""
    if value is None:
        return ""
    return amount_text(value) if key == "annual_revenue" else plain(value)


def _choice(value: Any) -> Any:
    return value or Select.NULL


def _yes_no(value: Any) -> Any:
    return Select.NULL if value is None else bool(value)
