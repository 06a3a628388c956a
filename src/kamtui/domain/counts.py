"""Counts said in words: "1 day", "3 days", never "1 days" or "day(s)".

A template gives a count's noun in both forms after a colon: ``"{days:day|days}"``, and
``counted`` writes the number then the form that fits (the singular for exactly 1). The
form may be several words (``"{n:account is|accounts are}"``). A number given already
formatted ("1,234") is said as given.

The domain's English sentences say their counts with ``count`` (as fast as an f-string:
a refresh writes hundreds of thousands of them), the UI's catalog with ``counted``
(``kamtui.ui.strings``: its strings' ``format`` is this one), where a Chinese template
simply says ``"{days} 天"`` (Chinese has no plural). The Chinese UI reads the domain's
sentences back with the same templates as patterns (``strings.SENTENCES_ZH``).
"""

from __future__ import annotations

import string
from typing import Any


def count(n: object, one: str, many: str) -> str:
    """``n`` and the noun's form for it: ``count(1, "day", "days")`` is "1 day"."""
    return f"{n} {one if str(n) == '1' else many}"


class _Counting(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        one, bar, many = format_spec.partition("|")
        if not bar:
            return str(super().format_field(value, format_spec))
        return count(value, one, many)


_COUNTING = _Counting()


def counted(template: str, /, *args: Any, **values: Any) -> str:
    """``template`` filled in like ``str.format``, each ``{n:one|many}`` with its count
    and the noun's form for it."""
    return _COUNTING.vformat(template, args, values)
