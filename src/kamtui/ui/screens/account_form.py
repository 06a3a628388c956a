"""The account form: profile fields and criterion ratings, validated at each field.

The form saves through a callback run in a worker; a refused save (a bad value, or an
account changed elsewhere since the form opened) shows its message and keeps everything
typed, so nothing a user entered is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from kamtui.domain.account import STATUSES, FieldError
from kamtui.domain.errors import KamError
from kamtui.domain.scoring import ScoringModel
from kamtui.domain.tracks import TRACKS
from kamtui.ui import strings as S
from kamtui.ui.safe import content

TEXT = ("name", "industry", "segment", "region", "owner", "pain_points")
NUMBERS = ("annual_revenue", "employees", "branches")
SCALES = ("tech_maturity", "financial_health")
CHOICES = ("status", "track", "renewal_intent", "reference_willing")
YES_NO: list[tuple[str, Any]] = [("yes", True), ("no", False)]


@dataclass(frozen=True)
class FormValues:
    fields: dict[str, Any]
    ratings: dict[str, int | None]


Save = Callable[[FormValues], None]


class SaveFailed(Message):
    def __init__(self, error: KamError) -> None:
        super().__init__()
        self.error = error


class SaveDone(Message):
    pass


class AccountForm(ModalScreen[bool]):
    """Create or edit an account; dismisses True once saved."""

    BINDINGS = [
        Binding("escape", "cancel", S.KEY_CANCEL),
        Binding("ctrl+s", "save", S.SAVE, id="form.save"),
    ]

    def __init__(
        self,
        title: str,
        model: ScoringModel,
        values: Mapping[str, Any],
        ratings: Mapping[str, int | None],
        save: Save,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.model = model
        self.values = dict(values)
        self.ratings = dict(ratings)
        self.save_callback = save

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog form"):
            yield Label(content(self.title_text), classes="dialog-title")
            for key in TEXT + NUMBERS:
                value = self.values.get(key)
                shown = (
                    ""
                    if value is None
                    else (f"{value:,.0f}" if key == "annual_revenue" else str(value))
                )
                yield Label(S.field_label(key))
                yield Input(shown, id=f"f-{key}")
                yield Static(id=f"e-{key}", classes="field-error")
            for key in SCALES:
                yield Label(S.field_label(key))
                yield Select([(str(n), n) for n in range(1, 6)], value=self.values.get(key) or Select.NULL,
                             prompt="–", id=f"f-{key}")  # fmt: skip
                yield Static(id=f"e-{key}", classes="field-error")
            yield Label(S.field_label("status"))
            yield Select([(s, s) for s in STATUSES], value=self.values.get("status") or "prospect",
                         allow_blank=False, id="f-status")  # fmt: skip
            yield Label(S.field_label("track"))
            yield Select([(f"{t.label} {t.label_zh}", k) for k, t in TRACKS.items()],
                         value=self.values.get("track") or "value", allow_blank=False, id="f-track")  # fmt: skip
            for key in ("renewal_intent", "reference_willing"):
                yield Label(S.field_label(key))
                value = self.values.get(key)
                yield Select(YES_NO, value=Select.NULL if value is None else bool(value), prompt="unknown",
                             id=f"f-{key}")  # fmt: skip
            yield Label(S.FORM_RATINGS, classes="dialog-title")
            for c in self.model.criteria:
                yield Label(f"{c.label} {c.label_zh} ({c.weight.normalize():f}%)")
                yield Select([(str(n), n) for n in range(1, 6)], value=self.ratings.get(c.key) or Select.NULL,
                             prompt=S.UNRATED, id=f"r-{c.key}")  # fmt: skip
            yield Static(id="form-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.SAVE, variant="primary", id="save")
                yield Button(S.CANCEL, id="cancel")

    def on_mount(self) -> None:
        self.query_one("#f-name", Input).focus()

    def _clear_errors(self) -> None:
        for error in self.query(".field-error"):
            if isinstance(error, Static):
                error.update("")

    def _show_error(self, field: str | None, message: str) -> None:
        target = self.query(f"#e-{field}") if field else None
        where = target.first(Static) if target else self.query_one("#form-error", Static)
        where.update(content(message))
        if field and self.query(f"#f-{field}"):
            self.query_one(f"#f-{field}").focus()

    def _read(self) -> FormValues:
        """What is on the form, typed; raises FieldError for text that is not a number."""
        fields: dict[str, Any] = {}
        for key in TEXT:
            fields[key] = self.query_one(f"#f-{key}", Input).value
        for key in NUMBERS:
            raw = self.query_one(f"#f-{key}", Input).value.replace(",", "").replace(" ", "").strip()
            if not raw:
                fields[key] = None
                continue
            try:
                number = float(raw)
            except ValueError:
                raise FieldError(key, S.NOT_A_NUMBER.format(value=raw)) from None
            if key != "annual_revenue":
                if not number.is_integer():
                    raise FieldError(key, S.NOT_WHOLE.format(value=raw))
                fields[key] = int(number)
            else:
                fields[key] = number
        for key in SCALES + CHOICES:
            value = self.query_one(f"#f-{key}", Select).value
            fields[key] = None if value is Select.NULL else value
        ratings: dict[str, int | None] = {}
        for c in self.model.criteria:
            value = self.query_one(f"#r-{c.key}", Select).value
            ratings[c.key] = None if value is Select.NULL else int(value)  # type: ignore[arg-type]
        return FormValues(fields, ratings)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._clear_errors()
        try:
            values = self._read()
        except FieldError as e:
            self._show_error(e.field, e.message)
            return
        self.query_one("#save", Button).disabled = True
        self.run_save(values)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def run_save(self, values: FormValues) -> None:
        try:
            self.save_callback(values)
        except KamError as e:
            self.post_message(SaveFailed(e))
            return
        self.post_message(SaveDone())

    def on_save_failed(self, message: SaveFailed) -> None:
        self.query_one("#save", Button).disabled = False
        error = message.error
        self._show_error(error.field if isinstance(error, FieldError) else None, error.message)

    def on_save_done(self, _message: SaveDone) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
