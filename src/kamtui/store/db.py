"""Opening, creating, upgrading and copying a book file, and its transactions.

A book is an SQLite file marked with ``PRAGMA application_id`` and carrying its schema
version in ``PRAGMA user_version``. Writes run in transactions opened with
``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes fails at once
under contention, whatever the busy timeout.

What SQLite's documentation says, and what this module does about it:

- *Journal mode.* WAL keeps readers and the writer out of each other's way, but its
  index lives in shared memory (the ``-shm`` file, mapped by every process), which
  network file systems do not provide: two machines using one WAL book see different
  indexes and corrupt it. So a book on a local disk uses WAL, and a book on a network
  file system (NFS, SMB/CIFS, 9p, sshfs, ...) uses the rollback journal (``DELETE``);
  an existing book is switched when it is opened for writing (``journal_mode``).
- *Durability.* ``synchronous = FULL``: a transaction that returned is on the disk; but a
  transaction of derived values only, in WAL mode (see ``Store.writing``).
- *Locks.* A busy timeout makes brief locks wait; a lock held for longer is a clear error.
- *Read-only means read-only.* See ``_read_only_connect``.
- *Backups* use SQLite's online backup, never a file copy of a live book.
- *Errors* that a file can cause (busy, full disk, damage, I/O) become ``BookError``s with
  one sentence for a person; see ``sqlite_error``.

Reads come in two kinds. ``Store.reading()`` gives a SQLAlchemy ``Connection`` (what most
of the store takes); ``Store.reading_sqlite()`` gives the bare ``sqlite3`` connection,
for the reads of the Book's first screen (config, count, page, summary), so that opening a
book and painting it does not wait for SQLAlchemy to import (a quarter of a second). The
engine, and with it SQLAlchemy, is made on first use (``Store.engine``); both kinds open
connections the same way (``_connect``) and report errors the same way.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtui import logs
from kamtui.domain.errors import KamError
from kamtui.store import migrations

LOGGER = logs.LOGGER.getChild("store")

if TYPE_CHECKING:  # imported on first use of the engine: see the module's notes
    from sqlalchemy import Connection, Engine

APPLICATION_ID = 0x4B414D31  # "KAM1"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000

# File systems whose locking or shared memory cannot carry WAL (Linux names from
# /proc/self/mountinfo, macOS names from mount(8)).
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "v9fs", "drvfs",
        "afs", "afpfs", "ncpfs", "coda", "ceph", "glusterfs", "lustre", "gpfs", "ocfs2",
        "gfs2", "beegfs", "orangefs", "davfs", "webdav", "fuse.sshfs", "fuse.glusterfs",
        "fuse.cephfs", "fuse.rclone", "fuse.davfs2", "fuse.s3fs", "fuse.gcsfuse", "remote",
    }
)  # fmt: skip
# KAMTUI_JOURNAL=delete forces the rollback journal on a file system kamtui cannot recognise.
JOURNAL_ENV = "KAMTUI_JOURNAL"


class BookError(KamError):
    """A file that cannot be opened as a book, with the reason in plain words."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail  # SQLite's own words, when SQLite said something


class BookBusy(BookError):
    """Another program holds the book locked for longer than kamtui waits."""


class BookDamaged(BookError):
    """SQLite found the book's file damaged."""


class _Connection(sqlite3.Connection):
    """A driver connection that remembers how it was opened.

    ``kamtui_snapshot`` is the book file's signature when the connection was opened
    ``immutable`` (see ``_read_only_connect``), else None.
    """

    kamtui_snapshot: tuple[object, ...] | None = None


class Store:
    """One open book: how to read and write it."""

    def __init__(self, path: Path, read_only: bool, notice: str = "") -> None:
        self.path = path
        self.read_only = read_only
        self.notice = notice  # why a book asked for writing was opened read-only, for the user
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._checkpoint: threading.Thread | None = None  # see writing(bulk=True)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made (and SQLAlchemy imported) on first use."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = _make_engine(self.path, self.read_only)
            return self._engine

    @contextmanager
    def _read_errors(self, snapshot: list[tuple[object, ...] | None]) -> Iterator[None]:
        """A read's errors as ``BookError``s; with an ``immutable`` connection (whose
        snapshot the read puts in ``snapshot[0]``), a book changed meanwhile is an error."""
        try:
            yield
        except Exception as e:
            if not _is_db_error(e):
                raise
            if snapshot[0] is not None and _signature(self.path) != snapshot[0]:
                raise self._changed() from None
            err = sqlite_error(self.path, e, writing=False)
            if err is None:
                raise
            raise err from None
        if snapshot[0] is not None and _signature(self.path) != snapshot[0]:
            raise self._changed()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        snapshot: list[tuple[object, ...] | None] = [None]
        with self._read_errors(snapshot), self.engine.connect() as conn:
            snapshot[0] = getattr(conn.connection.driver_connection, "kamtui_snapshot", None)
            with conn.begin():
                yield conn

    @contextmanager
    def reading_sqlite(self) -> Iterator[sqlite3.Connection]:
        """A read transaction on a bare ``sqlite3`` connection (no SQLAlchemy)."""
        snapshot: list[tuple[object, ...] | None] = [None]
        with self._read_errors(snapshot):
            con = _connect(self.path, self.read_only)
            try:
                snapshot[0] = con.kamtui_snapshot
                con.execute("BEGIN")
                yield con
            finally:
                con.close()  # ends the read transaction: nothing to keep

    def check(self, limit: int = 5) -> list[str]:
        """SQLite's quick check of the whole book (every page and index entry read, no
        cross-check of indexes against their tables: about 0.8 s for a 300 MB book of
        100,000 accounts): [] if it finds nothing wrong, else its first lines, or the
        error that stopped it."""
        try:
            with self.reading_sqlite() as con:
                rows = [str(r[0]) for r in con.execute(f"PRAGMA quick_check({limit})")]
        except BookDamaged as e:
            return [e.detail or str(e)]
        if rows == ["ok"]:
            return []
        lines = [x.strip() for r in rows for x in r.splitlines()]
        return [x for x in lines if x and not x.startswith("***")] or rows

    def _changed(self) -> BookError:
        return BookError(
            f"{self.path} was saved by another program while kamtui was reading it; "
            "nothing was changed, read it again."
        )

    @contextmanager
    def writing(self, *, bulk: bool = False, derived: bool = False) -> Iterator[Connection]:
        """A write transaction (``BEGIN IMMEDIATE``), committed when the block ends.

        In WAL mode, a ``bulk`` transaction (one that writes many pages: a refresh, a big
        import) leaves copying them from the WAL into the book, the checkpoint, to a
        background thread, so that the caller goes on without waiting for it (a quarter of a
        second or more); the commit itself still waits for the disk. A transaction that
        writes only ``derived`` values, which can be computed again (a refresh, with the
        day it was for), does not even wait for that (``synchronous = NORMAL``): a power cut
        right after it may undo it, never damage the book (SQLite's documented guarantee for
        WAL mode), and the next open computes the values again."""
        if self.read_only:
            raise BookError(f"{self.path} is open read-only; nothing can be changed.")
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(kamtui_immediate=True)
                raw = driver(conn)
                later = bulk and raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
                if later:
                    raw.execute("PRAGMA wal_autocheckpoint = 0")
                    if derived:
                        raw.execute("PRAGMA synchronous = NORMAL")
                with conn.begin():
                    yield conn
                if later:  # before this connection closes: closing the last one checkpoints
                    self._checkpoint_later()
        except Exception as e:
            if not _is_db_error(e):
                raise
            err = sqlite_error(self.path, e, writing=True)
            if err is None:
                raise
            raise err from None

    def _checkpoint_later(self) -> None:
        """Copy the WAL into the book on a connection of its own, in a background thread
        that the program waits for when it ends (not a daemon). A checkpoint cut short (the
        program killed) is finished by the next one, or when the book is next opened; one
        that fails leaves the WAL to the next commit's."""
        self.wait_for_checkpoint()
        try:
            con = _connect(self.path, read_only=False)
        except (sqlite3.Error, OSError):  # the write is committed: closing it checkpoints
            LOGGER.info("no connection for a background checkpoint of %s", self.path, exc_info=True)
            return

        def run() -> None:
            try:
                con.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                LOGGER.info("background checkpoint of %s failed", self.path, exc_info=True)
            finally:
                con.close()  # the last connection to close removes the WAL

        self._checkpoint = threading.Thread(target=run, name="kamtui-checkpoint")
        self._checkpoint.start()

    def wait_for_checkpoint(self) -> None:
        """Wait until a background checkpoint (see ``writing``) has finished."""
        if self._checkpoint is not None:
            self._checkpoint.join()
            self._checkpoint = None

    def close(self) -> None:
        self.wait_for_checkpoint()
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()

    # settings live in the book, as JSON
    def get_setting(
        self, conn: Connection | sqlite3.Connection, key: str, default: Any = None
    ) -> Any:
        row = driver(conn).execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    @staticmethod
    def put_setting(conn: Connection, key: str, value: Any) -> None:
        conn.exec_driver_sql(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value, ensure_ascii=False)),
        )


def driver(conn: Connection | sqlite3.Connection) -> sqlite3.Connection:
    """The ``sqlite3`` connection under either kind of read (or a write), in its transaction."""
    if isinstance(conn, sqlite3.Connection):
        return conn
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


# ---- errors --------------------------------------------------------------------------------

_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _PROTOCOL, _NOTADB = (
    5, 6, 8, 10, 11, 13, 14, 15, 26,
)  # fmt: skip
_READONLY_ROLLBACK = 776


def _is_db_error(error: BaseException) -> bool:
    """An error of the driver, or SQLAlchemy's wrapper of one (only possible once it is
    imported)."""
    if isinstance(error, sqlite3.Error):
        return True
    exc = sys.modules.get("sqlalchemy.exc")
    return exc is not None and isinstance(error, exc.DBAPIError)


def sqlite_error(path: Path, error: BaseException, *, writing: bool) -> BookError | None:
    """The error a person should see for an SQLite failure caused by the file or the disk,
    or None for anything else (a constraint, a bug), which is left to propagate."""
    orig = getattr(error, "orig", error) if _is_db_error(error) else error
    if not isinstance(orig, sqlite3.Error):
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF

    def err(message: str, kind: type[BookError] = BookError) -> BookError:
        return kind(message, detail=str(orig))

    if primary in (_BUSY, _LOCKED, _PROTOCOL):
        what = "Nothing was changed; try" if writing else "Try"
        return err(
            f"{path} is busy: another program has it locked "
            f"(kamtui waited {BUSY_TIMEOUT_MS / 1000:g} s). {what} again in a moment.",
            BookBusy,
        )
    if primary == _FULL:
        return err(
            f"The disk holding {path} is full: the change was not saved and the book is "
            "as it was; free some space and try again."
        )
    if primary in (_CORRUPT, _NOTADB):
        return err(
            f"{path} is damaged ({orig}); nothing was changed, and `kamtui doctor --db {path}` "
            "shows where.",
            BookDamaged,
        )
    if code == _READONLY_ROLLBACK:
        return err(
            f"{path} holds a save left unfinished by a program that stopped; open it once "
            "without --read-only so that SQLite can undo it."
        )
    if primary == _READONLY:
        return err(f"{path} cannot be written ({orig}); nothing was changed.")
    if primary == _IOERR:
        verb = "written; the change was not saved" if writing else "read"
        return err(f"{path} could not be {verb} (disk or network error: {orig}).")
    if primary == _CANTOPEN:
        return err(f"{path} cannot be opened ({orig}).")
    return None


# ---- file systems and journal mode ---------------------------------------------------------


def _unescape_mount(field: str) -> str:
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def mount_type(mountinfo: str, target: str) -> str | None:
    """The file system type of the mount holding ``target``, from the text of
    ``/proc/self/mountinfo`` (fields before " - ", then type, source, options)."""
    best, found = -1, None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        mount = _unescape_mount(fields[4])
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= best:  # the last of stacked mounts wins
            best, found = len(mount), right.split()[0]
    return found


def filesystem_type(path: Path) -> str | None:
    """The type of the file system holding ``path`` (``ext4``, ``nfs4``, ``smbfs``, ...),
    or None where it cannot be told. Best effort on macOS and Windows."""
    target = os.path.realpath(path if path.exists() else path.parent)
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
                return mount_type(f.read(), target)
        if sys.platform == "win32":
            import ctypes

            if target.startswith(("\\\\", "//")):
                return "remote"
            drive = os.path.splitdrive(target)[0] + "\\"
            kernel32 = ctypes.windll.kernel32
            return "remote" if kernel32.GetDriveTypeW(drive) == 4 else "local"  # DRIVE_REMOTE
        # macOS and the BSDs: "server:/share on /Volumes/share (smbfs, nodev, ...)"
        out = subprocess.run(
            ["mount"], capture_output=True, text=True, timeout=2, check=False
        ).stdout
        best, found = -1, None
        for line in out.splitlines():
            _, on, rest = line.partition(" on ")
            mount, paren, opts = rest.rpartition(" (")
            if not on or not paren:
                continue
            inside = target == mount or target.startswith(mount.rstrip("/") + "/")
            if inside and len(mount) >= best:
                best, found = len(mount), opts.split(",")[0].strip(" )")
        return found
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def journal_choice(path: Path) -> tuple[str, str]:
    """("wal" or "delete", why) for a book at ``path``."""
    if os.environ.get(JOURNAL_ENV, "").strip().lower() in ("delete", "rollback"):
        return "delete", f"{JOURNAL_ENV} asks for the rollback journal"
    fs = filesystem_type(path)
    if fs is not None and fs.lower() in NETWORK_FILESYSTEMS:
        return "delete", f"on a network file system ({fs})"
    return "wal", f"on a local file system ({fs or 'unknown'})"


def _is_wal(header: bytes) -> bool:
    return header[18:20] == b"\x02\x02"


def _settle_journal(path: Path, header: bytes) -> str:
    """Switch a book opened for writing to the journal mode its file system needs.
    Returns a notice when it must stay read-only instead, else ""."""
    want, why = journal_choice(path)
    if (want == "wal") == _is_wal(header):
        return ""
    con = sqlite3.connect(f"{_uri(path)}?mode=rw", uri=True, isolation_level=None, timeout=0)
    try:
        got = con.execute(f"PRAGMA journal_mode = {want.upper()}").fetchone()[0]
    except sqlite3.Error:
        got = None  # another program has it open: the switch needs the book to itself
    finally:
        con.close()
    if got == want or want == "wal":
        return ""  # a book left in the rollback journal is safe anywhere
    return (
        f"{path} is {why} but in WAL mode and open in another program, so it was opened "
        "read-only; close the other program to edit it."
    )


# ---- connections ---------------------------------------------------------------------------


def _uri(path: Path) -> str:
    return path.absolute().as_uri()


def _signature(path: Path) -> tuple[object, ...]:
    """What changes when anyone writes the book file: identity, size, times, and the
    header's change counters."""
    try:
        st = os.stat(path)
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError:
        return ("gone",)
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, head[24:28], head[92:96])


def _read_only_connect(path: Path, allow_immutable: bool = True) -> _Connection:
    """A connection that cannot write the book, leaves its bytes and modification time
    alone, and creates no file beside it.

    ``mode=ro`` alone is not enough for a WAL book: SQLite then creates the ``-wal`` and
    ``-shm`` files if they are missing (it needs the index in ``-shm`` to read) and, being
    read-only, cannot delete them when it closes. So:

    - rollback-journal book: ``mode=ro``; it takes the usual shared lock and creates nothing.
    - WAL book with a ``-wal`` file (a writer has it open, or stopped without closing): the
      newest transactions may be in that file, so ``mode=ro`` reads through the existing
      ``-wal``/``-shm`` with the usual locks. Only if a crashed writer left a non-empty
      ``-wal`` without its ``-shm`` does SQLite create a ``-shm`` (the next writer removes it).
    - WAL book without a ``-wal`` (its last writer closed cleanly, so the main file holds
      everything): ``immutable=1``, which reads the file with no locks and no side files.
      SQLite warns that an immutable file that does change gives wrong results, and a
      writer may open the book while we read. Its transactions go to its new ``-wal`` and
      reach the main file only at a checkpoint, so each read transaction compares the
      file's signature before and after (``Store.reading``) and reports a change instead of
      trusting what it read. Connections are short-lived (one per transaction), so the
      next read looks again and uses ``mode=ro`` while the writer's ``-wal`` exists.

    Removing side files after the fact is never done: a writer that opened the book in
    between would be using them, and deleting a live ``-wal`` loses its transactions.
    """
    snapshot = None
    query = "mode=ro"
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        header = b""
    if allow_immutable and _is_wal(header):
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        wal_size = wal.stat().st_size if wal.exists() else None
        if wal_size is None or (wal_size == 0 and not shm.exists()):
            snapshot = _signature(path)
            query = "mode=ro&immutable=1"
    con = sqlite3.connect(
        f"{_uri(path)}?{query}", uri=True, check_same_thread=False, factory=_Connection
    )
    con.kamtui_snapshot = snapshot
    return con


def _connect(path: Path, read_only: bool) -> _Connection:
    """A connection to the book as every read and write uses it: autocommit (transactions
    are begun explicitly), a busy timeout, foreign keys, full durability when writable."""
    if read_only:
        con = _read_only_connect(path)
    else:  # mode=rw: never create a file, even if the book vanished since it was checked
        con = sqlite3.connect(
            f"{_uri(path)}?mode=rw", uri=True, check_same_thread=False, factory=_Connection
        )
    try:
        con.isolation_level = None
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            con.execute("PRAGMA synchronous = FULL")
    except BaseException:
        con.close()  # a damaged book fails here: leave no -wal or -shm behind
        raise
    return con


def _make_engine(path: Path, read_only: bool) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    engine = create_engine(
        "sqlite://", creator=lambda: _connect(path, read_only), poolclass=NullPool
    )

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("kamtui_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# ---- opening -------------------------------------------------------------------------------


def not_a_file(path: Path) -> str:
    """Why ``path`` (which exists) cannot be a book because it is no regular file, or ""
    for a regular file (or a link to one). Checked before the file is opened: opening a
    FIFO waits for a writer, forever."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""  # opening it says why
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "not a regular file"
    return f"{path} is {kind}, not a kamtui book: a book is a regular file."


def _inspect_file(path: Path) -> bytes:
    """The 100-byte header of an existing file, or explain why it is no book."""
    why = not_a_file(path)
    if why:
        raise BookError(why)
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
    return header


def _header_int(header: bytes, at: int) -> int:
    return int.from_bytes(header[at : at + 4], "big", signed=True)


def _check_size(path: Path, header: bytes) -> None:
    """A file shorter than its header says is truncated (unless a ``-wal`` file still holds
    the rest: a checkpoint interrupted by a crash is finished from it)."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[92:96] == header[24:28]
    wal = Path(f"{path}-wal")
    if not valid or pages == 0 or (wal.exists() and wal.stat().st_size > 0):
        return
    size, expected = path.stat().st_size, pages * page_size
    if size < expected:
        raise BookError(
            f"{path} is truncated ({size:,} of {expected:,} bytes): it is not a usable "
            "kamtui book; restore a backup."
        )


def _why_not_writable(path: Path) -> str:
    if not os.access(path, os.W_OK):
        return f"You cannot write {path}, so it was opened read-only."
    if not os.access(path.parent, os.W_OK):
        return (
            f"You cannot write the folder {path.parent} (SQLite keeps its journal beside the "
            "book), so the book was opened read-only."
        )
    return ""


def _check_tables(conn: sqlite3.Connection, path: Path, version: int) -> None:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = sorted(migrations.required_tables(version) - names)
    if missing:
        raise BookError(
            f"{path} is marked as a kamtui book but lacks its tables "
            f"({', '.join(missing[:4])}{', ...' if len(missing) > 4 else ''}); it cannot be used."
        )


def no_book(p: Path) -> BookError:
    """The refusal of a path where there is no file."""
    if not p.parent.exists():
        return BookError(f"No book at {p}: the folder {p.parent} does not exist.")
    return BookError(f"No book at {p}. Create one with `kamtui init --db {p}`.")


def open_store(path: str | os.PathLike[str], *, read_only: bool = False) -> Store:
    """Open an existing book; upgrade an older one after a backup copy; refuse anything else."""
    p = Path(path).expanduser()
    if not p.exists():
        raise no_book(p)
    header = _inspect_file(p)
    app_id, version = _header_int(header, 68), _header_int(header, 60)
    if app_id != APPLICATION_ID:
        raise BookError(f"{p} is an SQLite database but not a kamtui book.")
    _check_size(p, header)
    if version > migrations.SCHEMA_VERSION and not read_only:
        raise BookError(
            f"{p} was written by a newer kamtui (schema {version}; this kamtui reads up to "
            f"{migrations.SCHEMA_VERSION}). Upgrade kamtui, or open it with --read-only."
        )
    notice = "" if read_only else _why_not_writable(p)
    read_only = read_only or bool(notice)
    store = Store(p, read_only, notice)
    try:
        with store.reading_sqlite() as conn:
            if version >= 1:
                _check_tables(conn, p, version)
        if not read_only:  # only a book that passed the checks is ever changed
            notice = _settle_journal(p, header)
            if notice:
                store.close()
                store = Store(p, True, notice)
                read_only = True
        if version < migrations.SCHEMA_VERSION and not read_only:
            backup_copy(p, f"v{version}")
            with store.writing() as conn:
                migrations.upgrade(conn, version)
                conn.exec_driver_sql(f"PRAGMA user_version = {migrations.SCHEMA_VERSION}")
    except BaseException:
        store.close()
        raise
    return store


def create_store(path: str | os.PathLike[str]) -> Store:
    """Create a new, empty book and open it; refuse to overwrite anything."""
    with new_store(path):
        pass
    return open_store(path)


MAKING = "making"  # a book being made at ``x/book.db`` is ``x/.book.db.<pid>.making``


@contextmanager
def new_store(path: str | os.PathLike[str]) -> Iterator[Store]:
    """A new book at ``path``, whole or not at all; refuses to overwrite anything.

    The book is made under a hidden name beside ``path``: its tables, then whatever the
    block writes into the store it is given. Once the block ends, the store is closed,
    its journal settled (the WAL copied into the file and removed, so the one file holds
    everything), the file synced, and only then given its name, by a hard link that fails
    if the name was taken meanwhile; the folder is synced last. A process killed before
    that leaves no book, only the hidden file, which the next book made at ``path``
    removes (``_remove_abandoned``) and which nothing ever opens as a book; killed after,
    it leaves the whole book. An error in the block removes what was made.
    """
    p = Path(path).expanduser()
    if p.exists() or p.is_symlink():
        raise BookError(f"{p} already exists; kamtui will not overwrite it.")
    if not p.parent.is_dir():
        raise BookError(f"Cannot create {p}: the folder {p.parent} does not exist.")
    _remove_abandoned(p)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.{MAKING}")
    store = None
    try:
        _remove_with_journal(tmp)  # an abandoned one of an earlier process with this id
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        want, _ = journal_choice(p)
        raw = sqlite3.connect(tmp)
        try:
            raw.execute(f"PRAGMA journal_mode = {want.upper()}")
        finally:
            raw.close()
        store = Store(tmp, read_only=False)
        with store.engine.connect() as conn:
            conn = conn.execution_options(kamtui_immediate=True)
            with conn.begin():
                migrations.create_schema(conn)
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.exec_driver_sql(f"PRAGMA user_version = {migrations.SCHEMA_VERSION}")
        yield store
        store.close()
        store = None
        _settle(tmp, want)
        _link_into_place(tmp, p)
    except BaseException as e:
        if store is not None:
            store.close()
        _remove_with_journal(tmp)
        if isinstance(e, OSError):
            raise BookError(f"Cannot create {p}: {e.strerror or e}.") from None
        err = sqlite_error(p, e, writing=True) if isinstance(e, Exception) else None
        if err is None:
            raise
        raise err from None


def _settle(path: Path, journal: str) -> None:
    """Leave everything of a closed book in its one file, in the given journal mode, on
    the disk."""
    con = sqlite3.connect(f"{_uri(path)}?mode=rw", uri=True, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = DELETE")  # copies any WAL into the file
        if journal == "wal":
            con.execute("PRAGMA journal_mode = WAL")  # marks the file; no -wal until a write
    finally:
        con.close()
    for side in ("-wal", "-journal"):
        if Path(f"{path}{side}").exists():
            raise BookError(f"{path} could not be settled: its {side[1:]} file stayed.")
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _link_into_place(tmp: Path, target: Path) -> None:
    """Give the finished file ``tmp`` the name ``target`` in one step, never over an
    existing file, and sync the folder."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise BookError(f"{target} already exists; kamtui will not overwrite it.") from None
    except OSError:  # no hard links on this file system: rename (Windows: never over a file)
        if target.exists() or target.is_symlink():
            raise BookError(f"{target} already exists; kamtui will not overwrite it.") from None
        os.rename(tmp, target)
    else:
        tmp.unlink()
    _sync_folder(target.parent)


def _remove_with_journal(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _remove_abandoned(path: Path) -> None:
    """Remove what runs killed while making a book at ``path`` left (see ``new_store``): a
    hidden file named after the book and a process that is gone, and its journal."""
    pattern = re.compile(
        re.escape(f".{path.name}.") + r"(\d+)\." + MAKING + r"(?:-wal|-shm|-journal)?"
    )
    try:
        names = [e.name for e in os.scandir(path.parent)]
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        if m is not None and int(m.group(1)) != os.getpid() and not _running(int(m.group(1))):
            try:
                (path.parent / name).unlink()
            except OSError:
                pass  # left to a later run; never opened as a book meanwhile


def _running(pid: int) -> bool:
    """Whether a process ``pid`` may be running (on Windows, assumed: it cannot be told
    without a risk of signalling it)."""
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's
    return True


# ---- copies --------------------------------------------------------------------------------


def backup_name(path: Path, label: str, now: datetime) -> Path:
    """A free name beside the book: ``book.db.<label>-YYYYmmdd-HHMMSS.bak``."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    n = 2
    while target.exists():
        target = path.with_name(f"{path.name}.{label}-{stamp}-{n}.bak")
        n += 1
    return target


def newest_backup(path: Path) -> Path | None:
    """The newest copy of the book beside it (``book.db.<label>-YYYYmmdd-HHMMSS.bak``: made
    by `kamtui backup`, before an upgrade or an import), or None."""
    prefix = f"{path.name}."
    try:
        copies = [
            e for e in os.scandir(path.parent)
            if e.name.startswith(prefix) and e.name.endswith(".bak") and e.is_file()
        ]  # fmt: skip
    except OSError:
        return None
    if not copies:
        return None
    return Path(max(copies, key=lambda e: (e.stat().st_mtime, e.name)).path)


def online_backup(source: Path, target: Path, attempts: int = 3) -> None:
    """A consistent copy of the book, even while another program writes it, into
    ``target``: a new file, readable by the owner only, never over an existing one.

    SQLite's online backup copies the whole book in one read transaction, through the
    same read-only connection as any read (``_read_only_connect``: no side files). If the
    book was saved to during the copy, it is copied again, the last time under SQLite's
    locks (a consistent copy matters more than leaving no trace). The copy is written to a
    hidden file beside ``target``, checked (``quick_check``), synced, and only then linked
    to its name, so an interrupted backup never leaves half a file under that name. It is
    stored with the rollback journal: one self-contained file to mail or copy anywhere.
    """
    if target.exists():
        raise BookError(f"{target} already exists; kamtui will not overwrite it.")
    if not target.parent.is_dir():
        raise BookError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    claimed = False
    try:
        check = ""
        for attempt in range(attempts):
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            src = _read_only_connect(source, allow_immutable=attempt < attempts - 1)
            try:
                src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                dst = sqlite3.connect(f"{_uri(tmp)}?mode=rw", uri=True, isolation_level=None)
                try:
                    src.backup(dst)
                    dst.execute("PRAGMA synchronous = FULL")
                    check = dst.execute("PRAGMA quick_check").fetchone()[0]
                    dst.execute("PRAGMA journal_mode = DELETE")
                finally:
                    dst.close()
            finally:
                src.close()
            if src.kamtui_snapshot is None or _signature(source) == src.kamtui_snapshot:
                break
        if check != "ok":
            raise BookError(f"The copy of {source} fails SQLite's check ({check}); it was removed.")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        try:
            os.link(tmp, target)  # fails if the name was taken meanwhile: nothing is replaced
        except FileExistsError:
            raise BookError(f"{target} already exists; kamtui will not overwrite it.") from None
        except OSError:  # no hard links on this file system: claim the name, then move in
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            claimed = True
            os.replace(tmp, target)
        tmp.unlink(missing_ok=True)
        _sync_folder(target.parent)
    except BaseException as e:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        if claimed:
            target.unlink(missing_ok=True)
        if isinstance(e, FileExistsError):
            raise BookError(f"{target} already exists; kamtui will not overwrite it.") from None
        if isinstance(e, OSError):
            raise BookError(f"Cannot write {target}: {e.strerror or e}.") from None
        code = getattr(e, "sqlite_errorcode", None)
        if isinstance(e, sqlite3.Error) and code is not None and code & 0xFF in (_FULL, _IOERR):
            raise BookError(
                f"The copy could not be written to {target} ({e}); nothing was left there, "
                f"and {source} is unchanged.",
                detail=str(e),
            ) from None
        err = sqlite_error(source, e, writing=False) if isinstance(e, Exception) else None
        if err is None:
            raise
        raise err from None


def _sync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def backup_copy(path: Path, label: str, now: datetime | None = None) -> Path:
    """A consistent copy beside the book, readable by the owner only."""
    target = backup_name(path, label, now or datetime.now())
    online_backup(path, target)
    return target
