"""Keys that change the book are not offered on a book that cannot be changed.

A book opened ``--read-only`` (or one kamtui could only open read-only) and the team view
refuse every write. A screen lists the actions of its keys that write (``WRITES``); on
such a book they are left out of the footer, ``?`` and the command palette, and pressing
them does nothing — the title says the book is read-only.
"""

from __future__ import annotations

from typing import ClassVar

from kamtui.services.book import Book


class HidesWrites:
    """Mixed into a screen with a ``book``: its ``WRITES`` actions are offered only when
    the book can be changed."""

    WRITES: ClassVar[frozenset[str]] = frozenset()
    book: Book

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.WRITES and self.book.read_only)
