"""Dialogs: a written reason, the stage gate, logging an interaction, a task, a yes/no
question, a choice among a few options.

Every dialog works the same way (``Dialog``): its keys are in its own footer; ctrl+s does
what its main button does (save, OK, tick and advance, choose); Esc leaves it, asking
first when something was typed since it opened (``KeepsTyped``), so that nothing a rep
entered is thrown away by a stray key. Enter in a one-line field moves to the next field,
and saves from the last one; in a field of several lines (an interaction's summary) it
starts a new line. A dialog returns its result through ``dismiss`` and never writes to the
book itself; invalid input gets a message beside the field and the dialog stays open with
what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from kamtui.domain.errors import KamError
from kamtui.domain.parsing import parse_date
from kamtui.domain.stages import Deliverable
from kamtui.ui import strings as S
from kamtui.ui.safe import content, plain, text, typed_or_stored
from kamtui.ui.widgets.checklist import Checklist, Item
from kamtui.ui.widgets.footer import KeyFooter

Result = TypeVar("Result")


def yes_no() -> list[tuple[str, bool]]:
    """A yes/no choice in the UI's language (readable without colour, unlike a checkbox)."""
    return [(S.YES, True), (S.NO, False)]


class Refusal(Static):
    """The line where a refusal is shown (beside a field, or at the end of a form): it
    takes no room while there is nothing to say."""

    def __init__(self, *, id: str, beside: bool = False) -> None:  # noqa: A002
        super().__init__(id=id, classes="field-error beside" if beside else "field-error")
        self.display = False

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(content)


def field_row(label: str, field: Widget, key: str) -> ComposeResult:
    """One field of a dialog: its label on the left, the field on the right, and below
    them the line where a refusal of the field is shown (``#e-<key>``)."""
    with Horizontal(classes="field-row"):
        yield Label(content(label), classes="field-label")
        yield field
    yield Refusal(id=f"e-{key}", beside=True)


def reveal(scroll: ScrollableContainer, *widgets: Widget) -> None:
    """Scroll ``scroll`` so that ``widgets`` inside it are in view together (or as much of
    them as fits, from the top), once what was just changed is laid out: a refusal shown,
    a dialog grown by it and the scroll resized take a refresh each."""
    scroll.call_after_refresh(scroll.call_after_refresh, _reveal_now, scroll, *widgets)


def _reveal_now(scroll: ScrollableContainer, *widgets: Widget) -> None:
    shown = [w.region for w in widgets if w.region]
    if not shown:
        return
    area = Region.from_union(shown)
    inner = scroll.content_region
    area = area.translate(scroll.scroll_offset - inner.offset)  # into the scrolled space
    if area.height > inner.height:
        area = area.crop_size((area.width, inner.height))
    scroll.scroll_to_region(area, animate=False, immediate=True)


def typed_values(screen: Screen[Any]) -> dict[str, object]:
    """What the fields of ``screen`` hold, by id: to tell what was typed since."""
    values: dict[str, object] = {}
    for widget in screen.query("Input, Select, TextArea"):
        if widget.id:
            values[widget.id] = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
    return values


def next_or_save(screen: Screen[Any], field: Widget, save: Callable[[], None]) -> None:
    """Enter in a one-line field: on to the next field, or save from the last one (the
    next thing to focus is a button, or nothing)."""
    chain = screen.focus_chain
    index = chain.index(field) if field in chain else len(chain)
    after = chain[index + 1] if index + 1 < len(chain) else None
    if after is None or isinstance(after, Button):
        save()
    else:
        after.focus()


class Dialog(ModalScreen[Result], Generic[Result]):
    """A dialog: its body (``body``), and a footer with the keys that work in it. Esc
    leaves it, dismissing ``cancelled``."""

    BINDINGS = [Binding("escape", "cancel", S.KEY_CANCEL, id="dialog.cancel")]

    cancelled: Result

    def compose(self) -> ComposeResult:
        yield from self.body()
        yield KeyFooter()

    def body(self) -> ComposeResult:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(self.cancelled)


class KeepsTyped(Dialog[Result], Generic[Result]):
    """A dialog that Cancel (or Esc) leaves at once while what it shows is what it opened
    with, and only once the rep says so when something was typed or chosen since."""

    BINDINGS = [
        Binding("ctrl+s", "save", S.SAVE, id="dialog.save"),
        Binding("escape", "cancel", S.KEY_CANCEL, id="dialog.cancel"),
    ]

    shown: dict[str, object] | None = None  # the fields' values when it opened (or reloaded)

    def on_mount(self) -> None:  # after the dialog's own on_mount: what it shows, untouched
        self.call_after_refresh(self.mark_unchanged)

    def mark_unchanged(self) -> None:
        """What the dialog shows now is what Cancel can leave without asking."""
        self.shown = typed_values(self)

    def changed(self) -> set[str]:
        """The ids of the fields changed since the dialog opened (or was reloaded)."""
        now, shown = typed_values(self), self.shown or {}
        return {key for key, value in now.items() if shown.get(key, value) != value}

    def action_save(self) -> None:
        raise NotImplementedError

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        next_or_save(self, event.input, self.action_save)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.changed():
            self.dismiss(self.cancelled)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.cancelled)

        self.app.push_screen(ConfirmDialog(S.DISCARD_TYPED, S.DISCARD, danger=True), answered)


class ReasonDialog(KeepsTyped[str | None]):
    """Ask for one line of text: a written reason (forcing a stage, closing lost, pinning a
    tier) or a file's path; ``required`` is said when it is left empty."""

    BINDINGS = [Binding("ctrl+s", "save", S.OK, id="dialog.save")]

    cancelled = None

    def __init__(
        self, title: str, placeholder: str = "", value: str = "", required: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.required = required or S.REASON_REQUIRED

    def body(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield Input(
                plain(self.value), placeholder=self.placeholder or S.REASON_PLACEHOLDER,
                id="reason", compact=True,
            )  # fmt: skip
            yield Refusal(id="reason-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.OK, variant="primary", id="save", compact=True)
                yield Button(S.CANCEL, id="cancel", compact=True)

    def action_save(self) -> None:
        typed = self.query_one("#reason", Input).value
        value = typed_or_stored(typed, self.value).strip()
        if not value:
            self.query_one("#reason-error", Static).update(content(self.required))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(value)


@dataclass(frozen=True)
class GateChoice:
    """What the rep chose at a refused advance: tick these and advance, or force."""

    tick: tuple[str, ...] = ()
    force_reason: str | None = None


class GateDialog(Dialog[GateChoice | None]):
    """A refused advance: the missing deliverables as a checklist to tick, or force. The
    title names the account as well as the deal (many deals share a name)."""

    BINDINGS = [
        Binding("ctrl+s", "advance", S.TICK_AND_ADVANCE, id="gate.advance"),
        Binding("f", "force", S.FORCE, id="gate.force"),
        Binding("escape", "cancel", S.KEY_CANCEL, id="dialog.cancel"),
    ]

    cancelled = None

    def __init__(
        self, account: str, deal_name: str, stage: int, missing: list[Deliverable]
    ) -> None:
        super().__init__()
        self.account = account
        self.deal_name = deal_name
        self.stage = stage
        self.missing = missing
        self.ticked: set[str] = set()

    def body(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(
                content(
                    S.GATE_HEADING.format(
                        account=self.account, deal=self.deal_name, stage=self.stage,
                        label=S.stage_name(self.stage),
                    )
                ),
                classes="dialog-title", id="gate-title",
            )  # fmt: skip
            yield Label(content(S.GATE_HOW), classes="dialog-hint")
            yield Checklist(id="gate-missing")
            yield Refusal(id="gate-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.TICK_AND_ADVANCE, variant="primary", id="advance", compact=True)
                yield Button(S.FORCE, variant="warning", id="force", compact=True)
                yield Button(S.CANCEL, id="cancel", compact=True)

    def on_mount(self) -> None:
        self._show(keep=False)
        self.query_one(Checklist).focus()

    def _show(self, *, keep: bool = True) -> None:
        items = [
            Item(d.key, S.both(d.label, d.label_zh), d.key in self.ticked) for d in self.missing
        ]
        self.query_one(Checklist).show(items, keep=keep)

    @on(Checklist.Toggled)
    def _toggled(self, event: Checklist.Toggled) -> None:
        if event.checked:
            self.ticked.add(event.key)
        else:
            self.ticked.discard(event.key)
        self._show()

    @on(Button.Pressed, "#advance")
    def action_advance(self) -> None:
        if len(self.ticked) < len(self.missing):
            self.query_one("#gate-error", Static).update(content(S.GATE_TICK_ALL))
            return
        self.dismiss(GateChoice(tick=tuple(d.key for d in self.missing)))

    @on(Button.Pressed, "#force")
    def action_force(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self.dismiss(GateChoice(force_reason=reason))

        self.app.push_screen(ReasonDialog(S.FORCE_REASON_TITLE.format(stage=self.stage)), done)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


@dataclass(frozen=True)
class NewInteraction:
    kind: str
    on: date
    executive: bool
    summary: str
    contact_id: int | None


class InteractionDialog(KeepsTyped[NewInteraction | None]):
    """Log a call, email, meeting or visit. The summary takes several lines (Enter starts
    a new one; ctrl+s saves), and a line above the buttons says what will be saved, so an
    interaction without a summary is saved only knowingly."""

    cancelled = None

    def __init__(self, today: date, contacts: list[tuple[int, str]], account: str = "") -> None:
        super().__init__()
        self.today = today
        self.contacts = contacts
        self.account = account

    def body(self) -> ComposeResult:
        kinds = [(S.kind_name(k), k) for k in ("call", "email", "meeting", "visit")]
        with VerticalScroll(classes="dialog", id="log-body"):
            title = S.LOG_TITLE_AT.format(account=self.account) if self.account else S.LOG_TITLE
            yield Label(content(title), classes="dialog-title")
            yield from field_row(S.LOG_KIND, Select(kinds, value="call", allow_blank=False,
                                                    id="log-kind", compact=True), "log-kind")  # fmt: skip
            yield from field_row(
                S.LOG_DATE,
                Input(self.today.isoformat(), placeholder="YYYY-MM-DD", id="log-on", compact=True),
                "log-on",
            )
            yield from field_row(
                S.LOG_WITH,
                Select([(plain(name), cid) for cid, name in self.contacts], prompt=S.LOG_NOBODY,
                       id="log-contact", compact=True),
                "log-contact",
            )  # fmt: skip
            yield from field_row(
                S.LOG_EXECUTIVE,
                Select(yes_no(), value=False, allow_blank=False, id="log-executive", compact=True),
                "log-executive",
            )
            yield Label(content(S.LOG_SUMMARY_LABEL), classes="field-label wide")
            yield TextArea(id="log-summary", soft_wrap=True, show_line_numbers=False, compact=True)
            yield Static(id="log-preview", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.SAVE, variant="primary", id="save", compact=True)
                yield Button(S.CANCEL, id="cancel", compact=True)

    def on_mount(self) -> None:
        """Start at the summary: what happened is what a rep has to type."""
        self.query_one("#log-summary", TextArea).focus()
        self._preview()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _preview(self) -> None:
        """Say what ctrl+s will save, as it stands."""
        kind = str(self.query_one("#log-kind", Select).value)
        raw = self.query_one("#log-on", Input).value.strip()
        contact = self.query_one("#log-contact", Select).value
        names = dict(self.contacts)
        line = S.LOG_PREVIEW.format(kind=S.kind_name(kind), on=raw)
        if isinstance(contact, int) and contact in names:
            line += S.LOG_PREVIEW_WITH.format(name=names[contact])
        if self.query_one("#log-executive", Select).value is True:
            line += S.LOG_PREVIEW_EXECUTIVE
        summary = self.query_one("#log-summary", TextArea).text.strip()
        line += S.LOG_PREVIEW_SUMMARY if summary else S.LOG_PREVIEW_NO_SUMMARY
        self.query_one("#log-preview", Static).update(content(line))

    def action_save(self) -> None:
        error = self.query_one("#e-log-on", Static)
        error.update("")
        raw = self.query_one("#log-on", Input).value.strip()
        try:
            on_day = date.fromisoformat(raw)
        except ValueError:
            error.update(content(S.BAD_DATE.format(value=raw)))
            self.query_one("#log-on", Input).focus()
            return
        if on_day > self.today:
            error.update(content(S.FUTURE_DATE))
            self.query_one("#log-on", Input).focus()
            return
        contact = self.query_one("#log-contact", Select).value
        self.dismiss(
            NewInteraction(
                kind=str(self.query_one("#log-kind", Select).value),
                on=on_day,
                executive=self.query_one("#log-executive", Select).value is True,
                summary=self.query_one("#log-summary", TextArea).text.strip(),
                contact_id=contact if isinstance(contact, int) else None,
            )
        )


class ConfirmDialog(Dialog[bool]):
    """A yes/no question (moving an account to the trash, purging it, replacing a file,
    leaving a form without saving); dismisses True for yes. ``danger`` makes yes a red
    button and leaves the focus on Cancel. It has no ctrl+s: a question such as "leave
    without saving?" must not be answered by the key that saves."""

    BINDINGS = [
        Binding("y", "confirm", S.YES, id="confirm.yes"),
        Binding("n", "no", S.NO, id="confirm.no"),
        Binding("escape", "cancel", S.KEY_CANCEL, id="dialog.cancel"),
    ]

    cancelled = False

    def __init__(self, question: str, yes: str, *, danger: bool = False) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.danger = danger

    def body(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self.question), classes="dialog-title", id="question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="error" if self.danger else "primary", id="yes",
                             compact=True)  # fmt: skip
                yield Button(S.CANCEL, id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


class PickDialog(Dialog[str | None]):
    """Choose one of a few options (a role, a manager, a tier); dismisses its key, or None
    when cancelled. Option labels are user text, shown literally."""

    BINDINGS = [
        Binding("ctrl+s", "choose", S.CHOOSE, id="pick.choose"),
        Binding("escape", "cancel", S.KEY_CANCEL, id="dialog.cancel"),
    ]

    cancelled = None

    def __init__(self, title: str, options: list[tuple[str, str]], current: str | None) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.current = current

    def body(self) -> ComposeResult:
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

    def action_choose(self) -> None:
        index = self.query_one("#choices", OptionList).highlighted
        if index is not None:
            self.dismiss(self.options[index][1])


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

    def body(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield from field_row(S.TASK_TITLE, Input(id="task-title", compact=True), "title")
            yield from field_row(
                S.TASK_DUE,
                Input(self.due.isoformat(), placeholder="YYYY-MM-DD", id="task-due", compact=True),
                "due",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.SAVE, variant="primary", id="save", compact=True)
                yield Button(S.CANCEL, id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#task-title", Input).focus()

    def action_save(self) -> None:
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
