"""The one way user text reaches the screen: as data, never as markup or escapes; and
the way pasted text reaches a field.

``rich.text.Text(value)`` never parses markup; ``plain`` first replaces control
characters (ESC, C1, newlines…) with visible placeholders (kamtui.visible's table) so that
nothing a user typed or imported can move the cursor, clear the screen or change colours.

A form shows stored text as ``plain`` too, and ``typed_or_stored`` saves back the stored
text itself (its control characters and line breaks as they were) unless the rep changed
what the field showed.

``pasted`` is what a paste puts in a field (``KamApp.on_event``): the words, without the
terminal escape sequences copied along with them (colours, an OSC 52 clipboard write) and
without other control characters. Those were never part of the text, and a field that
holds them shows a scrambled line and saves garbage. Keys typed are no concern: Textual
reads escape sequences as keys and inserts printable characters only. Neither Rich's ANSI
decoder (it misses OSC ended by BEL and the 8-bit CSI) nor a well-kept library does this,
hence the expression of ECMA-48's sequences below. Its limit is Textual's: the 8.2 parser
turns an ESC inside a bracketed paste, and up to 32 characters after it, into key events
(ESC as ``^``) and leaves them out of the Paste event, so only a terminal that drops ESC
from pastes (tmux 3.3 passes it on) gives ``pasted`` the whole text.
"""

from __future__ import annotations

import re
from typing import Any

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


def typed_or_stored(typed: str, stored: object) -> Any:
    """What a form field that showed ``plain(stored)`` saves: ``stored`` itself while it
    still shows that, else what the rep typed."""
    if isinstance(stored, str) and typed == plain(stored):
        return stored
    return typed


_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI, 7- or 8-bit: colours, cursor moves, erasing
    r"|(?:\x1b[]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # OSC, DCS…
    r"|\x1b[ -/]*[0-~]"  # ESC and a final character (ESC c resets a terminal)
)
_NOT_TEXT = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[ ]*\n[\n ]*")


def pasted(text: str, *, one_line: bool = False) -> str:
    """Pasted text as a field should take it: escape sequences and control characters out,
    tabs as spaces, line ends as LF; ``one_line`` (an Input) joins the lines with spaces."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _NOT_TEXT.sub("", text)
    if one_line:
        return _LINE_BREAKS.sub(" ", text.strip("\n"))
    return text


def text(value: object, style: Style | str = "") -> Text:
    """A Rich ``Text`` of user data, for DataTable cells, Tree labels and our table."""
    return Text(plain(value), style=style, no_wrap=True, end="")


def content(value: object) -> Content:
    """A Textual ``Content`` of user data, for Static, Label, titles and notifications."""
    return Content(plain(value))
