"""Where a damaged book is damaged: its file read directly, for `kamtui doctor`.

SQLite stops at the first damaged page it meets ("database disk image is malformed"),
often before its own checks can say where. This module reads the file itself, without
SQLite and without changing it: the 100-byte header (the page size, the page count, the
application id and schema version), and the b-trees of the book (the schema on page 1,
then each table and index from its root page), following interior pages down to the
leaves and naming each page that is not what its parent says it is.

What it cannot see: pages that a ``-wal`` file holds newer copies of (a writer stopped
without a checkpoint): the caller reports that the walk was not made then; and the
contents of leaf pages (SQLite's own checks see those).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kamtui.store.db import SQLITE_HEADER, BookError, no_book, not_a_file

# page types of a b-tree page's first byte
INTERIOR_INDEX, INTERIOR_TABLE, LEAF_INDEX, LEAF_TABLE = 2, 5, 10, 13
TABLE_PAGES = (INTERIOR_TABLE, LEAF_TABLE)
INDEX_PAGES = (INTERIOR_INDEX, LEAF_INDEX)
# what a kamtui book's schema says, near the start of the file
KAMTUI_SCHEMA = tuple(
    re.compile(rb"CREATE TABLE (?:IF NOT EXISTS )?" + name + rb" \(")
    for name in (b"accounts", b"deal_stage_changes")
)
SCHEMA_SEARCH = 4 << 20  # bytes


@dataclass(frozen=True)
class Header:
    """What the first 100 bytes of a file say, and its size."""

    size: int
    sqlite: bool  # starts with "SQLite format 3\0"
    page_size: int | None  # None: not a page size SQLite allows
    pages: int  # the page count the header gives (0 if it gives none)
    application_id: int
    user_version: int
    wal: bool


def read_header(path: Path) -> Header:
    """The header of an existing regular file; ``BookError`` if there is none to read."""
    if not path.exists():
        raise no_book(path)
    why = not_a_file(path)
    if why:
        raise BookError(why)
    try:
        with open(path, "rb") as f:
            head = f.read(100)
        size = os.stat(path).st_size
    except OSError as e:
        raise BookError(f"{path} cannot be read: {e.strerror or e}.") from None
    if not head:
        raise BookError(f"{path} is empty (0 bytes): it is not a kamtui book.")
    head = head.ljust(100, b"\0")
    raw = int.from_bytes(head[16:18], "big")
    page_size = 65536 if raw == 1 else raw
    valid = 512 <= page_size <= 65536 and page_size & (page_size - 1) == 0
    counted = head[92:96] == head[24:28]  # else the page count is from an older SQLite
    return Header(
        size=size,
        sqlite=head.startswith(SQLITE_HEADER),
        page_size=page_size if valid else None,
        pages=int.from_bytes(head[28:32], "big") if counted else 0,
        application_id=int.from_bytes(head[68:72], "big", signed=True),
        user_version=int.from_bytes(head[60:64], "big", signed=True),
        wal=head[18:20] == b"\x02\x02",
    )


def holds_kamtui_schema(path: Path) -> bool:
    """Whether the start of the file holds a kamtui book's table definitions (a file whose
    header is damaged is still recognised by them)."""
    try:
        with open(path, "rb") as f:
            start = f.read(SCHEMA_SEARCH)
    except OSError:
        return False
    return all(pattern.search(start) for pattern in KAMTUI_SCHEMA)


@dataclass(frozen=True)
class BadPage:
    page: int
    owner: str  # the table or index whose b-tree holds it ("the schema" for sqlite_master)
    what: str  # what is wrong with it, in words


def bad_pages(
    path: Path, header: Header, roots: Mapping[int, str], limit: int = 8
) -> list[BadPage]:
    """The damaged pages of the b-trees of the schema (page 1) and of ``roots`` (root page
    → table or index name), in the order met, at most ``limit``."""
    assert header.page_size is not None
    size = header.page_size
    last = header.size // size  # pages actually in the file
    found: list[BadPage] = []
    seen: set[int] = set()
    with open(path, "rb") as f:

        def read(page: int) -> bytes:
            f.seek((page - 1) * size)
            return f.read(size)

        for root, owner in [(1, "the schema"), *sorted(roots.items())]:
            kinds = INDEX_PAGES if owner.startswith("index ") else TABLE_PAGES
            todo = [(root, kinds)]
            while todo and len(found) < limit:
                page, expected = todo.pop()
                if page in seen:
                    found.append(BadPage(page, owner, "is used twice"))
                    continue
                seen.add(page)
                if page < 1 or page > last:
                    found.append(BadPage(page, owner, "lies beyond the end of the file"))
                    continue
                data = read(page)
                wrong, children = _check_page(data, page, expected)
                if wrong:
                    found.append(BadPage(page, owner, wrong))
                else:
                    todo.extend((c, expected) for c in reversed(children))
            if len(found) >= limit:
                break
    return found


def _check_page(data: bytes, page: int, expected: tuple[int, int]) -> tuple[str, list[int]]:
    """What is wrong with a b-tree page ("" if nothing seen), and its children."""
    at = 100 if page == 1 else 0
    kind = data[at]
    if kind not in expected:
        return f"is not a b-tree page of its kind (its type byte is {kind})", []
    cells = int.from_bytes(data[at + 3 : at + 5], "big")
    interior = kind in (INTERIOR_INDEX, INTERIOR_TABLE)
    pointers = at + (12 if interior else 8)
    if pointers + 2 * cells > len(data):
        return f"says it holds {cells:,} cells, more than fit in a page", []
    if not interior:
        return "", []
    children = []
    for i in range(cells):
        offset = int.from_bytes(data[pointers + 2 * i : pointers + 2 * i + 2], "big")
        if not pointers + 2 * cells <= offset <= len(data) - 4:
            return f"points to a cell outside the page (cell {i + 1} at offset {offset})", []
        children.append(int.from_bytes(data[offset : offset + 4], "big"))
    children.append(int.from_bytes(data[at + 8 : at + 12], "big"))  # the right-most child
    return "", children
