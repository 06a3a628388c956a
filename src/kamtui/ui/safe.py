"""The one way user text reaches the screen: as data, never as markup or escapes.

``rich.text.Text(value)`` never parses markup; ``plain`` first replaces control
characters (ESC, C1, newlines…) with visible placeholders (kamtui.visible's table) so that
nothing a user typed or imported can move the cursor, clear the screen or change colours.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content

from kamtui.visible import PLACEHOLDERS


def plain(value: object) -> str:
    """User text with every control character, line feeds and tabs too, shown as a visible
    placeholder."""
    if value is None:
        return ""
    return str(value).translate(PLACEHOLDERS)


def text(value: object, style: Style | str = "") -> Text:
    """A Rich ``Text`` of user data, for DataTable cells, Tree labels and our table."""
    return Text(plain(value), style=style, no_wrap=True, end="")


def content(value: object) -> Content:
    """A Textual ``Content`` of user data, for Static, Label, titles and notifications."""
    return Content(plain(value))
