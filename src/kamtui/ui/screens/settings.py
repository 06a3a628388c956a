"""Settings: the scoring model's weights and tier thresholds, cadences per tier and the
health weights. A refused configuration says why and keeps what was typed; a saved one
recomputes every tier and health at once (in the background, with progress)."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from kamtui.config import BookConfig, config_from_dict, config_to_dict
from kamtui.domain.errors import KamError
from kamtui.domain.health import MEASURES
from kamtui.domain.scoring import TIERS
from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.safe import content
from kamtui.ui.widgets.footer import KeyFooter


class SettingsSaved(Message):
    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class SettingsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="settings.back"),
        Binding("ctrl+s", "save", S.SAVE, id="settings.save"),
    ]

    def __init__(self, book: Book, today: date) -> None:
        super().__init__()
        self.book, self.today = book, today
        self.data = config_to_dict(book.config)

    def compose(self) -> ComposeResult:
        model = self.data["model"]
        yield Static(content(S.SETTINGS_TITLE.format(model=model["name"])), id="title")
        with VerticalScroll(id="settings-body", classes="form"):
            yield Label(S.SETTINGS_WEIGHTS, classes="dialog-title")
            for c in model["criteria"]:
                yield Label(content(S.both(c["label"], c["label_zh"])))
                yield Input(str(c["weight"]), id=f"w-{c['key']}")
            yield Label(S.SETTINGS_THRESHOLDS, classes="dialog-title")
            for tier in ("S", "A", "B"):
                yield Label(S.SETTINGS_THRESHOLD.format(tier=tier))
                yield Input(str(model["thresholds"][tier]), id=f"t-{tier}")
            yield Label(S.SETTINGS_CADENCES, classes="dialog-title")
            for tier in TIERS:
                cad = self.data["cadences"][tier]
                yield Label(S.SETTINGS_CADENCE.format(tier=tier))
                with Horizontal(classes="pair"):
                    yield Input(str(cad["touch_days"]), id=f"c-{tier}-touch")
                    yield Input("" if cad["exec_days"] is None else str(cad["exec_days"]), id=f"c-{tier}-exec",
                                placeholder=S.SETTINGS_NO_EXEC)  # fmt: skip
            yield Label(S.SETTINGS_PLAN, classes="dialog-title")
            yield Label(S.SETTINGS_CAPACITY)
            capacity = self.data["plan_capacity"]
            yield Input(
                "" if capacity is None else str(capacity), id="plan-capacity",
                placeholder=S.SETTINGS_NO_CAPACITY,
            )  # fmt: skip
            yield Label(S.SETTINGS_HEALTH, classes="dialog-title")
            for key in MEASURES:
                yield Label(S.word("MEASURE", key))
                yield Input(str(self.data["health"]["weights"].get(key, 0)), id=f"h-{key}")
            yield Static(id="settings-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.SAVE, variant="primary", id="save")
        yield Static(id="status")
        yield KeyFooter()

    def _config(self) -> BookConfig:
        """The configuration on the form; ModelError (a KamError) says what is wrong."""
        data: dict[str, Any] = config_to_dict(self.book.config)
        for c in data["model"]["criteria"]:
            c["weight"] = self.query_one(f"#w-{c['key']}", Input).value.strip()
        for tier in ("S", "A", "B"):
            data["model"]["thresholds"][tier] = self.query_one(f"#t-{tier}", Input).value.strip()
        for tier in TIERS:
            touch = self.query_one(f"#c-{tier}-touch", Input).value.strip()
            exec_days = self.query_one(f"#c-{tier}-exec", Input).value.strip()
            data["cadences"][tier]["touch_days"] = touch
            data["cadences"][tier]["exec_days"] = exec_days or None
        data["health"]["weights"] = {
            k: self.query_one(f"#h-{k}", Input).value.strip() for k in MEASURES
        }
        data["plan_capacity"] = self.query_one("#plan-capacity", Input).value.strip() or None
        return config_from_dict(data)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        error = self.query_one("#settings-error", Static)
        try:
            config = self._config()
        except KamError as e:
            error.update(content(S.say(e.message)))
            return
        error.update("")
        self.query_one("#save", Button).disabled = True
        self.query_one("#status", Static).update(content(S.SETTINGS_RECOMPUTING))
        self.save(config)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def save(self, config: BookConfig) -> None:
        try:
            self.book.save_config(config, self.today)
        except KamError as e:
            self.post_message(SettingsSaved(S.say(e.message)))
            return
        self.post_message(SettingsSaved(None))

    def on_settings_saved(self, message: SettingsSaved) -> None:
        self.query_one("#save", Button).disabled = False
        if message.error:
            self.query_one("#settings-error", Static).update(content(message.error))
            self.query_one("#status", Static).update("")
            return
        self.query_one("#status", Static).update(content(S.SETTINGS_SAVED))
        self.notify(S.SETTINGS_SAVED, markup=False)
