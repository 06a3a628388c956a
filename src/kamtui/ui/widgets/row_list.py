"""A list of rows drawn line by line (only the lines on screen), with a cursor.

The weekly plan and the health list are long (tens of thousands of plan items in a big
book): they draw only what is on screen. A row may take several lines (an account and
its flags). Keys move the cursor; a click puts the cursor on a row, and a click on the
row the cursor is on already chooses it (as Enter does).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView

from kamtui.ui import strings as S


class RowList(ScrollView, can_focus=True):
    PAGE = 20  # rows a PageUp or PageDown moves

    BINDINGS = [
        Binding("up", "cursor(-1)", S.KEY_UP, show=False),
        Binding("down", "cursor(1)", S.KEY_DOWN, show=False),
        Binding("pageup", "page(-1)", S.KEY_PAGE_UP, show=False),
        Binding("pagedown", "page(1)", S.KEY_PAGE_DOWN, show=False),
    ]

    cursor: reactive[int] = reactive(0, init=False)

    class Chosen(Message):
        """A click on the row the cursor was on already."""

        def __init__(self, row: int, x: int) -> None:
            super().__init__()
            self.row, self.x = row, x

    # ---- what a subclass says ------------------------------------------------------------------
    @property
    def rows(self) -> int:
        raise NotImplementedError

    def row_span(self, row: int) -> tuple[int, int]:
        """The first and last line of ``row``."""
        return row, row

    def row_at(self, line: int) -> int | None:
        """The row drawn on ``line`` (counted from the top of the whole list)."""
        return line if 0 <= line < self.rows else None

    # ---- the cursor ----------------------------------------------------------------------------
    def keep_cursor(self) -> None:
        """After new rows: the cursor stays where it was, or on the last row."""
        self.set_reactive(RowList.cursor, min(self.cursor, max(0, self.rows - 1)))

    def watch_cursor(self, old: int, new: int) -> None:
        first, last = self.row_span(new) if self.rows else (0, 0)
        top = round(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            self.scroll_to(y=min(first, last - height + 1), animate=False, immediate=True)
        else:  # no scrolling: redraw the two rows alone
            for row in (old, new):
                if 0 <= row < self.rows:
                    start, end = self.row_span(row)
                    self.refresh_lines(start, end - start + 1)
            return
        self.refresh()

    def action_cursor(self, step: int) -> None:
        if self.rows:
            self.cursor = max(0, min(self.rows - 1, self.cursor + step))

    def action_page(self, step: int) -> None:
        self.action_cursor(step * self.PAGE)

    def on_click(self, event: events.Click) -> None:
        row = self.row_at(round(self.scroll_offset.y) + event.y)
        if row is None:
            return
        if row == self.cursor:
            self.post_message(self.Chosen(row, event.x))
        else:
            self.cursor = row
