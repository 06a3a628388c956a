"""Journal mode chosen for the file system: WAL on a local disk, the rollback journal on a
network file system (WAL's shared-memory index does not work across machines)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy

from kamtui.store import db as store_db
from kamtui.store.db import create_store, journal_choice, mount_type, open_store

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 253:0 / / rw,relatime - ext4 /dev/vda rw
40 27 0:45 / /home rw,relatime shared:20 - ext4 /dev/vdb rw
41 40 0:46 / /home/ann/shared\\040drive rw,relatime - cifs //files/sales rw,vers=3.0
42 40 0:47 / /home/ann/nfs rw,relatime - nfs4 files:/export rw
43 40 0:48 / /home/ann/nfs rw,relatime - tmpfs tmpfs rw
44 40 0:49 / /home/ann/box rw,nosuid - fuse.sshfs ann@box:/ rw
45 27 0:50 / /mnt/c rw,noatime - 9p drvfs rw,aname=drvfs
"""


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/home/ann/book.db", "ext4"),
        ("/var/lib/kamtui/book.db", "ext4"),
        ("/home/ann/shared drive/team/rep.db", "cifs"),  # \040 is a space
        ("/home/ann/shared drivers/rep.db", "ext4"),  # a prefix of the name is not inside
        ("/home/ann/nfs/rep.db", "tmpfs"),  # the last of two stacked mounts is the visible one
        ("/home/ann/box/rep.db", "fuse.sshfs"),
        ("/mnt/c/Users/ann/book.db", "9p"),  # WSL's Windows drives
        ("/", "ext4"),
    ],
)
def test_mount_type_finds_the_mount_holding_a_path(target: str, expected: str) -> None:
    assert mount_type(MOUNTINFO, target) == expected


def test_mount_type_of_nonsense_is_unknown() -> None:
    assert mount_type("", "/x") is None
    assert mount_type("not a mountinfo line\n", "/x") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/mountinfo")
def test_the_test_folder_is_on_a_known_local_file_system(tmp_path: Path) -> None:
    fs = store_db.filesystem_type(tmp_path / "book.db")
    assert fs
    assert fs not in store_db.NETWORK_FILESYSTEMS
    assert journal_choice(tmp_path / "book.db")[0] == "wal"


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file looks as if it lived on an NFS share."""
    monkeypatch.setattr(store_db, "filesystem_type", lambda _path: "nfs4")


def header_mode(path: Path) -> str:
    return {b"\x02\x02": "wal", b"\x01\x01": "rollback"}[path.read_bytes()[18:20]]


def test_a_book_made_on_a_network_file_system_uses_the_rollback_journal(
    tmp_path: Path, network: None
) -> None:
    path = tmp_path / "book.db"
    create_store(path).close()
    assert header_mode(path) == "rollback"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.db"]


def test_a_wal_book_opened_for_writing_on_a_network_file_system_is_switched(
    demo_path: Path, network: None
) -> None:
    assert header_mode(demo_path) == "wal"

    store = open_store(demo_path)
    try:
        assert not store.read_only
        with store.writing() as conn:
            store.put_setting(conn, "saved", "on the share")
        assert not Path(f"{demo_path}-wal").exists()  # a rollback journal has no -wal
    finally:
        store.close()

    assert header_mode(demo_path) == "rollback"
    assert sorted(p.name for p in demo_path.parent.iterdir()) == ["book.db"]


def test_read_only_does_not_switch_a_network_book(demo_path: Path, network: None) -> None:
    digest = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    open_store(demo_path, read_only=True).close()
    assert header_mode(demo_path) == "wal"
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == digest


def test_a_wal_book_in_use_on_a_network_file_system_opens_read_only(
    demo_path: Path, network: None
) -> None:
    other = sqlite3.connect(demo_path)  # the rep still has it open
    try:
        other.execute("SELECT count(*) FROM accounts").fetchone()
        store = open_store(demo_path)
        try:
            assert store.read_only
            assert "network file system (nfs4)" in store.notice
            assert "read-only" in store.notice and "\n" not in store.notice
        finally:
            store.close()
    finally:
        other.close()
    assert header_mode(demo_path) == "wal"


def test_a_rollback_book_opened_for_writing_on_a_local_disk_gets_wal(demo_path: Path) -> None:
    con = sqlite3.connect(demo_path)
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    assert header_mode(demo_path) == "rollback"

    open_store(demo_path).close()

    assert header_mode(demo_path) == "wal"


def test_kamtui_journal_forces_the_rollback_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store_db.JOURNAL_ENV, "delete")
    path = tmp_path / "book.db"
    create_store(path).close()
    assert header_mode(path) == "rollback"
    open_store(path).close()
    assert header_mode(path) == "rollback"


def test_writes_are_durable_and_brief_locks_wait(tmp_path: Path) -> None:
    store = create_store(tmp_path / "book.db")
    try:
        with store.writing() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
            busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
            assert busy == store_db.BUSY_TIMEOUT_MS >= 1000
    finally:
        store.close()


# ---- bulk writes: the checkpoint in the background -------------------------------------------


def wal_frames(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return 0 if not wal.exists() else max(0, (wal.stat().st_size - 32) // (4096 + 24))


def fill(conn: sqlalchemy.Connection, rows: int) -> None:
    conn.exec_driver_sql(
        "INSERT INTO settings (key, value) VALUES (?, ?)",
        [(f"k{n}", json.dumps("x" * 500)) for n in range(rows)],
    )


def test_a_bulk_write_returns_before_its_checkpoint_which_empties_the_wal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "book.db"
    store = create_store(path)
    try:
        with store.writing(bulk=True) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
            fill(conn, 20_000)  # some 2,500 pages: far past the 1,000 of an auto-checkpoint
        assert store._checkpoint is not None  # started, not waited for
        store.wait_for_checkpoint()
        assert store._checkpoint is None
        # the last connection to close removed the WAL: every page is in the book itself
        assert wal_frames(path) == 0
        con = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)  # the main file alone
        assert con.execute("SELECT count(*) FROM settings WHERE key LIKE 'k%'").fetchone() == (
            20_000,
        )
        con.close()
        with store.writing() as conn:  # an ordinary write checkpoints as it always did
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
        assert store._checkpoint is None
    finally:
        store.close()


def test_a_derived_write_does_not_wait_for_the_disk_in_wal_mode_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = create_store(tmp_path / "wal.db")
    try:
        with store.writing(bulk=True, derived=True) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1  # NORMAL
        with store.writing() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2
    finally:
        store.close()
    # the rollback journal needs every sync: there, a bulk write is an ordinary one
    monkeypatch.setenv(store_db.JOURNAL_ENV, "delete")
    path = tmp_path / "rollback.db"
    store = create_store(path)
    try:
        with store.writing(bulk=True, derived=True) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2
            fill(conn, 100)
        assert store._checkpoint is None
        assert header_mode(path) == "rollback"
    finally:
        store.close()


def test_a_failed_bulk_write_changes_nothing_and_starts_no_checkpoint(tmp_path: Path) -> None:
    store = create_store(tmp_path / "book.db")
    try:
        with pytest.raises(RuntimeError), store.writing(bulk=True) as conn:
            fill(conn, 5_000)
            raise RuntimeError("the import failed halfway")
        assert store._checkpoint is None
        with store.reading() as conn:
            assert (
                conn.exec_driver_sql(
                    "SELECT count(*) FROM settings WHERE key LIKE 'k%'"
                ).scalar_one()
                == 0
            )
    finally:
        store.close()


def test_closing_a_book_waits_for_its_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    store = create_store(path)
    with store.writing(bulk=True) as conn:
        fill(conn, 20_000)
    store.close()
    assert store._checkpoint is None
    assert not Path(f"{path}-wal").exists()


def test_a_program_that_ends_after_a_bulk_write_waits_for_its_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    create_store(path).close()
    script = (
        "import json, sys\n"
        "from kamtui.store.db import open_store\n"
        "store = open_store(sys.argv[1])\n"
        "with store.writing(bulk=True) as conn:\n"
        "    conn.exec_driver_sql('INSERT INTO settings (key, value) VALUES (?, ?)',\n"
        "        [(f'k{n}', json.dumps('x' * 500)) for n in range(20_000)])\n"
        "print(store._checkpoint is not None)\n"  # the book is never closed
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert not Path(f"{path}-wal").exists()
    con = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
    assert con.execute("SELECT count(*) FROM settings WHERE key LIKE 'k%'").fetchone() == (20_000,)
    con.close()


def test_a_bulk_write_is_saved_even_when_its_checkpoint_cannot_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.db"
    store = create_store(path)
    try:
        opened = store_db._connect
        calls: list[bool] = []

        def refuse_the_checkpointer(p: Path, read_only: bool) -> sqlite3.Connection:
            calls.append(read_only)
            if len(calls) == 2:  # the first is the write's own connection
                raise sqlite3.OperationalError("unable to open database file")
            return opened(p, read_only)

        monkeypatch.setattr(store_db, "_connect", refuse_the_checkpointer)
        with store.writing(bulk=True) as conn:
            fill(conn, 3_000)
        assert len(calls) == 2 and store._checkpoint is None
    finally:
        store.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM settings WHERE key LIKE 'k%'").fetchone() == (3_000,)
    con.close()
    assert not Path(f"{path}-wal").exists()  # the writer's own close checkpointed it
