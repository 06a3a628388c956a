"""Health (健康度预警): every flagged account, red first, each flag with its reason and date."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from kamtui.services.book import Book, FlaggedAccount
from kamtui.ui import strings as S
from kamtui.ui.safe import content, text
from kamtui.ui.widgets.footer import KeyFooter


class FlaggedLoaded(Message):
    def __init__(self, owner: str | None, accounts: list[FlaggedAccount]) -> None:
        super().__init__()
        self.owner, self.accounts = owner, accounts


class FlagList(ScrollView, can_focus=True):
    """One line per account (colour, score, tier, name) followed by its flags."""

    BINDINGS = [
        Binding("up", "cursor(-1)", S.KEY_UP, show=False),
        Binding("down", "cursor(1)", S.KEY_DOWN, show=False),
        Binding("pageup", "cursor(-10)", S.KEY_PAGE_UP, show=False),
        Binding("pagedown", "cursor(10)", S.KEY_PAGE_DOWN, show=False),
    ]
    COMPONENT_CLASSES = {
        "flag-list--cursor",
        "health--green",
        "health--yellow",
        "health--red",
        "flag-list--date",
    }

    cursor: reactive[int] = reactive(0, init=False)

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.accounts: list[FlaggedAccount] = []
        self.lines: list[tuple[int, int]] = []  # (account index, flag index or -1)

    def show(self, accounts: list[FlaggedAccount]) -> None:
        self.accounts = accounts
        self.lines = [(n, k) for n, a in enumerate(accounts) for k in range(-1, len(a.flags))]
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.lines))
        self.set_reactive(FlagList.cursor, min(self.cursor, max(0, len(accounts) - 1)))
        self.refresh()

    @property
    def current(self) -> FlaggedAccount | None:
        return self.accounts[self.cursor] if 0 <= self.cursor < len(self.accounts) else None

    def _first_line(self, account_index: int) -> int:
        return self.lines.index((account_index, -1)) if self.accounts else 0

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

    def watch_cursor(self, old: int, new: int) -> None:
        first = self._first_line(new)
        last = first + len(self.accounts[new].flags) if self.accounts else first
        top = round(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            self.scroll_to(y=min(first, last - height + 1), animate=False, immediate=True)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        if self.accounts:
            self.cursor = max(0, min(len(self.accounts) - 1, self.cursor + step))


class HealthScreen(Screen[None]):
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
