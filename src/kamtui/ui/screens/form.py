"""What the forms that save a record (an account, a contact, a deal) share.

- A form saves through a callback run in a worker. A refused save keeps everything typed
  and is shown where the rep is looking: beside the field it names, with that field
  focused and both scrolled into view; a refusal that names no field (a read-only book, a
  stale save) at the end of the form, scrolled into view, and as a notification.
- An edit saves only the fields the rep changed since the form was opened (or reloaded):
  a field left alone is never written back, so it cannot undo someone else's change.
- A save refused as stale (someone saved the record since the form was opened: the save
  carries the version the form was opened with) lists the newer values, who set them and
  when, and offers the same three choices on every form, by key and by button: Reload
  (ctrl+r: show the newest values, dropping what was typed), Re-apply mine (ctrl+o: save
  the fields the rep changed over the newer values, leaving every other field as the other
  person left it) and Cancel (Esc).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Label, Static
from textual.worker import Worker

from kamtui.domain.errors import FieldError, KamError
from kamtui.domain.scoring import ScoringModel
from kamtui.services.book import StaleEditError
from kamtui.services.history import as_text, local_time
from kamtui.ui import strings as S
from kamtui.ui.changes import Names, field_label, value_text
from kamtui.ui.messages import ShowsFailure
from kamtui.ui.safe import content, plain, text
from kamtui.ui.screens.dialogs import KeepsTyped, Refusal, reveal


@dataclass(frozen=True)
class FormValues:
    """What a form saves: fields (and an account's ratings), and the version of the record
    they were typed over (None: a new record). An edit holds only what the rep changed."""

    fields: dict[str, Any]
    ratings: dict[str, int | None] = field(default_factory=dict)
    version: int | None = None


@dataclass(frozen=True)
class FormData:
    """What an edit form shows: a record's values (and an account's ratings), and its
    version."""

    values: Mapping[str, Any]
    version: int
    ratings: Mapping[str, int | None] = field(default_factory=dict)


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


class SavingForm(ShowsFailure, KeepsTyped[bool]):
    """A form that saves through a callback in a worker and dismisses True once saved
    (False when left without saving: see ``KeepsTyped``).

    A form lays out its fields (``fields``: each input ``#f-<field>``, or ``#r-<criterion>``
    for a rating, with its refusal line ``#e-<field>``), reads them (``read``) and, to be
    reloaded, shows a record's values again (``fill``)."""

    BINDINGS = [
        Binding("ctrl+s", "save", S.SAVE, id="form.save"),
        Binding("ctrl+r", "reload", S.RELOAD_KEY, id="form.reload"),
        Binding("ctrl+o", "reapply", S.REAPPLY, id="form.reapply"),
        Binding("escape", "cancel", S.KEY_CANCEL, id="dialog.cancel"),
    ]

    cancelled = False
    record_kind = "account"  # what the form edits, as the history names it
    model: ScoringModel | None = None  # to name a rating's criterion

    def __init__(
        self,
        title: str,
        save: Save,
        *,
        version: int | None = None,
        reload: Reload | None = None,
        names: Names | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.save_callback = save
        self.version = version  # of the record as the form shows it (None: a new one)
        self.reload_callback = reload
        self.names = names  # the account's contacts, to name whom a contact reports to
        self.stale: StaleEditError | None = None  # the last save refused as stale
        self.submitted: FormValues | None = None  # what that save tried to write

    # ---- what each form says -----------------------------------------------------------------
    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def read(self) -> FormValues:
        """Every field on the form, typed; raises FieldError for a value it cannot read."""
        raise NotImplementedError

    def fill(self, data: FormData) -> None:
        """Show a record's values (after a reload)."""
        raise NotImplementedError

    # ---- layout ----------------------------------------------------------------------------
    def body(self) -> ComposeResult:
        with VerticalScroll(classes="dialog record-form", id="form-body"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield from self.fields()
            yield Refusal(id="form-error")
            yield Static(id="stale-changes", classes="stale-changes")
            with Horizontal(id="stale-buttons", classes="dialog-buttons"):
                yield Button(S.RELOAD, id="reload", compact=True)
                yield Button(S.REAPPLY, variant="warning", id="reapply", compact=True)
                yield Button(S.CANCEL, id="stale-cancel", compact=True)
            with Horizontal(id="form-buttons", classes="dialog-buttons"):
                yield Button(S.SAVE, variant="primary", id="save", compact=True)
                yield Button(S.CANCEL, id="cancel", compact=True)

    def on_mount(self) -> None:
        self._show_stale(None)
        first = self.query("#f-name")
        if first:
            first.first().focus()

    # ---- saving ------------------------------------------------------------------------------
    def edits(self, values: FormValues) -> FormValues:
        """What to save of ``values``: all of a new record; of an edit, only the fields
        changed since the form was opened or reloaded."""
        if self.version is None:
            return values
        changed = self.changed()
        return FormValues(
            {k: v for k, v in values.fields.items() if f"f-{k}" in changed},
            {k: v for k, v in values.ratings.items() if f"r-{k}" in changed},
            self.version,
        )

    def action_save(self) -> None:
        self._clear_errors()
        try:
            values = self.edits(self.read())
        except FieldError as e:
            self._show_error(e.field, e.message)
            return
        if values.version is not None and not values.fields and not values.ratings:
            self.dismiss(False)  # nothing changed: nothing to save
            return
        self.submit(values)

    def submit(self, values: FormValues) -> None:
        """Save ``values`` in a worker (the Save button is off until it answers)."""
        self.submitted = values
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
        if isinstance(error, StaleEditError):
            self._show_stale(error)
            self.notify(S.STALE_NOTE, severity="warning", timeout=10, markup=False)
            return
        self._show_error(error.field if isinstance(error, FieldError) else None, error.message)

    def on_save_done(self, _message: SaveDone) -> None:
        self.dismiss(True)

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """A save that failed for a reason the rep did not cause (the app has said so and
        logged it): the form stays, with what was typed, and can be saved again."""
        self.query_one("#save", Button).disabled = False
        where = self.query_one("#form-error", Static)
        where.update(content(message))  # type: ignore[attr-defined]
        self._reveal(where)

    # ---- refusals, where the rep is looking --------------------------------------------------
    def _clear_errors(self) -> None:
        for error in self.query(".field-error"):
            if isinstance(error, Static):
                error.update("")

    def _show_error(self, field: str | None, message: str) -> None:
        """Beside the field it names, that field focused and both in view; else at the end
        of the form, in view, and as a notification."""
        said = S.say(message)
        errors = self.query(f"#e-{field}") if field else None
        inputs = self.query(f"#f-{field}, #r-{field}") if field else None
        if errors and inputs:
            where: Widget = errors.first(Static)
            widget = inputs.first()
            where.update(content(said))  # type: ignore[attr-defined]
            widget.focus(scroll_visible=False)
            self._reveal(where, widget)
            return
        where = self.query_one("#form-error", Static)
        where.update(content(said))  # type: ignore[attr-defined]
        self._reveal(where)
        self.notify(plain(said), severity="error", timeout=10, markup=False)

    def _reveal(self, *widgets: Widget) -> None:
        """Scroll the form so that ``widgets`` (a refusal and its field, the list of newer
        values and its buttons) are in view together."""
        reveal(self.query_one("#form-body", VerticalScroll), *widgets)

    # ---- a save refused as stale: their values, then reload, re-apply or cancel -------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reload", "reapply"):
            return self.stale is not None  # shown (and working) only at a stale save
        if action == "save":
            return self.stale is None  # at a stale save, the choice is one of those
        return True

    def _show_stale(self, error: StaleEditError | None) -> None:
        self.stale = error
        box = self.query_one("#stale-changes", Static)
        stale_buttons = self.query_one("#stale-buttons")
        box.display = stale_buttons.display = error is not None
        self.query_one("#form-buttons").display = error is None
        self.refresh_bindings()
        if error is None:
            box.update("")
            return
        self.query_one("#reload", Button).disabled = self.reload_callback is None
        self.query_one("#reapply", Button).disabled = error.version is None
        lines = Text(S.STALE_TITLE, style="bold")
        for change in error.theirs:
            name = field_label(change.entity, change.field, self.model)
            lines.append("\n  ")
            lines.append_text(text(name))
            lines.append(S.CHANGE_COLON)
            shown = value_text(change.entity, change.field, change.new, self.names)
            lines.append_text(text(shown, "bold"))
            lines.append("  (")
            lines.append_text(text(change.by))
            lines.append(f", {local_time(change.at)})", style="dim")
            yours = self._yours(change.entity, change.field)
            if yours is not None:
                lines.append("   ")
                mine = value_text(change.entity, change.field, yours, self.names)
                lines.append_text(text(S.STALE_YOURS.format(value=mine), "dim"))
        changed = self._mine()
        if changed:
            lines.append("\n")
            lines.append_text(text(S.STALE_CHOICES.format(fields=", ".join(changed))))
        box.update(lines)
        self.query_one("#stale-cancel", Button).focus(scroll_visible=False)
        self._reveal(stale_buttons, box)

    def _mine(self) -> list[str]:
        """The fields the refused save changed, in words."""
        form = self.submitted
        if form is None:
            return []
        kind = self.record_kind
        return [field_label(kind, k, self.model) for k in form.fields] + [
            field_label("rating", k, self.model) for k in form.ratings
        ]

    def _yours(self, entity: str, field: str) -> str | None:
        """The value the refused save gave a field, as the history keeps it; None if it
        did not change that field."""
        form = self.submitted
        if form is None:
            return None
        if entity == "rating" and field in form.ratings:
            return as_text(form.ratings[field]) or ""
        if entity == self.record_kind and field in form.fields:
            return as_text(form.fields[field], field) or ""
        return None

    @on(Button.Pressed, "#reapply")
    def action_reapply(self) -> None:
        """Save the fields the rep changed over the newer values, as the rep asked."""
        if self.stale is None or self.stale.version is None:
            return
        self.version = self.stale.version
        self._show_stale(None)
        self.action_save()

    @on(Button.Pressed, "#stale-cancel")
    def _stale_cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#reload")
    def action_reload(self) -> None:
        if self.stale is None or self.reload_callback is None:
            return
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
        """Drop what was typed: show the newest values, saved from now on over them."""
        self.version = message.data.version
        self.fill(message.data)
        self._clear_errors()
        self._show_stale(None)
        self.query_one("#form-error", Static).update(content(S.RELOADED))
        first = self.query("#f-name")
        if first:
            first.first().focus()
        self.call_after_refresh(self.mark_unchanged)
