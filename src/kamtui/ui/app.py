"""The kamtui Textual application."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from kamtui import logs
from kamtui.domain.errors import KamError
from kamtui.prefs import load_prefs, save_pref
from kamtui.services.book import Book, BookDamaged
from kamtui.ui import strings as S
from kamtui.ui.commands import (
    AccountCommands,
    DealCommands,
    ScreenCommands,
    TeamCommands,
)
from kamtui.ui.messages import ShowsFailure, TeamOpened
from kamtui.ui.safe import pasted, plain
from kamtui.ui.screens.book import BookScreen

if TYPE_CHECKING:
    from kamtui.services.team import TeamBook
    from kamtui.ui.first_rows import FirstRows

LOGGER = logs.LOGGER.getChild("app")
# Textual's widgets the screens show: imported before the app's keys are said in Chinese, so
# that their own keys (scrolling, editing) are listed by ? in Chinese too
WIDGETS = (
    "Button", "Checkbox", "DataTable", "HelpPanel", "Input", "OptionList", "ProgressBar",
    "Select", "SelectionList", "TextArea", "Tree",
)  # fmt: skip
STAYS = 24 * 3600.0  # seconds: a notification that stays until it is clicked away


def is_team(book: Book) -> TypeGuard[TeamBook]:
    """Whether ``book`` is a team view. The team module is loaded by what opens one (the
    ``team`` command, the team dialog), not at start-up: until it is, no book is one."""
    team = sys.modules.get("kamtui.services.team")
    return team is not None and isinstance(book, team.TeamBook)


class KamApp(App[None]):
    CSS_PATH = ["app.tcss", "dialogs.tcss"]
    TITLE = "kamtui"
    # classes a screen gets for its size (app.tcss): a screen under 30 lines or 120
    # columns makes room for what matters (the footer's keys, the names)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("q", "quit", S.KEY_QUIT, id="app.quit"),
        Binding("question_mark", "toggle_help", S.KEY_HELP, key_display="?", id="app.help"),
        # Textual's own ctrl+q and ctrl+p, said in the UI's language (footer and ?)
        Binding("ctrl+q", "quit", S.KEY_QUIT, show=False, priority=True),
        Binding("ctrl+p", "command_palette", S.KEY_PALETTE, show=False, priority=True),
    ]
    COMMANDS = App.COMMANDS | {
        AccountCommands, DealCommands, ScreenCommands, TeamCommands,
    }  # fmt: skip

    def __init__(
        self,
        book: Book,
        *,
        today: date,
        prefs: Path | None = None,
        first_rows: FirstRows | None = None,
    ) -> None:
        """``prefs``: where the rep's choices (the theme) are remembered; None: nowhere.
        ``first_rows``: the Book's first rows, being read while the UI loads (the CLI's)."""
        super().__init__()
        self.first_rows = first_rows
        if S.in_chinese():
            import textual.widgets

            for name in WIDGETS:
                getattr(textual.widgets, name)
            S.say_keys_again()
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

    async def on_event(self, event: events.Event) -> None:
        """A paste reaches the focused field as words (``safe.pasted``): no escape sequence
        or control character, and in a one-line field every line, joined with spaces."""
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = pasted(event.text, one_line=isinstance(self.focused, Input))
        await super().on_event(event)

    def get_default_screen(self) -> BookScreen:
        if is_team(self.book):
            from kamtui.ui.screens.team import TeamBookScreen

            return TeamBookScreen(self.book, self.today)
        return BookScreen(self.book, self.today, self.first_rows)

    def open_account(self, account_id: int, tab: str = "profile") -> None:
        """Show one account, on one of its tabs (profile, map, deals, …)."""
        from kamtui.ui.screens.account import AccountScreen

        if is_team(self.book):
            from kamtui.ui.screens.team import TeamAccountScreen

            self.push_screen(TeamAccountScreen(self.book, self.today, account_id, tab))
            return
        self.push_screen(AccountScreen(self.book, self.today, account_id, tab))

    def book_offers(self, action: str) -> bool:
        """Whether the Book offers ``action`` (a read-only book offers no writes)."""
        return self.screen_stack[0].check_action(action, ()) is not False

    async def book_action(self, action: str) -> None:
        """Run one of the Book's actions (open the plan, the pipeline…) from any screen."""
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.run_action(action, self.screen)

    def open_import(self) -> None:
        """The import screen: check a CSV or Excel file, then import it into the book."""
        from kamtui.ui.screens.import_screen import ImportScreen

        if is_team(self.book):
            self.notify(S.TEAM_READ_ONLY, severity="warning", markup=False)
        elif not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen(self.book, self.today))

    # ---- the team view ---------------------------------------------------------------------
    def ask_team_files(self) -> None:
        """Ask for reps' files and show them as one read-only team view."""
        from kamtui.ui.screens.team_dialog import TeamFilesDialog

        current = self.book.paths if is_team(self.book) else []

        def done(paths: list[str] | None) -> None:
            if paths:
                self.notify(S.TEAM_OPENING.format(n=len(paths)), markup=False)
                self.open_team(paths)

        self.push_screen(TeamFilesDialog("\n".join(str(p) for p in current)), done)

    @work(thread=True, exclusive=True, group="team-open", exit_on_error=False)
    def open_team(self, paths: list[str]) -> None:
        from kamtui.services.team import TeamBook

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

    # ---- the command palette in the UI's language --------------------------------------------
    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                CommandPalette(placeholder=S.PALETTE_PLACEHOLDER, id="--command-palette")
            )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        """Textual's own commands (theme, quit, keys, maximize, screenshot), worded."""
        yield SystemCommand(S.PALETTE_THEME, S.PALETTE_THEME_HELP, self.action_change_theme)
        yield SystemCommand(S.KEY_QUIT, S.PALETTE_QUIT_HELP, self.action_quit)
        if screen.query("HelpPanel"):
            yield SystemCommand(S.PALETTE_HELP, S.PALETTE_HIDE_HELP, self.action_hide_help_panel)
        else:
            yield SystemCommand(S.PALETTE_HELP, S.PALETTE_HELP_HELP, self.action_show_help_panel)
        if screen.maximized is not None:
            yield SystemCommand(S.PALETTE_MINIMIZE, S.PALETTE_MINIMIZE_HELP, screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(S.PALETTE_MAXIMIZE, S.PALETTE_MAXIMIZE_HELP, screen.action_maximize)
        yield SystemCommand(
            S.PALETTE_SCREENSHOT,
            S.PALETTE_SCREENSHOT_HELP,
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers; a screen's come through ``ShowsFailure``."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.work_failed(event.worker)

    def work_failed(self, worker: Worker[object]) -> None:
        """The one place a failed worker becomes one sentence on the screen and, unless the
        user caused it (a ``KamError``), a traceback in the log; the screen or widget that
        ran it is then told, so that nothing waits for it forever. A read that met a
        damaged page makes the whole book read-only (``book_damaged``)."""
        message = failure_sentence(worker)
        if isinstance(worker.error, BookDamaged):  # said once, and until the app ends
            self.book_damaged(worker.error.detail or message)
        else:
            self.notify(plain(message), severity="error", timeout=15, markup=False)
        node = worker.node
        if isinstance(node, ShowsFailure):
            node.work_failed(worker, message)

    def book_damaged(self, problem: str) -> None:
        """Say at once, and until the app ends, that the book is damaged, where to look
        and what to go back to; change nothing in it from now on (the keys that would are
        no longer offered)."""
        if self.book.damage:
            return
        self.book.stop_writing(problem)
        backup = self.book.newest_backup()
        said = S.BOOK_DAMAGED.format(
            path=self.book.path,
            problem=problem,
            backup=S.DAMAGED_BACKUP.format(backup=backup) if backup else S.DAMAGED_NO_BACKUP,
        )
        LOGGER.warning("%s", said)
        self.notify(plain(said), severity="error", timeout=STAYS, markup=False)
        for screen in self.screen_stack:
            screen.refresh_bindings()
            if isinstance(screen, BookScreen):
                screen.show_title()


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
