"""Padding text to a width on the screen, in cells: a Chinese character takes two cells,
so ``str.rjust`` and f-string widths (which count characters) misalign Chinese labels."""

from __future__ import annotations

from rich.cells import cell_len


def left(value: str, width: int) -> str:
    """``value`` then spaces, ``width`` cells in all (never cut)."""
    return value + " " * max(0, width - cell_len(value))


def right(value: str, width: int) -> str:
    """Spaces then ``value``, ``width`` cells in all (never cut)."""
    return " " * max(0, width - cell_len(value)) + value


def widest(values: list[str]) -> int:
    """The width in cells of the widest of ``values`` (0 for none)."""
    return max((cell_len(v) for v in values), default=0)
