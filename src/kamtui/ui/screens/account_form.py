"""The account form: profile fields and criterion ratings, validated at each field.

The form saves through a callback run in a worker; a refused save (a bad value, or an
account changed elsewhere since the form opened) shows its message and keeps everything
typed, so nothing a user entered is lost. A save refused as stale also lists the newer
values with who set them and when, and offers to reload (discard what was typed and show
the newest values) or to re-apply (save what was typed over the newer values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker

from kamtui.domain.account import STATUSES, FieldError
from kamtui.domain.errors import KamError
from kamtui.domain.parsing import ParseError, amount_text, parse_amount, parse_count
from kamtui.domain.scoring import ScoringModel
from kamtui.domain.tracks import TRACKS
from kamtui.services.book import StaleEditError
from kamtui.services.history import as_text, local_time
from kamtui.ui import strings as S
from kamtui.ui.changes import field_name
from kamtui.ui.changes import value as shown_value
from kamtui.ui.safe import content, text
from kamtui.ui.screens.dialogs import KeepsTyped

TEXT = ("name", "industry", "segment", "region", "owner", "pain_points")
NUMBERS: dict[str, Callable[[str], int | float | None]] = {  # read as the importer reads them
    "annual_revenue": lambda raw: None if (d := parse_amount(raw)) is None else float(d),
    "employees": lambda raw: parse_count(raw, "number of employees"),
    "branches": lambda raw: parse_count(raw, "number of branches"),
}
SCALES = ("tech_maturity", "financial_health")
CHOICES = ("status", "track", "renewal_intent", "reference_willing")
YES_NO: list[tuple[str, Any]] = [("yes", True), ("no", False)]


@dataclass(frozen=True)
class FormValues:
    fields: dict[str, Any]
    ratings: dict[str, int | None]
    version: int | None = None  # of the account as the form shows it (None: a new account)


@dataclass(frozen=True)
class FormData:
    """What an edit form shows: the account's profile values, ratings and version."""

    values: Mapping[str, Any]
    ratings: Mapping[str, int | None]
    version: int


Save = Callable[[FormValues], None]
Reload = Callable[[], FormData]


class SaveFailed(Message):
    def __init__(self, error: KamError) -> None:
        super().__init__()
        self.error = error


class SaveDone(Message):
    pass


class Reloaded(Message):
    def __init__(self, data: FormData) -> None:
        super().__init__()
        self.data = data


class SavingForm(KeepsTyped[bool]):
    """A form that saves through a callback in a worker and dismisses True once saved
    (False when left without saving: see ``KeepsTyped``).

    A refused save (``KamError``) shows its message at the field it names (``#e-<field>``,
    the input being ``#f-<field>``), else at ``#form-error``, and keeps what was typed;
    ``save_refused`` lets a form add to that (the account form lists a stale save's newer
    values)."""

    BINDINGS = [Binding("ctrl+s", "save", S.SAVE, id="form.save")]

    cancelled = False
    save_callback: Callable[[Any], None]

    def _clear_errors(self) -> None:
        for error in self.query(".field-error"):
            if isinstance(error, Static):
                error.update("")

    def _show_error(self, field: str | None, message: str) -> None:
        """The message beside its field (focused), else at the end of the form; scrolled
        into view either way."""
        target = self.query(f"#e-{field}") if field else None
        where = target.first(Static) if target else self.query_one("#form-error", Static)
        where.update(content(S.say(message)))
        if field and self.query(f"#f-{field}"):
            self.query_one(f"#f-{field}").focus()
        self.call_after_refresh(where.scroll_visible, animate=False)

    def _read(self) -> Any:
        """What is on the form, typed; raises FieldError for a value it cannot read."""
        raise NotImplementedError

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._clear_errors()
        try:
            values = self._read()
        except FieldError as e:
            self._show_error(e.field, e.message)
            return
        self.submit(values)

    def submit(self, values: Any) -> None:
        """Save ``values`` in a worker (the Save button is off until it answers)."""
        self.query_one("#save", Button).disabled = True
        self.run_save(values)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def run_save(self, values: Any) -> None:
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
        self.save_refused(error)

    def save_refused(self, error: KamError) -> None:
        """What a form shows beyond the message when a save is refused."""

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """A save that failed for another reason (the app has said so and logged it): the
        form stays, with what was typed, and can be saved again."""
        self.query_one("#save", Button).disabled = False
        self._show_error(None, message)

    def on_save_done(self, _message: SaveDone) -> None:
        self.dismiss(True)


@dataclass(frozen=True)
class EditValues:
    """What a contact or deal form saves: the fields typed, and the version of the record
    they were typed over (None: a new one)."""

    fields: dict[str, Any]
    version: int | None


SaveEdit = Callable[[EditValues], None]


class ReapplyForm(SavingForm):
    """A form whose save refused as stale offers to re-apply what was typed over the newer
    values (``#stale-buttons`` holding ``#reapply``, from ``form_end``)."""

    version: int | None = None  # of the record as the form shows it (None: a new one)
    stale: StaleEditError | None = None  # the last save refused as stale

    def form_end(self) -> ComposeResult:
        """The end of the form: its error line, Re-apply (shown after a stale save), Save
        and Cancel."""
        yield Static(id="form-error", classes="field-error")
        with Horizontal(id="stale-buttons", classes="dialog-buttons"):
            yield Button(S.REAPPLY, variant="warning", id="reapply")
        with Horizontal(classes="dialog-buttons"):
            yield Button(S.SAVE, variant="primary", id="save")
            yield Button(S.CANCEL, id="cancel")

    def on_mount(self) -> None:
        self.query_one("#stale-buttons").display = False
        self.query_one("#f-name", Input).focus()

    def save_refused(self, error: KamError) -> None:
        self.stale = error if isinstance(error, StaleEditError) else None
        buttons = self.query_one("#stale-buttons")
        buttons.display = self.stale is not None and self.stale.version is not None
        if not isinstance(error, FieldError):  # the message is at the bottom: show it
            self.call_after_refresh(buttons.scroll_visible, animate=False)

    @on(Button.Pressed, "#reapply")
    def _reapply(self) -> None:
        """Save what is on the form over the newer values, as the user asked."""
        if self.stale is not None and self.stale.version is not None:
            self.version = self.stale.version
            self.stale = None
            self.query_one("#stale-buttons").display = False
            self.action_save()


class AccountForm(SavingForm):
    """Create or edit an account; dismisses True once saved."""

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
        super().__init__()
        self.title_text = title
        self.model = model
        self.values = dict(values)
        self.ratings = dict(ratings)
        self.save_callback = save
        self.version = version
        self.reload_callback = reload
        self.stale: StaleEditError | None = None  # the last save refused as stale
        self.submitted: FormValues | None = None  # what that save tried to write

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog form"):
            yield Label(content(self.title_text), classes="dialog-title")
            for key in (*TEXT, *NUMBERS):
                yield Label(S.field_label(key))
                yield Input(_shown(key, self.values.get(key)), id=f"f-{key}")
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
            yield Select([(S.both(t.label, t.label_zh), k) for k, t in TRACKS.items()],
                         value=self.values.get("track") or "value", allow_blank=False, id="f-track")  # fmt: skip
            for key in ("renewal_intent", "reference_willing"):
                yield Label(S.field_label(key))
                value = self.values.get(key)
                yield Select(YES_NO, value=Select.NULL if value is None else bool(value), prompt="unknown",
                             id=f"f-{key}")  # fmt: skip
            yield Label(S.FORM_RATINGS, classes="dialog-title")
            for c in self.model.criteria:
                yield Label(content(f"{S.both(c.label, c.label_zh)} ({c.weight.normalize():f}%)"))
                yield Select([(str(n), n) for n in range(1, 6)], value=self.ratings.get(c.key) or Select.NULL,
                             prompt=S.UNRATED, id=f"r-{c.key}")  # fmt: skip
            yield Static(id="form-error", classes="field-error")
            yield Static(id="stale-changes", classes="stale-changes")
            with Horizontal(id="stale-buttons", classes="dialog-buttons"):
                yield Button(S.RELOAD, id="reload")
                yield Button(S.REAPPLY, variant="warning", id="reapply")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.SAVE, variant="primary", id="save")
                yield Button(S.CANCEL, id="cancel")

    def on_mount(self) -> None:
        self._show_stale(None)
        self.query_one("#f-name", Input).focus()

    def _read(self) -> FormValues:
        """What is on the form, typed; raises FieldError for text that is not a number."""
        fields: dict[str, Any] = {}
        for key in TEXT:
            fields[key] = self.query_one(f"#f-{key}", Input).value
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

    def submit(self, values: FormValues) -> None:
        self.submitted = values
        super().submit(values)

    def save_refused(self, error: KamError) -> None:
        if isinstance(error, StaleEditError):
            self._show_stale(error)

    # ---- a save refused as stale: their values, then reload or re-apply ----------------------
    def _show_stale(self, error: StaleEditError | None) -> None:
        self.stale = error
        box = self.query_one("#stale-changes", Static)
        buttons = self.query_one("#stale-buttons")
        box.display = buttons.display = error is not None
        if error is None:
            box.update("")
            return
        self.query_one("#reload", Button).display = self.reload_callback is not None
        self.query_one("#reapply", Button).disabled = error.version is None
        lines = Text(S.STALE_TITLE, style="bold")
        for change in error.theirs:
            lines.append("\n  ")
            lines.append_text(text(field_name(change, self.model)))
            lines.append(": ")
            lines.append_text(text(shown_value(change.new), "bold"))
            lines.append("  (")
            lines.append_text(text(change.by))
            lines.append(f", {local_time(change.at)})", style="dim")
            yours = self._yours(change.entity, change.field)
            if yours is not None:
                lines.append("   ")
                lines.append_text(text(S.STALE_YOURS.format(value=shown_value(yours)), "dim"))
        box.update(lines)
        self.call_after_refresh(buttons.scroll_visible, animate=False)

    def _yours(self, entity: str, field: str) -> str | None:
        """The value this form tried to save for a field, as text; None if it has none."""
        form = self.submitted
        if form is None:
            return None
        if entity == "rating" and field in form.ratings:
            return as_text(form.ratings[field]) or ""
        if entity == "account" and field in form.fields:
            return as_text(form.fields[field], field) or ""
        return None

    @on(Button.Pressed, "#reapply")
    def _reapply(self) -> None:
        """Save what is on the form over the newer values: explicitly, as the user asked."""
        if self.stale is None or self.stale.version is None:
            return
        self.version = self.stale.version
        self._show_stale(None)
        self.action_save()

    @on(Button.Pressed, "#reload")
    def _reload(self) -> None:
        if self.reload_callback is not None:
            self.query_one("#reload", Button).disabled = True
            self.run_reload()

    @work(thread=True, exclusive=True, group="form-reload", exit_on_error=False)
    def run_reload(self) -> None:
        assert self.reload_callback is not None
        try:
            data = self.reload_callback()
        except KamError as e:
            self.post_message(SaveFailed(e))
            return
        self.post_message(Reloaded(data))

    def on_reloaded(self, message: Reloaded) -> None:
        """Discard what was typed: show the newest values, saved from now on over them."""
        data = message.data
        self.values, self.ratings, self.version = (
            dict(data.values),
            dict(data.ratings),
            data.version,
        )
        for key in (*TEXT, *NUMBERS):
            self.query_one(f"#f-{key}", Input).value = _shown(key, self.values.get(key))
        for key in SCALES:
            self.query_one(f"#f-{key}", Select).value = self.values.get(key) or Select.NULL
        self.query_one("#f-status", Select).value = self.values.get("status") or "prospect"
        self.query_one("#f-track", Select).value = self.values.get("track") or "value"
        for key in ("renewal_intent", "reference_willing"):
            v = self.values.get(key)
            self.query_one(f"#f-{key}", Select).value = Select.NULL if v is None else bool(v)
        for c in self.model.criteria:
            self.query_one(f"#r-{c.key}", Select).value = self.ratings.get(c.key) or Select.NULL
        self.query_one("#reload", Button).disabled = False
        self._clear_errors()
        self._show_stale(None)
        self.query_one("#form-error", Static).update(content(S.RELOADED))
        self.query_one("#f-name", Input).focus()
        self.call_after_refresh(self.mark_unchanged)


def _shown(key: str, value: Any) -> str:
    """A text or number field's value as the form shows it."""
    if value is None:
        return ""
    return amount_text(value) if key == "annual_revenue" else str(value)
