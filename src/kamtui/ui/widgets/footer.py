"""The footer of every screen: the keys that work here, as one piece of text.

Textual's footer makes a widget per key and builds them all again whenever the keys
change (a screen opens, the focus moves, a tab is shown): on the account screen that was
a third of the time it takes to open. This one draws the keys as text: a change of keys
is one repaint, once per frame. When the keys do not fit on one line they wrap onto as
many lines as they need: no key of the screen is ever cut off (the screens give way above
it). A click on a key presses it; a key
that cannot act here is dimmed, and a click on it rings the bell.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.dom import NoScreen
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

GAP = 1  # cells between two keys


@dataclass(frozen=True)
class FooterEntry:
    key: str  # what is pressed, e.g. "ctrl+r"
    display: str  # what is shown, e.g. "^r"
    description: str
    enabled: bool

    @property
    def width(self) -> int:
        return cell_len(self.display) + 2 + cell_len(self.description) + 1


class KeyFooter(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: auto;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}
    ALLOW_SELECT = False

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[FooterEntry] = []
        self._pending = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.entries = list(self._entries())  # for the first frame; read again after it
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:  # type: ignore[type-arg]
        if not self._pending and screen is self.screen:
            self._pending = True  # read the keys once, when this frame's changes are all in
            self.call_after_refresh(self._read_keys)

    def _read_keys(self) -> None:
        self._pending = False
        if not self.is_attached:  # its screen closed meanwhile
            return
        try:
            entries = list(self._entries())
        except NoScreen:  # its screen is closing
            return
        if entries != self.entries:
            self.entries = entries
            self.refresh(layout=True)

    def _entries(self) -> Iterator[FooterEntry]:
        """The keys of the screen shown in the footer: the first key of each action, then
        the command palette's."""
        active = self.screen.active_bindings
        actions: set[str] = set()
        palette = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        for key, (_, binding, enabled, _) in active.items():
            if binding.show and binding.action not in actions and key != palette:
                actions.add(binding.action)
                yield self._entry(binding, enabled)
        if palette is not None and palette in active:
            _, binding, enabled, _ = active[palette]
            yield self._entry(binding, enabled)

    def _entry(self, binding: Binding, enabled: bool) -> FooterEntry:
        return FooterEntry(
            binding.key, self.app.get_key_display(binding), binding.description, enabled
        )

    # ---- drawing -------------------------------------------------------------------------------
    def _lines(self, width: int) -> list[list[int]]:
        """Which entries go on which line, for a footer ``width`` cells wide."""
        lines: list[list[int]] = [[]]
        used = 0
        for index, entry in enumerate(self.entries):
            if lines[-1] and used + GAP + entry.width > width:
                lines.append([])
                used = 0
            used += (GAP if lines[-1] else 0) + entry.width
            lines[-1].append(index)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width)) if self.entries else 1

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        text_style = self.get_component_rich_style("key-footer--description")
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        for n, line in enumerate(self._lines(self.content_region.width or 1)):
            if n:
                out.append("\n")
            for i, index in enumerate(line):
                entry = self.entries[index]
                dim = Style(dim=not entry.enabled)
                if i:
                    out.append(" " * GAP)
                out.append(f" {entry.display} ", key_style + dim)
                out.append(f"{entry.description} ", text_style + dim)
        return out

    def entry_at(self, x: int, y: int) -> FooterEntry | None:
        """The key drawn at ``x``, ``y`` (cells from the footer's top left), if any."""
        lines = self._lines(self.content_region.width or 1)
        if not 0 <= y < len(lines):
            return None
        left = 0
        for index in lines[y]:
            entry = self.entries[index]
            if left <= x < left + entry.width:
                return entry
            left += entry.width + GAP
        return None

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it, as if typed."""
        entry = self.entry_at(event.x, event.y)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()
