"""A row of tab titles in one line: the account screen's tabs.

One widget that draws every title, instead of a widget per tab: opening an account pays
for one line, not for seven tabs and their animated underline. A click on a title posts
``TabStrip.Chosen``; the screen shows that tab.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

GAP = 3  # cells between two titles


class TabStrip(Widget):
    COMPONENT_CLASSES = {"tab-strip--active"}
    DEFAULT_CSS = """
    TabStrip {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    TabStrip > .tab-strip--active {
        color: $text;
        text-style: bold underline;
    }
    """
    active: reactive[str] = reactive("")

    @dataclass
    class Chosen(Message):
        tab: str

    def __init__(self, tabs: list[tuple[str, str]], active: str, **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tabs = tabs  # (id, title), in order
        self.set_reactive(TabStrip.active, active)

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        style = self.get_component_rich_style("tab-strip--active")
        for n, (key, title) in enumerate(self.tabs):
            if n:
                line.append(" " * GAP)
            line.append(f"{n + 1} {title}", style=style if key == self.active else "")
        return line

    def tab_at(self, x: int) -> str | None:
        """The tab whose title is at column ``x`` of the content."""
        start = 0
        for n, (key, title) in enumerate(self.tabs):
            end = start + cell_len(f"{n + 1} {title}")
            if start <= x < end:
                return key
            start = end + GAP
        return None

    def on_click(self, event: events.Click) -> None:
        tab = self.tab_at(event.x - self.styles.padding.left)
        if tab is not None:
            self.post_message(self.Chosen(tab))
