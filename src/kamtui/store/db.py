"""Opening, creating and upgrading a book file, and its transactions.

A book is an SQLite file marked with ``PRAGMA application_id`` and carrying its schema
version in ``PRAGMA user_version``. Writes run in transactions opened with
``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes fails at once
under contention, whatever the busy timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from kamtui.domain.errors import KamError
from kamtui.store import migrations

APPLICATION_ID = 0x4B414D31  # "KAM1"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


class BookError(KamError):
    """A file that cannot be opened as a book, with the reason in plain words."""


@dataclass
class Store:
    """One open book: the engine and how to read and write it."""

    path: Path
    engine: Engine
    read_only: bool

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        if self.read_only:
            raise BookError(f"{self.path} is open read-only; nothing can be changed.")
        with self.engine.connect() as conn:
            conn = conn.execution_options(kamtui_immediate=True)
            try:
                tx = conn.begin()
            except OperationalError as e:
                if isinstance(e.orig, sqlite3.OperationalError) and "locked" in str(e.orig):
                    raise BookError(
                        f"{self.path} is busy: someone else is saving to it. "
                        "Nothing was changed; try again in a moment."
                    ) from None
                raise
            with tx:
                yield conn

    def close(self) -> None:
        self.engine.dispose()

    # settings live in the book, as JSON
    def get_setting(self, conn: Connection, key: str, default: Any = None) -> Any:
        row = conn.exec_driver_sql("SELECT value FROM settings WHERE key = ?", (key,)).first()
        return json.loads(row[0]) if row else default

    @staticmethod
    def put_setting(conn: Connection, key: str, value: Any) -> None:
        conn.exec_driver_sql(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value, ensure_ascii=False)),
        )


def _make_engine(path: Path, read_only: bool) -> Engine:
    if read_only:
        url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path.as_posix()}"
    engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("kamtui_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _inspect_file(path: Path) -> tuple[int, int]:
    """Return (application_id, user_version) of an existing file, or explain why it is no book."""
    if path.is_dir():
        raise BookError(f"{path} is a folder, not a kamtui book.")
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except PermissionError:
        raise BookError(f"{path} cannot be read (permission denied).") from None
    except OSError as e:
        raise BookError(f"{path} cannot be read: {e.strerror}.") from None
    if len(header) == 0:
        raise BookError(f"{path} is empty (0 bytes): it is not a kamtui book.")
    if not header.startswith(SQLITE_HEADER):
        raise BookError(f"{path} is not a kamtui book (it is not an SQLite database).")
    if len(header) < 100:
        raise BookError(f"{path} is truncated: it is not a usable kamtui book.")
    app_id = int.from_bytes(header[68:72], "big", signed=True)
    user_version = int.from_bytes(header[60:64], "big", signed=True)
    return app_id, user_version


def open_store(path: str | os.PathLike[str], *, read_only: bool = False) -> Store:
    """Open an existing book; upgrade an older one after a backup copy; refuse anything else."""
    p = Path(path).expanduser()
    if not p.exists():
        if not p.parent.exists():
            raise BookError(f"No book at {p}: the folder {p.parent} does not exist.")
        raise BookError(f"No book at {p}. Create one with `kamtui init --db {p}`.")
    app_id, version = _inspect_file(p)
    if app_id != APPLICATION_ID:
        raise BookError(f"{p} is an SQLite database but not a kamtui book.")
    if version > migrations.SCHEMA_VERSION and not read_only:
        raise BookError(
            f"{p} was written by a newer kamtui (schema {version}; this kamtui reads up to "
            f"{migrations.SCHEMA_VERSION}). Upgrade kamtui, or open it with --read-only."
        )
    if not read_only and not os.access(p, os.W_OK):
        read_only = True
    store = Store(p, _make_engine(p, read_only), read_only)
    try:
        with store.reading() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").first()
        if version < migrations.SCHEMA_VERSION and not read_only:
            backup = backup_copy(p, f"v{version}")
            with store.writing() as conn:
                migrations.upgrade(conn, version)
                conn.exec_driver_sql(f"PRAGMA user_version = {migrations.SCHEMA_VERSION}")
            _ = backup
    except sqlite3.DatabaseError as e:
        store.close()
        raise BookError(f"{p} cannot be opened as a kamtui book: {e}.") from None
    except Exception as e:  # SQLAlchemy wraps driver errors
        store.close()
        orig = getattr(e, "orig", None)
        if isinstance(orig, sqlite3.Error):
            raise BookError(f"{p} cannot be opened as a kamtui book: {orig}.") from None
        raise
    return store


def create_store(path: str | os.PathLike[str]) -> Store:
    """Create a new, empty book; refuse to overwrite anything."""
    p = Path(path).expanduser()
    if p.exists():
        raise BookError(f"{p} already exists; kamtui will not overwrite it.")
    if not p.parent.exists():
        raise BookError(f"Cannot create {p}: the folder {p.parent} does not exist.")
    try:
        fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as e:
        raise BookError(f"Cannot create {p}: {e.strerror}.") from None
    raw = sqlite3.connect(p)
    try:
        raw.execute("PRAGMA journal_mode = WAL")
    finally:
        raw.close()
    engine = _make_engine(p, read_only=False)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(kamtui_immediate=True)
            with conn.begin():
                migrations.create_schema(conn)
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.exec_driver_sql(f"PRAGMA user_version = {migrations.SCHEMA_VERSION}")
    except Exception:
        engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{p}{suffix}").unlink(missing_ok=True)
        raise
    return Store(p, engine, read_only=False)


def backup_copy(path: Path, label: str) -> Path:
    """A consistent copy beside the book, readable by the owner only."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    src = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except OSError:
        shutil.copy2(path, target)
    finally:
        src.close()
    return target
