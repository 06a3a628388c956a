"""A checklist of deliverables that reads without colour: ``[x]`` ticked, ``[ ]`` not, and
``›`` before the one the cursor is on, whether or not the list has the focus.

Space (or a click on an item) ticks or unticks the item under the cursor and posts
``Checklist.Toggled``; the list itself only shows: whoever owns it writes the tick and
shows the list again (``show``), so what is on screen is what the book holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kamtui.ui import strings as S
from kamtui.ui.safe import text


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    checked: bool


class Checklist(OptionList):
    BINDINGS = [Binding("space", "tick", S.KEY_TICK_DELIVERABLE, key_display="space")]

    @dataclass
    class Toggled(Message):
        """The rep ticked (``checked``) or unticked the item ``key``."""

        checklist: Checklist
        key: str
        checked: bool

        @property
        def control(self) -> Checklist:
            return self.checklist

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.items: list[Item] = []
        self._marked: int | None = None  # the item drawn with the ``›``

    def show(self, items: list[Item], *, keep: bool = True) -> None:
        """Show ``items``, the cursor where it was (``keep``) or else on the first item
        not ticked."""
        cursor = self.highlighted if keep else None
        if cursor is None or cursor >= len(items):
            cursor = next((n for n, item in enumerate(items) if not item.checked), 0)
        self.items = list(items)
        self.clear_options()
        self.add_options(
            [Option(self._prompt(n, cursor), id=f"item-{n}") for n in range(len(items))]
        )
        self._marked = cursor if items else None
        if items:
            self.highlighted = cursor

    def _prompt(self, index: int, cursor: int | None) -> Text:
        item = self.items[index]
        line = Text("› " if index == cursor else "  ", style="bold")
        line.append("[x] " if item.checked else "[ ] ", style="bold" if item.checked else "")
        line.append_text(text(item.label))
        return line

    @property
    def current(self) -> Item | None:
        index = self.highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    @on(OptionList.OptionHighlighted)
    def _move_mark(self, event: OptionList.OptionHighlighted) -> None:
        """Move the ``›`` with the cursor."""
        new = event.option_index
        for index in {self._marked, new}:
            if index is not None and index < len(self.items):
                self.replace_option_prompt_at_index(index, self._prompt(index, new))
        self._marked = new

    def action_tick(self) -> None:
        item = self.current
        if item is not None:
            self.post_message(self.Toggled(self, item.key, not item.checked))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click on an item ticks or unticks it."""
        event.stop()
        self.action_tick()
