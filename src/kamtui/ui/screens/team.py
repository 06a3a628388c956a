"""The team view's screens: the Book and the account screen over several reps' files.

They are the rep's screens with what a manager needs on top: totals per owner, files whose
stored values are from another day, a mark on accounts whose customer is in more than one
file (and, on the account, which files and owners), and a clear refusal of every write.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kamtui.services.book import AccountRow
from kamtui.services.team import TeamAccountView, TeamBook, TeamRow, TeamSummary
from kamtui.ui import strings as S
from kamtui.ui.messages import AccountChanged, AccountLoaded, SummaryLoaded
from kamtui.ui.safe import content, text
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.book import BookScreen
from kamtui.ui.widgets.account_table import AccountTable

SHARED_MARK = "⇄ "
MAX_OWNER_LINES = 12


class TeamAccountTable(AccountTable):
    """The Book's table, with ⇄ before an account whose customer is in another file."""

    COMPONENT_CLASSES = AccountTable.COMPONENT_CLASSES | {"account-table--shared"}

    def _cells(self, row: AccountRow) -> list[Text]:
        cells = super()._cells(row)
        if isinstance(row, TeamRow) and row.shared:
            name = text(SHARED_MARK, self._style("account-table--shared"))
            name.append_text(cells[1])
            cells[1] = name
        return cells


def refuse(screen: AccountScreen) -> None:
    screen.notify(S.TEAM_READ_ONLY, severity="warning", markup=False)


class TeamBookScreen(BookScreen):
    """The Book of a team: every file's accounts, with totals per owner. Its keys that
    would change a book are not offered (a team's book refuses them anyway), nor the trash
    and the import, which belong to one rep's file."""

    WRITES = BookScreen.WRITES | {"open_trash", "open_import"}
    READ_ONLY_NOTE = "TEAM_READ_ONLY"
    book: TeamBook

    def __init__(self, book: TeamBook, today: date) -> None:
        super().__init__(book, today)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if type(widget) is AccountTable:
                widget = TeamAccountTable(id=widget.id)
            yield widget
            if widget.id == "summary":
                # the owners' lines scroll when the terminal is short (app.tcss)
                yield VerticalScroll(Static(id="team-lines", markup=False), id="team")

    def _title(self) -> Content:
        files = ", ".join(m.label for m in self.book.members)
        title = S.TEAM_TITLE.format(n=len(self.book.members), files=files)
        return content(title + (f"  [{S.TITLE_DAMAGED}]" if self.book.damage else ""))

    def on_summary_loaded(self, message: SummaryLoaded) -> None:
        s = message.summary
        if not isinstance(s, TeamSummary):
            return
        lines = Text()  # wraps: a warning is never cut off
        for stale in s.stale:
            day = stale.derived_on.isoformat() if stale.derived_on else S.TEAM_NEVER
            lines.append_text(
                text(S.TEAM_STALE.format(file=stale.book, day=day, today=self.today.isoformat()))
            )
            lines.append("\n")
        if s.shared:
            lines.append(S.TEAM_SHARED.format(n=f"{s.shared:,}") + "\n")
        for n, t in enumerate(s.owner_totals):
            if n == MAX_OWNER_LINES:
                lines.append(f"… +{len(s.owner_totals) - n}\n")
                break
            lines.append_text(
                text(
                    S.TEAM_OWNER.format(
                        owner=t.owner or S.TEAM_NO_OWNER,
                        accounts=f"{t.accounts:,}",
                        red=t.red,
                        yellow=t.yellow,
                        deals=f"{t.deals:,}",
                        amount=f"{t.amount:,.0f}",
                        files=", ".join(t.books),
                    )  # fmt: skip
                )
            )
            lines.append("\n")
        lines.rstrip()
        self.query_one("#team-lines", Static).update(lines)


class TeamAccountScreen(AccountScreen):
    """One account of a team: which file it is in, and where else its customer is."""

    READ_ONLY_NOTE = "TEAM_READ_ONLY"

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield widget
            if widget.id == "title":
                yield Static(id="team-note", markup=False)

    def on_account_loaded(self, message: AccountLoaded) -> None:
        v = message.view
        if not isinstance(v, TeamAccountView):
            return
        if v.config is not None:  # runs before AccountScreen's handler, which reads the model
            self.book.config = v.config
        note = text(S.TEAM_FROM.format(file=v.book, owner=v.profile.get("owner") or "–"))
        for other in v.shared:
            note.append("\n")
            note.append_text(
                text(
                    S.TEAM_ALSO_IN.format(
                        file=other.book, name=other.name, owner=other.owner or "–"
                    )
                )
            )
        self.query_one("#team-note", Static).update(note)

    def _writable(self) -> bool:
        refuse(self)
        return False

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_check(self, deal_id: int, key: str, done: bool) -> None:
        """A ticked deliverable: refused, and the checklist shown as it is again."""
        self.post_message(AccountChanged(S.TEAM_READ_ONLY, error=True))
