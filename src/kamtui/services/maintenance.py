"""Keeping a book safe: consistent backups and a check-up (`kamtui backup`, `kamtui doctor`).

Both only read the book, through the same read-only connections as any read-only open:
the book's bytes and modification time stay as they were, and no file appears beside it.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kamtui.domain.counts import count
from kamtui.store import checks, damage, migrations
from kamtui.store.db import (
    APPLICATION_ID,
    BookBusy,
    BookError,
    Store,
    backup_name,
    journal_choice,
    newest_backup,
    online_backup,
    open_store,
)

INTEGRITY_LIMIT = 20  # problems listed by integrity_check before it stops


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    accounts: int


def backup_book(book: str | os.PathLike[str], output: str | None, now: datetime) -> BackupResult:
    """Copy the book (even while it is open in the app) to ``output`` or, by default, to
    ``<book>.backup-YYYYmmdd-HHMMSS.bak`` beside it; never over an existing file."""
    source = Path(book).expanduser()
    store = open_store(source, read_only=True)  # refuses anything that is not a book
    try:
        with store.reading() as conn:
            accounts = checks.accounts_held(conn)
    finally:
        store.close()
    target = Path(output).expanduser() if output else backup_name(source, "backup", now)
    online_backup(source, target)
    return BackupResult(target, target.stat().st_size, accounts)


@dataclass(frozen=True)
class Finding:
    label: str
    text: str
    status: str = "ok"  # ok, note (worth knowing), problem (doctor exits 1)


@dataclass(frozen=True)
class DoctorReport:
    path: Path
    findings: tuple[Finding, ...]
    advice: tuple[str, ...] = ()  # what to do about the problems found, sentence by sentence

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "problem"]


def doctor(book: str | os.PathLike[str], today: date) -> DoctorReport:
    """Check a book without changing it, and say what was found and what to do.

    A file that is no book at all (missing, empty, no regular file, not an SQLite
    database, another program's database) raises ``BookError``. A kamtui book, however
    damaged, gets a report: what its header says, then SQLite's checks, each of which
    reports SQLite's own words if SQLite cannot finish it; where SQLite stops at a damaged
    page, the file's b-trees are read directly to name the pages (``store.damage``)."""
    path = Path(book).expanduser()
    head = damage.read_header(path)
    found = [_file(path, head)]
    found.extend(_header(path, head))
    if head.page_size is None or not head.sqlite:
        return _report(path, found)  # SQLite cannot read it at all
    store = Store(path, read_only=True)
    try:  # a book another program holds locked cannot be checked: BookBusy ends it
        found.append(_journal(path))
        tables, roots = _tables(store, head.user_version)
        found.append(tables)
        found.extend(_integrity(store, path, head, roots))
        if roots is not None:
            found.append(_foreign_keys(store))
            if head.user_version == migrations.SCHEMA_VERSION and tables.status == "ok":
                found.append(_derived(store, today))
            found.extend(_rows(store))
    finally:
        store.close()
    return _report(path, found)


# the findings that mean the file is damaged (rather than, say, a setting to change)
DAMAGE_LABELS = frozenset(
    {"file", "header", "application id", "tables", "integrity", "damaged pages"}
)


def _report(path: Path, found: list[Finding]) -> DoctorReport:
    damaged = any(f.status == "problem" and f.label in DAMAGE_LABELS for f in found)
    return DoctorReport(path, tuple(found), _advice(path) if damaged else ())


def _advice(path: Path) -> tuple[str, ...]:
    """What to do about a damaged book: go back to its newest copy, keeping the damaged
    file, or save what SQLite can still read."""
    copy = newest_backup(path)
    keep = f"Keep the damaged file: move it aside (mv {path} {path}.damaged)."
    if copy is not None:
        when = datetime.fromtimestamp(copy.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        back = (
            f"Then copy the newest backup beside it, {copy} (made {when}), to {path}: what "
            "was saved after it is not in it; `kamtui doctor --db` that copy first."
        )
    else:
        back = (
            f"No backup of it was found beside it ({path.name}.*.bak); SQLite's own tool may "
            f"save what is still readable: sqlite3 {path}.damaged .recover > recovered.sql."
        )
    return (keep, back, "Once the book is whole again, `kamtui backup` keeps a copy to go back to.")


def _said(e: BookError) -> str:
    """What SQLite said when it could not finish a check (or ours); a book that another
    program holds locked cannot be checked at all: that ends the check-up."""
    if isinstance(e, BookBusy):
        raise e
    return e.detail or str(e)


def _stopped(e: BookError) -> str:
    return f"SQLite stops before the end: {_said(e)}"


def _file(path: Path, head: damage.Header) -> Finding:
    st = path.stat()
    mode = stat.S_IMODE(st.st_mode)
    wal = Path(f"{path}-wal")
    expected = head.pages * (head.page_size or 0)
    if 0 < st.st_size < expected and not (wal.exists() and wal.stat().st_size > 0):
        return Finding(
            "file",
            f"truncated: {st.st_size:,} of the {expected:,} bytes its header counts "
            f"({head.pages:,} pages of {head.page_size:,} bytes); the end of the book is missing",
            "problem",
        )
    if mode & 0o077:
        return Finding(
            "file",
            f"{st.st_size:,} bytes; others can read it ({mode:04o}): "
            f"`chmod 600 {path}` keeps it to you",
            "note",
        )
    return Finding("file", f"{st.st_size:,} bytes, readable by its owner only ({mode:04o})")


def _header(path: Path, head: damage.Header) -> list[Finding]:
    """The header's own findings; ``BookError`` for a file that is no kamtui book at all."""
    ours = head.application_id == APPLICATION_ID
    if not head.sqlite or head.page_size is None or not ours:
        if not damage.holds_kamtui_schema(path):
            if not head.sqlite:
                raise BookError(f"{path} is not a kamtui book (it is not an SQLite database).")
            if head.page_size is not None:
                raise BookError(f"{path} is an SQLite database but not a kamtui book.")
        if not head.sqlite:
            return [
                Finding(
                    "header",
                    "damaged: the file holds a kamtui book's tables but does not start with "
                    'SQLite\'s "SQLite format 3"; SQLite cannot open it',
                    "problem",
                )
            ]
        if head.page_size is None:
            return [
                Finding(
                    "header",
                    "damaged: the page size it gives (bytes 17-18) is not one SQLite allows; "
                    "SQLite cannot open it",
                    "problem",
                )
            ]
        return [
            Finding(
                "application id",
                f"{head.application_id:#x}, not kamtui's {APPLICATION_ID:#x}, though the file "
                "holds a kamtui book's tables: its header is damaged",
                "problem",
            ),
            _schema(head.user_version),
        ]
    return [Finding("application id", "a kamtui book"), _schema(head.user_version)]


def _schema(version: int) -> Finding:
    current = migrations.SCHEMA_VERSION
    if version == current:
        return Finding("schema", f"version {version} (current)")
    if version < current:
        return Finding(
            "schema",
            f"version {version}, older than this kamtui's {current}: upgraded after a backup "
            "copy when it is next opened for writing",
            "note",
        )
    return Finding(
        "schema",
        f"version {version}, newer than this kamtui's {current}: it can only be read; "
        "upgrade kamtui to check and edit it",
        "note",
    )


def _journal(path: Path) -> Finding:
    with open(path, "rb") as f:
        header = f.read(20)
    wal = header[18:20] == b"\x02\x02"
    want, why = journal_choice(path)
    mode = "WAL" if wal else "rollback journal"
    side = Path(f"{path}-wal")
    extra = ""
    if side.exists() and side.stat().st_size > 0:
        extra = "; a -wal file holds recent saves (the book is open, or a program stopped)"
    if wal and want == "delete":
        return Finding(
            "journal",
            f"{mode}, {why}: WAL is unsafe there; opening the book for writing switches it "
            "to the rollback journal",
            "problem",
        )
    if not wal and want == "wal":
        return Finding(
            "journal", f"{mode}, {why}: switched to WAL when opened for writing{extra}", "note"
        )
    return Finding("journal", f"{mode}, {why}{extra}")


def _tables(store: Store, version: int) -> tuple[Finding, dict[int, str] | None]:
    """The list of tables (the schema, from page 1), and each b-tree's root page → "table
    accounts", "index ix_…" (None if SQLite cannot read the list)."""
    try:
        with store.reading() as conn:
            objects = checks.schema_objects(conn)
    except BookError as e:
        return Finding(
            "tables",
            "SQLite cannot read the list of tables (the schema, which starts on page 1): "
            + _said(e),
            "problem",
        ), None
    roots = {o.root_page: f"{o.kind} {o.name}" for o in objects}
    names = {o.name for o in objects if o.kind == "table"}
    missing = sorted(migrations.required_tables(version) - names) if version >= 1 else []
    n_tables = len(names)
    n_indexes = sum(1 for o in objects if o.kind == "index")
    if missing:
        return Finding(
            "tables",
            f"{n_tables} tables, lacking {', '.join(missing)}: it cannot be used",
            "problem",
        ), roots
    return Finding("tables", f"{n_tables} tables and {n_indexes} indexes"), roots


PAGE = re.compile(r"\b(?:Tree|tree|Page|page) (\d+)\b")  # in integrity_check's lines


def _integrity(
    store: Store, path: Path, head: damage.Header, roots: dict[int, str] | None
) -> list[Finding]:
    """SQLite's integrity check: its first lines (tables named by their root pages); where
    it cannot finish, the damaged pages found by reading the file."""
    if roots is None:  # the schema's own pages, if they are where it is damaged
        pages = _pages(path, head, {})
        return [pages] if pages.status == "problem" else []
    try:
        with store.reading() as conn:
            rows = checks.integrity_problems(conn, INTEGRITY_LIMIT)
    except BookError as e:
        return [Finding("integrity", _stopped(e), "problem"), _pages(path, head, roots)]
    if rows == ["ok"]:
        return [Finding("integrity", "PRAGMA integrity_check finds nothing wrong")]
    # a row may hold several lines, under a "*** in database main ***" heading
    lines = [x.strip() for r in rows for x in r.splitlines()]
    lines = [x for x in lines if x and not x.startswith("***")] or ["(no details)"]

    def named(line: str) -> str:  # a b-tree's root page by the table or index it holds
        def name(m: re.Match[str]) -> str:
            owner = roots.get(int(m.group(1)))
            return f"{m.group(0)} ({owner})" if owner else m.group(0)

        return PAGE.sub(name, line)

    more = "+" if len(rows) >= INTEGRITY_LIMIT else ""
    first = "; ".join(named(x) for x in lines[:3])
    found = count(f"{len(lines)}{more}", "problem", "problems")
    return [Finding("integrity", f"{found} found by SQLite, first: {first}", "problem")]


def _pages(path: Path, head: damage.Header, roots: dict[int, str]) -> Finding:
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return Finding(
            "damaged pages",
            "not looked for: a -wal file holds newer copies of some pages",
            "note",
        )
    bad = damage.bad_pages(path, head, roots)
    if not bad:
        return Finding(
            "damaged pages",
            "every b-tree page reached from the schema is of its kind: the damage is inside "
            "pages (rows or index entries)",
            "note",
        )
    said = "; ".join(f"page {b.page:,} ({b.owner}) {b.what}" for b in bad[:4])
    more = "; and more" if len(bad) > 4 else ""
    return Finding("damaged pages", f"{said}{more}", "problem")


def _foreign_keys(store: Store) -> Finding:
    try:
        with store.reading() as conn:
            broken = checks.broken_references(conn)
    except BookError as e:
        return Finding("foreign keys", _stopped(e), "problem")
    if not broken:
        return Finding("foreign keys", "every reference points to an existing row")
    first = broken[0]
    return Finding(
        "foreign keys",
        f"{count(len(broken), 'row points', 'rows point')} to missing rows, first: "
        f"{first.table} row {first.row_id} → {first.parent}",
        "problem",
    )


def _derived(store: Store, today: date) -> Finding:
    from kamtui.services.book import Book

    try:
        book = Book(store)
        on = book.derived_on()
        stale = book.stale_accounts(today)
    except BookError as e:
        return Finding("derived values", _stopped(e), "problem")
    when = f"computed for {on.isoformat()}" if on else "never computed"
    if stale == 0:
        return Finding("derived values", f"{when}: up to date for {today.isoformat()}")
    return Finding(
        "derived values",
        f"{when}: {count(stale, 'account changes', 'accounts change')} when recomputed for"
        f" {today.isoformat()}; the app "
        "recomputes them when it opens the book for writing",
        "note",
    )


def _rows(store: Store) -> list[Finding]:
    try:
        with store.reading() as conn:
            names = checks.table_names(conn)
    except BookError as e:
        return [Finding("rows", _stopped(e), "problem")]
    out: list[Finding] = []
    for name in names:
        try:
            with store.reading() as conn:
                n = checks.rows_in(conn, name)
            out.append(Finding(f"rows {name}", f"{n:,}"))
        except BookError as e:
            out.append(Finding(f"rows {name}", _stopped(e), "problem"))
    return out
