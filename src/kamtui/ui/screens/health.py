"""Health (健康度预警): every flagged account, red first, each flag with its reason and date."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static
from textual.worker import Worker

from kamtui.services.book import Book, FlaggedAccount
from kamtui.ui import strings as S
from kamtui.ui.messages import ShowsFailure
from kamtui.ui.safe import content, text
from kamtui.ui.widgets.footer import KeyFooter
from kamtui.ui.widgets.row_list import RowList


class FlaggedLoaded(Message):
    def __init__(self, owner: str | None, accounts: list[FlaggedAccount]) -> None:
        super().__init__()
        self.owner, self.accounts = owner, accounts


class FlagList(RowList):
    """One line per account (colour, score, tier, name) followed by its flags."""

    PAGE = 10
    COMPONENT_CLASSES = {
        "flag-list--cursor",
        "health--green",
        "health--yellow",
        "health--red",
        "flag-list--date",
    }

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.accounts: list[FlaggedAccount] = []
        self.lines: list[tuple[int, int]] = []  # (account index, flag index or -1)
        self.first_lines: list[int] = []  # the line each account starts on

    def show(self, accounts: list[FlaggedAccount]) -> None:
        self.accounts = accounts
        self.lines = [(n, k) for n, a in enumerate(accounts) for k in range(-1, len(a.flags))]
        self.first_lines = [i for i, (_, k) in enumerate(self.lines) if k < 0]
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.lines))
        self.keep_cursor()
        self.refresh()

    @property
    def rows(self) -> int:
        return len(self.accounts)

    def row_span(self, row: int) -> tuple[int, int]:
        first = self.first_lines[row]
        return first, first + len(self.accounts[row].flags)

    def row_at(self, line: int) -> int | None:
        return self.lines[line][0] if 0 <= line < len(self.lines) else None

    @property
    def current(self) -> FlaggedAccount | None:
        return self.accounts[self.cursor] if 0 <= self.cursor < len(self.accounts) else None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        n, k = self.lines[index]
        account = self.accounts[n]
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        if k < 0:
            style = self.get_component_rich_style(f"health--{account.color or 'green'}")
            line.append(
                f"● {account.score if account.score is not None else '–':>3}  ", style=style
            )
            line.append(f"{account.tier or '–':<2} ")
            line.append_text(text(account.name, "bold"))
            line.append("  ")
            line.append_text(text(account.owner, "dim"))
        else:
            flag = account.flags[k]
            line.append("      ⚑ ", style=self.get_component_rich_style(f"health--{flag.severity}")
                        if flag.severity in ("red", "yellow") else "")  # fmt: skip
            line.append(
                f"{flag.date.isoformat()}  ", style=self.get_component_rich_style("flag-list--date")
            )
            line.append_text(text(S.say(flag.reason)))
        line.truncate(width, overflow="ellipsis", pad=True)
        if n == self.cursor:
            line.stylize(self.get_component_rich_style("flag-list--cursor"))
        return Strip(line.render(self.app.console), width)


class HealthScreen(ShowsFailure, Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="health.back"),
        Binding("enter", "open", S.KEY_OPEN, id="health.open"),
        Binding("w", "cycle_owner", S.KEY_OWNER, id="health.owner"),
    ]

    def __init__(self, book: Book, today: date, owners: list[str]) -> None:
        super().__init__()
        self.book, self.today, self.owners = book, today, owners
        self.owner: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield FlagList(id="flag-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(FlagList).focus()
        self.load(self.owner)

    def on_screen_resume(self) -> None:
        self.load(self.owner)

    @work(thread=True, exclusive=True, group="health", exit_on_error=False)
    def load(self, owner: str | None) -> None:
        self.post_message(FlaggedLoaded(owner, self.book.flagged(owner)))

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """Alerts that could not be read say why in the title."""
        if worker.group == "health":
            self.query_one("#title", Static).update(content(message))

    def on_flagged_loaded(self, message: FlaggedLoaded) -> None:
        if message.owner != self.owner:
            return
        accounts = message.accounts
        self.query_one(FlagList).show(accounts)
        counts = {c: sum(1 for a in accounts if a.color == c) for c in ("red", "yellow", "green")}
        self.query_one("#title", Static).update(
            content(
                S.HEALTH_TITLE.format(
                    n=f"{len(accounts):,}", owner=self.owner or S.FILTER_ANY, **counts
                )
            )
        )

    @on(RowList.Chosen)
    def action_open(self) -> None:
        account = self.query_one(FlagList).current
        if account is not None:
            self.app.open_account(account.id)  # type: ignore[attr-defined]

    def action_cycle_owner(self) -> None:
        choices: list[str | None] = [None, *self.owners]
        self.owner = (
            choices[(choices.index(self.owner) + 1) % len(choices)]
            if self.owner in choices
            else None
        )
        self.load(self.owner)
