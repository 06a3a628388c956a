"""Asking for the files of a team view: paths one per line, or several on one line."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static, TextArea

from kamtui.domain.errors import KamError
from kamtui.services.team import split_paths
from kamtui.ui import strings as S
from kamtui.ui.safe import content
from kamtui.ui.screens.dialogs import KeepsTyped, Refusal


class TeamFilesDialog(KeepsTyped[list[str] | None]):
    """Dismisses with the paths typed (each one an existing file), or None. Enter starts a
    new line (a path per line); ctrl+s opens them."""

    BINDINGS = [Binding("ctrl+s", "save", S.TEAM_DIALOG_OPEN, id="team.open")]

    cancelled = None

    def __init__(self, value: str = "") -> None:
        super().__init__()
        self.value = value

    def body(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(content(S.TEAM_DIALOG_TITLE), classes="dialog-title")
            yield TextArea(self.value, id="team-paths", soft_wrap=True, show_line_numbers=False)
            yield Refusal(id="team-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(S.TEAM_DIALOG_OPEN, variant="primary", id="save", compact=True)
                yield Button(S.CANCEL, id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def _error(self, message: str) -> None:
        self.query_one("#team-error", Static).update(content(message))
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        try:
            paths = split_paths(self.query_one(TextArea).text)
        except KamError as e:
            self._error(e.message)
            return
        if not paths:
            self._error(S.TEAM_DIALOG_NONE)
            return
        missing = next((p for p in paths if not Path(p).is_file()), None)
        if missing is not None:
            self._error(S.TEAM_DIALOG_MISSING.format(path=missing))
            return
        self.dismiss(paths)
