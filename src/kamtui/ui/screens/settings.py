"""Settings: the scoring model's weights and tier thresholds, cadences per tier and the
health weights. A refused configuration says why beside the part of the form it is about
(weights, thresholds, cadences or health weights), with the field changed there focused
and both in view, and as a notification; it keeps what was typed. A saved one recomputes
every tier and health at once (in the background, with progress). Enter moves to the next
field (and saves from the last); Esc asks before dropping what was typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker

from kamtui.config import BookConfig, config_from_dict, config_to_dict
from kamtui.domain.errors import KamError
from kamtui.domain.health import MEASURES
from kamtui.domain.scoring import TIERS
from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.messages import ShowsFailure
from kamtui.ui.safe import content, plain
from kamtui.ui.screens.dialogs import (
    ConfirmDialog,
    Refusal,
    next_or_save,
    reveal,
    typed_values,
)
from kamtui.ui.widgets.footer import KeyFooter

SECTIONS = ("weights", "thresholds", "cadences", "plan", "health")  # checked in this order


class Refused(Exception):
    """The configuration typed is refused: why, and the part of the form at fault."""

    def __init__(self, section: str, message: str) -> None:
        super().__init__(message)
        self.section, self.message = section, message


class SettingsSaved(Message):
    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class SettingsProgress(Message):
    """How far the recompute of a save has come: ``done`` of ``total`` accounts."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done, self.total = done, total


class SettingsScreen(ShowsFailure, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", S.KEY_BACK, id="settings.back"),
        Binding("ctrl+s", "save", S.SAVE, id="settings.save"),
    ]

    def __init__(self, book: Book, today: date) -> None:
        super().__init__()
        self.book, self.today = book, today
        self.data = config_to_dict(book.config)
        self.shown: dict[str, object] = {}  # the fields as last saved (or opened)

    def compose(self) -> ComposeResult:
        model = self.data["model"]
        yield Static(content(S.SETTINGS_TITLE.format(model=model["name"])), id="title")
        with VerticalScroll(id="settings-body", classes="form"):
            yield Label(S.SETTINGS_WEIGHTS, classes="dialog-title")
            for c in model["criteria"]:
                yield Label(content(S.both(c["label"], c["label_zh"])))
                yield Input(str(c["weight"]), id=f"w-{c['key']}", classes="weights")
            yield Label(S.SETTINGS_THRESHOLDS, classes="dialog-title")
            for tier in ("S", "A", "B"):
                yield Label(S.SETTINGS_THRESHOLD.format(tier=tier))
                yield Input(str(model["thresholds"][tier]), id=f"t-{tier}", classes="thresholds")
            yield Label(S.SETTINGS_CADENCES, classes="dialog-title")
            for tier in TIERS:
                cad = self.data["cadences"][tier]
                yield Label(S.SETTINGS_CADENCE.format(tier=tier))
                with Horizontal(classes="pair"):
                    yield Input(str(cad["touch_days"]), id=f"c-{tier}-touch", classes="cadences")
                    yield Input("" if cad["exec_days"] is None else str(cad["exec_days"]), id=f"c-{tier}-exec",
                                placeholder=S.SETTINGS_NO_EXEC, classes="cadences")  # fmt: skip
            yield Label(S.SETTINGS_PLAN, classes="dialog-title")
            yield Label(S.SETTINGS_CAPACITY)
            capacity = self.data["plan_capacity"]
            yield Input(
                "" if capacity is None else str(capacity), id="plan-capacity",
                placeholder=S.SETTINGS_NO_CAPACITY, classes="plan",
            )  # fmt: skip
            yield Label(S.SETTINGS_HEALTH, classes="dialog-title")
            for key in MEASURES:
                yield Label(S.word("MEASURE", key))
                yield Input(str(self.data["health"]["weights"].get(key, 0)), id=f"h-{key}",
                            classes="health")  # fmt: skip
            yield Refusal(id="settings-refusal")
            with Horizontal(classes="dialog-buttons", id="settings-buttons"):
                yield Button(S.SAVE, variant="primary", id="save", disabled=self.book.read_only)
        yield Static(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.call_after_refresh(self._mark_saved)

    def _mark_saved(self) -> None:
        self.shown = typed_values(self)

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _config(self) -> BookConfig:
        """The configuration on the form; ``Refused`` says what is wrong and in which part
        of the form: the parts are taken in turn over the saved configuration, so the
        first refused is the one at fault."""
        data: dict[str, Any] = config_to_dict(self.book.config)
        for section in SECTIONS:
            if section == "weights":
                for c in data["model"]["criteria"]:
                    c["weight"] = self._value(f"w-{c['key']}")
            elif section == "thresholds":
                for tier in ("S", "A", "B"):
                    data["model"]["thresholds"][tier] = self._value(f"t-{tier}")
            elif section == "cadences":
                for tier in TIERS:
                    data["cadences"][tier]["touch_days"] = self._value(f"c-{tier}-touch")
                    data["cadences"][tier]["exec_days"] = self._value(f"c-{tier}-exec") or None
            elif section == "plan":
                data["plan_capacity"] = self._value("plan-capacity") or None
            else:
                data["health"]["weights"] = {k: self._value(f"h-{k}") for k in MEASURES}
            try:
                config = config_from_dict(data)
            except KamError as e:
                raise Refused(section, S.say(e.message)) from None
        return config

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.query_one("#settings-refusal", Refusal).update("")
        if self.book.read_only:  # found damaged while the form was open
            self._refuse(S.SETTINGS_READ_ONLY, None)
            return
        try:
            config = self._config()
        except Refused as e:
            self._refuse(e.message, e.section)
            return
        self.query_one("#save", Button).disabled = True
        self.query_one("#status", Static).update(content(S.SETTINGS_RECOMPUTING))
        self.save(config)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        next_or_save(self, event.input, self.action_save)

    def _refuse(self, message: str, section: str | None) -> None:
        """Say why right below the field at fault (in the part of the form refused, the
        first field changed there), focused; else at the end of the form. In view, and as
        a notification too."""
        body = self.query_one("#settings-body", VerticalScroll)
        error = self.query_one("#settings-refusal", Refusal)
        error.update(content(message))
        fields = list(self.query(f"Input.{section}")) if section else []
        changed = [f for f in fields if self.shown.get(f.id or "") != f.value]  # type: ignore[attr-defined]
        field = next(iter(changed or fields), None)
        if field is None:
            body.move_child(error, before=self.query_one("#settings-buttons"))
        else:
            row = field if field.parent is body else field.parent  # a cadence's pair
            assert isinstance(row, Widget)
            body.move_child(error, after=row)
            field.focus(scroll_visible=False)
        self._reveal(error, field)
        self.notify(plain(message), severity="error", timeout=10, markup=False)

    def _reveal(self, error: Widget, field: Widget | None) -> None:
        """Scroll so that the refusal and its field are in view together."""
        body = self.query_one("#settings-body", VerticalScroll)
        reveal(body, *(w for w in (error, field) if w is not None))

    def action_back(self) -> None:
        """Leave, asking first when something typed here is not saved."""
        if typed_values(self) == self.shown:
            self.app.pop_screen()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.app.pop_screen()

        self.app.push_screen(ConfirmDialog(S.DISCARD_TYPED, S.DISCARD, danger=True), answered)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def save(self, config: BookConfig) -> None:
        def progress(done: int, total: int) -> None:
            self.post_message(SettingsProgress(done, total))

        try:
            self.book.save_config(config, self.today, progress)
        except KamError as e:
            self.post_message(SettingsSaved(S.say(e.message)))
            return
        self.post_message(SettingsSaved(None))

    def work_failed(self, worker: Worker[object], message: str) -> None:
        if worker.group == "settings":
            self.query_one("#save", Button).disabled = False
            self.query_one("#status", Static).update(content(S.SETTINGS_FAILED))

    def on_settings_progress(self, message: SettingsProgress) -> None:
        said = S.SETTINGS_RECOMPUTING_DONE.format(
            done=f"{message.done:,}", total=f"{message.total:,}"
        )
        self.query_one("#status", Static).update(content(said))

    def on_settings_saved(self, message: SettingsSaved) -> None:
        self.query_one("#save", Button).disabled = False
        if message.error:
            self.query_one("#status", Static).update("")
            self._refuse(message.error, None)
            return
        self._mark_saved()
        self.query_one("#status", Static).update(content(S.SETTINGS_SAVED))
        self.notify(S.SETTINGS_SAVED, markup=False)
