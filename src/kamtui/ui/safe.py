"""The one way user text reaches the screen: as data, never as markup or escapes.

``rich.text.Text(value)`` never parses markup; ``plain`` first replaces control
characters (ESC, C1, newlines…) with visible placeholders so that nothing a user typed
or imported can move the cursor, clear the screen or change colours.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content

_CONTROL = {c: chr(0x2400 + c) for c in range(0x20)}  # C0 → Control Pictures (␛, ␊, …)
_CONTROL[0x7F] = "␡"
_CONTROL.update({c: "�" for c in range(0x80, 0xA0)})  # C1 (incl. CSI 0x9B)


def plain(value: object) -> str:
    """User text with every control character shown as a visible placeholder."""
    if value is None:
        return ""
    return str(value).translate(_CONTROL)


def text(value: object, style: Style | str = "") -> Text:
    """A Rich ``Text`` of user data, for DataTable cells, Tree labels and our table."""
    return Text(plain(value), style=style, no_wrap=True, end="")


def content(value: object) -> Content:
    """A Textual ``Content`` of user data, for Static, Label, titles and notifications."""
    return Content(plain(value))
