"""The kamtui Textual application."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from kamtui import logs
from kamtui.domain.errors import KamError
from kamtui.prefs import load_prefs, save_pref
from kamtui.services.book import Book
from kamtui.services.team import TeamBook
from kamtui.ui import strings as S
from kamtui.ui.commands import (
    AccountCommands,
    DealCommands,
    ScreenCommands,
    TeamCommands,
)
from kamtui.ui.messages import ShowsFailure, TeamOpened
from kamtui.ui.safe import plain
from kamtui.ui.screens.book import BookScreen

LOGGER = logs.LOGGER.getChild("app")

# A worker tells only the screen or widget that runs it how it is doing: Textual's
# Worker.StateChanged does not bubble. Made to bubble, the state of every worker reaches
# the app's one handler (``KamApp.on_worker_state_changed``), wherever the worker runs.
Worker.StateChanged.bubble = True


class KamApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "kamtui"
    BINDINGS = [
        Binding("q", "quit", S.KEY_QUIT, id="app.quit"),
        Binding("question_mark", "toggle_help", S.KEY_HELP, key_display="?", id="app.help"),
    ]
    COMMANDS = App.COMMANDS | {
        AccountCommands, DealCommands, ScreenCommands, TeamCommands,
    }  # fmt: skip

    def __init__(self, book: Book, *, today: date, prefs: Path | None = None) -> None:
        """``prefs``: where the rep's choices (the theme) are remembered; None: nowhere."""
        super().__init__()
        self.book = book
        self.today = today
        self.prefs = prefs
        self.opened: list[Book] = []  # team views opened in the app, closed when it ends
        self.teams_shown = 0

    def on_mount(self) -> None:
        theme = load_prefs(self.prefs).get("theme") if self.prefs else None
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self._theme_read = True

    def watch_theme(self, theme: str) -> None:
        """The theme chosen (ctrl+p → theme) is the one the app opens with next time."""
        if self.prefs is not None and getattr(self, "_theme_read", False):
            save_pref(self.prefs, "theme", theme)

    def get_default_screen(self) -> BookScreen:
        if isinstance(self.book, TeamBook):
            from kamtui.ui.screens.team import TeamBookScreen

            return TeamBookScreen(self.book, self.today)
        return BookScreen(self.book, self.today)

    def open_account(self, account_id: int, tab: str = "profile") -> None:
        """Show one account, on one of its tabs (profile, map, deals, …)."""
        from kamtui.ui.screens.account import AccountScreen

        if isinstance(self.book, TeamBook):
            from kamtui.ui.screens.team import TeamAccountScreen

            self.push_screen(TeamAccountScreen(self.book, self.today, account_id, tab))
            return
        self.push_screen(AccountScreen(self.book, self.today, account_id, tab))

    async def book_action(self, action: str) -> None:
        """Run one of the Book's actions (open the plan, the pipeline…) from any screen."""
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.run_action(action, self.screen)

    def open_import(self) -> None:
        """The import screen: check a CSV or Excel file, then import it into the book."""
        from kamtui.ui.screens.import_screen import ImportScreen

        if isinstance(self.book, TeamBook):
            self.notify(S.TEAM_READ_ONLY, severity="warning", markup=False)
        elif not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen(self.book, self.today))

    # ---- the team view ---------------------------------------------------------------------
    def ask_team_files(self) -> None:
        """Ask for reps' files and show them as one read-only team view."""
        from kamtui.ui.screens.team_dialog import TeamFilesDialog

        current = self.book.paths if isinstance(self.book, TeamBook) else []

        def done(paths: list[str] | None) -> None:
            if paths:
                self.notify(S.TEAM_OPENING.format(n=len(paths)), markup=False)
                self.open_team(paths)

        self.push_screen(TeamFilesDialog("\n".join(str(p) for p in current)), done)

    @work(thread=True, exclusive=True, group="team-open", exit_on_error=False)
    def open_team(self, paths: list[str]) -> None:
        self.post_message(TeamOpened(TeamBook.open_files(paths, today=self.today)))

    async def on_team_opened(self, message: TeamOpened) -> None:
        """Show the team view as a mode of its own; a team view shown before is closed."""
        from kamtui.ui.screens.team import TeamBookScreen

        team, today = message.team, self.today
        old_book, old_mode = self.book, self.current_mode
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.book = team
        self.opened.append(team)
        self.teams_shown += 1
        mode = f"team-{self.teams_shown}"
        self.add_mode(mode, lambda: TeamBookScreen(team, today))
        await self.switch_mode(mode)
        if old_mode != self.DEFAULT_MODE:
            await self.remove_mode(old_mode)
        # close a team opened here (the book the app started with is the CLI's to close)
        if old_book in self.opened:
            self.opened.remove(old_book)
            old_book.close()
        self.notify(S.TEAM_OPENED.format(n=len(team.members)), markup=False)

    def on_unmount(self) -> None:
        for book in self.opened:
            book.close()

    def action_toggle_help(self) -> None:
        """? shows every key of the screen and the focused widget; ? again hides them."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker becomes one sentence on the screen and, unless the
        user caused it (a ``KamError``), a traceback in the log; the screen that ran it is
        told (``ShowsFailure``) so that nothing waits for it forever."""
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.error is None:
            return
        message = failure_sentence(worker)
        self.notify(plain(message), severity="error", timeout=15, markup=False)
        node = worker.node
        if isinstance(node, ShowsFailure):
            node.work_failed(worker, message)


def failure_sentence(worker: Worker[object]) -> str:
    """What to tell the user of a failed worker; logs the traceback of a bug."""
    error = worker.error
    if isinstance(error, KamError):
        LOGGER.info("%s refused: %s", worker.name, error.message)
        return S.say(error.message)
    LOGGER.error("%s (%s) failed", worker.name, worker.group, exc_info=error)
    what = S.work_what(worker.group)
    log = logs.log_path()
    where = S.WORK_FAILED_LOG.format(log=log) if log is not None else S.WORK_FAILED_NO_LOG
    return S.WORK_FAILED.format(what=what, kind=type(error).__name__, where=where)
