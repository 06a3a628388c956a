"""Keeping a book safe: consistent backups and a check-up (`kamtui backup`, `kamtui doctor`).

Both only read the book, through the same read-only connections as any read-only open:
the book's bytes and modification time stay as they were, and no file appears beside it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kamtui.domain.counts import count
from kamtui.store import migrations
from kamtui.store.db import (
    BookError,
    Store,
    backup_name,
    journal_choice,
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
            accounts = conn.exec_driver_sql("SELECT count(*) FROM accounts").scalar_one()
    finally:
        store.close()
    target = Path(output).expanduser() if output else backup_name(source, "backup", now)
    online_backup(source, target)
    return BackupResult(target, target.stat().st_size, int(accounts))


@dataclass(frozen=True)
class Finding:
    label: str
    text: str
    status: str = "ok"  # ok, note (worth knowing), problem (doctor exits 1)


@dataclass(frozen=True)
class DoctorReport:
    path: Path
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "problem"]


def doctor(book: str | os.PathLike[str], today: date) -> DoctorReport:
    """Check a book without changing it. A file that cannot be opened at all raises
    ``BookError``; everything else is reported finding by finding."""
    path = Path(book).expanduser()
    store = open_store(path, read_only=True)
    found: list[Finding] = []
    try:
        found.append(_file(path))
        found.append(Finding("application id", "a kamtui book"))
        version = _read(store, "PRAGMA user_version")
        found.append(_schema(int(version) if isinstance(version, int) else -1))
        found.append(_journal(path))
        found.append(_integrity(store))
        found.append(_foreign_keys(store))
        if version == migrations.SCHEMA_VERSION:
            found.append(_derived(store, today))
        found.extend(_rows(store))
    finally:
        store.close()
    return DoctorReport(path, tuple(found))


def _stopped(e: BookError) -> str:
    """A check that SQLite could not finish: its own words, or ours."""
    return f"SQLite cannot finish it: {e.detail}; restore a backup" if e.detail else str(e)


def _read(store: Store, sql: str) -> object:
    with store.reading() as conn:
        return conn.exec_driver_sql(sql).scalar()


def _file(path: Path) -> Finding:
    st = path.stat()
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        return Finding(
            "file",
            f"{st.st_size:,} bytes; others can read it ({mode:04o}): "
            f"`chmod 600 {path}` keeps it to you",
            "note",
        )
    return Finding("file", f"{st.st_size:,} bytes, readable by its owner only ({mode:04o})")


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


def _integrity(store: Store) -> Finding:
    try:
        with store.reading() as conn:
            rows = [
                r[0] for r in conn.exec_driver_sql(f"PRAGMA integrity_check({INTEGRITY_LIMIT})")
            ]
    except BookError as e:
        return Finding("integrity", _stopped(e), "problem")
    if rows == ["ok"]:
        return Finding("integrity", "PRAGMA integrity_check finds nothing wrong")
    # a row may hold several lines, under a "*** in database main ***" heading
    lines = [x.strip() for r in rows for x in str(r).splitlines()]
    lines = [x for x in lines if x and not x.startswith("***")] or ["(no details)"]
    more = "+" if len(rows) >= INTEGRITY_LIMIT else ""
    return Finding(
        "integrity",
        f"{count(f'{len(lines)}{more}', 'problem', 'problems')}, first: {lines[0]};"
        " restore a backup",
        "problem",
    )


def _foreign_keys(store: Store) -> Finding:
    try:
        with store.reading() as conn:
            rows = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    except BookError as e:
        return Finding("foreign keys", _stopped(e), "problem")
    if not rows:
        return Finding("foreign keys", "every reference points to an existing row")
    table, rowid, parent, _ = rows[0]
    return Finding(
        "foreign keys",
        f"{count(len(rows), 'row points', 'rows point')} to missing rows, first: {table} row"
        f" {rowid} → {parent}",
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
            names = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
    except BookError as e:
        return [Finding("rows", _stopped(e), "problem")]
    out: list[Finding] = []
    for name in names:
        try:
            with store.reading() as conn:
                quoted = '"' + name.replace('"', '""') + '"'
                n = conn.exec_driver_sql(f"SELECT count(*) FROM {quoted}").scalar_one()
            out.append(Finding(f"rows {name}", f"{n:,}"))
        except BookError as e:
            out.append(Finding(f"rows {name}", _stopped(e), "problem"))
    return out
