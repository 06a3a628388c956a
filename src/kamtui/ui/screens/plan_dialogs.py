"""The weekly plan's dialogs: putting items off until a day, and the standard e-mail to a
batch of tier-C accounts. Like every dialog, they return through ``dismiss``, write
nothing themselves, save with ctrl+s (said in their footer) and leave with Esc (asking
first when something was typed or unticked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, SelectionList, Static

from kamtui.domain.errors import FieldError, KamError
from kamtui.domain.parsing import parse_date
from kamtui.domain.plan import PlanItem, check_snooze
from kamtui.ui import strings as S
from kamtui.ui.safe import content, plain
from kamtui.ui.screens.dialogs import KeepsTyped
from kamtui.ui.widgets.footer import KeyFooter


@dataclass(frozen=True)
class PutOff:
    until: date
    reason: str


class SnoozeDialog(KeepsTyped[PutOff | None]):
    """Put plan items off until a day (next Monday unless the rep says otherwise), with an
    optional reason."""

    BINDINGS = [
        Binding("escape", "cancel", S.KEY_CANCEL),
        Binding("ctrl+s", "save", S.SNOOZE_SAVE, id="snooze.save"),
    ]
    cancelled = None

    def __init__(self, title: str, today: date, until: date) -> None:
        super().__init__()
        self.title_text, self.today, self.until = title, today, until

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield Label(S.SNOOZE_UNTIL)
            yield Input(self.until.isoformat(), placeholder="YYYY-MM-DD", id="f-until")
            yield Static(id="e-until", classes="field-error")
            yield Label(S.SNOOZE_REASON)
            yield Input(placeholder=S.SNOOZE_REASON_PLACEHOLDER, id="f-reason")
            yield Static(id="e-reason", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.SNOOZE_SAVE, variant="primary", id="save")
                yield Button(S.CANCEL, id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#f-until", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        for error in ("#e-until", "#e-reason"):
            self.query_one(error, Static).update("")
        raw = self.query_one("#f-until", Input).value.strip()
        try:
            until = parse_date(raw)
            if until is None:
                raise FieldError("until", S.BAD_DATE.format(value=raw))
            until, reason = check_snooze(
                until, self.query_one("#f-reason", Input).value, self.today
            )
        except FieldError as e:
            self._refuse(e.field, S.say(e.message))
            return
        except KamError:
            self._refuse("until", S.BAD_DATE.format(value=raw))
            return
        self.dismiss(PutOff(until, reason))

    def _refuse(self, field: str, message: str) -> None:
        field = field if field in ("until", "reason") else "until"
        self.query_one(f"#e-{field}", Static).update(content(message))
        self.query_one(f"#f-{field}", Input).focus()


class BatchDialog(KeepsTyped[list[PlanItem] | None]):
    """The standard e-mail to a batch of tier-C accounts: every open account ticked; space
    leaves one out (or takes it back in); ctrl+s logs an e-mail to each ticked one."""

    CHROME = 18  # the dialog's rows besides its list: title, hint, buttons, borders
    BINDINGS = [
        Binding("escape", "cancel", S.KEY_CANCEL),
        Binding("ctrl+s", "save", S.BATCH_SAVE, id="batch.save"),
    ]
    cancelled = None

    def __init__(self, title: str, members: list[PlanItem]) -> None:
        super().__init__()
        self.title_text, self.members = title, members

    def _typed(self) -> list[object]:
        return [sorted(self.query_one(SelectionList).selected)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog batch"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield Static(content(S.BATCH_HINT), classes="dialog-hint")
            yield SelectionList[int](
                *[
                    (f"{m.due.isoformat()}  {plain(m.account)}  {S.say(m.reason)}", n, True)
                    for n, m in enumerate(self.members)
                ],
                id="batch-accounts",
            )
            yield Static(id="batch-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.BATCH_SAVE, variant="primary", id="save")
                yield Button(S.CANCEL, id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """A batch of 40 accounts scrolls in its list: the buttons stay in view."""
        rows = max(3, self.app.size.height - self.CHROME)
        self.query_one(SelectionList).styles.max_height = rows

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        chosen = sorted(self.query_one(SelectionList).selected)
        if not chosen:
            self.query_one("#batch-error", Static).update(content(S.BATCH_NONE))
            return
        self.dismiss([self.members[n] for n in chosen])
