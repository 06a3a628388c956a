"""The trash: accounts deleted from the Book, to restore (``r``) or delete for good (``P``,
after a second confirmation that names the account)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker

from kamtui.domain.errors import KamError
from kamtui.services.book import Book
from kamtui.services.history import TrashedAccount, local_time
from kamtui.ui import strings as S
from kamtui.ui.messages import ShowsFailure
from kamtui.ui.read_only import HidesWrites
from kamtui.ui.safe import content, plain, text
from kamtui.ui.screens.dialogs import ConfirmDialog
from kamtui.ui.widgets.footer import KeyFooter


@dataclass
class TrashLoaded(Message):
    accounts: list[TrashedAccount]


@dataclass
class TrashChanged(Message):
    """A restore or purge finished (or failed, with ``error``): reload the trash."""

    note: str
    error: bool = False


class TrashScreen(ShowsFailure, HidesWrites, Screen[None]):
    WRITES = frozenset({"restore", "purge"})
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="trash.back"),
        Binding("r", "restore", S.KEY_RESTORE, id="trash.restore"),
        Binding("P", "purge", S.KEY_PURGE, id="trash.purge"),
    ]

    def __init__(self, book: Book, today: date) -> None:
        super().__init__()
        self.book = book
        self.today = today
        self.accounts: list[TrashedAccount] = []

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield DataTable(id="trash-table", cursor_type="row", zebra_stripes=True)
        yield Static(content(S.TRASH_HINT), id="trash-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(S.COL_NAME, S.COL_OWNER, S.COL_TIER, S.COL_DELETED, S.COL_DELETED_BY)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="trash", exit_on_error=False)
    def load(self) -> None:
        self.post_message(TrashLoaded(self.book.trash()))

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """A trash that could not be read says why in its status line."""
        if worker.group == "trash":
            self.query_one("#trash-status", Static).update(content(message))

    def on_trash_loaded(self, message: TrashLoaded) -> None:
        self.accounts = message.accounts
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for a in self.accounts:
            table.add_row(
                text(a.name), text(a.owner), text(a.tier or "–"), text(local_time(a.deleted_at)),
                text(a.deleted_by), key=str(a.id),
            )  # fmt: skip
        if self.accounts:
            table.move_cursor(row=min(keep, len(self.accounts) - 1))
        self.query_one("#title", Static).update(content(S.TRASH_TITLE.format(n=len(self.accounts))))
        if not self.accounts:
            self.query_one("#trash-status", Static).update(content(S.TRASH_EMPTY))

    @property
    def current(self) -> TrashedAccount | None:
        table = self.query_one(DataTable)
        if not self.accounts or table.cursor_row < 0:
            return None
        return self.accounts[min(table.cursor_row, len(self.accounts) - 1)]

    def action_restore(self) -> None:
        account = self.current
        if account is not None:
            self.write_restore(account)

    def action_purge(self) -> None:
        account = self.current
        if account is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.write_purge(account)

        question = S.CONFIRM_PURGE.format(name=plain(account.name))
        self.app.push_screen(ConfirmDialog(question, S.PURGE, danger=True), done)

    @work(thread=True, group="trash-write", exit_on_error=False)
    def write_restore(self, account: TrashedAccount) -> None:
        try:
            self.book.restore_account(account.id, self.today)
        except KamError as e:
            self.post_message(TrashChanged(str(e), error=True))
            return
        self.post_message(TrashChanged(S.RESTORED.format(name=account.name)))

    @work(thread=True, group="trash-write", exit_on_error=False)
    def write_purge(self, account: TrashedAccount) -> None:
        try:
            self.book.purge_account(account.id)
        except KamError as e:
            self.post_message(TrashChanged(str(e), error=True))
            return
        self.post_message(TrashChanged(S.PURGED.format(name=account.name)))

    def on_trash_changed(self, message: TrashChanged) -> None:
        self.notify(
            plain(message.note), markup=False, severity="error" if message.error else "information"
        )
        self.load()
