"""A row of tab titles: the account screen's tabs.

One widget that draws every title, instead of a widget per tab: opening an account pays
for one line, not for seven tabs and their animated underline. When the titles do not fit
on one line they wrap onto the next, between two titles: every tab stays in view. A click
on a title posts ``TabStrip.Chosen``; the screen shows that tab.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

GAP = 3  # cells between two titles


class TabStrip(Widget):
    COMPONENT_CLASSES = {"tab-strip--active"}
    DEFAULT_CSS = """
    TabStrip {
        height: auto;
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

    def _labels(self) -> list[str]:
        return [f"{n + 1} {title}" for n, (_, title) in enumerate(self.tabs)]

    def _lines(self, width: int) -> list[list[int]]:
        """Which tabs go on which line, for a strip ``width`` cells wide."""
        lines: list[list[int]] = [[]]
        used = 0
        for index, label in enumerate(self._labels()):
            size = cell_len(label)
            if lines[-1] and used + GAP + size > width:
                lines.append([])
                used = 0
            used += (GAP if lines[-1] else 0) + size
            lines[-1].append(index)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        style = self.get_component_rich_style("tab-strip--active")
        labels = self._labels()
        for n, line in enumerate(self._lines(self.content_region.width or 1)):
            if n:
                out.append("\n")
            for i, index in enumerate(line):
                if i:
                    out.append(" " * GAP)
                active = self.tabs[index][0] == self.active
                out.append(labels[index], style=style if active else "")
        return out

    def tab_at(self, x: int, y: int = 0) -> str | None:
        """The tab whose title is at column ``x`` of line ``y`` of the content."""
        lines = self._lines(self.content_region.width or 1)
        if not 0 <= y < len(lines):
            return None
        labels = self._labels()
        start = 0
        for index in lines[y]:
            end = start + cell_len(labels[index])
            if start <= x < end:
                return self.tabs[index][0]
            start = end + GAP
        return None

    def on_click(self, event: events.Click) -> None:
        tab = self.tab_at(event.x - self.styles.padding.left, event.y)
        if tab is not None:
            self.post_message(self.Chosen(tab))
