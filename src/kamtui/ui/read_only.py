"""Keys that change the book are not offered on a book that cannot be changed.

A book opened ``--read-only`` (or one kamtui could only open read-only) and the team view
refuse every write. A screen lists the actions of its keys that write (``WRITES``); on
such a book they are left out of the footer, ``?`` and the command palette, and pressing
one says, in one sentence, that the book cannot be changed (never nothing at all).
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding

from kamtui.services.book import Book
from kamtui.ui import strings as S


class HidesWrites:
    """Mixed into a screen with a ``book``: its ``WRITES`` actions are offered only when
    the book can be changed."""

    WRITES: ClassVar[frozenset[str]] = frozenset()
    READ_ONLY_NOTE: ClassVar[str] = "READ_ONLY_REFUSED"  # the catalog's key for the sentence
    book: Book

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.WRITES and self.book.read_only)

    def on_key(self, event: events.Key) -> None:
        """A write's key on a book that cannot be changed: its binding is off, so the key
        comes here; say why nothing happens."""
        if self.book.read_only and event.key in self._write_keys():
            event.stop()
            event.prevent_default()
            self.notify(getattr(S, self.READ_ONLY_NOTE), severity="warning", markup=False)  # type: ignore[attr-defined]

    @classmethod
    def _write_keys(cls) -> set[str]:
        keys: set[str] = set()
        for klass in cls.__mro__:
            for binding in vars(klass).get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    action = binding.action.partition("(")[0]
                    if action in cls.WRITES:
                        keys.update(k.strip() for k in binding.key.split(","))
        return keys
