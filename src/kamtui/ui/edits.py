"""Keys that change the book are offered (in the footer, the help) and work only while the
book can be changed: not in a book opened read-only, nor once it was found damaged."""

from __future__ import annotations

from typing import ClassVar

from kamtui.services.book import Book
from kamtui.services.team import TeamBook


class OffersEdits:
    """Mixed into a screen (before ``Screen``): its ``EDITS`` actions are hidden while
    ``book`` is read-only. A screen with its own ``check_action`` asks this one too."""

    book: Book
    EDITS: ClassVar[frozenset[str]] = frozenset()  # the actions that change the book

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a team view still offers them, and says why it refuses them (screens/team.py)
        frozen = self.book.read_only and not isinstance(self.book, TeamBook)
        return not (action in self.EDITS and frozen)
