"""Small modal dialogs: a written reason, the stage gate, logging an interaction.

Each returns its result through ``dismiss``; a dialog never writes to the book itself.
Invalid input gets a message at the field and the dialog stays open with what was typed;
leaving a dialog in which something was typed asks first (``KeepsTyped``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from kamtui.domain.errors import KamError
from kamtui.domain.parsing import parse_date
from kamtui.domain.stages import Deliverable
from kamtui.ui import strings as S
from kamtui.ui.safe import content, plain, text, typed_or_stored

Result = TypeVar("Result")


class KeepsTyped(ModalScreen[Result], Generic[Result]):
    """A dialog that Cancel (or Esc) leaves at once while what it shows is what it opened
    with, and only once the rep says so when something was typed or ticked since: nothing
    a rep entered is thrown away by a stray key. Leaving dismisses ``cancelled``."""

    BINDINGS = [Binding("escape", "cancel", S.KEY_CANCEL)]

    cancelled: Result
    shown: list[object] | None = None  # the values on the dialog when it opened (or reloaded)

    def _typed(self) -> list[object]:
        return (
            [w.value for w in self.query(Input)]
            + [w.value for w in self.query(Select)]
            + [w.value for w in self.query(Checkbox)]
        )

    def on_mount(self) -> None:  # after the dialog's own on_mount: what it shows, untouched
        self.call_after_refresh(self.mark_unchanged)

    def mark_unchanged(self) -> None:
        """What the dialog shows now is what Cancel can leave without asking."""
        self.shown = self._typed()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self._typed() == self.shown:
            self.dismiss(self.cancelled)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.cancelled)

        self.app.push_screen(ConfirmDialog(S.DISCARD_TYPED, S.DISCARD, danger=True), answered)


class ReasonDialog(KeepsTyped[str | None]):
    """Ask for a written reason (forcing a stage, closing lost, pinning a tier)."""

    cancelled = None

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield Input(
                plain(self.value),
                placeholder=self.placeholder or S.REASON_PLACEHOLDER,
                id="reason",
            )
            yield Static(id="reason-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.OK, variant="primary", id="ok")
                yield Button(S.CANCEL, id="cancel")

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        typed = self.query_one("#reason", Input).value
        value = typed_or_stored(typed, self.value).strip()
        if not value:
            self.query_one("#reason-error", Static).update(content(S.REASON_REQUIRED))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(value)


@dataclass(frozen=True)
class GateChoice:
    """What the rep chose at a refused advance: tick these and advance, or force."""

    tick: tuple[str, ...] = ()
    force_reason: str | None = None


class GateDialog(ModalScreen[GateChoice | None]):
    """A refused advance: the missing deliverables as a checklist to tick, or force."""

    BINDINGS = [Binding("escape", "cancel", S.KEY_CANCEL), Binding("f", "force", S.FORCE)]

    def __init__(self, deal_name: str, stage: int, missing: list[Deliverable]) -> None:
        super().__init__()
        self.deal_name = deal_name
        self.stage = stage
        self.missing = missing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                content(
                    S.GATE_TITLE.format(deal=self.deal_name, stage=self.stage, n=len(self.missing))
                ),
                classes="dialog-title",
            )
            yield SelectionList[str](
                *[(S.both(d.label, d.label_zh), d.key) for d in self.missing], id="gate-missing"
            )
            yield Static(id="gate-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.TICK_AND_ADVANCE, variant="primary", id="advance")
                yield Button(S.FORCE, variant="warning", id="force")
                yield Button(S.CANCEL, id="cancel")

    @on(Button.Pressed, "#advance")
    def _advance(self) -> None:
        ticked = self.query_one(SelectionList).selected
        if len(ticked) < len(self.missing):
            self.query_one("#gate-error", Static).update(content(S.GATE_TICK_ALL))
            return
        self.dismiss(GateChoice(tick=tuple(ticked)))

    @on(Button.Pressed, "#force")
    def action_force(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self.dismiss(GateChoice(force_reason=reason))

        self.app.push_screen(ReasonDialog(S.FORCE_REASON_TITLE.format(stage=self.stage)), done)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class NewInteraction:
    kind: str
    on: date
    executive: bool
    summary: str
    contact_id: int | None


class InteractionDialog(KeepsTyped[NewInteraction | None]):
    """Log a call, email, meeting or visit."""

    cancelled = None

    def __init__(self, today: date, contacts: list[tuple[int, str]]) -> None:
        super().__init__()
        self.today = today
        self.contacts = contacts

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(S.LOG_TITLE), classes="dialog-title")
            yield Select(
                [(S.kind_name(k), k) for k in ("call", "email", "meeting", "visit")],
                value="call",
                allow_blank=False,
                id="kind",
            )
            yield Input(value=self.today.isoformat(), placeholder="YYYY-MM-DD", id="on")
            yield Static(id="on-error", classes="field-error")
            yield Select(
                [(plain(name), cid) for cid, name in self.contacts],
                prompt=S.LOG_CONTACT,
                id="contact",
            )
            yield Checkbox(S.LOG_EXECUTIVE, id="executive")
            yield Input(placeholder=S.LOG_SUMMARY, id="summary")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.SAVE, variant="primary", id="save")
                yield Button(S.CANCEL, id="cancel")

    def on_mount(self) -> None:
        """Start at the summary: ``l`` then Enter logs a call today, two keystrokes."""
        self.query_one("#summary", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        error = self.query_one("#on-error", Static)
        raw = self.query_one("#on", Input).value.strip()
        try:
            on_day = date.fromisoformat(raw)
        except ValueError:
            error.update(content(S.BAD_DATE.format(value=raw)))
            self.query_one("#on", Input).focus()
            return
        if on_day > self.today:
            error.update(content(S.FUTURE_DATE))
            self.query_one("#on", Input).focus()
            return
        contact = self.query_one("#contact", Select).value
        self.dismiss(
            NewInteraction(
                kind=str(self.query_one("#kind", Select).value),
                on=on_day,
                executive=self.query_one("#executive", Checkbox).value,
                summary=self.query_one("#summary", Input).value.strip(),
                contact_id=contact if isinstance(contact, int) else None,
            )
        )


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question (moving an account to the trash, purging it); dismisses True for
    yes. ``danger`` makes yes a red button and leaves the focus on Cancel."""

    BINDINGS = [
        Binding("escape", "cancel", S.KEY_CANCEL),
        Binding("n", "cancel", S.CANCEL, show=False),
        Binding("y", "confirm", S.YES, show=False),
    ]

    def __init__(self, question: str, yes: str, *, danger: bool = False) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self.question), classes="dialog-title", id="question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="error" if self.danger else "primary", id="yes")
                yield Button(S.CANCEL, id="no")

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.dismiss(False)


class PickDialog(ModalScreen[str | None]):
    """Choose one of a few options (a role, a manager, a tier); dismisses its key, or None
    when cancelled. Option labels are user text, shown literally."""

    BINDINGS = [Binding("escape", "cancel", S.KEY_CANCEL)]

    def __init__(self, title: str, options: list[tuple[str, str]], current: str | None) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield OptionList(
                *(Option(text(label), id=f"pick-{n}") for n, (label, _) in enumerate(self.options)),
                id="choices",
            )

    def on_mount(self) -> None:
        choices = self.query_one("#choices", OptionList)
        keys = [key for _, key in self.options]
        choices.highlighted = keys.index(self.current) if self.current in keys else 0
        choices.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.options[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class NewTask:
    title: str
    due: date


class TaskDialog(KeepsTyped[NewTask | None]):
    """Add a task: what is to be done and when it is due (this week by default)."""

    cancelled = None

    def __init__(self, title: str, due: date) -> None:
        super().__init__()
        self.title_text = title
        self.due = due

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield Label(S.TASK_TITLE)
            yield Input(id="task-title")
            yield Static(id="e-title", classes="field-error")
            yield Label(S.TASK_DUE)
            yield Input(self.due.isoformat(), placeholder="YYYY-MM-DD", id="task-due")
            yield Static(id="e-due", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.SAVE, variant="primary", id="save")
                yield Button(S.CANCEL, id="cancel")

    def on_mount(self) -> None:
        self.query_one("#task-title", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        title = self.query_one("#task-title", Input).value.strip()
        raw = self.query_one("#task-due", Input).value.strip()
        self.query_one("#e-title", Static).update("")
        self.query_one("#e-due", Static).update("")
        if not title:
            self.query_one("#e-title", Static).update(content(S.TASK_TITLE_REQUIRED))
            self.query_one("#task-title", Input).focus()
            return
        try:
            due = parse_date(raw)
        except KamError:
            due = None
        if due is None:
            self.query_one("#e-due", Static).update(content(S.BAD_DATE.format(value=raw)))
            self.query_one("#task-due", Input).focus()
            return
        self.dismiss(NewTask(title, due))
