"""The Book's first rows, read while the UI loads.

``kamtui`` opens a book, imports Textual and the screens (a quarter of a second or more),
and only then does the Book screen mount and read its first page in a worker: it paints
twice, once without rows and once with them. ``FirstRows`` starts reading that page in a
thread of its own before the UI is imported (SQLite leaves Python free meanwhile), and the
Book screen takes the rows when it mounts if they are there, so its first frame shows
them (about 70 ms sooner in a terminal, bench/startup_pty.py).

The screen never waits for this thread: rows not read yet, or a read that failed, and the
screen reads them in its worker as it always did (and that worker says any failure). Nothing
here imports Textual.
"""

from __future__ import annotations

import threading

from kamtui import logs
from kamtui.services.book import AccountRow, Book, BookQuery

PAGE = 100  # rows of the Book read at a time (the first page, and every page after it)


class FirstRows:
    """The count and the first page of the Book's opening query, read in a thread."""

    def __init__(self, book: Book) -> None:
        self.query = BookQuery()
        self._read: tuple[int, list[AccountRow]] | None = None
        threading.Thread(
            target=self._read_ahead, args=(book,), name="kamtui-first-rows", daemon=True
        ).start()

    def _read_ahead(self, book: Book) -> None:
        try:
            total = book.count(self.query)
            self._read = (total, book.page(self.query, 0, PAGE, matching=total))
        except Exception:  # the screen's worker reads them again and says why, if it fails too
            logs.LOGGER.exception("reading the Book's first rows ahead failed")

    @property
    def ready(self) -> bool:
        """Whether the rows have been read (and not taken yet)."""
        return self._read is not None

    def take(self, query: BookQuery) -> tuple[int, list[AccountRow]] | None:
        """The count and rows of ``query`` if they have been read by now (once)."""
        read, self._read = self._read, None
        return read if query == self.query else None
