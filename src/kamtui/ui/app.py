"""The kamtui Textual application."""

from __future__ import annotations

from datetime import date

from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.commands import AccountCommands
from kamtui.ui.safe import plain
from kamtui.ui.screens.book import BookScreen


class KamApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "kamtui"
    BINDINGS = [
        Binding("q", "quit", S.KEY_QUIT, id="app.quit"),
        Binding("question_mark", "toggle_help", S.KEY_HELP, key_display="?", id="app.help"),
    ]
    COMMANDS = App.COMMANDS | {AccountCommands}

    def __init__(self, book: Book, *, today: date) -> None:
        super().__init__()
        self.book = book
        self.today = today

    def get_default_screen(self) -> BookScreen:
        return BookScreen(self.book, self.today)

    def open_account(self, account_id: int) -> None:
        from kamtui.ui.screens.account import AccountScreen

        self.push_screen(AccountScreen(self.book, self.today, account_id))

    def action_toggle_help(self) -> None:
        """? shows every key of the screen and the focused widget; ? again hides them."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed database call becomes a message for the user."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            message = plain(S.ERROR.format(error=event.worker.error))
            self.notify(message, severity="error", timeout=10, markup=False)
