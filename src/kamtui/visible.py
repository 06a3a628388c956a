"""Control characters in user text, shown as visible placeholders: the one rule by which
text from a book (or a path, or anything a user typed) leaves kamtui as text.

An account named ``Reset\\x1bc Co`` must never reset a terminal, nor a contact's note set
the clipboard through OSC 52. Every C0 control character becomes its Control Picture
(ESC ␛, NUL ␀, BEL ␇, CR ␍, BS ␈), DEL becomes ␡, and every C1 control character
(U+0080–U+009F, the 8-bit CSI U+009B among them) becomes �. The text stays readable and
says that something was there; nothing is dropped.

``visible`` keeps what lays text out: tabs, line feeds, and a carriage return that ends a
line (CR LF, as CSV and iCalendar lines end). The app's cells are one line, so
``kamtui.ui.safe.plain`` shows those too, with the same table.

Who applies it: the app (``ui.safe``), the text formats of ``services.export`` (CSV,
Markdown, iCalendar, Excel: none of them has an escape for a control character) and the
command line, whose stdout and stderr pass through it whatever they print (``cli_text``).
JSON escapes control characters its own way (``\\u001b``) and keeps the text exactly.
"""

from __future__ import annotations

import re

PLACEHOLDERS: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20)}  # C0 → ␀…␟
PLACEHOLDERS[0x7F] = "␡"
PLACEHOLDERS.update({c: "�" for c in range(0x80, 0xA0)})  # C1: no pictures of their own

_SHOWN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def visible(text: str) -> str:
    """``text`` with every control character but tab, line feed and CR LF as a placeholder."""
    return _SHOWN.sub(lambda m: PLACEHOLDERS[ord(m.group())], text)
