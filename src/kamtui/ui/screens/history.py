"""An account's change history in full: every recorded change, newest first, with when
and who (``h`` on the account screen)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kamtui.domain.scoring import ScoringModel
from kamtui.services.history import Change
from kamtui.ui import strings as S
from kamtui.ui.changes import Names, history_line
from kamtui.ui.safe import content
from kamtui.ui.widgets.footer import KeyFooter


def history_text(
    changes: tuple[Change, ...], model: ScoringModel | None, names: Names | None = None
) -> Text:
    """The changes, one a line, in the UI's words (``names``: the account's contacts)."""
    lines = Text()
    for change in changes:
        lines.append_text(history_line(change, model, names))
        lines.append("\n")
    if not changes:
        lines.append(f"  {S.HISTORY_NONE}\n", style="dim")
    return lines


class HistoryScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", S.KEY_BACK),
        Binding("h", "dismiss", S.KEY_BACK, show=False),
    ]

    def __init__(
        self,
        title: str,
        changes: tuple[Change, ...],
        model: ScoringModel,
        names: Names | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.changes = changes
        self.model = model
        self.names = names

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog history", id="history-body"):
            yield Label(content(self.title_text), classes="dialog-title")
            yield Static(history_text(self.changes, self.model, self.names), id="history-lines")
        yield KeyFooter()  # Esc is said, as on every screen

    def on_mount(self) -> None:
        self.query_one("#history-body").focus()
